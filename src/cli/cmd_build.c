/* hull build: build a reproducible, non-root image from a hull-image.yaml spec. */
#include "../build/build.h"
#include "cli.h"
#include "regopts.h"
#include "ux.h"

#include <getopt.h>
#include <string.h>

const char cmd_build_usage[] =
	"usage: hull build [OPTIONS] SPEC -o DEST\n"
	"\n"
	"Builds an image from SPEC (hull-image.yaml, see docs/build.md) without a daemon:\n"
	"files (globs, trees), Debian packages (.deb, unpacked without maintainer scripts and\n"
	"recorded in var/lib/dpkg/status.d), a non-root user (65532:65532 'nonroot' by\n"
	"default), entrypoint/cmd (exec form), env, labels, annotations, ports, healthcheck,\n"
	"on scratch or on a base image. Reproducible: every time comes from\n"
	"SOURCE_DATE_EPOCH, else the git commit time, else 0; entries are sorted, owners\n"
	"numeric, modes normalised (0755 if executable, else 0644, unless the spec says).\n"
	"Secure by default: the image is scanned for secrets and hardening problems before\n"
	"it is written (.git, .env, private keys, credential files, setuid or world-writable\n"
	"files refuse the build; --allow ID lets one through), and it ships SPDX and\n"
	"CycloneDX SBOMs in /usr/share/hull/. Prints the manifest digest.\n"
	"Multi-platform: a spec with platforms: [linux/amd64, linux/arm64] builds one image\n"
	"per platform (files.src and debs may use ${ARCH}, ${OS}, ${VARIANT}, ${PLATFORM},\n"
	"${DEBARCH}) and an OCI image index; the index digest is printed. A push also\n"
	"attaches both SBOMs to each image manifest as OCI referrer artifacts (the\n"
	"referrers API, else the sha256-<hex> referrers tag).\n"
	"\n"
	"DEST: oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:TAG] (docker load,\n"
	"      one platform: pick it with --platform), docker://REF (push).\n"
	"\n"
	"Options:\n"
	"  -o, --output DEST           where to write the image (required)\n"
	"      --source URL            org.opencontainers.image.source (default: git remote)\n"
	"      --revision REV          org.opencontainers.image.revision (default: git HEAD)\n"
	"      --allow ID              let findings of this rule or check through (repeatable)\n"
	"      --platform OS/ARCH[/V]  the image's platform (default: the spec's, else the\n"
	"                              base's, else linux/amd64); with platforms in the\n"
	"                              spec: build only this one of them (no index)\n"
	"      --no-sbom-referrer      docker://: do not push the SBOMs as OCI "
	"referrers\n" CLI_REGISTRY_HELP CLI_QUIET_NOTES_HELP
	"  -h, --help                  show this help\n"
	"\n"
	"Exit status: 0 built, 2 usage, spec or input error, or refused by the security gate\n"
	"(one line on stderr; nothing written).\n";

enum { OPT_SOURCE = 256, OPT_REVISION, OPT_ALLOW, OPT_PLATFORM, OPT_NO_REFERRER };

int cmd_build(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"source", required_argument, NULL, OPT_SOURCE},
		{"revision", required_argument, NULL, OPT_REVISION},
		{"allow", required_argument, NULL, OPT_ALLOW},
		{"platform", required_argument, NULL, OPT_PLATFORM},
		{"no-sbom-referrer", no_argument, NULL, OPT_NO_REFERRER},
		{"help", no_argument, NULL, 'h'},
		{"quiet", no_argument, NULL, 'q'},
		CLI_REGISTRY_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct hull_build_opts o = {0};
	struct cli_registry reg = {0};
	_cleanup_free_ const char **allow = NULL;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		int r = cli_registry_opt(&reg, c, optarg);
		if (r < 0)
			return EXIT_ERROR;
		if (r || (c == 'q' && cli_ux_opt(c)))
			continue;
		switch (c) {
		case 'o':
			o.dest = optarg;
			break;
		case OPT_SOURCE:
			o.source_url = optarg;
			break;
		case OPT_REVISION:
			o.revision = optarg;
			break;
		case OPT_ALLOW:
			allow = xreallocarray(allow, o.nallow + 1, sizeof(*allow));
			allow[o.nallow++] = optarg;
			break;
		case OPT_PLATFORM:
			o.platform = optarg;
			break;
		case OPT_NO_REFERRER:
			o.no_sbom_referrer = true;
			break;
		case 'h':
			fputs(cmd_build_usage, stdout);
			return EXIT_CLEAN;
		default: /* ':' too */
			return cli_bad_option("build", c, argv);
		}
	}
	if (optind != argc - 1)
		return cli_error("build: expected one SPEC (see 'hull help build')");
	cli_ux_start();
	if (!o.dest)
		return cli_error("build: -o DEST is required (oci:DIR[:TAG], oci-archive:FILE, "
				 "docker-archive:FILE or docker://REF)");
	o.spec = argv[optind];
	o.allow = allow;
	o.registry = &reg.o;
	struct hull_err err = {0};
	char *digest;
	if (hull_build_run(&o, &digest, &err))
		return cli_fail(&err);
	printf("%s\n", digest);
	free(digest);
	return EXIT_CLEAN;
}
