/* Secret scanning: a built-in rule set compiled into one vectorscan database, scanned in
 * one pass per file and confirmed with PCRE2 on the lines that hit; placeholders and
 * known-noise paths are allowed; matches are masked before they leave this module. */
#ifndef HULL_SECRET_H
#define HULL_SECRET_H

#include "../util/arena.h"
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
	/* Rules from --secret-config only: */
	const char *path_regex;	     /* only files whose path matches (PCRE2), or NULL */
	const char *const *keywords; /* the line must hold one (any case); NULL-terminated */
	const char *secret_group;    /* the group holding the secret (default "secret") */
};

extern const struct hull_secret_rule hull_secret_rules[];
extern const size_t hull_secret_nrules;

struct hull_secret_hit {
	const struct hull_secret_rule *rule;
	unsigned line; /* 1-based */
	char *masked;  /* the secret, masked: "AKIA************MPLE" */
	char *excerpt; /* the line, with the secret masked, at most 200 bytes */
};

/* --secret-config FILE (docs/secrets.md): Trivy's trivy-secret.yaml keys. Custom
 * rules are added to the built-in ones; disable-rules drops rules by id;
 * enable-builtin-rules keeps only the named built-ins; allow-rules drop matches whose
 * secret (regex) or file (path) matches; disable-allow-rules drops built-in allow
 * words ("placeholder", …) by name, or all of them with "builtin". */
struct hull_secret_allow {
	const char *id;
	const char *regex; /* on the secret, or NULL */
	const char *path;  /* on the file path, or NULL */
};

struct hull_secret_config {
	struct hull_secret_rule *rules;
	size_t nrules;
	const char **disable;
	size_t ndisable;
	const char **enable_builtin; /* NULL: every built-in */
	size_t nenable_builtin;
	struct hull_secret_allow *allow;
	size_t nallow;
	bool no_builtin_allow;
	char *path;	    /* the file, for errors */
	struct arena arena; /* owns every string */
};

/* Parses a secret config file; errors name the file and line (HULL_EUSAGE). */
int hull_secret_config_load(const char *path, struct hull_secret_config **out,
			    struct hull_err *err) HULL_MUST_CHECK;
/* The same from memory; path names the input in errors. */
int hull_secret_config_parse(const char *data, size_t len, const char *path,
			     struct hull_secret_config **out, struct hull_err *err) HULL_MUST_CHECK;
void hull_secret_config_free(struct hull_secret_config *c);

struct hull_secret_engine;

int hull_secret_engine_new(struct hull_secret_engine **out, struct hull_err *err) HULL_MUST_CHECK;
/* With a config (NULL: the built-in rules). The config must outlive the engine. */
int hull_secret_engine_new_config(struct hull_secret_engine **out,
				  const struct hull_secret_config *cfg,
				  struct hull_err *err) HULL_MUST_CHECK;
/* The rules the engine runs (built-ins kept, then custom ones). */
size_t hull_secret_engine_rules(const struct hull_secret_engine *e,
				const struct hull_secret_rule *const **rules);
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

/* Placeholders and variables are not secrets: EXAMPLE, xxxx, <token>, ${VAR}, {{ x }},
 * changeme, one repeated character, … (the built-in allow words). */
bool hull_secret_placeholder(const char *s, size_t n);

/* Masks a secret: the first and last 4 characters kept (fewer for short ones). */
char *hull_secret_mask(const char *s, size_t n);

#endif
