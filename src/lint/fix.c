/* hull lint --fix: the rules with a safe mechanical fix, applied as text edits on the
 * original file so that comments, blank lines and formatting elsewhere stay as they are;
 * and the unified diff that --diff prints. Every fix leaves text its rule accepts, so a
 * second run changes nothing. */
#include "lint.h"
#include "pragma.h"
#include "rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct edit {
	size_t start, end; /* bytes of the original replaced by repl */
	char *repl;
	size_t seq;
};

struct fixer {
	struct df_doc *doc;
	const char *text;
	size_t len;
	size_t *off; /* start of each line (index line - 1) */
	size_t nlines;
	const struct hull_lint_opts *o;
	struct lint_pragma global; /* codes of every "global ignore" */
	struct edit *e;
	size_t n, cap;
};

static void add_edit(struct fixer *f, size_t start, size_t end, char *repl)
{
	ALLOC_GROW(f->e, f->n + 1, f->cap);
	f->e[f->n] = (struct edit){start, end, repl, f->n};
	f->n++;
}

/* Offset just after the last non-blank byte of line ln (1-based). */
static size_t line_end(const struct fixer *f, int ln)
{
	size_t b = f->off[ln - 1];
	size_t e = (size_t)ln < f->nlines ? f->off[ln] : f->len;
	while (e > b && (f->text[e - 1] == '\n' || f->text[e - 1] == '\r' ||
			 f->text[e - 1] == ' ' || f->text[e - 1] == '\t'))
		e--;
	return e;
}

static size_t inst_start(const struct fixer *f, const struct df_inst *in)
{
	return f->off[in->line - 1] + (size_t)(in->col - 1);
}

/* Last line of the instruction proper (before any heredoc body). */
static int last_joined(const struct df_inst *in)
{
	return in->nheredocs ? in->heredocs[0].line - 1 : in->end_line;
}

static bool listed(char *const *v, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], code))
			return true;
	return false;
}

/* Is rule code wanted on the instruction at index i? Not when it is ignored by flag,
 * config, severity override or pragma. */
static bool wanted(const struct fixer *f, size_t i, const char *code)
{
	const struct hull_lint_opts *o = f->o;
	if (o && listed(o->ignored, o->nignored, code))
		return false;
	for (size_t k = 0; o && k < o->noverrides; k++)
		if (!strcmp(o->overrides[k].code, code) && o->overrides[k].sev >= HULL_LINT_IGNORE)
			return false;
	if (o && o->disable_pragmas)
		return true;
	if (listed(f->global.codes, f->global.ncodes, code))
		return false;
	struct lint_pragma p;
	bool off =
		lint_pragma_above(f->doc, i, PRAGMA_IGNORE, &p) && listed(p.codes, p.ncodes, code);
	lint_pragma_free(&p);
	if (!off && lint_pragma_stage(f->doc, i, &p))
		off = listed(p.codes, p.ncodes, code);
	lint_pragma_free(&p);
	return !off;
}

static void global_pragmas(struct fixer *f)
{
	for (size_t k = 0; k < f->doc->n; k++) {
		if (f->doc->insts[k].kind != DF_COMMENT)
			continue;
		struct lint_pragma p;
		lint_pragma_parse(f->doc->insts[k].args, &p);
		for (size_t j = 0; p.kind == PRAGMA_GLOBAL_IGNORE && j < p.ncodes; j++) {
			f->global.codes = xreallocarray(f->global.codes, f->global.ncodes + 1,
							sizeof(char *));
			f->global.codes[f->global.ncodes++] = xstrdup(p.codes[j]);
		}
		lint_pragma_free(&p);
	}
}

static bool lower_keyword(const struct fixer *f, const struct df_inst *in)
{
	return islower((unsigned char)f->text[inst_start(f, in)]);
}

/* ---- ADD -> COPY, MAINTAINER -> LABEL -------------------------------------------------- */

static bool is_url(const char *s)
{
	return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8) ||
	       !strncasecmp(s, "git@", 4);
}

static void fix_add(struct fixer *f, const struct df_inst *in)
{
	if (in->nheredocs || in->argc < 2 || df_has_flag(in, "checksum") ||
	    df_has_flag(in, "keep-git-dir") || df_has_flag(in, "unpack"))
		return;
	for (size_t k = 0; k + 1 < in->argc; k++) {
		const char *s = df_unquote(&f->doc->arena, in->argv[k]);
		if (is_url(s) || lint_is_archive(s))
			return;
	}
	size_t s = inst_start(f, in);
	add_edit(f, s, s + 3, xstrdup(lower_keyword(f, in) ? "copy" : "COPY"));
}

static void fix_maintainer(struct fixer *f, const struct df_inst *in)
{
	if (!in->args || !*in->args)
		return;
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, lower_keyword(f, in) ? "label maintainer=\"" : "LABEL maintainer=\"");
	for (const char *p = in->args; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == '$')
			strbuf_addch(&sb, '\\');
		strbuf_addch(&sb, *p);
	}
	strbuf_addch(&sb, '"');
	add_edit(f, inst_start(f, in), line_end(f, last_joined(in)), strbuf_detach(&sb, NULL));
}

/* ---- CMD / ENTRYPOINT in JSON form ----------------------------------------------------- */

static bool plain_word(const char *w)
{
	for (; *w; w++)
		if (!isalnum((unsigned char)*w) && !strchr("_-./:=@%+,", *w))
			return false;
	return true;
}

/* argv can run without a shell: plain words, the first neither an assignment
 * (PGPASSWORD=x cmd) nor a shell builtin (exit 0). */
static bool plain_command(const char *const *argv, size_t argc)
{
	static const char *const builtins[] = {
		".",	    ":",      "alias", "break",	  "builtin", "cd",    "command", "continue",
		"eval",	    "exec",   "exit",  "export",  "hash",    "let",   "local",	 "read",
		"readonly", "return", "set",   "shift",	  "source",  "times", "trap",	 "type",
		"typeset",  "ulimit", "umask", "unalias", "unset",   "wait"};
	if (!argc || strchr(argv[0], '='))
		return false;
	for (size_t k = 0; k < ARRAY_SIZE(builtins); k++)
		if (streq(argv[0], builtins[k]))
			return false;
	for (size_t k = 0; k < argc; k++)
		if (!plain_word(argv[k]))
			return false;
	return true;
}

static bool spans_comments(const struct fixer *f, const struct df_inst *in)
{
	for (int ln = in->line + 1; ln <= last_joined(in); ln++) {
		size_t b = f->off[ln - 1], e = line_end(f, ln);
		while (b < e && (f->text[b] == ' ' || f->text[b] == '\t'))
			b++;
		if (b == e || f->text[b] == '#')
			return true;
	}
	return false;
}

static void json_item(struct strbuf *sb, const char *s)
{
	strbuf_adds(sb, sb->len && sb->buf[sb->len - 1] != '[' ? ", \"" : "\"");
	strbuf_add_json_escaped(sb, s);
	strbuf_addch(sb, '"');
}

/* Appends the exec form of a command: its words when plain, else text run by the stage's
 * SHELL (shell; NULL: /bin/sh -c). */
static void exec_array(struct strbuf *sb, const char *const *argv, size_t argc, bool plain,
		       const struct df_inst *shell, const char *text)
{
	strbuf_addch(sb, '[');
	if (plain) {
		for (size_t k = 0; k < argc; k++)
			json_item(sb, argv[k]);
	} else {
		if (shell && shell->json && shell->argc)
			for (size_t k = 0; k < shell->argc; k++)
				json_item(sb, shell->argv[k]);
		else {
			json_item(sb, "/bin/sh");
			json_item(sb, "-c");
		}
		json_item(sb, text);
	}
	strbuf_addch(sb, ']');
}

/* shell: the stage's SHELL (NULL: /bin/sh -c); cmd_in_stage: a CMD follows an ENTRYPOINT
 * (then the ENTRYPOINT keeps a shell so that CMD is not appended to it). */
static void fix_exec_form(struct fixer *f, const struct df_inst *in, const struct df_inst *shell,
			  bool cmd_in_stage)
{
	if (in->json || in->nheredocs || !in->args || !*in->args || spans_comments(f, in))
		return;
	bool plain = (in->kind == DF_CMD || !cmd_in_stage) && plain_command(in->argv, in->argc);
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, in->keyword);
	if (lower_keyword(f, in))
		for (size_t k = 0; k < sb.len; k++)
			sb.buf[k] = (char)tolower((unsigned char)sb.buf[k]);
	strbuf_addch(&sb, ' ');
	exec_array(&sb, in->argv, in->argc, plain, shell, in->args);
	add_edit(f, inst_start(f, in), line_end(f, last_joined(in)), strbuf_detach(&sb, NULL));
}

/* HEALTHCHECK [flags] CMD command: the command in exec form, the flags as they were given
 * (one that is quoted or holds a blank leaves the line alone). */
static void fix_healthcheck(struct fixer *f, const struct df_inst *in, const struct df_inst *shell)
{
	const char *cmd = df_healthcheck_shell(in);
	if (!cmd || in->argc < 2 || spans_comments(f, in))
		return;
	struct strbuf sb = STRBUF_INIT;
	bool lower = lower_keyword(f, in);
	strbuf_adds(&sb, lower ? "healthcheck" : "HEALTHCHECK");
	for (size_t k = 0; k < in->nflags; k++) {
		const char *v = in->flags[k].value;
		if (v && v[strcspn(v, " \t\"'\\")]) {
			strbuf_release(&sb);
			return;
		}
		strbuf_addf(&sb, " --%s%s%s", in->flags[k].name, v ? "=" : "", v ? v : "");
	}
	strbuf_adds(&sb, lower ? " cmd " : " CMD ");
	exec_array(&sb, in->argv + 1, in->argc - 1, plain_command(in->argv + 1, in->argc - 1),
		   shell, cmd);
	add_edit(f, inst_start(f, in), line_end(f, last_joined(in)), strbuf_detach(&sb, NULL));
}

/* ---- flags on package-manager commands ------------------------------------------------- */

static bool word_char(char c)
{
	return c && !strchr(" \t\r\n;&|()<>", c);
}

/* The RUN's joined part as [b, e) of the file, after the keyword and flags. */
static void run_span(const struct fixer *f, const struct df_inst *in, size_t *b, size_t *e)
{
	size_t p = inst_start(f, in) + strlen(in->keyword);
	for (;;) {
		while (p < f->len && (f->text[p] == ' ' || f->text[p] == '\t'))
			p++;
		if (p + 2 < f->len && f->text[p] == '-' && f->text[p + 1] == '-' &&
		    word_char(f->text[p + 2])) {
			while (p < f->len && word_char(f->text[p]))
				p++;
			continue;
		}
		break;
	}
	*b = p;
	*e = line_end(f, last_joined(in));
}

/* Next word in [p, e): skips blanks and escaped newlines; stops (returns false) at a
 * command separator. Quoted words make the command unsafe to touch (*quoted). */
static bool next_word(const struct fixer *f, size_t *p, size_t e, size_t *wb, size_t *we,
		      bool *quoted)
{
	const char *t = f->text;
	char esc = f->doc->escape;
	size_t i = *p;
	for (;;) {
		while (i < e && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r'))
			i++;
		if (i + 1 < e && t[i] == esc && (t[i + 1] == '\n' || t[i + 1] == '\r')) {
			while (i < e && t[i] != '\n')
				i++;
			i++;
			continue;
		}
		break;
	}
	*p = i;
	if (i >= e || !word_char(t[i]) || t[i] == '#')
		return false;
	*wb = i;
	while (i < e && word_char(t[i])) {
		if (t[i] == '"' || t[i] == '\'' || t[i] == '`' ||
		    (t[i] == '$' && i + 1 < e && t[i + 1] == '('))
			*quoted = true;
		if (t[i] == esc && i + 1 < e && (t[i + 1] == '\n' || t[i + 1] == '\r'))
			break;
		i++;
	}
	*we = i;
	*p = i;
	return true;
}

static bool word_is(const struct fixer *f, size_t b, size_t e, const char *w)
{
	return e - b == strlen(w) && !memcmp(f->text + b, w, e - b);
}

static bool word_has(const struct fixer *f, size_t b, size_t e, const char *w)
{
	size_t n = strlen(w);
	for (size_t i = b; i + n <= e; i++)
		if (!memcmp(f->text + i, w, n))
			return true;
	return false;
}

struct flagfix {
	const char *const *names; /* command names; a trailing '*' matches a prefix */
	const char *need;	  /* a word that must come first (python -m pip), or NULL */
	const char *sub;	  /* the subcommand after which the flag goes */
	const char *flag;	  /* inserted as " FLAG" */
	const char *also;	  /* a word carrying the same setting, or NULL */
};

static bool name_matches(const struct fixer *f, size_t b, size_t e, const char *const *names)
{
	for (; *names; names++) {
		size_t n = strlen(*names);
		if ((*names)[n - 1] == '*' ? e - b >= n - 1 && !memcmp(f->text + b, *names, n - 1)
					   : word_is(f, b, e, *names))
			return true;
	}
	return false;
}

/* One command from its name to its separator: inserts the flag after the subcommand
 * when neither it nor its alternative is there. Returns where the command ends. */
static size_t flag_command(struct fixer *f, size_t p, size_t e, const struct flagfix *ff)
{
	size_t wb, we, ins = 0;
	bool quoted = false, seen_need = !ff->need, has = false;
	while (next_word(f, &p, e, &wb, &we, &quoted)) {
		if (word_is(f, wb, we, ff->flag) || (ff->also && word_has(f, wb, we, ff->also)))
			has = true;
		if (!seen_need && word_is(f, wb, we, ff->need))
			seen_need = true;
		else if (seen_need && !ins && word_is(f, wb, we, ff->sub))
			ins = we;
	}
	if (ins && !has && !quoted)
		add_edit(f, ins, ins, xasprintf(" %s", ff->flag));
	return p;
}

/* Finds each command of the RUN whose name matches, at a command position. */
static void fix_flags(struct fixer *f, const struct df_inst *in, const struct flagfix *ff)
{
	size_t p, e;
	run_span(f, in, &p, &e);
	bool cmd_pos = true;
	while (p < e) {
		size_t wb, we;
		bool quoted = false;
		if (!next_word(f, &p, e, &wb, &we, &quoted)) {
			/* a separator (or a comment): a new command may follow */
			if (p < e && f->text[p] == '#')
				return;
			while (p < e && !word_char(f->text[p]) && f->text[p] != '#')
				p++;
			cmd_pos = true;
			continue;
		}
		if (cmd_pos && name_matches(f, wb, we, ff->names)) {
			p = flag_command(f, p, e, ff);
			cmd_pos = false;
			continue;
		}
		static const char *const lead[] = {"sudo", "then", "do", "else", "time", NULL};
		cmd_pos = false;
		for (const char *const *l = lead; *l; l++)
			cmd_pos |= word_is(f, wb, we, *l);
	}
}

static const struct flagfix apt_fix = {LIST("apt-get"), NULL, "install", "--no-install-recommends",
				       "Install-Recommends"};
static const struct flagfix apk_fix = {LIST("apk"), NULL, "add", "--no-cache", NULL};
static const struct flagfix pip_fix = {LIST("pip*"), NULL, "install", "--no-cache-dir", NULL};
static const struct flagfix pym_fix = {LIST("python*"), "pip", "install", "--no-cache-dir", NULL};

/* ---- apt lists ---------------------------------------------------------------------- */

static void fix_apt_lists(struct fixer *f, struct lint_ctx *c, const struct df_inst *in)
{
	const struct sh_script *s = lint_shell(c, in);
	bool apt = false, cleaned = false;
	for (size_t i = 0; i < s->ncmds; i++) {
		apt |= sh_has_args(&s->cmds[i], "apt-get", LIST("update", "install"));
		cleaned |= !strcmp(s->cmds[i].name, "rm") &&
			   (sh_has_arg(&s->cmds[i], "/var/lib/apt/lists/*") ||
			    sh_has_arg(&s->cmds[i], "/var/lib/apt/lists"));
	}
	for (size_t i = 0; i < in->nflags; i++)
		cleaned |= !strcmp(in->flags[i].name, "mount") && in->flags[i].value &&
			   strstr(in->flags[i].value, "type=cache") &&
			   strstr(in->flags[i].value, "/var/lib/apt");
	if (!apt || cleaned)
		return;
	size_t b, e;
	run_span(f, in, &b, &e);
	size_t lb = f->off[last_joined(in) - 1];
	if (memchr(f->text + lb, '#', e - lb) || e == b)
		return; /* a shell comment at the end would swallow the addition */
	char last = f->text[e - 1];
	if (strchr("&|;\\`", last))
		return;
	if (last_joined(in) > in->line) {
		size_t ind = lb;
		while (ind < e && (f->text[ind] == ' ' || f->text[ind] == '\t'))
			ind++;
		add_edit(f, e, e,
			 xasprintf(" %c\n%.*s&& rm -rf /var/lib/apt/lists/*", f->doc->escape,
				   (int)(ind - lb), f->text + lb));
	} else {
		add_edit(f, e, e, xstrdup(" && rm -rf /var/lib/apt/lists/*"));
	}
}

/* ---- cd -> WORKDIR ------------------------------------------------------------------ */

static bool workdir_sensitive(const struct df_inst *in)
{
	switch (in->kind) {
	case DF_RUN:
	case DF_COPY:
	case DF_ADD:
	case DF_CMD:
	case DF_ENTRYPOINT:
	case DF_HEALTHCHECK:
	case DF_VOLUME:
	case DF_ONBUILD:
		return true;
	case DF_WORKDIR:
		return in->args && in->args[0] != '/';
	default:
		return false;
	}
}

/* "RUN cd /abs && rest" becomes "WORKDIR /abs" + "RUN rest", followed by the stage's
 * previous WORKDIR again when a later instruction of the stage depends on it. */
static void fix_cd(struct fixer *f, size_t idx, const char *prev_wd)
{
	const struct df_inst *in = &f->doc->insts[idx];
	if (in->json || (in->nheredocs && !strncmp(in->args, "<<", 2)))
		return;
	size_t p, e, wb, we, db, de;
	run_span(f, in, &p, &e);
	bool quoted = false;
	if (!next_word(f, &p, e, &wb, &we, &quoted) || !word_is(f, wb, we, "cd") ||
	    !next_word(f, &p, e, &db, &de, &quoted) || quoted || f->text[db] != '/')
		return;
	size_t q = p, ab, ae;
	while (q < e && (f->text[q] == ' ' || f->text[q] == '\t'))
		q++;
	if (q + 2 > e || memcmp(f->text + q, "&&", 2))
		return;
	q += 2;
	/* the rest starts at the next word, across an escaped newline */
	if (!next_word(f, &q, e, &ab, &ae, &quoted))
		return;
	bool restore = false;
	for (size_t k = idx + 1; k < f->doc->n && f->doc->insts[k].kind != DF_FROM; k++)
		restore |= workdir_sensitive(&f->doc->insts[k]);
	if (restore && (!prev_wd || prev_wd[0] != '/' || strchr(prev_wd, '$')))
		return;
	size_t s = inst_start(f, in);
	bool low = lower_keyword(f, in);
	add_edit(f, s, s,
		 xasprintf("%s %.*s\n%.*s", low ? "workdir" : "WORKDIR", (int)(de - db),
			   f->text + db, (int)(in->col - 1), f->text + f->off[in->line - 1]));
	add_edit(f, wb, ab, xstrdup(""));
	if (restore) {
		size_t end = line_end(f, in->end_line);
		add_edit(f, end, end,
			 xasprintf("\n%.*s%s %s", (int)(in->col - 1),
				   f->text + f->off[in->line - 1], low ? "workdir" : "WORKDIR",
				   prev_wd));
	}
}

/* ---- driver ------------------------------------------------------------------------- */

static void collect(struct fixer *f, struct lint_ctx *c)
{
	const struct df_inst *shell = NULL;
	const char *wd = NULL;
	for (size_t i = 0; i < f->doc->n; i++) {
		const struct df_inst *in = &f->doc->insts[i];
		bool cmd_later = false;
		switch (in->kind) {
		case DF_FROM:
			shell = NULL;
			wd = NULL;
			break;
		case DF_SHELL:
			shell = in;
			break;
		case DF_WORKDIR:
			wd = in->args && in->args[0] == '/' ? in->args : NULL;
			break;
		case DF_ADD:
			if (wanted(f, i, "DL3020"))
				fix_add(f, in);
			break;
		case DF_MAINTAINER:
			if (wanted(f, i, "DL4000"))
				fix_maintainer(f, in);
			break;
		case DF_CMD:
		case DF_ENTRYPOINT:
			for (size_t k = i + 1; k < f->doc->n && f->doc->insts[k].kind != DF_FROM;
			     k++)
				cmd_later |= f->doc->insts[k].kind == DF_CMD;
			for (size_t k = i; k-- > 0 && f->doc->insts[k].kind != DF_FROM;)
				cmd_later |= f->doc->insts[k].kind == DF_CMD;
			if (wanted(f, i, "DL3025"))
				fix_exec_form(f, in, shell, cmd_later);
			break;
		case DF_HEALTHCHECK:
			if (wanted(f, i, "DL3025"))
				fix_healthcheck(f, in, shell);
			break;
		case DF_RUN:
			if (in->json || (in->nheredocs && !strncmp(in->args, "<<", 2)))
				break;
			if (wanted(f, i, "DL3003"))
				fix_cd(f, i, wd);
			if (wanted(f, i, "DL3015"))
				fix_flags(f, in, &apt_fix);
			if (wanted(f, i, "DL3019"))
				fix_flags(f, in, &apk_fix);
			if (wanted(f, i, "DL3042")) {
				fix_flags(f, in, &pip_fix);
				fix_flags(f, in, &pym_fix);
			}
			if (wanted(f, i, "DL3009"))
				fix_apt_lists(f, c, in);
			break;
		default:
			break;
		}
	}
}

static int by_start(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end) /* insertions before replacements at one offset */
		return x->end < y->end ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int hull_lint_fix(const char *file, const char *text, size_t len, const struct hull_lint_opts *o,
		  struct strbuf *out, size_t *nfixed, struct hull_err *err)
{
	struct df_doc doc;
	*nfixed = 0;
	if (df_parse(&doc, text, len, file, err)) {
		df_free(&doc);
		return HULL_EINPUT;
	}
	size_t bom = len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3) ? 3 : 0;
	struct fixer f = {.doc = &doc, .text = text, .len = len, .o = o};
	size_t cap = 0;
	for (size_t i = bom; i <= len; i++) {
		if (i == bom || text[i - 1] == '\n') {
			if (i == len && i != bom)
				break;
			ALLOC_GROW(f.off, f.nlines + 1, cap);
			f.off[f.nlines++] = i;
		}
	}
	if (!doc.err_msg) {
		struct hull_lint_result res = {0};
		struct lint_ctx c = {.doc = &doc, .opts = o, .res = &res, .file = file};
		global_pragmas(&f);
		collect(&f, &c);
		hull_lint_result_free(&res);
	}
	if (f.n > 1)
		qsort(f.e, f.n, sizeof(*f.e), by_start);
	size_t pos = 0;
	for (size_t i = 0; i < f.n; i++) {
		struct edit *e = &f.e[i];
		if (e->start < pos) /* overlaps an earlier fix: left for the next run */
			continue;
		strbuf_add(out, text + pos, e->start - pos);
		strbuf_adds(out, e->repl);
		pos = e->end;
		(*nfixed)++;
	}
	strbuf_add(out, text + pos, len - pos);
	for (size_t i = 0; i < f.n; i++)
		free(f.e[i].repl);
	free(f.e);
	free(f.off);
	lint_pragma_free(&f.global);
	df_free(&doc);
	return 0;
}

/* ---- unified diff ------------------------------------------------------------------- */

struct lines {
	const char **p;
	size_t *n; /* length including the newline, if any */
	size_t count;
};

static void split(const char *s, size_t len, struct lines *l)
{
	size_t cap = 0;
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - s) + 1 : len;
		if (l->count + 1 > cap) {
			cap = cap ? cap * 2 : 64;
			l->p = xreallocarray(l->p, cap, sizeof(*l->p));
			l->n = xreallocarray(l->n, cap, sizeof(*l->n));
		}
		l->p[l->count] = s + i;
		l->n[l->count++] = e - i;
		i = e;
	}
}

static bool same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->n[i] == b->n[j] && !memcmp(a->p[i], b->p[j], a->n[i]);
}

static void emit_line(struct strbuf *out, char tag, const char *p, size_t n)
{
	strbuf_addch(out, tag);
	strbuf_add(out, p, n);
	if (!n || p[n - 1] != '\n')
		strbuf_adds(out, "\n\\ No newline at end of file\n");
}

/* ops: 0 same, 1 delete (a), 2 insert (b); computed by LCS over the middle part. */
static unsigned char *edit_script(const struct lines *a, const struct lines *b, size_t *nops)
{
	size_t pre = 0, suf = 0;
	while (pre < a->count && pre < b->count && same(a, pre, b, pre))
		pre++;
	while (suf < a->count - pre && suf < b->count - pre &&
	       same(a, a->count - 1 - suf, b, b->count - 1 - suf))
		suf++;
	size_t n = a->count - pre - suf, m = b->count - pre - suf;
	unsigned char *ops = xcalloc(a->count + b->count + 1, 1);
	size_t k = 0;
	for (size_t i = 0; i < pre; i++)
		ops[k++] = 0;
	uint32_t *t = (n + 1) * (m + 1) <= (16u << 20) ? xcalloc((n + 1) * (m + 1), 4) : NULL;
	if (t) {
		for (size_t i = n; i-- > 0;)
			for (size_t j = m; j-- > 0;)
				t[i * (m + 1) + j] =
					same(a, pre + i, b, pre + j)
						? t[(i + 1) * (m + 1) + j + 1] + 1
					: t[(i + 1) * (m + 1) + j] > t[i * (m + 1) + j + 1]
						? t[(i + 1) * (m + 1) + j]
						: t[i * (m + 1) + j + 1];
	}
	size_t i = 0, j = 0;
	while (i < n || j < m) {
		if (t && i < n && j < m && same(a, pre + i, b, pre + j)) {
			ops[k++] = 0, i++, j++;
		} else if (i < n &&
			   (j >= m || !t || t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1])) {
			ops[k++] = 1, i++;
		} else {
			ops[k++] = 2, j++;
		}
	}
	free(t);
	for (size_t s = 0; s < suf; s++)
		ops[k++] = 0;
	*nops = k;
	return ops;
}

void hull_lint_diff(const char *name, const char *a, size_t alen, const char *b, size_t blen,
		    struct strbuf *out)
{
	struct lines la, lb;
	split(a, alen, &la);
	split(b, blen, &lb);
	size_t nops;
	unsigned char *ops = edit_script(&la, &lb, &nops);
	bool header = false;
	size_t k = 0, ai = 0, bi = 0; /* line indexes at ops[k] */
	while (k < nops) {
		if (!ops[k]) {
			k++, ai++, bi++;
			continue;
		}
		/* a hunk: back up 3 lines of context, extend while changes are within 6 */
		size_t ctx = 0;
		while (ctx < 3 && ctx < k && ctx < ai)
			ctx++;
		size_t hs = k - ctx, as = ai - ctx, bs = bi - ctx, he = k;
		for (size_t run = 0; he < nops; he++) {
			run = ops[he] ? 0 : run + 1;
			if (run > 6)
				break;
		}
		/* trailing context: at most 3 unchanged lines after the last change */
		size_t last = he;
		while (last > hs && !ops[last - 1])
			last--;
		he = last + 3 < nops ? last + 3 : nops;
		while (he > last && ops[he - 1])
			he--;
		size_t acount = 0, bcount = 0;
		for (size_t x = hs; x < he; x++) {
			acount += ops[x] != 2;
			bcount += ops[x] != 1;
		}
		if (!header) {
			strbuf_addf(out, "--- %s\n+++ %s\n", name, name);
			header = true;
		}
		strbuf_addf(out, "@@ -%zu,%zu +%zu,%zu @@\n", acount ? as + 1 : as, acount,
			    bcount ? bs + 1 : bs, bcount);
		size_t x = as, y = bs;
		for (size_t o = hs; o < he; o++) {
			if (ops[o] == 0) {
				emit_line(out, ' ', la.p[x], la.n[x]);
				x++, y++;
			} else if (ops[o] == 1) {
				emit_line(out, '-', la.p[x], la.n[x]);
				x++;
			} else {
				emit_line(out, '+', lb.p[y], lb.n[y]);
				y++;
			}
		}
		k = he, ai = x, bi = y;
	}
	free(ops);
	free(la.p);
	free(la.n);
	free(lb.p);
	free(lb.n);
}
