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
/* The same hash a byte at a time, for looking up every prefix of a text in one pass:
 * strmap_hash(s, n) == strmap_hash_end(n steps of strmap_hash_add from STRMAP_HASH_START). */
#define STRMAP_HASH_START 0xcbf29ce484222325ULL
static inline uint64_t strmap_hash_add(uint64_t h, unsigned char c)
{
	return (h ^ c) * 0x100000001b3ULL;
}
static inline uint64_t strmap_hash_end(uint64_t h)
{
	return h ^ (h >> 29);
}
/* strmap_getn with the key's hash already known. */
void *strmap_getnh(const struct strmap *m, const char *key, size_t len, uint64_t hash);
void *strmap_get(const struct strmap *m, const char *key);
void *strmap_getn(const struct strmap *m, const char *key, size_t len);
/* Inserts or replaces; returns the previous value or NULL. */
void *strmap_put(struct strmap *m, const char *key, void *value);
void strmap_free(struct strmap *m);

#endif
