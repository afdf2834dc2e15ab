/* Image hardening checks (Dockle, CIS Docker Benchmark section 4): what must not ship in
 * an image, from its config, history and merged file view. One table entry per check. */
#ifndef HULL_CHECKS_H
#define HULL_CHECKS_H

#include "../layer/inspect.h"
#include "../report/findings.h"

struct hull_check_opts {
	size_t max_layers;     /* more layers than this is a finding (0: 50) */
	uint64_t max_wasted;   /* wasted bytes above this is a finding (0: 20 MB) */
	double min_efficiency; /* efficiency below this is a finding (0: 0.9) */
};

struct hull_check;

/* The files the checks read the content of (for struct hull_capture). */
bool hull_checks_wanted(const char *path, uint64_t size, void *ctx);

/* Runs every check on an inspected image (captured contents in in->layers); appends
 * findings of kind "misconfig". */
void hull_checks_run(const struct hull_inspect *in, const struct hull_check_opts *o,
		     struct hull_findings *out);

#endif
