/* Blob stores over an OCI layout directory or an uncompressed outer tar. The tar is
 * indexed once with libarchive (name -> data offset), then members are read with
 * pread, so layers can be decoded in parallel from one file descriptor. */
#include "store.h"
#include "../util/archive_lazy.h"
#include "../util/arena.h"
#include "../util/path.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_OUTER_ENTRIES 1000000
#define MAX_LINK_HOPS	  40

enum member_type { M_FILE, M_DIR, M_SYMLINK, M_HARDLINK, M_OTHER };

struct member {
	const char *name; /* cleaned, relative: "blobs/sha256/ab…" */
	const char *link; /* symlink target (raw) or hardlink target (cleaned) */
	uint64_t off, size;
	enum member_type type;
};

struct hull_store {
	bool is_tar;
	int fd; /* directory or archive */
	char *path;
	struct strmap members; /* tar only */
	struct arena arena;
	int *fds; /* blob files opened from a directory store */
	size_t nfds, fds_cap;
};

static int store_new(const char *path, bool is_tar, int fd, struct hull_store **out)
{
	struct hull_store *st = xcalloc(1, sizeof(*st));
	st->is_tar = is_tar;
	st->fd = fd;
	st->path = xstrdup(path);
	*out = st;
	return 0;
}

int hull_store_open_dir(const char *path, struct hull_store **out, struct hull_err *err)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_err_set(err, HULL_EINPUT, "%s: %s", path, strerror(errno));
	return store_new(path, false, fd, out);
}

/* Cleans an archive member name into the relative key form; NULL if it escapes. */
static char *clean_rel(const char *name)
{
	int flags;
	char *p = hull_path_clean(name, &flags);
	if (flags & HULL_PATH_ESCAPES) {
		free(p);
		return NULL;
	}
	memmove(p, p + 1, strlen(p)); /* drop the leading '/' */
	return p;
}

static int compressed_magic(const unsigned char *b, size_t n, const char **what)
{
	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		*what = "gzip";
	else if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
		*what = "zstd";
	else if (n >= 3 && !memcmp(b, "BZh", 3))
		*what = "bzip2";
	else if (n >= 6 && !memcmp(b,
				   "\xfd"
				   "7zXZ\0",
				   6))
		*what = "xz";
	else
		return 0;
	return 1;
}

static int index_entry(struct hull_store *st, struct archive *a, struct archive_entry *e,
		       struct hull_err *err)
{
	const char *name = archive_entry_pathname(e);
	if (!name)
		name = archive_entry_pathname_utf8(e);
	if (!name)
		return 0;
	_cleanup_free_ char *key = clean_rel(name);
	if (!key || !*key)
		return 0; /* never referenced: a reference can't climb out either */
	struct member *m = arena_alloc(&st->arena, sizeof(*m));
	memset(m, 0, sizeof(*m));
	m->name = arena_strdup(&st->arena, key);
	const char *hl = archive_entry_hardlink(e);
	mode_t ft = archive_entry_filetype(e);
	if (hl) {
		_cleanup_free_ char *t = clean_rel(hl);
		m->type = M_HARDLINK;
		m->link = t ? arena_strdup(&st->arena, t) : NULL;
	} else if (ft == AE_IFREG) {
		if (archive_entry_sparse_count(e) > 0)
			return hull_err_set(err, HULL_EINPUT, "%s: member %s is a sparse file",
					    st->path, m->name);
		m->type = M_FILE;
		m->off = (uint64_t)archive_filter_bytes(a, 0);
		m->size = (uint64_t)archive_entry_size(e);
	} else if (ft == AE_IFDIR) {
		m->type = M_DIR;
	} else if (ft == AE_IFLNK) {
		m->type = M_SYMLINK;
		const char *t = archive_entry_symlink(e);
		m->link = arena_strdup(&st->arena, t ? t : "");
	} else {
		m->type = M_OTHER;
	}
	strmap_put(&st->members, m->name, m);
	return 0;
}

int hull_store_open_tar(const char *path, struct hull_store **out, struct hull_err *err)
{
	int lrc = hull_archive_load(err);
	if (lrc)
		return lrc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_err_set(err, HULL_EINPUT, "%s: %s", path, strerror(errno));
	struct stat sb;
	unsigned char magic[8] = {0};
	ssize_t n = pread(fd, magic, sizeof(magic), 0);
	const char *comp;
	if (fstat(fd, &sb) || n < 0) {
		close(fd);
		return hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	}
	if (compressed_magic(magic, (size_t)n, &comp)) {
		close(fd);
		return hull_err_set(err, HULL_EINPUT,
				    "%s: the archive is %s-compressed; image archives must be "
				    "uncompressed tar (decompress it first)",
				    path, comp);
	}
	struct hull_store *st;
	store_new(path, true, fd, &st);
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	int rc = 0;
	if (archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK) {
		rc = hull_err_set(err, HULL_EINPUT, "%s: not a tar archive: %s", path,
				  archive_error_string(a));
		goto out;
	}
	size_t count = 0;
	for (;;) {
		struct archive_entry *e;
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			rc = hull_err_set(err, HULL_EINPUT, "%s: %s", path,
					  count ? archive_error_string(a)
						: "not a tar archive (or an empty one)");
			goto out;
		}
		if (++count > MAX_OUTER_ENTRIES) {
			rc = hull_err_set(err, HULL_ELIMIT, "%s: more than %d members", path,
					  MAX_OUTER_ENTRIES);
			goto out;
		}
		rc = index_entry(st, a, e, err);
		if (rc)
			goto out;
		if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0 &&
		    (uint64_t)archive_entry_size(e) > (uint64_t)sb.st_size) {
			rc = hull_err_set(err, HULL_EINPUT, "%s: truncated archive", path);
			goto out;
		}
		r = archive_read_data_skip(a);
		if (r < ARCHIVE_WARN) {
			rc = hull_err_set(err, HULL_EINPUT, "%s: %s", path,
					  archive_error_string(a));
			goto out;
		}
	}
	/* A member's data must lie inside the file: catches truncation at the end. */
	for (size_t i = 0; i < st->members.cap; i++) {
		struct member *m = st->members.slots[i].value;
		if (m && m->type == M_FILE && m->off + m->size > (uint64_t)sb.st_size) {
			rc = hull_err_set(err, HULL_EINPUT, "%s: truncated archive (member %s)",
					  path, m->name);
			goto out;
		}
	}
out:
	archive_read_free(a);
	if (rc) {
		hull_store_free(st);
		return rc;
	}
	*out = st;
	return 0;
}

void hull_store_free(struct hull_store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nfds; i++)
		close(st->fds[i]);
	free(st->fds);
	if (st->fd >= 0)
		close(st->fd);
	strmap_free(&st->members);
	arena_free(&st->arena);
	free(st->path);
	free(st);
}

/* Follows symlinks and hardlinks inside the archive to a regular member. */
static int tar_lookup(struct hull_store *st, const char *relpath, struct hull_blob *out,
		      struct hull_err *err)
{
	_cleanup_free_ char *cur = clean_rel(relpath);
	if (!cur)
		return hull_err_set(err, HULL_EINPUT, "%s: reference %s leaves the archive",
				    st->path, relpath);
	for (int hop = 0; hop < MAX_LINK_HOPS; hop++) {
		struct member *m = strmap_get(&st->members, cur);
		if (!m)
			return hull_err_set(err, HULL_ENOTFOUND, "%s: %s is missing", st->path,
					    relpath);
		if (m->type == M_FILE) {
			out->fd = st->fd;
			out->off = m->off;
			out->size = m->size;
			return 0;
		}
		char *next = NULL;
		if (m->type == M_HARDLINK && m->link) {
			next = xstrdup(m->link);
		} else if (m->type == M_SYMLINK) {
			/* Relative to the link's directory; absolute means the archive root. */
			struct strbuf sb = STRBUF_INIT;
			if (m->link[0] != '/') {
				const char *slash = strrchr(m->name, '/');
				if (slash)
					strbuf_add(&sb, m->name, (size_t)(slash - m->name + 1));
			}
			strbuf_adds(&sb, m->link);
			next = clean_rel(sb.buf);
			strbuf_release(&sb);
			if (!next)
				return hull_err_set(err, HULL_EINPUT,
						    "%s: symlink %s points out of the archive",
						    st->path, m->name);
		} else {
			return hull_err_set(err, HULL_EINPUT, "%s: %s is not a regular file",
					    st->path, relpath);
		}
		free(cur);
		cur = next;
	}
	return hull_err_set(err, HULL_EINPUT, "%s: too many levels of links resolving %s", st->path,
			    relpath);
}

static bool rel_ok(const char *relpath)
{
	if (!*relpath || relpath[0] == '/')
		return false;
	for (const char *p = relpath; (p = strstr(p, "..")); p += 2) {
		bool start = p == relpath || p[-1] == '/';
		bool end = p[2] == '\0' || p[2] == '/';
		if (start && end)
			return false;
	}
	return true;
}

/* Opens a file beneath the layout directory: openat2 with RESOLVE_BENEATH so that
 * symlinks cannot lead outside it. */
static int open_beneath(int dirfd, const char *relpath)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, dirfd, relpath, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(dirfd, relpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return (int)fd;
}

static int dir_lookup(struct hull_store *st, const char *relpath, struct hull_blob *out,
		      struct hull_err *err)
{
	if (!rel_ok(relpath))
		return hull_err_set(err, HULL_EINPUT, "%s: reference %s leaves the layout",
				    st->path, relpath);
	int fd = open_beneath(st->fd, relpath);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			return hull_err_set(err, HULL_ENOTFOUND, "%s: %s is missing", st->path,
					    relpath);
		return hull_err_set(err, HULL_EINPUT, "%s: %s: %s", st->path, relpath,
				    e == EXDEV ? "leaves the layout" : strerror(e));
	}
	struct stat sb;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return hull_err_set(err, HULL_EINPUT, "%s: %s is not a regular file", st->path,
				    relpath);
	}
	ALLOC_GROW(st->fds, st->nfds + 1, st->fds_cap);
	st->fds[st->nfds++] = fd;
	out->fd = fd;
	out->off = 0;
	out->size = (uint64_t)sb.st_size;
	return 0;
}

int hull_store_lookup(struct hull_store *st, const char *relpath, struct hull_blob *out,
		      struct hull_err *err)
{
	return st->is_tar ? tar_lookup(st, relpath, out, err) : dir_lookup(st, relpath, out, err);
}

bool hull_store_exists(struct hull_store *st, const char *relpath)
{
	if (st->is_tar) {
		_cleanup_free_ char *key = clean_rel(relpath);
		return key && strmap_get(&st->members, key);
	}
	struct stat sb;
	return rel_ok(relpath) && fstatat(st->fd, relpath, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

int hull_blob_read_all(const struct hull_blob *b, size_t max, const char *name, char **data,
		       size_t *len, struct hull_err *err)
{
	if (b->size > max)
		return hull_err_set(err, HULL_ELIMIT, "%s: larger than %zu bytes", name, max);
	char *buf = xmalloc(b->size + 1);
	uint64_t done = 0;
	while (done < b->size) {
		ssize_t n = pread(b->fd, buf + done, b->size - done, (off_t)(b->off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			return hull_err_set(err, n ? HULL_EIO : HULL_EINPUT, "%s: %s", name,
					    n ? strerror(errno) : "truncated");
		}
		done += (uint64_t)n;
	}
	buf[b->size] = '\0';
	*data = buf;
	*len = b->size;
	return 0;
}

int hull_store_read(struct hull_store *st, const char *relpath, size_t max, char **data,
		    size_t *len, struct hull_err *err)
{
	struct hull_blob b;
	int rc = hull_store_lookup(st, relpath, &b, err);
	if (rc)
		return rc;
	return hull_blob_read_all(&b, max, relpath, data, len, err);
}

char *hull_blob_path(const char *digest)
{
	if (!hull_digest_valid(digest))
		return NULL;
	return xasprintf("blobs/sha256/%s", digest + 7);
}

int hull_store_read_digest(struct hull_store *st, const char *digest, long long size, size_t max,
			   char **data, size_t *len, struct hull_err *err)
{
	_cleanup_free_ char *rel = hull_blob_path(digest);
	if (!rel)
		return hull_err_set(err, HULL_EINPUT, "%s: unsupported or invalid digest \"%s\"",
				    st->path, digest);
	char *buf;
	size_t n;
	int rc = hull_store_read(st, rel, max, &buf, &n, err);
	if (rc)
		return rc;
	if (size >= 0 && (size_t)size != n) {
		free(buf);
		return hull_err_set(err, HULL_EINPUT,
				    "%s: blob %s is %zu bytes, descriptor says %lld", st->path,
				    digest, n, size);
	}
	char got[HULL_DIGEST_LEN + 1];
	hull_sha256_buf(buf, n, got);
	if (strcmp(got, digest)) {
		free(buf);
		return hull_err_set(err, HULL_EINPUT, "%s: blob %s has digest %s (corrupt)",
				    st->path, digest, got);
	}
	*data = buf;
	*len = n;
	return 0;
}
