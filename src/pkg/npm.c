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

/* Adds name@version, resolving an alias ("npm:real-name@1.2.3") to the real package;
 * versions that are not registry versions (file:, git+…, links) are skipped. */
static void add(struct lock *l, const char *name, const char *version)
{
	_cleanup_free_ char *real = NULL;
	if (!strncmp(version, "npm:", 4)) {
		const char *spec = version + 4, *at = strrchr(spec, '@');
		if (!at || at == spec)
			return;
		real = xstrndup(spec, (size_t)(at - spec));
		name = real;
		version = at + 1;
	}
	if (strchr(version, ':') || strchr(version, '/'))
		return;
	hull_pkg_add_once(l->inv, &l->seen, "npm", name, version, l->f, "npm");
}

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

/* v1: {"name": {"version": "…", "dependencies": {…}}, …}, nested per install level. */
static void walk_v1(struct lock *l, json_t *deps, int depth)
{
	if (!json_is_object(deps)) {
		lock_warn(l, "\"dependencies\" is not an object");
		return;
	}
	if (depth > MAX_NESTING) {
		lock_warn(l, "\"dependencies\" nested too deep");
		return;
	}
	const char *name;
	json_t *e;
	json_object_foreach(deps, name, e)
	{
		if (!json_is_object(e)) {
			lock_warn(l, "a dependency entry is not an object");
			continue;
		}
		const char *v = entry_str(l, e, "version");
		if (v)
			add(l, name, v);
		json_t *sub = json_object_get(e, "dependencies");
		if (sub)
			walk_v1(l, sub, depth + 1);
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
		if (!nm)
			continue; /* the root project and workspace sources */
		if (!json_is_object(e)) {
			lock_warn(l, "a \"packages\" entry is not an object");
			continue;
		}
		json_t *link = json_object_get(e, "link");
		if (json_is_true(link))
			continue; /* the target has its own entry */
		const char *name = entry_str(l, e, "name");
		const char *v = entry_str(l, e, "version");
		if (v)
			add(l, name ? name : nm + strlen("node_modules/"), v);
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
	else if (deps)
		walk_v1(&l, deps, 0);
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
