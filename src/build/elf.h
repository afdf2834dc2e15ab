/* What the dynamic loader needs from an ELF file: class, byte order, machine, the
 * program interpreter (PT_INTERP) and the dynamic section's DT_NEEDED, DT_RPATH,
 * DT_RUNPATH and DT_SONAME, read with every offset bounds-checked (for hull slim). */
#ifndef HULL_BUILD_ELF_H
#define HULL_BUILD_ELF_H

#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HULL_ELF_MAX_NEEDED 4096 /* more DT_NEEDED entries than this is hostile */

struct hull_elf {
	int bits;	  /* 32 or 64 */
	bool big_endian;  /* EI_DATA is ELFDATA2MSB */
	uint16_t type;	  /* e_type: ET_EXEC, ET_DYN, ... */
	uint16_t machine; /* e_machine */
	char *interp;	  /* PT_INTERP, or NULL */
	char **needed;	  /* DT_NEEDED names, in order */
	size_t nneeded;
	char *rpath, *runpath, *soname; /* NULL when absent */
	bool dynamic;			/* has a PT_DYNAMIC segment */
};

/* True if data starts with the ELF magic. */
bool hull_elf_magic(const void *data, size_t len);

/* Parses an ELF image of len bytes. name labels errors ("/usr/bin/jq: truncated ELF:
 * program headers past the end of the file"). On error *out is left empty. */
int hull_elf_parse(const void *data, size_t len, const char *name, struct hull_elf *out,
		   struct hull_err *err) HULL_MUST_CHECK;
void hull_elf_release(struct hull_elf *e);

/* A short name for e_machine ("x86-64", "AArch64"), or NULL if unknown. */
const char *hull_elf_machine_name(uint16_t machine);

#endif
