/* Fuzzes the k8s scanner end to end: YAML/JSON parsing into the node tree (aliases,
 * merge keys, limits) and every check over whatever objects come out, then every findings
 * renderer (JSON, SARIF, table, JUnit, HTML) over the findings. */
#include "fuzz_util.h"
#include "k8s/k8s.h"
#include "report/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct hull_k8s_scan s = HULL_K8S_SCAN_INIT;
	(void)hull_k8s_scan_buffer(&s, "fuzz.yaml", (const char *)data, size, NULL);
	struct hull_report_meta meta = {"fuzz.yaml", "k8s", "0"};
	struct strbuf out = STRBUF_INIT;
	hull_findings_sort(&s.findings);
	hull_findings_render_json(&s.findings, &meta, &out);
	hull_findings_render_sarif(&s.findings, &meta, &out);
	struct hull_render_opts ro = {.width = 60};
	static const char *const fmts[] = {"table", "junit", "html"};
	for (size_t i = 0; i < 3; i++)
		hull_report_renderer(fmts[i], false)->fn(&s.findings, &meta, &ro, &out);
	strbuf_release(&out);
	hull_k8s_scan_free(&s);
	return 0;
}
