/* hull db import: OSV inputs read and parsed by a pool of threads while this thread stores
 * the records, in input order, with prepared statements in one transaction into a temporary
 * SQLite file, which then replaces the database. */
#include "import.h"
#include "../util/archive_lazy.h"

#include "../source/write.h"
#include "../util/arena.h"
#include "../util/pool.h"
#include "../util/progress.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "db.h"
#include "osv.h"
#include "version.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Zip members are read into memory in batches of this many bytes or items; files are read
 * by the parsers themselves. */
#define BATCH_ITEMS 4096
#define BATCH_BYTES (64u << 20)
/* How far the parsers may run ahead of the writer (records held in memory). */
#define AHEAD_ITEMS 256
#define AHEAD_BYTES (64u << 20)
#define TMP_MARK    ".hull-tmp-"

static const char schema_sql[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE sources(id INTEGER PRIMARY KEY, location TEXT NOT NULL,"
	" kind TEXT NOT NULL, imported_at TEXT NOT NULL, advisories INTEGER NOT NULL,"
	" skipped INTEGER NOT NULL, warnings INTEGER NOT NULL, etag TEXT, last_modified TEXT);"
	"CREATE TABLE advisories(id TEXT PRIMARY KEY, source_id INTEGER NOT NULL,"
	" modified TEXT, published TEXT, withdrawn TEXT, summary TEXT, details TEXT,"
	" severity TEXT NOT NULL, cvss_vector TEXT, cvss_score REAL, cvss3_vector TEXT,"
	" cvss3_score REAL, cvss4_vector TEXT, cvss4_score REAL, urls TEXT);"
	"CREATE TABLE aliases(advisory TEXT NOT NULL, alias TEXT NOT NULL,"
	" PRIMARY KEY(advisory, alias));"
	"CREATE TABLE affected(id INTEGER PRIMARY KEY, advisory TEXT NOT NULL,"
	" ecosystem TEXT NOT NULL, name TEXT NOT NULL, purl TEXT, ranges TEXT NOT NULL,"
	" versions TEXT, severity TEXT);";

/* These indexes are built once at the end: sorting is cheaper than maintaining them row by
 * row. affected_advisory is made first: its keys mostly arrive in order (so it costs
 * little on the writer, which runs beside the parsers), and with --append it serves the
 * deletion of replaced advisories. */
static const char index_sql[] = "CREATE INDEX aliases_alias ON aliases(alias);"
				"CREATE INDEX affected_pkg ON affected(ecosystem, name);";
static const char advisory_index_sql[] = "CREATE INDEX affected_advisory ON affected(advisory);";

enum {
	ST_INS_ADV,
	ST_INS_ALIAS,
	ST_INS_AFF,
	ST_GET_MOD,
	ST_DEL_ADV,
	ST_DEL_ALIAS,
	ST_DEL_AFF,
	ST_DEL_AFF_ROWS,
	NST
};
static const char *const stmt_sql[NST] = {
	[ST_INS_ADV] = "INSERT INTO advisories VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
		       "?14,?15)",
	[ST_INS_ALIAS] = "INSERT OR IGNORE INTO aliases VALUES(?1,?2)",
	[ST_INS_AFF] = "INSERT INTO affected(advisory,ecosystem,name,purl,ranges,versions,"
		       "severity) VALUES(?1,?2,?3,?4,?5,?6,?7)",
	[ST_GET_MOD] = "SELECT modified FROM advisories WHERE id = ?1",
	[ST_DEL_ADV] = "DELETE FROM advisories WHERE id = ?1",
	[ST_DEL_ALIAS] = "DELETE FROM aliases WHERE advisory = ?1",
	[ST_DEL_AFF] = "DELETE FROM affected WHERE advisory = ?1",
	[ST_DEL_AFF_ROWS] = "DELETE FROM affected WHERE id BETWEEN ?1 AND ?2",
};

/* One document to parse: a file on disk or a zip member read into memory. */
struct item {
	char *name; /* for messages: the path, or "ZIP:MEMBER" */
	char *path; /* NULL when data holds the document */
	char *data; /* the document (JSON records point into it), NUL-terminated */
	size_t len;
	enum hull_osv_format fmt;
	/* results */
	bool parsed;
	struct hull_osv rec;
	int rc;
	char *errmsg;
	struct note {
		enum hull_osv_note kind;
		char *msg;
	} * notes;
	size_t nnotes, notes_cap;
};

struct importer {
	const struct hull_vulndb_import_opts *o;
	struct hull_vulndb_stats *st;
	sqlite3 *db;
	sqlite3_stmt *stmt[NST];
	char *now;
	size_t shown[HULL_OSV_NOTE_COUNT + 1]; /* last slot: malformed records */
	/* the current source */
	long long source_id;
	size_t src_adv, src_skipped, src_warn;
	/* the pending batch */
	struct item *items;
	size_t nitems, items_cap, batch_bytes;
	unsigned workers;
	/* Without --append: the advisories stored so far (id -> struct seen), so duplicates
	 * are found without asking the database. */
	struct strmap seen;
	struct arena seen_arena;
	struct hull_progress *prog; /* o->progress: the line on stderr */
	size_t prog_items;	    /* advisories already counted on it */
	uint64_t prog_bytes, done_bytes;
};

struct seen {
	const char *modified;
	sqlite3_int64 aff_first, aff_last; /* its rows in affected (first > last: none) */
};

/* ---- database helpers ---- */

static int sql_fail(struct importer *im, const char *what, struct hull_err *err)
{
	return hull_err_set(err, HULL_EIO, "%s: %s: %s", im->o->db_path, what,
			    sqlite3_errmsg(im->db));
}

static int exec(struct importer *im, const char *sql, struct hull_err *err)
{
	if (sqlite3_exec(im->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(im, "writing the database failed", err);
	return 0;
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/* Every parameter is bound before each step, so bindings need no clearing. */
static int step_done(struct importer *im, sqlite3_stmt *s, struct hull_err *err)
{
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return sql_fail(im, "writing the database failed", err);
	return 0;
}

static char *utc_now(void)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[32];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

/* ---- notes and warnings ---- */

static const char *const note_what[HULL_OSV_NOTE_COUNT + 1] = {
	[HULL_OSV_NOTE_GIT_RANGE] = "GIT ranges dropped",
	[HULL_OSV_NOTE_BAD_VERSION] = "versions the ecosystem's comparator rejects",
	[HULL_OSV_NOTE_UNKNOWN_ECOSYSTEM] = "affected packages of ecosystems without a comparator",
	[HULL_OSV_NOTE_BAD_CVSS] = "invalid CVSS vectors ignored",
	[HULL_OSV_NOTE_NO_PACKAGE] = "affected entries without a package dropped",
	[HULL_OSV_NOTE_COUNT] = "malformed records skipped",
};

/* Prints the first max_notes messages of each kind (GIT ranges are only counted). */
static void show(struct importer *im, int kind, const char *msg)
{
	size_t max = im->o->max_notes ? im->o->max_notes : 10;
	if (kind == HULL_OSV_NOTE_GIT_RANGE || im->shown[kind]++ >= max)
		return;
	hull_progress_clear(im->prog);
	hull_warn("%s", msg);
}

static void count_note(struct importer *im, enum hull_osv_note kind)
{
	struct hull_vulndb_stats *st = im->st;
	switch (kind) {
	case HULL_OSV_NOTE_GIT_RANGE:
		st->git_ranges++;
		break;
	case HULL_OSV_NOTE_BAD_VERSION:
		st->bad_versions++;
		st->warnings++;
		im->src_warn++;
		break;
	case HULL_OSV_NOTE_UNKNOWN_ECOSYSTEM:
		st->unknown_ecosystems++;
		break;
	case HULL_OSV_NOTE_BAD_CVSS:
		st->bad_cvss++;
		st->warnings++;
		im->src_warn++;
		break;
	case HULL_OSV_NOTE_NO_PACKAGE:
		st->no_package++;
		break;
	case HULL_OSV_NOTE_COUNT:
		break;
	}
}

/* ---- storing one record ---- */

static void bind_score(sqlite3_stmt *s, int i, const char *vector, double score)
{
	if (vector)
		sqlite3_bind_double(s, i, score);
	else
		sqlite3_bind_null(s, i);
}

static int delete_rows(struct importer *im, const char *id, const struct seen *old,
		       struct hull_err *err)
{
	int rc = 0;
	for (int k = ST_DEL_ADV; !rc && k <= ST_DEL_ALIAS; k++) {
		sqlite3_bind_text(im->stmt[k], 1, id, -1, SQLITE_STATIC);
		rc = step_done(im, im->stmt[k], err);
	}
	if (rc)
		return rc;
	sqlite3_stmt *s = im->stmt[old ? ST_DEL_AFF_ROWS : ST_DEL_AFF];
	if (old) {
		sqlite3_bind_int64(s, 1, old->aff_first);
		sqlite3_bind_int64(s, 2, old->aff_last);
	} else {
		sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
	}
	return step_done(im, s, err);
}

/* Whether rec should replace a stored advisory with the same id: the later "modified"
 * wins, and on a tie the later input. Returns 1 to store, 0 to skip, <0 on error. Without
 * --append every stored id is in im->seen, with its affected rows; with it, the database
 * (which then has an index on affected.advisory) is asked. */
static int resolve_duplicate(struct importer *im, const struct hull_osv *rec, struct seen **seen,
			     struct hull_err *err)
{
	const char *old;
	*seen = NULL;
	if (!im->o->append) {
		*seen = strmap_get(&im->seen, rec->id);
		if (!*seen)
			return 1;
		old = (*seen)->modified;
	} else {
		sqlite3_stmt *s = im->stmt[ST_GET_MOD];
		sqlite3_bind_text(s, 1, rec->id, -1, SQLITE_STATIC);
		int rc = sqlite3_step(s);
		if (rc == SQLITE_DONE) {
			sqlite3_reset(s);
			return 1;
		}
		if (rc != SQLITE_ROW) {
			sqlite3_reset(s);
			return sql_fail(im, "reading the database failed", err);
		}
		old = (const char *)sqlite3_column_text(s, 0);
		old = old ? arena_strdup(&im->seen_arena, old) : NULL;
		sqlite3_reset(s);
	}
	bool newer = !old || !rec->modified || strcmp(rec->modified, old) >= 0;
	im->st->duplicates++;
	if (!newer)
		return 0;
	int rc = delete_rows(im, rec->id, *seen, err);
	if (rc)
		return rc;
	im->st->advisories--;
	return 1;
}

static int store_affected(struct importer *im, const struct hull_osv *rec, struct seen *seen,
			  struct hull_err *err)
{
	sqlite3_stmt *s = im->stmt[ST_INS_AFF];
	seen->aff_first = 1;
	seen->aff_last = 0;
	for (size_t i = 0; i < rec->naffected; i++) {
		const struct hull_osv_affected *a = &rec->affected[i];
		bind_text(s, 1, rec->id);
		bind_text(s, 2, a->ecosystem);
		bind_text(s, 3, a->key);
		bind_text(s, 4, a->purl);
		bind_text(s, 5, a->ranges);
		bind_text(s, 6, a->versions);
		bind_text(s, 7, a->severity);
		int rc = step_done(im, s, err);
		if (rc)
			return rc;
		seen->aff_last = sqlite3_last_insert_rowid(im->db);
		if (!i)
			seen->aff_first = seen->aff_last;
	}
	im->st->affected += rec->naffected;
	return 0;
}

/* Remembers a stored advisory (without --append). */
static void remember(struct importer *im, const struct hull_osv *rec, struct seen *seen,
		     const struct seen *now)
{
	if (im->o->append)
		return;
	if (!seen) {
		seen = arena_alloc(&im->seen_arena, sizeof(*seen));
		strmap_put(&im->seen, arena_strdup(&im->seen_arena, rec->id), seen);
	}
	*seen = *now;
	seen->modified = rec->modified ? arena_strdup(&im->seen_arena, rec->modified) : NULL;
}

static int store(struct importer *im, const struct hull_osv *rec, struct hull_err *err)
{
	struct seen *seen, now = {0};
	int rc = resolve_duplicate(im, rec, &seen, err);
	if (rc <= 0)
		return rc;
	sqlite3_stmt *s = im->stmt[ST_INS_ADV];
	bind_text(s, 1, rec->id);
	sqlite3_bind_int64(s, 2, im->source_id);
	bind_text(s, 3, rec->modified);
	bind_text(s, 4, rec->published);
	bind_text(s, 5, rec->withdrawn);
	bind_text(s, 6, rec->summary);
	bind_text(s, 7, rec->details);
	bind_text(s, 8, rec->severity);
	bind_text(s, 9, rec->cvss_vector);
	bind_score(s, 10, rec->cvss_vector, rec->cvss_score);
	bind_text(s, 11, rec->cvss3_vector);
	bind_score(s, 12, rec->cvss3_vector, rec->cvss3_score);
	bind_text(s, 13, rec->cvss4_vector);
	bind_score(s, 14, rec->cvss4_vector, rec->cvss4_score);
	bind_text(s, 15, rec->urls);
	if ((rc = step_done(im, s, err)))
		return rc;
	for (size_t i = 0; i < rec->naliases; i++) {
		bind_text(im->stmt[ST_INS_ALIAS], 1, rec->id);
		bind_text(im->stmt[ST_INS_ALIAS], 2, rec->aliases[i]);
		if ((rc = step_done(im, im->stmt[ST_INS_ALIAS], err)))
			return rc;
		im->st->aliases += (size_t)sqlite3_changes(im->db);
	}
	if ((rc = store_affected(im, rec, &now, err)))
		return rc;
	remember(im, rec, seen, &now);
	im->st->advisories++;
	im->src_adv++;
	return 0;
}

/* ---- parsing ---- */

/* Reads a whole file into a new buffer with a '\0' after it (HULL_EINPUT when it cannot
 * be opened, HULL_ELIMIT when larger than max, HULL_EIO on a read error). */
static int read_doc(const char *path, size_t max, char **out, size_t *len, struct hull_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hull_err_set(err, HULL_EINPUT, "%s: %s", path, strerror(errno));
	struct stat sb;
	/* Room for the file, a byte to see EOF without growing, and the '\0'. */
	bool sized = !fstat(fd, &sb) && sb.st_size > 0 && (uint64_t)sb.st_size <= max;
	size_t cap = sized ? (size_t)sb.st_size + 2 : 4096;
	char *buf = xmalloc(cap);
	size_t n = 0;
	int rc = 0;
	for (;;) {
		if (n > max) {
			rc = hull_err_set(err, HULL_ELIMIT, "%s: larger than %zu bytes", path, max);
			break;
		}
		if (cap - n < 2) {
			cap = cap * 2 < max + 2 ? cap * 2 : max + 2;
			buf = xrealloc(buf, cap);
		}
		size_t want = cap - n - 1;
		ssize_t r = read(fd, buf + n, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		/* A short read that reaches the size fstat gave is the end: no read to see 0. */
		if (sized && (size_t)r < want && n == (size_t)sb.st_size)
			break;
	}
	close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static void on_note(enum hull_osv_note kind, const char *msg, void *ctx)
{
	struct item *it = ctx;
	ALLOC_GROW(it->notes, it->nnotes + 1, it->notes_cap);
	it->notes[it->nnotes].kind = kind;
	it->notes[it->nnotes++].msg = xstrdup(msg);
}

/* Reads (when a file) and parses one item; runs on a parser thread (cache is its own). */
static void parse_item(struct item *it, struct hull_osv_cache *cache)
{
	struct hull_err e = {0};
	if (it->path) {
		it->rc = read_doc(it->path, HULL_OSV_MAX_DOC, &it->data, &it->len, &e);
		if (it->rc == HULL_ELIMIT) {
			hull_err_clear(&e);
			hull_err_set(&e, HULL_EINPUT,
				     "%s: malformed OSV record: larger than %u bytes", it->name,
				     HULL_OSV_MAX_DOC);
		}
	}
	if (!it->rc)
		it->rc = hull_osv_parse_inplace(it->data, it->len, it->fmt, it->name, &it->rec,
						on_note, it, cache, &e);
	if (it->rc)
		it->errmsg = e.msg ? xstrdup(e.msg) : xasprintf("%s: cannot be parsed", it->name);
	hull_err_clear(&e);
	/* A JSON record points into its document; a YAML one does not. */
	if (it->rc || it->fmt == HULL_OSV_YAML) {
		free(it->data);
		it->data = NULL;
	}
}

static void item_free(struct item *it)
{
	free(it->name);
	free(it->path);
	free(it->data);
	free(it->errmsg);
	for (size_t i = 0; i < it->nnotes; i++)
		free(it->notes[i].msg);
	free(it->notes);
	hull_osv_free(&it->rec);
}

static void progress(struct importer *im)
{
	hull_progress_add(im->prog, im->st->advisories - im->prog_items,
			  im->done_bytes - im->prog_bytes);
	im->prog_items = im->st->advisories;
	im->prog_bytes = im->done_bytes;
}

/* Counts and shows the item's notes, then stores its record or counts it as skipped. */
static int consume(struct importer *im, struct item *it, struct hull_err *err)
{
	for (size_t k = 0; k < it->nnotes; k++) {
		count_note(im, it->notes[k].kind);
		show(im, (int)it->notes[k].kind, it->notes[k].msg);
	}
	if (it->rc == HULL_EIO)
		return hull_err_set(err, HULL_EIO, "%s", it->errmsg);
	if (it->rc) {
		im->st->skipped++;
		im->st->warnings++;
		im->src_skipped++;
		im->src_warn++;
		show(im, HULL_OSV_NOTE_COUNT, it->errmsg);
		return 0;
	}
	return store(im, &it->rec, err);
}

/* ---- the pipeline: parser threads ahead, the writer (this thread) in input order ---- */

struct pipe {
	struct importer *im;
	pthread_mutex_t mu;
	pthread_cond_t ready; /* an item was parsed */
	pthread_cond_t room;  /* the writer is done with items, or stop */
	size_t next;	      /* the first item no thread has taken */
	size_t written;	      /* items the writer is done with */
	size_t freed;	      /* items freed (by the parsers, off the writer's path) */
	size_t ahead;	      /* bytes of parsed items not yet written */
	size_t awaited;	      /* the item the writer sleeps on, or SIZE_MAX */
	unsigned sleepers;    /* parsers waiting for room */
	bool stop;
};

/* Whether the next item may be taken; with slack, whether it is worth waking sleeping
 * parsers (so that they wake once per many items, not for each). */
static bool may_take(struct pipe *pp, unsigned slack)
{
	if (pp->stop || pp->next >= pp->im->nitems || pp->next == pp->written)
		return true;
	return pp->next - pp->written < AHEAD_ITEMS / slack && pp->ahead < AHEAD_BYTES / slack;
}

/* Takes the next item and parses it; called and returns with pp->mu held. */
static void take_and_parse(struct pipe *pp, struct hull_osv_cache *cache)
{
	size_t i = pp->next++;
	struct item *it = &pp->im->items[i];
	pthread_mutex_unlock(&pp->mu);
	parse_item(it, cache);
	pthread_mutex_lock(&pp->mu);
	it->parsed = true;
	pp->ahead += it->len;
	if (pp->awaited == i)
		pthread_cond_signal(&pp->ready);
}

/* Frees the items the writer is done with; called and returns with pp->mu held. */
static void free_written(struct pipe *pp)
{
	size_t from = pp->freed, to = pp->written;
	if (from == to)
		return;
	pp->freed = to;
	pthread_mutex_unlock(&pp->mu);
	for (size_t i = from; i < to; i++)
		item_free(&pp->im->items[i]);
	pthread_mutex_lock(&pp->mu);
}

static void *parser(void *arg)
{
	struct pipe *pp = arg;
	struct hull_osv_cache *cache = hull_osv_cache_new();
	pthread_mutex_lock(&pp->mu);
	for (;;) {
		free_written(pp);
		if (!may_take(pp, 1)) {
			pp->sleepers++;
			pthread_cond_wait(&pp->room, &pp->mu);
			pp->sleepers--;
			continue;
		}
		if (pp->stop || pp->next >= pp->im->nitems)
			break;
		take_and_parse(pp, cache);
	}
	pthread_mutex_unlock(&pp->mu);
	hull_osv_cache_free(cache);
	return NULL;
}

/* Waits for item i; rather than sleep, the writer parses the next items itself. */
static void wait_parsed(struct pipe *pp, size_t i, struct hull_osv_cache *cache)
{
	struct item *it = &pp->im->items[i];
	pthread_mutex_lock(&pp->mu);
	while (!it->parsed) {
		if (pp->next < pp->im->nitems && may_take(pp, 1)) {
			take_and_parse(pp, cache);
			continue;
		}
		pp->awaited = i;
		pthread_cond_wait(&pp->ready, &pp->mu);
		pp->awaited = SIZE_MAX;
	}
	pthread_mutex_unlock(&pp->mu);
}

/* Parses the pending items on parser threads (and this one, when it would wait) and stores
 * them in input order as they come. */
static int flush(struct importer *im, struct hull_err *err)
{
	struct pipe pp = {.im = im, .awaited = SIZE_MAX};
	pthread_mutex_init(&pp.mu, NULL);
	pthread_cond_init(&pp.ready, NULL);
	pthread_cond_init(&pp.room, NULL);
	unsigned nthreads = im->workers < im->nitems ? im->workers : (unsigned)im->nitems;
	pthread_t *tids = xcalloc(nthreads + 1, sizeof(*tids));
	unsigned started = 0;
	for (unsigned t = 0; t < nthreads; t++)
		if (!pthread_create(&tids[started], NULL, parser, &pp))
			started++;
	int rc = 0;
	struct hull_osv_cache *cache = hull_osv_cache_new();
	for (size_t i = 0; !rc && i < im->nitems; i++) {
		struct item *it = &im->items[i];
		wait_parsed(&pp, i, cache);
		rc = consume(im, it, err);
		im->done_bytes += it->len;
		pthread_mutex_lock(&pp.mu);
		pp.written = i + 1;
		pp.ahead -= it->len;
		pp.stop = rc != 0;
		if (!started)
			free_written(&pp);
		else if (pp.sleepers && may_take(&pp, 2))
			pthread_cond_broadcast(&pp.room);
		pthread_mutex_unlock(&pp.mu);
		if (i % 512 == 511)
			progress(im);
	}
	pthread_mutex_lock(&pp.mu);
	pp.stop = true;
	pthread_cond_broadcast(&pp.room);
	pthread_mutex_unlock(&pp.mu);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	free(tids);
	hull_osv_cache_free(cache);
	for (size_t i = pp.freed; i < im->nitems; i++)
		item_free(&im->items[i]);
	pthread_cond_destroy(&pp.room);
	pthread_cond_destroy(&pp.ready);
	pthread_mutex_destroy(&pp.mu);
	im->nitems = 0;
	im->batch_bytes = 0;
	progress(im);
	return rc;
}

static int add_item(struct importer *im, char *name, char *path, char *data, size_t len,
		    enum hull_osv_format fmt, struct hull_err *err)
{
	ALLOC_GROW(im->items, im->nitems + 1, im->items_cap);
	struct item *it = &im->items[im->nitems++];
	memset(it, 0, sizeof(*it));
	it->name = name;
	it->path = path;
	it->data = data;
	it->len = len;
	it->fmt = fmt;
	im->batch_bytes += len;
	/* Files are read by the parsers: a directory is one batch. */
	if (data && (im->nitems >= BATCH_ITEMS || im->batch_bytes >= BATCH_BYTES))
		return flush(im, err);
	return 0;
}

/* ---- inputs ---- */

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcasecmp(s + n - m, suf);
}

static bool is_yaml_name(const char *s)
{
	return has_suffix(s, ".yaml") || has_suffix(s, ".yml");
}

static bool is_osv_name(const char *s)
{
	return has_suffix(s, ".json") || is_yaml_name(s);
}

/* The OSV files below a directory, symlinks not followed (as nftw with FTW_PHYS would,
 * but readdir's d_type spares a stat per file). */
struct walk {
	char **paths;
	size_t n, cap;
	struct strbuf path; /* the directory being read */
	char *failed;	    /* the directory that could not be read */
};

static void cut(struct strbuf *sb, size_t len)
{
	sb->len = len;
	sb->buf[len] = '\0';
}

static void walk_add(char ***v, size_t *n, size_t *cap, char *s)
{
	ALLOC_GROW(*v, *n + 1, *cap);
	(*v)[(*n)++] = s;
}

/* Reads w->path, then its subdirectories (one directory open at a time). Returns 0, or -1
 * with errno and w->failed set. */
static int walk_dir(struct walk *w)
{
	DIR *d = opendir(w->path.buf);
	if (!d) {
		w->failed = xstrdup(w->path.buf);
		return -1;
	}
	size_t base = w->path.len;
	char **subdirs = NULL;
	size_t nsub = 0, subcap = 0;
	int rc = 0, e = 0;
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de) {
			e = errno;
			break;
		}
		const char *name = de->d_name;
		if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
			continue;
		unsigned char type = de->d_type;
		cut(&w->path, base);
		strbuf_addch(&w->path, '/');
		strbuf_adds(&w->path, name);
		if (type == DT_UNKNOWN) {
			struct stat sb;
			if (lstat(w->path.buf, &sb))
				continue;
			type = S_ISDIR(sb.st_mode) ? DT_DIR : S_ISREG(sb.st_mode) ? DT_REG : DT_LNK;
		}
		if (type == DT_DIR)
			walk_add(&subdirs, &nsub, &subcap, xstrdup(name));
		else if (type == DT_REG && is_osv_name(name))
			walk_add(&w->paths, &w->n, &w->cap, xstrdup(w->path.buf));
	}
	closedir(d);
	cut(&w->path, base);
	if (e) {
		w->failed = xstrdup(w->path.buf);
		errno = e;
		rc = -1;
	}
	for (size_t i = 0; i < nsub; i++) {
		if (!rc) {
			strbuf_addch(&w->path, '/');
			strbuf_adds(&w->path, subdirs[i]);
			rc = walk_dir(w);
			cut(&w->path, base);
		}
		free(subdirs[i]);
	}
	free(subdirs);
	return rc;
}

static int import_dir(struct importer *im, const char *dir, struct hull_err *err)
{
	struct walk w = {.path = STRBUF_INIT};
	strbuf_adds(&w.path, dir);
	while (w.path.len > 1 && w.path.buf[w.path.len - 1] == '/')
		cut(&w.path, w.path.len - 1);
	int rc = 0;
	if (walk_dir(&w)) {
		int e = errno;
		rc = strcmp(w.failed, w.path.buf)
			     ? hull_err_set(err, HULL_EINPUT,
					    "%s: cannot read the directory %s: %s", dir, w.failed,
					    strerror(e))
			     : hull_err_set(err, HULL_EINPUT, "%s: cannot read the directory: %s",
					    dir, strerror(e));
	}
	free(w.failed);
	strbuf_release(&w.path);
	if (w.n)
		qsort(w.paths, w.n, sizeof(*w.paths), hull_strcmp_p);
	size_t i = 0;
	for (; !rc && i < w.n; i++)
		rc = add_item(im, xstrdup(w.paths[i]), w.paths[i], NULL, 0,
			      is_yaml_name(w.paths[i]) ? HULL_OSV_YAML : HULL_OSV_JSON, err);
	for (; i < w.n; i++)
		free(w.paths[i]);
	free(w.paths);
	return rc;
}

static int zip_member(struct importer *im, struct archive *a, const char *zip, const char *name,
		      int64_t size, struct hull_err *err)
{
	char *mname = xasprintf("%s:%s", zip, name);
	if (size > (int64_t)HULL_OSV_MAX_DOC) {
		im->st->skipped++;
		im->st->warnings++;
		im->src_skipped++;
		im->src_warn++;
		char *msg = xasprintf("%s: malformed OSV record: larger than %u bytes", mname,
				      HULL_OSV_MAX_DOC);
		show(im, HULL_OSV_NOTE_COUNT, msg);
		free(msg);
		int rc = archive_read_data_skip(a) == ARCHIVE_OK
				 ? 0
				 : hull_err_set(err, HULL_EINPUT, "%s: corrupt zip member: %s",
						mname, archive_error_string(a));
		free(mname);
		return rc;
	}
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
		if (n < 0) {
			int rc = hull_err_set(err, HULL_EINPUT, "%s: corrupt zip member: %s", mname,
					      archive_error_string(a));
			strbuf_release(&sb);
			free(mname);
			return rc;
		}
		if (n == 0)
			break;
		strbuf_add(&sb, buf, (size_t)n);
		if (sb.len > HULL_OSV_MAX_DOC) {
			int rc = hull_err_set(err, HULL_EINPUT,
					      "%s: corrupt zip member: larger than its header says",
					      mname);
			strbuf_release(&sb);
			free(mname);
			return rc;
		}
	}
	size_t len;
	char *data = strbuf_detach(&sb, &len);
	return add_item(im, mname, NULL, data, len,
			is_yaml_name(name) ? HULL_OSV_YAML : HULL_OSV_JSON, err);
}

static int import_zip(struct importer *im, const char *zip, struct hull_err *err)
{
	int lrc = hull_archive_load(err);
	if (lrc)
		return lrc;
	struct archive *a = archive_read_new();
	archive_read_support_format_zip(a);
	int rc = 0;
	if (archive_read_open_filename(a, zip, 65536) != ARCHIVE_OK) {
		rc = hull_err_set(err, HULL_EINPUT, "%s: not a readable zip: %s", zip,
				  archive_error_string(a));
		archive_read_free(a);
		return rc;
	}
	struct archive_entry *e;
	const char *last = NULL;
	char *lastname = NULL;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			last = lastname;
			rc = hull_err_set(err, HULL_EINPUT, "%s: corrupt zip%s%s: %s", zip,
					  last ? " after member " : "", last ? last : "",
					  archive_error_string(a));
			break;
		}
		const char *name = archive_entry_pathname(e);
		free(lastname);
		lastname = xstrdup(name ? name : "?");
		if (!name || archive_entry_filetype(e) != AE_IFREG || !is_osv_name(name))
			continue;
		if ((rc = zip_member(im, a, zip, name, archive_entry_size(e), err)))
			break;
	}
	free(lastname);
	archive_read_free(a);
	return rc;
}

static bool is_zip_file(const char *path)
{
	if (has_suffix(path, ".zip"))
		return true;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char magic[4];
	bool zip = read(fd, magic, 4) == 4 && !memcmp(magic, "PK\x03\x04", 4);
	close(fd);
	return zip;
}

static const char *detect_kind(const char *path, struct stat *sb)
{
	if (S_ISDIR(sb->st_mode))
		return "dir";
	if (is_zip_file(path))
		return "zip";
	return is_yaml_name(path) ? "yaml" : "json";
}

static int begin_source(struct importer *im, const struct hull_vulndb_source *s, const char *kind,
			struct hull_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db,
			       "INSERT INTO sources(location,kind,imported_at,advisories,skipped,"
			       "warnings,etag,last_modified) VALUES(?1,?2,?3,0,0,0,?4,?5)",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(im, "writing the database failed", err);
	bind_text(st, 1, s->location ? s->location : s->path);
	bind_text(st, 2, kind);
	bind_text(st, 3, im->now);
	bind_text(st, 4, s->etag);
	bind_text(st, 5, s->last_modified);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_fail(im, "writing sources", err);
	sqlite3_finalize(st);
	im->source_id = sqlite3_last_insert_rowid(im->db);
	im->src_adv = im->src_skipped = im->src_warn = 0;
	return rc;
}

static int end_source(struct importer *im, struct hull_err *err)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(im->db,
			       "UPDATE sources SET advisories=?1, skipped=?2, warnings=?3 "
			       "WHERE id=?4",
			       -1, &st, NULL) != SQLITE_OK)
		return sql_fail(im, "writing the database failed", err);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)im->src_adv);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)im->src_skipped);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)im->src_warn);
	sqlite3_bind_int64(st, 4, im->source_id);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sql_fail(im, "writing sources", err);
	sqlite3_finalize(st);
	return rc;
}

static int import_source(struct importer *im, const struct hull_vulndb_source *s,
			 struct hull_err *err)
{
	struct stat sb;
	if (stat(s->path, &sb))
		return hull_err_set(err, HULL_EINPUT, "%s: %s", s->path, strerror(errno));
	if (!S_ISDIR(sb.st_mode) && !S_ISREG(sb.st_mode))
		return hull_err_set(err, HULL_EINPUT, "%s: not a file or directory", s->path);
	const char *kind = detect_kind(s->path, &sb);
	int rc = begin_source(im, s, s->kind ? s->kind : kind, err);
	if (rc)
		return rc;
	if (!strcmp(kind, "dir"))
		rc = import_dir(im, s->path, err);
	else if (!strcmp(kind, "zip"))
		rc = import_zip(im, s->path, err);
	else
		rc = add_item(im, xstrdup(s->path), xstrdup(s->path), NULL, 0,
			      !strcmp(kind, "yaml") ? HULL_OSV_YAML : HULL_OSV_JSON, err);
	if (!rc && im->nitems)
		rc = flush(im, err);
	return rc ? rc : end_source(im, err);
}

/* ---- the temporary file and the target ---- */

/* Removes temporaries of earlier imports whose process is gone ("DB.hull-tmp-PID-XXXXXX"). */
static void remove_stale(const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
	const char *base = slash ? slash + 1 : copy;
	if (slash)
		*slash = '\0';
	_cleanup_free_ char *prefix = xasprintf("%s" TMP_MARK, base);
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		long pid = strtol(de->d_name + strlen(prefix), NULL, 10);
		if (pid <= 0 || (kill((pid_t)pid, 0) && errno == ESRCH)) {
			_cleanup_free_ char *p = xasprintf("%s/%s", dir, de->d_name);
			unlink(p);
		}
	}
	closedir(d);
}

static int check_target(const char *path, struct hull_err *err)
{
	bool exists;
	int r = hull_vulndb_is_hull(path, &exists, err);
	if (r < 0)
		return r;
	if (exists && !r)
		return hull_err_set(err, HULL_EINPUT,
				    "%s: exists and is not a hull vulnerability database; "
				    "refusing to replace it",
				    path);
	_cleanup_free_ char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	if (slash && slash != copy) {
		*slash = '\0';
		return hull_mkdir_p(copy, err);
	}
	return 0;
}

static int prepare(struct importer *im, struct hull_err *err)
{
	char meta[512];
	snprintf(meta, sizeof(meta),
		 "INSERT INTO meta VALUES('application','hull'),('schema_version','%d'),"
		 "('built','%s'),('hull_version','%s');",
		 HULL_VULNDB_SCHEMA, im->now, HULL_VERSION);
	int rc;
	/* A fresh file nobody else sees until the rename: no journal, no syncs, no locks;
	 * larger pages make inserting and sorting the indexes cheaper. */
	if ((rc = exec(im,
		       "PRAGMA page_size=16384; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
		       "PRAGMA locking_mode=EXCLUSIVE; PRAGMA temp_store=MEMORY;"
		       "PRAGMA cache_size=-262144; BEGIN;",
		       err)) ||
	    (rc = exec(im, schema_sql, err)) || (rc = exec(im, meta, err)))
		return rc;
	for (int i = 0; i < NST; i++)
		if (sqlite3_prepare_v3(im->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &im->stmt[i], NULL) != SQLITE_OK)
			return sql_fail(im, "preparing statements failed", err);
	return 0;
}

/* Copies the advisories of the existing database (--append). */
static int copy_old(struct importer *im, struct hull_err *err)
{
	sqlite3 *old = NULL;
	int rc = hull_vulndb_open(im->o->db_path, &old, err);
	sqlite3_close(old);
	if (rc)
		return rc;
	char *q = sqlite3_mprintf(
		"ATTACH %Q AS old;"
		"INSERT INTO sources SELECT * FROM old.sources;"
		"INSERT INTO advisories SELECT * FROM old.advisories;"
		"INSERT INTO aliases SELECT * FROM old.aliases;"
		"INSERT INTO affected(advisory,ecosystem,name,purl,ranges,versions,severity)"
		" SELECT advisory,ecosystem,name,purl,ranges,versions,severity FROM old.affected;"
		"COMMIT; DETACH old; BEGIN;",
		im->o->db_path);
	rc = exec(im, q, err);
	sqlite3_free(q);
	return rc;
}

static int import_all(struct importer *im, struct hull_err *err)
{
	int rc = prepare(im, err);
	if (!rc && im->o->append) {
		bool exists;
		if (hull_vulndb_is_hull(im->o->db_path, &exists, NULL) == 1)
			rc = copy_old(im, err);
	}
	if (!rc)
		rc = exec(im, advisory_index_sql, err);
	for (size_t i = 0; !rc && i < im->o->nsources; i++)
		rc = import_source(im, &im->o->sources[i], err);
	if (!rc)
		rc = exec(im, index_sql, err);
	for (int i = 0; i < NST; i++)
		sqlite3_finalize(im->stmt[i]);
	if (!rc)
		rc = exec(im, "COMMIT;", err);
	return rc;
}

static void fsync_dir(const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
	if (slash && slash != copy)
		*slash = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int hull_vulndb_import(const struct hull_vulndb_import_opts *o, struct hull_vulndb_stats *st,
		       struct hull_err *err)
{
	memset(st, 0, sizeof(*st));
	if (!o->db_path)
		return hull_err_set(err, HULL_EUSAGE, "no database path");
	int rc = check_target(o->db_path, err);
	if (rc)
		return rc;
	remove_stale(o->db_path);
	_cleanup_free_ char *tmp =
		xasprintf("%s" TMP_MARK "%ld-XXXXXX", o->db_path, (long)getpid());
	int fd = mkstemp(tmp);
	if (fd < 0)
		return hull_err_set(err, HULL_EIO,
				    "%s: cannot create a temporary file beside it: %s", o->db_path,
				    strerror(errno));
	struct importer im = {.o = o, .st = st, .now = utc_now()};
	if (o->progress) {
		im.prog = hull_progress_new(STDERR_FILENO);
		hull_progress_begin(im.prog, "importing advisories", 0, 0);
	}
	/* The writer parses too when it would wait: one parser thread per other CPU. */
	unsigned ncpu = hull_ncpu();
	im.workers = o->threads ? o->threads : ncpu > 1 ? ncpu - 1 : 1;
	if (sqlite3_open_v2(tmp, &im.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK)
		rc = sql_fail(&im, "cannot open the temporary database", err);
	else
		rc = import_all(&im, err);
	for (size_t i = 0; i < im.nitems; i++)
		item_free(&im.items[i]);
	free(im.items);
	strmap_free(&im.seen);
	arena_free(&im.seen_arena);
	if (sqlite3_close(im.db) != SQLITE_OK && !rc)
		rc = hull_err_set(err, HULL_EIO, "%s: closing the database failed", o->db_path);
	free(im.now);
	hull_progress_end(im.prog);
	rc = hull_tmpfile_commit(fd, tmp, o->db_path, rc, err);
	if (!rc)
		fsync_dir(o->db_path);
	if (!rc) {
		for (int k = 0; k <= HULL_OSV_NOTE_COUNT; k++) {
			size_t max = o->max_notes ? o->max_notes : 10;
			if (k != HULL_OSV_NOTE_GIT_RANGE && im.shown[k] > max)
				hull_warn("%zu more %s not shown", im.shown[k] - max, note_what[k]);
		}
	}
	return rc;
}
