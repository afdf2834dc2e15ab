/* One entry point for every findings format of hull image, fs and k8s: a table of
 * renderers (one file each: table.c, findings.c (json), sarif.c, junit.c, html.c, sbom.c),
 * selected by name. */
#ifndef HULL_REPORT_RENDER_H
#define HULL_REPORT_RENDER_H

#include "../layer/inspect.h"
#include "../pkg/pkg.h"
#include "findings.h"

struct hull_render_opts {
	bool color;	/* table: ANSI colours */
	unsigned width; /* table: columns to fit (0: 100) */
	/* Images and directories (NULL for k8s): layers for the html chart, packages for
	 * the SBOM formats. */
	const struct hull_inspect *in;
	const struct hull_inventory *inv;
};

typedef void (*hull_renderer_fn)(const struct hull_findings *l, const struct hull_report_meta *m,
				 const struct hull_render_opts *o, struct strbuf *out);

struct hull_renderer {
	const char *name;
	bool needs_image; /* SBOM formats: only with an image or directory */
	hull_renderer_fn fn;
};

/* Finds a renderer by name; NULL when unknown (or when it needs an image and
 * with_image is false). */
const struct hull_renderer *hull_report_renderer(const char *name, bool with_image);
/* "table, json, sarif, junit, html" (+ ", cyclonedx, spdx-json" with_image); static. */
const char *hull_report_format_names(bool with_image);
/* Whether the format is an SBOM (not a findings report: no --exit-code). */
bool hull_report_is_sbom(const struct hull_renderer *r);

/* Colour and width for a table written to stdout (to_stdout false: a file, no colour):
 * colour when stdout is a terminal, unless no_color or $NO_COLOR (non-empty); width from
 * the terminal, else $COLUMNS, else 100. */
void hull_report_terminal(struct hull_render_opts *o, bool to_stdout, bool no_color);

/* The renderers (one file each). */
void hull_report_render_table(const struct hull_findings *l, const struct hull_report_meta *m,
			      const struct hull_render_opts *o, struct strbuf *out);
void hull_report_render_junit(const struct hull_findings *l, const struct hull_report_meta *m,
			      const struct hull_render_opts *o, struct strbuf *out);
void hull_report_render_html(const struct hull_findings *l, const struct hull_report_meta *m,
			     const struct hull_render_opts *o, struct strbuf *out);

/* Display width of a UTF-8 string (code points; no wide-character tables). */
size_t hull_report_strwidth(const char *s);

#endif
