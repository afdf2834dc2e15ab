/* Building the vulnerability database from OSV inputs (files, directories, zip dumps) into a
 * new file that atomically replaces the old one. */
#ifndef HULL_VULN_IMPORT_H
#define HULL_VULN_IMPORT_H

#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>

/* One input: a file, a directory or a zip dump of OSV records. */
struct hull_vulndb_source {
	const char *path;     /* what to read */
	const char *location; /* what to record in sources.location (NULL: path) */
	const char *kind;     /* "url" for downloads; NULL: detected (json|yaml|dir|zip) */
	const char *etag;     /* HTTP validators kept for the next update, or NULL */
	const char *last_modified;
};

struct hull_vulndb_import_opts {
	const char *db_path; /* the target (replaced atomically) */
	const struct hull_vulndb_source *sources;
	size_t nsources;
	bool append;	  /* keep the advisories already in the target (newer ones win) */
	bool progress;	  /* a progress line on stderr */
	unsigned threads; /* parser threads besides the writer, which parses too when it
			   * would wait; 0: one per CPU but one */
	size_t max_notes; /* warnings printed per kind before they are only counted; 0: 10 */
};

struct hull_vulndb_stats {
	size_t advisories; /* records stored */
	size_t affected, aliases;
	size_t skipped;	   /* malformed records */
	size_t duplicates; /* records whose id was already stored (the newer one kept) */
	size_t git_ranges, bad_versions, unknown_ecosystems, bad_cvss, no_package;
	size_t warnings; /* skipped + bad_versions + bad_cvss */
};

/* Imports the sources into a new database written beside db_path and renamed over it only
 * when everything succeeded. An existing file at db_path that is not a hull vulnerability
 * database is never replaced (HULL_EINPUT). A malformed record is a warning (naming the
 * file) and is skipped; an unreadable input or a corrupt zip fails the import and leaves
 * the old database untouched. Temporary files left by a killed earlier import are removed. */
int hull_vulndb_import(const struct hull_vulndb_import_opts *opts, struct hull_vulndb_stats *stats,
		       struct hull_err *err) HULL_MUST_CHECK;

/* The ecosystems hull db update fetches by default (NULL-terminated). */
extern const char *const hull_vulndb_default_ecosystems[];

#define HULL_OSV_BASE_URL "https://osv-vulnerabilities.storage.googleapis.com"

struct hull_vulndb_update_opts {
	const char *db_path;
	const char *base_url;	       /* NULL: HULL_OSV_BASE_URL; http, https or file */
	const char *const *ecosystems; /* NULL-terminated; NULL: the defaults */
	const char *cache_dir;	       /* where the dumps are kept: DIR/ECOSYSTEM.zip */
	bool progress;
};

/* Downloads BASE/ECOSYSTEM/all.zip for each ecosystem (conditionally, with the ETag and
 * Last-Modified recorded in the database, when the cached dump is still there: a 304
 * re-imports the cached dump) and imports them all, replacing the database. Any failed
 * download or import leaves the database and the cached dumps as they were. *fetched and
 * *unchanged (may be NULL) count downloaded and not-modified dumps. */
int hull_vulndb_update(const struct hull_vulndb_update_opts *opts, struct hull_vulndb_stats *stats,
		       size_t *fetched, size_t *unchanged, struct hull_err *err) HULL_MUST_CHECK;

#endif
