/* A reproducible layer writer: entries are collected, then written sorted by path as a
 * tar (ustar, PAX records only where ustar cannot hold a value) compressed with zlib at
 * a fixed level, so the same entries give the same bytes and digests on any machine. */
#ifndef HULL_BUILD_LAYERW_H
#define HULL_BUILD_LAYERW_H

#include "../util/hash.h"
#include "../util/util.h"

#include <stdint.h>

/* Every tar header carries: the given mode (permission bits only), numeric uid/gid with
 * empty uname/gname, mtime = the writer's mtime, no atime/ctime, no devices. gzip: level
 * HULL_LAYERW_LEVEL, header with no name, mtime 0, OS 255. */
#define HULL_LAYERW_LEVEL 9

struct hull_layerw;

/* tmpdir: where the compressed blob is written (a temporary file, kept by finish).
 * mtime: the time put on every entry (SOURCE_DATE_EPOCH). */
int hull_layerw_new(const char *tmpdir, int64_t mtime, struct hull_layerw **out,
		    struct hull_err *err) HULL_MUST_CHECK;

/* Image paths: "/usr/bin/x" or "usr/bin/x" (stored without the leading "/", trailing "/"
 * dropped). Empty names, "." or ".." components, NUL-free but non-UTF-8 is allowed.
 * Adding a path twice is an error, except for directories: one added explicitly after
 * being implied as a parent takes the explicit mode and owner, and one added explicitly
 * twice keeps the first mode and owner. Parent directories never added explicitly are
 * written as 0755 0:0. mode: permission bits (07777). */
int hull_layerw_add_dir(struct hull_layerw *w, const char *path, unsigned mode, unsigned uid,
			unsigned gid, struct hull_err *err) HULL_MUST_CHECK;
/* data is copied. */
int hull_layerw_add_file(struct hull_layerw *w, const char *path, unsigned mode, unsigned uid,
			 unsigned gid, const void *data, size_t len,
			 struct hull_err *err) HULL_MUST_CHECK;
/* A regular file on the host, read at finish time: it must still be a regular file
 * (not followed if it became a symlink) of the size seen now, else finish fails. */
int hull_layerw_add_host_file(struct hull_layerw *w, const char *path, unsigned mode, unsigned uid,
			      unsigned gid, const char *host_path,
			      struct hull_err *err) HULL_MUST_CHECK;
/* target is stored as given (relative or absolute, inside the image). */
int hull_layerw_add_symlink(struct hull_layerw *w, const char *path, const char *target,
			    unsigned uid, unsigned gid, struct hull_err *err) HULL_MUST_CHECK;
/* A hard link to target, an image path already added (or added later) as a regular
 * file in this layer. */
int hull_layerw_add_hardlink(struct hull_layerw *w, const char *path, const char *target,
			     struct hull_err *err) HULL_MUST_CHECK;

/* Is path (image path, either spelling) already in the layer, explicitly or as an
 * implied parent? */
int hull_layerw_has(const struct hull_layerw *w, const char *path);
size_t hull_layerw_count(const struct hull_layerw *w);

struct hull_built_layer {
	char *blob_path;		   /* the gzip file written (a temp file in tmpdir) */
	char digest[HULL_DIGEST_LEN + 1];  /* "sha256:<hex>" of the gzip bytes */
	char diff_id[HULL_DIGEST_LEN + 1]; /* of the uncompressed tar */
	uint64_t size;			   /* compressed bytes */
	uint64_t uncompressed;
	char *created_by; /* for the config's history (NULL: "hull build"); owned */
};

/* Writes the layer. out->blob_path is owned by out: hull_built_layer_release unlinks
 * the file (if still there) and frees the strings. w stays to be freed. */
int hull_layerw_finish(struct hull_layerw *w, struct hull_built_layer *out,
		       struct hull_err *err) HULL_MUST_CHECK;
void hull_layerw_free(struct hull_layerw *w);
void hull_built_layer_release(struct hull_built_layer *l);

#endif
