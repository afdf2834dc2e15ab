/* libarchive is opened on first use (see archive_lazy.c); the archive_* functions hull
 * calls are defined there. */
#ifndef HULL_ARCHIVE_LAZY_H
#define HULL_ARCHIVE_LAZY_H

#include "util.h"

/* Loads libarchive.so.13 if it is not yet; an error naming what failed when it cannot be.
 * Called before the first archive_*_new of each entry point. */
int hull_archive_load(struct hull_err *err) HULL_MUST_CHECK;

#endif
