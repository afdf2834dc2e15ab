/* Helpers shared by the language catalogers: per-file de-duplication, the paths that may
 * hold an executable, and bounds-checked ELF lookups on captured bytes (Go build info,
 * cargo-auditable). */
#ifndef HULL_PKG_LANG_H
#define HULL_PKG_LANG_H

#include "pkg.h"
#include "../util/strmap.h"

#include <stdint.h>

/* A set of "name@version" keys, so one lockfile listing a package many times (nested
 * installs, several ranges resolving to one version) yields it once. */
struct hull_pkg_seen {
	struct strmap map;
};

/* Adds a package unless name or version is empty or name@version was already added from
 * this file; returns it, or NULL. */
struct hull_package *hull_pkg_add_once(struct hull_inventory *inv, struct hull_pkg_seen *seen,
				       const char *type, const char *name, const char *version,
				       const struct hull_pkg_file *f, const char *cataloger);
void hull_pkg_seen_free(struct hull_pkg_seen *seen);

/* The last path segment. */
const char *hull_pkg_basename(const char *path);
/* Everything before the last '/' ("/" for "/x"). */
char *hull_pkg_dirname(const char *path);

/* go.mod's "go" directive, by directory (gomod.c); the last one recorded wins. */
void hull_gomod_record(struct hull_inventory *inv, const char *dir, const char *go_version);

/* May this path be an executable worth opening (Go, Rust binaries)? A basename without
 * '.' outside data-only trees, or anything directly in a bin directory. */
bool hull_pkg_binary_path(const char *path);

/* ELF access; every offset returned lies within the data. */
struct hull_elf {
	const unsigned char *data;
	size_t len;
	bool is64, big;
};
/* False when the data is not a well-formed ELF header. */
bool hull_elf_open(struct hull_elf *e, const void *data, size_t len);
/* Finds section name; false when absent or out of bounds. */
bool hull_elf_section(const struct hull_elf *e, const char *name, size_t *off, size_t *size);
/* Maps a virtual address to a file offset through the PT_LOAD segments; *avail is how
 * many bytes of the segment follow. */
bool hull_elf_vaddr(const struct hull_elf *e, uint64_t addr, size_t *off, size_t *avail);
uint64_t hull_elf_u(const struct hull_elf *e, const unsigned char *p, int width);

#endif
