/* dpkg: var/lib/dpkg/status, and distroless's var/lib/dpkg/status.d/<name> (one stanza
 * per file, no Status field). Binary name, version with epoch, architecture, and the
 * source package and its version from "Source: name (version)". */
#include "pkg.h"

#include <string.h>

#define STATUS	 "/var/lib/dpkg/status"
#define STATUS_D "/var/lib/dpkg/status.d/"

static bool match(const char *path)
{
	if (!strcmp(path, STATUS))
		return true;
	/* status.d holds "<pkg>" stanzas and "<pkg>.md5sums" lists: only the former. */
	if (strncmp(path, STATUS_D, strlen(STATUS_D)))
		return false;
	const char *base = path + strlen(STATUS_D);
	return *base && !strchr(base, '/') && !strchr(base, '.');
}

struct stanza {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	bool need_status;
	char *name, *version, *arch, *source, *status;
};

static bool key_is(const char *k, size_t kl, const char *want)
{
	return kl == strlen(want) && !strncasecmp(k, want, kl);
}

/* The package is on disk unless its state is not-installed or config-files. */
static bool installed(const char *status)
{
	const char *state = strrchr(status, ' ');
	state = state ? state + 1 : status;
	return strcmp(state, "not-installed") && strcmp(state, "config-files");
}

static void finish(struct stanza *s)
{
	if (s->name && s->version && (!s->need_status || (s->status && installed(s->status)))) {
		struct hull_package *p =
			hull_inventory_add(s->inv, "deb", s->name, s->version, s->f, "dpkg");
		p->arch = s->arch ? xstrdup(s->arch) : NULL;
		/* "Source: src" or "Source: src (srcversion)"; absent means the same name. */
		const char *src = s->source ? s->source : s->name;
		size_t n = strcspn(src, " (");
		p->source_name = xstrndup(src, n);
		const char *open = strchr(src, '(');
		if (open) {
			const char *close = strchr(open, ')');
			if (close)
				p->source_version = xstrndup(open + 1, (size_t)(close - open - 1));
		}
		if (!p->source_version)
			p->source_version = xstrdup(s->version);
	} else if (s->name && !s->version && s->need_status && s->status && installed(s->status)) {
		hull_warn("%s: package %s has no Version", s->f->path, s->name);
	}
	free(s->name);
	free(s->version);
	free(s->arch);
	free(s->source);
	free(s->status);
	s->name = s->version = s->arch = s->source = s->status = NULL;
}

static void field(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	struct stanza *s = ctx;
	if (!k)
		finish(s);
	else if (key_is(k, kl, "Package"))
		hull_package_set(&s->name, v, vl);
	else if (key_is(k, kl, "Version"))
		hull_package_set(&s->version, v, vl);
	else if (key_is(k, kl, "Architecture"))
		hull_package_set(&s->arch, v, vl);
	else if (key_is(k, kl, "Source"))
		hull_package_set(&s->source, v, vl);
	else if (key_is(k, kl, "Status"))
		hull_package_set(&s->status, v, vl);
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct stanza s = {.inv = inv, .f = f, .need_status = !strcmp(f->path, STATUS)};
	hull_stanzas(f->data, f->len, ':', field, &s);
}

const struct hull_cataloger hull_cataloger_dpkg = {"dpkg", match, parse};
