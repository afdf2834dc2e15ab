/* Unit tests for src/source: platforms, OCI layouts, docker archives, bad references. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "source/source.h"
#include "util/strbuf.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Writes a blob, returns its digest (static buffer rotation). */
static const char *blob(const char *dir, const char *data)
{
	static char bufs[8][HULL_DIGEST_LEN + 1];
	static int k;
	char *d = bufs[k++ % 8];
	hull_sha256_buf(data, strlen(data), d);
	char name[128];
	snprintf(name, sizeof(name), "blobs/sha256/%s", d + 7);
	write_file(dir, name, data, strlen(data));
	return d;
}

/* An empty tar: the layer every test image uses. */
static const char empty_tar[1024];
static const char *empty_tar_diffid(void)
{
	static char d[HULL_DIGEST_LEN + 1];
	hull_sha256_buf(empty_tar, sizeof(empty_tar), d);
	return d;
}

static char *config_json(const char *arch, const char *variant)
{
	return xasprintf("{\"architecture\":\"%s\",%s%s%s\"os\":\"linux\",\"config\":{\"User\":"
			 "\"1000\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
			 arch, variant ? "\"variant\":\"" : "", variant ? variant : "",
			 variant ? "\"," : "", empty_tar_diffid());
}

/* Writes an image manifest for arch; returns "digest size" pieces. */
static char *manifest_for(const char *dir, const char *arch, const char *variant, size_t *mlen,
			  char mdigest[HULL_DIGEST_LEN + 1])
{
	char *cfg = config_json(arch, variant);
	char cdg[HULL_DIGEST_LEN + 1];
	strcpy(cdg, blob(dir, cfg));
	char ldg[HULL_DIGEST_LEN + 1];
	hull_sha256_buf(empty_tar, sizeof(empty_tar), ldg);
	char name[128];
	snprintf(name, sizeof(name), "blobs/sha256/%s", ldg + 7);
	write_file(dir, name, empty_tar, sizeof(empty_tar));
	char *man = xasprintf(
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
		"\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":\"application/"
		"vnd.oci.image.layer.v1.tar\",\"digest\":\"%s\",\"size\":1024}]}",
		cdg, strlen(cfg), ldg);
	strcpy(mdigest, blob(dir, man));
	*mlen = strlen(man);
	free(cfg);
	return man;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/hull-unit-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd);
}

static void test_platform(void **state)
{
	(void)state;
	struct hull_platform p;
	assert_int_equal(hull_platform_parse("linux/arm/v7", &p), 0);
	assert_string_equal(p.arch, "arm");
	assert_string_equal(p.variant, "v7");
	assert_true(hull_platform_match(&p, "linux", "arm", NULL)); /* arm defaults to v7 */
	assert_false(hull_platform_match(&p, "linux", "arm", "v6"));
	hull_platform_free(&p);
	assert_int_equal(hull_platform_parse(NULL, &p), 0);
	assert_true(hull_platform_match(&p, "linux", "amd64", NULL));
	assert_false(hull_platform_match(&p, "windows", "amd64", NULL));
	hull_platform_free(&p);
	assert_int_equal(hull_platform_parse("linux", &p), HULL_EUSAGE);
	assert_int_equal(hull_platform_parse("linux/", &p), HULL_EUSAGE);
	assert_int_equal(hull_platform_parse("a/b/c/d", &p), HULL_EUSAGE);
}

static void write_layout(const char *dir, const char *index)
{
	write_file(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	write_file(dir, "index.json", index, strlen(index));
}

static void test_oci_platforms(void **state)
{
	(void)state;
	char amd[HULL_DIGEST_LEN + 1], arm[HULL_DIGEST_LEN + 1];
	size_t la, lr;
	free(manifest_for(tmpdir, "amd64", NULL, &la, amd));
	free(manifest_for(tmpdir, "arm64", "v8", &lr, arm));
	char *index = xasprintf(
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/"
		"vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,\"platform\":{"
		"\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},{\"mediaType\":"
		"\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,"
		"\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}",
		arm, lr, amd, la);
	write_layout(tmpdir, index);
	free(index);
	char src[128];
	snprintf(src, sizeof(src), "oci:%s", tmpdir);
	struct hull_image *img;
	struct hull_err err = {0};
	assert_int_equal(hull_image_open(src, NULL, &img, &err), 0);
	assert_string_equal(img->architecture, "amd64");
	assert_string_equal(img->manifest_digest, amd);
	assert_int_equal(img->nlayers, 1);
	assert_string_equal(img->layers[0].diff_id, empty_tar_diffid());
	hull_image_free(img);
	struct hull_open_opts o = {.platform = "linux/arm64"};
	assert_int_equal(hull_image_open(src, &o, &img, &err), 0);
	assert_string_equal(img->architecture, "arm64");
	hull_image_free(img);
	o.platform = "linux/s390x";
	assert_int_equal(hull_image_open(src, &o, &img, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "linux/arm64/v8, linux/amd64"));
	hull_err_clear(&err);
	/* A bare directory with oci-layout is detected as oci:. */
	assert_int_equal(hull_image_open(tmpdir, NULL, &img, &err), 0);
	assert_int_equal(img->transport, HULL_SRC_OCI);
	hull_image_free(img);
}

static void test_oci_refs_and_damage(void **state)
{
	(void)state;
	char dg[HULL_DIGEST_LEN + 1];
	size_t len;
	char *man = manifest_for(tmpdir, "amd64", NULL, &len, dg);
	char *index = xasprintf(
		"{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/"
		"vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,\"annotations\":{"
		"\"org.opencontainers.image.ref.name\":\"v1\"}},{\"mediaType\":\"application/"
		"vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\",\"size\":%zu,\"annotations\":{"
		"\"org.opencontainers.image.ref.name\":\"v2\"}}]}",
		dg, len, dg, len);
	write_layout(tmpdir, index);
	free(index);
	char src[128];
	struct hull_image *img;
	struct hull_err err = {0};
	snprintf(src, sizeof(src), "oci:%s", tmpdir);
	assert_int_equal(hull_image_open(src, NULL, &img, &err), HULL_EUSAGE);
	assert_non_null(strstr(err.msg, "v1, v2"));
	hull_err_clear(&err);
	snprintf(src, sizeof(src), "oci:%s:v2", tmpdir);
	assert_int_equal(hull_image_open(src, NULL, &img, &err), 0);
	assert_string_equal(img->repo_tags[0], "v2");
	hull_image_free(img);
	snprintf(src, sizeof(src), "oci:%s:v3", tmpdir);
	assert_int_equal(hull_image_open(src, NULL, &img, &err), HULL_EINPUT);
	hull_err_clear(&err);
	/* A manifest blob whose bytes no longer match its digest. */
	char name[128];
	snprintf(name, sizeof(name), "blobs/sha256/%s", dg + 7);
	man[10] = man[10] == '1' ? '2' : '1';
	write_file(tmpdir, name, man, len);
	snprintf(src, sizeof(src), "oci:%s:v1", tmpdir);
	assert_int_equal(hull_image_open(src, NULL, &img, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "corrupt"));
	hull_err_clear(&err);
	/* A missing manifest blob. */
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	unlink(path);
	assert_int_equal(hull_image_open(src, NULL, &img, &err), HULL_ENOTFOUND);
	assert_non_null(strstr(err.msg, "missing"));
	hull_err_clear(&err);
	free(man);
	/* Duplicate keys in index.json are refused. */
	write_layout(tmpdir, "{\"schemaVersion\":2,\"schemaVersion\":2,\"manifests\":[]}");
	assert_int_equal(hull_image_open(src, NULL, &img, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "duplicate"));
	hull_err_clear(&err);
}

struct member {
	const char *name;
	const char *data; /* NULL: a symlink to link */
	const char *link;
	size_t len;
};

static void write_tar(const char *path, const struct member *m, size_t n)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_perm(e, 0644);
		if (m[i].link) {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, m[i].link);
		} else {
			size_t len = m[i].len ? m[i].len : strlen(m[i].data);
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)len);
			archive_write_header(a, e);
			archive_write_data(a, m[i].data, len);
			archive_entry_free(e);
			continue;
		}
		archive_write_header(a, e);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}

static void test_docker_archive(void **state)
{
	(void)state;
	char *cfg = config_json("amd64", NULL);
	char cdg[HULL_DIGEST_LEN + 1];
	hull_sha256_buf(cfg, strlen(cfg), cdg);
	char cfgname[80];
	snprintf(cfgname, sizeof(cfgname), "%s.json", cdg + 7);
	char *manifest = xasprintf("[{\"Config\":\"%s\",\"RepoTags\":[\"example/"
				   "img:1\"],\"Layers\":[\"abc/layer.tar\"]},"
				   "{\"Config\":\"%s\",\"RepoTags\":[\"example/"
				   "img:2\"],\"Layers\":[\"def/layer.tar\"]}]",
				   cfgname, cfgname);
	char ltar[80], rel[100];
	snprintf(ltar, sizeof(ltar), "%s.tar", empty_tar_diffid() + 7);
	snprintf(rel, sizeof(rel), "../%s", ltar);
	struct member m[] = {
		{"manifest.json", manifest, NULL, 0},
		{cfgname, cfg, NULL, 0},
		{ltar, empty_tar, NULL, sizeof(empty_tar)},
		/* skopeo's layout: a symlink to the content-addressed tar */
		{"abc/layer.tar", NULL, rel, 0},
		{"def/layer.tar", NULL, "../../../etc/passwd", 0},
	};
	char path[256];
	snprintf(path, sizeof(path), "%s/img.tar", tmpdir);
	write_tar(path, m, ARRAY_SIZE(m));
	char src[300];
	struct hull_image *img;
	struct hull_err err = {0};
	snprintf(src, sizeof(src), "docker-archive:%s", path);
	assert_int_equal(hull_image_open(src, NULL, &img, &err), HULL_EUSAGE);
	assert_non_null(strstr(err.msg, "example/img:1, example/img:2"));
	hull_err_clear(&err);
	snprintf(src, sizeof(src), "docker-archive:%s:example/img:1", path);
	assert_int_equal(hull_image_open(src, NULL, &img, &err), 0);
	assert_string_equal(img->config_digest, cdg);
	assert_null(img->manifest_digest);
	assert_int_equal(img->layers[0].blob.size, 1024);
	assert_false(img->layers[0].digest_known); /* "<id>/layer.tar" names no digest */
	hull_image_free(img);
	/* A symlink that leaves the archive is refused. */
	snprintf(src, sizeof(src), "docker-archive:%s:example/img:2", path);
	assert_int_equal(hull_image_open(src, NULL, &img, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "out of the archive"));
	hull_err_clear(&err);
	/* Bare path detection. */
	assert_int_equal(hull_image_open(path, NULL, &img, &err), HULL_EUSAGE);
	hull_err_clear(&err);
	/* A config whose content does not match its content-addressed name. */
	cfg[3] = 'X';
	m[1].data = cfg;
	write_tar(path, m, ARRAY_SIZE(m));
	snprintf(src, sizeof(src), "docker-archive:%s:example/img:1", path);
	assert_int_equal(hull_image_open(src, NULL, &img, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "corrupt"));
	hull_err_clear(&err);
	free(manifest);
	free(cfg);
}

static void test_bad_archives(void **state)
{
	(void)state;
	char path[256];
	struct hull_image *img;
	struct hull_err err = {0};
	snprintf(path, sizeof(path), "%s/x.tar.gz", tmpdir);
	write_file(tmpdir, "x.tar.gz", "\x1f\x8b\x08\0\0\0\0\0", 8);
	assert_int_equal(hull_image_open(path, NULL, &img, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "gzip-compressed"));
	hull_err_clear(&err);
	write_file(tmpdir, "empty", "", 0);
	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	assert_int_equal(hull_image_open(path, NULL, &img, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "empty"));
	hull_err_clear(&err);
	write_file(tmpdir, "junk", "this is not a tar file at all", 29);
	snprintf(path, sizeof(path), "docker-archive:%s/junk", tmpdir);
	assert_int_equal(hull_image_open(path, NULL, &img, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "not a tar"));
	hull_err_clear(&err);
	assert_int_equal(hull_image_open("/nonexistent/x", NULL, &img, &err), HULL_EINPUT);
	hull_err_clear(&err);
	struct hull_open_opts o = {.platform = "bogus"};
	assert_int_equal(hull_image_open(tmpdir, &o, &img, &err), HULL_EUSAGE);
	hull_err_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_platform),
		cmocka_unit_test_setup_teardown(test_oci_platforms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oci_refs_and_damage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docker_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_archives, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
