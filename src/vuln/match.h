/* Vulnerability matching: the packages of an inventory against the advisories of the
 * vulnerability DB (OSV ranges evaluated with each ecosystem's comparator), one finding
 * per package and vulnerability, duplicates across sources merged by alias. docs/vuln.md. */
#ifndef HULL_VULN_MATCH_H
#define HULL_VULN_MATCH_H

#include "../pkg/pkg.h"
#include "../report/findings.h"
#include "vercmp.h"

#include <sqlite3.h>
#include <stdbool.h>

/* ---- One affected entry against one version (the OSV "Evaluation" algorithm) ---- */

struct hull_vuln_eval {
	bool affected;
	char *fixed;	   /* lowest "fixed" event above the version (malloc'd), or NULL */
	size_t bad_ranges; /* ranges skipped: an event version the comparator rejects */
};

/* Evaluates an OSV affected entry for version: ranges is the JSON "ranges" array, versions
 * the JSON "versions" array (NULL when absent). ECOSYSTEM ranges compare with eco, SEMVER
 * ranges with SemVer (with eco itself when eco is Go's comparator, a superset), GIT and
 * unknown types are ignored; the versions list matches by exact string. Malformed JSON
 * counts as a bad range. Returns 0 with *out set (free out->fixed with
 * hull_vuln_eval_release), or HULL_EINPUT when version is not affected but some range could
 * not be evaluated because its comparator rejects version (err names it). */
int hull_vuln_evaluate(const struct hull_vercmp *eco, const char *ranges, const char *versions,
		       const char *version, struct hull_vuln_eval *out,
		       struct hull_err *err) HULL_MUST_CHECK;
void hull_vuln_eval_release(struct hull_vuln_eval *e);

/* ---- An inventory against the DB ---- */

struct hull_vuln_opts {
	const char *const *layers; /* layer digests by layer index, or NULL (a rootfs) */
	size_t nlayers;
};

struct hull_vuln_stats {
	size_t packages;     /* packages looked up */
	size_t unsupported;  /* packages without an OSV ecosystem or comparator */
	size_t candidates;   /* affected entries evaluated */
	size_t matches;	     /* findings produced (after merging) */
	size_t merged;	     /* advisories folded into another one's finding by alias */
	size_t bad_versions; /* packages with advisories whose version the comparator rejects */
	size_t bad_ranges;   /* ranges skipped: an advisory version the comparator rejects */
	char *bad_example;   /* the first bad version: "NAME VERSION (ECOSYSTEM): why" */
};

void hull_vuln_stats_release(struct hull_vuln_stats *st);

/* Matches every package of inv against the open DB and appends one finding of kind
 * "vulnerability" per package and (merged) vulnerability to out. Distro packages (deb,
 * apk) match by source package name and version, rpm packages by binary name and
 * [EPOCH:]VERSION-RELEASE, language packages by name (PyPI normalised). Errors are DB
 * errors only (HULL_EIO); a bad version is counted in st, not an error. */
int hull_vuln_match(sqlite3 *db, const struct hull_inventory *inv,
		    const struct hull_vuln_opts *opts, struct hull_findings *out,
		    struct hull_vuln_stats *st, struct hull_err *err) HULL_MUST_CHECK;

#endif
