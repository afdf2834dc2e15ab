/* The layer byte stream: compressed bytes in, hashed on the way; tar bytes out, hashed
 * and counted against the decompression cap. */
#include "stream.h"

#include <string.h>

static int fill(struct layer_stream *s)
{
	if (s->in_pos < s->in_len || s->src_eof)
		return 0;
	ssize_t n = s->src->read(s->src, s->in, STREAM_BUF, s->err);
	if (n < 0)
		return (int)n;
	s->in_len = (size_t)n;
	s->in_pos = 0;
	if (n == 0)
		s->src_eof = true;
	hull_sha256_update(&s->hc, s->in, (size_t)n);
	s->csize += (uint64_t)n;
	return 0;
}

int stream_init(struct layer_stream *s, struct hull_reader *src, uint64_t max_usize,
		const char *name, struct hull_err *err)
{
	memset(s, 0, sizeof(*s));
	s->src = src;
	s->name = name;
	s->err = err;
	s->max_usize = max_usize;
	s->in = xmalloc(STREAM_BUF);
	s->out = xmalloc(STREAM_BUF);
	hull_sha256_init(&s->hc);
	hull_sha256_init(&s->hu);
	/* Sniff the compression from the first bytes (media types lie; magic does not). */
	while (s->in_len < 4 && !s->src_eof) {
		ssize_t n = src->read(src, s->in + s->in_len, STREAM_BUF - s->in_len, err);
		if (n < 0)
			return (int)n;
		if (n == 0)
			s->src_eof = true;
		hull_sha256_update(&s->hc, s->in + s->in_len, (size_t)n);
		s->in_len += (size_t)n;
		s->csize += (uint64_t)n;
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
	hull_sha256_update(&s->hu, s->out, n);
	return (ssize_t)n;
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
		/* Need two bytes to see the magic: keep the one we have. */
		unsigned char c = s->in[s->in_pos];
		ssize_t n = s->src->read(s->src, s->in + 1, STREAM_BUF - 1, s->err);
		if (n < 0)
			return (int)n;
		if (n == 0)
			s->src_eof = true;
		hull_sha256_update(&s->hc, s->in + 1, (size_t)n);
		s->csize += (uint64_t)n;
		s->in[0] = c;
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
	hull_sha256_free(&s->hc);
	hull_sha256_free(&s->hu);
	free(s->in);
	free(s->out);
	free(s->gz);
	if (s->zd)
		ZSTD_freeDCtx(s->zd);
	s->in = s->out = NULL;
	s->gz = NULL;
	s->zd = NULL;
}
