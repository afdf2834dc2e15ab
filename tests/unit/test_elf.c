/* Unit tests for src/build/elf.c: real host binaries compared with readelf, ELF files
 * built here in every class and byte order, and truncated or hostile ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "build/elf.h"
#include "util/strbuf.h"

#include <stdio.h>
#include <string.h>

static char *slurp(const char *path, size_t *len)
{
	char *data;
	struct hull_err err = {0};
	if (hull_read_file(path, 1u << 30, &data, len, &err)) {
		hull_err_clear(&err);
		return NULL;
	}
	return data;
}

/* readelf's view: "NEEDED:libc.so.6\n", "SONAME:…", "RUNPATH:…", "RPATH:…" and
 * "INTERP:…" lines, in file order. */
static char *readelf_view(const char *path)
{
	_cleanup_free_ char *cmd = xasprintf("LC_ALL=C readelf -W -d -l '%s' 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	if (!p)
		return NULL;
	struct strbuf sb = STRBUF_INIT;
	char line[4096];
	static const char *const tags[] = {"NEEDED", "SONAME", "RUNPATH", "RPATH"};
	while (fgets(line, sizeof(line), p)) {
		char *s = strstr(line, "[Requesting program interpreter: ");
		if (s) {
			s += strlen("[Requesting program interpreter: ");
			strbuf_addf(&sb, "INTERP:%.*s\n", (int)strcspn(s, "]"), s);
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(tags); i++) {
			_cleanup_free_ char *t = xasprintf("(%s)", tags[i]);
			char *at = strstr(line, t), *lb = at ? strchr(at, '[') : NULL;
			if (lb)
				strbuf_addf(&sb, "%s:%.*s\n", tags[i], (int)strcspn(lb + 1, "]"),
					    lb + 1);
		}
	}
	pclose(p);
	return strbuf_detach(&sb, NULL);
}

static char *our_view(const struct hull_elf *e)
{
	struct strbuf sb = STRBUF_INIT;
	if (e->interp)
		strbuf_addf(&sb, "INTERP:%s\n", e->interp);
	for (size_t i = 0; i < e->nneeded; i++)
		strbuf_addf(&sb, "NEEDED:%s\n", e->needed[i]);
	if (e->soname)
		strbuf_addf(&sb, "SONAME:%s\n", e->soname);
	if (e->runpath)
		strbuf_addf(&sb, "RUNPATH:%s\n", e->runpath);
	if (e->rpath)
		strbuf_addf(&sb, "RPATH:%s\n", e->rpath);
	return strbuf_detach(&sb, NULL);
}

/* readelf prints the dynamic tags in table order; compare as sorted line sets. */
static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *sorted(char *s)
{
	char *v[512];
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, "\n", &save); t && n < 512; t = strtok_r(NULL, "\n", &save))
		v[n++] = t;
	qsort(v, n, sizeof(*v), cmp_line);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s\n", v[i]);
	free(s);
	return strbuf_detach(&sb, NULL);
}

static void check_host(const char *path, bool want_interp)
{
	size_t len;
	_cleanup_free_ char *data = slurp(path, &len);
	if (!data) {
		print_message("# skip: %s not on this host\n", path);
		return;
	}
	struct hull_elf e;
	struct hull_err err = {0};
	assert_int_equal(hull_elf_parse(data, len, path, &e, &err), 0);
	assert_int_equal(e.bits, 64);
	assert_false(e.big_endian);
	assert_int_equal(e.machine, 62);
	assert_true(e.dynamic);
	assert_true(e.nneeded > 0 || e.soname);
	if (want_interp)
		assert_non_null(e.interp);
	char *want = sorted(readelf_view(path));
	char *got = sorted(our_view(&e));
	assert_string_equal(got, want);
	free(want);
	free(got);
	hull_elf_release(&e);
}

static void test_host_binaries(void **state)
{
	(void)state;
	check_host("/bin/ls", true);
	check_host("/usr/lib/x86_64-linux-gnu/libc.so.6", false);
	check_host("/usr/lib/x86_64-linux-gnu/libarchive.so.13", false);
}

/* Every prefix of a real binary: parsed or refused with an error naming it. */
static void test_truncated_prefixes(void **state)
{
	(void)state;
	size_t len;
	_cleanup_free_ char *data = slurp("/bin/ls", &len);
	if (!data)
		return;
	size_t ok = 0, bad = 0;
	for (size_t n = 0; n < len; n += n < 8192 ? 1 : 4093) {
		char *copy = xmalloc(n ? n : 1);
		memcpy(copy, data, n);
		struct hull_elf e;
		struct hull_err err = {0};
		if (hull_elf_parse(copy, n, "/bin/ls", &e, &err)) {
			assert_non_null(err.msg);
			assert_true(!strncmp(err.msg, "/bin/ls: ", 9));
			hull_err_clear(&err);
			bad++;
		} else {
			hull_elf_release(&e);
			ok++;
		}
		free(copy);
	}
	assert_true(bad > 60); /* the header and program headers at least */
	assert_true(ok > 0);   /* the whole dynamic section is early in the file */
	struct hull_elf e;
	struct hull_err err = {0};
	assert_int_equal(hull_elf_parse(data, 40, "/x", &e, &err), HULL_EINPUT);
	assert_string_equal(err.msg, "/x: truncated ELF: header past the end of the file");
	hull_err_clear(&err);
	assert_int_equal(hull_elf_parse(data, 100, "/x", &e, &err), HULL_EINPUT);
	assert_string_equal(err.msg, "/x: truncated ELF: program headers past the end of the file");
	hull_err_clear(&err);
	assert_int_equal(hull_elf_parse("#!/bin/sh\n", 10, "/s", &e, &err), HULL_EINPUT);
	assert_string_equal(err.msg, "/s: not an ELF file");
	hull_err_clear(&err);
}

/* ------------------------------------------------------------ ELF files built here */

struct mk {
	unsigned char b[4096];
	bool b64, be;
};

static void put(struct mk *m, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned shift = 8 * (m->be ? n - 1 - i : i);
		m->b[off + i] = (unsigned char)(v >> shift);
	}
}

static void put_word(struct mk *m, size_t off, uint64_t v)
{
	put(m, off, v, m->b64 ? 8 : 4);
}

enum { PH = 0x100, DYN = 0x200, STR = 0x300, INTERP = 0x3f0, VADDR = 0x10000 };

/* An ELF with PT_LOAD (all of the file at VADDR), PT_INTERP, PT_DYNAMIC with two
 * DT_NEEDED, a DT_RUNPATH and a DT_SONAME; hooks tweak it afterwards. */
static size_t build(struct mk *m, bool b64, bool be)
{
	memset(m, 0, sizeof(*m));
	m->b64 = b64, m->be = be;
	memcpy(m->b,
	       "\x7f"
	       "ELF",
	       4);
	m->b[4] = b64 ? 2 : 1;
	m->b[5] = be ? 2 : 1;
	m->b[6] = 1;
	put(m, 16, 3, 2);			 /* ET_DYN */
	put(m, 18, b64 ? 183 : 20, 2);		 /* AArch64 / PowerPC */
	put_word(m, b64 ? 32 : 28, PH);		 /* e_phoff */
	put(m, b64 ? 54 : 42, b64 ? 56 : 32, 2); /* e_phentsize */
	put(m, b64 ? 56 : 44, 3, 2);		 /* e_phnum */
	static const char strtab[] = "\0liba.so.1\0libb.so.2\0$ORIGIN/../lib\0libx.so";
	memcpy(m->b + STR, strtab, sizeof(strtab));
	strcpy((char *)m->b + INTERP, "/lib/ld-test.so.1");
	unsigned phs = b64 ? 56 : 32;
	struct {
		uint32_t type;
		uint64_t off, vaddr, filesz;
	} ph[] = {{1, 0, VADDR, sizeof(m->b)},
		  {3, INTERP, VADDR + INTERP, 18},
		  {2, DYN, VADDR + DYN, 0x100}};
	for (unsigned i = 0; i < 3; i++) {
		size_t o = PH + i * phs;
		put(m, o, ph[i].type, 4);
		if (b64) {
			put(m, o + 8, ph[i].off, 8);
			put(m, o + 16, ph[i].vaddr, 8);
			put(m, o + 32, ph[i].filesz, 8);
		} else {
			put(m, o + 4, ph[i].off, 4);
			put(m, o + 8, ph[i].vaddr, 4);
			put(m, o + 16, ph[i].filesz, 4);
		}
	}
	uint64_t dyn[][2] = {{1, 1},	       {1, 11},	 {29, 21}, {14, 36},
			     {5, VADDR + STR}, {10, 44}, {0, 0}};
	unsigned es = b64 ? 16 : 8;
	for (unsigned i = 0; i < ARRAY_SIZE(dyn); i++) {
		put_word(m, DYN + i * es, dyn[i][0]);
		put_word(m, DYN + i * es + es / 2, dyn[i][1]);
	}
	return sizeof(m->b);
}

static void test_classes_and_orders(void **state)
{
	(void)state;
	for (int k = 0; k < 4; k++) {
		struct mk m;
		size_t len = build(&m, k & 1, k & 2);
		struct hull_elf e;
		struct hull_err err = {0};
		assert_int_equal(hull_elf_parse(m.b, len, "/t", &e, &err), 0);
		assert_int_equal(e.bits, k & 1 ? 64 : 32);
		assert_int_equal(e.big_endian, !!(k & 2));
		assert_int_equal(e.machine, k & 1 ? 183 : 20);
		assert_string_equal(e.interp, "/lib/ld-test.so.1");
		assert_int_equal(e.nneeded, 2);
		assert_string_equal(e.needed[0], "liba.so.1");
		assert_string_equal(e.needed[1], "libb.so.2");
		assert_string_equal(e.runpath, "$ORIGIN/../lib");
		assert_string_equal(e.soname, "libx.so");
		assert_null(e.rpath);
		hull_elf_release(&e);
	}
}

static void expect_error(struct mk *m, const char *want)
{
	struct hull_elf e;
	struct hull_err err = {0};
	assert_int_equal(hull_elf_parse(m->b, sizeof(m->b), "/h", &e, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, want));
	assert_null(e.needed);
	hull_err_clear(&err);
}

static void test_hostile(void **state)
{
	(void)state;
	struct mk m;
	unsigned es = 16;
	build(&m, true, false); /* a DT_NEEDED offset far past the string table */
	put_word(&m, DYN + 8, 1u << 30);
	expect_error(&m, "outside the string table");
	build(&m, true, false); /* DT_STRTAB outside every PT_LOAD */
	put_word(&m, DYN + 4 * es + 8, 0x7fff0000);
	expect_error(&m, "DT_STRTAB outside every loaded segment");
	build(&m, true, false); /* unterminated strings up to the end of the file */
	memset(m.b + STR + 36, 'x', sizeof(m.b) - STR - 36);
	put_word(&m, DYN + 5 * es + 8, 1u << 20); /* DT_STRSZ larger than the file */
	expect_error(&m, "unterminated");
	build(&m, true, false); /* an unterminated DT_SONAME within DT_STRSZ */
	put_word(&m, DYN + 5 * es + 8, 40);
	expect_error(&m, "unterminated DT_SONAME string");
	build(&m, true, false); /* PT_DYNAMIC past the end */
	put(&m, PH + 2 * 56 + 8, 4000, 8);
	expect_error(&m, "PT_DYNAMIC past the end of the file");
	build(&m, true, false); /* PT_INTERP huge */
	put(&m, PH + 56 + 32, UINT64_MAX, 8);
	expect_error(&m, "PT_INTERP past the end of the file");
	build(&m, false, true); /* e_phoff wraps */
	put_word(&m, 28, 0xffffffff);
	expect_error(&m, "program headers past the end of the file");
	build(&m, true, false); /* PN_XNUM with no section header */
	put(&m, 56, 0xffff, 2);
	put_word(&m, 40, 1ull << 40);
	expect_error(&m, "extended program header count");
	build(&m, true, false);		/* no DT_STRTAB */
	put_word(&m, DYN + 4 * es, 12); /* DT_INIT instead */
	expect_error(&m, "without DT_STRTAB");
	build(&m, true, false);
	m.b[4] = 7;
	expect_error(&m, "unknown class");
	build(&m, true, false); /* every dynamic entry a DT_NEEDED: no DT_STRTAB left */
	for (unsigned i = 0; i < 16; i++) {
		put_word(&m, DYN + i * es, 1);
		put_word(&m, DYN + i * es + 8, 1);
	}
	struct hull_elf e;
	struct hull_err err = {0};
	assert_int_equal(hull_elf_parse(m.b, sizeof(m.b), "/h", &e, &err), HULL_EINPUT);
	assert_non_null(strstr(err.msg, "without DT_STRTAB"));
	hull_err_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_binaries),
		cmocka_unit_test(test_truncated_prefixes),
		cmocka_unit_test(test_classes_and_orders),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
