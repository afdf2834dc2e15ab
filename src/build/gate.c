/* hull build's security gate: the built image goes through the same scanners as
 * 'hull image' (secrets in every file and the config, hardening checks) before anything
 * is written; blocking findings refuse the build unless --allow names them. The same
 * pass catalogues the packages for the SBOMs shipped in the image. */
#include "../checks/checks.h"
#include "../pkg/pkg.h"
#include "../report/findings.h"
#include "../report/sbom.h"
#include "../secret/scan.h"
#include "build_int.h"

#include <string.h>

#define SBOM_DIR "/usr/share/hull"

/* Hardening checks that refuse a build (the rest of HIGH/MEDIUM are warnings). */
static const char *const blocking_checks[] = {
	"HULL-IMG-007", /* setuid/setgid */
	"HULL-IMG-008", /* world-writable */
	"HULL-IMG-009", /* .git */
	"HULL-IMG-012", /* credential files */
	"HULL-IMG-013", /* password hashes */
};

bool hull_build_allowed(const struct build *b, const char *id)
{
	for (size_t i = 0; i < b->o->nallow; i++)
		if (!strcasecmp(b->o->allow[i], id))
			return true;
	return false;
}

const char *hull_build_captured(const struct hull_inspect *in, const char *path, size_t *len)
{
	const struct hull_file *f;
	struct hull_err err = {0};
	if (hull_fs_resolve(in->fs, path, true, &f, &err)) {
		hull_err_clear(&err);
		return NULL;
	}
	const struct hull_layer *l = &in->layers[f->layer];
	for (size_t i = 0; i < l->ncaptured; i++) {
		if (!strcmp(l->entries[l->captured[i].entry].path, f->path)) {
			if (len)
				*len = l->captured[i].len;
			return l->captured[i].data;
		}
	}
	return NULL;
}

static bool want(const char *path, uint64_t size, void *ctx)
{
	(void)ctx;
	return hull_pkg_wanted(path, size, NULL) || hull_checks_wanted(path, size, NULL);
}

static bool keep(const char *path, const char *data, size_t len, void *ctx)
{
	(void)ctx;
	return hull_checks_wanted(path, len, NULL) || hull_pkg_keep(path, data, len, NULL);
}

static bool is_blocking(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(blocking_checks); i++)
		if (!strcmp(blocking_checks[i], id))
			return true;
	return false;
}

static int check_secrets(struct build *b, const struct hull_secret_results *r)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct hull_secret_finding *s = &r->f[i];
		if (hull_build_allowed(b, s->rule->id))
			continue;
		return hull_err_set(b->err, HULL_EINPUT,
				    "%s%s%u: refused: %s (%s) found by the secret scanner; remove "
				    "it, or pass --allow %s",
				    s->path, s->line ? ":" : "", s->line, s->rule->title,
				    s->rule->id, s->rule->id);
	}
	return 0;
}

static int check_findings(struct build *b, const struct hull_findings *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct hull_finding *f = &l->v[i];
		if (hull_build_allowed(b, f->id))
			continue;
		if (is_blocking(f->id))
			return hull_err_set(b->err, HULL_EINPUT,
					    "refused: %s (%s: %s); pass --allow %s to build anyway",
					    f->message ? f->message : f->title, f->id, f->title,
					    f->id);
		if (f->severity == HULL_SEV_HIGH || f->severity == HULL_SEV_MEDIUM ||
		    f->severity == HULL_SEV_CRITICAL)
			hull_warn("%s (%s: %s)", f->message ? f->message : f->title, f->id,
				  f->title);
	}
	return 0;
}

/* The SBOMs of the scanned image, named by the image title (not the temporary path),
 * so they are the same wherever the build runs. */
static int add_sboms(struct build *b, struct hull_inspect *in, const struct hull_inventory *inv,
		     struct hull_layerw *w)
{
	struct hull_image *img = in->img;
	free(img->source);
	img->source = xstrdup("hull-build");
	for (size_t i = 0; i < b->spec->nannotations; i++)
		if (!strcmp(b->spec->annotations[i].key, "org.opencontainers.image.title")) {
			free(img->source);
			img->source = xstrdup(b->spec->annotations[i].val);
		}
	for (size_t i = 0; i < img->nrepo_tags; i++)
		free(img->repo_tags[i]);
	img->nrepo_tags = 0;
	struct hull_sbom_opts so = {0};
	struct strbuf spdx = STRBUF_INIT, cdx = STRBUF_INIT;
	hull_sbom_render_spdx(in, inv, &so, &spdx);
	hull_sbom_render_cyclonedx(in, inv, &so, &cdx);
	int rc = hull_layerw_add_file(w, SBOM_DIR "/sbom.spdx.json", 0644, 0, 0, spdx.buf, spdx.len,
				      b->err);
	if (!rc)
		rc = hull_layerw_add_file(w, SBOM_DIR "/sbom.cdx.json", 0644, 0, 0, cdx.buf,
					  cdx.len, b->err);
	free(b->spdx);
	free(b->cdx);
	b->spdx_len = spdx.len;
	b->cdx_len = cdx.len;
	b->spdx = strbuf_detach(&spdx, NULL);
	b->cdx = strbuf_detach(&cdx, NULL);
	return rc;
}

int hull_build_gate(struct build *b, const char *dir, struct hull_layerw *sbom)
{
	struct hull_secret_results secrets = {0};
	int rc = hull_secret_results_init(&secrets, b->err);
	if (rc)
		return rc;
	struct hull_scan_hook hook = hull_secret_hook(&secrets);
	struct hull_capture cap = {.want = want, .keep = keep};
	struct hull_inspect_opts io = {.capture = &cap, .scan = &hook};
	_cleanup_free_ char *src = xasprintf("oci:%s", dir);
	struct hull_inspect *in = NULL;
	struct hull_inventory *inv = NULL;
	rc = hull_inspect_run(src, &io, &in, b->err);
	if (!rc)
		rc = hull_inventory_build(in->layers, in->nlayers, in->fs, &inv, b->err);
	struct hull_findings l = HULL_FINDINGS_INIT;
	if (!rc) {
		hull_secret_scan_config(&secrets, in->img->config);
		hull_secret_finish(&secrets, in->fs);
		rc = check_secrets(b, &secrets);
	}
	if (!rc) {
		hull_checks_run(in, NULL, &l);
		hull_findings_sort(&l);
		rc = check_findings(b, &l);
	}
	if (!rc)
		rc = add_sboms(b, in, inv, sbom);
	hull_findings_free(&l);
	hull_inventory_free(inv);
	hull_inspect_free(in);
	hull_secret_results_release(&secrets);
	return rc;
}
