/* Unit tests for src/layer: decompression, tar entries, whiteouts and the merged view
 * with its measures, on tars built in memory with libarchive. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "layer/fs.h"
#include "util/hash.h"
#include "util/strbuf.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

struct spec {
	const char *name;
	char type;	  /* f file, d dir, l symlink, h hardlink */
	const char *data; /* file content or link target */
	size_t size;	  /* file size if data is NULL (filled with 'x') */
};

enum filter { PLAIN, GZIP, ZSTD };

static char *make_tar(const struct spec *s, size_t n, enum filter f, size_t *len)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (f == GZIP)
		archive_write_add_filter_gzip(a);
	else if (f == ZSTD)
		archive_write_add_filter_zstd(a);
	else
		archive_write_add_filter_none(a);
	size_t cap = 1 << 22;
	char *buf = malloc(cap);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open_memory(a, buf, cap, len), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, s[i].name);
		archive_entry_set_perm(e, s[i].type == 'd' ? 0755 : 0644);
		size_t sz = 0;
		char *content = NULL;
		switch (s[i].type) {
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, s[i].data);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, s[i].data);
			break;
		default:
			archive_entry_set_filetype(e, AE_IFREG);
			sz = s[i].data ? strlen(s[i].data) : s[i].size;
			content = malloc(sz + 1);
			if (s[i].data)
				memcpy(content, s[i].data, sz);
			else
				memset(content, 'x', sz);
			archive_entry_set_size(e, (la_int64_t)sz);
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (sz)
			assert_int_equal(archive_write_data(a, content, sz), (la_ssize_t)sz);
		free(content);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return buf;
}

struct mem {
	struct hull_reader r;
	const char *data;
	size_t len, pos;
};

static ssize_t mem_read(struct hull_reader *r, void *buf, size_t len, struct hull_err *err)
{
	(void)err;
	struct mem *m = r->ctx;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;
	if (n > 1000)
		n = 1000; /* short reads exercise the stream's refill paths */
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static bool pipelined; /* hash on a helper thread in read_mem */

static int read_mem(const char *data, size_t len, struct hull_layer *l, uint64_t max_size,
		    uint64_t max_entries, struct hull_err *err)
{
	struct mem m = {.r = {mem_read, NULL}, .data = data, .len = len};
	m.r.ctx = &m;
	memset(l, 0, sizeof(*l));
	struct hull_layer_opts o = {
		.max_size = max_size,
		.max_entries = max_entries,
		.name = "test-layer",
		.pipeline = pipelined,
	};
	return hull_layer_read(&m.r, &o, l, err);
}

static struct strbuf warnings = STRBUF_INIT;
static void capture(const char *msg, void *ctx)
{
	(void)ctx;
	strbuf_addf(&warnings, "%s\n", msg);
}

static int setup(void **state)
{
	(void)state;
	strbuf_reset(&warnings);
	hull_set_warn_handler(capture, NULL);
	return 0;
}

static const struct spec base[] = {
	{"etc/", 'd', NULL, 0},		  {"etc/passwd", 'f', "root:x:0:0\n", 0},
	{"usr/", 'd', NULL, 0},		  {"usr/lib/", 'd', NULL, 0},
	{"usr/lib/big", 'f', NULL, 5000}, {"lib", 'l', "usr/lib", 0},
	{"bin/sh", 'f', NULL, 100},	  {"bin/ash", 'h', "bin/sh", 0},
};

static void test_compressions_agree(void **state)
{
	(void)state;
	size_t plen;
	char *plain = make_tar(base, ARRAY_SIZE(base), PLAIN, &plen);
	char want[HULL_DIGEST_LEN + 1];
	hull_sha256_buf(plain, plen, want);
	enum filter fs[] = {PLAIN, GZIP, ZSTD};
	for (size_t k = 0; k < ARRAY_SIZE(fs); k++) {
		size_t len;
		char *data = make_tar(base, ARRAY_SIZE(base), fs[k], &len);
		struct hull_layer l;
		struct hull_err err = {0};
		assert_int_equal(read_mem(data, len, &l, 0, 0, &err), 0);
		assert_int_equal(l.compression, (enum hull_compression)fs[k]);
		assert_string_equal(l.diff_id, want);
		char dg[HULL_DIGEST_LEN + 1];
		hull_sha256_buf(data, len, dg);
		assert_string_equal(l.digest, dg);
		assert_int_equal(l.uncompressed_size, plen);
		assert_int_equal(l.size, len);
		assert_int_equal(l.nentries, ARRAY_SIZE(base));
		assert_string_equal(l.entries[7].path, "/bin/ash");
		assert_int_equal(l.entries[7].type, HULL_FT_HARDLINK);
		assert_string_equal(l.entries[7].link, "/bin/sh");
		assert_string_equal(l.entries[5].link, "usr/lib");
		assert_int_equal(l.entries[4].size, 5000);
		hull_layer_release(&l);
		free(data);
	}
	free(plain);
}

/* The same streams with hashing on a helper thread give the same digests. */
static void test_compressions_agree_pipelined(void **state)
{
	pipelined = true;
	test_compressions_agree(state);
	pipelined = false;
}

static void test_damage_pipelined(void **state);

static void test_gzip_multi_member_and_damage(void **state)
{
	(void)state;
	size_t len;
	char *gz = make_tar(base, ARRAY_SIZE(base), GZIP, &len);
	/* Two members back to back decode as one stream (pigz, cat a.gz b.gz). */
	char *two = malloc(2 * len);
	memcpy(two, gz, len);
	memcpy(two + len, gz, len);
	struct hull_layer l;
	struct hull_err err = {0};
	assert_int_equal(read_mem(two, 2 * len, &l, 0, 0, &err), 0);
	hull_layer_release(&l);
	/* Truncated. */
	assert_int_equal(read_mem(gz, len / 2, &l, 0, 0, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "test-layer"));
	hull_err_clear(&err);
	hull_layer_release(&l);
	/* Corrupt deflate data. */
	char *bad = malloc(len);
	memcpy(bad, gz, len);
	for (size_t i = 20; i < 40 && i < len; i++)
		bad[i] ^= 0x5a;
	assert_int_equal(read_mem(bad, len, &l, 0, 0, &err), HULL_EINPUT);
	hull_err_clear(&err);
	hull_layer_release(&l);
	/* Trailing garbage after the member. */
	memcpy(two + len, "garbage!", 8);
	assert_int_equal(read_mem(two, len + 8, &l, 0, 0, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "trailing garbage"));
	hull_err_clear(&err);
	hull_layer_release(&l);
	free(bad);
	free(two);
	free(gz);
}

static void test_damage_pipelined(void **state)
{
	pipelined = true;
	test_gzip_multi_member_and_damage(state);
	pipelined = false;
}

static void test_limits(void **state)
{
	(void)state;
	size_t len;
	char *gz = make_tar(base, ARRAY_SIZE(base), GZIP, &len);
	struct hull_layer l;
	struct hull_err err = {0};
	assert_int_equal(read_mem(gz, len, &l, 4096, 0, &err), HULL_ELIMIT);
	assert_non_null(strstr(err.msg, "--max-layer-size"));
	hull_err_clear(&err);
	hull_layer_release(&l);
	assert_int_equal(read_mem(gz, len, &l, 0, 3, &err), HULL_ELIMIT);
	assert_non_null(strstr(err.msg, "--max-entries"));
	hull_err_clear(&err);
	hull_layer_release(&l);
	free(gz);
}

static void test_hostile_names(void **state)
{
	(void)state;
	static const struct spec esc[] = {{"a/../../etc/x", 'f', "x", 0}};
	size_t len;
	char *t = make_tar(esc, 1, PLAIN, &len);
	struct hull_layer l;
	struct hull_err err = {0};
	assert_int_equal(read_mem(t, len, &l, 0, 0, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "escapes the image root"));
	hull_err_clear(&err);
	hull_layer_release(&l);
	free(t);
	static const struct spec abs_[] = {{"/etc/x", 'f', "x", 0}};
	t = make_tar(abs_, 1, PLAIN, &len);
	assert_int_equal(read_mem(t, len, &l, 0, 0, &err), 0);
	assert_string_equal(l.entries[0].path, "/etc/x");
	assert_non_null(strstr(warnings.buf, "absolute entry name"));
	hull_layer_release(&l);
	free(t);
	/* Not a tar at all. */
	assert_int_equal(read_mem("hello, world, this is not a tar archive", 39, &l, 0, 0, &err),
			 HULL_EINPUT);
	hull_err_clear(&err);
	hull_layer_release(&l);
}

/* Builds layers from specs and merges them. */
static struct hull_fs *merge_specs(const struct spec *const *specs, const size_t *counts, size_t n,
				   struct hull_layer *layers)
{
	for (size_t i = 0; i < n; i++) {
		size_t len;
		char *t = make_tar(specs[i], counts[i], PLAIN, &len);
		struct hull_err err = {0};
		assert_int_equal(read_mem(t, len, &layers[i], 0, 0, &err), 0);
		free(t);
	}
	struct hull_fs *fs;
	struct hull_err err = {0};
	assert_int_equal(hull_fs_merge(layers, n, &fs, &err), 0);
	return fs;
}

static const struct hull_file *find(const struct hull_fs *fs, const char *path)
{
	for (size_t i = 0; i < fs->nfiles; i++)
		if (!strcmp(fs->files[i].path, path))
			return &fs->files[i];
	return NULL;
}

static void test_whiteouts(void **state)
{
	(void)state;
	static const struct spec l1[] = {
		{"etc/.wh.passwd", 'f', "", 0},
		{"usr/lib/.wh..wh..opq", 'f', "", 0},
		{"usr/lib/new", 'f', "n", 0},
		{"bin/.wh.sh", 'f', "", 0},
	};
	const struct spec *specs[] = {base, l1};
	size_t counts[] = {ARRAY_SIZE(base), ARRAY_SIZE(l1)};
	struct hull_layer layers[2];
	struct hull_fs *fs = merge_specs(specs, counts, 2, layers);
	assert_null(find(fs, "/etc/passwd"));
	assert_non_null(find(fs, "/etc"));
	assert_null(find(fs, "/usr/lib/big"));	   /* hidden by the opaque dir */
	assert_non_null(find(fs, "/usr/lib/new")); /* same layer: stays */
	assert_int_equal(find(fs, "/usr/lib/new")->layer, 1);
	assert_null(find(fs, "/bin/sh"));
	/* The hardlink stays (it has its own inode in a real container). */
	assert_non_null(find(fs, "/bin/ash"));
	assert_int_equal(fs->wasted_bytes, 11 + 5000 + 100);
	assert_int_equal(fs->layers[0].wasted, 11 + 5000 + 100);
	assert_int_equal(fs->layers[1].removed, 3);
	assert_int_equal(fs->layers[1].added, 1);
	/* Sorted by path. */
	for (size_t i = 1; i < fs->nfiles; i++)
		assert_true(strcmp(fs->files[i - 1].path, fs->files[i].path) < 0);
	hull_fs_free(fs);
	hull_layer_release(&layers[0]);
	hull_layer_release(&layers[1]);
}

static void test_replace_and_efficiency(void **state)
{
	(void)state;
	static const struct spec l0[] = {{"app/data", 'f', NULL, 1000},
					 {"app/keep", 'f', NULL, 10}};
	static const struct spec l1[] = {{"app/data", 'f', NULL, 400}};
	static const struct spec l2[] = {{"app/data", 'f', NULL, 300}};
	const struct spec *specs[] = {l0, l1, l2};
	size_t counts[] = {2, 1, 1};
	struct hull_layer layers[3];
	struct hull_fs *fs = merge_specs(specs, counts, 3, layers);
	const struct hull_file *f = find(fs, "/app/data");
	assert_non_null(f);
	assert_int_equal(f->layer, 2);
	assert_int_equal(f->size, 300);
	assert_int_equal(fs->wasted_bytes, 1400);
	assert_int_equal(fs->layers[0].wasted, 1000);
	assert_int_equal(fs->layers[1].wasted, 400);
	assert_int_equal(fs->layers[2].wasted, 0);
	assert_int_equal(fs->layers[1].changed, 1);
	assert_int_equal(fs->nwasted, 1);
	assert_string_equal(fs->wasted[0].path, "/app/data");
	assert_int_equal(fs->wasted[0].copies, 3);
	assert_int_equal(fs->wasted[0].wasted, 1400);
	/* dive: sum of per-path minimums over sum of all sizes: (300 + 10) / (1700 + 10). */
	assert_float_equal(fs->efficiency, 310.0 / 1710.0, 1e-9);
	hull_fs_free(fs);
	for (int i = 0; i < 3; i++)
		hull_layer_release(&layers[i]);
}

static void test_type_changes_and_symlink_parents(void **state)
{
	(void)state;
	static const struct spec l1[] = {
		{"usr/lib", 'f', NULL, 7},     /* a file replaces a directory and its subtree */
		{"etc/passwd/", 'd', NULL, 0}, /* a directory replaces a file */
		{"lib/x", 'f', "y", 0},	       /* through the /lib -> usr/lib symlink... */
	};
	const struct spec *specs[] = {base, l1};
	size_t counts[] = {ARRAY_SIZE(base), ARRAY_SIZE(l1)};
	struct hull_layer layers[2];
	struct hull_fs *fs = merge_specs(specs, counts, 2, layers);
	assert_int_equal(find(fs, "/usr/lib")->type, HULL_FT_DIR); /* ...which re-made it */
	assert_non_null(find(fs, "/usr/lib/x"));
	assert_null(find(fs, "/usr/lib/big"));
	assert_null(find(fs, "/lib/x"));
	assert_int_equal(find(fs, "/etc/passwd")->type, HULL_FT_DIR);
	assert_int_equal(fs->wasted_bytes, 5000 + 11 + 7);
	hull_fs_free(fs);
	hull_layer_release(&layers[0]);
	hull_layer_release(&layers[1]);
}

static void test_duplicates_and_dangling_hardlink(void **state)
{
	(void)state;
	static const struct spec l0[] = {
		{"a", 'f', NULL, 50}, {"a", 'f', NULL, 20}, {"h", 'h', "nowhere", 0}};
	const struct spec *specs[] = {l0};
	size_t counts[] = {3};
	struct hull_layer layers[1];
	struct hull_fs *fs = merge_specs(specs, counts, 1, layers);
	assert_int_equal(find(fs, "/a")->size, 20);
	assert_int_equal(fs->wasted_bytes, 50);
	assert_non_null(strstr(warnings.buf, "appears twice"));
	assert_non_null(strstr(warnings.buf, "points to missing /nowhere"));
	assert_int_equal(find(fs, "/h")->type, HULL_FT_HARDLINK);
	hull_fs_free(fs);
	hull_layer_release(&layers[0]);
}

static void test_resolve(void **state)
{
	(void)state;
	static const struct spec l0[] = {
		{"usr/bin/env", 'f', "e", 0}, {"bin", 'l', "usr/bin", 0},
		{"x", 'l', "/bin/env", 0},    {"loop/a", 'l', "b", 0},
		{"loop/b", 'l', "a", 0},      {"up", 'l', "../../../usr", 0},
	};
	const struct spec *specs[] = {l0};
	size_t counts[] = {ARRAY_SIZE(l0)};
	struct hull_layer layers[1];
	struct hull_fs *fs = merge_specs(specs, counts, 1, layers);
	const struct hull_file *f;
	struct hull_err err = {0};
	assert_int_equal(hull_fs_resolve(fs, "/x", true, &f, &err), 0);
	assert_string_equal(f->path, "/usr/bin/env");
	assert_int_equal(hull_fs_resolve(fs, "/x", false, &f, &err), 0);
	assert_string_equal(f->path, "/x");
	assert_int_equal(hull_fs_resolve(fs, "/up/bin/env", true, &f, &err), 0);
	assert_string_equal(f->path, "/usr/bin/env");
	assert_int_equal(hull_fs_resolve(fs, "/loop/a", true, &f, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "too many levels"));
	hull_err_clear(&err);
	assert_int_equal(hull_fs_resolve(fs, "/nope", true, &f, &err), HULL_ENOTFOUND);
	hull_err_clear(&err);
	hull_fs_free(fs);
	hull_layer_release(&layers[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_compressions_agree, setup),
		cmocka_unit_test_setup(test_compressions_agree_pipelined, setup),
		cmocka_unit_test_setup(test_gzip_multi_member_and_damage, setup),
		cmocka_unit_test_setup(test_damage_pipelined, setup),
		cmocka_unit_test_setup(test_limits, setup),
		cmocka_unit_test_setup(test_hostile_names, setup),
		cmocka_unit_test_setup(test_whiteouts, setup),
		cmocka_unit_test_setup(test_replace_and_efficiency, setup),
		cmocka_unit_test_setup(test_type_changes_and_symlink_parents, setup),
		cmocka_unit_test_setup(test_duplicates_and_dangling_hardlink, setup),
		cmocka_unit_test_setup(test_resolve, setup),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	strbuf_release(&warnings);
	return rc;
}
