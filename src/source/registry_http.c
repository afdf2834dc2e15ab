/* The registry HTTP engine over libcurl: one easy handle per attempt, retries with
 * backoff, the Bearer token dance and Basic auth. Credentials go through curl's own
 * auth options, which curl sends to the original host only (never after a redirect to
 * another host). */
#include "../util/json.h"
#include "registry_int.h"

#include <curl/curl.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_ATTEMPTS   5
#define MAX_ERR_BODY   4096
#define MAX_TOKEN_BODY (1u << 20)

struct xfer {
	const struct http_req *req;
	struct http_resp *resp;
	CURL *c;
	struct hull_sha256 h;
	uint64_t up_pos;
	int werr; /* errno of a failed write to out_fd */
};

static void hdr_set(char **slot, const char *v, size_t n)
{
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	free(*slot);
	*slot = xstrndup(v, n);
}

static void resp_reset_headers(struct http_resp *r)
{
	free(r->location);
	free(r->content_type);
	free(r->digest);
	free(r->www_auth);
	free(r->retry_after);
	free(r->oci_subject);
	r->location = r->content_type = r->digest = r->www_auth = r->retry_after = NULL;
	r->oci_subject = NULL;
}

static size_t on_header(char *b, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * n;
	static const struct {
		const char *name;
		size_t off;
	} keep[] = {
		{"location", offsetof(struct http_resp, location)},
		{"content-type", offsetof(struct http_resp, content_type)},
		{"docker-content-digest", offsetof(struct http_resp, digest)},
		{"www-authenticate", offsetof(struct http_resp, www_auth)},
		{"retry-after", offsetof(struct http_resp, retry_after)},
		{"oci-subject", offsetof(struct http_resp, oci_subject)},
	};
	if (len >= 5 && !strncmp(b, "HTTP/", 5)) {
		resp_reset_headers(x->resp); /* a new response (after a redirect) */
		return len;
	}
	const char *colon = memchr(b, ':', len);
	if (!colon)
		return len;
	size_t klen = (size_t)(colon - b);
	const char *v = colon + 1;
	while (v < b + len && (*v == ' ' || *v == '\t'))
		v++;
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		if (strlen(keep[i].name) == klen && !strncasecmp(b, keep[i].name, klen))
			hdr_set((char **)((char *)x->resp + keep[i].off), v, (size_t)(b + len - v));
	return len;
}

static bool ok_status(struct xfer *x)
{
	long st = 0;
	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &st);
	return st >= 200 && st < 300;
}

static size_t on_body(char *b, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * n;
	bool ok = ok_status(x);
	if (ok && x->req->out_fd >= 0) {
		for (size_t done = 0; done < len;) {
			ssize_t w = write(x->req->out_fd, b + done, len - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				x->werr = errno;
				return 0;
			}
			done += (size_t)w;
		}
		hull_sha256_update(&x->h, b, len);
		x->resp->got += len;
		return len;
	}
	size_t cap = ok ? x->req->max : MAX_ERR_BODY;
	if (x->resp->body.len + len > cap) {
		if (!ok)
			return len; /* error pages are only for the message: drop the rest */
		x->resp->too_big = true;
		return 0;
	}
	strbuf_add(&x->resp->body, b, len);
	return len;
}

static size_t on_read(char *b, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	const struct http_req *req = x->req;
	uint64_t total = req->blob ? req->blob->size : req->body_len;
	size_t want = size * n;
	if (want > total - x->up_pos)
		want = (size_t)(total - x->up_pos);
	if (!want)
		return 0;
	if (!req->blob) {
		memcpy(b, (const char *)req->body + x->up_pos, want);
	} else {
		ssize_t r;
		do
			r = pread(req->blob->fd, b, want, (off_t)(req->blob->off + x->up_pos));
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			return CURL_READFUNC_ABORT;
		want = (size_t)r;
	}
	x->up_pos += want;
	return want;
}

static int on_seek(void *ctx, curl_off_t off, int origin)
{
	struct xfer *x = ctx;
	if (origin != SEEK_SET || off < 0)
		return CURL_SEEKFUNC_CANTSEEK;
	x->up_pos = (uint64_t)off;
	return CURL_SEEKFUNC_OK;
}

static struct curl_slist *headers_for(const struct http_req *req)
{
	struct curl_slist *h = curl_slist_append(NULL, "Expect:");
	char *line;
	if (req->accept) {
		line = xasprintf("Accept: %s", req->accept);
		h = curl_slist_append(h, line);
		free(line);
	}
	if (req->content_type) {
		line = xasprintf("Content-Type: %s", req->content_type);
		h = curl_slist_append(h, line);
		free(line);
	}
	if (req->header)
		h = curl_slist_append(h, req->header);
	return h;
}

static void set_method(CURL *c, const struct http_req *req)
{
	const char *m = req->method;
	if (!strcmp(m, "HEAD")) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(m, "POST") && !req->body && !req->blob) {
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
	} else if (req->body || req->blob || !strcmp(m, "PUT")) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)(req->blob ? req->blob->size : req->body_len));
		if (strcmp(m, "PUT"))
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
	} else if (strcmp(m, "GET")) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, m); /* DELETE */
	}
}

void http_set_auth(struct hull_registry *reg, CURL *c, bool anonymous, bool basic_only,
		   char **token)
{
	*token = NULL;
	if (anonymous)
		return;
	if (basic_only) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, reg->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, reg->pass);
		return;
	}
	pthread_mutex_lock(&reg->mu);
	*token = reg->token ? xstrdup(reg->token) : NULL;
	bool basic = reg->basic && reg->user;
	pthread_mutex_unlock(&reg->mu);
	if (*token) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, *token);
	} else if (basic) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, reg->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, reg->pass);
	}
}

/* HULL_HTTP_LOW_SPEED_TIME (seconds) shortens the stall timeout: a test knob. */
static long low_speed_time(void)
{
	const char *e = getenv("HULL_HTTP_LOW_SPEED_TIME");
	long v = e ? strtol(e, NULL, 10) : 0;
	return v > 0 && v <= 3600 ? v : 60;
}

void http_common_opts(struct hull_registry *reg, CURL *c, const char *url, struct curl_slist *h,
		      char *errbuf)
{
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (h)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 8L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, reg->plain_ok ? "http,https" : "https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, reg->plain_ok ? "http,https" : "https");
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, reg->tls_verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, reg->tls_verify ? 2L : 0L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A stalled server: under 1 byte/s for 60 s ends the attempt. */
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, low_speed_time());
	curl_easy_setopt(c, CURLOPT_USERAGENT,
			 "hull/"
			 "0.1");
	if (reg->ca_blob) {
		struct curl_blob b = {reg->ca_blob, reg->ca_len, CURL_BLOB_COPY};
		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &b);
	}
	if (reg->client_cert) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, reg->client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, reg->client_key);
	}
}

static void setup(struct hull_registry *reg, struct xfer *x, struct curl_slist *h, char *errbuf)
{
	CURL *c = x->c;
	http_common_opts(reg, c, x->req->url, h, errbuf);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, x);
	curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
	curl_easy_setopt(c, CURLOPT_SEEKDATA, x);
	set_method(c, x->req);
	/* A memory body has a cap: refuse a larger Content-Length before any byte. */
	if (x->req->out_fd < 0 && x->req->max && strcmp(x->req->method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->req->max);
}

static void resp_clear(struct http_resp *r)
{
	resp_reset_headers(r);
	strbuf_release(&r->body);
	r->status = 0;
	r->got = 0;
	r->too_big = false;
	r->hash[0] = '\0';
}

static int rewind_fd(int fd, struct hull_err *err)
{
	if (fd < 0)
		return 0;
	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) < 0)
		return hull_err_set(err, HULL_EIO, "cache file: %s", strerror(errno));
	return 0;
}

/* One attempt. Returns the CURLcode; errbuf says why. */
static CURLcode attempt(struct hull_registry *reg, const struct http_req *req,
			struct http_resp *resp, char *errbuf, int *werr)
{
	struct xfer x = {.req = req, .resp = resp, .c = curl_easy_init()};
	if (!x.c)
		return CURLE_OUT_OF_MEMORY;
	struct curl_slist *h = headers_for(req);
	char *token = NULL;
	errbuf[0] = '\0';
	setup(reg, &x, h, errbuf);
	http_set_auth(reg, x.c, req->anonymous, req->basic_only, &token);
	hull_sha256_init(&x.h);
	CURLcode cc = curl_easy_perform(x.c);
	curl_easy_getinfo(x.c, CURLINFO_RESPONSE_CODE, &resp->status);
	hull_sha256_final(&x.h, resp->hash);
	*werr = x.werr;
	curl_easy_cleanup(x.c);
	curl_slist_free_all(h);
	free(token);
	return cc;
}

bool http_transient(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

void http_backoff(int n, const char *retry_after)
{
	long ms = 250L << n;
	if (retry_after) {
		long s = strtol(retry_after, NULL, 10);
		if (s > 0)
			ms = s > 10 ? 10000 : s * 1000;
	}
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int fetch_token(struct hull_registry *reg, const struct hull_auth_challenge *ch,
		       struct hull_err *err);

int http_on_unauthorized(struct hull_registry *reg, const char *www_auth, struct hull_err *err)
{
	struct hull_auth_challenge *ch;
	size_t n;
	if (hull_auth_parse(www_auth, &ch, &n))
		return HULL_EINPUT;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!strcmp(ch[i].scheme, "bearer") && ch[i].realm)
			rc = fetch_token(reg, &ch[i], err) ? HULL_EINPUT : 1;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		if (!strcmp(ch[i].scheme, "basic") && reg->user) {
			pthread_mutex_lock(&reg->mu);
			rc = reg->basic ? 0 : 1;
			reg->basic = true;
			pthread_mutex_unlock(&reg->mu);
		}
	}
	hull_auth_free(ch, n);
	return rc;
}

int http_transport_err(struct hull_registry *reg, const char *method, const char *url, CURLcode cc,
		       const char *errbuf, int werr, struct hull_err *err)
{
	if (werr)
		return hull_err_set(err, HULL_EIO, "%s: writing a download: %s", reg->name,
				    strerror(werr));
	bool big = cc == CURLE_WRITE_ERROR || cc == CURLE_FILESIZE_EXCEEDED;
	return hull_err_set(err, big ? HULL_ELIMIT : HULL_EINPUT, "%s: %s %s: %s", reg->name,
			    method, url,
			    big	      ? "response too large"
			    : *errbuf ? errbuf
				      : curl_easy_strerror(cc));
}

int http_do(struct hull_registry *reg, const struct http_req *req, struct http_resp *resp,
	    struct hull_err *err)
{
	char errbuf[CURL_ERROR_SIZE];
	bool reauthed = false;
	memset(resp, 0, sizeof(*resp));
	for (int n = 0;; n++) {
		resp_clear(resp);
		int rc = rewind_fd(req->out_fd, err);
		if (rc)
			return rc;
		int werr = 0;
		CURLcode cc = attempt(reg, req, resp, errbuf, &werr);
		if (cc != CURLE_OK) {
			if (http_transient(cc) && n + 1 < MAX_ATTEMPTS) {
				http_backoff(n, NULL);
				continue;
			}
			return http_transport_err(reg, req->method, req->url, cc, errbuf, werr,
						  err);
		}
		if (resp->status == 401 && !req->anonymous && !reauthed) {
			reauthed = true;
			rc = http_on_unauthorized(reg, resp->www_auth, err);
			if (rc < 0)
				return rc;
			if (rc > 0) {
				n--; /* not a failure: no backoff, no attempt spent */
				continue;
			}
		}
		if ((resp->status == 429 || resp->status >= 500) && n + 1 < MAX_ATTEMPTS) {
			http_backoff(n, resp->retry_after);
			continue;
		}
		return 0;
	}
}

void http_resp_free(struct http_resp *resp)
{
	resp_clear(resp);
}

/* The registry's {"errors":[{"code","message"}]} as one short phrase. */
static void error_detail(const struct http_resp *resp, struct strbuf *sb)
{
	json_t *doc = resp->body.len ? json_loadb(resp->body.buf, resp->body.len, 0, NULL) : NULL;
	json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
	const char *code = json_string_value(json_object_get(e, "code"));
	const char *msg = json_string_value(json_object_get(e, "message"));
	if (code || msg)
		strbuf_addf(sb, " (%s%s%s)", code ? code : "", code && msg ? ": " : "",
			    msg ? msg : "");
	if (doc)
		json_decref(doc);
	for (size_t i = 0; i < sb->len; i++)
		if ((unsigned char)sb->buf[i] < 0x20)
			sb->buf[i] = ' ';
}

int http_status_err(struct hull_registry *reg, const struct http_req *req,
		    const struct http_resp *resp, const char *what, struct hull_err *err)
{
	struct strbuf d = STRBUF_INIT;
	strbuf_adds(&d, "");
	error_detail(resp, &d);
	int rc;
	if (resp->status == 401 || resp->status == 403)
		rc = hull_err_set(err, HULL_EINPUT, "%s: %s for %s: HTTP %ld%s (%s)", reg->name,
				  reg->user ? "access denied" : "authentication required", what,
				  resp->status, d.buf,
				  reg->user ? "check the credentials"
					    : "pass --creds, --authfile or log in");
	else
		rc = hull_err_set(err, resp->status == 404 ? HULL_ENOTFOUND : HULL_EINPUT,
				  "%s: %s %s: HTTP %ld%s", reg->name, req->method, what,
				  resp->status, d.buf);
	strbuf_release(&d);
	return rc;
}

char *http_repo_url(struct hull_registry *reg, const char *rest)
{
	return xasprintf("%s/v2/%s/%s", reg->base, reg->repo, rest);
}

/* ------------------------------------------------------------------ tokens */

static void add_param(struct strbuf *url, const char *k, const char *v, bool *first)
{
	char *e = curl_easy_escape(NULL, v, 0);
	strbuf_addf(url, "%c%s=%s", *first ? '?' : '&', k, e ? e : "");
	curl_free(e);
	*first = false;
}

static char *token_url(struct hull_registry *reg, const struct hull_auth_challenge *ch)
{
	struct strbuf url = STRBUF_INIT;
	strbuf_adds(&url, ch->realm);
	bool first = !strchr(ch->realm, '?');
	if (ch->service)
		add_param(&url, "service", ch->service, &first);
	_cleanup_free_ char *mine =
		xasprintf("repository:%s:%s", reg->repo, reg->push ? "pull,push" : "pull");
	if (ch->scope && strcmp(ch->scope, mine))
		add_param(&url, "scope", ch->scope, &first);
	add_param(&url, "scope", mine, &first);
	return strbuf_detach(&url, NULL);
}

/* Credentials go to the token realm only over HTTPS or to the registry's own host:
 * a challenge must not be able to send them elsewhere in clear. */
static bool creds_ok_for(struct hull_registry *reg, const char *realm)
{
	if (!strncasecmp(realm, "https://", 8))
		return true;
	const char *h = strstr(realm, "://");
	h = h ? h + 3 : realm;
	size_t n = strcspn(h, "/?");
	return strlen(reg->host) == n && !strncasecmp(h, reg->host, n);
}

static int parse_token(struct hull_registry *reg, const struct http_resp *resp,
		       struct hull_err *err)
{
	json_t *doc = json_loadb(resp->body.buf ? resp->body.buf : "", resp->body.len, 0, NULL);
	const char *t = json_string_value(json_object_get(doc, "token"));
	if (!t || !*t)
		t = json_string_value(json_object_get(doc, "access_token"));
	int rc = 0;
	if (!t || !*t) {
		rc = hull_err_set(err, HULL_EINPUT, "%s: the token endpoint of %s sent no token",
				  reg->name, reg->host);
	} else {
		pthread_mutex_lock(&reg->mu);
		free(reg->token);
		reg->token = xstrdup(t);
		pthread_mutex_unlock(&reg->mu);
	}
	if (doc)
		json_decref(doc);
	return rc;
}

static char *identity_form(struct hull_registry *reg, const struct hull_auth_challenge *ch)
{
	struct strbuf f = STRBUF_INIT;
	bool first = true;
	add_param(&f, "grant_type", "refresh_token", &first);
	if (ch->service)
		add_param(&f, "service", ch->service, &first);
	_cleanup_free_ char *mine =
		xasprintf("repository:%s:%s", reg->repo, reg->push ? "pull,push" : "pull");
	if (ch->scope && strcmp(ch->scope, mine))
		add_param(&f, "scope", ch->scope, &first);
	add_param(&f, "scope", mine, &first);
	add_param(&f, "client_id", "hull", &first);
	add_param(&f, "refresh_token", reg->pass, &first);
	char *s = strbuf_detach(&f, NULL);
	memmove(s, s + 1, strlen(s)); /* add_param starts with '?' */
	return s;
}

static int fetch_token(struct hull_registry *reg, const struct hull_auth_challenge *ch,
		       struct hull_err *err)
{
	if (strncasecmp(ch->realm, "https://", 8) && strncasecmp(ch->realm, "http://", 7))
		return hull_err_set(err, HULL_EINPUT, "%s: %s sent a token realm that is not a URL",
				    reg->name, reg->host);
	_cleanup_free_ char *url = token_url(reg, ch);
	struct http_req req = {
		.method = "GET",
		.url = url,
		.out_fd = -1,
		.max = MAX_TOKEN_BODY,
		.anonymous = true,
	};
	struct http_resp resp;
	char errbuf[CURL_ERROR_SIZE];
	int werr = 0;
	memset(&resp, 0, sizeof(resp));
	bool with_creds = reg->user && creds_ok_for(reg, ch->realm);
	req.anonymous = !with_creds;
	req.basic_only = with_creds;
	_cleanup_free_ char *form = NULL;
	if (with_creds && !strcmp(reg->user, "<token>")) {
		/* An identity token (a credential helper's "<token>" user) is an OAuth2
		 * refresh token: POSTed to the realm, as Docker does. */
		form = identity_form(reg, ch);
		req.method = "POST";
		req.url = ch->realm;
		req.body = form;
		req.body_len = strlen(form);
		req.content_type = "application/x-www-form-urlencoded";
		req.anonymous = true;
		req.basic_only = false;
	}
	CURLcode cc = CURLE_OK;
	for (int n = 0; n < MAX_ATTEMPTS; n++) {
		resp_clear(&resp);
		cc = attempt(reg, &req, &resp, errbuf, &werr);
		if (cc == CURLE_OK && resp.status != 429 && resp.status < 500)
			break;
		if (cc != CURLE_OK && !http_transient(cc))
			break;
		http_backoff(n, resp.retry_after);
	}
	int rc;
	if (cc != CURLE_OK)
		rc = http_transport_err(reg, req.method, req.url, cc, errbuf, werr, err);
	else if (resp.status != 200)
		rc = hull_err_set(err, HULL_EINPUT,
				  "%s: %s for %s: the token endpoint said HTTP %ld", reg->name,
				  with_creds ? "access denied" : "authentication required",
				  reg->host, resp.status);
	else
		rc = parse_token(reg, &resp, err);
	http_resp_free(&resp);
	return rc;
}
