/* Fuzzes the Rust cataloger: Cargo.lock, or a binary with a cargo-auditable .dep-v0
 * section; the first byte picks which. */
#include "fuzz_pkg.h"

static const char *const paths[] = {
	"/src/Cargo.lock",
	"/app/server",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pkg_pick(paths, sizeof(paths) / sizeof(paths[0]), data, size);
	return 0;
}
