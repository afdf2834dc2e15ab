/* The merged view of an image's layers: whiteouts and opaque directories applied as the
 * OCI layer spec says, the file table of what a container would see, and dive's
 * measures (wasted bytes, efficiency). */
#ifndef HULL_FS_H
#define HULL_FS_H

#include "layer.h"

struct hull_file {
	const char *path; /* absolute */
	const char *link; /* symlink target, or the hardlink's target path */
	uint64_t size;
	uint32_t mode, uid, gid;
	enum hull_ftype type;
	int layer; /* 0-based index of the layer providing it */
};

struct hull_layer_measures {
	uint64_t added, changed, removed;
	uint64_t wasted; /* bytes in this layer that are not visible in the merged view */
};

struct hull_wasted_path {
	const char *path;
	uint32_t copies; /* copies of the path in all layers (the visible one included) */
	uint64_t wasted; /* bytes of the copies that are not visible */
};

struct hull_fs {
	struct hull_file *files; /* visible entries, sorted by path (bytewise) */
	size_t nfiles;
	struct hull_layer_measures *layers;
	size_t nlayers;
	uint64_t wasted_bytes;
	double efficiency;
	struct hull_wasted_path *wasted; /* most wasted first */
	size_t nwasted;
	struct hull_fs_priv *priv;
};

int hull_fs_merge(const struct hull_layer *layers, size_t n, struct hull_fs **out,
		  struct hull_err *err) HULL_MUST_CHECK;
void hull_fs_free(struct hull_fs *fs);

/* Looks a path up in the merged view, following symlinks in every component (and in the
 * last one if follow_last), never leaving the image root. HULL_ENOTFOUND if absent;
 * HULL_EINPUT for a symlink loop. */
int hull_fs_resolve(const struct hull_fs *fs, const char *path, bool follow_last,
		    const struct hull_file **out, struct hull_err *err) HULL_MUST_CHECK;

#endif
