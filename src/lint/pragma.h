/* hadolint's inline pragmas: "# hadolint ignore=DL3008,DL3009" (the next line),
 * "# hadolint global ignore=...", "# hadolint stage ignore=..." (the stage whose FROM is on
 * the next line), "# hadolint shell=..."; "# hull ignore=..." too. */
#ifndef HULL_LINT_PRAGMA_H
#define HULL_LINT_PRAGMA_H

#include "dockerfile.h"

#include <stdbool.h>
#include <stddef.h>

enum lint_pragma_kind {
	PRAGMA_NONE,
	PRAGMA_IGNORE,
	PRAGMA_GLOBAL_IGNORE,
	PRAGMA_STAGE_IGNORE, /* "# hadolint stage ignore=" right above a FROM (hadolint 2.15) */
	PRAGMA_SHELL,
};

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
/* The pragma of that kind (PRAGMA_IGNORE, PRAGMA_STAGE_IGNORE) in the comment on the line
 * right above doc->insts[i], as hadolint applies one: one further up (above another comment
 * or a blank line) covers nothing, so of two stacked pragmas only the lower one counts.
 * True when there is one (free p then); p->kind is PRAGMA_NONE otherwise. */
bool lint_pragma_above(const struct df_doc *doc, size_t i, enum lint_pragma_kind kind,
		       struct lint_pragma *p);
/* The "# hadolint stage ignore=" of the stage doc->insts[i] is in: right above its FROM. */
bool lint_pragma_stage(const struct df_doc *doc, size_t i, struct lint_pragma *p);

#endif
