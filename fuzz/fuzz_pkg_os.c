/* Fuzzes the OS package catalogers and OS identity: the first byte picks the path the
 * rest of the input is offered as (dpkg status, status.d, apk installed, os-release,
 * debian_version). */
#include "fuzz_util.h"
#include "pkg/pkg.h"

#include <string.h>

static const char *const paths[] = {
	"/var/lib/dpkg/status", "/var/lib/dpkg/status.d/pkg", "/lib/apk/db/installed",
	"/etc/os-release",	"/etc/debian_version",	      "/etc/alpine-release",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_quiet();
	const char *path = paths[data[0] % (sizeof(paths) / sizeof(paths[0]))];
	struct hull_entry e = {.path = path, .size = size - 1, .type = HULL_FT_FILE};
	char *copy = xmalloc(size);
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	struct hull_captured c = {0, copy, size - 1};
	struct hull_layer l = {.entries = &e, .nentries = 1, .captured = &c, .ncaptured = 1};
	struct hull_inventory *inv;
	struct hull_err err = {0};
	if (hull_inventory_build(&l, 1, NULL, &inv, &err) == 0)
		hull_inventory_free(inv);
	hull_err_clear(&err);
	free(copy);
	return 0;
}
