/* rootfs: a plain directory read as one layer, walked without following symlinks and
 * without leaving the tree (each directory is opened relative to its parent). */
#include "../util/strbuf.h"
#include "layer.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 256

struct walk {
	struct hull_layer *l;
	const struct hull_layer_opts *opts;
	struct hull_err *err;
	uint64_t count, max;
	uint64_t captured;
	void *scan_state;
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum hull_ftype ftype_of_mode(mode_t m)
{
	if (S_ISDIR(m))
		return HULL_FT_DIR;
	if (S_ISLNK(m))
		return HULL_FT_SYMLINK;
	if (S_ISCHR(m))
		return HULL_FT_CHAR;
	if (S_ISBLK(m))
		return HULL_FT_BLOCK;
	if (S_ISFIFO(m))
		return HULL_FT_FIFO;
	if (S_ISSOCK(m))
		return HULL_FT_SOCKET;
	return HULL_FT_FILE;
}

static int walk_dir(struct walk *w, int dfd, struct strbuf *path, int depth);

/* Reads a file's content for the scanner and/or the capture that want it. */
static int content_file(struct walk *w, int dfd, const char *name, struct hull_entry *e)
{
	const struct hull_capture *c = w->opts->capture;
	const struct hull_scan_hook *sh = w->opts->scan;
	bool keep = c && c->want(e->path, e->size, c->ctx);
	bool scan = sh && sh->want(e->path, e->size, sh->ctx);
	uint64_t max_file = keep ? (c->max_file ? c->max_file : HULL_DEFAULT_CAPTURE_FILE) : 0;
	uint64_t max_total = keep ? (c->max_total ? c->max_total : HULL_DEFAULT_CAPTURE_TOTAL) : 0;
	if (keep && (e->size > max_file || w->captured + e->size > max_total))
		keep = false;
	if (scan && e->size > (sh->max_file ? sh->max_file : HULL_DEFAULT_CAPTURE_FILE))
		scan = false;
	if (!keep && !scan) {
		if ((c && c->want(e->path, e->size, c->ctx)) ||
		    (sh && sh->want(e->path, e->size, sh->ctx)))
			hull_warn("%s%s (%llu bytes) not analysed: over the size limit",
				  w->opts->name, e->path, (unsigned long long)e->size);
		return 0;
	}
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hull_err_set(w->err, HULL_EIO, "%s%s: %s", w->opts->name, e->path,
				    strerror(errno));
	char *buf = xmalloc(e->size + 1);
	size_t got = 0;
	while (got < e->size) {
		ssize_t n = read(fd, buf + got, e->size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	if (scan)
		sh->scan(w->scan_state, e, buf, got);
	if (keep && c->keep && !c->keep(e->path, buf, got, c->ctx))
		keep = false;
	if (!keep) {
		free(buf);
		return 0;
	}
	w->captured += got;
	struct hull_layer *l = w->l;
	ALLOC_GROW(l->captured, l->ncaptured + 1, l->captured_cap);
	l->captured[l->ncaptured++] = (struct hull_captured){l->nentries - 1, buf, got};
	return 0;
}

static int visit(struct walk *w, int dfd, const char *name, struct strbuf *path, int depth)
{
	struct stat sb;
	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW))
		return hull_err_set(w->err, HULL_EIO, "%s%s: %s", w->opts->name, path->buf,
				    strerror(errno));
	if (++w->count > w->max)
		return hull_err_set(w->err, HULL_ELIMIT,
				    "%s: more than %llu entries (see --max-entries)", w->opts->name,
				    (unsigned long long)w->max);
	struct hull_layer *l = w->l;
	ALLOC_GROW(l->entries, l->nentries + 1, l->cap);
	struct hull_entry *e = &l->entries[l->nentries++];
	memset(e, 0, sizeof(*e));
	e->path = arena_strdup(&l->arena, path->buf);
	e->type = (uint8_t)ftype_of_mode(sb.st_mode);
	e->mode = sb.st_mode & 07777;
	e->uid = sb.st_uid;
	e->gid = sb.st_gid;
	if (e->type == HULL_FT_FILE) {
		e->size = (uint64_t)sb.st_size;
		l->uncompressed_size += e->size;
		int rc = content_file(w, dfd, name, e);
		if (rc)
			return rc;
		hull_progress_report(w->opts->progress, 1, e->size);
	}
	if (e->type == HULL_FT_SYMLINK) {
		char buf[4096];
		ssize_t n = readlinkat(dfd, name, buf, sizeof(buf) - 1);
		if (n < 0)
			return hull_err_set(w->err, HULL_EIO, "%s%s: %s", w->opts->name, path->buf,
					    strerror(errno));
		e->link = arena_strndup(&l->arena, buf, (size_t)n);
	}
	if (e->type != HULL_FT_DIR)
		return 0;
	if (depth >= MAX_DEPTH)
		return hull_err_set(w->err, HULL_ELIMIT, "%s%s: directories nested too deeply",
				    w->opts->name, path->buf);
	int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return hull_err_set(w->err, HULL_EIO, "%s%s: %s", w->opts->name, path->buf,
				    strerror(errno));
	return walk_dir(w, sub, path, depth + 1);
}

/* Walks the directory open on dfd (closes it); path holds its image path. */
static int walk_dir(struct walk *w, int dfd, struct strbuf *path, int depth)
{
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return hull_err_set(w->err, HULL_EIO, "%s: %s", w->opts->name, strerror(errno));
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ALLOC_GROW(names, n + 1, cap);
		names[n++] = xstrdup(de->d_name);
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	int rc = 0;
	size_t base = path->len;
	for (size_t i = 0; i < n; i++) {
		if (!rc) {
			if (base > 1 || path->buf[0] != '/')
				strbuf_addch(path, '/');
			strbuf_adds(path, names[i]);
			rc = visit(w, dirfd(d), names[i], path, depth);
			path->len = base;
			path->buf[base] = '\0';
		}
		free(names[i]);
	}
	free(names);
	closedir(d);
	return rc;
}

int hull_layer_read_dir(const char *dir, const struct hull_layer_opts *opts, struct hull_layer *out,
			struct hull_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hull_err_set(err, HULL_EINPUT, "%s: %s", dir, strerror(errno));
	struct walk w = {
		.l = out,
		.opts = opts,
		.err = err,
		.max = opts->max_entries ? opts->max_entries : HULL_DEFAULT_MAX_ENTRIES,
	};
	struct strbuf path = STRBUF_INIT;
	strbuf_addch(&path, '/');
	if (opts->scan)
		w.scan_state = opts->scan->begin(opts->scan->ctx, 0);
	int rc = walk_dir(&w, fd, &path, 0);
	if (opts->scan)
		opts->scan->end(opts->scan->ctx, w.scan_state);
	strbuf_release(&path);
	return rc;
}
