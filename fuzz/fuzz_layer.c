/* Fuzzes one layer stream: compression sniffing, gzip (isa-l), zstd, the tar parser,
 * whiteouts, and the merge of the result into a view. */
#include "fuzz_util.h"
#include "layer/fs.h"

#include <string.h>

struct mem {
	struct hull_reader r;
	const uint8_t *data;
	size_t len, pos;
};

static ssize_t mem_read(struct hull_reader *r, void *buf, size_t len, struct hull_err *err)
{
	(void)err;
	struct mem *m = r->ctx;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;
	memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	struct mem m = {.r = {mem_read, NULL}, .data = data, .len = size};
	m.r.ctx = &m;
	struct hull_layer l = {0};
	struct hull_layer_opts o = {.max_size = 64u << 20, .max_entries = 100000, .name = "fuzz"};
	struct hull_err err = {0};
	if (hull_layer_read(&m.r, &o, &l, &err) == 0) {
		struct hull_fs *fs;
		if (hull_fs_merge(&l, 1, &fs, &err) == 0) {
			const struct hull_file *f;
			for (size_t i = 0; i < fs->nfiles && i < 16; i++)
				if (hull_fs_resolve(fs, fs->files[i].path, true, &f, &err))
					hull_err_clear(&err);
			hull_fs_free(fs);
		}
	}
	hull_err_clear(&err);
	hull_layer_release(&l);
	return 0;
}
