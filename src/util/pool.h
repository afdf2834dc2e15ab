/* Parallel-for over independent items with a fixed number of worker threads. */
#ifndef HULL_POOL_H
#define HULL_POOL_H

#include <stddef.h>

/* Calls fn(ctx, i) for every i in [0, n), at most workers at a time; returns when all
 * are done. workers <= 1 runs inline on the calling thread. Items are taken in order,
 * so the first items start first. */
void hull_parallel_for(size_t n, unsigned workers, void (*fn)(void *ctx, size_t i), void *ctx);

/* The number of online CPUs (at least 1). */
unsigned hull_ncpu(void);

#endif
