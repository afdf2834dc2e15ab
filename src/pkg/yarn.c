/* yarn.lock, both dialects, with one line scanner. v1: an unindented header listing the
 * specs ("a@^1", "@s/b@~2":) then indented 'version "1.2.3"'. Berry (yarn ≥2, YAML):
 * '"a@npm:^1, a@npm:^1.1":' then "version: 1.2.3" and 'resolution: "a@npm:1.2.3"'; only
 * npm-resolved entries are packages (workspaces, patches, links and portals are not). */
#include "lang.h"

#include <stdint.h>
#include <string.h>

static bool match(const char *path)
{
	return !strcmp(hull_pkg_basename(path), "yarn.lock") && !strstr(path, "/node_modules/");
}

struct entry {
	char *name;    /* from the header's first spec */
	char *version; /* "version" field */
	char *resolution;
	bool have, in_deps;
	struct strbuf deps; /* dependency specs "name@range", each ending in '\n' */
};

/* What an entry resolved to, for the dependency specs that name it. */
struct resolved {
	char *name, *version; /* NULL: not a package */
	bool project;	      /* berry's root workspace */
	char *deps;	      /* its dependency specs */
};

struct yarn {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	struct hull_pkg_seen seen;
	struct entry e;
	struct resolved *res;
	size_t nres, cap;
	struct strmap specs; /* header spec -> index + 1 into res */
	char **spec_keys;
	size_t nkeys, kcap;
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
	strbuf_release(&e->deps);
	memset(e, 0, sizeof(*e));
	e->deps = (struct strbuf)STRBUF_INIT;
}

/* Adds the entry's package. Berry's resolution "name@npm:1.2.3" names it; anything
 * else there (workspace:, patch:, link:, portal:) is not a registry package. */
static void add_entry(struct yarn *y, const struct entry *e, struct resolved *r)
{
	if (!e->have || !e->version)
		return;
	if (!e->resolution) {
		if (e->name) {
			hull_pkg_add_once(y->inv, &y->seen, "npm", e->name, e->version, y->f,
					  "yarn");
			r->name = xstrdup(e->name);
			r->version = xstrdup(e->version);
		}
		return;
	}
	const char *at = strstr(e->resolution + (e->resolution[0] == '@'), "@npm:");
	if (!at) {
		/* Berry's root workspace is the project. */
		const char *ws = strstr(e->resolution + (e->resolution[0] == '@'), "@workspace:");
		if (ws && !strcmp(ws, "@workspace:.")) {
			_cleanup_free_ char *name =
				xstrndup(e->resolution, (size_t)(ws - e->resolution));
			hull_pkg_project(y->inv, y->f, name, NULL);
			r->project = true;
		}
		return;
	}
	char *name = xstrndup(e->resolution, (size_t)(at - e->resolution));
	hull_pkg_add_once(y->inv, &y->seen, "npm", name, e->version, y->f, "yarn");
	r->name = name;
	r->version = xstrdup(e->version);
}

static void finish(struct yarn *y)
{
	if (y->e.have) {
		struct resolved *r = &y->res[y->nres - 1];
		add_entry(y, &y->e, r);
		if (y->e.deps.len && (r->name || r->project))
			r->deps = strbuf_detach(&y->e.deps, NULL);
	}
	entry_reset(&y->e);
}

/* Each header spec ("a@^1", "a@npm:^1") names the entry that follows. */
static void header_specs(struct yarn *y, const char *s, size_t n)
{
	ALLOC_GROW(y->res, y->nres + 1, y->cap);
	memset(&y->res[y->nres++], 0, sizeof(*y->res));
	const char *end = s + n;
	while (s < end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *e = comma ? comma : end;
		struct span t = trim(s, (size_t)(e - s));
		if (t.n) {
			char *k = xstrndup(t.s, t.n);
			if (strmap_get(&y->specs, k)) {
				free(k);
			} else {
				ALLOC_GROW(y->spec_keys, y->nkeys + 1, y->kcap);
				y->spec_keys[y->nkeys++] = k;
				strmap_put(&y->specs, k, (void *)(uintptr_t)y->nres);
			}
		}
		s = e + 1;
	}
}

/* A dependency line of the entry: v1 'name "range"', berry 'name: "npm:range"'. */
static void dep_line(struct yarn *y, const char *s, size_t n)
{
	struct span t = trim(s, n);
	const char *p = t.s, *end = t.s + t.n;
	const char *name = p;
	if (*p == '"')
		name = ++p;
	while (p < end && *p != '"' && *p != ' ' && *p != ':')
		p++;
	size_t nn = (size_t)(p - name);
	while (p < end && (*p == '"' || *p == ':' || *p == ' '))
		p++;
	struct span range = trim(p, (size_t)(end - p));
	if (!nn || !range.n)
		return;
	strbuf_add(&y->e.deps, name, nn);
	strbuf_addch(&y->e.deps, '@');
	strbuf_add(&y->e.deps, range.s, range.n);
	strbuf_addch(&y->e.deps, '\n');
}

/* Once the whole file is read: each entry's dependency specs, by the headers. */
static void resolve_deps(struct yarn *y)
{
	for (size_t i = 0; i < y->nres; i++) {
		const struct resolved *r = &y->res[i];
		for (const char *p = r->deps; p && *p;) {
			/* a NUL byte from the file can end the list before its last '\n' */
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			_cleanup_free_ char *spec = xstrndup(p, n);
			size_t t = (size_t)(uintptr_t)strmap_get(&y->specs, spec);
			const struct resolved *to = t ? &y->res[t - 1] : NULL;
			if (to && to->name)
				hull_pkg_depends(y->inv, y->f, r->project ? NULL : r->name,
						 r->project ? NULL : r->version, HULL_DEP_FILE,
						 to->name, to->version);
			p += n + (nl != NULL);
		}
	}
	for (size_t i = 0; i < y->nres; i++) {
		free(y->res[i].name);
		free(y->res[i].version);
		free(y->res[i].deps);
	}
	free(y->res);
	for (size_t i = 0; i < y->nkeys; i++)
		free(y->spec_keys[i]);
	free(y->spec_keys);
	strmap_free(&y->specs);
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
	header_specs(y, s, n - 1);
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
	y->e.in_deps = !t.n && ((k == 12 && !memcmp(s, "dependencies", 12)) ||
				(k == 20 && !memcmp(s, "optionalDependencies", 20)));
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
	else if (n > 4 && !memcmp(s, "    ", 4) && s[4] != ' ' && y->e.in_deps)
		dep_line(y, s + 4, n - 4);
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct yarn y = {.inv = inv, .f = f, .e.deps = STRBUF_INIT};
	const char *p = f->data, *end = f->data + f->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		line(&y, p, (size_t)(eol - p));
		p = eol + 1;
	}
	finish(&y);
	resolve_deps(&y);
	hull_pkg_seen_free(&y.seen);
}

const struct hull_cataloger hull_cataloger_yarn = {"yarn", match, parse};
