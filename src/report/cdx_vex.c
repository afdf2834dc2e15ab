/* CycloneDX 1.6 "vulnerabilities" (VEX-style) from vulnerability findings: one entry per
 * advisory, rated with its CVSS vector, affecting the components of the SBOM by bom-ref. */
#include "sbom.h"
#include "../util/strmap.h"

#include <string.h>

static const char *cvss_method(const char *vector)
{
	if (!strncmp(vector, "CVSS:3.1/", 9))
		return "CVSSv31";
	if (!strncmp(vector, "CVSS:3.0/", 9))
		return "CVSSv3";
	if (!strncmp(vector, "CVSS:4.0/", 9))
		return "CVSSv4";
	if (!strncmp(vector, "AV:", 3))
		return "CVSSv2";
	return "other";
}

static const char *cdx_severity(enum hull_severity s)
{
	static const char *const n[HULL_SEV_COUNT] = {"unknown", "low", "medium", "high",
						      "critical"};
	return (unsigned)s < HULL_SEV_COUNT ? n[s] : "unknown";
}

/* The inventory package a finding is about: same purl, and same file when several
 * packages share the purl. Returns npkgs when there is none. */
static size_t find_pkg(const struct hull_inventory *inv, const struct hull_finding *f)
{
	size_t any = inv->npkgs;
	if (!f->package.purl)
		return any;
	for (size_t i = 0; i < inv->npkgs; i++) {
		if (strcmp(inv->pkgs[i].purl, f->package.purl))
			continue;
		if (!f->package.path || !strcmp(inv->pkgs[i].path, f->package.path))
			return i;
		if (any == inv->npkgs)
			any = i;
	}
	return any;
}

static void source(struct jsonw *w, const char *key, const char *id)
{
	_cleanup_free_ char *url = xasprintf("https://osv.dev/vulnerability/%s", id);
	jsonw_obj_begin(w, key);
	jsonw_str(w, "name", "OSV");
	jsonw_str(w, "url", url);
	jsonw_obj_end(w);
}

static void rating(struct jsonw *w, const struct hull_finding *f)
{
	jsonw_arr_begin(w, "ratings");
	jsonw_obj_begin(w, NULL);
	source(w, "source", f->id);
	if (f->cvss_vector && f->cvss_score > 0)
		jsonw_double(w, "score", f->cvss_score, 1);
	jsonw_str(w, "severity", cdx_severity(f->severity));
	if (f->cvss_vector) {
		jsonw_str(w, "method", cvss_method(f->cvss_vector));
		jsonw_str(w, "vector", f->cvss_vector);
	}
	jsonw_obj_end(w);
	jsonw_arr_end(w);
}

/* The findings of one advisory: f[0..n). */
static void affects(struct jsonw *w, const struct hull_finding *const *f, size_t n,
		    const struct hull_inventory *inv)
{
	struct strmap seen = STRMAP_INIT;
	char **refs = xcalloc(n + 1, sizeof(*refs));
	jsonw_arr_begin(w, "affects");
	for (size_t i = 0; i < n; i++) {
		size_t p = find_pkg(inv, f[i]);
		if (p == inv->npkgs)
			continue;
		refs[i] = hull_sbom_bom_ref(inv, p);
		if (strmap_get(&seen, refs[i]))
			continue;
		strmap_put(&seen, refs[i], refs[i]);
		jsonw_obj_begin(w, NULL);
		jsonw_str(w, "ref", refs[i]);
		jsonw_arr_begin(w, "versions");
		jsonw_obj_begin(w, NULL);
		jsonw_str(w, "version", inv->pkgs[p].version);
		jsonw_str(w, "status", "affected");
		jsonw_obj_end(w);
		if (f[i]->fixed_version) {
			jsonw_obj_begin(w, NULL);
			jsonw_str(w, "version", f[i]->fixed_version);
			jsonw_str(w, "status", "unaffected");
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
	strmap_free(&seen);
	for (size_t i = 0; i < n; i++)
		free(refs[i]);
	free(refs);
}

static void recommendation(struct jsonw *w, const struct hull_finding *const *f, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (!f[i]->fixed_version || !f[i]->package.name)
			continue;
		_cleanup_free_ char *one = xasprintf("Upgrade %s to %s or later.",
						     f[i]->package.name, f[i]->fixed_version);
		if (sb.buf && strstr(sb.buf, one))
			continue;
		strbuf_addf(&sb, "%s%s", sb.len ? " " : "", one);
	}
	if (sb.len)
		jsonw_str(w, "recommendation", sb.buf);
	strbuf_release(&sb);
}

static void vulnerability(struct jsonw *w, const struct hull_finding *const *f, size_t n,
			  const struct hull_inventory *inv)
{
	const struct hull_finding *v = f[0];
	enum hull_severity worst = v->severity;
	for (size_t i = 1; i < n; i++)
		if (f[i]->severity > worst)
			worst = f[i]->severity;
	_cleanup_free_ char *ref = xasprintf("vulnerability:%s", v->id);
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "bom-ref", ref);
	jsonw_str(w, "id", v->id);
	source(w, "source", v->id);
	if (v->aliases && v->aliases[0]) {
		jsonw_arr_begin(w, "references");
		for (size_t i = 0; v->aliases[i]; i++) {
			jsonw_obj_begin(w, NULL);
			jsonw_str(w, "id", v->aliases[i]);
			source(w, "source", v->aliases[i]);
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
	}
	rating(w, v);
	if (v->title)
		jsonw_str(w, "description", v->title);
	recommendation(w, f, n);
	if (v->urls && v->urls[0]) {
		jsonw_arr_begin(w, "advisories");
		for (size_t i = 0; v->urls[i]; i++) {
			jsonw_obj_begin(w, NULL);
			jsonw_str(w, "url", v->urls[i]);
			jsonw_obj_end(w);
		}
		jsonw_arr_end(w);
	}
	affects(w, f, n, inv);
	jsonw_arr_begin(w, "properties");
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "name", "hull:severity");
	jsonw_str(w, "value", hull_severity_name(worst));
	jsonw_obj_end(w);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

void hull_cdx_vulnerabilities(struct jsonw *w, const struct hull_findings *l,
			      const struct hull_inventory *inv)
{
	/* Group by advisory id, in order of first appearance. */
	const struct hull_finding **byid = xcalloc(l->n + 1, sizeof(*byid));
	size_t *first = xcalloc(l->n + 1, sizeof(*first));
	struct strmap idx = STRMAP_INIT;
	size_t n = 0, nids = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].kind, "vulnerability") || !l->v[i].id)
			continue;
		if (!strmap_get(&idx, l->v[i].id)) {
			first[nids++] = i;
			strmap_put(&idx, l->v[i].id, &first[nids - 1]);
		}
		n++;
	}
	if (n) {
		jsonw_arr_begin(w, "vulnerabilities");
		for (size_t k = 0; k < nids; k++) {
			const char *id = l->v[first[k]].id;
			size_t m = 0;
			for (size_t i = first[k]; i < l->n; i++)
				if (!strcmp(l->v[i].kind, "vulnerability") && l->v[i].id &&
				    !strcmp(l->v[i].id, id))
					byid[m++] = &l->v[i];
			vulnerability(w, byid, m, inv);
		}
		jsonw_arr_end(w);
	}
	strmap_free(&idx);
	free(first);
	free(byid);
}
