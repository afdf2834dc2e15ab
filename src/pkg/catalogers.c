/* The cataloger table: adding a format is one file and one line here. */
#include "pkg.h"

extern const struct hull_cataloger hull_cataloger_dpkg;
extern const struct hull_cataloger hull_cataloger_apk;

const struct hull_cataloger *const hull_catalogers[] = {
	&hull_cataloger_dpkg,
	&hull_cataloger_apk,
};

const size_t hull_ncatalogers = ARRAY_SIZE(hull_catalogers);
