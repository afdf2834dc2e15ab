/* hull pull: copy an image (typically docker://REF) into an OCI layout or a
 * docker-archive, every blob verified on the way. */
#include "../source/write.h"
#include "cli.h"
#include "regopts.h"
#include "ux.h"

#include <string.h>

const char cmd_pull_usage[] =
	"usage: hull pull [OPTIONS] SOURCE DESTINATION\n"
	"\n"
	"Copies an image to a local destination without a daemon: the manifest bytes are\n"
	"kept exactly (same digest), blobs are verified and cached in\n"
	"$XDG_CACHE_HOME/hull/blobs (a broken download resumes with an HTTP Range\n"
	"request, also from the .partial file an interrupted run left).\n"
	"\n"
	"SOURCE:      docker://REF (alpine, host:5000/repo:tag, repo@sha256:...), or any\n"
	"             local source hull inspect reads.\n"
	"DESTINATION: oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:TAG]\n"
	"\n"
	"Options:\n"
	"      --platform OS/ARCH[/V]  platform to pick from an index (default: "
	"linux/amd64)\n" CLI_REGISTRY_HELP CLI_QUIET_HELP
	"  -h, --help                  show this help\n"
	"\n"
	"On a terminal, a progress line on stderr shows the layers and bytes downloaded, the\n"
	"rate and the time left.\n"
	"\n"
	"Exit status: 0 success, 2 usage or input error (one line on stderr).\n";

int cmd_pull(int argc, char **argv)
{
	struct cli_copy a = {.push = false};
	int rc = cli_copy_args(argc, argv, "pull", cmd_pull_usage, &a);
	if (rc >= 0)
		return rc;
	struct hull_open_opts oo = {.platform = a.platform, .registry = &a.reg.o};
	struct hull_err err = {0};
	struct hull_image *img;
	struct hull_progress *prog = cli_progress_start();
	struct hull_progress_hook ph = hull_progress_hook(prog);
	a.reg.o.progress = &ph;
	rc = hull_image_open(a.src, &oo, &img, &err);
	cli_progress_stop(prog);
	if (rc)
		return cli_fail(&err);
	rc = hull_image_write(img, a.dst, &err);
	if (!rc)
		printf("%s\n", img->manifest_digest);
	hull_image_free(img);
	return rc ? cli_fail(&err) : EXIT_CLEAN;
}
