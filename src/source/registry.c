/* The registry API verbs: open (scheme, credentials, ping), manifests, blobs,
 * uploads. Everything fetched is verified against its digest before use. */
#include "image.h"
#include "registry_int.h"

#include "../util/curl_lazy.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

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
 * falls back for insecure registries) and picks up the auth challenge early. When both
 * fail and plain HTTP got a 400 (a TLS port), the HTTPS error is the one that says why. */
static int ping(struct hull_registry *reg, struct hull_err *err)
{
	const char *schemes[] = {"https", "http"};
	size_t n = reg->plain_ok ? 2u : 1u;
	struct hull_err first = {0};
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		free(reg->base);
		reg->base = xasprintf("%s://%s", schemes[i], reg->host);
		_cleanup_free_ char *url = xasprintf("%s/v2/", reg->base);
		struct http_req req = {.method = "GET", .url = url, .out_fd = -1, .max = 65536};
		struct http_resp resp;
		struct hull_err e = {0};
		rc = http_do(reg, &req, &resp, &e);
		long status = rc ? 0 : resp.status;
		if (!rc && status != 200 && status != 401 && status != 404)
			rc = http_status_err(reg, &req, &resp, "/v2/", &e);
		http_resp_free(&resp);
		if (!rc || i + 1 == n) {
			if (rc) {
				bool tls_port = i > 0 && status == 400 && first.msg;
				hull_err_set(err, e.code, "%s", tls_port ? first.msg : e.msg);
			}
			hull_err_clear(&e);
			hull_err_clear(&first);
			return rc;
		}
		first = e;
	}
	return rc;
}

#define MAX_CERT_FILE (4u << 20)

static int add_pem(struct strbuf *sb, const char *path, struct hull_err *err)
{
	char *data;
	size_t len;
	int rc = hull_read_file(path, MAX_CERT_FILE, &data, &len, err);
	if (rc)
		return rc;
	strbuf_add(sb, data, len);
	strbuf_addch(sb, '\n');
	free(data);
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n > m && !strcmp(s + n - m, suffix);
}

/* As containers/image reads /etc/containers/certs.d/HOST: every *.crt is a CA added to
 * the default trust store, NAME.cert with NAME.key a client certificate. */
int http_load_cert_dir(struct hull_registry *reg, const char *dir, struct hull_err *err)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return hull_err_set(err, HULL_EUSAGE, "--cert-dir %s: %s", dir, strerror(errno));
	struct strbuf ca = STRBUF_INIT;
	int rc = 0;
	bool any_ca = false;
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		_cleanup_free_ char *path = xasprintf("%s/%s", dir, nm);
		if (!rc && ends_with(nm, ".crt")) {
			rc = add_pem(&ca, path, err);
			any_ca = true;
		} else if (!rc && ends_with(nm, ".cert") && !reg->client_cert) {
			char *key = xasprintf("%.*s.key", (int)(strlen(path) - 5), path);
			if (access(key, R_OK))
				rc = hull_err_set(err, HULL_EUSAGE,
						  "--cert-dir %s: %s has no matching .key", dir,
						  nm);
			reg->client_cert = xstrdup(path);
			reg->client_key = key;
		}
		free(ents[i]);
	}
	free(ents);
	if (!rc && any_ca) {
		/* Added to, not instead of, the default bundle. */
		CURL *c = curl_easy_init();
		char *def = NULL;
		if (c)
			curl_easy_getinfo(c, CURLINFO_CAINFO, &def);
		if (def && access(def, R_OK) == 0)
			rc = add_pem(&ca, def, err);
		if (c)
			curl_easy_cleanup(c);
	}
	if (!rc && any_ca)
		reg->ca_blob = strbuf_detach(&ca, &reg->ca_len);
	strbuf_release(&ca);
	return rc;
}

int hull_registry_open(const struct hull_ref *ref, const struct hull_registry_opts *opts, bool push,
		       const char *name, struct hull_registry **out, struct hull_err *err)
{
	if (hull_curl_load(err))
		return HULL_EIO;
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
	if (!rc && opts && opts->cert_dir)
		rc = http_load_cert_dir(reg, opts->cert_dir, err);
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
	free(reg->ca_blob);
	free(reg->client_cert);
	free(reg->client_key);
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

/* An upload Location may be relative to the registry; with digest, add digest=. */
static char *upload_url(struct hull_registry *reg, const char *loc, const char *digest)
{
	const char *base = loc[0] == '/' ? reg->base : "";
	if (!digest)
		return xasprintf("%s%s", base, loc);
	char *esc = curl_easy_escape(NULL, digest, 0);
	char *url = xasprintf("%s%s%sdigest=%s", base, loc, strchr(loc, '?') ? "&" : "?", esc);
	curl_free(esc);
	return url;
}

/* POST blobs/uploads/ (with a mount query or not): *status 201 or 202, *loc the
 * Location. */
static int start_upload(struct hull_registry *reg, const char *query, long *status, char **loc,
			struct hull_err *err)
{
	_cleanup_free_ char *rest = xasprintf("blobs/uploads/%s", query ? query : "");
	_cleanup_free_ char *url = http_repo_url(reg, rest);
	struct http_req req = {.method = "POST", .url = url, .out_fd = -1, .max = 65536};
	struct http_resp resp;
	int rc = http_do(reg, &req, &resp, err);
	bool ok = resp.status == 202 || (query && resp.status == 201);
	if (!rc && (!ok || !resp.location))
		rc = http_status_err(reg, &req, &resp, "blobs/uploads/", err);
	if (!rc) {
		*status = resp.status;
		*loc = xstrdup(resp.location);
	}
	http_resp_free(&resp);
	return rc;
}

/* One PATCH of bytes [start, start + len) of b; *loc becomes the next Location. */
static int patch_chunk(struct hull_registry *reg, const struct hull_blob *b, uint64_t start,
		       uint64_t len, char **loc, struct hull_err *err)
{
	_cleanup_free_ char *url = upload_url(reg, *loc, NULL);
	_cleanup_free_ char *range =
		xasprintf("Content-Range: %llu-%llu", (unsigned long long)start,
			  (unsigned long long)(start + len - 1));
	struct hull_blob part = {b->fd, b->off + start, len};
	struct http_req req = {.method = "PATCH",
			       .url = url,
			       .content_type = "application/octet-stream",
			       .header = range,
			       .blob = &part,
			       .out_fd = -1,
			       .max = 65536};
	struct http_resp resp;
	int rc = http_do(reg, &req, &resp, err);
	if (!rc && (resp.status != 202 || !resp.location))
		rc = http_status_err(reg, &req, &resp, "blob upload chunk", err);
	if (!rc) {
		free(*loc);
		*loc = xstrdup(resp.location);
	}
	http_resp_free(&resp);
	return rc;
}

static int finish_upload(struct hull_registry *reg, const char *loc, const char *digest,
			 const struct hull_blob *b, const void *data, size_t len,
			 struct hull_err *err)
{
	_cleanup_free_ char *put = upload_url(reg, loc, digest);
	struct http_req req = {.method = "PUT",
			       .url = put,
			       .content_type = "application/octet-stream",
			       .blob = b,
			       .body = b ? NULL : data,
			       .body_len = b ? 0 : len,
			       .out_fd = -1,
			       .max = 65536};
	struct http_resp resp;
	int rc = http_do(reg, &req, &resp, err);
	if (!rc && resp.status != 201)
		rc = http_status_err(reg, &req, &resp, digest, err);
	http_resp_free(&resp);
	return rc;
}

int hull_registry_put_blob(struct hull_registry *reg, const char *digest, const struct hull_blob *b,
			   const void *data, size_t len, struct hull_err *err)
{
	long status;
	_cleanup_free_ char *loc = NULL;
	int rc = start_upload(reg, NULL, &status, &loc, err);
	if (rc)
		return rc;
	if (!b || b->size <= HULL_CHUNK_THRESHOLD)
		return finish_upload(reg, loc, digest, b, data, len, err);
	for (uint64_t pos = 0; pos < b->size && !rc;) {
		uint64_t n = b->size - pos < HULL_CHUNK_SIZE ? b->size - pos : HULL_CHUNK_SIZE;
		rc = patch_chunk(reg, b, pos, n, &loc, err);
		pos += n;
	}
	if (rc)
		return rc;
	struct hull_blob none = {b->fd, b->off, 0};
	return finish_upload(reg, loc, digest, &none, NULL, 0, err);
}

int hull_registry_mount_blob(struct hull_registry *reg, const char *digest, const char *from,
			     bool *mounted, struct hull_err *err)
{
	char *d = curl_easy_escape(NULL, digest, 0);
	char *f = curl_easy_escape(NULL, from, 0);
	_cleanup_free_ char *q = xasprintf("?mount=%s&from=%s", d, f);
	curl_free(d);
	curl_free(f);
	long status = 0;
	_cleanup_free_ char *loc = NULL;
	struct hull_err e = {0};
	*mounted = false;
	/* A refused mount (403, a registry without mounts) is no error: upload instead. */
	if (start_upload(reg, q, &status, &loc, &e)) {
		hull_err_clear(&e);
		return 0;
	}
	*mounted = status == 201;
	if (!*mounted) {
		/* 202: an upload session the registry opened instead; cancel it. */
		_cleanup_free_ char *url = upload_url(reg, loc, NULL);
		struct http_req req = {.method = "DELETE", .url = url, .out_fd = -1, .max = 65536};
		struct http_resp resp;
		if (!http_do(reg, &req, &resp, &e))
			http_resp_free(&resp);
		hull_err_clear(&e);
	}
	(void)err;
	return 0;
}

int hull_registry_put_manifest(struct hull_registry *reg, const char *reference, const char *data,
			       size_t len, const char *media_type, struct hull_err *err)
{
	return hull_registry_put_manifest_subject(reg, reference, data, len, media_type, NULL, err);
}

int hull_registry_put_manifest_subject(struct hull_registry *reg, const char *reference,
				       const char *data, size_t len, const char *media_type,
				       char **subject, struct hull_err *err)
{
	if (subject)
		*subject = NULL;
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
	if (!rc && subject && resp.oci_subject)
		*subject = xstrdup(resp.oci_subject);
	http_resp_free(&resp);
	return rc;
}
