/* hull slim: minify an image to what its entrypoint needs (static analysis). */
#include "../build/slim.h"
#include "cli.h"
#include "regopts.h"
#include "ux.h"

#include <getopt.h>
#include <string.h>

const char cmd_slim_usage[] =
	"usage: hull slim [OPTIONS] SOURCE -o DEST\n"
	"\n"
	"Keeps only what the image's entrypoint needs and writes it as a one-layer image\n"
	"with the original config: the Entrypoint/Cmd program (found through PATH), its #!\n"
	"interpreters (also through /usr/bin/env), the ELF program interpreter and every\n"
	"DT_NEEDED library (searched as ld.so does: RPATH, LD_LIBRARY_PATH, RUNPATH, the\n"
	"image's /etc/ld.so.conf, the default directories), symlinks on the way, absolute\n"
	"paths among the arguments, /etc/passwd and /etc/group, the loader and name service\n"
	"configuration, the working directory and /tmp. The User becomes 65532:65532 (a\n"
	"\"nonroot\" user is added to passwd and group) unless --keep-user.\n"
	"\n"
	"What static analysis cannot see must be named with --include: files the program\n"
	"opens (certificates, zoneinfo, its configuration), libraries it dlopen()s (NSS and\n"
	"gconv modules, plugins) and programs it runs. See docs/slim.md.\n"
	"\n"
	"SOURCE: docker-archive:PATH[:REF], oci:DIR[:REF], oci-archive:PATH[:REF],\n"
	"        docker://REF, rootfs:DIR, or a bare path (detected).\n"
	"DEST:   oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:TAG],\n"
	"        docker://REF.\n"
	"\n"
	"Options:\n"
	"  -o, --output DEST           where to write the slim image (required)\n"
	"      --include PATH|GLOB     keep PATH too (a directory with everything below;\n"
	"                              '*' matches within a name, '**' any depth);\n"
	"                              ELF files kept bring their libraries (repeatable)\n"
	"      --keep-user             keep the config's User (default: 65532:65532)\n"
	"      --report FILE           write a JSON report: every kept path and "
	"why\n" CLI_IMAGE_HELP CLI_QUIET_HELP "  -h, --help                  show this help\n"
	"\n"
	"docker:// layers are always downloaded to the blob cache first (slim reads the\n"
	"image's files more than once), so --cache changes nothing here.\n"
	"\n"
	"Prints files and bytes before and after. Exit status: 0 success, 2 usage or input\n"
	"error (a missing entrypoint or library, a truncated ELF, a symlink escaping the\n"
	"image): one line on stderr, nothing written.\n";

enum { OPT_INCLUDE = 256, OPT_KEEP_USER, OPT_REPORT };

#define MAX_INCLUDES 1024

int cmd_slim(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"include", required_argument, NULL, OPT_INCLUDE},
		{"keep-user", no_argument, NULL, OPT_KEEP_USER},
		{"report", required_argument, NULL, OPT_REPORT},
		{"help", no_argument, NULL, 'h'},
		CLI_IMAGE_LONGOPTS,
		{"quiet", no_argument, NULL, 'q'},
		{NULL, 0, NULL, 0},
	};
	struct cli_image im = {0};
	struct hull_slim_opts so = {0};
	static const char *includes[MAX_INCLUDES];
	const char *dest = NULL, *report = NULL;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		int r = cli_image_opt(&im, c, optarg);
		if (r < 0)
			return EXIT_ERROR;
		if (r || (c == 'q' && cli_ux_opt(c)))
			continue;
		switch (c) {
		case 'o':
			dest = optarg;
			break;
		case OPT_INCLUDE:
			if (so.nincludes == MAX_INCLUDES)
				return cli_error("slim: more than %d --include options",
						 MAX_INCLUDES);
			if (optarg[0] != '/')
				return cli_error("slim: --include %s: not an absolute path",
						 optarg);
			includes[so.nincludes++] = optarg;
			break;
		case OPT_KEEP_USER:
			so.keep_user = true;
			break;
		case OPT_REPORT:
			report = optarg;
			break;
		case 'h':
			fputs(cmd_slim_usage, stdout);
			return EXIT_CLEAN;
		default: /* ':' too */
			return cli_bad_option("slim", c, argv);
		}
	}
	if (optind != argc - 1)
		return cli_error("slim: expected one SOURCE (see 'hull help slim')");
	if (!dest)
		return cli_error("slim: -o DEST is required (oci:DIR, oci-archive:FILE, "
				 "docker-archive:FILE or docker://REF)");
	im.io.registry = &im.reg.o;
	so.io = im.io;
	so.push = &im.reg.o;
	so.includes = includes;
	const char *source = argv[optind];
	struct hull_err err = {0};
	struct hull_slim_result *res;
	cli_ux_start();
	struct hull_progress *prog = cli_progress_start();
	struct hull_progress_hook ph = hull_progress_hook(prog);
	so.io.progress = &ph;
	int src = hull_slim_run(source, dest, &so, &res, &err);
	cli_progress_stop(prog);
	if (src)
		return cli_fail(&err);
	struct strbuf out = STRBUF_INIT;
	int rc = EXIT_CLEAN;
	if (report) {
		hull_slim_render_json(res, source, dest, &out);
		rc = cli_output(report, out.buf, out.len);
		strbuf_reset(&out);
	}
	hull_slim_render_text(res, source, dest, &out);
	if (rc == EXIT_CLEAN)
		fputs(out.buf, stdout);
	strbuf_release(&out);
	hull_slim_result_free(res);
	return rc;
}
