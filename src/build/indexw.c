/* Multi-platform images: the per-platform layouts merged into one OCI layout under an
 * image index, then copied to the destination. Blobs are content-addressed, so merging
 * is copying files whose names are their digests (shared layers appear once). */
#include "indexw.h"
#include "imagew.h"
#include "../source/registry.h"
#include "../source/write.h"
#include "../util/hash.h"
#include "../util/json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OCI_INDEX   "application/vnd.oci.image.index.v1+json"
#define REF_ANNOT   "org.opencontainers.image.ref.name"
#define JSON_FLAGS  (JSON_SORT_KEYS | JSON_COMPACT)
#define MAX_INDEX   (16u << 20)
#define COPY_BUF    (1u << 20)
#define OCI_LAYOUT  "{\"imageLayoutVersion\":\"1.0.0\"}"
#define DEFAULT_TAG "latest"

/* The blob file names (hex digests) of a layout, sorted. */
static int list_blobs(const char *layout, char ***out, size_t *n, struct hull_err *err)
{
	_cleanup_free_ char *path = xasprintf("%s/blobs/sha256", layout);
	DIR *d = opendir(path);
	if (!d)
		return hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	char **v = NULL;
	size_t k = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strlen(e->d_name) != 64 || strspn(e->d_name, "0123456789abcdef") != 64)
			continue;
		v = xreallocarray(v, k + 1, sizeof(char *));
		v[k++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (k)
		qsort(v, k, sizeof(char *), hull_strcmp_p);
	*out = v;
	*n = k;
	return 0;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Feeds the file at path to sink in chunks (a hull_tar_out_member fill). */
static int feed_file(void *path_arg, hull_sink_fn sink, void *ctx, struct hull_err *err)
{
	const char *path = path_arg;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	char *buf = xmalloc(COPY_BUF);
	int rc = 0;
	for (;;) {
		ssize_t k = read(fd, buf, COPY_BUF);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			rc = hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
		if (k <= 0)
			break;
		if ((rc = sink(ctx, buf, (size_t)k)))
			break;
	}
	free(buf);
	close(fd);
	return rc;
}

static int fd_sink(void *ctx, const void *p, size_t n)
{
	return hull_write_all(*(int *)ctx, p, n) ? HULL_EIO : 0;
}

/* Copies a blob file unless dst has it already (content-addressed: same name, same
 * size, same bytes); the copy appears by rename. */
static int copy_blob_file(const char *src, const char *dst, struct hull_err *err)
{
	struct stat ss, ds;
	if (stat(src, &ss))
		return hull_err_set(err, HULL_EIO, "%s: %s", src, strerror(errno));
	if (stat(dst, &ds) == 0 && ds.st_size == ss.st_size)
		return 0;
	_cleanup_free_ char *tmp = xasprintf("%s.hull-tmp-XXXXXX", dst);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return hull_err_set(err, HULL_EIO, "%s: %s", dst, strerror(errno));
	int rc = feed_file((void *)src, fd_sink, &fd, err);
	if (rc == HULL_EIO && !(err && err->msg))
		rc = hull_err_set(err, HULL_EIO, "%s: %s", dst, strerror(errno));
	return hull_tmpfile_commit(fd, tmp, dst, rc, err);
}

static int copy_blobs(const char *from, const char *to, struct hull_err *err)
{
	char **v = NULL;
	size_t n = 0;
	int rc = list_blobs(from, &v, &n, err);
	for (size_t i = 0; i < n && !rc; i++) {
		_cleanup_free_ char *s = xasprintf("%s/blobs/sha256/%s", from, v[i]);
		_cleanup_free_ char *d = xasprintf("%s/blobs/sha256/%s", to, v[i]);
		rc = copy_blob_file(s, d, err);
	}
	if (v)
		free_strv(v, n);
	return rc;
}

/* The one descriptor of a layout's index.json (a copy), without its annotations. */
static int top_descriptor(const char *layout, json_t **out, struct hull_err *err)
{
	_cleanup_free_ char *path = xasprintf("%s/index.json", layout);
	char *data;
	size_t len;
	int rc = hull_read_file(path, MAX_INDEX, &data, &len, err);
	if (rc)
		return rc;
	json_t *idx;
	rc = hull_json_parse(data, len, path, &idx, err);
	free(data);
	if (rc)
		return rc;
	json_t *m = json_object_get(idx, "manifests");
	if (json_array_size(m) != 1 || !json_is_object(json_array_get(m, 0))) {
		json_decref(idx);
		return hull_err_set(err, HULL_EINPUT, "%s: expected one manifest", path);
	}
	json_t *d = json_deep_copy(json_array_get(m, 0));
	json_decref(idx);
	json_object_del(d, "annotations");
	*out = d;
	return 0;
}

int hull_index_assemble(const struct hull_index_entry *e, size_t n, const json_t *annotations,
			const char *dir, char **digest_out, struct hull_err *err)
{
	if (mkdir(dir, 0755))
		return hull_err_set(err, HULL_EIO, "%s: %s", dir, strerror(errno));
	_cleanup_free_ char *blobs = xasprintf("%s/blobs/sha256", dir);
	int rc = hull_mkdir_p(blobs, err);
	json_t *ms = json_array();
	for (size_t i = 0; i < n && !rc; i++) {
		json_t *d;
		rc = copy_blobs(e[i].dir, dir, err);
		if (!rc)
			rc = top_descriptor(e[i].dir, &d, err);
		if (rc)
			break;
		json_t *pl =
			json_pack("{s:s, s:s}", "os", e[i].pl->os, "architecture", e[i].pl->arch);
		if (e[i].pl->variant)
			json_object_set_new(pl, "variant", json_string(e[i].pl->variant));
		json_object_set_new(d, "platform", pl);
		json_array_append_new(ms, d);
	}
	if (rc) {
		json_decref(ms);
		return rc;
	}
	json_t *idx = json_pack("{s:i, s:s, s:o}", "schemaVersion", 2, "mediaType", OCI_INDEX,
				"manifests", ms);
	if (json_is_object(annotations) && json_object_size(annotations))
		json_object_set_new(idx, "annotations", json_deep_copy(annotations));
	char *raw = json_dumps(idx, JSON_FLAGS);
	json_decref(idx);
	size_t len = strlen(raw);
	char dg[HULL_DIGEST_LEN + 1];
	hull_sha256_buf(raw, len, dg);
	_cleanup_free_ char *bp = xasprintf("%s/%s", blobs, dg + 7);
	rc = hull_write_file_atomic(bp, raw, len, err);
	free(raw);
	_cleanup_free_ char *lp = xasprintf("%s/oci-layout", dir);
	if (!rc)
		rc = hull_write_file_atomic(lp, OCI_LAYOUT, strlen(OCI_LAYOUT), err);
	json_t *top = json_pack("{s:{s:s}, s:s, s:s, s:I}", "annotations", REF_ANNOT, DEFAULT_TAG,
				"digest", dg, "mediaType", OCI_INDEX, "size", (json_int_t)len);
	json_t *ij = json_pack("{s:i, s:s, s:[o]}", "schemaVersion", 2, "mediaType", OCI_INDEX,
			       "manifests", top);
	char *ijs = json_dumps(ij, JSON_FLAGS);
	json_decref(ij);
	_cleanup_free_ char *ip = xasprintf("%s/index.json", dir);
	if (!rc)
		rc = hull_write_file_atomic(ip, ijs, strlen(ijs), err);
	free(ijs);
	if (!rc && digest_out)
		*digest_out = xstrdup(dg);
	return rc;
}

/* ---------------------------------------------------------------- publishing */

/* index.json of a destination layout: the existing one (entries named tag dropped),
 * or a new one, plus top tagged. */
static int write_layout(const char *from, const char *to, const json_t *top, const char *tag,
			struct hull_err *err)
{
	_cleanup_free_ char *blobs = xasprintf("%s/blobs/sha256", to);
	int rc = hull_mkdir_p(blobs, err);
	_cleanup_free_ char *lp = xasprintf("%s/oci-layout", to);
	if (!rc && access(lp, F_OK))
		rc = hull_write_file_atomic(lp, OCI_LAYOUT, strlen(OCI_LAYOUT), err);
	if (!rc)
		rc = copy_blobs(from, to, err);
	return rc ? rc : hull_layout_index_put(to, json_deep_copy(top), tag, err);
}

static int publish_oci(const char *from, const char *path, const json_t *top, const char *tag,
		       struct hull_err *err)
{
	struct stat sb;
	if (!(lstat(path, &sb) && errno == ENOENT))
		return write_layout(from, path, top, tag, err);
	_cleanup_free_ char *tmp = xasprintf("%s.hull-tmp-XXXXXX", path);
	if (!mkdtemp(tmp))
		return hull_err_set(err, HULL_EIO, "%s: %s", tmp, strerror(errno));
	int rc = write_layout(from, tmp, top, tag, err);
	if (!rc && rename(tmp, path))
		rc = hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	if (rc)
		hull_rm_rf(tmp);
	return rc;
}

static int tar_file(struct hull_tar_out *t, const char *name, const char *file,
		    struct hull_err *err)
{
	struct stat sb;
	if (stat(file, &sb))
		return hull_err_set(err, HULL_EIO, "%s: %s", file, strerror(errno));
	return hull_tar_out_member(t, name, (uint64_t)sb.st_size, NULL, feed_file, (void *)file,
				   err);
}

static int publish_archive(const char *from, const char *path, const json_t *top, const char *tag,
			   struct hull_err *err)
{
	struct hull_tar_out t;
	int rc = hull_tar_out_open(&t, path, err);
	char **v = NULL;
	size_t n = 0;
	if (!rc)
		rc = list_blobs(from, &v, &n, err);
	for (size_t i = 0; i < n && !rc; i++) {
		_cleanup_free_ char *name = xasprintf("blobs/sha256/%s", v[i]);
		_cleanup_free_ char *file = xasprintf("%s/%s", from, name);
		rc = tar_file(&t, name, file, err);
	}
	free_strv(v, n);
	json_t *d = json_deep_copy(top);
	json_object_set_new(d, "annotations", json_pack("{s:s}", REF_ANNOT, tag));
	json_t *idx = json_pack("{s:i, s:s, s:[o]}", "schemaVersion", 2, "mediaType", OCI_INDEX,
				"manifests", d);
	char *ij = json_dumps(idx, JSON_COMPACT);
	json_decref(idx);
	if (!rc)
		rc = hull_tar_out_member(&t, "oci-layout", strlen(OCI_LAYOUT), OCI_LAYOUT, NULL,
					 NULL, err);
	if (!rc)
		rc = hull_tar_out_member(&t, "index.json", strlen(ij), ij, NULL, NULL, err);
	free(ij);
	return hull_tar_out_close(&t, rc, err);
}

int hull_index_publish(const char *dir, const char *dest, const char *any_platform,
		       const struct hull_registry_opts *ropts, struct hull_err *err)
{
	if (!strncmp(dest, "docker://", 9)) {
		_cleanup_free_ char *src = xasprintf("oci:%s:" DEFAULT_TAG, dir);
		struct hull_open_opts oo = {.platform = any_platform};
		struct hull_image *img;
		int rc = hull_image_open(src, &oo, &img, err);
		if (rc)
			return rc;
		rc = hull_registry_push_all(img, dest, ropts, err);
		hull_image_free(img);
		return rc;
	}
	bool oci = !strncmp(dest, "oci:", 4), archive = !strncmp(dest, "oci-archive:", 12);
	if (!oci && !archive)
		return hull_err_set(err, HULL_EUSAGE,
				    "%s: a multi-platform image goes to oci:DIR[:TAG], "
				    "oci-archive:FILE[:TAG] or docker://REF (docker-archive holds "
				    "one platform: pick it with --platform)",
				    dest);
	const char *rest = dest + (oci ? 4 : 12), *c = strchr(rest, ':');
	_cleanup_free_ char *path = c ? xstrndup(rest, (size_t)(c - rest)) : xstrdup(rest);
	const char *tag = c && c[1] ? c + 1 : DEFAULT_TAG;
	if (!*path)
		return hull_err_set(err, HULL_EUSAGE, "%s: no path given", dest);
	json_t *top;
	int rc = top_descriptor(dir, &top, err);
	if (rc)
		return rc;
	rc = oci ? publish_oci(dir, path, top, tag, err)
		 : publish_archive(dir, path, top, tag, err);
	json_decref(top);
	if (rc && err && err->msg && !strstr(err->msg, path))
		hull_err_prefix(err, "%s", dest);
	return rc;
}
