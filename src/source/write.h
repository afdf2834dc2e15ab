/* Writing an opened image to a local destination: an OCI layout directory, or a
 * docker-archive tar (Docker >= 25's shape: manifest.json over an OCI layout). */
#ifndef HULL_WRITE_H
#define HULL_WRITE_H

#include "source.h"

/* dest is "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]" (an OCI layout in a tar) or
 * "docker-archive:FILE[:TAG]" (the same plus docker load's manifest.json). The image must have a
 * manifest. Every blob is verified as it is copied; nothing half-written is left. */
int hull_image_write(struct hull_image *img, const char *dest,
		     struct hull_err *err) HULL_MUST_CHECK;

/* Adds desc (taken over) to DIR/index.json, written atomically: the existing index (or a
 * new one) minus entries named tag, plus desc with the ref-name annotation tag (none when
 * tag is NULL). */
int hull_layout_index_put(const char *dir, json_t *desc, const char *tag,
			  struct hull_err *err) HULL_MUST_CHECK;

/* mkdir -p */
int hull_mkdir_p(const char *path, struct hull_err *err) HULL_MUST_CHECK;

#endif
