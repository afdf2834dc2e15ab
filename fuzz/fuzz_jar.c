/* Fuzzes the Java cataloger: a jar (zip, nested archives, pom.properties, MANIFEST.MF)
 * or an exploded pom.properties; the first byte picks which. */
#include "fuzz_pkg.h"

static const char *const paths[] = {
	"/app/lib/app.jar",
	"/app/META-INF/maven/g/a/pom.properties",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pkg_pick(paths, sizeof(paths) / sizeof(paths[0]), data, size);
	return 0;
}
