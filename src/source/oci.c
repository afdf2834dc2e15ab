/* OCI image layouts (a directory, or the same inside an oci-archive tar): index.json,
 * nested indexes, platform choice, manifest, config and layer descriptors. Every blob
 * read is checked against its descriptor's size and digest. */
#include "../util/json.h"
#include "../util/strbuf.h"
#include "image.h"

#include <string.h>

#define REF_ANNOTATION	"org.opencontainers.image.ref.name"
#define MAX_INDEX_DEPTH 4

bool hull_media_is_index(const char *mt)
{
	return mt && (!strcmp(mt, "application/vnd.oci.image.index.v1+json") ||
		      !strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

bool hull_media_is_manifest(const char *mt)
{
	return mt && (!strcmp(mt, "application/vnd.oci.image.manifest.v1+json") ||
		      !strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json"));
}

static const char *ref_name(json_t *desc)
{
	json_t *ann = json_object_get(desc, "annotations");
	json_t *r = json_is_object(ann) ? json_object_get(ann, REF_ANNOTATION) : NULL;
	return json_is_string(r) ? json_string_value(r) : NULL;
}

int hull_check_descriptor(struct hull_image *img, json_t *d, const char *what, struct hull_err *err)
{
	if (!json_is_object(d))
		return hull_err_set(err, HULL_EINPUT, "%s: %s: a descriptor is not an object",
				    img->source, what);
	const char *dg = json_string_value(json_object_get(d, "digest"));
	if (!hull_digest_valid(dg))
		return hull_err_set(err, HULL_EINPUT, "%s: %s: invalid or missing digest %s%s%s",
				    img->source, what, dg ? "\"" : "", dg ? dg : "",
				    dg ? "\"" : "");
	json_t *sz = json_object_get(d, "size");
	if (!json_is_integer(sz) || json_integer_value(sz) < 0)
		return hull_err_set(err, HULL_EINPUT, "%s: %s: descriptor %s has no valid size",
				    img->source, what, dg);
	return 0;
}

static int read_json_blob(struct hull_image *img, json_t *desc, const char *what, json_t **out,
			  char **raw, size_t *rawlen, struct hull_err *err)
{
	int rc = hull_check_descriptor(img, desc, what, err);
	if (rc)
		return rc;
	const char *dg = json_string_value(json_object_get(desc, "digest"));
	long long size = json_integer_value(json_object_get(desc, "size"));
	char *data;
	size_t len;
	rc = hull_store_read_digest(img->store, dg, size, MAX_JSON_BLOB, &data, &len, err);
	if (rc)
		return rc;
	rc = hull_json_parse(data, len, what, out, err);
	if (rc || !json_is_object(*out)) {
		if (!rc) {
			json_decref(*out);
			rc = hull_err_set(err, HULL_EINPUT, "%s: %s is not a JSON object",
					  img->source, what);
		}
		free(data);
		return rc;
	}
	if (raw) {
		*raw = data;
		*rawlen = len;
	} else {
		free(data);
	}
	return 0;
}

static int select_from_index(struct hull_image *img, json_t *index, const char *ref, json_t **out,
			     struct hull_err *err)
{
	json_t *manifests = json_object_get(index, "manifests");
	if (!json_is_array(manifests) || json_array_size(manifests) == 0)
		return hull_err_set(err, HULL_EINPUT, "%s: index.json lists no manifests",
				    img->source);
	size_t i;
	json_t *d;
	if (ref) {
		json_array_foreach(manifests, i, d)
		{
			const char *r = ref_name(d);
			const char *dg = json_string_value(json_object_get(d, "digest"));
			if ((r && !strcmp(r, ref)) || (dg && !strcmp(dg, ref))) {
				*out = d;
				return 0;
			}
		}
		struct strbuf sb = STRBUF_INIT;
		json_array_foreach(manifests, i, d)
		{
			const char *r = ref_name(d);
			if (r)
				strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", r);
		}
		int rc = hull_err_set(err, HULL_EINPUT, "%s: no image named \"%s\" (names: %s)",
				      img->source, ref, sb.len ? sb.buf : "none");
		strbuf_release(&sb);
		return rc;
	}
	if (json_array_size(manifests) == 1) {
		*out = json_array_get(manifests, 0);
		return 0;
	}
	/* Several entries: a top-level list of platform manifests is fine, several named
	 * images are not (the user must say which). */
	bool all_platform = true;
	json_array_foreach(manifests, i, d) if (!json_object_get(d, "platform")) all_platform =
		false;
	if (all_platform) {
		*out = manifests; /* caller picks the platform */
		return 0;
	}
	struct strbuf sb = STRBUF_INIT;
	json_array_foreach(manifests, i, d)
	{
		const char *r = ref_name(d);
		strbuf_addf(&sb, "%s%s", i ? ", " : "",
			    r ? r : json_string_value(json_object_get(d, "digest")));
	}
	int rc = hull_err_set(
		err, HULL_EUSAGE, "%s: the layout holds %zu images; name one as %s:REF (%s)",
		img->source, json_array_size(manifests),
		img->transport == HULL_SRC_OCI ? "oci:DIR" : "oci-archive:PATH", sb.buf);
	strbuf_release(&sb);
	return rc;
}

int hull_manifest_layers(struct hull_image *img, json_t *manifest, struct hull_err *err)
{
	json_t *layers = json_object_get(manifest, "layers");
	if (!json_is_array(layers))
		return hull_err_set(err, HULL_EINPUT, "%s: manifest has no layers array",
				    img->source);
	img->nlayers = json_array_size(layers);
	img->layers = xcalloc(img->nlayers ? img->nlayers : 1, sizeof(*img->layers));
	size_t i;
	json_t *d;
	json_array_foreach(layers, i, d)
	{
		int rc = hull_check_descriptor(img, d, "manifest layer", err);
		if (rc)
			return rc;
		struct hull_layer_desc *l = &img->layers[i];
		l->digest = xstrdup(json_string_value(json_object_get(d, "digest")));
		const char *mt = json_string_value(json_object_get(d, "mediaType"));
		l->media_type = mt ? xstrdup(mt) : NULL;
		l->size = (uint64_t)json_integer_value(json_object_get(d, "size"));
		l->digest_known = true;
		l->name = hull_blob_path(l->digest);
	}
	return 0;
}

int hull_image_attach_blobs(struct hull_image *img, struct hull_err *err)
{
	for (size_t i = 0; i < img->nlayers; i++) {
		struct hull_layer_desc *l = &img->layers[i];
		int rc = hull_store_lookup(img->store, l->name, &l->blob, err);
		if (rc)
			return hull_err_set(err, HULL_EINPUT, "%s: layer blob %s is missing",
					    img->source, l->digest);
		if (l->blob.size != l->size)
			return hull_err_set(err, HULL_EINPUT,
					    "%s: layer %s is %llu bytes, the manifest says %llu",
					    img->source, l->digest,
					    (unsigned long long)l->blob.size,
					    (unsigned long long)l->size);
	}
	return 0;
}

static int load_manifest(struct hull_image *img, json_t *desc, const struct hull_platform *want,
			 int depth, struct hull_err *err)
{
	if (depth > MAX_INDEX_DEPTH)
		return hull_err_set(err, HULL_EINPUT, "%s: indexes nested too deeply", img->source);
	json_t *doc;
	char *raw = NULL;
	size_t rawlen = 0;
	int rc = read_json_blob(img, desc, "manifest", &doc, &raw, &rawlen, err);
	if (rc)
		return rc;
	const char *mt = json_string_value(json_object_get(doc, "mediaType"));
	if (!mt)
		mt = json_string_value(json_object_get(desc, "mediaType"));
	if (hull_media_is_index(mt) || (!mt && json_object_get(doc, "manifests"))) {
		if (!img->index_raw) {
			img->index_digest =
				xstrdup(json_string_value(json_object_get(desc, "digest")));
			img->index_media_type =
				xstrdup(mt ? mt : "application/vnd.oci.image.index.v1+json");
			img->index_raw = raw;
			img->index_len = rawlen;
			raw = NULL;
		}
		free(raw);
		json_t *pick;
		rc = hull_platform_pick(img->source, json_object_get(doc, "manifests"), want, &pick,
					err);
		if (!rc)
			rc = load_manifest(img, pick, want, depth + 1, err);
		json_decref(doc);
		return rc;
	}
	if (mt && !hull_media_is_manifest(mt)) {
		rc = hull_err_set(err, HULL_EINPUT, "%s: unsupported manifest media type %s",
				  img->source, mt);
		json_decref(doc);
		free(raw);
		return rc;
	}
	img->manifest_digest = xstrdup(json_string_value(json_object_get(desc, "digest")));
	img->manifest_media_type = xstrdup(mt ? mt : "application/vnd.oci.image.manifest.v1+json");
	img->manifest_raw = raw;
	img->manifest_len = rawlen;
	rc = hull_manifest_layers(img, doc, err);
	if (!rc)
		rc = hull_image_attach_blobs(img, err);
	json_t *cdesc = json_object_get(doc, "config");
	char *craw = NULL;
	size_t clen = 0;
	if (!rc)
		rc = hull_check_descriptor(img, cdesc, "manifest config", err);
	if (!rc) {
		const char *dg = json_string_value(json_object_get(cdesc, "digest"));
		rc = hull_store_read_digest(img->store, dg,
					    json_integer_value(json_object_get(cdesc, "size")),
					    MAX_JSON_BLOB, &craw, &clen, err);
		if (rc == HULL_ENOTFOUND)
			hull_err_prefix(err, "config blob");
	}
	if (!rc)
		rc = hull_image_set_config(img, craw, clen, "image config", err);
	json_decref(doc);
	return rc;
}

int hull_oci_open(struct hull_image *img, const char *ref, const struct hull_platform *want,
		  struct hull_err *err)
{
	if (!hull_store_exists(img->store, "oci-layout"))
		return hull_err_set(err, HULL_EINPUT, "%s: not an OCI layout (no oci-layout file)",
				    img->source);
	char *data;
	size_t len;
	int rc = hull_store_read(img->store, "index.json", MAX_JSON_BLOB, &data, &len, err);
	if (rc)
		return rc;
	json_t *index;
	rc = hull_json_parse(data, len, "index.json", &index, err);
	free(data);
	if (rc)
		return rc;
	json_t *sel = NULL;
	rc = select_from_index(img, index, ref, &sel, err);
	if (!rc && json_is_array(sel))
		rc = hull_platform_pick(img->source, sel, want, &sel, err);
	if (!rc) {
		const char *r = ref_name(sel);
		if (r) {
			img->repo_tags = xcalloc(1, sizeof(char *));
			img->repo_tags[0] = xstrdup(r);
			img->nrepo_tags = 1;
		}
		rc = load_manifest(img, sel, want, 0, err);
	}
	json_decref(index);
	return rc;
}
