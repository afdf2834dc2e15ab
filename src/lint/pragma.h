/* hadolint's inline pragmas: "# hadolint ignore=DL3008,DL3009" (the next line),
 * "# hadolint global ignore=...", "# hadolint shell=..."; "# hull ignore=..." too. */
#ifndef HULL_LINT_PRAGMA_H
#define HULL_LINT_PRAGMA_H

#include "dockerfile.h"

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
/* The "# hadolint ignore=" that covers doc->insts[i], as hadolint applies one: a comment
 * on the line right above it. One further up (above another comment or a blank line) covers
 * nothing, so of two stacked pragmas only the lower one counts. True when there is one
 * (free p then); p->kind is PRAGMA_NONE otherwise. */
bool lint_pragma_above(const struct df_doc *doc, size_t i, struct lint_pragma *p);

#endif
