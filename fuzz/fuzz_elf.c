/* Fuzzes the ELF reader of hull slim: any bytes give a parse (whose strings are
 * NUL-terminated and within the cap) or an HULL_EINPUT error naming the file. */
#include "build/elf.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_elf e;
	struct hull_err err = {0};
	int rc = hull_elf_parse(data, size, "/fuzz", &e, &err);
	if (rc) {
		if (rc != HULL_EINPUT || !err.msg || strncmp(err.msg, "/fuzz: ", 7))
			abort();
		if (e.needed || e.interp || e.nneeded)
			abort(); /* nothing half-filled on error */
		hull_err_clear(&err);
		return 0;
	}
	if (e.nneeded > HULL_ELF_MAX_NEEDED || (e.interp && !e.interp[0]))
		abort();
	size_t total = 0;
	for (size_t i = 0; i < e.nneeded; i++)
		total += strlen(e.needed[i]);
	if (total > (size_t)HULL_ELF_MAX_NEEDED * size + size)
		abort();
	hull_elf_release(&e);
	return 0;
}
