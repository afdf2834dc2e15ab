/* SOURCE strings: transport prefixes, auto-detection of bare paths, the image config,
 * and the blob reader every layer is streamed through. */
#include "../util/json.h"
#include "image.h"
#include "registry.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *hull_transport_name(enum hull_transport t)
{
	switch (t) {
	case HULL_SRC_DOCKER_ARCHIVE:
		return "docker-archive";
	case HULL_SRC_OCI:
		return "oci";
	case HULL_SRC_OCI_ARCHIVE:
		return "oci-archive";
	case HULL_SRC_ROOTFS:
		return "rootfs";
	case HULL_SRC_DOCKER:
		return "docker";
	}
	return "?";
}

static ssize_t blob_read(struct hull_reader *r, void *buf, size_t len, struct hull_err *err)
{
	struct hull_blob_reader *br = r->ctx;
	uint64_t left = br->blob.size - br->pos;
	if (len > left)
		len = (size_t)left;
	if (!len)
		return 0;
	for (;;) {
		ssize_t n = pread(br->blob.fd, buf, len, (off_t)(br->blob.off + br->pos));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hull_err_set(err, HULL_EIO, "%s: %s", br->name, strerror(errno));
		if (n == 0)
			return hull_err_set(err, HULL_EINPUT, "%s: truncated", br->name);
		br->pos += (uint64_t)n;
		return n;
	}
}

void hull_blob_reader_init(struct hull_blob_reader *br, const struct hull_blob *blob,
			   const char *name)
{
	br->r.read = blob_read;
	br->r.ctx = br;
	br->blob = *blob;
	br->pos = 0;
	br->name = name;
}

/* A layer reader: a blob range, or a registry download. */
struct layer_reader {
	struct hull_reader r;
	struct hull_blob_reader br;
	struct hull_blob_stream *bs;
};

static ssize_t layer_read(struct hull_reader *r, void *buf, size_t len, struct hull_err *err)
{
	struct layer_reader *lr = r->ctx;
	struct hull_reader *in = lr->bs ? hull_blob_stream_reader(lr->bs) : &lr->br.r;
	return in->read(in, buf, len, err);
}

int hull_layer_reader_open(struct hull_image *img, size_t i, const char *name,
			   struct hull_reader **out, struct hull_err *err)
{
	struct layer_reader *lr = xcalloc(1, sizeof(*lr));
	lr->r.read = layer_read;
	lr->r.ctx = lr;
	if (img->registry) {
		int rc = hull_registry_layer_stream(img, i, &lr->bs, err);
		if (rc) {
			free(lr);
			return rc;
		}
	} else {
		hull_blob_reader_init(&lr->br, &img->layers[i].blob, name);
	}
	*out = &lr->r;
	return 0;
}

void hull_layer_reader_explain(struct hull_reader *r, struct hull_err *err)
{
	struct layer_reader *lr = r ? r->ctx : NULL;
	if (!lr || !lr->bs)
		return;
	struct hull_err e = {0};
	char *buf = xmalloc(1u << 16);
	ssize_t n;
	while ((n = layer_read(r, buf, 1u << 16, &e)) > 0)
		;
	free(buf);
	if (n < 0 && e.msg && strstr(e.msg, "digest mismatch")) {
		hull_err_clear(err);
		hull_err_set(err, e.code, "%s", e.msg);
	}
	hull_err_clear(&e);
}

void hull_layer_reader_close(struct hull_reader *r)
{
	if (!r)
		return;
	struct layer_reader *lr = r->ctx;
	hull_blob_stream_free(lr->bs);
	free(lr);
}

int hull_image_set_config(struct hull_image *img, char *raw, size_t len, const char *what,
			  struct hull_err *err)
{
	char dg[HULL_DIGEST_LEN + 1];
	hull_sha256_buf(raw, len, dg);
	img->config_digest = xstrdup(dg);
	img->config_raw = raw;
	img->config_len = len;
	int rc = hull_json_parse(raw, len, what, &img->config, err);
	if (rc) {
		hull_err_prefix(err, "%s", img->source);
		return rc;
	}
	if (!json_is_object(img->config))
		return hull_err_set(err, HULL_EINPUT, "%s: %s is not a JSON object", img->source,
				    what);
	const char *s;
	if ((s = json_string_value(json_object_get(img->config, "os"))))
		img->os = xstrdup(s);
	if ((s = json_string_value(json_object_get(img->config, "architecture"))))
		img->architecture = xstrdup(s);
	if ((s = json_string_value(json_object_get(img->config, "variant"))))
		img->variant = xstrdup(s);
	json_t *ids = json_object_get(json_object_get(img->config, "rootfs"), "diff_ids");
	if (!json_is_array(ids))
		return hull_err_set(err, HULL_EINPUT, "%s: %s has no rootfs.diff_ids", img->source,
				    what);
	if (json_array_size(ids) != img->nlayers)
		return hull_err_set(err, HULL_EINPUT,
				    "%s: %s lists %zu diff_ids but the manifest has %zu layers",
				    img->source, what, json_array_size(ids), img->nlayers);
	size_t i;
	json_t *v;
	json_array_foreach(ids, i, v)
	{
		if (!hull_digest_valid(json_string_value(v)))
			return hull_err_set(err, HULL_EINPUT,
					    "%s: %s: invalid diff_id at index %zu", img->source,
					    what, i);
		img->layers[i].diff_id = xstrdup(json_string_value(v));
	}
	return 0;
}

static const struct {
	const char *prefix;
	enum hull_transport t;
} transports[] = {
	{"docker-archive:", HULL_SRC_DOCKER_ARCHIVE},
	{"oci-archive:", HULL_SRC_OCI_ARCHIVE},
	{"oci:", HULL_SRC_OCI},
	{"rootfs:", HULL_SRC_ROOTFS},
	{"docker://", HULL_SRC_DOCKER},
};

/* Splits "PATH[:REF]" the way skopeo does (first colon), unless the whole string is
 * an existing path. */
static void split_ref(const char *rest, bool has_ref, char **path, char **ref)
{
	struct stat sb;
	const char *c = has_ref ? strchr(rest, ':') : NULL;
	if (!c || stat(rest, &sb) == 0) {
		*path = xstrdup(rest);
		*ref = NULL;
		return;
	}
	*path = xstrndup(rest, (size_t)(c - rest));
	*ref = c[1] ? xstrdup(c + 1) : NULL;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

/* A bare SOURCE that names nothing on disk but reads as an image reference
 * ("alpine:3.20", "ghcr.io/org/app@sha256:…") is taken as docker://. Names that look
 * like files (./x, /x, ~/x, *.tar …) and names whose first directory exists stay
 * paths, so a typo in a path is reported as a missing file. */
static bool looks_like_ref(const char *s)
{
	static const char *const file_suffixes[] = {".tar", ".tgz", ".gz", ".zst", ".json"};
	if (!*s || strchr("./~", s[0]))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(file_suffixes); i++)
		if (has_suffix(s, file_suffixes[i]))
			return false;
	const char *slash = strchr(s, '/');
	if (slash) {
		_cleanup_free_ char *first = xstrndup(s, (size_t)(slash - s));
		struct stat sb;
		if (stat(first, &sb) == 0)
			return false;
	}
	struct hull_ref ref;
	if (hull_ref_parse(s, &ref, NULL))
		return false;
	hull_ref_free(&ref);
	return true;
}

/* Decides the transport of a bare path by what is there. */
static int detect(const char *path, enum hull_transport *t, struct hull_err *err)
{
	struct stat sb;
	if (stat(path, &sb) && errno == ENOENT && looks_like_ref(path)) {
		*t = HULL_SRC_DOCKER;
		return 0;
	}
	if (stat(path, &sb))
		return hull_err_set(err, HULL_EINPUT, "%s: %s", path, strerror(errno));
	if (S_ISDIR(sb.st_mode)) {
		_cleanup_free_ char *marker = xasprintf("%s/oci-layout", path);
		*t = access(marker, F_OK) == 0 ? HULL_SRC_OCI : HULL_SRC_ROOTFS;
		return 0;
	}
	if (!S_ISREG(sb.st_mode))
		return hull_err_set(err, HULL_EINPUT, "%s: not a file or directory", path);
	if (sb.st_size == 0)
		return hull_err_set(err, HULL_EINPUT, "%s: empty file", path);
	*t = HULL_SRC_DOCKER_ARCHIVE; /* refined once the archive is indexed */
	return 0;
}

static int open_archive(struct hull_image *img, const char *ref, bool autodetect,
			const struct hull_platform *want, struct hull_err *err)
{
	int rc = hull_store_open_tar(img->path, &img->store, err);
	if (rc)
		return rc;
	if (autodetect && !hull_store_exists(img->store, "manifest.json")) {
		if (!hull_store_exists(img->store, "oci-layout"))
			return hull_err_set(err, HULL_EINPUT,
					    "%s: neither a docker archive (no manifest.json) nor "
					    "an OCI archive (no oci-layout)",
					    img->path);
		img->transport = HULL_SRC_OCI_ARCHIVE;
	}
	if (img->transport == HULL_SRC_OCI_ARCHIVE)
		return hull_oci_open(img, ref, want, err);
	return hull_docker_archive_open(img, ref, err);
}

int hull_image_open(const char *source, const struct hull_open_opts *opts, struct hull_image **out,
		    struct hull_err *err)
{
	struct hull_platform want;
	if (hull_platform_parse(opts ? opts->platform : NULL, &want))
		return hull_err_set(err, HULL_EUSAGE,
				    "invalid platform \"%s\" (want os/arch[/variant])",
				    opts->platform);
	struct hull_image *img = xcalloc(1, sizeof(*img));
	img->source = xstrdup(source);
	char *ref = NULL;
	bool autodetect = true;
	for (size_t i = 0; i < ARRAY_SIZE(transports); i++) {
		size_t n = strlen(transports[i].prefix);
		if (strncmp(source, transports[i].prefix, n))
			continue;
		img->transport = transports[i].t;
		/* a registry reference has its own tag syntax: no ":REF" to split */
		split_ref(source + n,
			  img->transport != HULL_SRC_ROOTFS && img->transport != HULL_SRC_DOCKER,
			  &img->path, &ref);
		autodetect = false;
		break;
	}
	int rc = 0;
	if (autodetect) {
		img->path = xstrdup(source);
		rc = detect(source, &img->transport, err);
	}
	if (!rc && !*img->path)
		rc = hull_err_set(err, HULL_EUSAGE, "%s: no path given", source);
	if (!rc) {
		switch (img->transport) {
		case HULL_SRC_ROOTFS: {
			struct stat sb;
			if (stat(img->path, &sb) || !S_ISDIR(sb.st_mode))
				rc = hull_err_set(err, HULL_EINPUT, "%s: not a directory",
						  img->path);
			break;
		}
		case HULL_SRC_OCI:
			rc = hull_store_open_dir(img->path, &img->store, err);
			if (!rc)
				rc = hull_oci_open(img, ref, &want, err);
			break;
		case HULL_SRC_OCI_ARCHIVE:
		case HULL_SRC_DOCKER_ARCHIVE:
			rc = open_archive(img, ref, autodetect, &want, err);
			break;
		case HULL_SRC_DOCKER:
			rc = hull_registry_image_open(img, img->path, &want,
						      opts ? opts->registry : NULL,
						      opts && opts->stream, err);
			break;
		}
	}
	free(ref);
	hull_platform_free(&want);
	/* Every error names the input: messages from deeper down (JSON parsing of one
	 * document, say) may only name the document. */
	if (rc && err && err->msg && !strstr(err->msg, img->path ? img->path : source))
		hull_err_prefix(err, "%s", source);
	if (rc) {
		hull_image_free(img);
		return rc;
	}
	*out = img;
	return 0;
}

void hull_image_free(struct hull_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->nlayers; i++) {
		free(img->layers[i].digest);
		free(img->layers[i].media_type);
		free(img->layers[i].diff_id);
		free(img->layers[i].name);
	}
	free(img->layers);
	for (size_t i = 0; i < img->nrepo_tags; i++)
		free(img->repo_tags[i]);
	free(img->repo_tags);
	if (img->config)
		json_decref(img->config);
	free(img->config_raw);
	free(img->config_digest);
	free(img->manifest_digest);
	free(img->manifest_media_type);
	free(img->manifest_raw);
	free(img->index_digest);
	free(img->index_media_type);
	free(img->index_raw);
	free(img->os);
	free(img->architecture);
	free(img->variant);
	free(img->source);
	free(img->path);
	hull_store_free(img->store);
	hull_registry_free(img->registry);
	free(img);
}
