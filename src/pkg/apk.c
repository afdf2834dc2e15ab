/* apk: lib/apk/db/installed (and usr/lib/apk/db/installed on newer Alpine): "K:value"
 * lines, a blank line between packages. P name, V version, A arch, o origin (the
 * source package), L license. */
#include "pkg.h"

#include <string.h>

static bool match(const char *path)
{
	return !strcmp(path, "/lib/apk/db/installed") || !strcmp(path, "/usr/lib/apk/db/installed");
}

struct stanza {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	char *name, *version, *arch, *origin, *license;
};

static void finish(struct stanza *s)
{
	if (s->name && s->version) {
		struct hull_package *p =
			hull_inventory_add(s->inv, "apk", s->name, s->version, s->f, "apk");
		p->arch = s->arch;
		p->source_name = s->origin ? s->origin : xstrdup(s->name);
		p->source_version = xstrdup(s->version);
		p->licenses = s->license;
		s->arch = s->origin = s->license = NULL;
	}
	free(s->name);
	free(s->version);
	free(s->arch);
	free(s->origin);
	free(s->license);
	s->name = s->version = s->arch = s->origin = s->license = NULL;
}

static void field(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	struct stanza *s = ctx;
	if (!k) {
		finish(s);
		return;
	}
	if (kl != 1)
		return;
	switch (k[0]) {
	case 'P':
		hull_package_set(&s->name, v, vl);
		break;
	case 'V':
		hull_package_set(&s->version, v, vl);
		break;
	case 'A':
		hull_package_set(&s->arch, v, vl);
		break;
	case 'o':
		hull_package_set(&s->origin, v, vl);
		break;
	case 'L':
		hull_package_set(&s->license, v, vl);
		break;
	default:
		break;
	}
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct stanza s = {.inv = inv, .f = f};
	hull_stanzas(f->data, f->len, ':', field, &s);
}

const struct hull_cataloger hull_cataloger_apk = {"apk", match, parse};
