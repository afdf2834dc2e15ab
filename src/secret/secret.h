/* Secret scanning: a built-in rule set compiled into one vectorscan database, scanned in
 * one pass per file and confirmed with PCRE2 on the lines that hit; placeholders and
 * known-noise paths are allowed; matches are masked before they leave this module. */
#ifndef HULL_SECRET_H
#define HULL_SECRET_H

#include "../util/util.h"

#include <stdbool.h>

struct hull_secret_rule {
	const char *id; /* stable, e.g. "aws-access-key-id" */
	const char *title;
	const char *category; /* "AWS", "GitHub", "Private key", … */
	const char *severity; /* CRITICAL, HIGH, MEDIUM, LOW */
	/* PCRE2 syntax; the named group "secret" is the secret (else the whole match). */
	const char *regex;
	const char *path_suffix; /* only files whose path ends so (".netrc"), or NULL */
	double min_entropy;	 /* Shannon bits/char the secret must reach, or 0 */
	bool generic;		 /* yields to a specific rule on the same line */
};

extern const struct hull_secret_rule hull_secret_rules[];
extern const size_t hull_secret_nrules;

struct hull_secret_hit {
	const struct hull_secret_rule *rule;
	unsigned line; /* 1-based */
	char *masked;  /* the secret, masked: "AKIA************MPLE" */
	char *excerpt; /* the line, with the secret masked, at most 200 bytes */
};

struct hull_secret_engine;

int hull_secret_engine_new(struct hull_secret_engine **out, struct hull_err *err) HULL_MUST_CHECK;
void hull_secret_engine_free(struct hull_secret_engine *e);

/* Files worth scanning: not under known-noise paths (/usr/share/, test fixtures, …). */
bool hull_secret_path_wanted(const char *path);

/* Per-thread scanning state. */
struct hull_secret_scratch;
struct hull_secret_scratch *hull_secret_scratch_new(struct hull_secret_engine *e);
void hull_secret_scratch_free(struct hull_secret_scratch *s);

/* Scans one file's content (binary content is skipped). Calls emit for each confirmed,
 * not-allowed hit, in line order; the hit's strings are freed after emit returns. */
void hull_secret_scan(struct hull_secret_engine *e, struct hull_secret_scratch *s, const char *path,
		      const char *data, size_t len,
		      void (*emit)(void *ctx, const struct hull_secret_hit *hit), void *ctx);

/* Masks a secret: the first and last 4 characters kept (fewer for short ones). */
char *hull_secret_mask(const char *s, size_t n);

#endif
