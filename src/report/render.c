/* The table of findings renderers and the terminal probe for the table. */
#include "render.h"
#include "sbom.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void render_json(const struct hull_findings *l, const struct hull_report_meta *m,
			const struct hull_render_opts *o, struct strbuf *out)
{
	(void)o;
	hull_findings_render_json(l, m, out);
}

static void render_sarif(const struct hull_findings *l, const struct hull_report_meta *m,
			 const struct hull_render_opts *o, struct strbuf *out)
{
	(void)o;
	hull_findings_render_sarif(l, m, out);
}

static void render_cyclonedx(const struct hull_findings *l, const struct hull_report_meta *m,
			     const struct hull_render_opts *o, struct strbuf *out)
{
	(void)m;
	struct hull_sbom_opts so = {.findings = l};
	hull_sbom_render_cyclonedx(o->in, o->inv, &so, out);
}

static void render_spdx(const struct hull_findings *l, const struct hull_report_meta *m,
			const struct hull_render_opts *o, struct strbuf *out)
{
	(void)l;
	(void)m;
	struct hull_sbom_opts so = {0};
	hull_sbom_render_spdx(o->in, o->inv, &so, out);
}

static const struct hull_renderer renderers[] = {
	{"table", false, hull_report_render_table},
	{"json", false, render_json},
	{"sarif", false, render_sarif},
	{"junit", false, hull_report_render_junit},
	{"html", false, hull_report_render_html},
	{"cyclonedx", true, render_cyclonedx},
	{"spdx-json", true, render_spdx},
};

const struct hull_renderer *hull_report_renderer(const char *name, bool with_image)
{
	for (size_t i = 0; i < ARRAY_SIZE(renderers); i++)
		if (!strcmp(name, renderers[i].name) && (with_image || !renderers[i].needs_image))
			return &renderers[i];
	return NULL;
}

const char *hull_report_format_names(bool with_image)
{
	return with_image ? "table, json, sarif, junit, html, cyclonedx, spdx-json"
			  : "table, json, sarif, junit, html";
}

bool hull_report_is_sbom(const struct hull_renderer *r)
{
	return r->needs_image;
}

void hull_report_terminal(struct hull_render_opts *o, bool to_stdout, bool no_color)
{
	const char *nc = getenv("NO_COLOR");
	bool tty = to_stdout && isatty(STDOUT_FILENO);
	o->color = tty && !no_color && !(nc && *nc);
	o->width = 0;
	struct winsize ws;
	if (tty && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		o->width = ws.ws_col;
	const char *cols = getenv("COLUMNS");
	if (!o->width && cols && *cols) {
		char *end;
		long v = strtol(cols, &end, 10);
		if (!*end && v > 0 && v < 10000)
			o->width = (unsigned)v;
	}
	if (!o->width)
		o->width = 100;
}

size_t hull_report_strwidth(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xc0) != 0x80;
	return n;
}
