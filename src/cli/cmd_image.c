/* hull image: scan an image for secrets (every layer, the config and history) and
 * hardening problems, or write its SBOM; report as a table, hull.report/v1 JSON, SARIF,
 * CycloneDX or SPDX; gate CI with --severity and --exit-code. */
#include "../checks/checks.h"
#include "../layer/inspect.h"
#include "../pkg/pkg.h"
#include "../report/attrib.h"
#include "../report/findings.h"
#include "../report/policy.h"
#include "../report/render.h"
#include "../report/sbom.h"
#include "../secret/scan.h"
#include "../util/config.h"
#include "cli.h"
#include "regopts.h"
#include "ux.h"
#include "vulnscan.h"
#include "version.h"

#include <getopt.h>
#include <string.h>

const char cmd_image_usage[] =
	"usage: hull image [OPTIONS] SOURCE\n"
	"\n"
	"Scans an image without extracting it: secrets in every file of every layer (files\n"
	"deleted by a later layer too: they still ship), in the config and in the build\n"
	"history; and hardening checks (root user, shells, package managers, setuid files,\n"
	"caches, credential files, .git, …). See docs/checks.md and docs/secrets.md.\n"
	"Vulnerabilities: the packages found (as 'hull sbom' lists them) are matched against\n"
	"the offline vulnerability DB (see 'hull help db', docs/vuln.md).\n"
	"\n"
	"SOURCE: docker-archive:PATH[:REF], oci:DIR[:REF], oci-archive:PATH[:REF],\n"
	"        docker://REF, rootfs:DIR, or a bare path (detected).\n"
	"\n"
	"Options:\n"
	"      --scanners LIST         vuln,secret,misconfig (default: all three)\n"
	"  -f, --format FORMAT         table (default), json, sarif, junit, html, cyclonedx\n"
	"                              (with vulnerabilities), spdx-json (docs/reports.md)\n"
	"      --no-color              no colour in the table (also NO_COLOR)\n"
	"      --severity LIST         report only these severities (CRITICAL,HIGH,…)\n"
	"      --exit-code N           exit with N when findings remain (default: 0)\n"
	"      --secret-config FILE    add, disable or allow secret rules (Trivy's\n"
	"                              trivy-secret.yaml keys; docs/secrets.md)\n"
	"      --skip-check ID         drop findings of this rule or check "
	"(repeatable)\n" CLI_VULN_HELP CLI_IMAGE_HELP
	"      --ignorefile FILE       ignore rules: ids, or YAML with paths, packages,\n"
	"                              expiry (repeatable; default: .hullignore,\n"
	"                              .trivyignore, .trivyignore.yaml when present)\n"
	"      --ignore-unfixed        drop vulnerabilities that have no fixed version\n"
	"      --skip-base             drop findings in the base image's layers\n"
	"      --base SOURCE           the base image: its layers are the base (default:\n"
	"                              from the annotations and the history)\n"
	"      --dockerfile FILE       point findings at the instruction that made the\n"
	"                              layer (history matched to the final stage and\n"
	"                              the stages it is built FROM)\n"
	"  -o, --output FILE           write the report to FILE (atomically)\n" CLI_UX_HELP
	"  -h, --help                  show this help\n"
	"\n"
	"On a terminal, a progress line on stderr shows layers and bytes read, the rate and\n"
	"the time left.\n"
	"\n"
	"Options can also come from hull.yaml (./hull.yaml, else\n"
	"$XDG_CONFIG_HOME/hull/hull.yaml): see docs/policy.md.\n"
	"\n"
	"Exit status: 0 clean (or findings without --exit-code), N with --exit-code N when\n"
	"findings remain after --severity, --skip-check, ignore files, --ignore-unfixed and\n"
	"--skip-base, 2 usage or input error.\n";

const char cmd_fs_usage[] =
	"usage: hull fs [OPTIONS] DIR\n"
	"\n"
	"Runs the scanners of 'hull image' over a directory tree: a root filesystem (an\n"
	"unpacked image, a chroot) or a project checkout. Every file is read once; packages\n"
	"are catalogued from the same files (see 'hull sbom'). Takes the options of 'hull\n"
	"image' (see 'hull help image'), vulnerabilities included; layer options do not\n"
	"apply.\n"
	"\n"
	"Policy options and hull.yaml work as for 'hull image' (docs/policy.md); --base,\n"
	"--skip-base and --dockerfile need an image.\n"
	"\n"
	"Exit status: 0 clean (or findings without --exit-code), N with --exit-code N when\n"
	"findings remain, 2 usage or input error.\n";

enum {
	OPT_SCANNERS = 256,
	OPT_SEVERITY,
	OPT_EXIT_CODE,
	OPT_SKIP,
	OPT_SECRET_CONFIG,
	OPT_NO_COLOR,
	OPT_DB,
	OPT_DB_MAX_AGE,
	OPT_LIST_ALL_PKGS,
};

/* Policy and attribution (docs/policy.md). */
enum {
	OPT_IGNOREFILE = 0x2000,
	OPT_IGNORE_UNFIXED,
	OPT_SKIP_BASE,
	OPT_BASE,
	OPT_DOCKERFILE,
};

struct opts {
	bool secret, misconfig, vuln;
	struct cli_vuln vo;
	bool list_all_pkgs;
	const char *secret_config; /* --secret-config FILE */
	const char *format;
	bool no_color;
	bool sev[HULL_SEV_COUNT];
	bool sev_filter;
	int exit_code;
	const char **skips;
	size_t nskips;
	const char *output;
	struct cli_image im;
	bool fs; /* hull fs: SOURCE is a directory */
	const char **ignorefiles;
	size_t nignorefiles;
	bool ignore_unfixed, skip_base;
	const char *base, *dockerfile;
	const char *source;	   /* the operand */
	struct hull_config cfg;	   /* hull.yaml; owns the arguments it adds */
	struct hull_ignore ignore; /* the ignore files' entries */
};

static int parse_scanners(struct opts *o, const char *arg)
{
	o->secret = o->misconfig = o->vuln = false;
	_cleanup_free_ char *copy = xstrdup(arg);
	for (char *save, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "secret"))
			o->secret = true;
		else if (!strcmp(t, "misconfig") || !strcmp(t, "config"))
			o->misconfig = true;
		else if (!strcmp(t, "vuln"))
			o->vuln = o->vo.explicit_ = true;
		else
			return cli_error("--scanners: unknown scanner \"%s\" (vuln, secret, "
					 "misconfig)",
					 t);
	}
	return 0;
}

static int parse_severities(struct opts *o, const char *arg)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	o->sev_filter = true;
	memset(o->sev, 0, sizeof(o->sev)); /* the last --severity wins (over hull.yaml's) */
	for (char *save, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		enum hull_severity s;
		if (hull_severity_parse(t, &s))
			return cli_error("--severity: unknown severity \"%s\"", t);
		o->sev[s] = true;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"scanners", required_argument, NULL, OPT_SCANNERS},
		{"format", required_argument, NULL, 'f'},
		{"severity", required_argument, NULL, OPT_SEVERITY},
		{"exit-code", required_argument, NULL, OPT_EXIT_CODE},
		{"skip-check", required_argument, NULL, OPT_SKIP},
		{"ignorefile", required_argument, NULL, OPT_IGNOREFILE},
		{"ignore-unfixed", no_argument, NULL, OPT_IGNORE_UNFIXED},
		{"skip-base", no_argument, NULL, OPT_SKIP_BASE},
		{"base", required_argument, NULL, OPT_BASE},
		{"dockerfile", required_argument, NULL, OPT_DOCKERFILE},
		{"secret-config", required_argument, NULL, OPT_SECRET_CONFIG},
		{"output", required_argument, NULL, 'o'},
		{"no-color", no_argument, NULL, OPT_NO_COLOR},
		{"db", required_argument, NULL, OPT_DB},
		{"db-max-age", required_argument, NULL, OPT_DB_MAX_AGE},
		{"list-all-pkgs", no_argument, NULL, OPT_LIST_ALL_PKGS},
		{"help", no_argument, NULL, 'h'},
		CLI_IMAGE_LONGOPTS,
		CLI_UX_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	const char *cmd = o->fs ? "fs" : "image";
	int c;
	struct hull_err err = {0};
	if (hull_config_load(&o->cfg, &err) ||
	    hull_config_argv(&o->cfg, cmd, longopts, argc, argv, &argc, &argv, &err))
		return cli_fail(&err);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:o:qh", longopts, NULL)) != -1) {
		char *end;
		long v;
		int r = cli_image_opt(&o->im, c, optarg);
		if (r < 0)
			return EXIT_ERROR;
		if (r || cli_ux_opt(c))
			continue;
		switch (c) {
		case OPT_SCANNERS:
			if (parse_scanners(o, optarg))
				return EXIT_ERROR;
			break;
		case 'f':
			o->format = optarg;
			break;
		case OPT_SEVERITY:
			if (parse_severities(o, optarg))
				return EXIT_ERROR;
			break;
		case OPT_EXIT_CODE:
			v = strtol(optarg, &end, 10);
			if (*end || !*optarg || v < 0 || v > 255)
				return cli_error("--exit-code: invalid number \"%s\"", optarg);
			o->exit_code = (int)v;
			break;
		case OPT_SECRET_CONFIG:
			o->secret_config = optarg;
			break;
		case OPT_SKIP: /* repeatable, or a comma list (hull.yaml lists) */
			for (char *save, *t = strtok_r(optarg, ",", &save); t;
			     t = strtok_r(NULL, ",", &save)) {
				o->skips = xreallocarray(o->skips, o->nskips + 1, sizeof(char *));
				o->skips[o->nskips++] = t;
			}
			break;
		case OPT_IGNOREFILE:
			o->ignorefiles =
				xreallocarray(o->ignorefiles, o->nignorefiles + 1, sizeof(char *));
			o->ignorefiles[o->nignorefiles++] = optarg;
			break;
		case OPT_IGNORE_UNFIXED:
			o->ignore_unfixed = true;
			break;
		case OPT_SKIP_BASE:
			o->skip_base = true;
			break;
		case OPT_BASE:
			o->base = optarg;
			break;
		case OPT_DOCKERFILE:
			o->dockerfile = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		case OPT_DB:
			o->vo.db = optarg;
			break;
		case OPT_DB_MAX_AGE:
			if (cli_vuln_max_age(&o->vo, optarg))
				return EXIT_ERROR;
			break;
		case OPT_LIST_ALL_PKGS:
			o->list_all_pkgs = true;
			break;
		case 'h':
			fputs(o->fs ? cmd_fs_usage : cmd_image_usage, stdout);
			return -1;
		default: /* ':' too */
			return cli_bad_option(cmd, c, argv);
		}
	}
	if (!hull_report_renderer(o->format, true))
		return cli_error("%s: unknown format \"%s\" (%s)", cmd, o->format,
				 hull_report_format_names(true));
	if (optind != argc - 1)
		return cli_error(o->fs ? "fs: expected one DIR (see 'hull help fs')"
				       : "image: expected one SOURCE (see 'hull help image')");
	if (o->fs && (o->base || o->skip_base || o->dockerfile))
		return cli_error("fs: --base, --skip-base and --dockerfile need an image (use "
				 "'hull image')");
	o->source = argv[optind];
	cli_ux_start();
	if (hull_ignore_load_files(&o->ignore, o->ignorefiles, o->nignorefiles, &err))
		return cli_fail(&err);
	return 0;
}

static bool want_any(const char *path, uint64_t size, void *ctx)
{
	const struct opts *o = ctx;
	bool pkgs = o->vuln || o->list_all_pkgs || !strcmp(o->format, "cyclonedx") ||
		    !strcmp(o->format, "spdx-json");
	return (pkgs && hull_pkg_wanted(path, size, NULL)) ||
	       (o->misconfig && hull_checks_wanted(path, size, NULL));
}

static bool keep_any(const char *path, const char *data, size_t len, void *ctx)
{
	const struct opts *o = ctx;
	return (o->misconfig && hull_checks_wanted(path, len, NULL)) ||
	       hull_pkg_keep(path, data, len, NULL);
}

static void secret_findings(const struct hull_inspect *in, const struct hull_secret_results *r,
			    struct hull_findings *out)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct hull_secret_finding *s = &r->f[i];
		struct strbuf msg = STRBUF_INIT;
		strbuf_addf(&msg, "%s: %s", s->rule->title, s->excerpt);
		if (s->hidden)
			strbuf_addf(&msg,
				    " (in a file a later layer removes or replaces: layer %d "
				    "still ships it)",
				    s->layer);
		enum hull_severity sev = HULL_SEV_UNKNOWN;
		if (hull_severity_parse(s->rule->severity, &sev))
			sev = HULL_SEV_UNKNOWN;
		/* Built-in rules are documented; --secret-config ones are the user's. */
		bool builtin = s->rule >= hull_secret_rules &&
			       s->rule < hull_secret_rules + hull_secret_nrules;
		_cleanup_free_ char *doc =
			builtin ? xasprintf("docs/secrets.md#%s", s->rule->id) : NULL;
		struct hull_finding f = {
			.kind = "secret",
			.id = s->rule->id,
			.severity = sev,
			.title = s->rule->title,
			.message = hull_findings_strdup(out, msg.buf),
			.remediation = "Remove the secret from the image (and its history), "
				       "rotate it, and pass secrets at run time or with build "
				       "secrets (--mount=type=secret).",
			.doc = hull_findings_strdup(out, doc),
			.path = hull_findings_strdup(out, s->path),
			.line = s->line,
		};
		if (s->layer >= 0 && in->img->transport != HULL_SRC_ROOTFS &&
		    (size_t)s->layer < in->img->nlayers) {
			f.layer = hull_findings_strdup(out, in->img->layers[s->layer].digest);
			f.layer_index = s->layer;
		}
		hull_findings_add(out, &f);
		strbuf_release(&msg);
	}
}

/* Attribution (base image, Dockerfile line), then the policy (src/report/policy.c). */
static int apply_policy(const struct opts *o, const struct hull_inspect *in,
			struct hull_findings *l)
{
	if (in->img->transport != HULL_SRC_ROOTFS) {
		struct hull_open_opts oo = {.platform = o->im.io.platform,
					    .registry = o->im.io.registry};
		struct hull_attrib_opts ao = {o->base, &oo, o->dockerfile};
		struct hull_attrib a;
		struct hull_err err = {0};
		if (hull_attrib_compute(in->img, &ao, &a, &err))
			return cli_fail(&err);
		hull_attrib_apply(&a, l);
		hull_attrib_free(&a);
	}
	struct hull_policy p = {
		.sev_filter = o->sev_filter,
		.skips = o->skips,
		.nskips = o->nskips,
		.ignore = &o->ignore,
		.ignore_unfixed = o->ignore_unfixed,
		.skip_base = o->skip_base,
	};
	memcpy(p.sev, o->sev, sizeof(p.sev));
	hull_policy_apply(&p, l);
	return 0;
}

static int render(const struct opts *o, const struct hull_inspect *in, struct hull_findings *l,
		  const struct hull_inventory *inv, struct strbuf *out)
{
	const struct hull_image *img = in->img;
	struct hull_report_meta m = {
		.artifact_name = img->source,
		.artifact_type =
			img->transport == HULL_SRC_ROOTFS ? "filesystem" : "container_image",
		.tool_version = HULL_VERSION,
		.digest = img->manifest_digest ? img->manifest_digest : img->config_digest,
		.os_family = inv ? inv->os.id : NULL,
		.os_version = inv ? inv->os.version_id : NULL,
	};
	_cleanup_free_ const char **layers = NULL;
	if (o->list_all_pkgs && inv) {
		m.packages = inv;
		if (img->transport != HULL_SRC_ROOTFS && img->nlayers) {
			layers = xcalloc(img->nlayers, sizeof(char *));
			for (size_t i = 0; i < img->nlayers; i++)
				layers[i] = img->layers[i].digest;
			m.layers = layers;
			m.nlayers = img->nlayers;
		}
	}
	_cleanup_free_ struct hull_expired_ignore *expired = NULL;
	m.nexpired = hull_ignore_expired(&o->ignore, &expired);
	m.expired = expired;
	struct hull_render_opts ro = {.in = in, .inv = inv};
	hull_report_terminal(&ro, !o->output, o->no_color);
	hull_report_renderer(o->format, true)->fn(l, &m, &ro, out);
	return 0;
}

static int scan(struct opts *o, const char *source)
{
	struct hull_err err = {0};
	struct hull_secret_results secrets = {0};
	struct hull_scan_hook hook;
	struct hull_secret_config *scfg = NULL;
	if (o->secret && o->secret_config && hull_secret_config_load(o->secret_config, &scfg, &err))
		return cli_fail(&err);
	if (o->secret) {
		if (hull_secret_results_init_config(&secrets, scfg, &err)) {
			hull_secret_config_free(scfg);
			return cli_fail(&err);
		}
		hook = hull_secret_hook(&secrets);
		o->im.io.scan = &hook;
	}
	struct hull_capture cap = {.want = want_any, .keep = keep_any, .ctx = o};
	o->im.io.capture = &cap;
	struct hull_inspect *in = NULL;
	struct hull_inventory *inv = NULL;
	struct hull_progress *prog = cli_progress_start();
	struct hull_progress_hook ph = hull_progress_hook(prog);
	o->im.io.registry = &o->im.reg.o;
	o->im.io.progress = o->im.reg.o.progress = &ph;
	int rc = hull_inspect_run(source, &o->im.io, &in, &err);
	o->im.io.progress = o->im.reg.o.progress = NULL;
	cli_progress_stop(prog);
	if (!rc) {
		cli_debug_inspect(in);
		rc = hull_inventory_build(in->layers, in->nlayers, in->fs, &inv, &err);
		cli_debug_phase("catalog");
	}
	if (rc) {
		hull_secret_results_release(&secrets);
		hull_secret_config_free(scfg);
		return cli_fail(&err);
	}
	struct hull_findings l = HULL_FINDINGS_INIT;
	if (o->secret) {
		hull_secret_scan_config(&secrets, in->img->config);
		hull_secret_finish(&secrets, in->fs);
		secret_findings(in, &secrets, &l);
		cli_debug_phase("secrets");
	}
	if (o->misconfig) {
		hull_checks_run(in, NULL, &l);
		cli_debug_phase("checks");
	}
	if (o->vuln)
		rc = cli_vuln_run(&o->vo, in, inv, &l);
	if (!rc) {
		rc = apply_policy(o, in, &l);
		cli_debug_phase("policy");
	}
	hull_findings_sort(&l);
	struct strbuf out = STRBUF_INIT;
	if (!rc) {
		render(o, in, &l, inv, &out);
		rc = cli_output(o->output, out.buf, out.len);
		cli_debug_phase("render");
	}
	if (rc == EXIT_CLEAN && l.n && o->exit_code && strcmp(o->format, "cyclonedx") &&
	    strcmp(o->format, "spdx-json"))
		rc = o->exit_code;
	strbuf_release(&out);
	hull_findings_free(&l);
	hull_inventory_free(inv);
	hull_inspect_free(in);
	hull_secret_results_release(&secrets);
	hull_secret_config_free(scfg);
	return rc;
}

static int run(int argc, char **argv, bool fs)
{
	struct opts o = {.secret = true,
			 .misconfig = true,
			 .vuln = true,
			 .vo = {.max_age = 7 * 86400},
			 .format = "table",
			 .fs = fs};
	int rc = parse_args(argc, argv, &o);
	if (rc == 0 && fs) {
		/* hull fs DIR: the same scanners over a directory tree. */
		const char *dir = o.source;
		if (!strncmp(dir, "rootfs:", 7))
			dir += 7;
		_cleanup_free_ char *src = xasprintf("rootfs:%s", dir);
		rc = scan(&o, src);
	} else if (rc == 0) {
		rc = scan(&o, o.source);
	} else if (rc < 0) {
		rc = EXIT_CLEAN;
	}
	free(o.skips);
	free(o.ignorefiles);
	hull_ignore_free(&o.ignore);
	hull_config_free(&o.cfg);
	return rc;
}

int cmd_image(int argc, char **argv)
{
	return run(argc, argv, false);
}

int cmd_fs(int argc, char **argv)
{
	return run(argc, argv, true);
}
