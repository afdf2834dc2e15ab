/* Policy over a finding list: the severity filter, skipped checks, ignore files (hull's
 * plain and YAML forms, Trivy's .trivyignore and .trivyignore.yaml), --ignore-unfixed and
 * --skip-base. One code path for hull image, hull fs and hull k8s (docs/policy.md). */
#ifndef HULL_REPORT_POLICY_H
#define HULL_REPORT_POLICY_H

#include "findings.h"

/* One ignore rule. Strings live in the owning hull_ignore's arena. */
struct hull_ignore_entry {
	const char *id;	    /* matched against the finding id and its aliases */
	const char *kind;   /* only findings of this kind (Trivy YAML sections), or NULL */
	const char **paths; /* globs over the finding path ("*", "**", "?"), or NULL */
	size_t npaths;
	const char **packages; /* purl patterns ("*" matches anything), or NULL */
	size_t npackages;
	const char *expires; /* YYYY-MM-DD as written, or NULL */
	const char *statement;
	const char *file; /* where the entry was read */
	size_t line;
	bool expired; /* expires is before today: the entry does not apply */
};

struct hull_ignore {
	struct hull_ignore_entry *v;
	size_t n, cap;
	struct arena arena;
};

#define HULL_IGNORE_INIT               \
	{                              \
		NULL, 0, 0, ARENA_INIT \
	}

/* Parses one ignore file's text and appends its entries. The form is chosen by content:
 * YAML when a line starts with "ignore:", "vulnerabilities:", "misconfigurations:",
 * "secrets:", "licenses:" or "---"; else the plain form (one id per line, "#" comments,
 * an optional "exp:YYYY-MM-DD" field). today is "YYYY-MM-DD" (entries expiring before it
 * are marked expired). Returns 0 or HULL_EINPUT with err naming name:line. */
int hull_ignore_parse(struct hull_ignore *ig, const char *name, const char *data, size_t len,
		      const char *today, struct hull_err *err) HULL_MUST_CHECK;
/* Reads and parses a file (at most 4 MiB). */
int hull_ignore_load(struct hull_ignore *ig, const char *path, const char *today,
		     struct hull_err *err) HULL_MUST_CHECK;
void hull_ignore_free(struct hull_ignore *ig);

/* Loads the n files named (--ignorefile), or when n is 0 the defaults found in the
 * current directory: .hullignore, .trivyignore and .trivyignore.yaml. Warns (hull_warn)
 * once per expired entry. */
int hull_ignore_load_files(struct hull_ignore *ig, const char *const *files, size_t n,
			   struct hull_err *err) HULL_MUST_CHECK;

/* The expired entries of ig, in file order, into *out (free it; its strings live in ig).
 * Returns how many (*out is NULL when none). */
size_t hull_ignore_expired(const struct hull_ignore *ig, struct hull_expired_ignore **out);

/* Today's date (UTC) as YYYY-MM-DD, or $HULL_TODAY when it is set to such a date. */
void hull_today(char buf[11]);

/* Glob over paths: "*" and "?" stay within one path segment, "**" spans segments, a
 * leading "/" on either side is ignored. */
bool hull_path_glob_match(const char *pat, const char *path);
/* purl patterns: "*" matches any run of characters; everything else is literal. */
bool hull_purl_match(const char *pat, const char *purl);
/* Does a (non-expired or not) entry match f? */
bool hull_ignore_entry_match(const struct hull_ignore_entry *e, const struct hull_finding *f);

struct hull_policy {
	bool sev_filter;
	bool sev[HULL_SEV_COUNT];
	const char *const *skips; /* ids or aliases to drop */
	size_t nskips;
	const struct hull_ignore *ignore; /* may be NULL */
	bool ignore_unfixed;		  /* drop vulnerabilities without a fixed version */
	bool skip_base;			  /* drop findings attributed to the base image */
};

/* Keeps what the policy allows, in order; returns how many findings were dropped. */
size_t hull_policy_apply(const struct hull_policy *p, struct hull_findings *l);

#endif
