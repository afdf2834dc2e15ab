/* Attribution of image findings: does the finding's layer belong to the base image (from
 * --base SOURCE, or from the history, helped by the org.opencontainers.image.base.*
 * annotations), and which Dockerfile instruction made it (--dockerfile). The rules are
 * in docs/policy.md. */
#ifndef HULL_REPORT_ATTRIB_H
#define HULL_REPORT_ATTRIB_H

#include "../source/source.h"
#include "findings.h"

#include <jansson.h>

struct hull_attrib_opts {
	const char *base_source;	   /* --base SOURCE, or NULL */
	const struct hull_open_opts *open; /* how to open it (platform, registry) */
	const char *dockerfile;		   /* --dockerfile FILE, or NULL */
};

/* How the base was found, for docs and tests. */
enum hull_base_method {
	HULL_BASE_BY_NONE = 0,
	HULL_BASE_BY_IMAGE,	  /* --base: shared diff_ids */
	HULL_BASE_BY_HISTORY,	  /* the CMD/ENTRYPOINT boundary in the history */
	HULL_BASE_BY_ANNOTATIONS, /* annotations + the builder-comment boundary */
};

struct hull_attrib {
	enum hull_base_method method;
	size_t nlayers;
	enum hull_base *layer_base; /* per layer */
	long *layer_hist;	    /* per layer: the history entry that made it, or -1 */
	size_t nhist;
	enum hull_base *hist_base; /* per history entry */
	size_t *hist_line;	   /* per history entry: Dockerfile line, 0 when unknown */
	char *dockerfile;
};

/* The last history entry of the base image, by the history alone: trailing entries
 * without a layer are skipped, then the nearest earlier CMD or ENTRYPOINT entry without a
 * layer (classic "/bin/sh -c #(nop)  CMD …" or BuildKit "CMD …") ends the base. With
 * annotated set (the manifest names a base) and no such entry, the base ends before the
 * trailing run of "buildkit.dockerfile.v0" entries when earlier entries were made by
 * another builder. Returns the index, or -1 when the history does not say. */
long hull_attrib_history_boundary(json_t *history, bool annotated);

/* Matches history entries to the instructions of the Dockerfile's final stage (preceded by
 * the stages it is built FROM by name, back to an external image), from the last entry
 * backwards (see docs/policy.md); fills line[i] (0 when unmatched) for each of
 * the n entries. Entries at or before stop (-1: none) are not matched. Returns the number
 * matched, or HULL_EINPUT (err set) when the Dockerfile cannot be read as text. */
int hull_attrib_dockerfile_map(json_t *history, const char *name, const char *text, size_t len,
			       long stop, size_t *line, struct hull_err *err);

/* Computes the attribution of img's layers and history entries. */
int hull_attrib_compute(const struct hull_image *img, const struct hull_attrib_opts *o,
			struct hull_attrib *out, struct hull_err *err) HULL_MUST_CHECK;
/* Sets base, dockerfile and dockerfile_line on every finding with a layer (or a path
 * "history[N]…"). */
void hull_attrib_apply(const struct hull_attrib *a, struct hull_findings *l);
void hull_attrib_free(struct hull_attrib *a);

#endif
