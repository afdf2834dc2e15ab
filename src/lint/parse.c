/* Dockerfile parser after BuildKit's: physical lines are joined into instructions
 * (escape-newline continuations, comments and blank lines inside them dropped), heredoc
 * bodies are consumed after the instruction line, then each instruction's arguments are
 * split by kind. Positions are kept for every instruction. */
#include "dockerfile.h"
#include "parse_int.h"

#include "../util/strbuf.h"

#include <ctype.h>
#include <jansson.h>
#include <string.h>

struct pline {
	const char *p;
	size_t len;
};

struct parser {
	struct df_doc *doc;
	struct pline *lines;
	size_t nlines;
	size_t i; /* next physical line */
};

static const struct {
	const char *name;
	enum df_kind kind;
} keywords[] = {
	{"FROM", DF_FROM},
	{"RUN", DF_RUN},
	{"CMD", DF_CMD},
	{"LABEL", DF_LABEL},
	{"MAINTAINER", DF_MAINTAINER},
	{"EXPOSE", DF_EXPOSE},
	{"ENV", DF_ENV},
	{"ADD", DF_ADD},
	{"COPY", DF_COPY},
	{"ENTRYPOINT", DF_ENTRYPOINT},
	{"VOLUME", DF_VOLUME},
	{"USER", DF_USER},
	{"WORKDIR", DF_WORKDIR},
	{"ARG", DF_ARG},
	{"ONBUILD", DF_ONBUILD},
	{"STOPSIGNAL", DF_STOPSIGNAL},
	{"HEALTHCHECK", DF_HEALTHCHECK},
	{"SHELL", DF_SHELL},
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Returns the position of the first invalid byte, or len when s is valid UTF-8. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		size_t n = c < 0x80	    ? 1
			   : (c >> 5) == 6  ? 2
			   : (c >> 4) == 14 ? 3
			   : (c >> 3) == 30 ? 4
					    : 0;
		if (!n || (n == 2 && c < 0xc2) || i + n > len)
			return i;
		for (size_t k = 1; k < n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
		if (n == 3 && c == 0xe0 && s[i + 1] < 0xa0)
			return i;
		if (n == 4 &&
		    ((c == 0xf0 && s[i + 1] < 0x90) || c > 0xf4 || (c == 0xf4 && s[i + 1] > 0x8f)))
			return i;
		i += n;
	}
	return len;
}

static void position_of(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int check_text(const char *text, size_t len, const char *name, struct hull_err *err)
{
	int line, col;
	const char *nul = memchr(text, '\0', len);
	if (nul) {
		position_of(text, (size_t)(nul - text), &line, &col);
		return hull_err_set(err, HULL_EINPUT, "%s:%d:%d: NUL byte: not a text file", name,
				    line, col);
	}
	size_t bad = utf8_invalid_at((const unsigned char *)text, len);
	if (bad < len) {
		position_of(text, bad, &line, &col);
		return hull_err_set(err, HULL_EINPUT, "%s:%d:%d: invalid UTF-8", name, line, col);
	}
	return 0;
}

static void split_lines(struct parser *ps, const char *text, size_t len)
{
	size_t cap = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		size_t l = i - start;
		if (l && text[start + l - 1] == '\r')
			l--;
		ALLOC_GROW(ps->lines, ps->nlines + 1, cap);
		ps->lines[ps->nlines++] = (struct pline){text + start, l};
		start = i + 1;
	}
}

static size_t skip_blank(const struct pline *l, size_t k)
{
	while (k < l->len && is_blank(l->p[k]))
		k++;
	return k;
}

static bool line_is_empty(const struct pline *l)
{
	return skip_blank(l, 0) == l->len;
}

static bool line_is_comment(const struct pline *l)
{
	size_t k = skip_blank(l, 0);
	return k < l->len && l->p[k] == '#';
}

void df_set_error(struct df_doc *doc, int line, int col, const char *fmt, ...)
{
	if (doc->err_msg)
		return;
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	doc->err_line = line;
	doc->err_col = col;
	doc->err_msg = arena_strdup(&doc->arena, sb.buf);
	strbuf_release(&sb);
}

/* "# key=value" at the top of the file (BuildKit's parser directives). */
static bool parse_directive(struct parser *ps, const struct pline *l, int line)
{
	size_t k = skip_blank(l, 0);
	if (k >= l->len || l->p[k] != '#')
		return false;
	k = skip_blank(l, k + 1);
	size_t ks = k;
	while (k < l->len && (isalnum((unsigned char)l->p[k]) || l->p[k] == '_'))
		k++;
	if (k == ks)
		return false;
	size_t ke = k;
	k = skip_blank(l, k);
	if (k >= l->len || l->p[k] != '=')
		return false;
	k = skip_blank(l, k + 1);
	size_t ve = l->len;
	while (ve > k && is_blank(l->p[ve - 1]))
		ve--;
	struct df_doc *doc = ps->doc;
	char *key = arena_strndup(&doc->arena, l->p + ks, ke - ks);
	for (char *c = key; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (strcmp(key, "syntax") && strcmp(key, "escape") && strcmp(key, "check"))
		return false;
	doc->directives =
		xreallocarray(doc->directives, doc->ndirectives + 1, sizeof(*doc->directives));
	struct df_directive *d = &doc->directives[doc->ndirectives++];
	d->key = key;
	d->value = arena_strndup(&doc->arena, l->p + k, ve - k);
	d->line = line;
	if (!strcmp(key, "escape")) {
		if (!strcmp(d->value, "`"))
			doc->escape = '`';
		else if (!strcmp(d->value, "\\"))
			doc->escape = '\\';
		else
			df_set_error(doc, line, 1,
				     "invalid escape token '%s' does not match ` or \\", d->value);
	}
	return true;
}

/* Appends physical line l (from column k) to sb; returns true when it ends with the
 * escape character, i.e. the instruction continues. */
static bool add_piece(struct strbuf *sb, const struct pline *l, size_t k, char escape)
{
	size_t e = l->len;
	while (e > k && is_blank(l->p[e - 1]))
		e--;
	bool cont = e > k && l->p[e - 1] == escape;
	strbuf_add(sb, l->p + k, cont ? e - 1 - k : e - k);
	return cont;
}

/* Joins the instruction that starts at line ps->i; returns its last line (1-based). */
static int assemble(struct parser *ps, struct strbuf *sb)
{
	const struct pline *l = &ps->lines[ps->i];
	int last = (int)ps->i + 1;
	bool cont = add_piece(sb, l, skip_blank(l, 0), ps->doc->escape);
	ps->i++;
	while (cont) {
		while (ps->i < ps->nlines &&
		       (line_is_empty(&ps->lines[ps->i]) || line_is_comment(&ps->lines[ps->i])))
			ps->i++;
		if (ps->i >= ps->nlines)
			break; /* a trailing escape at end of file: BuildKit accepts it */
		last = (int)ps->i + 1;
		cont = add_piece(sb, &ps->lines[ps->i], 0, ps->doc->escape);
		ps->i++;
	}
	return last;
}

static struct df_inst *new_inst(struct df_doc *doc)
{
	ALLOC_GROW(doc->insts, doc->n + 1, doc->cap);
	struct df_inst *in = &doc->insts[doc->n++];
	memset(in, 0, sizeof(*in));
	return in;
}

/* Reads the bodies of the heredocs named on the instruction line. */
static int read_heredocs(struct parser *ps, struct df_inst *in, int *end_line)
{
	struct df_doc *doc = ps->doc;
	for (size_t h = 0; h < in->nheredocs; h++) {
		struct df_heredoc *hd = &in->heredocs[h];
		struct strbuf body = STRBUF_INIT;
		size_t dlen = strlen(hd->delim);
		hd->line = (int)ps->i + 1;
		bool done = false;
		while (ps->i < ps->nlines) {
			const struct pline *l = &ps->lines[ps->i++];
			size_t k = 0;
			if (hd->strip_tabs)
				while (k < l->len && l->p[k] == '\t')
					k++;
			size_t e = l->len;
			while (e > k && is_blank(l->p[e - 1]))
				e--;
			if (e - k == dlen && !memcmp(l->p + k, hd->delim, dlen)) {
				done = true;
				break;
			}
			strbuf_add(&body, l->p + k, l->len - k);
			strbuf_addch(&body, '\n');
		}
		hd->body = arena_strndup(&doc->arena, body.buf ? body.buf : "", body.len);
		strbuf_release(&body);
		*end_line = (int)ps->i;
		if (!done) {
			df_set_error(doc, in->line, in->col, "unterminated heredoc <<%s",
				     hd->delim);
			return -1;
		}
	}
	return 0;
}

static enum df_kind lookup_keyword(const char *w, size_t n, const char **name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
		if (strlen(keywords[i].name) == n && !strncasecmp(keywords[i].name, w, n)) {
			*name = keywords[i].name;
			return keywords[i].kind;
		}
	*name = NULL;
	return DF_COMMENT;
}

/* Parses "KEYWORD args" (one joined instruction line) into in. */
int df_parse_line(struct df_doc *doc, struct df_inst *in, const char *s, int line, int col,
		  int depth)
{
	size_t n = 0;
	while (isalpha((unsigned char)s[n]))
		n++;
	in->line = line;
	in->col = col;
	in->end_line = line;
	if (!n || (s[n] && !is_blank(s[n]))) {
		size_t w = n;
		while (s[w] && !is_blank(s[w]))
			w++;
		df_set_error(doc, line, col, "unknown instruction: %.*s", (int)(w > 64 ? 64 : w),
			     s);
		return -1;
	}
	const char *name;
	in->kind = lookup_keyword(s, n, &name);
	if (!name) {
		df_set_error(doc, line, col, "unknown instruction: %.*s", (int)(n > 64 ? 64 : n),
			     s);
		return -1;
	}
	in->keyword = name;
	const char *rest = s + n;
	while (is_blank(*rest))
		rest++;
	return df_parse_args(doc, in, rest, depth);
}

static void parse_comment(struct df_doc *doc, const struct pline *l, int line)
{
	struct df_inst *in = new_inst(doc);
	size_t k = skip_blank(l, 0);
	in->kind = DF_COMMENT;
	in->keyword = "#";
	in->line = in->end_line = line;
	in->col = (int)k + 1;
	k = skip_blank(l, k + 1);
	size_t e = l->len;
	while (e > k && is_blank(l->p[e - 1]))
		e--;
	in->args = arena_strndup(&doc->arena, l->p + k, e - k);
}

static void parse_instruction(struct parser *ps)
{
	struct df_doc *doc = ps->doc;
	const struct pline *first = &ps->lines[ps->i];
	int line = (int)ps->i + 1;
	int col = (int)skip_blank(first, 0) + 1;
	struct strbuf sb = STRBUF_INIT;
	int last = assemble(ps, &sb);
	struct df_inst *in = new_inst(doc);
	if (df_parse_line(doc, in, sb.buf ? sb.buf : "", line, col, 0)) {
		doc->n--; /* keep only well-formed instructions */
		strbuf_release(&sb);
		ps->i = ps->nlines;
		return;
	}
	in->end_line = last;
	strbuf_release(&sb);
	if (in->nheredocs && read_heredocs(ps, in, &in->end_line)) {
		ps->i = ps->nlines;
		return;
	}
}

int df_parse(struct df_doc *doc, const char *text, size_t len, const char *name,
	     struct hull_err *err)
{
	memset(doc, 0, sizeof(*doc));
	doc->escape = '\\';
	doc->arena.chunk_size = 16384; /* a Dockerfile needs a few KiB: malloc recycles these */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		text += 3;
		len -= 3;
	}
	if (check_text(text, len, name ? name : "Dockerfile", err))
		return HULL_EINPUT;
	struct parser ps = {.doc = doc};
	split_lines(&ps, text, len);
	while (ps.i < ps.nlines && parse_directive(&ps, &ps.lines[ps.i], (int)ps.i + 1)) {
		parse_comment(doc, &ps.lines[ps.i], (int)ps.i + 1);
		ps.i++;
	}
	while (ps.i < ps.nlines) {
		const struct pline *l = &ps.lines[ps.i];
		if (line_is_empty(l)) {
			ps.i++;
		} else if (line_is_comment(l)) {
			parse_comment(doc, l, (int)ps.i + 1);
			ps.i++;
		} else {
			parse_instruction(&ps);
		}
	}
	free(ps.lines);
	return 0;
}

void df_free(struct df_doc *doc)
{
	free(doc->insts);
	free(doc->directives);
	arena_free(&doc->arena);
	memset(doc, 0, sizeof(*doc));
}

const char *df_flag(const struct df_inst *in, const char *name)
{
	for (size_t i = in->nflags; i-- > 0;)
		if (!strcmp(in->flags[i].name, name))
			return in->flags[i].value ? in->flags[i].value : "";
	return NULL;
}

bool df_has_flag(const struct df_inst *in, const char *name)
{
	return df_flag(in, name) != NULL;
}

const char *df_pair(const struct df_inst *in, const char *key)
{
	for (size_t i = in->npairs; i-- > 0;)
		if (!strcmp(in->pairs[i].key, key))
			return in->pairs[i].value;
	return NULL;
}

const char *df_unquote(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	size_t b = 0, e = n;
	/* hadolint's dropQuotes strips quote characters at both ends. */
	while (b < e && (s[b] == '"' || s[b] == '\''))
		b++;
	while (e > b && (s[e - 1] == '"' || s[e - 1] == '\''))
		e--;
	if (b == 0 && e == n)
		return s;
	return arena_strndup(a, s + b, e - b);
}
