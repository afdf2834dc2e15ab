/* In-place JSON parsing into an arena tree, and its compact writer. The rules follow
 * jansson's decoder (RFC 8259 grammar, valid UTF-8, no \u0000, paired surrogates, integers
 * that fit a long long, finite reals, unique keys) so that swapping it in rejects what
 * jansson rejected; fuzz/fuzz_osv.c checks the two against each other. One difference: a
 * NUL byte is always an error, where jansson skips one right after a number or literal. */
#include "jtree.h"

#include "../util/util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objects up to this many members are checked for duplicate keys pair by pair. */
#define SMALL_OBJECT 32

struct jp {
	char *p;	 /* read position */
	const char *end; /* buf + len, where a '\0' sits */
	const char *line_start;
	size_t line;
	struct arena *a;
	int max_depth;
	struct jmember *stk; /* values of the open containers, innermost last */
	size_t nstk, cap;
	struct jtree_err *e;
};

static int fail(struct jp *j, const char *at, const char *msg)
{
	j->e->line = j->line;
	j->e->column = (size_t)(at - j->line_start) + 1;
	j->e->msg = msg;
	return -1;
}

static int fail_end(struct jp *j, const char *at, const char *msg)
{
	return fail(j, at, at >= j->end ? "premature end of input" : msg);
}

static void skip_ws(struct jp *j)
{
	char *p = j->p;
	for (;;) {
		char c = *p;
		if (c == ' ' || c == '\t' || c == '\r') {
			p++;
		} else if (c == '\n') {
			j->line++;
			j->line_start = ++p;
		} else {
			break;
		}
	}
	j->p = p;
}

/* ---- strings ---- */

#define ONES  0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline uint64_t has_zero(uint64_t v)
{
	return (v - ONES) & ~v & HIGHS;
}

/* Skips bytes that need no attention inside a string: printable ASCII but '"' and '\'. */
static const char *skip_plain(const char *p, const char *end)
{
	while (end - p >= 8) {
		uint64_t x;
		memcpy(&x, p, 8);
		if ((x & HIGHS) | ((x - ONES * 0x20) & ~x & HIGHS) | has_zero(x ^ (ONES * '"')) |
		    has_zero(x ^ (ONES * '\\')))
			break;
		p += 8;
	}
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
			break;
		p++;
	}
	return p;
}

/* The length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_seq(const unsigned char *s, const unsigned char *end)
{
	unsigned c = s[0], cp;
	size_t n;
	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		n = 2;
		cp = c & 0x1F;
	} else if (c < 0xF0) {
		n = 3;
		cp = c & 0x0F;
	} else if (c < 0xF5) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - s) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

bool jtree_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t k = utf8_seq(p, end);
		if (!k)
			return false;
		p += k;
	}
	return true;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *w, unsigned cp)
{
	if (cp < 0x80) {
		*w++ = (char)cp;
	} else if (cp < 0x800) {
		*w++ = (char)(0xC0 | (cp >> 6));
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*w++ = (char)(0xE0 | (cp >> 12));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	} else {
		*w++ = (char)(0xF0 | (cp >> 18));
		*w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
		*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char)(0x80 | (cp & 0x3F));
	}
	return w;
}

/* A \u escape at r (pointing at the 'u'); advances *rp past it and writes the code point. */
static int unicode_escape(struct jp *j, char **rp, char **wp)
{
	char *r = *rp;
	unsigned cp, lo;
	if (j->end - r < 5 || hex4(r + 1, &cp))
		return fail_end(j, r, "invalid \\u escape");
	r += 5;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		if (j->end - r < 6 || r[0] != '\\' || r[1] != 'u' || hex4(r + 2, &lo) ||
		    lo < 0xDC00 || lo > 0xDFFF)
			return fail(j, r, "invalid Unicode: unpaired high surrogate");
		cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
		r += 6;
	} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
		return fail(j, r, "invalid Unicode: unpaired low surrogate");
	} else if (cp == 0) {
		return fail(j, r, "\\u0000 is not allowed");
	}
	*wp = put_utf8(*wp, cp);
	*rp = r;
	return 0;
}

/* Decodes the string whose opening quote is at j->p into the same bytes, NUL-terminated. */
static int parse_string(struct jp *j, const char **out, uint32_t *outlen)
{
	char *r = j->p + 1, *w = r, *start = r;
	for (;;) {
		char *run = r;
		r = (char *)skip_plain(r, j->end);
		if (w != run)
			memmove(w, run, (size_t)(r - run));
		w += r - run;
		if (r >= j->end)
			return fail(j, r, "premature end of input");
		unsigned char c = (unsigned char)*r;
		if (c == '"') {
			*w = '\0';
			j->p = r + 1;
			if ((size_t)(w - start) > UINT32_MAX)
				return fail(j, r, "string too long");
			*out = start;
			*outlen = (uint32_t)(w - start);
			return 0;
		}
		if (c == '\\') {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			const char *k = r[1] ? strchr(from, r[1]) : NULL;
			if (k) {
				*w++ = to[k - from];
				r += 2;
			} else if (r[1] == 'u') {
				r++;
				if (unicode_escape(j, &r, &w))
					return -1;
			} else {
				return fail_end(j, r + 1, "invalid escape");
			}
		} else if (c < 0x20) {
			return fail(j, r, "control character in string");
		} else {
			size_t n =
				utf8_seq((const unsigned char *)r, (const unsigned char *)j->end);
			if (!n)
				return fail(j, r, "invalid UTF-8 in string");
			memmove(w, r, n);
			w += n;
			r += n;
		}
	}
}

/* ---- scalars ---- */

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

static int parse_number(struct jp *j, struct jnode *out)
{
	const char *s = j->p, *p = s;
	bool real = false;
	if (*p == '-')
		p++;
	if (*p == '0') {
		p++;
	} else if (*p >= '1' && *p <= '9') {
		while (digit(*p))
			p++;
	} else {
		return fail_end(j, p, "invalid number");
	}
	if (*p == '.') {
		real = true;
		if (!digit(*++p))
			return fail_end(j, p, "invalid number");
		while (digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		real = true;
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!digit(*p))
			return fail_end(j, p, "invalid number");
		while (digit(*p))
			p++;
	}
	/* The text ends at a byte that is not part of a number (buf[len] is '\0'). */
	errno = 0;
	if (!real) {
		(void)strtoll(s, NULL, 10);
		if (errno == ERANGE)
			return fail(j, s, "too big integer");
	} else {
		double d = strtod(s, NULL);
		if (errno == ERANGE && isinf(d))
			return fail(j, s, "real number overflow");
	}
	if ((size_t)(p - s) > UINT32_MAX)
		return fail(j, s, "number too long");
	out->type = JT_NUMBER;
	out->s = s;
	out->n = (uint32_t)(p - s);
	j->p = (char *)p;
	return 0;
}

static int parse_literal(struct jp *j, struct jnode *out, const char *word, enum jtype t)
{
	size_t n = strlen(word);
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n))
		return fail_end(j, j->p, "invalid token");
	out->type = t;
	out->n = 0;
	out->s = NULL;
	j->p += n;
	return 0;
}

/* ---- containers ---- */

static void push(struct jp *j, const char *key, uint32_t klen, const struct jnode *v)
{
	ALLOC_GROW(j->stk, j->nstk + 1, j->cap);
	struct jmember *m = &j->stk[j->nstk++];
	m->key = key;
	m->klen = klen;
	m->val = *v;
}

static int cmp_member(const void *a, const void *b)
{
	const struct jmember *x = *(const struct jmember *const *)a;
	const struct jmember *y = *(const struct jmember *const *)b;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return memcmp(x->key, y->key, x->klen);
}

static bool same_key(const struct jmember *x, const struct jmember *y)
{
	return x->klen == y->klen && !memcmp(x->key, y->key, x->klen);
}

static bool has_duplicates(const struct jmember *m, size_t n)
{
	if (n <= SMALL_OBJECT) {
		for (size_t i = 1; i < n; i++)
			for (size_t k = 0; k < i; k++)
				if (same_key(&m[i], &m[k]))
					return true;
		return false;
	}
	const struct jmember **v = xmalloc(n * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = &m[i];
	qsort(v, n, sizeof(*v), cmp_member);
	bool dup = false;
	for (size_t i = 1; i < n && !dup; i++)
		dup = same_key(v[i - 1], v[i]);
	free(v);
	return dup;
}

/* Moves the values pushed since base into the arena as the node's children. */
static int close_container(struct jp *j, struct jnode *out, size_t base, enum jtype t,
			   const char *at)
{
	size_t n = j->nstk - base;
	if (n > UINT32_MAX)
		return fail(j, at, "too many values");
	out->type = t;
	out->n = (uint32_t)n;
	out->s = NULL;
	if (!n)
		return 0;
	const struct jmember *m = j->stk + base;
	if (t == JT_OBJECT) {
		if (has_duplicates(m, n))
			return fail(j, at, "duplicate object key");
		struct jmember *dst = arena_alloc(j->a, n * sizeof(*dst));
		memcpy(dst, m, n * sizeof(*dst));
		out->members = dst;
	} else {
		struct jnode *dst = arena_alloc(j->a, n * sizeof(*dst));
		for (size_t i = 0; i < n; i++)
			dst[i] = m[i].val;
		out->items = dst;
	}
	j->nstk = base;
	return 0;
}

static int parse_value(struct jp *j, struct jnode *out, int depth);

static int parse_array(struct jp *j, struct jnode *out, int depth)
{
	size_t base = j->nstk;
	j->p++;
	skip_ws(j);
	if (*j->p != ']') {
		for (;;) {
			struct jnode v;
			if (parse_value(j, &v, depth + 1))
				return -1;
			push(j, NULL, 0, &v);
			skip_ws(j);
			if (*j->p == ']')
				break;
			if (*j->p != ',')
				return fail_end(j, j->p, "',' or ']' expected");
			j->p++;
			skip_ws(j);
		}
	}
	j->p++;
	return close_container(j, out, base, JT_ARRAY, j->p - 1);
}

static int parse_object(struct jp *j, struct jnode *out, int depth)
{
	size_t base = j->nstk;
	const char *open = j->p;
	j->p++;
	skip_ws(j);
	if (*j->p != '}') {
		for (;;) {
			const char *key;
			uint32_t klen;
			struct jnode v;
			if (*j->p != '"')
				return fail_end(j, j->p, "string expected as object key");
			if (parse_string(j, &key, &klen))
				return -1;
			skip_ws(j);
			if (*j->p != ':')
				return fail_end(j, j->p, "':' expected");
			j->p++;
			skip_ws(j);
			if (parse_value(j, &v, depth + 1))
				return -1;
			push(j, key, klen, &v);
			skip_ws(j);
			if (*j->p == '}')
				break;
			if (*j->p != ',')
				return fail_end(j, j->p, "',' or '}' expected");
			j->p++;
			skip_ws(j);
		}
	}
	j->p++;
	return close_container(j, out, base, JT_OBJECT, open);
}

static int parse_value(struct jp *j, struct jnode *out, int depth)
{
	if (depth > j->max_depth) {
		j->e->too_deep = true;
		return fail(j, j->p, "nested too deeply");
	}
	switch (*j->p) {
	case '{':
		return parse_object(j, out, depth);
	case '[':
		return parse_array(j, out, depth);
	case '"':
		out->type = JT_STRING;
		return parse_string(j, &out->s, &out->n);
	case 't':
		return parse_literal(j, out, "true", JT_TRUE);
	case 'f':
		return parse_literal(j, out, "false", JT_FALSE);
	case 'n':
		return parse_literal(j, out, "null", JT_NULL);
	default:
		if (*j->p == '-' || digit(*j->p))
			return parse_number(j, out);
		return fail_end(j, j->p, "unexpected token");
	}
}

int jtree_parse(char *buf, size_t len, struct arena *a, int max_depth, struct jnode *root,
		struct jtree_err *e)
{
	struct jp j = {.p = buf,
		       .end = buf + len,
		       .line_start = buf,
		       .line = 1,
		       .a = a,
		       .max_depth = max_depth,
		       .e = e};
	memset(e, 0, sizeof(*e));
	j.cap = 512;
	j.stk = xmalloc(j.cap * sizeof(*j.stk));
	skip_ws(&j);
	int rc;
	if (*j.p != '{' && *j.p != '[')
		rc = fail_end(&j, j.p, "'[' or '{' expected");
	else
		rc = parse_value(&j, root, 0);
	if (!rc) {
		skip_ws(&j);
		if (j.p != j.end)
			rc = fail(&j, j.p, "end of file expected");
	}
	free(j.stk);
	return rc;
}

const struct jnode *jtree_get(const struct jnode *obj, const char *key)
{
	if (!obj || obj->type != JT_OBJECT)
		return NULL;
	size_t n = strlen(key);
	for (uint32_t i = 0; i < obj->n; i++) {
		const struct jmember *m = &obj->members[i];
		if (m->klen == n && !memcmp(m->key, key, n))
			return &m->val;
	}
	return NULL;
}

/* ---- writing ---- */

/* strbuf_addch and strbuf_add without the call for the short pieces written here. */
static inline void put_ch(struct strbuf *sb, char c)
{
	if (sb->len + 2 > sb->cap)
		strbuf_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}

static inline void put(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap)
		strbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void jtree_dump_str(struct strbuf *sb, const char *s, size_t n)
{
	const char *run = s, *end = s + n;
	strbuf_grow(sb, n + 2);
	put_ch(sb, '"');
	for (const char *p = s; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(sb, run, (size_t)(p - run));
		run = p + 1;
		switch (c) {
		case '"':
			put(sb, "\\\"", 2);
			break;
		case '\\':
			put(sb, "\\\\", 2);
			break;
		case '\b':
			put(sb, "\\b", 2);
			break;
		case '\f':
			put(sb, "\\f", 2);
			break;
		case '\n':
			put(sb, "\\n", 2);
			break;
		case '\r':
			put(sb, "\\r", 2);
			break;
		case '\t':
			put(sb, "\\t", 2);
			break;
		default:
			strbuf_addf(sb, "\\u%04X", c);
		}
	}
	put(sb, run, (size_t)(end - run));
	put_ch(sb, '"');
}

void jtree_dump(struct strbuf *sb, const struct jnode *n)
{
	switch (n->type) {
	case JT_NULL:
		put(sb, "null", 4);
		break;
	case JT_FALSE:
		put(sb, "false", 5);
		break;
	case JT_TRUE:
		put(sb, "true", 4);
		break;
	case JT_NUMBER:
		put(sb, n->s, n->n);
		break;
	case JT_STRING:
		jtree_dump_str(sb, n->s, n->n);
		break;
	case JT_ARRAY:
		put_ch(sb, '[');
		for (uint32_t i = 0; i < n->n; i++) {
			if (i)
				put_ch(sb, ',');
			jtree_dump(sb, &n->items[i]);
		}
		put_ch(sb, ']');
		break;
	case JT_OBJECT:
		put_ch(sb, '{');
		for (uint32_t i = 0; i < n->n; i++) {
			if (i)
				put_ch(sb, ',');
			jtree_dump_str(sb, n->members[i].key, n->members[i].klen);
			put_ch(sb, ':');
			jtree_dump(sb, &n->members[i].val);
		}
		put_ch(sb, '}');
		break;
	}
}
