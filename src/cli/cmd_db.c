/* hull db: build (import, update) and describe (info) the offline vulnerability database. */
#include "../util/jsonw.h"
#include "../util/strbuf.h"
#include "../vuln/db.h"
#include "../vuln/import.h"
#include "cli.h"
#include "ux.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char cmd_db_usage[] =
	"usage: hull db import [--db PATH] [--append] PATH...\n"
	"       hull db update [--db PATH] [--url BASE] [--ecosystem E]...\n"
	"       hull db info [--db PATH] [-f text|json] [--db-max-age AGE]\n"
	"\n"
	"The offline vulnerability database: one SQLite file of OSV advisories that\n"
	"image scans match packages against. It is always rebuilt into a new file beside\n"
	"the old one and renamed over it, so an interrupted or failed run leaves the old\n"
	"database as it was. A file at --db that is not a hull database is never replaced.\n"
	"\n"
	"  import   build the database from OSV inputs: JSON or YAML files, directories\n"
	"           (searched recursively for *.json, *.yaml, *.yml) and zip dumps (such as\n"
	"           osv.dev's ECOSYSTEM/all.zip). The database is REPLACED by exactly these\n"
	"           inputs; with --append the advisories already in it are kept (a record\n"
	"           with the same id replaces the older one). Malformed records are skipped\n"
	"           with a warning naming the file; a corrupt zip or unreadable input fails\n"
	"           the import (exit 2).\n"
	"  update   download BASE/ECOSYSTEM/all.zip for each ecosystem and import them all\n"
	"           (replacing the database). Dumps are kept in $XDG_CACHE_HOME/hull/osv/;\n"
	"           their ETag and Last-Modified are recorded, so an unchanged dump (HTTP 304)\n"
	"           is re-imported from the cache instead of downloaded. Any failed download\n"
	"           leaves the database untouched (exit 2).\n"
	"  info     show the path, schema, build time and age, sources and advisory counts\n"
	"           per ecosystem; warns when the database is older than --db-max-age.\n"
	"\n"
	"Options:\n"
	"      --db PATH          the database (default $HULL_DB, else\n"
	"                         $XDG_CACHE_HOME/hull/db.sqlite)\n"
	"      --append           import: keep the advisories already in the database\n"
	"      --url BASE         update: where the dumps are (default\n"
	"                         " HULL_OSV_BASE_URL ";\n"
	"                         http://, https:// and file:// mirrors work)\n"
	"      --ecosystem E      update: an OSV ecosystem to fetch (repeatable); default:\n"
	"                         Debian, Ubuntu, Alpine, AlmaLinux, Rocky Linux, Red Hat,\n"
	"                         npm, PyPI, Go, Maven, crates.io, RubyGems, Packagist, NuGet\n"
	"  -f, --format FMT       info: text (default) or json\n"
	"      --db-max-age AGE   info: warn when older than AGE (default 7d; 90m, 36h, 2w)\n"
	"  -q, --quiet            no progress line and no summary\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 done, 2 usage or input error (one line on stderr). See docs/vulndb.md.\n";

enum { OPT_DB = 256, OPT_APPEND, OPT_URL, OPT_ECO, OPT_MAXAGE };

struct dbopts {
	const char *db;
	bool append, quiet, json;
	const char *url;
	const char **ecos;
	size_t necos;
	long long max_age;
};

static int parse_opts(int argc, char **argv, const char *sub, struct dbopts *o)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"append", no_argument, NULL, OPT_APPEND},
		{"url", required_argument, NULL, OPT_URL},
		{"ecosystem", required_argument, NULL, OPT_ECO},
		{"format", required_argument, NULL, 'f'},
		{"db-max-age", required_argument, NULL, OPT_MAXAGE},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	o->max_age = 7 * 86400;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:qh", longopts, NULL)) != -1) {
		bool ok = true;
		switch (c) {
		case 'h':
			fputs(cmd_db_usage, stdout);
			return 1;
		case OPT_DB:
			o->db = optarg;
			break;
		case OPT_APPEND:
			ok = !strcmp(sub, "import");
			o->append = true;
			break;
		case OPT_URL:
			ok = !strcmp(sub, "update");
			o->url = optarg;
			break;
		case OPT_ECO:
			ok = !strcmp(sub, "update") && *optarg;
			o->ecos = xreallocarray(o->ecos, o->necos + 2, sizeof(*o->ecos));
			o->ecos[o->necos++] = optarg;
			o->ecos[o->necos] = NULL;
			break;
		case 'f':
			ok = !strcmp(sub, "info") &&
			     (!strcmp(optarg, "json") || !strcmp(optarg, "text"));
			o->json = !strcmp(optarg, "json");
			break;
		case OPT_MAXAGE:
			ok = !strcmp(sub, "info") && !hull_parse_duration(optarg, &o->max_age);
			break;
		case 'q': /* also silences warnings (src/cli/ux.c) */
			o->quiet = cli_ux_opt(c);
			cli_ux_start();
			break;
		default:
			return -cli_error("db %s: unknown option %s (see 'hull help db')", sub,
					  argv[optind - 1]);
		}
		if (!ok)
			return -cli_error("db %s: invalid option %s (see 'hull help db')", sub,
					  argv[optind - 1]);
	}
	return 0;
}

static void print_stats(const char *verb, const char *path, const struct hull_vulndb_stats *st,
			double secs)
{
	printf("%s %zu advisories (%zu affected packages, %zu aliases) into %s in %.2f s\n", verb,
	       st->advisories, st->affected, st->aliases, path, secs);
	if (st->skipped || st->bad_versions || st->bad_cvss)
		printf("warnings: %zu malformed records skipped, %zu invalid versions, %zu invalid "
		       "CVSS vectors\n",
		       st->skipped, st->bad_versions, st->bad_cvss);
	if (st->git_ranges || st->unknown_ecosystems || st->duplicates || st->no_package)
		printf("notes: %zu GIT ranges dropped, %zu packages of ecosystems without a "
		       "comparator, %zu duplicate ids, %zu entries without a package\n",
		       st->git_ranges, st->unknown_ecosystems, st->duplicates, st->no_package);
}

static double now_secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int db_import(int argc, char **argv, struct dbopts *o)
{
	int nin = argc - optind;
	if (nin < 1)
		return cli_error("db import: expected at least one PATH (see 'hull help db')");
	_cleanup_free_ char *path = hull_vulndb_path(o->db);
	if (!path)
		return cli_error("db import: no database path (use --db, or set HULL_DB, "
				 "XDG_CACHE_HOME or HOME)");
	struct hull_vulndb_source *src = xcalloc((size_t)nin, sizeof(*src));
	for (int i = 0; i < nin; i++)
		src[i].path = argv[optind + i];
	struct hull_vulndb_import_opts io = {
		.db_path = path,
		.sources = src,
		.nsources = (size_t)nin,
		.append = o->append,
		.progress = !o->quiet && isatty(STDERR_FILENO),
	};
	struct hull_vulndb_stats st;
	struct hull_err err = {0};
	double t0 = now_secs();
	int rc = hull_vulndb_import(&io, &st, &err);
	free(src);
	if (rc)
		return cli_fail(&err);
	if (!o->quiet)
		print_stats("imported", path, &st, now_secs() - t0);
	return EXIT_CLEAN;
}

static char *cache_dir(void)
{
	_cleanup_free_ char *root = hull_cache_root(0);
	return root ? xasprintf("%s/osv", root) : NULL;
}

static int db_update(int argc, char **argv, struct dbopts *o)
{
	if (argc > optind)
		return cli_error("db update: unexpected argument %s (see 'hull help db')",
				 argv[optind]);
	_cleanup_free_ char *path = hull_vulndb_path(o->db);
	_cleanup_free_ char *cache = cache_dir();
	if (!path)
		return cli_error("db update: no database path (use --db, or set HULL_DB, "
				 "XDG_CACHE_HOME or HOME)");
	struct hull_vulndb_update_opts uo = {
		.db_path = path,
		.base_url = o->url,
		.ecosystems = o->ecos,
		.cache_dir = cache,
		.progress = !o->quiet && isatty(STDERR_FILENO),
	};
	struct hull_vulndb_stats st;
	struct hull_err err = {0};
	size_t fetched = 0, unchanged = 0;
	double t0 = now_secs();
	if (hull_vulndb_update(&uo, &st, &fetched, &unchanged, &err))
		return cli_fail(&err);
	if (!o->quiet) {
		printf("%zu dumps downloaded, %zu unchanged (kept from %s)\n", fetched, unchanged,
		       cache);
		print_stats("imported", path, &st, now_secs() - t0);
	}
	return EXIT_CLEAN;
}

/* ---- info ---- */

static long long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static char *meta(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key=?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static void human_age(long long s, char *buf, size_t n)
{
	if (s < 0)
		snprintf(buf, n, "unknown");
	else if (s < 3600)
		snprintf(buf, n, "%lld min", s / 60);
	else if (s < 2 * 86400)
		snprintf(buf, n, "%lld h", s / 3600);
	else
		snprintf(buf, n, "%lld days", s / 86400);
}

static const char sources_sql[] = "SELECT location, kind, advisories, skipped, warnings, "
				  "imported_at, etag, last_modified FROM sources ORDER BY id";
static const char eco_sql[] = "SELECT ecosystem, COUNT(DISTINCT advisory) FROM affected "
			      "GROUP BY ecosystem ORDER BY ecosystem";

#define COL(st, i) ((const char *)sqlite3_column_text(st, i))

static void info_json(sqlite3 *db, const char *path, long long age, bool stale)
{
	struct strbuf sb = STRBUF_INIT;
	struct jsonw w;
	jsonw_init(&w, &sb);
	jsonw_obj_begin(&w, NULL);
	_cleanup_free_ char *schema = meta(db, "schema_version");
	_cleanup_free_ char *built = meta(db, "built");
	_cleanup_free_ char *hv = meta(db, "hull_version");
	jsonw_str(&w, "path", path);
	jsonw_i64(&w, "schema_version", schema ? atoll(schema) : 0);
	jsonw_str(&w, "built", built);
	jsonw_i64(&w, "age_seconds", age);
	jsonw_bool(&w, "stale", stale);
	jsonw_str(&w, "hull_version", hv);
	jsonw_i64(&w, "advisories", count(db, "SELECT COUNT(*) FROM advisories"));
	jsonw_i64(&w, "withdrawn",
		  count(db, "SELECT COUNT(*) FROM advisories WHERE withdrawn IS NOT NULL"));
	jsonw_i64(&w, "affected", count(db, "SELECT COUNT(*) FROM affected"));
	jsonw_i64(&w, "aliases", count(db, "SELECT COUNT(*) FROM aliases"));
	sqlite3_stmt *st;
	jsonw_arr_begin(&w, "sources");
	if (sqlite3_prepare_v2(db, sources_sql, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			jsonw_obj_begin(&w, NULL);
			jsonw_str(&w, "location", COL(st, 0));
			jsonw_str(&w, "kind", COL(st, 1));
			jsonw_i64(&w, "advisories", sqlite3_column_int64(st, 2));
			jsonw_i64(&w, "skipped", sqlite3_column_int64(st, 3));
			jsonw_i64(&w, "warnings", sqlite3_column_int64(st, 4));
			jsonw_str(&w, "imported_at", COL(st, 5));
			jsonw_str(&w, "etag", COL(st, 6));
			jsonw_str(&w, "last_modified", COL(st, 7));
			jsonw_obj_end(&w);
		}
		sqlite3_finalize(st);
	}
	jsonw_arr_end(&w);
	jsonw_obj_begin(&w, "ecosystems");
	if (sqlite3_prepare_v2(db, eco_sql, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			jsonw_i64(&w, COL(st, 0), sqlite3_column_int64(st, 1));
		sqlite3_finalize(st);
	}
	jsonw_obj_end(&w);
	jsonw_obj_end(&w);
	strbuf_addch(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
}

static void info_text(sqlite3 *db, const char *path, long long age)
{
	_cleanup_free_ char *schema = meta(db, "schema_version");
	_cleanup_free_ char *built = meta(db, "built");
	_cleanup_free_ char *hv = meta(db, "hull_version");
	char agebuf[32];
	human_age(age, agebuf, sizeof(agebuf));
	printf("path:        %s\n", path);
	printf("schema:      %s (written by hull %s)\n", schema ? schema : "?", hv ? hv : "?");
	printf("built:       %s (%s ago)\n", built ? built : "?", agebuf);
	printf("advisories:  %lld (%lld withdrawn), %lld affected packages, %lld aliases\n",
	       count(db, "SELECT COUNT(*) FROM advisories"),
	       count(db, "SELECT COUNT(*) FROM advisories WHERE withdrawn IS NOT NULL"),
	       count(db, "SELECT COUNT(*) FROM affected"),
	       count(db, "SELECT COUNT(*) FROM aliases"));
	sqlite3_stmt *st;
	printf("sources:\n");
	if (sqlite3_prepare_v2(db, sources_sql, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			printf("  %-4s %s: %lld advisories, %lld skipped, %lld warnings (%s)\n",
			       COL(st, 1), COL(st, 0), sqlite3_column_int64(st, 2),
			       sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
			       COL(st, 5));
		sqlite3_finalize(st);
	}
	printf("ecosystems (advisories):\n");
	if (sqlite3_prepare_v2(db, eco_sql, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			printf("  %-24s %lld\n", COL(st, 0), sqlite3_column_int64(st, 1));
		sqlite3_finalize(st);
	}
}

static int db_info(int argc, char **argv, struct dbopts *o)
{
	if (argc > optind)
		return cli_error("db info: unexpected argument %s (see 'hull help db')",
				 argv[optind]);
	_cleanup_free_ char *path = hull_vulndb_path(o->db);
	sqlite3 *db;
	struct hull_err err = {0};
	if (hull_vulndb_open(path, &db, &err))
		return cli_fail(&err);
	long long age = hull_vulndb_age(db);
	bool stale = age < 0 || age > o->max_age;
	if (o->json)
		info_json(db, path, age, stale);
	else
		info_text(db, path, age);
	sqlite3_close(db);
	if (stale) {
		char agebuf[32];
		human_age(age, agebuf, sizeof(agebuf));
		hull_warn("%s: the vulnerability database is %s old, older than --db-max-age; run "
			  "hull db update",
			  path, agebuf);
	}
	if (fflush(stdout) || ferror(stdout))
		return cli_error("db info: writing the output failed");
	return EXIT_CLEAN;
}

int cmd_db(int argc, char **argv)
{
	if (argc < 2)
		return cli_error("db: expected import, update or info (see 'hull help db')");
	const char *sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		fputs(cmd_db_usage, stdout);
		return EXIT_CLEAN;
	}
	if (strcmp(sub, "import") && strcmp(sub, "update") && strcmp(sub, "info"))
		return cli_error("db: unknown subcommand %s (expected import, update or info)",
				 sub);
	struct dbopts o = {0};
	int rc = parse_opts(argc - 1, argv + 1, sub, &o);
	if (rc) {
		free(o.ecos);
		return rc > 0 ? EXIT_CLEAN : -rc;
	}
	argc--;
	argv++;
	if (!strcmp(sub, "import"))
		rc = db_import(argc, argv, &o);
	else if (!strcmp(sub, "update"))
		rc = db_update(argc, argv, &o);
	else
		rc = db_info(argc, argv, &o);
	free(o.ecos);
	return rc;
}
