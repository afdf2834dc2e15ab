/* RPM versions written [EPOCH:]VERSION[-RELEASE], split as rpm's parseEVR splits them and
 * ordered as rpm.labelCompare orders them: epochs (missing = 0), then versions, then
 * releases with rpmvercmp (rpmio/rpmvercmp.c); a missing release sorts before any release. */
#include "vercmp.h"

#include <string.h>

struct slice {
	const char *s;
	size_t n;
};

struct evr {
	struct slice e, v, r;
	bool has_r;
};

static int parse(const char *s, struct evr *out, struct hull_err *err)
{
	size_t d = 0;
	while (hull_isdigit(s[d]))
		d++;
	*out = (struct evr){.e = {"0", 1}, .v = {s, 0}};
	const char *rest = s;
	if (s[d] == ':') {
		if (d)
			out->e = (struct slice){s, d};
		rest = s + d + 1;
	}
	/* Like parseEVR, the release is whatever follows the last '-'. */
	const char *hyphen = strrchr(rest, '-');
	out->v = (struct slice){rest, hyphen ? (size_t)(hyphen - rest) : strlen(rest)};
	if (hyphen) {
		out->r = (struct slice){hyphen + 1, strlen(hyphen + 1)};
		out->has_r = true;
	}
	if (!out->v.n)
		return hull_vercmp_invalid(err, "rpm", s, "the version is empty");
	return 0;
}

/* rpm's separators: anything but ASCII letters, digits, '~' and '^'. */
static size_t skip_sep(struct slice x, size_t i)
{
	while (i < x.n && !hull_isalnum(x.s[i]) && x.s[i] != '~' && x.s[i] != '^')
		i++;
	return i;
}

static size_t run_end(struct slice x, size_t i, bool digits)
{
	while (i < x.n && (digits ? hull_isdigit(x.s[i]) : hull_isalpha(x.s[i])))
		i++;
	return i;
}

/* Handles '~' (before everything, even the end) and '^' (after the end, before anything
 * else). Returns 2 to go on with the next segment, or the result. */
static int tilde_caret(struct slice a, size_t *i, struct slice b, size_t *j)
{
	char ca = *i < a.n ? a.s[*i] : 0, cb = *j < b.n ? b.s[*j] : 0;
	if (ca == '~' || cb == '~') {
		if (ca != '~')
			return 1;
		if (cb != '~')
			return -1;
	} else if (ca == '^' || cb == '^') {
		if (!ca)
			return -1;
		if (!cb)
			return 1;
		if (ca != '^')
			return 1;
		if (cb != '^')
			return -1;
	} else {
		return 3;
	}
	(*i)++, (*j)++;
	return 2;
}

/* Compares one alphabetic or numeric segment; a numeric one is newer than an alphabetic
 * one. Returns 2 when equal (go on). */
static int segment(struct slice a, size_t *i, struct slice b, size_t *j)
{
	bool num = hull_isdigit(a.s[*i]);
	size_t ea = run_end(a, *i, num), eb = run_end(b, *j, num);
	if (eb == *j)
		return num ? 1 : -1;
	int r = num ? hull_vercmp_digits(a.s + *i, ea - *i, b.s + *j, eb - *j)
		    : hull_vercmp_bytes(a.s + *i, ea - *i, b.s + *j, eb - *j);
	*i = ea, *j = eb;
	return r ? r : 2;
}

static int rpmvercmp(struct slice a, struct slice b)
{
	if (a.n == b.n && !memcmp(a.s, b.s, a.n))
		return 0;
	size_t i = 0, j = 0;
	while (i < a.n || j < b.n) {
		i = skip_sep(a, i);
		j = skip_sep(b, j);
		int r = tilde_caret(a, &i, b, &j);
		if (r == 2)
			continue;
		if (r != 3)
			return r;
		if (i >= a.n || j >= b.n)
			break;
		r = segment(a, &i, b, &j);
		if (r != 2)
			return r;
	}
	if (i >= a.n && j >= b.n)
		return 0;
	return i >= a.n ? -1 : 1;
}

int hull_vercmp_rpm(const char *a, const char *b, int *result, struct hull_err *err)
{
	struct evr ea, eb;
	int rc = parse(a, &ea, err);
	if (!rc)
		rc = parse(b, &eb, err);
	if (rc)
		return rc;
	int r = rpmvercmp(ea.e, eb.e);
	if (!r)
		r = rpmvercmp(ea.v, eb.v);
	if (!r && (ea.has_r || eb.has_r))
		r = ea.has_r && eb.has_r ? rpmvercmp(ea.r, eb.r) : (ea.has_r ? 1 : -1);
	*result = r;
	return 0;
}
