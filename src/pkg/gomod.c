/* go.mod in source trees: the modules of "require" directives, single-line
 * ("require path v1.2.3") and block form ("require ( … )"); "// indirect" ones too. */
#include "lang.h"

#include <string.h>

static bool match(const char *path)
{
	return !strcmp(hull_pkg_basename(path), "go.mod");
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

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
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
