/* hull k8s: security checks over Kubernetes manifests (YAML streams, JSON, Lists, every
 * workload kind with a pod template, RBAC, Services). Findings use the one model of
 * report/findings.h; input problems are collected per file and the scan goes on. */
#ifndef HULL_K8S_H
#define HULL_K8S_H

#include "../report/findings.h"

#include <stdbool.h>
#include <stddef.h>

#define HULL_K8S_DEFAULT_MAX_FILE (32u << 20)

/* The images behind containers, for the checks that need the user an image runs as
 * (HULL-K8S-037, HULL-K8S-038). */
struct hull_k8s_images;
struct hull_registry_opts;
/* reg (copied; the strings it points to must outlive the set) is used to read docker://
 * sources; resolve: fetch the config of every other image from its registry (config blob
 * only), once per reference, a failure being a warning (the user is then unknown). */
struct hull_k8s_images *hull_k8s_images_new(const struct hull_registry_opts *reg, bool resolve);
/* The platform ("os/arch[/variant]", kept by reference) whose image is read from an index,
 * for the sources added after this call and every resolved image; default linux/amd64. */
void hull_k8s_images_set_platform(struct hull_k8s_images *im, const char *platform);
/* Uses the image at source (oci:DIR, oci-archive:, docker-archive:, docker://REF, …) for
 * containers whose image: is ref (as written, or the same reference once normalised).
 * Reads the config now; an error names source. */
int hull_k8s_images_add(struct hull_k8s_images *im, const char *ref, const char *source,
			struct hull_err *err) HULL_MUST_CHECK;
/* Records the config User of the image ref directly ("" for none, NULL for unknown), for
 * callers that have the config already. */
void hull_k8s_images_put(struct hull_k8s_images *im, const char *ref, const char *user);
void hull_k8s_images_free(struct hull_k8s_images *im);

struct hull_k8s_opts {
	size_t max_file_size;	 /* 0: HULL_K8S_DEFAULT_MAX_FILE */
	const char *const *skip; /* check ids or aliases not to run */
	size_t nskip;
	struct hull_k8s_images *images; /* NULL: image users are unknown */
};

/* One entry per check, in a static table (see checks.c). */
struct hull_k8s_check_info {
	const char *id;
	const char *const *aliases; /* NULL-terminated */
	enum hull_severity severity;
	const char *title;
	const char *remediation;
	const char *doc;
};

struct hull_k8s_scan {
	struct hull_findings findings;
	char **errors; /* "INPUT: problem", one per unreadable input or document stream */
	size_t nerrors, errors_cap;
	size_t files, documents, objects;
};

#define HULL_K8S_SCAN_INIT                              \
	{                                               \
		HULL_FINDINGS_INIT, NULL, 0, 0, 0, 0, 0 \
	}

/* Scans a file, a directory (walked for *.yaml, *.yml, *.json) or "-" (stdin). Returns 0,
 * or a negative code when an input error was recorded in s->errors (the scan of the other
 * inputs and documents still happened). */
int hull_k8s_scan_path(struct hull_k8s_scan *s, const char *path, const struct hull_k8s_opts *o);
/* Scans a manifest held in memory; name is used in findings and messages. */
int hull_k8s_scan_buffer(struct hull_k8s_scan *s, const char *name, const char *data, size_t len,
			 const struct hull_k8s_opts *o);
void hull_k8s_scan_free(struct hull_k8s_scan *s);

/* The check table, for documentation, --skip-check validation and tests. */
const struct hull_k8s_check_info *hull_k8s_check_info(size_t i);
size_t hull_k8s_ncheck(void);
/* True when id names a check by id or alias (case-insensitive). */
bool hull_k8s_check_known(const char *id);

#endif
