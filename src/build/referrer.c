/* Referrer artifacts on push: blobs, the artifact manifest by digest, then (when the
 * registry does not say it indexed the subject) the referrers tag schema's index. All
 * JSON canonical, so the same SBOM gives the same artifact digest. */
#include "referrer.h"
#include "../source/registry.h"
#include "../util/hash.h"
#include "../util/json.h"

#include <string.h>

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_INDEX    "application/vnd.oci.image.index.v1+json"
#define OCI_EMPTY    "application/vnd.oci.empty.v1+json"
#define EMPTY_DIGEST "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define JSON_FLAGS   (JSON_SORT_KEYS | JSON_COMPACT)
#define MAX_INDEX    (16u << 20)

static int push_blob(struct hull_registry *reg, const char *digest, const void *data, size_t len,
		     struct hull_err *err)
{
	bool have;
	int rc = hull_registry_blob_exists(reg, digest, &have, err);
	if (rc || have)
		return rc;
	return hull_registry_put_blob(reg, digest, NULL, data, len, err);
}

static json_t *artifact_manifest(const struct hull_referrer *r, const char *blob_digest,
				 const char *created)
{
	json_t *layer = json_pack("{s:s, s:s, s:I, s:{s:s}}", "mediaType", r->artifact_type,
				  "digest", blob_digest, "size", (json_int_t)r->len, "annotations",
				  "org.opencontainers.image.title", r->title);
	return json_pack("{s:i, s:s, s:s, s:{s:s, s:s, s:i}, s:[o], s:{s:s, s:s, s:I}, s:{s:s}}",
			 "schemaVersion", 2, "mediaType", OCI_MANIFEST, "artifactType",
			 r->artifact_type, "config", "mediaType", OCI_EMPTY, "digest", EMPTY_DIGEST,
			 "size", 2, "layers", layer, "subject", "mediaType", r->subject_media_type,
			 "digest", r->subject_digest, "size", (json_int_t)r->subject_size,
			 "annotations", "org.opencontainers.image.created", created);
}

/* The referrers tag schema: the tag is "<alg>-<encoded>" of the subject's digest. */
static int update_referrers_tag(struct hull_registry *reg, const struct hull_referrer *r,
				const char *digest, size_t size, const char *created,
				struct hull_err *err)
{
	_cleanup_free_ char *tag = xstrdup(r->subject_digest);
	*strchr(tag, ':') = '-';
	char *raw = NULL, *mt = NULL, *dg = NULL;
	size_t len = 0;
	json_t *idx = NULL;
	int rc = hull_registry_get_manifest(reg, tag, &raw, &len, &mt, &dg, err);
	if (rc == HULL_ENOTFOUND) {
		hull_err_clear(err);
		rc = 0;
	} else if (!rc) {
		struct hull_err perr = {0};
		if (hull_json_parse(raw, len, tag, &idx, &perr))
			idx = NULL; /* not an index: the spec says to take it as no referrers */
		hull_err_clear(&perr);
		if (idx && !json_is_array(json_object_get(idx, "manifests"))) {
			json_decref(idx);
			idx = NULL;
		}
	}
	free(raw);
	free(mt);
	free(dg);
	if (rc)
		return rc;
	if (!idx)
		idx = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", OCI_INDEX,
				"manifests");
	json_t *ms = json_object_get(idx, "manifests");
	for (size_t i = json_array_size(ms); i-- > 0;) {
		const char *d = json_string_value(json_object_get(json_array_get(ms, i), "digest"));
		if (d && !strcmp(d, digest))
			json_array_remove(ms, i);
	}
	json_array_append_new(
		ms, json_pack("{s:s, s:s, s:I, s:s, s:{s:s}}", "mediaType", OCI_MANIFEST, "digest",
			      digest, "size", (json_int_t)size, "artifactType", r->artifact_type,
			      "annotations", "org.opencontainers.image.created", created));
	char *out = json_dumps(idx, JSON_FLAGS);
	json_decref(idx);
	rc = hull_registry_put_manifest(reg, tag, out, strlen(out), OCI_INDEX, err);
	free(out);
	return rc;
}

static int push_one(struct hull_registry *reg, const struct hull_referrer *r, const char *created,
		    struct hull_err *err)
{
	char bd[HULL_DIGEST_LEN + 1], md[HULL_DIGEST_LEN + 1];
	hull_sha256_buf(r->data, r->len, bd);
	int rc = push_blob(reg, EMPTY_DIGEST, "{}", 2, err);
	if (!rc)
		rc = push_blob(reg, bd, r->data, r->len, err);
	if (rc)
		return rc;
	json_t *m = artifact_manifest(r, bd, created);
	char *raw = json_dumps(m, JSON_FLAGS);
	json_decref(m);
	size_t len = strlen(raw);
	hull_sha256_buf(raw, len, md);
	char *subject = NULL;
	rc = hull_registry_put_manifest_subject(reg, md, raw, len, OCI_MANIFEST, &subject, err);
	free(raw);
	if (!rc && !(subject && !strcmp(subject, r->subject_digest)))
		rc = update_referrers_tag(reg, r, md, len, created, err);
	free(subject);
	return rc;
}

int hull_referrers_push(const char *dest, const struct hull_registry_opts *ropts,
			const struct hull_referrer *r, size_t n, const char *created,
			struct hull_err *err)
{
	const char *s = strncmp(dest, "docker://", 9) ? dest : dest + 9;
	struct hull_ref ref;
	int rc = hull_ref_parse(s, &ref, err);
	if (rc)
		return rc;
	struct hull_registry *reg = NULL;
	rc = hull_registry_open(&ref, ropts, true, dest, &reg, err);
	for (size_t i = 0; i < n && !rc; i++)
		rc = push_one(reg, &r[i], created, err);
	if (rc)
		hull_err_prefix(err, "%s: pushing the SBOM referrer", dest);
	hull_registry_free(reg);
	hull_ref_free(&ref);
	return rc;
}
