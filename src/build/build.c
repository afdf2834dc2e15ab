/* hull build: spec -> layers (system, debs, the spec's file layers) -> a scanned
 * temporary image -> the SBOM layer -> the final image, written to the destination only
 * once everything passed. Times come from SOURCE_DATE_EPOCH, git, or 0, never the clock. */
#include "build.h"
#include "../util/strbuf.h"
#include "build_int.h"
#include "deb.h"
#include "imagew.h"
#include "indexw.h"
#include "referrer.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SPEC (1u << 20)

extern char **environ;

/* Runs git -C dir ARGS and returns its first output line, or NULL. */
static char *git_line(const char *dir, const char *a1, const char *a2, const char *a3)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		return NULL;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {"git", "-C", (char *)dir, (char *)a1, (char *)a2, (char *)a3, NULL};
	pid_t pid;
	int r = posix_spawnp(&pid, "git", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r) {
		close(fds[0]);
		return NULL;
	}
	char buf[4096];
	size_t n = 0;
	ssize_t k;
	while (n < sizeof(buf) - 1 && (k = read(fds[0], buf + n, sizeof(buf) - 1 - n)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		n += (size_t)k;
	}
	close(fds[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return WIFEXITED(st) && !WEXITSTATUS(st) && *buf ? xstrdup(buf) : NULL;
}

static int pick_epoch(struct build *b)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (e && *e) {
		char *end;
		errno = 0;
		long long v = strtoll(e, &end, 10);
		if (!isdigit((unsigned char)*e) || *end || errno || v > 077777777777LL)
			return hull_err_set(b->err, HULL_EUSAGE,
					    "SOURCE_DATE_EPOCH: \"%s\" is not a time in seconds",
					    e);
		b->epoch = v;
		return 0;
	}
	_cleanup_free_ char *ct = git_line(b->spec_dir, "log", "-1", "--format=%ct");
	b->epoch = ct && isdigit((unsigned char)ct[0]) ? strtoll(ct, NULL, 10) : 0;
	return 0;
}

static void rfc3339(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---------------------------------------------------------------- the debs */

static int add_deb(struct build *b, const char *path, struct hull_layerw *w)
{
	char *data;
	size_t len;
	int rc = hull_read_file(path, HULL_DEB_MAX_FILE, &data, &len, b->err);
	if (rc)
		return rc;
	struct hull_deb d;
	rc = hull_deb_read(path, data, len, w, &d, b->err);
	free(data);
	if (rc)
		return rc;
	const char *want = hull_bspec_debarch(b->pl);
	if (d.arch && strcmp(d.arch, "all") && strcmp(d.arch, want)) {
		rc = hull_err_set(b->err, HULL_EINPUT,
				  "%s: debs: %s is for architecture %s, the image is %s/%s%s%s "
				  "(Debian %s)",
				  b->spec->path, path, d.arch, b->pl->os, b->pl->arch,
				  b->pl->variant ? "/" : "", b->pl->variant ? b->pl->variant : "",
				  want);
		hull_deb_release(&d);
		return rc;
	}
	b->debs = xreallocarray(b->debs, b->ndebs + 1, sizeof(char *));
	b->debs[b->ndebs++] = xasprintf("%s=%s", d.package, d.version);
	hull_deb_release(&d);
	return 0;
}

int hull_build_debs_layer(struct build *b, struct hull_layerw *w)
{
	const struct hull_bspec_strv *debs = &b->spec->debs;
	int rc = 0;
	for (size_t i = 0; i < debs->n && !rc; i++) {
		_cleanup_free_ char *p = hull_bspec_subst(debs->v[i], b->pl);
		_cleanup_free_ char *pat =
			p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", b->spec_dir, p);
		glob_t g;
		int r = glob(pat, GLOB_NOSORT | GLOB_ERR | GLOB_NOCHECK, NULL, &g);
		if (r)
			return hull_err_set(b->err, HULL_EINPUT,
					    "%s:%zu:%zu: debs: %s: cannot read", b->spec->path,
					    debs->pos.line, debs->pos.col, p);
		qsort(g.gl_pathv, g.gl_pathc, sizeof(char *), hull_strcmp_p);
		for (size_t k = 0; k < g.gl_pathc && !rc; k++) {
			struct stat sb;
			if (stat(g.gl_pathv[k], &sb) || !S_ISREG(sb.st_mode))
				rc = hull_err_set(b->err, HULL_EINPUT, "%s:%zu:%zu: debs: %s: %s",
						  b->spec->path, debs->pos.line, debs->pos.col,
						  g.gl_pathv[k],
						  errno && !S_ISREG(sb.st_mode) ? strerror(errno)
										: "not a file");
			else
				rc = add_deb(b, g.gl_pathv[k], w);
		}
		globfree(&g);
	}
	return rc;
}

/* ---------------------------------------------------------------- the config */

static json_t *strv_json(const struct hull_bspec_strv *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

/* The base's Env, then the spec's (replacing same names), PATH by default. */
static json_t *make_env(const struct hull_bspec *s, json_t *base_env)
{
	json_t *env = json_is_array(base_env) ? json_deep_copy(base_env) : json_array();
	for (size_t i = 0; i < s->nenv; i++) {
		size_t kl = strlen(s->env[i].key);
		for (size_t k = json_array_size(env); k-- > 0;) {
			const char *e = json_string_value(json_array_get(env, k));
			if (e && !strncmp(e, s->env[i].key, kl) && e[kl] == '=')
				json_array_remove(env, k);
		}
		json_array_append_new(env, json_sprintf("%s=%s", s->env[i].key, s->env[i].val));
	}
	bool path = false;
	for (size_t k = 0; k < json_array_size(env); k++) {
		const char *e = json_string_value(json_array_get(env, k));
		path = path || (e && !strncmp(e, "PATH=", 5));
	}
	if (!path)
		json_array_insert_new(env, 0,
				      json_string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/"
						  "usr/bin:/sbin:/bin"));
	return env;
}

static json_t *make_kv(json_t *base, const struct hull_bspec_kv *kv, size_t n)
{
	json_t *o = json_is_object(base) ? json_deep_copy(base) : json_object();
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, kv[i].key, json_string(kv[i].val));
	return o;
}

static void set_healthcheck(json_t *c, const struct hull_bspec *s)
{
	if (!s->healthcheck.test.set)
		return;
	json_t *test = strv_json(&s->healthcheck.test);
	json_array_insert_new(test, 0, json_string("CMD"));
	json_t *h = json_pack("{s:o}", "Test", test);
	if (s->healthcheck.interval)
		json_object_set_new(h, "Interval", json_integer(s->healthcheck.interval));
	if (s->healthcheck.timeout)
		json_object_set_new(h, "Timeout", json_integer(s->healthcheck.timeout));
	if (s->healthcheck.start_period)
		json_object_set_new(h, "StartPeriod", json_integer(s->healthcheck.start_period));
	if (s->healthcheck.retries)
		json_object_set_new(h, "Retries", json_integer(s->healthcheck.retries));
	json_object_set_new(c, "Healthcheck", h);
}

static void set_runtime(json_t *c, const struct hull_bspec *s)
{
	json_object_set_new(c, "User", json_sprintf("%u:%u", s->user.uid, s->user.gid));
	json_object_set_new(c, "Env", make_env(s, json_object_get(c, "Env")));
	if (s->entrypoint.set) {
		json_object_set_new(c, "Entrypoint", strv_json(&s->entrypoint));
		if (!s->cmd.set)
			json_object_del(c, "Cmd"); /* as Docker resets CMD with ENTRYPOINT */
	}
	if (s->cmd.set)
		json_object_set_new(c, "Cmd", strv_json(&s->cmd));
	if (s->workdir)
		json_object_set_new(c, "WorkingDir", json_string(s->workdir));
	if (s->nlabels)
		json_object_set_new(c, "Labels",
				    make_kv(json_object_get(c, "Labels"), s->labels, s->nlabels));
	if (s->expose.set) {
		json_t *p = json_object_get(c, "ExposedPorts");
		p = json_is_object(p) ? json_deep_copy(p) : json_object();
		for (size_t i = 0; i < s->expose.n; i++)
			json_object_set_new(p, s->expose.v[i], json_object());
		json_object_set_new(c, "ExposedPorts", p);
	}
	set_healthcheck(c, s);
	if (s->stop_signal)
		json_object_set_new(c, "StopSignal", json_string(s->stop_signal));
}

static json_t *make_config(struct build *b, const struct hull_platform *pl)
{
	json_t *base = b->base ? b->base->img->config : NULL;
	json_t *bc = json_object_get(base, "config");
	json_t *c = json_is_object(bc) ? json_deep_copy(bc) : json_object();
	set_runtime(c, b->spec);
	char created[32];
	rfc3339(b->epoch, created);
	json_t *cfg = json_pack("{s:s, s:s, s:s, s:o}", "architecture", pl->arch, "os", pl->os,
				"created", created, "config", c);
	if (pl->variant)
		json_object_set_new(cfg, "variant", json_string(pl->variant));
	return cfg;
}

/* OCI annotations: created, source and revision (options, else git), the spec's last. */
static json_t *make_annotations(struct build *b)
{
	char created[32];
	rfc3339(b->epoch, created);
	json_t *a = json_pack("{s:s}", "org.opencontainers.image.created", created);
	_cleanup_free_ char *url =
		b->o->source_url ? xstrdup(b->o->source_url)
				 : git_line(b->spec_dir, "config", "--get", "remote.origin.url");
	_cleanup_free_ char *rev = b->o->revision
					   ? xstrdup(b->o->revision)
					   : git_line(b->spec_dir, "rev-parse", "HEAD", NULL);
	if (url && !strstr(url, "@")) /* never a URL with credentials in it */
		json_object_set_new(a, "org.opencontainers.image.source", json_string(url));
	if (rev)
		json_object_set_new(a, "org.opencontainers.image.revision", json_string(rev));
	for (size_t i = 0; i < b->spec->nannotations; i++)
		json_object_set_new(a, b->spec->annotations[i].key,
				    json_string(b->spec->annotations[i].val));
	return a;
}

/* ---------------------------------------------------------------- the steps */

static int load_spec(struct build *b)
{
	char *data;
	size_t len;
	int rc = hull_read_file(b->o->spec, MAX_SPEC, &data, &len, b->err);
	if (rc)
		return rc;
	rc = hull_bspec_parse(b->o->spec, data, len, &b->spec, b->err);
	free(data);
	if (rc)
		return rc;
	char real[PATH_MAX];
	if (!realpath(b->o->spec, real))
		return hull_err_set(b->err, HULL_EINPUT, "%s: %s", b->o->spec, strerror(errno));
	*strrchr(real, '/') = '\0';
	b->spec_dir = xstrdup(*real ? real : "/");
	return 0;
}

static bool base_want(const char *path, uint64_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	return !strcmp(path, "/etc/passwd") || !strcmp(path, "/etc/group");
}

static int open_base(struct build *b, const char *platform)
{
	if (!b->spec->base)
		return 0;
	struct hull_capture cap = {.want = base_want};
	struct hull_inspect_opts io = {
		.platform = platform, .registry = b->o->registry, .capture = &cap};
	int rc = hull_inspect_run(b->spec->base, &io, &b->base, b->err);
	if (rc)
		hull_err_prefix(b->err, "%s:%zu:%zu: base", b->spec->path, b->spec->base_pos.line,
				b->spec->base_pos.col);
	return rc;
}

typedef int (*fill_fn)(struct build *b, const char *arg, struct hull_layerw *w);

/* One layer: filled by fn; skipped when empty. */
static int make_layer(struct build *b, fill_fn fn, const char *arg, const char *created_by)
{
	struct hull_layerw *w;
	int rc = hull_layerw_new(b->tmp, b->epoch, &w, b->err);
	if (rc)
		return rc;
	rc = fn(b, arg, w);
	if (!rc && hull_layerw_count(w)) {
		b->layers = xreallocarray(b->layers, b->nlayers + 1, sizeof(*b->layers));
		struct hull_built_layer *l = &b->layers[b->nlayers];
		rc = hull_layerw_finish(w, l, b->err);
		if (!rc) {
			l->created_by = xstrdup(created_by);
			b->nlayers++;
		}
	}
	hull_layerw_free(w);
	return rc;
}

static int fill_system(struct build *b, const char *arg, struct hull_layerw *w)
{
	(void)arg;
	return hull_build_system_layer(b, w);
}
static int fill_debs(struct build *b, const char *arg, struct hull_layerw *w)
{
	(void)arg;
	return hull_build_debs_layer(b, w);
}
static int fill_files(struct build *b, const char *arg, struct hull_layerw *w)
{
	return hull_build_files_layer(b, arg, w);
}

static int content_layers(struct build *b)
{
	int rc = make_layer(b, fill_system, NULL, "hull build: users, groups, home, /tmp");
	if (!rc && b->spec->debs.n)
		rc = make_layer(b, fill_debs, NULL, "hull build: Debian packages");
	const struct hull_bspec_strv *ls = &b->spec->layers;
	size_t n = ls->set ? ls->n : 1;
	for (size_t i = 0; i < n && !rc; i++) {
		const char *name = ls->set ? ls->v[i] : "app";
		_cleanup_free_ char *cb = xasprintf("hull build: files (layer %s)", name);
		rc = make_layer(b, fill_files, name, cb);
	}
	return rc;
}

static int fill_sbom(struct build *b, const char *dir, struct hull_layerw *w)
{
	return hull_build_gate(b, dir, w);
}

/* One platform's result: its layout in the work directory and what the index and the
 * referrers need. */
struct built {
	struct hull_platform pl;
	char *dir;
	char *digest;
	uint64_t size;
	char *spdx, *cdx;
	size_t spdx_len, cdx_len;
};

static void built_release(struct built *r)
{
	hull_platform_free(&r->pl);
	free(r->dir);
	free(r->digest);
	free(r->spdx);
	free(r->cdx);
}

/* What the previous platform left in b. */
static void reset_platform(struct build *b)
{
	for (size_t i = 0; i < b->nlayers; i++)
		hull_built_layer_release(&b->layers[i]);
	free(b->layers);
	b->layers = NULL;
	b->nlayers = 0;
	for (size_t i = 0; i < b->ndebs; i++)
		free(b->debs[i]);
	free(b->debs);
	b->debs = NULL;
	b->ndebs = 0;
	hull_inspect_free(b->base);
	b->base = NULL;
}

/* Builds the image for platform pf (NULL: the base's, else linux/amd64) into the layout
 * out->dir. The base, if an index, gives the matching platform's image. */
static int build_one(struct build *b, const char *pf, size_t n, struct built *out)
{
	reset_platform(b);
	struct hull_platform pl = {0};
	if (hull_platform_parse(pf ? pf : "linux/amd64", &pl))
		return hull_err_set(b->err, HULL_EUSAGE,
				    "platform \"%s\": expected OS/ARCH[/VARIANT]", pf);
	int rc = open_base(b, pf);
	const struct hull_image *bi = b->base ? b->base->img : NULL;
	if (!rc && bi && pf && bi->architecture &&
	    !hull_platform_match(&pl, bi->os ? bi->os : "linux", bi->architecture, bi->variant))
		rc = hull_err_set(b->err, HULL_EINPUT,
				  "%s:%zu:%zu: base %s is %s/%s%s%s, not %s (give a base index "
				  "that has %s, or a base for that platform)",
				  b->spec->path, b->spec->base_pos.line, b->spec->base_pos.col,
				  b->spec->base, bi->os ? bi->os : "linux", bi->architecture,
				  bi->variant ? "/" : "", bi->variant ? bi->variant : "", pf, pf);
	if (!rc && b->base && !pf) {
		hull_platform_free(&pl);
		pl = (struct hull_platform){
			xstrdup(b->base->img->os ? b->base->img->os : "linux"),
			xstrdup(b->base->img->architecture ? b->base->img->architecture : "amd64"),
			b->base->img->variant ? xstrdup(b->base->img->variant) : NULL};
	}
	b->pl = &pl;
	if (!rc)
		rc = content_layers(b);
	json_t *cfg = rc ? NULL : make_config(b, &pl);
	json_t *ann = rc ? NULL : make_annotations(b);
	struct hull_image *base = b->base ? b->base->img : NULL;
	_cleanup_free_ char *scan = xasprintf("%s/scan-%zu", b->tmp, n);
	out->dir = xasprintf("%s/final-%zu", b->tmp, n);
	if (!rc)
		rc = hull_image_assemble(cfg, base, b->layers, b->nlayers, ann, scan, NULL, b->err);
	if (!rc)
		rc = make_layer(b, fill_sbom, scan, "hull build: SBOM (/usr/share/hull)");
	if (!rc)
		rc = hull_image_assemble(cfg, base, b->layers, b->nlayers, ann, out->dir,
					 &out->digest, b->err);
	hull_rm_rf(scan);
	if (!rc) {
		struct hull_image *img;
		_cleanup_free_ char *src = xasprintf("oci:%s", out->dir);
		rc = hull_image_open(src, NULL, &img, b->err);
		if (!rc) {
			out->size = img->manifest_len;
			hull_image_free(img);
		}
	}
	b->pl = NULL;
	out->pl = pl;
	out->spdx = b->spdx;
	out->cdx = b->cdx;
	out->spdx_len = b->spdx_len;
	out->cdx_len = b->cdx_len;
	b->spdx = b->cdx = NULL;
	json_decref(cfg);
	json_decref(ann);
	if (rc && b->spec->platforms.n > 1 && pf)
		hull_err_prefix(b->err, "platform %s", pf);
	return rc;
}

/* The SBOMs of each image as OCI referrer artifacts of its manifest. */
static int push_referrers(struct build *b, const struct built *r, size_t n)
{
	struct hull_referrer *v = xcalloc(2 * n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		const struct hull_referrer base = {
			.subject_media_type = "application/vnd.oci.image.manifest.v1+json",
			.subject_digest = r[i].digest,
			.subject_size = r[i].size};
		v[2 * i] = base;
		v[2 * i].artifact_type = "application/spdx+json";
		v[2 * i].title = "sbom.spdx.json";
		v[2 * i].data = r[i].spdx;
		v[2 * i].len = r[i].spdx_len;
		v[2 * i + 1] = base;
		v[2 * i + 1].artifact_type = "application/vnd.cyclonedx+json";
		v[2 * i + 1].title = "sbom.cdx.json";
		v[2 * i + 1].data = r[i].cdx;
		v[2 * i + 1].len = r[i].cdx_len;
	}
	char created[32];
	rfc3339(b->epoch, created);
	int rc = hull_referrers_push(b->o->dest, b->o->registry, v, 2 * n, created, b->err);
	free(v);
	return rc;
}

/* The platforms to build: the spec's list (or the one of them --platform names), else
 * the single platform (--platform, the spec's, else NULL: the base's). *index: write an
 * image index. */
static int pick_platforms(struct build *b, const char ***out, size_t *n, bool *index)
{
	const struct hull_bspec_strv *ps = &b->spec->platforms;
	*index = false;
	if (!ps->set) {
		const char *pf = b->o->platform ? b->o->platform : b->spec->platform;
		*out = xcalloc(1, sizeof(char *));
		(*out)[0] = pf;
		*n = 1;
		return 0;
	}
	if (b->o->platform) {
		struct hull_platform want;
		if (hull_platform_parse(b->o->platform, &want))
			return hull_err_set(b->err, HULL_EUSAGE,
					    "--platform \"%s\": expected OS/ARCH[/VARIANT]",
					    b->o->platform);
		const char *hit = NULL;
		for (size_t i = 0; i < ps->n && !hit; i++) {
			struct hull_platform p;
			if (hull_platform_parse(ps->v[i], &p))
				continue;
			if (hull_platform_match(&want, p.os, p.arch, p.variant))
				hit = ps->v[i];
			hull_platform_free(&p);
		}
		hull_platform_free(&want);
		if (!hit) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t i = 0; i < ps->n; i++)
				strbuf_addf(&sb, "%s%s", i ? ", " : "", ps->v[i]);
			int rc = hull_err_set(
				b->err, HULL_EUSAGE,
				"--platform %s is not one of the spec's platforms (%s)",
				b->o->platform, sb.buf);
			strbuf_release(&sb);
			return rc;
		}
		*out = xcalloc(1, sizeof(char *));
		(*out)[0] = hit;
		*n = 1;
		return 0;
	}
	if (!strncmp(b->o->dest, "docker-archive:", 15))
		return hull_err_set(b->err, HULL_EUSAGE,
				    "%s: docker load takes one platform and the spec lists %zu: "
				    "pick one with --platform, or write oci:/oci-archive:",
				    b->o->dest, ps->n);
	*out = xcalloc(ps->n, sizeof(char *));
	for (size_t i = 0; i < ps->n; i++)
		(*out)[i] = ps->v[i];
	*n = ps->n;
	*index = true;
	return 0;
}

static int build_all(struct build *b, char **digest)
{
	const char **pfs = NULL;
	size_t n = 0;
	bool index;
	int rc = pick_platforms(b, &pfs, &n, &index);
	struct built *r = xcalloc(n ? n : 1, sizeof(*r));
	for (size_t i = 0; i < n && !rc; i++)
		rc = build_one(b, pfs[i], i, &r[i]);
	/* oci:DIR and oci-archive:FILE without a tag get "latest" (umoci needs a name) */
	bool untagged = (!strncmp(b->o->dest, "oci:", 4) && !strchr(b->o->dest + 4, ':')) ||
			(!strncmp(b->o->dest, "oci-archive:", 12) && !strchr(b->o->dest + 12, ':'));
	_cleanup_free_ char *dest = xasprintf("%s%s", b->o->dest, untagged ? ":latest" : "");
	if (!rc && index) {
		struct hull_index_entry *e = xcalloc(n, sizeof(*e));
		for (size_t i = 0; i < n; i++)
			e[i] = (struct hull_index_entry){r[i].dir, &r[i].pl};
		json_t *ann = make_annotations(b);
		_cleanup_free_ char *dir = xasprintf("%s/index", b->tmp);
		rc = hull_index_assemble(e, n, ann, dir, digest, b->err);
		json_decref(ann);
		free(e);
		_cleanup_free_ char *any =
			xasprintf("%s/%s%s%s", r[0].pl.os, r[0].pl.arch, r[0].pl.variant ? "/" : "",
				  r[0].pl.variant ? r[0].pl.variant : "");
		if (!rc)
			rc = hull_index_publish(dir, dest, any, b->o->registry, b->err);
	} else if (!rc) {
		rc = hull_image_publish(r[0].dir, dest, b->o->registry, b->err);
		if (!rc)
			*digest = xstrdup(r[0].digest);
	}
	if (!rc && !strncmp(b->o->dest, "docker://", 9) && !b->o->no_sbom_referrer)
		rc = push_referrers(b, r, n);
	if (rc) {
		free(*digest);
		*digest = NULL;
	}
	for (size_t i = 0; i < n; i++)
		built_release(&r[i]);
	free(r);
	free(pfs);
	return rc;
}

static int check_dest(const char *d, struct hull_err *err)
{
	static const char *const ok[] = {"oci:", "oci-archive:", "docker-archive:", "docker://"};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!strncmp(d, ok[i], strlen(ok[i])) && d[strlen(ok[i])])
			return 0;
	return hull_err_set(err, HULL_EUSAGE,
			    "%s: the destination must be oci:DIR[:TAG], oci-archive:FILE[:TAG], "
			    "docker-archive:FILE[:TAG] or docker://REF",
			    d);
}

int hull_build_run(const struct hull_build_opts *o, char **digest, struct hull_err *err)
{
	*digest = NULL;
	struct build b = {.o = o, .err = err};
	int rc = check_dest(o->dest, err);
	if (!rc)
		rc = load_spec(&b);
	if (!rc)
		rc = pick_epoch(&b);
	const char *td = o->tmpdir ? o->tmpdir : getenv("TMPDIR");
	if (!rc) {
		b.tmp = xasprintf("%s/hull-build-XXXXXX", td && *td ? td : "/tmp");
		if (!mkdtemp(b.tmp)) {
			rc = hull_err_set(err, HULL_EIO, "%s: %s", b.tmp, strerror(errno));
			free(b.tmp);
			b.tmp = NULL;
		}
	}
	if (!rc)
		rc = build_all(&b, digest);
	reset_platform(&b);
	free(b.spdx);
	free(b.cdx);
	if (b.tmp)
		hull_rm_rf(b.tmp);
	free(b.tmp);
	free(b.spec_dir);
	hull_bspec_free(b.spec);
	return rc;
}
