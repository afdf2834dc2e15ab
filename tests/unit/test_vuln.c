/* Unit tests for src/vuln: the version comparators on hand-picked tricky cases per
 * ecosystem (the bulk checks against the real tools are in tests/cli/test_vercmp.py). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vuln/vercmp.h"

#include <stdio.h>
#include <string.h>

struct vcase {
	const char *a, *op, *b;
};

static int cmp(const char *eco, const char *a, const char *b)
{
	struct hull_err err = {0};
	int r = 7;
	int rc = hull_vercmp(eco, a, b, &r, &err);
	if (rc) {
		fail_msg("%s: %s vs %s: %s", eco, a, b, err.msg ? err.msg : "?");
		hull_err_clear(&err);
	}
	return r;
}

/* Checks a op b, b's opposite op a, and that each side equals itself. */
static void check_cases(const char *eco, const struct vcase *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct vcase *c = &cases[i];
		int want = c->op[0] == '<' ? -1 : c->op[0] == '>' ? 1 : 0;
		int got = cmp(eco, c->a, c->b), back = cmp(eco, c->b, c->a);
		if (got != want || back != -want)
			fail_msg("%s: %s %s %s, but got %d (reverse %d)", eco, c->a, c->op, c->b,
				 got, back);
		assert_int_equal(cmp(eco, c->a, c->a), 0);
	}
}

static void check_invalid(const char *eco, const char *const *bad)
{
	for (; *bad; bad++) {
		struct hull_err err = {0};
		int r;
		int rc = hull_vercmp(eco, *bad, "1", &r, &err);
		if (rc != HULL_EINPUT)
			fail_msg("%s: \"%s\" accepted (result %d)", eco, *bad, r);
		assert_non_null(err.msg);
		assert_non_null(strstr(err.msg, "invalid"));
		hull_err_clear(&err);
		rc = hull_vercmp(eco, "1", *bad, &r, &err);
		assert_int_equal(rc, HULL_EINPUT);
		hull_err_clear(&err);
	}
}

#define CHECK(eco, cases) check_cases(eco, cases, ARRAY_SIZE(cases))

static void test_lookup(void **state)
{
	static const struct {
		const char *name, *want;
	} names[] = {
		{"Debian", "deb"},
		{"debian:12", "deb"},
		{"Ubuntu:22.04:LTS", "deb"},
		{"deb", "deb"},
		{"Alpine:v3.20", "apk"},
		{"Red Hat:enterprise_linux:9::appstream", "rpm"},
		{"AlmaLinux:8", "rpm"},
		{"Rocky Linux:9", "rpm"},
		{"npm", "semver"},
		{"crates.io", "semver"},
		{"CARGO", "semver"},
		{"Go", "go"},
		{"PyPI", "pypi"},
		{"Maven", "maven"},
		{"RubyGems", "gem"},
		{"Packagist", "composer"},
		{"NuGet", "nuget"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const struct hull_vercmp *c = hull_vercmp_find(names[i].name);
		assert_non_null(c);
		assert_string_equal(c->name, names[i].want);
	}
	assert_null(hull_vercmp_find("Hackage"));
	assert_null(hull_vercmp_find(""));
	assert_null(hull_vercmp_find(":deb"));
	assert_null(hull_vercmp_find("debx"));
	assert_null(hull_vercmp_find(NULL));
	struct hull_err err = {0};
	int r;
	assert_int_equal(hull_vercmp("nope", "1", "2", &r, &err), HULL_ENOTFOUND);
	hull_err_clear(&err);
}

static void test_common_rules(void **state)
{
	static const char *const bad[] = {"", " 1.0", "1.0 ", "1.\t0", "1.0\n", "1.\x7f", NULL};
	for (size_t i = 0; i < hull_nvercmps; i++)
		check_invalid(hull_vercmps[i].name, bad);
	char long_version[HULL_VERCMP_MAX_LEN + 2];
	memset(long_version, '1', sizeof(long_version) - 1);
	long_version[sizeof(long_version) - 1] = '\0';
	struct hull_err err = {0};
	int r;
	assert_int_equal(hull_vercmp("semver", long_version, "1.0.0", &r, &err), HULL_EINPUT);
	hull_err_clear(&err);
	/* The message quotes the version safely. */
	assert_int_equal(hull_vercmp("deb", "a\x01\"", "1", &r, &err), HULL_EINPUT);
	assert_string_equal(err.msg, "invalid deb version \"a\\x01\\x22\": contains whitespace or "
				     "a control character");
	hull_err_clear(&err);
}

static void test_dpkg(void **state)
{
	static const struct vcase cases[] = {
		{"1.0~rc1", "<", "1.0"},
		{"1.0", "<", "1.0+b1"},
		{"1.0a", "<", "1.0+"},
		{"1.0-1~bpo11+1", "<", "1.0-1"},
		{"1:0.9", ">", "2.0"},
		{"10:1", ">", "9:2"},
		{"1.0", "=", "1.0-0"},
		{"0:1.0", "=", "1.0"},
		{"01:1.0", "=", "1:1.0"},
		{"1.01", "=", "1.1"},
		{"1.2.3~~", "<", "1.2.3~~a"},
		{"1.2.3~~a", "<", "1.2.3~"},
		{"1.2.3~", "<", "1.2.3"},
		{"2.36-9+deb12u3", ">", "2.36-9"},
		{"2.36-9+deb12u3", "<", "2.36-9+deb12u10"},
		{"2.7.4+reloaded2-13ubuntu1", "<", "2.7.4+reloaded2-13+deb9u1"},
		{"1.0-a-b", ">", "1.0-a"},
		{"1:2:3-1", ">", "1:2.3-1"},
		{"1.99999999999999999999", "<", "1.100000000000000000000"},
		{"0.9.8c-4etch3", "<", "0.9.8c-4etch3+m68k1"},
	};
	static const char *const bad[] = {
		"a1",	   "1.0-", ":1",	   "1:",	   "x:1",     "1_0",
		"1.0-a_b", "-1",   "4294967296:1", "2147483648:1", "1.0-1:2", NULL};
	CHECK("deb", cases);
	check_invalid("deb", bad);
	assert_int_equal(cmp("deb", "2147483647:1", "1"), 1);
}

static void test_rpm(void **state)
{
	static const struct vcase cases[] = {
		{"1.0~rc1-1", "<", "1.0-1"},
		{"1.0^git1-1", ">", "1.0-1"},
		{"1.0^git1", "<", "1.0.1"},
		{"1.0^", ">", "1.0"},
		{"1.0~rc1^git1", ">", "1.0~rc1"},
		{"1.0^git1~pre", "<", "1.0^git1"},
		{"1:1.0-1", ">", "2.0-1"},
		{"0:1.0-1", "=", "1.0-1"},
		{"1.0-1.el8", "<", "1.0-1.el9"},
		{"1.0-1", ">", "1.0"},
		{"1.0-", ">", "1.0"},
		{"1.0a", ">", "1.0"},
		{"2.0.1a", ">", "2.0.1"},
		{"5.5p10", ">", "5.5p2"},
		{"1.0.a", "<", "1.0.1"},
		{"xyz.4", "<", "8"},
		{"1.0-1", "=", "1.0-01"},
		{"1..0", "=", "1.0"},
		{"1_0", "=", "1.0"},
		{"6.0.rc1", ">", "6.0"},
		{"0:3.10.0-229.el7", "<", "0:3.10.0-229.1.2.ael7b"},
		{"1.1.\xce\xb1", "=", "1.1.\xce\xb2"},
		{"10.0001", "=", "10.1"},
	};
	static const char *const bad[] = {"1:", "-1", "1:-1", NULL};
	CHECK("rpm", cases);
	check_invalid("rpm", bad);
}

static void test_apk(void **state)
{
	static const struct vcase cases[] = {
		{"1.0_alpha1", "<", "1.0_beta"},
		{"1.0_beta", "<", "1.0_pre1"},
		{"1.0_pre1", "<", "1.0_rc1"},
		{"1.0_rc1", "<", "1.0"},
		{"1.0", "<", "1.0_cvs"},
		{"1.0_cvs", "<", "1.0_svn"},
		{"1.0_svn", "<", "1.0_git"},
		{"1.0_git", "<", "1.0_hg"},
		{"1.0_hg", "<", "1.0_p1"},
		{"1.0-r1", ">", "1.0"},
		{"1.0-r10", ">", "1.0-r9"},
		{"1.0-r01", "=", "1.0-r1"},
		{"1.2.07.8", "<", "1.2.12.04"},
		{"1.0", "<", "1.00"},
		{"1.0a", ">", "1.0"},
		{"1.0a", "<", "1.0b"},
		{"1.0a", ">", "1.0_p1"},
		{"0.1.0_alpha_pre2", "<", "0.1.0_alpha"},
		{"3.0.20060720", "<", "20060720"},
		{"006", ">", "1.0.0"},
		{"1.0~abc", ">", "1.0"},
		{"1.0~abc-r1", "<", "1.0~abd"},
		{"2.9.11_pre20051101-r2", "<", "2.9.11_pre20051101-r3"},
		{"1.0_p10-r0", ">", "1.0_p9-r0"},
		/* The letter-then-digits form of older Alpine packages (openssh 6.6.2p1). */
		{"6.6.2p1", ">", "6.6.2_p1"},
		{"6.6.2p1", "<", "6.6.2p2"},
		{"6.6.2p1-r0", ">", "6.6.2-r9"},
	};
	static const char *const bad[] = {"1.0-r",   "1.0_foo",	  "1.0bc",  "a",    ".1",
					  "1..2",    "1.0-r1-r2", "1.0A",   "1.0_", "1.0~",
					  "1.0~xyz", "1.0-1",	  "1.0a.1", NULL};
	CHECK("apk", cases);
	check_invalid("apk", bad);
}

static void test_semver(void **state)
{
	static const struct vcase cases[] = {
		{"1.0.0-alpha", "<", "1.0.0-alpha.1"},
		{"1.0.0-alpha.1", "<", "1.0.0-alpha.beta"},
		{"1.0.0-alpha.beta", "<", "1.0.0-beta"},
		{"1.0.0-beta", "<", "1.0.0-beta.2"},
		{"1.0.0-beta.2", "<", "1.0.0-beta.11"},
		{"1.0.0-beta.11", "<", "1.0.0-rc.1"},
		{"1.0.0-rc.1", "<", "1.0.0"},
		{"1.0.0+build", "=", "1.0.0"},
		{"1.0.0-rc.1+a", "=", "1.0.0-rc.1+b"},
		{"v1.2.3", "=", "1.2.3"},
		{"1.2.3-r100", "<", "1.2.3-r2"},
		{"1.2.3-R2", "<", "1.2.3-r100"},
		{"1.2.3-0", "<", "1.2.3-a"},
		{"1.2.3-a-b", ">", "1.2.3-a"},
		{"99999999999999999999.0.0", ">", "9999999999999999999.0.0"},
	};
	static const char *const bad[] = {"1.2",	 "01.2.3",     "1.2.3-01", "1.2.3-",
					  "1.2.3+",	 "1.2.3-a..b", "V1.2.3",   "1.2.3.4",
					  "1.2.3-a+b+c", "=1.2.3",     "1.2.3-ü",  NULL};
	CHECK("npm", cases);
	check_invalid("semver", bad);
}

static void test_go(void **state)
{
	static const struct vcase cases[] = {
		{"v1.2", "=", "v1.2.0"},
		{"v1", "=", "1.0.0"},
		{"v0.0.0-20191109021931-daa7c04131f5", "<", "v0.0.1"},
		{"v1.2.4-0.20191109021931-daa7c04131f5", ">", "v1.2.3"},
		{"v1.2.4-0.20191109021931-daa7c04131f5", "<", "v1.2.4"},
		{"v1.2.4-pre.0.20191109021931-daa7c04131f5", ">", "v1.2.4-pre"},
		{"v2.0.0+incompatible", "=", "v2.0.0"},
		{"1.21.0", ">", "1.9.7"},
	};
	static const char *const bad[] = {"v1.2-pre",  "v1.2+meta", "v01.2.3",
					  "v1.2.3-01", "x1",	    NULL};
	CHECK("go", cases);
	check_invalid("go", bad);
}

static void test_nuget(void **state)
{
	static const struct vcase cases[] = {
		{"1.0", "=", "1.0.0.0"},
		{"1.0.01", "=", "1.0.1"},
		{"1.0.0-BETA", "=", "1.0.0-beta"},
		{"1.0.0.1", ">", "1.0"},
		{"1.0.0-beta.2", "<", "1.0.0-beta.10"},
		{"1.0.0-2", "<", "1.0.0-alpha"},
		{"1.0.0+meta", "=", "1.0.0"},
		{"1.0.0-beta2", ">", "1.0.0-BETA"},
		{"1.0.0.1-1.2.A", "<", "1.0.0.1-1.2.a.A+A"},
		{"1.0.0-9999999999", ">", "1.0.0-99999"},
	};
	static const char *const bad[] = {"1.0.0.0.0", "2147483648.0", "v1.0", "1.0-",
					  "1..0",      "1.0.0+",       NULL};
	CHECK("nuget", cases);
	check_invalid("nuget", bad);
}

static void test_pypi(void **state)
{
	static const struct vcase cases[] = {
		{"1.0.dev0", "<", "1.0a0"},
		{"1.0a0", "<", "1.0a1"},
		{"1.0a1", "<", "1.0b0"},
		{"1.0b0", "<", "1.0rc1"},
		{"1.0rc1", "<", "1.0"},
		{"1.0", "<", "1.0+local"},
		{"1.0+local", "<", "1.0.post0.dev0"},
		{"1.0.post0.dev0", "<", "1.0.post0"},
		{"1.0", "=", "1.0.0"},
		{"1.0", "=", "v1.0"},
		{"0!1.0", "=", "1.0"},
		{"1.0-1", "=", "1.0.post1"},
		{"1.0alpha1", "=", "1.0a1"},
		{"1.0c1", "=", "1.0rc1"},
		{"1.0-preview_2", "=", "1.0rc2"},
		{"1.0-r1", "=", "1.0.post1"},
		{"1.0a", "=", "1.0a0"},
		{"1.0.POST1", "=", "1.0.post1"},
		{"1.0+abc.5", "<", "1.0+abc.10"},
		{"1.0+5", ">", "1.0+abc"},
		{"1.0+abc", "<", "1.0+abc.0"},
		{"1.0+ABC", "=", "1.0+abc"},
		{"1.0+1-a", "=", "1.0+1.a"},
		{"1!0.1", ">", "2.0"},
		{"1.0.dev1", "<", "1.0a0.dev0"},
		{"1.0a1.dev1", "<", "1.0a1"},
		{"1.0.post1.dev1", "<", "1.0.post1"},
		{"1.0a.", "=", "1.0a0"},
		{"2.0.0.0.0.1", ">", "2"},
		{"1.0.99999999999999999999999", ">", "1.0.9999999999999999999999"},
	};
	static const char *const bad[] = {"abc",  "1.0+", "1.0+a..b", "1.0a1a", "1!", "1.0_",
					  "1.0.", "1.0-", "1.0-1-1",  "1.0+a_", NULL};
	CHECK("pypi", cases);
	check_invalid("pypi", bad);
}

static void test_maven(void **state)
{
	static const struct vcase cases[] = {
		{"1.0-alpha-1", "<", "1.0-beta-1"},
		{"1.0-beta-1", "<", "1.0-milestone-1"},
		{"1.0-milestone-1", "<", "1.0-rc-1"},
		{"1.0-rc-1", "<", "1.0-SNAPSHOT"},
		{"1.0-SNAPSHOT", "<", "1.0"},
		{"1.0", "<", "1.0-sp"},
		{"1.0-sp", "<", "1.0-foo"},
		{"1.0-sp", "<", "1.0-1"},
		{"1.0-1", "<", "1.0.1"},
		{"1", "=", "1.0.0"},
		{"1", "=", "1-0"},
		{"1", "=", "1.ga"},
		{"1", "=", "1-final"},
		{"1", "=", "1-RELEASE"},
		{"1a1", "=", "1-alpha-1"},
		{"1cr", "=", "1rc"},
		{"1.0RC1", "=", "1.0-rc-1"},
		{"2.0.1-xyz", "<", "2.0.1-123"},
		{"1.12345678901234567890", ">", "1.1234567890123456789"},
		{"1.0.0.0009", "=", "1.0.0.9"},
		{"1-a", ">", "1"},
		{"1.a", "=", "1-a"},
		{"1.a", "<", "1-1"},
		{"6.1.0rc3", "<", "6.1H.5-beta"},
		{"0.0.0-2021-05-17T01-01-51-5ec03a8b", "<", "20.0.0"},
	};
	static const char *const bad[] = {"1.0-\xc3\xa9", NULL};
	CHECK("maven", cases);
	check_invalid("maven", bad);
}

static void test_gem(void **state)
{
	static const struct vcase cases[] = {
		{"1.0.a", "<", "1.0"},	     {"1.0.a10", ">", "1.0.a9"},
		{"1.0.a.2", "=", "1.0.a2"},  {"1.0-1", "<", "1.0"},
		{"1.0-1", "=", "1.0.pre.1"}, {"3.10", ">", "3.2"},
		{"1.0", "=", "1"},	     {"1.0.0.1", ">", "1"},
		{"1.a.0", "=", "1.a"},	     {"1.0.A", "<", "1.0.a"},
		{"1.0.b1", ">", "1.0.a.2"},  {"1.2.4.gamma", "<", "1.2.4"},
		{"1.0.0.rc1", "<", "1.0.0"}, {"001.2", "=", "1.2"},
	};
	static const char *const bad[] = {"1beta", "1.0-", ".1",    "a",
					  "1..0",  "1.0.", "1.0+a", NULL};
	CHECK("gem", cases);
	check_invalid("gem", bad);
}

static void test_composer(void **state)
{
	static const struct vcase cases[] = {
		{"1.0", "=", "1.0.0"},
		{"1.0", "=", "v1.0.0.0"},
		{"1.0.0-beta2", "<", "1.0.0-RC1"},
		{"1.0.0-RC1", "<", "1.0.0"},
		{"1.0.0", "<", "1.0.0-p1"},
		{"1.0.0-dev", "<", "1.0.0-alpha"},
		{"dev-master", "<", "0.0.1"},
		{"master", "=", "dev-master"},
		{"dev-a", "<", "dev-b"},
		{"1.x-dev", ">", "1.5.0"},
		{"1.0.0+build5", "=", "1.0.0"},
		{"1.25.0-beta2.1", "=", "1.25.0-b.2.1"},
		{"20190126.230843", ">", "2019.1"},
		{"1.0.0-stable", "=", "1.0.0"},
		{"1.0pl1", ">", "1.0"},
		{"1.0.0@beta", "=", "1.0.0"},
		{"1.0.0-alpha", "=", "1.0.0a"},
		{"2.0.0-rc.2", ">", "2.0.0-rc.1"},
	};
	static const char *const bad[] = {"1.2.3.4.5", "foo",	"1.0-foo", "1.0.x",
					  "dev",       "x-dev", NULL};
	CHECK("composer", cases);
	check_invalid("composer", bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup), cmocka_unit_test(test_common_rules),
		cmocka_unit_test(test_dpkg),   cmocka_unit_test(test_rpm),
		cmocka_unit_test(test_apk),    cmocka_unit_test(test_semver),
		cmocka_unit_test(test_go),     cmocka_unit_test(test_nuget),
		cmocka_unit_test(test_pypi),   cmocka_unit_test(test_maven),
		cmocka_unit_test(test_gem),    cmocka_unit_test(test_composer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
