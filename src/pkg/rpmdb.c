/* Reads package header blobs out of the two non-SQLite rpm databases, straight from the
 * bytes: the Berkeley DB hash file "Packages" (rpm < 4.16, RHEL/CentOS 7 and 8, Amazon
 * Linux 2) and NDB's "Packages.db" (SUSE). Every offset, page number and length comes from
 * the file, so each is checked before use, and the work per file is bounded by its size. */
#include "rpmdb.h"
#include "../util/strbuf.h"

#include <string.h>

/* ------------------------------------------------------------------ Berkeley DB hash */

#define BDB_HASH_MAGIC 0x061561u
#define BDB_PAGE_HDR   26 /* lsn, pgno, prev, next, entries, hf_offset, level, type */

enum {
	P_HASH_UNSORTED = 2,
	P_OVERFLOW = 7,
	P_HASHMETA = 8,
	P_HASH = 13,
};
enum { H_KEYDATA = 1, H_OFFPAGE = 3 };

struct bdb {
	const unsigned char *d;
	size_t len;
	bool swapped; /* written on a machine of the other byte order */
	uint32_t pagesize, npages;
	size_t budget; /* overflow pages still to visit: chains sharing pages can't loop us */
	hull_rpmdb_blob_fn fn;
	void *ctx;
	struct hull_err *err;
	int rc; /* the first error; the walk goes on past damaged pages */
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

static uint32_t u32(const struct bdb *b, const unsigned char *p)
{
	return b->swapped ? be32(p) : le32(p);
}

static uint16_t u16(const struct bdb *b, const unsigned char *p)
{
	return b->swapped ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

bool hull_rpmdb_is_bdb(const unsigned char *d, size_t len)
{
	return len >= 512 && (le32(d + 12) == BDB_HASH_MAGIC || be32(d + 12) == BDB_HASH_MAGIC);
}

/* Records a problem (the first message wins) and keeps walking. */
HULL_PRINTF(2, 3) static void fail(struct bdb *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	b->rc = hull_err_setv(b->err, HULL_EINPUT, fmt, ap);
	va_end(ap);
}

static const unsigned char *page(const struct bdb *b, uint32_t pgno)
{
	return b->d + (size_t)pgno * b->pagesize;
}

/* Is pgno, reached after steps hops, a page of an overflow chain? */
static bool overflow_page_ok(struct bdb *b, uint32_t pgno, uint32_t steps)
{
	if (pgno == 0 || pgno >= b->npages) {
		fail(b, "overflow page %u is past the file", pgno);
		return false;
	}
	if (steps >= b->npages) {
		fail(b, "cyclic overflow chain at page %u", pgno);
		return false;
	}
	if (b->budget == 0) {
		fail(b, "overflow chains visit more pages than the file holds");
		return false;
	}
	b->budget--;
	const unsigned char *p = page(b, pgno);
	if (p[25] != P_OVERFLOW || u16(b, p + 22) > b->pagesize - BDB_PAGE_HDR) {
		fail(b, "page %u is not an overflow page", pgno);
		return false;
	}
	return true;
}

/* Concatenates the overflow chain starting at pgno into out (tlen bytes). A chain that
 * leaves the file, loops, or ends early is an error. */
static bool read_overflow(struct bdb *b, uint32_t pgno, uint32_t tlen, struct strbuf *out)
{
	if (tlen > b->len) {
		fail(b, "overflow item of %u bytes is larger than the file", tlen);
		return false;
	}
	strbuf_grow(out, tlen);
	for (uint32_t steps = 0; out->len < tlen; steps++) {
		if (!overflow_page_ok(b, pgno, steps))
			return false;
		const unsigned char *p = page(b, pgno);
		uint16_t n = u16(b, p + 22);
		size_t take = n < tlen - out->len ? n : tlen - out->len;
		strbuf_add(out, p + BDB_PAGE_HDR, take);
		uint32_t next = u32(b, p + 16);
		if (!next && out->len < tlen) {
			fail(b, "overflow chain at page %u ends early", pgno);
			return false;
		}
		/* The page that completes the item ends the chain; more pages mean a chain
		 * that loops back or belongs to something else. */
		if (next && out->len == tlen) {
			fail(b, "overflow chain at page %u runs past its item", pgno);
			return false;
		}
		pgno = next;
	}
	return true;
}

/* Hands one data item (inline or off-page) to the callback. */
static void hash_value(struct bdb *b, const unsigned char *item, size_t n)
{
	if (item[0] == H_KEYDATA) {
		b->fn(b->ctx, item + 1, n - 1);
	} else if (item[0] == H_OFFPAGE && n >= 12) {
		struct strbuf sb = STRBUF_INIT;
		if (read_overflow(b, u32(b, item + 4), u32(b, item + 8), &sb) && sb.len)
			b->fn(b->ctx, (const unsigned char *)sb.buf, sb.len);
		strbuf_release(&sb);
	}
}

/* Item i of a hash page: items are stacked down from the end of the page, so item i
 * runs from its offset to the offset of item i-1 (or the page end). */
static bool hash_item(const struct bdb *b, const unsigned char *p, uint16_t i, size_t index_end,
		      size_t *off, size_t *len)
{
	size_t end = i ? u16(b, p + BDB_PAGE_HDR + 2 * (i - 1)) : b->pagesize;
	*off = u16(b, p + BDB_PAGE_HDR + 2 * i);
	if (*off < index_end || *off >= end || end > b->pagesize)
		return false;
	*len = end - *off;
	return true;
}

/* A hash page holds key/data pairs; the data items are the package headers. */
static void hash_page(struct bdb *b, uint32_t pgno)
{
	const unsigned char *p = page(b, pgno);
	uint16_t n = u16(b, p + 20);
	size_t index_end = BDB_PAGE_HDR + 2 * (size_t)n;
	if (n % 2 || index_end > b->pagesize) {
		fail(b, "hash page %u has a bad item count", pgno);
		return;
	}
	for (uint16_t i = 0; i < n; i += 2) {
		size_t koff, klen, voff, vlen;
		if (!hash_item(b, p, i, index_end, &koff, &klen) ||
		    !hash_item(b, p, (uint16_t)(i + 1), index_end, &voff, &vlen)) {
			fail(b, "hash page %u: item %u out of place", pgno, i);
			return;
		}
		/* Record 0 is rpm's instance counter, not a package. */
		if (klen == 5 && p[koff] == H_KEYDATA && !le32(p + koff + 1))
			continue;
		hash_value(b, p + voff, vlen);
	}
}

int hull_rpmdb_bdb(const unsigned char *d, size_t len, hull_rpmdb_blob_fn fn, void *ctx,
		   struct hull_err *err)
{
	if (!hull_rpmdb_is_bdb(d, len))
		return hull_err_set(err, HULL_EINPUT, "not a Berkeley DB hash file");
	struct bdb b = {.d = d,
			.len = len,
			.swapped = le32(d + 12) != BDB_HASH_MAGIC,
			.fn = fn,
			.ctx = ctx,
			.err = err};
	b.pagesize = u32(&b, d + 20);
	if (b.pagesize < 512 || b.pagesize > 65536 || (b.pagesize & (b.pagesize - 1)))
		return hull_err_set(err, HULL_EINPUT, "bad page size %u", b.pagesize);
	if (d[24] != 0)
		return hull_err_set(err, HULL_EINPUT, "encrypted database");
	if (d[25] != P_HASHMETA)
		return hull_err_set(err, HULL_EINPUT, "not a hash database (page type %u)", d[25]);
	b.npages = (uint32_t)(len / b.pagesize);
	/* Each overflow page belongs to one chain; twice over allows for stale leftovers. */
	b.budget = 2 * (size_t)b.npages;
	uint32_t last = u32(&b, d + 32);
	for (uint32_t pg = 1; pg <= last && pg < b.npages; pg++) {
		uint8_t type = page(&b, pg)[25];
		if (type == P_HASH || type == P_HASH_UNSORTED)
			hash_page(&b, pg);
	}
	if (last >= b.npages)
		fail(&b, "truncated: last page %u, the file has %u", last, b.npages);
	return b.rc;
}

/* ------------------------------------------------------------------ NDB */

#define NDB_MAGIC      0x506d7052u /* "RpmP" */
#define NDB_SLOT_MAGIC 0x746f6c53u /* "Slot" */
#define NDB_BLOB_MAGIC 0x53626c42u /* "BlbS" */
#define NDB_PAGE       4096
#define NDB_BLK	       16

bool hull_rpmdb_is_ndb(const unsigned char *d, size_t len)
{
	return len >= 32 && le32(d) == NDB_MAGIC;
}

/* One used slot: the blob it points to, checked against the slot and the file. */
static int ndb_slot(const unsigned char *d, size_t len, const unsigned char *s,
		    hull_rpmdb_blob_fn fn, void *ctx, struct hull_err *err)
{
	uint32_t idx = le32(s + 4), blk = le32(s + 8), cnt = le32(s + 12);
	size_t off = (size_t)blk * NDB_BLK;
	if (off > len || len - off < 16)
		return hull_err_set(err, HULL_EINPUT, "package %u: block %u is past the file", idx,
				    blk);
	const unsigned char *h = d + off;
	uint32_t blen = le32(h + 12);
	if (le32(h) != NDB_BLOB_MAGIC || le32(h + 4) != idx)
		return hull_err_set(err, HULL_EINPUT, "package %u: bad blob header", idx);
	if (blen > len - off - 16 || blen > (uint64_t)cnt * NDB_BLK)
		return hull_err_set(err, HULL_EINPUT, "package %u: blob length %u past its block",
				    idx, blen);
	fn(ctx, h + 16, blen);
	return 0;
}

int hull_rpmdb_ndb(const unsigned char *d, size_t len, hull_rpmdb_blob_fn fn, void *ctx,
		   struct hull_err *err)
{
	if (!hull_rpmdb_is_ndb(d, len))
		return hull_err_set(err, HULL_EINPUT, "not an NDB database");
	uint32_t version = le32(d + 4), npages = le32(d + 12);
	if (version != 0)
		return hull_err_set(err, HULL_EINPUT, "unsupported NDB version %u", version);
	if (npages == 0 || (uint64_t)npages * NDB_PAGE > len)
		return hull_err_set(err, HULL_EINPUT, "slot pages (%u) past the file", npages);
	int rc = 0;
	/* The 32-byte header takes the room of the first two slots. */
	for (size_t off = 32; off < (size_t)npages * NDB_PAGE; off += 16) {
		const unsigned char *s = d + off;
		if (le32(s) != NDB_SLOT_MAGIC)
			return hull_err_set(err, HULL_EINPUT, "bad slot magic at offset %zu", off);
		if (le32(s + 4) == 0)
			continue; /* a free slot */
		int r = ndb_slot(d, len, s, fn, ctx, err);
		if (r && !rc)
			rc = r;
	}
	return rc;
}
