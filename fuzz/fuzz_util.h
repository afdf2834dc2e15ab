/* Shared helpers for the fuzz targets: a scratch directory and file writing. */
#ifndef HULL_FUZZ_UTIL_H
#define HULL_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* A per-process scratch directory, created once, removed at exit. */
const char *fuzz_scratch(void);
/* Writes data to dir/name (creating parent directories). */
void fuzz_write(const char *dir, const char *name, const void *data, size_t len);
/* Silences hull warnings (fuzz inputs produce many). */
void fuzz_quiet(void);

#endif
