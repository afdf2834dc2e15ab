/* hull.yaml: flags for every command (top-level keys) and per-command sections (image:,
 * fs:, k8s:, lint:, …). Looked up as $HULL_CONFIG (empty: none), else ./hull.yaml, else
 * $XDG_CONFIG_HOME/hull/hull.yaml ($HOME/.config when unset); the first found is used.
 * Flags on the command line override it (docs/policy.md). */
#ifndef HULL_UTIL_CONFIG_H
#define HULL_UTIL_CONFIG_H

#include "arena.h"
#include "util.h"
#include "yaml.h"

#include <getopt.h>

struct hull_config {
	char *path;		  /* the file read, or NULL when there is none */
	const struct knode *root; /* its top-level map (NULL when empty or none) */
	struct arena arena;	  /* the tree and the synthesised arguments */
	char *data;
};

/* Finds and parses the config file; no file is not an error (path stays NULL). A file
 * that is not a YAML map, or has a map under an unknown top-level key, is HULL_EINPUT. */
int hull_config_load(struct hull_config *c, struct hull_err *err) HULL_MUST_CHECK;
int hull_config_load_file(struct hull_config *c, const char *path,
			  struct hull_err *err) HULL_MUST_CHECK;
void hull_config_free(struct hull_config *c);

/* A command's section (for lint, whose keys are hadolint's), or NULL. */
const struct knode *hull_config_section(const struct hull_config *c, const char *cmd);

/* Returns a new argument vector: argv[0], then "--name[=value]" for each top-level key
 * longopts knows (others belong to other commands) and for every key of cmd's section
 * (unknown ones are errors), then argv[1..]. A list becomes "a,b"; true a bare flag,
 * false nothing. The vector and its strings live in c's arena. */
int hull_config_argv(struct hull_config *c, const char *cmd, const struct option *longopts,
		     int argc, char **argv, int *nargc, char ***nargv,
		     struct hull_err *err) HULL_MUST_CHECK;

#endif
