/* The command table: adding a command is one entry here and one cmd_*.c file. */
#include "cli.h"

const struct hull_command hull_commands[] = {
	{"image", cmd_image, "scan an image for secrets and hardening problems (SBOM too)",
	 cmd_image_usage},
	{"db", cmd_db, "build and describe the offline vulnerability database (OSV)", cmd_db_usage},
	{"completion", cmd_completion, "print a shell completion script (bash, zsh, fish)",
	 cmd_completion_usage},
	{"fs", cmd_fs, "scan a directory tree (rootfs or project) like an image", cmd_fs_usage},
	{"inspect", cmd_inspect, "show an image's layers, config, history, wasted space and files",
	 cmd_inspect_usage},
	{"k8s", cmd_k8s, "check Kubernetes manifests for insecure settings", cmd_k8s_usage},
	{"lint", cmd_lint, "lint Dockerfiles: hadolint's rules, ShellCheck, hull's rules, --fix",
	 cmd_lint_usage},
	{"pull", cmd_pull, "copy an image from a registry to an OCI layout or docker-archive",
	 cmd_pull_usage},
	{"push", cmd_push, "copy a local image to a registry", cmd_push_usage},
	{"build", cmd_build, "build a reproducible non-root image from hull-image.yaml",
	 cmd_build_usage},
	{"sbom", cmd_sbom, "list the packages in an image or directory (CycloneDX, SPDX)",
	 cmd_sbom_usage},
	{"slim", cmd_slim, "minify an image to what its entrypoint needs (one non-root layer)",
	 cmd_slim_usage},
	{"vercmp", cmd_vercmp, "compare two versions the way an ecosystem does (<, = or >)",
	 cmd_vercmp_usage},
};

const size_t hull_ncommands = ARRAY_SIZE(hull_commands);
