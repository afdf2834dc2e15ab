/* Assembling a built image (a config, a base image's layers, new layers) into an OCI
 * manifest and writing it to a destination: oci:, oci-archive:, docker-archive: or
 * docker://, atomically and with canonical JSON so digests are reproducible. */
#ifndef HULL_BUILD_IMAGEW_H
#define HULL_BUILD_IMAGEW_H

#include "../source/source.h"
#include "layerw.h"

#include <jansson.h>

/* config: the image config JSON (architecture, os, variant, created, config{User, Env,
 * Entrypoint, Cmd, WorkingDir, Labels, ExposedPorts, Healthcheck, …}, history). The
 * writer sets "rootfs" (type layers, diff_ids: the base's then the new layers') and,
 * when config has no "history", writes one entry per layer (the base's history kept
 * first when it has one). config is not modified (a copy is made).
 * base: layers reused from an opened image (NULL for scratch): their blobs are read
 * from it (verified while copied). annotations (may be NULL) go on the manifest.
 * All JSON is written with sorted keys, compact.
 *
 * hull_image_assemble writes an OCI layout at dir (created; must not exist, or be an
 * empty directory) with the image tagged "latest" and returns the manifest digest.
 * The new layers' blob files are copied, not moved. */
int hull_image_assemble(const json_t *config, struct hull_image *base,
			const struct hull_built_layer *layers, size_t nlayers,
			const json_t *annotations, const char *dir, char **digest_out,
			struct hull_err *err) HULL_MUST_CHECK;

/* Copies the image in the OCI layout dir (as written by hull_image_assemble) to dest:
 * "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "docker-archive:FILE[:TAG]" or
 * "docker://REF" (ropts may be NULL). Nothing partial is left at dest on error: a new
 * oci: directory appears by rename, an existing one gets its blobs before index.json. */
int hull_image_publish(const char *dir, const char *dest, const struct hull_registry_opts *ropts,
		       struct hull_err *err) HULL_MUST_CHECK;

/* Both at once, through a temporary layout in tmpdir (NULL: $TMPDIR or /tmp). */
int hull_image_assemble_write(const json_t *config, struct hull_image *base,
			      const struct hull_built_layer *layers, size_t nlayers,
			      const json_t *annotations, const char *dest,
			      const struct hull_registry_opts *ropts, const char *tmpdir,
			      char **digest_out, struct hull_err *err) HULL_MUST_CHECK;

/* Removes a directory tree (for temporary layouts); errors are ignored. */
void hull_rm_rf(const char *path);

#endif
