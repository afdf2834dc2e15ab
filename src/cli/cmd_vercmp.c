/* hull vercmp: compare two versions the way an ecosystem does, or many pairs from stdin. */
#include "../vuln/vercmp.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

const char cmd_vercmp_usage[] =
	"usage: hull vercmp ECOSYSTEM A B\n"
	"       hull vercmp ECOSYSTEM < PAIRS\n"
	"       hull vercmp --list\n"
	"\n"
	"Compares version A with version B as the ecosystem's own tools do and prints\n"
	"'<', '=' or '>'. Without A and B, reads lines \"A<TAB>B\" from stdin and prints one\n"
	"result per line, '!' for a pair that is not valid (with a warning on stderr).\n"
	"\n"
	"ECOSYSTEM: an OSV ecosystem name, case-insensitive, any \":RELEASE\" suffix ignored\n"
	"(Debian, Ubuntu, Alpine, Red Hat, AlmaLinux, Rocky Linux, npm, PyPI, Go, Maven,\n"
	"RubyGems, crates.io, Packagist, NuGet, ...), or a short name: deb, rpm, apk, semver,\n"
	"npm, go, pypi, maven, gem, cargo, composer, nuget. --list shows them all.\n"
	"RPM versions are written [EPOCH:]VERSION-RELEASE.\n"
	"\n"
	"Options:\n"
	"      --list   list the versioning schemes and the names each accepts\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 compared (in batch mode, also when some pairs were invalid),\n"
	"2 usage error, unknown ecosystem or invalid version (one line on stderr).\n"
	"See docs/vercmp.md.\n";

static const char result_char[] = "<=>";

static void list_schemes(void)
{
	for (size_t i = 0; i < hull_nvercmps; i++) {
		const struct hull_vercmp *c = &hull_vercmps[i];
		printf("%-9s %s\n", c->name, c->title);
		if (!*c->aliases)
			continue;
		/* Aliases wrapped under the title, within 80 columns. */
		int col = printf("          names:");
		for (const char *const *a = c->aliases; *a; a++) {
			if (col + (int)strlen(*a) + 2 > 80)
				col = printf("\n                ");
			col += printf(" %s%s", *a, a[1] ? "," : "");
		}
		putchar('\n');
	}
}

/* Compares one "A<TAB>B" line; returns the character to print. */
static char batch_line(const struct hull_vercmp *c, char *line, size_t len, size_t lineno)
{
	struct hull_err err = {0};
	int r;
	if (len && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	char *tab = memchr(line, '\t', len);
	if (strlen(line) != len || !tab) {
		hull_warn("line %zu: expected \"A<TAB>B\"", lineno);
		return '!';
	}
	*tab = '\0';
	if (hull_vercmp_with(c, line, tab + 1, &r, &err)) {
		hull_warn("line %zu: %s", lineno, err.msg ? err.msg : "invalid pair");
		hull_err_clear(&err);
		return '!';
	}
	return result_char[r + 1];
}

static int batch(const struct hull_vercmp *c)
{
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, stdin)) >= 0) {
		char ch = batch_line(c, line, (size_t)n, ++lineno);
		if (putchar(ch) == EOF || putchar('\n') == EOF)
			break;
	}
	free(line);
	if (ferror(stdin))
		return cli_error("vercmp: reading stdin failed");
	if (fflush(stdout) || ferror(stdout))
		return cli_error("vercmp: writing the output failed");
	return EXIT_CLEAN;
}

static int one(const struct hull_vercmp *c, const char *a, const char *b)
{
	struct hull_err err = {0};
	int r;
	if (hull_vercmp_with(c, a, b, &r, &err))
		return cli_fail(&err);
	printf("%c\n", result_char[r + 1]);
	if (fflush(stdout))
		return cli_error("vercmp: writing the output failed");
	return EXIT_CLEAN;
}

enum { OPT_LIST = 256 };

int cmd_vercmp(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"list", no_argument, NULL, OPT_LIST},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	opterr = 0;
	optind = 1;
	/* '+': stop at the first operand, so a version may start with '-'. */
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(cmd_vercmp_usage, stdout);
			return EXIT_CLEAN;
		case OPT_LIST:
			list_schemes();
			return EXIT_CLEAN;
		default:
			return cli_error("vercmp: unknown option %s (see 'hull help vercmp')",
					 argv[optind - 1]);
		}
	}
	int nargs = argc - optind;
	if (nargs != 1 && nargs != 3)
		return cli_error("vercmp: expected ECOSYSTEM A B, or ECOSYSTEM and pairs on stdin "
				 "(see 'hull help vercmp')");
	const struct hull_vercmp *cmp = hull_vercmp_find(argv[optind]);
	if (!cmp)
		return cli_error("vercmp: unknown ecosystem \"%s\" (see 'hull vercmp --list')",
				 argv[optind]);
	return nargs == 1 ? batch(cmp) : one(cmp, argv[optind + 1], argv[optind + 2]);
}
