/* Platform strings and matching of index entries against the wanted platform (shared
 * by OCI layouts and registries). */
#include "../util/strbuf.h"
#include "image.h"

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

static void platform_of(json_t *desc, const char **os, const char **arch, const char **variant)
{
	json_t *p = json_object_get(desc, "platform");
	*os = json_string_value(json_object_get(p, "os"));
	*arch = json_string_value(json_object_get(p, "architecture"));
	*variant = json_string_value(json_object_get(p, "variant"));
}

static void list_platforms(json_t *manifests, struct strbuf *sb)
{
	size_t i;
	json_t *d;
	json_array_foreach(manifests, i, d)
	{
		const char *os, *arch, *var;
		platform_of(d, &os, &arch, &var);
		strbuf_addf(sb, "%s%s/%s%s%s", i ? ", " : "", os ? os : "?", arch ? arch : "?",
			    var ? "/" : "", var ? var : "");
	}
}

int hull_platform_pick(const char *source, json_t *manifests, const struct hull_platform *want,
		       json_t **out, struct hull_err *err)
{
	size_t n = json_array_size(manifests);
	if (n == 1 && !json_object_get(json_array_get(manifests, 0), "platform")) {
		*out = json_array_get(manifests, 0);
		return 0;
	}
	size_t i;
	json_t *d;
	json_array_foreach(manifests, i, d)
	{
		const char *os, *arch, *var;
		platform_of(d, &os, &arch, &var);
		if (hull_platform_match(want, os, arch, var)) {
			*out = d;
			return 0;
		}
	}
	struct strbuf sb = STRBUF_INIT;
	list_platforms(manifests, &sb);
	int rc = hull_err_set(err, HULL_EINPUT, "%s: no %s/%s%s%s image in the index (it has: %s)",
			      source, want->os, want->arch, want->variant ? "/" : "",
			      want->variant ? want->variant : "", n ? sb.buf : "nothing");
	strbuf_release(&sb);
	return rc;
}
