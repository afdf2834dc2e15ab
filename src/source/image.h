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

int hull_oci_open(struct hull_image *img, const char *ref, const struct hull_platform *want,
		  struct hull_err *err) HULL_MUST_CHECK;
int hull_docker_archive_open(struct hull_image *img, const char *ref,
			     struct hull_err *err) HULL_MUST_CHECK;

#endif
