/* The reproducible layer writer: a sorted ustar stream (PAX records only for values
 * ustar cannot hold), deflated by zlib into a temporary file while both digests are
 * computed. Nothing about the host (umask, mtimes, owners, readdir order) gets in. */
#include "layerw.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define BLOCK	  512
#define OUT_CHUNK (256u << 10)

enum ent_type { ENT_DIR = '5', ENT_FILE = '0', ENT_SYMLINK = '2', ENT_HARDLINK = '1' };

struct ent {
	char *path; /* no leading '/', no trailing '/' */
	char type;
	bool implicit;
	unsigned mode, uid, gid;
	char *data; /* ENT_FILE from memory */
	size_t len;
	char *host; /* ENT_FILE from the host */
	uint64_t hsize;
	char *link; /* symlink or hard link target */
};

struct hull_layerw {
	char *tmpdir;
	int64_t mtime;
	struct ent **ents;
	size_t n, cap;
	struct strmap index; /* path -> ent */

	/* while finishing */
	int fd;
	z_stream z;
	gz_header gzh; /* deflate keeps a pointer to it until the header is out */
	struct hull_sha256 tar_h, gz_h;
	uint64_t tar_len, gz_len;
	unsigned char *out;
};

int hull_layerw_new(const char *tmpdir, int64_t mtime, struct hull_layerw **out,
		    struct hull_err *err)
{
	if (mtime < 0 || mtime > 077777777777LL)
		return hull_err_set(err, HULL_EUSAGE, "layer mtime %lld is out of range",
				    (long long)mtime);
	struct hull_layerw *w = xcalloc(1, sizeof(*w));
	w->tmpdir = xstrdup(tmpdir ? tmpdir : "/tmp");
	w->mtime = mtime;
	w->fd = -1;
	*out = w;
	return 0;
}

static void ent_free(struct ent *e)
{
	free(e->path);
	free(e->data);
	free(e->host);
	free(e->link);
	free(e);
}

void hull_layerw_free(struct hull_layerw *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++)
		ent_free(w->ents[i]);
	free(w->ents);
	strmap_free(&w->index);
	free(w->tmpdir);
	free(w->out);
	free(w);
}

/* "/a//b/" -> "a/b"; NULL (err set) for empty names and "." or ".." parts. */
static char *norm_path(const char *path, struct hull_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = strchrnul(p, '/');
		size_t n = (size_t)(e - p);
		if (!n)
			break;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			strbuf_release(&sb);
			hull_err_set(err, HULL_EINPUT, "%s: image paths may not have '.' or '..'",
				     path);
			return NULL;
		}
		if (sb.len)
			strbuf_addch(&sb, '/');
		strbuf_add(&sb, p, n);
		p = e;
	}
	if (!sb.len) {
		hull_err_set(err, HULL_EINPUT, "'%s': not a valid image path", path);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static struct ent *push_ent(struct hull_layerw *w, char *path, char type)
{
	struct ent *e = xcalloc(1, sizeof(*e));
	e->path = path;
	e->type = type;
	ALLOC_GROW(w->ents, w->n + 1, w->cap);
	w->ents[w->n++] = e;
	strmap_put(&w->index, e->path, e);
	return e;
}

/* Makes every parent of path a directory (implied ones 0755 0:0). */
static int add_parents(struct hull_layerw *w, const char *path, struct hull_err *err)
{
	for (const char *s = strchr(path, '/'); s; s = strchr(s + 1, '/')) {
		struct ent *e = strmap_getn(&w->index, path, (size_t)(s - path));
		if (e && e->type != ENT_DIR)
			return hull_err_set(err, HULL_EINPUT, "/%s: /%.*s is not a directory", path,
					    (int)(s - path), path);
		if (e)
			continue;
		e = push_ent(w, xstrndup(path, (size_t)(s - path)), ENT_DIR);
		e->implicit = true;
		e->mode = 0755;
	}
	return 0;
}

/* A new entry for path, or the implied directory it makes explicit. */
static int add_ent(struct hull_layerw *w, const char *path, char type, unsigned mode, unsigned uid,
		   unsigned gid, struct ent **out, struct hull_err *err)
{
	char *p = norm_path(path, err);
	if (!p)
		return HULL_EINPUT;
	int rc = add_parents(w, p, err);
	if (rc) {
		free(p);
		return rc;
	}
	struct ent *e = strmap_get(&w->index, p);
	if (e && e->type == ENT_DIR && type == ENT_DIR && !e->implicit) {
		free(p);
		*out = e; /* the same directory again (two .debs): the first one stays */
		return 0;
	}
	if (e && !(e->implicit && type == ENT_DIR)) {
		hull_err_set(err, HULL_EINPUT, "/%s: added twice", p);
		free(p);
		return HULL_EINPUT;
	}
	if (e)
		free(p);
	else
		e = push_ent(w, p, type);
	e->implicit = false;
	e->mode = mode & 07777;
	e->uid = uid;
	e->gid = gid;
	*out = e;
	return 0;
}

int hull_layerw_add_dir(struct hull_layerw *w, const char *path, unsigned mode, unsigned uid,
			unsigned gid, struct hull_err *err)
{
	struct ent *e;
	return add_ent(w, path, ENT_DIR, mode, uid, gid, &e, err);
}

int hull_layerw_add_file(struct hull_layerw *w, const char *path, unsigned mode, unsigned uid,
			 unsigned gid, const void *data, size_t len, struct hull_err *err)
{
	struct ent *e;
	int rc = add_ent(w, path, ENT_FILE, mode, uid, gid, &e, err);
	if (rc)
		return rc;
	e->data = xmalloc(len ? len : 1);
	if (len)
		memcpy(e->data, data, len);
	e->len = len;
	return 0;
}

int hull_layerw_add_host_file(struct hull_layerw *w, const char *path, unsigned mode, unsigned uid,
			      unsigned gid, const char *host_path, struct hull_err *err)
{
	struct stat sb;
	if (lstat(host_path, &sb))
		return hull_err_set(err, HULL_EINPUT, "%s: %s", host_path, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return hull_err_set(err, HULL_EINPUT, "%s: not a regular file", host_path);
	struct ent *e;
	int rc = add_ent(w, path, ENT_FILE, mode, uid, gid, &e, err);
	if (rc)
		return rc;
	e->host = xstrdup(host_path);
	e->hsize = (uint64_t)sb.st_size;
	return 0;
}

int hull_layerw_add_symlink(struct hull_layerw *w, const char *path, const char *target,
			    unsigned uid, unsigned gid, struct hull_err *err)
{
	if (!*target)
		return hull_err_set(err, HULL_EINPUT, "%s: empty symlink target", path);
	struct ent *e;
	int rc = add_ent(w, path, ENT_SYMLINK, 0777, uid, gid, &e, err);
	if (!rc)
		e->link = xstrdup(target);
	return rc;
}

int hull_layerw_add_hardlink(struct hull_layerw *w, const char *path, const char *target,
			     struct hull_err *err)
{
	char *t = norm_path(target, err);
	if (!t)
		return HULL_EINPUT;
	struct ent *e;
	int rc = add_ent(w, path, ENT_HARDLINK, 0, 0, 0, &e, err);
	if (rc)
		free(t);
	else
		e->link = t;
	return rc;
}

int hull_layerw_has(const struct hull_layerw *w, const char *path)
{
	char *p = norm_path(path, NULL);
	int found = p && strmap_get(&w->index, p) != NULL;
	free(p);
	return found;
}

size_t hull_layerw_count(const struct hull_layerw *w)
{
	return w->n;
}

/* ------------------------------------------------------------------ output */

/* Deflates len bytes of tar (flush: Z_FINISH at the end). */
static int emit(struct hull_layerw *w, const void *p, size_t len, int flush)
{
	hull_sha256_update(&w->tar_h, p, len);
	w->tar_len += len;
	w->z.next_in = (Bytef *)p;
	w->z.avail_in = (uInt)len;
	int zr;
	do {
		w->z.next_out = w->out;
		w->z.avail_out = OUT_CHUNK;
		zr = deflate(&w->z, flush);
		if (zr == Z_STREAM_ERROR)
			return HULL_EIO;
		size_t have = OUT_CHUNK - w->z.avail_out;
		hull_sha256_update(&w->gz_h, w->out, have);
		w->gz_len += have;
		if (hull_write_all(w->fd, w->out, have))
			return HULL_EIO;
	} while (w->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static void octal(char *field, size_t width, uint64_t v)
{
	/* width-1 digits then NUL, as GNU tar and Go write them */
	field[width - 1] = '\0';
	for (size_t i = width - 1; i-- > 0; v >>= 3)
		field[i] = (char)('0' + (v & 7));
}

static void pax_rec(struct strbuf *sb, const char *key, const char *val)
{
	size_t body = strlen(key) + strlen(val) + 3; /* ' ', '=', '\n' */
	size_t n = body + 1;
	while (n != body + (size_t)snprintf(NULL, 0, "%zu", n))
		n = body + (size_t)snprintf(NULL, 0, "%zu", n);
	strbuf_addf(sb, "%zu %s=%s\n", n, key, val);
}

static int header(struct hull_layerw *w, const char *name, char type, unsigned mode, unsigned uid,
		  unsigned gid, uint64_t size, const char *link)
{
	unsigned char h[BLOCK] = {0};
	memcpy(h, name, strlen(name) < 100 ? strlen(name) : 100);
	octal((char *)h + 100, 8, mode);
	octal((char *)h + 108, 8, uid);
	octal((char *)h + 116, 8, gid);
	octal((char *)h + 124, 12, size);
	octal((char *)h + 136, 12, (uint64_t)w->mtime);
	memset(h + 148, ' ', 8);
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, strlen(link) < 100 ? strlen(link) : 100);
	memcpy(h + 257,
	       "ustar\0"
	       "00",
	       8);
	octal((char *)h + 329, 8, 0);
	octal((char *)h + 337, 8, 0);
	unsigned sum = 0;
	for (size_t i = 0; i < BLOCK; i++)
		sum += h[i];
	octal((char *)h + 148, 7, sum);
	return emit(w, h, BLOCK, Z_NO_FLUSH);
}

static int pad(struct hull_layerw *w, uint64_t size)
{
	static const unsigned char zero[BLOCK];
	size_t r = (size_t)(size % BLOCK);
	return r ? emit(w, zero, BLOCK - r, Z_NO_FLUSH) : 0;
}

#define USTAR_MAX_ID   07777777u
#define USTAR_MAX_SIZE 077777777777ULL

/* One entry's header(s): a PAX 'x' header first when the name, link, size or ids do
 * not fit ustar. */
static int ent_header(struct hull_layerw *w, const struct ent *e, uint64_t size)
{
	_cleanup_free_ char *name = xasprintf("%s%s", e->path, e->type == ENT_DIR ? "/" : "");
	struct strbuf pax = STRBUF_INIT;
	char num[32];
	if (strlen(name) > 100)
		pax_rec(&pax, "path", name);
	if (e->link && strlen(e->link) > 100)
		pax_rec(&pax, "linkpath", e->link);
	if (size > USTAR_MAX_SIZE) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
		pax_rec(&pax, "size", num);
	}
	if (e->uid > USTAR_MAX_ID) {
		snprintf(num, sizeof(num), "%u", e->uid);
		pax_rec(&pax, "uid", num);
	}
	if (e->gid > USTAR_MAX_ID) {
		snprintf(num, sizeof(num), "%u", e->gid);
		pax_rec(&pax, "gid", num);
	}
	int rc = 0;
	if (pax.len) {
		rc = header(w, "././@PaxHeader", 'x', 0644, 0, 0, pax.len, NULL);
		if (!rc)
			rc = emit(w, pax.buf, pax.len, Z_NO_FLUSH);
		if (!rc)
			rc = pad(w, pax.len);
	}
	strbuf_release(&pax);
	if (!rc)
		rc = header(w, name, e->type, e->type == ENT_HARDLINK ? 0 : e->mode,
			    e->uid > USTAR_MAX_ID ? 0 : e->uid, e->gid > USTAR_MAX_ID ? 0 : e->gid,
			    size > USTAR_MAX_SIZE ? 0 : size, e->link);
	return rc;
}

/* Streams a host file, checking it is still the regular file of the size seen. */
static int host_body(struct hull_layerw *w, const struct ent *e, struct hull_err *err)
{
	int fd = open(e->host, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hull_err_set(err, HULL_EINPUT, "%s: %s", e->host, strerror(errno));
	struct stat sb;
	int rc = 0;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size != e->hsize)
		rc = hull_err_set(err, HULL_EINPUT, "%s: changed while the layer was written",
				  e->host);
	char *buf = rc ? NULL : xmalloc(OUT_CHUNK);
	uint64_t done = 0;
	while (!rc) {
		ssize_t n = read(fd, buf, OUT_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = hull_err_set(err, HULL_EIO, "%s: %s", e->host, strerror(errno));
		else if (done + (uint64_t)n > e->hsize)
			rc = hull_err_set(err, HULL_EINPUT, "%s: grew while the layer was written",
					  e->host);
		else if (n == 0 && done != e->hsize)
			rc = hull_err_set(err, HULL_EINPUT,
					  "%s: shrank while the layer was written", e->host);
		if (rc || n == 0)
			break;
		done += (uint64_t)n;
		rc = emit(w, buf, (size_t)n, Z_NO_FLUSH);
	}
	free(buf);
	close(fd);
	return rc;
}

static int write_ent(struct hull_layerw *w, const struct ent *e, struct hull_err *err)
{
	if (e->type == ENT_HARDLINK) {
		struct ent *t = strmap_get(&w->index, e->link);
		if (!t || t->type != ENT_FILE)
			return hull_err_set(err, HULL_EINPUT,
					    "/%s: hard link target /%s is not a file in the layer",
					    e->path, e->link);
	}
	uint64_t size = e->type != ENT_FILE ? 0 : e->host ? e->hsize : e->len;
	int rc = ent_header(w, e, size);
	if (rc || e->type != ENT_FILE)
		return rc;
	rc = e->host ? host_body(w, e, err) : emit(w, e->data, e->len, Z_NO_FLUSH);
	return rc ? rc : pad(w, size);
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp((*(struct ent *const *)a)->path, (*(struct ent *const *)b)->path);
}

static int start_gzip(struct hull_layerw *w)
{
	memset(&w->z, 0, sizeof(w->z));
	if (deflateInit2(&w->z, HULL_LAYERW_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return HULL_EIO;
	w->gzh = (gz_header){.os = 255};
	if (deflateSetHeader(&w->z, &w->gzh) != Z_OK) {
		deflateEnd(&w->z);
		return HULL_EIO;
	}
	return 0;
}

static int write_stream(struct hull_layerw *w, struct hull_err *err)
{
	qsort(w->ents, w->n, sizeof(*w->ents), cmp_ent);
	int rc = 0;
	for (size_t i = 0; i < w->n && !rc; i++)
		rc = write_ent(w, w->ents[i], err);
	static const unsigned char end[2 * BLOCK];
	if (!rc)
		rc = emit(w, end, sizeof(end), Z_FINISH);
	return rc;
}

int hull_layerw_finish(struct hull_layerw *w, struct hull_built_layer *out, struct hull_err *err)
{
	memset(out, 0, sizeof(*out));
	char *tmp = xasprintf("%s/hull-layer-XXXXXX", w->tmpdir);
	w->fd = mkostemp(tmp, O_CLOEXEC);
	if (w->fd < 0) {
		int rc = hull_err_set(err, HULL_EIO, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return rc;
	}
	w->out = xmalloc(OUT_CHUNK);
	w->tar_len = w->gz_len = 0;
	hull_sha256_init(&w->tar_h);
	hull_sha256_init(&w->gz_h);
	int rc = start_gzip(w);
	if (!rc) {
		rc = write_stream(w, err);
		deflateEnd(&w->z);
	}
	hull_sha256_final(&w->tar_h, out->diff_id);
	hull_sha256_final(&w->gz_h, out->digest);
	if (!rc && (fsync(w->fd) || close(w->fd)))
		rc = HULL_EIO;
	else if (rc)
		close(w->fd);
	w->fd = -1;
	if (rc) {
		if (!(err && err->msg))
			hull_err_set(err, rc, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
		free(tmp);
		memset(out, 0, sizeof(*out));
		return rc;
	}
	out->blob_path = tmp;
	out->size = w->gz_len;
	out->uncompressed = w->tar_len;
	return 0;
}

void hull_built_layer_release(struct hull_built_layer *l)
{
	if (!l)
		return;
	if (l->blob_path)
		unlink(l->blob_path);
	free(l->blob_path);
	free(l->created_by);
	memset(l, 0, sizeof(*l));
}
