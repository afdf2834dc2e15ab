/* npm: package-lock.json (v1's nested "dependencies"; v2/v3's "packages" keyed by
 * node_modules paths) and the package.json of each installed package under
 * node_modules (name, version, declared license). Lockfiles shipped inside node_modules
 * are not inventory: the installed package.json files already say what is there. */
#include "lang.h"
#include "../util/json.h"

#include <string.h>

#define NM	    "/node_modules/"
#define MAX_NESTING 256 /* v1 "dependencies" nest per install level; deeper is hostile */

static bool in_node_modules(const char *path)
{
	return strstr(path, NM) != NULL;
}

/* ".../node_modules/name/package.json" or ".../node_modules/@scope/name/package.json". */
static bool installed_manifest(const char *path)
{
	const char *nm = NULL, *p = path;
	while ((p = strstr(p, NM)))
		nm = p++;
	if (!nm)
		return false;
	const char *rest = nm + strlen(NM);
	if (*rest == '@') {
		rest = strchr(rest, '/');
		if (!rest)
			return false;
		rest++;
	}
	const char *slash = strchr(rest, '/');
	return slash && slash > rest && !strcmp(slash, "/package.json") && *rest != '.';
}

static bool match(const char *path)
{
	const char *base = hull_pkg_basename(path);
	if (!strcmp(base, "package-lock.json"))
		return !in_node_modules(path);
	return !strcmp(base, "package.json") && installed_manifest(path);
}

struct lock {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	struct hull_pkg_seen seen;
	bool warned;
};

static void lock_warn(struct lock *l, const char *what)
{
	if (!l->warned)
		hull_warn("%s: %s", l->f->path, what);
	l->warned = true;
}

/* The real package of a lock entry: an alias ("npm:real-name@1.2.3") names it in the
 * version; versions that are not registry versions (file:, git+…, links) are none.
 * *buf holds the name when it was cut out of the version. */
static bool real_package(const char **name, const char **version, char **buf)
{
	*buf = NULL;
	if (!strncmp(*version, "npm:", 4)) {
		const char *spec = *version + 4, *at = strrchr(spec, '@');
		if (!at || at == spec)
			return false;
		*buf = xstrndup(spec, (size_t)(at - spec));
		*name = *buf;
		*version = at + 1;
	}
	return !strchr(*version, ':') && !strchr(*version, '/');
}

static void add(struct lock *l, const char *name, const char *version)
{
	_cleanup_free_ char *real = NULL;
	if (real_package(&name, &version, &real))
		hull_pkg_add_once(l->inv, &l->seen, "npm", name, version, l->f, "npm");
}

/* Records that (name, version) (NULL: the project) depends on lock entry (dname,
 * dversion) of the same file. */
static void depend(struct lock *l, const char *name, const char *version, const char *dname,
		   const char *dversion)
{
	_cleanup_free_ char *real = NULL;
	if (real_package(&dname, &dversion, &real))
		hull_pkg_depends(l->inv, l->f, name, version, HULL_DEP_FILE, dname, dversion);
}

/* The dependency fields npm installs: a package's own (peers too, since npm 7 installs
 * them), and the project's development dependencies. */
static const char *const dep_fields[] = {"dependencies", "optionalDependencies", "peerDependencies",
					 "devDependencies"};
#define PKG_DEP_FIELDS	3
#define ROOT_DEP_FIELDS 4

/* An entry's string member; another type is a warning. */
static const char *entry_str(struct lock *l, json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (v && !json_is_string(v)) {
		lock_warn(l, "a package entry has a non-string field");
		return NULL;
	}
	return json_string_value(v);
}

/* v1: the entry a "requires" name resolves to: in the entry's own "dependencies",
 * then in each enclosing level out to the top (node's lookup on the nesting). */
static json_t *v1_find(json_t *own, json_t *const *stack, int depth, const char *dep)
{
	json_t *t = json_is_object(own) ? json_object_get(own, dep) : NULL;
	for (int d = depth; !t && d >= 0; d--)
		t = json_object_get(stack[d], dep);
	return json_is_object(t) ? t : NULL;
}

static void v1_requires(struct lock *l, json_t *e, const char *name, const char *version,
			json_t *const *stack, int depth)
{
	json_t *req = json_object_get(e, "requires");
	if (!json_is_object(req))
		return;
	json_t *own = json_object_get(e, "dependencies");
	const char *dep;
	json_t *range;
	json_object_foreach(req, dep, range)
	{
		json_t *t = v1_find(own, stack, depth, dep);
		const char *tv = t ? json_string_value(json_object_get(t, "version")) : NULL;
		if (tv)
			depend(l, name, version, dep, tv);
	}
}

/* v1: {"name": {"version": "…", "requires": {…}, "dependencies": {…}}, …}, nested per
 * install level; stack[0..depth] are the enclosing "dependencies" objects. */
static void walk_v1(struct lock *l, json_t *deps, json_t **stack, int depth)
{
	if (!json_is_object(deps)) {
		lock_warn(l, "\"dependencies\" is not an object");
		return;
	}
	if (depth > MAX_NESTING) {
		lock_warn(l, "\"dependencies\" nested too deep");
		return;
	}
	stack[depth] = deps;
	const char *name;
	json_t *e;
	json_object_foreach(deps, name, e)
	{
		if (!json_is_object(e)) {
			lock_warn(l, "a dependency entry is not an object");
			continue;
		}
		const char *v = entry_str(l, e, "version");
		if (v) {
			add(l, name, v);
			_cleanup_free_ char *real = NULL;
			const char *rn = name, *rv = v;
			if (real_package(&rn, &rv, &real))
				v1_requires(l, e, rn, rv, stack, depth);
		}
		json_t *sub = json_object_get(e, "dependencies");
		if (sub)
			walk_v1(l, sub, stack, depth + 1);
	}
}

/* v2/v3: the entry dep resolves to from the entry at key, the node way: KEY/node_modules/DEP,
 * then the same from each ancestor directory that is not a node_modules directory. */
static json_t *v2_find(json_t *pkgs, const char *key, const char *dep, bool *link)
{
	_cleanup_free_ char *dir = xstrdup(key);
	for (;;) {
		const char *last = strrchr(dir, '/');
		last = last ? last + 1 : dir;
		if (strcmp(last, "node_modules")) {
			_cleanup_free_ char *cand =
				xasprintf("%s%snode_modules/%s", dir, *dir ? "/" : "", dep);
			json_t *t = json_object_get(pkgs, cand);
			if (json_is_object(t)) {
				*link = json_is_true(json_object_get(t, "link"));
				return t;
			}
		}
		if (!*dir)
			return NULL;
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		else
			*dir = 0;
	}
}

/* The dependencies of the entry at key: (name, version), or the project (name NULL). */
static void v2_deps(struct lock *l, json_t *pkgs, const char *key, json_t *e, const char *name,
		    const char *version)
{
	size_t nfields = name ? PKG_DEP_FIELDS : ROOT_DEP_FIELDS;
	for (size_t i = 0; i < nfields; i++) {
		json_t *deps = json_object_get(e, dep_fields[i]);
		if (!json_is_object(deps))
			continue;
		const char *dep;
		json_t *range;
		json_object_foreach(deps, dep, range)
		{
			bool link = false;
			json_t *t = v2_find(pkgs, key, dep, &link);
			if (!t || link)
				continue; /* not installed, or a workspace */
			json_t *tn = json_object_get(t, "name"),
			       *tv = json_object_get(t, "version");
			if (json_is_string(tv))
				depend(l, name, version,
				       json_is_string(tn) ? json_string_value(tn) : dep,
				       json_string_value(tv));
		}
	}
}

/* v2/v3: {"": root, "node_modules/a": {…}, "node_modules/a/node_modules/@s/b": {…}}; the
 * name is the last node_modules segment unless the entry names itself (an alias). */
static void walk_v2(struct lock *l, json_t *pkgs)
{
	const char *key;
	json_t *e;
	json_object_foreach(pkgs, key, e)
	{
		const char *nm = NULL, *p = key;
		if (!strncmp(key, "node_modules/", 13))
			nm = key;
		while ((p = strstr(p, NM)))
			nm = ++p;
		if (!nm) {
			/* The root project: its direct dependencies. Workspace sources are
			 * not packages. */
			if (!*key && json_is_object(e)) {
				json_t *n = json_object_get(e, "name");
				json_t *v = json_object_get(e, "version");
				hull_pkg_project(l->inv, l->f, json_string_value(n),
						 json_string_value(v));
				v2_deps(l, pkgs, key, e, NULL, NULL);
			}
			continue;
		}
		if (!json_is_object(e)) {
			lock_warn(l, "a \"packages\" entry is not an object");
			continue;
		}
		json_t *link = json_object_get(e, "link");
		if (json_is_true(link))
			continue; /* the target has its own entry */
		const char *name = entry_str(l, e, "name");
		const char *v = entry_str(l, e, "version");
		if (!v)
			continue;
		const char *rn = name ? name : nm + strlen("node_modules/"), *rv = v;
		add(l, rn, rv);
		_cleanup_free_ char *real = NULL;
		if (real_package(&rn, &rv, &real))
			v2_deps(l, pkgs, key, e, rn, rv);
	}
}

static void parse_lock(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	json_t *root;
	struct hull_err err = {0};
	if (hull_json_parse(f->data, f->len, f->path, &root, &err)) {
		hull_warn("%s", err.msg);
		hull_err_clear(&err);
		return;
	}
	struct lock l = {.inv = inv, .f = f};
	json_t *pkgs = json_is_object(root) ? json_object_get(root, "packages") : NULL;
	json_t *deps = json_is_object(root) ? json_object_get(root, "dependencies") : NULL;
	if (!json_is_object(root))
		lock_warn(&l, "not a JSON object");
	else if (pkgs && json_is_object(pkgs))
		walk_v2(&l, pkgs);
	else if (pkgs)
		lock_warn(&l, "\"packages\" is not an object");
	else if (deps) {
		json_t **stack = xcalloc(MAX_NESTING + 2, sizeof(*stack));
		walk_v1(&l, deps, stack, 0);
		free(stack);
	}
	hull_pkg_seen_free(&l.seen);
	json_decref(root);
}

/* "license": "MIT" | {"type": "MIT"}; legacy "licenses": [{"type": …} | "…", …]. */
static char *licenses(json_t *m)
{
	json_t *lic = json_object_get(m, "license");
	if (json_is_string(lic))
		return xstrdup(json_string_value(lic));
	if (json_is_object(lic) && json_is_string(json_object_get(lic, "type")))
		return xstrdup(json_string_value(json_object_get(lic, "type")));
	json_t *arr = json_object_get(m, "licenses"), *e;
	if (!json_is_array(arr))
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_array_foreach(arr, i, e)
	{
		json_t *t = json_is_object(e) ? json_object_get(e, "type") : e;
		if (!json_is_string(t))
			continue;
		if (sb.len)
			strbuf_adds(&sb, " OR ");
		strbuf_adds(&sb, json_string_value(t));
	}
	return sb.len ? strbuf_detach(&sb, NULL) : (strbuf_release(&sb), NULL);
}

static void parse_manifest(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	json_t *m;
	struct hull_err err = {0};
	if (hull_json_parse(f->data, f->len, f->path, &m, &err)) {
		hull_warn("%s", err.msg);
		hull_err_clear(&err);
		return;
	}
	json_t *name = json_object_get(m, "name"), *version = json_object_get(m, "version");
	if (!json_is_object(m) || (name && !json_is_string(name)) ||
	    (version && !json_is_string(version))) {
		hull_warn("%s: not a package manifest (wrong types)", f->path);
	} else if (name && version && *json_string_value(name) && *json_string_value(version)) {
		struct hull_package *p = hull_inventory_add(inv, "npm", json_string_value(name),
							    json_string_value(version), f, "npm");
		p->licenses = licenses(m);
		/* What it requires, found the node way from its directory. */
		for (size_t i = 0; i < PKG_DEP_FIELDS; i++) {
			json_t *deps = json_object_get(m, dep_fields[i]), *range;
			const char *dep;
			if (!json_is_object(deps))
				continue;
			json_object_foreach(deps, dep, range)
			{
				hull_pkg_depends(inv, f, p->name, p->version, HULL_DEP_NODE, dep,
						 NULL);
			}
		}
	}
	json_decref(m);
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	if (!strcmp(hull_pkg_basename(f->path), "package-lock.json"))
		parse_lock(inv, f);
	else
		parse_manifest(inv, f);
}

const struct hull_cataloger hull_cataloger_npm = {"npm", match, parse};
