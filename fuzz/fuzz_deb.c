/* Fuzzes the .deb reader: the ar container, control.tar and data.tar (any compression)
 * into a layer writer, whose sorted tar+gzip output is then written too. */
#include "build/deb.h"
#include "fuzz_util.h"

#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct hull_layerw *w;
	struct hull_err err = {0};
	if (hull_layerw_new("/tmp", 0, &w, &err))
		return 0;
	struct hull_deb d;
	if (hull_deb_read("fuzz.deb", data, size, w, &d, &err) == 0) {
		struct hull_built_layer l;
		if (hull_layerw_finish(w, &l, &err) == 0)
			hull_built_layer_release(&l);
		hull_deb_release(&d);
	}
	hull_err_clear(&err);
	hull_layerw_free(w);
	return 0;
}
