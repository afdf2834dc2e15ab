/* Naming, opening and checking the vulnerability database file (read side). */
#include "db.h"

#include "../pkg/pkg.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

char *hull_vulndb_path(const char *opt)
{
	if (opt && *opt)
		return xstrdup(opt);
	const char *env = getenv("HULL_DB");
	if (env && *env)
		return xstrdup(env);
	_cleanup_free_ char *root = hull_cache_root(0);
	return root ? xasprintf("%s/db.sqlite", root) : NULL;
}

/* The value of meta key, or NULL (a new string). */
static char *meta_get(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* Opens a file read-only without creating it; *out set even on error (close it). */
static int open_ro(const char *path, sqlite3 **out)
{
	return sqlite3_open_v2(path, out, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
}

int hull_vulndb_is_hull(const char *path, bool *exists, struct hull_err *err)
{
	struct stat st;
	*exists = false;
	if (stat(path, &st)) {
		if (errno == ENOENT)
			return 0;
		return hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	}
	*exists = true;
	if (!S_ISREG(st.st_mode))
		return 0;
	sqlite3 *db = NULL;
	int yes = 0;
	if (open_ro(path, &db) == SQLITE_OK) {
		_cleanup_free_ char *app = meta_get(db, "application");
		yes = app && !strcmp(app, "hull");
	}
	sqlite3_close(db);
	return yes;
}

int hull_vulndb_open(const char *path, sqlite3 **out, struct hull_err *err)
{
	*out = NULL;
	if (!path)
		return hull_err_set(err, HULL_EUSAGE,
				    "no vulnerability database path (use --db, set HULL_DB, "
				    "XDG_CACHE_HOME or HOME)");
	struct stat st;
	if (stat(path, &st)) {
		if (errno == ENOENT)
			return hull_err_set(err, HULL_EINPUT,
					    "%s: no vulnerability database (run hull db update or "
					    "hull db import)",
					    path);
		return hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode))
		return hull_err_set(err, HULL_EINPUT, "%s: not a hull vulnerability database",
				    path);
	sqlite3 *db = NULL;
	if (open_ro(path, &db) != SQLITE_OK) {
		int rc = hull_err_set(err, HULL_EINPUT, "%s: %s", path,
				      db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return rc;
	}
	_cleanup_free_ char *app = meta_get(db, "application");
	_cleanup_free_ char *ver = meta_get(db, "schema_version");
	if (!app || strcmp(app, "hull")) {
		sqlite3_close(db);
		return hull_err_set(err, HULL_EINPUT, "%s: not a hull vulnerability database",
				    path);
	}
	char want[16];
	snprintf(want, sizeof(want), "%d", HULL_VULNDB_SCHEMA);
	if (!ver || strcmp(ver, want)) {
		sqlite3_close(db);
		return hull_err_set(err, HULL_EINPUT,
				    "%s: schema version %s, this hull reads %d (run hull db import "
				    "or hull db update)",
				    path, ver ? ver : "unknown", HULL_VULNDB_SCHEMA);
	}
	*out = db;
	return 0;
}

/* Parses "YYYY-MM-DDTHH:MM:SSZ" (fractional seconds allowed) as UTC seconds. */
static int parse_rfc3339(const char *s, long long *out)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -1;
	if (*end == '.') {
		end++;
		while (*end >= '0' && *end <= '9')
			end++;
	}
	if (strcmp(end, "Z") && strcmp(end, "+00:00"))
		return -1;
	*out = (long long)timegm(&tm);
	return 0;
}

long long hull_vulndb_age(sqlite3 *db)
{
	_cleanup_free_ char *built = meta_get(db, "built");
	long long t;
	if (!built || parse_rfc3339(built, &t))
		return -1;
	long long age = (long long)time(NULL) - t;
	return age < 0 ? 0 : age;
}

/* PyPI names are keyed PEP 503 normalised, as the inventory's purls are. */
char *hull_vuln_pkgname(const char *ecosystem, const char *name)
{
	if (!ecosystem || strcasecmp(ecosystem, "PyPI"))
		return xstrdup(name);
	return hull_pypi_normalise(name);
}

int hull_parse_duration(const char *s, long long *out)
{
	if (!s || *s < '0' || *s > '9')
		return HULL_EUSAGE;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || v < 0)
		return HULL_EUSAGE;
	long long mult;
	if (!*end || !strcmp(end, "s"))
		mult = 1;
	else if (!strcmp(end, "m"))
		mult = 60;
	else if (!strcmp(end, "h"))
		mult = 3600;
	else if (!strcmp(end, "d"))
		mult = 86400;
	else if (!strcmp(end, "w"))
		mult = 7 * 86400;
	else
		return HULL_EUSAGE;
	if (v > (1LL << 62) / mult)
		return HULL_EUSAGE;
	*out = v * mult;
	return 0;
}
