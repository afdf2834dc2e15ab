/* The registry options of hull pull, push and inspect. */
#include "regopts.h"
#include "cli.h"
#include "ux.h"

#include "../util/pool.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

int cli_registry_opt(struct cli_registry *r, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_CREDS:
		r->o.creds = arg;
		return 1;
	case CLI_OPT_AUTHFILE:
		r->o.authfile = arg;
		return 1;
	case CLI_OPT_TLS_VERIFY:
		if (!arg || !strcmp(arg, "true"))
			r->o.tls_verify_off = false;
		else if (!strcmp(arg, "false"))
			r->o.tls_verify_off = true;
		else
			return cli_error("--tls-verify: want true or false, not \"%s\"", arg), -1;
		return 1;
	case CLI_OPT_CERT_DIR:
		r->o.cert_dir = arg;
		return 1;
	case CLI_OPT_INSECURE:
		if (r->o.ninsecure == CLI_MAX_INSECURE)
			return cli_error("--insecure-registry: at most %d hosts", CLI_MAX_INSECURE),
			       -1;
		r->insecure[r->o.ninsecure++] = arg;
		r->o.insecure = r->insecure;
		return 1;
	}
	return 0;
}

int cli_copy_args(int argc, char **argv, const char *cmd, const char *usage, struct cli_copy *out)
{
	static const struct option longopts[] = {
		{"platform", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{"mount-from", required_argument, NULL, 'm'},
		{"quiet", no_argument, NULL, 'q'},
		CLI_REGISTRY_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	bool push = out->push;
	memset(out, 0, sizeof(*out));
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		int r = cli_registry_opt(&out->reg, c, optarg);
		if (r < 0)
			return EXIT_ERROR;
		if (r || (c == 'q' && cli_ux_opt(c)))
			continue;
		switch (c) {
		case 'p':
			out->platform = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_CLEAN;
		case 'm':
			if (!push)
				return cli_error("%s: --mount-from is an option of hull push", cmd);
			out->reg.o.mount_from = optarg;
			break;
		default: /* ':' too */
			return cli_bad_option(cmd, c, argv);
		}
	}
	if (optind != argc - 2)
		return cli_error("%s: expected SOURCE and DESTINATION (see 'hull help %s')", cmd,
				 cmd);
	out->src = argv[optind];
	out->dst = argv[optind + 1];
	cli_ux_start();
	return -1;
}

int cli_parse_count(const char *s, const char *opt, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || !*s || *end || *s == '-' || v > max) {
		cli_error("%s: invalid number \"%s\"", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_image_opt(struct cli_image *im, int c, const char *arg)
{
	unsigned long long v;
	im->io.registry = &im->reg.o;
	switch (c) {
	case CLI_OPT_PLATFORM:
		im->io.platform = arg;
		return 1;
	case CLI_OPT_PARALLEL:
		if (cli_parse_count(arg, "--parallel", 256, &v))
			return -1;
		im->io.parallel = v ? (unsigned)v : hull_ncpu();
		return 1;
	case CLI_OPT_MAX_SIZE:
		if (hull_parse_size(arg, &im->io.max_layer_size) || !im->io.max_layer_size) {
			cli_error("--max-layer-size: invalid size \"%s\"", arg);
			return -1;
		}
		return 1;
	case CLI_OPT_CACHE:
		im->reg.o.cache = true;
		return 1;
	case CLI_OPT_MAX_ENTRIES:
		if (cli_parse_count(arg, "--max-entries", ULLONG_MAX, &v))
			return -1;
		if (!v) {
			cli_error("--max-entries: invalid number \"%s\"", arg);
			return -1;
		}
		im->io.max_entries = v;
		return 1;
	default:
		return cli_registry_opt(&im->reg, c, arg);
	}
}
