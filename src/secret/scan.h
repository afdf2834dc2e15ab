/* Secret scanning of an image: every file of every layer (files deleted by a later
 * layer too: they still ship), plus the image config and history. */
#ifndef HULL_SECRET_SCAN_H
#define HULL_SECRET_SCAN_H

#include "../layer/fs.h"
#include "secret.h"

#include <jansson.h>
#include <pthread.h>

struct hull_secret_finding {
	const struct hull_secret_rule *rule;
	char *path;    /* absolute image path, or a config path: "config.Env[1]" */
	unsigned line; /* 1-based; 0 for config fields */
	int layer;     /* layer holding the file; -1 for the config */
	bool hidden;   /* removed or replaced by a later layer (still shipped) */
	char *masked;
	char *excerpt;
};

struct hull_secret_results {
	struct hull_secret_engine *engine;
	struct hull_secret_finding *f; /* sorted by layer, path, line after finish */
	size_t n, cap;
	pthread_mutex_t mu;
	uint64_t bytes_scanned;
	uint64_t max_file;
};

int hull_secret_results_init(struct hull_secret_results *r, struct hull_err *err) HULL_MUST_CHECK;
/* With --secret-config rules (cfg may be NULL; it must outlive the results). */
int hull_secret_results_init_config(struct hull_secret_results *r,
				    const struct hull_secret_config *cfg,
				    struct hull_err *err) HULL_MUST_CHECK;
void hull_secret_results_release(struct hull_secret_results *r);

/* The layer-stream hook that feeds the results (pass it in hull_inspect_opts.scan). */
struct hull_scan_hook hull_secret_hook(struct hull_secret_results *r);

/* Scans the image config's Env, Labels, Entrypoint, Cmd and every history created_by. */
void hull_secret_scan_config(struct hull_secret_results *r, json_t *config);

/* Marks findings in files no longer visible in the merged view, and sorts. */
void hull_secret_finish(struct hull_secret_results *r, const struct hull_fs *fs);

#endif
