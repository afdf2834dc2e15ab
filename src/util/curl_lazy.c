/* libcurl, loaded when the first transfer needs it rather than at start-up.
 *
 * Linking libcurl pulls about 25 more shared objects into every run (TLS, Kerberos,
 * LDAP, SSH, IDN...); resolving them took half of the start-up of a one-file `hull lint`.
 * Only registry access and `hull db update` use HTTP, so the functions hull calls are
 * defined here with libcurl's own names and signatures and forward to libcurl.so.4,
 * opened with dlopen on first use. Callers include <curl/curl.h> as usual; the binary
 * is not linked with -lcurl (meson.build takes only libcurl's headers). */
#define CURL_DISABLE_TYPECHECK /* its macros would rename the definitions below */
#include "curl_lazy.h"
#include "lazylib.h"
#include "util.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#define SONAME "libcurl.so.4"

static struct {
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_pause)(CURL *, int);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	char *(*easy_escape)(CURL *, const char *, int);
	void (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd[], unsigned int, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_cleanup)(CURLM *);
	const char *(*multi_strerror)(CURLMcode);
} fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];

#define SYM(field, name)                                                                   \
	do {                                                                               \
		*(void **)&fn.field =                                                      \
			hull_lazylib_sym(h, SONAME, name, load_error, sizeof(load_error)); \
		if (!fn.field)                                                             \
			return;                                                            \
	} while (0)

static void load(void)
{
	void *h = hull_lazylib_open(SONAME, load_error, sizeof(load_error));
	if (!h)
		return;
	SYM(global_init, "curl_global_init");
	SYM(easy_init, "curl_easy_init");
	SYM(easy_setopt, "curl_easy_setopt");
	SYM(easy_getinfo, "curl_easy_getinfo");
	SYM(easy_perform, "curl_easy_perform");
	SYM(easy_pause, "curl_easy_pause");
	SYM(easy_cleanup, "curl_easy_cleanup");
	SYM(easy_strerror, "curl_easy_strerror");
	SYM(easy_escape, "curl_easy_escape");
	SYM(free, "curl_free");
	SYM(slist_append, "curl_slist_append");
	SYM(slist_free_all, "curl_slist_free_all");
	SYM(multi_init, "curl_multi_init");
	SYM(multi_add_handle, "curl_multi_add_handle");
	SYM(multi_remove_handle, "curl_multi_remove_handle");
	SYM(multi_perform, "curl_multi_perform");
	SYM(multi_poll, "curl_multi_poll");
	SYM(multi_info_read, "curl_multi_info_read");
	SYM(multi_cleanup, "curl_multi_cleanup");
	SYM(multi_strerror, "curl_multi_strerror");
	/* the table is complete; the library stays loaded for the rest of the run */
}

/* True once every function is there; a failed load is not retried. */
static bool ready(void)
{
	pthread_once(&once, load);
	return fn.multi_strerror != NULL;
}

int hull_curl_load(struct hull_err *err)
{
	if (ready())
		return 0;
	return hull_err_set(err, HULL_EIO, "HTTP needs libcurl: %s", load_error);
}

/* Without the library every call fails the way libcurl reports failure. */
CURLcode curl_global_init(long flags)
{
	return ready() ? fn.global_init(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
	return ready() ? fn.easy_init() : NULL;
}

/* libcurl reads the one argument by the type its option number encodes; so does this. */
CURLcode curl_easy_setopt(CURL *c, CURLoption opt, ...)
{
	if (!ready())
		return CURLE_FAILED_INIT;
	va_list ap;
	va_start(ap, opt);
	CURLcode rc;
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = fn.easy_setopt(c, opt, va_arg(ap, long));
	else if (opt >= CURLOPTTYPE_OFF_T && opt < CURLOPTTYPE_BLOB)
		rc = fn.easy_setopt(c, opt, va_arg(ap, curl_off_t));
	else if (opt >= CURLOPTTYPE_FUNCTIONPOINT && opt < CURLOPTTYPE_OFF_T)
		rc = fn.easy_setopt(c, opt, va_arg(ap, void (*)(void)));
	else
		rc = fn.easy_setopt(c, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

/* Every CURLINFO takes a pointer to where the answer goes. */
CURLcode curl_easy_getinfo(CURL *c, CURLINFO info, ...)
{
	if (!ready())
		return CURLE_FAILED_INIT;
	va_list ap;
	va_start(ap, info);
	CURLcode rc = fn.easy_getinfo(c, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode curl_easy_perform(CURL *c)
{
	return ready() ? fn.easy_perform(c) : CURLE_FAILED_INIT;
}

CURLcode curl_easy_pause(CURL *c, int bitmask)
{
	return ready() ? fn.easy_pause(c, bitmask) : CURLE_FAILED_INIT;
}

void curl_easy_cleanup(CURL *c)
{
	if (ready())
		fn.easy_cleanup(c);
}

const char *curl_easy_strerror(CURLcode rc)
{
	return ready() ? fn.easy_strerror(rc) : load_error;
}

char *curl_easy_escape(CURL *c, const char *s, int len)
{
	return ready() ? fn.easy_escape(c, s, len) : NULL;
}

void curl_free(void *p)
{
	if (ready())
		fn.free(p);
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return ready() ? fn.slist_append(l, s) : NULL;
}

void curl_slist_free_all(struct curl_slist *l)
{
	if (ready())
		fn.slist_free_all(l);
}

CURLM *curl_multi_init(void)
{
	return ready() ? fn.multi_init() : NULL;
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *c)
{
	return ready() ? fn.multi_add_handle(m, c) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *c)
{
	return ready() ? fn.multi_remove_handle(m, c) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
	return ready() ? fn.multi_perform(m, running) : CURLM_INTERNAL_ERROR;
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned int n, int timeout_ms,
			  int *numfds)
{
	return ready() ? fn.multi_poll(m, extra, n, timeout_ms, numfds) : CURLM_INTERNAL_ERROR;
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
	return ready() ? fn.multi_info_read(m, left) : NULL;
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
	return ready() ? fn.multi_cleanup(m) : CURLM_INTERNAL_ERROR;
}

const char *curl_multi_strerror(CURLMcode rc)
{
	return ready() ? fn.multi_strerror(rc) : load_error;
}
