/* libcurl download of one URL into a file, via a temporary beside it. */
#include "fetch.h"

#include "../util/curl_lazy.h"
#include "../util/progress.h"
#include "../util/strbuf.h"
#include "version.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_ATTEMPTS 3
#define MAX_DUMP     (8ULL << 30)

struct xfer {
	struct hull_fetch *f;
	int fd;
	int werr;
	curl_off_t got;
	struct hull_progress *prog; /* f->progress: the line on stderr */
	curl_off_t prog_total, prog_now;
};

static void set_hdr(char **slot, const char *v, size_t n)
{
	while (n && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
		n--;
	while (n && *v == ' ') {
		v++;
		n--;
	}
	free(*slot);
	*slot = xstrndup(v, n);
}

static size_t on_header(char *b, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * n;
	/* A new response (after a redirect) starts with its status line. */
	if (len > 5 && !strncmp(b, "HTTP/", 5)) {
		free(x->f->new_etag);
		free(x->f->new_last_modified);
		x->f->new_etag = x->f->new_last_modified = NULL;
	}
	if (len > 5 && !strncasecmp(b, "ETag:", 5))
		set_hdr(&x->f->new_etag, b + 5, len - 5);
	else if (len > 14 && !strncasecmp(b, "Last-Modified:", 14))
		set_hdr(&x->f->new_last_modified, b + 14, len - 14);
	return len;
}

static size_t on_body(char *b, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * n, off = 0;
	if ((unsigned long long)x->got + len > MAX_DUMP)
		return 0;
	while (off < len) {
		ssize_t w = write(x->fd, b + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			x->werr = errno;
			return 0;
		}
		off += (size_t)w;
	}
	x->got += (curl_off_t)len;
	return len;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)ultotal;
	(void)ulnow;
	struct xfer *x = ctx;
	if (!x->prog)
		return 0;
	if (dltotal != x->prog_total || dlnow < x->prog_now) {
		/* "downloading Debian/all.zip": the URL's last two segments */
		const char *u = x->f->url, *tail = u + strlen(u);
		for (int slashes = 0; tail > u && slashes < 2; tail--)
			if (tail[-1] == '/' && ++slashes == 2)
				break;
		char label[64];
		snprintf(label, sizeof(label), "downloading %s", tail);
		hull_progress_begin(x->prog, label, 0, dltotal > 0 ? (uint64_t)dltotal : 0);
		x->prog_total = dltotal;
		x->prog_now = 0;
	}
	hull_progress_add(x->prog, 0, (uint64_t)(dlnow - x->prog_now));
	x->prog_now = dlnow;
	return 0;
}

static bool transient(CURLcode cc)
{
	return cc == CURLE_COULDNT_CONNECT || cc == CURLE_OPERATION_TIMEDOUT ||
	       cc == CURLE_GOT_NOTHING || cc == CURLE_SEND_ERROR || cc == CURLE_RECV_ERROR ||
	       cc == CURLE_PARTIAL_FILE;
}

static struct curl_slist *conditions(const struct hull_fetch *f)
{
	struct curl_slist *h = NULL;
	if (f->etag) {
		char *line = xasprintf("If-None-Match: %s", f->etag);
		h = curl_slist_append(h, line);
		free(line);
	}
	if (f->last_modified) {
		char *line = xasprintf("If-Modified-Since: %s", f->last_modified);
		h = curl_slist_append(h, line);
		free(line);
	}
	return h;
}

static CURLcode attempt(struct xfer *x, long *status, char *errbuf)
{
	CURL *c = curl_easy_init();
	if (!c)
		return CURLE_OUT_OF_MEMORY;
	struct curl_slist *h = conditions(x->f);
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, x->f->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 8L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "hull/" HULL_VERSION);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	CURLcode cc = curl_easy_perform(c);
	*status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	return cc;
}

static void backoff(int n)
{
	struct timespec ts = {0, (250L << n) * 1000000L};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int rewind_tmp(int fd, const char *tmp, struct hull_err *err)
{
	if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) < 0)
		return hull_err_set(err, HULL_EIO, "%s: %s", tmp, strerror(errno));
	return 0;
}

static int run(struct hull_fetch *f, int fd, const char *tmp, long *status, struct hull_err *err)
{
	char errbuf[CURL_ERROR_SIZE];
	for (int n = 0;; n++) {
		struct xfer x = {.f = f, .fd = fd, .prog_total = -1};
		int rc = rewind_tmp(fd, tmp, err);
		if (rc)
			return rc;
		x.prog = f->progress ? hull_progress_new(STDERR_FILENO) : NULL;
		CURLcode cc = attempt(&x, status, errbuf);
		hull_progress_end(x.prog);
		if (x.werr)
			return hull_err_set(err, HULL_EIO, "%s: %s", tmp, strerror(x.werr));
		if (cc == CURLE_OK && *status >= 500 && n + 1 < MAX_ATTEMPTS) {
			backoff(n);
			continue;
		}
		if (cc == CURLE_OK)
			return 0;
		if (transient(cc) && n + 1 < MAX_ATTEMPTS) {
			backoff(n);
			continue;
		}
		return hull_err_set(err, HULL_EINPUT, "%s: download failed: %s", f->url,
				    *errbuf ? errbuf : curl_easy_strerror(cc));
	}
}

int hull_fetch_url(struct hull_fetch *f, struct hull_err *err)
{
	static bool inited;
	if (hull_curl_load(err))
		return HULL_EIO;
	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = true;
	}
	f->not_modified = false;
	_cleanup_free_ char *tmp = xasprintf("%s.part-XXXXXX", f->dest);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return hull_err_set(err, HULL_EIO, "%s: cannot create a file beside it: %s",
				    f->dest, strerror(errno));
	long status = 0;
	int rc = run(f, fd, tmp, &status, err);
	bool is_http = !strncasecmp(f->url, "http", 4);
	if (!rc && is_http && status == 304) {
		f->not_modified = true;
		close(fd);
		unlink(tmp);
		return 0;
	}
	if (!rc && is_http && status != 200)
		rc = hull_err_set(err, HULL_EINPUT, "%s: download failed: HTTP %ld", f->url,
				  status);
	return hull_tmpfile_commit(fd, tmp, f->dest, rc, err);
}
