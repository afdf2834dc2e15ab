/* hull pull's destinations: an OCI layout directory (blobs added, index.json entry
 * replaced by tag) or a docker-archive tar. Blobs are hashed as they are copied, and
 * every file appears by rename only once complete. */
#include "write.h"
#include "../util/archive_lazy.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "image.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_BUF  (1u << 20)
#define OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define REF_ANNOT "org.opencontainers.image.ref.name"

int hull_mkdir_p(const char *path, struct hull_err *err)
{
	_cleanup_free_ char *p = xstrdup(path);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			return hull_err_set(err, HULL_EIO, "%s: %s", p, strerror(errno));
		if (!c)
			return 0;
		*s = c;
	}
}

/* The bytes of one blob to write: a range of a file, or memory. */
struct src {
	const char *digest;
	const struct hull_blob *blob;
	const char *data;
	size_t len;
};

/* Feeds the blob to sink in chunks, then checks the digest. */
static int copy_blob(struct hull_image *img, const struct src *s,
		     int (*sink)(void *ctx, const void *p, size_t n), void *ctx,
		     struct hull_err *err)
{
	struct hull_sha256 h;
	hull_sha256_init(&h);
	int rc = 0;
	if (!s->blob) {
		hull_sha256_update(&h, s->data, s->len);
		rc = sink(ctx, s->data, s->len);
	} else {
		char *buf = xmalloc(COPY_BUF);
		for (uint64_t pos = 0; pos < s->blob->size && !rc;) {
			size_t want = s->blob->size - pos < COPY_BUF ? (size_t)(s->blob->size - pos)
								     : COPY_BUF;
			ssize_t n = pread(s->blob->fd, buf, want, (off_t)(s->blob->off + pos));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				rc = hull_err_set(err, HULL_EIO, "%s: blob %s: %s", img->source,
						  s->digest, n ? strerror(errno) : "truncated");
				break;
			}
			hull_sha256_update(&h, buf, (size_t)n);
			rc = sink(ctx, buf, (size_t)n);
			pos += (uint64_t)n;
		}
		free(buf);
	}
	char dg[HULL_DIGEST_LEN + 1];
	hull_sha256_final(&h, dg);
	if (!rc && strcmp(dg, s->digest))
		rc = hull_err_set(err, HULL_EINPUT,
				  "%s: blob digest mismatch: expected %s, content is %s",
				  img->source, s->digest, dg);
	return rc;
}

/* ---------------------------------------------------------------- OCI layout */

static int fd_sink(void *ctx, const void *p, size_t n)
{
	return hull_write_all(*(int *)ctx, p, n) ? HULL_EIO : 0;
}

static int put_file_blob(struct hull_image *img, const char *dir, const struct src *s,
			 struct hull_err *err)
{
	_cleanup_free_ char *path = xasprintf("%s/blobs/sha256/%s", dir, s->digest + 7);
	struct stat sb;
	uint64_t size = s->blob ? s->blob->size : s->len;
	if (stat(path, &sb) == 0 && (uint64_t)sb.st_size == size)
		return 0; /* content-addressed: already there */
	_cleanup_free_ char *tmp = xasprintf("%s.hull-tmp-XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	int rc = copy_blob(img, s, fd_sink, &fd, err);
	if (rc == HULL_EIO && !(err && err->msg))
		rc = hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	return hull_tmpfile_commit(fd, tmp, path, rc, err);
}

/* Every blob of the image, layers first, the manifest last. */
static size_t list_blobs(struct hull_image *img, struct src *v)
{
	size_t n = 0;
	for (size_t i = 0; i < img->nlayers; i++)
		v[n++] =
			(struct src){.digest = img->layers[i].digest, .blob = &img->layers[i].blob};
	v[n++] = (struct src){
		.digest = img->config_digest, .data = img->config_raw, .len = img->config_len};
	v[n++] = (struct src){.digest = img->manifest_digest,
			      .data = img->manifest_raw,
			      .len = img->manifest_len};
	return n;
}

static json_t *manifest_desc(struct hull_image *img, const char *tag)
{
	json_t *d = json_pack("{s:s, s:s, s:I}", "mediaType", img->manifest_media_type, "digest",
			      img->manifest_digest, "size", (json_int_t)img->manifest_len);
	if (tag)
		json_object_set_new(d, "annotations", json_pack("{s:s}", REF_ANNOT, tag));
	return d;
}

int hull_layout_index_put(const char *dir, json_t *desc, const char *tag, struct hull_err *err)
{
	_cleanup_free_ char *path = xasprintf("%s/index.json", dir);
	json_t *idx = NULL;
	if (access(path, F_OK) == 0) {
		char *data;
		size_t len;
		int rc = hull_read_file(path, 16u << 20, &data, &len, err);
		if (!rc) {
			rc = hull_json_parse(data, len, path, &idx, err);
			free(data);
		}
		if (rc) {
			json_decref(desc);
			return rc;
		}
	}
	json_t *m = json_object_get(idx, "manifests");
	if (!json_is_array(m)) {
		if (idx)
			json_decref(idx);
		idx = json_pack("{s:i, s:s, s:[]}", "schemaVersion", 2, "mediaType", OCI_INDEX,
				"manifests");
		m = json_object_get(idx, "manifests");
	}
	for (size_t i = json_array_size(m); tag && i-- > 0;) {
		json_t *r = json_object_get(json_object_get(json_array_get(m, i), "annotations"),
					    REF_ANNOT);
		if (json_is_string(r) && !strcmp(json_string_value(r), tag))
			json_array_remove(m, i);
	}
	if (tag)
		json_object_set_new(desc, "annotations", json_pack("{s:s}", REF_ANNOT, tag));
	json_array_append_new(m, desc);
	char *out = json_dumps(idx, JSON_COMPACT);
	json_decref(idx);
	int rc = hull_write_file_atomic(path, out, strlen(out), err);
	free(out);
	return rc;
}

static int write_oci(struct hull_image *img, const char *dir, const char *tag, struct hull_err *err)
{
	_cleanup_free_ char *blobs = xasprintf("%s/blobs/sha256", dir);
	int rc = hull_mkdir_p(blobs, err);
	if (rc)
		return rc;
	_cleanup_free_ char *layout = xasprintf("%s/oci-layout", dir);
	const char *lv = "{\"imageLayoutVersion\":\"1.0.0\"}";
	if (access(layout, F_OK) && (rc = hull_write_file_atomic(layout, lv, strlen(lv), err)))
		return rc;
	struct src *v = xcalloc(img->nlayers + 2, sizeof(*v));
	size_t n = list_blobs(img, v);
	for (size_t i = 0; i < n && !rc; i++)
		rc = put_file_blob(img, dir, &v[i], err);
	free(v);
	return rc ? rc : hull_layout_index_put(dir, manifest_desc(img, NULL), tag, err);
}

/* ------------------------------------------------------------- docker-archive */

int hull_tar_out_open(struct hull_tar_out *t, const char *path, struct hull_err *err)
{
	int lrc = hull_archive_load(err);
	if (lrc)
		return lrc;
	memset(t, 0, sizeof(*t));
	t->path = path;
	t->tmp = xasprintf("%s.hull-tmp-XXXXXX", path);
	t->fd = mkstemp(t->tmp);
	if (t->fd < 0) {
		int rc = hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
		free(t->tmp);
		t->tmp = NULL;
		return rc;
	}
	t->a = archive_write_new();
	archive_write_set_format_pax_restricted(t->a);
	archive_write_set_bytes_in_last_block(t->a, 1);
	if (archive_write_open_fd(t->a, t->fd) != ARCHIVE_OK)
		return hull_err_set(err, HULL_EIO, "%s: %s", path, archive_error_string(t->a));
	return 0;
}

static int tar_sink(void *ctx, const void *p, size_t n)
{
	struct hull_tar_out *t = ctx;
	return archive_write_data(t->a, p, n) == (la_ssize_t)n ? 0 : HULL_EIO;
}

int hull_tar_out_member(struct hull_tar_out *t, const char *name, uint64_t size, const void *data,
			int (*fill)(void *ctx, hull_sink_fn sink, void *sink_ctx,
				    struct hull_err *err),
			void *ctx, struct hull_err *err)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)size);
	int rc = archive_write_header(t->a, e) == ARCHIVE_OK ? 0 : HULL_EIO;
	archive_entry_free(e);
	if (!rc)
		rc = fill ? fill(ctx, tar_sink, t, err) : tar_sink(t, data, (size_t)size);
	if (rc && !(err && err->msg))
		rc = hull_err_set(err, HULL_EIO, "%s: %s", name, archive_error_string(t->a));
	return rc;
}

int hull_tar_out_close(struct hull_tar_out *t, int rc, struct hull_err *err)
{
	if (!t->tmp)
		return rc;
	if (!rc && archive_write_close(t->a) != ARCHIVE_OK)
		rc = hull_err_set(err, HULL_EIO, "%s: %s", t->path, archive_error_string(t->a));
	if (rc && !(err && err->msg))
		hull_err_set(err, rc, "%s: %s", t->path, archive_error_string(t->a));
	archive_write_free(t->a);
	rc = hull_tmpfile_commit(t->fd, t->tmp, t->path, rc, err);
	free(t->tmp);
	memset(t, 0, sizeof(*t));
	return rc;
}

struct blob_fill {
	struct hull_image *img;
	const struct src *s;
};

static int fill_blob(void *ctx, hull_sink_fn sink, void *sink_ctx, struct hull_err *err)
{
	struct blob_fill *f = ctx;
	return copy_blob(f->img, f->s, sink, sink_ctx, err);
}

static int tar_member(struct hull_image *img, struct hull_tar_out *t, const char *name,
		      const struct src *s, struct hull_err *err)
{
	struct blob_fill f = {img, s};
	uint64_t size = s->blob ? s->blob->size : s->len;
	return hull_tar_out_member(t, name, size, s->data, s->digest ? fill_blob : NULL, &f, err);
}

static char *archive_manifest(struct hull_image *img, const char *tag)
{
	json_t *layers = json_array();
	for (size_t i = 0; i < img->nlayers; i++)
		json_array_append_new(layers,
				      json_sprintf("blobs/sha256/%s", img->layers[i].digest + 7));
	json_t *tags = json_array();
	if (tag)
		json_array_append_new(tags, json_string(tag));
	json_t *m = json_pack("[{s:o, s:o, s:o}]", "Config",
			      json_sprintf("blobs/sha256/%s", img->config_digest + 7), "RepoTags",
			      tags, "Layers", layers);
	char *out = json_dumps(m, JSON_COMPACT);
	json_decref(m);
	return out;
}

static int archive_members(struct hull_image *img, struct hull_tar_out *t, const char *tag,
			   bool docker, struct hull_err *err)
{
	struct src *v = xcalloc(img->nlayers + 2, sizeof(*v));
	size_t n = list_blobs(img, v);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		_cleanup_free_ char *name = xasprintf("blobs/sha256/%s", v[i].digest + 7);
		rc = tar_member(img, t, name, &v[i], err);
	}
	free(v);
	json_t *idx = json_pack("{s:i, s:s, s:[o]}", "schemaVersion", 2, "mediaType", OCI_INDEX,
				"manifests", manifest_desc(img, tag));
	char *texts[3] = {xstrdup("{\"imageLayoutVersion\":\"1.0.0\"}"),
			  json_dumps(idx, JSON_COMPACT), archive_manifest(img, tag)};
	json_decref(idx);
	const char *names[3] = {"oci-layout", "index.json", "manifest.json"};
	for (size_t i = 0; i < 3; i++) {
		struct src s = {.data = texts[i], .len = strlen(texts[i])};
		if (!rc && (docker || i < 2)) /* oci-archive: no manifest.json */
			rc = tar_member(img, t, names[i], &s, err);
		free(texts[i]);
	}
	return rc;
}

static int write_archive(struct hull_image *img, const char *path, const char *tag, bool docker,
			 struct hull_err *err)
{
	struct hull_tar_out t;
	int rc = hull_tar_out_open(&t, path, err);
	if (!rc)
		rc = archive_members(img, &t, tag, docker, err);
	return hull_tar_out_close(&t, rc, err);
}

int hull_image_write(struct hull_image *img, const char *dest, struct hull_err *err)
{
	if (!img->manifest_raw || !img->manifest_digest)
		return hull_err_set(err, HULL_EUSAGE, "%s: the image has no manifest to copy%s",
				    img->source,
				    img->transport == HULL_SRC_DOCKER_ARCHIVE
					    ? " (docker save before Docker 25 writes none; newer "
					      "archives carry it)"
					    : "");
	bool oci = !strncmp(dest, "oci:", 4);
	bool oci_archive = !strncmp(dest, "oci-archive:", 12);
	if (!oci && !oci_archive && strncmp(dest, "docker-archive:", 15))
		return hull_err_set(err, HULL_EUSAGE,
				    "%s: destination must be oci:DIR[:TAG], oci-archive:FILE[:TAG] "
				    "or docker-archive:FILE[:TAG]",
				    dest);
	const char *rest = dest + (oci ? 4 : oci_archive ? 12 : 15);
	const char *c = strchr(rest, ':');
	_cleanup_free_ char *path = c ? xstrndup(rest, (size_t)(c - rest)) : xstrdup(rest);
	const char *tag = c && c[1] ? c + 1 : NULL;
	if (!*path)
		return hull_err_set(err, HULL_EUSAGE, "%s: no path given", dest);
	if (!tag && !oci && img->nrepo_tags)
		tag = img->repo_tags[0];
	int rc = oci ? write_oci(img, path, tag, err)
		     : write_archive(img, path, tag, !oci_archive, err);
	if (rc && err && err->msg && !strstr(err->msg, path))
		hull_err_prefix(err, "%s", dest);
	return rc;
}
