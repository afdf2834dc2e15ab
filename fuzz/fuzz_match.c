/* Fuzzes the OSV range evaluation (src/vuln/range.c) with arbitrary ranges and versions
 * JSON: the first byte picks the comparator, then line one is the installed version, line
 * two the "ranges" array and line three the "versions" array (absent: NULL). Checks that
 * it never crashes, that errors come with a message, that a fixed version is reported only
 * for an affected version and sorts above it, and that the answer is deterministic. */
#include "vuln/match.h"

#include <stdlib.h>
#include <string.h>

static void eval(const struct hull_vercmp *c, const char *r, const char *vs, const char *v, int *rc,
		 struct hull_vuln_eval *ev)
{
	struct hull_err err = {0};
	*rc = hull_vuln_evaluate(c, r, vs, v, ev, &err);
	if (*rc && (*rc != HULL_EINPUT || !err.msg))
		abort();
	hull_err_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const struct hull_vercmp *c = &hull_vercmps[data[0] % hull_nvercmps];
	char *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	char *line[3] = {buf, NULL, NULL};
	for (int i = 1; i < 3 && line[i - 1]; i++) {
		char *nl = strchr(line[i - 1], '\n');
		if (nl) {
			*nl = '\0';
			line[i] = nl + 1;
		}
	}
	const char *v = line[0], *ranges = line[1] ? line[1] : "[]", *versions = line[2];
	int rc, rc2;
	struct hull_vuln_eval ev, ev2;
	eval(c, ranges, versions, v, &rc, &ev);
	eval(c, ranges, versions, v, &rc2, &ev2);
	if (rc != rc2)
		abort();
	if (!rc) {
		if (ev.affected != ev2.affected || ev.bad_ranges != ev2.bad_ranges ||
		    !ev.fixed != !ev2.fixed || (ev.fixed && strcmp(ev.fixed, ev2.fixed)))
			abort();
		if (ev.fixed && !ev.affected)
			abort();
		int r;
		/* A fixed version from a SEMVER range may not parse with c, so only check the
		 * order where both compare. */
		if (ev.fixed && !hull_vercmp_with(c, v, ev.fixed, &r, NULL) && r >= 0)
			abort();
	}
	hull_vuln_eval_release(&ev);
	hull_vuln_eval_release(&ev2);
	free(buf);
	return 0;
}
