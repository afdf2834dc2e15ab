/* The vulnerability scanner of hull image and hull fs (see vulnscan.h). Never silent:
 * a missing DB, a stale DB and packages that could not be compared are each one line on
 * stderr (unless --quiet). --debug (or HULL_DEBUG_TIMINGS=1) prints how long matching
 * took. */
#include "vulnscan.h"
#include "../vuln/db.h"
#include "../vuln/match.h"
#include "cli.h"
#include "ux.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int cli_vuln_max_age(struct cli_vuln *v, const char *arg)
{
	if (hull_parse_duration(arg, &v->max_age) || v->max_age < 0)
		return cli_error("--db-max-age: invalid duration \"%s\" (e.g. 36h, 7d, 2w)", arg);
	return 0;
}

static double now_ms(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void warn_age(const struct cli_vuln *v, const char *path, sqlite3 *db)
{
	if (!v->max_age)
		return;
	long long age = hull_vulndb_age(db);
	if (age < 0)
		hull_warn("vulnerability DB %s: build time unknown; run hull db update", path);
	else if (age > v->max_age)
		hull_warn("vulnerability DB %s is %lld days old (--db-max-age %lld days); run "
			  "hull db update",
			  path, age / 86400, v->max_age / 86400);
}

static void print_notes(const struct hull_vuln_stats *st)
{
	if (st->bad_versions)
		cli_note("%zu package%s not matched: the version is not valid for the ecosystem "
			 "(%s)",
			 st->bad_versions, st->bad_versions == 1 ? "" : "s", st->bad_example);
	if (st->bad_ranges)
		cli_note("%zu advisory range%s skipped: a version in it is not valid for the "
			 "ecosystem",
			 st->bad_ranges, st->bad_ranges == 1 ? "" : "s");
}

int cli_vuln_run(const struct cli_vuln *v, const struct hull_inspect *in,
		 const struct hull_inventory *inv, struct hull_findings *out)
{
	_cleanup_free_ char *path = hull_vulndb_path(v->db);
	struct stat sb;
	if (!v->explicit_ && (!path || (stat(path, &sb) && errno == ENOENT))) {
		cli_note("vulnerability DB not found at %s; run hull db update (vuln scanner "
			 "skipped)",
			 path ? path : "(no path: set --db or HULL_DB)");
		cli_debug_ms("vuln match", 0, "skipped: no vulnerability DB");
		return 0;
	}
	struct hull_err err = {0};
	sqlite3 *db = NULL;
	if (hull_vulndb_open(path, &db, &err))
		return cli_fail(&err);
	warn_age(v, path, db);
	double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_THREAD_CPUTIME_ID);
	const struct hull_image *img = in->img;
	const char **layers = NULL;
	if (img->transport != HULL_SRC_ROOTFS && img->nlayers) {
		layers = xcalloc(img->nlayers, sizeof(char *));
		for (size_t i = 0; i < img->nlayers; i++)
			layers[i] = img->layers[i].digest;
	}
	struct hull_vuln_opts o = {layers, layers ? img->nlayers : 0};
	struct hull_vuln_stats st = {0};
	int rc = hull_vuln_match(db, inv, &o, out, &st, &err);
	double t1 = now_ms(CLOCK_MONOTONIC), c1 = now_ms(CLOCK_THREAD_CPUTIME_ID);
	sqlite3_close(db);
	free(layers);
	if (rc) {
		hull_vuln_stats_release(&st);
		return cli_fail(&err);
	}
	print_notes(&st);
	cli_debug_ms("vuln match", t1 - t0,
		     "%.3f ms CPU; %zu packages, %zu looked up, %zu candidates, %zu findings, %zu "
		     "merged",
		     c1 - c0, inv->npkgs, st.packages, st.candidates, st.matches, st.merged);
	hull_vuln_stats_release(&st);
	return 0;
}
