/* Blob downloads as pull streams: one curl easy handle driven by a multi handle from
 * the reader's own thread, so the layer pipeline decodes while the bytes arrive. Size
 * and digest are checked at the end; a broken connection resumes with a Range request
 * from the current offset while the hash state carries on. */
#include "registry_int.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#define HIGH_WATER   (1u << 20) /* pause the transfer with this much unread */
#define MAX_FAILS    5		/* failed attempts in a row without progress */
#define MAX_RESUMES  64		/* resumes in all, progress or not */
#define MAX_ERR_BODY 4096

struct hull_blob_stream {
	struct hull_reader r;
	struct hull_registry *reg;
	char *url, *digest;
	uint64_t size;
	uint64_t pos;  /* bytes accepted and hashed */
	uint64_t skip; /* bytes of a 200 answer to a Range request still to drop */
	struct hull_sha256 h;
	bool h_live, finished, broken;
	int (*restart)(void *ctx, struct hull_err *err);
	void *restart_ctx;
	int fails, resumes;
	bool reauthed;

	/* the current attempt */
	CURLM *m;
	CURL *c;
	char *token;
	char errbuf[CURL_ERROR_SIZE];
	uint64_t range_from;
	bool checked, paused, done, overflow, bad_range;
	int cb_rc; /* an error from the restart callback */
	struct hull_err cb_err;
	CURLcode cc;
	struct strbuf errbody;
	char *www_auth, *retry_after, *content_range;
	unsigned char *buf;
	size_t blen, boff, bcap;
};

static void hdr_keep(char **slot, const char *v, size_t n)
{
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	free(*slot);
	*slot = xstrndup(v, n);
}

static size_t on_hdr(char *b, size_t size, size_t n, void *ctx)
{
	struct hull_blob_stream *s = ctx;
	size_t len = size * n;
	if (len >= 5 && !strncmp(b, "HTTP/", 5)) {
		free(s->www_auth);
		free(s->retry_after);
		free(s->content_range);
		s->www_auth = s->retry_after = s->content_range = NULL;
		return len;
	}
	const char *colon = memchr(b, ':', len);
	if (!colon)
		return len;
	size_t k = (size_t)(colon - b);
	const char *v = colon + 1;
	while (v < b + len && (*v == ' ' || *v == '\t'))
		v++;
	size_t vn = (size_t)(b + len - v);
	if (k == 16 && !strncasecmp(b, "www-authenticate", k))
		hdr_keep(&s->www_auth, v, vn);
	else if (k == 11 && !strncasecmp(b, "retry-after", k))
		hdr_keep(&s->retry_after, v, vn);
	else if (k == 13 && !strncasecmp(b, "content-range", k))
		hdr_keep(&s->content_range, v, vn);
	return len;
}

/* "bytes N-M/T": does the part start where we asked? */
static bool range_starts_at(const char *cr, uint64_t from)
{
	if (!cr || strncasecmp(cr, "bytes ", 6))
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(cr + 6, &end, 10);
	return !errno && *end == '-' && v == from;
}

/* The first body bytes of a 2xx answer: settles what a Range request got. */
static bool first_bytes(struct hull_blob_stream *s, long st)
{
	s->checked = true;
	if (!s->range_from)
		return true;
	if (st == 206) {
		if (range_starts_at(s->content_range, s->range_from))
			return true;
		s->bad_range = true;
		return false;
	}
	/* 200: the server ignored the Range header and sends everything again. */
	if (!s->restart) {
		s->skip = s->range_from;
		return true;
	}
	s->cb_rc = s->restart(s->restart_ctx, &s->cb_err);
	if (s->cb_rc)
		return false;
	hull_sha256_free(&s->h);
	hull_sha256_init(&s->h);
	s->pos = 0;
	s->blen = s->boff = 0;
	return true;
}

static void buf_add(struct hull_blob_stream *s, const char *b, size_t len)
{
	if (s->boff && s->boff == s->blen)
		s->boff = s->blen = 0;
	if (s->blen + len > s->bcap) {
		if (s->boff) {
			memmove(s->buf, s->buf + s->boff, s->blen - s->boff);
			s->blen -= s->boff;
			s->boff = 0;
		}
		if (s->blen + len > s->bcap) {
			s->bcap = s->blen + len > 2 * s->bcap ? s->blen + len : 2 * s->bcap;
			s->buf = xrealloc(s->buf, s->bcap);
		}
	}
	memcpy(s->buf + s->blen, b, len);
	s->blen += len;
}

static size_t on_data(char *b, size_t size, size_t n, void *ctx)
{
	struct hull_blob_stream *s = ctx;
	size_t len = size * n;
	long st = 0;
	curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &st);
	if (st < 200 || st >= 300) {
		if (s->errbody.len + len <= MAX_ERR_BODY)
			strbuf_add(&s->errbody, b, len);
		return len;
	}
	size_t unread = s->blen - s->boff;
	if (unread && unread + len > HIGH_WATER) {
		s->paused = true;
		return CURL_WRITEFUNC_PAUSE; /* curl hands the same bytes again later */
	}
	if (!s->checked && !first_bytes(s, st))
		return 0;
	if (s->skip) {
		size_t d = s->skip < len ? (size_t)s->skip : len;
		s->skip -= d;
		b += d;
		len -= d;
	}
	if (len > s->size - s->pos) {
		s->overflow = true;
		return 0;
	}
	hull_sha256_update(&s->h, b, len);
	s->pos += len;
	buf_add(s, b, len);
	return size * n;
}

static void attempt_end(struct hull_blob_stream *s)
{
	if (s->m && s->c)
		curl_multi_remove_handle(s->m, s->c);
	if (s->c)
		curl_easy_cleanup(s->c);
	if (s->m)
		curl_multi_cleanup(s->m);
	s->c = NULL;
	s->m = NULL;
	free(s->token);
	s->token = NULL;
}

static int attempt_start(struct hull_blob_stream *s, struct hull_err *err)
{
	s->c = curl_easy_init();
	s->m = curl_multi_init();
	if (!s->c || !s->m)
		return hull_err_set(err, HULL_EIO, "%s: curl: out of memory", s->reg->name);
	s->errbuf[0] = '\0';
	s->checked = s->paused = s->done = s->overflow = s->bad_range = false;
	s->skip = 0;
	s->cc = CURLE_OK;
	strbuf_release(&s->errbody);
	s->range_from = s->pos;
	http_common_opts(s->reg, s->c, s->url, NULL, s->errbuf);
	curl_easy_setopt(s->c, CURLOPT_HEADERFUNCTION, on_hdr);
	curl_easy_setopt(s->c, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(s->c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(s->c, CURLOPT_WRITEDATA, s);
	if (s->pos) {
		char range[32];
		snprintf(range, sizeof(range), "%" PRIu64 "-", s->pos);
		curl_easy_setopt(s->c, CURLOPT_RANGE, range);
	}
	http_set_auth(s->reg, s->c, false, false, &s->token);
	if (curl_multi_add_handle(s->m, s->c) != CURLM_OK)
		return hull_err_set(err, HULL_EIO, "%s: curl: cannot start a transfer",
				    s->reg->name);
	return 0;
}

/* Runs the transfer until bytes are buffered or it is over. */
static int pump(struct hull_blob_stream *s, struct hull_err *err)
{
	int running = 0;
	CURLMcode mc = curl_multi_perform(s->m, &running);
	if (mc != CURLM_OK)
		return hull_err_set(err, HULL_EIO, "%s: curl: %s", s->reg->name,
				    curl_multi_strerror(mc));
	int left;
	CURLMsg *msg;
	while ((msg = curl_multi_info_read(s->m, &left)))
		if (msg->msg == CURLMSG_DONE) {
			s->done = true;
			s->cc = msg->data.result;
		}
	if (!s->done && s->blen == s->boff && running) {
		mc = curl_multi_poll(s->m, NULL, 0, 1000, NULL);
		if (mc != CURLM_OK)
			return hull_err_set(err, HULL_EIO, "%s: curl: %s", s->reg->name,
					    curl_multi_strerror(mc));
	}
	return 0;
}

static int verify_end(struct hull_blob_stream *s, struct hull_err *err)
{
	char got[HULL_DIGEST_LEN + 1];
	hull_sha256_final(&s->h, got);
	s->h_live = false;
	s->finished = true;
	if (strcmp(got, s->digest))
		return hull_err_set(err, HULL_EINPUT,
				    "%s: blob digest mismatch: expected %s, content is %s",
				    s->reg->name, s->digest, got);
	return 0;
}

/* Decides what a finished attempt means: the end, a retry (1), or an error. */
static int settle(struct hull_blob_stream *s, struct hull_err *err)
{
	long st = 0;
	curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &st);
	CURLcode cc = s->cc;
	bool progress = s->pos > s->range_from;
	if (s->cb_rc)
		return hull_err_set(err, s->cb_err.code, "%s", s->cb_err.msg);
	if (s->overflow)
		return hull_err_set(err, HULL_EINPUT,
				    "%s: blob %s is larger than the %" PRIu64
				    " bytes the manifest says",
				    s->reg->name, s->digest, s->size);
	if (s->bad_range)
		return hull_err_set(err, HULL_EINPUT,
				    "%s: blob %s: asked for bytes from %" PRIu64 ", got \"%s\"",
				    s->reg->name, s->digest, s->range_from,
				    s->content_range ? s->content_range : "no Content-Range");
	if (cc == CURLE_OK && st == 401 && !s->reauthed) {
		s->reauthed = true;
		int rc = http_on_unauthorized(s->reg, s->www_auth, err);
		return rc ? rc : 1;
	}
	if (cc == CURLE_OK && st >= 200 && st < 300) {
		if (s->pos == s->size)
			return 0;
		cc = CURLE_PARTIAL_FILE; /* closed early without saying so: resume */
	}
	if (cc == CURLE_OK && st != 429 && st < 500) {
		struct http_req req = {.method = "GET", .url = s->url};
		struct http_resp resp = {.status = st, .body = s->errbody};
		_cleanup_free_ char *what = xasprintf("blobs/%s", s->digest);
		return http_status_err(s->reg, &req, &resp, what, err);
	}
	if (cc != CURLE_OK && !http_transient(cc)) {
		s->broken = true;
		return http_transport_err(s->reg, "GET", s->url, cc, s->errbuf, 0, err);
	}
	s->fails = progress ? 0 : s->fails + 1;
	if (s->fails >= MAX_FAILS || ++s->resumes > MAX_RESUMES) {
		s->broken = true;
		if (cc == CURLE_OK)
			return hull_err_set(err, HULL_EINPUT, "%s: GET %s: HTTP %ld", s->reg->name,
					    s->url, st);
		return http_transport_err(s->reg, "GET", s->url, cc, s->errbuf, 0, err);
	}
	if (!progress)
		http_backoff(s->fails - 1, cc == CURLE_OK ? s->retry_after : NULL);
	return 1;
}

static ssize_t bs_read(struct hull_reader *r, void *out, size_t len, struct hull_err *err)
{
	struct hull_blob_stream *s = r->ctx;
	for (;;) {
		if (s->boff < s->blen) {
			size_t n = s->blen - s->boff < len ? s->blen - s->boff : len;
			memcpy(out, s->buf + s->boff, n);
			s->boff += n;
			return (ssize_t)n;
		}
		if (s->finished)
			return 0;
		int rc = 0;
		if (s->paused && s->c) {
			s->paused = false;
			curl_easy_pause(s->c, CURLPAUSE_CONT);
			continue;
		}
		if (!s->c) {
			rc = attempt_start(s, err);
		} else if (s->done) {
			rc = settle(s, err);
			attempt_end(s);
			if (rc == 0)
				rc = verify_end(s, err);
			else if (rc > 0)
				rc = 0;
		} else {
			rc = pump(s, err);
		}
		if (rc < 0) {
			s->finished = true;
			return rc;
		}
	}
}

int hull_blob_stream_open(struct hull_registry *reg, const char *digest, uint64_t size,
			  const struct hull_blob_stream_opts *opts, struct hull_blob_stream **out,
			  struct hull_err *err)
{
	if (!hull_digest_valid(digest))
		return hull_err_set(err, HULL_EINPUT, "%s: invalid blob digest \"%s\"", reg->name,
				    digest);
	struct hull_blob_stream *s = xcalloc(1, sizeof(*s));
	s->r.read = bs_read;
	s->r.ctx = s;
	s->reg = reg;
	_cleanup_free_ char *rest = xasprintf("blobs/%s", digest);
	s->url = http_repo_url(reg, rest);
	s->digest = xstrdup(digest);
	s->size = size;
	if (opts && opts->offset) {
		s->pos = opts->offset;
		s->h = *opts->seed;
		opts->seed->ctx = NULL;
	} else {
		hull_sha256_init(&s->h);
	}
	s->h_live = true;
	if (opts) {
		s->restart = opts->restart;
		s->restart_ctx = opts->ctx;
	}
	if (s->pos > size) {
		hull_blob_stream_free(s);
		return hull_err_set(err, HULL_EINPUT, "%s: blob %s: offset past its size",
				    reg->name, digest);
	}
	*out = s;
	return 0;
}

struct hull_reader *hull_blob_stream_reader(struct hull_blob_stream *s)
{
	return &s->r;
}

bool hull_blob_stream_broken(const struct hull_blob_stream *s)
{
	return s->broken;
}

void hull_blob_stream_free(struct hull_blob_stream *s)
{
	if (!s)
		return;
	attempt_end(s);
	if (s->h_live)
		hull_sha256_free(&s->h);
	hull_err_clear(&s->cb_err);
	strbuf_release(&s->errbody);
	free(s->www_auth);
	free(s->retry_after);
	free(s->content_range);
	free(s->buf);
	free(s->url);
	free(s->digest);
	free(s);
}
