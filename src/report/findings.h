/* The one finding model (DESIGN.md "One finding model") and its renderers: the
 * hull.report/v1 JSON of docs/json-report.md and SARIF 2.1.0 (the others: render.h).
 * Scanners append findings; policy (severity filter, skips) and every output format work
 * on this list. */
#ifndef HULL_REPORT_FINDINGS_H
#define HULL_REPORT_FINDINGS_H

#include "../util/arena.h"
#include "../util/strbuf.h"
#include "../util/util.h"

#include <stdbool.h>
#include <stddef.h>

/* Ordered so that a larger value is more severe. */
enum hull_severity {
	HULL_SEV_UNKNOWN = 0,
	HULL_SEV_LOW,
	HULL_SEV_MEDIUM,
	HULL_SEV_HIGH,
	HULL_SEV_CRITICAL,
	HULL_SEV_COUNT,
};

const char *hull_severity_name(enum hull_severity s);
/* Parses CRITICAL/HIGH/MEDIUM/LOW/UNKNOWN (any case); returns 0 or HULL_EUSAGE. */
int hull_severity_parse(const char *s, enum hull_severity *out) HULL_MUST_CHECK;

/* Where in a manifest a finding is (kind "k8s"). document counts from 1. */
struct hull_finding_object {
	const char *kind;
	const char *namespace_;
	const char *name;
	const char *container; /* NULL when the finding is about the object or pod */
	const char *yaml_path; /* e.g. spec.template.spec.containers[0].securityContext */
	size_t document;
};

/* The package a vulnerability finding is about (kind "vulnerability"). */
struct hull_finding_package {
	const char *name;
	const char *version;
	const char *ecosystem; /* OSV ecosystem, e.g. "Debian:12", "PyPI" */
	const char *purl;
	const char *source_name; /* distro source package, or NULL */
	const char *source_version;
	const char *path; /* the file the package was found in */
};

/* Whether a finding's layer belongs to the base image (attribution). */
enum hull_base {
	HULL_BASE_UNKNOWN = 0,
	HULL_BASE_YES,
	HULL_BASE_NO,
};

/* Strings are borrowed: static rule tables, or the owning list's arena. */
struct hull_finding {
	const char *kind; /* vulnerability | secret | misconfig | lint | k8s */
	const char *id;
	const char *const *aliases; /* NULL-terminated, may be NULL */
	enum hull_severity severity;
	const char *title;
	const char *message;
	const char *remediation;
	const char *doc; /* documentation reference, e.g. docs/k8s.md#hull-k8s-001 */
	const char *path;
	size_t line; /* 1-based; 0 when unknown */
	const char *layer;
	int layer_index; /* 0-based index of that layer; meaningful only when layer is set */
	bool has_object;
	struct hull_finding_object object;
	/* Vulnerabilities. */
	bool has_package;
	struct hull_finding_package package;
	const char *fixed_version; /* lowest fixed version above the installed one, or NULL */
	double cvss_score;	   /* base score (0 when none) */
	const char *cvss_vector;   /* the vector the score came from, or NULL */
	const char *const *urls;   /* references, NULL-terminated, may be NULL */
	/* Attribution. */
	enum hull_base base;
	const char *dockerfile; /* the Dockerfile the layer was matched to, or NULL */
	size_t dockerfile_line; /* 1-based; 0 when unknown */
};

struct hull_findings {
	struct hull_finding *v;
	size_t n, cap;
	struct arena arena; /* owns every string the list copied */
};

#define HULL_FINDINGS_INIT             \
	{                              \
		NULL, 0, 0, ARENA_INIT \
	}

/* Appends a copy of f (the struct, not its strings) and returns it. */
struct hull_finding *hull_findings_add(struct hull_findings *l, const struct hull_finding *f);
/* Copies s into the list's arena (NULL stays NULL). */
const char *hull_findings_strdup(struct hull_findings *l, const char *s);
/* Stable order: path, document, line, id. */
void hull_findings_sort(struct hull_findings *l);
void hull_findings_free(struct hull_findings *l);

struct hull_inventory;

/* An ignore-file entry past its expiry date: it no longer applies, and reports list it
 * so the owner renews or removes it (src/report/policy.c fills these). */
struct hull_expired_ignore {
	const char *id, *expires, *file, *statement; /* statement may be NULL */
	size_t line;
};

/* "FILE:LINE: ID expired on DATE and no longer applies (first line of the statement)",
 * the wording of the table, JUnit and HTML reports. */
void hull_expired_ignore_describe(const struct hull_expired_ignore *e, struct strbuf *out);

/* What was scanned, for the report header. */
struct hull_report_meta {
	const char *artifact_name;
	const char *artifact_type; /* e.g. "k8s", "container_image" */
	const char *tool_version;
	const char *digest;    /* images: the manifest digest (or NULL) */
	const char *os_family; /* images: os-release ID (or NULL) */
	const char *os_version;
	/* --list-all-pkgs: the packages listed in the JSON report (NULL: no list), with the
	 * layer digests by index to name each one's layer (NULL for a directory). */
	const struct hull_inventory *packages;
	const char *const *layers;
	size_t nlayers;
	/* Expired ignore entries (every format but the SBOMs lists them); NULL when none. */
	const struct hull_expired_ignore *expired;
	size_t nexpired;
};

void hull_findings_render_json(const struct hull_findings *l, const struct hull_report_meta *m,
			       struct strbuf *out);
void hull_findings_render_sarif(const struct hull_findings *l, const struct hull_report_meta *m,
				struct strbuf *out);

#endif
