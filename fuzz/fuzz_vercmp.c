/* Fuzzes every version comparator with up to three versions (lines of the input) and
 * checks that each is a total order where it accepts the versions: validity does not
 * depend on the argument order, a = a, a < b exactly when b > a, and a <= b <= c gives
 * a <= c (except for Maven, see below). */
#include "vuln/vercmp.h"

#include <stdlib.h>
#include <string.h>

static int cmp(const struct hull_vercmp *c, const char *a, const char *b, int *r)
{
	struct hull_err err = {0};
	int rc = hull_vercmp_with(c, a, b, r, &err);
	if (rc && (rc != HULL_EINPUT || !err.msg))
		abort(); /* invalid input must come with HULL_EINPUT and a message */
	hull_err_clear(&err);
	return rc;
}

static void check(const struct hull_vercmp *c, const char *a, const char *b, const char *d)
{
	int ab, ba, aa, bd, ad;
	int rc = cmp(c, a, b, &ab);
	if ((cmp(c, b, a, &ba) == 0) != (rc == 0))
		abort();
	if (rc)
		return;
	if (ab != -ba || ab < -1 || ab > 1)
		abort();
	if (cmp(c, a, a, &aa) || aa)
		abort();
	/* Maven's own ComparableVersion is not transitive on odd strings ("=7" < ".A07" <
	 * ".0" < "=7" in maven-artifact 3.8.7), and hull follows it. */
	if (!strcmp(c->name, "maven") || cmp(c, b, d, &bd) || cmp(c, a, d, &ad))
		return;
	if (ab <= 0 && bd <= 0 && ad > 0)
		abort();
	if (ab == 0 && bd == 0 && ad != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	/* Lines one, two and three; missing lines repeat the last one. */
	char *v[3] = {buf, buf, buf};
	for (int i = 1; i < 3; i++) {
		char *nl = strchr(v[i - 1], '\n');
		if (nl) {
			*nl = '\0';
			v[i] = nl + 1;
		} else {
			v[i] = v[i - 1];
		}
	}
	for (size_t i = 0; i < hull_nvercmps; i++)
		check(&hull_vercmps[i], v[0], v[1], v[2]);
	free(buf);
	return 0;
}
