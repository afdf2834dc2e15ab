/* pnpm-lock.yaml: the keys of the top-level "packages:" map. v5: "/name/1.2.3" or
 * "/@scope/name/1.2.3_peer@1.0.0"; v6: "/name@1.2.3(peer@1.0.0)"; v9: "name@1.2.3" (v9's
 * "snapshots:" repeats them with peer suffixes, so only "packages:" is read). A line
 * scanner: the keys are all that is needed, and YAML anchors cannot blow it up. */
#include "lang.h"

#include <string.h>

static bool match(const char *path)
{
	return !strcmp(hull_pkg_basename(path), "pnpm-lock.yaml") &&
	       !strstr(path, "/node_modules/");
}

enum section { S_OTHER, S_PACKAGES, S_SNAPSHOTS, S_IMPORTERS, S_ROOT_DEPS };

struct pnpm {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	struct hull_pkg_seen seen;
	int major; /* lockfileVersion's major, 0 if not seen */
	enum section sec;
	size_t indent;	/* of the keys in "packages:"/"snapshots:", 0 until the first */
	char *cur_name; /* the package whose fields follow */
	char *cur_version;
	bool in_deps;	    /* in its (or the project's) dependencies map */
	bool root_importer; /* v9: in importers' "." */
	char *pending;	    /* v6/v9 importers: the dependency whose "version:" follows */
};

struct span {
	const char *s;
	size_t n;
};

static bool registry_version(struct span v)
{
	/* tarballs, git, links and files are not registry versions */
	return v.n && !memchr(v.s, ':', v.n) && !memchr(v.s, '/', v.n);
}

/* v5: name is one segment, or two for a scope; the version runs to '_' (peers). */
static bool key_v5(const char *s, size_t n, struct span *name, struct span *ver)
{
	const char *slash = memchr(s, '/', n);
	if (slash && s[0] == '@')
		slash = memchr(slash + 1, '/', (size_t)(s + n - slash - 1));
	if (!slash)
		return false;
	const char *v = slash + 1;
	size_t vn = (size_t)(s + n - v);
	const char *us = memchr(v, '_', vn);
	if (us)
		vn = (size_t)(us - v);
	*name = (struct span){s, (size_t)(slash - s)};
	*ver = (struct span){v, vn};
	return name->n && registry_version(*ver);
}

/* v6 and later: "name@version", peers in parentheses after it. */
static bool key_v6(const char *s, size_t n, struct span *name, struct span *ver)
{
	const char *paren = memchr(s, '(', n);
	if (paren)
		n = (size_t)(paren - s);
	const char *at = NULL;
	for (size_t i = 1; i < n; i++)
		if (s[i] == '@')
			at = s + i;
	if (!at)
		return false;
	*name = (struct span){s, (size_t)(at - s)};
	*ver = (struct span){at + 1, (size_t)(s + n - at - 1)};
	return name->n && registry_version(*ver);
}

/* Strips blanks and quotes on both sides. */
static struct span unquote(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\'' || s[n - 1] == '"'))
		n--;
	while (n && (*s == ' ' || *s == '\'' || *s == '"'))
		s++, n--;
	return (struct span){s, n};
}

/* A package key (without the ':') to name and version. */
static bool parse_key(const struct pnpm *p, const char *s, size_t n, struct span *name,
		      struct span *ver)
{
	struct span k = unquote(s, n);
	s = k.s, n = k.n;
	if (n && *s == '/')
		s++, n--;
	if (!n)
		return false;
	/* Without a lockfileVersion, v5 keys are the ones with no '@' after the name. */
	bool v5 = p->major ? p->major < 6 : !memchr(s + 1, '@', n - 1);
	return v5 ? key_v5(s, n, name, ver) : key_v6(s, n, name, ver);
}

static void set_current(struct pnpm *p, const char *s, size_t n)
{
	free(p->cur_name);
	free(p->cur_version);
	p->cur_name = p->cur_version = NULL;
	struct span name, ver;
	if (!parse_key(p, s, n, &name, &ver))
		return;
	p->cur_name = xstrndup(name.s, name.n);
	p->cur_version = xstrndup(ver.s, ver.n);
	if (p->sec == S_PACKAGES)
		hull_pkg_add_once(p->inv, &p->seen, "npm", p->cur_name, p->cur_version, p->f,
				  "pnpm");
}

/* A dependency "name" resolved to value: a version ("1.2.3", "1.2.3(peer)",
 * "1.2.3_peer"), or for an alias the key of the real package. From the current
 * package, or (project) from the project. */
static void depend(struct pnpm *p, bool project, struct span dname, struct span value)
{
	struct span name = dname, ver;
	value = unquote(value.s, value.n);
	const char *paren = memchr(value.s, '(', value.n);
	size_t vn = paren ? (size_t)(paren - value.s) : value.n;
	if (vn && (value.s[0] == '/' || memchr(value.s + 1, '@', vn - 1))) {
		if (!parse_key(p, value.s, value.n, &name, &ver))
			return;
	} else {
		const char *us = p->major && p->major < 6 ? memchr(value.s, '_', vn) : NULL;
		ver = (struct span){value.s, us ? (size_t)(us - value.s) : vn};
		if (!registry_version(ver))
			return;
	}
	if (!project && !p->cur_name)
		return;
	_cleanup_free_ char *n = xstrndup(name.s, name.n);
	_cleanup_free_ char *v = xstrndup(ver.s, ver.n);
	hull_pkg_depends(p->inv, p->f, project ? NULL : p->cur_name,
			 project ? NULL : p->cur_version, HULL_DEP_FILE, n, v);
}

static bool is_deps_key(const char *s, size_t n, bool dev)
{
	return (n == 13 && !memcmp(s, "dependencies:", 13)) ||
	       (n == 21 && !memcmp(s, "optionalDependencies:", 21)) ||
	       (dev && n == 16 && !memcmp(s, "devDependencies:", 16));
}

static void top_level(struct pnpm *p, const char *s, size_t n)
{
	static const char lv[] = "lockfileVersion:";
	p->sec = S_OTHER;
	if (n == 9 && !memcmp(s, "packages:", 9))
		p->sec = S_PACKAGES;
	else if (n == 10 && !memcmp(s, "snapshots:", 10))
		p->sec = S_SNAPSHOTS;
	else if (n == 10 && !memcmp(s, "importers:", 10))
		p->sec = S_IMPORTERS;
	else if (is_deps_key(s, n, true))
		p->sec = S_ROOT_DEPS; /* v5/v6: the project's own */
	if (p->sec == S_IMPORTERS || p->sec == S_ROOT_DEPS)
		hull_pkg_project(p->inv, p->f, NULL, NULL);
	p->indent = 0;
	p->in_deps = p->root_importer = false;
	free(p->pending);
	p->pending = NULL;
	if (n > sizeof(lv) - 1 && !memcmp(s, lv, sizeof(lv) - 1)) {
		const char *v = s + sizeof(lv) - 1;
		while (v < s + n && (*v == ' ' || *v == '\'' || *v == '"'))
			v++;
		p->major = v < s + n && *v >= '0' && *v <= '9' ? *v - '0' : 0;
	}
}

/* "key: value" at s (value may be empty). */
static void split(const char *s, size_t n, struct span *k, struct span *v)
{
	const char *c = NULL;
	bool q = false;
	for (size_t i = 0; i < n && !c; i++) {
		if (s[i] == '\'' || s[i] == '"')
			q = !q;
		else if (s[i] == ':' && !q && (i + 1 == n || s[i + 1] == ' '))
			c = s + i;
	}
	if (!c) {
		*k = unquote(s, n);
		*v = (struct span){s + n, 0};
		return;
	}
	*k = unquote(s, (size_t)(c - s));
	*v = unquote(c + 1, (size_t)(s + n - c - 1));
}

/* A project dependency line (importers, v5/v6 top-level maps) at depth d below the
 * map: d 0 "name: version" (v5) or "name:" then d 1 "version: …" (v6, v9). */
static void project_dep(struct pnpm *p, const char *s, size_t n, int d)
{
	struct span k, v;
	split(s, n, &k, &v);
	if (d == 0) {
		free(p->pending);
		p->pending = NULL;
		if (v.n)
			depend(p, true, k, v);
		else
			p->pending = xstrndup(k.s, k.n);
	} else if (d == 1 && p->pending && k.n == 7 && !memcmp(k.s, "version", 7)) {
		depend(p, true, (struct span){p->pending, strlen(p->pending)}, v);
	}
}

static void line(struct pnpm *p, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	while (n && s[n - 1] == ' ')
		n--;
	if (!n || s[0] == '#')
		return;
	if (s[0] != ' ') {
		top_level(p, s, n);
		return;
	}
	size_t ind = 0;
	while (ind < n && s[ind] == ' ')
		ind++;
	if (s[ind] == '#')
		return;
	const char *t = s + ind;
	size_t tn = n - ind;
	switch (p->sec) {
	case S_PACKAGES:
	case S_SNAPSHOTS:
		if (!p->indent)
			p->indent = ind;
		if (ind == p->indent && s[n - 1] == ':') {
			set_current(p, t, tn - 1);
			p->in_deps = false;
		} else if (ind == p->indent + 2) {
			p->in_deps = is_deps_key(t, tn, false);
		} else if (ind == p->indent + 4 && p->in_deps &&
			   (p->sec == S_SNAPSHOTS || p->major < 9)) {
			struct span k, v;
			split(t, tn, &k, &v);
			depend(p, false, k, v);
		}
		break;
	case S_IMPORTERS:
		if (ind == 2) {
			struct span k, v;
			split(t, tn, &k, &v);
			p->root_importer = k.n == 1 && k.s[0] == '.';
			p->in_deps = false;
		} else if (ind == 4) {
			p->in_deps = p->root_importer && is_deps_key(t, tn, true);
		} else if (ind >= 6 && p->in_deps) {
			project_dep(p, t, tn, (int)(ind - 6) / 2);
		}
		break;
	case S_ROOT_DEPS:
		if (ind >= 2)
			project_dep(p, t, tn, (int)(ind - 2) / 2);
		break;
	case S_OTHER:
		break;
	}
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct pnpm p = {.inv = inv, .f = f};
	const char *s = f->data, *end = f->data + f->len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		line(&p, s, (size_t)(eol - s));
		s = eol + 1;
	}
	free(p.cur_name);
	free(p.cur_version);
	free(p.pending);
	hull_pkg_seen_free(&p.seen);
}

const struct hull_cataloger hull_cataloger_pnpm = {"pnpm", match, parse};
