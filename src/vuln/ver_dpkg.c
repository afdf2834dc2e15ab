/* Debian and Ubuntu versions, [EPOCH:]UPSTREAM[-REVISION], ordered as dpkg orders them
 * (lib/dpkg/version.c): '~' sorts before everything, even the end, letters before other
 * symbols, digit runs numerically. Validity follows dpkg's parseversion, warnings included. */
#include "vercmp.h"

#include <string.h>

struct deb_version {
	const char *epoch, *up, *rev;
	size_t elen, uplen, revlen;
};

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!hull_isdigit(s[i]))
			return false;
	return true;
}

static bool chars_ok(const char *s, size_t n, const char *extra)
{
	for (size_t i = 0; i < n; i++)
		if (!hull_isalnum(s[i]) && !strchr(extra, s[i]))
			return false;
	return true;
}

/* The epoch is read with strtol, as dpkg reads it, so a sign is allowed ("+1:", "-0:"). */
static int parse_epoch(const char *v, const char *colon, struct deb_version *d,
		       struct hull_err *err)
{
	bool minus = *v == '-';
	d->epoch = v + (*v == '+' || minus);
	d->elen = (size_t)(colon - d->epoch);
	if (colon == v)
		return hull_vercmp_invalid(err, "deb", v, "the epoch is empty");
	if (!d->elen || !all_digits(d->epoch, d->elen))
		return hull_vercmp_invalid(err, "deb", v, "the epoch is not a number");
	if (minus && hull_vercmp_digits(d->epoch, d->elen, "0", 1))
		return hull_vercmp_invalid(err, "deb", v, "the epoch is negative");
	if (hull_vercmp_digits(d->epoch, d->elen, "2147483647", 10) > 0)
		return hull_vercmp_invalid(err, "deb", v, "the epoch is too big");
	if (!colon[1])
		return hull_vercmp_invalid(err, "deb", v, "nothing after the epoch");
	return 0;
}

static int parse(const char *v, struct deb_version *d, struct hull_err *err)
{
	const char *colon = strchr(v, ':'), *rest = v;
	*d = (struct deb_version){.epoch = "0", .elen = 1, .rev = ""};
	if (colon) {
		int rc = parse_epoch(v, colon, d, err);
		if (rc)
			return rc;
		rest = colon + 1;
	}
	const char *hyphen = strrchr(rest, '-');
	d->up = rest;
	d->uplen = hyphen ? (size_t)(hyphen - rest) : strlen(rest);
	if (hyphen) {
		d->rev = hyphen + 1;
		d->revlen = strlen(d->rev);
		if (!d->revlen)
			return hull_vercmp_invalid(err, "deb", v, "the revision is empty");
	}
	if (!d->uplen)
		return hull_vercmp_invalid(err, "deb", v, "the upstream version is empty");
	if (!hull_isdigit(*d->up))
		return hull_vercmp_invalid(err, "deb", v,
					   "the upstream version does not start with a digit");
	if (!chars_ok(d->up, d->uplen, ".-+~:"))
		return hull_vercmp_invalid(err, "deb", v,
					   "invalid character in the upstream version");
	if (!chars_ok(d->rev, d->revlen, ".+~"))
		return hull_vercmp_invalid(err, "deb", v, "invalid character in the revision");
	return 0;
}

/* dpkg's weight of a non-digit character: '~' lowest, then the end of the string (and
 * digits, which end the run), then letters, then everything else. */
static int order(const char *s, size_t i, size_t n)
{
	if (i >= n || hull_isdigit(s[i]))
		return 0;
	if (hull_isalpha(s[i]))
		return (unsigned char)s[i];
	if (s[i] == '~')
		return -1;
	return (unsigned char)s[i] + 256;
}

/* Compares the runs of non-digits at a[*i] and b[*j], advancing past them. */
static int cmp_nondigits(const char *a, size_t *i, size_t an, const char *b, size_t *j, size_t bn)
{
	while ((*i < an && !hull_isdigit(a[*i])) || (*j < bn && !hull_isdigit(b[*j]))) {
		int ac = order(a, *i, an), bc = order(b, *j, bn);
		if (ac != bc)
			return ac < bc ? -1 : 1;
		(*i)++, (*j)++;
	}
	return 0;
}

static size_t digit_run(const char *s, size_t i, size_t n)
{
	size_t k = i;
	while (k < n && hull_isdigit(s[k]))
		k++;
	return k - i;
}

static int verrevcmp(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;
	while (i < an || j < bn) {
		int r = cmp_nondigits(a, &i, an, b, &j, bn);
		if (r)
			return r;
		size_t da = digit_run(a, i, an), db = digit_run(b, j, bn);
		r = hull_vercmp_digits(a + i, da, b + j, db);
		if (r)
			return r;
		i += da, j += db;
	}
	return 0;
}

int hull_vercmp_dpkg(const char *a, const char *b, int *result, struct hull_err *err)
{
	struct deb_version da, db;
	int rc = parse(a, &da, err);
	if (!rc)
		rc = parse(b, &db, err);
	if (rc)
		return rc;
	int r = hull_vercmp_digits(da.epoch, da.elen, db.epoch, db.elen);
	if (!r)
		r = verrevcmp(da.up, da.uplen, db.up, db.uplen);
	if (!r)
		r = verrevcmp(da.rev, da.revlen, db.rev, db.revlen);
	*result = r;
	return 0;
}
