/* hull lint: hadolint-compatible Dockerfile linting — rules, pragmas, configuration,
 * and the output formats. The CLI only collects options and prints what this renders. */
#ifndef HULL_LINT_H
#define HULL_LINT_H

#include "../util/strbuf.h"
#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>

/* hadolint's levels, most severe first; IGNORE is "off" (as a failure threshold: any
 * finding fails). */
enum hull_lint_sev {
	HULL_LINT_ERROR,
	HULL_LINT_WARNING,
	HULL_LINT_INFO,
	HULL_LINT_STYLE,
	HULL_LINT_IGNORE,
};

const char *hull_lint_sev_name(enum hull_lint_sev s);
/* Parses "error", "warning", "info", "style", "ignore" and "none" (hadolint's other name
 * for ignore), in any case; -1 if unknown. */
int hull_lint_sev_parse(const char *s);

struct hull_lint_finding {
	const char *file;
	int line, col;
	int inst_line; /* first line of the instruction, for pragmas (ShellCheck findings sit
			* on the RUN's inner lines) */
	char code[16];
	enum hull_lint_sev sev;
	char *msg;
};

/* A finding that says the file does not parse (hadolint's DL1000, the file's only one). */
static inline bool hull_lint_parse_error(const struct hull_lint_finding *f)
{
	return streq(f->code, "DL1000");
}

struct hull_lint_label {
	char *name;
	char *type; /* text, url, semver, hash, spdx, rfc3339, email */
};

/* Everything the config file and the flags can set. Lists are owned (free with
 * hull_lint_opts_free). Later settings override earlier ones: config, then flags. */
struct hull_lint_opts {
	char **ignored;
	size_t nignored;
	struct {
		char *code;
		enum hull_lint_sev sev;
	} * overrides;
	size_t noverrides;
	char **trusted;
	size_t ntrusted;
	struct hull_lint_label *labels;
	size_t nlabels;
	enum hull_lint_sev threshold; /* default HULL_LINT_INFO */
	bool strict_labels, no_fail, disable_pragmas, no_color;
	bool no_color_set;
	bool verbose;	    /* hadolint's verbose: key (and HADOLINT_VERBOSE) */
	bool no_shellcheck; /* do not run ShellCheck on RUN scripts */
	bool no_hull_rules; /* only hadolint's rules (DL, SC): no HLxxxx */
	/* ShellCheck once for all files: hull_lint_buffer keeps the RUN scripts and
	 * hull_lint_flush checks them (the file names must live until then). */
	bool shellcheck_batch;
	char *format; /* the output formats, comma-separated ("json,gnu"); NULL: tty */
	/* State kept across files (the secret engine, where shellcheck is); owned. */
	struct lint_cache *cache;
};

void hull_lint_opts_init(struct hull_lint_opts *o);
void hull_lint_opts_free(struct hull_lint_opts *o);
void hull_lint_opts_ignore(struct hull_lint_opts *o, const char *code);
void hull_lint_opts_override(struct hull_lint_opts *o, const char *code, enum hull_lint_sev s);
void hull_lint_opts_trust(struct hull_lint_opts *o, const char *registry);
/* Adds an output format to o->format, or makes it the only one (replace). */
void hull_lint_opts_format(struct hull_lint_opts *o, const char *name, bool replace);
/* "name:type" (hadolint's --require-label). */
int hull_lint_opts_label(struct hull_lint_opts *o, const char *spec,
			 struct hull_err *err) HULL_MUST_CHECK;

/* Reads a .hadolint.yaml (or hull.yaml with a "lint:" mapping) into o. */
int hull_lint_config_load(struct hull_lint_opts *o, const char *path,
			  struct hull_err *err) HULL_MUST_CHECK;
/* The same from text already read; path names it in errors. */
int hull_lint_config_parse(struct hull_lint_opts *o, const char *path, const char *text, size_t len,
			   struct hull_err *err) HULL_MUST_CHECK;
/* The config file hadolint would use, as its findConfig searches. !user: the working
 * directory's .hadolint.yaml or .hadolint.yml. user: $XDG_CONFIG_HOME (~/.config)
 * hadolint.yaml or .yml, then ~/.hadolint/ hadolint.yaml, hadolint.yml, config.yaml or
 * config.yml, then ~/.hadolint.yaml or ~/.hadolint.yml. NULL if none; caller frees. */
char *hull_lint_config_find(bool user);

struct hull_lint_result {
	struct hull_lint_finding *v;
	size_t n, cap;
	/* Optional, borrowed: the files linted, in order, for the formats that also report
	 * clean files (junit); findings name them by these pointers. */
	char *const *files;
	size_t nfiles;
	/* Optional: the file name checkstyle, codeclimate, gitlab_codeclimate, sonarqube and
	 * junit give every finding (hadolint's --file-path-in-report). */
	const char *file_in_report;
};

/* Lints one Dockerfile held in memory; findings are appended to res (sorted by line
 * within the file). Returns 0, or HULL_EINPUT when text is not a text file. Syntax errors
 * are findings (DL1000, error) as in hadolint. */
int hull_lint_buffer(const char *file, const char *text, size_t len, const struct hull_lint_opts *o,
		     struct hull_lint_result *res, struct hull_err *err) HULL_MUST_CHECK;
void hull_lint_result_free(struct hull_lint_result *res);
/* Reads (hull_read_file, at most max bytes each) and lints paths[0..n) on up to workers
 * threads; res receives what hull_lint_buffer on each path in turn and a hull_lint_flush
 * would give, in the same order. When a file cannot be read or is not text, returns the
 * error of the first such path and adds nothing to res. */
int hull_lint_files(char *const *paths, size_t n, size_t max, unsigned workers,
		    const struct hull_lint_opts *o, struct hull_lint_result *res,
		    struct hull_err *err) HULL_MUST_CHECK;
/* With shellcheck_batch: runs ShellCheck over the scripts of every file linted since the
 * last flush and merges its findings into res (each file's findings stay in line order). */
void hull_lint_flush(const struct hull_lint_opts *o, struct hull_lint_result *res);

/* Whether ShellCheck ran for the files linted so far: 1 yes, 0 not needed yet, -1 wanted
 * but not installed, -2 a shellcheck process failed or timed out (the CLI prints a note). */
int hull_lint_shellcheck_state(const struct hull_lint_opts *o);

/* Rewrites a Dockerfile with the safe mechanical fixes (ADD->COPY for local files, JSON
 * CMD/ENTRYPOINT, --no-install-recommends, apt lists removal, apk --no-cache, pip
 * --no-cache-dir, cd -> WORKDIR, MAINTAINER -> LABEL). Rules that are ignored (flags,
 * config, pragmas) are not fixed. out receives the new text (equal to text when nothing
 * applies); *nfixed the number of edits. Returns 0 or HULL_EINPUT as hull_lint_buffer. */
int hull_lint_fix(const char *file, const char *text, size_t len, const struct hull_lint_opts *o,
		  struct strbuf *out, size_t *nfixed, struct hull_err *err) HULL_MUST_CHECK;
/* A unified diff (3 lines of context) from a to b, both named name ("patch -p0"). */
void hull_lint_diff(const char *name, const char *a, size_t alen, const char *b, size_t blen,
		    struct strbuf *out);

/* True when a finding reaches the failure threshold (and no_fail is off). */
bool hull_lint_failed(const struct hull_lint_result *res, const struct hull_lint_opts *o);

/* Output formats: tty, json, checkstyle, codeclimate, gitlab_codeclimate, gnu, sarif,
 * sonarqube, junit, codacy. Returns HULL_EUSAGE for an unknown name. */
bool hull_lint_format_known(const char *name);
int hull_lint_render(const char *format, const struct hull_lint_result *res, bool color,
		     struct strbuf *out) HULL_MUST_CHECK;

/* The rule catalogue, for help and docs. */
struct hull_lint_rule_info {
	const char *code;
	enum hull_lint_sev sev;
	const char *msg;
};
size_t hull_lint_rules(const struct hull_lint_rule_info **out);

#endif
