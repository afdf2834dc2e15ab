/* SBOM documents from the inventory. */
#include "sbom.h"
#include "../util/jsonw.h"
#include "version.h"

#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What the SBOM describes: an image (by digest) or a directory. */
struct subject {
	const char *name;    /* repo tag, else the source string */
	const char *digest;  /* manifest digest (or config digest); NULL for a directory */
	const char *created; /* the image config's "created", if any */
	bool is_dir;
};

static struct subject subject_of(const struct hull_inspect *in)
{
	const struct hull_image *img = in->img;
	struct subject s = {0};
	s.name = img->nrepo_tags ? img->repo_tags[0] : img->source;
	s.digest = img->manifest_digest ? img->manifest_digest : img->config_digest;
	s.is_dir = img->transport == HULL_SRC_ROOTFS;
	s.created = img->config ? json_string_value(json_object_get(img->config, "created")) : NULL;
	return s;
}

/* A UUID: random with a timestamp, else derived from the subject (name-based, v5-like:
 * SHA-256 instead of SHA-1, version nibble 5). */
static void make_uuid(const struct subject *s, const char *salt, bool random, char out[37])
{
	unsigned char b[16];
	if (random) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b))
			memset(b, 0x5a, sizeof(b));
		if (fd >= 0)
			close(fd);
	} else {
		char d[HULL_DIGEST_LEN + 1];
		_cleanup_free_ char *seed =
			xasprintf("hull-sbom:%s:%s:%s", salt, s->digest ? s->digest : "", s->name);
		hull_sha256_buf(seed, strlen(seed), d);
		for (int i = 0; i < 16; i++) {
			char h[3] = {d[7 + 2 * i], d[8 + 2 * i], 0};
			b[i] = (unsigned char)strtoul(h, NULL, 16);
		}
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | (random ? 0x40 : 0x50));
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
}

/* RFC 3339 UTC timestamp: now, or the image's created time cut to seconds. */
static void timestamp(const struct subject *s, bool now, char out[32])
{
	if (!now && s->created && strlen(s->created) >= 19) {
		snprintf(out, 32, "%.19sZ", s->created);
		return;
	}
	time_t t = now ? time(NULL) : 0;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *layer_diff_id(const struct hull_inspect *in, int layer)
{
	if (in->img->transport == HULL_SRC_ROOTFS || layer < 0 || (size_t)layer >= in->nlayers)
		return NULL;
	return in->layers[layer].diff_id;
}

static void cdx_property(struct jsonw *w, const char *name, const char *value)
{
	if (!value)
		return;
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "name", name);
	jsonw_str(w, "value", value);
	jsonw_obj_end(w);
}

/* bom-refs must be unique: the purl, plus the file when one purl appears twice. */
char *hull_sbom_bom_ref(const struct hull_inventory *inv, size_t i)
{
	const struct hull_package *p = &inv->pkgs[i];
	bool dup = (i > 0 && !strcmp(inv->pkgs[i - 1].purl, p->purl)) ||
		   (i + 1 < inv->npkgs && !strcmp(inv->pkgs[i + 1].purl, p->purl));
	return dup ? xasprintf("%s#%s", p->purl, p->path) : xstrdup(p->purl);
}

static bool is_os_package(const struct hull_package *p)
{
	return !strcmp(p->type, "deb") || !strcmp(p->type, "apk") || !strcmp(p->type, "rpm");
}

static void cdx_component(struct jsonw *w, const struct hull_inspect *in,
			  const struct hull_inventory *inv, size_t i)
{
	const struct hull_package *p = &inv->pkgs[i];
	_cleanup_free_ char *ref = hull_sbom_bom_ref(inv, i);
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "bom-ref", ref);
	jsonw_str(w, "type", "library");
	jsonw_str(w, "name", p->name);
	jsonw_str(w, "version", p->version);
	if (p->licenses) {
		jsonw_arr_begin(w, "licenses");
		jsonw_obj_begin(w, NULL);
		jsonw_obj_begin(w, "license");
		jsonw_str(w, "name", p->licenses);
		jsonw_obj_end(w);
		jsonw_obj_end(w);
		jsonw_arr_end(w);
	}
	jsonw_str(w, "purl", p->purl);
	jsonw_arr_begin(w, "properties");
	cdx_property(w, "hull:package:type", p->type);
	cdx_property(w, "hull:package:ecosystem", p->ecosystem);
	cdx_property(w, "hull:package:arch", p->arch);
	cdx_property(w, "hull:package:source_name", p->source_name);
	cdx_property(w, "hull:package:source_version", p->source_version);
	cdx_property(w, "hull:location:path", p->path);
	char layer[16];
	snprintf(layer, sizeof(layer), "%d", p->layer);
	cdx_property(w, "hull:location:layer", layer);
	cdx_property(w, "hull:location:layer_diff_id", layer_diff_id(in, p->layer));
	cdx_property(w, "hull:cataloger", p->cataloger);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

/* A project's bom-ref: its lockfile. */
static char *project_ref(const struct hull_project *pr)
{
	return xasprintf("project:%s", pr->path);
}

/* The project's name: as the lockfile names it, else its directory's. */
static char *project_name(const struct hull_project *pr)
{
	if (pr->name)
		return xstrdup(pr->name);
	_cleanup_free_ char *dir = xstrdup(pr->path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	slash = strrchr(dir, '/');
	return xstrdup(slash && slash[1] ? slash + 1 : pr->path);
}

static void cdx_project(struct jsonw *w, const struct hull_inspect *in,
			const struct hull_project *pr)
{
	_cleanup_free_ char *ref = project_ref(pr);
	_cleanup_free_ char *name = project_name(pr);
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "bom-ref", ref);
	jsonw_str(w, "type", "application");
	jsonw_str(w, "name", name);
	if (pr->version)
		jsonw_str(w, "version", pr->version);
	jsonw_arr_begin(w, "properties");
	cdx_property(w, "hull:location:path", pr->path);
	char layer[16];
	snprintf(layer, sizeof(layer), "%d", pr->layer);
	cdx_property(w, "hull:location:layer", layer);
	cdx_property(w, "hull:location:layer_diff_id", layer_diff_id(in, pr->layer));
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static void cdx_depends(struct jsonw *w, const char *ref, const uint32_t *deps, uint32_t n,
			char *const *refs)
{
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "ref", ref);
	jsonw_arr_begin(w, "dependsOn");
	for (uint32_t k = 0; k < n; k++)
		jsonw_str(w, NULL, refs[deps[k]]);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

void hull_sbom_render_cyclonedx(const struct hull_inspect *in, const struct hull_inventory *inv,
				const struct hull_sbom_opts *o, struct strbuf *out)
{
	struct subject s = subject_of(in);
	char uuid[37], ts[32];
	make_uuid(&s, "cyclonedx", o->timestamp, uuid);
	timestamp(&s, o->timestamp, ts);
	_cleanup_free_ char *serial = xasprintf("urn:uuid:%s", uuid);
	_cleanup_free_ char *root_ref =
		xasprintf("%s:%s", s.is_dir ? "directory" : "image", s.digest ? s.digest : s.name);
	_cleanup_free_ char *os_ref =
		inv->os.id ? xasprintf("os:%s@%s", inv->os.id,
				       inv->os.version_id ? inv->os.version_id : "unknown")
			   : NULL;
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_obj_begin(&w, NULL);
	jsonw_str(&w, "$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
	jsonw_str(&w, "bomFormat", "CycloneDX");
	jsonw_str(&w, "specVersion", "1.6");
	jsonw_str(&w, "serialNumber", serial);
	jsonw_u64(&w, "version", 1);
	jsonw_obj_begin(&w, "metadata");
	if (o->timestamp || s.created)
		jsonw_str(&w, "timestamp", ts);
	jsonw_obj_begin(&w, "tools");
	jsonw_arr_begin(&w, "components");
	jsonw_obj_begin(&w, NULL);
	jsonw_str(&w, "type", "application");
	jsonw_str(&w, "name", "hull");
	jsonw_str(&w, "version", HULL_VERSION);
	jsonw_obj_end(&w);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_obj_begin(&w, "component");
	jsonw_str(&w, "bom-ref", root_ref);
	jsonw_str(&w, "type", s.is_dir ? "file" : "container");
	jsonw_str(&w, "name", s.name);
	if (s.digest)
		jsonw_str(&w, "version", s.digest);
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	jsonw_arr_begin(&w, "components");
	if (os_ref) {
		jsonw_obj_begin(&w, NULL);
		jsonw_str(&w, "bom-ref", os_ref);
		jsonw_str(&w, "type", "operating-system");
		jsonw_str(&w, "name", inv->os.id);
		if (inv->os.version_id)
			jsonw_str(&w, "version", inv->os.version_id);
		if (inv->os.pretty_name)
			jsonw_str(&w, "description", inv->os.pretty_name);
		jsonw_obj_end(&w);
	}
	for (size_t i = 0; i < inv->npkgs; i++)
		cdx_component(&w, in, inv, i);
	for (size_t i = 0; i < inv->nprojects; i++)
		cdx_project(&w, in, &inv->projects[i]);
	jsonw_arr_end(&w);
	/* The image holds the OS and the language packages; the OS holds its packages. */
	jsonw_arr_begin(&w, "dependencies");
	jsonw_obj_begin(&w, NULL);
	jsonw_str(&w, "ref", root_ref);
	jsonw_arr_begin(&w, "dependsOn");
	if (os_ref)
		jsonw_str(&w, NULL, os_ref);
	char **refs = xcalloc(inv->npkgs + 1, sizeof(*refs));
	for (size_t i = 0; i < inv->npkgs; i++)
		refs[i] = hull_sbom_bom_ref(inv, i);
	for (size_t i = 0; i < inv->npkgs; i++)
		if (!os_ref || !is_os_package(&inv->pkgs[i]))
			jsonw_str(&w, NULL, refs[i]);
	for (size_t i = 0; i < inv->nprojects; i++) {
		_cleanup_free_ char *ref = project_ref(&inv->projects[i]);
		jsonw_str(&w, NULL, ref);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	if (os_ref) {
		jsonw_obj_begin(&w, NULL);
		jsonw_str(&w, "ref", os_ref);
		jsonw_arr_begin(&w, "dependsOn");
		for (size_t i = 0; i < inv->npkgs; i++)
			if (is_os_package(&inv->pkgs[i]))
				jsonw_str(&w, NULL, refs[i]);
		jsonw_arr_end(&w);
		jsonw_obj_end(&w);
	}
	/* Each project on its direct dependencies, each package on its own. */
	for (size_t i = 0; i < inv->nprojects; i++) {
		const struct hull_project *pr = &inv->projects[i];
		_cleanup_free_ char *ref = project_ref(pr);
		cdx_depends(&w, ref, pr->deps, pr->ndeps, refs);
	}
	for (size_t i = 0; i < inv->npkgs; i++)
		if (inv->pkgs[i].ndeps)
			cdx_depends(&w, refs[i], inv->pkgs[i].deps, inv->pkgs[i].ndeps, refs);
	for (size_t i = 0; i < inv->npkgs; i++)
		free(refs[i]);
	free(refs);
	jsonw_arr_end(&w);
	if (o->findings)
		hull_cdx_vulnerabilities(&w, o->findings, inv);
	jsonw_obj_end(&w);
}

/* SPDX identifiers allow letters, digits, '.' and '-' only. */
static char *spdx_id(const char *kind, const char *name, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "SPDXRef-%s-", kind);
	for (const char *p = name; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '.' || *p == '-';
		strbuf_addch(&sb, ok ? *p : '-');
	}
	strbuf_addf(&sb, "-%zu", n);
	return strbuf_detach(&sb, NULL);
}

static void spdx_package(struct jsonw *w, const struct hull_inspect *in,
			 const struct hull_package *p, const char *id)
{
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "SPDXID", id);
	jsonw_str(w, "name", p->name);
	jsonw_str(w, "versionInfo", p->version);
	jsonw_str(w, "downloadLocation", "NOASSERTION");
	jsonw_bool(w, "filesAnalyzed", false);
	jsonw_str(w, "licenseConcluded", "NOASSERTION");
	jsonw_str(w, "licenseDeclared", "NOASSERTION");
	if (p->licenses) {
		_cleanup_free_ char *c = xasprintf("declared: %s", p->licenses);
		jsonw_str(w, "licenseComments", c);
	}
	jsonw_str(w, "copyrightText", "NOASSERTION");
	const char *diff = layer_diff_id(in, p->layer);
	_cleanup_free_ char *src = diff ? xasprintf("%s in layer %d (%s)", p->path, p->layer, diff)
					: xasprintf("%s", p->path);
	jsonw_str(w, "sourceInfo", src);
	jsonw_str(w, "primaryPackagePurpose", "LIBRARY");
	jsonw_arr_begin(w, "externalRefs");
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "referenceCategory", "PACKAGE-MANAGER");
	jsonw_str(w, "referenceType", "purl");
	jsonw_str(w, "referenceLocator", p->purl);
	jsonw_obj_end(w);
	jsonw_arr_end(w);
	jsonw_obj_end(w);
}

static void spdx_relationship(struct jsonw *w, const char *a, const char *type, const char *b)
{
	jsonw_obj_begin(w, NULL);
	jsonw_str(w, "spdxElementId", a);
	jsonw_str(w, "relationshipType", type);
	jsonw_str(w, "relatedSpdxElement", b);
	jsonw_obj_end(w);
}

void hull_sbom_render_spdx(const struct hull_inspect *in, const struct hull_inventory *inv,
			   const struct hull_sbom_opts *o, struct strbuf *out)
{
	struct subject s = subject_of(in);
	char uuid[37], ts[32];
	make_uuid(&s, "spdx", o->timestamp, uuid);
	timestamp(&s, o->timestamp, ts);
	_cleanup_free_ char *ns = xasprintf("https://hull.invalid/spdx/%s-%s", s.name, uuid);
	const char *root = "SPDXRef-Image";
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_obj_begin(&w, NULL);
	jsonw_str(&w, "spdxVersion", "SPDX-2.3");
	jsonw_str(&w, "dataLicense", "CC0-1.0");
	jsonw_str(&w, "SPDXID", "SPDXRef-DOCUMENT");
	jsonw_str(&w, "name", s.name);
	jsonw_str(&w, "documentNamespace", ns);
	jsonw_obj_begin(&w, "creationInfo");
	jsonw_str(&w, "created", ts);
	jsonw_arr_begin(&w, "creators");
	jsonw_str(&w, NULL, "Tool: hull-" HULL_VERSION);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	jsonw_arr_begin(&w, "packages");
	jsonw_obj_begin(&w, NULL);
	jsonw_str(&w, "SPDXID", root);
	jsonw_str(&w, "name", s.name);
	if (s.digest)
		jsonw_str(&w, "versionInfo", s.digest);
	jsonw_str(&w, "downloadLocation", "NOASSERTION");
	jsonw_bool(&w, "filesAnalyzed", false);
	jsonw_str(&w, "primaryPackagePurpose", s.is_dir ? "FILE" : "CONTAINER");
	jsonw_obj_end(&w);
	_cleanup_free_ char *os_id = inv->os.id ? spdx_id("OS", inv->os.id, 0) : NULL;
	if (os_id) {
		jsonw_obj_begin(&w, NULL);
		jsonw_str(&w, "SPDXID", os_id);
		jsonw_str(&w, "name", inv->os.id);
		if (inv->os.version_id)
			jsonw_str(&w, "versionInfo", inv->os.version_id);
		jsonw_str(&w, "downloadLocation", "NOASSERTION");
		jsonw_bool(&w, "filesAnalyzed", false);
		jsonw_str(&w, "primaryPackagePurpose", "OPERATING_SYSTEM");
		jsonw_obj_end(&w);
	}
	char **ids = xcalloc(inv->npkgs + 1, sizeof(char *));
	for (size_t i = 0; i < inv->npkgs; i++) {
		ids[i] = spdx_id("Package", inv->pkgs[i].name, i + 1);
		spdx_package(&w, in, &inv->pkgs[i], ids[i]);
	}
	char **pids = xcalloc(inv->nprojects + 1, sizeof(char *));
	for (size_t i = 0; i < inv->nprojects; i++) {
		const struct hull_project *pr = &inv->projects[i];
		_cleanup_free_ char *name = project_name(pr);
		pids[i] = spdx_id("Project", name, i + 1);
		jsonw_obj_begin(&w, NULL);
		jsonw_str(&w, "SPDXID", pids[i]);
		jsonw_str(&w, "name", name);
		if (pr->version)
			jsonw_str(&w, "versionInfo", pr->version);
		jsonw_str(&w, "downloadLocation", "NOASSERTION");
		jsonw_bool(&w, "filesAnalyzed", false);
		const char *diff = layer_diff_id(in, pr->layer);
		_cleanup_free_ char *src =
			diff ? xasprintf("%s in layer %d (%s)", pr->path, pr->layer, diff)
			     : xasprintf("%s", pr->path);
		jsonw_str(&w, "sourceInfo", src);
		jsonw_str(&w, "primaryPackagePurpose", "APPLICATION");
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_arr_begin(&w, "relationships");
	spdx_relationship(&w, "SPDXRef-DOCUMENT", "DESCRIBES", root);
	if (os_id)
		spdx_relationship(&w, root, "CONTAINS", os_id);
	for (size_t i = 0; i < inv->npkgs; i++) {
		bool under_os = os_id && is_os_package(&inv->pkgs[i]);
		spdx_relationship(&w, under_os ? os_id : root, "CONTAINS", ids[i]);
	}
	for (size_t i = 0; i < inv->nprojects; i++) {
		const struct hull_project *pr = &inv->projects[i];
		spdx_relationship(&w, root, "CONTAINS", pids[i]);
		for (uint32_t k = 0; k < pr->ndeps; k++)
			spdx_relationship(&w, pids[i], "DEPENDS_ON", ids[pr->deps[k]]);
	}
	for (size_t i = 0; i < inv->npkgs; i++)
		for (uint32_t k = 0; k < inv->pkgs[i].ndeps; k++)
			spdx_relationship(&w, ids[i], "DEPENDS_ON", ids[inv->pkgs[i].deps[k]]);
	for (size_t i = 0; i < inv->npkgs; i++)
		free(ids[i]);
	free(ids);
	for (size_t i = 0; i < inv->nprojects; i++)
		free(pids[i]);
	free(pids);
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
}

/* "depends_on": indices into "packages", when any. */
static void json_depends_on(struct jsonw *w, const uint32_t *deps, uint32_t n)
{
	if (!n)
		return;
	jsonw_arr_begin(w, "depends_on");
	for (uint32_t k = 0; k < n; k++)
		jsonw_u64(w, NULL, deps[k]);
	jsonw_arr_end(w);
}

void hull_sbom_render_json(const struct hull_inspect *in, const struct hull_inventory *inv,
			   const struct hull_sbom_opts *o, struct strbuf *out)
{
	(void)o;
	struct subject s = subject_of(in);
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_obj_begin(&w, NULL);
	jsonw_str(&w, "schema", "hull.inventory/v1");
	jsonw_obj_begin(&w, "artifact");
	jsonw_str(&w, "name", s.name);
	jsonw_str(&w, "type", s.is_dir ? "directory" : "container_image");
	jsonw_str(&w, "digest", s.digest);
	jsonw_obj_begin(&w, "os");
	jsonw_str(&w, "family", inv->os.id);
	jsonw_str(&w, "version", inv->os.version_id);
	jsonw_str(&w, "codename", inv->os.codename);
	jsonw_str(&w, "pretty_name", inv->os.pretty_name);
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	jsonw_arr_begin(&w, "packages");
	for (size_t i = 0; i < inv->npkgs; i++) {
		const struct hull_package *p = &inv->pkgs[i];
		jsonw_obj_begin(&w, NULL);
		jsonw_str(&w, "name", p->name);
		jsonw_str(&w, "version", p->version);
		jsonw_str(&w, "type", p->type);
		jsonw_str(&w, "ecosystem", p->ecosystem);
		jsonw_str(&w, "purl", p->purl);
		jsonw_str(&w, "arch", p->arch);
		jsonw_str(&w, "source_name", p->source_name);
		jsonw_str(&w, "source_version", p->source_version);
		jsonw_str(&w, "licenses", p->licenses);
		jsonw_str(&w, "path", p->path);
		jsonw_i64(&w, "layer", p->layer);
		jsonw_str(&w, "layer_diff_id", layer_diff_id(in, p->layer));
		json_depends_on(&w, p->deps, p->ndeps);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_arr_begin(&w, "projects");
	for (size_t i = 0; i < inv->nprojects; i++) {
		const struct hull_project *pr = &inv->projects[i];
		jsonw_obj_begin(&w, NULL);
		jsonw_str(&w, "path", pr->path);
		jsonw_str(&w, "name", pr->name);
		jsonw_str(&w, "version", pr->version);
		jsonw_i64(&w, "layer", pr->layer);
		jsonw_str(&w, "layer_diff_id", layer_diff_id(in, pr->layer));
		json_depends_on(&w, pr->deps, pr->ndeps);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
}

void hull_sbom_render_table(const struct hull_inspect *in, const struct hull_inventory *inv,
			    const struct hull_sbom_opts *o, struct strbuf *out)
{
	(void)o;
	struct subject s = subject_of(in);
	strbuf_addf(out, "%s", s.name);
	if (s.digest)
		strbuf_addf(out, " (%s)", s.digest);
	strbuf_addf(out, "\nOS: %s %s\n%zu packages\n\n", inv->os.id ? inv->os.id : "unknown",
		    inv->os.version_id ? inv->os.version_id : "", inv->npkgs);
	strbuf_addf(out, "%-6s %-36s %-32s %5s  %s\n", "TYPE", "NAME", "VERSION", "LAYER", "PATH");
	for (size_t i = 0; i < inv->npkgs; i++) {
		const struct hull_package *p = &inv->pkgs[i];
		strbuf_addf(out, "%-6s %-36s %-32s %5d  %s\n", p->type, p->name, p->version,
			    p->layer, p->path);
	}
}
