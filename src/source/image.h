/* Internal to src/source: helpers shared by the transports. */
#ifndef HULL_SOURCE_IMAGE_H
#define HULL_SOURCE_IMAGE_H

#include "source.h"
#include "store.h"

#define MAX_JSON_BLOB (16u << 20) /* manifests, indexes, configs */

/* Parses the image config (raw bytes already read), fills os/arch/variant and the
 * layers' diff_ids (their count must equal img->nlayers). Takes ownership of raw. */
int hull_image_set_config(struct hull_image *img, char *raw, size_t len, const char *what,
			  struct hull_err *err) HULL_MUST_CHECK;

/* Index and manifest media types (OCI and Docker). */
bool hull_media_is_index(const char *mt);
bool hull_media_is_manifest(const char *mt);
/* Checks a descriptor has a valid digest and size (what names it in errors). */
int hull_check_descriptor(struct hull_image *img, json_t *d, const char *what,
			  struct hull_err *err) HULL_MUST_CHECK;
/* Fills img->layers from a manifest's layer descriptors (no bytes looked at). */
int hull_manifest_layers(struct hull_image *img, json_t *manifest,
			 struct hull_err *err) HULL_MUST_CHECK;
/* Finds every layer's blob in img->store and checks its size. */
int hull_image_attach_blobs(struct hull_image *img, struct hull_err *err) HULL_MUST_CHECK;
/* Picks the entry for want among an index's manifests (one entry without a platform
 * is taken as is); the error lists the platforms there are. */
int hull_platform_pick(const char *source, json_t *manifests, const struct hull_platform *want,
		       json_t **out, struct hull_err *err) HULL_MUST_CHECK;

int hull_oci_open(struct hull_image *img, const char *ref, const struct hull_platform *want,
		  struct hull_err *err) HULL_MUST_CHECK;
int hull_docker_archive_open(struct hull_image *img, const char *ref,
			     struct hull_err *err) HULL_MUST_CHECK;

#endif
