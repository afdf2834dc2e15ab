/* Unit tests for src/vuln/osv.c: the same advisory as JSON and as YAML gives the same
 * record; severity rules; malformed records; notes for dropped or doubtful parts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/arena.h"
#include "util/strbuf.h"
#include "vuln/db.h"
#include "vuln/jtree.h"
#include "vuln/osv.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char rec_json[] =
	"{\"id\":\"GHSA-1\",\"modified\":\"2024-01-02T00:00:00Z\",\"published\":\"2024-01-01T00:00:"
	"00Z\",\"aliases\":[\"CVE-2024-1\"],\"summary\":\"s\",\"details\":\"d\","
	"\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/"
	"A:H\"}],"
	"\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"Foo_Bar\",\"purl\":\"pkg:"
	"pypi/foo-bar\"},\"ranges\":[{\"type\":\"GIT\",\"repo\":\"r\",\"events\":[{\"introduced\":"
	"\"abc\"}]},{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.0\"}]"
	"}],"
	"\"versions\":[\"0.9\"],\"database_specific\":{\"severity\":\"MODERATE\"}}],"
	"\"database_specific\":{\"severity\":\"LOW\"},"
	"\"references\":[{\"type\":\"WEB\",\"url\":\"https://a\"},{\"type\":\"WEB\",\"url\":"
	"\"https://b\"}]}";

static const char rec_yaml[] = "id: GHSA-1\n"
			       "modified: 2024-01-02T00:00:00Z\n"
			       "published: '2024-01-01T00:00:00Z'\n"
			       "aliases: [CVE-2024-1]\n"
			       "summary: s\n"
			       "details: d\n"
			       "severity:\n"
			       "- type: CVSS_V3\n"
			       "  score: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\n"
			       "affected:\n"
			       "- package:\n"
			       "    ecosystem: PyPI\n"
			       "    name: Foo_Bar\n"
			       "    purl: pkg:pypi/foo-bar\n"
			       "  ranges:\n"
			       "  - type: GIT\n"
			       "    repo: r\n"
			       "    events:\n"
			       "    - introduced: abc\n"
			       "  - type: ECOSYSTEM\n"
			       "    events:\n"
			       "    - introduced: '0'\n"
			       "    - fixed: 1.0\n"
			       "  versions:\n"
			       "  - 0.9\n"
			       "  database_specific: {severity: MODERATE}\n"
			       "database_specific:\n"
			       "  severity: LOW\n"
			       "references:\n"
			       "- {type: WEB, url: 'https://a'}\n"
			       "- {type: WEB, url: 'https://b'}\n";

struct notes {
	int count[HULL_OSV_NOTE_COUNT];
};

static void on_note(enum hull_osv_note kind, const char *msg, void *ctx)
{
	struct notes *n = ctx;
	assert_non_null(strstr(msg, "test.osv"));
	n->count[kind]++;
}

static void check_record(const struct hull_osv *r)
{
	assert_string_equal(r->id, "GHSA-1");
	assert_string_equal(r->modified, "2024-01-02T00:00:00Z");
	assert_string_equal(r->published, "2024-01-01T00:00:00Z");
	assert_null(r->withdrawn);
	assert_int_equal(r->naliases, 1);
	assert_string_equal(r->aliases[0], "CVE-2024-1");
	assert_int_equal(r->naffected, 1);
	assert_string_equal(r->affected[0].ecosystem, "PyPI");
	assert_string_equal(r->affected[0].name, "Foo_Bar");
	assert_string_equal(r->affected[0].purl, "pkg:pypi/foo-bar");
	assert_string_equal(r->affected[0].ranges,
			    "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},"
			    "{\"fixed\":\"1.0\"}]}]");
	assert_string_equal(r->affected[0].versions, "[\"0.9\"]");
	assert_string_equal(r->affected[0].severity, "MEDIUM");
	assert_string_equal(r->urls, "[\"https://a\",\"https://b\"]");
	/* CVSS wins over the source's own rating. */
	assert_string_equal(r->severity, "CRITICAL");
	assert_string_equal(r->cvss_vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
	assert_true(r->cvss_score == 9.8 && r->cvss3_score == 9.8);
	assert_null(r->cvss4_vector);
}

static void test_json_and_yaml_agree(void **state)
{
	(void)state;
	struct hull_osv r;
	struct notes n = {0};
	struct hull_err err = {0};
	assert_int_equal(hull_osv_parse(rec_json, strlen(rec_json), HULL_OSV_JSON, "test.osv", &r,
					on_note, &n, &err),
			 0);
	check_record(&r);
	hull_osv_free(&r);
	assert_int_equal(n.count[HULL_OSV_NOTE_GIT_RANGE], 1);
	memset(&n, 0, sizeof(n));
	if (hull_osv_parse(rec_yaml, strlen(rec_yaml), HULL_OSV_YAML, "test.osv", &r, on_note, &n,
			   &err))
		fail_msg("%s", err.msg);
	check_record(&r);
	hull_osv_free(&r);
	assert_int_equal(n.count[HULL_OSV_NOTE_GIT_RANGE], 1);
	assert_int_equal(n.count[HULL_OSV_NOTE_BAD_VERSION], 0);
}

static const char *severity_of(const char *json)
{
	static char buf[64];
	struct hull_osv r;
	struct hull_err err = {0};
	if (hull_osv_parse(json, strlen(json), HULL_OSV_JSON, "test.osv", &r, NULL, NULL, &err))
		fail_msg("%s", err.msg);
	snprintf(buf, sizeof(buf), "%s", r.severity);
	hull_osv_free(&r);
	return buf;
}

static void test_severity_rules(void **state)
{
	(void)state;
	/* v4 is preferred over a higher v3. */
	assert_string_equal(
		severity_of(
			"{\"id\":\"X\",\"severity\":[{\"type\":\"CVSS_V3\",\"score\":\"CVSS:3.1/"
			"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"},{\"type\":\"CVSS_V4\",\"score\":"
			"\"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N\"}]}"),
		"MEDIUM");
	/* The source's rating, mapped. */
	assert_string_equal(
		severity_of("{\"id\":\"X\",\"database_specific\":{\"severity\":\"Important\"}}"),
		"HIGH");
	assert_string_equal(severity_of("{\"id\":\"X\",\"severity\":[{\"type\":\"Ubuntu\","
					"\"score\":\"medium\"}]}"),
			    "MEDIUM");
	assert_string_equal(severity_of("{\"id\":\"X\",\"summary\":\"Critical: openssl update\"}"),
			    "CRITICAL");
	/* The highest per-package rating when nothing else is there. */
	assert_string_equal(
		severity_of("{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"npm\","
			    "\"name\":\"a\"},\"ecosystem_specific\":{\"severity\":\"low\"}},"
			    "{\"package\":{\"ecosystem\":\"npm\",\"name\":\"b\"},"
			    "\"database_specific\":{\"severity\":\"HIGH\"}}]}"),
		"HIGH");
	assert_string_equal(severity_of("{\"id\":\"X\"}"), "UNKNOWN");
	/* A 0.0 vector is UNKNOWN; an invalid one is ignored. */
	assert_string_equal(
		severity_of("{\"id\":\"X\",\"severity\":[{\"type\":\"CVSS_V3\","
			    "\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N\"}]}"),
		"UNKNOWN");
	assert_string_equal(severity_of("{\"id\":\"X\",\"database_specific\":{\"severity\":"
					"\"LOW\"},\"severity\":[{\"type\":\"CVSS_V3\",\"score\":"
					"\"CVSS:3.1/AV:N\"}]}"),
			    "LOW");
	assert_string_equal(hull_osv_rating("Negligible"), "LOW");
	assert_string_equal(hull_osv_rating("whatever"), "UNKNOWN");
}

static void test_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"[]",
		"{}",
		"{\"id\":\"\"}",
		"{\"id\":5}",
		"{\"id\":\"X\",\"aliases\":\"CVE\"}",
		"{\"id\":\"X\",\"aliases\":[1]}",
		"{\"id\":\"X\",\"affected\":{}}",
		"{\"id\":\"X\",\"affected\":[{\"package\":{\"name\":\"a\"}}]}",
		"{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"Go\",\"name\":\"a\"},"
		"\"ranges\":[{\"type\":\"WEIRD\",\"events\":[]}]}]}",
		"{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"Go\",\"name\":\"a\"},"
		"\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"fixed\":1}]}]}]}",
		"{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"Go\",\"name\":\"a\"},"
		"\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"other\":\"1\"}]}]}]}",
		"{\"id\":\"X\",\"severity\":[{\"type\":\"CVSS_V3\"}]}",
		"{\"id\":\"X\",\"references\":[\"https://a\"]}",
		"{\"id\":\"X\",\"id\":\"Y\"}",
		"{\"id\":\"X\",\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]"
		"]]]"
		"]]]]]]]]]]]]]]]]]]]]]]}",
		"not json",
		NULL,
	};
	for (size_t i = 0; bad[i]; i++) {
		struct hull_osv r;
		struct hull_err err = {0};
		int rc = hull_osv_parse(bad[i], strlen(bad[i]), HULL_OSV_JSON, "test.osv", &r, NULL,
					NULL, &err);
		if (rc != HULL_EINPUT || !err.msg || !strstr(err.msg, "test.osv"))
			fail_msg("accepted or no message: %s", bad[i]);
		hull_err_clear(&err);
	}
	static const char *const bad_yaml[] = {
		"id: X\naffected: 3\n",
		"- a\n- b\n",
		"id: X\n---\nid: Y\n",
		"id: [X\n",
		"a: &a [1, 1, 1]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: &d [*c, *c, "
		"*c]\n"
		"id: X\n",
		NULL,
	};
	for (size_t i = 0; bad_yaml[i]; i++) {
		struct hull_osv r;
		struct hull_err err = {0};
		int rc = hull_osv_parse(bad_yaml[i], strlen(bad_yaml[i]), HULL_OSV_YAML, "test.osv",
					&r, NULL, NULL, &err);
		if (i == 4) {
			/* Aliases are copied within the node budget: a small one is fine. */
			assert_int_equal(rc, 0);
			hull_osv_free(&r);
			continue;
		}
		if (rc != HULL_EINPUT || !err.msg)
			fail_msg("accepted: %s", bad_yaml[i]);
		hull_err_clear(&err);
	}
}

static void test_notes(void **state)
{
	(void)state;
	static const char j[] =
		"{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":"
		"\"a\"},"
		"\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":"
		"\"!!\"}]}],\"versions\":[\"1.0-1\",\"bad version\"]},"
		"{\"package\":{\"ecosystem\":\"Zebra\",\"name\":\"z\"}},{\"ranges\":[]}],"
		"\"severity\":[{\"type\":\"CVSS_V4\",\"score\":\"CVSS:4.0/AV:N\"}]}";
	struct hull_osv r;
	struct notes n = {0};
	struct hull_err err = {0};
	if (hull_osv_parse(j, strlen(j), HULL_OSV_JSON, "test.osv", &r, on_note, &n, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(r.naffected, 2);
	assert_string_equal(r.affected[1].ranges, "[]");
	assert_null(r.affected[1].versions);
	hull_osv_free(&r);
	assert_int_equal(n.count[HULL_OSV_NOTE_BAD_VERSION], 2);
	assert_int_equal(n.count[HULL_OSV_NOTE_UNKNOWN_ECOSYSTEM], 1);
	assert_int_equal(n.count[HULL_OSV_NOTE_NO_PACKAGE], 1);
	assert_int_equal(n.count[HULL_OSV_NOTE_BAD_CVSS], 1);
}

static void test_pkgname_and_duration(void **state)
{
	(void)state;
	char *s = hull_vuln_pkgname("PyPI", "Foo__Bar.-baz_");
	assert_string_equal(s, "foo-bar-baz-");
	free(s);
	s = hull_vuln_pkgname("npm", "Foo_Bar");
	assert_string_equal(s, "Foo_Bar");
	free(s);
	long long d;
	assert_int_equal(hull_parse_duration("36h", &d), 0);
	assert_int_equal(d, 36 * 3600);
	assert_int_equal(hull_parse_duration("7d", &d), 0);
	assert_int_equal(d, 7 * 86400);
	assert_int_equal(hull_parse_duration("90", &d), 0);
	assert_int_equal(d, 90);
	assert_int_equal(hull_parse_duration("7y", &d), HULL_EUSAGE);
	assert_int_equal(hull_parse_duration("-1d", &d), HULL_EUSAGE);
	assert_int_equal(hull_parse_duration("99999999999999999999d", &d), HULL_EUSAGE);
}

/* jtree accepts exactly what jansson (JSON_REJECT_DUPLICATES) accepts, and writes back
 * what json_dumps(JSON_COMPACT) writes. */
static void jtree_agrees(const char *doc, size_t len)
{
	json_error_t je;
	json_t *j = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &je);
	char *buf = malloc(len + 1);
	memcpy(buf, doc, len);
	buf[len] = '\0';
	struct arena a = ARENA_INIT;
	struct jnode root;
	struct jtree_err e;
	int rc = jtree_parse(buf, len, &a, 64, &root, &e);
	if ((rc == 0) != (j != NULL))
		fail_msg("jtree %s, jansson %s: %.*s", rc ? e.msg : "accepts",
			 j ? "accepts" : je.text, (int)len, doc);
	if (!rc) {
		struct strbuf sb = STRBUF_INIT;
		jtree_dump(&sb, &root);
		json_t *back = json_loads(sb.buf, 0, NULL);
		assert_true(back && json_equal(back, j));
		if (!strpbrk(doc, "0123456789")) {
			char *want = json_dumps(j, JSON_COMPACT);
			assert_string_equal(sb.buf, want);
			free(want);
		}
		json_decref(back);
		strbuf_release(&sb);
	} else {
		assert_true(e.line >= 1 && e.column >= 1);
	}
	json_decref(j);
	arena_free(&a);
	free(buf);
}

static void test_jtree_matches_jansson(void **state)
{
	(void)state;
	static const char *const docs[] = {
		/* accepted */
		"{}",
		"[]",
		" \t\r\n[ ]\n",
		"{\"a\":[true,false,null,\"x\"]}",
		"[\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t\"]",
		"[\"\\u00e9\\u20ac\\ud83d\\ude00\"]",
		"[\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"]",
		"[\"\\u0001\\u001f\\u007f\"]",
		"[0,-0,1.5,-2e10,3E+2,4e-2,9223372036854775807,-9223372036854775808,1e-400]",
		"{\"a\":{\"b\":{\"c\":[[[]]]}}}",
		"{\"a\":1,\"b\":2,\"A\":3,\"a \":4}",
		"[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\\"bbbbbbbbbbbbbbbbbbbb\"]",
		/* rejected */
		"",
		" ",
		"1",
		"\"s\"",
		"null",
		"[1,]",
		"{\"a\":1,}",
		"[1 2]",
		"{\"a\" 1}",
		"{a:1}",
		"[01]",
		"[1.]",
		"[.5]",
		"[+1]",
		"[-]",
		"[1e]",
		"[tru]",
		"[nul]",
		"[\"a]",
		"[\"a",
		"[\"\\x\"]",
		"[\"\\u12\"]",
		"[\"\\ud800\"]",
		"[\"\\udc00\"]",
		"[\"\\ud800\\u0041\"]",
		"[\"\\u0000\"]",
		"[\"a\tb\"]",
		"[\"\xc0\xaf\"]",
		"[\"\xed\xa0\x80\"]",
		"[\"\xf4\x90\x80\x80\"]",
		"[\"\xe2\x82\"]",
		"[\"\x80\"]",
		"[\xc3\xa9]",
		"[] []",
		"{\"a\":1,\"a\":2}",
		"{\"a\":{\"b\":1,\"b\":1}}",
		"[9223372036854775808]",
		"[-9223372036854775809]",
		"[1e400]",
		"[-1e400]",
		"{\"a\":1]",
		"[1}",
		NULL,
	};
	for (size_t i = 0; docs[i]; i++)
		jtree_agrees(docs[i], strlen(docs[i]));
	/* A NUL byte, inside and outside strings. */
	jtree_agrees("[\"a\0b\"]", 7);
	jtree_agrees("[1,\0]", 5);
	/* jansson skips a NUL byte right after a number or a literal; jtree does not. */
	static const char *const nul_after[] = {"[2\0]", "[true\0]", "{\"a\":2\0,\"b\":3}"};
	static const size_t nul_len[] = {4, 7, 15};
	for (size_t i = 0; i < ARRAY_SIZE(nul_after); i++) {
		char b[16];
		memcpy(b, nul_after[i], nul_len[i]);
		b[nul_len[i]] = '\0';
		struct arena na = ARENA_INIT;
		struct jnode nr;
		struct jtree_err ne;
		assert_int_equal(jtree_parse(b, nul_len[i], &na, 64, &nr, &ne), -1);
		arena_free(&na);
	}
	/* Duplicate keys in a large object (found by sorting) and none. */
	struct strbuf sb = STRBUF_INIT;
	for (int dup = 0; dup < 2; dup++) {
		strbuf_reset(&sb);
		strbuf_addch(&sb, '{');
		for (int k = 0; k < 100; k++)
			strbuf_addf(&sb, "%s\"k%d\":\"v\"", k ? "," : "", k);
		strbuf_adds(&sb, dup ? ",\"k57\":\"w\"}" : "}");
		jtree_agrees(sb.buf, sb.len);
	}
	/* Depth: 64 levels below the root are fine, 65 are not (and say so). */
	for (int depth = 64; depth <= 65; depth++) {
		strbuf_reset(&sb);
		for (int k = 0; k <= depth; k++)
			strbuf_addch(&sb, '[');
		for (int k = 0; k <= depth; k++)
			strbuf_addch(&sb, ']');
		struct arena a = ARENA_INIT;
		struct jnode root;
		struct jtree_err e;
		int rc = jtree_parse(sb.buf, sb.len, &a, 64, &root, &e);
		assert_int_equal(rc, depth == 64 ? 0 : -1);
		assert_int_equal(e.too_deep, depth != 64);
		arena_free(&a);
		/* jtree_parse decodes in place: sb is still brackets only here. */
	}
	strbuf_release(&sb);
	/* Error positions count lines and columns. */
	char doc[] = "{\n  \"a\": [1,\n   x]}";
	struct arena a = ARENA_INIT;
	struct jnode root;
	struct jtree_err e;
	assert_int_equal(jtree_parse(doc, strlen(doc), &a, 64, &root, &e), -1);
	assert_int_equal(e.line, 3);
	assert_int_equal(e.column, 4);
	arena_free(&a);
}

/* The in-place parse keeps the record's strings in the caller's buffer, decoded. */
static void test_parse_inplace(void **state)
{
	(void)state;
	static const char doc[] =
		"{\"id\":\"X-\\u0031\",\"summary\":\"a "
		"\\\"quoted\\\"\\nline\",\"details\":\"\\u00e9\","
		"\"aliases\":[\"CVE-1\"],\"references\":[{\"url\":\"https:\\/\\/e\\\\x\"}],"
		"\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"A.B_c\"},"
		"\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}],"
		"\"database_specific\":{\"n\":1.50,\"s\":\"\\t\"}}]}]}";
	char *buf = strdup(doc);
	struct hull_osv r;
	struct hull_err err = {0};
	if (hull_osv_parse_inplace(buf, strlen(buf), HULL_OSV_JSON, "test.osv", &r, NULL, NULL,
				   NULL, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(r.id, "X-1");
	assert_true(r.id >= buf && r.id < buf + sizeof(doc));
	assert_string_equal(r.summary, "a \"quoted\"\nline");
	assert_string_equal(r.details, "\xc3\xa9");
	assert_string_equal(r.urls, "[\"https://e\\\\x\"]");
	assert_string_equal(r.affected[0].name, "A.B_c");
	assert_string_equal(r.affected[0].key, "a-b-c");
	/* Events and other members kept as written (numbers too). */
	assert_string_equal(r.affected[0].ranges,
			    "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"}],"
			    "\"database_specific\":{\"n\":1.50,\"s\":\"\\t\"}}]");
	hull_osv_free(&r);
	free(buf);
}

/* With a cache, valid versions are remembered per comparator; invalid ones are noted
 * every time. */
static void test_version_cache(void **state)
{
	(void)state;
	static const char doc[] =
		"{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"PyPI\",\"name\":\"a\"},"
		"\"versions\":[\"1.0\",\"v1.0\",\"1.0\",\"1.0-1\",\"bad version\"]},"
		"{\"package\":{\"ecosystem\":\"Debian:12\",\"name\":\"b\"},"
		"\"versions\":[\"1.0-1\",\"v1.0\",\"1.0\",\"bad version\",\"0:\"]}]}";
	struct hull_osv_cache *cache = hull_osv_cache_new();
	for (int round = 0; round < 3; round++) {
		char *buf = strdup(doc);
		struct hull_osv r;
		struct notes n = {0};
		struct hull_err err = {0};
		if (hull_osv_parse_inplace(buf, strlen(buf), HULL_OSV_JSON, "test.osv", &r, on_note,
					   &n, round ? cache : NULL, &err))
			fail_msg("%s", err.msg);
		/* "bad version" in both ecosystems, Debian's "0:" (empty upstream) and "v1.0"
		 * (valid in PEP 440, not in Debian: the cache is per comparator). */
		assert_int_equal(n.count[HULL_OSV_NOTE_BAD_VERSION], 4);
		hull_osv_free(&r);
		free(buf);
	}
	hull_osv_cache_free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_and_yaml_agree),
		cmocka_unit_test(test_severity_rules),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_notes),
		cmocka_unit_test(test_pkgname_and_duration),
		cmocka_unit_test(test_jtree_matches_jansson),
		cmocka_unit_test(test_parse_inplace),
		cmocka_unit_test(test_version_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
