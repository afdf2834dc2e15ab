/* The progress line (see progress.h): counters updated atomically from any thread; the
 * thread that finds the redraw due and the lock free draws. */
#include "progress.h"
#include "strbuf.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_NS 100000000ull /* ~10 redraws a second */

struct hull_progress {
	int fd;
	char label[64];
	pthread_mutex_t mu; /* drawing, label and totals */
	atomic_uint_fast64_t items, bytes;
	atomic_uint_fast64_t next_ns; /* earliest time of the next redraw */
	uint64_t items_total, bytes_total, start_ns;
	bool shown; /* a line is on the terminal */
};

void hull_progress_begin_phase(const struct hull_progress_hook *h, const char *label,
			       uint64_t items, uint64_t bytes)
{
	if (h && h->begin)
		h->begin(h->ctx, label, items, bytes);
}

void hull_progress_report(const struct hull_progress_hook *h, uint64_t items, uint64_t bytes)
{
	if (h && h->add)
		h->add(h->ctx, items, bytes);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct hull_progress *hull_progress_new(int fd)
{
	struct hull_progress *p = xcalloc(1, sizeof(*p));
	p->fd = fd;
	pthread_mutex_init(&p->mu, NULL);
	atomic_init(&p->items, 0);
	atomic_init(&p->bytes, 0);
	atomic_init(&p->next_ns, 0);
	p->start_ns = now_ns();
	return p;
}

static void put(int fd, const char *s, size_t n)
{
	int rc = hull_write_all(fd, s, n);
	(void)rc; /* a progress line is not worth failing over */
}

static unsigned term_width(int fd)
{
	struct winsize ws;
	if (!ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	long v = c ? strtol(c, NULL, 10) : 0;
	return v > 0 && v < 10000 ? (unsigned)v : 80;
}

/* The parts of the line, most important first; the last ones go when it does not fit. */
static size_t parts(struct hull_progress *p, uint64_t now, char part[4][64])
{
	uint64_t items = atomic_load(&p->items), bytes = atomic_load(&p->bytes);
	size_t n = 0;
	char a[24], b[24];
	if (!p->items_total && !p->bytes_total && !items && !bytes) {
		snprintf(part[n++], 64, " …"); /* nothing to count yet: not "0 B" */
		return n;
	}
	if (p->items_total)
		snprintf(part[n++], 64, ": %llu/%llu", (unsigned long long)items,
			 (unsigned long long)p->items_total);
	else if (items)
		snprintf(part[n++], 64, ": %llu", (unsigned long long)items);
	hull_human_size(bytes, a, sizeof(a));
	const char *sep = n ? ", " : ": ";
	if (p->bytes_total) {
		hull_human_size(p->bytes_total, b, sizeof(b));
		snprintf(part[n++], 64, "%s%s / %s", sep, a, b);
	} else {
		snprintf(part[n++], 64, "%s%s", sep, a);
	}
	double secs = (double)(now - p->start_ns) / 1e9;
	if (secs < 0.2 || !bytes)
		return n;
	double rate = (double)bytes / secs;
	hull_human_size((uint64_t)rate, a, sizeof(a));
	snprintf(part[n++], 64, ", %s/s", a);
	if (p->bytes_total > bytes) {
		unsigned long long eta =
			(unsigned long long)((double)(p->bytes_total - bytes) / rate);
		if (eta >= 3600)
			snprintf(part[n++], 64, ", ETA %llu:%02llu:%02llu", eta / 3600,
				 eta / 60 % 60, eta % 60);
		else
			snprintf(part[n++], 64, ", ETA %llu:%02llu", eta / 60, eta % 60);
	}
	return n;
}

/* With p->mu held. */
static void draw(struct hull_progress *p, uint64_t now)
{
	char part[4][64];
	size_t n = parts(p, now, part);
	size_t width = term_width(p->fd) - 1; /* the last column would wrap */
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "\rhull: ");
	strbuf_adds(&sb, p->label);
	size_t len = sb.len - 1;
	for (size_t i = 0; i < n && len + strlen(part[i]) <= width; i++) {
		strbuf_adds(&sb, part[i]);
		len += strlen(part[i]);
	}
	if (len > width) { /* a very narrow terminal: cut the label */
		sb.len = width + 1;
		sb.buf[sb.len] = '\0';
	}
	strbuf_adds(&sb, "\033[K");
	put(p->fd, sb.buf, sb.len);
	strbuf_release(&sb);
	p->shown = true;
}

void hull_progress_begin(struct hull_progress *p, const char *label, uint64_t items, uint64_t bytes)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->items_total = items;
	p->bytes_total = bytes;
	atomic_store(&p->items, 0);
	atomic_store(&p->bytes, 0);
	p->start_ns = now_ns();
	atomic_store(&p->next_ns, p->start_ns + REDRAW_NS);
	draw(p, p->start_ns);
	pthread_mutex_unlock(&p->mu);
}

void hull_progress_add(struct hull_progress *p, uint64_t items, uint64_t bytes)
{
	if (!p)
		return;
	atomic_fetch_add(&p->items, items);
	atomic_fetch_add(&p->bytes, bytes);
	uint64_t now = now_ns();
	if (now < atomic_load(&p->next_ns) || pthread_mutex_trylock(&p->mu))
		return;
	if (now >= atomic_load(&p->next_ns) && p->label[0]) {
		atomic_store(&p->next_ns, now + REDRAW_NS);
		draw(p, now);
	}
	pthread_mutex_unlock(&p->mu);
}

static void hook_begin(void *ctx, const char *label, uint64_t items, uint64_t bytes)
{
	hull_progress_begin(ctx, label, items, bytes);
}

static void hook_add(void *ctx, uint64_t items, uint64_t bytes)
{
	hull_progress_add(ctx, items, bytes);
}

struct hull_progress_hook hull_progress_hook(struct hull_progress *p)
{
	struct hull_progress_hook h = {0};
	if (p)
		h = (struct hull_progress_hook){hook_begin, hook_add, p};
	return h;
}

void hull_progress_clear(struct hull_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->shown)
		put(p->fd, "\r\033[K", 4);
	p->shown = false;
	atomic_store(&p->next_ns, 0); /* redraw at the next update */
	pthread_mutex_unlock(&p->mu);
}

void hull_progress_end(struct hull_progress *p)
{
	if (!p)
		return;
	hull_progress_clear(p);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
