/* RubyGems versions as Gem::Version reads and orders them: DIGITS(.ALNUM)*(-PRE(.PRE)*)?,
 * where '-' means ".pre."; segments are runs of digits (compared by value) or letters
 * (compared as bytes, and below any number); trailing zeros of the release part and of the
 * pre-release part do not count, and a missing segment is 0. */
#include "vercmp.h"

#include <string.h>

static size_t run(const char *s, bool hyphen)
{
	size_t n = 0;
	while (hull_isalnum(s[n]) || (hyphen && s[n] == '-'))
		n++;
	return n;
}

/* Gem::Version::ANCHORED_VERSION_PATTERN, except that the empty string (Ruby's "0") and
 * surrounding whitespace are refused. */
static int validate(const char *v, struct hull_err *err)
{
	const char *p = v;
	while (hull_isdigit(*p))
		p++;
	if (p == v)
		return hull_vercmp_invalid(err, "gem", v, "does not start with a number");
	while (*p == '.' && run(p + 1, false))
		p += 1 + run(p + 1, false);
	if (*p == '-' && run(p + 1, true)) {
		p += 1 + run(p + 1, true);
		while (*p == '.' && run(p + 1, true))
			p += 1 + run(p + 1, true);
	}
	if (*p)
		return hull_vercmp_invalid(err, "gem", v, "not N(.ALNUM)*(-PRE(.PRE)*)?");
	return 0;
}

struct seg {
	const char *s;
	size_t n;
	bool num;
};

/* The segments of v after Ruby's gsub("-", ".pre."): each '-' yields a "pre" segment. */
static size_t segments(const char *v, struct seg *out)
{
	size_t k = 0;
	for (const char *p = v; *p;) {
		if (*p == '-') {
			out[k++] = (struct seg){"pre", 3, false};
			p++;
			continue;
		}
		bool num = hull_isdigit(*p);
		size_t n = 0;
		while (p[n] && (num ? hull_isdigit(p[n]) : hull_isalpha(p[n])))
			n++;
		if (n)
			out[k++] = (struct seg){p, n, num};
		p += n ? n : 1;
	}
	return k;
}

static bool is_zero(const struct seg *s)
{
	return s->num && hull_vercmp_digits(s->s, s->n, "0", 1) == 0;
}

/* Gem::Version#canonical_segments: drop the trailing zeros of the numeric prefix and of the
 * rest (which starts at the first letters). */
static size_t canonical(struct seg *s, size_t n)
{
	size_t first_str = 0;
	while (first_str < n && s[first_str].num)
		first_str++;
	size_t head = first_str, k = 0;
	while (head > 0 && is_zero(&s[head - 1]))
		head--;
	size_t tail = n;
	while (tail > first_str && is_zero(&s[tail - 1]))
		tail--;
	memmove(&s[head], &s[first_str], (tail - first_str) * sizeof(*s));
	k = head + (tail - first_str);
	return k;
}

static int seg_cmp(const struct seg *a, const struct seg *b)
{
	static const struct seg zero = {"0", 1, true};
	a = a ? a : &zero;
	b = b ? b : &zero;
	if (a->num != b->num)
		return a->num ? 1 : -1;
	if (a->num)
		return hull_vercmp_digits(a->s, a->n, b->s, b->n);
	return hull_vercmp_bytes(a->s, a->n, b->s, b->n);
}

int hull_vercmp_gem(const char *a, const char *b, int *result, struct hull_err *err)
{
	int rc = validate(a, err);
	if (!rc)
		rc = validate(b, err);
	if (rc)
		return rc;
	/* At most one segment per byte. */
	struct seg *sa = xcalloc(strlen(a) + 1, sizeof(*sa));
	struct seg *sb = xcalloc(strlen(b) + 1, sizeof(*sb));
	size_t na = canonical(sa, segments(a, sa)), nb = canonical(sb, segments(b, sb));
	int r = 0;
	for (size_t i = 0; !r && (i < na || i < nb); i++)
		r = seg_cmp(i < na ? &sa[i] : NULL, i < nb ? &sb[i] : NULL);
	free(sa);
	free(sb);
	*result = r;
	return 0;
}
