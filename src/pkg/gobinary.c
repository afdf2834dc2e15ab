/* Go binaries: the build info the Go linker embeds ("\xff Go buildinf:", a 32-byte
 * header, then the toolchain version and the module info as inline varint-prefixed
 * strings since Go 1.18, or as pointers to Go string headers before). The module info
 * ("path", "mod", "dep", "=>" lines) gives the main module and every dependency; the
 * toolchain version becomes the package "stdlib" so standard-library advisories match. */
#include "lang.h"

#include <string.h>

#define MAGIC	  "\xff Go buildinf:"
#define MAGIC_LEN 14
#define HDR_LEN	  32
#define MAX_STR	  (16u << 20) /* a version or module-info string longer is corrupt */

static bool match(const char *path)
{
	return hull_pkg_binary_path(path);
}

struct blob {
	const char *s;
	size_t n;
};

/* The header: in the .go.buildinfo section, else (stripped section headers) anywhere in
 * the file at a 16-byte aligned offset, as Go's own debug/buildinfo searches. */
static const unsigned char *find_header(const struct hull_elf *e)
{
	size_t off, size;
	if (hull_elf_section(e, ".go.buildinfo", &off, &size) && size >= MAGIC_LEN &&
	    !memcmp(e->data + off, MAGIC, MAGIC_LEN))
		return e->data + off;
	const unsigned char *p = e->data, *end = e->data + e->len;
	while ((p = memmem(p, (size_t)(end - p), MAGIC, MAGIC_LEN))) {
		if (((size_t)(p - e->data) & 15) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Go ≥1.18: a uvarint length then the bytes. Advances *p; false if out of bounds. */
static bool inline_string(const unsigned char **p, const unsigned char *end, struct blob *out)
{
	uint64_t n = 0;
	int shift = 0;
	for (;;) {
		if (*p >= end || shift > 63)
			return false;
		unsigned char b = *(*p)++;
		n |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
	}
	if (n > MAX_STR || n > (uint64_t)(end - *p))
		return false;
	out->s = (const char *)*p;
	out->n = (size_t)n;
	*p += n;
	return true;
}

/* Before Go 1.18: addr points at a Go string header {data pointer, length}. */
static bool pointer_string(const struct hull_elf *e, uint64_t addr, int ptrsize, struct blob *out)
{
	size_t off, avail;
	if (!hull_elf_vaddr(e, addr, &off, &avail) || avail < (size_t)ptrsize * 2)
		return false;
	uint64_t data = hull_elf_u(e, e->data + off, ptrsize);
	uint64_t n = hull_elf_u(e, e->data + off + ptrsize, ptrsize);
	if (n == 0) {
		out->s = "";
		out->n = 0;
		return true;
	}
	if (n > MAX_STR || !hull_elf_vaddr(e, data, &off, &avail) || avail < n)
		return false;
	out->s = (const char *)e->data + off;
	out->n = (size_t)n;
	return true;
}

static bool read_strings(struct hull_elf *e, const unsigned char *h, struct blob *vers,
			 struct blob *mod)
{
	int ptrsize = h[14], flags = h[15];
	if (flags & 2) {
		const unsigned char *p = h + HDR_LEN, *end = e->data + e->len;
		return inline_string(&p, end, vers) && inline_string(&p, end, mod);
	}
	if (ptrsize != 4 && ptrsize != 8)
		return false;
	/* The pointers use the byte order the header declares. */
	struct hull_elf be = *e;
	be.big = flags & 1;
	uint64_t va = hull_elf_u(&be, h + 16, ptrsize),
		 ma = hull_elf_u(&be, h + 16 + ptrsize, ptrsize);
	return pointer_string(&be, va, ptrsize, vers) && pointer_string(&be, ma, ptrsize, mod);
}

/* A tab-separated field i of line (len n) into out. */
static bool tab_field(const char *line, size_t n, int i, struct blob *out)
{
	const char *p = line, *end = line + n;
	for (int k = 0; k < i; k++) {
		const char *t = memchr(p, '\t', (size_t)(end - p));
		if (!t)
			return false;
		p = t + 1;
	}
	const char *t = memchr(p, '\t', (size_t)(end - p));
	out->s = p;
	out->n = (size_t)((t ? t : end) - p);
	return true;
}

struct modscan {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	struct hull_pkg_seen seen;
	char *name, *version;		/* the pending mod/dep, which a "=>" line may replace */
	bool pending_main;		/* the pending line is "mod" */
	char *main_name, *main_version; /* the main module, which depends on every dep */
};

static void flush(struct modscan *m)
{
	if (m->name) {
		const char *v = m->version && *m->version ? m->version : "(devel)";
		hull_pkg_add_once(m->inv, &m->seen, "golang", m->name, v, m->f, "go-binary");
		if (m->pending_main && !m->main_name) {
			m->main_name = xstrdup(m->name);
			m->main_version = xstrdup(v);
		} else if (!m->pending_main && m->main_name) {
			hull_pkg_depends(m->inv, m->f, m->main_name, m->main_version, HULL_DEP_FILE,
					 m->name, v);
		}
	}
	free(m->name);
	free(m->version);
	m->name = m->version = NULL;
}

static bool local_path(struct blob p)
{
	return p.s[0] == '/' || (p.n >= 2 && !memcmp(p.s, "./", 2)) ||
	       (p.n >= 3 && !memcmp(p.s, "../", 3));
}

static void mod_line(struct modscan *m, const char *line, size_t n)
{
	struct blob key, path, vers = {"", 0};
	if (!tab_field(line, n, 0, &key) || !tab_field(line, n, 1, &path) || !path.n)
		return;
	tab_field(line, n, 2, &vers);
	bool is_mod = key.n == 3 && !memcmp(key.s, "mod", 3);
	bool is_dep = key.n == 3 && !memcmp(key.s, "dep", 3);
	bool is_rep = key.n == 2 && !memcmp(key.s, "=>", 2);
	if (is_rep && m->name) {
		/* The replacement is what was compiled in; a local directory has no module
		 * path of its own, so the module keeps its path, at version "(devel)". */
		if (!local_path(path))
			hull_package_set(&m->name, path.s, path.n);
		hull_package_set(&m->version, vers.s, vers.n);
	} else if (is_mod || is_dep) {
		flush(m);
		m->pending_main = is_mod;
		m->name = xstrndup(path.s, path.n);
		m->version = xstrndup(vers.s, vers.n);
	}
}

static void scan_modinfo(struct modscan *m, struct blob mod)
{
	/* Between two 16-byte sentinels (cmd/go's infoStart and infoEnd). */
	if (mod.n < 33 || mod.s[mod.n - 17] != '\n')
		return;
	const char *p = mod.s + 16, *end = mod.s + mod.n - 16;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		mod_line(m, p, (size_t)(eol - p));
		p = eol + 1;
	}
	flush(m);
}

/* "go1.19.8" (maybe "go1.22.1 X:boringcrypto") -> "1.19.8"; "devel …" gives NULL. */
static char *stdlib_version(struct blob v)
{
	if (v.n < 3 || memcmp(v.s, "go", 2))
		return NULL;
	size_t n = 2;
	while (n < v.n && v.s[n] != ' ' && v.s[n] != '\t')
		n++;
	return xstrndup(v.s + 2, n - 2);
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct hull_elf e;
	if (!hull_elf_open(&e, f->data, f->len))
		return;
	const unsigned char *h = find_header(&e);
	if (!h)
		return;
	struct blob vers, mod;
	if ((size_t)(e.data + e.len - h) < HDR_LEN || !read_strings(&e, h, &vers, &mod)) {
		hull_warn("%s: corrupt Go build info (strings out of bounds)", f->path);
		return;
	}
	struct modscan m = {.inv = inv, .f = f};
	scan_modinfo(&m, mod);
	_cleanup_free_ char *sv = stdlib_version(vers);
	if (sv)
		hull_pkg_add_once(inv, &m.seen, "golang", "stdlib", sv, f, "go-binary");
	else if (!vers.n)
		hull_warn("%s: Go build info without a toolchain version", f->path);
	free(m.main_name);
	free(m.main_version);
	hull_pkg_seen_free(&m.seen);
}

const struct hull_cataloger hull_cataloger_gobinary = {"go-binary", match, parse, true};
