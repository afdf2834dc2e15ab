/* hull inspect: layers, config, history, wasted space and the merged file table. */
#include "../layer/inspect.h"
#include "../report/inspect.h"
#include "../util/pool.h"
#include "cli.h"
#include "regopts.h"

#include <errno.h>
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
	"      --top N                 top wasted paths to show (default: 10)\n"
	"      --platform OS/ARCH[/V]  platform to pick from an index (default: linux/amd64)\n"
	"      --parallel N            layers decoded at once (default: one per core)\n"
	"      --max-layer-size SIZE   cap on a layer's decompressed size (default: 32GiB)\n"
	"      --max-entries N         cap on tar entries in the image (default: "
	"10000000)\n" CLI_REGISTRY_HELP
	"  -o, --output FILE           write the report to FILE (atomically)\n"
	"  -h, --help                  show this help\n"
	"\n"
	"Exit status: 0 success, 2 usage or input error (one line on stderr).\n"
	"The JSON shape is documented in docs/inspect.md.\n";

static int parse_uint(const char *s, const char *opt, unsigned long long max,
		      unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || !*s || *end || *s == '-' || v > max)
		return cli_error("%s: invalid number \"%s\"", opt, s);
	*out = v;
	return 0;
}

enum { OPT_LIST_FILES = 256, OPT_TOP, OPT_PLATFORM, OPT_PARALLEL, OPT_MAX_SIZE, OPT_MAX_ENTRIES };

int cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"list-files", no_argument, NULL, OPT_LIST_FILES},
		{"top", required_argument, NULL, OPT_TOP},
		{"platform", required_argument, NULL, OPT_PLATFORM},
		{"parallel", required_argument, NULL, OPT_PARALLEL},
		{"max-layer-size", required_argument, NULL, OPT_MAX_SIZE},
		{"max-entries", required_argument, NULL, OPT_MAX_ENTRIES},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		CLI_REGISTRY_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct hull_inspect_opts io = {0};
	struct cli_registry reg = {0};
	struct hull_inspect_render_opts ro = {.top = 10};
	const char *format = "table", *output = NULL;
	unsigned long long v;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
		int r = cli_registry_opt(&reg, c, optarg);
		if (r < 0)
			return EXIT_ERROR;
		if (r)
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
			if (parse_uint(optarg, "--top", SIZE_MAX, &v))
				return EXIT_ERROR;
			ro.top = (size_t)v;
			break;
		case OPT_PLATFORM:
			io.platform = optarg;
			break;
		case OPT_PARALLEL:
			if (parse_uint(optarg, "--parallel", 256, &v))
				return EXIT_ERROR;
			io.parallel = v ? (unsigned)v : hull_ncpu();
			break;
		case OPT_MAX_SIZE:
			if (hull_parse_size(optarg, &io.max_layer_size) || !io.max_layer_size)
				return cli_error("--max-layer-size: invalid size \"%s\"", optarg);
			break;
		case OPT_MAX_ENTRIES:
			if (parse_uint(optarg, "--max-entries", ULLONG_MAX, &v) || !v)
				return cli_error("--max-entries: invalid number \"%s\"", optarg);
			io.max_entries = v;
			break;
		case ':':
			return cli_error("inspect: option %s needs a value", argv[optind - 1]);
		default:
			return cli_error("inspect: unknown option %s (see 'hull help inspect')",
					 argv[optind - 1]);
		}
	}
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_error("inspect: unknown format \"%s\" (table or json)", format);
	if (optind != argc - 1)
		return cli_error("inspect: expected one SOURCE (see 'hull help inspect')");
	io.registry = &reg.o;
	struct hull_err err = {0};
	struct hull_inspect *in;
	if (hull_inspect_run(argv[optind], &io, &in, &err))
		return cli_fail(&err);
	struct strbuf out = STRBUF_INIT;
	if (!strcmp(format, "json"))
		hull_inspect_render_json(in, &ro, &out);
	else
		hull_inspect_render_table(in, &ro, &out);
	int rc = cli_output(output, out.buf, out.len);
	strbuf_release(&out);
	hull_inspect_free(in);
	return rc;
}
