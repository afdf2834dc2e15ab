/* Progress of long work. Library code reports counts through a hook, from any thread;
 * the CLI owns the display: one line on a terminal, rewritten with \r at most ~10 times
 * a second, fitted to the terminal's width, cleared at the end. */
#ifndef HULL_UTIL_PROGRESS_H
#define HULL_UTIL_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hull_progress_hook {
	/* A new phase: label names it and its items ("reading layers", "reading files"),
	 * items and bytes are its totals (0 when unknown); the counts start from zero. */
	void (*begin)(void *ctx, const char *label, uint64_t items, uint64_t bytes);
	/* Increments: items finished (layers, blobs, files) and bytes done. */
	void (*add)(void *ctx, uint64_t items, uint64_t bytes);
	void *ctx;
};

/* Calls into a hook that may be NULL. */
void hull_progress_begin_phase(const struct hull_progress_hook *h, const char *label,
			       uint64_t items, uint64_t bytes);
void hull_progress_report(const struct hull_progress_hook *h, uint64_t items, uint64_t bytes);

/* The display. Every function takes NULL (no display) too. */
struct hull_progress;
/* A line on fd, drawn from the first phase begun:
 * "hull: reading layers: 3/7, 45.2 MB / 120.0 MB, 12.3 MB/s, ETA 0:06". */
struct hull_progress *hull_progress_new(int fd);
/* A hook that feeds p (p may be NULL: then a hook that does nothing). */
struct hull_progress_hook hull_progress_hook(struct hull_progress *p);
void hull_progress_begin(struct hull_progress *p, const char *label, uint64_t items,
			 uint64_t bytes);
void hull_progress_add(struct hull_progress *p, uint64_t items, uint64_t bytes);
/* Erases the line (before other output); the next update draws it again. */
void hull_progress_clear(struct hull_progress *p);
/* Erases the line and frees p. */
void hull_progress_end(struct hull_progress *p);

#endif
