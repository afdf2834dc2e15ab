/* The table for terminals: findings grouped by target (the file, or the image) and kind,
 * one aligned table per group, column widths fitted to the terminal (long cells end in
 * "…"; the last column, the message, wraps instead), severities coloured on a tty, and a
 * summary line. */
#include "render.h"

#include <string.h>

enum { MAX_COLS = 6, GAP = 2, WRAP_MIN = 30 };

struct col {
	const char *header;
	size_t min;    /* never shrunk below this (unless the header is wider) */
	bool severity; /* coloured */
};

struct kind_desc {
	const char *kind;
	const char *title;
	size_t ncols;
	struct col cols[MAX_COLS];
};

static const struct kind_desc kinds[] = {
	{"vulnerability",
	 "Vulnerabilities",
	 6,
	 {{"PACKAGE", 8, false},
	  {"INSTALLED", 9, false},
	  {"FIXED", 7, false},
	  {"ID", 14, false},
	  {"SEVERITY", 8, true},
	  {"TITLE", 10, false}}},
	{"secret",
	 "Secrets",
	 4,
	 {{"SEVERITY", 8, true},
	  {"ID", 10, false},
	  {"LOCATION", 12, false},
	  {"MESSAGE", 10, false}}},
	{"misconfig",
	 "Misconfigurations",
	 4,
	 {{"SEVERITY", 8, true}, {"ID", 12, false}, {"PATH", 10, false}, {"MESSAGE", 10, false}}},
	{"k8s",
	 "Kubernetes",
	 5,
	 {{"LINE", 4, false},
	  {"SEVERITY", 8, true},
	  {"ID", 12, false},
	  {"OBJECT", 12, false},
	  {"MESSAGE", 10, false}}},
	{"lint",
	 "Dockerfile",
	 4,
	 {{"LINE", 4, false}, {"SEVERITY", 8, true}, {"ID", 6, false}, {"MESSAGE", 10, false}}},
};

static const struct kind_desc other_kind = {NULL,
					    "Other findings",
					    5,
					    {{"SEVERITY", 8, true},
					     {"KIND", 6, false},
					     {"ID", 10, false},
					     {"LOCATION", 10, false},
					     {"MESSAGE", 10, false}}};

static size_t kind_index(const char *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kind && !strcmp(kind, kinds[i].kind))
			return i;
	return ARRAY_SIZE(kinds);
}

static const struct kind_desc *kind_of(size_t k)
{
	return k < ARRAY_SIZE(kinds) ? &kinds[k] : &other_kind;
}

/* What a finding is grouped under: the file for manifests, Dockerfiles and packages
 * found in a file; the scanned artifact for image-wide findings. */
static const char *target_of(const struct hull_finding *f, const struct hull_report_meta *m)
{
	if (!strcmp(f->kind, "vulnerability"))
		return f->has_package && f->package.path ? f->package.path : m->artifact_name;
	if (!strcmp(f->kind, "k8s") || !strcmp(f->kind, "lint"))
		return f->path ? f->path : "-";
	return m->artifact_name ? m->artifact_name : "-";
}

struct item {
	const struct hull_finding *f;
	const char *target;
	size_t kind;
	size_t seq;
};

static int strcmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Groups: your layers before the base image's, then target, then kind. Rows: list order
 * for manifests and Dockerfiles; most severe first otherwise (vulnerabilities: by package
 * first). */
static int cmp_item(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int ba = a->f->base == HULL_BASE_YES, bb = b->f->base == HULL_BASE_YES;
	if (ba != bb)
		return ba - bb;
	int c = strcmp0(a->target, b->target);
	if (c)
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (!strcmp(a->f->kind, "vulnerability")) {
		c = strcmp0(a->f->package.name, b->f->package.name);
		if (c)
			return c;
	}
	/* A file's findings stay in line order; image-wide ones go most severe first. */
	if (strcmp(a->f->kind, "k8s") && strcmp(a->f->kind, "lint") &&
	    a->f->severity != b->f->severity)
		return a->f->severity > b->f->severity ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool same_group(const struct item *a, const struct item *b)
{
	return (a->f->base == HULL_BASE_YES) == (b->f->base == HULL_BASE_YES) &&
	       !strcmp0(a->target, b->target) && a->kind == b->kind;
}

/* Cell text: control characters (C0, DEL, C1) become spaces, so names from an image cannot
 * drive the terminal. */
static char *clean(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			strbuf_addch(&sb, ' ');
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			strbuf_addch(&sb, ' '), p++;
		else
			strbuf_addch(&sb, (char)*p);
	}
	return strbuf_detach(&sb, NULL);
}

static char *object_text(const struct hull_finding_object *o)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, o->kind ? o->kind : "?");
	if (o->namespace_)
		strbuf_addf(&sb, "/%s", o->namespace_);
	strbuf_addf(&sb, "/%s", o->name ? o->name : "?");
	if (o->container)
		strbuf_addf(&sb, " container %s", o->container);
	return strbuf_detach(&sb, NULL);
}

static char *location_text(const struct hull_finding *f)
{
	if (f->line)
		return xasprintf("%s:%zu", f->path ? f->path : "-", f->line);
	return xstrdup(f->path ? f->path : "-");
}

/* The cells of one row (raw; cleaned by the caller). */
static void row_cells(const struct hull_finding *f, size_t k, char *cells[MAX_COLS])
{
	const char *sev = hull_severity_name(f->severity);
	const char *msg = f->message ? f->message : f->title;
	const char *kind = kind_of(k)->kind ? kind_of(k)->kind : "";
	if (!strcmp(kind, "vulnerability")) {
		cells[0] = xstrdup(f->package.name ? f->package.name : "-");
		cells[1] = xstrdup(f->package.version ? f->package.version : "-");
		cells[2] = xstrdup(f->fixed_version ? f->fixed_version : "");
		cells[3] = xstrdup(f->id);
		cells[4] = xstrdup(sev);
		cells[5] = xstrdup(f->title ? f->title : msg ? msg : "");
	} else if (!strcmp(kind, "secret") || !strcmp(kind, "misconfig")) {
		cells[0] = xstrdup(sev);
		cells[1] = xstrdup(f->id);
		cells[2] = location_text(f);
		cells[3] = xstrdup(msg ? msg : "");
	} else if (!strcmp(kind, "k8s")) {
		cells[0] = f->line ? xasprintf("%zu", f->line) : xstrdup("-");
		cells[1] = xstrdup(sev);
		cells[2] = xstrdup(f->id);
		cells[3] = f->has_object ? object_text(&f->object) : xstrdup("-");
		cells[4] = xstrdup(msg ? msg : "");
	} else if (!strcmp(kind, "lint")) {
		cells[0] = f->line ? xasprintf("%zu", f->line) : xstrdup("-");
		cells[1] = xstrdup(sev);
		cells[2] = xstrdup(f->id);
		cells[3] = xstrdup(msg ? msg : "");
	} else {
		cells[0] = xstrdup(sev);
		cells[1] = xstrdup(f->kind);
		cells[2] = xstrdup(f->id);
		cells[3] = location_text(f);
		cells[4] = xstrdup(msg ? msg : "");
	}
}

static const char *sev_color(const char *sev)
{
	static const char *const c[HULL_SEV_COUNT] = {"\033[2m", "\033[34m", "\033[33m", "\033[31m",
						      "\033[1;31m"};
	enum hull_severity s;
	return hull_severity_parse(sev, &s) ? "" : c[s];
}

/* Adds s cut to width columns ("…" marks a cut), padded to width unless last. */
static void add_cell(struct strbuf *out, const char *s, size_t width, bool last, const char *color)
{
	size_t w = hull_report_strwidth(s), used = 0;
	if (color && *color)
		strbuf_adds(out, color);
	if (w <= width) {
		strbuf_adds(out, s);
		used = w;
	} else if (width) {
		const char *p = s;
		for (size_t n = 0; *p && n < width - 1; n++) {
			do
				strbuf_addch(out, *p++);
			while ((*p & 0xc0) == 0x80);
		}
		strbuf_adds(out, "…");
		used = width;
	}
	if (color && *color)
		strbuf_adds(out, "\033[0m");
	for (; !last && used < width; used++)
		strbuf_addch(out, ' ');
}

static size_t floor_of(const struct col *c, size_t floor)
{
	size_t hw = hull_report_strwidth(c->header);
	floor = c->min > floor ? c->min : floor;
	return hw > floor ? hw : floor;
}

/* Shrinks the widest column of [from, to) still above its floor by one; false if none. */
static bool shrink_one(const struct kind_desc *d, size_t from, size_t to, size_t floor,
		       size_t w[MAX_COLS])
{
	size_t best = MAX_COLS;
	for (size_t c = from; c < to; c++)
		if (w[c] > floor_of(&d->cols[c], floor) && (best == MAX_COLS || w[c] > w[best]))
			best = c;
	if (best == MAX_COLS)
		return false;
	w[best]--;
	return true;
}

/* Natural widths, then shrink until the row fits: the last column (it wraps) down to
 * WRAP_MIN first, then the widest other column (it is cut with "…"), then the last
 * column down to its own minimum. A row wider than that overflows. */
static void fit(const struct kind_desc *d, char *(*cells)[MAX_COLS], size_t nrows, size_t total,
		size_t w[MAX_COLS])
{
	size_t sum = GAP * (d->ncols - 1), last = d->ncols - 1;
	for (size_t c = 0; c < d->ncols; c++) {
		w[c] = hull_report_strwidth(d->cols[c].header);
		for (size_t r = 0; r < nrows; r++) {
			size_t cw = hull_report_strwidth(cells[r][c]);
			w[c] = cw > w[c] ? cw : w[c];
		}
		sum += w[c];
	}
	while (sum > total && shrink_one(d, last, last + 1, WRAP_MIN, w))
		sum--;
	while (sum > total && shrink_one(d, 0, last, 0, w))
		sum--;
	while (sum > total && shrink_one(d, last, last + 1, 0, w))
		sum--;
}

/* The last column: s wrapped to width (at spaces when it can), continuation lines
 * indented to the column. */
static void add_wrapped(struct strbuf *out, const char *s, size_t width, size_t indent)
{
	const char *p = s;
	for (bool first = true; *p; first = false) {
		const char *q = p, *brk = NULL;
		for (size_t n = 0; *q && n < width; n++) {
			if (*q == ' ')
				brk = q;
			q++;
			while ((*q & 0xc0) == 0x80)
				q++;
		}
		const char *end = *q && *q != ' ' && brk && brk > p ? brk : q;
		if (!first) {
			strbuf_addch(out, '\n');
			for (size_t i = 0; i < indent; i++)
				strbuf_addch(out, ' ');
		}
		strbuf_add(out, p, (size_t)(end - p));
		for (p = end; *p == ' ';)
			p++;
	}
}

static void render_group(struct strbuf *out, const struct item *it, size_t n,
			 const struct hull_render_opts *o)
{
	const struct kind_desc *d = kind_of(it[0].kind);
	char *(*cells)[MAX_COLS] = xcalloc(n, sizeof(*cells));
	for (size_t r = 0; r < n; r++) {
		char *raw[MAX_COLS] = {0};
		row_cells(it[r].f, it[r].kind, raw);
		for (size_t c = 0; c < d->ncols; c++) {
			cells[r][c] = clean(raw[c]);
			free(raw[c]);
		}
	}
	_cleanup_free_ char *target = clean(it[0].target);
	const char *bold = o->color ? "\033[1m" : "", *reset = o->color ? "\033[0m" : "";
	strbuf_addf(out, "%s%s: %s%s (%zu)%s\n", bold, d->title, target,
		    it[0].f->base == HULL_BASE_YES ? " [base image]" : "", n, reset);
	size_t w[MAX_COLS];
	fit(d, cells, n, o->width ? o->width : 100, w);
	for (size_t c = 0; c < d->ncols; c++) {
		add_cell(out, d->cols[c].header, w[c], c + 1 == d->ncols, bold);
		if (c + 1 < d->ncols)
			strbuf_adds(out, "  ");
	}
	strbuf_addch(out, '\n');
	size_t indent = 0;
	for (size_t c = 0; c + 1 < d->ncols; c++)
		indent += w[c] + GAP;
	for (size_t r = 0; r < n; r++) {
		for (size_t c = 0; c + 1 < d->ncols; c++) {
			const char *color =
				o->color && d->cols[c].severity ? sev_color(cells[r][c]) : NULL;
			add_cell(out, cells[r][c], w[c], false, color);
			strbuf_adds(out, "  ");
			free(cells[r][c]);
		}
		add_wrapped(out, cells[r][d->ncols - 1], w[d->ncols - 1], indent);
		free(cells[r][d->ncols - 1]);
		strbuf_addch(out, '\n');
	}
	strbuf_addch(out, '\n');
	free(cells);
}

void hull_report_render_table(const struct hull_findings *l, const struct hull_report_meta *m,
			      const struct hull_render_opts *o, struct strbuf *out)
{
	struct item *items = xcalloc(l->n + 1, sizeof(*items));
	size_t counts[HULL_SEV_COUNT] = {0};
	for (size_t i = 0; i < l->n; i++) {
		const struct hull_finding *f = &l->v[i];
		items[i] = (struct item){f, target_of(f, m), kind_index(f->kind), i};
		counts[(unsigned)f->severity < HULL_SEV_COUNT ? f->severity : 0]++;
	}
	if (l->n > 1)
		qsort(items, l->n, sizeof(*items), cmp_item);
	for (size_t i = 0; i < l->n;) {
		size_t j = i + 1;
		while (j < l->n && same_group(&items[i], &items[j]))
			j++;
		render_group(out, &items[i], j - i, o);
		i = j;
	}
	free(items);
	strbuf_addf(out, "%zu finding%s (", l->n, l->n == 1 ? "" : "s");
	for (int s = HULL_SEV_CRITICAL; s >= HULL_SEV_UNKNOWN; s--) {
		const char *name = hull_severity_name((enum hull_severity)s);
		bool c = o->color && counts[s];
		strbuf_addf(out, "%s%s%s: %zu%s", s == HULL_SEV_CRITICAL ? "" : ", ",
			    c ? sev_color(name) : "", name, counts[s], c ? "\033[0m" : "");
	}
	strbuf_adds(out, ")\n");
	for (size_t i = 0; i < m->nexpired; i++) {
		strbuf_adds(out, "expired ignore: ");
		hull_expired_ignore_describe(&m->expired[i], out);
		strbuf_addch(out, '\n');
	}
}
