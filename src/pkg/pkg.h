/* Package inventory: one cataloger per format, each fed the contents of the files it
 * asked for during the single pass over the layers; only files visible in the merged
 * view count, and each package remembers the file and layer it came from. */
#ifndef HULL_PKG_H
#define HULL_PKG_H

#include "../layer/fs.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"

struct hull_package {
	char *name;
	char *version; /* as the package manager writes it (dpkg: with epoch) */
	char *arch;
	char *type; /* purl type: deb, apk, rpm, npm, pypi, golang, maven, gem, cargo, composer */
	char *ecosystem; /* OSV ecosystem: "Debian:12", "Alpine:v3.20", "npm", "PyPI", … */
	char *purl;
	char *source_name;    /* distro source package (dpkg Source:, apk origin, rpm srpm) */
	char *source_version; /* when it differs from version */
	char *licenses;	      /* as declared, or NULL */
	char *path;	      /* the file it was found in (absolute image path) */
	int layer;	      /* 0-based layer of that file */
	const char *cataloger;
	/* The packages it depends on, where its source says (indices into inv->pkgs,
	 * ascending, no repeats); resolved once every file has been read. */
	uint32_t *deps;
	uint32_t ndeps;
};

/* A lockfile that says which packages its project depends on directly. */
struct hull_project {
	char *path;	      /* the lockfile */
	char *name, *version; /* the project's own, when the file names them */
	int layer;
	uint32_t *deps; /* as hull_package.deps */
	uint32_t ndeps;
};

/* How a recorded dependency finds its target. */
enum hull_dep_kind {
	HULL_DEP_FILE, /* the package (dep_name, dep_version) listed in the same file */
	HULL_DEP_NAME, /* the package dep_name listed in the same file, whatever its version
			* (the lowest if several; pypi names compare PEP 503 normalised) */
	HULL_DEP_NODE, /* the installed npm package dep_name, looked up the node way from the
			* directory of the package.json (nearest node_modules up the path,
			* through symlinks) */
	HULL_DEP_PYPI, /* the installed Python distribution of that (PEP 503) name: in the
			* same site directory, else anywhere */
};

/* One dependency recorded by a cataloger while reading (see hull_pkg_depends). */
struct hull_pkg_edge {
	char *path, *name, *version; /* name NULL: the project of the file */
	char *dep_name, *dep_version;
	enum hull_dep_kind kind;
	bool by_path; /* the from end is the package of path, whatever its name */
};

struct hull_os {
	char *id;	  /* os-release ID: debian, ubuntu, alpine, almalinux, … */
	char *version_id; /* 12, 3.20.1, 9.4 */
	char *codename;
	char *pretty_name;
	char *path; /* where the identity came from */
};

struct hull_inventory {
	struct hull_os os;
	struct hull_package *pkgs; /* sorted by type, name, version, path */
	size_t npkgs, cap;
	/* dpkg, while building: licences named by each /usr/share/doc/NAME/copyright, by
	 * path (char *); applied to the deb packages once every file has been read. */
	struct strmap doc_licenses;
	/* go, while building: each go.mod's "go" directive, by directory. */
	struct strmap go_versions;
	struct hull_project *projects; /* sorted by path */
	size_t nprojects, projects_cap;
	/* While building: the dependencies the catalogers recorded. */
	struct hull_pkg_edge *edges;
	size_t nedges, edges_cap;
};

/* One captured file offered to a cataloger. */
struct hull_pkg_file {
	const char *path;
	const char *data;
	size_t len;
	int layer;
};

struct hull_cataloger {
	const char *name;
	bool (*match)(const char *path); /* wants this file's content? */
	/* Adds the packages found in f; a malformed file is a warning, not an error. */
	void (*parse)(struct hull_inventory *inv, const struct hull_pkg_file *f);
	/* Also matches programs (hull_pkg_binary_path): hull_pkg_keep then keeps only those
	 * whose content carries package data, so /usr/bin is not held in memory. */
	bool binaries;
};

/* The capture predicate to pass to hull_image_read_layers: every file any cataloger or
 * the OS detection wants. */
bool hull_pkg_wanted(const char *path, uint64_t size, void *ctx);
/* The matching keep predicate: of the files in program directories it keeps only the
 * binaries that carry package data (Go build info, cargo-auditable's .dep-v0). */
bool hull_pkg_keep(const char *path, const char *data, size_t len, void *ctx);

/* Builds the inventory from the captured contents of layers, keeping only files that
 * are visible in the merged view fs. */
int hull_inventory_build(const struct hull_layer *layers, size_t n, const struct hull_fs *fs,
			 struct hull_inventory **out, struct hull_err *err) HULL_MUST_CHECK;
void hull_inventory_free(struct hull_inventory *inv);

/* For catalogers: adds a package (strings are copied; NULLs allowed except name and
 * version); fills purl and ecosystem from the type, the OS and the qualifiers. */
struct hull_package *hull_inventory_add(struct hull_inventory *inv, const char *type,
					const char *name, const char *version,
					const struct hull_pkg_file *f, const char *cataloger);
void hull_package_set(char **field, const char *val, size_t len);

/* For catalogers: records that package (name, version) of file f (name NULL: the
 * project f describes, see hull_pkg_project) depends on (dep_name, dep_version), found
 * as kind says (dep_version is unused for NODE and PYPI). Edges whose ends are not in
 * the inventory once every file has been read are dropped. */
void hull_pkg_depends(struct hull_inventory *inv, const struct hull_pkg_file *f, const char *name,
		      const char *version, enum hull_dep_kind kind, const char *dep_name,
		      const char *dep_version);
/* As hull_pkg_depends, from the package found in file from_path (an egg-info's
 * requires.txt names the dependencies of the package its PKG-INFO describes). */
void hull_pkg_depends_of_file(struct hull_inventory *inv, const char *from_path,
			      enum hull_dep_kind kind, const char *dep_name);
/* For catalogers: the project file f describes (its direct dependencies are recorded
 * with hull_pkg_depends and name NULL); name and version may be NULL. */
void hull_pkg_project(struct hull_inventory *inv, const struct hull_pkg_file *f, const char *name,
		      const char *version);
/* Turns the recorded edges into hull_package.deps and hull_project.deps (after the
 * packages are sorted); fs (may be NULL) resolves symlinked node_modules entries. */
void hull_deps_resolve(struct hull_inventory *inv, const struct hull_fs *fs);
/* PEP 503 normalised name ("Zope.Interface" -> "zope-interface"); to free. */
char *hull_pypi_normalise(const char *name);

/* Percent-encodes s for a purl segment (keeps unreserved and sub-delims). */
void hull_purl_escape(struct strbuf *sb, const char *s);
/* Recomputes p->purl and p->ecosystem (after its fields or the OS changed). */
void hull_package_finish(const struct hull_inventory *inv, struct hull_package *p);

/* RFC 822-style stanzas (dpkg status, apk installed, METADATA): calls fn for each field
 * of each stanza, and with key NULL where a stanza ends (a blank line, or the end).
 * Continuation lines (starting with space or tab) are skipped: the fields catalogers
 * need are single-line. The value has leading blanks trimmed. */
void hull_stanzas(const char *data, size_t len, char sep,
		  void (*fn)(void *ctx, const char *key, size_t klen, const char *val, size_t vlen),
		  void *ctx);

/* OS identity files (os-release and the distro release files). */
#define HULL_OS_FILES 5
int hull_os_file_index(const char *path); /* -1 if not one */
void hull_os_detect(struct hull_os *os, const struct hull_pkg_file *const files[HULL_OS_FILES]);

/* dpkg: the distinct licences a Debian copyright file names ("License:" lines of the
 * machine-readable format, /usr/share/common-licenses/NAME references), comma-separated
 * in order of appearance; NULL when it names none. */
char *hull_dpkg_copyright_licenses(const char *data, size_t len);
/* dpkg: fills in the licences of deb packages from their copyright files, then frees
 * inv->doc_licenses. */
void hull_dpkg_apply_licenses(struct hull_inventory *inv, const struct hull_fs *fs);

extern const struct hull_cataloger *const hull_catalogers[];
extern const size_t hull_ncatalogers;

#endif
