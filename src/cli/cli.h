/* The hull command line: a table of commands, one file each. */
#ifndef HULL_CLI_H
#define HULL_CLI_H

#include "../util/util.h"

#define EXIT_CLEAN    0
#define EXIT_FINDINGS 1
#define EXIT_ERROR    2

struct hull_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary; /* one line for `hull --help` */
	const char *usage;   /* full text for `hull help CMD` */
};

extern const struct hull_command hull_commands[];
extern const size_t hull_ncommands;

int cmd_inspect(int argc, char **argv);
extern const char cmd_inspect_usage[];
int cmd_image(int argc, char **argv);
extern const char cmd_image_usage[];
int cmd_db(int argc, char **argv);
extern const char cmd_db_usage[];
int cmd_fs(int argc, char **argv);
extern const char cmd_fs_usage[];
int cmd_k8s(int argc, char **argv);
extern const char cmd_k8s_usage[];
int cmd_lint(int argc, char **argv);
extern const char cmd_lint_usage[];
int cmd_pull(int argc, char **argv);
extern const char cmd_pull_usage[];
int cmd_build(int argc, char **argv);
extern const char cmd_build_usage[];
int cmd_push(int argc, char **argv);
extern const char cmd_push_usage[];
int cmd_sbom(int argc, char **argv);
extern const char cmd_sbom_usage[];
int cmd_slim(int argc, char **argv);
extern const char cmd_slim_usage[];
int cmd_completion(int argc, char **argv);
extern const char cmd_completion_usage[];
int cmd_vercmp(int argc, char **argv);
extern const char cmd_vercmp_usage[];

/* Prints "hull: error: MSG" and returns EXIT_ERROR. */
int cli_error(const char *fmt, ...) HULL_PRINTF(1, 2);
/* getopt's ':' (missing value) or anything else it returned for an option the command
 * does not know: "CMD: option X needs a value" or "CMD: unknown option X (see 'hull help
 * CMD')"; returns EXIT_ERROR. */
int cli_bad_option(const char *cmd, int c, char *const *argv);
/* Reports a library error (one line) and returns EXIT_ERROR. */
int cli_fail(struct hull_err *err);
/* Prints "hull VERSION" on stdout (hull --version, hull lint -v); returns EXIT_CLEAN. */
int cli_version(void);
/* Writes out to path atomically, or to stdout if path is NULL. */
int cli_output(const char *path, const char *data, size_t len);

#endif
