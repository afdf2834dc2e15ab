/* hull slim as a library call: keep only what an image's entrypoint needs (its ELF
 * interpreter and libraries, script interpreters, --include paths, passwd/group) and
 * write it as a single-layer image with the original config (see docs/slim.md). */
#ifndef HULL_BUILD_SLIM_H
#define HULL_BUILD_SLIM_H

#include "../layer/inspect.h"
#include "../util/strbuf.h"

#include <stdbool.h>
#include <stdint.h>

#define HULL_SLIM_UID 65532 /* the non-root user (distroless' "nonroot") */

struct hull_slim_opts {
	struct hull_inspect_opts io; /* platform, limits and registry of the source */
	const char *const *includes; /* PATH or GLOB ("**" spans directories) */
	size_t nincludes;
	bool keep_user;			       /* keep the config's User (else 65532:65532) */
	const struct hull_registry_opts *push; /* for a docker:// destination */
	const char *tmpdir;		       /* NULL: $TMPDIR or /tmp */
};

struct hull_slim_kept {
	char *path;
	const char *type; /* "file", "dir", "symlink" */
	uint64_t size;
	char *why; /* "entrypoint", "needed by /usr/bin/jq", "include /etc/ssl/certs", … */
};

struct hull_slim_result {
	uint64_t files_before, bytes_before; /* non-directory entries, regular file bytes */
	uint64_t files_after, bytes_after;
	uint64_t layers_before, tar_before, tar_after; /* uncompressed layer bytes */
	char *user;				       /* the User of the written config */
	char *digest;				       /* manifest digest */
	struct hull_slim_kept *kept;		       /* sorted by path */
	size_t nkept;
};

/* Reads source, decides what to keep and writes the slim image to dest
 * ("oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "docker-archive:FILE[:TAG]",
 * "docker://REF"). Nothing is written to dest on error. */
int hull_slim_run(const char *source, const char *dest, const struct hull_slim_opts *opts,
		  struct hull_slim_result **out, struct hull_err *err) HULL_MUST_CHECK;
void hull_slim_result_free(struct hull_slim_result *r);

/* Text summary (files and bytes before/after) and the JSON report (hull.slim/v1). */
void hull_slim_render_text(const struct hull_slim_result *r, const char *source, const char *dest,
			   struct strbuf *out);
void hull_slim_render_json(const struct hull_slim_result *r, const char *source, const char *dest,
			   struct strbuf *out);

#endif
