/* Registry client (OCI distribution API over libcurl): image references, auth
 * challenges, manifests and blobs, pull into the blob cache, push. */
#ifndef HULL_REGISTRY_H
#define HULL_REGISTRY_H

#include "source.h"

#include <stdbool.h>
#include <stdint.h>

/* A reference normalised as Docker does: "alpine" is docker.io/library/alpine:latest. */
struct hull_ref {
	char *domain; /* "docker.io", "localhost:5000", "[::1]:5000" */
	char *repo;   /* "library/alpine" */
	char *tag;    /* NULL when only a digest was given */
	char *digest; /* "sha256:…" or NULL */
};

int hull_ref_parse(const char *s, struct hull_ref *ref, struct hull_err *err) HULL_MUST_CHECK;
void hull_ref_free(struct hull_ref *ref);
/* "domain/repo[:tag][@digest]"; a new string. */
char *hull_ref_string(const struct hull_ref *ref);
/* The host the API lives on (Docker Hub's is registry-1.docker.io). */
const char *hull_ref_api_host(const struct hull_ref *ref);
/* Is host[:port] a loopback address (plain HTTP allowed without asking)? */
bool hull_host_is_loopback(const char *hostport);

/* One challenge of a WWW-Authenticate header. */
struct hull_auth_challenge {
	char *scheme; /* "bearer" or "basic", lowercased */
	char *realm, *service, *scope;
};
/* Parses every challenge of a header value; *n may be 0 when nothing parses. */
int hull_auth_parse(const char *header, struct hull_auth_challenge **out,
		    size_t *n) HULL_MUST_CHECK;
void hull_auth_free(struct hull_auth_challenge *c, size_t n);

/* Credentials for a registry host: --creds, else --authfile, else REGISTRY_AUTH_FILE,
 * else $DOCKER_CONFIG/config.json or ~/.docker/config.json ("auths"). *user and *pass
 * are NULL when none apply. Errors never quote the secret. */
int hull_creds_lookup(const char *domain, const char *creds, const char *authfile, char **user,
		      char **pass, struct hull_err *err) HULL_MUST_CHECK;

struct hull_registry;

/* Opens a client for ref's repository. push asks for pull,push scopes. name is what
 * errors mention (the user's reference). */
int hull_registry_open(const struct hull_ref *ref, const struct hull_registry_opts *opts, bool push,
		       const char *name, struct hull_registry **out,
		       struct hull_err *err) HULL_MUST_CHECK;
void hull_registry_free(struct hull_registry *reg);

/* GETs a manifest by tag or digest with the OCI/Docker Accept list. The raw bytes are
 * checked against Docker-Content-Digest and (if reference is a digest) the request. */
int hull_registry_get_manifest(struct hull_registry *reg, const char *reference, char **data,
			       size_t *len, char **media_type, char **digest,
			       struct hull_err *err) HULL_MUST_CHECK;
/* GETs a small blob into memory, checking size (if >= 0) and digest. */
int hull_registry_get_blob(struct hull_registry *reg, const char *digest, long long size,
			   size_t max, char **data, size_t *len,
			   struct hull_err *err) HULL_MUST_CHECK;
/* A blob download as a pull stream (struct hull_reader): bytes reach the reader as they
 * arrive; at the end the size and digest are checked (the read that would return 0
 * returns the error instead). A broken connection is resumed with a Range request from
 * the current offset, the hash going on; a server that answers a Range request with the
 * whole blob (200) has the part already delivered skipped, or, when restart is given,
 * restart is called (the consumer drops what it has) and the blob starts over. */
struct hull_blob_stream;
struct hull_blob_stream_opts {
	uint64_t offset;	  /* bytes the consumer has already (a .partial file) */
	struct hull_sha256 *seed; /* their hash state, taken over (needed when offset > 0) */
	int (*restart)(void *ctx, struct hull_err *err);
	void *ctx;
};
int hull_blob_stream_open(struct hull_registry *reg, const char *digest, uint64_t size,
			  const struct hull_blob_stream_opts *opts, struct hull_blob_stream **out,
			  struct hull_err *err) HULL_MUST_CHECK;
struct hull_reader *hull_blob_stream_reader(struct hull_blob_stream *s);
/* Did the stream fail on the network (worth resuming later) rather than on content? */
bool hull_blob_stream_broken(const struct hull_blob_stream *s);
void hull_blob_stream_free(struct hull_blob_stream *s);

int hull_registry_blob_exists(struct hull_registry *reg, const char *digest, bool *exists,
			      struct hull_err *err) HULL_MUST_CHECK;
/* Uploads a blob from b, or from data/len when b is NULL: POST, then one PUT with the
 * bytes (a monolithic upload), or for blobs over HULL_CHUNK_THRESHOLD, PATCHes of
 * HULL_CHUNK_SIZE with Content-Range and a closing PUT. */
#define HULL_CHUNK_THRESHOLD (64ULL << 20)
#define HULL_CHUNK_SIZE	     (32ULL << 20)
int hull_registry_put_blob(struct hull_registry *reg, const char *digest, const struct hull_blob *b,
			   const void *data, size_t len, struct hull_err *err) HULL_MUST_CHECK;
/* Asks the registry to mount digest from repository from (same registry): *mounted
 * false when it answered 202 (an upload session, cancelled here) instead of 201. */
int hull_registry_mount_blob(struct hull_registry *reg, const char *digest, const char *from,
			     bool *mounted, struct hull_err *err) HULL_MUST_CHECK;
int hull_registry_put_manifest(struct hull_registry *reg, const char *reference, const char *data,
			       size_t len, const char *media_type,
			       struct hull_err *err) HULL_MUST_CHECK;
/* The same, *subject set to the OCI-Subject header of the answer (a registry with the
 * referrers API names the manifest's subject there), else NULL. */
int hull_registry_put_manifest_subject(struct hull_registry *reg, const char *reference,
				       const char *data, size_t len, const char *media_type,
				       char **subject, struct hull_err *err) HULL_MUST_CHECK;

/* The blob cache root ($XDG_CACHE_HOME/hull, else ~/.cache/hull); a new string. */
char *hull_cache_dir(const struct hull_registry_opts *opts);
/* Makes sure blobs/sha256/<hex> of digest is in the cache: reused when present, else
 * downloaded into blobs/sha256/<hex>.partial (resumed from its size when one is left
 * from a broken run), verified, renamed. */
int hull_cache_fetch(struct hull_registry *reg, const char *cache, const char *digest,
		     uint64_t size, struct hull_err *err) HULL_MUST_CHECK;

/* Opens img (transport docker) from "REF" (without "docker://"). stream: leave the
 * layers in the registry (img keeps the client; hull_layer_reader_open streams them)
 * instead of downloading them into the cache. */
int hull_registry_image_open(struct hull_image *img, const char *ref,
			     const struct hull_platform *want,
			     const struct hull_registry_opts *opts, bool stream,
			     struct hull_err *err) HULL_MUST_CHECK;
/* A reader streaming layer i of an image opened with stream. */
int hull_registry_layer_stream(struct hull_image *img, size_t i, struct hull_blob_stream **out,
			       struct hull_err *err) HULL_MUST_CHECK;

/* Copies an opened image (one with a manifest) to the registry reference dest. */
int hull_registry_push(struct hull_image *img, const char *dest,
		       const struct hull_registry_opts *opts, struct hull_err *err) HULL_MUST_CHECK;
/* The same, but an image picked from an index of an OCI layout or archive
 * (img->index_raw) is pushed whole: every child manifest (and its blobs) by digest, then
 * the index under dest's tag. */
int hull_registry_push_all(struct hull_image *img, const char *dest,
			   const struct hull_registry_opts *opts,
			   struct hull_err *err) HULL_MUST_CHECK;

#endif
