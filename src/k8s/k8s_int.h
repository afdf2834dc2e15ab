/* Internals shared by the k8s scanner's files: the per-object context handed to checks,
 * the check table entry, and helpers to emit findings. */
#ifndef HULL_K8S_INT_H
#define HULL_K8S_INT_H

#include "k8s.h"
#include "../util/yaml.h"

enum kscope { KSCOPE_OBJECT, KSCOPE_POD, KSCOPE_CONTAINER };
enum kbase { KBASE_OBJECT, KBASE_TEMPLATE, KBASE_POD, KBASE_CONTAINER };

struct kctx {
	struct hull_k8s_scan *scan;
	const struct hull_k8s_opts *opts;
	const char *file;
	size_t doc;
	const struct knode *obj;
	const char *kind, *ns, *name;
	const char *obj_path; /* "" or "items[3]" inside a List */
	/* Workloads only (NULL otherwise). */
	const struct knode *pod;      /* the pod spec */
	const struct knode *pod_meta; /* the pod template's (or Pod's) metadata */
	const char *tmpl_path;	      /* the pod template ("" for a Pod itself) */
	const char *pod_path;
	bool workload;	/* the object has a pod template (its pod fields were set) */
	bool completes; /* Job, CronJob, or restartPolicy Never/OnFailure: no probes */
	/* The container being checked (KSCOPE_CONTAINER). */
	const struct knode *ctr;
	const char *ctr_name;
	const char *ctr_list; /* containers | initContainers | ephemeralContainers */
	const char *ctr_path;
};

struct kcheck {
	struct hull_k8s_check_info info;
	enum kscope scope;
	void (*run)(struct kctx *c, const struct kcheck *k);
};

/* Appends a finding for check k at line, YAML path base + "." + suffix. */
void k8s_emit(struct kctx *c, const struct kcheck *k, size_t line, enum kbase base,
	      const char *suffix, const char *fmt, ...) HULL_PRINTF(6, 7);

/* The effective value of a securityContext field: the container's, else the pod's. */
struct kfield {
	const struct knode *val; /* NULL when set nowhere */
	size_t line;		 /* the field's line, or where it belongs when unset */
	enum kbase base;
};
struct kfield k8s_sc_field(const struct kctx *c, const char *field);
/* A container-only securityContext field (no pod-level fallback). */
struct kfield k8s_ctr_field(const struct kctx *c, const char *field);
/* An annotation of the pod template (or Pod); NULL when absent. */
const struct kentry *k8s_pod_annotation(const struct kctx *c, const char *key);

/* Check tables, one per file: container securityContext (checks_sc.c), other
 * container checks (checks_ctr.c), pod spec (checks_pod.c), whole objects
 * (checks_obj.c), PodSecurityPolicy specs (checks_psp.c). */
extern const struct kcheck k8s_checks_sc[], k8s_checks_ctr[], k8s_checks_pod[], k8s_checks_obj[],
	k8s_checks_psp[];
extern const size_t k8s_nchecks_sc, k8s_nchecks_ctr, k8s_nchecks_pod, k8s_nchecks_obj,
	k8s_nchecks_psp;

/* Checks obj (or, for a List, each item) of document base->doc. */
void k8s_check_node(struct kctx *base, const struct knode *obj, const char *path, int depth);

/* The config User of image ("" when the image sets none), or NULL when unknown (no
 * --image-config for it, not resolved, or reading it failed). */
const char *k8s_image_user(struct hull_k8s_images *im, const char *image);

/* Secrets in env values (secrets.c, the secret scanner's rules): returns the title of
 * the rule that matched or "a password-like value" (never the value), or NULL. */
const char *k8s_secret_match(const char *name, const char *value);

/* For the check tables (checks_*.c): the stable id, its doc anchor, an alias list. */
#define ID(n)	   "HULL-K8S-" #n
#define DOC(n)	   "docs/k8s.md#hull-k8s-" #n
#define ALIAS(...) ((const char *const[]){__VA_ARGS__, NULL})

#endif
