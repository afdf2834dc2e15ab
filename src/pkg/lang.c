/* Helpers shared by the language catalogers (see lang.h). */
#include "lang.h"

#include <string.h>

struct hull_package *hull_pkg_add_once(struct hull_inventory *inv, struct hull_pkg_seen *seen,
				       const char *type, const char *name, const char *version,
				       const struct hull_pkg_file *f, const char *cataloger)
{
	if (!name || !*name || !version || !*version)
		return NULL;
	char *key = xasprintf("%s@%s", name, version);
	if (strmap_get(&seen->map, key)) {
		free(key);
		return NULL;
	}
	strmap_put(&seen->map, key, key);
	return hull_inventory_add(inv, type, name, version, f, cataloger);
}

void hull_pkg_seen_free(struct hull_pkg_seen *seen)
{
	for (size_t i = 0; i < seen->map.cap; i++)
		free((char *)seen->map.slots[i].key);
	strmap_free(&seen->map);
}

char *hull_pkg_dirname(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return xstrdup(".");
	return s == path ? xstrdup("/") : xstrndup(path, (size_t)(s - path));
}

void hull_gomod_record(struct hull_inventory *inv, const char *dir, const char *go_version)
{
	/* Keys are owned by the map here (freed with the values at the end of the build). */
	char *old = strmap_get(&inv->go_versions, dir);
	if (old) {
		free(old);
		strmap_put(&inv->go_versions, dir, xstrdup(go_version));
		return;
	}
	strmap_put(&inv->go_versions, xstrdup(dir), xstrdup(go_version));
}

const char *hull_pkg_basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && path[n] == '/';
}

/* Trees that hold data, never programs: reading them would only cost memory. */
static const char *const data_trees[] = {
	"/usr/share",
	"/usr/include",
	"/etc",
	"/var/lib/dpkg",
	"/var/lib/apt",
	"/var/cache",
	"/var/log",
	"/proc",
	"/sys",
	"/dev",
	"/run",
	"/tmp",
	"/usr/lib/locale",
	"/usr/src",
	"/var/lib/rpm",
};

static const char *const bin_dirs[] = {
	"/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin", "/sbin", "/go/bin",
};

bool hull_pkg_binary_path(const char *path)
{
	const char *base = hull_pkg_basename(path);
	if (!*base)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(bin_dirs); i++) {
		size_t n = strlen(bin_dirs[i]);
		if (under(path, bin_dirs[i]) && base == path + n + 1)
			return true;
	}
	if (strchr(base, '.'))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(data_trees); i++)
		if (under(path, data_trees[i]))
			return false;
	return true;
}

uint64_t hull_elf_u(const struct hull_elf *e, const unsigned char *p, int width)
{
	uint64_t v = 0;
	for (int i = 0; i < width; i++)
		v |= (uint64_t)p[e->big ? width - 1 - i : i] << (8 * i);
	return v;
}

/* A field of the header at offset off (ELF32 offset, ELF64 offset) of width bytes. */
static uint64_t field(const struct hull_elf *e, const unsigned char *base, size_t off32,
		      size_t off64, int w32, int w64)
{
	return e->is64 ? hull_elf_u(e, base + off64, w64) : hull_elf_u(e, base + off32, w32);
}

bool hull_elf_open(struct hull_elf *e, const void *data, size_t len)
{
	const unsigned char *d = data;
	if (len < 64 || memcmp(d,
			       "\x7f"
			       "ELF",
			       4))
		return false;
	if ((d[4] != 1 && d[4] != 2) || (d[5] != 1 && d[5] != 2))
		return false;
	e->data = d;
	e->len = len;
	e->is64 = d[4] == 2;
	e->big = d[5] == 2;
	return true;
}

/* The table at header fields (off, entsize, num), checked to lie within the file. */
static const unsigned char *table(const struct hull_elf *e, uint64_t off, uint64_t entsize,
				  uint64_t num, uint64_t minent)
{
	if (!off || !num || entsize < minent || off > e->len || num > (e->len - off) / entsize)
		return NULL;
	return e->data + off;
}

bool hull_elf_section(const struct hull_elf *e, const char *name, size_t *off, size_t *size)
{
	const unsigned char *h = e->data;
	uint64_t shoff = field(e, h, 32, 40, 4, 8), shent = field(e, h, 46, 58, 2, 2);
	uint64_t shnum = field(e, h, 48, 60, 2, 2), shstrndx = field(e, h, 50, 62, 2, 2);
	const unsigned char *sh = table(e, shoff, shent, shnum, e->is64 ? 64 : 40);
	if (!sh || shstrndx >= shnum)
		return false;
	const unsigned char *strsec = sh + shstrndx * shent;
	uint64_t stroff = field(e, strsec, 16, 24, 4, 8), strsize = field(e, strsec, 20, 32, 4, 8);
	if (stroff > e->len || strsize > e->len - stroff)
		return false;
	size_t nlen = strlen(name);
	for (uint64_t i = 0; i < shnum; i++) {
		const unsigned char *s = sh + i * shent;
		uint64_t n = hull_elf_u(e, s, 4);
		if (n >= strsize || strsize - n <= nlen ||
		    memcmp(e->data + stroff + n, name, nlen + 1))
			continue;
		if (hull_elf_u(e, s + 4, 4) == 8) /* SHT_NOBITS: no bytes in the file */
			return false;
		uint64_t o = field(e, s, 16, 24, 4, 8), z = field(e, s, 20, 32, 4, 8);
		if (o > e->len || z > e->len - o)
			return false;
		*off = (size_t)o;
		*size = (size_t)z;
		return true;
	}
	return false;
}

bool hull_elf_vaddr(const struct hull_elf *e, uint64_t addr, size_t *off, size_t *avail)
{
	const unsigned char *h = e->data;
	uint64_t phoff = field(e, h, 28, 32, 4, 8), phent = field(e, h, 42, 54, 2, 2);
	uint64_t phnum = field(e, h, 44, 56, 2, 2);
	const unsigned char *ph = table(e, phoff, phent, phnum, e->is64 ? 56 : 32);
	if (!ph)
		return false;
	for (uint64_t i = 0; i < phnum; i++) {
		const unsigned char *p = ph + i * phent;
		if (hull_elf_u(e, p, 4) != 1) /* PT_LOAD */
			continue;
		uint64_t o = field(e, p, 4, 8, 4, 8), va = field(e, p, 8, 16, 4, 8);
		uint64_t fsz = field(e, p, 16, 32, 4, 8);
		if (addr < va || addr - va >= fsz || o > e->len || addr - va >= e->len - o)
			continue;
		*off = (size_t)(o + (addr - va));
		uint64_t seg_left = fsz - (addr - va), file_left = e->len - *off;
		*avail = (size_t)(seg_left < file_left ? seg_left : file_left);
		return true;
	}
	return false;
}
