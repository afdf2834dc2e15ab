/* --quiet, --debug and the progress line (see ux.h). */
#include "ux.h"
#include "../layer/inspect.h"
#include "../util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

bool cli_quiet, cli_debug;
static double mark;
static struct hull_progress *shown; /* the progress line on stderr, if any */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

bool cli_ux_opt(int c)
{
	if (c == 'q')
		cli_quiet = true;
	else if (c == CLI_OPT_DEBUG)
		cli_debug = true;
	else
		return false;
	return true;
}

static void on_warning(const char *msg, void *ctx)
{
	(void)ctx;
	if (cli_quiet)
		return;
	hull_progress_clear(shown);
	fprintf(stderr, "hull: warning: %s\n", msg);
}

void cli_ux_start(void)
{
	const char *d = getenv("HULL_DEBUG_TIMINGS");
	if (d && *d && strcmp(d, "0"))
		cli_debug = true;
	hull_set_warn_handler(on_warning, NULL);
	mark = now_ms();
}

static void debug_line(const char *name, double ms, const char *detail)
{
	hull_progress_clear(shown);
	fprintf(stderr, "hull: debug: %s %.1f ms%s%s%s\n", name, ms, detail ? " (" : "",
		detail ? detail : "", detail ? ")" : "");
}

void cli_debug_phase(const char *name)
{
	double now = now_ms();
	if (cli_debug)
		debug_line(name, now - mark, NULL);
	mark = now;
}

void cli_debug_ms(const char *name, double ms, const char *fmt, ...)
{
	if (cli_debug) {
		struct strbuf sb = STRBUF_INIT;
		va_list ap;
		va_start(ap, fmt);
		strbuf_vaddf(&sb, fmt, ap);
		va_end(ap);
		debug_line(name, ms, sb.len ? sb.buf : NULL);
		strbuf_release(&sb);
	}
	mark = now_ms();
}

void cli_debug_inspect(const struct hull_inspect *in)
{
	uint64_t stored = 0, tar = 0;
	for (size_t i = 0; i < in->nlayers; i++) {
		stored += in->layers[i].size;
		tar += in->layers[i].uncompressed_size;
	}
	cli_debug_ms("open", in->times.open_ms, "%s", in->img->source);
	if (in->img->transport == HULL_SRC_ROOTFS)
		cli_debug_ms("layers", in->times.layers_ms, "%zu files, %llu bytes",
			     in->nlayers ? in->layers[0].nentries : 0, (unsigned long long)tar);
	else
		cli_debug_ms("layers", in->times.layers_ms,
			     "%zu layer%s, %llu bytes stored, %llu bytes of tar", in->nlayers,
			     in->nlayers == 1 ? "" : "s", (unsigned long long)stored,
			     (unsigned long long)tar);
	cli_debug_ms("merge", in->times.merge_ms, "%s", "");
}

void cli_note(const char *fmt, ...)
{
	if (cli_quiet)
		return;
	hull_progress_clear(shown);
	va_list ap;
	va_start(ap, fmt);
	fputs("hull: note: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

struct hull_progress *cli_progress_start(void)
{
	if (cli_quiet || !isatty(STDERR_FILENO))
		return NULL;
	shown = hull_progress_new(STDERR_FILENO);
	return shown;
}

void cli_progress_stop(struct hull_progress *p)
{
	if (p && p == shown)
		shown = NULL;
	hull_progress_end(p);
}
