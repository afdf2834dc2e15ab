/* hull image: scan an image for secrets (every layer, the config and history) and
 * hardening problems, or write its SBOM; report as a table, hull.report/v1 JSON, SARIF,
 * CycloneDX or SPDX; gate CI with --severity and --exit-code. */
#include "../checks/checks.h"
#include "../layer/inspect.h"
#include "../pkg/pkg.h"
#include "../report/findings.h"
#include "../report/sbom.h"
#include "../secret/scan.h"
#include "cli.h"
#include "regopts.h"
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
	"Vulnerability matching (--scanners vuln) is not built yet.\n"
	"\n"
	"SOURCE: docker-archive:PATH[:REF], oci:DIR[:REF], oci-archive:PATH[:REF],\n"
	"        docker://REF, rootfs:DIR, or a bare path (detected).\n"
	"\n"
	"Options:\n"
	"      --scanners LIST         secret,misconfig (default: both)\n"
	"  -f, --format FORMAT         table (default), json, sarif, cyclonedx, spdx-json\n"
	"      --severity LIST         report only these severities (CRITICAL,HIGH,…)\n"
	"      --exit-code N           exit with N when findings remain (default: 0)\n"
	"      --secret-config FILE    add, disable or allow secret rules (Trivy's\n"
	"                              trivy-secret.yaml keys; docs/secrets.md)\n"
	"      --skip-check ID         drop findings of this rule or check "
	"(repeatable)\n" CLI_IMAGE_HELP
	"  -o, --output FILE           write the report to FILE (atomically)\n"
	"  -h, --help                  show this help\n"
	"\n"
	"Exit status: 0 clean (or findings without --exit-code), N with --exit-code N when\n"
	"findings remain after --severity and --skip-check, 2 usage or input error.\n";

const char cmd_fs_usage[] =
	"usage: hull fs [OPTIONS] DIR\n"
	"\n"
	"Runs the scanners of 'hull image' over a directory tree: a root filesystem (an\n"
	"unpacked image, a chroot) or a project checkout. Every file is read once; packages\n"
	"are catalogued from the same files (see 'hull sbom'). Takes the options of 'hull\n"
	"image' (see 'hull help image'); layer options do not apply.\n"
	"Vulnerability matching (--scanners vuln) is not built yet.\n"
	"\n"
	"Exit status: 0 clean (or findings without --exit-code), N with --exit-code N when\n"
	"findings remain, 2 usage or input error.\n";

enum {
	OPT_SCANNERS = 256,
	OPT_SEVERITY,
	OPT_EXIT_CODE,
	OPT_SKIP,
	OPT_SECRET_CONFIG,
};

struct opts {
	bool secret, misconfig;
	const char *secret_config; /* --secret-config FILE */
	const char *format;
	bool sev[HULL_SEV_COUNT];
	bool sev_filter;
	int exit_code;
	const char **skips;
	size_t nskips;
	const char *output;
	struct cli_image im;
	bool fs; /* hull fs: SOURCE is a directory */
};

static int parse_scanners(struct opts *o, const char *arg)
{
	o->secret = o->misconfig = false;
	_cleanup_free_ char *copy = xstrdup(arg);
	for (char *save, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "secret"))
			o->secret = true;
		else if (!strcmp(t, "misconfig") || !strcmp(t, "config"))
			o->misconfig = true;
		else if (!strcmp(t, "vuln"))
			return cli_error("--scanners: vuln is not built yet (see README.md)");
		else
			return cli_error("--scanners: unknown scanner \"%s\" (secret, misconfig)",
					 t);
	}
	return 0;
}

static int parse_severities(struct opts *o, const char *arg)
{
	_cleanup_free_ char *copy = xstrdup(arg);
	o->sev_filter = true;
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
		{"secret-config", required_argument, NULL, OPT_SECRET_CONFIG},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		CLI_IMAGE_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	const char *cmd = o->fs ? "fs" : "image";
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		char *end;
		long v;
		int r = cli_image_opt(&o->im, c, optarg);
		if (r < 0)
			return EXIT_ERROR;
		if (r)
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
		case OPT_SKIP:
			o->skips = xreallocarray(o->skips, o->nskips + 1, sizeof(char *));
			o->skips[o->nskips++] = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			fputs(o->fs ? cmd_fs_usage : cmd_image_usage, stdout);
			return -1;
		case ':':
			return cli_error("%s: option %s needs a value", cmd, argv[optind - 1]);
		default:
			return cli_error("%s: unknown option %s (see 'hull help %s')", cmd,
					 argv[optind - 1], cmd);
		}
	}
	static const char *const formats[] = {"table", "json", "sarif", "cyclonedx", "spdx-json"};
	bool ok = false;
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		ok = ok || !strcmp(o->format, formats[i]);
	if (!ok)
		return cli_error("%s: unknown format \"%s\" (table, json, sarif, cyclonedx, "
				 "spdx-json)",
				 cmd, o->format);
	if (optind != argc - 1)
		return cli_error(o->fs ? "fs: expected one DIR (see 'hull help fs')"
				       : "image: expected one SOURCE (see 'hull help image')");
	return 0;
}

static bool want_any(const char *path, uint64_t size, void *ctx)
{
	const struct opts *o = ctx;
	bool sbom = !strcmp(o->format, "cyclonedx") || !strcmp(o->format, "spdx-json");
	return (sbom && hull_pkg_wanted(path, size, NULL)) ||
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

/* --severity and --skip-check: keep what the policy asks for. */
static void apply_policy(const struct opts *o, struct hull_findings *l)
{
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct hull_finding *f = &l->v[i];
		bool keep = !o->sev_filter || o->sev[f->severity];
		for (size_t s = 0; keep && s < o->nskips; s++)
			keep = strcmp(o->skips[s], f->id) != 0;
		if (keep)
			l->v[k++] = l->v[i];
	}
	l->n = k;
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
	struct hull_sbom_opts so = {0};
	if (!strcmp(o->format, "json"))
		hull_findings_render_json(l, &m, out);
	else if (!strcmp(o->format, "sarif"))
		hull_findings_render_sarif(l, &m, out);
	else if (!strcmp(o->format, "cyclonedx"))
		hull_sbom_render_cyclonedx(in, inv, &so, out);
	else if (!strcmp(o->format, "spdx-json"))
		hull_sbom_render_spdx(in, inv, &so, out);
	else
		hull_findings_render_table(l, &m, out);
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
	int rc = hull_inspect_run(source, &o->im.io, &in, &err);
	if (!rc)
		rc = hull_inventory_build(in->layers, in->nlayers, in->fs, &inv, &err);
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
	}
	if (o->misconfig)
		hull_checks_run(in, NULL, &l);
	apply_policy(o, &l);
	hull_findings_sort(&l);
	struct strbuf out = STRBUF_INIT;
	render(o, in, &l, inv, &out);
	rc = cli_output(o->output, out.buf, out.len);
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
	struct opts o = {.secret = true, .misconfig = true, .format = "table", .fs = fs};
	int rc = parse_args(argc, argv, &o);
	if (rc == 0 && fs) {
		/* hull fs DIR: the same scanners over a directory tree. */
		const char *dir = argv[optind];
		if (!strncmp(dir, "rootfs:", 7))
			dir += 7;
		_cleanup_free_ char *src = xasprintf("rootfs:%s", dir);
		rc = scan(&o, src);
	} else if (rc == 0) {
		rc = scan(&o, argv[optind]);
	} else if (rc < 0) {
		rc = EXIT_CLEAN;
	}
	free(o.skips);
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
