/* dpkg: var/lib/dpkg/status, and distroless's var/lib/dpkg/status.d/<name> (one stanza
 * per file, no Status field). Binary name, version with epoch, architecture, and the
 * source package and its version from "Source: name (version)". Licences come from
 * /usr/share/doc/<name>/copyright, as Trivy and Syft read them. */
#include "pkg.h"

#include <string.h>

#define STATUS	 "/var/lib/dpkg/status"
#define STATUS_D "/var/lib/dpkg/status.d/"
#define DOC	 "/usr/share/doc/"
#define COMMON	 "/usr/share/common-licenses/"

/* /usr/share/doc/NAME/copyright */
static bool is_copyright(const char *path)
{
	if (strncmp(path, DOC, strlen(DOC)))
		return false;
	const char *name = path + strlen(DOC);
	const char *slash = strchr(name, '/');
	return slash && slash > name && !strcmp(slash, "/copyright");
}

static bool match(const char *path)
{
	if (!strcmp(path, STATUS) || is_copyright(path))
		return true;
	/* status.d holds "<pkg>" stanzas and "<pkg>.md5sums" lists: only the former (names
	 * may have dots: python3.11-minimal). */
	if (strncmp(path, STATUS_D, strlen(STATUS_D)))
		return false;
	const char *base = path + strlen(STATUS_D);
	size_t n = strlen(base);
	return n && !strchr(base, '/') && !(n > 8 && !strcmp(base + n - 8, ".md5sums"));
}

struct stanza {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	bool need_status;
	char *name, *version, *arch, *source, *status;
};

static bool key_is(const char *k, size_t kl, const char *want)
{
	return kl == strlen(want) && !strncasecmp(k, want, kl);
}

/* The package is on disk unless its state is not-installed or config-files. */
static bool installed(const char *status)
{
	const char *state = strrchr(status, ' ');
	state = state ? state + 1 : status;
	return strcmp(state, "not-installed") && strcmp(state, "config-files");
}

static void finish(struct stanza *s)
{
	if (s->name && s->version && (!s->need_status || (s->status && installed(s->status)))) {
		struct hull_package *p =
			hull_inventory_add(s->inv, "deb", s->name, s->version, s->f, "dpkg");
		p->arch = s->arch ? xstrdup(s->arch) : NULL;
		/* "Source: src" or "Source: src (srcversion)"; absent means the same name. */
		const char *src = s->source ? s->source : s->name;
		size_t n = strcspn(src, " (");
		p->source_name = xstrndup(src, n);
		const char *open = strchr(src, '(');
		if (open) {
			const char *close = strchr(open, ')');
			if (close)
				p->source_version = xstrndup(open + 1, (size_t)(close - open - 1));
		}
		if (!p->source_version)
			p->source_version = xstrdup(s->version);
	} else if (s->name && !s->version && s->need_status && s->status && installed(s->status)) {
		hull_warn("%s: package %s has no Version", s->f->path, s->name);
	}
	free(s->name);
	free(s->version);
	free(s->arch);
	free(s->source);
	free(s->status);
	s->name = s->version = s->arch = s->source = s->status = NULL;
}

static void field(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	struct stanza *s = ctx;
	if (!k)
		finish(s);
	else if (key_is(k, kl, "Package"))
		hull_package_set(&s->name, v, vl);
	else if (key_is(k, kl, "Version"))
		hull_package_set(&s->version, v, vl);
	else if (key_is(k, kl, "Architecture"))
		hull_package_set(&s->arch, v, vl);
	else if (key_is(k, kl, "Source"))
		hull_package_set(&s->source, v, vl);
	else if (key_is(k, kl, "Status"))
		hull_package_set(&s->status, v, vl);
}

static bool lic_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '+' || c == '_';
}

/* Adds name (n bytes) to the comma-separated list unless it is already there. */
static void add_license(struct strbuf *sb, const char *name, size_t n)
{
	while (n && (name[n - 1] == ',' || name[n - 1] == '.'))
		n--;
	if (!n || n > 100)
		return;
	for (const char *p = sb->buf; p && *p;) {
		size_t k = strcspn(p, ",");
		if (k == n && !strncmp(p, name, n))
			return;
		p += k;
		p += *p ? 1 : 0;
	}
	if (sb->len)
		strbuf_addch(sb, ',');
	strbuf_add(sb, name, n);
}

/* The words of a License: value that name licences: "GPL-2+ or Artistic-1.0" gives two,
 * "GPL-3+ with OpenSSL exception" one (what follows "with" is an exception). */
static void license_line(struct strbuf *sb, const char *v, size_t vl)
{
	const char *p = v, *end = v + vl;
	bool skip = false;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == ',' || *p == '(' || *p == ')'))
			p++;
		const char *w = p;
		while (p < end && *p != ' ' && *p != '\t' && *p != ',' && *p != '(' && *p != ')')
			p++;
		size_t n = (size_t)(p - w);
		if (!n)
			continue;
		if ((n == 2 && !strncasecmp(w, "or", 2)) || (n == 3 && !strncasecmp(w, "and", 3))) {
			skip = false;
			continue;
		}
		if (n == 4 && !strncasecmp(w, "with", 4)) {
			skip = true;
			continue;
		}
		bool ok = true;
		for (size_t i = 0; i < n; i++)
			ok = ok && lic_char(w[i]);
		if (ok && !skip)
			add_license(sb, w, n);
	}
}

char *hull_dpkg_copyright_licenses(const char *data, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t n = (size_t)(eol - p);
		if (n > 8 && !strncasecmp(p, "License:", 8)) {
			license_line(&sb, p + 8, n - 8);
		} else {
			/* "see /usr/share/common-licenses/GPL-2" anywhere in a line */
			const char *c = memmem(p, n, COMMON, strlen(COMMON));
			while (c) {
				const char *w = c + strlen(COMMON), *e = w;
				while (e < eol && lic_char(*e))
					e++;
				add_license(&sb, w, (size_t)(e - w));
				c = memmem(e, (size_t)(eol - e), COMMON, strlen(COMMON));
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	/* ", " between names reads better in tables and SBOMs. */
	struct strbuf out = STRBUF_INIT;
	for (size_t i = 0; i < sb.len; i++) {
		if (sb.buf[i] == ',')
			strbuf_adds(&out, ", ");
		else
			strbuf_addch(&out, sb.buf[i]);
	}
	strbuf_release(&sb);
	return strbuf_detach(&out, NULL);
}

void hull_dpkg_apply_licenses(struct hull_inventory *inv, const struct hull_fs *fs)
{
	for (size_t i = 0; inv->doc_licenses.len && i < inv->npkgs; i++) {
		struct hull_package *p = &inv->pkgs[i];
		if (strcmp(p->type, "deb") || p->licenses)
			continue;
		/* The doc directory may be a symlink to another package's (libfoo-dev →
		 * libfoo1): resolve it in the merged view when there is one. */
		_cleanup_free_ char *path = xasprintf(DOC "%s/copyright", p->name);
		const char *key = path;
		const struct hull_file *f = NULL;
		struct hull_err err = {0};
		if (fs && !hull_fs_resolve(fs, path, true, &f, &err))
			key = f->path;
		hull_err_clear(&err);
		const char *lic = strmap_get(&inv->doc_licenses, key);
		if (lic)
			p->licenses = xstrdup(lic);
	}
	for (size_t i = 0; i < inv->doc_licenses.cap; i++)
		free(inv->doc_licenses.slots[i].value);
	strmap_free(&inv->doc_licenses);
	memset(&inv->doc_licenses, 0, sizeof(inv->doc_licenses));
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	if (is_copyright(f->path)) {
		char *lic = hull_dpkg_copyright_licenses(f->data, f->len);
		if (!lic)
			return;
		/* The key borrows the layer entry's path, alive until the build ends. */
		free(strmap_put(&inv->doc_licenses, f->path, lic));
		return;
	}
	struct stanza s = {.inv = inv, .f = f, .need_status = !strcmp(f->path, STATUS)};
	hull_stanzas(f->data, f->len, ':', field, &s);
}

const struct hull_cataloger hull_cataloger_dpkg = {"dpkg", match, parse};
