/* Internal to the Dockerfile parser: shared between parse.c (lines) and args.c
 * (per-instruction argument splitting). */
#ifndef HULL_LINT_PARSE_INT_H
#define HULL_LINT_PARSE_INT_H

#include "dockerfile.h"

/* Records the first syntax error of the document. */
void df_set_error(struct df_doc *doc, int line, int col, const char *fmt, ...) HULL_PRINTF(4, 5);
/* Parses one joined "KEYWORD args" line into in; depth counts ONBUILD nesting. */
int df_parse_line(struct df_doc *doc, struct df_inst *in, const char *s, int line, int col,
		  int depth);
/* Splits the arguments of in (keyword already set). */
int df_parse_args(struct df_doc *doc, struct df_inst *in, const char *rest, int depth);

#endif
