/* Unit tests for src/vuln/cvss.c: scores of published example vectors (FIRST's v3.1 and
 * v4.0 specification examples and calculator outputs), qualitative ratings and rejected
 * vectors. The bulk comparison against an independent calculator is described in
 * docs/vulndb.md. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vuln/cvss.h"

#include <math.h>
#include <string.h>

struct vcase {
	const char *vector;
	double score;
};

static void check_cases(const struct vcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct hull_err err = {0};
		double s = -1;
		if (hull_cvss_score(c[i].vector, &s, NULL, &err))
			fail_msg("%s: %s", c[i].vector, err.msg ? err.msg : "?");
		if (fabs(s - c[i].score) > 1e-9)
			fail_msg("%s: got %.1f, want %.1f", c[i].vector, s, c[i].score);
	}
}

static void test_v3(void **state)
{
	static const struct vcase cases[] = {
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
		{"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9},
		{"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0},
		{"CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4},
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4},
		{"CVSS:3.0/AV:N/AC:H/PR:H/UI:R/S:C/C:N/I:L/A:L", 4.0},
		{"CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:C/C:N/I:L/A:H", 5.8},
		{"CVSS:3.1/AV:A/AC:H/PR:H/UI:N/S:U/C:N/I:H/A:L", 4.8},
		/* Order does not matter; temporal/environmental metrics do not change the base. */
		{"CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H", 9.8},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C/CR:H/MAV:L", 9.8},
	};
	(void)state;
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_v4(void **state)
{
	static const struct vcase cases[] = {
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 6.9},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A", 8.7},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 8.5},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", 5.3},
		{"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N", 1.0},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0},
		{"CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:H/VI:L/VA:N/SC:H/SI:L/SA:N/E:P/CR:M/IR:L/"
		 "AR:H/MSI:S",
		 3.8},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", 8.1},
		/* Supplemental metrics never change the score. */
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:P/AU:Y/R:U/V:C/"
		 "RE:H/U:Amber",
		 9.3},
	};
	(void)state;
	check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",		     /* no prefix */
		"CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",		     /* not scored */
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",	     /* A missing */
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H",  /* twice */
		"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",	     /* bad value */
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",     /* trailing '/' */
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1", /* unknown metric */
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/AH",	     /* no ':' */
		"CVSS:3.1/",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:S", /* S only MSI */
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:Purple",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/S:C", /* v3's S */
		NULL,
	};
	(void)state;
	for (size_t i = 0; bad[i]; i++) {
		struct hull_err err = {0};
		double s;
		int rc = hull_cvss_score(bad[i], &s, NULL, &err);
		if (rc != HULL_EINPUT || !err.msg)
			fail_msg("accepted \"%s\"", bad[i]);
		hull_err_clear(&err);
	}
	char long_vec[HULL_CVSS_MAX_LEN + 64];
	memset(long_vec, 'A', sizeof(long_vec) - 1);
	long_vec[sizeof(long_vec) - 1] = '\0';
	memcpy(long_vec, "CVSS:3.1/", 9);
	double s;
	struct hull_err err = {0};
	assert_int_equal(hull_cvss_score(long_vec, &s, NULL, &err), HULL_EINPUT);
	hull_err_clear(&err);
}

static void test_version_and_rating(void **state)
{
	(void)state;
	enum hull_cvss_version v;
	double s;
	assert_int_equal(
		hull_cvss_score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &s, &v, NULL), 0);
	assert_int_equal(v, HULL_CVSS_V30);
	assert_int_equal(hull_cvss_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/"
					 "SI:N/SA:N",
					 &s, &v, NULL),
			 0);
	assert_int_equal(v, HULL_CVSS_V40);
	assert_string_equal(hull_cvss_severity(10.0), "CRITICAL");
	assert_string_equal(hull_cvss_severity(9.0), "CRITICAL");
	assert_string_equal(hull_cvss_severity(8.9), "HIGH");
	assert_string_equal(hull_cvss_severity(7.0), "HIGH");
	assert_string_equal(hull_cvss_severity(6.9), "MEDIUM");
	assert_string_equal(hull_cvss_severity(4.0), "MEDIUM");
	assert_string_equal(hull_cvss_severity(3.9), "LOW");
	assert_string_equal(hull_cvss_severity(0.1), "LOW");
	assert_string_equal(hull_cvss_severity(0.0), "UNKNOWN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v3),
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_version_and_rating),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
