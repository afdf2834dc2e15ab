/* Unit tests for src/build: the reproducible layer writer read back by libarchive, and
 * image assembly read back by src/source. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "build/imagew.h"
#include "build/layerw.h"
#include "build/spec.h"
#include "source/source.h"
#include "util/hash.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char tmpdir[64];

static void write_host(const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char long_name[200];

/* The same entries, added in an order that depends on flip. */
static void build(bool flip, struct hull_built_layer *out)
{
	struct hull_layerw *w;
	struct hull_err err = {0};
	assert_int_equal(hull_layerw_new(tmpdir, 1700000000, &w, &err), 0);
	char host[256];
	snprintf(host, sizeof(host), "%s/host.txt", tmpdir);
	if (flip)
		assert_int_equal(
			hull_layerw_add_host_file(w, "/usr/bin/tool", 0755, 0, 0, host, &err), 0);
	assert_int_equal(
		hull_layerw_add_file(w, "etc/passwd", 0644, 0, 0, "root:x:0:0::/:\n", 15, &err), 0);
	assert_int_equal(hull_layerw_add_dir(w, "/home/nonroot/", 0700, 65532, 65532, &err), 0);
	assert_int_equal(hull_layerw_add_symlink(w, "/bin", "usr/bin", 0, 0, &err), 0);
	assert_int_equal(hull_layerw_add_file(w, long_name, 0600, 1, 2, "x", 1, &err), 0);
	if (!flip)
		assert_int_equal(
			hull_layerw_add_host_file(w, "/usr/bin/tool", 0755, 0, 0, host, &err), 0);
	assert_int_equal(hull_layerw_add_hardlink(w, "/usr/bin/tool2", "/usr/bin/tool", &err), 0);
	assert_int_equal(hull_layerw_finish(w, out, &err), 0);
	assert_null(err.msg);
	hull_layerw_free(w);
}

static void file_digest(const char *path, char *out)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct hull_sha256 h;
	hull_sha256_init(&h);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		hull_sha256_update(&h, buf, n);
	fclose(f);
	hull_sha256_final(&h, out);
}

static void gunzip_digest(const char *path, char *out, uint64_t *len)
{
	gzFile g = gzopen(path, "rb");
	assert_non_null(g);
	struct hull_sha256 h;
	hull_sha256_init(&h);
	char buf[4096];
	int n;
	*len = 0;
	while ((n = gzread(g, buf, sizeof(buf))) > 0) {
		hull_sha256_update(&h, buf, (size_t)n);
		*len += (uint64_t)n;
	}
	gzclose(g);
	hull_sha256_final(&h, out);
}

static void test_layer_reproducible(void **state)
{
	(void)state;
	write_host("host.txt", "#!/bin/sh\necho hi\n");
	memset(long_name, 'a', 150);
	memcpy(long_name, "opt/", 4);
	long_name[150] = '\0';
	struct hull_built_layer a, b;
	build(false, &a);
	build(true, &b);
	assert_string_equal(a.digest, b.digest);
	assert_string_equal(a.diff_id, b.diff_id);
	char d[HULL_DIGEST_LEN + 1];
	file_digest(a.blob_path, d);
	assert_string_equal(d, a.digest);
	uint64_t len;
	gunzip_digest(a.blob_path, d, &len);
	assert_string_equal(d, a.diff_id);
	assert_int_equal(len, a.uncompressed);
	struct stat sb;
	assert_int_equal(stat(a.blob_path, &sb), 0);
	assert_int_equal((uint64_t)sb.st_size, a.size);

	/* read back: sorted, implied parents, owners, modes, mtime, long name, links */
	struct archive *ar = archive_read_new();
	archive_read_support_filter_gzip(ar);
	archive_read_support_format_tar(ar);
	assert_int_equal(archive_read_open_filename(ar, a.blob_path, 4096), ARCHIVE_OK);
	const char *want[] = {"bin",	       "etc/",	       "etc/passwd",   "home/",
			      "home/nonroot/", "opt/",	       long_name,      "usr/",
			      "usr/bin/",      "usr/bin/tool", "usr/bin/tool2"};
	struct archive_entry *e;
	size_t i = 0;
	while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
		assert_true(i < ARRAY_SIZE(want));
		assert_string_equal(archive_entry_pathname(e), want[i]);
		assert_int_equal(archive_entry_mtime(e), 1700000000);
		assert_false(archive_entry_atime_is_set(e));
		const char *un = archive_entry_uname(e);
		assert_true(!un || !*un);
		if (!strcmp(want[i], "home/nonroot/")) {
			assert_int_equal(archive_entry_perm(e), 0700);
			assert_int_equal(archive_entry_uid(e), 65532);
		}
		if (!strcmp(want[i], "usr/"))
			assert_int_equal(archive_entry_perm(e), 0755);
		if (!strcmp(want[i], "bin"))
			assert_string_equal(archive_entry_symlink(e), "usr/bin");
		if (!strcmp(want[i], "usr/bin/tool2"))
			assert_string_equal(archive_entry_hardlink(e), "usr/bin/tool");
		if (!strcmp(want[i], "usr/bin/tool")) {
			char buf[64] = {0};
			assert_int_equal(archive_read_data(ar, buf, sizeof(buf)), 18);
			assert_string_equal(buf, "#!/bin/sh\necho hi\n");
			assert_int_equal(archive_entry_perm(e), 0755);
		}
		i++;
	}
	assert_int_equal(i, ARRAY_SIZE(want));
	archive_read_free(ar);
	hull_built_layer_release(&a);
	hull_built_layer_release(&b);
}

static void test_layer_errors(void **state)
{
	(void)state;
	struct hull_layerw *w;
	struct hull_err err = {0};
	assert_int_equal(hull_layerw_new(tmpdir, 0, &w, &err), 0);
	assert_int_equal(hull_layerw_add_file(w, "/a/../b", 0644, 0, 0, "", 0, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, ".."));
	hull_err_clear(&err);
	assert_int_equal(hull_layerw_add_file(w, "/", 0644, 0, 0, "", 0, &err), HULL_EINPUT);
	hull_err_clear(&err);
	assert_int_equal(hull_layerw_add_file(w, "/f", 0644, 0, 0, "", 0, &err), 0);
	assert_int_equal(hull_layerw_add_file(w, "f", 0644, 0, 0, "", 0, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "twice"));
	hull_err_clear(&err);
	assert_int_equal(hull_layerw_add_file(w, "/f/g", 0644, 0, 0, "", 0, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "not a directory"));
	hull_err_clear(&err);
	assert_int_equal(hull_layerw_add_hardlink(w, "/h", "/nothing", &err), 0);
	assert_true(hull_layerw_has(w, "/f"));
	struct hull_built_layer l;
	assert_int_equal(hull_layerw_finish(w, &l, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "hard link"));
	hull_err_clear(&err);
	hull_layerw_free(w);
}

static void test_assemble(void **state)
{
	(void)state;
	struct hull_layerw *w;
	struct hull_err err = {0};
	assert_int_equal(hull_layerw_new(tmpdir, 0, &w, &err), 0);
	assert_int_equal(hull_layerw_add_file(w, "/hello", 0755, 0, 0, "hi", 2, &err), 0);
	struct hull_built_layer l;
	assert_int_equal(hull_layerw_finish(w, &l, &err), 0);
	hull_layerw_free(w);
	json_t *cfg = json_pack("{s:s, s:s, s:s, s:{s:s}}", "architecture", "amd64", "os", "linux",
				"created", "1970-01-01T00:00:00Z", "config", "User", "65532");
	char dest[128], dest2[128];
	snprintf(dest, sizeof(dest), "oci:%s/out:v1", tmpdir);
	snprintf(dest2, sizeof(dest2), "oci-archive:%s/out.tar", tmpdir);
	char *d1 = NULL, *d2 = NULL;
	assert_int_equal(
		hull_image_assemble_write(cfg, NULL, &l, 1, NULL, dest, NULL, tmpdir, &d1, &err),
		0);
	assert_int_equal(
		hull_image_assemble_write(cfg, NULL, &l, 1, NULL, dest2, NULL, tmpdir, &d2, &err),
		0);
	assert_string_equal(d1, d2);
	struct hull_image *img;
	assert_int_equal(hull_image_open(dest, NULL, &img, &err), 0);
	assert_string_equal(img->manifest_digest, d1);
	assert_int_equal(img->nlayers, 1);
	assert_string_equal(img->layers[0].diff_id, l.diff_id);
	assert_string_equal(img->layers[0].digest, l.digest);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(img->config, "config"), "User")),
		"65532");
	json_t *h = json_object_get(img->config, "history");
	assert_int_equal(json_array_size(h), 1);
	hull_image_free(img);
	assert_int_equal(hull_image_open(dest2 + 0, NULL, &img, &err), 0);
	assert_string_equal(img->manifest_digest, d1);
	hull_image_free(img);

	/* with a base: its layer first */
	struct hull_image *base;
	assert_int_equal(hull_image_open(dest, NULL, &base, &err), 0);
	char dest3[128];
	snprintf(dest3, sizeof(dest3), "docker-archive:%s/out-docker.tar", tmpdir);
	char *d3 = NULL;
	assert_int_equal(
		hull_image_assemble_write(cfg, base, &l, 1, NULL, dest3, NULL, tmpdir, &d3, &err),
		0);
	hull_image_free(base);
	assert_int_equal(hull_image_open(dest3, NULL, &img, &err), 0);
	assert_int_equal(img->nlayers, 2);
	assert_string_equal(img->layers[0].diff_id, l.diff_id);
	hull_image_free(img);
	json_decref(cfg);
	free(d1);
	free(d2);
	free(d3);
	hull_built_layer_release(&l);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hull-test-build-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hull_rm_rf(tmpdir);
	return 0;
}

/* ${…} in files.src and debs: every variable, Debian's architecture names, literal '$'. */
static void test_platform_subst(void **state)
{
	(void)state;
	static const struct {
		const char *pf, *in, *out;
	} cases[] = {
		{"linux/arm64", "./dist/${ARCH}/app", "./dist/arm64/app"},
		{"linux/arm/v7", "${OS}-${ARCH}-${VARIANT}", "linux-arm-v7"},
		{"linux/arm/v7", "${PLATFORM}/x_${DEBARCH}.deb", "linux/arm/v7/x_armhf.deb"},
		{"linux/arm/v6", "${DEBARCH}", "armel"},
		{"linux/386", "${DEBARCH}", "i386"},
		{"linux/ppc64le", "${DEBARCH}", "ppc64el"},
		{"linux/amd64", "${DEBARCH}${VARIANT}", "amd64"},
		{"linux/amd64", "a$b${c$", "a$b${c$"},
		{"linux/amd64", "${ARCH", "${ARCH"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hull_platform pl;
		assert_int_equal(hull_platform_parse(cases[i].pf, &pl), 0);
		char *got = hull_bspec_subst(cases[i].in, &pl);
		assert_string_equal(got, cases[i].out);
		free(got);
		hull_platform_free(&pl);
	}
}

static void test_spec_platforms(void **state)
{
	(void)state;
	static const struct {
		const char *text, *err; /* err NULL: parses */
	} cases[] = {
		{"files: [{src: ./a, dst: /a}]\nplatforms: [linux/amd64, linux/arm/v7]\n", NULL},
		{"files: [{src: \"./${ARCH}/a\", dst: /a}]\n", NULL},
		{"files: [{src: \"./${arch}/a\", dst: /a}]\n", "t.yaml:1:16: files.src"},
		{"files: [{src: ./a, dst: /a}]\nplatforms: []\n",
		 "t.yaml:2:12: platforms must list"},
		{"", "t.yaml: the spec is empty"},
		{"# nothing\n", "t.yaml: the spec is empty"},
		{"files: [{src: ./a, dst: /a}]\nplatforms: linux/amd64\n", "must be a list"},
		{"files: [{src: ./a, dst: /a}]\nplatforms: [linux]\n", "t.yaml:2:13: platforms"},
		{"files: [{src: ./a, dst: /a}]\nplatform: amd64\n",
		 "t.yaml:2:11: platform \"amd64\""},
		{"files: [{src: ./a, dst: /a}]\ndebs: [\"${X}\"]\n", "t.yaml:2:9: debs \"${X}\""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hull_bspec *s = NULL;
		struct hull_err err = {0};
		int rc = hull_bspec_parse("t.yaml", cases[i].text, strlen(cases[i].text), &s, &err);
		if (!cases[i].err) {
			assert_int_equal(rc, 0);
			hull_bspec_free(s);
			continue;
		}
		assert_int_equal(rc, HULL_EINPUT);
		assert_null(s);
		if (!strstr(err.msg, cases[i].err))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, cases[i].err);
		hull_err_clear(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layer_reproducible), cmocka_unit_test(test_layer_errors),
		cmocka_unit_test(test_assemble),	   cmocka_unit_test(test_platform_subst),
		cmocka_unit_test(test_spec_platforms),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
