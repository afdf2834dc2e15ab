/* hull slim's paths inside the image: symlinks followed in every component without
 * ever leaving the image root (each one passed is kept), whole directories kept, and
 * --include paths and globs ("**" spans directories). */
#include "../util/path.h"
#include "../util/strbuf.h"
#include "slim_int.h"

#include <fnmatch.h>
#include <string.h>

#define MAX_HOPS       40 /* symlinks followed for one path, as Linux's ELOOP limit */
#define MAX_TREE_DEPTH 64 /* directories kept through symlinks inside kept directories */

/* A reason string in the arena (takes the heap string). */
const char *slim_why(struct slim *s, char *heap)
{
	const char *r = arena_strdup(&s->arena, heap);
	free(heap);
	return r;
}

/* ---------------------------------------------------------------- paths in the image */

char *slim_join(const char *dir, const char *name)
{
	if (name[0] == '/')
		return hull_path_clean(name, NULL);
	char *p = xasprintf("%s/%s", dir, name);
	char *c = hull_path_clean(p, NULL);
	free(p);
	return c;
}

/* Is path an implied directory (no entry of its own, but entries below it)? */
static bool implied_dir(const struct slim *s, const char *path)
{
	size_t len = strlen(path), lo = 0, hi = s->fs->nfiles;
	while (lo < hi) { /* first entry >= path + "/" */
		size_t mid = lo + (hi - lo) / 2;
		const char *p = s->fs->files[mid].path;
		int c = strncmp(p, path, len);
		if (!c)
			c = (unsigned char)p[len] - (unsigned char)'/';
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->fs->nfiles && !strncmp(s->fs->files[lo].path, path, len) &&
	       s->fs->files[lo].path[len] == '/';
}

int slim_resolve_path(struct slim *s, const char *path, bool follow_last, const char *why,
		      struct slim_res *out, struct hull_err *err)
{
	struct strbuf todo = STRBUF_INIT, cur = STRBUF_INIT;
	char *clean = hull_path_clean(path, NULL);
	strbuf_adds(&todo, clean);
	free(clean);
	const char *link = NULL;
	int hops = 0, rc = 0;
	size_t pos = 0;
	while (!rc && pos < todo.len) {
		while (todo.buf[pos] == '/')
			pos++;
		if (!todo.buf[pos])
			break;
		const char *seg = todo.buf + pos;
		size_t n = strcspn(seg, "/");
		bool last = !seg[n] || !seg[n + strspn(seg + n, "/")];
		pos += n;
		if (n == 1 && seg[0] == '.')
			continue;
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (!cur.len) {
				rc = hull_err_set(err, HULL_EINPUT,
						  "%s: the symlink %s escapes the image root", path,
						  link ? link : path);
				break;
			}
			cur.len = (size_t)(strrchr(cur.buf, '/') - cur.buf);
			cur.buf[cur.len] = '\0';
			continue;
		}
		size_t base = cur.len;
		strbuf_addch(&cur, '/');
		strbuf_add(&cur, seg, n);
		const struct hull_file *f = slim_lookup(s, cur.buf);
		if (!f || f->type != HULL_FT_SYMLINK || (last && !follow_last))
			continue;
		if (++hops > MAX_HOPS) {
			rc = hull_err_set(err, HULL_ELIMIT, "%s: too many levels of symbolic links",
					  path);
			break;
		}
		if (!f->link || !f->link[0]) {
			rc = hull_err_set(err, HULL_EINPUT, "%s: empty symlink", f->path);
			break;
		}
		if (why)
			slim_keep(s, cur.buf, why, false);
		link = f->path;
		struct strbuf next = STRBUF_INIT;
		strbuf_adds(&next, f->link);
		strbuf_addch(&next, '/');
		strbuf_adds(&next, todo.buf + pos);
		strbuf_release(&todo);
		todo = next;
		pos = 0;
		cur.len = f->link[0] == '/' ? 0 : base;
		cur.buf[cur.len] = '\0';
	}
	if (!rc) {
		out->real = cur.len ? strbuf_detach(&cur, NULL) : xstrdup("/");
		out->f = slim_lookup(s, out->real);
		if (!out->f && strcmp(out->real, "/") && !implied_dir(s, out->real)) {
			rc = hull_err_set(err, HULL_ENOTFOUND, "%s: not in the image", path);
			free(out->real);
			out->real = NULL;
		}
	}
	strbuf_release(&todo);
	strbuf_release(&cur);
	return rc;
}

/* Probes a path without keeping anything: the regular file it leads to, or NULL. */
const struct hull_file *slim_probe(struct slim *s, const char *path)
{
	struct slim_res r = {0};
	struct hull_err e = {0};
	if (slim_resolve_path(s, path, true, NULL, &r, &e)) {
		hull_err_clear(&e);
		return NULL;
	}
	free(r.real);
	return r.f && (r.f->type == HULL_FT_FILE || r.f->type == HULL_FT_HARDLINK) ? r.f : NULL;
}

/* Index of the first entry strictly below dir ("/" for all), for a contiguous walk. */
size_t slim_first_below(const struct slim *s, const char *dir)
{
	size_t lo = 0, hi = s->fs->nfiles;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(s->fs->files[mid].path, dir) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Keeps a symlink met inside a kept tree and what it points to (a dangling link is
 * kept as it is, as in the original; one escaping the image is an error). */
static int keep_tree_link(struct slim *s, const struct hull_file *f, const char *why,
			  struct hull_err *err)
{
	struct slim_res r = {0};
	int rc = slim_resolve_path(s, f->path, true, why, &r, err);
	if (rc == HULL_ENOTFOUND || rc == HULL_ELIMIT) {
		hull_err_clear(err);
		return 0;
	}
	if (rc)
		return rc;
	if (!strcmp(r.real, "/")) { /* a link to the root: the link alone */
		free(r.real);
		return 0;
	}
	if (++s->tree_depth > MAX_TREE_DEPTH)
		rc = hull_err_set(err, HULL_ELIMIT,
				  "%s: more than %d directories deep through symlinks", f->path,
				  MAX_TREE_DEPTH);
	if (!rc)
		rc = slim_keep_tree_at(s, r.real, why, err);
	s->tree_depth--;
	free(r.real);
	return rc;
}

/* Keeps path (resolved, real) and, for a directory, everything below it. */
int slim_keep_tree_at(struct slim *s, const char *path, const char *why, struct hull_err *err)
{
	if (!strcmp(path, "/"))
		return hull_err_set(err, HULL_EUSAGE, "refusing to keep the whole image (%s)", why);
	if (!slim_keep_tree(s, path, why))
		return 0; /* already kept with its subtree */
	const struct hull_file *f = slim_lookup(s, path);
	if (f && f->type != HULL_FT_DIR)
		return 0;
	size_t len = strlen(path);
	for (size_t i = slim_first_below(s, path); i < s->fs->nfiles; i++) {
		const struct hull_file *c = &s->fs->files[i];
		if (strncmp(c->path, path, len) || c->path[len] != '/')
			break;
		slim_keep(s, c->path, why, false);
		if (c->type == HULL_FT_SYMLINK) {
			int rc = keep_tree_link(s, c, why, err);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- includes */

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Matches path segments against pattern segments; "**" spans any number of them. */
static bool match_segs(char **ps, size_t np, char **xs, size_t nx)
{
	if (!np)
		return !nx;
	if (!strcmp(ps[0], "**")) {
		for (size_t k = 0; k <= nx; k++)
			if (match_segs(ps + 1, np - 1, xs + k, nx - k))
				return true;
		return false;
	}
	return nx && !fnmatch(ps[0], xs[0], FNM_PERIOD) &&
	       match_segs(ps + 1, np - 1, xs + 1, nx - 1);
}

static size_t split(char *s, char **v, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, "/", &save); t && n < max; t = strtok_r(NULL, "/", &save))
		v[n++] = t;
	return n;
}

#define MAX_SEGS 256

static bool glob_match(const char *pat, const char *path)
{
	_cleanup_free_ char *p = xstrdup(pat), *x = xstrdup(path);
	char *ps[MAX_SEGS], *xs[MAX_SEGS];
	size_t np = split(p, ps, MAX_SEGS), nx = split(x, xs, MAX_SEGS);
	return match_segs(ps, np, xs, nx);
}

static int include_glob(struct slim *s, const char *pat, const char *why, struct hull_err *err)
{
	/* The literal directory before the first wildcard may go through symlinks
	 * (/lib -> usr/lib): resolve it, then match below the real directory. */
	_cleanup_free_ char *clean = hull_path_clean(pat, NULL);
	char *cut = strpbrk(clean, "*?["); /* clean starts with '/', so cut > clean */
	while (cut[-1] != '/')
		cut--;
	cut[-1] = '\0';
	struct slim_res r = {0};
	int rc = slim_resolve_path(s, clean[0] ? clean : "/", true, why, &r, err);
	if (rc) {
		hull_err_prefix(err, "--include %s", pat);
		return rc;
	}
	_cleanup_free_ char *real = r.real;
	_cleanup_free_ char *full = xasprintf("%s/%s", strcmp(real, "/") ? real : "", cut);
	size_t matches = 0;
	for (size_t i = slim_first_below(s, real); !rc && i < s->fs->nfiles; i++) {
		const struct hull_file *f = &s->fs->files[i];
		if (strcmp(real, "/") && !hull_path_is_below(f->path, real))
			break;
		if (!glob_match(full, f->path))
			continue;
		matches++;
		if (f->type == HULL_FT_SYMLINK) {
			slim_keep(s, f->path, why, false);
			rc = keep_tree_link(s, f, why, err);
		} else {
			rc = slim_keep_tree_at(s, f->path, why, err);
		}
	}
	if (!rc && !matches)
		rc = hull_err_set(err, HULL_EINPUT, "--include %s: matches nothing in the image",
				  pat);
	return rc;
}

int slim_include(struct slim *s, const char *pat, struct hull_err *err)
{
	if (pat[0] != '/')
		return hull_err_set(err, HULL_EUSAGE, "--include %s: not an absolute path", pat);
	const char *why = slim_why(s, xasprintf("include %s", pat));
	if (is_glob(pat))
		return include_glob(s, pat, why, err);
	struct slim_res r = {0};
	int rc = slim_resolve_path(s, pat, true, why, &r, err);
	if (rc) {
		hull_err_prefix(err, "--include");
		return rc;
	}
	rc = slim_keep_tree_at(s, r.real, why, err);
	free(r.real);
	return rc;
}
