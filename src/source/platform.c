/* Platform strings and matching of index entries against the wanted platform. */
#include "source.h"

#include <string.h>

int hull_platform_parse(const char *s, struct hull_platform *p)
{
	memset(p, 0, sizeof(*p));
	if (!s)
		s = "linux/amd64";
	const char *a = strchr(s, '/');
	if (!a || a == s || !a[1])
		return HULL_EUSAGE;
	const char *v = strchr(a + 1, '/');
	if (v && (!v[1] || strchr(v + 1, '/')))
		return HULL_EUSAGE;
	p->os = xstrndup(s, (size_t)(a - s));
	p->arch = v ? xstrndup(a + 1, (size_t)(v - a - 1)) : xstrdup(a + 1);
	p->variant = v ? xstrdup(v + 1) : NULL;
	if (!*p->arch) {
		hull_platform_free(p);
		return HULL_EUSAGE;
	}
	return 0;
}

void hull_platform_free(struct hull_platform *p)
{
	free(p->os);
	free(p->arch);
	free(p->variant);
	memset(p, 0, sizeof(*p));
}

static const char *default_variant(const char *arch)
{
	if (!strcmp(arch, "arm64"))
		return "v8";
	if (!strcmp(arch, "arm"))
		return "v7";
	return "";
}

bool hull_platform_match(const struct hull_platform *want, const char *os, const char *arch,
			 const char *variant)
{
	if (!os || !arch || strcmp(want->os, os) || strcmp(want->arch, arch))
		return false;
	if (!want->variant)
		return true;
	const char *have = variant && *variant ? variant : default_variant(arch);
	return strcmp(want->variant, have) == 0;
}
