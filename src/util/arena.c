/* Chunked bump allocator; everything is freed together by arena_free(). */
#include "arena.h"
#include "util.h"

#include <string.h>

#define CHUNK_SIZE (256 * 1024)

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct arena_chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		size_t chunk = a->chunk_size ? a->chunk_size : CHUNK_SIZE;
		size_t cap = n > chunk / 4 ? n : chunk;
		c = xmalloc(sizeof(*c) + cap);
		c->used = 0;
		c->cap = cap;
		if (n > chunk / 4 && a->head) {
			/* A big block gets its own chunk behind the current one. */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = c->data + c->used;
	c->used += n;
	a->used_total += n;
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void arena_free(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->used_total = 0;
}
