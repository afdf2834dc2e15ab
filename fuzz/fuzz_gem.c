/* Fuzzes the Ruby cataloger: the first byte picks gemspec or Gemfile.lock. */
#include "fuzz_pkg.h"

static const char *const paths[] = {
	"/usr/lib/ruby/gems/3.1.0/specifications/x-1.gemspec",
	"/app/Gemfile.lock",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pkg_pick(paths, sizeof(paths) / sizeof(paths[0]), data, size);
	return 0;
}
