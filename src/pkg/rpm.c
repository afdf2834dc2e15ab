/* rpm: the package database under var/lib/rpm or usr/lib/sysimage/rpm, in any of its
 * three containers (SQLite rpmdb.sqlite, Berkeley DB Packages, NDB Packages.db), told
 * apart by magic number. Each holds one header blob per package; this file decodes the
 * blobs (name, epoch, version, release, arch, license, source rpm) and reads SQLite. */
#include "pkg.h"
#include "rpmdb.h"

#include <sqlite3.h>
#include <string.h>

static bool match(const char *path)
{
	static const char *const dirs[] = {"/var/lib/rpm/", "/usr/lib/sysimage/rpm/"};
	static const char *const names[] = {"rpmdb.sqlite", "Packages", "Packages.db"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		size_t n = strlen(dirs[i]);
		if (strncmp(path, dirs[i], n))
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(names); j++)
			if (!strcmp(path + n, names[j]))
				return true;
	}
	return false;
}

/* ------------------------------------------------------------------ header blobs */

enum {
	TAG_NAME = 1000,
	TAG_VERSION = 1001,
	TAG_RELEASE = 1002,
	TAG_EPOCH = 1003,
	TAG_LICENSE = 1014,
	TAG_ARCH = 1022,
	TAG_SOURCERPM = 1044,
};
enum { TYPE_INT32 = 4, TYPE_STRING = 6 };

/* rpm's own limits on a header (lib/header.c): more is a corrupt or hostile blob. */
#define HEADER_MAX_TAGS 0xffff
#define HEADER_MAX_DATA (256u << 20)

struct header {
	const unsigned char *index, *data;
	uint32_t il, dl;
};

struct ctx {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	size_t bad; /* blobs that did not decode */
};

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

/* The blob is the header without its 8-byte magic: index count, data length, the index
 * of 16-byte entries {tag, type, offset, count}, then the data store. */
static bool header_open(struct header *h, const unsigned char *blob, size_t len)
{
	if (len < 8)
		return false;
	h->il = be32(blob);
	h->dl = be32(blob + 4);
	if (h->il == 0 || h->il > HEADER_MAX_TAGS || h->dl > HEADER_MAX_DATA)
		return false;
	if ((uint64_t)8 + (uint64_t)h->il * 16 + h->dl > len)
		return false;
	h->index = blob + 8;
	h->data = h->index + (size_t)h->il * 16;
	return true;
}

static const unsigned char *header_entry(const struct header *h, uint32_t tag)
{
	for (uint32_t i = 0; i < h->il; i++)
		if (be32(h->index + 16 * (size_t)i) == tag)
			return h->index + 16 * (size_t)i;
	return NULL;
}

/* A STRING tag's value, or NULL when absent or not a terminated string in the store. */
static char *header_str(const struct header *h, uint32_t tag)
{
	const unsigned char *e = header_entry(h, tag);
	if (!e || be32(e + 4) != TYPE_STRING)
		return NULL;
	uint32_t off = be32(e + 8);
	if (off >= h->dl)
		return NULL;
	const unsigned char *s = h->data + off;
	const unsigned char *nul = memchr(s, 0, h->dl - off);
	return nul ? xstrndup((const char *)s, (size_t)(nul - s)) : NULL;
}

/* The INT32 tag's first value; false when absent or out of bounds. */
static bool header_int(const struct header *h, uint32_t tag, uint32_t *out)
{
	const unsigned char *e = header_entry(h, tag);
	if (!e || be32(e + 4) != TYPE_INT32 || be32(e + 12) < 1)
		return false;
	uint32_t off = be32(e + 8);
	if (off > h->dl || h->dl - off < 4)
		return false;
	*out = be32(h->data + off);
	return true;
}

/* "name-version-release.src.rpm" -> name and "version-release". */
static void source_from_srpm(struct hull_package *p, const char *srpm, const char *epoch)
{
	size_t n = strlen(srpm);
	static const char *const sfx[] = {".src.rpm", ".nosrc.rpm"};
	for (size_t i = 0; i < ARRAY_SIZE(sfx); i++)
		if (n > strlen(sfx[i]) && !strcmp(srpm + n - strlen(sfx[i]), sfx[i])) {
			n -= strlen(sfx[i]);
			break;
		}
	const char *rel = memrchr(srpm, '-', n);
	const char *ver = rel ? memrchr(srpm, '-', (size_t)(rel - srpm)) : NULL;
	if (!ver || ver == srpm)
		return;
	p->source_name = xstrndup(srpm, (size_t)(ver - srpm));
	/* Source rpm names carry no epoch; a build shares its epoch with its binaries (as
	 * Trivy assumes), and advisories compare source versions with it. */
	p->source_version = xasprintf("%s%s%.*s", epoch ? epoch : "", epoch ? ":" : "",
				      (int)(srpm + n - ver - 1), ver + 1);
}

static void add_header(struct ctx *c, const struct header *h)
{
	_cleanup_free_ char *name = header_str(h, TAG_NAME);
	_cleanup_free_ char *ver = header_str(h, TAG_VERSION);
	_cleanup_free_ char *rel = header_str(h, TAG_RELEASE);
	if (!name || !ver || !rel) {
		c->bad++;
		return;
	}
	/* Imported signing keys are headers too; rpm -qa lists them, but they are no
	 * software (Trivy and Syft leave them out as well). */
	if (!strcmp(name, "gpg-pubkey"))
		return;
	uint32_t e;
	_cleanup_free_ char *epoch = header_int(h, TAG_EPOCH, &e) ? xasprintf("%u", e) : NULL;
	_cleanup_free_ char *version =
		xasprintf("%s%s%s-%s", epoch ? epoch : "", epoch ? ":" : "", ver, rel);
	struct hull_package *p = hull_inventory_add(c->inv, "rpm", name, version, c->f, "rpm");
	p->arch = header_str(h, TAG_ARCH);
	p->licenses = header_str(h, TAG_LICENSE);
	_cleanup_free_ char *srpm = header_str(h, TAG_SOURCERPM);
	if (srpm)
		source_from_srpm(p, srpm, epoch);
}

static void blob(void *vc, const unsigned char *b, size_t len)
{
	struct ctx *c = vc;
	struct header h;
	if (header_open(&h, b, len))
		add_header(c, &h);
	else
		c->bad++;
}

/* ------------------------------------------------------------------ SQLite */

static const unsigned char sqlite_magic[16] = "SQLite format 3";

/* Opens a private, read-only, in-memory copy: nothing touches the disk, and a copy lets
 * us clear the WAL flag (bytes 18-19), which an in-memory database cannot honour. */
static int sqlite_open(const struct hull_pkg_file *f, sqlite3 **out)
{
	sqlite3 *db;
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	unsigned char *copy = sqlite3_malloc64(f->len);
	if (!copy) {
		sqlite3_close(db);
		return -1;
	}
	memcpy(copy, f->data, f->len);
	if (f->len >= 20 && copy[18] == 2 && copy[19] == 2)
		copy[18] = copy[19] = 1;
	int rc = sqlite3_deserialize(db, "main", copy, (sqlite3_int64)f->len, (sqlite3_int64)f->len,
				     SQLITE_DESERIALIZE_READONLY | SQLITE_DESERIALIZE_FREEONCLOSE);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA cell_size_check=ON", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

static void parse_sqlite(struct ctx *c)
{
	sqlite3 *db;
	if (sqlite_open(c->f, &db)) {
		hull_warn("%s: cannot open the SQLite database", c->f->path);
		return;
	}
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT blob FROM Packages ORDER BY hnum", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		hull_warn("%s: not an rpm database (%s)", c->f->path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void *b = sqlite3_column_blob(st, 0);
		int n = sqlite3_column_bytes(st, 0);
		blob(c, b, b ? (size_t)n : 0);
	}
	if (rc != SQLITE_DONE)
		hull_warn("%s: %s", c->f->path, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* ------------------------------------------------------------------ dispatch */

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct ctx c = {.inv = inv, .f = f};
	const unsigned char *d = (const unsigned char *)f->data;
	struct hull_err err = {0};
	int rc = 0;
	if (f->len >= 16 && !memcmp(d, sqlite_magic, 16))
		parse_sqlite(&c);
	else if (hull_rpmdb_is_bdb(d, f->len))
		rc = hull_rpmdb_bdb(d, f->len, blob, &c, &err);
	else if (hull_rpmdb_is_ndb(d, f->len))
		rc = hull_rpmdb_ndb(d, f->len, blob, &c, &err);
	else
		hull_warn("%s: not an rpm database (unknown format)", f->path);
	if (rc)
		hull_warn("%s: %s", f->path, err.msg ? err.msg : "damaged database");
	hull_err_clear(&err);
	if (c.bad)
		hull_warn("%s: %zu package header(s) could not be read", f->path, c.bad);
}

const struct hull_cataloger hull_cataloger_rpm = {"rpm", match, parse};
