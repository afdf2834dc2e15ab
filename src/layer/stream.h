/* Decompressing, hashing byte stream over a hull_reader: gzip (isa-l, multi-member),
 * zstd (multi-frame) or plain, detected by magic bytes, with a size cap. */
#ifndef HULL_LAYER_STREAM_H
#define HULL_LAYER_STREAM_H

#include "layer.h"

#include <isa-l/igzip_lib.h>
#include <pthread.h>
#include <zstd.h>

#define STREAM_BUF   (1u << 20)
#define STREAM_SLOTS 4 /* buffers per ring: the consumer may hold the last one */
#define HASH_QUEUE   16

/* SHA-256 of both streams, either inline or on a helper thread (pipelined: the decoder
 * goes on while the previous chunks are hashed). Jobs run in order. */
struct hasher {
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hash_job {
		struct hull_sha256 *h;
		const void *p;
		size_t n;
	} q[HASH_QUEUE];
	uint64_t posted, done; /* job sequence numbers */
	bool stop;
};

struct layer_stream {
	struct hull_reader *src;
	enum hull_compression comp;
	unsigned char *in; /* compressed input: the current slot of in_ring */
	size_t in_len, in_pos;
	bool src_eof;
	unsigned char *out; /* decompressed output handed to the consumer */
	unsigned char *in_ring[STREAM_SLOTS], *out_ring[STREAM_SLOTS];
	uint64_t in_seq[STREAM_SLOTS], out_seq[STREAM_SLOTS]; /* last hash job on each slot */
	unsigned in_slot, out_slot;
	struct hasher hasher;
	struct inflate_state *gz;
	bool gz_done; /* current gzip member finished */
	ZSTD_DCtx *zd;
	size_t zret; /* last ZSTD_decompressStream hint: 0 when a frame is complete */
	struct hull_sha256 hc, hu;
	uint64_t csize, usize, max_usize;
	const char *name;
	struct hull_err *err;
	bool eof;
	const struct hull_progress_hook *progress; /* compressed bytes read (may be NULL) */
};

/* pipeline: hash on a helper thread (worth it when cores would otherwise idle). */
int stream_init(struct layer_stream *s, struct hull_reader *src, uint64_t max_usize, bool pipeline,
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
