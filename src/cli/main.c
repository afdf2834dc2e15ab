/* hull: entry point. Parses the command word and hands over to the command. */
#include "cli.h"
#include "../util/strbuf.h"
#include "version.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cli_error(const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	fprintf(stderr, "hull: error: %s\n", sb.buf);
	strbuf_release(&sb);
	return EXIT_ERROR;
}

int cli_version(void)
{
	printf("hull %s\n", HULL_VERSION);
	return EXIT_CLEAN;
}

int cli_bad_option(const char *cmd, int c, char *const *argv)
{
	if (c == ':')
		return cli_error("%s: option %s needs a value", cmd, argv[optind - 1]);
	return cli_error("%s: unknown option %s (see 'hull help %s')", cmd, argv[optind - 1], cmd);
}

int cli_fail(struct hull_err *err)
{
	/* Keep it to one line whatever the message holds. */
	for (char *p = err->msg; p && *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	cli_error("%s", err->msg ? err->msg : "unknown error");
	hull_err_clear(err);
	return EXIT_ERROR;
}

int cli_output(const char *path, const char *data, size_t len)
{
	if (path && strcmp(path, "-")) {
		struct hull_err err = {0};
		if (hull_write_file_atomic(path, data, len, &err))
			return cli_fail(&err);
		return EXIT_CLEAN;
	}
	if (fwrite(data, 1, len, stdout) != len || fflush(stdout))
		return cli_error("writing the output failed");
	return EXIT_CLEAN;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: hull [--version] [--help] COMMAND [ARGS]\n\n"
		   "hull makes container images secure: it reads images exactly, without a\n"
		   "daemon and without extracting them.\n\nCommands:\n");
	for (size_t i = 0; i < hull_ncommands; i++)
		fprintf(f, "  %-10s %s\n", hull_commands[i].name, hull_commands[i].summary);
	fprintf(f, "  %-10s %s\n", "help", "show the help of a command");
	fprintf(f, "\nExit status: 0 clean, 1 findings that fail the policy, 2 usage or input "
		   "error.\nSee 'hull help COMMAND' for a command's options.\n");
}

static const struct hull_command *find_command(const char *name)
{
	for (size_t i = 0; i < hull_ncommands; i++)
		if (!strcmp(hull_commands[i].name, name))
			return &hull_commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_ERROR;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version"))
		return cli_version();
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (!strcmp(cmd, "help")) {
		if (argc < 3) {
			usage(stdout);
			return EXIT_CLEAN;
		}
		const struct hull_command *c = find_command(argv[2]);
		if (!c)
			return cli_error("no such command: %s (see 'hull --help')", argv[2]);
		fputs(c->usage, stdout);
		return EXIT_CLEAN;
	}
	const struct hull_command *c = find_command(cmd);
	if (!c)
		return cli_error("no such command: %s (see 'hull --help')", cmd);
	return c->fn(argc - 1, argv + 1);
}
