/* Fuzzes the PHP cataloger: the first byte picks composer.lock or installed.json. */
#include "fuzz_pkg.h"

static const char *const paths[] = {
	"/app/composer.lock",
	"/app/vendor/composer/installed.json",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pkg_pick(paths, sizeof(paths) / sizeof(paths[0]), data, size);
	return 0;
}
