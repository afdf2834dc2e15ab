/* Alpine (apk-tools) versions: DIGITS{.DIGITS}...{letter}{_suffix{N}}...{~hash}{-rN},
 * ordered as apk-tools' version.c orders them (plus the older letter-then-digits form). Pre-release
 * suffixes (_alpha _beta _pre _rc) sort before the bare version, post-release ones (_cvs _svn _git
 * _hg _p) after it; a dotted number with a leading zero compares as a string, as in Gentoo. Strings
 * apk would call invalid are refused rather than ordered by its fallback. */
#include "vercmp.h"

#include <string.h>

/* Token kinds in the order apk allows them to follow each other. */
enum tok {
	TOK_INITIAL_DIGIT,
	TOK_DIGIT,
	TOK_LETTER,
	TOK_SUFFIX,
	TOK_SUFFIX_NO,
	TOK_COMMIT_HASH,
	TOK_REVISION_NO,
	TOK_END,
	TOK_INVALID,
};

/* Suffix names by rank; SUF_NONE (a bare version) separates pre- from post-release. */
enum { SUF_ALPHA, SUF_BETA, SUF_PRE, SUF_RC, SUF_NONE, SUF_CVS, SUF_SVN, SUF_GIT, SUF_HG, SUF_P };
static const char *const suffixes[] = {"alpha", "beta", "pre", "rc", "",
				       "cvs",	"svn",	"git", "hg", "p"};

struct token {
	enum tok kind;
	int suffix;
	const char *s; /* the token's text: digits, letter, suffix name or hash */
	size_t n;
};

struct cursor {
	const char *p, *end;
};

static size_t span(const struct cursor *c, bool (*ok)(char))
{
	size_t n = 0;
	while (c->p + n < c->end && ok(c->p[n]))
		n++;
	return n;
}

static bool is_digit(char c)
{
	return hull_isdigit(c);
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_hex(char c)
{
	return hull_isdigit(c) || (c >= 'a' && c <= 'f');
}

/* Takes a run of characters accepted by ok as the token's text; empty is invalid. */
static void take(struct token *t, struct cursor *c, enum tok kind, bool (*ok)(char))
{
	t->s = c->p;
	t->n = span(c, ok);
	c->p += t->n;
	t->kind = t->n ? kind : TOK_INVALID;
}

static int suffix_rank(const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++)
		if (i != SUF_NONE && strlen(suffixes[i]) == n && !memcmp(suffixes[i], s, n))
			return (int)i;
	return -1;
}

static void next_suffix(struct token *t, struct cursor *c)
{
	c->p++;
	take(t, c, TOK_SUFFIX, is_lower);
	t->suffix = suffix_rank(t->s, t->n);
	if (t->suffix < 0)
		t->kind = TOK_INVALID;
}

static void next_revision(struct token *t, struct cursor *c)
{
	if (c->end - c->p < 2 || c->p[1] != 'r') {
		t->kind = TOK_INVALID;
		return;
	}
	c->p += 2;
	take(t, c, TOK_REVISION_NO, is_digit);
}

/* Reads the token after t (of kind t->kind), checking that it may follow it. */
static void next_token(struct token *t, struct cursor *c)
{
	enum tok prev = t->kind;
	if (c->p == c->end) {
		t->kind = TOK_END;
		return;
	}
	char ch = *c->p;
	if (is_lower(ch) && prev <= TOK_DIGIT) {
		t->s = c->p++;
		t->n = 1;
		t->kind = TOK_LETTER;
	} else if (ch == '.' && prev <= TOK_DIGIT) {
		c->p++;
		take(t, c, TOK_DIGIT, is_digit);
	} else if (hull_isdigit(ch) && prev == TOK_SUFFIX) {
		take(t, c, TOK_SUFFIX_NO, is_digit);
	} else if (hull_isdigit(ch) && prev == TOK_LETTER) {
		/* apk-tools <= 2.10 read "2p1" as 2, p, 1; current apk calls it invalid, but real
		 * packages (openssh 6.6.2p1-r0, sudo 1.8.28p1-r1) carry such versions. */
		take(t, c, TOK_DIGIT, is_digit);
	} else if (ch == '_' && prev <= TOK_SUFFIX_NO) {
		next_suffix(t, c);
	} else if (ch == '~' && prev < TOK_COMMIT_HASH) {
		c->p++;
		take(t, c, TOK_COMMIT_HASH, is_hex);
	} else if (ch == '-' && prev < TOK_REVISION_NO) {
		next_revision(t, c);
	} else {
		t->kind = TOK_INVALID;
	}
}

static int validate(const char *v, struct hull_err *err)
{
	struct cursor c = {v, v + strlen(v)};
	struct token t;
	take(&t, &c, TOK_INITIAL_DIGIT, is_digit);
	while (t.kind < TOK_END)
		next_token(&t, &c);
	if (t.kind == TOK_INVALID)
		return hull_vercmp_invalid(err, "apk", v,
					   "not DIGITS{.DIGITS}{letter}{_suffix{N}}{~hash}{-rN}");
	return 0;
}

static int token_cmp(const struct token *a, const struct token *b)
{
	switch (a->kind) {
	case TOK_DIGIT:
		/* A leading zero makes it a string comparison, as Gentoo does (1.01 < 1.1). */
		if (a->s[0] == '0' || b->s[0] == '0')
			return hull_vercmp_bytes(a->s, a->n, b->s, b->n);
		/* fall through */
	case TOK_INITIAL_DIGIT:
	case TOK_SUFFIX_NO:
	case TOK_REVISION_NO:
		return hull_vercmp_digits(a->s, a->n, b->s, b->n);
	case TOK_SUFFIX:
		return hull_sign(a->suffix - b->suffix);
	default:
		return hull_vercmp_bytes(a->s, a->n, b->s, b->n);
	}
}

/* Both versions are valid: walk their tokens together. When the kinds part, the one that
 * goes on is newer, unless what follows is a pre-release suffix. */
static int compare_valid(const char *a, const char *b)
{
	struct cursor ca = {a, a + strlen(a)}, cb = {b, b + strlen(b)};
	struct token ta, tb;
	take(&ta, &ca, TOK_INITIAL_DIGIT, is_digit);
	take(&tb, &cb, TOK_INITIAL_DIGIT, is_digit);
	for (; ta.kind == tb.kind && ta.kind < TOK_END;
	     next_token(&ta, &ca), next_token(&tb, &cb)) {
		int r = token_cmp(&ta, &tb);
		if (r)
			return r;
	}
	if (ta.kind == tb.kind)
		return 0;
	if (ta.kind == TOK_SUFFIX && ta.suffix < SUF_NONE)
		return -1;
	if (tb.kind == TOK_SUFFIX && tb.suffix < SUF_NONE)
		return 1;
	return ta.kind > tb.kind ? -1 : 1;
}

int hull_vercmp_apk(const char *a, const char *b, int *result, struct hull_err *err)
{
	int rc = validate(a, err);
	if (!rc)
		rc = validate(b, err);
	if (rc)
		return rc;
	*result = compare_valid(a, b);
	return 0;
}
