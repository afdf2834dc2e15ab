/* A minimal parallel-for on pthreads with an atomic work counter. */
#include "pool.h"
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

struct job {
	size_t n;
	atomic_size_t next;
	void (*fn)(void *ctx, size_t i);
	void *ctx;
};

static void *worker(void *arg)
{
	struct job *job = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&job->next, 1);
		if (i >= job->n)
			break;
		job->fn(job->ctx, i);
	}
	return NULL;
}

void hull_parallel_for(size_t n, unsigned workers, void (*fn)(void *ctx, size_t i), void *ctx)
{
	struct job job = {.n = n, .fn = fn, .ctx = ctx};
	atomic_init(&job.next, 0);
	if (workers > n)
		workers = (unsigned)n;
	if (workers <= 1) {
		worker(&job);
		return;
	}
	pthread_t *tids = xcalloc(workers, sizeof(*tids));
	unsigned started = 0;
	for (unsigned i = 1; i < workers; i++)
		if (pthread_create(&tids[started], NULL, worker, &job) == 0)
			started++;
	worker(&job);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
}

unsigned hull_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}
