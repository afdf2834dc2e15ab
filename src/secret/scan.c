/* Feeding the secret engine from the layer stream (worker threads) and the config. */
#include "scan.h"
#include "../util/strbuf.h"

#include <string.h>

#define DEFAULT_MAX_FILE (10u << 20)

int hull_secret_results_init(struct hull_secret_results *r, struct hull_err *err)
{
	return hull_secret_results_init_config(r, NULL, err);
}

int hull_secret_results_init_config(struct hull_secret_results *r,
				    const struct hull_secret_config *cfg, struct hull_err *err)
{
	memset(r, 0, sizeof(*r));
	int rc = hull_secret_engine_new_config(&r->engine, cfg, err);
	if (rc)
		return rc;
	pthread_mutex_init(&r->mu, NULL);
	r->max_file = DEFAULT_MAX_FILE;
	return 0;
}

void hull_secret_results_release(struct hull_secret_results *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->f[i].path);
		free(r->f[i].masked);
		free(r->f[i].excerpt);
	}
	free(r->f);
	if (r->engine) {
		hull_secret_engine_free(r->engine);
		pthread_mutex_destroy(&r->mu);
	}
	memset(r, 0, sizeof(*r));
}

/* One layer's state: its own scratch and findings, merged into the results at the end
 * so worker threads never contend per hit. */
struct layer_state {
	struct hull_secret_results *r;
	struct hull_secret_scratch *scratch;
	int layer;
	struct hull_secret_finding *f;
	size_t n, cap;
	const char *path; /* of the file being scanned */
	uint64_t bytes;
};

static bool want(const char *path, uint64_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	return hull_secret_path_wanted(path);
}

static void *begin(void *ctx, int layer)
{
	struct hull_secret_results *r = ctx;
	struct layer_state *ls = xcalloc(1, sizeof(*ls));
	ls->r = r;
	ls->layer = layer;
	pthread_mutex_lock(&r->mu); /* cloning reads the prototype scratch */
	ls->scratch = hull_secret_scratch_new(r->engine);
	pthread_mutex_unlock(&r->mu);
	return ls;
}

static void add(struct hull_secret_finding **f, size_t *n, size_t *cap,
		const struct hull_secret_hit *hit, const char *path, int layer)
{
	ALLOC_GROW(*f, *n + 1, *cap);
	(*f)[(*n)++] = (struct hull_secret_finding){
		.rule = hit->rule,
		.path = xstrdup(path),
		.line = hit->line,
		.layer = layer,
		.masked = xstrdup(hit->masked),
		.excerpt = xstrdup(hit->excerpt),
	};
}

static void on_hit(void *ctx, const struct hull_secret_hit *hit)
{
	struct layer_state *ls = ctx;
	add(&ls->f, &ls->n, &ls->cap, hit, ls->path, ls->layer);
}

static void scan(void *state, const struct hull_entry *e, const char *data, size_t len)
{
	struct layer_state *ls = state;
	if (!ls->scratch)
		return;
	ls->path = e->path;
	ls->bytes += len;
	hull_secret_scan(ls->r->engine, ls->scratch, e->path, data, len, on_hit, ls);
}

static void end(void *ctx, void *state)
{
	struct hull_secret_results *r = ctx;
	struct layer_state *ls = state;
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < ls->n; i++) {
		ALLOC_GROW(r->f, r->n + 1, r->cap);
		r->f[r->n++] = ls->f[i];
	}
	r->bytes_scanned += ls->bytes;
	pthread_mutex_unlock(&r->mu);
	hull_secret_scratch_free(ls->scratch);
	free(ls->f);
	free(ls);
}

struct hull_scan_hook hull_secret_hook(struct hull_secret_results *r)
{
	return (struct hull_scan_hook){want, begin, scan, end, r, r->max_file};
}

struct config_ctx {
	struct hull_secret_results *r;
	const char *path;
};

static void on_config_hit(void *ctx, const struct hull_secret_hit *hit)
{
	struct config_ctx *c = ctx;
	add(&c->r->f, &c->r->n, &c->r->cap, hit, c->path, -1);
	c->r->f[c->r->n - 1].line = 0;
}

static void scan_text(struct hull_secret_results *r, struct hull_secret_scratch *s,
		      const char *path, const char *text)
{
	struct config_ctx c = {r, path};
	hull_secret_scan(r->engine, s, path, text, strlen(text), on_config_hit, &c);
}

static void scan_string_array(struct hull_secret_results *r, struct hull_secret_scratch *s,
			      json_t *arr, const char *what)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v))
			continue;
		_cleanup_free_ char *path = xasprintf("%s[%zu]", what, i);
		scan_text(r, s, path, json_string_value(v));
	}
}

void hull_secret_scan_config(struct hull_secret_results *r, json_t *config)
{
	if (!json_is_object(config))
		return;
	struct hull_secret_scratch *s = hull_secret_scratch_new(r->engine);
	if (!s)
		return;
	json_t *c = json_object_get(config, "config");
	scan_string_array(r, s, json_object_get(c, "Env"), "config.Env");
	scan_string_array(r, s, json_object_get(c, "Entrypoint"), "config.Entrypoint");
	scan_string_array(r, s, json_object_get(c, "Cmd"), "config.Cmd");
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(c, "Labels"), k, v)
	{
		if (!json_is_string(v))
			continue;
		_cleanup_free_ char *path = xasprintf("config.Labels.%s", k);
		_cleanup_free_ char *text = xasprintf("%s=%s", k, json_string_value(v));
		scan_text(r, s, path, text);
	}
	size_t i;
	json_array_foreach(json_object_get(config, "history"), i, v)
	{
		const char *cb = json_string_value(json_object_get(v, "created_by"));
		if (!cb)
			continue;
		_cleanup_free_ char *path = xasprintf("history[%zu].created_by", i);
		scan_text(r, s, path, cb);
	}
	hull_secret_scratch_free(s);
}

static int cmp_finding(const void *a, const void *b)
{
	const struct hull_secret_finding *x = a, *y = b;
	if (x->layer != y->layer)
		return x->layer < y->layer ? -1 : 1;
	int c = strcmp(x->path, y->path);
	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->rule->id, y->rule->id);
}

void hull_secret_finish(struct hull_secret_results *r, const struct hull_fs *fs)
{
	for (size_t i = 0; fs && i < r->n; i++) {
		struct hull_secret_finding *f = &r->f[i];
		if (f->layer < 0)
			continue;
		const struct hull_file *file;
		struct hull_err err = {0};
		f->hidden = hull_fs_resolve(fs, f->path, false, &file, &err) != 0 ||
			    file->layer != f->layer || strcmp(file->path, f->path);
		hull_err_clear(&err);
	}
	if (r->n > 1)
		qsort(r->f, r->n, sizeof(*r->f), cmp_finding);
}
