/* Reading one layer: libarchive parses the tar from our decompressing stream; each
 * entry becomes a hull_entry (whiteouts recognised); data is skipped, never written. */
#include "../util/path.h"
#include "../util/archive_lazy.h"
#include "../util/strbuf.h"
#include "stream.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

const char *hull_ftype_name(enum hull_ftype t)
{
	static const char *names[] = {"file",  "dir",  "symlink", "hardlink", "char",
				      "block", "fifo", "socket",  "whiteout", "opaque"};
	return t < ARRAY_SIZE(names) ? names[t] : "?";
}

static la_ssize_t la_read(struct archive *a, void *ctx, const void **buf)
{
	struct layer_stream *s = ctx;
	ssize_t n = stream_next(s, buf);
	if (n < 0) {
		archive_set_error(a, -1, "%s", s->err && s->err->msg ? s->err->msg : "read error");
		return -1;
	}
	return n;
}

static enum hull_ftype ftype_of(struct archive_entry *e)
{
	if (archive_entry_hardlink(e))
		return HULL_FT_HARDLINK;
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR:
		return HULL_FT_DIR;
	case AE_IFLNK:
		return HULL_FT_SYMLINK;
	case AE_IFCHR:
		return HULL_FT_CHAR;
	case AE_IFBLK:
		return HULL_FT_BLOCK;
	case AE_IFIFO:
		return HULL_FT_FIFO;
	case AE_IFSOCK:
		return HULL_FT_SOCKET;
	default:
		return HULL_FT_FILE;
	}
}

static const char *entry_name(struct archive_entry *e)
{
	const char *n = archive_entry_pathname(e);
	return n ? n : archive_entry_pathname_utf8(e);
}

/* Cleans name into an absolute path; a name climbing out of the root is an error. */
static int clean_name(const char *name, const char *what, const char *layer, char **out,
		      bool *warned_abs, struct hull_err *err)
{
	int flags;
	char *p = hull_path_clean(name, &flags);
	if (flags & HULL_PATH_ESCAPES) {
		free(p);
		return hull_err_set(err, HULL_EINPUT, "%s: %s \"%s\" escapes the image root", layer,
				    what, name);
	}
	if ((flags & HULL_PATH_ABSOLUTE) && !*warned_abs) {
		hull_warn("%s: absolute entry name \"%s\" read relative to the root", layer, name);
		*warned_abs = true;
	}
	*out = p;
	return 0;
}

static struct hull_entry *push_entry(struct hull_layer *l)
{
	ALLOC_GROW(l->entries, l->nentries + 1, l->cap);
	struct hull_entry *e = &l->entries[l->nentries++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* Turns ".wh." names into whiteout/opaque entries; returns 1 if handled, 0 if the entry
 * is ordinary, and skips other ".wh..wh." metadata (aufs) with 2. */
static int whiteout_of(const char *clean, struct hull_layer *l)
{
	const char *base = strrchr(clean, '/') + 1;
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)))
		return 0;
	size_t dirlen = (size_t)(base - clean) - 1;
	if (!strcmp(base, WH_OPAQUE)) {
		struct hull_entry *e = push_entry(l);
		e->type = HULL_FT_OPAQUE;
		e->path = dirlen ? arena_strndup(&l->arena, clean, dirlen) : "/";
		return 1;
	}
	if (!strncmp(base, ".wh..wh.", 8))
		return 2;
	struct strbuf sb = STRBUF_INIT;
	strbuf_add(&sb, clean, dirlen);
	strbuf_addch(&sb, '/');
	strbuf_adds(&sb, base + strlen(WH_PREFIX));
	struct hull_entry *e = push_entry(l);
	e->type = HULL_FT_WHITEOUT;
	e->path = arena_strdup(&l->arena, sb.buf);
	strbuf_release(&sb);
	return 1;
}

static bool over_limit(const char *layer, const struct hull_entry *e, uint64_t max)
{
	if (e->size <= max)
		return false;
	hull_warn("%s: %s (%llu bytes) not analysed: over the size limit", layer, e->path,
		  (unsigned long long)e->size);
	return true;
}

/* Reads the content of the entry just read for the scanner and/or the capture that
 * want it: one read serves both. */
static int content_entry(struct archive *a, struct hull_layer *l,
			 const struct hull_layer_opts *opts, void *scan_state, uint64_t *total,
			 struct hull_err *err)
{
	const struct hull_capture *c = opts->capture;
	const struct hull_scan_hook *sh = opts->scan;
	struct hull_entry *e = &l->entries[l->nentries - 1];
	if (e->type != HULL_FT_FILE)
		return 0;
	bool keep = c && c->want(e->path, e->size, c->ctx);
	bool scan = sh && sh->want(e->path, e->size, sh->ctx);
	if (keep) {
		uint64_t max_file = c->max_file ? c->max_file : HULL_DEFAULT_CAPTURE_FILE;
		uint64_t max_total = c->max_total ? c->max_total : HULL_DEFAULT_CAPTURE_TOTAL;
		keep = !over_limit(opts->name, e, max_file) &&
		       !over_limit(opts->name, e,
				   max_total - (*total < max_total ? *total : max_total));
	}
	if (scan)
		scan = !over_limit(opts->name, e,
				   sh->max_file ? sh->max_file : HULL_DEFAULT_CAPTURE_FILE);
	if (!keep && !scan)
		return 0;
	char *buf = xmalloc(e->size + 1);
	size_t got = 0;
	while (got < e->size) {
		la_ssize_t n = archive_read_data(a, buf + got, e->size - got);
		if (n < 0) {
			free(buf);
			return hull_err_set(err, HULL_EINPUT, "%s: %s: %s", opts->name, e->path,
					    archive_error_string(a));
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	if (scan)
		sh->scan(scan_state, e, buf, got);
	if (keep && c->keep && !c->keep(e->path, buf, got, c->ctx))
		keep = false;
	if (!keep) {
		free(buf);
		return 0;
	}
	*total += got;
	ALLOC_GROW(l->captured, l->ncaptured + 1, l->captured_cap);
	l->captured[l->ncaptured++] = (struct hull_captured){l->nentries - 1, buf, got};
	return 0;
}

static int read_entries(struct archive *a, struct hull_layer *l, const struct hull_layer_opts *opts,
			void *scan_state, struct hull_err *err)
{
	bool warned_abs = false;
	uint64_t captured = 0;
	uint64_t max_entries = opts->max_entries ? opts->max_entries : HULL_DEFAULT_MAX_ENTRIES;
	for (;;) {
		struct archive_entry *ae;
		int r = archive_read_next_header(a, &ae);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return hull_err_set(err, HULL_EINPUT, "%s: %s", opts->name,
					    archive_error_string(a) ? archive_error_string(a)
								    : "corrupt tar data");
		uint64_t total =
			opts->nentries ? atomic_fetch_add(opts->nentries, 1) + 1 : l->nentries + 1;
		if (total > max_entries)
			return hull_err_set(err, HULL_ELIMIT,
					    "%s: more than %llu entries in the image (the entry "
					    "limit; see --max-entries)",
					    opts->name, (unsigned long long)max_entries);
		const char *name = entry_name(ae);
		if (!name)
			return hull_err_set(err, HULL_EINPUT, "%s: entry with no name", opts->name);
		char *clean = NULL;
		int rc = clean_name(name, "entry", opts->name, &clean, &warned_abs, err);
		if (rc)
			return rc;
		if (!strcmp(clean, "/")) {
			free(clean);
			continue; /* "./": the root itself */
		}
		int wh = whiteout_of(clean, l);
		if (wh) {
			free(clean);
			continue;
		}
		struct hull_entry *e = push_entry(l);
		e->path = arena_strdup(&l->arena, clean);
		free(clean);
		e->type = (uint8_t)ftype_of(ae);
		e->mode = (uint32_t)archive_entry_perm(ae) & 07777;
		e->uid = (uint32_t)archive_entry_uid(ae);
		e->gid = (uint32_t)archive_entry_gid(ae);
		if (e->type == HULL_FT_FILE)
			e->size = (uint64_t)archive_entry_size(ae);
		if (e->type == HULL_FT_HARDLINK) {
			rc = clean_name(archive_entry_hardlink(ae), "hardlink target", opts->name,
					&clean, &warned_abs, err);
			if (rc)
				return rc;
			e->link = arena_strdup(&l->arena, clean);
			free(clean);
		} else if (e->type == HULL_FT_SYMLINK) {
			const char *t = archive_entry_symlink(ae);
			if (!t)
				t = archive_entry_symlink_utf8(ae);
			e->link = arena_strdup(&l->arena, t ? t : "");
		}
		rc = content_entry(a, l, opts, scan_state, &captured, err);
		if (rc)
			return rc;
	}
}

int hull_layer_read(struct hull_reader *rd, const struct hull_layer_opts *opts,
		    struct hull_layer *l, struct hull_err *err)
{
	struct layer_stream s;
	uint64_t max = opts->max_size ? opts->max_size : HULL_DEFAULT_MAX_LAYER_SIZE;
	int rc = hull_archive_load(err);
	if (rc)
		return rc;
	rc = stream_init(&s, rd, max, opts->pipeline, opts->name, err);
	if (rc) {
		stream_free(&s);
		return rc;
	}
	l->compression = s.comp;
	s.progress = opts->progress;
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open(a, &s, NULL, la_read, NULL) != ARCHIVE_OK) {
		rc = err && err->msg ? err->code
				     : hull_err_set(err, HULL_EINPUT, "%s: not a tar stream: %s",
						    opts->name, archive_error_string(a));
		goto out;
	}
	void *scan_state = opts->scan ? opts->scan->begin(opts->scan->ctx, opts->layer) : NULL;
	rc = read_entries(a, l, opts, scan_state, err);
	if (opts->scan)
		opts->scan->end(opts->scan->ctx, scan_state);
	if (rc && err && err->msg)
		rc = err->code; /* the stream's own error (e.g. the size cap) wins */
	if (!rc)
		rc = stream_drain(&s);
	if (!rc) {
		stream_finish(&s, l->digest, l->diff_id);
		l->size = s.csize;
		l->uncompressed_size = s.usize;
	}
out:
	archive_read_free(a);
	stream_free(&s);
	return rc;
}

void hull_layer_release(struct hull_layer *l)
{
	for (size_t i = 0; i < l->ncaptured; i++)
		free(l->captured[i].data);
	free(l->captured);
	free(l->entries);
	arena_free(&l->arena);
	memset(l, 0, sizeof(*l));
}
