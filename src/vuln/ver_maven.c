/* Maven versions ordered as maven-artifact's ComparableVersion (3.8) orders them: the
 * version is cut at '.', at '-' (which opens a nested list) and where digits and letters
 * meet (which also opens one, as a trailing qualifier does); numbers compare by value, known
 * qualifiers in the order alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release
 * < sp, unknown qualifiers after them alphabetically; trailing zeros and empty qualifiers do not
 * count. Any ASCII string is a Maven version; other bytes are refused, since Java would apply
 * Unicode rules to them. */
#include "vercmp.h"

#include <string.h>

enum mkind { M_INT, M_STR, M_LIST };

struct mlist;

struct mitem {
	enum mkind kind;
	const char *s; /* M_INT: digits without leading zeros; M_STR: lower-case qualifier */
	size_t n;
	struct mlist *list; /* M_LIST */
};

struct mlist {
	struct mitem *v;
	size_t n, cap;
	struct mlist *parent;
};

/* Every list of a version, freed together. */
struct mversion {
	char *lower;
	struct mlist **lists;
	size_t nlists, cap;
};

static const char *const qualifiers[] = {"alpha", "beta", "milestone", "rc", "snapshot", "", "sp"};
enum { RELEASE_INDEX = 5 };

static struct mlist *new_list(struct mversion *mv, struct mlist *parent)
{
	struct mlist *l = xcalloc(1, sizeof(*l));
	l->parent = parent;
	ALLOC_GROW(mv->lists, mv->nlists + 1, mv->cap);
	mv->lists[mv->nlists++] = l;
	return l;
}

static void add(struct mlist *l, struct mitem it)
{
	ALLOC_GROW(l->v, l->n + 1, l->cap);
	l->v[l->n++] = it;
}

static struct mlist *add_list(struct mversion *mv, struct mlist *l)
{
	struct mlist *child = new_list(mv, l);
	add(l, (struct mitem){.kind = M_LIST, .list = child});
	return child;
}

static struct mitem int_item(const char *s, size_t n)
{
	while (n > 1 && *s == '0')
		s++, n--;
	return (struct mitem){.kind = M_INT, .s = s, .n = n};
}

/* A qualifier: a, b and m followed by a digit mean alpha, beta and milestone; ga, final
 * and release mean the release itself; cr means rc. */
static struct mitem str_item(const char *s, size_t n, bool before_digit)
{
	static const struct {
		const char *from, *to;
		bool before_digit;
	} aliases[] = {
		{"a", "alpha", true}, {"b", "beta", true},  {"m", "milestone", true},
		{"ga", "", false},    {"final", "", false}, {"release", "", false},
		{"cr", "rc", false},
	};
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++) {
		if (aliases[i].before_digit && !before_digit)
			continue;
		if (strlen(aliases[i].from) == n && !memcmp(aliases[i].from, s, n)) {
			s = aliases[i].to;
			n = strlen(s);
			break;
		}
	}
	return (struct mitem){.kind = M_STR, .s = s, .n = n};
}

static struct mitem parse_item(bool digit, const char *s, size_t n)
{
	return digit ? int_item(s, n) : str_item(s, n, false);
}

static int qualifier_index(const struct mitem *it)
{
	for (size_t i = 0; i < ARRAY_SIZE(qualifiers); i++)
		if (strlen(qualifiers[i]) == it->n && !memcmp(qualifiers[i], it->s, it->n))
			return (int)i;
	return -1;
}

static bool is_null(const struct mitem *it)
{
	switch (it->kind) {
	case M_INT:
		return it->n == 1 && it->s[0] == '0';
	case M_STR:
		return qualifier_index(it) == RELEASE_INDEX;
	default:
		return it->list->n == 0;
	}
}

/* Drops trailing null items (0, "", empty lists), looking through non-null nested lists. */
static void normalize(struct mlist *l)
{
	for (size_t i = l->n; i-- > 0;) {
		if (is_null(&l->v[i])) {
			memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
			l->n--;
		} else if (l->v[i].kind != M_LIST) {
			break;
		}
	}
}

/* Ends the item that started at start: a '.' or '-' right after a separator is a 0. */
static void end_item(struct mlist *l, const char *v, size_t start, size_t i, bool digit)
{
	if (i == start)
		add(l, int_item("0", 1));
	else
		add(l, parse_item(digit, v + start, i - start));
}

static struct mlist *parse(struct mversion *mv, const char *v)
{
	struct mlist *root = new_list(mv, NULL), *l = root;
	bool digit = false;
	size_t start = 0, len = strlen(v);
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		if (c == '.' || c == '-') {
			end_item(l, v, start, i, digit);
			start = i + 1;
			if (c == '-')
				l = add_list(mv, l);
		} else if (hull_isdigit(c)) {
			if (!digit && i > start) {
				/* 3.8: a qualifier never follows other items in the same list. */
				if (l->n)
					l = add_list(mv, l);
				add(l, str_item(v + start, i - start, true));
				start = i;
				l = add_list(mv, l);
			}
			digit = true;
		} else {
			if (digit && i > start) {
				add(l, int_item(v + start, i - start));
				start = i;
				l = add_list(mv, l);
			}
			digit = false;
		}
	}
	if (len > start) {
		if (!digit && l->n)
			l = add_list(mv, l);
		add(l, parse_item(digit, v + start, len - start));
	}
	/* Innermost list first, as ComparableVersion pops its stack. */
	for (; l; l = l->parent)
		normalize(l);
	return root;
}

static int qualifier_cmp(const struct mitem *a, const struct mitem *b)
{
	int ia = qualifier_index(a), ib = b ? qualifier_index(b) : RELEASE_INDEX;
	if (ia >= 0 && ib >= 0)
		return hull_sign(ia - ib);
	if (ia >= 0 || ib >= 0)
		return ia >= 0 ? -1 : 1;
	return hull_vercmp_bytes(a->s, a->n, b->s, b->n);
}

static int item_cmp(const struct mitem *a, const struct mitem *b);

/* A list against a missing item: its first item that differs from nothing decides. */
static int list_cmp_missing(const struct mlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		int r = item_cmp(&l->v[i], NULL);
		if (r)
			return r;
	}
	return 0;
}

static int list_cmp(const struct mlist *a, const struct mlist *b)
{
	for (size_t i = 0; i < a->n || i < b->n; i++) {
		const struct mitem *l = i < a->n ? &a->v[i] : NULL;
		const struct mitem *r = i < b->n ? &b->v[i] : NULL;
		int res = l ? item_cmp(l, r) : -item_cmp(r, NULL);
		if (res)
			return res;
	}
	return 0;
}

/* Compares a with b, or with nothing (b NULL: a is compared with a missing item). The
 * kinds rank list < qualifier... as ComparableVersion: 1.1 > 1-1 > 1-sp > 1.any. */
static int item_cmp(const struct mitem *a, const struct mitem *b)
{
	switch (a->kind) {
	case M_INT:
		if (!b)
			return !is_null(a);
		return b->kind == M_INT ? hull_vercmp_digits(a->s, a->n, b->s, b->n) : 1;
	case M_STR:
		if (!b || b->kind == M_STR)
			return qualifier_cmp(a, b);
		return -1;
	default:
		if (!b)
			return list_cmp_missing(a->list);
		if (b->kind == M_LIST)
			return list_cmp(a->list, b->list);
		return b->kind == M_INT ? -1 : 1;
	}
}

static void mversion_free(struct mversion *mv)
{
	for (size_t i = 0; i < mv->nlists; i++) {
		free(mv->lists[i]->v);
		free(mv->lists[i]);
	}
	free(mv->lists);
	free(mv->lower);
}

static int check(const char *v, struct hull_err *err)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p >= 0x80)
			return hull_vercmp_invalid(err, "maven", v, "non-ASCII character");
	return 0;
}

static char *lower_dup(const char *v)
{
	char *s = xstrdup(v);
	for (char *p = s; *p; p++)
		*p = hull_tolower(*p);
	return s;
}

int hull_vercmp_maven(const char *a, const char *b, int *result, struct hull_err *err)
{
	int rc = check(a, err);
	if (!rc)
		rc = check(b, err);
	if (rc)
		return rc;
	struct mversion ma = {.lower = lower_dup(a)}, mb = {.lower = lower_dup(b)};
	struct mlist *la = parse(&ma, ma.lower), *lb = parse(&mb, mb.lower);
	*result = list_cmp(la, lb);
	mversion_free(&ma);
	mversion_free(&mb);
	return 0;
}
