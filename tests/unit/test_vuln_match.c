/* Unit tests for src/vuln/range.c and match.c: the OSV evaluation of ranges (introduced,
 * fixed, last_affected, limit, versions lists, unsorted events, bad versions) and the
 * matcher over a small DB made here with the vulndb schema (withdrawn, alias merging,
 * per-affected severity, source packages). Real data: tests/cli/test_vuln.py. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "vuln/match.h"

#include <stdio.h>
#include <string.h>

/* Evaluates and returns affected; *fixed gets a copy of the fixed version ("" for none). */
static int eval(const char *eco, const char *ranges, const char *versions, const char *v,
		char fixed[64], size_t *bad)
{
	const struct hull_vercmp *c = hull_vercmp_find(eco);
	assert_non_null(c);
	struct hull_vuln_eval ev;
	struct hull_err err = {0};
	int rc = hull_vuln_evaluate(c, ranges, versions, v, &ev, &err);
	if (rc) {
		assert_int_equal(rc, HULL_EINPUT);
		assert_non_null(err.msg);
		hull_err_clear(&err);
		return -1;
	}
	if (fixed)
		snprintf(fixed, 64, "%s", ev.fixed ? ev.fixed : "");
	if (bad)
		*bad = ev.bad_ranges;
	assert_true(ev.affected || !ev.fixed);
	int a = ev.affected;
	hull_vuln_eval_release(&ev);
	return a;
}

#define R(type, ...) "[{\"type\":\"" type "\",\"events\":[" __VA_ARGS__ "]}]"

static void test_introduced_fixed(void **state)
{
	(void)state;
	char fx[64];
	const char *r = R("ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"2.36-9+deb12u3\"}");
	assert_int_equal(eval("Debian:12", r, NULL, "2.36-9+deb12u1", fx, NULL), 1);
	assert_string_equal(fx, "2.36-9+deb12u3");
	assert_int_equal(eval("Debian:12", r, NULL, "2.36-9+deb12u3", fx, NULL), 0);
	assert_int_equal(eval("Debian:12", r, NULL, "2.36-9+deb12u10", fx, NULL), 0);
	assert_int_equal(eval("Debian:12", r, NULL, "1:0.1", fx, NULL), 0); /* epoch */
	/* introduced > 0: below it nothing is affected. */
	r = R("ECOSYSTEM", "{\"introduced\":\"1.5-1\"},{\"fixed\":\"1.7-2\"}");
	assert_int_equal(eval("Debian:12", r, NULL, "1.4-9", fx, NULL), 0);
	assert_int_equal(eval("Debian:12", r, NULL, "1.5-1", fx, NULL), 1);
	assert_int_equal(eval("Debian:12", r, NULL, "1.7-1", fx, NULL), 1);
	assert_int_equal(eval("Debian:12", r, NULL, "1.7~rc1-1", fx, NULL), 1);
}

static void test_go_intervals(void **state)
{
	(void)state;
	char fx[64];
	/* GO-2024-2687: two intervals in one SEMVER range, a pre-release introduced. */
	const char *r = R("SEMVER", "{\"introduced\":\"0\"},{\"fixed\":\"1.21.9\"},"
				    "{\"introduced\":\"1.22.0-0\"},{\"fixed\":\"1.22.2\"}");
	assert_int_equal(eval("Go", r, NULL, "1.21.5", fx, NULL), 1);
	assert_string_equal(fx, "1.21.9");
	assert_int_equal(eval("Go", r, NULL, "1.21.9", fx, NULL), 0);
	assert_int_equal(eval("Go", r, NULL, "1.21.12", fx, NULL), 0);
	assert_int_equal(eval("Go", r, NULL, "1.22.0-rc.1", fx, NULL), 1);
	assert_int_equal(eval("Go", r, NULL, "1.22.1", fx, NULL), 1);
	assert_string_equal(fx, "1.22.2");
	/* A pseudo-version and +incompatible. */
	r = R("SEMVER", "{\"introduced\":\"0\"},{\"fixed\":\"20.10.11+incompatible\"}");
	assert_int_equal(eval("Go", r, NULL, "20.10.10+incompatible", fx, NULL), 1);
	assert_int_equal(eval("Go", r, NULL, "0.0.0-20210101000000-abcdefabcdef", fx, NULL), 1);
	assert_int_equal(eval("Go", r, NULL, "20.10.11+incompatible", fx, NULL), 0);
}

static void test_unsorted_events(void **state)
{
	(void)state;
	char fx[64];
	const char *r = R("ECOSYSTEM", "{\"fixed\":\"3.2.5\"},{\"introduced\":\"3.0.0\"},"
				       "{\"fixed\":\"1.0.2\"},{\"introduced\":\"1.0.0\"}");
	static const struct {
		const char *v;
		int want;
	} cases[] = {{"0.9", 0},   {"1.0.0", 1}, {"1.0.1", 1}, {"1.0.2", 0}, {"2.0", 0},
		     {"3.0.0", 1}, {"3.2.4", 1}, {"3.2.5", 0}, {"4.0.0", 0}, {"3.0.0rc1", 0}};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (eval("PyPI", r, NULL, cases[i].v, fx, NULL) != cases[i].want)
			fail_msg("PyPI %s: want %d", cases[i].v, cases[i].want);
	/* The lowest fixed above the version, not the first in the list. */
	assert_int_equal(eval("PyPI", r, NULL, "1.0.1", fx, NULL), 1);
	assert_string_equal(fx, "1.0.2");
}

static void test_last_affected_limit(void **state)
{
	(void)state;
	char fx[64];
	const char *r = R("ECOSYSTEM", "{\"introduced\":\"0\"},{\"last_affected\":\"2.1.214\"}");
	assert_int_equal(eval("Maven", r, NULL, "2.1.214", fx, NULL), 1);
	assert_string_equal(fx, "");
	assert_int_equal(eval("Maven", r, NULL, "2.1.215", fx, NULL), 0);
	r = R("SEMVER", "{\"introduced\":\"1.0.0\"},{\"limit\":\"2.0.0\"}");
	assert_int_equal(eval("npm", r, NULL, "1.9.9", fx, NULL), 1);
	assert_int_equal(eval("npm", r, NULL, "2.0.0", fx, NULL), 0);
	assert_int_equal(eval("npm", r, NULL, "2.5.0", fx, NULL), 0);
	/* Several limits: below any of them. "*" is infinity. */
	r = R("SEMVER", "{\"introduced\":\"1.0.0\"},{\"limit\":\"2.0.0\"},{\"limit\":\"*\"}");
	assert_int_equal(eval("npm", r, NULL, "2.5.0", fx, NULL), 1);
	/* A tie keeps the list order: introduced then fixed at one version is empty. */
	r = R("SEMVER", "{\"introduced\":\"1.0.0\"},{\"fixed\":\"1.0.0\"}");
	assert_int_equal(eval("npm", r, NULL, "1.0.0", fx, NULL), 0);
	r = R("SEMVER", "{\"fixed\":\"1.0.0\"},{\"introduced\":\"1.0.0\"}");
	assert_int_equal(eval("npm", r, NULL, "1.0.0", fx, NULL), 1);
}

static void test_versions_and_union(void **state)
{
	(void)state;
	char fx[64];
	size_t bad;
	/* The versions list alone, exact strings (escapes in the JSON too). */
	assert_int_equal(eval("PyPI", "[]", "[\"1.0\",\"1.0.5\"]", "1.0.5", fx, NULL), 1);
	assert_int_equal(eval("PyPI", "[]", "[\"1.0\",\"1.0.5\"]", "1.0.50", fx, NULL), 0);
	assert_int_equal(eval("PyPI", "[]", "[\"1.0\",\"1.0.5\"]", "1.0.0", fx, NULL), 0);
	assert_int_equal(eval("PyPI", "[]", "[\"1.\\u0030\"]", "1.0", fx, NULL), 1);
	assert_int_equal(eval("PyPI", NULL, "[\"1.0\"]", "1.0", fx, NULL), 1);
	/* An empty version matches only an empty string in the list. */
	assert_int_equal(eval("PyPI", "[]", "[\"1.0\"]", "", fx, NULL), 0);
	assert_int_equal(eval("PyPI", "[]", "[\"1.0\",\"\"]", "", fx, NULL), 1);
	/* Two ranges are a union. */
	const char *r = "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":"
			"\"1.1\"}]},{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"2.0\"},"
			"{\"fixed\":\"2.2\"}]}]";
	assert_int_equal(eval("PyPI", r, NULL, "1.0", fx, NULL), 1);
	assert_string_equal(fx, "1.1");
	assert_int_equal(eval("PyPI", r, NULL, "2.1", fx, NULL), 1);
	assert_string_equal(fx, "2.2");
	assert_int_equal(eval("PyPI", r, NULL, "1.5", fx, NULL), 0);
	/* GIT ranges are not evaluated; the versions list still is. */
	r = "[{\"type\":\"GIT\",\"repo\":\"x\",\"events\":[{\"introduced\":\"0\"}]}]";
	assert_int_equal(eval("PyPI", r, "[\"3.0\"]", "3.0", fx, &bad), 1);
	assert_int_equal(bad, 0);
	assert_int_equal(eval("PyPI", r, "[\"3.0\"]", "3.1", fx, &bad), 0);
}

static void test_bad_versions(void **state)
{
	(void)state;
	char fx[64];
	size_t bad;
	/* The installed version is not PEP 440: a note, not a match. */
	const char *r = R("ECOSYSTEM", "{\"introduced\":\"0\"},{\"fixed\":\"2.0\"}");
	assert_int_equal(eval("PyPI", r, NULL, "not a version", fx, NULL), -1);
	assert_int_equal(eval("Debian:12", r, NULL, "1.0-", fx, NULL), -1);
	/* ... unless the versions list names it. */
	assert_int_equal(eval("PyPI", r, "[\"1.0-foo-bar\"]", "1.0-foo-bar", fx, NULL), 1);
	/* SEMVER ranges use SemVer even for PyPI: 1.0.post1 is not SemVer. */
	r = R("SEMVER", "{\"introduced\":\"0\"},{\"fixed\":\"2.0.0\"}");
	assert_int_equal(eval("PyPI", r, NULL, "1.0.post1", fx, NULL), -1);
	assert_int_equal(eval("PyPI", r, NULL, "1.0.0", fx, NULL), 1);
	/* An advisory version the comparator rejects: that range is skipped, counted. */
	r = "[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"1.0-x-y\"}]},"
	    "{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"3.0\"}]}]";
	assert_int_equal(eval("PyPI", r, NULL, "0.5", fx, &bad), 0);
	assert_int_equal(bad, 1);
	assert_int_equal(eval("PyPI", r, NULL, "3.5", fx, &bad), 1);
	assert_int_equal(bad, 1);
	/* Malformed JSON or shapes: counted, never a match, never a crash. */
	static const char *const junk[] = {
		"{",
		"{}",
		"[1]",
		"[{\"type\":\"ECOSYSTEM\"}]",
		"[{\"type\":\"ECOSYSTEM\",\"events\":[]}]",
		"[{\"type\":\"ECOSYSTEM\",\"events\":[{}]}]",
		"[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":0}]}]",
		"[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"\"}]}]",
		"[{\"events\":[{\"introduced\":\"0\"}]}]",
	};
	for (size_t i = 0; i < ARRAY_SIZE(junk); i++) {
		assert_int_equal(eval("PyPI", junk[i], NULL, "1.0", fx, &bad), 0);
		assert_int_equal(bad, 1);
	}
	assert_int_equal(eval("PyPI", "[]", "{", "1.0", fx, &bad), 0);
	assert_int_equal(eval("PyPI", "[]", "[1", "1.0", fx, &bad), 0);
}

/* ---- The matcher over a DB made here ---- */

static const char schema[] =
	"CREATE TABLE advisories(id TEXT PRIMARY KEY, source_id INTEGER NOT NULL DEFAULT 1,"
	" modified TEXT, published TEXT, withdrawn TEXT, summary TEXT, details TEXT,"
	" severity TEXT NOT NULL, cvss_vector TEXT, cvss_score REAL, cvss3_vector TEXT,"
	" cvss3_score REAL, cvss4_vector TEXT, cvss4_score REAL, urls TEXT);"
	"CREATE TABLE aliases(advisory TEXT NOT NULL, alias TEXT NOT NULL,"
	" PRIMARY KEY(advisory, alias));"
	"CREATE TABLE affected(id INTEGER PRIMARY KEY, advisory TEXT NOT NULL,"
	" ecosystem TEXT NOT NULL, name TEXT NOT NULL, purl TEXT, ranges TEXT NOT NULL,"
	" versions TEXT, severity TEXT);"
	"CREATE INDEX affected_pkg ON affected(ecosystem, name);";

#define FIX_0_2 \
	"'[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"2.0\"}]}]'"
#define FIX_0_3 \
	"'[{\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},{\"fixed\":\"3.0\"}]}]'"

static const char data[] =
	/* Three sources about one CVE for PyPI "zope.interface"; GHSA has the CVSS. */
	"INSERT INTO advisories(id, severity, summary, details, cvss_vector, cvss_score, urls)"
	" VALUES('PYSEC-2020-1','UNKNOWN',NULL,'First line\nmore','','0','[\"https://a\"]'),"
	" ('GHSA-aaaa-bbbb-cccc','HIGH','Bad thing',NULL,'CVSS:3.1/AV:N',7.5,"
	"  '[\"https://b\",\"https://a\"]'),"
	" ('CVE-2020-9','MEDIUM','cve',NULL,NULL,NULL,'[]'),"
	" ('PYSEC-2021-5','LOW','other',NULL,NULL,NULL,NULL);"
	"UPDATE advisories SET cvss_vector = NULL WHERE cvss_vector = '';"
	"INSERT INTO aliases VALUES('PYSEC-2020-1','CVE-2020-9'),"
	" ('GHSA-aaaa-bbbb-cccc','CVE-2020-9'),('CVE-2020-9','GHSA-aaaa-bbbb-cccc');"
	"INSERT INTO affected(advisory, ecosystem, name, ranges) VALUES"
	" ('PYSEC-2020-1','PyPI','zope-interface'," FIX_0_2 "),"
	" ('GHSA-aaaa-bbbb-cccc','PyPI','zope-interface'," FIX_0_3 "),"
	" ('CVE-2020-9','PyPI','zope-interface'," FIX_0_2 "),"
	" ('PYSEC-2021-5','PyPI','zope-interface'," FIX_0_2 "),"
	" ('PYSEC-2021-5','PyPI','bad'," FIX_0_2 ");"
	/* Debian: by source package; a withdrawn one; a binary-named one; an override. */
	"INSERT INTO advisories(id, severity, summary, withdrawn) VALUES"
	" ('DSA-5514-1','HIGH','glibc security update',NULL),"
	" ('DEBIAN-CVE-2023-1','LOW','withdrawn','2024-01-01T00:00:00Z'),"
	" ('DLA-1-1','LOW','binary name',NULL);"
	"INSERT INTO affected(advisory, ecosystem, name, ranges, severity) VALUES"
	" ('DSA-5514-1','Debian:12','glibc', '[{\"type\":\"ECOSYSTEM\",\"events\":"
	"[{\"introduced\":\"0\"},{\"fixed\":\"2.36-9+deb12u3\"}]}]','CRITICAL'),"
	" ('DEBIAN-CVE-2023-1','Debian:12','glibc','[{\"type\":\"ECOSYSTEM\",\"events\":"
	"[{\"introduced\":\"0\"}]}]',NULL),"
	" ('DLA-1-1','Debian:12','libc6','[{\"type\":\"ECOSYSTEM\",\"events\":"
	"[{\"introduced\":\"0\"}]}]',NULL),"
	" ('DSA-5514-1','Debian:11','glibc','[{\"type\":\"ECOSYSTEM\",\"events\":"
	"[{\"introduced\":\"0\"}]}]',NULL);";

static void add_pkg(struct hull_inventory *inv, const char *type, const char *eco, const char *name,
		    const char *version, const char *src, const char *srcv)
{
	ALLOC_GROW(inv->pkgs, inv->npkgs + 1, inv->cap);
	struct hull_package *p = &inv->pkgs[inv->npkgs++];
	memset(p, 0, sizeof(*p));
	p->type = xstrdup(type);
	p->ecosystem = eco ? xstrdup(eco) : NULL;
	p->name = xstrdup(name);
	p->version = xstrdup(version);
	p->source_name = src ? xstrdup(src) : NULL;
	p->source_version = srcv ? xstrdup(srcv) : NULL;
	p->path = xstrdup("/x");
	p->layer = 1;
}

static const struct hull_finding *find(const struct hull_findings *l, const char *id,
				       const char *pkg)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].id, id) && !strcmp(l->v[i].package.name, pkg))
			return &l->v[i];
	return NULL;
}

static void test_match_db(void **state)
{
	(void)state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, schema, NULL, NULL, NULL), SQLITE_OK);
	char *e = NULL;
	if (sqlite3_exec(db, data, NULL, NULL, &e) != SQLITE_OK)
		fail_msg("%s", e);
	struct hull_inventory *inv = xcalloc(1, sizeof(*inv));
	add_pkg(inv, "pypi", "PyPI", "Zope.Interface", "1.5", NULL, NULL);
	add_pkg(inv, "deb", "Debian:12", "libc6", "2.36-9+deb12u1+b1", "glibc", "2.36-9+deb12u1");
	add_pkg(inv, "deb", "Debian:12", "libc-bin", "2.36-9+deb12u4", "glibc", NULL);
	add_pkg(inv, "pypi", "PyPI", "bad", "not a version", NULL, NULL);
	add_pkg(inv, "deb", NULL, "nothing", "1", NULL, NULL);
	static const char *const layers[] = {"sha256:aa", "sha256:bb"};
	struct hull_vuln_opts o = {layers, 2};
	struct hull_findings l = HULL_FINDINGS_INIT;
	struct hull_vuln_stats st = {0};
	struct hull_err err = {0};
	assert_int_equal(hull_vuln_match(db, inv, &o, &l, &st, &err), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(st.merged, 2);
	assert_int_equal(st.unsupported, 1);

	/* PYSEC-2020-1, GHSA-… and CVE-2020-9 are one finding under the PYSEC id. */
	const struct hull_finding *f = find(&l, "PYSEC-2020-1", "Zope.Interface");
	assert_non_null(f);
	assert_string_equal(f->kind, "vulnerability");
	assert_string_equal(f->aliases[0], "CVE-2020-9");
	assert_string_equal(f->aliases[1], "GHSA-aaaa-bbbb-cccc");
	assert_null(f->aliases[2]);
	assert_int_equal(f->severity, HULL_SEV_HIGH);
	assert_string_equal(f->title, "First line");
	assert_string_equal(f->fixed_version, "3.0"); /* the highest of the sources' fixes */
	assert_string_equal(f->cvss_vector, "CVSS:3.1/AV:N");
	assert_string_equal(f->urls[0], "https://a");
	assert_string_equal(f->urls[1], "https://b");
	assert_null(f->urls[2]);
	assert_string_equal(f->layer, "sha256:bb");
	assert_non_null(find(&l, "PYSEC-2021-5", "Zope.Interface"));

	/* glibc by source name and source version; the override makes it CRITICAL; the
	 * withdrawn advisory and the binary-named one do not match; libc-bin is fixed. */
	f = find(&l, "DSA-5514-1", "libc6");
	assert_non_null(f);
	assert_int_equal(f->severity, HULL_SEV_CRITICAL);
	assert_string_equal(f->fixed_version, "2.36-9+deb12u3");
	assert_string_equal(f->package.source_name, "glibc");
	assert_string_equal(f->package.source_version, "2.36-9+deb12u1");
	assert_null(find(&l, "DSA-5514-1", "libc-bin"));
	assert_int_equal(st.bad_versions, 1);
	assert_non_null(strstr(st.bad_example, "bad not a version (PyPI)"));

	hull_vuln_stats_release(&st);
	hull_findings_free(&l);
	for (size_t i = 0; i < inv->npkgs; i++) {
		struct hull_package *p = &inv->pkgs[i];
		free(p->type);
		free(p->ecosystem);
		free(p->name);
		free(p->version);
		free(p->source_name);
		free(p->source_version);
		free(p->path);
	}
	free(inv->pkgs);
	free(inv);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_introduced_fixed),
		cmocka_unit_test(test_go_intervals),
		cmocka_unit_test(test_unsorted_events),
		cmocka_unit_test(test_last_affected_limit),
		cmocka_unit_test(test_versions_and_union),
		cmocka_unit_test(test_bad_versions),
		cmocka_unit_test(test_match_db),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
