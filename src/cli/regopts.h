/* Registry options shared by every command that reads or writes docker:// images
 * (--creds, --authfile, --tls-verify, --insecure-registry), parsed in one place. */
#ifndef HULL_CLI_REGOPTS_H
#define HULL_CLI_REGOPTS_H

#include "../layer/inspect.h"
#include "../source/source.h"

#include <getopt.h>

enum {
	CLI_OPT_CREDS = 0x1000,
	CLI_OPT_AUTHFILE,
	CLI_OPT_TLS_VERIFY,
	CLI_OPT_INSECURE,
	CLI_OPT_CERT_DIR,
};

/* Entries for a getopt_long table. */
#define CLI_REGISTRY_LONGOPTS                                                  \
	{"creds", required_argument, NULL, CLI_OPT_CREDS},                     \
		{"authfile", required_argument, NULL, CLI_OPT_AUTHFILE},       \
		{"tls-verify", optional_argument, NULL, CLI_OPT_TLS_VERIFY},   \
		{"cert-dir", required_argument, NULL, CLI_OPT_CERT_DIR},       \
	{                                                                      \
		"insecure-registry", required_argument, NULL, CLI_OPT_INSECURE \
	}

#define CLI_REGISTRY_HELP                                                                \
	"      --creds USER:PASSWORD   registry credentials (else --authfile,\n"         \
	"                              $REGISTRY_AUTH_FILE, ~/.docker/config.json)\n"    \
	"      --authfile FILE         auth file with an \"auths\" object\n"             \
	"      --tls-verify=false      do not verify the registry's TLS certificate\n"   \
	"      --cert-dir DIR          extra CA certificates (DIR/*.crt) and a client\n" \
	"                              certificate (DIR/NAME.cert + DIR/NAME.key)\n"     \
	"      --insecure-registry HOST  allow plain HTTP (and no TLS checks) for HOST\n"

#define CLI_MAX_INSECURE 16

struct cli_registry {
	struct hull_registry_opts o;
	const char *insecure[CLI_MAX_INSECURE];
};

/* Takes option c if it is a registry option: 1 if taken, 0 if not one, -1 after
 * printing an error. */
int cli_registry_opt(struct cli_registry *r, int c, const char *arg);

/* Options and operands of hull pull / push: [--platform P] [registry options]
 * SOURCE DEST. Returns -1 to go on, else the exit status (help printed, or an error). */
struct cli_copy {
	struct cli_registry reg;
	const char *platform;
	const char *src, *dst;
	bool push; /* accepts --mount-from */
};
int cli_copy_args(int argc, char **argv, const char *cmd, const char *usage, struct cli_copy *out);

/* Options of every command that reads an image (inspect, image, sbom): --platform,
 * --parallel, --max-layer-size, --max-entries and the registry options. */
enum {
	CLI_OPT_PLATFORM = 0x1100,
	CLI_OPT_PARALLEL,
	CLI_OPT_MAX_SIZE,
	CLI_OPT_MAX_ENTRIES,
	CLI_OPT_CACHE,
};

#define CLI_IMAGE_LONGOPTS                                                     \
	{"platform", required_argument, NULL, CLI_OPT_PLATFORM},               \
		{"parallel", required_argument, NULL, CLI_OPT_PARALLEL},       \
		{"max-layer-size", required_argument, NULL, CLI_OPT_MAX_SIZE}, \
		{"max-entries", required_argument, NULL, CLI_OPT_MAX_ENTRIES}, \
		{"cache", no_argument, NULL, CLI_OPT_CACHE}, CLI_REGISTRY_LONGOPTS

#define CLI_IMAGE_HELP                                                                          \
	"      --platform OS/ARCH[/V]  platform to pick from an index (default: linux/amd64)\n" \
	"      --parallel N            layers decoded at once (default: one per core)\n"        \
	"      --max-layer-size SIZE   cap on a layer's decompressed size (default: 32GiB)\n"   \
	"      --max-entries N         cap on tar entries in the image (default: "              \
	"10000000)\n"                                                                           \
	"      --cache                 docker://: download layers into the blob cache\n"        \
	"                              ($XDG_CACHE_HOME/hull/blobs) and read them from\n"       \
	"                              there, instead of streaming them (the "                  \
	"default)\n" CLI_REGISTRY_HELP

struct cli_image {
	struct hull_inspect_opts io; /* io.registry points at reg.o */
	struct cli_registry reg;
};

/* Parses a whole non-negative number no larger than max; prints an error naming opt
 * and returns -1 otherwise. */
int cli_parse_count(const char *s, const char *opt, unsigned long long max,
		    unsigned long long *out);

/* Takes option c if it is an image option: 1 if taken, 0 if not one, -1 after printing
 * an error. Call it for every option before the command's own switch. */
int cli_image_opt(struct cli_image *im, int c, const char *arg);
#endif
