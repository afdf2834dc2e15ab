/* Reads all layers of an image in parallel (one worker per core) and verifies each
 * against the manifest's digest and the config's DiffID. */
#include "../util/pool.h"
#include "layer.h"

#include <stdatomic.h>
#include <string.h>

struct job {
	struct hull_image *img;
	const struct hull_read_opts *opts;
	struct hull_layer *layers;
	struct hull_err *errs;
	atomic_uint_fast64_t nentries;
	atomic_bool failed;
	bool pipeline;
};

static int verify(struct hull_image *img, size_t i, struct hull_layer *l, const char *name,
		  struct hull_err *err)
{
	struct hull_layer_desc *d = &img->layers[i];
	if (d->digest_known && strcmp(d->digest, l->digest))
		return hull_err_set(err, HULL_EINPUT,
				    "%s: digest mismatch: expected %s, content is %s", name,
				    d->digest, l->digest);
	if (d->diff_id && strcmp(d->diff_id, l->diff_id))
		return hull_err_set(err, HULL_EINPUT,
				    "%s: DiffID mismatch: the config says %s, the layer is %s",
				    name, d->diff_id, l->diff_id);
	return 0;
}

static void read_one(void *ctx, size_t i)
{
	struct job *job = ctx;
	if (atomic_load(&job->failed))
		return;
	struct hull_image *img = job->img;
	struct hull_layer_desc *d = &img->layers[i];
	char *name = xasprintf("%s: layer %zu (%s)", img->source, i,
			       d->digest_known ? d->digest : d->name);
	struct hull_layer_opts lo = {
		.max_size = job->opts->max_layer_size,
		.max_entries = job->opts->max_entries,
		.nentries = &job->nentries,
		.name = name,
		.capture = job->opts->capture,
		.scan = job->opts->scan,
		.layer = (int)i,
		.pipeline = job->pipeline,
		.progress = job->opts->progress,
	};
	struct hull_reader *rd = NULL;
	int rc = hull_layer_reader_open(img, i, name, &rd, &job->errs[i]);
	if (!rc)
		rc = hull_layer_read(rd, &lo, &job->layers[i], &job->errs[i]);
	if (rc == HULL_EINPUT) /* malformed: maybe corrupt bytes (not a limit) */
		hull_layer_reader_explain(rd, &job->errs[i]);
	hull_layer_reader_close(rd);
	if (!rc)
		rc = verify(img, i, &job->layers[i], name, &job->errs[i]);
	hull_progress_report(job->opts->progress, 1, 0);
	if (rc) {
		if (!job->errs[i].msg)
			hull_err_set(&job->errs[i], rc, "%s: read failed", name);
		atomic_store(&job->failed, true);
	}
	free(name);
}

int hull_image_read_layers(struct hull_image *img, const struct hull_read_opts *opts,
			   struct hull_layer **out, size_t *nout, struct hull_err *err)
{
	if (img->transport == HULL_SRC_ROOTFS) {
		struct hull_layer *l = xcalloc(1, sizeof(*l));
		struct hull_layer_opts lo = {
			.max_entries = opts->max_entries,
			.name = img->source,
			.capture = opts->capture,
			.scan = opts->scan,
			.progress = opts->progress,
		};
		hull_progress_begin_phase(opts->progress, "reading files", 0, 0);
		int rc = hull_layer_read_dir(img->path, &lo, l, err);
		if (rc) {
			hull_layers_free(l, 1);
			return rc;
		}
		*out = l;
		*nout = 1;
		return 0;
	}
	size_t n = img->nlayers;
	struct job job = {
		.img = img,
		.opts = opts,
		.layers = xcalloc(n ? n : 1, sizeof(struct hull_layer)),
		.errs = xcalloc(n ? n : 1, sizeof(struct hull_err)),
	};
	atomic_init(&job.nentries, 0);
	uint64_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += img->layers[i].size;
	hull_progress_begin_phase(opts->progress, "reading layers", n, bytes);
	atomic_init(&job.failed, false);
	unsigned workers = opts->parallel ? opts->parallel : hull_ncpu();
	/* Streamed layers wait on the network too: keep a few downloads going. */
	if (!opts->parallel && img->registry && workers < 4)
		workers = 4;
	/* With fewer layers than cores can keep busy, hash each layer on a second thread
	 * (decoding and SHA-256 then overlap); with many layers, workers already do. */
	job.pipeline = workers >= 2 && n < 2 * (size_t)workers;
	hull_parallel_for(n, workers, read_one, &job);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (job.errs[i].msg && !rc)
			rc = hull_err_set(err, job.errs[i].code, "%s", job.errs[i].msg);
		hull_err_clear(&job.errs[i]);
	}
	free(job.errs);
	if (rc) {
		hull_layers_free(job.layers, n);
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		struct hull_layer_desc *d = &img->layers[i];
		if (!d->digest) {
			d->digest = xstrdup(job.layers[i].digest);
		}
	}
	*out = job.layers;
	*nout = n;
	return 0;
}

void hull_layers_free(struct hull_layer *layers, size_t n)
{
	if (!layers)
		return;
	for (size_t i = 0; i < n; i++)
		hull_layer_release(&layers[i]);
	free(layers);
}
