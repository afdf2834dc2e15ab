/* The finding list (one model for every scanner) and its hull.report/v1 JSON renderer;
 * the other formats live in one file each (render.c lists them). */
#include "findings.h"
#include "../pkg/pkg.h"
#include "../util/jsonw.h"

#include <string.h>
#include <strings.h>

static const char *const sev_names[HULL_SEV_COUNT] = {"UNKNOWN", "LOW", "MEDIUM", "HIGH",
						      "CRITICAL"};

const char *hull_severity_name(enum hull_severity s)
{
	return (unsigned)s < HULL_SEV_COUNT ? sev_names[s] : "UNKNOWN";
}

int hull_severity_parse(const char *s, enum hull_severity *out)
{
	for (size_t i = 0; i < HULL_SEV_COUNT; i++) {
		if (!strcasecmp(s, sev_names[i])) {
			*out = (enum hull_severity)i;
			return 0;
		}
	}
	return HULL_EUSAGE;
}

struct hull_finding *hull_findings_add(struct hull_findings *l, const struct hull_finding *f)
{
	ALLOC_GROW(l->v, l->n + 1, l->cap);
	l->v[l->n] = *f;
	return &l->v[l->n++];
}

const char *hull_findings_strdup(struct hull_findings *l, const char *s)
{
	return s ? arena_strdup(&l->arena, s) : NULL;
}

static int strcmp_null(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_finding(const void *pa, const void *pb)
{
	const struct hull_finding *a = pa, *b = pb;
	int c = strcmp_null(a->path, b->path);
	if (c)
		return c;
	if (a->object.document != b->object.document)
		return a->object.document < b->object.document ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	c = strcmp_null(a->id, b->id);
	if (c)
		return c;
	c = strcmp_null(a->object.container, b->object.container);
	return c ? c : strcmp_null(a->message, b->message);
}

void hull_findings_sort(struct hull_findings *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_finding);
}

void hull_findings_free(struct hull_findings *l)
{
	free(l->v);
	arena_free(&l->arena);
	l->v = NULL;
	l->n = l->cap = 0;
}

static void json_finding_object(struct jsonw *w, const struct hull_finding_object *o)
{
	jsonw_obj_begin(w, "object");
	jsonw_str(w, "kind", o->kind);
	jsonw_str(w, "namespace", o->namespace_);
	jsonw_str(w, "name", o->name);
	jsonw_str(w, "container", o->container);
	jsonw_u64(w, "document", o->document);
	jsonw_str(w, "yaml_path", o->yaml_path);
	jsonw_obj_end(w);
}

static void json_finding(struct jsonw *w, const struct hull_finding *f)
{
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "kind", f->kind);
	jsonw_str(w, "id", f->id);
	jsonw_arr_begin(w, "aliases");
	for (size_t i = 0; f->aliases && f->aliases[i]; i++)
		jsonw_str(w, NULL, f->aliases[i]);
	jsonw_arr_end(w);
	jsonw_str(w, "severity", hull_severity_name(f->severity));
	jsonw_str(w, "title", f->title);
	jsonw_str(w, "message", f->message);
	if (f->remediation)
		jsonw_str(w, "remediation", f->remediation);
	if (f->doc)
		jsonw_str(w, "doc", f->doc);
	jsonw_str(w, "path", f->path);
	if (f->line)
		jsonw_u64(w, "line", f->line);
	else
		jsonw_null(w, "line");
	if (f->layer)
		jsonw_str(w, "layer", f->layer);
	if (f->has_object)
		json_finding_object(w, &f->object);
	if (f->has_package) {
		const struct hull_finding_package *p = &f->package;
		jsonw_obj_begin(w, "package");
		jsonw_str(w, "name", p->name);
		jsonw_str(w, "version", p->version);
		jsonw_str(w, "ecosystem", p->ecosystem);
		jsonw_str(w, "purl", p->purl);
		jsonw_str(w, "source_name", p->source_name);
		if (p->source_version)
			jsonw_str(w, "source_version", p->source_version);
		if (p->path)
			jsonw_str(w, "path", p->path);
		jsonw_obj_end(w);
		jsonw_str(w, "fixed_version", f->fixed_version);
		if (f->cvss_vector) {
			jsonw_obj_begin(w, "cvss");
			jsonw_double(w, "score", f->cvss_score, 1);
			jsonw_str(w, "vector", f->cvss_vector);
			jsonw_obj_end(w);
		}
		if (f->urls) {
			jsonw_arr_begin(w, "urls");
			for (size_t i = 0; f->urls[i]; i++)
				jsonw_str(w, NULL, f->urls[i]);
			jsonw_arr_end(w);
		}
	}
	if (f->base != HULL_BASE_UNKNOWN)
		jsonw_bool(w, "base", f->base == HULL_BASE_YES);
	if (f->dockerfile_line) {
		jsonw_str(w, "dockerfile", f->dockerfile);
		jsonw_u64(w, "dockerfile_line", f->dockerfile_line);
	}
	jsonw_obj_end(w);
}

static void count_severities(const struct hull_findings *l, size_t counts[HULL_SEV_COUNT])
{
	memset(counts, 0, sizeof(size_t) * HULL_SEV_COUNT);
	for (size_t i = 0; i < l->n; i++)
		counts[(unsigned)l->v[i].severity < HULL_SEV_COUNT ? l->v[i].severity : 0]++;
}

/* --list-all-pkgs: every package of the inventory, as hull sbom finds them. */
static void json_packages(struct jsonw *w, const struct hull_report_meta *m)
{
	const struct hull_inventory *inv = m->packages;
	jsonw_arr_begin(w, "packages");
	for (size_t i = 0; i < inv->npkgs; i++) {
		const struct hull_package *p = &inv->pkgs[i];
		jsonw_obj_begin(w, NULL);
		jsonw_str(w, "name", p->name);
		jsonw_str(w, "version", p->version);
		jsonw_str(w, "type", p->type);
		jsonw_str(w, "ecosystem", p->ecosystem);
		jsonw_str(w, "purl", p->purl);
		jsonw_str(w, "source_name", p->source_name);
		if (p->source_version && strcmp(p->source_version, p->version))
			jsonw_str(w, "source_version", p->source_version);
		jsonw_str(w, "licenses", p->licenses);
		jsonw_str(w, "path", p->path);
		if (m->layers && p->layer >= 0 && (size_t)p->layer < m->nlayers)
			jsonw_str(w, "layer", m->layers[p->layer]);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

void hull_findings_render_json(const struct hull_findings *l, const struct hull_report_meta *m,
			       struct strbuf *out)
{
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_obj_begin(&w, NULL);
	jsonw_str(&w, "schema", "hull.report/v1");
	jsonw_obj_begin(&w, "artifact");
	jsonw_str(&w, "name", m->artifact_name);
	jsonw_str(&w, "type", m->artifact_type);
	if (m->digest)
		jsonw_str(&w, "digest", m->digest);
	if (m->os_family || m->os_version) {
		jsonw_obj_begin(&w, "os");
		jsonw_str(&w, "family", m->os_family);
		jsonw_str(&w, "version", m->os_version);
		jsonw_obj_end(&w);
	}
	jsonw_obj_end(&w);
	if (m->packages)
		json_packages(&w, m);
	jsonw_arr_begin(&w, "findings");
	for (size_t i = 0; i < l->n; i++)
		json_finding(&w, &l->v[i]);
	jsonw_arr_end(&w);
	if (m->nexpired) {
		jsonw_arr_begin(&w, "expired_ignores");
		for (size_t i = 0; i < m->nexpired; i++) {
			const struct hull_expired_ignore *e = &m->expired[i];
			jsonw_obj_begin(&w, NULL);
			jsonw_str(&w, "id", e->id);
			jsonw_str(&w, "expires", e->expires);
			jsonw_str(&w, "file", e->file);
			jsonw_u64(&w, "line", e->line);
			if (e->statement)
				jsonw_str(&w, "statement", e->statement);
			jsonw_obj_end(&w);
		}
		jsonw_arr_end(&w);
	}
	size_t counts[HULL_SEV_COUNT];
	count_severities(l, counts);
	jsonw_obj_begin(&w, "summary");
	for (int s = HULL_SEV_CRITICAL; s >= HULL_SEV_UNKNOWN; s--)
		jsonw_u64(&w, hull_severity_name((enum hull_severity)s), counts[s]);
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	strbuf_addch(out, '\n');
}

void hull_expired_ignore_describe(const struct hull_expired_ignore *e, struct strbuf *out)
{
	strbuf_addf(out, "%s:%zu: %s expired on %s and no longer applies", e->file, e->line, e->id,
		    e->expires);
	if (e->statement)
		strbuf_addf(out, " (%.*s)", (int)strcspn(e->statement, "\r\n"), e->statement);
}
