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
/* Downloads a blob into fd (truncated first, and again on a retry); checks size and
 * digest. */
int hull_registry_fetch_blob(struct hull_registry *reg, const char *digest, uint64_t size, int fd,
			     struct hull_err *err) HULL_MUST_CHECK;
int hull_registry_blob_exists(struct hull_registry *reg, const char *digest, bool *exists,
			      struct hull_err *err) HULL_MUST_CHECK;
/* Uploads a blob from b, or from data/len when b is NULL (POST, then one PUT with
 * the bytes: a monolithic upload). */
int hull_registry_put_blob(struct hull_registry *reg, const char *digest, const struct hull_blob *b,
			   const void *data, size_t len, struct hull_err *err) HULL_MUST_CHECK;
int hull_registry_put_manifest(struct hull_registry *reg, const char *reference, const char *data,
			       size_t len, const char *media_type,
			       struct hull_err *err) HULL_MUST_CHECK;

/* The blob cache root ($XDG_CACHE_HOME/hull, else ~/.cache/hull); a new string. */
char *hull_cache_dir(const struct hull_registry_opts *opts);
/* Makes sure blobs/sha256/<hex> of digest is in the cache: reused when present,
 * else downloaded to a temporary file, verified, renamed. */
int hull_cache_fetch(struct hull_registry *reg, const char *cache, const char *digest,
		     uint64_t size, struct hull_err *err) HULL_MUST_CHECK;

/* Opens img (transport docker) from "REF" (without "docker://"). */
int hull_registry_image_open(struct hull_image *img, const char *ref,
			     const struct hull_platform *want,
			     const struct hull_registry_opts *opts,
			     struct hull_err *err) HULL_MUST_CHECK;

/* Copies an opened image (one with a manifest) to the registry reference dest. */
int hull_registry_push(struct hull_image *img, const char *dest,
		       const struct hull_registry_opts *opts, struct hull_err *err) HULL_MUST_CHECK;

#endif
