/* Unit tests for src/util: strbuf, JSON escaping, paths, sizes, maps, digests, and the YAML
 * reader on short hostile inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/hash.h"
#include "util/jsonw.h"
#include "util/path.h"
#include "util/pool.h"
#include "util/progress.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/util.h"
#include "util/yaml.h"

#include <fcntl.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_strbuf(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i);
	assert_int_equal(sb.len, strlen(sb.buf));
	assert_memory_equal(sb.buf, "0,1,2,", 6);
	size_t len;
	char *s = strbuf_detach(&sb, &len);
	assert_int_equal(len, 3890);
	assert_null(sb.buf);
	free(s);
}

static void check_escape(const char *in, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_add_json_escaped(&sb, in);
	assert_string_equal(sb.buf, want);
	strbuf_release(&sb);
}

static void test_json_escape(void **state)
{
	(void)state;
	check_escape("a\"b\\c\n\t", "a\\\"b\\\\c\\n\\t");
	check_escape("\x01\x7f", "\\u0001\\u007f");
	check_escape("caf\xc3\xa9", "caf\xc3\xa9"); /* valid UTF-8 kept */
	check_escape("bad\xff"
		     "x",
		     "bad\\ufffdx");			       /* invalid byte replaced */
	check_escape("\xc3", "\\ufffd");		       /* truncated sequence */
	check_escape("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"); /* surrogate */
	check_escape("\xc0\xaf", "\\ufffd\\ufffd");	       /* overlong */
}

static void test_jsonw(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &sb);
	jsonw_obj_begin(&w, NULL);
	jsonw_str(&w, "a", "x");
	jsonw_arr_begin(&w, "b");
	jsonw_u64(&w, NULL, 1);
	jsonw_null(&w, NULL);
	jsonw_arr_end(&w);
	jsonw_arr_begin(&w, "c");
	jsonw_arr_end(&w);
	json_t *v = json_pack("{s:[i,s]}", "k", 1, "z");
	jsonw_value(&w, "d", v);
	json_decref(v);
	jsonw_obj_end(&w);
	json_error_t je;
	json_t *back = json_loads(sb.buf, 0, &je);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(back, "a")), "x");
	assert_int_equal(json_array_size(json_object_get(back, "b")), 2);
	assert_int_equal(json_array_size(json_object_get(back, "c")), 0);
	assert_string_equal(json_string_value(json_array_get(
				    json_object_get(json_object_get(back, "d"), "k"), 1)),
			    "z");
	json_decref(back);
	strbuf_release(&sb);
}

static void check_clean(const char *in, const char *want, int want_flags)
{
	int flags;
	char *p = hull_path_clean(in, &flags);
	assert_string_equal(p, want);
	assert_int_equal(flags, want_flags);
	free(p);
}

static void test_path_clean(void **state)
{
	(void)state;
	check_clean("usr/bin/env", "/usr/bin/env", 0);
	check_clean("./usr//bin/./env/", "/usr/bin/env", 0);
	check_clean("/etc/passwd", "/etc/passwd", HULL_PATH_ABSOLUTE);
	check_clean("a/b/../c", "/a/c", 0);
	check_clean("../../etc/passwd", "/etc/passwd", HULL_PATH_ESCAPES);
	check_clean("a/../../x", "/x", HULL_PATH_ESCAPES);
	check_clean("./", "/", 0);
	check_clean("", "/", 0);
	char *d = hull_path_dirname("/a/b");
	assert_string_equal(d, "/a");
	free(d);
	d = hull_path_dirname("/a");
	assert_string_equal(d, "/");
	free(d);
	assert_true(hull_path_is_below("/a/b", "/a"));
	assert_false(hull_path_is_below("/ab", "/a"));
	assert_true(hull_path_is_below("/x", "/"));
	assert_false(hull_path_is_below("/", "/"));
}

static void test_parse_size(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(hull_parse_size("123", &v), 0);
	assert_int_equal(v, 123);
	assert_int_equal(hull_parse_size("16M", &v), 0);
	assert_int_equal(v, 16ULL << 20);
	assert_int_equal(hull_parse_size("32GiB", &v), 0);
	assert_int_equal(v, 32ULL << 30);
	assert_int_equal(hull_parse_size("2GB", &v), 0);
	assert_int_equal(v, 2000000000ULL);
	assert_int_equal(hull_parse_size("1.5G", &v), HULL_EUSAGE);
	assert_int_equal(hull_parse_size("-1", &v), HULL_EUSAGE);
	assert_int_equal(hull_parse_size("10Q", &v), HULL_EUSAGE);
	assert_int_equal(hull_parse_size("99999999999999999999", &v), HULL_EUSAGE);
	assert_int_equal(hull_parse_size("20000000000T", &v), HULL_EUSAGE);
}

static void test_strmap(void **state)
{
	(void)state;
	struct strmap m = STRMAP_INIT;
	char keys[5000][16];
	for (int i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "/k/%d", i);
		assert_null(strmap_put(&m, keys[i], (void *)(intptr_t)(i + 1)));
	}
	assert_int_equal(m.len, 5000);
	for (int i = 0; i < 5000; i++)
		assert_int_equal((intptr_t)strmap_get(&m, keys[i]), i + 1);
	assert_null(strmap_get(&m, "/k/5000"));
	assert_int_equal((intptr_t)strmap_getn(&m, "/k/12zz", 5), 13);
	/* every prefix of a text, its hash grown a byte at a time */
	const char *text = "/k/123";
	uint64_t h = STRMAP_HASH_START;
	intptr_t found[6] = {0};
	for (size_t k = 0; k < 6; k++) {
		h = strmap_hash_add(h, (unsigned char)text[k]);
		assert_true(strmap_hash_end(h) == strmap_hash(text, k + 1));
		found[k] = (intptr_t)strmap_getnh(&m, text, k + 1, strmap_hash_end(h));
	}
	assert_int_equal(found[3], 2);	 /* "/k/1" */
	assert_int_equal(found[4], 13);	 /* "/k/12" */
	assert_int_equal(found[5], 124); /* "/k/123" */
	assert_int_equal(found[2], 0);
	assert_int_equal((intptr_t)strmap_put(&m, keys[7], (void *)99), 8);
	assert_int_equal((intptr_t)strmap_get(&m, keys[7]), 99);
	strmap_free(&m);
}

static void test_sha256(void **state)
{
	(void)state;
	char d[HULL_DIGEST_LEN + 1];
	hull_sha256_buf("abc", 3, d);
	assert_string_equal(
		d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_true(hull_digest_valid(d));
	assert_false(hull_digest_valid("sha256:BA7816"));
	assert_false(hull_digest_valid(
		"sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

static void add_one(void *ctx, size_t i)
{
	atomic_fetch_add((atomic_size_t *)ctx, i + 1);
}

static void test_parallel_for(void **state)
{
	(void)state;
	atomic_size_t sum;
	atomic_init(&sum, 0);
	hull_parallel_for(1000, 4, add_one, &sum);
	assert_int_equal(atomic_load(&sum), 500500);
	atomic_init(&sum, 0);
	hull_parallel_for(10, 1, add_one, &sum);
	assert_int_equal(atomic_load(&sum), 55);
}

static void test_err(void **state)
{
	(void)state;
	struct hull_err err = {0};
	assert_int_equal(hull_err_set(&err, HULL_EINPUT, "first %d", 1), HULL_EINPUT);
	hull_err_set(&err, HULL_EIO, "second");
	assert_string_equal(err.msg, "first 1");
	hull_err_prefix(&err, "img.tar");
	assert_string_equal(err.msg, "img.tar: first 1");
	hull_err_clear(&err);
	assert_null(err.msg);
}

/* -o to a FIFO or device writes into it; it must not be replaced by a regular file. */
static void test_write_atomic_special_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/hull-unit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char fifo[64], reg[64];
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	snprintf(reg, sizeof(reg), "%s/out.json", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	int rd = open(fifo, O_RDONLY | O_NONBLOCK);
	assert_true(rd >= 0);
	struct hull_err err = {0};
	assert_int_equal(hull_write_file_atomic(fifo, "hello", 5, &err), 0);
	char buf[8] = {0};
	assert_int_equal(read(rd, buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	close(rd);
	struct stat sb;
	assert_int_equal(lstat(fifo, &sb), 0);
	assert_true(S_ISFIFO(sb.st_mode));
	assert_int_equal(hull_write_file_atomic(reg, "{}", 2, &err), 0);
	assert_int_equal(lstat(reg, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_size, 2);
	assert_int_equal(hull_write_file_atomic(dir, "x", 1, &err), HULL_EUSAGE);
	hull_err_clear(&err);
	unlink(fifo);
	unlink(reg);
	rmdir(dir);
}

static void test_progress(void **state)
{
	(void)state;
	char b[32];
	hull_human_size(999, b, sizeof(b));
	assert_string_equal(b, "999 B");
	hull_human_size(1000, b, sizeof(b));
	assert_string_equal(b, "1.0 kB");
	hull_human_size(1234567, b, sizeof(b));
	assert_string_equal(b, "1.2 MB");
	hull_human_size(5000000000ull, b, sizeof(b));
	assert_string_equal(b, "5.0 GB");
	/* NULL hooks and displays do nothing */
	hull_progress_report(NULL, 1, 1);
	struct hull_progress_hook none = hull_progress_hook(NULL);
	hull_progress_report(&none, 1, 1);
	hull_progress_end(NULL);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	setenv("COLUMNS", "60", 1); /* a pipe has no window size */
	struct hull_progress *p = hull_progress_new(fds[1]);
	struct hull_progress_hook h = hull_progress_hook(p);
	hull_progress_begin_phase(&h, "reading layers", 3, 3000000);
	hull_progress_report(&h, 1, 1500000); /* within 100 ms of the last draw: not drawn */
	usleep(120000);
	hull_progress_report(&h, 0, 0);
	hull_progress_end(p);
	close(fds[1]);
	char out[512];
	ssize_t n = read(fds[0], out, sizeof(out) - 1);
	close(fds[0]);
	assert_true(n > 0);
	out[n] = '\0';
	const char *want = "\rhull: reading layers: 0/3, 0 B / 3.0 MB\033[K"
			   "\rhull: reading layers: 1/3, 1.5 MB / 3.0 MB\033[K\r\033[K";
	/* no rate in the first 0.2 s */
	assert_string_equal(out, want);
	unsetenv("COLUMNS");
}

static int yaml_any(const struct knode *root, size_t index, void *ctx)
{
	(void)root;
	(void)index;
	(*(size_t *)ctx)++;
	return 0;
}

/* Short strings of YAML's indicators, tabs and newlines: each one parses or is refused with
 * a message, and nothing crashes. libfyaml 0.7 wrote to freed memory when destroying a
 * parser after "? n:\t?" (a tab before a block indicator inside an explicit key). */
static void test_yaml_short_inputs(void **state)
{
	(void)state;
	static const char alpha[] = "?:- \t\na[]{},#&*!|>\"'%.";
	/* "%X" is a directive libfyaml warns about before the error, and the warning quotes
	 * the line, which may itself look like an error (found by fuzz_lintcfg) */
	const char *known[] = {"? n:\t?",	  "? a}!'-:\t?", "? :&a&}]*:\t:",
			       "a: b\n? n:\t-\n", "%X\n? n:\t?", "%\n%: error: \n? n?  :\t?"};
	uint32_t x = 2463534242u; /* xorshift32: the same strings on every libc */
	size_t refused = 0;
	for (size_t k = 0; k < 60000 + ARRAY_SIZE(known); k++) {
		char buf[24];
		size_t len;
		if (k < ARRAY_SIZE(known)) {
			len = strlen(known[k]);
			memcpy(buf, known[k], len);
		} else {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			len = 1 + x % 16;
			for (size_t i = 0; i < len; i++) {
				x ^= x << 13, x ^= x >> 17, x ^= x << 5;
				buf[i] = alpha[x % (sizeof(alpha) - 1)];
			}
		}
		struct arena a = ARENA_INIT;
		struct hull_err err = {0};
		size_t docs = 0;
		if (hull_yaml_parse(buf, len, &a, yaml_any, &docs, &err)) {
			assert_non_null(err.msg);
			if (k < ARRAY_SIZE(known))
				assert_non_null(strstr(err.msg, "cannot use tab for indentation"));
			hull_err_clear(&err);
			refused++;
		}
		arena_free(&a);
	}
	assert_true(refused > 1000); /* the strings reach the error paths */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_jsonw),
		cmocka_unit_test(test_path_clean),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_strmap),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_parallel_for),
		cmocka_unit_test(test_err),
		cmocka_unit_test(test_write_atomic_special_files),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_yaml_short_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
