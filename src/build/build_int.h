/* Internal to hull build: the state of one build, shared by its steps. */
#ifndef HULL_BUILD_INT_H
#define HULL_BUILD_INT_H

#include "../layer/inspect.h"
#include "build.h"
#include "layerw.h"
#include "spec.h"

#include <jansson.h>

struct build {
	const struct hull_build_opts *o;
	struct hull_bspec *spec;
	char *spec_dir;		   /* the spec's directory, resolved (sources must stay below it) */
	int64_t epoch;		   /* SOURCE_DATE_EPOCH, git commit time, or 0 */
	char *tmp;		   /* work directory, removed at the end */
	struct hull_inspect *base; /* NULL for scratch */
	struct hull_built_layer *layers;
	size_t nlayers;
	char **debs; /* package names installed (for messages) */
	size_t ndebs;
	const struct hull_platform *pl; /* the platform being built (${ARCH} and the like) */
	char *spdx, *cdx;		/* the SBOMs the gate rendered (for referrers) */
	size_t spdx_len, cdx_len;
	struct hull_err *err;
};

/* Is id let through by --allow? */
bool hull_build_allowed(const struct build *b, const char *id);

/* files.c: the spec's files into their layers, and the system layer (users, home, /tmp,
 * CA certificates, time zones, workdir). */
int hull_build_files_layer(struct build *b, const char *layer, struct hull_layerw *w);
int hull_build_system_layer(struct build *b, struct hull_layerw *w);
/* deb.c's packages into w. */
int hull_build_debs_layer(struct build *b, struct hull_layerw *w);

/* gate.c: scans the image in the OCI layout dir (secrets, hardening checks); refuses
 * it (HULL_EINPUT) on blocking findings not allowed; renders the SBOMs into w. */
int hull_build_gate(struct build *b, const char *dir, struct hull_layerw *sbom);

/* The captured content of path in an inspected image, or NULL. */
const char *hull_build_captured(const struct hull_inspect *in, const char *path, size_t *len);

#endif
