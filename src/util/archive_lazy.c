/* libarchive, loaded when the first archive is opened rather than at start-up.
 *
 * libarchive brings eight more shared objects into every run (libxml2 and ICU for XAR,
 * nettle, acl, lzma, lz4, bzip2...): loading and relocating them was about 1 ms of each
 * command's start, a sixth of a one-file `hull lint`, which never reads an archive. As
 * with libcurl (curl_lazy.c), the functions hull calls are defined here with libarchive's
 * own names and signatures and forward to libarchive.so.13, opened with dlopen on first
 * use; callers include <archive.h> as usual and the binary is not linked with -larchive
 * (meson.build takes only its headers).
 *
 * Without the library (a broken installation: it is a dependency of the package) the
 * entry points that read or write archives fail with one line, through
 * hull_archive_load, and exit status 2. */
#include "archive_lazy.h"
#include "lazylib.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#define SONAME "libarchive.so.13"

/* Every function hull calls: return type, name, parameters, arguments, and what it
 * returns when libarchive is not there (a void one does nothing then). */
#define ARCHIVE_FUNCTIONS(X, V)                                                                   \
	X(struct archive *, archive_read_new, (void), (), NULL)                                   \
	X(int, archive_read_free, (struct archive * a), (a), ARCHIVE_FATAL)                       \
	X(int, archive_read_support_filter_bzip2, (struct archive * a), (a), ARCHIVE_FATAL)       \
	X(int, archive_read_support_filter_gzip, (struct archive * a), (a), ARCHIVE_FATAL)        \
	X(int, archive_read_support_filter_xz, (struct archive * a), (a), ARCHIVE_FATAL)          \
	X(int, archive_read_support_filter_zstd, (struct archive * a), (a), ARCHIVE_FATAL)        \
	X(int, archive_read_support_format_gnutar, (struct archive * a), (a), ARCHIVE_FATAL)      \
	X(int, archive_read_support_format_tar, (struct archive * a), (a), ARCHIVE_FATAL)         \
	X(int, archive_read_support_format_zip, (struct archive * a), (a), ARCHIVE_FATAL)         \
	X(int, archive_read_open,                                                                 \
	  (struct archive * a, void *data, archive_open_callback *o, archive_read_callback *r,    \
	   archive_close_callback *c),                                                            \
	  (a, data, o, r, c), ARCHIVE_FATAL)                                                      \
	X(int, archive_read_open_fd, (struct archive * a, int fd, size_t block), (a, fd, block),  \
	  ARCHIVE_FATAL)                                                                          \
	X(int, archive_read_open_filename, (struct archive * a, const char *path, size_t block),  \
	  (a, path, block), ARCHIVE_FATAL)                                                        \
	X(int, archive_read_open_memory, (struct archive * a, const void *buf, size_t n),         \
	  (a, buf, n), ARCHIVE_FATAL)                                                             \
	X(int, archive_read_next_header, (struct archive * a, struct archive_entry * *e), (a, e), \
	  ARCHIVE_FATAL)                                                                          \
	X(la_ssize_t, archive_read_data, (struct archive * a, void *buf, size_t n), (a, buf, n),  \
	  ARCHIVE_FATAL)                                                                          \
	X(int, archive_read_data_skip, (struct archive * a), (a), ARCHIVE_FATAL)                  \
	X(la_int64_t, archive_filter_bytes, (struct archive * a, int n), (a, n), 0)               \
	X(const char *, archive_error_string, (struct archive * a), (a), load_error)              \
	X(struct archive *, archive_write_new, (void), (), NULL)                                  \
	X(int, archive_write_set_format_pax_restricted, (struct archive * a), (a), ARCHIVE_FATAL) \
	X(int, archive_write_set_bytes_in_last_block, (struct archive * a, int n), (a, n),        \
	  ARCHIVE_FATAL)                                                                          \
	X(int, archive_write_open_fd, (struct archive * a, int fd), (a, fd), ARCHIVE_FATAL)       \
	X(int, archive_write_header, (struct archive * a, struct archive_entry * e), (a, e),      \
	  ARCHIVE_FATAL)                                                                          \
	X(la_ssize_t, archive_write_data, (struct archive * a, const void *buf, size_t n),        \
	  (a, buf, n), ARCHIVE_FATAL)                                                             \
	X(int, archive_write_close, (struct archive * a), (a), ARCHIVE_FATAL)                     \
	X(int, archive_write_free, (struct archive * a), (a), ARCHIVE_FATAL)                      \
	X(struct archive_entry *, archive_entry_new, (void), (), NULL)                            \
	V(archive_entry_free, (struct archive_entry * e), (e))                                    \
	X(const char *, archive_entry_pathname, (struct archive_entry * e), (e), NULL)            \
	X(const char *, archive_entry_pathname_utf8, (struct archive_entry * e), (e), NULL)       \
	X(const char *, archive_entry_hardlink, (struct archive_entry * e), (e), NULL)            \
	X(const char *, archive_entry_symlink, (struct archive_entry * e), (e), NULL)             \
	X(const char *, archive_entry_symlink_utf8, (struct archive_entry * e), (e), NULL)        \
	X(__LA_MODE_T, archive_entry_filetype, (struct archive_entry * e), (e), 0)                \
	X(__LA_MODE_T, archive_entry_perm, (struct archive_entry * e), (e), 0)                    \
	X(la_int64_t, archive_entry_size, (struct archive_entry * e), (e), 0)                     \
	X(la_int64_t, archive_entry_uid, (struct archive_entry * e), (e), 0)                      \
	X(la_int64_t, archive_entry_gid, (struct archive_entry * e), (e), 0)                      \
	X(int, archive_entry_sparse_count, (struct archive_entry * e), (e), 0)                    \
	V(archive_entry_set_pathname, (struct archive_entry * e, const char *p), (e, p))          \
	V(archive_entry_set_filetype, (struct archive_entry * e, unsigned int t), (e, t))         \
	V(archive_entry_set_perm, (struct archive_entry * e, __LA_MODE_T m), (e, m))              \
	V(archive_entry_set_size, (struct archive_entry * e, la_int64_t n), (e, n))

#define FIELD(ret, name, params, args, fail) ret(*name) params;
#define VFIELD(name, params, args)	     void(*name) params;
static struct {
	ARCHIVE_FUNCTIONS(FIELD, VFIELD)
	void (*archive_set_error)(struct archive *a, int err, const char *fmt, ...);
} fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void load(void)
{
	void *h = hull_lazylib_open(SONAME, load_error, sizeof(load_error));
	if (!h)
		return;
#define SYM(name)			    hull_lazylib_sym(h, SONAME, name, load_error, sizeof(load_error))
#define LOAD(ret, name, params, args, fail) *(void **)&fn.name = SYM(#name);
#define VLOAD(name, params, args)	    *(void **)&fn.name = SYM(#name);
	ARCHIVE_FUNCTIONS(LOAD, VLOAD)
	LOAD(, archive_set_error, , , )
	/* the library stays loaded for the rest of the run */
}

/* True once every function is there; a failed load is not retried. */
static bool ready(void)
{
	pthread_once(&once, load);
	return !load_error[0];
}

int hull_archive_load(struct hull_err *err)
{
	if (ready())
		return 0;
	return hull_err_set(err, HULL_EIO, "reading archives needs libarchive: %s", load_error);
}

/* Without the library every call fails the way libarchive reports failure; the entry
 * points call hull_archive_load first, so that the error says why. */
#define WRAP(ret, name, params, args, fail)           \
	ret name params                               \
	{                                             \
		return ready() ? fn.name args : fail; \
	}
#define VWRAP(name, params, args)     \
	void name params              \
	{                             \
		if (ready())          \
			fn.name args; \
	}
ARCHIVE_FUNCTIONS(WRAP, VWRAP)

/* Variadic: formatted here, passed on as one string. */
void archive_set_error(struct archive *a, int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ready())
		fn.archive_set_error(a, err, "%s", msg);
}
