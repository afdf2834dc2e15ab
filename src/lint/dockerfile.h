/* The Dockerfile model and parser (BuildKit syntax): directives, continuations, heredocs,
 * flags, exec and shell forms, ONBUILD. Everything lives in the document's arena. */
#ifndef HULL_LINT_DOCKERFILE_H
#define HULL_LINT_DOCKERFILE_H

#include "../util/arena.h"
#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>

enum df_kind {
	DF_COMMENT,
	DF_FROM,
	DF_RUN,
	DF_CMD,
	DF_LABEL,
	DF_MAINTAINER,
	DF_EXPOSE,
	DF_ENV,
	DF_ADD,
	DF_COPY,
	DF_ENTRYPOINT,
	DF_VOLUME,
	DF_USER,
	DF_WORKDIR,
	DF_ARG,
	DF_ONBUILD,
	DF_STOPSIGNAL,
	DF_HEALTHCHECK,
	DF_SHELL,
};

struct df_flag {
	const char *name;  /* without the leading "--" */
	const char *value; /* NULL for a bare boolean flag ("--link") */
};

struct df_pair {
	const char *key;
	const char *value; /* unquoted; NULL for "ARG NAME" without a default */
};

struct df_heredoc {
	const char *delim;
	const char *body; /* lines between the marker and the terminator, '\n'-joined */
	bool strip_tabs;  /* <<- */
	bool quoted;	  /* <<"EOF" or <<'EOF': no expansion in the body */
	int line;	  /* line of the first body line */
};

struct df_inst {
	enum df_kind kind;
	const char *keyword; /* upper case ("RUN"); "#" for comments */
	int line;	     /* first line, 1-based */
	int end_line;	     /* last line, including heredoc bodies */
	int col;	     /* column of the keyword, 1-based */
	const char *args;    /* text after the keyword and flags, continuations joined */
	struct df_flag *flags;
	size_t nflags;
	bool json;	   /* exec (JSON array) form */
	const char **argv; /* JSON elements, or the whitespace-split words */
	size_t argc;
	struct df_pair *pairs; /* ENV, LABEL, ARG */
	size_t npairs;
	struct df_heredoc *heredocs;
	size_t nheredocs;
	struct df_inst *sub; /* ONBUILD's trigger */
	/* FROM */
	const char *image;    /* as written, without tag and digest */
	const char *registry; /* NULL when none is named */
	const char *name;     /* image without registry */
	const char *tag, *digest, *alias, *platform;
	void *shell; /* RUN/SHELL: the parsed command script (struct sh_script), lazily */
};

struct df_directive {
	const char *key, *value;
	int line;
};

struct df_doc {
	struct arena arena;
	char escape;
	struct df_inst *insts; /* comments included, in file order */
	size_t n, cap;
	struct df_directive *directives;
	size_t ndirectives;
	/* The first syntax error (line/column 1-based; 0 when the document parsed). */
	int err_line, err_col;
	const char *err_msg;
};

/* Parses a Dockerfile. Returns 0, or HULL_EINPUT for input that is not a text file
 * (NUL bytes, invalid UTF-8; err names the position). Syntax errors (unknown instruction,
 * unterminated heredoc) do not fail: they are recorded in doc->err_* and the instructions
 * before them are kept, so the linter can report them as DL1000 as hadolint does.
 * Free with df_free() whatever the result. */
int df_parse(struct df_doc *doc, const char *text, size_t len, const char *name,
	     struct hull_err *err) HULL_MUST_CHECK;
void df_free(struct df_doc *doc);

const char *df_flag(const struct df_inst *in, const char *name); /* value, "" if bare */
bool df_has_flag(const struct df_inst *in, const char *name);
/* ENV/LABEL/ARG value lookup (last wins); NULL if absent. */
const char *df_pair(const struct df_inst *in, const char *key);

/* Expands $VAR, ${VAR}, ${VAR:-w}, ${VAR-w}, ${VAR:+w}, ${VAR+w} with lookup(name) (NULL
 * means unset); nested words expand too, to a bounded depth. Returns an arena string. */
const char *df_expand(struct arena *a, const char *s, const char *(*lookup)(void *, const char *),
		      void *ctx);

/* Strips one pair of surrounding quotes ("x" or 'x'), as hadolint's dropQuotes. */
const char *df_unquote(struct arena *a, const char *s);
/* The length of the registry that the image reference ref[0..n) names, 0 for none: a first
 * component with '.' or ':', or "localhost", as Docker's reference parser decides. */
size_t df_registry_len(const char *ref, size_t n);
/* HEALTHCHECK [flags] CMD command: the command when it is in shell form (not a JSON array
 * of strings), else NULL (NONE, exec form, no command). */
const char *df_healthcheck_shell(const struct df_inst *in);

#endif
