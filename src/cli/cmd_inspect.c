/* hull inspect: layers, config, history, wasted space and the merged file table. */
#include "../layer/inspect.h"
#include "../report/inspect.h"
#include "cli.h"
#include "regopts.h"
#include "ux.h"

#include <getopt.h>
#include <limits.h>
#include <string.h>

const char cmd_inspect_usage[] =
	"usage: hull inspect [OPTIONS] SOURCE\n"
	"\n"
	"Reads an image without extracting it: digest, config, history, per-layer sizes\n"
	"and changes, wasted bytes, efficiency, and (with --list-files) the merged file\n"
	"table. Layers are verified against the manifest digests and the config DiffIDs.\n"
	"\n"
	"SOURCE: docker-archive:PATH[:REF], oci:DIR[:REF], oci-archive:PATH[:REF],\n"
	"        docker://REF, rootfs:DIR, or a bare path (detected).\n"
	"\n"
	"Options:\n"
	"  -f, --format table|json     output format (default: table)\n"
	"      --list-files            include the merged file table\n"
	"      --top N                 top wasted paths to show (default: 10)\n" CLI_IMAGE_HELP
	"  -o, --output FILE           write the report to FILE (atomically)\n" CLI_UX_HELP
	"  -h, --help                  show this help\n"
	"\n"
	"On a terminal, a progress line on stderr shows layers and bytes read, the rate and\n"
	"the time left.\n"
	"\n"
	"Exit status: 0 success, 2 usage or input error (one line on stderr).\n"
	"The JSON shape is documented in docs/inspect.md.\n";

enum { OPT_LIST_FILES = 256, OPT_TOP };

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"list-files", no_argument, NULL, OPT_LIST_FILES},
		{"top", required_argument, NULL, OPT_TOP},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		CLI_IMAGE_LONGOPTS,
		CLI_UX_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct cli_image im = {0};
	struct hull_inspect_render_opts ro = {.top = 10};
	const char *format = "table", *output = NULL;
	unsigned long long v = 0;
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
			fputs(cmd_inspect_usage, stdout);
			return EXIT_CLEAN;
		case OPT_LIST_FILES:
			ro.list_files = true;
			break;
		case OPT_TOP:
			if (cli_parse_count(optarg, "--top", SIZE_MAX, &v))
				return EXIT_ERROR;
			ro.top = (size_t)v;
			break;
		default: /* ':' too */
			return cli_bad_option("inspect", c, argv);
		}
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_error("inspect: unknown format \"%s\" (table or json)", format);
	if (optind != argc - 1)
		return cli_error("inspect: expected one SOURCE (see 'hull help inspect')");
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
	struct strbuf out = STRBUF_INIT;
	if (!strcmp(format, "json"))
		hull_inspect_render_json(in, &ro, &out);
	else
		hull_inspect_render_table(in, &ro, &out);
	int rc = cli_output(output, out.buf, out.len);
	cli_debug_phase("render");
	strbuf_release(&out);
	hull_inspect_free(in);
	return rc;
}
