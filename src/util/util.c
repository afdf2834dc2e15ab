/* Allocation, errors, warnings, size parsing and whole-file I/O shared by every module. */
#include "util.h"
#include "strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die_oom(void)
{
	fputs("hull: fatal: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die_oom();
	return xrealloc(p, n * size);
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die_oom();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);
	if (!p)
		die_oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	return strbuf_detach(&sb, NULL);
}

int hull_err_setv(struct hull_err *err, int code, const char *fmt, va_list ap)
{
	if (!err || err->msg)
		return code;
	struct strbuf sb = STRBUF_INIT;
	strbuf_vaddf(&sb, fmt, ap);
	err->code = code;
	err->msg = strbuf_detach(&sb, NULL);
	return code;
}

int hull_err_set(struct hull_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hull_err_setv(err, code, fmt, ap);
	va_end(ap);
	return code;
}

void hull_err_prefix(struct hull_err *err, const char *fmt, ...)
{
	if (!err || !err->msg)
		return;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	strbuf_addf(&sb, ": %s", err->msg);
	free(err->msg);
	err->msg = strbuf_detach(&sb, NULL);
}

void hull_err_clear(struct hull_err *err)
{
	if (!err)
		return;
	free(err->msg);
	err->msg = NULL;
	err->code = 0;
}

static hull_warn_fn warn_fn;
static void *warn_ctx;

void hull_set_warn_handler(hull_warn_fn fn, void *ctx)
{
	warn_fn = fn;
	warn_ctx = ctx;
}

void hull_warn(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (warn_fn)
		warn_fn(sb.buf, warn_ctx);
	else
		fprintf(stderr, "hull: warning: %s\n", sb.buf);
	strbuf_release(&sb);
}

int hull_parse_size(const char *s, uint64_t *out)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {
		{"", 1},
		{"B", 1},
		{"K", 1ULL << 10},
		{"KB", 1000ULL},
		{"KiB", 1ULL << 10},
		{"M", 1ULL << 20},
		{"MB", 1000000ULL},
		{"MiB", 1ULL << 20},
		{"G", 1ULL << 30},
		{"GB", 1000000000ULL},
		{"GiB", 1ULL << 30},
		{"T", 1ULL << 40},
		{"TB", 1000000000000ULL},
		{"TiB", 1ULL << 40},
	};
	if (!s || *s < '0' || *s > '9')
		return HULL_EUSAGE;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return HULL_EUSAGE;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		if (v > UINT64_MAX / units[i].mult)
			return HULL_EUSAGE;
		*out = v * units[i].mult;
		return 0;
	}
	return HULL_EUSAGE;
}

/* Reads fd to its end into sb after sb->len; the first read gets at least step bytes of
 * room, later ones 64 KiB. Closes fd. */
static int read_fd(int fd, const char *path, size_t max, size_t step, struct strbuf *sb,
		   struct hull_err *err)
{
	for (;;) {
		if (!sb->buf || sb->len + 1 >= sb->cap) {
			strbuf_grow(sb, step);
			step = 65536;
		}
		ssize_t n = read(fd, sb->buf + sb->len, sb->cap - sb->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		sb->len += (size_t)n;
		sb->buf[sb->len] = '\0';
		if (sb->len > max) {
			close(fd);
			return hull_err_set(err, HULL_ELIMIT, "%s: larger than %zu bytes", path,
					    max);
		}
	}
	close(fd);
	return 0;
}

int hull_read_file(const char *path, size_t max, char **out, size_t *len, struct hull_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_err_set(err, HULL_EINPUT, "%s: %s", path, strerror(errno));
	struct strbuf sb = STRBUF_INIT;
	/* a regular file is read into a buffer of its size (plus room to see EOF or growth);
	 * anything else in 64 KiB steps */
	struct stat st;
	size_t step = 65536;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size >= 0)
		step = (uint64_t)st.st_size < max ? (size_t)st.st_size + 64 : max + 1;
	int rc = read_fd(fd, path, max, step, &sb, err);
	if (rc) {
		strbuf_release(&sb);
		return rc;
	}
	if (len)
		*len = sb.len;
	*out = sb.buf ? strbuf_detach(&sb, NULL) : xstrdup("");
	return 0;
}

int hull_read_file_into(const char *path, size_t max, struct strbuf *sb, struct hull_err *err)
{
	strbuf_reset(sb);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_err_set(err, HULL_EINPUT, "%s: %s", path, strerror(errno));
	return read_fd(fd, path, max, 65536, sb, err);
}

int hull_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Devices, FIFOs and the like (-o /dev/null, -o /dev/stdout) are written in place:
 * renaming a file over them would replace the device node itself. */
static int write_in_place(const char *path, const void *data, size_t len, struct hull_err *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	int rc = hull_write_all(fd, data, len);
	int e = errno;
	if (close(fd) && !rc) {
		rc = -1;
		e = errno;
	}
	return rc ? hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(e)) : 0;
}

int hull_write_file_atomic(const char *path, const void *data, size_t len, struct hull_err *err)
{
	struct stat sb;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		if (S_ISDIR(sb.st_mode))
			return hull_err_set(err, HULL_EUSAGE, "%s: is a directory", path);
		return write_in_place(path, data, len, err);
	}
	_cleanup_free_ char *tmp = xasprintf("%s.hull-tmp-XXXXXX", path);
	int fd = mkstemp(tmp);
	if (fd < 0)
		return hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	int rc = hull_write_all(fd, data, len)
			 ? hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno))
			 : 0;
	return hull_tmpfile_commit(fd, tmp, path, rc, err);
}

int hull_tmpfile_commit(int fd, const char *tmp, const char *path, int rc, struct hull_err *err)
{
	if (!rc && (fchmod(fd, 0644) || fsync(fd)))
		rc = hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	if (close(fd) && !rc)
		rc = hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	if (!rc && rename(tmp, path))
		rc = hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	if (rc)
		unlink(tmp);
	return rc;
}

void hull_human_size(uint64_t n, char *buf, size_t bufsz)
{
	static const char *units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	double v = (double)n;
	size_t u = 0;
	while (v >= 1000.0 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, bufsz, "%llu B", (unsigned long long)n);
	else
		snprintf(buf, bufsz, "%.1f %s", v, units[u]);
}

char *hull_cache_root(int create)
{
	const char *x = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char *parent;
	if (x && *x == '/')
		parent = xstrdup(x);
	else if (home && *home)
		parent = xasprintf("%s/.cache", home);
	else
		return NULL;
	char *root = xasprintf("%s/hull", parent);
	if (create && mkdir(root, 0755) && errno == ENOENT && !mkdir(parent, 0755))
		(void)mkdir(root, 0755);
	free(parent);
	return root;
}

int hull_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}
