/* A small read-only YAML tree (manifests, specs, configs, OSV), built from libfyaml's event stream.
 * Aliases point at the anchored node (never expanded, so alias bombs cost nothing),
 * nesting depth is capped, duplicate keys are refused, and every node keeps its line. */
#ifndef HULL_UTIL_YAML_H
#define HULL_UTIL_YAML_H

#include "../util/arena.h"
#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>

#define HULL_YAML_MAX_DEPTH 200

enum knode_type { KNODE_SCALAR, KNODE_SEQ, KNODE_MAP };

struct knode;

struct kentry {
	const char *key; /* NULL when the key is not a scalar */
	size_t line;	 /* 1-based line of the key */
	const struct knode *val;
	size_t col; /* 1-based column of the key */
};

struct knode {
	enum knode_type type;
	bool plain;	 /* an unquoted scalar (so "true" in quotes is a string) */
	size_t line;	 /* 1-based */
	size_t col;	 /* 1-based column where the node starts */
	const char *str; /* scalars: NUL-terminated text */
	size_t n;	 /* items or entries */
	const struct knode **items;
	const struct kentry *entries;
};

/* Called once per document of the stream; index counts from 1. root is NULL for an empty
 * document. A non-zero return stops the parse and is returned. */
typedef int (*hull_yaml_doc_fn)(const struct knode *root, size_t index, void *ctx);

/* Parses data (YAML 1.2 or JSON) document by document into nodes allocated from a. On a
 * syntax error, documents before it have been delivered; err names the line. */
int hull_yaml_parse(const char *data, size_t len, struct arena *a, hull_yaml_doc_fn fn, void *ctx,
		    struct hull_err *err) HULL_MUST_CHECK;

/* A stream of at most one document (configs): *root is NULL when it is empty. Errors name
 * path: "PATH: line L, column C: ...", or "PATH: one YAML document expected". */
int hull_yaml_parse_one(const char *data, size_t len, const char *path, struct arena *a,
			const struct knode **root, struct hull_err *err) HULL_MUST_CHECK;

/* Map lookup (follows "<<" merge keys); NULL when absent or map is not a map. */
const struct kentry *kmap_entry(const struct knode *map, const char *key);
const struct knode *kmap_get(const struct knode *map, const char *key);
/* The scalar text of map[key], or NULL. */
const char *kmap_str(const struct knode *map, const char *key);
/* Returns 1 for true, 0 for false, -1 when not a boolean (YAML 1.1 spellings accepted,
 * as Kubernetes' YAML decoder does). */
int knode_bool(const struct knode *n);
bool knode_is(const struct knode *n, enum knode_type t);

#endif
