/* The hardening checks. Each is one table entry: id, aliases (Dockle / CIS ids),
 * severity, title, remediation, and a function over the inspected image. */
#include "checks.h"
#include "../util/path.h"
#include "../util/strbuf.h"

#include <fnmatch.h>
#include <string.h>

struct ctx {
	const struct hull_inspect *in;
	const struct hull_check_opts *o;
	struct hull_findings *out;
	const char *passwd, *shadow; /* captured contents, or NULL */
	json_t *cfg;		     /* the config's "config" object */
};

struct hull_check {
	const char *id;
	const char *const *aliases;
	enum hull_severity severity;
	const char *title;
	const char *remediation;
	void (*run)(struct ctx *c, const struct hull_check *k);
};

static void emit(struct ctx *c, const struct hull_check *k, const struct hull_file *f,
		 const char *fmt, ...) HULL_PRINTF(4, 5);

static void emit(struct ctx *c, const struct hull_check *k, const struct hull_file *f,
		 const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	const struct hull_image *img = c->in->img;
	struct hull_finding fd = {
		.kind = "misconfig",
		.id = k->id,
		.aliases = k->aliases,
		.severity = k->severity,
		.title = k->title,
		.message = hull_findings_strdup(c->out, sb.buf),
		.remediation = k->remediation,
		.path = f ? hull_findings_strdup(c->out, f->path) : "config",
	};
	_cleanup_free_ char *doc = xasprintf("docs/checks.md#%s", k->id);
	for (char *p = doc; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	fd.doc = hull_findings_strdup(c->out, doc);
	if (f && img->transport != HULL_SRC_ROOTFS && (size_t)f->layer < img->nlayers) {
		fd.layer = hull_findings_strdup(c->out, img->layers[f->layer].digest);
		fd.layer_index = f->layer;
	}
	hull_findings_add(c->out, &fd);
	strbuf_release(&sb);
}

static const struct hull_file *lookup(struct ctx *c, const char *path)
{
	const struct hull_file *f;
	struct hull_err err = {0};
	if (hull_fs_resolve(c->in->fs, path, true, &f, &err)) {
		hull_err_clear(&err);
		return NULL;
	}
	return f;
}

static const char *cfg_str(struct ctx *c, const char *key)
{
	return json_string_value(json_object_get(c->cfg, key));
}

/* ---- user ---- */

static bool is_root_user(const char *u)
{
	return !u || !*u || !strcmp(u, "0") || !strcmp(u, "root") || !strncmp(u, "0:", 2) ||
	       !strncmp(u, "root:", 5);
}

static void check_root(struct ctx *c, const struct hull_check *k)
{
	if (c->in->img->transport == HULL_SRC_ROOTFS)
		return;
	const char *u = cfg_str(c, "User");
	if (is_root_user(u))
		emit(c, k, NULL, "the image runs as %s", u && *u ? u : "root (no USER set)");
}

static void check_user_by_name(struct ctx *c, const struct hull_check *k)
{
	const char *u = cfg_str(c, "User");
	if (!u || !*u || is_root_user(u))
		return;
	size_t n = strcspn(u, ":");
	if (strspn(u, "0123456789") < n)
		emit(c, k, NULL,
		     "USER %s names a user; Kubernetes' runAsNonRoot can only verify a "
		     "numeric UID",
		     u);
}

/* ---- tools an attacker would like ---- */

static void present(struct ctx *c, const struct hull_check *k, const char *const *names,
		    const char *what)
{
	static const char *const dirs[] = {"/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/",
					   "/usr/local/bin/"};
	const struct hull_file *seen[64];
	size_t nseen = 0;
	for (size_t i = 0; names[i]; i++) {
		for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
			_cleanup_free_ char *p = xasprintf("%s%s", dirs[d], names[i]);
			const struct hull_file *f = lookup(c, p);
			bool dup = false;
			for (size_t s = 0; f && s < nseen; s++)
				dup = dup || seen[s] == f;
			if (f && f->type == HULL_FT_FILE && !dup) {
				if (nseen < ARRAY_SIZE(seen))
					seen[nseen++] = f;
				emit(c, k, f, "%s %s is present", what, p);
				break;
			}
		}
	}
}

static void check_shells(struct ctx *c, const struct hull_check *k)
{
	static const char *const names[] = {"sh", "bash", "dash", "ash", "zsh", "ksh", NULL};
	present(c, k, names, "shell");
}

static void check_pkg_managers(struct ctx *c, const struct hull_check *k)
{
	static const char *const names[] = {"apt",	"apt-get", "dpkg", "apk",  "yum", "dnf",
					    "microdnf", "rpm",	   "pip",  "pip3", "npm", NULL};
	present(c, k, names, "package manager");
}

static void check_compilers(struct ctx *c, const struct hull_check *k)
{
	static const char *const names[] = {"gcc", "cc", "g++", "clang", "make", "as", "ld", NULL};
	present(c, k, names, "build tool");
}

static void check_net_tools(struct ctx *c, const struct hull_check *k)
{
	static const char *const names[] = {"curl",  "wget",   "nc",  "ncat", "netcat",
					    "socat", "telnet", "ssh", NULL};
	present(c, k, names, "network tool");
}

/* ---- file permissions ---- */

static bool system_pseudo(const char *path)
{
	return !strncmp(path, "/proc/", 6) || !strncmp(path, "/sys/", 5) ||
	       !strncmp(path, "/dev/", 5);
}

static void check_setuid(struct ctx *c, const struct hull_check *k)
{
	const struct hull_fs *fs = c->in->fs;
	for (size_t i = 0; i < fs->nfiles; i++) {
		const struct hull_file *f = &fs->files[i];
		if (f->type == HULL_FT_FILE && (f->mode & 06000))
			emit(c, k, f, "%s is %s%s%s (mode %04o)", f->path,
			     f->mode & 04000 ? "setuid" : "", (f->mode & 06000) == 06000 ? "+" : "",
			     f->mode & 02000 ? "setgid" : "", f->mode);
	}
}

static void check_world_writable(struct ctx *c, const struct hull_check *k)
{
	const struct hull_fs *fs = c->in->fs;
	for (size_t i = 0; i < fs->nfiles; i++) {
		const struct hull_file *f = &fs->files[i];
		if ((f->type != HULL_FT_FILE && f->type != HULL_FT_DIR) || system_pseudo(f->path))
			continue;
		if ((f->mode & 0002) && !(f->type == HULL_FT_DIR && (f->mode & 01000)))
			emit(c, k, f, "%s %s is world-writable%s (mode %04o)",
			     f->type == HULL_FT_DIR ? "directory" : "file", f->path,
			     f->type == HULL_FT_DIR ? " without the sticky bit" : "", f->mode);
	}
}

/* ---- things that should not be in an image ---- */

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool under_system_dir(const char *path)
{
	static const char *const sys[] = {"/usr/", "/lib",   "/etc/",  "/var/lib/", "/opt/conda/",
					  "/bin/", "/sbin/", "/proc/", "/sys/"};
	for (size_t i = 0; i < ARRAY_SIZE(sys); i++)
		if (!strncmp(path, sys[i], strlen(sys[i])))
			return true;
	return false;
}

static void check_vcs(struct ctx *c, const struct hull_check *k)
{
	const struct hull_fs *fs = c->in->fs;
	for (size_t i = 0; i < fs->nfiles; i++) {
		const struct hull_file *f = &fs->files[i];
		const char *b = base_name(f->path);
		if (f->type == HULL_FT_DIR &&
		    (!strcmp(b, ".git") || !strcmp(b, ".svn") || !strcmp(b, ".hg")))
			emit(c, k, f, "version-control directory %s is in the image", f->path);
	}
}

static void check_source_files(struct ctx *c, const struct hull_check *k)
{
	static const char *const pats[] = {
		"Dockerfile", "Containerfile",	    "Makefile",	   "*.c", "*.go", "go.mod", ".env",
		"*.env",      "docker-compose.yml", "Jenkinsfile", NULL};
	const struct hull_fs *fs = c->in->fs;
	size_t reported = 0;
	for (size_t i = 0; i < fs->nfiles && reported < 20; i++) {
		const struct hull_file *f = &fs->files[i];
		if (f->type != HULL_FT_FILE || under_system_dir(f->path) ||
		    strstr(f->path, "/node_modules/") || strstr(f->path, "/site-packages/"))
			continue;
		for (size_t p = 0; pats[p]; p++) {
			if (!fnmatch(pats[p], base_name(f->path), 0)) {
				emit(c, k, f, "source or build file %s is in the image", f->path);
				reported++;
				break;
			}
		}
	}
}

static void check_caches(struct ctx *c, const struct hull_check *k)
{
	static const char *const dirs[] = {
		"/var/lib/apt/lists", "/var/cache/apt/archives", "/var/cache/apk", "/root/.npm",
		"/root/.cache/pip",   "/var/cache/yum",		 "/var/cache/dnf"};
	const struct hull_fs *fs = c->in->fs;
	for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
		uint64_t bytes = 0;
		size_t files = 0;
		const struct hull_file *first = NULL;
		for (size_t i = 0; i < fs->nfiles; i++) {
			const struct hull_file *f = &fs->files[i];
			if (f->type != HULL_FT_FILE || !hull_path_is_below(f->path, dirs[d]) ||
			    !strcmp(base_name(f->path), "lock"))
				continue;
			bytes += f->size;
			files++;
			first = first ? first : f;
		}
		if (files && bytes)
			emit(c, k, first, "package cache %s holds %zu files (%llu bytes)", dirs[d],
			     files, (unsigned long long)bytes);
	}
}

static void check_sensitive(struct ctx *c, const struct hull_check *k)
{
	static const char *const names[] = {
		"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",	    "credentials", "config.json",
		"config", ".netrc", ".pgpass",	".git-credentials", NULL};
	const struct hull_fs *fs = c->in->fs;
	for (size_t i = 0; i < fs->nfiles; i++) {
		const struct hull_file *f = &fs->files[i];
		if (f->type != HULL_FT_FILE)
			continue;
		const char *b = base_name(f->path);
		bool hit = false;
		for (size_t n = 0; names[n] && !hit; n++) {
			if (strcmp(b, names[n]))
				continue;
			if (!strcmp(b, "credentials"))
				hit = strstr(f->path, "/.aws/") != NULL;
			else if (!strcmp(b, "config.json"))
				hit = strstr(f->path, "/.docker/") != NULL;
			else if (!strcmp(b, "config"))
				hit = strstr(f->path, "/.kube/") != NULL;
			else
				hit = true;
		}
		if (hit)
			emit(c, k, f, "credential file %s is in the image", f->path);
	}
}

/* Real users (a login shell or a UID >= 1000) with a password hash in /etc/shadow. */
static void check_shadow(struct ctx *c, const struct hull_check *k)
{
	if (!c->shadow)
		return;
	const struct hull_file *f = lookup(c, "/etc/shadow");
	for (const char *p = c->shadow; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *c1 = memchr(p, ':', n);
		if (c1) {
			const char *hash = c1 + 1;
			size_t hl = strcspn(hash, ":\n");
			bool real = hl > 1 && hash[0] == '$';
			if (real)
				emit(c, k, f, "/etc/shadow holds a password hash for user %.*s",
				     (int)(c1 - p), p);
		}
		p += n + (nl ? 1 : 0);
	}
}

/* ---- config and history ---- */

static void check_healthcheck(struct ctx *c, const struct hull_check *k)
{
	if (c->in->img->transport == HULL_SRC_ROOTFS)
		return;
	json_t *h = json_object_get(c->cfg, "Healthcheck");
	json_t *test = json_object_get(h, "Test");
	bool none = !h || !json_is_array(test) || !json_array_size(test) ||
		    (json_string_value(json_array_get(test, 0)) &&
		     !strcmp(json_string_value(json_array_get(test, 0)), "NONE"));
	if (none)
		emit(c, k, NULL, "the image has no HEALTHCHECK");
}

static void history_grep(struct ctx *c, const struct hull_check *k, const char *needle,
			 const char *what)
{
	json_t *hist = json_object_get(c->in->img->config, "history");
	size_t i;
	json_t *h;
	json_array_foreach(hist, i, h)
	{
		const char *cb = json_string_value(json_object_get(h, "created_by"));
		if (cb && strstr(cb, needle))
			emit(c, k, NULL, "history[%zu] %s: %.120s", i, what, cb);
	}
}

static void check_add(struct ctx *c, const struct hull_check *k)
{
	history_grep(c, k, "ADD ", "uses ADD");
}

static void check_sudo(struct ctx *c, const struct hull_check *k)
{
	history_grep(c, k, "sudo ", "runs sudo");
}

static void check_latest(struct ctx *c, const struct hull_check *k)
{
	const struct hull_image *img = c->in->img;
	for (size_t i = 0; i < img->nrepo_tags; i++) {
		const char *t = img->repo_tags[i];
		const char *colon = strrchr(t, ':');
		if ((colon && !strcmp(colon, ":latest")) || !strcmp(t, "latest"))
			emit(c, k, NULL, "the image is tagged %s", t);
	}
	json_t *labels = json_object_get(c->cfg, "Labels");
	const char *base =
		json_string_value(json_object_get(labels, "org.opencontainers.image.base.name"));
	const char *bdig =
		json_string_value(json_object_get(labels, "org.opencontainers.image.base.digest"));
	if (base && !strchr(base, '@') && !bdig)
		emit(c, k, NULL, "the base image %s is not pinned by digest", base);
}

static void check_ssh_port(struct ctx *c, const struct hull_check *k)
{
	if (json_object_get(json_object_get(c->cfg, "ExposedPorts"), "22/tcp"))
		emit(c, k, NULL, "the image exposes port 22 (SSH)");
}

static void check_layers(struct ctx *c, const struct hull_check *k)
{
	size_t max = c->o && c->o->max_layers ? c->o->max_layers : 50;
	if (c->in->img->transport != HULL_SRC_ROOTFS && c->in->nlayers > max)
		emit(c, k, NULL, "the image has %zu layers (more than %zu)", c->in->nlayers, max);
}

static void check_waste(struct ctx *c, const struct hull_check *k)
{
	uint64_t max = c->o && c->o->max_wasted ? c->o->max_wasted : 20000000ULL;
	double eff = c->o && c->o->min_efficiency > 0 ? c->o->min_efficiency : 0.9;
	const struct hull_fs *fs = c->in->fs;
	if (fs->wasted_bytes > max || fs->efficiency < eff)
		emit(c, k, NULL, "%llu bytes are wasted (efficiency %.1f%%); the largest: %s",
		     (unsigned long long)fs->wasted_bytes, fs->efficiency * 100.0,
		     fs->nwasted ? fs->wasted[0].path : "-");
}

#define ALIASES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_ALIASES   NULL

static const struct hull_check checks[] = {
	{"HULL-IMG-001", ALIASES("CIS-DI-0001", "DS002"), HULL_SEV_HIGH, "Image runs as root",
	 "Add a non-root USER (e.g. USER 65532:65532) to the Dockerfile.", check_root},
	{"HULL-IMG-002", NO_ALIASES, HULL_SEV_LOW, "USER is a name, not a numeric UID",
	 "Use a numeric UID:GID in USER so runtimes can verify it is not root.",
	 check_user_by_name},
	{"HULL-IMG-003", NO_ALIASES, HULL_SEV_LOW, "A shell is present",
	 "Build from a distroless or scratch base, or remove shells from the final stage.",
	 check_shells},
	{"HULL-IMG-004", NO_ALIASES, HULL_SEV_LOW, "A package manager is present",
	 "Install packages in a build stage and copy only what runs into the final image.",
	 check_pkg_managers},
	{"HULL-IMG-005", NO_ALIASES, HULL_SEV_MEDIUM, "Compilers or build tools are present",
	 "Compile in a build stage; ship only the build output.", check_compilers},
	{"HULL-IMG-006", NO_ALIASES, HULL_SEV_LOW, "Network tools are present",
	 "Remove curl, wget, netcat and similar tools from the final image.", check_net_tools},
	{"HULL-IMG-007", ALIASES("CIS-DI-0008"), HULL_SEV_MEDIUM, "setuid or setgid file",
	 "Remove the setuid/setgid bits (chmod u-s,g-s) unless the file needs them.", check_setuid},
	{"HULL-IMG-008", NO_ALIASES, HULL_SEV_MEDIUM, "World-writable file or directory",
	 "Drop the o+w bit, or set the sticky bit on shared directories.", check_world_writable},
	{"HULL-IMG-009", ALIASES("CIS-DI-0010", "DKL-DI-0006"), HULL_SEV_MEDIUM,
	 "Version-control directory in the image", "Add .git (and .svn, .hg) to .dockerignore.",
	 check_vcs},
	{"HULL-IMG-010", NO_ALIASES, HULL_SEV_LOW, "Source or build files in the image",
	 "Copy only build output into the final stage; use .dockerignore.", check_source_files},
	{"HULL-IMG-011", ALIASES("DKL-DI-0005"), HULL_SEV_LOW,
	 "Package manager cache left in the image",
	 "Clean caches in the same RUN (rm -rf /var/lib/apt/lists/*, apk --no-cache, "
	 "pip --no-cache-dir, npm cache clean).",
	 check_caches},
	{"HULL-IMG-012", ALIASES("CIS-DI-0010"), HULL_SEV_HIGH, "Credential file in the image",
	 "Never COPY keys or credential files; use build secrets (--mount=type=secret).",
	 check_sensitive},
	{"HULL-IMG-013", ALIASES("CIS-DI-0010"), HULL_SEV_HIGH,
	 "Password hash for a user in /etc/shadow",
	 "Lock the account (passwd -l) or remove the password; use keys or no login.",
	 check_shadow},
	{"HULL-IMG-014", ALIASES("CIS-DI-0006", "DS026"), HULL_SEV_LOW, "No HEALTHCHECK",
	 "Add a HEALTHCHECK instruction so orchestrators can detect a hung process.",
	 check_healthcheck},
	{"HULL-IMG-015", ALIASES("CIS-DI-0009", "DS005"), HULL_SEV_LOW,
	 "ADD used in the image history",
	 "Use COPY for local files; ADD fetches and unpacks implicitly.", check_add},
	{"HULL-IMG-016", ALIASES("DKL-DI-0001"), HULL_SEV_MEDIUM, "sudo used in the image history",
	 "Run as root in the build stage instead of sudo, then switch USER.", check_sudo},
	{"HULL-IMG-017", ALIASES("DKL-DI-0006", "DS001"), HULL_SEV_LOW,
	 "Image tagged latest or base not pinned by digest",
	 "Tag images with versions and pin bases with @sha256 digests.", check_latest},
	{"HULL-IMG-018", ALIASES("DS004"), HULL_SEV_MEDIUM, "SSH port 22 exposed",
	 "Do not run sshd in containers; use kubectl exec or docker exec.", check_ssh_port},
	{"HULL-IMG-019", NO_ALIASES, HULL_SEV_LOW, "Too many layers",
	 "Combine RUN steps and use multi-stage builds.", check_layers},
	{"HULL-IMG-020", NO_ALIASES, HULL_SEV_LOW, "Wasted space in layers",
	 "Delete files in the same layer that creates them; see hull inspect's top wasted "
	 "paths.",
	 check_waste},
};

bool hull_checks_wanted(const char *path, uint64_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	return !strcmp(path, "/etc/shadow") || !strcmp(path, "/etc/passwd");
}

/* The captured content of path from the layer that provides the visible file. */
static const char *captured(const struct hull_inspect *in, const char *path)
{
	const struct hull_file *f;
	struct hull_err err = {0};
	if (hull_fs_resolve(in->fs, path, true, &f, &err)) {
		hull_err_clear(&err);
		return NULL;
	}
	const struct hull_layer *l = &in->layers[f->layer];
	for (size_t i = 0; i < l->ncaptured; i++)
		if (!strcmp(l->entries[l->captured[i].entry].path, f->path))
			return l->captured[i].data;
	return NULL;
}

void hull_checks_run(const struct hull_inspect *in, const struct hull_check_opts *o,
		     struct hull_findings *out)
{
	struct ctx c = {.in = in, .o = o, .out = out};
	c.cfg = in->img->config ? json_object_get(in->img->config, "config") : NULL;
	c.passwd = captured(in, "/etc/passwd");
	c.shadow = captured(in, "/etc/shadow");
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++)
		checks[i].run(&c, &checks[i]);
}
