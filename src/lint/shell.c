/* The RUN command splitter: a small lexer (quotes, escapes, expansions, redirections,
 * here-documents) and a command collector that knows the few reserved words needed to
 * find where simple commands start. Mirrors what hadolint reads from ShellCheck's AST:
 * command names must be literal words; expansions in arguments read "${VAR}". */
#include "shell.h"

#include "../util/strbuf.h"
#include "../util/util.h"

#include <ctype.h>
#include <string.h>

#define MAX_SUBST_DEPTH 32
#define MAX_HEREDOCS	16

enum tok { T_END, T_WORD, T_OP, T_NL };

struct lexer {
	struct arena *a;
	const char *s;
	size_t i, n;
	int depth;
	struct sh_script *out; /* receives substituted commands (via pending) */
	int *seq;	       /* pipeline numbers, shared with substitutions */
	struct sh_cmd *pending;
	size_t npending, cap_pending;
	/* current token */
	struct strbuf word;
	bool literal, assign;
	char op[4];
	const char *heredoc[MAX_HEREDOCS];
	bool heredoc_strip[MAX_HEREDOCS];
	int nheredoc;
};

static void parse_into(struct arena *a, const char *text, size_t n, int depth, int *seq,
		       struct sh_script *out);

static void push_cmd(struct arena *a, struct sh_cmd **v, size_t *n, size_t *cap,
		     const struct sh_cmd *c)
{
	if (*n + 1 > *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct sh_cmd *nv = arena_alloc(a, nc * sizeof(*nv));
		if (*n)
			memcpy(nv, *v, *n * sizeof(*nv));
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *c;
}

static bool is_meta(char c)
{
	return c == '|' || c == '&' || c == ';' || c == '(' || c == ')' || c == '<' || c == '>';
}

/* Skips a balanced (...) starting after the opening parenthesis; returns the index of the
 * closing one (or n). Quotes and escapes are honoured. */
static size_t match_paren(const char *s, size_t i, size_t n)
{
	int level = 1;
	for (; i < n; i++) {
		char c = s[i];
		if (c == '\\') {
			i++;
		} else if (c == '\'') {
			const char *e = memchr(s + i + 1, '\'', n - i - 1);
			i = e ? (size_t)(e - s) : n;
		} else if (c == '"') {
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
		} else if (c == '(') {
			level++;
		} else if (c == ')' && --level == 0) {
			return i;
		}
	}
	return n;
}

static size_t match_brace(const char *s, size_t i, size_t n)
{
	int level = 1;
	for (; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '{')
			level++;
		else if (s[i] == '}' && --level == 0)
			return i;
	}
	return n;
}

/* Parses a command substitution body; its commands come after the enclosing one. */
static void substitute(struct lexer *lx, const char *body, size_t n)
{
	lx->literal = false;
	if (lx->depth >= MAX_SUBST_DEPTH)
		return;
	struct sh_script sub = {0};
	parse_into(lx->a, body, n, lx->depth + 1, lx->seq, &sub);
	for (size_t k = 0; k < sub.ncmds; k++)
		push_cmd(lx->a, &lx->pending, &lx->npending, &lx->cap_pending, &sub.cmds[k]);
	if (sub.has_pipe)
		lx->out->has_pipe = true;
}

/* The index of the '`' that closes the one at s[i] (escapes honoured), or n. */
static size_t backtick_end(const char *s, size_t i, size_t n)
{
	size_t k = i + 1;
	while (k < n && s[k] != '`')
		k += s[k] == '\\' ? 2 : 1;
	return k < n ? k : n;
}

/* The command substitutions ($(...) and `...`) inside s[i..e) of a ${...} or $((...))
 * expansion: ShellCheck parses them, so their commands count ("${D:-$(cd /x && pwd)}"). */
static void inner_substitutions(struct lexer *lx, size_t i, size_t e)
{
	const char *s = lx->s;
	for (; i < e; i++) {
		if (s[i] == '\\') {
			i++;
		} else if (s[i] == '$' && i + 1 < e && s[i + 1] == '(' &&
			   !(i + 2 < e && s[i + 2] == '(')) {
			size_t me = match_paren(s, i + 2, e);
			substitute(lx, s + i + 2, me - (i + 2));
			i = me;
		} else if (s[i] == '`') {
			size_t k = backtick_end(s, i, e);
			substitute(lx, s + i + 1, k - i - 1);
			i = k;
		}
	}
}

/* A '$' at s[i]: reads the expansion, returns the index after it. */
static size_t read_dollar(struct lexer *lx, size_t i)
{
	const char *s = lx->s;
	size_t n = lx->n;
	if (i + 1 >= n) {
		strbuf_addch(&lx->word, '$');
		return i + 1;
	}
	char c = s[i + 1];
	if (c == '(' && i + 2 < n && s[i + 2] == '(') {
		size_t e = match_paren(s, i + 2, n);
		inner_substitutions(lx, i + 3, e);
		strbuf_adds(&lx->word, "${VAR}");
		lx->literal = false;
		return e < n ? e + 2 : n;
	}
	if (c == '(') {
		size_t e = match_paren(s, i + 2, n);
		substitute(lx, s + i + 2, e - (i + 2));
		strbuf_adds(&lx->word, "${VAR}");
		return e < n ? e + 1 : n;
	}
	if (c == '{') {
		size_t e = match_brace(s, i + 2, n);
		inner_substitutions(lx, i + 2, e);
		strbuf_adds(&lx->word, "${VAR}");
		lx->literal = false;
		return e < n ? e + 1 : n;
	}
	if (c == '\'') {
		const char *e = memchr(s + i + 2, '\'', n - i - 2);
		size_t end = e ? (size_t)(e - s) : n;
		strbuf_add(&lx->word, s + i + 2, end - i - 2);
		return end < n ? end + 1 : n;
	}
	if (isalnum((unsigned char)c) || c == '_') {
		size_t k = i + 1;
		if (isdigit((unsigned char)c))
			k++;
		else
			while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_'))
				k++;
		strbuf_adds(&lx->word, "${VAR}");
		lx->literal = false;
		return k;
	}
	if (strchr("@*#?$!-", c)) {
		strbuf_adds(&lx->word, "${VAR}");
		lx->literal = false;
		return i + 2;
	}
	strbuf_addch(&lx->word, '$');
	return i + 1;
}

static size_t read_backtick(struct lexer *lx, size_t i)
{
	size_t k = backtick_end(lx->s, i, lx->n);
	substitute(lx, lx->s + i + 1, k - i - 1);
	strbuf_adds(&lx->word, "${VAR}");
	return k < lx->n ? k + 1 : lx->n;
}

static size_t read_dquote(struct lexer *lx, size_t i)
{
	const char *s = lx->s;
	for (i++; i < lx->n && s[i] != '"';) {
		if (s[i] == '\\' && i + 1 < lx->n && strchr("\"\\$`\n", s[i + 1])) {
			if (s[i + 1] != '\n')
				strbuf_addch(&lx->word, s[i + 1]);
			i += 2;
		} else if (s[i] == '$') {
			i = read_dollar(lx, i);
		} else if (s[i] == '`') {
			i = read_backtick(lx, i);
		} else {
			strbuf_addch(&lx->word, s[i++]);
		}
	}
	return i < lx->n ? i + 1 : lx->n;
}

static bool is_name(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t k = 1; k < n; k++)
		if (!(isalnum((unsigned char)s[k]) || s[k] == '_'))
			return false;
	return true;
}

/* A '...' at s[i], its text into the word; returns the index after it (at most n). */
static size_t read_squote(struct lexer *lx, size_t i, size_t n)
{
	const char *q = memchr(lx->s + i + 1, '\'', n - i - 1);
	size_t end = q ? (size_t)(q - lx->s) : n;
	strbuf_add(&lx->word, lx->s + i + 1, end - i - 1);
	return end < n ? end + 1 : n;
}

/* Is w[0..n) the left side of an assignment: "name" or "name+"? */
static bool assign_target(const char *w, size_t n)
{
	return is_name(w, n) || (n > 1 && w[n - 1] == '+' && is_name(w, n - 1));
}

/* "name=(a b $(c))": a bash array, read into the assignment's word up to its ')'. */
static size_t read_array(struct lexer *lx, size_t i)
{
	const char *s = lx->s;
	size_t e = match_paren(s, i + 1, lx->n);
	strbuf_addch(&lx->word, '(');
	for (i++; i < e;) {
		if (s[i] == '$') {
			i = read_dollar(lx, i);
		} else if (s[i] == '`') {
			i = read_backtick(lx, i);
		} else if (s[i] == '"') {
			i = read_dquote(lx, i);
		} else if (s[i] == '\'') {
			i = read_squote(lx, i, e);
		} else if (s[i] == '\\' && i + 1 < e) {
			strbuf_addch(&lx->word, s[i + 1]);
			i += 2;
		} else {
			strbuf_addch(&lx->word, s[i++]);
		}
	}
	strbuf_addch(&lx->word, ')');
	return e < lx->n ? e + 1 : lx->n;
}

/* Is the word so far "name=" or "name+=" (an assignment, before its value)? */
static bool assign_open(const struct lexer *lx)
{
	size_t n = lx->word.len;
	return lx->assign && n && lx->word.buf[n - 1] == '=' && assign_target(lx->word.buf, n - 1);
}

static void read_word(struct lexer *lx)
{
	const char *s = lx->s;
	size_t i = lx->i;
	strbuf_reset(&lx->word);
	lx->literal = true;
	lx->assign = false;
	bool quoted = false;
	while (i < lx->n) {
		char c = s[i];
		if (c == '(' && !quoted && assign_open(lx)) {
			i = read_array(lx, i);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || is_meta(c))
			break;
		if (c == '=' && !quoted && !lx->assign && assign_target(lx->word.buf, lx->word.len))
			lx->assign = true;
		if (c == '\\') {
			if (i + 1 < lx->n && s[i + 1] != '\n')
				strbuf_addch(&lx->word, s[i + 1]);
			i += 2;
		} else if (c == '\'') {
			i = read_squote(lx, i, lx->n);
			quoted = true;
		} else if (c == '"') {
			i = read_dquote(lx, i);
			quoted = true;
		} else if (c == '$') {
			i = read_dollar(lx, i);
		} else if (c == '`') {
			i = read_backtick(lx, i);
		} else {
			strbuf_addch(&lx->word, c);
			i++;
		}
	}
	if (i > lx->n)
		i = lx->n;
	lx->i = i;
	if (!lx->word.buf)
		strbuf_addch(&lx->word, '\0'), lx->word.len = 0;
}

static void skip_heredoc_bodies(struct lexer *lx)
{
	for (int h = 0; h < lx->nheredoc; h++) {
		size_t dl = strlen(lx->heredoc[h]);
		while (lx->i < lx->n) {
			const char *nl = memchr(lx->s + lx->i, '\n', lx->n - lx->i);
			size_t end = nl ? (size_t)(nl - lx->s) : lx->n;
			size_t b = lx->i;
			if (lx->heredoc_strip[h])
				while (b < end && lx->s[b] == '\t')
					b++;
			bool hit = end - b == dl && !memcmp(lx->s + b, lx->heredoc[h], dl);
			lx->i = nl ? end + 1 : lx->n;
			if (hit)
				break;
		}
	}
	lx->nheredoc = 0;
}

static const char *const redir_ops[] = {"<<<", "<<-", "&>>", "<<", "<>", "<&",
					">>",  ">&",  ">|",  "&>", "<",	 ">"};

/* A redirection at lx->i (after optional fd digits): consumes it and its target. */
static bool skip_redirection(struct lexer *lx)
{
	size_t i = lx->i;
	while (i < lx->n && isdigit((unsigned char)lx->s[i]))
		i++;
	for (size_t k = 0; k < ARRAY_SIZE(redir_ops); k++) {
		size_t ol = strlen(redir_ops[k]);
		if (lx->n - i < ol || memcmp(lx->s + i, redir_ops[k], ol))
			continue;
		if (ol == 1 && i + 1 < lx->n && lx->s[i + 1] == '(')
			return false; /* process substitution: read as a word */
		lx->i = i + ol;
		while (lx->i < lx->n && (lx->s[lx->i] == ' ' || lx->s[lx->i] == '\t'))
			lx->i++;
		read_word(lx);
		bool heredoc = streq(redir_ops[k], "<<") || streq(redir_ops[k], "<<-");
		if (heredoc && lx->nheredoc < MAX_HEREDOCS) {
			lx->heredoc_strip[lx->nheredoc] = redir_ops[k][2] == '-';
			lx->heredoc[lx->nheredoc++] = arena_strndup(
				lx->a, lx->word.buf ? lx->word.buf : "", lx->word.len);
		}
		return true;
	}
	return false;
}

static enum tok next(struct lexer *lx)
{
	for (;;) {
		while (lx->i < lx->n &&
		       (lx->s[lx->i] == ' ' || lx->s[lx->i] == '\t' || lx->s[lx->i] == '\r'))
			lx->i++;
		if (lx->i >= lx->n)
			return T_END;
		char c = lx->s[lx->i];
		if (c == '\\' && lx->i + 1 < lx->n && lx->s[lx->i + 1] == '\n') {
			lx->i += 2;
			continue;
		}
		if (c == '#') {
			while (lx->i < lx->n && lx->s[lx->i] != '\n')
				lx->i++;
			continue;
		}
		if (c == '\n') {
			lx->i++;
			skip_heredoc_bodies(lx);
			return T_NL;
		}
		if ((c == '<' || c == '>' || c == '&' || isdigit((unsigned char)c)) &&
		    skip_redirection(lx))
			continue;
		if (is_meta(c)) {
			static const char *const ops[] = {";;&", "&&", "||", ";;", ";&", "|&", "|",
							  "&",	 ";",  "(",  ")",  "<",	 ">"};
			for (size_t k = 0; k < ARRAY_SIZE(ops); k++) {
				size_t ol = strlen(ops[k]);
				if (lx->n - lx->i >= ol && !memcmp(lx->s + lx->i, ops[k], ol)) {
					memcpy(lx->op, ops[k], ol + 1);
					lx->i += ol;
					return T_OP;
				}
			}
		}
		read_word(lx);
		return T_WORD;
	}
}

/* ---- command collector ------------------------------------------------------------- */

struct collector {
	struct lexer *lx;
	struct sh_script *out;
	size_t cap;
	const char **words;
	bool *lit;
	size_t nwords, capw;
	int pipeline;	/* number of the current pipeline */
	bool piped;	/* the next command follows a '|' */
	int case_pat;	/* > 0: reading case patterns up to ')' */
	int skip_list;	/* for/select: skip words up to the separator */
	bool func_name; /* after "function": the next word is the function's name */
	bool test;	/* inside "[[ ... ]]": operators are words of the test */
};

static const char *resolve_wrapper(const char **w, const bool *lit, size_t n)
{
	static const char *const plain[] = {"busybox", "builtin", "command", "run"};
	for (size_t k = 0; k < ARRAY_SIZE(plain); k++)
		if (streq(w[0], plain[k]))
			return n > 1 && !sh_is_flag(w[1]) ? (lit[1] ? w[1] : NULL) : w[0];
	if (streq(w[0], "exec")) {
		for (size_t i = 1; i < n; i++) {
			if (streq(w[i], "-a")) {
				i++;
				continue;
			}
			if (w[i][0] == '-')
				continue;
			return lit[i] ? w[i] : NULL;
		}
	}
	return w[0];
}

static void emit(struct collector *c)
{
	struct lexer *lx = c->lx;
	if (c->nwords && c->lit[0]) {
		struct sh_cmd cmd = {0};
		cmd.name = resolve_wrapper(c->words, c->lit, c->nwords);
		if (cmd.name) {
			cmd.pipeline = c->pipeline;
			cmd.piped = c->piped;
			cmd.nargs = c->nwords - 1;
			cmd.args = arena_alloc(lx->a, (cmd.nargs ? cmd.nargs : 1) * sizeof(char *));
			memcpy(cmd.args, c->words + 1, cmd.nargs * sizeof(char *));
			push_cmd(lx->a, &c->out->cmds, &c->out->ncmds, &c->cap, &cmd);
		}
	}
	for (size_t k = 0; k < lx->npending; k++)
		push_cmd(lx->a, &c->out->cmds, &c->out->ncmds, &c->cap, &lx->pending[k]);
	lx->npending = 0;
	c->nwords = 0;
	c->piped = false;
	c->test = false;
}

static void new_pipeline(struct collector *c)
{
	c->pipeline = (*c->lx->seq)++;
}

bool sh_is_any(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (streq(w, *list))
			return true;
	return false;
}

/* Reserved words at the start of a command; returns true when the word was consumed. */
static bool command_start_word(struct collector *c, const char *w)
{
	static const char *const skip[] = {"if",    "then",  "else", "elif", "fi", "do",   "done",
					   "while", "until", "!",    "{",    "}",  "time", NULL};
	if (sh_is_any(w, skip))
		return true;
	if (streq(w, "for") || streq(w, "select")) {
		c->skip_list = 1;
		return true;
	}
	if (streq(w, "case")) {
		c->case_pat = 2; /* 2: the subject up to "in"; 1: patterns up to ')' */
		return true;
	}
	if (streq(w, "esac"))
		return true;
	if (streq(w, "function")) { /* bash: "function name [()] { ...; }" */
		c->func_name = true;
		return true;
	}
	return false;
}

static void push_word(struct collector *c, const char *w, size_t len, bool literal)
{
	if (c->nwords + 1 > c->capw) {
		size_t nc = c->capw ? c->capw * 2 : 8;
		c->words = xreallocarray(c->words, nc, sizeof(*c->words));
		c->lit = xreallocarray(c->lit, nc, sizeof(*c->lit));
		c->capw = nc;
	}
	c->lit[c->nwords] = literal;
	c->words[c->nwords++] = arena_strndup(c->lx->a, w, len);
}

static void add_word(struct collector *c)
{
	struct lexer *lx = c->lx;
	const char *w = lx->word.buf ? lx->word.buf : "";
	if (c->skip_list)
		return;
	if (c->func_name) {
		c->func_name = false;
		return;
	}
	if (c->case_pat == 2) {
		if (streq(w, "in"))
			c->case_pat = 1;
		return;
	}
	if (c->case_pat == 1) {
		if (streq(w, "esac"))
			c->case_pat = 0;
		return;
	}
	if (!c->nwords && lx->literal && (lx->assign || command_start_word(c, w)))
		return;
	push_word(c, w, lx->word.len, lx->literal);
	if (lx->literal && c->nwords == 1 && streq(w, "[["))
		c->test = true;
	else if (lx->literal && c->test && streq(w, "]]"))
		c->test = false;
}

static void on_op(struct collector *c, const char *op)
{
	if (c->test) { /* [[ a && b ]], [[ $x =~ a|b ]]: the test's own operators */
		push_word(c, op, strlen(op), true);
		return;
	}
	if (c->case_pat == 1 && streq(op, ")")) {
		c->case_pat = 0;
		return;
	}
	if (c->case_pat) /* "a|b)": alternatives of a case pattern */
		return;
	if (streq(op, "|") || streq(op, "|&"))
		c->out->has_pipe = true;
	if (streq(op, ";;") || streq(op, ";&") || streq(op, ";;&")) {
		emit(c);
		c->case_pat = 1;
		return;
	}
	if (streq(op, "(") && c->nwords == 1) {
		c->nwords = 0; /* "name() { ...; }": a function definition */
		return;
	}
	emit(c);
	if (streq(op, "|") || streq(op, "|&"))
		c->piped = true;
	else
		new_pipeline(c);
	if (strcmp(op, "|") && strcmp(op, "|&") && strcmp(op, "&&") && strcmp(op, "||"))
		c->skip_list = 0;
}

static void parse_into(struct arena *a, const char *text, size_t n, int depth, int *seq,
		       struct sh_script *out)
{
	struct lexer lx = {.a = a, .s = text, .n = n, .depth = depth, .out = out, .seq = seq};
	struct collector c = {.lx = &lx, .out = out};
	new_pipeline(&c);
	for (;;) {
		enum tok t = next(&lx);
		if (t == T_END)
			break;
		if (t == T_WORD) {
			add_word(&c);
		} else if (t == T_NL) {
			if (!c.case_pat) {
				emit(&c);
				new_pipeline(&c);
				c.skip_list = 0;
			}
		} else {
			on_op(&c, lx.op);
		}
	}
	emit(&c);
	free(c.words);
	free(c.lit);
	strbuf_release(&lx.word);
}

void sh_parse(struct arena *a, const char *text, struct sh_script *out)
{
	memset(out, 0, sizeof(*out));
	out->text = text;
	int seq = 0;
	parse_into(a, text, strlen(text), 0, &seq, out);
}

/* ---- hadolint's Shell helpers ------------------------------------------------------ */

bool sh_is_flag(const char *arg)
{
	return arg[0] == '-' && strcmp(arg, "-") && strcmp(arg, "--");
}

bool sh_has_args(const struct sh_cmd *c, const char *name, const char *const *any_of)
{
	if (!streq(c->name, name))
		return false;
	for (size_t i = 0; i < c->nargs; i++)
		if (sh_is_any(c->args[i], any_of))
			return true;
	return false;
}

bool sh_has_arg(const struct sh_cmd *c, const char *arg)
{
	for (size_t i = 0; i < c->nargs; i++)
		if (streq(c->args[i], arg))
			return true;
	return false;
}

bool sh_has_prefix_arg(const struct sh_cmd *c, const char *name, const char *prefix)
{
	if (!streq(c->name, name))
		return false;
	for (size_t i = 0; i < c->nargs; i++)
		if (!strncmp(c->args[i], prefix, strlen(prefix)))
			return true;
	return false;
}

/* Does argument a carry flag f? "--name[=v]" carries "name"; "-abc" carries a, b, c. */
static bool arg_has_flag(const char *a, const char *f)
{
	if (!sh_is_flag(a))
		return false;
	if (a[1] == '-') {
		size_t n = strcspn(a + 2, "=");
		return strlen(f) == n && !strncmp(a + 2, f, n);
	}
	return f[0] && !f[1] && strchr(a + 1, f[0]);
}

bool sh_has_flag(const struct sh_cmd *c, const char *flag)
{
	for (size_t i = 0; i < c->nargs; i++)
		if (arg_has_flag(c->args[i], flag))
			return true;
	return false;
}

bool sh_has_any_flag(const struct sh_cmd *c, const char *const *flags)
{
	for (; *flags; flags++)
		if (sh_has_flag(c, *flags))
			return true;
	return false;
}

size_t sh_plain_args(struct arena *a, const struct sh_cmd *c, const char *const *drop,
		     const char ***out)
{
	const char **v = arena_alloc(a, (c->nargs ? c->nargs : 1) * sizeof(*v));
	size_t n = 0;
	bool skip_next = false;
	for (size_t i = 0; i < c->nargs; i++) {
		const char *w = c->args[i];
		bool dropped = skip_next;
		skip_next = false;
		if (sh_is_flag(w)) {
			/* "--registry=URL" carries its value; "--registry URL" takes the next */
			for (const char *const *d = drop; d && *d && !strchr(w, '='); d++)
				if (arg_has_flag(w, *d))
					skip_next = true;
			continue;
		}
		if (!dropped)
			v[n++] = w;
	}
	*out = v;
	return n;
}

long sh_find(const struct sh_script *s, bool (*pred)(const struct sh_cmd *))
{
	for (size_t i = 0; i < s->ncmds; i++)
		if (pred(&s->cmds[i]))
			return (long)i;
	return -1;
}

bool sh_uses(const struct sh_script *s, const char *name)
{
	for (size_t i = 0; i < s->ncmds; i++)
		if (streq(s->cmds[i].name, name))
			return true;
	return false;
}

bool sh_any_has_args(const struct sh_script *s, const char *name, const char *const *any_of)
{
	for (size_t i = 0; i < s->ncmds; i++)
		if (sh_has_args(&s->cmds[i], name, any_of))
			return true;
	return false;
}
