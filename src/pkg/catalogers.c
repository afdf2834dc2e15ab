/* The cataloger table: adding a format is one file and one line here. */
#include "pkg.h"

extern const struct hull_cataloger hull_cataloger_dpkg;
extern const struct hull_cataloger hull_cataloger_apk;
extern const struct hull_cataloger hull_cataloger_rpm;
extern const struct hull_cataloger hull_cataloger_python;
extern const struct hull_cataloger hull_cataloger_gem;
extern const struct hull_cataloger hull_cataloger_composer;
extern const struct hull_cataloger hull_cataloger_gobinary;
extern const struct hull_cataloger hull_cataloger_gomod;
extern const struct hull_cataloger hull_cataloger_npm;
extern const struct hull_cataloger hull_cataloger_yarn;
extern const struct hull_cataloger hull_cataloger_pnpm;
extern const struct hull_cataloger hull_cataloger_java;
extern const struct hull_cataloger hull_cataloger_cargo;

const struct hull_cataloger *const hull_catalogers[] = {
	&hull_cataloger_dpkg,	  &hull_cataloger_apk,	 &hull_cataloger_rpm,
	&hull_cataloger_python,	  &hull_cataloger_gem,	 &hull_cataloger_composer,
	&hull_cataloger_gobinary, &hull_cataloger_gomod, &hull_cataloger_npm,
	&hull_cataloger_yarn,	  &hull_cataloger_pnpm,	 &hull_cataloger_java,
	&hull_cataloger_cargo,
};

const size_t hull_ncatalogers = ARRAY_SIZE(hull_catalogers);
