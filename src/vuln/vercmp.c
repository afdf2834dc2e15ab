/* The comparator table, lookup by ecosystem name, the checks every scheme shares, and small
 * helpers for the comparator files. */
#include "vercmp.h"
#include "../util/strbuf.h"

#include <string.h>
#include <strings.h>

/* One entry per versioning scheme. Names are the OSV ecosystem names (lower case) that use
 * the scheme and the short names people type. */
const struct hull_vercmp hull_vercmps[] = {
	{"deb", "Debian/Ubuntu (dpkg)", (const char *const[]){"debian", "ubuntu", "dpkg", NULL},
	 hull_vercmp_dpkg},
	{"rpm", "RPM (rpmvercmp, [EPOCH:]VERSION-RELEASE)",
	 (const char *const[]){"red hat", "redhat", "almalinux", "rocky linux", "rocky", "opensuse",
			       "suse", "mageia", "openeuler", "azure linux", "photon os", NULL},
	 hull_vercmp_rpm},
	{"apk", "Alpine (apk-tools)", (const char *const[]){"alpine", "wolfi", "chainguard", NULL},
	 hull_vercmp_apk},
	{"semver", "SemVer 2.0 (npm, crates.io)",
	 (const char *const[]){"npm", "crates.io", "cargo", NULL}, hull_vercmp_semver},
	{"go", "Go modules (golang.org/x/mod/semver)", (const char *const[]){"golang", NULL},
	 hull_vercmp_go},
	{"nuget", "NuGet (NuGet.Versioning)", (const char *const[]){NULL}, hull_vercmp_nuget},
	{"pypi", "PEP 440 (Python packaging)", (const char *const[]){"pep440", "python", NULL},
	 hull_vercmp_pep440},
	{"maven", "Maven (ComparableVersion)", (const char *const[]){NULL}, hull_vercmp_maven},
	{"gem", "RubyGems (Gem::Version)", (const char *const[]){"rubygems", NULL},
	 hull_vercmp_gem},
	{"composer", "Packagist (Composer normalisation, PHP version_compare)",
	 (const char *const[]){"packagist", NULL}, hull_vercmp_composer},
};

const size_t hull_nvercmps = ARRAY_SIZE(hull_vercmps);

static bool name_is(const char *name, const char *eco, size_t len)
{
	return strlen(name) == len && !strncasecmp(name, eco, len);
}

const struct hull_vercmp *hull_vercmp_find(const char *ecosystem)
{
	if (!ecosystem)
		return NULL;
	/* OSV qualifies distro ecosystems with a release: "Debian:12", "Ubuntu:22.04:LTS". */
	size_t len = strcspn(ecosystem, ":");
	for (size_t i = 0; i < hull_nvercmps; i++) {
		const struct hull_vercmp *c = &hull_vercmps[i];
		if (name_is(c->name, ecosystem, len))
			return c;
		for (const char *const *a = c->aliases; *a; a++)
			if (name_is(*a, ecosystem, len))
				return c;
	}
	return NULL;
}

/* Rules shared by every scheme: no real version is empty, huge, or holds whitespace or
 * control characters (several tools would silently trim them). */
static int check_common(const struct hull_vercmp *c, const char *v, struct hull_err *err)
{
	size_t len = strlen(v);
	if (!len)
		return hull_vercmp_invalid(err, c->name, v, "empty");
	if (len > HULL_VERCMP_MAX_LEN)
		return hull_err_set(err, HULL_EINPUT, "invalid %s version: longer than %d bytes",
				    c->name, HULL_VERCMP_MAX_LEN);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return hull_vercmp_invalid(err, c->name, v,
						   "contains whitespace or a control character");
	return 0;
}

int hull_vercmp_with(const struct hull_vercmp *c, const char *a, const char *b, int *result,
		     struct hull_err *err)
{
	if (!c || !a || !b || !result)
		return hull_err_set(err, HULL_EUSAGE, "vercmp: missing argument");
	int rc = check_common(c, a, err);
	if (!rc)
		rc = check_common(c, b, err);
	if (!rc)
		rc = c->compare(a, b, result, err);
	return rc;
}

int hull_vercmp(const char *ecosystem, const char *a, const char *b, int *result,
		struct hull_err *err)
{
	const struct hull_vercmp *c = hull_vercmp_find(ecosystem);
	if (!c)
		return hull_err_set(err, HULL_ENOTFOUND, "unknown ecosystem \"%s\"",
				    ecosystem ? ecosystem : "");
	return hull_vercmp_with(c, a, b, result, err);
}

int hull_vercmp_check(const struct hull_vercmp *c, const char *v, struct hull_err *err)
{
	int result;
	return hull_vercmp_with(c, v, v, &result, err);
}

int hull_vercmp_digits(const char *a, size_t alen, const char *b, size_t blen)
{
	while (alen && *a == '0')
		a++, alen--;
	while (blen && *b == '0')
		b++, blen--;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return hull_sign(memcmp(a, b, alen));
}

int hull_vercmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);
	if (r)
		return hull_sign(r);
	return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

/* Quotes a version for a one-line message: printable ASCII as is, other bytes as \xNN, long
 * strings cut, so a hostile version cannot garble the terminal. */
static void add_quoted(struct strbuf *sb, const char *v)
{
	size_t n = 0;
	strbuf_addch(sb, '"');
	for (const unsigned char *p = (const unsigned char *)v; *p; p++, n++) {
		if (n == 100) {
			strbuf_adds(sb, "...");
			break;
		}
		if (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			strbuf_addch(sb, (char)*p);
		else
			strbuf_addf(sb, "\\x%02x", *p);
	}
	strbuf_addch(sb, '"');
}

int hull_vercmp_invalid(struct hull_err *err, const char *scheme, const char *v, const char *why)
{
	struct strbuf sb = STRBUF_INIT;
	add_quoted(&sb, v);
	hull_err_set(err, HULL_EINPUT, "invalid %s version %s: %s", scheme, sb.buf, why);
	strbuf_release(&sb);
	return HULL_EINPUT;
}
