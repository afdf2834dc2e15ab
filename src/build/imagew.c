/* Assembling built images: the config gets its rootfs and history, the manifest lists
 * the base's layers then the new ones, and the whole thing becomes an in-memory
 * hull_image that src/source's writers (oci:, archives, registry push) copy out. */
#include "imagew.h"
#include "../source/registry.h"
#include "../source/write.h"
#include "../util/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_CONFIG   "application/vnd.oci.image.config.v1+json"
#define OCI_TAR	     "application/vnd.oci.image.layer.v1.tar"
#define OCI_TAR_GZ   "application/vnd.oci.image.layer.v1.tar+gzip"
#define OCI_TAR_ZST  "application/vnd.oci.image.layer.v1.tar+zstd"
#define JSON_FLAGS   (JSON_SORT_KEYS | JSON_COMPACT)

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

void hull_rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* The OCI media type of a base layer: Docker's names mapped, else sniffed. */
static const char *layer_media_type(const struct hull_layer_desc *l)
{
	const char *mt = l->media_type;
	if (mt && strstr(mt, "vnd.oci.image.layer"))
		return mt;
	if (mt && !strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar.gzip"))
		return OCI_TAR_GZ;
	unsigned char m[4] = {0};
	if (l->blob.size >= 4 && pread(l->blob.fd, m, 4, (off_t)l->blob.off) != 4)
		return OCI_TAR;
	if (m[0] == 0x1f && m[1] == 0x8b)
		return OCI_TAR_GZ;
	if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		return OCI_TAR_ZST;
	return OCI_TAR;
}

static int blob_digest(const struct hull_blob *b, const char *name, char *out, struct hull_err *err)
{
	struct hull_sha256 h;
	hull_sha256_init(&h);
	char *buf = xmalloc(1u << 20);
	int rc = 0;
	for (uint64_t pos = 0; pos < b->size;) {
		size_t want = b->size - pos < (1u << 20) ? (size_t)(b->size - pos) : (1u << 20);
		ssize_t n = pread(b->fd, buf, want, (off_t)(b->off + pos));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = hull_err_set(err, HULL_EIO, "%s: %s", name,
					  n ? strerror(errno) : "truncated");
			break;
		}
		hull_sha256_update(&h, buf, (size_t)n);
		pos += (uint64_t)n;
	}
	free(buf);
	hull_sha256_final(&h, out);
	return rc;
}

/* Fills img->layers from the base's layers then the built ones (fds opened here). */
static int collect_layers(struct hull_image *img, struct hull_image *base,
			  const struct hull_built_layer *layers, size_t nlayers,
			  struct hull_err *err)
{
	size_t nb = base ? base->nlayers : 0;
	img->layers = xcalloc(nb + nlayers + 1, sizeof(*img->layers));
	for (size_t i = 0; i < nb; i++) {
		const struct hull_layer_desc *b = &base->layers[i];
		struct hull_layer_desc *l = &img->layers[img->nlayers++];
		l->blob = b->blob;
		l->blob.fd = dup(b->blob.fd);
		l->size = b->size;
		l->diff_id = xstrdup(b->diff_id ? b->diff_id : "");
		l->name = xstrdup(b->name ? b->name : "base layer");
		l->media_type = xstrdup(layer_media_type(b));
		l->digest_known = true;
		if (l->blob.fd < 0)
			return hull_err_set(err, HULL_EIO, "%s: %s", l->name, strerror(errno));
		if (b->digest_known && b->digest) {
			l->digest = xstrdup(b->digest);
			continue;
		}
		char d[HULL_DIGEST_LEN + 1];
		int rc = blob_digest(&l->blob, l->name, d, err);
		if (rc)
			return rc;
		l->digest = xstrdup(d);
	}
	for (size_t i = 0; i < nlayers; i++) {
		struct hull_layer_desc *l = &img->layers[img->nlayers++];
		l->blob.fd = open(layers[i].blob_path, O_RDONLY | O_CLOEXEC);
		l->blob.size = l->size = layers[i].size;
		l->digest = xstrdup(layers[i].digest);
		l->diff_id = xstrdup(layers[i].diff_id);
		l->name = xstrdup(layers[i].blob_path);
		l->media_type = xstrdup(OCI_TAR_GZ);
		l->digest_known = true;
		if (l->blob.fd < 0)
			return hull_err_set(err, HULL_EIO, "%s: %s", l->name, strerror(errno));
	}
	return 0;
}

static json_t *make_history(const json_t *config, struct hull_image *base,
			    const struct hull_built_layer *layers, size_t nlayers)
{
	json_t *bh = base && base->config ? json_object_get(base->config, "history") : NULL;
	json_t *h = json_is_array(bh) ? json_deep_copy(bh) : json_array();
	json_t *created = json_object_get(config, "created");
	for (size_t i = 0; i < nlayers; i++) {
		json_t *e = json_pack("{s:s}", "created_by",
				      layers[i].created_by ? layers[i].created_by : "hull build");
		if (json_is_string(created))
			json_object_set(e, "created", created);
		json_array_append_new(h, e);
	}
	return h;
}

static json_t *make_config(const json_t *config, struct hull_image *img, struct hull_image *base,
			   const struct hull_built_layer *layers, size_t nlayers)
{
	json_t *c = json_deep_copy(config);
	json_t *ids = json_array();
	for (size_t i = 0; i < img->nlayers; i++)
		json_array_append_new(ids, json_string(img->layers[i].diff_id));
	json_object_set_new(c, "rootfs",
			    json_pack("{s:s, s:o}", "type", "layers", "diff_ids", ids));
	if (!json_object_get(c, "history"))
		json_object_set_new(c, "history", make_history(config, base, layers, nlayers));
	return c;
}

static json_t *make_manifest(struct hull_image *img, const json_t *annotations)
{
	json_t *ls = json_array();
	for (size_t i = 0; i < img->nlayers; i++) {
		const struct hull_layer_desc *l = &img->layers[i];
		json_array_append_new(ls,
				      json_pack("{s:s, s:s, s:I}", "mediaType", l->media_type,
						"digest", l->digest, "size", (json_int_t)l->size));
	}
	json_t *m =
		json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType",
			  OCI_MANIFEST, "config", "mediaType", OCI_CONFIG, "digest",
			  img->config_digest, "size", (json_int_t)img->config_len, "layers", ls);
	if (json_is_object(annotations) && json_object_size(annotations))
		json_object_set_new(m, "annotations", json_deep_copy(annotations));
	return m;
}

static void close_layers(struct hull_image *img)
{
	for (size_t i = 0; i < img->nlayers; i++)
		if (img->layers[i].blob.fd >= 0)
			close(img->layers[i].blob.fd);
	for (size_t i = 0; i < img->nlayers; i++)
		img->layers[i].blob.fd = -1;
}

/* The image in memory: layers on their files, config and manifest as bytes. */
static int build_image(const json_t *config, struct hull_image *base,
		       const struct hull_built_layer *layers, size_t nlayers,
		       const json_t *annotations, struct hull_image **out, struct hull_err *err)
{
	struct hull_image *img = xcalloc(1, sizeof(*img));
	img->source = xstrdup("built image");
	img->transport = HULL_SRC_OCI;
	int rc = collect_layers(img, base, layers, nlayers, err);
	if (rc) {
		close_layers(img);
		hull_image_free(img);
		return rc;
	}
	json_t *c = make_config(config, img, base, layers, nlayers);
	img->config_raw = json_dumps(c, JSON_FLAGS);
	json_decref(c);
	img->config_len = strlen(img->config_raw);
	char d[HULL_DIGEST_LEN + 1];
	hull_sha256_buf(img->config_raw, img->config_len, d);
	img->config_digest = xstrdup(d);
	json_t *m = make_manifest(img, annotations);
	img->manifest_raw = json_dumps(m, JSON_FLAGS);
	json_decref(m);
	img->manifest_len = strlen(img->manifest_raw);
	hull_sha256_buf(img->manifest_raw, img->manifest_len, d);
	img->manifest_digest = xstrdup(d);
	img->manifest_media_type = xstrdup(OCI_MANIFEST);
	*out = img;
	return 0;
}

static int make_empty_dir(const char *dir, struct hull_err *err)
{
	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return hull_err_set(err, HULL_EIO, "%s: %s", dir, strerror(errno));
	if (rmdir(dir) == 0 && mkdir(dir, 0755) == 0)
		return 0; /* it was an empty directory */
	return hull_err_set(err, HULL_EUSAGE, "%s: already exists and is not empty", dir);
}

int hull_image_assemble(const json_t *config, struct hull_image *base,
			const struct hull_built_layer *layers, size_t nlayers,
			const json_t *annotations, const char *dir, char **digest_out,
			struct hull_err *err)
{
	if (!json_is_object(config))
		return hull_err_set(err, HULL_EUSAGE, "image config is not an object");
	int rc = make_empty_dir(dir, err);
	if (rc)
		return rc;
	struct hull_image *img;
	rc = build_image(config, base, layers, nlayers, annotations, &img, err);
	if (!rc) {
		_cleanup_free_ char *dest = xasprintf("oci:%s:latest", dir);
		rc = hull_image_write(img, dest, err);
		if (!rc && digest_out)
			*digest_out = xstrdup(img->manifest_digest);
		close_layers(img);
		hull_image_free(img);
	}
	return rc;
}

/* oci:PATH[:TAG] where PATH does not exist yet: write beside it, then rename. */
static int publish_new_oci(struct hull_image *img, const char *path, const char *tag,
			   struct hull_err *err)
{
	_cleanup_free_ char *tmp = xasprintf("%s.hull-tmp-XXXXXX", path);
	if (!mkdtemp(tmp))
		return hull_err_set(err, HULL_EIO, "%s: %s", tmp, strerror(errno));
	_cleanup_free_ char *d = xasprintf("oci:%s%s%s", tmp, tag ? ":" : "", tag ? tag : "");
	int rc = hull_image_write(img, d, err);
	if (!rc && rename(tmp, path))
		rc = hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	if (rc)
		hull_rm_rf(tmp);
	return rc;
}

int hull_image_publish(const char *dir, const char *dest, const struct hull_registry_opts *ropts,
		       struct hull_err *err)
{
	_cleanup_free_ char *src = xasprintf("oci:%s", dir);
	struct hull_image *img;
	int rc = hull_image_open(src, NULL, &img, err);
	if (rc)
		return rc;
	if (!strncmp(dest, "docker://", 9)) {
		rc = hull_registry_push(img, dest, ropts, err);
	} else if (!strncmp(dest, "oci:", 4)) {
		const char *rest = dest + 4, *c = strchr(rest, ':');
		_cleanup_free_ char *path = c ? xstrndup(rest, (size_t)(c - rest)) : xstrdup(rest);
		struct stat sb;
		if (*path && lstat(path, &sb) && errno == ENOENT)
			rc = publish_new_oci(img, path, c && c[1] ? c + 1 : NULL, err);
		else
			rc = hull_image_write(img, dest, err);
	} else {
		rc = hull_image_write(img, dest, err);
	}
	hull_image_free(img);
	return rc;
}

int hull_image_assemble_write(const json_t *config, struct hull_image *base,
			      const struct hull_built_layer *layers, size_t nlayers,
			      const json_t *annotations, const char *dest,
			      const struct hull_registry_opts *ropts, const char *tmpdir,
			      char **digest_out, struct hull_err *err)
{
	if (!tmpdir)
		tmpdir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	_cleanup_free_ char *tmp = xasprintf("%s/hull-image-XXXXXX", tmpdir);
	if (!mkdtemp(tmp))
		return hull_err_set(err, HULL_EIO, "%s: %s", tmp, strerror(errno));
	_cleanup_free_ char *layout = xasprintf("%s/layout", tmp);
	char *digest = NULL;
	int rc = hull_image_assemble(config, base, layers, nlayers, annotations, layout, &digest,
				     err);
	if (!rc)
		rc = hull_image_publish(layout, dest, ropts, err);
	hull_rm_rf(tmp);
	if (!rc && digest_out)
		*digest_out = digest;
	else
		free(digest);
	return rc;
}
