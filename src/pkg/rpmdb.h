/* The rpm database containers, minus SQLite: the Berkeley DB hash "Packages" and NDB's
 * "Packages.db". Each hands every package header blob it holds to a callback; rpm.c
 * decodes the blobs. Internal to src/pkg. */
#ifndef HULL_PKG_RPMDB_H
#define HULL_PKG_RPMDB_H

#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>

typedef void (*hull_rpmdb_blob_fn)(void *ctx, const unsigned char *blob, size_t len);

/* Recognisers by magic number. */
bool hull_rpmdb_is_bdb(const unsigned char *d, size_t len);
bool hull_rpmdb_is_ndb(const unsigned char *d, size_t len);

/* Walks the database in d; returns 0, or HULL_EINPUT with err set when the file is
 * damaged (blobs found before the damage were still passed to fn). */
int hull_rpmdb_bdb(const unsigned char *d, size_t len, hull_rpmdb_blob_fn fn, void *ctx,
		   struct hull_err *err) HULL_MUST_CHECK;
int hull_rpmdb_ndb(const unsigned char *d, size_t len, hull_rpmdb_blob_fn fn, void *ctx,
		   struct hull_err *err) HULL_MUST_CHECK;

#endif
