/* Blob stores: a directory (OCI layout) or an uncompressed tar (docker-archive,
 * oci-archive), both answering "where are the bytes of this relative path". */
#ifndef HULL_STORE_H
#define HULL_STORE_H

#include "source.h"

struct hull_store;

int hull_store_open_dir(const char *path, struct hull_store **out,
			struct hull_err *err) HULL_MUST_CHECK;
int hull_store_open_tar(const char *path, struct hull_store **out,
			struct hull_err *err) HULL_MUST_CHECK;
void hull_store_free(struct hull_store *st);

/* Finds relpath (relative to the layout or archive root; symlinks inside an archive are
 * followed, never outside it). HULL_ENOTFOUND if it is not there. */
int hull_store_lookup(struct hull_store *st, const char *relpath, struct hull_blob *out,
		      struct hull_err *err) HULL_MUST_CHECK;
/* Reads a small member whole (at most max bytes). */
int hull_store_read(struct hull_store *st, const char *relpath, size_t max, char **data,
		    size_t *len, struct hull_err *err) HULL_MUST_CHECK;
/* Reads a blob by digest ("blobs/sha256/<hex>"), checking its size (if size >= 0) and
 * its digest. */
int hull_store_read_digest(struct hull_store *st, const char *digest, long long size, size_t max,
			   char **data, size_t *len, struct hull_err *err) HULL_MUST_CHECK;
/* The blob path of a digest: "blobs/sha256/<hex>"; NULL for an invalid digest. */
char *hull_blob_path(const char *digest);
bool hull_store_exists(struct hull_store *st, const char *relpath);
/* Reads a whole blob range into memory (at most max bytes). */
int hull_blob_read_all(const struct hull_blob *b, size_t max, const char *name, char **data,
		       size_t *len, struct hull_err *err) HULL_MUST_CHECK;

#endif
