/* Fuzzes the CVSS vector parser and scorer: any accepted vector scores within 0.0–10.0 in
 * steps of 0.1, and a rejected one says why. */
#include "vuln/cvss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	double score = -1;
	enum hull_cvss_version v;
	struct hull_err err = {0};
	if (hull_cvss_score(s, &score, &v, &err)) {
		if (!err.msg)
			abort();
		hull_err_clear(&err);
	} else {
		if (!(score >= 0 && score <= 10) || fabs(score * 10 - round(score * 10)) > 1e-6)
			abort();
		if (v != HULL_CVSS_V30 && v != HULL_CVSS_V31 && v != HULL_CVSS_V40)
			abort();
		if (!hull_cvss_severity(score))
			abort();
	}
	free(s);
	return 0;
}
