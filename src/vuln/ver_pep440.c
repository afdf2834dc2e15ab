/* Python versions (PEP 440) as the `packaging` library reads and orders them:
 * [v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], with its normalisations (case, the
 * alpha/beta/c/pre/preview/rev/r spellings, the -_. separators, implicit numbers, "1.0-1"
 * as a post-release). Ordering follows packaging's _cmpkey: trailing zeros of the release do
 * not count, a dev release of a plain version sorts before its pre-releases, and local
 * segments compare numbers above strings. Legacy (non-PEP 440) versions are refused, as
 * packaging >= 22 refuses them. */
#include "vercmp.h"

#include <string.h>
#include <strings.h>

struct num {
	const char *s; /* digits; "0" when implicit */
	size_t n;
};

struct pep440 {
	struct num epoch;
	const char *release, *release_end; /* "1.2.3" */
	int pre;			   /* -1 none, else 0 a, 1 b, 2 rc */
	bool post, dev;
	struct num pre_n, post_n, dev_n;
	const char *local; /* after '+', NULL when absent */
};

struct label {
	const char *name;
	int value;
};

/* Longest spellings first, so "alpha" is not read as "a" followed by "lpha". */
static const struct label pre_labels[] = {
	{"preview", 2}, {"alpha", 0}, {"beta", 1}, {"pre", 2},
	{"rc", 2},	{"a", 0},     {"b", 1},	   {"c", 2},
};
static const struct label post_labels[] = {{"post", 0}, {"rev", 0}, {"r", 0}};
static const struct label dev_labels[] = {{"dev", 0}};

static bool is_sep(char c)
{
	return c == '-' || c == '_' || c == '.';
}

static struct num take_num(const char **p)
{
	struct num x = {*p, 0};
	while (hull_isdigit((*p)[x.n]))
		x.n++;
	*p += x.n;
	return x;
}

static int match_label(const char **p, const struct label *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(l[i].name);
		if (!strncasecmp(*p, l[i].name, len)) {
			*p += len;
			return l[i].value;
		}
	}
	return -1;
}

/* [-_.]LABEL[-_.][N]: the separator and number are optional; a missing number is 0. Greedy
 * like packaging's regular expression, which never needs to backtrack here. */
static bool segment(const char **pp, const struct label *l, size_t nl, int *value, struct num *n)
{
	const char *p = *pp + is_sep(**pp);
	int v = match_label(&p, l, nl);
	if (v < 0)
		return false;
	/* A trailing separator is taken even without a number, as the regex takes it:
	 * "1.0a." is 1.0a0. */
	const char *q = p + is_sep(*p);
	*n = take_num(&q);
	if (!n->n)
		*n = (struct num){"0", 1};
	*pp = q;
	*value = v;
	return true;
}

/* -N (an implicit post-release) or [-_.]{post|rev|r}[-_.][N]. */
static void parse_post(const char **pp, struct pep440 *out)
{
	int v;
	if (**pp == '-' && hull_isdigit((*pp)[1])) {
		(*pp)++;
		out->post_n = take_num(pp);
		out->post = true;
		return;
	}
	out->post = segment(pp, post_labels, ARRAY_SIZE(post_labels), &v, &out->post_n);
}

/* +LOCAL: alphanumeric segments separated by [-_.]. */
static bool parse_local(const char *p)
{
	for (;;) {
		size_t n = 0;
		while (hull_isalnum(p[n]))
			n++;
		if (!n)
			return false;
		p += n;
		if (!*p)
			return true;
		if (!is_sep(*p))
			return false;
		p++;
	}
}

static void parse_release(const char **pp, struct pep440 *out)
{
	out->release = *pp;
	for (;;) {
		take_num(pp);
		if (**pp != '.' || !hull_isdigit((*pp)[1]))
			break;
		(*pp)++;
	}
	out->release_end = *pp;
}

static int parse(const char *v, struct pep440 *out, struct hull_err *err)
{
	const char *p = v + (*v == 'v' || *v == 'V');
	memset(out, 0, sizeof(*out));
	out->epoch = (struct num){"0", 1};
	out->pre = -1;
	struct num first = take_num(&p);
	if (!first.n)
		return hull_vercmp_invalid(err, "pypi", v, "does not start with a number");
	if (*p == '!') {
		out->epoch = first;
		p++;
		if (!hull_isdigit(*p))
			return hull_vercmp_invalid(err, "pypi", v, "no release after the epoch");
	} else {
		p = first.s;
	}
	parse_release(&p, out);
	if (!segment(&p, pre_labels, ARRAY_SIZE(pre_labels), &out->pre, &out->pre_n))
		out->pre = -1;
	parse_post(&p, out);
	int dummy;
	out->dev = segment(&p, dev_labels, 1, &dummy, &out->dev_n);
	if (*p == '+') {
		out->local = p + 1;
		if (!parse_local(out->local))
			return hull_vercmp_invalid(err, "pypi", v, "bad local version");
		p += strlen(p);
	}
	if (*p)
		return hull_vercmp_invalid(err, "pypi", v, "not a PEP 440 version");
	return 0;
}

/* Takes the next number of a dotted run; past its end, 0 (trailing zeros do not count). */
static struct num next_number(const char **p, const char *end)
{
	if (*p >= end)
		return (struct num){"0", 1};
	struct num x = take_num(p);
	*p += (*p < end);
	return x;
}

static int cmp_release(const struct pep440 *a, const struct pep440 *b)
{
	const char *pa = a->release, *pb = b->release;
	while (pa < a->release_end || pb < b->release_end) {
		struct num x = next_number(&pa, a->release_end);
		struct num y = next_number(&pb, b->release_end);
		int r = hull_vercmp_digits(x.s, x.n, y.s, y.n);
		if (r)
			return r;
	}
	return 0;
}

/* A pre, post or dev part as packaging's sort key sees it: rank -1 (-infinity), 1
 * (+infinity) or 0 with a label and a number. */
struct key {
	int rank, label;
	struct num n;
};

static int cmp_key(struct key a, struct key b)
{
	if (a.rank != b.rank)
		return hull_sign(a.rank - b.rank);
	if (a.rank)
		return 0;
	if (a.label != b.label)
		return hull_sign(a.label - b.label);
	return hull_vercmp_digits(a.n.s, a.n.n, b.n.s, b.n.n);
}

static struct key pre_key(const struct pep440 *v)
{
	if (v->pre < 0)
		/* 1.0.dev0 sorts before 1.0a0, but 1.0.post0.dev0 after 1.0. */
		return (struct key){.rank = !v->post && v->dev ? -1 : 1};
	return (struct key){0, v->pre, v->pre_n};
}

static size_t local_len(const char *s)
{
	size_t n = 0;
	while (hull_isalnum(s[n]))
		n++;
	return n;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!hull_isdigit(s[i]))
			return false;
	return true;
}

static int casecmp(const char *a, size_t an, const char *b, size_t bn)
{
	for (size_t i = 0; i < an && i < bn; i++) {
		int r = (unsigned char)hull_tolower(a[i]) - (unsigned char)hull_tolower(b[i]);
		if (r)
			return hull_sign(r);
	}
	return an == bn ? 0 : (an < bn ? -1 : 1);
}

/* Local segments: numbers by value and above strings, strings case-insensitively; a
 * shorter local that is a prefix of the other sorts first. No local sorts first of all. */
static int cmp_local(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : (b ? -1 : 0);
	while (*a && *b) {
		size_t la = local_len(a), lb = local_len(b);
		bool na = all_digits(a, la), nb = all_digits(b, lb);
		int r = na && nb   ? hull_vercmp_digits(a, la, b, lb)
			: na || nb ? (na ? 1 : -1)
				   : casecmp(a, la, b, lb);
		if (r)
			return r;
		a += la + (a[la] != 0);
		b += lb + (b[lb] != 0);
	}
	return *a ? 1 : (*b ? -1 : 0);
}

static int cmp_pep440(const struct pep440 *a, const struct pep440 *b)
{
	int r = hull_vercmp_digits(a->epoch.s, a->epoch.n, b->epoch.s, b->epoch.n);
	if (!r)
		r = cmp_release(a, b);
	if (!r)
		r = cmp_key(pre_key(a), pre_key(b));
	if (!r)
		r = cmp_key((struct key){a->post ? 0 : -1, 0, a->post_n},
			    (struct key){b->post ? 0 : -1, 0, b->post_n});
	if (!r)
		r = cmp_key((struct key){a->dev ? 0 : 1, 0, a->dev_n},
			    (struct key){b->dev ? 0 : 1, 0, b->dev_n});
	if (!r)
		r = cmp_local(a->local, b->local);
	return r;
}

int hull_vercmp_pep440(const char *a, const char *b, int *result, struct hull_err *err)
{
	struct pep440 x, y;
	int rc = parse(a, &x, err);
	if (!rc)
		rc = parse(b, &y, err);
	if (rc)
		return rc;
	*result = cmp_pep440(&x, &y);
	return 0;
}
