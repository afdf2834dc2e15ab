/* See lazylib.h. */
#include "lazylib.h"

#include <dlfcn.h>
#include <stdio.h>

void *hull_lazylib_open(const char *soname, char *error, size_t size)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(error, size, "%s%s", e ? e : soname, e ? "" : ": cannot load");
	}
	return h;
}

void *hull_lazylib_sym(void *h, const char *soname, const char *name, char *error, size_t size)
{
	void *p = dlsym(h, name);
	if (!p && !error[0])
		snprintf(error, size, "%s: no symbol %s", soname, name);
	return p;
}
