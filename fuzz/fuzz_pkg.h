/* Shared by the language and rpm cataloger fuzz targets: offers the input as the one
 * captured file at path and builds the inventory through the public API. */
#ifndef HULL_FUZZ_PKG_H
#define HULL_FUZZ_PKG_H

#include "fuzz_util.h"
#include "pkg/pkg.h"

#include <string.h>

static inline void fuzz_pkg_file(const char *path, const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct hull_entry e = {.path = path, .size = size, .type = HULL_FT_FILE};
	/* An exact-size heap copy, so ASan sees any read past the captured bytes. */
	char *copy = xmalloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	struct hull_captured c = {0, copy, size};
	struct hull_layer l = {.entries = &e, .nentries = 1, .captured = &c, .ncaptured = 1};
	struct hull_inventory *inv;
	struct hull_err err = {0};
	if (hull_inventory_build(&l, 1, NULL, &inv, &err) == 0)
		hull_inventory_free(inv);
	hull_err_clear(&err);
	free(copy);
}

/* The first input byte picks one of n paths; the rest is the file. */
static inline void fuzz_pkg_pick(const char *const *paths, size_t n, const uint8_t *data,
				 size_t size)
{
	if (size < 1)
		return;
	fuzz_pkg_file(paths[data[0] % n], data + 1, size - 1);
}

#endif
