/* Decompressing, hashing byte stream over a hull_reader: gzip (isa-l, multi-member),
 * zstd (multi-frame) or plain, detected by magic bytes, with a size cap. */
#ifndef HULL_LAYER_STREAM_H
#define HULL_LAYER_STREAM_H

#include "layer.h"

#include <isa-l/igzip_lib.h>
#include <zstd.h>

#define STREAM_BUF (1u << 20)

struct layer_stream {
	struct hull_reader *src;
	enum hull_compression comp;
	unsigned char *in; /* compressed input */
	size_t in_len, in_pos;
	bool src_eof;
	unsigned char *out; /* decompressed output handed to the consumer */
	struct inflate_state *gz;
	bool gz_done; /* current gzip member finished */
	ZSTD_DCtx *zd;
	size_t zret; /* last ZSTD_decompressStream hint: 0 when a frame is complete */
	struct hull_sha256 hc, hu;
	uint64_t csize, usize, max_usize;
	const char *name;
	struct hull_err *err;
	bool eof;
};

int stream_init(struct layer_stream *s, struct hull_reader *src, uint64_t max_usize,
		const char *name, struct hull_err *err) HULL_MUST_CHECK;
/* Produces the next decompressed chunk: *buf points into s->out. Returns its length,
 * 0 at the clean end of the stream, or a negative code (s->err set). */
ssize_t stream_next(struct layer_stream *s, const void **buf);
/* Consumes the rest of the stream (so the digests cover every byte). */
int stream_drain(struct layer_stream *s) HULL_MUST_CHECK;
void stream_finish(struct layer_stream *s, char digest[HULL_DIGEST_LEN + 1],
		   char diff_id[HULL_DIGEST_LEN + 1]);
void stream_free(struct layer_stream *s);

#endif
