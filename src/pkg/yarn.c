/* yarn.lock, both dialects, with one line scanner. v1: an unindented header listing the
 * specs ("a@^1", "@s/b@~2":) then indented 'version "1.2.3"'. Berry (yarn ≥2, YAML):
 * '"a@npm:^1, a@npm:^1.1":' then "version: 1.2.3" and 'resolution: "a@npm:1.2.3"'; only
 * npm-resolved entries are packages (workspaces, patches, links and portals are not). */
#include "lang.h"

#include <string.h>

static bool match(const char *path)
{
	return !strcmp(hull_pkg_basename(path), "yarn.lock") && !strstr(path, "/node_modules/");
}

struct entry {
	char *name;    /* from the header's first spec */
	char *version; /* "version" field */
	char *resolution;
	bool have;
};

struct yarn {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	struct hull_pkg_seen seen;
	struct entry e;
};

struct span {
	const char *s;
	size_t n;
};

/* Strips blanks and quotes on both sides. */
static struct span trim(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '"' || *s == '\''))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '"' || s[n - 1] == '\''))
		n--;
	return (struct span){s, n};
}

/* The package name of a spec "name@range" / "@scope/name@range"; for an alias
 * "alias@npm:real@range" the real name. NULL when there is no name part. */
static char *spec_name(const char *s, size_t n)
{
	const char *at = n > 1 ? memchr(s + 1, '@', n - 1) : NULL;
	if (!at)
		return NULL;
	const char *range = at + 1;
	size_t rn = (size_t)(s + n - range);
	if (rn > 4 && !memcmp(range, "npm:", 4)) {
		/* v1 aliases name the real package in the range; "a@npm:^1" does not. */
		char *real = spec_name(range + 4, rn - 4);
		if (real)
			return real;
	}
	return xstrndup(s, (size_t)(at - s));
}

static void entry_reset(struct entry *e)
{
	free(e->name);
	free(e->version);
	free(e->resolution);
	memset(e, 0, sizeof(*e));
}

/* Adds the entry's package. Berry's resolution "name@npm:1.2.3" names it; anything
 * else there (workspace:, patch:, link:, portal:) is not a registry package. */
static void add_entry(struct yarn *y, const struct entry *e)
{
	if (!e->have || !e->version)
		return;
	if (!e->resolution) {
		if (e->name)
			hull_pkg_add_once(y->inv, &y->seen, "npm", e->name, e->version, y->f,
					  "yarn");
		return;
	}
	const char *at = strstr(e->resolution + (e->resolution[0] == '@'), "@npm:");
	if (!at)
		return;
	_cleanup_free_ char *name = xstrndup(e->resolution, (size_t)(at - e->resolution));
	hull_pkg_add_once(y->inv, &y->seen, "npm", name, e->version, y->f, "yarn");
}

static void finish(struct yarn *y)
{
	add_entry(y, &y->e);
	entry_reset(&y->e);
}

static void header(struct yarn *y, const char *s, size_t n)
{
	finish(y);
	/* "a@^1, a@^2:" -> the first spec; the metadata block of berry has no '@'. */
	const char *comma = memchr(s, ',', n);
	size_t first = comma ? (size_t)(comma - s) : n - 1; /* drop the ':' */
	struct span t = trim(s, first);
	y->e.have = true;
	y->e.name = spec_name(t.s, t.n);
}

/* An indented "key value" (v1) or "key: value" (berry) line directly in the entry. */
static void field(struct yarn *y, const char *s, size_t n)
{
	size_t k = 0;
	while (k < n && s[k] != ' ' && s[k] != ':')
		k++;
	const char *v = s + k;
	size_t vn = n - k;
	if (vn && *v == ':')
		v++, vn--;
	struct span t = trim(v, vn);
	if (k == 7 && !memcmp(s, "version", 7))
		hull_package_set(&y->e.version, t.s, t.n);
	else if (k == 10 && !memcmp(s, "resolution", 10))
		hull_package_set(&y->e.resolution, t.s, t.n);
}

static void line(struct yarn *y, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	if (!n || s[0] == '#')
		return;
	if (s[0] != ' ' && s[0] != '\t') {
		if (s[n - 1] == ':')
			header(y, s, n);
		else
			finish(y); /* a top-level scalar ("__metadata" fields are indented) */
		return;
	}
	/* Fields of the entry are indented two spaces; deeper lines are its dependencies. */
	if (n > 2 && s[0] == ' ' && s[1] == ' ' && s[2] != ' ' && y->e.have)
		field(y, s + 2, n - 2);
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct yarn y = {.inv = inv, .f = f};
	const char *p = f->data, *end = f->data + f->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		line(&y, p, (size_t)(eol - p));
		p = eol + 1;
	}
	finish(&y);
	hull_pkg_seen_free(&y.seen);
}

const struct hull_cataloger hull_cataloger_yarn = {"yarn", match, parse};
