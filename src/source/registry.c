/* The registry API verbs: open (scheme, credentials, ping), manifests, blobs,
 * uploads. Everything fetched is verified against its digest before use. */
#include "image.h"
#include "registry_int.h"

#include <curl/curl.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#define MANIFEST_ACCEPT                                               \
	"application/vnd.oci.image.index.v1+json, "                   \
	"application/vnd.oci.image.manifest.v1+json, "                \
	"application/vnd.docker.distribution.manifest.list.v2+json, " \
	"application/vnd.docker.distribution.manifest.v2+json"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static bool host_insecure(const struct hull_registry_opts *o, const char *host)
{
	for (size_t i = 0; o && i < o->ninsecure; i++)
		if (!strcasecmp(o->insecure[i], host))
			return true;
	return false;
}

/* GET /v2/: settles the scheme (HTTPS first; plain HTTP only where allowed, as Docker
 * falls back for insecure registries) and picks up the auth challenge early. */
static int ping(struct hull_registry *reg, struct hull_err *err)
{
	const char *schemes[] = {"https", "http"};
	int rc = 0;
	for (size_t i = 0; i < (reg->plain_ok ? 2u : 1u); i++) {
		free(reg->base);
		reg->base = xasprintf("%s://%s", schemes[i], reg->host);
		_cleanup_free_ char *url = xasprintf("%s/v2/", reg->base);
		struct http_req req = {.method = "GET", .url = url, .out_fd = -1, .max = 65536};
		struct http_resp resp;
		struct hull_err e = {0};
		rc = http_do(reg, &req, &resp, &e);
		if (!rc && resp.status != 200 && resp.status != 401 && resp.status != 404)
			rc = http_status_err(reg, &req, &resp, "/v2/", &e);
		http_resp_free(&resp);
		if (!rc || i + 1 == (reg->plain_ok ? 2u : 1u)) {
			if (rc) {
				hull_err_set(err, e.code, "%s", e.msg);
			}
			hull_err_clear(&e);
			return rc;
		}
		hull_err_clear(&e);
	}
	return rc;
}

int hull_registry_open(const struct hull_ref *ref, const struct hull_registry_opts *opts, bool push,
		       const char *name, struct hull_registry **out, struct hull_err *err)
{
	pthread_once(&curl_once, curl_init);
	struct hull_registry *reg = xcalloc(1, sizeof(*reg));
	pthread_mutex_init(&reg->mu, NULL);
	reg->name = xstrdup(name);
	reg->host = xstrdup(hull_ref_api_host(ref));
	reg->repo = xstrdup(ref->repo);
	reg->push = push;
	reg->tls_verify = !(opts && opts->tls_verify_off) && !host_insecure(opts, ref->domain);
	reg->plain_ok = hull_host_is_loopback(reg->host) || host_insecure(opts, ref->domain);
	int rc = hull_creds_lookup(ref->domain, opts ? opts->creds : NULL,
				   opts ? opts->authfile : NULL, &reg->user, &reg->pass, err);
	if (!rc)
		rc = ping(reg, err);
	if (rc) {
		hull_registry_free(reg);
		return rc;
	}
	*out = reg;
	return 0;
}

static void free_secret(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

void hull_registry_free(struct hull_registry *reg)
{
	if (!reg)
		return;
	free(reg->name);
	free(reg->host);
	free(reg->repo);
	free(reg->base);
	free(reg->user);
	free_secret(reg->pass);
	free_secret(reg->token);
	pthread_mutex_destroy(&reg->mu);
	free(reg);
}

/* The media type of a manifest: its own mediaType, else the Content-Type. */
static char *media_type_of(const char *data, size_t len, const char *ctype)
{
	json_t *doc = json_loadb(data, len, 0, NULL);
	const char *mt = json_string_value(json_object_get(doc, "mediaType"));
	char *r = mt ? xstrdup(mt) : ctype ? xstrndup(ctype, strcspn(ctype, ";")) : NULL;
	if (doc)
		json_decref(doc);
	return r;
}

static int check_manifest(struct hull_registry *reg, const char *reference,
			  const struct http_resp *resp, char dg[HULL_DIGEST_LEN + 1],
			  struct hull_err *err)
{
	hull_sha256_buf(resp->body.buf ? resp->body.buf : "", resp->body.len, dg);
	if (resp->digest && strncmp(resp->digest, "sha256:", 7) == 0 && strcmp(resp->digest, dg))
		return hull_err_set(err, HULL_EINPUT,
				    "%s: manifest digest mismatch: the registry says %s, the "
				    "bytes are %s",
				    reg->name, resp->digest, dg);
	if (hull_digest_valid(reference) && strcmp(reference, dg))
		return hull_err_set(err, HULL_EINPUT,
				    "%s: manifest digest mismatch: asked for %s, the bytes are %s",
				    reg->name, reference, dg);
	return 0;
}

int hull_registry_get_manifest(struct hull_registry *reg, const char *reference, char **data,
			       size_t *len, char **media_type, char **digest, struct hull_err *err)
{
	_cleanup_free_ char *rest = xasprintf("manifests/%s", reference);
	_cleanup_free_ char *url = http_repo_url(reg, rest);
	struct http_req req = {.method = "GET",
			       .url = url,
			       .accept = MANIFEST_ACCEPT,
			       .out_fd = -1,
			       .max = MAX_JSON_BLOB};
	struct http_resp resp;
	int rc = http_do(reg, &req, &resp, err);
	if (!rc && resp.status != 200)
		rc = http_status_err(reg, &req, &resp, rest, err);
	char dg[HULL_DIGEST_LEN + 1];
	if (!rc)
		rc = check_manifest(reg, reference, &resp, dg, err);
	if (!rc) {
		*media_type = media_type_of(resp.body.buf, resp.body.len, resp.content_type);
		*digest = xstrdup(dg);
		*len = resp.body.len;
		*data = strbuf_detach(&resp.body, NULL);
	}
	http_resp_free(&resp);
	return rc;
}

int hull_registry_get_blob(struct hull_registry *reg, const char *digest, long long size,
			   size_t max, char **data, size_t *len, struct hull_err *err)
{
	_cleanup_free_ char *rest = xasprintf("blobs/%s", digest);
	_cleanup_free_ char *url = http_repo_url(reg, rest);
	struct http_req req = {.method = "GET", .url = url, .out_fd = -1, .max = max};
	struct http_resp resp;
	int rc = http_do(reg, &req, &resp, err);
	if (!rc && resp.status != 200)
		rc = http_status_err(reg, &req, &resp, rest, err);
	char dg[HULL_DIGEST_LEN + 1];
	if (!rc) {
		hull_sha256_buf(resp.body.buf ? resp.body.buf : "", resp.body.len, dg);
		if (size >= 0 && resp.body.len != (unsigned long long)size)
			rc = hull_err_set(err, HULL_EINPUT,
					  "%s: blob %s is %zu bytes, the manifest says %lld",
					  reg->name, digest, resp.body.len, size);
		else if (strcmp(dg, digest))
			rc = hull_err_set(err, HULL_EINPUT,
					  "%s: blob digest mismatch: expected %s, content is %s",
					  reg->name, digest, dg);
	}
	if (!rc) {
		*len = resp.body.len;
		*data = strbuf_detach(&resp.body, NULL);
	}
	http_resp_free(&resp);
	return rc;
}

int hull_registry_fetch_blob(struct hull_registry *reg, const char *digest, uint64_t size, int fd,
			     struct hull_err *err)
{
	_cleanup_free_ char *rest = xasprintf("blobs/%s", digest);
	_cleanup_free_ char *url = http_repo_url(reg, rest);
	struct http_req req = {.method = "GET", .url = url, .out_fd = fd};
	struct http_resp resp;
	int rc = http_do(reg, &req, &resp, err);
	if (!rc && resp.status != 200)
		rc = http_status_err(reg, &req, &resp, rest, err);
	if (!rc && resp.got != size)
		rc = hull_err_set(err, HULL_EINPUT,
				  "%s: blob %s: got %llu bytes, the manifest says %llu", reg->name,
				  digest, (unsigned long long)resp.got, (unsigned long long)size);
	if (!rc && strcmp(resp.hash, digest))
		rc = hull_err_set(err, HULL_EINPUT,
				  "%s: blob digest mismatch: expected %s, content is %s", reg->name,
				  digest, resp.hash);
	http_resp_free(&resp);
	return rc;
}

int hull_registry_blob_exists(struct hull_registry *reg, const char *digest, bool *exists,
			      struct hull_err *err)
{
	_cleanup_free_ char *rest = xasprintf("blobs/%s", digest);
	_cleanup_free_ char *url = http_repo_url(reg, rest);
	struct http_req req = {.method = "HEAD", .url = url, .out_fd = -1};
	struct http_resp resp;
	int rc = http_do(reg, &req, &resp, err);
	if (!rc && resp.status != 200 && resp.status != 404)
		rc = http_status_err(reg, &req, &resp, rest, err);
	*exists = !rc && resp.status == 200;
	http_resp_free(&resp);
	return rc;
}

/* An upload Location may be relative to the registry; add digest=. */
static char *upload_url(struct hull_registry *reg, const char *loc, const char *digest)
{
	char *esc = curl_easy_escape(NULL, digest, 0);
	char *url = xasprintf("%s%s%sdigest=%s", loc[0] == '/' ? reg->base : "", loc,
			      strchr(loc, '?') ? "&" : "?", esc);
	curl_free(esc);
	return url;
}

int hull_registry_put_blob(struct hull_registry *reg, const char *digest, const struct hull_blob *b,
			   const void *data, size_t len, struct hull_err *err)
{
	_cleanup_free_ char *url = http_repo_url(reg, "blobs/uploads/");
	struct http_req req = {.method = "POST", .url = url, .out_fd = -1, .max = 65536};
	struct http_resp resp;
	int rc = http_do(reg, &req, &resp, err);
	if (!rc && (resp.status != 202 || !resp.location))
		rc = http_status_err(reg, &req, &resp, "blobs/uploads/", err);
	if (rc) {
		http_resp_free(&resp);
		return rc;
	}
	_cleanup_free_ char *put = upload_url(reg, resp.location, digest);
	http_resp_free(&resp);
	struct http_req preq = {.method = "PUT",
				.url = put,
				.content_type = "application/octet-stream",
				.blob = b,
				.body = b ? NULL : data,
				.body_len = b ? 0 : len,
				.out_fd = -1,
				.max = 65536};
	rc = http_do(reg, &preq, &resp, err);
	if (!rc && resp.status != 201)
		rc = http_status_err(reg, &preq, &resp, digest, err);
	http_resp_free(&resp);
	return rc;
}

int hull_registry_put_manifest(struct hull_registry *reg, const char *reference, const char *data,
			       size_t len, const char *media_type, struct hull_err *err)
{
	_cleanup_free_ char *rest = xasprintf("manifests/%s", reference);
	_cleanup_free_ char *url = http_repo_url(reg, rest);
	struct http_req req = {.method = "PUT",
			       .url = url,
			       .content_type = media_type,
			       .body = data,
			       .body_len = len,
			       .out_fd = -1,
			       .max = 65536};
	struct http_resp resp;
	int rc = http_do(reg, &req, &resp, err);
	if (!rc && resp.status != 201)
		rc = http_status_err(reg, &req, &resp, rest, err);
	http_resp_free(&resp);
	return rc;
}
