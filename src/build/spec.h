/* hull-image.yaml: the build spec (docs/build.md), parsed and checked without touching
 * the file system. Every problem names the spec, line and column. */
#ifndef HULL_BUILD_SPEC_H
#define HULL_BUILD_SPEC_H

#include "../util/arena.h"
#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hull_bspec_pos {
	size_t line, col;
};

struct hull_bspec_file {
	const char *src, *dst;
	int mode;	   /* -1: from the source (0755 if executable by its owner, else 0644) */
	int dir_mode;	   /* directories created from a source tree (default 0755) */
	unsigned uid, gid; /* default 0:0 */
	const char *layer; /* default "app" */
	struct hull_bspec_pos pos;
};

struct hull_bspec_kv {
	const char *key, *val;
	struct hull_bspec_pos pos;
};

struct hull_bspec_strv {
	const char **v;
	size_t n;
	bool set;
	struct hull_bspec_pos pos;
};

struct hull_bspec {
	struct arena arena; /* every string below */
	const char *path;   /* the spec file, for messages */
	const char *base;   /* NULL for scratch */
	struct hull_bspec_pos base_pos;
	struct hull_bspec_file *files;
	size_t nfiles;
	struct {
		unsigned uid, gid;
		const char *name, *home;
	} user;
	const char *workdir;
	struct hull_bspec_strv entrypoint, cmd, layers, debs, expose;
	struct hull_bspec_kv *env, *labels, *annotations;
	size_t nenv, nlabels, nannotations;
	struct {
		struct hull_bspec_strv test;
		int64_t interval, timeout, start_period; /* nanoseconds, 0: unset */
		int retries;
	} healthcheck;
	const char *platform;
	struct hull_bspec_strv platforms; /* a multi-platform build: an index */
	const char *ca_certificates;	  /* a host path, or NULL */
	const char *tzdata;		  /* a host directory, or NULL */
	const char *stop_signal;
};

/* Parses spec text (path is only used in messages). On error *out is NULL and err says
 * "PATH:LINE:COL: what". */
int hull_bspec_parse(const char *path, const char *data, size_t len, struct hull_bspec **out,
		     struct hull_err *err) HULL_MUST_CHECK;
void hull_bspec_free(struct hull_bspec *s);

struct hull_platform;
/* files.src and debs may hold ${OS}, ${ARCH}, ${VARIANT}, ${PLATFORM} (OS/ARCH[/VARIANT])
 * and ${DEBARCH} (Debian's name of ARCH: armhf, i386, ppc64el, …): s with them replaced
 * for pl (a new string). */
char *hull_bspec_subst(const char *s, const struct hull_platform *pl);
/* Debian's architecture name for a platform ("amd64", "arm64", "armhf", …). */
const char *hull_bspec_debarch(const struct hull_platform *pl);

#define HULL_BSPEC_CA_DEFAULT	  "/etc/ssl/certs/ca-certificates.crt"
#define HULL_BSPEC_TZDATA_DEFAULT "/usr/share/zoneinfo"

#endif
