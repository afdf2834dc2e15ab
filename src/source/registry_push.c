/* hull push: an opened image (any source with a manifest) to a registry. Blobs the
 * registry already has are skipped (HEAD), blobs of another repository on the same
 * registry are mounted, the rest uploaded; manifests go up byte for byte, so digests
 * are the source's. A source picked from an index can be pushed whole: every child
 * manifest by digest, then the index. */
#include "../util/json.h"
#include "image.h"
#include "registry.h"

#include <string.h>

#define MAX_INDEX_DEPTH 4

struct push {
	struct hull_image *img;
	struct hull_registry *reg;
	const char *mount_from; /* a repository on the same registry, or NULL */
};

static int push_blob(struct push *p, const char *digest, const struct hull_blob *b,
		     const void *data, size_t len, struct hull_err *err)
{
	bool have;
	int rc = hull_registry_blob_exists(p->reg, digest, &have, err);
	if (rc || have)
		return rc;
	if (p->mount_from) {
		rc = hull_registry_mount_blob(p->reg, digest, p->mount_from, &have, err);
		if (rc || have)
			return rc;
	}
	return hull_registry_put_blob(p->reg, digest, b, data, len, err);
}

static int push_image(struct push *p, struct hull_err *err)
{
	struct hull_image *img = p->img;
	int rc = 0;
	for (size_t i = 0; i < img->nlayers && !rc; i++) {
		struct hull_layer_desc *l = &img->layers[i];
		if (!l->digest_known)
			return hull_err_set(err, HULL_EINPUT, "%s: layer %zu has no known digest",
					    img->source, i);
		rc = push_blob(p, l->digest, &l->blob, NULL, 0, err);
	}
	if (!rc)
		rc = push_blob(p, img->config_digest, NULL, img->config_raw, img->config_len, err);
	return rc;
}

/* A child manifest of an index, from the source's store: its blobs, then itself by
 * digest. Nested indexes recurse. */
static int push_child(struct push *p, json_t *desc, int depth, struct hull_err *err);

static int push_children(struct push *p, const char *raw, size_t len, int depth,
			 struct hull_err *err)
{
	if (depth > MAX_INDEX_DEPTH)
		return hull_err_set(err, HULL_EINPUT, "%s: indexes nested too deeply",
				    p->img->source);
	json_t *doc;
	int rc = hull_json_parse(raw, len, "index", &doc, err);
	if (rc)
		return rc;
	json_t *ms = json_object_get(doc, "manifests");
	size_t i;
	json_t *d;
	if (!json_is_array(ms))
		rc = hull_err_set(err, HULL_EINPUT, "%s: the index has no manifests array",
				  p->img->source);
	json_array_foreach(ms, i, d)
	{
		if (rc)
			break;
		rc = push_child(p, d, depth, err);
	}
	json_decref(doc);
	return rc;
}

static int push_manifest_blobs(struct push *p, json_t *man, struct hull_err *err)
{
	struct hull_store *st = p->img->store;
	json_t *cfg = json_object_get(man, "config");
	json_t *layers = json_object_get(man, "layers");
	int rc = hull_check_descriptor(p->img, cfg, "manifest config", err);
	if (!rc && !json_is_array(layers))
		rc = hull_err_set(err, HULL_EINPUT, "%s: a manifest has no layers array",
				  p->img->source);
	json_t *all[] = {cfg};
	size_t n = rc ? 0 : json_array_size(layers) + 1;
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *d = i == 0 ? all[0] : json_array_get(layers, i - 1);
		rc = hull_check_descriptor(p->img, d, "manifest layer", err);
		if (rc)
			break;
		const char *dg = json_string_value(json_object_get(d, "digest"));
		_cleanup_free_ char *rel = hull_blob_path(dg);
		struct hull_blob b;
		rc = hull_store_lookup(st, rel, &b, err);
		if (!rc && b.size != (uint64_t)json_integer_value(json_object_get(d, "size")))
			rc = hull_err_set(err, HULL_EINPUT, "%s: blob %s has the wrong size",
					  p->img->source, dg);
		if (!rc)
			rc = push_blob(p, dg, &b, NULL, 0, err);
	}
	return rc;
}

static int push_child(struct push *p, json_t *desc, int depth, struct hull_err *err)
{
	int rc = hull_check_descriptor(p->img, desc, "index entry", err);
	if (rc)
		return rc;
	const char *dg = json_string_value(json_object_get(desc, "digest"));
	char *raw;
	size_t len;
	rc = hull_store_read_digest(p->img->store, dg,
				    json_integer_value(json_object_get(desc, "size")),
				    MAX_JSON_BLOB, &raw, &len, err);
	if (rc)
		return rc;
	json_t *doc = NULL;
	rc = hull_json_parse(raw, len, "manifest", &doc, err);
	const char *mt = json_string_value(json_object_get(doc, "mediaType"));
	if (!mt)
		mt = json_string_value(json_object_get(desc, "mediaType"));
	if (!rc && !json_is_object(doc))
		rc = hull_err_set(err, HULL_EINPUT, "%s: manifest %s is not a JSON object",
				  p->img->source, dg);
	bool index = hull_media_is_index(mt) || (!mt && json_object_get(doc, "manifests"));
	if (!rc && index)
		rc = push_children(p, raw, len, depth + 1, err);
	else if (!rc)
		rc = push_manifest_blobs(p, doc, err);
	if (!rc)
		rc = hull_registry_put_manifest(
			p->reg, dg, raw, len,
			mt ? mt
			   : (index ? "application/vnd.oci.image.index.v1+json"
				    : "application/vnd.oci.image.manifest.v1+json"),
			err);
	if (doc)
		json_decref(doc);
	free(raw);
	return rc;
}

/* The repository to mount from: --mount-from, else the source's own repository when it
 * is on the same registry. */
static const char *mount_source(struct hull_image *img, const struct hull_ref *dest,
				const struct hull_registry_opts *opts, struct hull_ref *src)
{
	memset(src, 0, sizeof(*src));
	if (opts && opts->mount_from)
		return opts->mount_from;
	if (img->transport != HULL_SRC_DOCKER || hull_ref_parse(img->path, src, NULL))
		return NULL;
	if (strcmp(src->domain, dest->domain) || !strcmp(src->repo, dest->repo))
		return NULL;
	return src->repo;
}

static int push_to(struct hull_image *img, const char *dest, const struct hull_registry_opts *opts,
		   bool whole_index, struct hull_err *err)
{
	if (!img->manifest_raw)
		return hull_err_set(err, HULL_EUSAGE,
				    "%s: no manifest to push (a classic docker-archive or rootfs: "
				    "copy it to oci: first)",
				    img->source);
	const char *r = strncmp(dest, "docker://", 9) ? dest : dest + 9;
	struct hull_ref ref, src = {0};
	int rc = hull_ref_parse(r, &ref, err);
	if (rc)
		return rc;
	bool index = whole_index && img->index_raw && img->store;
	const char *top = index ? img->index_digest : img->manifest_digest;
	struct hull_registry *reg = NULL;
	if (ref.digest && strcmp(ref.digest, top))
		rc = hull_err_set(err, HULL_EUSAGE,
				  "%s: the destination names digest %s but the %s is %s",
				  img->source, ref.digest, index ? "index" : "manifest", top);
	if (!rc)
		rc = hull_registry_open(&ref, opts, true, dest, &reg, err);
	struct push p = {img, reg, NULL};
	p.mount_from = rc ? NULL : mount_source(img, &ref, opts, &src);
	if (!rc && index)
		rc = push_children(&p, img->index_raw, img->index_len, 1, err);
	else if (!rc)
		rc = push_image(&p, err);
	if (!rc)
		rc = hull_registry_put_manifest(
			reg, ref.tag ? ref.tag : top, index ? img->index_raw : img->manifest_raw,
			index ? img->index_len : img->manifest_len,
			index ? img->index_media_type : img->manifest_media_type, err);
	hull_registry_free(reg);
	hull_ref_free(&src);
	hull_ref_free(&ref);
	return rc;
}

int hull_registry_push(struct hull_image *img, const char *dest,
		       const struct hull_registry_opts *opts, struct hull_err *err)
{
	return push_to(img, dest, opts, false, err);
}

int hull_registry_push_all(struct hull_image *img, const char *dest,
			   const struct hull_registry_opts *opts, struct hull_err *err)
{
	return push_to(img, dest, opts, true, err);
}
