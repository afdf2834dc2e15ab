/* A string-keyed hash map (open addressing, linear probing). Keys are borrowed: they
 * must outlive the map (they usually live in an arena). No deletion. */
#ifndef HULL_STRMAP_H
#define HULL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	const char *key;
	void *value;
	uint64_t hash;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap; /* a power of two */
	size_t len;
};

#define STRMAP_INIT        \
	{                  \
		NULL, 0, 0 \
	}

uint64_t strmap_hash(const char *s, size_t len);
void *strmap_get(const struct strmap *m, const char *key);
void *strmap_getn(const struct strmap *m, const char *key, size_t len);
/* Inserts or replaces; returns the previous value or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *value);
void strmap_free(struct strmap *m);

#endif
