/* A bounds-checked reader for the parts of ELF the dynamic loader uses to load a
 * program: 32 and 64-bit, either byte order. Every offset and size read from the file
 * is checked against the file's length before it is used, so a truncated or hostile
 * file is an error naming it, never a read past the buffer. */
#include "elf.h"

#include <string.h>

enum {
	PT_LOAD_ = 1,
	PT_DYNAMIC_ = 2,
	PT_INTERP_ = 3,
	PN_XNUM_ = 0xffff,
	DT_NULL_ = 0,
	DT_NEEDED_ = 1,
	DT_STRTAB_ = 5,
	DT_STRSZ_ = 10,
	DT_SONAME_ = 14,
	DT_RPATH_ = 15,
	DT_RUNPATH_ = 29,
};

#define MAX_STRING (64u << 10) /* a longer DT_* string or interpreter path is hostile */

struct rd {
	const unsigned char *p;
	size_t len;
	bool be, b64;
	const char *name;
	struct hull_err *err;
};

static bool in_file(const struct rd *r, uint64_t off, uint64_t n)
{
	return off <= r->len && n <= r->len - off;
}

static uint64_t get(const struct rd *r, uint64_t off, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned b = r->be ? i : n - 1 - i;
		v = v << 8 | r->p[off + b];
	}
	return v;
}

/* A word (4 bytes in ELF32, 8 in ELF64) or a fixed-size field; caller checked bounds. */
static uint64_t word(const struct rd *r, uint64_t off)
{
	return get(r, off, r->b64 ? 8 : 4);
}

static int bad(const struct rd *r, const char *msg)
{
	return hull_err_set(r->err, HULL_EINPUT, "%s: %s", r->name, msg);
}

static int bad_str(const struct rd *r, const char *msg, const char *what)
{
	return hull_err_set(r->err, HULL_EINPUT, "%s: %s %s string%s", r->name, msg, what,
			    strcmp(msg, "truncated ELF:") ? "" : " past the end of the file");
}

bool hull_elf_magic(const void *data, size_t len)
{
	return len >= 4 && !memcmp(data,
				   "\x7f"
				   "ELF",
				   4);
}

const char *hull_elf_machine_name(uint16_t machine)
{
	switch (machine) {
	case 3:
		return "i386";
	case 8:
		return "MIPS";
	case 20:
		return "PowerPC";
	case 21:
		return "PowerPC64";
	case 22:
		return "S/390";
	case 40:
		return "ARM";
	case 62:
		return "x86-64";
	case 183:
		return "AArch64";
	case 243:
		return "RISC-V";
	case 258:
		return "LoongArch";
	default:
		return NULL;
	}
}

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, filesz;
};

static void read_phdr(const struct rd *r, uint64_t off, struct phdr *ph)
{
	ph->type = (uint32_t)get(r, off, 4);
	if (r->b64) {
		ph->offset = get(r, off + 8, 8);
		ph->vaddr = get(r, off + 16, 8);
		ph->filesz = get(r, off + 32, 8);
	} else {
		ph->offset = get(r, off + 4, 4);
		ph->vaddr = get(r, off + 8, 4);
		ph->filesz = get(r, off + 16, 4);
	}
}

struct hdr {
	uint64_t phoff, shoff;
	uint32_t phnum;
	unsigned phentsize, shentsize;
};

static int read_header(struct rd *r, struct hull_elf *out, struct hdr *h)
{
	if (r->len < 16 || !hull_elf_magic(r->p, r->len))
		return bad(r, "not an ELF file");
	if (r->p[4] != 1 && r->p[4] != 2)
		return bad(r, "malformed ELF: unknown class");
	if (r->p[5] != 1 && r->p[5] != 2)
		return bad(r, "malformed ELF: unknown byte order");
	r->b64 = r->p[4] == 2;
	r->be = r->p[5] == 2;
	size_t ehsize = r->b64 ? 64 : 52;
	if (r->len < ehsize)
		return bad(r, "truncated ELF: header past the end of the file");
	out->bits = r->b64 ? 64 : 32;
	out->big_endian = r->be;
	out->type = (uint16_t)get(r, 16, 2);
	out->machine = (uint16_t)get(r, 18, 2);
	unsigned base = r->b64 ? 32 : 28; /* e_phoff */
	h->phoff = word(r, base);
	h->shoff = word(r, base + (r->b64 ? 8 : 4));
	unsigned rest = r->b64 ? 54 : 42; /* e_phentsize */
	h->phentsize = (unsigned)get(r, rest, 2);
	h->phnum = (uint32_t)get(r, rest + 2, 2);
	h->shentsize = (unsigned)get(r, rest + 4, 2);
	return 0;
}

/* PN_XNUM: the real program header count is in section header 0's sh_info. */
static int extended_phnum(struct rd *r, struct hdr *h)
{
	unsigned need = r->b64 ? 64 : 40, info = r->b64 ? 44 : 28;
	if (h->shentsize < need || !in_file(r, h->shoff, need))
		return bad(r,
			   "truncated ELF: extended program header count past the end of the file");
	h->phnum = (uint32_t)get(r, h->shoff + info, 4);
	return 0;
}

/* The file offset of the virtual address addr, through the PT_LOAD segments. */
static bool vaddr_to_off(const struct rd *r, const struct hdr *h, uint64_t addr, uint64_t *off,
			 uint64_t *avail)
{
	for (uint32_t i = 0; i < h->phnum; i++) {
		struct phdr ph;
		read_phdr(r, h->phoff + (uint64_t)i * h->phentsize, &ph);
		if (ph.type != PT_LOAD_ || addr < ph.vaddr || addr - ph.vaddr >= ph.filesz)
			continue;
		uint64_t d = addr - ph.vaddr;
		if (ph.offset > UINT64_MAX - d)
			return false;
		*off = ph.offset + d;
		*avail = ph.filesz - d;
		return true;
	}
	return false;
}

/* A NUL-terminated string of at most max bytes at off (within the file). */
static int get_string(const struct rd *r, uint64_t off, uint64_t max, const char *what, char **out)
{
	if (off >= r->len)
		return bad_str(r, "truncated ELF:", what);
	uint64_t room = r->len - off;
	if (room > max)
		room = max;
	if (room > MAX_STRING)
		room = MAX_STRING;
	const char *s = (const char *)r->p + off;
	const char *nul = memchr(s, '\0', (size_t)room);
	if (!nul)
		return bad_str(r, "malformed ELF: unterminated", what);
	*out = xstrndup(s, (size_t)(nul - s));
	return 0;
}

static int read_interp(struct rd *r, const struct phdr *ph, struct hull_elf *out)
{
	if (!in_file(r, ph->offset, ph->filesz))
		return bad(r, "truncated ELF: PT_INTERP past the end of the file");
	int rc = get_string(r, ph->offset, ph->filesz, "PT_INTERP", &out->interp);
	if (!rc && !out->interp[0])
		rc = bad(r, "malformed ELF: empty PT_INTERP");
	return rc;
}

struct dyn {
	uint64_t strtab, strsz;
	bool have_strtab, have_strsz;
	uint64_t *needed; /* string offsets */
	size_t nneeded;
	uint64_t rpath, runpath, soname;
	bool have_rpath, have_runpath, have_soname;
};

static int scan_dynamic(struct rd *r, const struct phdr *ph, struct dyn *d)
{
	if (!in_file(r, ph->offset, ph->filesz))
		return bad(r, "truncated ELF: PT_DYNAMIC past the end of the file");
	unsigned entsz = r->b64 ? 16 : 8, half = entsz / 2;
	uint64_t n = ph->filesz / entsz;
	size_t cap = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t off = ph->offset + i * entsz;
		uint64_t tag = word(r, off), val = word(r, off + half);
		if (tag == DT_NULL_)
			break;
		switch (tag) {
		case DT_NEEDED_:
			if (d->nneeded >= HULL_ELF_MAX_NEEDED)
				return bad(r, "malformed ELF: too many DT_NEEDED entries");
			ALLOC_GROW(d->needed, d->nneeded + 1, cap);
			d->needed[d->nneeded++] = val;
			break;
		case DT_STRTAB_:
			d->strtab = val, d->have_strtab = true;
			break;
		case DT_STRSZ_:
			d->strsz = val, d->have_strsz = true;
			break;
		case DT_SONAME_:
			d->soname = val, d->have_soname = true;
			break;
		case DT_RPATH_:
			d->rpath = val, d->have_rpath = true;
			break;
		case DT_RUNPATH_:
			d->runpath = val, d->have_runpath = true;
			break;
		default:
			break;
		}
	}
	return 0;
}

static int dyn_string(struct rd *r, uint64_t stroff, uint64_t strmax, uint64_t idx,
		      const char *what, char **out)
{
	if (idx >= strmax)
		return bad_str(r, "malformed ELF: outside the string table:", what);
	return get_string(r, stroff + idx, strmax - idx, what, out);
}

static int read_dynamic(struct rd *r, const struct hdr *h, const struct phdr *ph,
			struct hull_elf *out)
{
	struct dyn d = {0};
	int rc = scan_dynamic(r, ph, &d);
	bool strings = d.nneeded || d.have_rpath || d.have_runpath || d.have_soname;
	uint64_t stroff = 0, strmax = 0;
	if (!rc && strings) {
		if (!d.have_strtab)
			rc = bad(r, "malformed ELF: dynamic section without DT_STRTAB");
		else if (!vaddr_to_off(r, h, d.strtab, &stroff, &strmax))
			rc = bad(r, "malformed ELF: DT_STRTAB outside every loaded segment");
		else if (stroff >= r->len)
			rc = bad(r, "truncated ELF: string table past the end of the file");
	}
	if (!rc && strings) {
		if (d.have_strsz && d.strsz < strmax)
			strmax = d.strsz;
		if (strmax > r->len - stroff)
			strmax = r->len - stroff;
	}
	if (!rc && d.nneeded)
		out->needed = xcalloc(d.nneeded, sizeof(char *));
	for (size_t i = 0; !rc && i < d.nneeded; i++) {
		rc = dyn_string(r, stroff, strmax, d.needed[i], "DT_NEEDED", &out->needed[i]);
		if (!rc)
			out->nneeded++;
	}
	if (!rc && d.have_rpath)
		rc = dyn_string(r, stroff, strmax, d.rpath, "DT_RPATH", &out->rpath);
	if (!rc && d.have_runpath)
		rc = dyn_string(r, stroff, strmax, d.runpath, "DT_RUNPATH", &out->runpath);
	if (!rc && d.have_soname)
		rc = dyn_string(r, stroff, strmax, d.soname, "DT_SONAME", &out->soname);
	free(d.needed);
	return rc;
}

static int parse(struct rd *r, struct hull_elf *out)
{
	struct hdr h = {0};
	int rc = read_header(r, out, &h);
	if (rc)
		return rc;
	if (h.phnum == PN_XNUM_ && (rc = extended_phnum(r, &h)))
		return rc;
	if (!h.phnum)
		return 0; /* a relocatable object or a core file: nothing to load */
	unsigned need = r->b64 ? 56 : 32;
	if (h.phentsize < need)
		return bad(r, "malformed ELF: program header entries too small");
	if ((uint64_t)h.phnum * h.phentsize > r->len ||
	    !in_file(r, h.phoff, (uint64_t)h.phnum * h.phentsize))
		return bad(r, "truncated ELF: program headers past the end of the file");
	bool seen_interp = false, seen_dyn = false;
	for (uint32_t i = 0; !rc && i < h.phnum; i++) {
		struct phdr ph;
		read_phdr(r, h.phoff + (uint64_t)i * h.phentsize, &ph);
		if (ph.type == PT_INTERP_ && !seen_interp) {
			seen_interp = true;
			rc = read_interp(r, &ph, out);
		} else if (ph.type == PT_DYNAMIC_ && !seen_dyn) {
			seen_dyn = true;
			out->dynamic = true;
			rc = read_dynamic(r, &h, &ph, out);
		}
	}
	return rc;
}

int hull_elf_parse(const void *data, size_t len, const char *name, struct hull_elf *out,
		   struct hull_err *err)
{
	memset(out, 0, sizeof(*out));
	struct rd r = {.p = data, .len = len, .name = name, .err = err};
	int rc = parse(&r, out);
	if (rc)
		hull_elf_release(out);
	return rc;
}

void hull_elf_release(struct hull_elf *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nneeded; i++)
		free(e->needed[i]);
	free(e->needed);
	free(e->interp);
	free(e->rpath);
	free(e->runpath);
	free(e->soname);
	memset(e, 0, sizeof(*e));
}
