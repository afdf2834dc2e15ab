/* hull k8s: security checks over Kubernetes manifests (files, directories, stdin). */
#include "../k8s/k8s.h"
#include "../report/policy.h"
#include "../util/config.h"
#include "../report/render.h"
#include "cli.h"
#include "regopts.h"
#include "ux.h"
#include "version.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

const char cmd_k8s_usage[] =
	"usage: hull k8s [OPTIONS] FILE|DIR|-...\n"
	"\n"
	"Checks Kubernetes manifests (YAML streams, JSON, Lists; Pods and every workload\n"
	"with a pod template, RBAC, Services, Ingresses, NetworkPolicies, PodSecurityPolicy\n"
	"remnants) for insecure settings. Directories are walked for *.yaml, *.yml and\n"
	"*.json; '-' reads stdin (helm template ... | hull k8s -).\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT            table (default), json, sarif, junit, html\n"
	"                                 (docs/reports.md)\n"
	"      --no-color                 no colour in the table (also NO_COLOR)\n"
	"  -s, --severity LIST            severities to report: one name means that level\n"
	"                                 and above (HIGH), a list means exactly those\n"
	"                                 (HIGH,CRITICAL) (default: all)\n"
	"      --exit-code N              exit with N when findings remain (default: 0)\n"
	"      --skip-check ID            do not run a check (id or alias, repeatable,\n"
	"                                 or comma-separated)\n"
	"      --max-file-size SIZE       refuse larger inputs (default: 32MiB)\n"
	"      --image-config REF=SOURCE  containers whose image: is REF run the image at\n"
	"                                 SOURCE (oci:DIR, oci-archive:, docker-archive:,\n"
	"                                 docker://REF; repeatable): its config's User\n"
	"                                 drives HULL-K8S-037/038 (root image, will not\n"
	"                                 start); only the config is read\n"
	"      --resolve-images           fetch the config of every other container image\n"
	"                                 from its registry (config blob only, once per\n"
	"                                 reference); a failure is a warning and the\n"
	"                                 image's user stays unknown\n"
	"      --platform OS/ARCH[/V]     the image to read from a multi-platform index\n"
	"                                 for both (default: linux/amd64)\n"
	"    for docker:// sources and --resolve-images (docs/registry.md):\n" CLI_REGISTRY_HELP
	"  -o, --output FILE              write the report to FILE (atomically)\n"
	"  -q, --quiet                    no notes or warnings on stderr (errors still\n"
	"                                 print)\n"
	"      --debug                    how long each phase took, on stderr\n"
	"  -h, --help                     show this help\n"
	"\n"
	"Objects can silence checks with the annotation hull.dev/ignore: \"ID,ID\"; ignore\n"
	"files work as for 'hull image' (--ignorefile FILE, repeatable; default:\n"
	".hullignore, .trivyignore, .trivyignore.yaml when present), and hull.yaml\n"
	"supplies flags (docs/policy.md).\n"
	"Checks are documented in docs/k8s.md, the JSON shape in docs/json-report.md.\n"
	"\n"
	"Exit status: 0, or --exit-code N when findings remain; 2 usage or input error\n"
	"(one line per bad input on stderr; the other inputs are still checked).\n";

struct k8s_args {
	const char *format, *output;
	bool no_color;
	bool want[HULL_SEV_COUNT];
	int exit_code;
	const char **skip;
	size_t nskip, skip_cap;
	struct hull_k8s_opts opts;
	const char **ignorefiles;
	size_t nignorefiles;
	struct hull_ignore ignore;
	const char **image_cfg; /* REF=SOURCE */
	size_t nimage_cfg, image_cfg_cap;
	bool resolve;
	const char *platform; /* --platform: which image of an index */
	struct cli_registry reg;
	struct hull_config cfg; /* hull.yaml; owns the arguments it adds */
	int argc;		/* the arguments after hull.yaml's were added */
	char **argv;
};

enum { OPT_IGNOREFILE = 0x2000 };

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

enum {
	OPT_EXIT_CODE = 256,
	OPT_SKIP,
	OPT_MAX_SIZE,
	OPT_NO_COLOR,
	OPT_IMAGE_CFG,
	OPT_RESOLVE,
	OPT_PLATFORM
};

static int parse_args(int argc, char **argv, struct k8s_args *a)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"severity", required_argument, NULL, 's'},
		{"exit-code", required_argument, NULL, OPT_EXIT_CODE},
		{"skip-check", required_argument, NULL, OPT_SKIP},
		{"max-file-size", required_argument, NULL, OPT_MAX_SIZE},
		{"ignorefile", required_argument, NULL, OPT_IGNOREFILE},
		{"output", required_argument, NULL, 'o'},
		{"no-color", no_argument, NULL, OPT_NO_COLOR},
		{"image-config", required_argument, NULL, OPT_IMAGE_CFG},
		{"resolve-images", no_argument, NULL, OPT_RESOLVE},
		{"platform", required_argument, NULL, OPT_PLATFORM},
		{"help", no_argument, NULL, 'h'},
		CLI_REGISTRY_LONGOPTS,
		CLI_UX_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	uint64_t size;
	int c;
	struct hull_err err = {0};
	if (hull_config_load(&a->cfg, &err) ||
	    hull_config_argv(&a->cfg, "k8s", longopts, argc, argv, &argc, &argv, &err))
		return cli_fail(&err);
	a->argc = argc;
	a->argv = argv;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:s:o:qh", longopts, NULL)) != -1) {
		int r = cli_registry_opt(&a->reg, c, optarg);
		if (r < 0)
			return EXIT_ERROR;
		if (r || cli_ux_opt(c))
			continue;
		switch (c) {
		case OPT_IMAGE_CFG:
			if (!strchr(optarg, '=') || *optarg == '=' || !strchr(optarg, '=')[1])
				return cli_error("k8s: --image-config: want REF=SOURCE, not \"%s\"",
						 optarg);
			ALLOC_GROW(a->image_cfg, a->nimage_cfg + 1, a->image_cfg_cap);
			a->image_cfg[a->nimage_cfg++] = optarg;
			break;
		case OPT_RESOLVE:
			a->resolve = true;
			break;
		case OPT_PLATFORM: {
			struct hull_platform pf;
			if (hull_platform_parse(optarg, &pf))
				return cli_error(
					"k8s: --platform: want OS/ARCH[/VARIANT], not \"%s\"",
					optarg);
			hull_platform_free(&pf);
			a->platform = optarg;
			break;
		}
		case OPT_IGNOREFILE:
			a->ignorefiles =
				xreallocarray(a->ignorefiles, a->nignorefiles + 1, sizeof(char *));
			a->ignorefiles[a->nignorefiles++] = optarg;
			break;
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
		case OPT_NO_COLOR:
			a->no_color = true;
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
		default: /* ':' too */
			return cli_bad_option("k8s", c, argv);
		}
	}
	if (!hull_report_renderer(a->format, false))
		return cli_error("k8s: unknown format \"%s\" (%s)", a->format,
				 hull_report_format_names(false));
	if (optind >= argc)
		return cli_error("k8s: expected at least one FILE, DIR or - (see 'hull help k8s')");
	cli_ux_start();
	a->opts.skip = a->skip;
	a->opts.nskip = a->nskip;
	if (a->nimage_cfg || a->resolve) {
		a->opts.images = hull_k8s_images_new(&a->reg.o, a->resolve);
		hull_k8s_images_set_platform(a->opts.images, a->platform);
		for (size_t i = 0; i < a->nimage_cfg; i++) {
			const char *eq = strchr(a->image_cfg[i], '=');
			char *ref = xstrndup(a->image_cfg[i], (size_t)(eq - a->image_cfg[i]));
			int r = hull_k8s_images_add(a->opts.images, ref, eq + 1, &err);
			if (r)
				hull_err_prefix(&err, "--image-config %s", ref);
			free(ref);
			if (r)
				return cli_fail(&err);
		}
	}
	if (hull_ignore_load_files(&a->ignore, a->ignorefiles, a->nignorefiles, &err))
		return cli_fail(&err);
	return 0;
}

static void free_args(struct k8s_args *a)
{
	free(a->skip);
	free(a->image_cfg);
	hull_k8s_images_free(a->opts.images);
	free(a->ignorefiles);
	hull_ignore_free(&a->ignore);
	hull_config_free(&a->cfg);
}

static int render(const struct k8s_args *a, struct hull_k8s_scan *s, const char *name)
{
	struct hull_report_meta meta = {name, "k8s", HULL_VERSION};
	_cleanup_free_ struct hull_expired_ignore *expired = NULL;
	meta.nexpired = hull_ignore_expired(&a->ignore, &expired);
	meta.expired = expired;
	struct strbuf out = STRBUF_INIT;
	struct hull_render_opts ro = {0};
	hull_report_terminal(&ro, !a->output, a->no_color);
	hull_report_renderer(a->format, false)->fn(&s->findings, &meta, &ro, &out);
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
		free_args(&a);
		return rc < 0 ? EXIT_CLEAN : rc;
	}
	argc = a.argc;
	argv = a.argv;
	struct hull_k8s_scan s = HULL_K8S_SCAN_INIT;
	for (int i = optind; i < argc; i++)
		(void)hull_k8s_scan_path(&s, argv[i], &a.opts); /* errors are in s.errors */
	cli_debug_phase("scan");
	/* --severity, then the ignore files (the annotation and --skip-check acted in the
	 * scan) */
	struct hull_policy p = {.sev_filter = true, .ignore = &a.ignore};
	memcpy(p.sev, a.want, sizeof(p.sev));
	hull_policy_apply(&p, &s.findings);
	hull_findings_sort(&s.findings);
	cli_debug_phase("policy");
	rc = render(&a, &s, optind == argc - 1 ? argv[optind] : "(multiple)");
	cli_debug_phase("render");
	for (size_t i = 0; i < s.nerrors; i++)
		rc = cli_error("%s", s.errors[i]);
	if (rc == EXIT_CLEAN && s.findings.n && a.exit_code)
		rc = a.exit_code;
	hull_k8s_scan_free(&s);
	free_args(&a);
	return rc;
}
