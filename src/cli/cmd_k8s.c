/* hull k8s: security checks over Kubernetes manifests (files, directories, stdin). */
#include "../k8s/k8s.h"
#include "cli.h"
#include "version.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

const char cmd_k8s_usage[] =
	"usage: hull k8s [OPTIONS] FILE|DIR|-...\n"
	"\n"
	"Checks Kubernetes manifests (YAML streams, JSON, Lists; Pods and every workload\n"
	"with a pod template, RBAC roles, Services) for insecure settings. Directories are\n"
	"walked for *.yaml, *.yml and *.json; '-' reads stdin (helm template ... | hull k8s -).\n"
	"\n"
	"Options:\n"
	"  -f, --format table|json|sarif  output format (default: table)\n"
	"  -s, --severity LIST            severities to report: one name means that level\n"
	"                                 and above (HIGH), a list means exactly those\n"
	"                                 (HIGH,CRITICAL) (default: all)\n"
	"      --exit-code N              exit with N when findings remain (default: 0)\n"
	"      --skip-check ID            do not run a check (id or alias, repeatable,\n"
	"                                 or comma-separated)\n"
	"      --max-file-size SIZE       refuse larger inputs (default: 32MiB)\n"
	"  -o, --output FILE              write the report to FILE (atomically)\n"
	"  -h, --help                     show this help\n"
	"\n"
	"Objects can silence checks with the annotation hull.dev/ignore: \"ID,ID\".\n"
	"Checks are documented in docs/k8s.md, the JSON shape in docs/json-report.md.\n"
	"\n"
	"Exit status: 0, or --exit-code N when findings remain; 2 usage or input error\n"
	"(one line per bad input on stderr; the other inputs are still checked).\n";

struct k8s_args {
	const char *format, *output;
	bool want[HULL_SEV_COUNT];
	int exit_code;
	const char **skip;
	size_t nskip, skip_cap;
	struct hull_k8s_opts opts;
};

static int parse_severity(const char *list, bool want[HULL_SEV_COUNT])
{
	char *copy = xstrdup(list), *save = NULL;
	size_t n = 0;
	enum hull_severity s = HULL_SEV_UNKNOWN;
	memset(want, 0, sizeof(bool) * HULL_SEV_COUNT);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save), n++) {
		if (hull_severity_parse(t, &s)) {
			cli_error("k8s: unknown severity \"%s\" (CRITICAL, HIGH, MEDIUM, LOW, "
				  "UNKNOWN)",
				  t);
			free(copy);
			return EXIT_ERROR;
		}
		want[s] = true;
	}
	free(copy);
	if (!n)
		return cli_error("k8s: --severity needs at least one severity");
	for (int i = (int)s; n == 1 && i < HULL_SEV_COUNT; i++)
		want[i] = true; /* one name: that level and above */
	return 0;
}

static int add_skips(struct k8s_args *a, char *list)
{
	char *save = NULL;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!hull_k8s_check_known(t))
			return cli_error(
				"k8s: --skip-check: unknown check \"%s\" (see docs/k8s.md)", t);
		ALLOC_GROW(a->skip, a->nskip + 1, a->skip_cap);
		a->skip[a->nskip++] = t;
	}
	return 0;
}

static int parse_exit_code(const char *s, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || !*s || *end || v < 0 || v > 255)
		return cli_error("k8s: --exit-code: invalid value \"%s\" (0-255)", s);
	*out = (int)v;
	return 0;
}

enum { OPT_EXIT_CODE = 256, OPT_SKIP, OPT_MAX_SIZE };

static int parse_args(int argc, char **argv, struct k8s_args *a)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"severity", required_argument, NULL, 's'},
		{"exit-code", required_argument, NULL, OPT_EXIT_CODE},
		{"skip-check", required_argument, NULL, OPT_SKIP},
		{"max-file-size", required_argument, NULL, OPT_MAX_SIZE},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint64_t size;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:s:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			a->format = optarg;
			break;
		case 's':
			if (parse_severity(optarg, a->want))
				return EXIT_ERROR;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'h':
			fputs(cmd_k8s_usage, stdout);
			return -1;
		case OPT_EXIT_CODE:
			if (parse_exit_code(optarg, &a->exit_code))
				return EXIT_ERROR;
			break;
		case OPT_SKIP:
			if (add_skips(a, optarg))
				return EXIT_ERROR;
			break;
		case OPT_MAX_SIZE:
			if (hull_parse_size(optarg, &size) || !size || size > SIZE_MAX / 2)
				return cli_error("k8s: --max-file-size: invalid size \"%s\"",
						 optarg);
			a->opts.max_file_size = (size_t)size;
			break;
		case ':':
			return cli_error("k8s: option %s needs a value", argv[optind - 1]);
		default:
			return cli_error("k8s: unknown option %s (see 'hull help k8s')",
					 argv[optind - 1]);
		}
	}
	if (strcmp(a->format, "table") && strcmp(a->format, "json") && strcmp(a->format, "sarif"))
		return cli_error("k8s: unknown format \"%s\" (table, json or sarif)", a->format);
	if (optind >= argc)
		return cli_error("k8s: expected at least one FILE, DIR or - (see 'hull help k8s')");
	a->opts.skip = a->skip;
	a->opts.nskip = a->nskip;
	return 0;
}

/* Drops findings whose severity was not asked for; keeps the order. */
static void filter(struct hull_findings *l, const bool want[HULL_SEV_COUNT])
{
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++)
		if (want[l->v[i].severity])
			l->v[k++] = l->v[i];
	l->n = k;
}

static int render(const struct k8s_args *a, struct hull_k8s_scan *s, const char *name)
{
	struct hull_report_meta meta = {name, "k8s", HULL_VERSION};
	struct strbuf out = STRBUF_INIT;
	if (!strcmp(a->format, "json"))
		hull_findings_render_json(&s->findings, &meta, &out);
	else if (!strcmp(a->format, "sarif"))
		hull_findings_render_sarif(&s->findings, &meta, &out);
	else
		hull_findings_render_table(&s->findings, &meta, &out);
	int rc = cli_output(a->output, out.buf, out.len);
	strbuf_release(&out);
	return rc;
}

int cmd_k8s(int argc, char **argv)
{
	struct k8s_args a = {.format = "table"};
	for (int i = 0; i < HULL_SEV_COUNT; i++)
		a.want[i] = true;
	int rc = parse_args(argc, argv, &a);
	if (rc) {
		free(a.skip);
		return rc < 0 ? EXIT_CLEAN : rc;
	}
	struct hull_k8s_scan s = HULL_K8S_SCAN_INIT;
	for (int i = optind; i < argc; i++)
		(void)hull_k8s_scan_path(&s, argv[i], &a.opts); /* errors are in s.errors */
	filter(&s.findings, a.want);
	hull_findings_sort(&s.findings);
	rc = render(&a, &s, optind == argc - 1 ? argv[optind] : "(multiple)");
	for (size_t i = 0; i < s.nerrors; i++)
		rc = cli_error("%s", s.errors[i]);
	if (rc == EXIT_CLEAN && s.findings.n && a.exit_code)
		rc = a.exit_code;
	hull_k8s_scan_free(&s);
	free(a.skip);
	return rc;
}
