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

/* Length of the valid UTF-8 sequence at p (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
	if (*p < 0x80)
		return 1;
	size_t n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
	if (!n || (n == 2 && *p < 0xc2) || (n == 4 && *p > 0xf4))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && *p == 0xe0 && p[1] < 0xa0) || (n == 3 && *p == 0xed && p[1] >= 0xa0) ||
	    (n == 4 && *p == 0xf0 && p[1] < 0x90) || (n == 4 && *p == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

void hull_report_xml_escape(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t n = utf8_len(p);
		switch (n ? *p : 0) {
		case '&':
			strbuf_adds(sb, "&amp;");
			break;
		case '<':
			strbuf_adds(sb, "&lt;");
			break;
		case '>':
			strbuf_adds(sb, "&gt;");
			break;
		case '"':
			strbuf_adds(sb, "&quot;");
			break;
		case '\'':
			strbuf_adds(sb, "&#39;");
			break;
		case '\t':
		case '\n':
			strbuf_addch(sb, (char)*p);
			break;
		default:
			/* Invalid UTF-8 and characters XML 1.0 forbids become U+FFFD. */
			if (!n || *p < 0x20 || *p == 0x7f ||
			    (n == 3 && *p == 0xef && p[1] == 0xbf && p[2] >= 0xbe))
				strbuf_adds(sb, "\xef\xbf\xbd");
			else
				strbuf_add(sb, p, n);
		}
		p += n ? n : 1;
	}
}
