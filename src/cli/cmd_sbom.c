/* hull sbom: the package inventory of an image or directory, as CycloneDX 1.6, SPDX 2.3,
 * hull's own JSON, or a table. */
#include "../layer/inspect.h"
#include "../pkg/pkg.h"
#include "../report/sbom.h"
#include "cli.h"
#include "regopts.h"
#include "ux.h"

#include <getopt.h>
#include <string.h>

const char cmd_sbom_usage[] =
	"usage: hull sbom [OPTIONS] SOURCE\n"
	"\n"
	"Lists the packages inside an image or directory, from the package databases and\n"
	"lockfiles visible in the merged view, without running anything from the image.\n"
	"\n"
	"SOURCE: docker-archive:PATH[:REF], oci:DIR[:REF], oci-archive:PATH[:REF],\n"
	"        docker://REF, rootfs:DIR, or a bare path (detected; a plain directory is\n"
	"        rootfs:).\n"
	"\n"
	"Catalogers built so far: dpkg (status, status.d), apk, rpm (sqlite, bdb, ndb),\n"
	"python (dist-info, egg-info, requirements, Pipfile.lock, poetry.lock, uv.lock),\n"
	"gem (gemspec, Gemfile.lock), composer (composer.lock, installed.json),\n"
	"npm (package-lock.json, yarn.lock, pnpm-lock.yaml, node_modules), go (binaries,\n"
	"go.mod), java (jar/war/ear, nested), cargo (Cargo.lock, cargo-auditable).\n"
	"See docs/sbom.md.\n"
	"\n"
	"Options:\n"
	"  -f, --format FORMAT         cyclonedx (default), spdx-json, json, table\n"
	"      --timestamp             put the current time in the SBOM (default: derived\n"
	"                              from the image, so output is reproducible)\n" CLI_IMAGE_HELP
	"  -o, --output FILE           write to FILE (atomically)\n" CLI_UX_HELP
	"  -h, --help                  show this help\n"
	"\n"
	"On a terminal, a progress line on stderr shows layers and bytes read, the rate and\n"
	"the time left.\n"
	"\n"
	"Exit status: 0 success, 2 usage or input error.\n";

enum { OPT_TIMESTAMP = 256 };

static const struct {
	const char *name;
	void (*render)(const struct hull_inspect *, const struct hull_inventory *,
		       const struct hull_sbom_opts *, struct strbuf *);
} formats[] = {
	{"cyclonedx", hull_sbom_render_cyclonedx},
	{"spdx-json", hull_sbom_render_spdx},
	{"json", hull_sbom_render_json},
	{"table", hull_sbom_render_table},
};

int cmd_sbom(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"timestamp", no_argument, NULL, OPT_TIMESTAMP},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		CLI_IMAGE_LONGOPTS,
		CLI_UX_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct hull_capture cap = {.want = hull_pkg_wanted, .keep = hull_pkg_keep};
	struct cli_image im = {.io = {.capture = &cap}};
	struct hull_sbom_opts so = {0};
	const char *format = "cyclonedx", *output = NULL;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:o:qh", longopts, NULL)) != -1) {
		int r = cli_image_opt(&im, c, optarg);
		if (r < 0)
			return EXIT_ERROR;
		if (r || cli_ux_opt(c))
			continue;
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(cmd_sbom_usage, stdout);
			return EXIT_CLEAN;
		case OPT_TIMESTAMP:
			so.timestamp = true;
			break;
		default: /* ':' too */
			return cli_bad_option("sbom", c, argv);
		}
	}
	size_t fi = 0;
	while (fi < ARRAY_SIZE(formats) && strcmp(formats[fi].name, format))
		fi++;
	if (fi == ARRAY_SIZE(formats))
		return cli_error("sbom: unknown format \"%s\" (cyclonedx, spdx-json, json, table)",
				 format);
	if (optind != argc - 1)
		return cli_error("sbom: expected one SOURCE (see 'hull help sbom')");
	cli_ux_start();
	im.io.registry = &im.reg.o;
	struct hull_err err = {0};
	struct hull_inspect *in;
	struct hull_progress *prog = cli_progress_start();
	struct hull_progress_hook ph = hull_progress_hook(prog);
	im.io.progress = im.reg.o.progress = &ph;
	int irc = hull_inspect_run(argv[optind], &im.io, &in, &err);
	cli_progress_stop(prog);
	if (irc)
		return cli_fail(&err);
	cli_debug_inspect(in);
	struct hull_inventory *inv;
	if (hull_inventory_build(in->layers, in->nlayers, in->fs, &inv, &err)) {
		hull_inspect_free(in);
		return cli_fail(&err);
	}
	cli_debug_phase("catalog");
	struct strbuf out = STRBUF_INIT;
	formats[fi].render(in, inv, &so, &out);
	int rc = cli_output(output, out.buf, out.len);
	cli_debug_phase("render");
	strbuf_release(&out);
	hull_inventory_free(inv);
	hull_inspect_free(in);
	return rc;
}
