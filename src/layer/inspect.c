/* The inspect pipeline: source -> layers (parallel, verified) -> merged view. */
#include "inspect.h"

#include <time.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int hull_inspect_run(const char *source, const struct hull_inspect_opts *opts,
		     struct hull_inspect **out, struct hull_err *err)
{
	struct hull_inspect *in = xcalloc(1, sizeof(*in));
	/* Layers are only read through hull_image_read_layers here: they may stream. */
	struct hull_open_opts oo = {
		.platform = opts->platform, .registry = opts->registry, .stream = true};
	double t0 = now_ms();
	int rc = hull_image_open(source, &oo, &in->img, err);
	double t1 = now_ms();
	struct hull_read_opts ro = {
		.parallel = opts->parallel,
		.max_layer_size = opts->max_layer_size,
		.max_entries = opts->max_entries,
		.capture = opts->capture,
		.scan = opts->scan,
		.progress = opts->progress,
	};
	if (!rc)
		rc = hull_image_read_layers(in->img, &ro, &in->layers, &in->nlayers, err);
	double t2 = now_ms();
	if (!rc)
		rc = hull_fs_merge(in->layers, in->nlayers, &in->fs, err);
	if (rc) {
		hull_inspect_free(in);
		return rc;
	}
	in->times = (struct hull_inspect_times){t1 - t0, t2 - t1, now_ms() - t2};
	*out = in;
	return 0;
}

void hull_inspect_free(struct hull_inspect *in)
{
	if (!in)
		return;
	hull_fs_free(in->fs);
	hull_layers_free(in->layers, in->nlayers);
	hull_image_free(in->img);
	free(in);
}
