/* hull inspect as a library call: open an image, read and verify its layers, merge. */
#ifndef HULL_INSPECT_H
#define HULL_INSPECT_H

#include "fs.h"

struct hull_inspect_opts {
	const char *platform;
	const struct hull_registry_opts *registry; /* docker:// sources */
	unsigned parallel;
	uint64_t max_layer_size;
	uint64_t max_entries;
	const struct hull_capture *capture; /* file contents to keep (catalogers) */
	const struct hull_scan_hook *scan;  /* file contents to scan as they stream (secrets) */
	const struct hull_progress_hook *progress; /* downloads and layer reads (may be NULL) */
};

/* How long each step took, for --debug. */
struct hull_inspect_times {
	double open_ms, layers_ms, merge_ms;
};

struct hull_inspect {
	struct hull_image *img;
	struct hull_layer *layers;
	size_t nlayers;
	struct hull_fs *fs;
	struct hull_inspect_times times;
};

int hull_inspect_run(const char *source, const struct hull_inspect_opts *opts,
		     struct hull_inspect **out, struct hull_err *err) HULL_MUST_CHECK;
void hull_inspect_free(struct hull_inspect *in);

#endif
