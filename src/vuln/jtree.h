/* A compact JSON tree for the OSV importer: documents parsed in place (strings decoded into
 * the input buffer itself) into nodes allocated from an arena, as strict as jansson's
 * json_loadb with JSON_REJECT_DUPLICATES, and written back compactly as json_dumps with
 * JSON_COMPACT would. Avoids one malloc per value, which dominated the import. */
#ifndef HULL_VULN_JTREE_H
#define HULL_VULN_JTREE_H

#include "../util/arena.h"
#include "../util/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jtype { JT_NULL, JT_FALSE, JT_TRUE, JT_NUMBER, JT_STRING, JT_ARRAY, JT_OBJECT };

struct jmember;

struct jnode {
	enum jtype type;
	uint32_t n; /* bytes of a string or number, items of an array, members of an object */
	union {
		const char *s;		       /* JT_STRING: NUL-terminated; JT_NUMBER: text */
		const struct jnode *items;     /* JT_ARRAY */
		const struct jmember *members; /* JT_OBJECT, in document order, keys unique */
	};
};

struct jmember {
	const char *key; /* NUL-terminated */
	uint32_t klen;
	struct jnode val;
};

/* Where and why a parse failed. */
struct jtree_err {
	size_t line, column; /* 1-based */
	const char *msg;     /* static text */
	bool too_deep;	     /* nesting beyond max_depth (line and column are set too) */
};

/* Parses the JSON document in buf[0..len) (buf[len] must be '\0') into *root. Strings are
 * decoded in place, so buf is modified and must outlive the tree; nodes come from a. The
 * top level must be an object or an array; a value nested deeper than max_depth (the root
 * is depth 0) fails with too_deep. Returns 0, or -1 with *e filled. */
int jtree_parse(char *buf, size_t len, struct arena *a, int max_depth, struct jnode *root,
		struct jtree_err *e);

/* The value of member key of an object, or NULL (also when obj is not an object). */
const struct jnode *jtree_get(const struct jnode *obj, const char *key);

/* Appends n as compact JSON (no spaces, members in order, non-ASCII kept as UTF-8). */
void jtree_dump(struct strbuf *sb, const struct jnode *n);
/* Appends s (n bytes) as a quoted JSON string. */
void jtree_dump_str(struct strbuf *sb, const char *s, size_t n);

/* Whether s[0..n) is valid UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
bool jtree_utf8_valid(const char *s, size_t n);

#endif
