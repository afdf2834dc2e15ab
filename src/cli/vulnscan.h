/* The vulnerability scanner of hull image and hull fs: finds and opens the DB, warns when
 * it is stale, matches the inventory and prints the notes the matcher counted. */
#ifndef HULL_CLI_VULNSCAN_H
#define HULL_CLI_VULNSCAN_H

#include "../layer/inspect.h"
#include "../pkg/pkg.h"
#include "../report/findings.h"

#include <stdbool.h>

#define CLI_VULN_HELP                                                                       \
	"      --db PATH               vulnerability DB (default: $HULL_DB, else\n"         \
	"                              $XDG_CACHE_HOME/hull/db.sqlite; see hull db)\n"      \
	"      --db-max-age DURATION   warn when the DB is older (default: 7d; 0: never)\n" \
	"      --list-all-pkgs         list every package in the JSON report\n"

struct cli_vuln {
	bool explicit_;	   /* --scanners named vuln: a missing DB is an error */
	const char *db;	   /* --db, or NULL */
	long long max_age; /* seconds; 0: no check */
};

/* Parses --db-max-age; 0 or EXIT_ERROR (after printing the error). */
int cli_vuln_max_age(struct cli_vuln *v, const char *arg);

/* Matches inv against the DB and appends the findings to out. Returns 0 (also when the
 * DB is missing and vuln was not asked for: a note on stderr, no matching), or EXIT_ERROR
 * after printing the error. */
int cli_vuln_run(const struct cli_vuln *v, const struct hull_inspect *in,
		 const struct hull_inventory *inv, struct hull_findings *out);

#endif
