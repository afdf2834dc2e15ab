/* Fuzzes the k8s scanner end to end: YAML/JSON parsing into the node tree (aliases,
 * merge keys, limits) and every check over whatever objects come out (the image checks
 * with a few known image users, PodSecurityPolicy specs), then every findings
 * renderer (JSON, SARIF, table, JUnit, HTML) over the findings. */
#include "fuzz_util.h"
#include "k8s/k8s.h"
#include "report/render.h"

/* Images whose config User is known, so the image checks (HULL-K8S-037/038) run on
 * containers naming them (the corpus has seeds that do); other references go through
 * the lookup, its reference parser and cache, and stay unknown. A new set per input:
 * the cache grows with every reference looked up. */
static struct hull_k8s_images *images(void)
{
	static const char *const users[][2] = {
		{"fuzz/empty:1", ""},	   {"fuzz/root:1", "root"},	  {"fuzz/zero:1", "0:0"},
		{"fuzz/name:1", "nobody"}, {"fuzz/uid:1", "10001:10001"},
	};
	struct hull_k8s_images *im = hull_k8s_images_new(NULL, false);
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		hull_k8s_images_put(im, users[i][0], users[i][1]);
	return im;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct hull_k8s_scan s = HULL_K8S_SCAN_INIT;
	struct hull_k8s_opts o = {.images = images()};
	(void)hull_k8s_scan_buffer(&s, "fuzz.yaml", (const char *)data, size, &o);
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
	hull_k8s_images_free(o.images);
	return 0;
}
