/* go.mod in source trees: the modules of "require" directives, single-line
 * ("require path v1.2.3") and block form ("require ( … )"); "// indirect" ones too.
 * go.sum beside it, as Trivy reads it: before Go 1.17 a go.mod lists only direct needs,
 * so go.sum's modules complete it; from 1.17 on go.mod is complete and go.sum (which
 * also holds modules that were only looked at) is not inventory. A go.sum without a
 * go.mod is read alone. Lines "MOD VER/go.mod h1:…" (a go.mod consulted, not a module
 * built) never count. */
#include "lang.h"

#include <stdio.h>
#include <string.h>

static bool match(const char *path)
{
	const char *b = hull_pkg_basename(path);
	return !strcmp(b, "go.mod") || !strcmp(b, "go.sum");
}

/* The next token of [*p, end): a word or a Go quoted string, comments end the line. */
static bool token(const char **p, const char *end, const char **s, size_t *n)
{
	const char *q = *p;
	while (q < end && (*q == ' ' || *q == '\t' || *q == '\r'))
		q++;
	if (q >= end || (end - q >= 2 && q[0] == '/' && q[1] == '/'))
		return false;
	if (*q == '"' || *q == '`') {
		const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));
		if (!close)
			return false;
		*s = q + 1;
		*n = (size_t)(close - q - 1);
		*p = close + 1;
		return true;
	}
	*s = q;
	while (q < end && *q != ' ' && *q != '\t' && *q != '\r')
		q++;
	*n = (size_t)(q - *s);
	*p = q;
	return true;
}

static bool is_word(const char *s, size_t n, const char *w)
{
	return n == strlen(w) && !memcmp(s, w, n);
}

struct gomod {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	struct hull_pkg_seen seen;
	bool in_require, in_other_block;
};

static void require(struct gomod *g, const char *p, const char *end)
{
	const char *name, *vers;
	size_t nn, vn;
	if (!token(&p, end, &name, &nn) || !token(&p, end, &vers, &vn))
		return;
	_cleanup_free_ char *n = xstrndup(name, nn);
	_cleanup_free_ char *v = xstrndup(vers, vn);
	hull_pkg_add_once(g->inv, &g->seen, "golang", n, v, g->f, "go-mod");
}

static void line(struct gomod *g, const char *p, const char *end)
{
	const char *w;
	size_t wn;
	const char *start = p;
	if (!token(&p, end, &w, &wn))
		return;
	if (g->in_require || g->in_other_block) {
		if (is_word(w, wn, ")"))
			g->in_require = g->in_other_block = false;
		else if (g->in_require)
			require(g, start, end);
		return;
	}
	if (is_word(w, wn, "go")) {
		const char *v;
		size_t vn;
		/* The language version: decides whether go.sum completes this go.mod. */
		if (token(&p, end, &v, &vn) && vn < 32) {
			_cleanup_free_ char *dir = hull_pkg_dirname(g->f->path);
			_cleanup_free_ char *ver = xstrndup(v, vn);
			hull_gomod_record(g->inv, dir, ver);
		}
		return;
	}
	bool req = is_word(w, wn, "require");
	const char *rest = p, *t;
	size_t tn;
	bool open = token(&p, end, &t, &tn) && is_word(t, tn, "(");
	if (req && open)
		g->in_require = true;
	else if (req)
		require(g, rest, end);
	else if (open)
		g->in_other_block = true; /* replace ( … ), exclude ( … ): not inventory */
}

/* "MOD VER h1:HASH" lines. */
static void parse_sum(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct hull_pkg_seen seen = {0};
	const char *p = f->data, *end = f->data + f->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *name, *vers, *hash;
		size_t nn, vn, hn;
		const char *q = p;
		if (token(&q, eol, &name, &nn) && token(&q, eol, &vers, &vn) &&
		    token(&q, eol, &hash, &hn) && hn > 3 && !memcmp(hash, "h1:", 3) &&
		    !(vn > 7 && !memcmp(vers + vn - 7, "/go.mod", 7))) {
			_cleanup_free_ char *n = xstrndup(name, nn);
			_cleanup_free_ char *v = xstrndup(vers, vn);
			hull_pkg_add_once(inv, &seen, "golang", n, v, f, "go-sum");
		}
		p = eol + 1;
	}
	hull_pkg_seen_free(&seen);
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	if (!strcmp(hull_pkg_basename(f->path), "go.sum")) {
		parse_sum(inv, f);
		return;
	}
	/* A go.mod without a go directive is read as Go 1.16 (go.sum completes it). */
	_cleanup_free_ char *dir = hull_pkg_dirname(f->path);
	hull_gomod_record(inv, dir, "1.16");
	struct gomod g = {.inv = inv, .f = f};
	const char *p = f->data, *end = f->data + f->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		line(&g, p, eol);
		p = eol + 1;
	}
	hull_pkg_seen_free(&g.seen);
}

const struct hull_cataloger hull_cataloger_gomod = {"go-mod", match, parse};
