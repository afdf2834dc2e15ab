/* Fuzzes the hull-image.yaml parser: YAML into the spec model, every key's type checks,
 * durations, modes, owners and ports. */
#include "build/spec.h"
#include "fuzz_util.h"
#include "source/source.h"

#include <stdlib.h>
#include <string.h>

/* ${…} substitution for a few platforms: never longer than the platform string allows. */
static void subst_all(const char *in)
{
	static const char *const pfs[] = {"linux/amd64", "linux/arm/v7", "windows/386"};
	for (size_t k = 0; k < sizeof(pfs) / sizeof(pfs[0]); k++) {
		struct hull_platform pl;
		if (hull_platform_parse(pfs[k], &pl))
			__builtin_trap();
		char *out = hull_bspec_subst(in, &pl);
		if (!out || strlen(out) > strlen(in) * 5 + 16)
			__builtin_trap();
		free(out);
		hull_platform_free(&pl);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct hull_bspec *s = NULL;
	struct hull_err err = {0};
	if (hull_bspec_parse("fuzz.yaml", (const char *)data, size, &s, &err) == 0) {
		for (size_t i = 0; i < s->nfiles; i++)
			if (!s->files[i].src || !s->files[i].dst || s->files[i].dst[0] != '/')
				__builtin_trap();
		for (size_t i = 0; i < s->nfiles; i++)
			subst_all(s->files[i].src);
		for (size_t i = 0; i < s->debs.n; i++)
			subst_all(s->debs.v[i]);
		for (size_t i = 0; i < s->platforms.n; i++) {
			struct hull_platform pl;
			if (hull_platform_parse(s->platforms.v[i], &pl))
				__builtin_trap(); /* the parser checked them */
			hull_platform_free(&pl);
		}
		hull_bspec_free(s);
	} else if (!err.msg || s) {
		__builtin_trap(); /* a failure always says why, and returns nothing */
	}
	hull_err_clear(&err);
	return 0;
}
