/* Multi-platform builds: the per-platform OCI layouts of hull_image_assemble combined
 * into one layout whose top entry is an OCI image index (a descriptor with "platform"
 * per image), and that layout written to oci:, oci-archive: or pushed to docker://. */
#ifndef HULL_BUILD_INDEXW_H
#define HULL_BUILD_INDEXW_H

#include "../source/source.h"

#include <jansson.h>

struct hull_index_entry {
	const char *dir;		/* an OCI layout holding one image, tagged "latest" */
	const struct hull_platform *pl; /* its platform (goes on the index descriptor) */
};

/* Writes an OCI layout at dir (must not exist) with every blob of the entries and an
 * index listing their manifests in the given order, tagged "latest"; annotations (may
 * be NULL) go on the index. All JSON canonical (sorted keys, compact), so the index
 * digest is reproducible. *digest_out (may be NULL) is the index digest. */
int hull_index_assemble(const struct hull_index_entry *e, size_t n, const json_t *annotations,
			const char *dir, char **digest_out, struct hull_err *err) HULL_MUST_CHECK;

/* Copies the layout dir (hull_index_assemble's) to dest: "oci:DIR[:TAG]" (a new
 * directory appears by rename; an existing layout gets the blobs, then index.json with
 * the tag's old entry replaced), "oci-archive:FILE[:TAG]" (temporary file, rename) or
 * "docker://REF" (every manifest and blob, then the index under REF's tag). A TAG
 * missing from oci: and oci-archive: is "latest". docker-archive: is refused (docker
 * load takes one platform). any_platform is one of the index's platforms. */
int hull_index_publish(const char *dir, const char *dest, const char *any_platform,
		       const struct hull_registry_opts *ropts,
		       struct hull_err *err) HULL_MUST_CHECK;

#endif
