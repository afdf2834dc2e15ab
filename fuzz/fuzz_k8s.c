/* Fuzzes the k8s scanner end to end: YAML/JSON parsing into the node tree (aliases,
 * merge keys, limits) and every check over whatever objects come out, then the JSON and
 * SARIF renderers over the findings. */
#include "fuzz_util.h"
#include "k8s/k8s.h"

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
	strbuf_release(&out);
	hull_k8s_scan_free(&s);
	return 0;
}
