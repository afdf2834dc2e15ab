/* Unit tests for src/report/policy.c (ignore files, glob and purl matching, the policy
 * pass), src/report/attrib.c (the history boundary, the Dockerfile mapping) and
 * src/util/config.c (hull.yaml to flags). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "report/attrib.h"
#include "report/policy.h"
#include "util/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TODAY "2026-06-15"

static int parse(struct hull_ignore *ig, const char *text, struct hull_err *err)
{
	return hull_ignore_parse(ig, "ign", text, strlen(text), TODAY, err);
}

static void test_plain(void **state)
{
	struct hull_ignore ig = HULL_IGNORE_INIT;
	struct hull_err err = {0};
	assert_int_equal(parse(&ig,
			       "# comment\n\nCVE-2024-1 exp:2026-06-16 # why\n"
			       "  CVE-2024-2\texp:2026-06-15\r\nkubesec:Privileged extra fields\n"
			       "CVE-2024-3 exp:2026-06-14T10:00:00Z",
			       &err),
			 0);
	assert_int_equal(ig.n, 4);
	assert_string_equal(ig.v[0].id, "CVE-2024-1");
	assert_int_equal(ig.v[0].line, 3);
	assert_false(ig.v[0].expired); /* expires tomorrow */
	assert_string_equal(ig.v[1].id, "CVE-2024-2");
	assert_true(ig.v[1].expired); /* expires today: no longer applies */
	assert_string_equal(ig.v[2].id, "kubesec:Privileged");
	assert_null(ig.v[2].expires);
	assert_true(ig.v[3].expired);
	assert_string_equal(ig.v[3].expires, "2026-06-14");
	assert_int_not_equal(parse(&ig, "X exp:2026-02-30x\n", &err), 0);
	assert_non_null(strstr(err.msg, "ign:1:"));
	hull_err_clear(&err);
	assert_int_not_equal(parse(&ig, "X exp:26-01-01\n", &err), 0);
	hull_err_clear(&err);
	assert_int_not_equal(hull_ignore_parse(&ig, "ign", "A\0B", 3, TODAY, &err), 0);
	hull_err_clear(&err);
	hull_ignore_free(&ig);
}

static void test_yaml(void **state)
{
	struct hull_ignore ig = HULL_IGNORE_INIT;
	struct hull_err err = {0};
	assert_int_equal(parse(&ig,
			       "# hull's form\n"
			       "ignore:\n"
			       "  - CVE-1\n"
			       "  - id: CVE-2\n"
			       "    paths: [\"usr/lib/**\", /opt/x]\n"
			       "    packages: pkg:deb/debian/openssl*\n"
			       "    expires: 2027-01-31\n"
			       "    statement: not reachable\n"
			       "vulnerabilities:\n"
			       "  - id: CVE-3\n"
			       "    purls: [\"pkg:npm/lodash\"]\n"
			       "    expired_at: 2020-01-01\n"
			       "misconfigurations:\n"
			       "secrets: ~\n",
			       &err),
			 0);
	assert_int_equal(ig.n, 3);
	assert_string_equal(ig.v[0].id, "CVE-1");
	assert_null(ig.v[0].kind);
	assert_int_equal(ig.v[1].npaths, 2);
	assert_string_equal(ig.v[1].paths[1], "/opt/x");
	assert_int_equal(ig.v[1].npackages, 1);
	assert_string_equal(ig.v[1].statement, "not reachable");
	assert_false(ig.v[1].expired);
	assert_string_equal(ig.v[2].kind, "vulnerability");
	assert_true(ig.v[2].expired);
	static const char *const bad[] = {
		"ignore:\n  - paths: [a]\n",
		"ignore:\n  - id: x\n    expires: [2020-01-01]\n",
		"ignore:\n  - id: x\n    other: 1\n",
		"ignore: x\n",
		"ignore:\n  - [a]\n",
		"ignore:\n  - id: x\n    paths: [[a]]\n",
		"ignore:\n- id: x\nbogus: []\n",
		"---\n- a\n",
		"ignore:\n  - id: \"\"\n",
		"ignore: [\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_not_equal(parse(&ig, bad[i], &err), 0);
		assert_non_null(err.msg);
		assert_non_null(strstr(err.msg, "ign"));
		hull_err_clear(&err);
	}
	hull_ignore_free(&ig);
}

static void test_glob(void **state)
{
	assert_true(hull_path_glob_match("/app/*.sh", "/app/deploy.sh"));
	assert_true(hull_path_glob_match("app/*.sh", "/app/deploy.sh"));
	assert_false(hull_path_glob_match("/app/*.sh", "/app/x/deploy.sh"));
	assert_true(hull_path_glob_match("/app/**", "/app/x/y/z"));
	assert_true(hull_path_glob_match("**/deploy.sh", "/deploy.sh"));
	assert_true(hull_path_glob_match("**/deploy.sh", "a/b/deploy.sh"));
	assert_true(hull_path_glob_match("a/**/c", "a/c"));
	assert_true(hull_path_glob_match("a/**/c", "a/b/b/c"));
	assert_false(hull_path_glob_match("a/**/c", "a/b/d"));
	assert_true(hull_path_glob_match("?tc/pass*", "/etc/passwd"));
	assert_false(hull_path_glob_match("*", "a/b"));
	assert_true(hull_path_glob_match("*", "a"));
	assert_true(hull_path_glob_match("deploy/*.yaml", "deploy/web.yaml"));
	assert_false(hull_path_glob_match("x", NULL));
	assert_true(hull_path_glob_match("config.Env[0]", "config.Env[0]"));
	/* no exponential blow-up on hostile patterns */
	char pat[400], s[400];
	for (int i = 0; i < 199; i++) {
		pat[2 * i] = '*';
		pat[2 * i + 1] = 'a';
	}
	memcpy(pat + 398, "b", 2);
	memset(s, 'a', 399);
	s[399] = 0;
	assert_false(hull_path_glob_match(pat, s));
	char deep[3000];
	for (int i = 0; i < 300; i++)
		memcpy(deep + 2 * i, "/a", 2);
	deep[600] = 0;
	assert_false(hull_path_glob_match("**/b", deep)); /* more segments than kept */
}

static void test_purl(void **state)
{
	const char *p = "pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12";
	assert_true(hull_purl_match("pkg:deb/debian/openssl*", p));
	assert_true(hull_purl_match("pkg:deb/debian/openssl", p));
	assert_true(hull_purl_match("pkg:deb/debian/openssl@3.0.11-1", p));
	assert_true(hull_purl_match("pkg:deb/debian/openssl@3.0.*", p));
	assert_true(hull_purl_match("pkg:deb/*/openssl", p));
	assert_true(hull_purl_match(p, p));
	assert_true(hull_purl_match("pkg:deb/debian/openssl@*?arch=amd64*", p));
	assert_false(hull_purl_match("pkg:deb/debian/openss", p));
	assert_false(hull_purl_match("pkg:deb/debian/openssl@3.1*", p));
	assert_false(hull_purl_match("pkg:rpm/*", p));
	assert_false(hull_purl_match("pkg:deb/debian/openssl", NULL));
}

static const char *const aliases[] = {"GHSA-xxxx", NULL};

static void test_policy_apply(void **state)
{
	struct hull_findings l = HULL_FINDINGS_INIT;
	struct hull_finding v = {.kind = "vulnerability",
				 .id = "CVE-1",
				 .aliases = aliases,
				 .severity = HULL_SEV_HIGH,
				 .path = "/var/lib/dpkg/status",
				 .has_package = true,
				 .package = {.purl = "pkg:deb/debian/openssl@1?arch=amd64"},
				 .fixed_version = "2"};
	hull_findings_add(&l, &v);
	v.id = "CVE-2";
	v.aliases = NULL;
	v.fixed_version = NULL;
	v.severity = HULL_SEV_LOW;
	hull_findings_add(&l, &v);
	struct hull_finding s = {.kind = "secret",
				 .id = "github-pat",
				 .severity = HULL_SEV_CRITICAL,
				 .path = "/app/x",
				 .base = HULL_BASE_YES};
	hull_findings_add(&l, &s);
	s.path = "/app/y";
	s.base = HULL_BASE_NO;
	hull_findings_add(&l, &s);

	struct hull_ignore ig = HULL_IGNORE_INIT;
	struct hull_err err = {0};
	assert_int_equal(parse(&ig,
			       "ignore:\n  - id: ghsa-xxxx\n    packages: ['pkg:deb/*/openssl']\n"
			       "  - id: github-pat\n    paths: [/app/y]\n    expires: 2000-01-01\n",
			       &err),
			 0);
	struct hull_findings c = HULL_FINDINGS_INIT;
	for (size_t i = 0; i < l.n; i++)
		hull_findings_add(&c, &l.v[i]);
	struct hull_policy p = {.ignore = &ig};
	assert_int_equal(hull_policy_apply(&p, &c), 1); /* the alias; the expired one stays */
	assert_string_equal(c.v[0].id, "CVE-2");
	p = (struct hull_policy){.ignore_unfixed = true, .skip_base = true};
	c.n = 0;
	for (size_t i = 0; i < l.n; i++)
		hull_findings_add(&c, &l.v[i]);
	assert_int_equal(hull_policy_apply(&p, &c), 2);
	assert_string_equal(c.v[0].id, "CVE-1");
	assert_string_equal(c.v[1].path, "/app/y");
	const char *skips[] = {"GHSA-xxxx"};
	p = (struct hull_policy){.sev_filter = true, .skips = skips, .nskips = 1};
	p.sev[HULL_SEV_HIGH] = p.sev[HULL_SEV_CRITICAL] = true;
	c.n = 0;
	for (size_t i = 0; i < l.n; i++)
		hull_findings_add(&c, &l.v[i]);
	assert_int_equal(hull_policy_apply(&p, &c), 2);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.v[0].id, "github-pat");
	hull_findings_free(&c);
	hull_findings_free(&l);
	hull_ignore_free(&ig);
}

static json_t *hist(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	assert_non_null(j);
	return j;
}

static void test_boundary(void **state)
{
	json_t *h = hist("[{\"created_by\":\"/bin/sh -c #(nop) ADD file:a in / \"},"
			 "{\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"bash\\\"]\","
			 "\"empty_layer\":true},"
			 "{\"created_by\":\"RUN /bin/sh -c make # buildkit\"},"
			 "{\"created_by\":\"CMD [\\\"/app\\\"]\",\"empty_layer\":true}]");
	assert_int_equal(hull_attrib_history_boundary(h, false), 1);
	json_decref(h);
	/* the image's own trailing CMD is not a boundary */
	h = hist("[{\"created_by\":\"ADD x /\"},{\"created_by\":\"ENTRYPOINT [\\\"x\\\"]\","
		 "\"empty_layer\":true}]");
	assert_int_equal(hull_attrib_history_boundary(h, false), -1);
	assert_int_equal(hull_attrib_history_boundary(h, true), -1);
	json_decref(h);
	/* BuildKit base ending in ENTRYPOINT */
	h = hist("[{\"created_by\":\"ADD x /\"},{\"created_by\":\"ENTRYPOINT [\\\"x\\\"]\","
		 "\"empty_layer\":true},{\"created_by\":\"COPY a /b # buildkit\"}]");
	assert_int_equal(hull_attrib_history_boundary(h, false), 1);
	json_decref(h);
	/* annotations: the builder comment changes */
	h = hist("[{\"created_by\":\"ADD x /\"},{\"created_by\":\"RUN y\"},"
		 "{\"created_by\":\"COPY a /b # "
		 "buildkit\",\"comment\":\"buildkit.dockerfile.v0\"}]");
	assert_int_equal(hull_attrib_history_boundary(h, false), -1);
	assert_int_equal(hull_attrib_history_boundary(h, true), 1);
	json_decref(h);
	h = hist("[{\"created_by\":\"COPY a /b\",\"comment\":\"buildkit.dockerfile.v0\"}]");
	assert_int_equal(hull_attrib_history_boundary(h, true), -1);
	json_decref(h);
	assert_int_equal(hull_attrib_history_boundary(NULL, true), -1);
}

/* FROM a named stage: that stage's instructions come first, along the chain; stages
 * off the chain (and an image FROM with a tag) are not followed. */
static void test_dockerfile_map_chain(void **state)
{
	(void)state;
	const char *df = "FROM debian AS deps\nRUN a\nFROM deps AS mid\nRUN b\n"
			 "FROM deps AS other\nRUN z\nFROM MID\n# c\nRUN c\n";
	json_t *h = hist("[{\"created_by\":\"RUN /bin/sh -c a # buildkit\"},"
			 "{\"created_by\":\"RUN /bin/sh -c b # buildkit\"},"
			 "{\"created_by\":\"RUN /bin/sh -c c # buildkit\"}]");
	size_t line[3];
	struct hull_err err = {0};
	int n = hull_attrib_dockerfile_map(h, "Dockerfile", df, strlen(df), -1, line, &err);
	assert_int_equal(n, 3);
	assert_int_equal(line[0], 2);
	assert_int_equal(line[1], 4);
	assert_int_equal(line[2], 9);
	const char *tagged = "FROM debian AS deps\nRUN a\nRUN b\nFROM deps:1\nRUN c\n";
	n = hull_attrib_dockerfile_map(h, "Dockerfile", tagged, strlen(tagged), -1, line, &err);
	assert_int_equal(n, 1);
	assert_int_equal(line[2], 5);
	assert_int_equal(line[1], 0);
	/* a stage named like its own base is external, not a loop */
	const char *self = "FROM x AS x\nRUN b\nFROM x\nRUN c\n";
	n = hull_attrib_dockerfile_map(h, "Dockerfile", self, strlen(self), -1, line, &err);
	assert_int_equal(n, 2);
	assert_int_equal(line[1], 2);
	assert_int_equal(line[2], 4);
	json_decref(h);
}

static void test_dockerfile_map(void **state)
{
	const char *df = "FROM a AS b\nRUN x\nFROM base\n# c\nARG V=1\n"
			 "COPY --chown=1 src/ /app/\nRUN apt-get update && \\\n"
			 "    apt-get install -y jq\nWORKDIR /app\nRUN [\"make\", \"all\"]\n"
			 "USER 1000\nCMD [\"/app/run\"]\n";
	json_t *h = hist(
		"[{\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"bash\\\"]\",\"empty_layer\":true},"
		"{\"created_by\":\"/bin/sh -c #(nop) COPY dir:abc in /app/ \"},"
		"{\"created_by\":\"|1 V=1 /bin/sh -c apt-get update &&     apt-get install -y "
		"jq\"},"
		"{\"created_by\":\"/bin/sh -c #(nop) WORKDIR /app\"},"
		"{\"created_by\":\"RUN make all # buildkit\"},"
		"{\"created_by\":\"USER 1000\",\"empty_layer\":true},"
		"{\"created_by\":\"CMD [\\\"/app/run\\\"]\",\"empty_layer\":true}]");
	size_t line[7];
	struct hull_err err = {0};
	int n = hull_attrib_dockerfile_map(h, "Dockerfile", df, strlen(df), 0, line, &err);
	assert_int_equal(n, 6);
	assert_int_equal(line[0], 0);
	assert_int_equal(line[1], 6);
	assert_int_equal(line[2], 7);
	assert_int_equal(line[3], 9);
	assert_int_equal(line[4], 10);
	assert_int_equal(line[5], 11);
	assert_int_equal(line[6], 12);
	/* without a known base the base's CMD does not match the final stage */
	n = hull_attrib_dockerfile_map(h, "Dockerfile", df, strlen(df), -1, line, &err);
	assert_int_equal(n, 6);
	assert_int_equal(line[0], 0);
	/* a history that is not this Dockerfile's stops at once */
	const char *other = "FROM x\nRUN true\n";
	n = hull_attrib_dockerfile_map(h, "Dockerfile", other, strlen(other), -1, line, &err);
	assert_int_equal(n, 0);
	json_t *h2 = hist("[{\"created_by\":\"RUN --mount=type=cache # buildkit\"},"
			  "{\"created_by\":\"RUN |2 A=1 B=2 # buildkit\"}]");
	const char *df2 = "FROM x\nRUN --mount=type=cache true\nRUN echo\n";
	n = hull_attrib_dockerfile_map(h2, "Dockerfile", df2, strlen(df2), -1, line, &err);
	assert_int_equal(n, 2); /* by keyword: nothing but comments in between */
	assert_int_equal(line[0], 2);
	assert_int_equal(line[1], 3);
	json_decref(h2);
	n = hull_attrib_dockerfile_map(h, "Dockerfile", "FROM x\0", 7, -1, line, &err);
	assert_true(n < 0);
	hull_err_clear(&err);
	json_decref(h);
}

static void test_config(void **state)
{
	char dir[] = "/tmp/hull-config-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/hull.yaml", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("severity: [HIGH, CRITICAL]\nexit-code: 1\nmax-file-size: 1M\n"
	      "image:\n  skip-base: true\n  ignore-unfixed: false\n  skip-check: a\n"
	      "lint:\n  ignored: [DL3008]\n",
	      f);
	fclose(f);
	struct hull_config c;
	struct hull_err err = {0};
	assert_int_equal(hull_config_load_file(&c, path, &err), 0);
	static const struct option lo[] = {
		{"severity", required_argument, NULL, 1},
		{"exit-code", required_argument, NULL, 2},
		{"skip-base", no_argument, NULL, 3},
		{"ignore-unfixed", no_argument, NULL, 4},
		{"skip-check", required_argument, NULL, 5},
		{NULL, 0, NULL, 0},
	};
	char *argv[] = {"hull-image", "--exit-code", "0", "SRC", NULL};
	int nargc;
	char **nargv;
	assert_int_equal(hull_config_argv(&c, "image", lo, 4, argv, &nargc, &nargv, &err), 0);
	assert_int_equal(nargc, 8);
	assert_string_equal(nargv[1], "--severity=HIGH,CRITICAL");
	assert_string_equal(nargv[2], "--exit-code=1");
	assert_string_equal(nargv[3], "--skip-base");
	assert_string_equal(nargv[4], "--skip-check=a");
	assert_string_equal(nargv[5], "--exit-code");
	assert_string_equal(nargv[7], "SRC");
	assert_null(nargv[8]);
	assert_non_null(hull_config_section(&c, "lint"));
	assert_null(hull_config_section(&c, "k8s"));
	/* k8s has no section; an unknown key in a section is an error */
	static const struct option lo2[] = {{"format", required_argument, NULL, 1},
					    {NULL, 0, NULL, 0}};
	assert_int_equal(hull_config_argv(&c, "k8s", lo2, 1, argv, &nargc, &nargv, &err), 0);
	assert_int_equal(nargc, 1);
	assert_int_not_equal(hull_config_argv(&c, "image", lo2, 1, argv, &nargc, &nargv, &err), 0);
	assert_non_null(strstr(err.msg, "hull.yaml:5:"));
	hull_err_clear(&err);
	hull_config_free(&c);
	f = fopen(path, "w");
	fputs("colour: {a: b}\n", f);
	fclose(f);
	assert_int_not_equal(hull_config_load_file(&c, path, &err), 0);
	assert_non_null(strstr(err.msg, "unknown section"));
	hull_err_clear(&err);
	hull_config_free(&c);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),	       cmocka_unit_test(test_yaml),
		cmocka_unit_test(test_glob),	       cmocka_unit_test(test_purl),
		cmocka_unit_test(test_policy_apply),   cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_dockerfile_map), cmocka_unit_test(test_dockerfile_map_chain),
		cmocka_unit_test(test_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
