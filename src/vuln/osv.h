/* OSV advisories (https://ossf.github.io/osv-schema/) from JSON or YAML into one in-memory
 * record, checked field by field, with the severity hull stores already worked out. */
#ifndef HULL_VULN_OSV_H
#define HULL_VULN_OSV_H

#include "../util/arena.h"
#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>

/* Limits on hostile records: a larger document, a longer string or deeper nesting makes the
 * record malformed. JSON is as strict as jansson's json_loadb with JSON_REJECT_DUPLICATES. */
#define HULL_OSV_MAX_DOC   (16u << 20)
#define HULL_OSV_MAX_STR   (1u << 20)
#define HULL_OSV_MAX_ID	   256
#define HULL_OSV_MAX_DEPTH 32

struct hull_osv_affected {
	const char *ecosystem; /* as written: "Go", "AlmaLinux:9", "Debian:12" */
	const char *name;      /* package.name as written (not normalised) */
	const char *key;       /* the name as stored: hull_vuln_pkgname(ecosystem, name) */
	const char *purl;      /* or NULL */
	const char *ranges;    /* JSON array text of the ranges minus GIT ones, "[]" when none */
	const char *versions;  /* JSON array text of "versions", or NULL when absent */
	const char *severity;  /* per-package rating mapped to CRITICAL…UNKNOWN, or NULL */
};

struct hull_osv {
	struct arena arena; /* owns every string below (see hull_osv_parse_inplace) */
	const char *id, *modified, *published, *withdrawn, *summary, *details;
	const char **aliases;
	size_t naliases;
	struct hull_osv_affected *affected;
	size_t naffected;
	const char *urls; /* JSON array text of references[].url, "[]" when none */

	/* Derived: see hull_osv_parse. */
	const char *severity;	  /* CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN */
	const char *cvss_vector;  /* the vector severity came from, or NULL */
	double cvss_score;	  /* its base score (valid when cvss_vector) */
	const char *cvss3_vector; /* highest-scoring CVSS v3.x vector, or NULL */
	double cvss3_score;
	const char *cvss4_vector; /* highest-scoring CVSS v4.0 vector, or NULL */
	double cvss4_score;
};

/* What a record had that was dropped or doubtful; counted by the importer. */
enum hull_osv_note {
	HULL_OSV_NOTE_GIT_RANGE,	 /* a GIT range, dropped (commits cannot be matched) */
	HULL_OSV_NOTE_BAD_VERSION,	 /* a version its ecosystem's comparator rejects */
	HULL_OSV_NOTE_UNKNOWN_ECOSYSTEM, /* stored, but hull has no comparator for it */
	HULL_OSV_NOTE_BAD_CVSS,		 /* a CVSS vector that does not parse, ignored */
	HULL_OSV_NOTE_NO_PACKAGE,	 /* an affected entry without a package, dropped */
	HULL_OSV_NOTE_COUNT,
};

/* Receives each note with a message (what, naming the record and value). */
typedef void (*hull_osv_note_fn)(enum hull_osv_note kind, const char *msg, void *ctx);

enum hull_osv_format { HULL_OSV_JSON, HULL_OSV_YAML };

/* Parses one OSV document of len bytes. what names it in errors and notes (a file, or
 * "ZIP:MEMBER"). A malformed record (wrong types, no id, unknown range type, limits
 * exceeded) is HULL_EINPUT with a message; the caller skips it. On success fills *rec
 * (free with hull_osv_free). The severity is: the highest CVSS v4.0 base score when there
 * is a valid v4.0 vector, else the highest v3.x, mapped to a rating (0.0 is UNKNOWN); else
 * the source's own rating (database_specific.severity, a non-CVSS severity entry such as
 * Ubuntu's, a Red Hat style "Important: …" summary prefix, else the highest per-package
 * rating), else UNKNOWN. note (may be NULL) hears about dropped or doubtful parts. */
int hull_osv_parse(const char *data, size_t len, enum hull_osv_format fmt, const char *what,
		   struct hull_osv *rec, hull_osv_note_fn note, void *ctx,
		   struct hull_err *err) HULL_MUST_CHECK;

/* Versions already found valid, per comparator, so that records repeating them (PyPA's
 * "versions" lists, AlmaLinux's package versions) are not parsed again: about 300,000
 * checks of 25,000 distinct versions in the shared data set. Not thread-safe: one per
 * thread. */
struct hull_osv_cache;
struct hull_osv_cache *hull_osv_cache_new(void);
void hull_osv_cache_free(struct hull_osv_cache *cache);

/* The same without copying a JSON document: buf (len bytes, and a '\0' at buf[len]) is
 * decoded in place, so it is modified and must outlive rec (free it after hull_osv_free).
 * A YAML document is only read. cache may be NULL. */
int hull_osv_parse_inplace(char *buf, size_t len, enum hull_osv_format fmt, const char *what,
			   struct hull_osv *rec, hull_osv_note_fn note, void *ctx,
			   struct hull_osv_cache *cache, struct hull_err *err) HULL_MUST_CHECK;

void hull_osv_free(struct hull_osv *rec);

/* Maps a source's rating word to CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN: critical;
 * high/important; moderate/medium; low/negligible/unimportant (case-insensitive). */
const char *hull_osv_rating(const char *word);

#endif
