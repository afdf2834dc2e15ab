/* Image sources: turn a SOURCE string into a manifest, a config and layer descriptors
 * whose bytes can be read without extracting anything. */
#ifndef HULL_SOURCE_H
#define HULL_SOURCE_H

#include "../util/hash.h"
#include "../util/progress.h"
#include "../util/util.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum hull_transport {
	HULL_SRC_DOCKER_ARCHIVE,
	HULL_SRC_OCI,
	HULL_SRC_OCI_ARCHIVE,
	HULL_SRC_ROOTFS,
	HULL_SRC_DOCKER, /* a registry: docker://REF */
};

/* A byte range of an open file: a blob file, or a member inside an archive. */
struct hull_blob {
	int fd; /* borrowed from the image that owns it */
	uint64_t off;
	uint64_t size;
};

/* A pull-style byte stream. read returns bytes read, 0 at the end, or a negative
 * HULL_E… code with err filled. */
struct hull_reader {
	ssize_t (*read)(struct hull_reader *r, void *buf, size_t len, struct hull_err *err);
	void *ctx;
};

/* A reader over a blob range (pread, so many can share one fd across threads). */
struct hull_blob_reader {
	struct hull_reader r;
	struct hull_blob blob;
	uint64_t pos;
	const char *name; /* for errors */
};
void hull_blob_reader_init(struct hull_blob_reader *br, const struct hull_blob *blob,
			   const char *name);

struct hull_image;
/* A reader over layer i of img: its blob, or for a streamed docker:// image the download
 * itself (size and digest checked at the end). name is for errors. Close it with
 * hull_layer_reader_close. */
int hull_layer_reader_open(struct hull_image *img, size_t i, const char *name,
			   struct hull_reader **out, struct hull_err *err) HULL_MUST_CHECK;
void hull_layer_reader_close(struct hull_reader *r);
/* After reading a streamed layer failed (its tar, say, did not parse): reads the rest
 * and, when the bytes do not match the digest, replaces err with that, the real cause.
 * No-op for other readers. */
void hull_layer_reader_explain(struct hull_reader *r, struct hull_err *err);

struct hull_layer_desc {
	char *digest;	  /* compressed digest; for docker-archive, known after reading */
	char *media_type; /* NULL when the source does not say (docker-archive) */
	uint64_t size;	  /* stored (compressed) size */
	char *diff_id;	  /* from the config's rootfs.diff_ids */
	char *name; /* where it came from, for errors ("blobs/sha256/…", "<id>/layer.tar") */
	bool digest_known; /* digest came from a manifest or a content-addressed name */
	struct hull_blob blob;
};

struct hull_image {
	char *source; /* as the user gave it */
	char *path;   /* file or directory */
	enum hull_transport transport;
	char *manifest_digest;	   /* NULL for a classic docker-archive */
	char *manifest_media_type; /* NULL when there is no manifest */
	char *manifest_raw;	   /* the manifest's exact bytes (NULL if none) */
	size_t manifest_len;
	char *config_digest;
	char *config_raw;
	size_t config_len;
	json_t *config; /* parsed config (NULL for rootfs) */
	char *os, *architecture, *variant;
	size_t nlayers;
	struct hull_layer_desc *layers;
	char **repo_tags; /* docker-archive RepoTags or OCI ref name */
	size_t nrepo_tags;
	/* The index the reference named, when the image was picked from one in an OCI
	 * layout or archive (hull push copies it whole); NULL otherwise. */
	char *index_digest, *index_media_type, *index_raw;
	size_t index_len;

	/* private */
	struct hull_store *store;
	struct hull_registry *registry; /* a streamed docker:// image: layers come from here */
};

/* Registry access for docker:// sources (see docs/registry.md). */
struct hull_registry_opts {
	const char *creds;    /* "USER[:PASSWORD]", never printed */
	const char *authfile; /* a containers-auth.json / docker config.json */
	bool tls_verify_off;
	const char *const *insecure; /* hosts allowed over plain HTTP */
	size_t ninsecure;
	const char *cache_dir; /* NULL: $XDG_CACHE_HOME/hull */
	unsigned parallel;     /* blob downloads at once (0: 4) */
	bool cache; /* --cache: download layers to the cache even where they could stream */
	const char *cert_dir;	/* --cert-dir: .crt CA certificates, a .cert + .key client pair */
	const char *mount_from; /* push: --mount-from REPO (same registry) for missing blobs */
	/* Layer downloads to the cache: a phase "downloading layers" (may be NULL). */
	const struct hull_progress_hook *progress;
};

struct hull_open_opts {
	const char *platform;			   /* "os/arch[/variant]", NULL for linux/amd64 */
	const struct hull_registry_opts *registry; /* NULL: defaults */
	/* The caller reads layers only through hull_layer_reader_open (as
	 * hull_image_read_layers does): a docker:// image then streams its layers from the
	 * registry instead of downloading them to the cache first (unless registry->cache). */
	bool stream;
};

int hull_image_open(const char *source, const struct hull_open_opts *opts, struct hull_image **out,
		    struct hull_err *err) HULL_MUST_CHECK;
void hull_image_free(struct hull_image *img);

const char *hull_transport_name(enum hull_transport t);

/* Platform strings: "linux/amd64", "linux/arm/v7". */
struct hull_platform {
	char *os, *arch, *variant;
};
int hull_platform_parse(const char *s, struct hull_platform *p) HULL_MUST_CHECK;
void hull_platform_free(struct hull_platform *p);
/* Does a descriptor's platform object match the wanted platform? Variant is compared only
 * when wanted has one (arm64 defaults to v8, arm to v7, as containerd normalises). */
bool hull_platform_match(const struct hull_platform *want, const char *os, const char *arch,
			 const char *variant);

#endif
