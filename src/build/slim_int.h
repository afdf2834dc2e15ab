/* Internal to hull slim: the state shared by the reading passes (slim.c) and the
 * dependency resolution (slim_deps.c). */
#ifndef HULL_BUILD_SLIM_INT_H
#define HULL_BUILD_SLIM_INT_H

#include "../util/arena.h"
#include "../util/strmap.h"
#include "elf.h"
#include "slim.h"

#include <pthread.h>

/* What the first pass learnt about one regular file of one layer. */
enum finfo_kind { FI_ELF, FI_BAD_ELF, FI_SCRIPT };
struct finfo {
	enum finfo_kind kind;
	struct hull_elf elf; /* FI_ELF */
	char *error;	     /* FI_BAD_ELF: the parse error */
	char *interp;	     /* FI_SCRIPT: the #! interpreter path */
	char *arg;	     /* FI_SCRIPT: the rest of the #! line, or NULL */
};

/* Why a path is kept (first reason wins). */
struct keep {
	const char *why;
	bool subtree; /* a directory kept with everything below it */
};

#define SLIM_SCAN_MAX (256ULL << 20) /* larger files are kept but not analysed */

struct slim {
	const struct hull_slim_opts *o;
	const char *source;
	struct hull_image *img;
	struct hull_layer *layers; /* first pass: metadata, small config files captured */
	size_t nlayers;
	struct hull_fs *fs;
	struct arena arena;
	pthread_mutex_t lock;
	struct strmap finfo; /* "LAYER\tPATH" -> struct finfo */
	struct strmap kept;  /* path -> struct keep */
	struct strmap done;  /* executables and libraries already followed */
	struct strmap confs; /* ld.so.conf files already read */
	int tree_depth;	     /* symlinked directories kept inside kept directories */
	/* from the config */
	json_t *config;	  /* the "config" object (may be NULL) */
	char **path_dirs; /* PATH */
	size_t npath;
	char **ld_library_path;
	size_t nld;
	const char *workdir;
	/* library directories from the image's /etc/ld.so.conf */
	char **conf_dirs;
	size_t nconf, confcap;
	/* the main executable (for DT_RPATH inheritance and $ORIGIN in LD_LIBRARY_PATH) */
	const struct hull_elf *exe;
	char *exe_origin;
	int depth; /* interpreter nesting */
};

/* The visible entry at exactly path (no symlinks followed), or NULL. */
const struct hull_file *slim_lookup(const struct slim *s, const char *path);
/* The first-pass facts about f's content (NULL for plain data). */
const struct finfo *slim_finfo(const struct slim *s, const struct hull_file *f);
/* The content of a file captured by the first pass, or NULL. */
const char *slim_captured(const struct slim *s, const char *path, size_t *len);
/* Marks path kept for why (borrowed: a literal or from s->arena), unless it already is. */
void slim_keep(struct slim *s, const char *path, const char *why, bool subtree);
/* Same for a directory kept with everything below it: true when that is new. */
bool slim_keep_tree(struct slim *s, const char *path, const char *why);

/* A reason string kept in s->arena (takes the heap string). */
const char *slim_why(struct slim *s, char *heap);
/* dir/name cleaned (name if absolute); a new string. */
char *slim_join(const char *dir, const char *name);

struct slim_res {
	char *real;		   /* the resolved path (owned) */
	const struct hull_file *f; /* its entry; NULL for the root or an implied directory */
};
/* Follows symlinks through path inside the image. With why, every symlink passed is
 * kept. A ".." above the root through a symlink is an error (the link escapes the
 * image); a loop is HULL_ELIMIT; HULL_ENOTFOUND (with err set) when nothing is there. */
int slim_resolve_path(struct slim *s, const char *path, bool follow_last, const char *why,
		      struct slim_res *out, struct hull_err *err) HULL_MUST_CHECK;
/* The regular file path leads to (keeping nothing), or NULL. */
const struct hull_file *slim_probe(struct slim *s, const char *path);
/* Index of the first file-table entry strictly after dir, for a walk below it. */
size_t slim_first_below(const struct slim *s, const char *dir);
/* Keeps path (real) and, for a directory, everything below it (and what symlinks
 * there point to). */
int slim_keep_tree_at(struct slim *s, const char *path, const char *why,
		      struct hull_err *err) HULL_MUST_CHECK;
/* --include PATH|GLOB. */
int slim_include(struct slim *s, const char *pat, struct hull_err *err) HULL_MUST_CHECK;

/* Resolves everything the config's entrypoint needs, the includes and the fixed
 * files into s->kept. */
int slim_resolve(struct slim *s, struct hull_err *err) HULL_MUST_CHECK;

#endif
