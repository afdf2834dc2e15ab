/* The registry options of hull pull, push and inspect. */
#include "regopts.h"
#include "cli.h"

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
		CLI_REGISTRY_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	memset(out, 0, sizeof(*out));
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		int r = cli_registry_opt(&out->reg, c, optarg);
		if (r < 0)
			return EXIT_ERROR;
		if (r)
			continue;
		switch (c) {
		case 'p':
			out->platform = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return EXIT_CLEAN;
		case ':':
			return cli_error("%s: option %s needs a value", cmd, argv[optind - 1]);
		default:
			return cli_error("%s: unknown option %s (see 'hull help %s')", cmd,
					 argv[optind - 1], cmd);
		}
	}
	if (optind != argc - 2)
		return cli_error("%s: expected SOURCE and DESTINATION (see 'hull help %s')", cmd,
				 cmd);
	out->src = argv[optind];
	out->dst = argv[optind + 1];
	return -1;
}
