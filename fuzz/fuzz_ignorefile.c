/* Fuzzes the ignore-file parser (hull's plain and YAML forms, Trivy's .trivyignore and
 * .trivyignore.yaml), then matches every entry it yields against a few findings, so the
 * path glob and purl matchers see hostile patterns too. */
#include "fuzz_util.h"
#include "report/policy.h"

static const char *const aliases[] = {"GHSA-xxxx-yyyy-zzzz", "CVE-2024-0001", NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct hull_ignore ig = HULL_IGNORE_INIT;
	struct hull_err err = {0};
	int rc =
		hull_ignore_parse(&ig, "fuzz.ignore", (const char *)data, size, "2026-01-01", &err);
	hull_err_clear(&err);
	struct hull_findings l = HULL_FINDINGS_INIT;
	struct hull_finding f = {
		.kind = "vulnerability",
		.id = "CVE-2024-1234",
		.aliases = aliases,
		.severity = HULL_SEV_HIGH,
		.path = "/usr/lib/x86_64-linux-gnu/libssl.so.3",
		.has_package = true,
		.package = {.purl = "pkg:deb/debian/openssl@3.0.11-1?arch=amd64&distro=debian-12",
			    .path = "/var/lib/dpkg/status"},
	};
	hull_findings_add(&l, &f);
	f.kind = "secret";
	f.has_package = false;
	f.path = "app/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/config.env";
	hull_findings_add(&l, &f);
	for (size_t i = 0; !rc && i < ig.n; i++)
		for (size_t j = 0; j < l.n; j++)
			(void)hull_ignore_entry_match(&ig.v[i], &l.v[j]);
	struct hull_policy p = {.ignore = &ig, .ignore_unfixed = true};
	(void)hull_policy_apply(&p, &l);
	hull_findings_free(&l);
	hull_ignore_free(&ig);
	return 0;
}
