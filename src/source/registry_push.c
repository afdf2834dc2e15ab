/* hull push: an opened image (any source with a manifest) to a registry. Blobs the
 * registry already has are skipped (HEAD); the manifest goes up byte for byte, so its
 * digest is the source's. */
#include "image.h"
#include "registry.h"

#include <string.h>

static int push_blob(struct hull_registry *reg, const char *digest, const struct hull_blob *b,
		     const void *data, size_t len, struct hull_err *err)
{
	bool have;
	int rc = hull_registry_blob_exists(reg, digest, &have, err);
	if (rc || have)
		return rc;
	return hull_registry_put_blob(reg, digest, b, data, len, err);
}

static int push_all(struct hull_image *img, struct hull_registry *reg, const struct hull_ref *ref,
		    struct hull_err *err)
{
	int rc = 0;
	for (size_t i = 0; i < img->nlayers && !rc; i++) {
		struct hull_layer_desc *l = &img->layers[i];
		if (!l->digest_known)
			return hull_err_set(err, HULL_EINPUT, "%s: layer %zu has no known digest",
					    img->source, i);
		rc = push_blob(reg, l->digest, &l->blob, NULL, 0, err);
	}
	if (!rc)
		rc = push_blob(reg, img->config_digest, NULL, img->config_raw, img->config_len,
			       err);
	if (!rc && ref->digest && strcmp(ref->digest, img->manifest_digest))
		rc = hull_err_set(err, HULL_EUSAGE,
				  "%s: the destination names digest %s but the manifest is %s",
				  img->source, ref->digest, img->manifest_digest);
	if (!rc)
		rc = hull_registry_put_manifest(reg, ref->tag ? ref->tag : img->manifest_digest,
						img->manifest_raw, img->manifest_len,
						img->manifest_media_type, err);
	return rc;
}

int hull_registry_push(struct hull_image *img, const char *dest,
		       const struct hull_registry_opts *opts, struct hull_err *err)
{
	if (!img->manifest_raw)
		return hull_err_set(err, HULL_EUSAGE,
				    "%s: no manifest to push (a classic docker-archive or rootfs: "
				    "copy it to oci: first)",
				    img->source);
	const char *r = strncmp(dest, "docker://", 9) ? dest : dest + 9;
	struct hull_ref ref;
	int rc = hull_ref_parse(r, &ref, err);
	if (rc)
		return rc;
	struct hull_registry *reg;
	rc = hull_registry_open(&ref, opts, true, dest, &reg, err);
	if (!rc) {
		rc = push_all(img, reg, &ref, err);
		hull_registry_free(reg);
	}
	hull_ref_free(&ref);
	return rc;
}
