/* dlopen and dlsym for the libraries hull opens on first use (curl_lazy.c,
 * archive_lazy.c): a failure's reason goes to error, for the one-line message their
 * callers print. */
#ifndef HULL_LAZYLIB_H
#define HULL_LAZYLIB_H

#include <stddef.h>

/* The handle of soname (RTLD_NOW, RTLD_LOCAL), or NULL with dlerror's words in error. */
void *hull_lazylib_open(const char *soname, char *error, size_t size);
/* name in h, or NULL with "SONAME: no symbol NAME" in error (a first error is kept). */
void *hull_lazylib_sym(void *h, const char *soname, const char *name, char *error, size_t size);

#endif
