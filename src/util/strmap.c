/* Open-addressing string hash map with FNV-1a hashing. */
#include "strmap.h"
#include "util.h"

#include <string.h>

uint64_t strmap_hash(const char *s, size_t len)
{
	uint64_t h = STRMAP_HASH_START;
	for (size_t i = 0; i < len; i++)
		h = strmap_hash_add(h, (unsigned char)s[i]);
	return strmap_hash_end(h);
}

static struct strmap_slot *find(const struct strmap *m, const char *key, size_t len, uint64_t h)
{
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->key)
			return s;
		if (s->hash == h && strncmp(s->key, key, len) == 0 && s->key[len] == '\0')
			return s;
	}
}

void *strmap_getnh(const struct strmap *m, const char *key, size_t len, uint64_t hash)
{
	if (!m->len)
		return NULL;
	struct strmap_slot *s = find(m, key, len, hash);
	return s->key ? s->value : NULL;
}

void *strmap_getn(const struct strmap *m, const char *key, size_t len)
{
	return strmap_getnh(m, key, len, strmap_hash(key, len));
}

void *strmap_get(const struct strmap *m, const char *key)
{
	return strmap_getn(m, key, strlen(key));
}

static void grow(struct strmap *m)
{
	struct strmap old = *m;
	m->cap = old.cap ? old.cap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.slots[i].key)
			continue;
		size_t mask = m->cap - 1;
		size_t j = old.slots[i].hash & mask;
		while (m->slots[j].key)
			j = (j + 1) & mask;
		m->slots[j] = old.slots[i];
	}
	free(old.slots);
}

void *strmap_put(struct strmap *m, const char *key, void *value)
{
	if ((m->len + 1) * 4 >= m->cap * 3)
		grow(m);
	size_t len = strlen(key);
	uint64_t h = strmap_hash(key, len);
	struct strmap_slot *s = find(m, key, len, h);
	if (s->key) {
		void *old = s->value;
		s->value = value;
		return old;
	}
	s->key = key;
	s->hash = h;
	s->value = value;
	m->len++;
	return NULL;
}

void strmap_free(struct strmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->len = 0;
}
