/* Base-image and Dockerfile attribution of image findings (docs/policy.md). */
#include "attrib.h"
#include "../lint/dockerfile.h"
#include "../util/json.h"
#include "../util/strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define BASE_DIGEST_ANN	 "org.opencontainers.image.base.digest"
#define BASE_NAME_ANN	 "org.opencontainers.image.base.name"
#define BUILDKIT_COMMENT "buildkit.dockerfile.v0"
#define MAX_DOCKERFILE	 (4u << 20)

static bool empty_layer(json_t *h)
{
	return json_is_true(json_object_get(h, "empty_layer"));
}

static const char *created_by(json_t *h)
{
	const char *s = json_string_value(json_object_get(h, "created_by"));
	return s ? s : "";
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* ---- parsing created_by ---- */

/* "|2 A=b C=d /bin/sh -c cmd": the build-argument prefix of classic and BuildKit RUN
 * entries. Returns s past it. */
static const char *skip_build_args(const char *s)
{
	if (*s != '|' || !isdigit((unsigned char)s[1]))
		return s;
	const char *sh = strstr(s, "/bin/sh -c ");
	if (sh)
		return sh;
	char *end;
	long n = strtol(s + 1, &end, 10);
	s = end;
	for (long i = 0; i < n && *s; i++) {
		s = skip_ws(s);
		while (*s && *s != ' ')
			s++;
	}
	return skip_ws(s);
}

/* The instruction an entry's created_by records: keyword (upper case) and its text. */
struct hinst {
	char kw[16];
	const char *text;
	size_t len;
};

static bool word_is_keyword(const char *s, size_t n)
{
	static const char *const kws[] = {"RUN",     "COPY",	   "ADD",    "ENV",   "LABEL",
					  "WORKDIR", "USER",	   "EXPOSE", "CMD",   "ENTRYPOINT",
					  "VOLUME",  "STOPSIGNAL", "ARG",    "SHELL", "HEALTHCHECK",
					  "ONBUILD", "MAINTAINER"};
	for (size_t i = 0; i < ARRAY_SIZE(kws); i++)
		if (strlen(kws[i]) == n && !memcmp(kws[i], s, n))
			return true;
	return false;
}

static bool parse_created_by(const char *cb, struct hinst *h)
{
	const char *s = skip_ws(cb);
	size_t len;
	memset(h, 0, sizeof(*h));
	if (has_prefix(s, "/bin/sh -c #(nop)")) {
		s = skip_ws(s + strlen("/bin/sh -c #(nop)"));
	} else {
		s = skip_build_args(s);
		if (has_prefix(s, "/bin/sh -c ")) {
			memcpy(h->kw, "RUN", 4);
			h->text = s + strlen("/bin/sh -c ");
			h->len = strlen(h->text);
			return true;
		}
	}
	len = strlen(s);
	if (len >= 11 && !memcmp(s + len - 11, " # buildkit", 11))
		len -= 11;
	size_t w = 0;
	while (w < len && isupper((unsigned char)s[w]))
		w++;
	if (!w || w >= sizeof(h->kw) || (w < len && s[w] != ' ') || !word_is_keyword(s, w))
		return false;
	memcpy(h->kw, s, w);
	h->kw[w] = 0;
	const char *t = skip_ws(s + w);
	h->len = len - (size_t)(t - s);
	h->text = t;
	if (!strcmp(h->kw, "RUN")) {
		/* BuildKit: "RUN |1 A=b /bin/sh -c cmd", "RUN --mount=… /bin/sh -c cmd" */
		const char *r = skip_build_args(t);
		while (has_prefix(r, "--")) {
			while (*r && *r != ' ')
				r++;
			r = skip_ws(r);
		}
		if (has_prefix(r, "/bin/sh -c "))
			r += strlen("/bin/sh -c ");
		if (r > t + h->len) /* the prefix ran into the " # buildkit" suffix */
			r = t + h->len;
		h->len -= (size_t)(r - t);
		h->text = r;
	}
	return true;
}

/* Whitespace runs collapse to one space; ends trimmed. */
static void norm(struct strbuf *sb, const char *s, size_t n)
{
	bool space = false;
	for (size_t i = 0; i < n; i++) {
		if (isspace((unsigned char)s[i])) {
			space = sb->len > 0;
			continue;
		}
		if (space)
			strbuf_addch(sb, ' ');
		space = false;
		strbuf_addch(sb, s[i]);
	}
}

/* The destination of a COPY/ADD entry: after " in " (classic "file:… in /x"), else the
 * last word; trailing slashes dropped. */
static void hist_dest(const struct hinst *h, struct strbuf *out)
{
	struct strbuf t = STRBUF_INIT;
	norm(&t, h->text, h->len);
	const char *in = NULL;
	for (const char *p = t.buf ? strstr(t.buf, " in ") : NULL; p; p = strstr(p + 1, " in "))
		in = p;
	const char *d =
		in ? in + 4 : (t.buf && strrchr(t.buf, ' ') ? strrchr(t.buf, ' ') + 1 : t.buf);
	strbuf_adds(out, d ? d : "");
	while (out->len > 1 && out->buf[out->len - 1] == '/')
		out->buf[--out->len] = 0;
	strbuf_release(&t);
}

static void inst_dest(const struct df_inst *in, struct strbuf *out)
{
	if (in->argc)
		strbuf_adds(out, in->argv[in->argc - 1]);
	while (out->len > 1 && out->buf[out->len - 1] == '/')
		out->buf[--out->len] = 0;
}

/* 2: the same instruction; 1: the same keyword only; 0: different. */
static int match(const struct hinst *h, const struct df_inst *in)
{
	if (strcmp(h->kw, in->keyword))
		return 0;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	if (!strcmp(h->kw, "COPY") || !strcmp(h->kw, "ADD")) {
		hist_dest(h, &a);
		inst_dest(in, &b);
	} else if (in->json && in->argc && !strcmp(h->kw, "RUN")) {
		norm(&a, h->text, h->len);
		for (size_t i = 0; i < in->argc; i++) {
			if (i)
				strbuf_addch(&b, ' ');
			strbuf_adds(&b, in->argv[i]);
		}
	} else {
		norm(&a, h->text, h->len);
		norm(&b, in->args ? in->args : "", in->args ? strlen(in->args) : 0);
	}
	int r = !strcmp(a.buf ? a.buf : "", b.buf ? b.buf : "") ? 2 : 1;
	strbuf_release(&a);
	strbuf_release(&b);
	return r;
}

/* The stage that FROM instruction k builds on when it names an earlier stage ("FROM build"
 * after "FROM golang AS build"): the index of that stage's FROM, or -1 for an external
 * image. Stage names compare case-insensitively, as BuildKit's do. */
static long from_stage(const struct df_doc *doc, size_t k)
{
	const struct df_inst *in = &doc->insts[k];
	if (!in->image || in->tag || in->digest || in->registry)
		return -1;
	for (long j = (long)k - 1; j >= 0; j--) {
		const struct df_inst *s = &doc->insts[j];
		if (s->kind == DF_FROM && s->alias && !strcasecmp(s->alias, in->image))
			return j;
	}
	return -1;
}

/* The instructions whose layers and history entries the final image holds: the final
 * stage's, preceded by those of the stages it is built FROM by name, back to the stage
 * that starts from an external image. Indices into doc->insts, earliest stage first;
 * FROM lines and comments left out. Returns how many (out has room for doc->n). */
static size_t stage_chain(const struct df_doc *doc, size_t *out)
{
	long from = -1;
	for (size_t i = 0; i < doc->n; i++)
		if (doc->insts[i].kind == DF_FROM)
			from = (long)i;
	size_t n = 0;
	size_t end = doc->n; /* the current stage runs from from + 1 to end - 1 */
	for (;;) {
		size_t start = from < 0 ? 0 : (size_t)from + 1;
		size_t k = 0;
		for (size_t i = start; i < end; i++)
			k += doc->insts[i].kind != DF_COMMENT && doc->insts[i].kind != DF_FROM;
		memmove(out + k, out, n * sizeof(*out)); /* earlier stages go first */
		k = 0;
		for (size_t i = start; i < end; i++)
			if (doc->insts[i].kind != DF_COMMENT && doc->insts[i].kind != DF_FROM)
				out[k++] = i;
		n += k;
		long prev = from < 0 ? -1 : from_stage(doc, (size_t)from);
		if (prev < 0)
			return n;
		end = (size_t)prev + 1;
		while (end < doc->n && doc->insts[end].kind != DF_FROM)
			end++;
		from = prev;
	}
}

int hull_attrib_dockerfile_map(json_t *history, const char *name, const char *text, size_t len,
			       long stop, size_t *line, struct hull_err *err)
{
	struct df_doc doc;
	int rc = df_parse(&doc, text, len, name, err);
	size_t nh = json_array_size(history), matched = 0;
	for (size_t i = 0; i < nh; i++)
		line[i] = 0;
	if (rc) {
		df_free(&doc);
		return rc;
	}
	_cleanup_free_ size_t *chain = xcalloc(doc.n ? doc.n : 1, sizeof(size_t));
	long q = (long)stage_chain(&doc, chain) - 1;
	for (long h = (long)nh - 1; h > stop && q >= 0; h--) {
		struct hinst hi;
		if (!parse_created_by(created_by(json_array_get(history, (size_t)h)), &hi))
			break;
		long found = -1;
		for (long j = q; j >= 0 && found < 0; j--)
			if (match(&hi, &doc.insts[chain[j]]) == 2)
				found = j;
		/* no exact match: accept the nearest instruction of the same keyword */
		if (found < 0 && match(&hi, &doc.insts[chain[q]]) == 1)
			found = q;
		if (found < 0)
			break;
		line[h] = (size_t)doc.insts[chain[found]].line;
		matched++;
		q = found - 1;
	}
	df_free(&doc);
	return (int)matched;
}

/* ---- the base image ---- */

static bool is_boundary(json_t *h)
{
	const char *s = created_by(h);
	if (has_prefix(s, "/bin/sh -c #(nop)"))
		s = skip_ws(s + strlen("/bin/sh -c #(nop)"));
	return has_prefix(s, "CMD ") || has_prefix(s, "ENTRYPOINT ") || !strcmp(s, "CMD") ||
	       !strcmp(s, "ENTRYPOINT");
}

static bool buildkit_entry(json_t *h)
{
	const char *c = json_string_value(json_object_get(h, "comment"));
	return c && !strcmp(c, BUILDKIT_COMMENT);
}

long hull_attrib_history_boundary(json_t *history, bool annotated)
{
	size_t n = json_array_size(history);
	long i = (long)n - 1;
	while (i >= 0 && empty_layer(json_array_get(history, (size_t)i)))
		i--; /* the image's own CMD, ENTRYPOINT, EXPOSE, … at the end */
	for (long j = i; j >= 0; j--) {
		json_t *h = json_array_get(history, (size_t)j);
		if (empty_layer(h) && is_boundary(h))
			return j;
	}
	if (!annotated || !n)
		return -1;
	long k = (long)n - 1;
	while (k >= 0 && buildkit_entry(json_array_get(history, (size_t)k)))
		k--;
	return k >= 0 && k < (long)n - 1 ? k : -1;
}

static bool annotated(const struct hull_image *img)
{
	if (!img->manifest_raw)
		return false;
	json_t *m = json_loadb(img->manifest_raw, img->manifest_len, 0, NULL);
	json_t *ann = json_object_get(m, "annotations");
	bool yes = json_is_string(json_object_get(ann, BASE_DIGEST_ANN)) ||
		   json_is_string(json_object_get(ann, BASE_NAME_ANN));
	json_decref(m);
	return yes;
}

/* --base: the layers whose diff_ids the base image starts with. */
static int base_from_image(const struct hull_image *img, const struct hull_attrib_opts *o,
			   struct hull_attrib *a, struct hull_err *err)
{
	struct hull_image *base = NULL;
	int rc = hull_image_open(o->base_source, o->open, &base, err);
	if (rc)
		return rc;
	size_t k = 0;
	while (k < img->nlayers && k < base->nlayers && img->layers[k].diff_id &&
	       base->layers[k].diff_id && !strcmp(img->layers[k].diff_id, base->layers[k].diff_id))
		k++;
	if (!k)
		hull_warn("--base %s: the image does not start with the base's layers; no "
			  "finding is attributed to the base",
			  o->base_source);
	for (size_t i = 0; i < img->nlayers; i++)
		a->layer_base[i] = i < k ? HULL_BASE_YES : HULL_BASE_NO;
	hull_image_free(base);
	a->method = HULL_BASE_BY_IMAGE;
	return 0;
}

/* The layer each history entry made (-1 for empty ones); false when the history does
 * not account for every layer. */
static bool hist_layers(json_t *hist, size_t nlayers, long *layer)
{
	size_t li = 0;
	for (size_t i = 0; i < json_array_size(hist); i++)
		layer[i] = empty_layer(json_array_get(hist, i)) ? -1 : (long)li++;
	return li == nlayers;
}

static int read_dockerfile(const char *path, json_t *hist, long stop, size_t *line,
			   struct hull_err *err)
{
	char *text;
	size_t len;
	int rc = hull_read_file(path, MAX_DOCKERFILE, &text, &len, err);
	if (rc)
		return rc;
	rc = hull_attrib_dockerfile_map(hist, path, text, len, stop, line, err);
	free(text);
	return rc < 0 ? rc : 0;
}

int hull_attrib_compute(const struct hull_image *img, const struct hull_attrib_opts *o,
			struct hull_attrib *a, struct hull_err *err)
{
	memset(a, 0, sizeof(*a));
	json_t *hist = img->config ? json_object_get(img->config, "history") : NULL;
	if (!json_is_array(hist))
		hist = NULL;
	a->nlayers = img->nlayers;
	a->layer_base = xcalloc(img->nlayers ? img->nlayers : 1, sizeof(*a->layer_base));
	a->layer_hist = xcalloc(img->nlayers ? img->nlayers : 1, sizeof(*a->layer_hist));
	for (size_t i = 0; i < img->nlayers; i++)
		a->layer_hist[i] = -1;
	a->nhist = json_array_size(hist);
	a->hist_base = xcalloc(a->nhist ? a->nhist : 1, sizeof(*a->hist_base));
	a->hist_line = xcalloc(a->nhist ? a->nhist : 1, sizeof(*a->hist_line));
	_cleanup_free_ long *layer = xcalloc(a->nhist ? a->nhist : 1, sizeof(long));
	bool usable = hist && hist_layers(hist, img->nlayers, layer);
	for (size_t i = 0; usable && i < a->nhist; i++)
		if (layer[i] >= 0)
			a->layer_hist[layer[i]] = (long)i;
	int rc = 0;
	long stop = -1;
	if (o->base_source) {
		rc = base_from_image(img, o, a, err);
		/* history entries follow their layers; empty ones the layer before them */
		long last = -1;
		for (size_t i = 0; !rc && usable && i < a->nhist; i++) {
			last = layer[i] >= 0 ? layer[i] : last;
			a->hist_base[i] = last >= 0 ? a->layer_base[last] : HULL_BASE_UNKNOWN;
			if (a->hist_base[i] == HULL_BASE_YES)
				stop = (long)i;
		}
	} else if (usable) {
		bool ann = annotated(img);
		stop = hull_attrib_history_boundary(hist, ann);
		if (stop >= 0) {
			a->method = ann ? HULL_BASE_BY_ANNOTATIONS : HULL_BASE_BY_HISTORY;
			for (size_t i = 0; i < a->nhist; i++) {
				enum hull_base b = (long)i <= stop ? HULL_BASE_YES : HULL_BASE_NO;
				a->hist_base[i] = b;
				if (layer[i] >= 0)
					a->layer_base[layer[i]] = b;
			}
		}
	}
	if (!rc && o->dockerfile) {
		a->dockerfile = xstrdup(o->dockerfile);
		if (hist)
			rc = read_dockerfile(o->dockerfile, hist, stop, a->hist_line, err);
	}
	if (rc)
		hull_attrib_free(a);
	return rc;
}

/* "history[N]…": the history entry a finding is about, or -1. */
static long history_index(const char *path)
{
	if (!path || strncmp(path, "history[", 8) || !isdigit((unsigned char)path[8]))
		return -1;
	char *end;
	long n = strtol(path + 8, &end, 10);
	return *end == ']' ? n : -1;
}

void hull_attrib_apply(const struct hull_attrib *a, struct hull_findings *l)
{
	const char *df = a->dockerfile ? hull_findings_strdup(l, a->dockerfile) : NULL;
	for (size_t i = 0; i < l->n; i++) {
		struct hull_finding *f = &l->v[i];
		long h = -1;
		if (f->layer && f->layer_index >= 0 && (size_t)f->layer_index < a->nlayers) {
			f->base = a->layer_base[f->layer_index];
			h = a->layer_hist[f->layer_index];
		} else if ((h = history_index(f->path)) >= 0 && (size_t)h < a->nhist) {
			f->base = a->hist_base[h];
		} else {
			h = -1;
		}
		if (df && h >= 0 && (size_t)h < a->nhist && a->hist_line[h]) {
			f->dockerfile = df;
			f->dockerfile_line = a->hist_line[h];
		}
	}
}

void hull_attrib_free(struct hull_attrib *a)
{
	free(a->layer_base);
	free(a->layer_hist);
	free(a->hist_base);
	free(a->hist_line);
	free(a->dockerfile);
	memset(a, 0, sizeof(*a));
}
