/* Dependency relations between packages: catalogers record each edge by the names of
 * its ends while they read (the packages are not sorted yet and may be merged or
 * dropped), and once the inventory is sorted the edges are resolved to indices. */
#include "pkg.h"
#include "lang.h"

#include <stdint.h>
#include <string.h>

void hull_pkg_depends(struct hull_inventory *inv, const struct hull_pkg_file *f, const char *name,
		      const char *version, enum hull_dep_kind kind, const char *dep_name,
		      const char *dep_version)
{
	if (!dep_name || !*dep_name || (kind == HULL_DEP_FILE && (!dep_version || !*dep_version)))
		return;
	if (name && (!*name || !version || !*version))
		return;
	ALLOC_GROW(inv->edges, inv->nedges + 1, inv->edges_cap);
	struct hull_pkg_edge *e = &inv->edges[inv->nedges++];
	memset(e, 0, sizeof(*e));
	e->path = xstrdup(f->path);
	e->name = name ? xstrdup(name) : NULL;
	e->version = name ? xstrdup(version) : NULL;
	e->dep_name = xstrdup(dep_name);
	e->dep_version = kind == HULL_DEP_FILE ? xstrdup(dep_version) : NULL;
	e->kind = kind;
}

void hull_pkg_depends_of_file(struct hull_inventory *inv, const char *from_path,
			      enum hull_dep_kind kind, const char *dep_name)
{
	if (!dep_name || !*dep_name || kind == HULL_DEP_FILE)
		return;
	ALLOC_GROW(inv->edges, inv->nedges + 1, inv->edges_cap);
	struct hull_pkg_edge *e = &inv->edges[inv->nedges++];
	memset(e, 0, sizeof(*e));
	e->path = xstrdup(from_path);
	e->dep_name = xstrdup(dep_name);
	e->kind = kind;
	e->by_path = true;
}

void hull_pkg_project(struct hull_inventory *inv, const struct hull_pkg_file *f, const char *name,
		      const char *version)
{
	for (size_t i = 0; i < inv->nprojects; i++)
		if (!strcmp(inv->projects[i].path, f->path))
			return;
	ALLOC_GROW(inv->projects, inv->nprojects + 1, inv->projects_cap);
	struct hull_project *p = &inv->projects[inv->nprojects++];
	memset(p, 0, sizeof(*p));
	p->path = xstrdup(f->path);
	p->name = name && *name ? xstrdup(name) : NULL;
	p->version = name && *name && version && *version ? xstrdup(version) : NULL;
	p->layer = f->layer;
}

/* Keys of the lookup maps, owned by one list so they can be freed together. */
struct keys {
	char **v;
	size_t n, cap;
};

static const char *keep(struct keys *k, char *s)
{
	ALLOC_GROW(k->v, k->n + 1, k->cap);
	k->v[k->n++] = s;
	return s;
}

/* Stores index i + 1 under key unless the key is taken (the first package wins). */
static void put_index(struct strmap *m, struct keys *k, char *key, size_t i)
{
	if (strmap_get(m, key)) {
		free(key);
		return;
	}
	strmap_put(m, keep(k, key), (void *)(uintptr_t)(i + 1));
}

static size_t get_index(const struct strmap *m, const char *key)
{
	return (size_t)(uintptr_t)strmap_get(m, key); /* 0: absent */
}

static bool ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n >= m && !strcmp(s + n - m, sfx);
}

/* Installed npm manifests are keyed by their package directory. */
static bool installed_npm(const struct hull_package *p)
{
	return !strcmp(p->cataloger, "npm") && ends_with(p->path, "/package.json");
}

/* The site directory of an installed Python distribution: the parent of its
 * *.dist-info or *.egg-info directory (or of the single-file *.egg-info). */
static char *python_site(const struct hull_package *p)
{
	if (strcmp(p->cataloger, "python"))
		return NULL;
	if (ends_with(p->path, ".dist-info/METADATA") || ends_with(p->path, ".egg-info/PKG-INFO")) {
		_cleanup_free_ char *d = hull_pkg_dirname(p->path);
		return hull_pkg_dirname(d);
	}
	if (ends_with(p->path, ".egg-info"))
		return hull_pkg_dirname(p->path);
	return NULL;
}

struct resolver {
	const struct hull_inventory *inv;
	const struct hull_fs *fs;
	struct strmap by_file, by_name, by_path, node_dirs, pypi_site, pypi_any;
	struct keys keys;
};

/* The installed package dep visible from directory dir the way node's require looks:
 * DIR/node_modules/DEP for DIR = dir and each ancestor that is not itself a
 * node_modules directory. A symlinked entry (pnpm) is followed through the image. */
static size_t node_lookup(struct resolver *r, const char *dir, const char *dep)
{
	_cleanup_free_ char *d = xstrdup(dir);
	for (;;) {
		size_t n = strlen(d);
		if (!ends_with(d, "/node_modules")) {
			_cleanup_free_ char *cand = xasprintf("%s/node_modules/%s",
							      n == 1 && d[0] == '/' ? "" : d, dep);
			size_t i = get_index(&r->node_dirs, cand);
			if (i)
				return i;
			if (r->fs) {
				_cleanup_free_ char *pj = xasprintf("%s/package.json", cand);
				const struct hull_file *f;
				struct hull_err err = {0};
				if (!hull_fs_resolve(r->fs, pj, true, &f, &err) &&
				    ends_with(f->path, "/package.json")) {
					_cleanup_free_ char *real = hull_pkg_dirname(f->path);
					i = get_index(&r->node_dirs, real);
					if (i)
						return i;
				}
				hull_err_clear(&err);
			}
		}
		char *slash = strrchr(d, '/');
		if (!slash || (slash == d && n == 1))
			return 0;
		if (slash == d)
			slash[1] = 0;
		else
			*slash = 0;
	}
}

static size_t resolve_to(struct resolver *r, const struct hull_pkg_edge *e, size_t from)
{
	const struct hull_inventory *inv = r->inv;
	switch (e->kind) {
	case HULL_DEP_FILE: {
		_cleanup_free_ char *k =
			xasprintf("%s\n%s\n%s", e->path, e->dep_name, e->dep_version);
		return get_index(&r->by_file, k);
	}
	case HULL_DEP_NAME: {
		/* pypi packages are keyed by their normalised name. */
		_cleanup_free_ char *k = xasprintf("%s\n%s", e->path, e->dep_name);
		size_t i = get_index(&r->by_name, k);
		if (i)
			return i;
		_cleanup_free_ char *norm = hull_pypi_normalise(e->dep_name);
		_cleanup_free_ char *kn = xasprintf("%s\n%s", e->path, norm);
		return get_index(&r->by_name, kn);
	}
	case HULL_DEP_NODE: {
		if (!from)
			return 0;
		_cleanup_free_ char *dir = hull_pkg_dirname(inv->pkgs[from - 1].path);
		return node_lookup(r, dir, e->dep_name);
	}
	case HULL_DEP_PYPI: {
		_cleanup_free_ char *norm = hull_pypi_normalise(e->dep_name);
		_cleanup_free_ char *site = from ? python_site(&inv->pkgs[from - 1]) : NULL;
		_cleanup_free_ char *k = site ? xasprintf("%s\n%s", site, norm) : NULL;
		size_t i = k ? get_index(&r->pypi_site, k) : 0;
		return i ? i : get_index(&r->pypi_any, norm);
	}
	}
	return 0;
}

/* (from, to) pairs, from = package index or npkgs + project index. */
struct pair {
	uint32_t from, to;
};

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->to < y->to ? -1 : x->to > y->to;
}

static int cmp_project(const void *a, const void *b)
{
	return strcmp(((const struct hull_project *)a)->path,
		      ((const struct hull_project *)b)->path);
}

static void edges_free(struct hull_inventory *inv)
{
	for (size_t i = 0; i < inv->nedges; i++) {
		struct hull_pkg_edge *e = &inv->edges[i];
		free(e->path);
		free(e->name);
		free(e->version);
		free(e->dep_name);
		free(e->dep_version);
	}
	free(inv->edges);
	inv->edges = NULL;
	inv->nedges = inv->edges_cap = 0;
}

void hull_deps_resolve(struct hull_inventory *inv, const struct hull_fs *fs)
{
	if (inv->nprojects > 1)
		qsort(inv->projects, inv->nprojects, sizeof(*inv->projects), cmp_project);
	if (!inv->nedges) {
		edges_free(inv);
		return;
	}
	struct resolver r = {.inv = inv, .fs = fs};
	bool want_node = false, want_pypi = false, want_name = false, want_path = false;
	for (size_t i = 0; i < inv->nedges; i++) {
		want_path |= inv->edges[i].by_path;
		want_name |= inv->edges[i].kind == HULL_DEP_NAME;
		want_node |= inv->edges[i].kind == HULL_DEP_NODE;
		want_pypi |= inv->edges[i].kind == HULL_DEP_PYPI;
	}
	for (size_t i = 0; i < inv->npkgs; i++) {
		const struct hull_package *p = &inv->pkgs[i];
		put_index(&r.by_file, &r.keys,
			  xasprintf("%s\n%s\n%s", p->path, p->name, p->version), i);
		if (want_path)
			put_index(&r.by_path, &r.keys, xstrdup(p->path), i);
		if (want_name) {
			bool pypi = !strcmp(p->type, "pypi");
			_cleanup_free_ char *norm = pypi ? hull_pypi_normalise(p->name) : NULL;
			put_index(&r.by_name, &r.keys,
				  xasprintf("%s\n%s", p->path, norm ? norm : p->name), i);
		}
		if (want_node && installed_npm(p))
			put_index(&r.node_dirs, &r.keys, hull_pkg_dirname(p->path), i);
		_cleanup_free_ char *site = want_pypi ? python_site(p) : NULL;
		if (site) {
			char *norm = hull_pypi_normalise(p->name);
			put_index(&r.pypi_site, &r.keys, xasprintf("%s\n%s", site, norm), i);
			put_index(&r.pypi_any, &r.keys, norm, i);
		}
	}
	struct pair *pairs = NULL;
	size_t npairs = 0, cap = 0;
	for (size_t i = 0; i < inv->nedges; i++) {
		const struct hull_pkg_edge *e = &inv->edges[i];
		size_t from = 0;
		if (e->by_path) {
			from = get_index(&r.by_path, e->path);
		} else if (e->name) {
			_cleanup_free_ char *k =
				xasprintf("%s\n%s\n%s", e->path, e->name, e->version);
			from = get_index(&r.by_file, k);
		} else {
			struct hull_project key = {.path = e->path};
			struct hull_project *pr =
				inv->nprojects ? bsearch(&key, inv->projects, inv->nprojects,
							 sizeof(key), cmp_project)
					       : NULL;
			from = pr ? inv->npkgs + (size_t)(pr - inv->projects) + 1 : 0;
		}
		size_t to = from ? resolve_to(&r, e, from <= inv->npkgs ? from : 0) : 0;
		if (!to || to == from)
			continue;
		ALLOC_GROW(pairs, npairs + 1, cap);
		pairs[npairs++] = (struct pair){(uint32_t)(from - 1), (uint32_t)(to - 1)};
	}
	if (npairs > 1)
		qsort(pairs, npairs, sizeof(*pairs), cmp_pair);
	for (size_t i = 0; i < npairs;) {
		size_t j = i;
		while (j < npairs && pairs[j].from == pairs[i].from)
			j++;
		uint32_t *deps = xmalloc((j - i) * sizeof(*deps)), n = 0;
		for (size_t k = i; k < j; k++)
			if (!n || deps[n - 1] != pairs[k].to)
				deps[n++] = pairs[k].to;
		if (pairs[i].from < inv->npkgs) {
			inv->pkgs[pairs[i].from].deps = deps;
			inv->pkgs[pairs[i].from].ndeps = n;
		} else {
			struct hull_project *pr = &inv->projects[pairs[i].from - inv->npkgs];
			pr->deps = deps;
			pr->ndeps = n;
		}
		i = j;
	}
	free(pairs);
	for (size_t i = 0; i < r.keys.n; i++)
		free(r.keys.v[i]);
	free(r.keys.v);
	strmap_free(&r.by_file);
	strmap_free(&r.by_name);
	strmap_free(&r.by_path);
	strmap_free(&r.node_dirs);
	strmap_free(&r.pypi_site);
	strmap_free(&r.pypi_any);
	edges_free(inv);
}
