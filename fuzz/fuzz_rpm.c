/* Fuzzes the rpm cataloger: the input is the database file (SQLite, Berkeley DB hash or
 * NDB; the content decides which reader runs) and the header blobs inside it. */
#include "fuzz_pkg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_pkg_file("/var/lib/rpm/Packages", data, size);
	return 0;
}
