/* hull build: a hull-image.yaml spec to a reproducible, non-root image (docs/build.md).
 * The library call behind the CLI command. */
#ifndef HULL_BUILD_H
#define HULL_BUILD_H

#include "../source/source.h"

struct hull_build_opts {
	const char *spec;	  /* path of hull-image.yaml */
	const char *dest;	  /* oci:DIR[:TAG], oci-archive:, docker-archive:, docker:// */
	const char *source_url;	  /* org.opencontainers.image.source (else git) */
	const char *revision;	  /* org.opencontainers.image.revision (else git) */
	const char *const *allow; /* finding ids let through the security gate */
	size_t nallow;
	const char *platform;  /* overrides the spec's platform, or picks one of its platforms */
	bool no_sbom_referrer; /* docker:// without the SBOMs as OCI referrer artifacts */
	const struct hull_registry_opts *registry;
	const char *tmpdir; /* NULL: $TMPDIR or /tmp */
};

/* Builds and writes the image; *digest is the manifest digest, or for a spec with
 * platforms the index digest (free it). Spec and input
 * problems, and findings of the security gate, are HULL_EINPUT with one clear message;
 * nothing is written to dest then. Warnings go through hull_warn. */
int hull_build_run(const struct hull_build_opts *o, char **digest,
		   struct hull_err *err) HULL_MUST_CHECK;

#endif
