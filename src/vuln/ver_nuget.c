/* NuGet versions as NuGet.Versioning's NuGetVersion reads and orders them: one to four
 * numeric parts (missing ones are 0, leading zeros allowed, each at most 2^31-1), then
 * -RELEASE.LABELS and +METADATA. Labels compare case-insensitively; a label is numeric when
 * it is all digits and fits an int, and numeric labels sort before the others. Metadata is
 * ignored. */
#include "vercmp.h"

#include <string.h>

struct nuget {
	const char *part[4];
	size_t partn[4];
	const char *label; /* after '-', NULL when absent */
	size_t labeln;
};

static size_t run(const char *s, bool (*ok)(char))
{
	size_t n = 0;
	while (s[n] && ok(s[n]))
		n++;
	return n;
}

static bool is_digit(char c)
{
	return hull_isdigit(c);
}

static bool label_char(char c)
{
	return hull_isalnum(c) || c == '-';
}

static bool fits_int(const char *s, size_t n)
{
	return hull_vercmp_digits(s, n, "2147483647", 10) <= 0;
}

/* LABEL(.LABEL)*, each non-empty; returns the length consumed or 0. */
static size_t labels(const char *s)
{
	size_t i = 0;
	for (;;) {
		size_t n = run(s + i, label_char);
		if (!n)
			return 0;
		i += n;
		if (s[i] != '.')
			return i;
		i++;
	}
}

static int parse_parts(const char *v, const char **pp, struct nuget *out, struct hull_err *err)
{
	const char *p = *pp;
	for (int k = 0; k < 4; k++) {
		size_t n = run(p, is_digit);
		if (!n || !fits_int(p, n))
			return hull_vercmp_invalid(err, "nuget", v,
						   "not N[.N[.N[.N]]] with numbers below 2^31");
		out->part[k] = p, out->partn[k] = n;
		p += n;
		if (*p != '.')
			break;
		p++;
	}
	*pp = p;
	return 0;
}

static int parse(const char *v, struct nuget *out, struct hull_err *err)
{
	for (int k = 0; k < 4; k++)
		out->part[k] = "0", out->partn[k] = 1;
	out->label = NULL, out->labeln = 0;
	const char *p = v;
	int rc = parse_parts(v, &p, out, err);
	if (rc)
		return rc;
	if (*p == '-') {
		out->label = p + 1;
		out->labeln = labels(out->label);
		if (!out->labeln)
			return hull_vercmp_invalid(err, "nuget", v, "bad release label");
		p = out->label + out->labeln;
	}
	if (*p == '+') {
		size_t n = labels(p + 1);
		if (!n)
			return hull_vercmp_invalid(err, "nuget", v, "bad metadata");
		p += 1 + n;
	}
	if (*p)
		return hull_vercmp_invalid(err, "nuget", v, "unexpected characters");
	return 0;
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

static int label_cmp(const char *a, size_t la, const char *b, size_t lb)
{
	bool na = run(a, is_digit) >= la && fits_int(a, la);
	bool nb = run(b, is_digit) >= lb && fits_int(b, lb);
	if (na && nb)
		return hull_vercmp_digits(a, la, b, lb);
	if (na || nb)
		return na ? -1 : 1;
	return casecmp(a, la, b, lb);
}

static size_t label_len(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	return dot ? (size_t)(dot - s) : n;
}

static int cmp_labels(const char *a, size_t an, const char *b, size_t bn)
{
	for (;;) {
		if (!an || !bn)
			return an ? 1 : (bn ? -1 : 0);
		size_t la = label_len(a, an), lb = label_len(b, bn);
		int r = label_cmp(a, la, b, lb);
		if (r)
			return r;
		a += la + (la < an), an -= la + (la < an);
		b += lb + (lb < bn), bn -= lb + (lb < bn);
	}
}

int hull_vercmp_nuget(const char *a, const char *b, int *result, struct hull_err *err)
{
	struct nuget x, y;
	int rc = parse(a, &x, err);
	if (!rc)
		rc = parse(b, &y, err);
	if (rc)
		return rc;
	int r = 0;
	for (int k = 0; k < 4 && !r; k++)
		r = hull_vercmp_digits(x.part[k], x.partn[k], y.part[k], y.partn[k]);
	if (!r && (x.label || y.label))
		r = x.label && y.label ? cmp_labels(x.label, x.labeln, y.label, y.labeln)
				       : (x.label ? -1 : 1);
	*result = r;
	return 0;
}
