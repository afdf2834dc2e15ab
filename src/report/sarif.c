/* SARIF 2.1.0 rendering of the finding list (GitHub code scanning and other SARIF
 * consumers): one run, one rule per distinct finding id, one result per finding. */
#include "findings.h"
#include "../util/jsonw.h"
#include "../util/strmap.h"

#include <string.h>

static const char *sarif_level(enum hull_severity s)
{
	if (s >= HULL_SEV_HIGH)
		return "error";
	return s == HULL_SEV_MEDIUM ? "warning" : "note";
}

/* GitHub code scanning ranks results by this CVSS-like score. */
static const char *security_severity(enum hull_severity s)
{
	static const char *const score[HULL_SEV_COUNT] = {"0.0", "2.0", "5.5", "8.0", "9.5"};
	return (unsigned)s < HULL_SEV_COUNT ? score[s] : "0.0";
}

/* artifactLocation.uri is a URI reference: keep unreserved characters and '/', escape the
 * rest, so paths with spaces or "<stdin>" stay valid. */
static void add_uri(struct strbuf *sb, const char *path, bool in_image)
{
	/* Paths inside an image are absolute ("/app/.env"); code-scanning tools want a
	 * relative URI (resolved against the image root), so the leading '/' goes. Host
	 * files keep the path they were given. */
	while (in_image && *path == '/')
		path++;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			strbuf_addch(sb, (char)*p);
		else
			strbuf_addf(sb, "%%%02X", *p);
	}
}

static void sarif_rule(struct jsonw *w, const struct hull_finding *f)
{
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "id", f->id);
	jsonw_obj_begin(w, "shortDescription");
	jsonw_str(w, "text", f->title ? f->title : f->id);
	jsonw_obj_end(w);
	if (f->remediation) {
		jsonw_obj_begin(w, "help");
		jsonw_str(w, "text", f->remediation);
		jsonw_obj_end(w);
	}
	jsonw_obj_begin(w, "defaultConfiguration");
	jsonw_str(w, "level", sarif_level(f->severity));
	jsonw_obj_end(w);
	jsonw_obj_begin(w, "properties");
	jsonw_str(w, "security-severity", security_severity(f->severity));
	jsonw_arr_begin(w, "tags");
	jsonw_str(w, NULL, "security");
	jsonw_str(w, NULL, f->kind);
	jsonw_arr_end(w);
	jsonw_arr_begin(w, "aliases");
	for (size_t i = 0; f->aliases && f->aliases[i]; i++)
		jsonw_str(w, NULL, f->aliases[i]);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

static void sarif_location(struct jsonw *w, const struct hull_finding *f)
{
	struct strbuf uri = STRBUF_INIT;
	bool in_image = f->layer || !strcmp(f->kind, "secret") || !strcmp(f->kind, "misconfig");
	add_uri(&uri, f->path ? f->path : "", in_image);
	jsonw_arr_begin(w, "locations");
	jsonw_obj_begin(w, NULL);
	jsonw_obj_begin(w, "physicalLocation");
	jsonw_obj_begin(w, "artifactLocation");
	jsonw_str(w, "uri", uri.buf ? uri.buf : "");
	jsonw_obj_end(w);
	if (f->line) {
		jsonw_obj_begin(w, "region");
		jsonw_u64(w, "startLine", f->line);
		jsonw_obj_end(w);
	}
	jsonw_obj_end(w);
	if (f->has_object && f->object.yaml_path) {
		jsonw_arr_begin(w, "logicalLocations");
		jsonw_obj_begin(w, NULL);
		jsonw_str(w, "fullyQualifiedName", f->object.yaml_path);
		jsonw_str(w, "kind", "object");
		jsonw_obj_end(w);
		jsonw_arr_end(w);
	}
	jsonw_obj_end(w);
	jsonw_arr_end(w);
	strbuf_release(&uri);
}

static void sarif_result(struct jsonw *w, const struct hull_finding *f, size_t rule_index)
{
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "ruleId", f->id);
	jsonw_u64(w, "ruleIndex", rule_index);
	jsonw_str(w, "level", sarif_level(f->severity));
	jsonw_obj_begin(w, "message");
	jsonw_str(w, "text", f->message ? f->message : f->title);
	jsonw_obj_end(w);
	sarif_location(w, f);
	jsonw_obj_begin(w, "properties");
	jsonw_str(w, "severity", hull_severity_name(f->severity));
	if (f->has_object) {
		jsonw_str(w, "kind", f->object.kind);
		jsonw_str(w, "namespace", f->object.namespace_);
		jsonw_str(w, "name", f->object.name);
		jsonw_str(w, "container", f->object.container);
		jsonw_u64(w, "document", f->object.document);
	}
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

void hull_findings_render_sarif(const struct hull_findings *l, const struct hull_report_meta *m,
				struct strbuf *out)
{
	/* Rule index per id, in order of first appearance. */
	struct strmap idx = STRMAP_INIT;
	size_t *rule_of = xcalloc(l->n + 1, sizeof(*rule_of));
	const struct hull_finding **rules = xcalloc(l->n + 1, sizeof(*rules));
	size_t nrules = 0;
	for (size_t i = 0; i < l->n; i++) {
		size_t *p = strmap_get(&idx, l->v[i].id);
		if (!p) {
			rules[nrules] = &l->v[i];
			rule_of[i] = nrules++;
			strmap_put(&idx, l->v[i].id, &rule_of[i]);
		} else {
			rule_of[i] = *p;
		}
	}
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_obj_begin(&w, NULL);
	jsonw_str(&w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	jsonw_str(&w, "version", "2.1.0");
	jsonw_arr_begin(&w, "runs");
	jsonw_obj_begin(&w, NULL);
	jsonw_obj_begin(&w, "tool");
	jsonw_obj_begin(&w, "driver");
	jsonw_str(&w, "name", "hull");
	jsonw_str(&w, "version", m->tool_version);
	jsonw_arr_begin(&w, "rules");
	for (size_t r = 0; r < nrules; r++)
		sarif_rule(&w, rules[r]);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	jsonw_arr_begin(&w, "results");
	for (size_t i = 0; i < l->n; i++)
		sarif_result(&w, &l->v[i], rule_of[i]);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	strbuf_addch(out, '\n');
	strmap_free(&idx);
	free(rule_of);
	free(rules);
}
