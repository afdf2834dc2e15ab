/* Fuzzes the Go catalogers: build info in an ELF binary (the ELF section and segment
 * lookups included) and go.mod; the first byte picks which. */
#include "fuzz_pkg.h"

static const char *const paths[] = {
	"/usr/bin/server",
	"/src/go.mod",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pkg_pick(paths, sizeof(paths) / sizeof(paths[0]), data, size);
	return 0;
}
