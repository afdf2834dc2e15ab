/* Layers: decompress (gzip via isa-l, zstd, plain), verify digests, and list the tar
 * entries of each layer without extracting anything; then merge layers into one view. */
#ifndef HULL_LAYER_H
#define HULL_LAYER_H

#include "../source/source.h"
#include "../util/arena.h"
#include "../util/progress.h"

#include <stdatomic.h>

enum hull_ftype {
	HULL_FT_FILE,
	HULL_FT_DIR,
	HULL_FT_SYMLINK,
	HULL_FT_HARDLINK,
	HULL_FT_CHAR,
	HULL_FT_BLOCK,
	HULL_FT_FIFO,
	HULL_FT_SOCKET,
	HULL_FT_WHITEOUT, /* ".wh.NAME": removes path from lower layers */
	HULL_FT_OPAQUE,	  /* ".wh..wh..opq": hides lower layers' children of path */
};

const char *hull_ftype_name(enum hull_ftype t);

struct hull_entry {
	const char *path; /* absolute, clean ("/usr/bin/env") */
	const char *link; /* symlink target as stored; hardlink target as an absolute path */
	uint64_t size;
	uint32_t mode; /* permission bits incl. setuid/setgid/sticky (07777) */
	uint32_t uid, gid;
	uint8_t type; /* enum hull_ftype */
};

enum hull_compression { HULL_COMP_NONE, HULL_COMP_GZIP, HULL_COMP_ZSTD };

/* The content of a file a layer read was asked to keep (see struct hull_capture). */
struct hull_captured {
	size_t entry; /* index into the layer's entries */
	char *data;   /* NUL-terminated for convenience; len excludes the NUL */
	size_t len;
};

struct hull_layer {
	struct hull_entry *entries; /* in tar order */
	size_t nentries, cap;
	struct hull_captured *captured; /* kept contents, in tar order */
	size_t ncaptured, captured_cap;
	struct arena arena;		   /* paths and link targets */
	char digest[HULL_DIGEST_LEN + 1];  /* of the stored bytes */
	char diff_id[HULL_DIGEST_LEN + 1]; /* of the uncompressed tar */
	uint64_t size, uncompressed_size;
	enum hull_compression compression;
};

/* Which file contents a layer read keeps, for catalogers and scanners that need more
 * than metadata. Contents are read in the same single pass over the layer. */
struct hull_capture {
	/* True to keep the content of the regular file at path (absolute), of size bytes. */
	bool (*want)(const char *path, uint64_t size, void *ctx);
	/* Optional: once read, whether to keep it after all (e.g. only ELF files with Go
	 * build info among the many files in /usr/bin); NULL keeps every wanted file. */
	bool (*keep)(const char *path, const char *data, size_t len, void *ctx);
	void *ctx;
	uint64_t max_file;  /* a wanted file larger than this is skipped with a warning */
	uint64_t max_total; /* per layer; past it, wanted files are skipped with a warning */
};

/* A scanner that sees file contents as the layer streams by, in the layer's worker
 * thread, without keeping them (secrets). begin/end bracket one layer and give the
 * per-layer state scan() gets; different layers run concurrently, so anything shared
 * must be locked by the scanner. */
struct hull_scan_hook {
	bool (*want)(const char *path, uint64_t size, void *ctx);
	void *(*begin)(void *ctx, int layer);
	void (*scan)(void *layer_state, const struct hull_entry *e, const char *data, size_t len);
	void (*end)(void *ctx, void *layer_state);
	void *ctx;
	uint64_t max_file; /* larger wanted files are skipped (with a warning) */
};

#define HULL_DEFAULT_CAPTURE_FILE  (64ULL << 20)
#define HULL_DEFAULT_CAPTURE_TOTAL (1ULL << 30)

struct hull_layer_opts {
	const struct hull_capture *capture; /* NULL: keep no contents */
	const struct hull_scan_hook *scan;  /* NULL: no content scanner */
	int layer;			    /* index passed to scan->begin */
	uint64_t max_size;		/* decompressed-size cap per layer (0: default 32 GiB) */
	uint64_t max_entries;		/* cap over all layers (0: default 10,000,000) */
	atomic_uint_fast64_t *nentries; /* shared entry counter across layers (may be NULL) */
	const char *name;		/* names the layer in errors and warnings */
	bool pipeline; /* hash on a helper thread (when cores would otherwise idle) */
	/* Stored bytes as they are read (a directory: one item per file, its size). */
	const struct hull_progress_hook *progress;
};

#define HULL_DEFAULT_MAX_LAYER_SIZE (32ULL << 30)
#define HULL_DEFAULT_MAX_ENTRIES    10000000ULL

/* Reads one layer stream (any compression) into *out (zeroed by the caller). */
int hull_layer_read(struct hull_reader *rd, const struct hull_layer_opts *opts,
		    struct hull_layer *out, struct hull_err *err) HULL_MUST_CHECK;
/* Reads a directory tree (rootfs:) as one layer, without following symlinks. */
int hull_layer_read_dir(const char *dir, const struct hull_layer_opts *opts, struct hull_layer *out,
			struct hull_err *err) HULL_MUST_CHECK;
void hull_layer_release(struct hull_layer *l);

/* Reads every layer of img, in parallel, verifying each stored digest against the
 * manifest (where known) and each DiffID against the config. */
struct hull_read_opts {
	unsigned parallel; /* 0: one worker per core */
	const struct hull_capture *capture;
	const struct hull_scan_hook *scan;
	uint64_t max_layer_size;
	uint64_t max_entries;
	/* A phase "reading layers" (layers and stored bytes) or "reading files". */
	const struct hull_progress_hook *progress;
};
int hull_image_read_layers(struct hull_image *img, const struct hull_read_opts *opts,
			   struct hull_layer **out, size_t *nout,
			   struct hull_err *err) HULL_MUST_CHECK;
void hull_layers_free(struct hull_layer *layers, size_t n);

#endif
