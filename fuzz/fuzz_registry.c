/* Fuzzes the registry client's string parsers: the first byte picks the image
 * reference parser or the WWW-Authenticate parser; the rest is the input. */
#include "fuzz_util.h"
#include "source/registry.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_quiet();
	char *s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (data[0] & 1) {
		struct hull_ref r;
		struct hull_err err = {0};
		if (hull_ref_parse(s, &r, &err) == 0) {
			char *t = hull_ref_string(&r);
			/* the normal form is a fixed point */
			struct hull_ref r2;
			if (hull_ref_parse(t, &r2, NULL) != 0)
				abort();
			char *t2 = hull_ref_string(&r2);
			if (strcmp(t, t2))
				abort();
			free(t2);
			hull_ref_free(&r2);
			free(t);
			(void)hull_host_is_loopback(r.domain);
			hull_ref_free(&r);
		}
		hull_err_clear(&err);
	} else {
		struct hull_auth_challenge *c;
		size_t n;
		if (hull_auth_parse(s, &c, &n) == 0)
			hull_auth_free(c, n);
	}
	free(s);
	return 0;
}
