/* The .deb reader: the ar container by hand (it is 60-byte headers), the control and data
 * tarballs through libarchive (gzip, xz, zstd, bzip2 or none). Names are checked before
 * anything is added: no absolute paths, no "..", no devices. */
#include "deb.h"
#include "../util/archive_lazy.h"
#include "../util/strbuf.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <string.h>

#define AR_MAGIC "!<arch>\n"
#define AR_HDR	 60

struct member {
	char name[17];
	const unsigned char *data;
	size_t len;
};

/* Finds the ar members; debian-binary must come first and say 2.x. */
static int ar_members(const char *name, const unsigned char *d, size_t len, struct member *ctl,
		      struct member *dat, struct hull_err *err)
{
	if (len < 8 || memcmp(d, AR_MAGIC, 8))
		return hull_err_set(err, HULL_EINPUT, "%s: not a Debian package (no ar header)",
				    name);
	size_t off = 8, idx = 0;
	while (off + AR_HDR <= len) {
		const unsigned char *h = d + off;
		if (h[58] != '`' || h[59] != '\n')
			return hull_err_set(err, HULL_EINPUT, "%s: corrupt ar member header", name);
		char sz[11];
		memcpy(sz, h + 48, 10);
		sz[10] = '\0';
		char *end;
		unsigned long long n = strtoull(sz, &end, 10);
		while (*end == ' ')
			end++;
		if (!isdigit((unsigned char)sz[0]) || *end || n > len - off - AR_HDR)
			return hull_err_set(err, HULL_EINPUT, "%s: bad ar member size", name);
		struct member m = {.data = h + AR_HDR, .len = (size_t)n};
		memcpy(m.name, h, 16);
		for (int i = 15; i >= 0 && (m.name[i] == ' ' || m.name[i] == '/'); i--)
			m.name[i] = '\0';
		if (idx == 0 &&
		    (strcmp(m.name, "debian-binary") || m.len < 4 || memcmp(m.data, "2.", 2)))
			return hull_err_set(err, HULL_EINPUT,
					    "%s: not a Debian package (no debian-binary 2.x first)",
					    name);
		if (!strncmp(m.name, "control.tar", 11) && !ctl->data)
			*ctl = m;
		else if (!strncmp(m.name, "data.tar", 8) && !dat->data)
			*dat = m;
		idx++;
		off += AR_HDR + (size_t)n + (n & 1);
	}
	if (!ctl->data || !dat->data)
		return hull_err_set(err, HULL_EINPUT, "%s: not a Debian package (no %s member)",
				    name, ctl->data ? "data.tar" : "control.tar");
	return 0;
}

static struct archive *open_tar(const struct member *m)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_memory(a, m->data, m->len) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* The entry's whole content (at most max bytes). */
static int read_entry(struct archive *a, struct archive_entry *e, const char *what, size_t max,
		      char **out, size_t *len, struct hull_err *err)
{
	la_int64_t size = archive_entry_size(e);
	if (size < 0 || (uint64_t)size > max)
		return hull_err_set(err, HULL_ELIMIT, "%s: entry too large", what);
	char *buf = xmalloc((size_t)size + 1);
	size_t got = 0;
	while (got < (size_t)size) {
		la_ssize_t n = archive_read_data(a, buf + got, (size_t)size - got);
		if (n <= 0) {
			free(buf);
			return hull_err_set(err, HULL_EINPUT, "%s: %s", what,
					    n ? archive_error_string(a) : "truncated");
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

/* "./usr/bin/x" -> "usr/bin/x"; NULL for names that leave the root or are absolute. */
static const char *entry_path(const char *p)
{
	if (!p || p[0] == '/')
		return NULL;
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	for (const char *s = p; *s; s = strchr(s, '/') ? strchr(s, '/') + 1 : s + strlen(s))
		if (s[0] == '.' && s[1] == '.' && (s[2] == '/' || !s[2]))
			return NULL;
	return p;
}

static char *field_value(const char *ctl, const char *key)
{
	size_t kl = strlen(key);
	for (const char *l = ctl; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncasecmp(l, key, kl) && l[kl] == ':') {
			const char *v = l + kl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			return xstrndup(v, strcspn(v, "\n"));
		}
	}
	return NULL;
}

/* The status.d stanza: the control file with "Status: install ok installed" after the
 * Package line (as dpkg's status file has it), ending in one newline. */
static char *make_status(const char *ctl)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *l = ctl; *l;) {
		size_t n = strcspn(l, "\n");
		if (n == 0 && !l[n])
			break;
		if (n == 0) { /* a blank line would end the stanza */
			l++;
			continue;
		}
		strbuf_add(&sb, l, n);
		strbuf_addch(&sb, '\n');
		if (!strncasecmp(l, "Package:", 8))
			strbuf_adds(&sb, "Status: install ok installed\n");
		l += n + (l[n] == '\n');
	}
	return strbuf_detach(&sb, NULL);
}

static int read_control(const char *name, const struct member *m, struct hull_deb *out,
			struct hull_err *err)
{
	struct archive *a = open_tar(m);
	if (!a)
		return hull_err_set(err, HULL_EINPUT, "%s: %s: cannot be read", name, m->name);
	struct archive_entry *e;
	int r, rc = 0;
	char *ctl = NULL;
	size_t len = 0, mlen;
	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *p = entry_path(archive_entry_pathname(e));
		if (!p || archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (!strcmp(p, "control") && !ctl)
			rc = read_entry(a, e, name, 1u << 20, &ctl, &len, err);
		else if (!strcmp(p, "md5sums") && !out->md5sums)
			rc = read_entry(a, e, name, 64u << 20, &out->md5sums, &mlen, err);
	}
	if (!rc && r != ARCHIVE_EOF)
		rc = hull_err_set(err, HULL_EINPUT, "%s: %s: %s", name, m->name,
				  archive_error_string(a));
	archive_read_free(a);
	if (!rc && (!ctl || memchr(ctl, '\0', len)))
		rc = hull_err_set(err, HULL_EINPUT, "%s: no control file", name);
	if (!rc) {
		out->package = field_value(ctl, "Package");
		out->version = field_value(ctl, "Version");
		out->arch = field_value(ctl, "Architecture");
		out->source = field_value(ctl, "Source");
		out->status = make_status(ctl);
		if (!out->package || !*out->package || !out->version || !*out->version ||
		    strchr(out->package, '/') || out->package[0] == '.')
			rc = hull_err_set(err, HULL_EINPUT,
					  "%s: the control file has no valid Package and Version",
					  name);
	}
	free(ctl);
	return rc;
}

static int add_entry(const char *name, struct archive *a, struct archive_entry *e, const char *p,
		     struct hull_layerw *w, struct hull_err *err)
{
	unsigned mode = archive_entry_perm(e) & 07777;
	switch (archive_entry_filetype(e)) {
	case AE_IFDIR:
		return *p ? hull_layerw_add_dir(w, p, mode, 0, 0, err) : 0;
	case AE_IFLNK: {
		const char *t = archive_entry_symlink(e);
		return hull_layerw_add_symlink(w, p, t ? t : "", 0, 0, err);
	}
	case AE_IFREG: {
		const char *hl = archive_entry_hardlink(e);
		if (hl) {
			const char *t = entry_path(hl);
			if (!t)
				return hull_err_set(err, HULL_EINPUT,
						    "%s: hard link %s points outside the root",
						    name, p);
			return hull_layerw_add_hardlink(w, p, t, err);
		}
		char *data = NULL;
		size_t len;
		int rc = read_entry(a, e, name, HULL_DEB_MAX_ENTRY, &data, &len, err);
		if (!rc)
			rc = hull_layerw_add_file(w, p, mode, 0, 0, data, len, err);
		free(data);
		return rc;
	}
	default:
		return hull_err_set(err, HULL_EINPUT, "%s: %s is a device or special file", name,
				    p);
	}
}

static int read_data(const char *name, const struct member *m, struct hull_layerw *w,
		     struct hull_deb *out, struct hull_err *err)
{
	struct archive *a = open_tar(m);
	if (!a)
		return hull_err_set(err, HULL_EINPUT, "%s: %s: cannot be read", name, m->name);
	struct archive_entry *e;
	int r, rc = 0;
	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *raw = archive_entry_pathname(e);
		const char *p = entry_path(raw);
		if (!p) {
			rc = hull_err_set(err, HULL_EINPUT, "%s: unsafe path \"%s\"", name,
					  raw ? raw : "");
			break;
		}
		if (!*p || !strcmp(p, "."))
			continue;
		out->nfiles++;
		if (w)
			rc = add_entry(name, a, e, p, w, err);
		if (rc && err && err->msg && strncmp(err->msg, name, strlen(name)))
			hull_err_prefix(err, "%s", name);
	}
	if (!rc && r != ARCHIVE_EOF)
		rc = hull_err_set(err, HULL_EINPUT, "%s: %s: %s", name, m->name,
				  archive_error_string(a));
	archive_read_free(a);
	return rc;
}

int hull_deb_read(const char *name, const void *data, size_t len, struct hull_layerw *w,
		  struct hull_deb *out, struct hull_err *err)
{
	memset(out, 0, sizeof(*out));
	struct member ctl = {0}, dat = {0};
	int rc = hull_archive_load(err);
	if (!rc)
		rc = ar_members(name, data, len, &ctl, &dat, err);
	if (!rc)
		rc = read_control(name, &ctl, out, err);
	if (!rc)
		rc = read_data(name, &dat, w, out, err);
	if (!rc && w) {
		_cleanup_free_ char *st = xasprintf("/var/lib/dpkg/status.d/%s", out->package);
		rc = hull_layerw_add_file(w, st, 0644, 0, 0, out->status, strlen(out->status), err);
		if (!rc && out->md5sums) {
			_cleanup_free_ char *md = xasprintf("%s.md5sums", st);
			rc = hull_layerw_add_file(w, md, 0644, 0, 0, out->md5sums,
						  strlen(out->md5sums), err);
		}
	}
	if (rc)
		hull_deb_release(out);
	return rc;
}

void hull_deb_release(struct hull_deb *d)
{
	free(d->package);
	free(d->version);
	free(d->arch);
	free(d->source);
	free(d->status);
	free(d->md5sums);
	memset(d, 0, sizeof(*d));
}
