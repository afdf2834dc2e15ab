/* The offline vulnerability database: one SQLite file built from OSV advisories (schema in
 * docs/vulndb.md). Opening and naming it is shared by the importer and the matcher. */
#ifndef HULL_VULN_DB_H
#define HULL_VULN_DB_H

#include "../util/util.h"

#include <sqlite3.h>
#include <stdbool.h>

/* The schema this hull writes and reads (meta "schema_version"). */
#define HULL_VULNDB_SCHEMA 1

/* Severity names stored in advisories.severity, highest first. */
#define HULL_VULNDB_SEVERITIES "CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"

/* The DB path from an explicit option (may be NULL): the option, else $HULL_DB, else
 * $XDG_CACHE_HOME/hull/db.sqlite (~/.cache/hull/db.sqlite). A new string; NULL only when
 * there is no option, no $HULL_DB and neither XDG_CACHE_HOME nor HOME is set. */
char *hull_vulndb_path(const char *opt);

/* Opens path read-only and checks meta application = "hull" and schema_version =
 * HULL_VULNDB_SCHEMA. Errors (HULL_EINPUT): "PATH: not a hull vulnerability database",
 * "PATH: schema version N, this hull reads 1 (run hull db import or hull db update)", and
 * for a missing file "PATH: no vulnerability database (run hull db update or hull db
 * import)". On success *out is the handle (close with sqlite3_close). */
int hull_vulndb_open(const char *path, sqlite3 **out, struct hull_err *err) HULL_MUST_CHECK;

/* Age in seconds from meta "built" (RFC 3339 UTC), -1 when unknown. */
long long hull_vulndb_age(sqlite3 *db);

/* The package name as stored in affected.name: PyPI names normalised as PEP 503 (lower
 * case, runs of '-', '_', '.' become one '-'); other ecosystems unchanged. A new string.
 * Both the importer and the matcher use it. */
char *hull_vuln_pkgname(const char *ecosystem, const char *name);

/* Checks that the file at path is a hull vulnerability database (any schema version):
 * 1 yes, 0 no (another SQLite file, or not SQLite at all), negative on I/O error. A
 * missing file is 0 with *exists false. */
int hull_vulndb_is_hull(const char *path, bool *exists, struct hull_err *err) HULL_MUST_CHECK;

/* Parses a duration "36h", "7d", "90m", "3600s", "2w" (a bare number is seconds) into
 * seconds. Returns 0 or HULL_EUSAGE. */
int hull_parse_duration(const char *s, long long *out) HULL_MUST_CHECK;

#endif
