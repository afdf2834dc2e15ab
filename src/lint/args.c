/* Splits one instruction's arguments the way BuildKit does for its kind: leading --flags,
 * JSON exec form, whitespace words, key=value pairs, heredoc markers, image references. */
#include "parse_int.h"

#include "../util/strbuf.h"

#include <ctype.h>
#include <jansson.h>
#include <string.h>
#include <strings.h>

#define MAX_ONBUILD_DEPTH 4

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n';
}

static const char *skip_ws(const char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

/* Whitespace-separated words, quotes kept as written (COPY, EXPOSE, FROM, ...). */
static void split_words(struct df_doc *doc, const char *s, const char ***out, size_t *n)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (s = skip_ws(s); *s; s = skip_ws(s)) {
		const char *b = s;
		while (*s && !is_blank(*s))
			s++;
		if (*n + 1 > cap) {
			size_t nc = cap ? cap * 2 : 8;
			const char **v = arena_alloc(&doc->arena, nc * sizeof(*v));
			if (*n)
				memcpy(v, *out, *n * sizeof(*v));
			*out = v;
			cap = nc;
		}
		(*out)[(*n)++] = arena_strndup(&doc->arena, b, (size_t)(s - b));
	}
}

static bool kind_has_flags(enum df_kind k)
{
	return k == DF_FROM || k == DF_RUN || k == DF_COPY || k == DF_ADD || k == DF_HEALTHCHECK;
}

static const char *parse_flags(struct df_doc *doc, struct df_inst *in, const char *s)
{
	size_t cap = 0;
	for (s = skip_ws(s); s[0] == '-' && s[1] == '-' && s[2] && !is_blank(s[2]);
	     s = skip_ws(s)) {
		const char *b = s + 2;
		while (*s && !is_blank(*s))
			s++;
		const char *eq = memchr(b, '=', (size_t)(s - b));
		if (in->nflags + 1 > cap) {
			size_t nc = cap ? cap * 2 : 4;
			struct df_flag *v = arena_alloc(&doc->arena, nc * sizeof(*v));
			if (in->nflags)
				memcpy(v, in->flags, in->nflags * sizeof(*v));
			in->flags = v;
			cap = nc;
		}
		struct df_flag *f = &in->flags[in->nflags++];
		f->name = arena_strndup(&doc->arena, b, (size_t)((eq ? eq : s) - b));
		f->value = eq ? arena_strndup(&doc->arena, eq + 1, (size_t)(s - eq - 1)) : NULL;
	}
	return s;
}

static bool kind_may_be_json(enum df_kind k)
{
	return k == DF_RUN || k == DF_CMD || k == DF_ENTRYPOINT || k == DF_SHELL || k == DF_COPY ||
	       k == DF_ADD || k == DF_VOLUME;
}

/* BuildKit: a valid JSON array of strings is the exec form; anything else is shell form. */
static bool parse_json(struct df_doc *doc, struct df_inst *in, const char *s)
{
	if (*s != '[')
		return false;
	json_error_t jerr;
	json_t *v = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);
	if (!v || !json_is_array(v)) {
		json_decref(v);
		return false;
	}
	size_t n = json_array_size(v);
	const char **argv = arena_alloc(&doc->arena, (n ? n : 1) * sizeof(*argv));
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);
		if (!json_is_string(e)) {
			json_decref(v);
			return false;
		}
		argv[i] = arena_strndup(&doc->arena, json_string_value(e), json_string_length(e));
	}
	json_decref(v);
	in->json = true;
	in->argv = argv;
	in->argc = n;
	return true;
}

/* s is a JSON array of strings: the exec form */
static bool exec_form(const char *s)
{
	if (*s != '[')
		return false;
	json_t *v = json_loads(s, JSON_REJECT_DUPLICATES, NULL);
	bool ok = v && json_is_array(v);
	for (size_t i = 0; ok && i < json_array_size(v); i++)
		ok = json_is_string(json_array_get(v, i));
	json_decref(v);
	return ok;
}

const char *df_healthcheck_shell(const struct df_inst *in)
{
	const char *a = in->args;
	if (!a || strncasecmp(a, "CMD", 3) || (a[3] != ' ' && a[3] != '\t'))
		return NULL;
	a += 3 + strspn(a + 3, " \t");
	return *a && !exec_form(a) ? a : NULL;
}

/* Finds <<EOF, <<-EOF, <<"EOF", <<'EOF' markers outside quotes (not <<< here-strings). */
static void find_heredocs(struct df_doc *doc, struct df_inst *in, const char *s)
{
	char q = 0;
	size_t cap = 0;
	for (const char *p = s; *p; p++) {
		if (q) {
			if (*p == q)
				q = 0;
			continue;
		}
		if (*p == '"' || *p == '\'') {
			q = *p;
			continue;
		}
		if (p[0] != '<' || p[1] != '<' || p[2] == '<')
			continue;
		const char *m = p + 2;
		bool strip = *m == '-';
		if (strip)
			m++;
		char dq = (*m == '"' || *m == '\'') ? *m : 0;
		if (dq)
			m++;
		const char *b = m;
		while (*m && (isalnum((unsigned char)*m) || *m == '_' || *m == '-' || *m == '.'))
			m++;
		if (m == b || (dq && *m != dq))
			continue;
		if (in->nheredocs + 1 > cap) {
			size_t nc = cap ? cap * 2 : 2;
			struct df_heredoc *v = arena_alloc(&doc->arena, nc * sizeof(*v));
			if (in->nheredocs)
				memcpy(v, in->heredocs, in->nheredocs * sizeof(*v));
			in->heredocs = v;
			cap = nc;
		}
		struct df_heredoc *h = &in->heredocs[in->nheredocs++];
		memset(h, 0, sizeof(*h));
		h->delim = arena_strndup(&doc->arena, b, (size_t)(m - b));
		h->strip_tabs = strip;
		h->quoted = dq != 0;
		p = dq ? m : m - 1;
	}
}

/* Unquotes a key or value of ENV/LABEL: "..." (escapes inside), '...', escape-char. */
static const char *unquote_word(struct df_doc *doc, const char *b, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	char q = 0;
	strbuf_grow(&sb, n);
	for (size_t i = 0; i < n; i++) {
		char c = b[i];
		if (q == '\'') {
			if (c == '\'')
				q = 0;
			else
				strbuf_addch(&sb, c);
		} else if (c == doc->escape && i + 1 < n &&
			   (q != '"' || b[i + 1] == '"' || b[i + 1] == doc->escape ||
			    b[i + 1] == '$')) {
			strbuf_addch(&sb, b[++i]);
		} else if (q == '"') {
			if (c == '"')
				q = 0;
			else
				strbuf_addch(&sb, c);
		} else if (c == '"' || c == '\'') {
			q = c;
		} else {
			strbuf_addch(&sb, c);
		}
	}
	const char *r = arena_strndup(&doc->arena, sb.buf ? sb.buf : "", sb.len);
	strbuf_release(&sb);
	return r;
}

/* Next shell-like word (quotes and escapes keep blanks inside it). */
static const char *next_word(struct df_doc *doc, const char *s, const char **end)
{
	char q = 0;
	s = skip_ws(s);
	const char *p = s;
	for (; *p; p++) {
		if (*p == doc->escape && p[1] && q != '\'') {
			p++;
			continue;
		}
		if (q) {
			if (*p == q)
				q = 0;
		} else if (*p == '"' || *p == '\'') {
			q = *p;
		} else if (is_blank(*p)) {
			break;
		}
	}
	*end = p;
	return s;
}

static void add_pair(struct df_doc *doc, struct df_inst *in, size_t *cap, const char *k,
		     const char *v)
{
	if (in->npairs + 1 > *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct df_pair *pv = arena_alloc(&doc->arena, nc * sizeof(*pv));
		if (in->npairs)
			memcpy(pv, in->pairs, in->npairs * sizeof(*pv));
		in->pairs = pv;
		*cap = nc;
	}
	in->pairs[in->npairs].key = k;
	in->pairs[in->npairs++].value = v;
}

/* ENV and LABEL: "k=v k2=v2" or the legacy "k value with spaces". */
static int parse_pairs(struct df_doc *doc, struct df_inst *in, const char *s)
{
	size_t cap = 0;
	const char *e;
	const char *w = next_word(doc, s, &e);
	if (w == e)
		return 0;
	const char *eq = memchr(w, '=', (size_t)(e - w));
	if (!eq || in->kind == DF_ARG) {
		if (in->kind == DF_ARG) {
			for (; w != e; w = next_word(doc, e, &e)) {
				eq = memchr(w, '=', (size_t)(e - w));
				const char *k =
					arena_strndup(&doc->arena, w, (size_t)((eq ? eq : e) - w));
				add_pair(doc, in, &cap, k,
					 eq ? unquote_word(doc, eq + 1, (size_t)(e - eq - 1))
					    : NULL);
			}
			return 0;
		}
		const char *v = skip_ws(e);
		add_pair(doc, in, &cap, unquote_word(doc, w, (size_t)(e - w)),
			 unquote_word(doc, v, strlen(v)));
		return 0;
	}
	for (; w != e; w = next_word(doc, e, &e)) {
		eq = memchr(w, '=', (size_t)(e - w));
		if (!eq) {
			df_set_error(doc, in->line, in->col, "%s: can't find = in \"%.*s\"",
				     in->keyword, (int)(e - w > 64 ? 64 : e - w), w);
			return -1;
		}
		add_pair(doc, in, &cap, unquote_word(doc, w, (size_t)(eq - w)),
			 unquote_word(doc, eq + 1, (size_t)(e - eq - 1)));
	}
	return 0;
}

size_t df_registry_len(const char *ref, size_t n)
{
	const char *slash = memchr(ref, '/', n);
	if (!slash)
		return 0;
	size_t rl = (size_t)(slash - ref);
	if (memchr(ref, '.', rl) || memchr(ref, ':', rl) ||
	    (rl == 9 && !memcmp(ref, "localhost", 9)))
		return rl;
	return 0;
}

/* registry/name:tag@digest */
static void parse_image(struct df_doc *doc, struct df_inst *in, const char *ref)
{
	const char *at = strchr(ref, '@');
	size_t n = at ? (size_t)(at - ref) : strlen(ref);
	if (at)
		in->digest = arena_strdup(&doc->arena, at + 1);
	const char *slash = memchr(ref, '/', n);
	const char *last_slash = slash;
	for (const char *p = ref; p < ref + n; p++)
		if (*p == '/')
			last_slash = p;
	const char *colon = NULL;
	for (const char *p = last_slash ? last_slash : ref; p < ref + n; p++)
		if (*p == ':')
			colon = p;
	if (colon) {
		in->tag = arena_strndup(&doc->arena, colon + 1, (size_t)(ref + n - colon - 1));
		n = (size_t)(colon - ref);
	}
	in->image = arena_strndup(&doc->arena, ref, n);
	in->name = in->image;
	size_t rl = df_registry_len(ref, n);
	if (rl) {
		in->registry = arena_strndup(&doc->arena, ref, rl);
		in->name = in->image + rl + 1;
	}
}

static void parse_from(struct df_doc *doc, struct df_inst *in)
{
	in->platform = df_flag(in, "platform");
	if (in->argc >= 1)
		parse_image(doc, in, in->argv[0]);
	if (in->argc >= 3 && !strcasecmp(in->argv[1], "as"))
		in->alias = in->argv[2];
}

int df_parse_args(struct df_doc *doc, struct df_inst *in, const char *rest, int depth)
{
	if (kind_has_flags(in->kind))
		rest = parse_flags(doc, in, rest);
	rest = skip_ws(rest);
	size_t n = strlen(rest);
	while (n && is_blank(rest[n - 1]))
		n--;
	in->args = arena_strndup(&doc->arena, rest, n);
	if (in->kind == DF_ONBUILD) {
		if (depth >= MAX_ONBUILD_DEPTH) {
			df_set_error(doc, in->line, in->col, "ONBUILD nested too deeply");
			return -1;
		}
		in->sub = arena_alloc(&doc->arena, sizeof(*in->sub));
		memset(in->sub, 0, sizeof(*in->sub));
		return df_parse_line(doc, in->sub, in->args, in->line, in->col, depth + 1);
	}
	if (in->kind == DF_RUN || in->kind == DF_COPY || in->kind == DF_ADD)
		find_heredocs(doc, in, in->args);
	if (in->kind == DF_ENV || in->kind == DF_LABEL || in->kind == DF_ARG)
		return parse_pairs(doc, in, in->args);
	if (!(kind_may_be_json(in->kind) && parse_json(doc, in, in->args)))
		split_words(doc, in->args, &in->argv, &in->argc);
	if (in->kind == DF_FROM)
		parse_from(doc, in);
	return 0;
}

/* ---- variable expansion ------------------------------------------------------------- */

#define MAX_EXPAND_DEPTH 16

struct expander {
	struct arena *a;
	const char *(*lookup)(void *, const char *);
	void *ctx;
};

static void expand_into(struct expander *x, struct strbuf *out, const char *s, size_t n, int depth);

/* Length of a ${...} body starting after "${", honouring nesting; n if unterminated. */
static size_t brace_len(const char *s, size_t n)
{
	int level = 1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '{')
			level++;
		else if (s[i] == '}' && --level == 0)
			return i;
	}
	return n;
}

static void expand_braced(struct expander *x, struct strbuf *out, const char *s, size_t n,
			  int depth)
{
	size_t k = 0;
	while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_'))
		k++;
	char *name = xstrndup(s, k);
	const char *val = x->lookup ? x->lookup(x->ctx, name) : NULL;
	free(name);
	bool colon = k < n && s[k] == ':';
	size_t op = colon ? k + 1 : k;
	if (op >= n) {
		if (val)
			strbuf_adds(out, val);
		return;
	}
	bool set = val && (!colon || *val);
	const char *word = s + op + 1;
	size_t wn = n - op - 1;
	if (s[op] == '-') {
		if (set)
			strbuf_adds(out, val);
		else
			expand_into(x, out, word, wn, depth + 1);
	} else if (s[op] == '+') {
		if (set)
			expand_into(x, out, word, wn, depth + 1);
	} else if (val) {
		strbuf_adds(out, val); /* other operators (?, #, %) are left to the shell */
	}
}

static void expand_into(struct expander *x, struct strbuf *out, const char *s, size_t n, int depth)
{
	if (depth > MAX_EXPAND_DEPTH) {
		strbuf_add(out, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == '$') {
			strbuf_addch(out, '$');
			i++;
		} else if (s[i] == '$' && i + 1 < n && s[i + 1] == '{') {
			size_t bl = brace_len(s + i + 2, n - i - 2);
			expand_braced(x, out, s + i + 2, bl, depth);
			i += 2 + bl;
		} else if (s[i] == '$' && i + 1 < n &&
			   (isalpha((unsigned char)s[i + 1]) || s[i + 1] == '_')) {
			size_t k = i + 1;
			while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_'))
				k++;
			char *name = xstrndup(s + i + 1, k - i - 1);
			const char *val = x->lookup ? x->lookup(x->ctx, name) : NULL;
			free(name);
			if (val)
				strbuf_adds(out, val);
			i = k - 1;
		} else {
			strbuf_addch(out, s[i]);
		}
	}
}

const char *df_expand(struct arena *a, const char *s, const char *(*lookup)(void *, const char *),
		      void *ctx)
{
	struct expander x = {a, lookup, ctx};
	struct strbuf sb = STRBUF_INIT;
	expand_into(&x, &sb, s, strlen(s), 0);
	const char *r = arena_strndup(a, sb.buf ? sb.buf : "", sb.len);
	strbuf_release(&sb);
	return r;
}
