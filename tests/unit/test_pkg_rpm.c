/* Unit tests for the rpm header decoder (through an NDB container built here) and the
 * purl rules of the rpm and pypi types. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "pkg/pkg.h"
#include "util/strbuf.h"

#include <string.h>

struct tag {
	uint32_t tag, type;
	const char *str; /* STRING, or NULL for an INT32 of value num */
	uint32_t num;
};

static void put32be(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};
	strbuf_add(sb, b, 4);
}

static void put32le(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4] = {v, v >> 8, v >> 16, v >> 24};
	strbuf_add(sb, b, 4);
}

/* An rpm header blob (no magic) with the given tags. */
static void header(struct strbuf *out, const struct tag *t, size_t n)
{
	struct strbuf data = STRBUF_INIT;
	put32be(out, (uint32_t)n);
	size_t dl_at = out->len;
	put32be(out, 0);
	for (size_t i = 0; i < n; i++) {
		put32be(out, t[i].tag);
		put32be(out, t[i].type);
		put32be(out, (uint32_t)data.len);
		put32be(out, 1);
		if (t[i].str)
			strbuf_add(&data, t[i].str, strlen(t[i].str) + 1);
		else
			put32be(&data, t[i].num);
	}
	unsigned char *dl = (unsigned char *)out->buf + dl_at;
	dl[0] = (unsigned char)(data.len >> 24);
	dl[1] = (unsigned char)(data.len >> 16);
	dl[2] = (unsigned char)(data.len >> 8);
	dl[3] = (unsigned char)data.len;
	strbuf_add(out, data.buf, data.len);
	strbuf_release(&data);
}

/* A one-slot-page NDB file holding the blobs. */
static void ndb(struct strbuf *out, struct strbuf *blobs, size_t n)
{
	strbuf_add(out, "RpmP", 4);
	put32le(out, 0);
	put32le(out, 1);
	put32le(out, 1);
	strbuf_add(out, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	uint32_t blk = 4096 / 16;
	for (size_t i = 0; i < 4096 / 16 - 2; i++) {
		strbuf_add(out, "Slot", 4);
		size_t cnt = i < n ? (16 + blobs[i].len + 15) / 16 : 0;
		put32le(out, i < n ? (uint32_t)(i + 1) : 0);
		put32le(out, i < n ? blk : 0);
		put32le(out, (uint32_t)cnt);
		blk += (uint32_t)cnt;
	}
	for (size_t i = 0; i < n; i++) {
		strbuf_add(out, "BlbS", 4);
		put32le(out, (uint32_t)(i + 1));
		put32le(out, 0);
		put32le(out, (uint32_t)blobs[i].len);
		strbuf_add(out, blobs[i].buf, blobs[i].len);
		while (out->len % 16)
			strbuf_addch(out, 0);
	}
}

static struct hull_inventory *catalog(const char *path, const char *data, size_t len)
{
	struct hull_entry e = {.path = path, .size = len, .type = HULL_FT_FILE};
	char *copy = xmalloc(len + 1);
	memcpy(copy, data, len);
	copy[len] = '\0'; /* captured contents are NUL-terminated (layer.h) */
	struct hull_captured c = {0, copy, len};
	struct hull_layer l = {.entries = &e, .nentries = 1, .captured = &c, .ncaptured = 1};
	struct hull_inventory *inv = NULL;
	struct hull_err err = {0};
	assert_int_equal(hull_inventory_build(&l, 1, NULL, &inv, &err), 0);
	free(copy);
	return inv;
}

static int warnings;
static void count_warning(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
	warnings++;
}

static void test_rpm_headers(void **state)
{
	(void)state;
	const struct tag good[] = {
		{1000, 6, "openssl-libs", 0},
		{1001, 6, "3.0.7", 0},
		{1002, 6, "27.el9", 0},
		{1003, 4, NULL, 1},
		{1022, 6, "x86_64", 0},
		{1014, 6, "Apache-2.0", 0},
		{1044, 6, "openssl-3.0.7-27.el9.src.rpm", 0},
	};
	const struct tag no_release[] = {{1000, 6, "x", 0}, {1001, 6, "1", 0}};
	const struct tag unterminated[] = {{1000, 6, "y", 0}, {1001, 6, "1", 0}, {1002, 6, "1", 0}};
	struct strbuf blobs[4] = {STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT};
	header(&blobs[0], good, ARRAY_SIZE(good));
	header(&blobs[1], no_release, ARRAY_SIZE(no_release));
	header(&blobs[2], unterminated, ARRAY_SIZE(unterminated));
	blobs[2].len--; /* the last string loses its NUL, the data length now lies */
	header(&blobs[3], good, 1);
	blobs[3].buf[8 + 8] = 0x7f; /* NAME's offset far past the store */
	struct strbuf file = STRBUF_INIT;
	ndb(&file, blobs, 4);
	warnings = 0;
	hull_set_warn_handler(count_warning, NULL);
	struct hull_inventory *inv =
		catalog("/usr/lib/sysimage/rpm/Packages.db", file.buf, file.len);
	hull_set_warn_handler(NULL, NULL);
	assert_int_equal(inv->npkgs, 1);
	struct hull_package *p = &inv->pkgs[0];
	assert_string_equal(p->name, "openssl-libs");
	assert_string_equal(p->version, "1:3.0.7-27.el9");
	assert_string_equal(p->arch, "x86_64");
	assert_string_equal(p->licenses, "Apache-2.0");
	assert_string_equal(p->source_name, "openssl");
	assert_string_equal(p->source_version, "1:3.0.7-27.el9");
	assert_string_equal(p->purl, "pkg:rpm/rpm/openssl-libs@3.0.7-27.el9?arch=x86_64&epoch=1"
				     "&upstream=openssl");
	assert_true(warnings >= 1);
	hull_inventory_free(inv);
	strbuf_release(&file);
	for (size_t i = 0; i < 4; i++)
		strbuf_release(&blobs[i]);
}

static void test_pypi_purl(void **state)
{
	(void)state;
	const char meta[] = "Name: Zope.Interface__X\nVersion: 6.1\n";
	struct hull_inventory *inv =
		catalog("/x/zope.interface-6.1.dist-info/METADATA", meta, strlen(meta));
	assert_int_equal(inv->npkgs, 1);
	assert_string_equal(inv->pkgs[0].name, "Zope.Interface__X");
	assert_string_equal(inv->pkgs[0].purl, "pkg:pypi/zope-interface-x@6.1");
	hull_inventory_free(inv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpm_headers),
		cmocka_unit_test(test_pypi_purl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
