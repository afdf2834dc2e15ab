/* The layer byte stream: compressed bytes in, hashed on the way; tar bytes out, hashed
 * and counted against the decompression cap. */
#include "stream.h"

#include <string.h>

static void *hasher_main(void *arg)
{
	struct hasher *h = arg;
	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (h->done == h->posted && !h->stop)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->done == h->posted)
			break;
		struct hash_job j = h->q[h->done % HASH_QUEUE];
		pthread_mutex_unlock(&h->mu);
		hull_sha256_update(j.h, j.p, j.n);
		pthread_mutex_lock(&h->mu);
		h->done++;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static void hasher_start(struct hasher *h, bool threaded)
{
	memset(h, 0, sizeof(*h));
	if (!threaded)
		return;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->threaded = pthread_create(&h->thread, NULL, hasher_main, h) == 0;
	if (!h->threaded) {
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
	}
}

/* Hashes p[0..n) into hh, now or on the helper thread; returns the job's number. The
 * bytes must stay untouched until hasher_wait() for that number returns. */
static uint64_t hasher_update(struct hasher *h, struct hull_sha256 *hh, const void *p, size_t n)
{
	if (!h->threaded) {
		hull_sha256_update(hh, p, n);
		return 0;
	}
	pthread_mutex_lock(&h->mu);
	while (h->posted - h->done >= HASH_QUEUE)
		pthread_cond_wait(&h->cv, &h->mu);
	h->q[h->posted % HASH_QUEUE] = (struct hash_job){hh, p, n};
	uint64_t seq = ++h->posted;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	return seq;
}

static void hasher_wait(struct hasher *h, uint64_t seq)
{
	if (!h->threaded)
		return;
	pthread_mutex_lock(&h->mu);
	while (h->done < seq)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

/* Finishes every job and stops the thread. */
static void hasher_stop(struct hasher *h)
{
	if (!h->threaded)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->cv);
	h->threaded = false;
}

/* Moves input to the next ring slot, once its previous contents are hashed. */
static void next_in_slot(struct layer_stream *s)
{
	s->in_slot = (s->in_slot + 1) % STREAM_SLOTS;
	hasher_wait(&s->hasher, s->in_seq[s->in_slot]);
	s->in = s->in_ring[s->in_slot];
}

/* Reads compressed bytes to s->in + off and hashes them. */
static ssize_t read_in(struct layer_stream *s, size_t off)
{
	ssize_t n = s->src->read(s->src, s->in + off, STREAM_BUF - off, s->err);
	if (n < 0)
		return n;
	if (n == 0)
		s->src_eof = true;
	s->in_seq[s->in_slot] = hasher_update(&s->hasher, &s->hc, s->in + off, (size_t)n);
	s->csize += (uint64_t)n;
	hull_progress_report(s->progress, 0, (uint64_t)n);
	return n;
}

static int fill(struct layer_stream *s)
{
	if (s->in_pos < s->in_len || s->src_eof)
		return 0;
	next_in_slot(s);
	ssize_t n = read_in(s, 0);
	if (n < 0)
		return (int)n;
	s->in_len = (size_t)n;
	s->in_pos = 0;
	return 0;
}

int stream_init(struct layer_stream *s, struct hull_reader *src, uint64_t max_usize, bool pipeline,
		const char *name, struct hull_err *err)
{
	memset(s, 0, sizeof(*s));
	s->src = src;
	s->name = name;
	s->err = err;
	s->max_usize = max_usize;
	for (int i = 0; i < STREAM_SLOTS; i++) {
		s->in_ring[i] = xmalloc(STREAM_BUF);
		s->out_ring[i] = xmalloc(STREAM_BUF);
	}
	s->in = s->in_ring[0];
	s->out = s->out_ring[0];
	hull_sha256_init(&s->hc);
	hull_sha256_init(&s->hu);
	hasher_start(&s->hasher, pipeline);
	/* Sniff the compression from the first bytes (media types lie; magic does not). */
	while (s->in_len < 4 && !s->src_eof) {
		ssize_t n = read_in(s, s->in_len);
		if (n < 0)
			return (int)n;
		s->in_len += (size_t)n;
	}
	const unsigned char *m = s->in;
	if (s->in_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
		s->comp = HULL_COMP_GZIP;
		s->gz = xmalloc(sizeof(*s->gz));
		isal_inflate_init(s->gz);
		s->gz->crc_flag = ISAL_GZIP;
	} else if (s->in_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
		s->comp = HULL_COMP_ZSTD;
		s->zd = ZSTD_createDCtx();
		if (!s->zd)
			return hull_err_set(err, HULL_EIO, "%s: cannot create zstd context", name);
		/* Frames may not ask for windows bigger than 128 MiB (zstd's default cap). */
		ZSTD_DCtx_setParameter(s->zd, ZSTD_d_windowLogMax, 27);
	} else {
		s->comp = HULL_COMP_NONE;
	}
	return 0;
}

static ssize_t account(struct layer_stream *s, size_t n)
{
	s->usize += n;
	if (s->usize > s->max_usize)
		return hull_err_set(s->err, HULL_ELIMIT,
				    "%s: decompresses to more than %llu bytes (the size limit; "
				    "see --max-layer-size)",
				    s->name, (unsigned long long)s->max_usize);
	s->out_seq[s->out_slot] = hasher_update(&s->hasher, &s->hu, s->out, n);
	return (ssize_t)n;
}

/* Each decompressed chunk goes to the next output slot: the consumer may still hold
 * the previous one, and the hasher may still be reading older ones. */
static void next_out_slot(struct layer_stream *s)
{
	s->out_slot = (s->out_slot + 1) % STREAM_SLOTS;
	hasher_wait(&s->hasher, s->out_seq[s->out_slot]);
	s->out = s->out_ring[s->out_slot];
}

static ssize_t next_plain(struct layer_stream *s, const void **buf)
{
	/* Plain layers: hand out the input buffer itself (no copy). */
	if (s->in_pos >= s->in_len) {
		int rc = fill(s);
		if (rc)
			return rc;
	}
	size_t n = s->in_len - s->in_pos;
	s->usize += n;
	if (s->usize > s->max_usize)
		return hull_err_set(s->err, HULL_ELIMIT,
				    "%s: larger than %llu bytes (the size limit; see "
				    "--max-layer-size)",
				    s->name, (unsigned long long)s->max_usize);
	*buf = s->in + s->in_pos;
	s->in_pos = s->in_len;
	return (ssize_t)n;
}

/* After a gzip member ends: another member may follow (pigz, concatenated gzip). */
static int gzip_next_member(struct layer_stream *s)
{
	int rc = fill(s);
	if (rc)
		return rc;
	if (s->in_pos >= s->in_len)
		return 1; /* clean end */
	if (s->in_len - s->in_pos < 2 && !s->src_eof) {
		/* Need two bytes to see the magic: carry the one we have (already hashed)
		 * into a fresh slot, since the hasher may still read the current one. */
		unsigned char c = s->in[s->in_pos];
		next_in_slot(s);
		s->in[0] = c;
		ssize_t n = read_in(s, 1);
		if (n < 0)
			return (int)n;
		s->in_pos = 0;
		s->in_len = 1 + (size_t)n;
	}
	if (s->in_len - s->in_pos < 2 || s->in[s->in_pos] != 0x1f || s->in[s->in_pos + 1] != 0x8b)
		return hull_err_set(s->err, HULL_EINPUT, "%s: trailing garbage after gzip data",
				    s->name);
	isal_inflate_reset(s->gz);
	s->gz->crc_flag = ISAL_GZIP;
	s->gz_done = false;
	return 0;
}

static const char *isal_error(int rc)
{
	switch (rc) {
	case ISAL_INVALID_BLOCK:
		return "invalid deflate block";
	case ISAL_INVALID_SYMBOL:
		return "invalid deflate symbol";
	case ISAL_INVALID_LOOKBACK:
		return "invalid deflate distance";
	case ISAL_INVALID_WRAPPER:
		return "invalid gzip header";
	case ISAL_UNSUPPORTED_METHOD:
		return "unsupported gzip method";
	case ISAL_INCORRECT_CHECKSUM:
		return "gzip checksum mismatch";
	default:
		return "corrupt gzip data";
	}
}

static ssize_t next_gzip(struct layer_stream *s, const void **buf)
{
	for (;;) {
		if (s->gz_done) {
			int rc = gzip_next_member(s);
			if (rc < 0)
				return rc;
			if (rc == 1)
				return 0;
		}
		int rc = fill(s);
		if (rc)
			return rc;
		struct inflate_state *g = s->gz;
		g->next_in = s->in + s->in_pos;
		g->avail_in = (uint32_t)(s->in_len - s->in_pos);
		g->next_out = s->out;
		g->avail_out = STREAM_BUF;
		int r = isal_inflate(g);
		s->in_pos = s->in_len - g->avail_in;
		if (r < 0)
			return hull_err_set(s->err, HULL_EINPUT, "%s: %s", s->name, isal_error(r));
		size_t produced = STREAM_BUF - g->avail_out;
		if (g->block_state == ISAL_BLOCK_FINISH)
			s->gz_done = true;
		if (produced) {
			*buf = s->out;
			return account(s, produced);
		}
		if (!s->gz_done && s->src_eof && s->in_pos >= s->in_len)
			return hull_err_set(s->err, HULL_EINPUT, "%s: truncated gzip data",
					    s->name);
	}
}

static ssize_t next_zstd(struct layer_stream *s, const void **buf)
{
	for (;;) {
		int rc = fill(s);
		if (rc)
			return rc;
		if (s->src_eof && s->in_pos >= s->in_len) {
			if (s->zret != 0)
				return hull_err_set(s->err, HULL_EINPUT, "%s: truncated zstd data",
						    s->name);
			return 0;
		}
		ZSTD_inBuffer in = {s->in, s->in_len, s->in_pos};
		ZSTD_outBuffer out = {s->out, STREAM_BUF, 0};
		size_t r = ZSTD_decompressStream(s->zd, &out, &in);
		s->in_pos = in.pos;
		if (ZSTD_isError(r))
			return hull_err_set(s->err, HULL_EINPUT, "%s: corrupt zstd data: %s",
					    s->name, ZSTD_getErrorName(r));
		s->zret = r;
		if (out.pos) {
			*buf = s->out;
			return account(s, out.pos);
		}
	}
}

ssize_t stream_next(struct layer_stream *s, const void **buf)
{
	if (s->eof)
		return 0;
	if (s->comp != HULL_COMP_NONE)
		next_out_slot(s);
	ssize_t n;
	switch (s->comp) {
	case HULL_COMP_GZIP:
		n = next_gzip(s, buf);
		break;
	case HULL_COMP_ZSTD:
		n = next_zstd(s, buf);
		break;
	default:
		n = next_plain(s, buf);
		break;
	}
	if (n == 0)
		s->eof = true;
	return n;
}

int stream_drain(struct layer_stream *s)
{
	const void *buf;
	ssize_t n;
	while ((n = stream_next(s, &buf)) > 0)
		;
	return (int)n;
}

void stream_finish(struct layer_stream *s, char digest[HULL_DIGEST_LEN + 1],
		   char diff_id[HULL_DIGEST_LEN + 1])
{
	hasher_stop(&s->hasher);
	hull_sha256_final(&s->hc, digest);
	if (s->comp == HULL_COMP_NONE) {
		/* The same bytes: one hash serves both. */
		memcpy(diff_id, digest, HULL_DIGEST_LEN + 1);
		hull_sha256_free(&s->hu);
	} else {
		hull_sha256_final(&s->hu, diff_id);
	}
}

void stream_free(struct layer_stream *s)
{
	hasher_stop(&s->hasher); /* before the buffers and contexts it reads go away */
	hull_sha256_free(&s->hc);
	hull_sha256_free(&s->hu);
	for (int i = 0; i < STREAM_SLOTS; i++) {
		free(s->in_ring[i]);
		free(s->out_ring[i]);
	}
	free(s->gz);
	if (s->zd)
		ZSTD_freeDCtx(s->zd);
	s->gz = NULL;
	s->zd = NULL;
}
