/* SARIF 2.1.0 rendering of the finding list (GitHub code scanning and other SARIF
 * consumers): one run, one rule per distinct finding id (with help and, for advisories, a
 * helpUri), one result per finding with a file location and a line-independent
 * fingerprint. */
#include "findings.h"
#include "../util/hash.h"
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

static bool is_vuln(const struct hull_finding *f)
{
	return !strcmp(f->kind, "vulnerability");
}

/* An absolute http(s) URL about the rule: the advisory for vulnerabilities (its first
 * reference, else OSV); hull's own rules are documented in docs/ (see help). */
static char *help_uri(const struct hull_finding *f)
{
	if (!is_vuln(f))
		return NULL;
	for (size_t i = 0; f->urls && f->urls[i]; i++)
		if (!strncmp(f->urls[i], "https://", 8) || !strncmp(f->urls[i], "http://", 7))
			return xstrdup(f->urls[i]);
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "https://osv.dev/vulnerability/");
	add_uri(&sb, f->id, false);
	return strbuf_detach(&sb, NULL);
}

static void sarif_help(struct jsonw *w, const struct hull_finding *f, const char *uri)
{
	struct strbuf text = STRBUF_INIT, md = STRBUF_INIT;
	const char *title = f->title ? f->title : f->id;
	strbuf_addf(&text, "%s", title);
	strbuf_addf(&md, "**%s**", title);
	if (f->remediation) {
		strbuf_addf(&text, "\n\n%s", f->remediation);
		strbuf_addf(&md, "\n\n%s", f->remediation);
	}
	if (is_vuln(f) && f->fixed_version && f->package.name) {
		strbuf_addf(&text, "\n\nUpgrade %s to %s or later.", f->package.name,
			    f->fixed_version);
		strbuf_addf(&md, "\n\nUpgrade `%s` to `%s` or later.", f->package.name,
			    f->fixed_version);
	}
	if (f->doc) {
		strbuf_addf(&text, "\n\nDocumentation: %s", f->doc);
		strbuf_addf(&md, "\n\nDocumentation: [%s](%s)", f->doc, f->doc);
	}
	if (uri) {
		strbuf_addf(&text, "\n\n%s", uri);
		strbuf_addf(&md, "\n\n<%s>", uri);
	}
	jsonw_obj_begin(w, "help");
	jsonw_str(w, "text", text.buf);
	jsonw_str(w, "markdown", md.buf);
	jsonw_obj_end(w);
	strbuf_release(&text);
	strbuf_release(&md);
}

static void sarif_rule(struct jsonw *w, const struct hull_finding *f)
{
	_cleanup_free_ char *uri = help_uri(f);
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "id", f->id);
	jsonw_str(w, "name", f->id);
	jsonw_obj_begin(w, "shortDescription");
	jsonw_str(w, "text", f->title ? f->title : f->id);
	jsonw_obj_end(w);
	jsonw_obj_begin(w, "fullDescription");
	jsonw_str(w, "text", f->title ? f->title : f->id);
	jsonw_obj_end(w);
	if (uri)
		jsonw_str(w, "helpUri", uri);
	sarif_help(w, f, uri);
	jsonw_obj_begin(w, "defaultConfiguration");
	jsonw_str(w, "level", sarif_level(f->severity));
	jsonw_obj_end(w);
	jsonw_obj_begin(w, "properties");
	/* GitHub wants a string; the CVSS base score when there is one. */
	char score[16];
	if (is_vuln(f) && f->cvss_vector && f->cvss_score > 0 && f->cvss_score <= 10)
		snprintf(score, sizeof(score), "%.1f", f->cvss_score);
	else
		snprintf(score, sizeof(score), "%s", security_severity(f->severity));
	jsonw_str(w, "security-severity", score);
	jsonw_arr_begin(w, "tags");
	jsonw_str(w, NULL, "security");
	jsonw_str(w, NULL, f->kind);
	jsonw_str(w, NULL, hull_severity_name(f->severity));
	jsonw_arr_end(w);
	jsonw_arr_begin(w, "aliases");
	for (size_t i = 0; f->aliases && f->aliases[i]; i++)
		jsonw_str(w, NULL, f->aliases[i]);
	jsonw_arr_end(w);
	if (f->doc)
		jsonw_str(w, "doc", f->doc);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

/* Paths inside an image or a scanned directory (secrets, misconfigurations,
 * vulnerabilities) are made relative to its root; host files (manifests, Dockerfiles)
 * keep the path they were given. */
static bool in_image(const struct hull_finding *f)
{
	return f->layer || !strcmp(f->kind, "secret") || !strcmp(f->kind, "misconfig") ||
	       is_vuln(f);
}

/* The file a finding is shown at: the package's file for vulnerabilities. */
static const char *file_of(const struct hull_finding *f)
{
	if (is_vuln(f) && f->has_package && f->package.path)
		return f->package.path;
	return f->path ? f->path : "";
}

/* GitHub code scanning needs a file and a startLine in every location: line 1 when the
 * finding has none (an image file, a package database). */
static void physical_location(struct jsonw *w, const char *path, bool image, size_t line)
{
	struct strbuf uri = STRBUF_INIT;
	add_uri(&uri, path, image);
	jsonw_obj_begin(w, "physicalLocation");
	jsonw_obj_begin(w, "artifactLocation");
	jsonw_str(w, "uri", uri.buf ? uri.buf : "");
	jsonw_obj_end(w);
	jsonw_obj_begin(w, "region");
	jsonw_u64(w, "startLine", line ? line : 1);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
	strbuf_release(&uri);
}

static void sarif_locations(struct jsonw *w, const struct hull_finding *f)
{
	bool df = f->dockerfile && f->dockerfile_line;
	jsonw_arr_begin(w, "locations");
	jsonw_obj_begin(w, NULL);
	/* With --dockerfile, the instruction that made the layer is where to fix it. */
	if (df)
		physical_location(w, f->dockerfile, false, f->dockerfile_line);
	else
		physical_location(w, file_of(f), in_image(f), f->line);
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
	if (df) {
		jsonw_arr_begin(w, "relatedLocations");
		jsonw_obj_begin(w, NULL);
		jsonw_u64(w, "id", 1);
		physical_location(w, file_of(f), in_image(f), f->line);
		jsonw_obj_begin(w, "message");
		jsonw_str(w, "text", "the file in the image");
		jsonw_obj_end(w);
		jsonw_obj_end(w);
		jsonw_arr_end(w);
	}
}

/* A stable identity for the result, independent of its line (which moves with edits):
 * kind, id, file and what the finding is about. Not primaryLocationLineHash: GitHub
 * computes that one itself from the file's content. */
static void fingerprint(const struct hull_finding *f, char out[HULL_DIGEST_LEN + 1])
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s%c%s%c%s%c", f->kind, 0x1f, f->id ? f->id : "", 0x1f, file_of(f), 0x1f);
	if (is_vuln(f))
		strbuf_addf(&sb, "%s%c%s", f->package.name ? f->package.name : "", 0x1f,
			    f->package.version ? f->package.version : "");
	else if (f->has_object)
		strbuf_addf(&sb, "%s%c%s%c%s%c%s%c%s", f->object.kind ? f->object.kind : "", 0x1f,
			    f->object.namespace_ ? f->object.namespace_ : "", 0x1f,
			    f->object.name ? f->object.name : "", 0x1f,
			    f->object.container ? f->object.container : "", 0x1f,
			    f->object.yaml_path ? f->object.yaml_path : "");
	else
		strbuf_adds(&sb, f->message ? f->message : "");
	hull_sha256_buf(sb.buf, sb.len, out);
	strbuf_release(&sb);
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
	sarif_locations(w, f);
	char fp[HULL_DIGEST_LEN + 1];
	fingerprint(f, fp);
	jsonw_obj_begin(w, "partialFingerprints");
	jsonw_str(w, "hullFindingHash/v1", fp + 7);
	jsonw_obj_end(w);
	jsonw_obj_begin(w, "properties");
	jsonw_str(w, "severity", hull_severity_name(f->severity));
	if (f->has_object) {
		jsonw_str(w, "kind", f->object.kind);
		jsonw_str(w, "namespace", f->object.namespace_);
		jsonw_str(w, "name", f->object.name);
		jsonw_str(w, "container", f->object.container);
		jsonw_u64(w, "document", f->object.document);
	}
	if (is_vuln(f) && f->has_package) {
		jsonw_str(w, "package", f->package.name);
		jsonw_str(w, "installed_version", f->package.version);
		jsonw_str(w, "fixed_version", f->fixed_version);
		jsonw_str(w, "purl", f->package.purl);
	}
	if (f->layer)
		jsonw_str(w, "layer", f->layer);
	if (f->base != HULL_BASE_UNKNOWN)
		jsonw_bool(w, "base", f->base == HULL_BASE_YES);
	jsonw_obj_end(w);
	jsonw_obj_end(w);
}

/* Expired ignore entries as tool configuration notifications of the one invocation: a
 * warning at the ignore file's line. */
static void sarif_invocation(struct jsonw *w, const struct hull_report_meta *m)
{
	jsonw_arr_begin(w, "invocations");
	jsonw_obj_begin(w, NULL);
	jsonw_bool(w, "executionSuccessful", true);
	jsonw_arr_begin(w, "toolConfigurationNotifications");
	for (size_t i = 0; i < m->nexpired; i++) {
		const struct hull_expired_ignore *e = &m->expired[i];
		struct strbuf msg = STRBUF_INIT;
		strbuf_addf(&msg, "Ignore entry %s expired on %s and no longer applies", e->id,
			    e->expires);
		if (e->statement)
			strbuf_addf(&msg, " (%s)", e->statement);
		jsonw_obj_begin(w, NULL);
		jsonw_obj_begin(w, "descriptor");
		jsonw_str(w, "id", "expired-ignore");
		jsonw_obj_end(w);
		jsonw_str(w, "level", "warning");
		jsonw_obj_begin(w, "message");
		jsonw_str(w, "text", msg.buf);
		jsonw_obj_end(w);
		jsonw_arr_begin(w, "locations");
		jsonw_obj_begin(w, NULL);
		jsonw_obj_begin(w, "physicalLocation");
		jsonw_obj_begin(w, "artifactLocation");
		struct strbuf uri = STRBUF_INIT;
		add_uri(&uri, e->file, false);
		jsonw_str(w, "uri", uri.buf ? uri.buf : "");
		strbuf_release(&uri);
		jsonw_obj_end(w);
		jsonw_obj_begin(w, "region");
		jsonw_u64(w, "startLine", e->line ? e->line : 1);
		jsonw_obj_end(w);
		jsonw_obj_end(w);
		jsonw_obj_end(w);
		jsonw_arr_end(w);
		jsonw_obj_end(w);
		strbuf_release(&msg);
	}
	jsonw_arr_end(w);
	jsonw_obj_end(w);
	jsonw_arr_end(w);
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
	if (m->nexpired)
		sarif_invocation(&w, m);
	jsonw_obj_end(&w);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	strbuf_addch(out, '\n');
	strmap_free(&idx);
	free(rule_of);
	free(rules);
}
