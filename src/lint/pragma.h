/* hadolint's inline pragmas: "# hadolint ignore=DL3008,DL3009" (next instruction),
 * "# hadolint global ignore=...", "# hadolint shell=..."; "# hull ignore=..." too. */
#ifndef HULL_LINT_PRAGMA_H
#define HULL_LINT_PRAGMA_H

#include <stdbool.h>
#include <stddef.h>

enum lint_pragma_kind { PRAGMA_NONE, PRAGMA_IGNORE, PRAGMA_GLOBAL_IGNORE, PRAGMA_SHELL };

struct lint_pragma {
	enum lint_pragma_kind kind;
	char **codes; /* ignore lists */
	size_t ncodes;
	char *shell;
};

/* Parses a comment's text (after '#'). Free with lint_pragma_free. */
void lint_pragma_parse(const char *comment, struct lint_pragma *p);
void lint_pragma_free(struct lint_pragma *p);
bool lint_pragma_is_ignore(const char *comment);

#endif
