/* Fuzzes the npm catalogers (package-lock.json, installed package.json, yarn.lock v1 and
 * berry, pnpm-lock.yaml): the first byte picks what the rest is offered as. */
#include "fuzz_pkg.h"

static const char *const paths[] = {
	"/app/package-lock.json",
	"/app/node_modules/@s/x/package.json",
	"/app/yarn.lock",
	"/app/pnpm-lock.yaml",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pkg_pick(paths, sizeof(paths) / sizeof(paths[0]), data, size);
	return 0;
}
