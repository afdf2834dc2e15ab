/* hull push: copy a local image (an OCI layout, an archive) to a registry. */
#include "../source/registry.h"
#include "cli.h"
#include "regopts.h"
#include "ux.h"

#include <string.h>

const char cmd_push_usage[] =
	"usage: hull push [OPTIONS] SOURCE docker://REF\n"
	"\n"
	"Uploads an image's blobs (skipping those the registry has, mounting those of\n"
	"another repository on the same registry, chunked above 64 MiB) and then its\n"
	"manifest, byte for byte, so the pushed digest is the source's. REF with a tag\n"
	"tags it. A multi-platform index is pushed whole (every platform's manifest by\n"
	"digest, then the index) unless --platform picks one image.\n"
	"\n"
	"SOURCE: oci:DIR[:REF], oci-archive:PATH[:REF], docker-archive:PATH (Docker >= 25 or\n"
	"        one written by hull pull), docker://REF.\n"
	"\n"
	"Options:\n"
	"      --platform OS/ARCH[/V]  platform to pick from an index (default: "
	"linux/amd64); without it an index is pushed whole\n"
	"      --mount-from REPO       mount missing blobs from REPO on the same registry\n"
	"                              (default: the source's repository when SOURCE is\n"
	"                              docker:// on the destination's registry)\n" CLI_REGISTRY_HELP
		CLI_QUIET_NOTES_HELP "  -h, --help                  show this help\n"
	"\n"
	"Exit status: 0 success, 2 usage or input error (one line on stderr).\n";

int cmd_push(int argc, char **argv)
{
	struct cli_copy a = {.push = true};
	int rc = cli_copy_args(argc, argv, "push", cmd_push_usage, &a);
	if (rc >= 0)
		return rc;
	if (strncmp(a.dst, "docker://", 9))
		return cli_error("push: the destination must be docker://REF, not %s", a.dst);
	struct hull_open_opts oo = {.platform = a.platform, .registry = &a.reg.o};
	struct hull_err err = {0};
	struct hull_image *img;
	if (hull_image_open(a.src, &oo, &img, &err))
		return cli_fail(&err);
	/* Without --platform, an index is pushed whole (every platform). */
	bool whole = !a.platform && img->index_raw;
	rc = whole ? hull_registry_push_all(img, a.dst, &a.reg.o, &err)
		   : hull_registry_push(img, a.dst, &a.reg.o, &err);
	if (!rc)
		printf("%s\n", whole ? img->index_digest : img->manifest_digest);
	hull_image_free(img);
	return rc ? cli_fail(&err) : EXIT_CLEAN;
}
