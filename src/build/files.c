/* hull build's file layers: the spec's files (globs, directory trees) checked for escapes,
 * devices and secret-looking names, with modes normalised so the host's umask does not
 * leak in; and the system layer (passwd, group, home, /tmp, certificates, zoneinfo). */
#include "../util/strbuf.h"
#include "build_int.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_TREE_ENTRIES 1000000

/* Names refused unless allowed: [id, pattern, what]. */
static const struct {
	const char *id, *pat, *what;
} refused[] = {
	{"HULL-IMG-009", ".git", "a version-control directory"},
	{"HULL-IMG-009", ".svn", "a version-control directory"},
	{"HULL-IMG-009", ".hg", "a version-control directory"},
	{"HULL-BUILD-001", ".env", "a dotenv file (secrets)"},
	{"HULL-BUILD-001", ".env.*", "a dotenv file (secrets)"},
	{"HULL-IMG-012", "id_rsa", "a private key"},
	{"HULL-IMG-012", "id_dsa", "a private key"},
	{"HULL-IMG-012", "id_ecdsa", "a private key"},
	{"HULL-IMG-012", "id_ed25519", "a private key"},
	{"HULL-IMG-012", ".netrc", "a credential file"},
	{"HULL-IMG-012", ".pgpass", "a credential file"},
	{"HULL-IMG-012", ".git-credentials", "a credential file"},
	{"HULL-IMG-012", ".npmrc", "a credential file"},
	{"HULL-IMG-012", ".pypirc", "a credential file"},
};

static int check_name(struct build *b, const char *host, const char *base)
{
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		if (fnmatch(refused[i].pat, base, 0) || hull_build_allowed(b, refused[i].id))
			continue;
		return hull_err_set(b->err, HULL_EINPUT,
				    "%s: refused: %s (%s); pass --allow %s to add it anyway", host,
				    refused[i].what, refused[i].id, refused[i].id);
	}
	return 0;
}

/* Is the resolved host path inside the spec directory? */
static int check_inside(struct build *b, const char *host, const char *what)
{
	char real[PATH_MAX];
	if (!realpath(host, real))
		return hull_err_set(b->err, HULL_EINPUT, "%s: %s", host, strerror(errno));
	size_t n = strlen(b->spec_dir);
	bool in = !strncmp(real, b->spec_dir, n) &&
		  (real[n] == '/' || !real[n] || !strcmp(b->spec_dir, "/"));
	if (!in)
		return hull_err_set(b->err, HULL_EINPUT,
				    "%s: %s the spec's directory %s (resolves to %s)", host, what,
				    b->spec_dir, real);
	return 0;
}

static unsigned file_mode(const struct hull_bspec_file *f, mode_t st)
{
	if (f->mode >= 0)
		return (unsigned)f->mode;
	return (st & S_IXUSR) ? 0755 : 0644;
}

struct tree {
	struct build *b;
	const struct hull_bspec_file *f;
	struct hull_layerw *w;
	bool lenient; /* skip unusable symlinks (a host tree) instead of failing */
	size_t count;
};

static int add_path(struct tree *t, const char *host, const char *dst, bool top);

/* A symlink inside a copied tree: kept, if relative and resolving inside the root. */
static int add_link(struct tree *t, const char *host, const char *dst)
{
	char target[PATH_MAX];
	ssize_t n = readlink(host, target, sizeof(target) - 1);
	if (n < 0)
		return hull_err_set(t->b->err, HULL_EIO, "%s: %s", host, strerror(errno));
	target[n] = '\0';
	if (t->lenient && (target[0] == '/' || strstr(target, "..")))
		return 0;
	if (target[0] == '/')
		return hull_err_set(t->b->err, HULL_EINPUT,
				    "%s: symlink to the absolute host path %s (use a relative "
				    "target)",
				    host, target);
	/* lexically: the link's directory plus target must stay below the spec dir */
	_cleanup_free_ char *dir = xstrdup(host);
	*strrchr(dir, '/') = '\0';
	_cleanup_free_ char *joined = xasprintf("%s/%s", dir, target);
	int rc = 0;
	struct stat sb;
	if (stat(joined, &sb) == 0)
		rc = check_inside(t->b, joined, "symlink escapes");
	else if (strstr(target, ".."))
		rc = hull_err_set(t->b->err, HULL_EINPUT,
				  "%s: dangling symlink to %s may escape the spec's directory",
				  host, target);
	return rc ? rc
		  : hull_layerw_add_symlink(t->w, dst, target, t->f->uid, t->f->gid, t->b->err);
}

static int add_dir_tree(struct tree *t, const char *host, const char *dst)
{
	DIR *d = opendir(host);
	if (!d)
		return hull_err_set(t->b->err, HULL_EINPUT, "%s: %s", host, strerror(errno));
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ALLOC_GROW(names, n + 1, cap);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), hull_strcmp_p); /* errors come in a stable order */
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (!rc) {
			_cleanup_free_ char *h = xasprintf("%s/%s", host, names[i]);
			_cleanup_free_ char *dd = xasprintf("%s/%s", dst, names[i]);
			rc = add_path(t, h, dd, false);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

static int add_path(struct tree *t, const char *host, const char *dst, bool top)
{
	struct build *b = t->b;
	const char *base = strrchr(host, '/') ? strrchr(host, '/') + 1 : host;
	int rc = check_name(b, host, base);
	if (rc)
		return rc;
	if (++t->count > MAX_TREE_ENTRIES)
		return hull_err_set(b->err, HULL_ELIMIT, "%s: more than %d files", host,
				    MAX_TREE_ENTRIES);
	struct stat sb;
	if (lstat(host, &sb))
		return hull_err_set(b->err, HULL_EINPUT, "%s: %s", host, strerror(errno));
	if (S_ISLNK(sb.st_mode) && !top)
		return add_link(t, host, dst);
	if (S_ISLNK(sb.st_mode) && (rc = check_inside(b, host, "symlink escapes")))
		return rc;
	if (S_ISLNK(sb.st_mode) && stat(host, &sb))
		return hull_err_set(b->err, HULL_EINPUT, "%s: %s", host, strerror(errno));
	if (S_ISREG(sb.st_mode))
		return hull_layerw_add_host_file(t->w, dst, file_mode(t->f, sb.st_mode), t->f->uid,
						 t->f->gid, host, b->err);
	if (S_ISDIR(sb.st_mode)) {
		if (!(top && !strcmp(dst, "/")))
			rc = hull_layerw_add_dir(t->w, dst, (unsigned)t->f->dir_mode, t->f->uid,
						 t->f->gid, b->err);
		return rc ? rc : add_dir_tree(t, host, strcmp(dst, "/") ? dst : "");
	}
	return hull_err_set(b->err, HULL_EINPUT,
			    "%s: refused: a device, fifo or socket cannot be added", host);
}

static bool has_dotdot(const char *p)
{
	for (const char *s = p; s; s = strchr(s, '/') ? strchr(s, '/') + 1 : NULL)
		if (s[0] == '.' && s[1] == '.' && (s[2] == '/' || !s[2]))
			return true;
	return false;
}

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* The host paths a files entry names (sorted bytewise: glob's order follows the locale). */
static int expand_src(struct build *b, const struct hull_bspec_file *f, char ***out, size_t *n)
{
	_cleanup_free_ char *src = b->pl ? hull_bspec_subst(f->src, b->pl) : xstrdup(f->src);
	_cleanup_free_ char *shown =
		strcmp(src, f->src) ? xasprintf("%s (%s)", f->src, src) : xstrdup(f->src);
	_cleanup_free_ char *pat =
		src[0] == '/' ? xstrdup(src) : xasprintf("%s/%s", b->spec_dir, src);
	size_t len = strlen(pat);
	while (len > 1 && pat[len - 1] == '/')
		pat[--len] = '\0';
	if (!is_glob(src)) {
		struct stat sb;
		if (lstat(pat, &sb))
			return hull_err_set(b->err, HULL_EINPUT, "%s:%zu:%zu: files.src %s: %s",
					    b->spec->path, f->pos.line, f->pos.col, shown,
					    strerror(errno));
		*out = xcalloc(1, sizeof(char *));
		(*out)[0] = xstrdup(pat);
		*n = 1;
		return 0;
	}
	glob_t g;
	int r = glob(pat, GLOB_NOSORT | GLOB_ERR, NULL, &g);
	if (r == GLOB_NOMATCH || (r == 0 && !g.gl_pathc)) {
		if (!r)
			globfree(&g);
		return hull_err_set(b->err, HULL_EINPUT, "%s:%zu:%zu: files.src %s matches nothing",
				    b->spec->path, f->pos.line, f->pos.col, shown);
	}
	if (r)
		return hull_err_set(b->err, HULL_EINPUT, "%s:%zu:%zu: files.src %s: cannot read",
				    b->spec->path, f->pos.line, f->pos.col, shown);
	*out = xcalloc(g.gl_pathc, sizeof(char *));
	for (size_t i = 0; i < g.gl_pathc; i++)
		(*out)[i] = xstrdup(g.gl_pathv[i]);
	*n = g.gl_pathc;
	globfree(&g);
	qsort(*out, *n, sizeof(char *), hull_strcmp_p);
	return 0;
}

static int add_entry(struct build *b, const struct hull_bspec_file *f, struct hull_layerw *w)
{
	if (has_dotdot(f->dst))
		return hull_err_set(b->err, HULL_EINPUT, "%s:%zu:%zu: files.dst %s has '..'",
				    b->spec->path, f->pos.line, f->pos.col, f->dst);
	char **srcs = NULL;
	size_t n = 0;
	int rc = expand_src(b, f, &srcs, &n);
	if (rc)
		return rc;
	size_t dl = strlen(f->dst);
	bool into = f->dst[dl - 1] == '/' || n > 1;
	struct tree t = {.b = b, .f = f, .w = w};
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		bool link = lstat(srcs[i], &sb) == 0 && S_ISLNK(sb.st_mode);
		if (!rc && (rc = check_inside(b, srcs[i],
					      link ? "symlink escapes" : "files.src is outside")))
			hull_err_prefix(b->err, "%s:%zu:%zu", b->spec->path, f->pos.line,
					f->pos.col);
		if (!rc && stat(srcs[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			rc = add_path(&t, srcs[i], f->dst, true);
		} else if (!rc) {
			const char *bn = strrchr(srcs[i], '/') + 1;
			_cleanup_free_ char *d =
				into ? xasprintf("%s%s%s", f->dst, f->dst[dl - 1] == '/' ? "" : "/",
						 bn)
				     : xstrdup(f->dst);
			rc = add_path(&t, srcs[i], d, true);
		}
		free(srcs[i]);
	}
	free(srcs);
	return rc;
}

int hull_build_files_layer(struct build *b, const char *layer, struct hull_layerw *w)
{
	for (size_t i = 0; i < b->spec->nfiles; i++) {
		const struct hull_bspec_file *f = &b->spec->files[i];
		if (strcmp(f->layer, layer))
			continue;
		int rc = add_entry(b, f, w);
		if (rc)
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------- system layer */

/* Does an /etc/passwd or /etc/group text have an entry named name or with id? */
static bool has_entry(const char *text, const char *name, unsigned id)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		size_t nl = strcspn(l, ":\n");
		if (nl == strlen(name) && !strncmp(l, name, nl))
			return true;
		const char *f = l;
		for (int k = 0; k < 2 && f; k++) /* the third field: uid or gid */
			f = memchr(f, ':', strcspn(f, "\n")) ? strchr(f, ':') + 1 : NULL;
		if (f && strtoul(f, NULL, 10) == id && f[strspn(f, "0123456789")] == ':')
			return true;
	}
	return false;
}

/* The base's file plus root and the user, each added when missing. */
static char *account_file(struct build *b, const char *path, bool group)
{
	const struct hull_bspec *s = b->spec;
	size_t len = 0;
	const char *old = b->base ? hull_build_captured(b->base, path, &len) : NULL;
	struct strbuf sb = STRBUF_INIT;
	if (old) {
		strbuf_add(&sb, old, len);
		if (len && old[len - 1] != '\n')
			strbuf_addch(&sb, '\n');
	}
	if (!has_entry(sb.buf ? sb.buf : "", "root", 0))
		strbuf_adds(&sb, group ? "root:x:0:\n" : "root:x:0:0:root:/root:/sbin/nologin\n");
	unsigned id = group ? s->user.gid : s->user.uid;
	if (id && !has_entry(sb.buf, s->user.name, id)) {
		if (group)
			strbuf_addf(&sb, "%s:x:%u:\n", s->user.name, s->user.gid);
		else
			strbuf_addf(&sb, "%s:x:%u:%u:%s:%s:/sbin/nologin\n", s->user.name,
				    s->user.uid, s->user.gid, s->user.name, s->user.home);
	}
	return strbuf_detach(&sb, NULL);
}

/* A host tree (zoneinfo) with the same rules as a spec directory, but rooted at it. */
static int add_host_tree(struct build *b, struct hull_layerw *w, const char *host, const char *dst)
{
	struct hull_bspec_file f = {.src = host, .dst = dst, .mode = 0644, .dir_mode = 0755};
	char *saved = b->spec_dir;
	char real[PATH_MAX];
	if (!realpath(host, real))
		return hull_err_set(b->err, HULL_EINPUT, "%s: %s", host, strerror(errno));
	b->spec_dir = real;
	struct tree t = {.b = b, .f = &f, .w = w, .lenient = true};
	int rc = add_path(&t, real, dst, true);
	b->spec_dir = saved;
	return rc;
}

/* A path from the spec: relative ones are below the spec's directory. */
static char *host_path(const struct build *b, const char *p)
{
	return p[0] == '/' ? xstrdup(p) : xasprintf("%s/%s", b->spec_dir, p);
}

int hull_build_system_layer(struct build *b, struct hull_layerw *w)
{
	const struct hull_bspec *s = b->spec;
	struct hull_err *err = b->err;
	_cleanup_free_ char *passwd = account_file(b, "/etc/passwd", false);
	_cleanup_free_ char *group = account_file(b, "/etc/group", true);
	int rc = hull_layerw_add_dir(w, "/etc", 0755, 0, 0, err);
	if (!rc)
		rc = hull_layerw_add_file(w, "/etc/passwd", 0644, 0, 0, passwd, strlen(passwd),
					  err);
	if (!rc)
		rc = hull_layerw_add_file(w, "/etc/group", 0644, 0, 0, group, strlen(group), err);
	if (!rc && s->user.uid && strcmp(s->user.home, "/"))
		rc = hull_layerw_add_dir(w, s->user.home, 0700, s->user.uid, s->user.gid, err);
	if (!rc)
		rc = hull_layerw_add_dir(w, "/tmp", 01777, 0, 0, err);
	if (!rc && s->workdir && strcmp(s->workdir, "/"))
		rc = hull_layerw_add_dir(w, s->workdir, 0755, 0, 0, err);
	_cleanup_free_ char *ca = s->ca_certificates ? host_path(b, s->ca_certificates) : NULL;
	_cleanup_free_ char *tz = s->tzdata ? host_path(b, s->tzdata) : NULL;
	if (!rc && ca)
		rc = hull_layerw_add_host_file(w, HULL_BSPEC_CA_DEFAULT, 0644, 0, 0, ca, err);
	if (!rc && tz)
		rc = add_host_tree(b, w, tz, HULL_BSPEC_TZDATA_DEFAULT);
	return rc;
}
