/* What every command shows besides its output: -q/--quiet (no progress line, notes or
 * warnings; errors still print), --debug (per-phase timings) and the progress line on a
 * terminal. Shared so every command behaves the same (src/cli/ux.c). */
#ifndef HULL_CLI_UX_H
#define HULL_CLI_UX_H

#include "../util/progress.h"
#include "../util/util.h"

#include <getopt.h>
#include <stdbool.h>

enum { CLI_OPT_DEBUG = 0x1200 };

/* Entries for a getopt_long table; add "q" to the short options. */
#define CLI_UX_LONGOPTS                                   \
	{"quiet", no_argument, NULL, 'q'},                \
	{                                                 \
		"debug", no_argument, NULL, CLI_OPT_DEBUG \
	}

#define CLI_QUIET_HELP                                                                  \
	"  -q, --quiet                 no progress line, notes or warnings on stderr\n" \
	"                              (errors still print)\n"
/* For commands without a progress line (push, build). */
#define CLI_QUIET_NOTES_HELP \
	"  -q, --quiet                 no notes or warnings on stderr (errors still print)\n"
#define CLI_DEBUG_HELP                                                              \
	"      --debug                 how long each phase took, on stderr (also\n" \
	"                              HULL_DEBUG_TIMINGS=1)\n"
#define CLI_UX_HELP CLI_QUIET_HELP CLI_DEBUG_HELP

extern bool cli_quiet, cli_debug;

/* Takes -q/--quiet and --debug: true if c was one of them. */
bool cli_ux_opt(int c);
/* Call once the options are read: applies --quiet to warnings, takes HULL_DEBUG_TIMINGS=1
 * as --debug, and starts the --debug clock. */
void cli_ux_start(void);
/* With --debug, "hull: debug: NAME 12.3 ms" for the time since the last mark (or since
 * cli_ux_start), then marks. */
void cli_debug_phase(const char *name);
/* With --debug, "hull: debug: NAME 12.3 ms[ (DETAIL)]" for a time measured elsewhere;
 * marks. */
void cli_debug_ms(const char *name, double ms, const char *fmt, ...) HULL_PRINTF(3, 4);
struct hull_inspect;
/* With --debug, the steps of hull_inspect_run: open, layers, merge. */
void cli_debug_inspect(const struct hull_inspect *in);
/* "hull: note: …" on stderr, unless --quiet. */
void cli_note(const char *fmt, ...) HULL_PRINTF(1, 2);

/* A progress line on stderr when stderr is a terminal and there is no --quiet; else
 * NULL (every hull_progress_* call takes NULL). Warnings clear the line first. */
struct hull_progress *cli_progress_start(void);
/* Clears the line and frees p (NULL is fine). */
void cli_progress_stop(struct hull_progress *p);

#endif
