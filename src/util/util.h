/* Small shared helpers: allocation that never returns NULL, cleanup attributes,
 * error reporting, and size parsing. */
#ifndef HULL_UTIL_H
#define HULL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HULL_MUST_CHECK	  __attribute__((warn_unused_result))
#define HULL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(x)	  (sizeof(x) / sizeof((x)[0]))

/* Error codes: 0 is success, every failure is negative. */
enum hull_code {
	HULL_OK = 0,
	HULL_EUSAGE = -1, /* bad arguments from the caller */
	HULL_EINPUT = -2, /* the input is malformed, corrupt or hostile */
	HULL_EIO = -3,	  /* an operating-system call failed */
	HULL_ELIMIT = -4, /* a configured safety limit was exceeded */
	HULL_ENOTFOUND = -5,
};

/* An error message naming the input and the problem. Owned by the caller; free with
 * hull_err_clear(). */
struct hull_err {
	int code;
	char *msg;
};

/* Sets err (if not NULL and not already set) and returns code. The first error wins,
 * so the innermost, most precise message is the one the user sees. */
int hull_err_set(struct hull_err *err, int code, const char *fmt, ...) HULL_PRINTF(3, 4);
int hull_err_setv(struct hull_err *err, int code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Prefixes an existing message with "what: " (used to add the input's name). */
void hull_err_prefix(struct hull_err *err, const char *fmt, ...) HULL_PRINTF(2, 3);
void hull_err_clear(struct hull_err *err);

/* Warnings go through one hook so the CLI decides where they go; tests capture them. */
typedef void (*hull_warn_fn)(const char *msg, void *ctx);
void hull_set_warn_handler(hull_warn_fn fn, void *ctx);
void hull_warn(const char *fmt, ...) HULL_PRINTF(1, 2);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) HULL_PRINTF(1, 2);

/* Grows *arr (of *cap elements of size elsz) so it can hold need elements. */
#define ALLOC_GROW(arr, need, cap)                                             \
	do {                                                                   \
		if ((need) > (cap)) {                                          \
			size_t ag_new_ = (cap) ? (cap)*2 : 16;                 \
			while (ag_new_ < (need))                               \
				ag_new_ *= 2;                                  \
			(arr) = xreallocarray((arr), ag_new_, sizeof(*(arr))); \
			(cap) = ag_new_;                                       \
		}                                                              \
	} while (0)

/* systemd-style scoped cleanup for locals that own a resource. */
/* !strcmp(a, b), with the first bytes compared inline: in the lint rules' loops over
 * command names and arguments most strings differ there, and then nothing is called. */
static inline bool streq(const char *a, const char *b)
{
	return *a == *b && !strcmp(a, b);
}

/* qsort()/bsearch() comparator for an array of strings (char * or const char *). */
int hull_strcmp_p(const void *a, const void *b);

#define _cleanup_(fn) __attribute__((cleanup(fn)))
static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

/* Parses "123", "16M", "32GiB", "1.5G" is not accepted. Returns 0 or HULL_EUSAGE. */
int hull_parse_size(const char *s, uint64_t *out) HULL_MUST_CHECK;

/* Reads a whole file (at most max bytes) into a NUL-terminated buffer. */
int hull_read_file(const char *path, size_t max, char **out, size_t *len,
		   struct hull_err *err) HULL_MUST_CHECK;
/* The same into sb, emptied first and its memory reused: for reading many files in a row
 * (no fstat, no allocation once sb has grown). */
struct strbuf;
int hull_read_file_into(const char *path, size_t max, struct strbuf *sb,
			struct hull_err *err) HULL_MUST_CHECK;

/* Writes all len bytes to fd (retrying short writes and EINTR): 0, or -1 with errno. */
int hull_write_all(int fd, const void *data, size_t len) HULL_MUST_CHECK;

/* Writes data to path atomically: a temporary file beside it, fsync, rename. */
int hull_write_file_atomic(const char *path, const void *data, size_t len,
			   struct hull_err *err) HULL_MUST_CHECK;

/* Finishes a file written to the temporary tmp (open on fd) and moves it over path:
 * fchmod 0644, fsync, close, rename. rc is the outcome of the writing so far: on any
 * error, then or now, tmp is removed. Always closes fd; returns rc or the new error. */
int hull_tmpfile_commit(int fd, const char *tmp, const char *path, int rc,
			struct hull_err *err) HULL_MUST_CHECK;

/* hull's cache directory: $XDG_CACHE_HOME/hull (when absolute), else ~/.cache/hull; a
 * new string, or NULL when neither variable is usable. With create, the directory (and
 * its parent) are made if missing; failure to make them is not reported here. */
char *hull_cache_root(int create);

/* Formats a byte count for people: "1.2 MB" (decimal units, as dive and docker do). */
void hull_human_size(uint64_t n, char *buf, size_t bufsz);

#endif
