/* hull lint: hadolint-compatible Dockerfile linting — rules, pragmas, configuration,
 * and the output formats. The CLI only collects options and prints what this renders. */
#ifndef HULL_LINT_H
#define HULL_LINT_H

#include "../util/strbuf.h"
#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>

/* hadolint's levels, most severe first; IGNORE is "off", NONE only a threshold. */
enum hull_lint_sev {
	HULL_LINT_ERROR,
	HULL_LINT_WARNING,
	HULL_LINT_INFO,
	HULL_LINT_STYLE,
	HULL_LINT_IGNORE,
	HULL_LINT_NONE,
};

const char *hull_lint_sev_name(enum hull_lint_sev s);
/* Parses "error", "warning", "info", "style", "ignore", "none"; -1 if unknown. */
int hull_lint_sev_parse(const char *s);

struct hull_lint_finding {
	const char *file;
	int line, col;
	char code[16];
	enum hull_lint_sev sev;
	char *msg;
};

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
	char *format; /* NULL: tty */
};

void hull_lint_opts_init(struct hull_lint_opts *o);
void hull_lint_opts_free(struct hull_lint_opts *o);
void hull_lint_opts_ignore(struct hull_lint_opts *o, const char *code);
void hull_lint_opts_override(struct hull_lint_opts *o, const char *code, enum hull_lint_sev s);
void hull_lint_opts_trust(struct hull_lint_opts *o, const char *registry);
/* "name:type" (hadolint's --require-label). */
int hull_lint_opts_label(struct hull_lint_opts *o, const char *spec,
			 struct hull_err *err) HULL_MUST_CHECK;

/* Reads a .hadolint.yaml (or hull.yaml with a "lint:" mapping) into o. */
int hull_lint_config_load(struct hull_lint_opts *o, const char *path,
			  struct hull_err *err) HULL_MUST_CHECK;
/* The config hadolint would use: ./.hadolint.yaml, ./.hadolint.yml, then
 * $XDG_CONFIG_HOME/hadolint.yaml (~/.config when unset). NULL if none; caller frees. */
char *hull_lint_config_find(void);

struct hull_lint_result {
	struct hull_lint_finding *v;
	size_t n, cap;
};

/* Lints one Dockerfile held in memory; findings are appended to res (sorted by line
 * within the file). Returns 0, or HULL_EINPUT when text is not a text file. Syntax errors
 * are findings (DL1000, error) as in hadolint. */
int hull_lint_buffer(const char *file, const char *text, size_t len, const struct hull_lint_opts *o,
		     struct hull_lint_result *res, struct hull_err *err) HULL_MUST_CHECK;
void hull_lint_result_free(struct hull_lint_result *res);
/* True when a finding reaches the failure threshold (and no_fail is off). */
bool hull_lint_failed(const struct hull_lint_result *res, const struct hull_lint_opts *o);

/* Output formats: tty, json, checkstyle, codeclimate, gitlab_codeclimate, gnu, sarif,
 * sonarqube. Returns HULL_EUSAGE for an unknown name. */
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
