/* hull lint: hadolint's command line over libhull's linter — config file, flags, several
 * Dockerfiles (or "-" for stdin), the output formats and hadolint's exit status. */
#include "../lint/lint.h"
#include "../util/config.h"
#include "../util/pool.h"
#include "cli.h"
#include "regopts.h"
#include "ux.h"
#include "version.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DOCKERFILE_SIZE (64u << 20)

const char cmd_lint_usage[] =
	"usage: hull lint [OPTIONS] [DOCKERFILE...]\n"
	"\n"
	"Lints Dockerfiles with hadolint's rules (DL1001, DL3000-DL3067, DL4000-DL4006), codes,\n"
	"severities, pragmas, configuration and output formats, ShellCheck (SCxxxx) on RUN when\n"
	"shellcheck is installed, and hull's own rules (HL1001-HL1010: secrets, root final stage,\n"
	"build context, remote ADD, curl | sh, package caches, digests). \"-\" reads stdin;\n"
	"with no DOCKERFILE, ./Dockerfile.\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE             config file (default: ./.hadolint.yaml, ./.hadolint.yml,\n"
	"                                the lint: section of hull.yaml ($HULL_CONFIG,\n"
	"                                ./hull.yaml, $XDG_CONFIG_HOME/hull/hull.yaml), then\n"
	"                                hadolint's: $XDG_CONFIG_HOME/hadolint.y[a]ml,\n"
	"                                ~/.hadolint/{hadolint,config}.y[a]ml,\n"
	"                                ~/.hadolint.y[a]ml)\n"
	"  -f, --format FORMAT           tty, json, checkstyle, codeclimate, gitlab_codeclimate,\n"
	"                                gnu, sarif, sonarqube, junit, codacy (default: tty)\n"
	"                                (repeatable: one report per format, as hadolint 2.15)\n"
	"  -o, --output FILE             write the report of the -f of the same rank to FILE\n"
	"                                (repeatable; - or none: stdout; extra files get\n"
	"                                the last format)\n"
	"      --file-path-in-report PATH\n"
	"                                the file name the checkstyle, codeclimate,\n"
	"                                gitlab_codeclimate, sonarqube and junit reports give\n"
	"                                (for stdin, or paths inside a container)\n"
	"      --ignore CODE             ignore a rule (repeatable)\n"
	"      --error|--warning|--info|--style CODE\n"
	"                                override a rule's severity (repeatable)\n"
	"  -t, --failure-threshold LEVEL exit 1 only for findings at or above LEVEL: error,\n"
	"                                warning, info (default), style; ignore or none:\n"
	"                                any finding\n"
	"      --trusted-registry REG    allow FROM images only from these registries (DL3026)\n"
	"      --require-label NAME:TYPE label schema (text, url, semver, hash, spdx, rfc3339,\n"
	"                                email; DL3049-DL3058)\n"
	"      --strict-labels           labels outside the schema are findings (DL3050)\n"
	"      --disable-ignore-pragma   ignore '# hadolint ignore=' comments\n"
	"      --no-fail                 exit 0 whatever is found\n"
	"      --no-color                no colour in tty output (also NO_COLOR)\n"
	"      --no-shellcheck           do not run ShellCheck on RUN scripts\n"
	"      --no-hull-rules           only hadolint's rules (DL, SC), no HLxxxx\n"
	"      --fix                     rewrite the files in place with the safe fixes "
	"(ADD->COPY,\n"
	"                                JSON CMD/ENTRYPOINT/HEALTHCHECK, "
	"--no-install-recommends,\n"
	"                                apt lists,"
	" apk --no-cache, pip --no-cache-dir, cd->WORKDIR,\n"
	"                                MAINTAINER->LABEL), then lint the result\n"
	"      --diff                    print the fixes as a unified diff (patch -p0) instead;\n"
	"                                exit 1 when there is something to fix\n"
	"      --parallel N              files linted at once (default: one per core)\n"
	"  -V, --verbose                 print the config file and the settings in force on\n"
	"                                stderr\n"
	"  -q, --quiet                   no notes or warnings on stderr (errors still print)\n"
	"      --debug                   how long each phase took, on stderr\n"
	"  -v, --version                 print hull's version (as hadolint -v prints its own)\n"
	"  -h, --help                    show this help\n"
	"\n"
	"Pragmas: '# hadolint ignore=DL3008,DL3009' (or '# hull ignore=...') on the line right\n"
	"above an instruction, '# hadolint stage ignore=...' right above a FROM (its stage),\n"
	"'# hadolint global ignore=...' anywhere, '# hadolint shell=...'.\n"
	"\n"
	"Environment, as hadolint's (the config file's settings win over it, and flags over\n"
	"both; lists add up): HADOLINT_FORMAT, HADOLINT_FAILURE_THRESHOLD, HADOLINT_NOFAIL,\n"
	"HADOLINT_IGNORE, HADOLINT_OVERRIDE_ERROR (_WARNING, _INFO, _STYLE),\n"
	"HADOLINT_TRUSTED_REGISTRIES, HADOLINT_REQUIRE_LABELS, HADOLINT_STRICT_LABELS,\n"
	"HADOLINT_DISABLE_IGNORE_PRAGMA, HADOLINT_VERBOSE (lists comma-separated; flags true\n"
	"with 1, y, yes, on or true), NO_COLOR.\n"
	"\n"
	"Rules are documented in docs/lint.md and docs/rules/.\n"
	"\n"
	"Exit status: 0 no finding reaches the threshold, 1 one does, 2 usage or input error.\n";

enum {
	OPT_IGNORE = 256,
	OPT_ERROR,
	OPT_WARNING,
	OPT_INFO,
	OPT_STYLE,
	OPT_TRUSTED,
	OPT_LABEL,
	OPT_STRICT,
	OPT_NO_FAIL,
	OPT_NO_COLOR,
	OPT_NO_PRAGMA,
	OPT_NO_SC,
	OPT_NO_HULL,
	OPT_FIX,
	OPT_DIFF,
	OPT_PARALLEL,
	OPT_REPORT_PATH,
};

enum fix_mode { FIX_NONE, FIX_WRITE, FIX_DIFF };
static enum fix_mode fix_mode;
static unsigned parallel;	/* files linted at once; 0: one per core */
static const char *report_path; /* --file-path-in-report */
static bool verbose;
static bool format_flag;     /* a -f was given: the first replaces the file's formats */
static const char **outputs; /* -o FILE, in order: the report of the format of that rank */
static size_t noutputs;

static const struct option longopts[] = {
	{"config", required_argument, NULL, 'c'},
	{"format", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"failure-threshold", required_argument, NULL, 't'},
	{"ignore", required_argument, NULL, OPT_IGNORE},
	{"error", required_argument, NULL, OPT_ERROR},
	{"warning", required_argument, NULL, OPT_WARNING},
	{"info", required_argument, NULL, OPT_INFO},
	{"style", required_argument, NULL, OPT_STYLE},
	{"trusted-registry", required_argument, NULL, OPT_TRUSTED},
	{"require-label", required_argument, NULL, OPT_LABEL},
	{"strict-labels", no_argument, NULL, OPT_STRICT},
	{"no-fail", no_argument, NULL, OPT_NO_FAIL},
	{"no-color", no_argument, NULL, OPT_NO_COLOR},
	{"disable-ignore-pragma", no_argument, NULL, OPT_NO_PRAGMA},
	{"no-shellcheck", no_argument, NULL, OPT_NO_SC},
	{"no-hull-rules", no_argument, NULL, OPT_NO_HULL},
	{"fix", no_argument, NULL, OPT_FIX},
	{"diff", no_argument, NULL, OPT_DIFF},
	{"parallel", required_argument, NULL, OPT_PARALLEL},
	{"file-path-in-report", required_argument, NULL, OPT_REPORT_PATH},
	{"verbose", no_argument, NULL, 'V'},
	{"version", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	CLI_UX_LONGOPTS,
	{NULL, 0, NULL, 0},
};

/* The config file is read before the flags so that flags win; find -c/--config first. */
static const char *config_arg(int argc, char **argv)
{
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc)
			path = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			path = argv[i] + 9;
	}
	return path;
}

/* -v/--version among the options: answered before any config file is read, as hadolint
 * does (a broken .hadolint.yaml does not stop it). Values of options are skipped. */
static bool version_arg(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "-v") || !strcmp(a, "--version"))
			return true;
		if (a[0] == '-' && a[1] == '-' && !strchr(a, '=')) {
			for (const struct option *lo = longopts; lo->name; lo++)
				if (!strcmp(a + 2, lo->name) && lo->has_arg == required_argument)
					i++;
		} else if (!strcmp(a, "-c") || !strcmp(a, "-f") || !strcmp(a, "-o") ||
			   !strcmp(a, "-t")) {
			i++;
		}
	}
	return false;
}

/* Without -c: ./.hadolint.yaml or ./.hadolint.yml, then the lint: section of hull.yaml
 * ($HULL_CONFIG, ./hull.yaml, $XDG_CONFIG_HOME/hull/hull.yaml), then hadolint's user
 * configs (hull_lint_config_find). NULL with err unset when there is none. */
static char *find_config(struct hull_err *err)
{
	char *p = hull_lint_config_find(false);
	if (p)
		return p;
	struct hull_config hc = {0};
	if (hull_config_load(&hc, err)) {
		hull_config_free(&hc);
		return NULL;
	}
	if (hc.path && hull_config_section(&hc, "lint"))
		p = xstrdup(hc.path);
	hull_config_free(&hc);
	return p ? p : hull_lint_config_find(true);
}

static int apply_flag(struct hull_lint_opts *o, int c, const char *arg)
{
	struct hull_err err = {0};
	int sev;
	switch (c) {
	case 'f':
		if (!hull_lint_format_known(arg))
			return cli_error("lint: unknown format \"%s\" (see 'hull help lint')", arg);
		hull_lint_opts_format(o, arg, !format_flag);
		format_flag = true;
		return 0;
	case 'o':
		outputs = xreallocarray(outputs, noutputs + 1, sizeof(*outputs));
		outputs[noutputs++] = arg;
		return 0;
	case 't':
		sev = hull_lint_sev_parse(arg);
		if (sev < 0)
			return cli_error("lint: --failure-threshold: unknown level \"%s\"", arg);
		o->threshold = (enum hull_lint_sev)sev;
		return 0;
	case OPT_IGNORE:
		hull_lint_opts_ignore(o, arg);
		return 0;
	case OPT_ERROR:
	case OPT_WARNING:
	case OPT_INFO:
	case OPT_STYLE:
		hull_lint_opts_override(o, arg, (enum hull_lint_sev)(c - OPT_ERROR));
		return 0;
	case OPT_TRUSTED:
		hull_lint_opts_trust(o, arg);
		return 0;
	case OPT_LABEL:
		return hull_lint_opts_label(o, arg, &err) ? cli_fail(&err) : 0;
	case OPT_STRICT:
		o->strict_labels = true;
		return 0;
	case OPT_NO_FAIL:
		o->no_fail = true;
		return 0;
	case OPT_NO_COLOR:
		o->no_color = o->no_color_set = true;
		return 0;
	case OPT_NO_PRAGMA:
		o->disable_pragmas = true;
		return 0;
	case OPT_NO_SC:
		o->no_shellcheck = true;
		return 0;
	case OPT_NO_HULL:
		o->no_hull_rules = true;
		return 0;
	case OPT_FIX:
	case OPT_DIFF:
		if (fix_mode != FIX_NONE)
			return cli_error("lint: --fix and --diff are exclusive");
		fix_mode = c == OPT_FIX ? FIX_WRITE : FIX_DIFF;
		return 0;
	case OPT_REPORT_PATH:
		report_path = arg;
		return 0;
	case 'V':
		verbose = true;
		return 0;
	case OPT_PARALLEL: {
		unsigned long long v;
		if (cli_parse_count(arg, "lint: --parallel", 256, &v))
			return 2;
		parallel = (unsigned)v;
		return 0;
	}
	}
	return 0;
}

/* hadolint's environment variables: read after the config file and before the flags, so
 * that lists add up and the flags win. A value hadolint would ignore is ignored, with a
 * note (printed once -q is known). */
static struct strbuf env_notes = STRBUF_INIT;

static bool env_truthy(const char *v)
{
	static const char *const yes[] = {"1", "y", "on", "true", "yes"};
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcasecmp(v, yes[i]))
			return true;
	return false;
}

static void env_list(struct hull_lint_opts *o, const char *name, int opt)
{
	const char *v = getenv(name);
	for (const char *p = v; p && *p;) {
		size_t n = strcspn(p, ",");
		char *item = xstrndup(p, n);
		char *b = item, *e = item + n;
		while (*b == ' ' || *b == '\t')
			b++;
		while (e > b && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		struct hull_err err = {0};
		if (!*b) {
			/* an empty item, as in "DL3008,": nothing */
		} else if (opt == 'f') {
			if (hull_lint_format_known(b))
				hull_lint_opts_format(o, b, false);
			else
				strbuf_addf(&env_notes, "%s: unknown format \"%s\": ignored\n",
					    name, b);
		} else if (opt != OPT_LABEL) {
			(void)apply_flag(o, opt, b); /* codes and registries cannot fail */
		} else if (hull_lint_opts_label(o, b, &err)) {
			/* a bad label is a note here, not the flag's usage error */
			strbuf_addf(&env_notes, "%s: %s: ignored\n", name, err.msg);
			hull_err_clear(&err);
		}
		free(item);
		p += n + (p[n] == ',');
	}
}

static void apply_env(struct hull_lint_opts *o)
{
	const char *v;
	if ((v = getenv("HADOLINT_FORMAT"))) /* a list, as hadolint 2.15 reads it */
		env_list(o, "HADOLINT_FORMAT", 'f');
	if ((v = getenv("HADOLINT_FAILURE_THRESHOLD"))) {
		int sev = hull_lint_sev_parse(v);
		if (sev >= 0)
			o->threshold = (enum hull_lint_sev)sev;
		else
			strbuf_addf(&env_notes,
				    "HADOLINT_FAILURE_THRESHOLD: unknown level \"%s\": ignored\n",
				    v);
	}
	if ((v = getenv("HADOLINT_NOFAIL")))
		o->no_fail = env_truthy(v);
	if ((v = getenv("HADOLINT_STRICT_LABELS")))
		o->strict_labels = env_truthy(v);
	if ((v = getenv("HADOLINT_DISABLE_IGNORE_PRAGMA")))
		o->disable_pragmas = env_truthy(v);
	env_list(o, "HADOLINT_IGNORE", OPT_IGNORE);
	env_list(o, "HADOLINT_OVERRIDE_ERROR", OPT_ERROR);
	env_list(o, "HADOLINT_OVERRIDE_WARNING", OPT_WARNING);
	env_list(o, "HADOLINT_OVERRIDE_INFO", OPT_INFO);
	env_list(o, "HADOLINT_OVERRIDE_STYLE", OPT_STYLE);
	env_list(o, "HADOLINT_TRUSTED_REGISTRIES", OPT_TRUSTED);
	/* hadolint 2.8 read this name instead (its issue #756) */
	env_list(o, "HADOLINT_ALLOWED_REGISTRIES", OPT_TRUSTED);
	env_list(o, "HADOLINT_REQUIRE_LABELS", OPT_LABEL);
	if ((v = getenv("HADOLINT_VERBOSE")))
		o->verbose = env_truthy(v);
	if (getenv("NO_COLOR")) /* set, whatever its value; "no-color: false" undoes it */
		o->no_color = true;
}

static void list_codes(struct strbuf *sb, const char *what, char *const *v, size_t n)
{
	if (!n)
		return;
	strbuf_addf(sb, "; %s:", what);
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, " %s", v[i]);
}

/* -V: where the settings came from and what they are, on stderr. */
static void print_settings(const struct hull_lint_opts *o, const char *config)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "hull: lint: config file: %s\n", config ? config : "none");
	strbuf_addf(&sb, "hull: lint: format %s; failure threshold %s%s%s%s%s",
		    o->format ? o->format : "tty", hull_lint_sev_name(o->threshold),
		    o->no_fail ? "; no-fail" : "", o->strict_labels ? "; strict labels" : "",
		    o->disable_pragmas ? "; ignore pragmas disabled" : "",
		    o->no_hull_rules ? "; no hull rules" : "");
	list_codes(&sb, "ignored", o->ignored, o->nignored);
	for (size_t i = 0; i < o->noverrides; i++)
		strbuf_addf(&sb, "%s%s=%s", i ? " " : "; overrides: ", o->overrides[i].code,
			    hull_lint_sev_name(o->overrides[i].sev));
	list_codes(&sb, "trusted registries", o->trusted, o->ntrusted);
	for (size_t i = 0; i < o->nlabels; i++)
		strbuf_addf(&sb, "%s%s:%s", i ? " " : "; label schema: ", o->labels[i].name,
			    o->labels[i].type);
	strbuf_addch(&sb, '\n');
	fputs(sb.buf, stderr);
	strbuf_release(&sb);
}

static int parse_args(int argc, char **argv, struct hull_lint_opts *o)
{
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":c:f:o:t:qVvh", longopts, NULL)) != -1) {
		if (cli_ux_opt(c))
			continue;
		if (c == 'h') {
			fputs(cmd_lint_usage, stdout);
			return -1;
		}
		if (c == 'v') {
			cli_version();
			return -1;
		}
		if (c == ':' || c == '?')
			return cli_bad_option("lint", c, argv);
		if (c != 'c' && apply_flag(o, c, optarg))
			return EXIT_ERROR;
	}
	struct stat st;
	if (optind >= argc && (stat("Dockerfile", &st) || S_ISDIR(st.st_mode)))
		return cli_error("lint: expected at least one Dockerfile, and there is no "
				 "./Dockerfile (see 'hull help lint')");
	cli_ux_start();
	if (env_notes.len) {
		env_notes.buf[--env_notes.len] = '\0'; /* the last newline */
		cli_note("%s", env_notes.buf);
	}
	for (int i = optind; fix_mode != FIX_NONE && i < argc; i++)
		if (!strcmp(argv[i], "-"))
			return cli_error("lint: --fix and --diff need files, not stdin");
	return 0;
}

static int read_input(const char *path, char **text, size_t *len, struct hull_err *err)
{
	if (strcmp(path, "-"))
		return hull_read_file(path, MAX_DOCKERFILE_SIZE, text, len, err);
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0) {
		strbuf_add(&sb, buf, n);
		if (sb.len > MAX_DOCKERFILE_SIZE) {
			strbuf_release(&sb);
			return hull_err_set(err, HULL_ELIMIT, "-: larger than %u bytes",
					    MAX_DOCKERFILE_SIZE);
		}
	}
	if (ferror(stdin)) {
		strbuf_release(&sb);
		return hull_err_set(err, HULL_EIO, "-: reading stdin failed");
	}
	*text = strbuf_detach(&sb, len);
	return 0;
}

/* --fix: writes the fixed text over the file (atomically, keeping its mode) and lints
 * the result; --diff: appends the diff to *diff and lints the original. */
static int fix_file(const char *path, char **text, size_t *len, const struct hull_lint_opts *o,
		    struct strbuf *diff, struct hull_err *err)
{
	struct strbuf fixed = STRBUF_INIT;
	size_t n;
	int rc = hull_lint_fix(path, *text, *len, o, &fixed, &n, err);
	if (rc || !n) {
		strbuf_release(&fixed);
		return rc;
	}
	if (fix_mode == FIX_DIFF) {
		hull_lint_diff(path, *text, *len, fixed.buf, fixed.len, diff);
		strbuf_release(&fixed);
		return 0;
	}
	char *real = realpath(path, NULL);
	struct stat st;
	bool have_mode = real && !stat(real, &st);
	rc = hull_write_file_atomic(real ? real : path, fixed.buf, fixed.len, err);
	if (!rc && have_mode && chmod(real, st.st_mode & 07777))
		rc = hull_err_set(err, HULL_EIO, "%s: %s", path, strerror(errno));
	free(real);
	if (!rc) {
		free(*text);
		*text = strbuf_detach(&fixed, len);
	}
	strbuf_release(&fixed);
	return rc;
}

static int lint_files(char **files, size_t n, const struct hull_lint_opts *o,
		      struct hull_lint_result *res, struct strbuf *diff)
{
	bool stdin_too = false;
	for (size_t i = 0; i < n; i++)
		stdin_too |= !strcmp(files[i], "-");
	if (fix_mode == FIX_NONE && !stdin_too) {
		struct hull_err err = {0};
		if (hull_lint_files(files, n, MAX_DOCKERFILE_SIZE,
				    parallel ? parallel : hull_ncpu(), o, res, &err))
			return cli_fail(&err);
		goto linted;
	}
	for (size_t i = 0; i < n; i++) {
		struct hull_err err = {0};
		char *text = NULL;
		size_t len = 0;
		if (read_input(files[i], &text, &len, &err))
			return cli_fail(&err);
		int rc = fix_mode != FIX_NONE ? fix_file(files[i], &text, &len, o, diff, &err) : 0;
		if (!rc && fix_mode != FIX_DIFF)
			rc = hull_lint_buffer(files[i], text, len, o, res, &err);
		free(text);
		if (rc)
			return cli_fail(&err);
	}
	hull_lint_flush(o, res);
linted:
	cli_debug_phase("lint");
	if (hull_lint_shellcheck_state(o) == -1)
		cli_note("shellcheck is not installed: ShellCheck (SCxxxx) checks of RUN were "
			 "skipped");
	else if (hull_lint_shellcheck_state(o) == -2)
		cli_note("shellcheck failed or timed out: some RUN scripts were not checked");
	return 0;
}

/* The next format of a comma-separated list (o->format) into name; false at its end. */
static bool next_format(const char **p, char name[32])
{
	if (!**p)
		return false;
	size_t n = strcspn(*p, ",");
	snprintf(name, 32, "%.*s", (int)n, *p);
	*p += n + ((*p)[n] == ',');
	return true;
}

/* hadolint exits 0 for the codeclimate and codacy reports, which their services read:
 * the findings are in the report. True when every format asked for is one of them. */
static bool reports_only(const char *formats)
{
	char name[32];
	if (!formats)
		return false;
	while (next_format(&formats, name))
		if (!streq(name, "codeclimate") && !streq(name, "codacy"))
			return false;
	return true;
}

/* Each format's report: to the -o file of the same rank, or to stdout ("-o -" too), as
 * hadolint 2.15 pairs its -f and -o lists; -o files beyond the formats get the last format
 * (one -f and several -o: the same report in every file). Colour only for a terminal. */
static int render_all(const struct hull_lint_opts *o, const struct hull_lint_result *res)
{
	const char *p = o->format ? o->format : "tty";
	char name[32] = "tty";
	int rc = 0;
	for (size_t k = 0; !rc; k++) {
		if (!next_format(&p, name) && k >= noutputs)
			break;
		const char *path = k < noutputs ? outputs[k] : NULL;
		bool to_stdout = !path || streq(path, "-");
		bool color = to_stdout && !o->no_color && isatty(STDOUT_FILENO);
		struct strbuf out = STRBUF_INIT;
		if (hull_lint_render(name, res, color, &out))
			rc = cli_error("lint: unknown format \"%s\"", name);
		else
			rc = cli_output(path, out.buf ? out.buf : "", out.len);
		strbuf_release(&out);
	}
	cli_debug_phase("render");
	return rc;
}

int cmd_lint(int argc, char **argv)
{
	struct hull_lint_opts o;
	hull_lint_opts_init(&o);
	o.shellcheck_batch = true;
	fix_mode = FIX_NONE;
	parallel = 0;
	report_path = NULL;
	verbose = false;
	format_flag = false;
	free(outputs);
	outputs = NULL;
	noutputs = 0;
	strbuf_reset(&env_notes);
	struct hull_err err = {0};
	if (version_arg(argc, argv)) {
		hull_lint_opts_free(&o);
		return cli_version();
	}
	const char *cfg = config_arg(argc, argv);
	char *found = cfg ? NULL : find_config(&err);
	int rc = 0;
	/* as hadolint merges them: the environment, then the config file, then the flags; a
	 * later one's setting wins, and lists add up */
	apply_env(&o);
	if (!cfg && !found && err.code)
		rc = cli_fail(&err);
	else if ((cfg || found) && hull_lint_config_load(&o, cfg ? cfg : found, &err))
		rc = cli_fail(&err);
	if (!rc)
		rc = parse_args(argc, argv, &o);
	strbuf_release(&env_notes);
	if (!rc && (verbose || o.verbose))
		print_settings(&o, cfg ? cfg : found);
	free(found);
	if (rc) {
		hull_lint_opts_free(&o);
		return rc < 0 ? EXIT_CLEAN : EXIT_ERROR;
	}
	/* no file named: ./Dockerfile, as hadolint does */
	static char *dockerfile[] = {"Dockerfile"};
	char **files = optind < argc ? argv + optind : dockerfile;
	size_t nfiles = optind < argc ? (size_t)(argc - optind) : 1;
	struct hull_lint_result res = {
		.files = files, .nfiles = nfiles, .file_in_report = report_path};
	struct strbuf diff = STRBUF_INIT;
	rc = lint_files(files, nfiles, &o, &res, &diff);
	if (!rc && fix_mode == FIX_DIFF) {
		/* like diff(1): 1 when there are differences */
		rc = cli_output(NULL, diff.buf ? diff.buf : "", diff.len);
		if (!rc && diff.len)
			rc = EXIT_FINDINGS;
	} else if (!rc) {
		rc = render_all(&o, &res);
		if (!rc && hull_lint_failed(&res, &o) && !reports_only(o.format))
			rc = EXIT_FINDINGS;
	}
	strbuf_release(&diff);
	hull_lint_result_free(&res);
	hull_lint_opts_free(&o);
	free(outputs);
	outputs = NULL;
	noutputs = 0;
	return rc;
}
