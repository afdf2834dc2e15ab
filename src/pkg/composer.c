/* PHP: Composer's composer.lock ("packages" and "packages-dev") and the installed set in
 * vendor/composer/installed.json (Composer 1: an array of packages; Composer 2: an object
 * with "packages"). Names are "vendor/name", which the purl splits into namespace and
 * name. */
#include "lang.h"
#include "../util/json.h"

#include <string.h>

static bool ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n >= m && !strcmp(s + n - m, sfx);
}

static bool match(const char *path)
{
	return !strcmp(hull_pkg_basename(path), "composer.lock") ||
	       ends_with(path, "/vendor/composer/installed.json");
}

/* "license": ["MIT"] or ["GPL-2.0-only", "MIT"]; several mean a choice (Composer's
 * documentation), so they are joined with " OR ". */
static char *licenses(json_t *pkg)
{
	json_t *lic = json_object_get(pkg, "license");
	if (json_is_string(lic))
		return xstrdup(json_string_value(lic));
	if (!json_is_array(lic))
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	json_t *v;
	json_array_foreach(lic, i, v)
	{
		if (!json_is_string(v))
			continue;
		if (sb.len)
			strbuf_adds(&sb, " OR ");
		strbuf_adds(&sb, json_string_value(v));
	}
	return sb.len ? strbuf_detach(&sb, NULL) : (strbuf_release(&sb), NULL);
}

static int add_package(struct hull_inventory *inv, struct hull_pkg_seen *seen,
		       const struct hull_pkg_file *f, json_t *pkg, size_t i, struct hull_err *err)
{
	if (!json_is_object(pkg))
		return hull_err_set(err, HULL_EINPUT, "%s: package %zu is not an object", f->path,
				    i);
	const char *name = hull_json_req_str(pkg, "name", f->path, err);
	const char *version = name ? hull_json_req_str(pkg, "version", f->path, err) : NULL;
	if (!version)
		return err->code;
	struct hull_package *p =
		hull_pkg_add_once(inv, seen, "composer", name, version, f, "composer");
	if (p)
		p->licenses = licenses(pkg);
	/* "require": {"vendor/name": "^1.0", "php": ">=8.1", "ext-json": "*"}; platform
	 * requirements (no vendor) are not packages. Composer installs one version of a
	 * name, so the lock's entry of that name is the one. */
	json_t *req = json_object_get(pkg, "require"), *range;
	const char *dep;
	if (json_is_object(req))
		json_object_foreach(req, dep, range)
		{
			if (strchr(dep, '/'))
				hull_pkg_depends(inv, f, name, version, HULL_DEP_NAME, dep, NULL);
		}
	return 0;
}

/* One array of packages; a missing or null member is an empty list. */
static int add_list(struct hull_inventory *inv, struct hull_pkg_seen *seen,
		    const struct hull_pkg_file *f, json_t *list, struct hull_err *err)
{
	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return hull_err_set(err, HULL_EINPUT, "%s: package list is not an array", f->path);
	/* A bad entry is reported (the first one) and the others are still read. */
	int rc = 0;
	size_t i;
	json_t *pkg;
	json_array_foreach(list, i, pkg)
	{
		int r = add_package(inv, seen, f, pkg, i, err);
		if (r && !rc)
			rc = r;
	}
	return rc;
}

static int parse_root(struct hull_inventory *inv, struct hull_pkg_seen *seen,
		      const struct hull_pkg_file *f, json_t *root, struct hull_err *err)
{
	if (json_is_array(root)) /* installed.json of Composer 1 */
		return add_list(inv, seen, f, root, err);
	if (!json_is_object(root))
		return hull_err_set(err, HULL_EINPUT, "%s: not a JSON object or array", f->path);
	int rc = add_list(inv, seen, f, json_object_get(root, "packages"), err);
	int rc_dev = add_list(inv, seen, f, json_object_get(root, "packages-dev"), err);
	return rc ? rc : rc_dev;
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct hull_err err = {0};
	struct hull_pkg_seen seen = {0};
	json_t *root = NULL;
	if (!hull_json_parse(f->data, f->len, f->path, &root, &err))
		(void)parse_root(inv, &seen, f, root, &err);
	if (err.code)
		hull_warn("%s", err.msg);
	hull_err_clear(&err);
	json_decref(root);
	hull_pkg_seen_free(&seen);
}

const struct hull_cataloger hull_cataloger_composer = {"composer", match, parse};
