/* Unit tests for the registry client's pure parts: reference normalisation (as Docker
 * does it), loopback detection, WWW-Authenticate challenges, auth files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "source/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void expect_ref(const char *in, const char *want)
{
	struct hull_ref r;
	struct hull_err err = {0};
	assert_int_equal(hull_ref_parse(in, &r, &err), 0);
	char *s = hull_ref_string(&r);
	assert_string_equal(s, want);
	free(s);
	hull_ref_free(&r);
}

static void expect_bad(const char *in)
{
	struct hull_ref r;
	struct hull_err err = {0};
	assert_int_equal(hull_ref_parse(in, &r, &err), HULL_EUSAGE);
	assert_non_null(err.msg);
	hull_err_clear(&err);
}

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_ref_normalise(void **state)
{
	(void)state;
	expect_ref("alpine", "docker.io/library/alpine:latest");
	expect_ref("alpine:3.20", "docker.io/library/alpine:3.20");
	expect_ref("library/alpine", "docker.io/library/alpine:latest");
	expect_ref("user/app", "docker.io/user/app:latest");
	expect_ref("docker.io/alpine", "docker.io/library/alpine:latest");
	expect_ref("index.docker.io/alpine", "docker.io/library/alpine:latest");
	expect_ref("localhost/x", "localhost/x:latest");
	expect_ref("localhost:5000/x", "localhost:5000/x:latest");
	expect_ref("127.0.0.1:5000/a/b/c:v1.2-rc_3", "127.0.0.1:5000/a/b/c:v1.2-rc_3");
	expect_ref("ghcr.io/o/r@" D64, "ghcr.io/o/r@" D64);
	expect_ref("alpine:3@" D64, "docker.io/library/alpine:3@" D64);
	expect_ref("[::1]:5000/x", "[::1]:5000/x:latest");
	expect_ref("ab__c-d---e/f.g", "docker.io/ab__c-d---e/f.g:latest");
	expect_ref("localhost:5000", "docker.io/library/localhost:5000"); /* as Docker */
}

static void test_ref_bad(void **state)
{
	(void)state;
	expect_bad("");
	expect_bad("Alpine");
	expect_bad("host:5000/Upper");
	expect_bad("alpine:");
	expect_bad("alpine:-x");
	expect_bad("alpine@sha256:abc");
	expect_bad("alpine@md5:0123");
	expect_bad("a//b");
	expect_bad("a/b/");
	expect_bad("a..b");
	expect_bad("-a");
	expect_bad("host:notaport/x");
	expect_bad("/x");
	expect_bad("a_-b");
	char tag[200];
	memset(tag, 'a', sizeof(tag) - 1);
	tag[sizeof(tag) - 1] = '\0';
	char *long_tag = NULL;
	assert_true(asprintf(&long_tag, "x:%s", tag) > 0);
	expect_bad(long_tag);
	free(long_tag);
}

static void test_api_host_and_loopback(void **state)
{
	(void)state;
	struct hull_ref r;
	assert_int_equal(hull_ref_parse("alpine", &r, NULL), 0);
	assert_string_equal(hull_ref_api_host(&r), "registry-1.docker.io");
	hull_ref_free(&r);
	assert_true(hull_host_is_loopback("127.0.0.1:5000"));
	assert_true(hull_host_is_loopback("127.1.2.3"));
	assert_true(hull_host_is_loopback("localhost:80"));
	assert_true(hull_host_is_loopback("[::1]:5000"));
	assert_false(hull_host_is_loopback("127.0.0.1.example.com"));
	assert_false(hull_host_is_loopback("localhost.evil"));
	assert_false(hull_host_is_loopback("10.0.0.1:5000"));
	assert_false(hull_host_is_loopback("[::2]:5000"));
}

static void test_www_authenticate(void **state)
{
	(void)state;
	struct hull_auth_challenge *c;
	size_t n;
	assert_int_equal(hull_auth_parse("Bearer realm=\"https://auth.docker.io/token\","
					 "service=\"registry.docker.io\",scope=\"repository:"
					 "library/alpine:pull\"",
					 &c, &n),
			 0);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].scheme, "bearer");
	assert_string_equal(c[0].realm, "https://auth.docker.io/token");
	assert_string_equal(c[0].service, "registry.docker.io");
	assert_string_equal(c[0].scope, "repository:library/alpine:pull");
	hull_auth_free(c, n);

	assert_int_equal(
		hull_auth_parse("Basic realm=\"a \\\"q\\\" b\", BEARER Realm=x,scope=y", &c, &n),
		0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].scheme, "basic");
	assert_string_equal(c[0].realm, "a \"q\" b");
	assert_string_equal(c[1].scheme, "bearer");
	assert_string_equal(c[1].realm, "x");
	assert_string_equal(c[1].scope, "y");
	assert_null(c[1].service);
	hull_auth_free(c, n);

	assert_int_equal(hull_auth_parse("", &c, &n), 0);
	assert_int_equal(n, 0);
	hull_auth_free(c, n);
	assert_int_equal(hull_auth_parse("Bearer realm=\"unterminated", &c, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].realm, "unterminated");
	hull_auth_free(c, n);
	assert_int_equal(hull_auth_parse(",,= \"x\" Basic", &c, &n), 0);
	hull_auth_free(c, n);
}

static void test_creds(void **state)
{
	(void)state;
	char dir[] = "/tmp/hull-creds-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/auth.json", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	/* "user:pa:ss" */
	fputs("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"dXNlcjpwYTpzcw==\"},"
	      "\"r.example:5000\":{\"username\":\"u2\",\"password\":\"p2\"},"
	      "\"bad.example\":{\"auth\":\"!!!!\"}}}",
	      f);
	fclose(f);
	char *u, *p;
	struct hull_err err = {0};
	assert_int_equal(hull_creds_lookup("docker.io", NULL, path, &u, &p, &err), 0);
	assert_string_equal(u, "user");
	assert_string_equal(p, "pa:ss");
	free(u);
	free(p);
	assert_int_equal(hull_creds_lookup("r.example:5000", NULL, path, &u, &p, &err), 0);
	assert_string_equal(u, "u2");
	free(u);
	free(p);
	assert_int_equal(hull_creds_lookup("other", NULL, path, &u, &p, &err), 0);
	assert_null(u);
	assert_int_not_equal(hull_creds_lookup("bad.example", NULL, path, &u, &p, &err), 0);
	assert_null(strstr(err.msg, "!!!!"));
	hull_err_clear(&err);
	assert_int_equal(hull_creds_lookup("x", "a:b:c", NULL, &u, &p, &err), 0);
	assert_string_equal(p, "b:c");
	free(u);
	free(p);
	assert_int_not_equal(hull_creds_lookup("x", "nopass", NULL, &u, &p, &err), 0);
	hull_err_clear(&err);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_normalise),
		cmocka_unit_test(test_ref_bad),
		cmocka_unit_test(test_api_host_and_loopback),
		cmocka_unit_test(test_www_authenticate),
		cmocka_unit_test(test_creds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
