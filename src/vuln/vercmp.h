/* Version comparison the way each package ecosystem does it: one comparator per versioning
 * scheme (dpkg, rpm, apk, SemVer, Go, NuGet, PEP 440, Maven, RubyGems, Composer), found by
 * OSV ecosystem name or short name. */
#ifndef HULL_VULN_VERCMP_H
#define HULL_VULN_VERCMP_H

#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>

/* Longer version strings are refused (HULL_EINPUT): no real version comes near it, and it
 * bounds the work a hostile advisory can cause. */
#define HULL_VERCMP_MAX_LEN 1024

/* Compares a and b (NUL-terminated, already checked to be non-empty, at most
 * HULL_VERCMP_MAX_LEN bytes, without whitespace or control characters). Sets *result to -1,
 * 0 or 1. An invalid version gives HULL_EINPUT and an err naming the version. */
typedef int (*hull_vercmp_fn)(const char *a, const char *b, int *result, struct hull_err *err);

/* One versioning scheme: an entry of the comparator table. */
struct hull_vercmp {
	const char *name;	    /* short name, the one printed: "deb" */
	const char *title;	    /* what it follows: "Debian/Ubuntu (dpkg)" */
	const char *const *aliases; /* other accepted names, lower case, NULL-terminated */
	hull_vercmp_fn compare;
};

/* The comparator table, in the order `hull vercmp --list` shows it. */
extern const struct hull_vercmp hull_vercmps[];
extern const size_t hull_nvercmps;

/* Finds the comparator for an OSV ecosystem name ("Debian", "Red Hat", "crates.io", …) or a
 * short name ("deb", "rpm", "cargo", …), case-insensitively. An OSV suffix after the first
 * ':' ("Debian:12", "Alpine:v3.20") is ignored. Returns NULL when unknown. */
const struct hull_vercmp *hull_vercmp_find(const char *ecosystem);

/* Compares two versions with comparator c: *result is -1 (a < b), 0 or 1 (a > b).
 * Returns 0, HULL_EINPUT for an invalid version, HULL_EUSAGE for NULL arguments. */
int hull_vercmp_with(const struct hull_vercmp *c, const char *a, const char *b, int *result,
		     struct hull_err *err) HULL_MUST_CHECK;

/* The same, looking the comparator up by ecosystem name (HULL_ENOTFOUND when unknown). */
int hull_vercmp(const char *ecosystem, const char *a, const char *b, int *result,
		struct hull_err *err) HULL_MUST_CHECK;

/* Checks that v is a valid version of the scheme: 0 or HULL_EINPUT. */
int hull_vercmp_check(const struct hull_vercmp *c, const char *v,
		      struct hull_err *err) HULL_MUST_CHECK;

/* ---- Helpers shared by the comparator files (ver_*.c) ---- */

/* The comparators, one per file. */
int hull_vercmp_dpkg(const char *a, const char *b, int *result, struct hull_err *err);
int hull_vercmp_rpm(const char *a, const char *b, int *result, struct hull_err *err);
int hull_vercmp_apk(const char *a, const char *b, int *result, struct hull_err *err);
int hull_vercmp_semver(const char *a, const char *b, int *result, struct hull_err *err);
int hull_vercmp_go(const char *a, const char *b, int *result, struct hull_err *err);
int hull_vercmp_nuget(const char *a, const char *b, int *result, struct hull_err *err);
int hull_vercmp_pep440(const char *a, const char *b, int *result, struct hull_err *err);
int hull_vercmp_maven(const char *a, const char *b, int *result, struct hull_err *err);
int hull_vercmp_gem(const char *a, const char *b, int *result, struct hull_err *err);
int hull_vercmp_composer(const char *a, const char *b, int *result, struct hull_err *err);

/* Compares two runs of ASCII digits as unbounded non-negative integers (leading zeros are
 * ignored), so no version component can overflow. Returns -1, 0 or 1. */
int hull_vercmp_digits(const char *a, size_t alen, const char *b, size_t blen);

/* Compares two byte strings as memcmp, a proper prefix sorting first. Returns -1, 0 or 1. */
int hull_vercmp_bytes(const char *a, size_t alen, const char *b, size_t blen);

/* Sets err to `invalid SCHEME version "V": WHY` and returns HULL_EINPUT. */
int hull_vercmp_invalid(struct hull_err *err, const char *scheme, const char *v, const char *why);

static inline int hull_sign(long long x)
{
	return (x > 0) - (x < 0);
}

static inline bool hull_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool hull_isalpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool hull_isalnum(char c)
{
	return hull_isdigit(c) || hull_isalpha(c);
}

static inline char hull_tolower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

#endif
