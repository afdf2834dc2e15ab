/* Pragma comments, parsed leniently about blanks as hadolint is: "hadolint  ignore = A, B". */
#include "pragma.h"

#include "../util/util.h"

#include <ctype.h>
#include <string.h>

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Matches word at s followed by a blank or '='; returns the position after it. */
static const char *word(const char *s, const char *w)
{
	size_t n = strlen(w);
	if (strncmp(s, w, n))
		return NULL;
	if (s[n] && s[n] != ' ' && s[n] != '\t' && s[n] != '=')
		return NULL;
	return s + n;
}

/* hadolint's rule list: codes (capitals then digits: DL3008, SC2086, HL1001) separated by
 * commas, then nothing but blanks or a "# comment". Anything else ("crazy", lower case,
 * trailing words) makes the whole pragma void, as in hadolint. */
static bool parse_codes(const char *s, struct lint_pragma *p)
{
	for (;;) {
		s = skip_ws(s);
		const char *b = s;
		while (*s >= 'A' && *s <= 'Z')
			s++;
		const char *d = s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (d == b || s == d || isalnum((unsigned char)*s) || *s == '_' || *s == '-')
			return false;
		p->codes = xreallocarray(p->codes, p->ncodes + 1, sizeof(*p->codes));
		p->codes[p->ncodes++] = xstrndup(b, (size_t)(s - b));
		s = skip_ws(s);
		if (*s != ',')
			return !*s || *s == '#';
		s++;
	}
}

void lint_pragma_parse(const char *comment, struct lint_pragma *p)
{
	memset(p, 0, sizeof(*p));
	const char *s = skip_ws(comment), *t;
	if (!(t = word(s, "hadolint")) && !(t = word(s, "hull")))
		return;
	s = skip_ws(t);
	enum lint_pragma_kind kind = PRAGMA_IGNORE;
	if ((t = word(s, "global")))
		kind = PRAGMA_GLOBAL_IGNORE;
	else if ((t = word(s, "stage")))
		kind = PRAGMA_STAGE_IGNORE;
	if (kind != PRAGMA_IGNORE)
		s = skip_ws(t);
	if ((t = word(s, "ignore"))) {
		s = skip_ws(t);
		if (*s != '=')
			return;
		if (parse_codes(s + 1, p) && p->ncodes)
			p->kind = kind;
		else
			lint_pragma_free(p); /* void: no codes, kind none */
		return;
	}
	if (kind == PRAGMA_IGNORE && (t = word(s, "shell"))) {
		s = skip_ws(t);
		if (*s != '=')
			return;
		s = skip_ws(s + 1);
		size_t n = strcspn(s, " \t");
		t = skip_ws(s + n);
		if (n && (!*t || *t == '#')) { /* else void, as hadolint: "shell=bash extra" */
			p->kind = PRAGMA_SHELL;
			p->shell = xstrndup(s, n);
		}
	}
}

void lint_pragma_free(struct lint_pragma *p)
{
	for (size_t i = 0; i < p->ncodes; i++)
		free(p->codes[i]);
	free(p->codes);
	free(p->shell);
	memset(p, 0, sizeof(*p));
}

bool lint_pragma_is_ignore(const char *comment)
{
	struct lint_pragma p;
	lint_pragma_parse(comment, &p);
	bool r = p.kind == PRAGMA_IGNORE;
	lint_pragma_free(&p);
	return r;
}

bool lint_pragma_above(const struct df_doc *doc, size_t i, enum lint_pragma_kind kind,
		       struct lint_pragma *p)
{
	memset(p, 0, sizeof(*p));
	const struct df_inst *c = i ? &doc->insts[i - 1] : NULL;
	if (!c || c->kind != DF_COMMENT || c->line != doc->insts[i].line - 1)
		return false;
	lint_pragma_parse(c->args, p);
	if (p->kind == kind)
		return true;
	lint_pragma_free(p);
	return false;
}

bool lint_pragma_stage(const struct df_doc *doc, size_t i, struct lint_pragma *p)
{
	size_t j = i + 1;
	while (j-- > 0 && doc->insts[j].kind != DF_FROM)
		;
	if (j == (size_t)-1) {
		memset(p, 0, sizeof(*p));
		return false;
	}
	return lint_pragma_above(doc, j, PRAGMA_STAGE_IGNORE, p);
}
