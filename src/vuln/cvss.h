/* CVSS scores from vector strings: v3.0 and v3.1 base scores (FIRST's formulas) and v4.0
 * scores (FIRST's MacroVector lookup and interpolation), with strict vector validation. */
#ifndef HULL_VULN_CVSS_H
#define HULL_VULN_CVSS_H

#include "../util/util.h"

/* Vectors longer than this are refused: the longest valid v4.0 vector is about 180 bytes. */
#define HULL_CVSS_MAX_LEN 512

enum hull_cvss_version {
	HULL_CVSS_V30 = 30,
	HULL_CVSS_V31 = 31,
	HULL_CVSS_V40 = 40,
};

/* Scores a "CVSS:3.0/…", "CVSS:3.1/…" or "CVSS:4.0/…" vector. Every base metric must be
 * present once; optional metrics of the version are accepted once each, with valid values;
 * anything else is HULL_EINPUT with an err naming the vector. *score gets 0.0–10.0 with one
 * decimal; *version (may be NULL) the version. For v3.x the score is the base score
 * (temporal and environmental metrics are validated but not applied); for v4.0 it is the
 * score of the vector as written (CVSS-B, or CVSS-BT/BE/BTE when it carries those
 * metrics), as FIRST's calculator gives it. */
int hull_cvss_score(const char *vector, double *score, enum hull_cvss_version *version,
		    struct hull_err *err) HULL_MUST_CHECK;

/* The qualitative rating of a score: "CRITICAL" (9.0–10.0), "HIGH" (7.0–8.9), "MEDIUM"
 * (4.0–6.9), "LOW" (0.1–3.9), else "UNKNOWN" (0.0, CVSS's "None"). */
const char *hull_cvss_severity(double score);

#endif
