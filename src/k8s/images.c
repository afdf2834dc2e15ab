/* The image configs behind containers, for the checks that need the user an image runs
 * as (HULL-K8S-037, HULL-K8S-038): images given with --image-config REF=SOURCE, and with
 * --resolve-images the config blob of any other image, fetched from its registry (no
 * layers). Each reference is looked up once per run; a failure is a warning and leaves
 * the image's user unknown. */
#include "k8s_int.h"
#include "../source/registry.h"
#include "../source/source.h"
#include "../util/strmap.h"

#include <string.h>

struct ientry {
	char *key;
	char *user; /* the config's User ("" when unset); NULL when unknown */
};

struct hull_k8s_images {
	struct hull_registry_opts reg;
	const char *platform; /* NULL: linux/amd64 */
	bool resolve;
	struct strmap by_ref;  /* the image: text as written -> entry */
	struct strmap by_norm; /* a normalised reference -> entry (configured or resolved) */
	struct ientry **v;
	size_t n, cap;
};

struct hull_k8s_images *hull_k8s_images_new(const struct hull_registry_opts *reg, bool resolve)
{
	struct hull_k8s_images *im = xcalloc(1, sizeof(*im));
	if (reg)
		im->reg = *reg;
	im->resolve = resolve;
	return im;
}

void hull_k8s_images_set_platform(struct hull_k8s_images *im, const char *platform)
{
	im->platform = platform;
}

void hull_k8s_images_free(struct hull_k8s_images *im)
{
	if (!im)
		return;
	for (size_t i = 0; i < im->n; i++) {
		free(im->v[i]->key);
		free(im->v[i]->user);
		free(im->v[i]);
	}
	free(im->v);
	strmap_free(&im->by_ref);
	strmap_free(&im->by_norm);
	free(im);
}

static struct ientry *new_entry(struct hull_k8s_images *im, const char *key, char *user)
{
	struct ientry *e = xcalloc(1, sizeof(*e));
	e->key = xstrdup(key);
	e->user = user;
	ALLOC_GROW(im->v, im->n + 1, im->cap);
	im->v[im->n++] = e;
	return e;
}

/* "domain/repo[:tag][@digest]" as Docker normalises it, or NULL when ref does not parse. */
static char *normalise(const char *ref)
{
	struct hull_ref r;
	struct hull_err err = {0};
	if (hull_ref_parse(ref, &r, &err)) {
		hull_err_clear(&err);
		return NULL;
	}
	char *s = hull_ref_string(&r);
	hull_ref_free(&r);
	return s;
}

/* Opens source for its config only and returns its User ("" when unset). */
static int read_user(const struct hull_k8s_images *im, const char *source, char **user,
		     struct hull_err *err)
{
	struct hull_open_opts oo = {.platform = im->platform, .registry = &im->reg, .stream = true};
	struct hull_image *img = NULL;
	int rc = hull_image_open(source, &oo, &img, err);
	if (rc)
		return rc;
	if (!json_is_object(img->config)) {
		rc = hull_err_set(err, HULL_EINPUT, "%s: no image config", source);
	} else {
		json_t *u = json_object_get(json_object_get(img->config, "config"), "User");
		if (u && !json_is_null(u) && !json_is_string(u))
			rc = hull_err_set(err, HULL_EINPUT,
					  "%s: the image config's User is not a string", source);
		else
			*user = xstrdup(json_is_string(u) ? json_string_value(u) : "");
	}
	hull_image_free(img);
	return rc;
}

void hull_k8s_images_put(struct hull_k8s_images *im, const char *ref, const char *user)
{
	struct ientry *e = new_entry(im, ref, user ? xstrdup(user) : NULL);
	strmap_put(&im->by_ref, e->key, e);
	char *norm = normalise(ref);
	if (norm) {
		struct ientry *ne = new_entry(im, norm, user ? xstrdup(user) : NULL);
		strmap_put(&im->by_norm, ne->key, ne);
		free(norm);
	}
}

int hull_k8s_images_add(struct hull_k8s_images *im, const char *ref, const char *source,
			struct hull_err *err)
{
	if (!*ref)
		return hull_err_set(err, HULL_EUSAGE, "--image-config: empty image reference");
	char *user = NULL;
	int rc = read_user(im, source, &user, err);
	if (rc)
		return rc;
	hull_k8s_images_put(im, ref, user);
	free(user);
	return 0;
}

const char *k8s_image_user(struct hull_k8s_images *im, const char *image)
{
	if (!im || !image || !*image)
		return NULL;
	struct ientry *e = strmap_get(&im->by_ref, image);
	if (e)
		return e->user;
	char *norm = normalise(image);
	struct ientry *ne = norm ? strmap_get(&im->by_norm, norm) : NULL;
	char *user = ne && ne->user ? xstrdup(ne->user) : NULL;
	if (!ne && norm && im->resolve) {
		struct hull_err err = {0};
		char *source = xasprintf("docker://%s", image);
		if (read_user(im, source, &user, &err))
			hull_warn("%s: cannot read the image config (%s); its user is unknown to "
				  "the image checks",
				  image, err.msg ? err.msg : "failed");
		hull_err_clear(&err);
		free(source);
		ne = new_entry(im, norm, user ? xstrdup(user) : NULL);
		strmap_put(&im->by_norm, ne->key, ne);
	} else if (!norm && im->resolve) {
		hull_warn("%s: not an image reference; its user is unknown to the image checks",
			  image);
	}
	free(norm);
	e = new_entry(im, image, user);
	strmap_put(&im->by_ref, e->key, e);
	return e->user;
}
