/* Fuzzes the outer archive index (docker-archive / oci-archive tar) and the detection
 * of what the archive is, end to end through layer reading. */
#include "fuzz_util.h"
#include "layer/inspect.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	char path[256];
	snprintf(path, sizeof(path), "%s/in.tar", fuzz_scratch());
	fuzz_write(fuzz_scratch(), "in.tar", data, size);
	struct hull_inspect *in;
	struct hull_err err = {0};
	struct hull_inspect_opts o = {
		.parallel = 1, .max_layer_size = 64u << 20, .max_entries = 100000};
	if (hull_inspect_run(path, &o, &in, &err) == 0)
		hull_inspect_free(in);
	hull_err_clear(&err);
	return 0;
}
