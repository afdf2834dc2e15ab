/* Fuzzes the Python cataloger: the first byte picks what the rest is offered as. */
#include "fuzz_pkg.h"

static const char *const paths[] = {
	"/usr/lib/python3/dist-packages/x-1.dist-info/METADATA",
	"/usr/lib/python3/dist-packages/x-1.egg-info",
	"/app/requirements.txt",
	"/app/Pipfile.lock",
	"/app/poetry.lock",
	"/app/uv.lock",
	"/usr/lib/python3/dist-packages/x-1.egg-info/requires.txt",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pkg_pick(paths, sizeof(paths) / sizeof(paths[0]), data, size);
	return 0;
}
