/* A bump allocator for many small allocations freed at once (file-table paths). */
#ifndef HULL_ARENA_H
#define HULL_ARENA_H

#include <stddef.h>

struct arena_chunk;
struct arena {
	struct arena_chunk *head;
	size_t used_total;
	size_t chunk_size; /* 0: 256 KiB; smaller suits many small arenas alive at once */
};

#define ARENA_INIT         \
	{                  \
		NULL, 0, 0 \
	}

void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_free(struct arena *a);

#endif
