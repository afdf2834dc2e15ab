/* Unit tests for src/report renderers on hand-built findings: vulnerability rows in the
 * table, SARIF locations and fingerprints, JUnit grouping, HTML escaping, and the
 * CycloneDX vulnerabilities array against a hand-built inventory. With
 * HULL_TEST_ARTEFACTS=DIR the CycloneDX and SARIF documents are also written to DIR, for
 * tests/cli/test_report.py to validate against the official schemas. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "report/render.h"
#include "report/sbom.h"
#include "util/strbuf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const urls[] = {"https://security-tracker.debian.org/tracker/CVE-2023-1111",
				   NULL};
static const char *const aliases[] = {"DSA-5555-1", NULL};

static struct hull_package pkgs[] = {
	{.name = "libssl3",
	 .version = "3.0.11-1~deb12u1",
	 .type = "deb",
	 .ecosystem = "Debian:12",
	 .purl = "pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12",
	 .source_name = "openssl",
	 .path = "/var/lib/dpkg/status",
	 .layer = 0,
	 .cataloger = "dpkg"},
	{.name = "lodash",
	 .version = "4.17.20",
	 .type = "npm",
	 .ecosystem = "npm",
	 .purl = "pkg:npm/lodash@4.17.20",
	 .path = "/app/a/package-lock.json",
	 .layer = 1,
	 .cataloger = "npm"},
	{.name = "lodash",
	 .version = "4.17.20",
	 .type = "npm",
	 .ecosystem = "npm",
	 .purl = "pkg:npm/lodash@4.17.20",
	 .path = "/app/b/package-lock.json",
	 .layer = 1,
	 .cataloger = "npm"},
};

static void add_vuln(struct hull_findings *l, const char *id, enum hull_severity sev,
		     const struct hull_package *p, const char *fixed, const char *vector,
		     double score)
{
	struct hull_finding f = {
		.kind = "vulnerability",
		.id = id,
		.aliases = aliases,
		.severity = sev,
		.title = "Buffer overflow in <parser> & \"friends\"",
		.message = "package has it",
		.path = p->path,
		.has_package = true,
		.package = {p->name, p->version, p->ecosystem, p->purl, p->source_name, NULL,
			    p->path},
		.fixed_version = fixed,
		.cvss_score = score,
		.cvss_vector = vector,
		.urls = urls,
		.base = HULL_BASE_YES,
	};
	hull_findings_add(l, &f);
}

static void sample(struct hull_findings *l)
{
	add_vuln(l, "CVE-2023-1111", HULL_SEV_HIGH, &pkgs[0], "3.0.13-1~deb12u1",
		 "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5);
	add_vuln(l, "GHSA-35jh-r3h4-6jhm", HULL_SEV_CRITICAL, &pkgs[1], "4.17.21",
		 "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8);
	add_vuln(l, "GHSA-35jh-r3h4-6jhm", HULL_SEV_CRITICAL, &pkgs[2], "4.17.21",
		 "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8);
	add_vuln(l, "CVE-2024-0001", HULL_SEV_UNKNOWN, &pkgs[0], NULL, NULL, 0);
	struct hull_finding s = {
		.kind = "secret",
		.id = "aws-access-key-id",
		.severity = HULL_SEV_CRITICAL,
		.title = "AWS access key ID",
		.message = "AWS access key ID: AKIA******** </script><b>x</b>",
		.path = "/app/.env",
		.line = 3,
		.dockerfile = "Dockerfile",
		.dockerfile_line = 7,
		.base = HULL_BASE_NO,
	};
	hull_findings_add(l, &s);
}

static struct hull_image img = {.source = (char *)"oci:/tmp/x:t", .transport = HULL_SRC_ROOTFS};
static struct hull_inspect in = {.img = &img};
static struct hull_inventory inv = {
	.os = {.id = (char *)"debian", .version_id = (char *)"12"}, .pkgs = pkgs, .npkgs = 3};
static const struct hull_report_meta meta = {"oci:/tmp/x:t", "container_image", "0.1.0",
					     NULL,	     "debian",		"12"};

static void artefact(const char *name, const struct strbuf *sb)
{
	const char *dir = getenv("HULL_TEST_ARTEFACTS");
	if (!dir)
		return;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(sb->buf, 1, sb->len, f), sb->len);
	assert_int_equal(fclose(f), 0);
}

static json_t *render(const char *fmt, struct strbuf *sb)
{
	struct hull_findings l = HULL_FINDINGS_INIT;
	sample(&l);
	struct hull_render_opts o = {.width = 100, .in = &in, .inv = &inv};
	const struct hull_renderer *r = hull_report_renderer(fmt, true);
	assert_non_null(r);
	r->fn(&l, &meta, &o, sb);
	hull_findings_free(&l);
	if (strcmp(fmt, "cyclonedx") && strcmp(fmt, "sarif") && strcmp(fmt, "json"))
		return NULL;
	json_error_t e;
	json_t *doc = json_loadb(sb->buf, sb->len, 0, &e);
	assert_non_null(doc);
	return doc;
}

static void test_cyclonedx_vulnerabilities(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	json_t *doc = render("cyclonedx", &sb);
	artefact("vex.cdx.json", &sb);
	json_t *v = json_object_get(doc, "vulnerabilities");
	assert_int_equal(json_array_size(v), 3); /* one per advisory */
	/* Every affects.ref names a component. */
	json_t *comps = json_object_get(doc, "components");
	size_t i, j, k;
	json_t *x, *a, *c;
	size_t refs = 0;
	json_array_foreach(v, i, x)
	{
		json_array_foreach(json_object_get(x, "affects"), j, a)
		{
			const char *ref = json_string_value(json_object_get(a, "ref"));
			bool found = false;
			json_array_foreach(comps, k, c) found =
				found ||
				!strcmp(json_string_value(json_object_get(c, "bom-ref")), ref);
			assert_true(found);
			refs++;
		}
	}
	assert_int_equal(refs, 4); /* lodash twice (two lockfiles), libssl3 twice */
	json_t *ghsa = json_array_get(v, 1);
	assert_string_equal(json_string_value(json_object_get(ghsa, "id")), "GHSA-35jh-r3h4-6jhm");
	json_t *r = json_array_get(json_object_get(ghsa, "ratings"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "method")), "CVSSv31");
	assert_string_equal(json_string_value(json_object_get(r, "severity")), "critical");
	assert_true(json_real_value(json_object_get(r, "score")) > 9.7);
	assert_non_null(strstr(json_string_value(json_object_get(ghsa, "recommendation")),
			       "Upgrade lodash to 4.17.21"));
	json_t *vers =
		json_object_get(json_array_get(json_object_get(ghsa, "affects"), 0), "versions");
	assert_string_equal(json_string_value(json_object_get(json_array_get(vers, 1), "status")),
			    "unaffected");
	/* No CVSS: a rating with the severity only. */
	json_t *unk = json_array_get(json_object_get(json_array_get(v, 2), "ratings"), 0);
	assert_null(json_object_get(unk, "score"));
	assert_string_equal(json_string_value(json_object_get(unk, "severity")), "unknown");
	json_decref(doc);
	strbuf_release(&sb);

	/* Without vulnerability findings there is no vulnerabilities array. */
	struct hull_findings none = HULL_FINDINGS_INIT;
	struct hull_sbom_opts so = {.findings = &none};
	hull_sbom_render_cyclonedx(&in, &inv, &so, &sb);
	doc = json_loadb(sb.buf, sb.len, 0, NULL);
	assert_non_null(doc);
	assert_null(json_object_get(doc, "vulnerabilities"));
	json_decref(doc);
	strbuf_release(&sb);
}

static void test_sarif_locations(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	json_t *doc = render("sarif", &sb);
	artefact("vuln.sarif", &sb);
	json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
	json_t *results = json_object_get(run, "results");
	json_t *rules =
		json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules");
	assert_int_equal(json_array_size(rules), 4);
	json_t *r0 = json_array_get(rules, 0);
	assert_string_equal(json_string_value(json_object_get(r0, "helpUri")), urls[0]);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r0, "properties"),
							      "security-severity")),
			    "7.5");
	assert_non_null(
		strstr(json_string_value(json_object_get(json_object_get(r0, "help"), "markdown")),
		       "Upgrade `libssl3` to `3.0.13-1~deb12u1`"));
	json_t *loc = json_object_get(
		json_object_get(
			json_array_get(json_object_get(json_array_get(results, 0), "locations"), 0),
			"physicalLocation"),
		"artifactLocation");
	assert_string_equal(json_string_value(json_object_get(loc, "uri")), "var/lib/dpkg/status");
	/* The secret with a Dockerfile line is located at the Dockerfile. */
	json_t *sec = json_array_get(results, 4);
	json_t *pl = json_object_get(json_array_get(json_object_get(sec, "locations"), 0),
				     "physicalLocation");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(pl, "artifactLocation"), "uri")),
		"Dockerfile");
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(pl, "region"), "startLine")), 7);
	/* Fingerprints: two lodash findings in different files differ. */
	const char *f1 = json_string_value(
		json_object_get(json_object_get(json_array_get(results, 1), "partialFingerprints"),
				"hullFindingHash/v1"));
	const char *f2 = json_string_value(
		json_object_get(json_object_get(json_array_get(results, 2), "partialFingerprints"),
				"hullFindingHash/v1"));
	assert_int_equal(strlen(f1), 64);
	assert_string_not_equal(f1, f2);
	json_decref(doc);
	strbuf_release(&sb);
}

static void test_table_vulnerabilities(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	render("table", &sb);
	/* Grouped by the file the packages came from; the base image's apart. */
	assert_non_null(strstr(sb.buf, "Vulnerabilities: /var/lib/dpkg/status [base image] (2)"));
	assert_non_null(strstr(sb.buf, "Secrets: oci:/tmp/x:t (1)"));
	assert_true(strstr(sb.buf, "Secrets:") < strstr(sb.buf, "Vulnerabilities:"));
	assert_non_null(strstr(sb.buf, "PACKAGE  INSTALLED"));
	assert_non_null(
		strstr(sb.buf, "libssl3  3.0.11-1~deb12u1  3.0.13-1~deb12u1  CVE-2023-1111"));
	assert_non_null(
		strstr(sb.buf, "5 findings (CRITICAL: 3, HIGH: 1, MEDIUM: 0, LOW: 0, UNKNOWN: 1)"));
	assert_null(strstr(sb.buf, "\033["));
	strbuf_release(&sb);
}

static void test_junit_and_html_escape(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	render("junit", &sb);
	assert_non_null(strstr(sb.buf, "tests=\"4\" failures=\"4\""));
	assert_non_null(strstr(sb.buf, "name=\"lodash@4.17.20\""));
	assert_non_null(strstr(sb.buf, "&lt;/script&gt;&lt;b&gt;"));
	assert_null(strstr(sb.buf, "</script>"));
	strbuf_release(&sb);
	render("html", &sb);
	/* The only "</script" are the two closing tags; the data has \u003c. */
	size_t n = 0;
	for (const char *p = sb.buf; (p = strstr(p, "</script")); p++)
		n++;
	assert_int_equal(n, 2);
	assert_non_null(strstr(sb.buf, "\\u003c/script>\\u003cb>x\\u003c/b>"));
	assert_null(strstr(sb.buf, "src=\"http"));
	assert_null(strstr(sb.buf, "href=\"http"));
	strbuf_release(&sb);
}

static void test_xml_escape_invalid_utf8(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_add_xml_escaped(&sb, "a\x01\xff\xc3\xa9<\"'&\xed\xa0\x80z");
	assert_string_equal(sb.buf, "a\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9&lt;&quot;&#39;&amp;"
				    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
	strbuf_release(&sb);
	assert_int_equal(hull_report_strwidth("a…b"), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cyclonedx_vulnerabilities),
		cmocka_unit_test(test_sarif_locations),
		cmocka_unit_test(test_table_vulnerabilities),
		cmocka_unit_test(test_junit_and_html_escape),
		cmocka_unit_test(test_xml_escape_invalid_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
