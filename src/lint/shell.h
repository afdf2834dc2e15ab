/* A POSIX-shell command splitter for RUN: finds the simple commands of a script (through
 * pipes, &&, ||, ;, subshells, braces, if/for/while/case, $(...) and backticks) and their
 * words with quotes removed, the way hadolint sees them through ShellCheck's AST. */
#ifndef HULL_LINT_SHELL_H
#define HULL_LINT_SHELL_H

#include "../util/arena.h"

#include <stdbool.h>
#include <stddef.h>

struct sh_cmd {
	const char *name;  /* the command (through busybox/command/builtin/exec wrappers) */
	const char **args; /* words after the first, unquoted; expansions read "${VAR}" */
	size_t nargs;
	int pipeline; /* commands of one pipeline share it (unique within the script) */
	bool piped;   /* reads the previous command's output through '|' */
};

struct sh_script {
	const char *text;
	struct sh_cmd *cmds; /* in source order; a command before those it substitutes */
	size_t ncmds;
	bool has_pipe;
};

/* Splits text (never fails: unbalanced quotes or parentheses end the script). */
void sh_parse(struct arena *a, const char *text, struct sh_script *out);

/* hadolint's Shell helpers over one command. */
bool sh_is_flag(const char *arg);
/* Whether w is one of the NULL-terminated list's words. */
bool sh_is_any(const char *w, const char *const *list);
bool sh_has_args(const struct sh_cmd *c, const char *name, const char *const *any_of);
bool sh_has_arg(const struct sh_cmd *c, const char *arg);
bool sh_has_prefix_arg(const struct sh_cmd *c, const char *name, const char *prefix);
bool sh_has_flag(const struct sh_cmd *c, const char *flag);
bool sh_has_any_flag(const struct sh_cmd *c, const char *const *flags);
/* Non-flag arguments; the argument after each flag named in drop (may be NULL) is
 * dropped too (hadolint's dropFlagArg). Returns the count; *out is arena memory. */
size_t sh_plain_args(struct arena *a, const struct sh_cmd *c, const char *const *drop,
		     const char ***out);
/* Index of the first command matching (or -1). */
long sh_find(const struct sh_script *s, bool (*pred)(const struct sh_cmd *));
bool sh_uses(const struct sh_script *s, const char *name);
/* Whether any command of s is name with one of any_of among its arguments (sh_has_args). */
bool sh_any_has_args(const struct sh_script *s, const char *name, const char *const *any_of);

#endif
