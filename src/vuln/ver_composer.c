/* Packagist (Composer) versions. Composer never compares raw strings: it normalises each
 * version with VersionParser::normalize (1.2 -> 1.2.0.0, v1.0RC1 -> 1.0.0.0-RC1, 1.x-dev ->
 * 1.9999999.9999999.9999999-dev, dev-main stays a branch) and compares the results with
 * PHP's version_compare. Both steps are rebuilt here; what normalize rejects is invalid.
 * Branches (dev-*) sort below every numbered version and, where Composer calls two
 * branches incomparable, by name. Numbers compare exactly (PHP saturates past 2^63). */
#include "vercmp.h"
#include "../util/strbuf.h"

#include <string.h>
#include <strings.h>

/* The parts of the stability modifier: [._-]?(WORD(DIGITS)?)?([.-]?dev)? */
struct modifier {
	const char *word, *nums; /* NULL when absent */
	size_t wordn, numsn;
	bool dev;
};

static bool istr(const char *p, const char *word)
{
	return !strncasecmp(p, word, strlen(word));
}

/* Matches the modifier and the end of the string at p. */
static bool match_modifier(const char *p, struct modifier *m)
{
	/* Longest spellings first: the regex backtracks to "b" only if "beta" fails. */
	static const char *const words[] = {"stable", "beta",  "b",  "RC", "alpha",
					    "a",      "patch", "pl", "p"};
	*m = (struct modifier){0};
	p += (*p == '.' || *p == '_' || *p == '-');
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (istr(p, words[i])) {
			m->word = p, m->wordn = strlen(words[i]);
			p += m->wordn;
			break;
		}
	}
	if (m->word) {
		/* ((?:[.-]?\d+)*+): possessive, no backtracking. */
		m->nums = p;
		for (;;) {
			const char *q = p + (*p == '.' || *p == '-');
			if (!hull_isdigit(*q))
				break;
			while (hull_isdigit(*q))
				q++;
			p = q;
		}
		m->numsn = (size_t)(p - m->nums);
	}
	const char *d = p + (*p == '.' || *p == '-');
	if (istr(d, "dev"))
		p = d + 3, m->dev = true;
	return !*p;
}

static const char *expand_stability(const char *w, size_t n)
{
	static const struct {
		const char *from, *to;
	} map[] = {{"a", "alpha"},   {"b", "beta"},	 {"p", "patch"},
		   {"pl", "patch"},  {"rc", "RC"},	 {"stable", "stable"},
		   {"beta", "beta"}, {"alpha", "alpha"}, {"patch", "patch"}};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strlen(map[i].from) == n && !strncasecmp(w, map[i].from, n))
			return map[i].to;
	return "";
}

/* Appends -STABILITY[N] and -dev as VersionParser::normalize does. */
static void add_modifier(struct strbuf *out, const struct modifier *m)
{
	if (m->word) {
		/* Only the exact lower-case word: "STABLE" is kept as a stability named stable. */
		if (m->wordn == 6 && !memcmp(m->word, "stable", 6))
			return;
		strbuf_addf(out, "-%s", expand_stability(m->word, m->wordn));
		const char *n = m->nums;
		size_t nn = m->numsn;
		while (nn && (*n == '.' || *n == '-'))
			n++, nn--;
		strbuf_add(out, n, nn);
	}
	if (m->dev)
		strbuf_adds(out, "-dev");
}

static size_t digit_run(const char *p)
{
	size_t n = 0;
	while (hull_isdigit(p[n]))
		n++;
	return n;
}

/* ^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?MODIFIER$ -> MAJOR.MINOR.PATCH.BUILD[-modifier] */
static bool classical(const char *v, struct strbuf *out)
{
	const char *p = v + (*v == 'v' || *v == 'V');
	size_t n = digit_run(p);
	if (!n || n > 5)
		return false;
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, p, n);
	p += n;
	for (int k = 0; k < 3; k++) {
		if (*p == '.' && hull_isdigit(p[1])) {
			n = 1 + digit_run(p + 1);
			strbuf_add(&sb, p, n);
			p += n;
		} else {
			strbuf_adds(&sb, ".0");
		}
	}
	struct modifier m;
	bool ok = match_modifier(p, &m);
	if (ok) {
		strbuf_add(out, sb.buf, sb.len);
		add_modifier(out, &m);
	}
	strbuf_release(&sb);
	return ok;
}

static bool date_sep(char c)
{
	return c == '.' || c == ':' || c == '-';
}

/* The optional tail of a date, (?:[.:-]?\d{1,3})?, then the modifier; greedy order. */
static bool date_tail(const char *p, const char **end, struct modifier *m)
{
	const char *starts[2] = {date_sep(*p) ? p + 1 : NULL, p};
	for (int s = 0; s < 2; s++) {
		if (!starts[s])
			continue;
		size_t avail = digit_run(starts[s]);
		for (size_t n = avail < 3 ? avail : 3; n >= 1; n--) {
			if (match_modifier(starts[s] + n, m)) {
				*end = starts[s] + n;
				return true;
			}
		}
	}
	if (match_modifier(p, m)) {
		*end = p;
		return true;
	}
	return false;
}

/* (?:[.:-]?\d{2}){1,6}: count groups matched so far; more groups are tried first. */
static bool date_groups(const char *p, int count, const char **end, struct modifier *m)
{
	if (count < 6) {
		const char *q = date_sep(*p) ? p + 1 : p;
		if (hull_isdigit(q[0]) && hull_isdigit(q[1]) &&
		    date_groups(q + 2, count + 1, end, m))
			return true;
	}
	return count >= 1 && date_tail(p, end, m);
}

/* ^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3})?)MODIFIER$ -> digits joined by dots. */
static bool date_version(const char *v, struct strbuf *out)
{
	const char *p = v + (*v == 'v' || *v == 'V'), *end;
	struct modifier m;
	if (digit_run(p) < 4 || !date_groups(p + 4, 0, &end, &m))
		return false;
	for (; p < end; p++)
		strbuf_addch(out, hull_isdigit(*p) ? *p : '.');
	add_modifier(out, &m);
	return true;
}

/* VersionParser::normalizeBranch for NAME-dev: only numeric branches such as 1.x or 2.1.*
 * are versions (x -> 9999999). */
static bool numeric_branch(const char *v, size_t n, struct strbuf *out)
{
	const char *p = v + (n && (*v == 'v' || *v == 'V')), *end = v + n;
	size_t d = digit_run(p);
	if (!d || p + d > end)
		return false;
	strbuf_add(out, p, d);
	p += d;
	for (int k = 0; k < 3; k++) {
		if (p < end && *p == '.' && p + 1 < end &&
		    (p[1] == 'x' || p[1] == 'X' || p[1] == '*')) {
			strbuf_adds(out, ".9999999");
			p += 2;
		} else if (p < end && *p == '.' && p + 1 < end && hull_isdigit(p[1])) {
			d = digit_run(p + 1);
			d = p + 1 + d > end ? (size_t)(end - p - 1) : d;
			strbuf_add(out, p, 1 + d);
			p += 1 + d;
		} else {
			strbuf_adds(out, ".9999999");
		}
	}
	strbuf_adds(out, "-dev");
	return p == end;
}

/* (.*?)[.-]?dev$: a branch alias such as 1.x-dev or 2.0.*-dev. */
static bool dev_branch(const char *v, struct strbuf *out)
{
	size_t len = strlen(v);
	if (len < 3 || strcasecmp(v + len - 3, "dev"))
		return false;
	size_t n = len - 3;
	if (n && (v[n - 1] == '.' || v[n - 1] == '-'))
		n--;
	struct strbuf sb = STRBUF_INIT;
	bool ok = numeric_branch(v, n, &sb);
	if (ok)
		strbuf_add(out, sb.buf, sb.len);
	strbuf_release(&sb);
	return ok;
}

static size_t flag_suffix(const char *v)
{
	static const char *const flags[] = {"@stable", "@rc", "@beta", "@alpha", "@dev"};
	size_t len = strlen(v);
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		size_t n = strlen(flags[i]);
		if (len >= n && !strcasecmp(v + len - n, flags[i]))
			return n;
	}
	return 0;
}

/* VersionParser::normalize. Returns false when Composer would throw. */
static bool normalize(const char *orig, struct strbuf *out)
{
	char *v = xstrndup(orig, strlen(orig) - flag_suffix(orig));
	bool ok = true;
	if (!strcmp(v, "master") || !strcmp(v, "trunk") || !strcmp(v, "default")) {
		strbuf_addf(out, "dev-%s", v);
	} else if (!strncasecmp(v, "dev-", 4)) {
		strbuf_addf(out, "dev-%s", v + 4);
	} else {
		/* Build metadata goes: 1.0.0+build.5 is 1.0.0. */
		char *plus = strchr(v, '+');
		if (plus && plus > v && plus[1] && !memchr(v, ',', (size_t)(plus - v)))
			*plus = '\0';
		ok = classical(v, out) || date_version(v, out) || dev_branch(v, out);
	}
	free(v);
	return ok;
}

/* PHP's php_canonicalize_version: -, _ and + become '.', and a '.' goes between digits and
 * non-digits; other non-alphanumerics become '.' too. The first byte is kept as is. */
static char *canonicalize(const char *v)
{
	size_t len = strlen(v);
	char *buf = xmalloc(2 * len + 1), *q = buf;
	if (!len) {
		*buf = '\0';
		return buf;
	}
	char lp = *v;
	*q++ = *v;
	for (const char *p = v + 1; *p; lp = *p++) {
		bool dig = hull_isdigit(*p), ldig = hull_isdigit(lp);
		bool sep_before = q[-1] != '.';
		if (*p == '-' || *p == '_' || *p == '+') {
			if (sep_before)
				*q++ = '.';
		} else if ((lp != '.' && !ldig && dig) || (ldig && !dig && *p != '.')) {
			if (sep_before)
				*q++ = '.';
			*q++ = *p;
		} else if (!hull_isalnum(*p)) {
			if (sep_before)
				*q++ = '.';
		} else {
			*q++ = *p;
		}
	}
	*q = '\0';
	return buf;
}

/* PHP's special forms: dev < alpha = a < beta = b < RC = rc < # < pl = p; anything else
 * sorts below dev. Matched as prefixes, as PHP does. */
static int form_order(const char *s)
{
	static const struct {
		const char *name;
		int order;
	} forms[] = {{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2},
		     {"RC", 3},	 {"rc", 3},    {"#", 4}, {"pl", 5},   {"p", 5}};
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++)
		if (!strncmp(s, forms[i].name, strlen(forms[i].name)))
			return forms[i].order;
	return -1;
}

static int cmp_component(const char *p1, const char *p2)
{
	bool d1 = hull_isdigit(*p1), d2 = hull_isdigit(*p2);
	if (d1 && d2)
		return hull_vercmp_digits(p1, digit_run(p1), p2, digit_run(p2));
	if (!d1 && !d2)
		return hull_sign(form_order(p1) - form_order(p2));
	return d1 ? hull_sign(form_order("#N#") - form_order(p2))
		  : hull_sign(form_order(p1) - form_order("#N#"));
}

/* PHP's php_version_compare, component by component; when one side runs out, a number
 * left on the other side makes it newer and a word is weighed against "#". */
static int php_version_compare(const char *o1, const char *o2)
{
	if (!*o1 || !*o2)
		return *o1 ? 1 : (*o2 ? -1 : 0);
	char *v1 = o1[0] == '#' ? xstrdup(o1) : canonicalize(o1);
	char *v2 = o2[0] == '#' ? xstrdup(o2) : canonicalize(o2);
	char *p1 = v1, *p2 = v2, *n1 = v1, *n2 = v2;
	int r = 0;
	while (*p1 && *p2 && n1 && n2) {
		if ((n1 = strchr(p1, '.')))
			*n1 = '\0';
		if ((n2 = strchr(p2, '.')))
			*n2 = '\0';
		r = cmp_component(p1, p2);
		if (r)
			break;
		if (n1)
			p1 = n1 + 1;
		if (n2)
			p2 = n2 + 1;
	}
	if (!r && n1)
		r = hull_isdigit(*p1) ? 1 : php_version_compare(p1, "#N#");
	else if (!r && n2)
		r = hull_isdigit(*p2) ? -1 : php_version_compare("#N#", p2);
	free(v1);
	free(v2);
	return r;
}

static bool is_branch(const char *normalized)
{
	return !strncmp(normalized, "dev-", 4);
}

int hull_vercmp_composer(const char *a, const char *b, int *result, struct hull_err *err)
{
	struct strbuf na = STRBUF_INIT, nb = STRBUF_INIT;
	int rc = 0;
	if (!normalize(a, &na))
		rc = hull_vercmp_invalid(err, "composer", a, "not a version Composer accepts");
	else if (!normalize(b, &nb))
		rc = hull_vercmp_invalid(err, "composer", b, "not a version Composer accepts");
	else if (is_branch(na.buf) && is_branch(nb.buf))
		*result = hull_sign(strcmp(na.buf, nb.buf));
	else if (is_branch(na.buf) || is_branch(nb.buf))
		*result = is_branch(na.buf) ? -1 : 1;
	else
		*result = php_version_compare(na.buf, nb.buf);
	strbuf_release(&na);
	strbuf_release(&nb);
	return rc;
}
