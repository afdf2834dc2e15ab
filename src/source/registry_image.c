/* docker://REF as an image source: manifest (through an index to the platform),
 * config, and layers either streamed from the registry into the layer pipeline or
 * downloaded into the content-addressed blob cache (resumable .partial files), which
 * the pipeline then reads like an OCI layout's blobs. */
#include "../util/json.h"
#include "../util/pool.h"
#include "image.h"
#include "registry.h"
#include "write.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_INDEX_DEPTH	 4
#define DEFAULT_PARALLEL 4

char *hull_cache_dir(const struct hull_registry_opts *opts)
{
	if (opts && opts->cache_dir)
		return xstrdup(opts->cache_dir);
	return hull_cache_root(0);
}

/* Truncates the .partial file when the server ignored a Range request. */
static int partial_restart(void *ctx, struct hull_err *err)
{
	int fd = *(int *)ctx;
	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) < 0)
		return hull_err_set(err, HULL_EIO, "cache file: %s", strerror(errno));
	return 0;
}

/* Hashes the first bytes of a .partial file left by a broken run; *off is how many
 * (0 when it is unusable: then it is emptied). */
static int partial_seed(int fd, uint64_t size, uint64_t *off, struct hull_sha256 *h)
{
	struct stat sb;
	*off = 0;
	hull_sha256_init(h);
	if (fstat(fd, &sb) || (uint64_t)sb.st_size > size || sb.st_size == 0)
		return partial_restart(&fd, NULL);
	char *buf = xmalloc(1u << 20);
	uint64_t done = 0;
	while (done < (uint64_t)sb.st_size) {
		ssize_t n = pread(fd, buf, 1u << 20, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		hull_sha256_update(h, buf, (size_t)n);
		done += (uint64_t)n;
	}
	free(buf);
	if (done != (uint64_t)sb.st_size || lseek(fd, (off_t)done, SEEK_SET) < 0) {
		hull_sha256_free(h);
		hull_sha256_init(h);
		return partial_restart(&fd, NULL);
	}
	*off = done;
	return 0;
}

static int write_all(int fd, const char *p, size_t n, struct hull_err *err)
{
	if (hull_write_all(fd, p, n))
		return hull_err_set(err, HULL_EIO, "cache file: %s", strerror(errno));
	return 0;
}

/* Streams digest into fd from offset off (seeded hash h); *broken when the network,
 * not the content, was at fault. */
static int download(struct hull_registry *reg, const char *digest, uint64_t size, int fd,
		    uint64_t off, struct hull_sha256 *h, bool *broken,
		    const struct hull_progress_hook *progress, struct hull_err *err)
{
	struct hull_blob_stream_opts so = {
		.offset = off, .seed = h, .restart = partial_restart, .ctx = &fd};
	struct hull_blob_stream *bs;
	int rc = hull_blob_stream_open(reg, digest, size, &so, &bs, err);
	if (rc)
		return rc;
	struct hull_reader *r = hull_blob_stream_reader(bs);
	char *buf = xmalloc(1u << 20);
	for (;;) {
		ssize_t n = r->read(r, buf, 1u << 20, err);
		if (n <= 0) {
			rc = (int)n;
			break;
		}
		rc = write_all(fd, buf, (size_t)n, err);
		if (rc)
			break;
		hull_progress_report(progress, 0, (uint64_t)n);
	}
	free(buf);
	*broken = hull_blob_stream_broken(bs);
	hull_blob_stream_free(bs);
	return rc;
}

/* hull_cache_fetch, reporting the bytes downloaded (or found) to progress. */
static int cache_fetch(struct hull_registry *reg, const char *cache, const char *digest,
		       uint64_t size, const struct hull_progress_hook *progress,
		       struct hull_err *err)
{
	if (!hull_digest_valid(digest))
		return hull_err_set(err, HULL_EINPUT, "%s: invalid digest \"%s\"", cache, digest);
	_cleanup_free_ char *dir = xasprintf("%s/blobs/sha256", cache);
	_cleanup_free_ char *path = xasprintf("%s/%s", dir, digest + 7);
	struct stat sb;
	/* Only verified blobs are ever renamed into place, so a hit of the right size is
	 * reused (readers verify digests again as they stream). */
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == size) {
		hull_progress_report(progress, 0, size);
		return 0;
	}
	int rc = hull_mkdir_p(dir, err);
	if (rc)
		return rc;
	/* One .partial per blob, locked; another process on the same blob gets a private
	 * temporary file instead (and no resume). */
	_cleanup_free_ char *tmp = xasprintf("%s/%s.partial", dir, digest + 7);
	int fd = open(tmp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	bool resumable = true;
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		resumable = false;
		free(tmp);
		tmp = xasprintf("%s/.tmp-%s-XXXXXX", dir, digest + 7);
		fd = mkstemp(tmp);
	}
	if (fd < 0)
		return hull_err_set(err, HULL_EIO, "%s: %s", dir, strerror(errno));
	uint64_t off;
	struct hull_sha256 h;
	bool broken = false;
	rc = partial_seed(fd, size, &off, &h);
	hull_progress_report(progress, 0, rc ? 0 : off);
	if (!rc)
		rc = download(reg, digest, size, fd, off, &h, &broken, progress, err);
	hull_sha256_free(&h);
	if (rc && off && !broken) {
		/* The bytes kept from an earlier run may be what was wrong: once from zero. */
		hull_err_clear(err);
		rc = partial_restart(&fd, err);
		hull_sha256_init(&h);
		if (!rc)
			rc = download(reg, digest, size, fd, 0, &h, &broken, progress, err);
		hull_sha256_free(&h);
	}
	if (rc && broken && resumable) {
		close(fd); /* keep the .partial: the next run resumes it */
		return rc;
	}
	return hull_tmpfile_commit(fd, tmp, path, rc, err);
}

int hull_cache_fetch(struct hull_registry *reg, const char *cache, const char *digest,
		     uint64_t size, struct hull_err *err)
{
	return cache_fetch(reg, cache, digest, size, NULL, err);
}

struct fetch_job {
	struct hull_image *img;
	struct hull_registry *reg;
	const char *cache;
	struct hull_err *errs;
	const struct hull_progress_hook *progress;
};

static void fetch_one(void *ctx, size_t i)
{
	struct fetch_job *j = ctx;
	struct hull_layer_desc *l = &j->img->layers[i];
	if (cache_fetch(j->reg, j->cache, l->digest, l->size, j->progress, &j->errs[i]) &&
	    !j->errs[i].msg)
		hull_err_set(&j->errs[i], HULL_EIO, "%s: layer %s: download failed", j->img->source,
			     l->digest);
	hull_progress_report(j->progress, 1, 0);
}

static int fetch_layers(struct hull_image *img, struct hull_registry *reg, const char *cache,
			const struct hull_registry_opts *opts, struct hull_err *err)
{
	size_t n = img->nlayers;
	unsigned parallel = opts ? opts->parallel : 0;
	struct fetch_job j = {img, reg, cache, xcalloc(n ? n : 1, sizeof(struct hull_err)),
			      opts ? opts->progress : NULL};
	uint64_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += img->layers[i].size;
	hull_progress_begin_phase(j.progress, "downloading layers", n, bytes);
	hull_parallel_for(n, parallel ? parallel : DEFAULT_PARALLEL, fetch_one, &j);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (j.errs[i].msg && !rc)
			rc = hull_err_set(err, j.errs[i].code, "%s", j.errs[i].msg);
		hull_err_clear(&j.errs[i]);
	}
	free(j.errs);
	return rc;
}

static int load_config(struct hull_image *img, struct hull_registry *reg, json_t *man,
		       struct hull_err *err)
{
	json_t *cdesc = json_object_get(man, "config");
	int rc = hull_check_descriptor(img, cdesc, "manifest config", err);
	if (rc)
		return rc;
	char *raw;
	size_t len;
	rc = hull_registry_get_blob(reg, json_string_value(json_object_get(cdesc, "digest")),
				    json_integer_value(json_object_get(cdesc, "size")),
				    MAX_JSON_BLOB, &raw, &len, err);
	return rc ? rc : hull_image_set_config(img, raw, len, "image config", err);
}

static int load(struct hull_image *img, struct hull_registry *reg, const char *reference,
		long long want_size, const struct hull_platform *want, int depth,
		struct hull_err *err);

static int from_index(struct hull_image *img, struct hull_registry *reg, json_t *doc,
		      const struct hull_platform *want, int depth, struct hull_err *err)
{
	json_t *pick;
	int rc = hull_platform_pick(img->source, json_object_get(doc, "manifests"), want, &pick,
				    err);
	if (!rc)
		rc = hull_check_descriptor(img, pick, "index entry", err);
	if (rc)
		return rc;
	return load(img, reg, json_string_value(json_object_get(pick, "digest")),
		    json_integer_value(json_object_get(pick, "size")), want, depth + 1, err);
}

static int load(struct hull_image *img, struct hull_registry *reg, const char *reference,
		long long want_size, const struct hull_platform *want, int depth,
		struct hull_err *err)
{
	if (depth > MAX_INDEX_DEPTH)
		return hull_err_set(err, HULL_EINPUT, "%s: indexes nested too deeply (a loop?)",
				    img->source);
	char *raw, *mt, *dg;
	size_t len;
	int rc = hull_registry_get_manifest(reg, reference, &raw, &len, &mt, &dg, err);
	if (rc)
		return rc;
	json_t *doc = NULL;
	if (want_size >= 0 && len != (unsigned long long)want_size)
		rc = hull_err_set(err, HULL_EINPUT,
				  "%s: manifest %s is %zu bytes, the index says %lld", img->source,
				  dg, len, want_size);
	if (!rc)
		rc = hull_json_parse(raw, len, "manifest", &doc, err);
	if (!rc && !json_is_object(doc))
		rc = hull_err_set(err, HULL_EINPUT, "%s: the manifest is not a JSON object",
				  img->source);
	if (!rc && (hull_media_is_index(mt) || (!mt && json_object_get(doc, "manifests")))) {
		rc = from_index(img, reg, doc, want, depth, err);
	} else if (!rc && mt && !hull_media_is_manifest(mt)) {
		rc = hull_err_set(err, HULL_EINPUT, "%s: unsupported manifest media type %s",
				  img->source, mt);
	} else if (!rc) {
		img->manifest_digest = dg;
		img->manifest_media_type =
			mt ? mt : xstrdup("application/vnd.oci.image.manifest.v1+json");
		img->manifest_raw = raw;
		img->manifest_len = len;
		dg = mt = raw = NULL;
		rc = hull_manifest_layers(img, doc, err);
		if (!rc)
			rc = load_config(img, reg, doc, err);
	}
	if (doc)
		json_decref(doc);
	free(raw);
	free(mt);
	free(dg);
	return rc;
}

int hull_registry_image_open(struct hull_image *img, const char *refstr,
			     const struct hull_platform *want,
			     const struct hull_registry_opts *opts, bool stream,
			     struct hull_err *err)
{
	struct hull_ref ref;
	int rc = hull_ref_parse(refstr, &ref, err);
	if (rc)
		return rc;
	stream = stream && !(opts && opts->cache);
	_cleanup_free_ char *cache = stream ? NULL : hull_cache_dir(opts);
	struct hull_registry *reg = NULL;
	if (!cache && !stream)
		rc = hull_err_set(err, HULL_EUSAGE,
				  "%s: no cache directory (set XDG_CACHE_HOME or HOME)",
				  img->source);
	if (!rc)
		rc = hull_registry_open(&ref, opts, false, img->source, &reg, err);
	if (!rc && ref.tag) {
		img->repo_tags = xcalloc(1, sizeof(char *));
		img->repo_tags[0] = xasprintf("%s/%s:%s", ref.domain, ref.repo, ref.tag);
		img->nrepo_tags = 1;
	}
	if (!rc)
		rc = load(img, reg, ref.digest ? ref.digest : ref.tag, -1, want, 0, err);
	if (!rc && stream) {
		for (size_t i = 0; i < img->nlayers; i++)
			img->layers[i].blob.fd = -1;
		img->registry = reg;
		reg = NULL;
	}
	if (!rc && !stream)
		rc = fetch_layers(img, reg, cache, opts, err);
	if (!rc && !stream)
		rc = hull_store_open_dir(cache, &img->store, err);
	if (!rc && !stream)
		rc = hull_image_attach_blobs(img, err);
	hull_registry_free(reg);
	hull_ref_free(&ref);
	return rc;
}

int hull_registry_layer_stream(struct hull_image *img, size_t i, struct hull_blob_stream **out,
			       struct hull_err *err)
{
	struct hull_layer_desc *l = &img->layers[i];
	return hull_blob_stream_open(img->registry, l->digest, l->size, NULL, out, err);
}
