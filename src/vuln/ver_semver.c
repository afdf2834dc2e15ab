/* SemVer 2.0.0 (npm, crates.io) and Go module versions (golang.org/x/mod/semver).
 * MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], numbers without leading zeros, an optional 'v'
 * prefix; build metadata is checked but ignored. Go also accepts the shorthands vMAJOR and
 * vMAJOR.MINOR (meaning .0), as x/mod/semver does; pseudo-versions are ordinary
 * pre-releases and need no special case. */
#include "vercmp.h"

#include <string.h>

struct semver {
	const char *major, *minor, *patch, *pre; /* pre: after '-', NULL when absent */
	size_t majn, minn, patn, pren;
};

struct sv_rules {
	const char *scheme;
	bool shorthand; /* Go: v1 and v1.2 */
};

static size_t digits(const char *s)
{
	size_t n = 0;
	while (hull_isdigit(s[n]))
		n++;
	return n;
}

/* A numeric part: digits, no leading zero unless it is "0". */
static bool number(const char **p, const char **out, size_t *n)
{
	*out = *p;
	*n = digits(*p);
	if (!*n || (*n > 1 && **p == '0'))
		return false;
	*p += *n;
	return true;
}

static bool ident_char(char c)
{
	return hull_isalnum(c) || c == '-';
}

/* Dot-separated identifiers of [0-9A-Za-z-]; numeric pre-release ones may not have a
 * leading zero. Returns the length consumed, 0 if malformed. */
static size_t identifiers(const char *s, bool numeric_rule)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (ident_char(s[i]))
			i++;
		size_t n = i - start;
		if (!n)
			return 0;
		if (numeric_rule && n > 1 && s[start] == '0' && digits(s + start) == n)
			return 0;
		if (s[i] != '.')
			return i;
		i++;
	}
}

static int parse_tail(const char *v, const char *p, struct semver *out,
		      const struct sv_rules *rules, struct hull_err *err)
{
	if (*p == '-') {
		out->pre = p + 1;
		out->pren = identifiers(out->pre, true);
		if (!out->pren)
			return hull_vercmp_invalid(err, rules->scheme, v, "bad pre-release");
		p = out->pre + out->pren;
	}
	if (*p == '+') {
		size_t n = identifiers(p + 1, false);
		if (!n)
			return hull_vercmp_invalid(err, rules->scheme, v, "bad build metadata");
		p += 1 + n;
	}
	if (*p)
		return hull_vercmp_invalid(err, rules->scheme, v,
					   "not MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]");
	return 0;
}

static int parse(const char *v, struct semver *out, const struct sv_rules *rules,
		 struct hull_err *err)
{
	const char *p = v + (*v == 'v');
	*out = (struct semver){.minor = "0", .patch = "0", .minn = 1, .patn = 1};
	if (!number(&p, &out->major, &out->majn))
		return hull_vercmp_invalid(err, rules->scheme, v, "bad major version");
	if (rules->shorthand && !*p)
		return 0;
	if (*p++ != '.' || !number(&p, &out->minor, &out->minn))
		return hull_vercmp_invalid(err, rules->scheme, v, "bad minor version");
	if (rules->shorthand && !*p)
		return 0;
	if (*p++ != '.' || !number(&p, &out->patch, &out->patn))
		return hull_vercmp_invalid(err, rules->scheme, v, "bad patch version");
	return parse_tail(v, p, out, rules, err);
}

static size_t ident_len(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	return dot ? (size_t)(dot - s) : n;
}

/* Pre-release identifiers: numeric ones by value and before alphanumeric ones, those in
 * ASCII order; a shorter list that is a prefix of the other sorts first. */
static int cmp_prerelease(const char *a, size_t an, const char *b, size_t bn)
{
	for (;;) {
		if (!an || !bn)
			return an ? 1 : (bn ? -1 : 0);
		size_t la = ident_len(a, an), lb = ident_len(b, bn);
		bool na = digits(a) >= la, nb = digits(b) >= lb;
		int r = na && nb   ? hull_vercmp_digits(a, la, b, lb)
			: na || nb ? (na ? -1 : 1)
				   : hull_vercmp_bytes(a, la, b, lb);
		if (r)
			return r;
		a += la + (la < an), an -= la + (la < an);
		b += lb + (lb < bn), bn -= lb + (lb < bn);
	}
}

static int compare(const char *a, const char *b, int *result, struct hull_err *err,
		   const struct sv_rules *rules)
{
	struct semver x, y;
	int rc = parse(a, &x, rules, err);
	if (!rc)
		rc = parse(b, &y, rules, err);
	if (rc)
		return rc;
	int r = hull_vercmp_digits(x.major, x.majn, y.major, y.majn);
	if (!r)
		r = hull_vercmp_digits(x.minor, x.minn, y.minor, y.minn);
	if (!r)
		r = hull_vercmp_digits(x.patch, x.patn, y.patch, y.patn);
	/* A release sorts after its pre-releases. */
	if (!r && (x.pre || y.pre))
		r = x.pre && y.pre ? cmp_prerelease(x.pre, x.pren, y.pre, y.pren)
				   : (x.pre ? -1 : 1);
	*result = r;
	return 0;
}

int hull_vercmp_semver(const char *a, const char *b, int *result, struct hull_err *err)
{
	static const struct sv_rules rules = {"semver", false};
	return compare(a, b, result, err, &rules);
}

int hull_vercmp_go(const char *a, const char *b, int *result, struct hull_err *err)
{
	static const struct sv_rules rules = {"go", true};
	return compare(a, b, result, err, &rules);
}
