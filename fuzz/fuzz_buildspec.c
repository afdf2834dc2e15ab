/* Fuzzes the hull-image.yaml parser: YAML into the spec model, every key's type checks,
 * durations, modes, owners and ports. */
#include "build/spec.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct hull_bspec *s = NULL;
	struct hull_err err = {0};
	if (hull_bspec_parse("fuzz.yaml", (const char *)data, size, &s, &err) == 0) {
		for (size_t i = 0; i < s->nfiles; i++)
			if (!s->files[i].src || !s->files[i].dst || s->files[i].dst[0] != '/')
				__builtin_trap();
		hull_bspec_free(s);
	} else if (!err.msg || s) {
		__builtin_trap(); /* a failure always says why, and returns nothing */
	}
	hull_err_clear(&err);
	return 0;
}
