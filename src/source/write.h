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

/* A tar (pax) written to a temporary file beside path and renamed over path by
 * hull_tar_out_close when everything went in: for oci-archive and docker-archive files.
 * hull_tar_out_close follows every hull_tar_out_open, whatever open returned. */
struct archive;
struct hull_tar_out {
	struct archive *a;
	int fd;
	char *tmp;
	const char *path;
};
typedef int (*hull_sink_fn)(void *ctx, const void *p, size_t n);
int hull_tar_out_open(struct hull_tar_out *t, const char *path,
		      struct hull_err *err) HULL_MUST_CHECK;
/* A regular file member (mode 0644) of size bytes: data when fill is NULL, else what
 * fill(ctx, sink, sink_ctx, err) passes to sink. */
int hull_tar_out_member(struct hull_tar_out *t, const char *name, uint64_t size, const void *data,
			int (*fill)(void *ctx, hull_sink_fn sink, void *sink_ctx,
				    struct hull_err *err),
			void *ctx, struct hull_err *err) HULL_MUST_CHECK;
/* Finishes the archive and commits it when rc is 0; otherwise removes it. Returns the
 * first error. */
int hull_tar_out_close(struct hull_tar_out *t, int rc, struct hull_err *err) HULL_MUST_CHECK;

/* mkdir -p */
int hull_mkdir_p(const char *path, struct hull_err *err) HULL_MUST_CHECK;

#endif
