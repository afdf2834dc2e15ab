/* docker-archive: the tar `docker save` writes (classic, Docker >= 25 with an OCI
 * layout inside, skopeo's and ggcr's variants), read through its manifest.json. */
#include "../util/json.h"
#include "../util/strbuf.h"
#include "image.h"

#include <string.h>

/* The content digest a member name promises, if it is content-addressed:
 * "blobs/sha256/<hex>", "<hex>.json", "<hex>.tar", "<hex>.tar.gz", "sha256:<hex>". */
static char *name_digest(const char *name)
{
	static const char *suffixes[] = {".json", ".tar", ".tar.gz", ".tar.zst"};
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	bool prefixed = !strncmp(base, "sha256:", 7);
	if (prefixed)
		base += 7;
	size_t n = strspn(base, "0123456789abcdef");
	if (n != 64)
		return NULL;
	const char *rest = base + 64;
	bool ok = !*rest && (prefixed || strstr(name, "blobs/sha256/"));
	for (size_t i = 0; !ok && i < ARRAY_SIZE(suffixes); i++)
		ok = !strcmp(rest, suffixes[i]);
	return ok ? xasprintf("sha256:%.64s", base) : NULL;
}

static bool tag_matches(const char *tag, const char *ref)
{
	if (!strcmp(tag, ref))
		return true;
	/* "img" means "img:latest"; "docker.io/library/img:t" is "img:t". */
	size_t rl = strlen(ref);
	if (!strchr(ref + (strrchr(ref, '/') ? strrchr(ref, '/') - ref : 0), ':') &&
	    !strncmp(tag, ref, rl) && !strcmp(tag + rl, ":latest"))
		return true;
	static const char *prefixes[] = {"docker.io/library/", "docker.io/"};
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t pl = strlen(prefixes[i]);
		if (!strncmp(ref, prefixes[i], pl) && tag_matches(tag, ref + pl))
			return true;
	}
	return false;
}

static int pick_entry(struct hull_image *img, json_t *arr, const char *ref, json_t **out,
		      struct hull_err *err)
{
	size_t i, j;
	json_t *e, *t;
	if (!ref) {
		if (json_array_size(arr) == 1) {
			*out = json_array_get(arr, 0);
			return 0;
		}
		struct strbuf sb = STRBUF_INIT;
		json_array_foreach(arr, i, e) json_array_foreach(json_object_get(e, "RepoTags"), j,
								 t) if (json_is_string(t))
			strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", json_string_value(t));
		int rc = hull_err_set(err, HULL_EUSAGE,
				      "%s: the archive holds %zu images; name one as "
				      "docker-archive:PATH:REF (%s)",
				      img->source, json_array_size(arr),
				      sb.len ? sb.buf : "untagged");
		strbuf_release(&sb);
		return rc;
	}
	json_array_foreach(arr, i, e)
	{
		json_array_foreach(json_object_get(e, "RepoTags"), j, t)
		{
			if (json_is_string(t) && tag_matches(json_string_value(t), ref)) {
				*out = e;
				return 0;
			}
		}
	}
	return hull_err_set(err, HULL_EINPUT, "%s: no image tagged \"%s\" in the archive",
			    img->source, ref);
}

static int read_config(struct hull_image *img, const char *cfgname, struct hull_err *err)
{
	char *raw;
	size_t len;
	int rc = hull_store_read(img->store, cfgname, MAX_JSON_BLOB, &raw, &len, err);
	if (rc) {
		if (rc == HULL_ENOTFOUND) {
			hull_err_clear(err);
			rc = hull_err_set(err, HULL_EINPUT,
					  "%s: config %s named by manifest.json "
					  "is missing",
					  img->source, cfgname);
		}
		return rc;
	}
	_cleanup_free_ char *want = name_digest(cfgname);
	char got[HULL_DIGEST_LEN + 1];
	hull_sha256_buf(raw, len, got);
	if (want && strcmp(want, got)) {
		free(raw);
		return hull_err_set(err, HULL_EINPUT, "%s: config %s has digest %s (corrupt)",
				    img->source, cfgname, got);
	}
	return hull_image_set_config(img, raw, len, cfgname, err);
}

static int set_layers(struct hull_image *img, json_t *layers, struct hull_err *err)
{
	img->nlayers = json_array_size(layers);
	img->layers = xcalloc(img->nlayers ? img->nlayers : 1, sizeof(*img->layers));
	size_t i;
	json_t *v;
	json_array_foreach(layers, i, v)
	{
		if (!json_is_string(v))
			return hull_err_set(err, HULL_EINPUT,
					    "%s: manifest.json: a Layers entry is not a string",
					    img->source);
		struct hull_layer_desc *l = &img->layers[i];
		l->name = xstrdup(json_string_value(v));
		l->digest = name_digest(l->name);
		l->digest_known = l->digest != NULL;
		int rc = hull_store_lookup(img->store, l->name, &l->blob, err);
		if (rc) {
			if (rc == HULL_ENOTFOUND) {
				hull_err_clear(err);
				rc = hull_err_set(err, HULL_EINPUT,
						  "%s: layer %s named by manifest.json is missing",
						  img->source, l->name);
			}
			return rc;
		}
		l->size = l->blob.size;
	}
	return 0;
}

/* Docker >= 25 writes an OCI layout beside manifest.json: when one of its manifests
 * names our config, the image has a real manifest digest (what `docker images
 * --digests` and registries show) and layer media types. Best effort: manifest.json
 * stays the authority, as it is for `docker load`. */
static void adopt_oci_manifest(struct hull_image *img, json_t *index, int depth)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(index, "manifests"), i, d)
	{
		const char *dg = json_string_value(json_object_get(d, "digest"));
		json_t *sz = json_object_get(d, "size");
		char *raw;
		size_t len;
		json_t *doc;
		if (!dg || !json_is_integer(sz) ||
		    hull_store_read_digest(img->store, dg, json_integer_value(sz), MAX_JSON_BLOB,
					   &raw, &len, NULL))
			continue;
		if (hull_json_parse(raw, len, "manifest", &doc, NULL)) {
			free(raw);
			continue;
		}
		if (json_is_array(json_object_get(doc, "manifests")) && depth < 2) {
			adopt_oci_manifest(img, doc, depth + 1);
		} else {
			const char *cfg = json_string_value(
				json_object_get(json_object_get(doc, "config"), "digest"));
			json_t *layers = json_object_get(doc, "layers");
			if (!img->manifest_digest && cfg && !strcmp(cfg, img->config_digest) &&
			    json_array_size(layers) == img->nlayers) {
				const char *mt =
					json_string_value(json_object_get(doc, "mediaType"));
				img->manifest_digest = xstrdup(dg);
				img->manifest_media_type = xstrdup(
					mt ? mt : "application/vnd.oci.image.manifest.v1+json");
				bool same_blobs = true;
				for (size_t k = 0; k < img->nlayers; k++) {
					json_t *l = json_array_get(layers, k);
					const char *lmt =
						json_string_value(json_object_get(l, "mediaType"));
					const char *ldg =
						json_string_value(json_object_get(l, "digest"));
					if (lmt && !img->layers[k].media_type)
						img->layers[k].media_type = xstrdup(lmt);
					same_blobs &= ldg && img->layers[k].digest &&
						      !strcmp(ldg, img->layers[k].digest);
				}
				/* the manifest's bytes too (hull pull copies them) when it names
				 * exactly the layer blobs manifest.json does */
				if (same_blobs) {
					img->manifest_raw = raw;
					img->manifest_len = len;
					raw = NULL;
				}
			}
		}
		free(raw);
		json_decref(doc);
	}
}

static void find_oci_manifest(struct hull_image *img)
{
	char *data;
	size_t len;
	json_t *index;
	if (!hull_store_exists(img->store, "index.json") ||
	    hull_store_read(img->store, "index.json", MAX_JSON_BLOB, &data, &len, NULL))
		return;
	int bad = hull_json_parse(data, len, "index.json", &index, NULL);
	free(data);
	if (bad)
		return;
	adopt_oci_manifest(img, index, 0);
	json_decref(index);
}

int hull_docker_archive_open(struct hull_image *img, const char *ref, struct hull_err *err)
{
	char *data;
	size_t len;
	int rc = hull_store_read(img->store, "manifest.json", MAX_JSON_BLOB, &data, &len, err);
	if (rc) {
		if (rc == HULL_ENOTFOUND) {
			hull_err_clear(err);
			rc = hull_err_set(err, HULL_EINPUT,
					  "%s: not a docker archive (no manifest.json)",
					  img->source);
		}
		return rc;
	}
	json_t *arr;
	rc = hull_json_parse(data, len, "manifest.json", &arr, err);
	free(data);
	if (rc) {
		hull_err_prefix(err, "%s", img->source);
		return rc;
	}
	json_t *entry = NULL;
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		rc = hull_err_set(err, HULL_EINPUT, "%s: manifest.json is not a non-empty array",
				  img->source);
	if (!rc)
		rc = pick_entry(img, arr, ref, &entry, err);
	const char *cfg = NULL;
	json_t *layers = NULL;
	if (!rc) {
		cfg = json_string_value(json_object_get(entry, "Config"));
		layers = json_object_get(entry, "Layers");
		if (!cfg || !json_is_array(layers))
			rc = hull_err_set(err, HULL_EINPUT,
					  "%s: manifest.json entry lacks Config or Layers",
					  img->source);
	}
	if (!rc) {
		json_t *tags = json_object_get(entry, "RepoTags");
		size_t i;
		json_t *t;
		json_array_foreach(tags, i, t)
		{
			if (!json_is_string(t))
				continue;
			img->repo_tags =
				xreallocarray(img->repo_tags, img->nrepo_tags + 1, sizeof(char *));
			img->repo_tags[img->nrepo_tags++] = xstrdup(json_string_value(t));
		}
		rc = set_layers(img, layers, err);
	}
	if (!rc)
		rc = read_config(img, cfg, err);
	if (!rc)
		find_oci_manifest(img);
	json_decref(arr);
	return rc;
}
