/* The lint driver: parse, run every rule of the table over the top-level instructions
 * (and ONBUILD triggers where hadolint does), then apply pragmas, ignores, severity
 * overrides, and sort by line. */
#include "lint.h"
#include "pragma.h"
#include "rules.h"

#include "../secret/secret.h"
#include "../util/pool.h"
#include "../util/strbuf.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *const sev_names[] = {"error", "warning", "info", "style", "ignore"};

const char *hull_lint_sev_name(enum hull_lint_sev s)
{
	return (size_t)s < ARRAY_SIZE(sev_names) ? sev_names[s] : "ignore";
}

int hull_lint_sev_parse(const char *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(sev_names); i++)
		if (!strcasecmp(s, sev_names[i]))
			return (int)i;
	return strcasecmp(s, "none") ? -1 : HULL_LINT_IGNORE;
}

void hull_lint_opts_init(struct hull_lint_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->threshold = HULL_LINT_INFO;
	o->cache = xcalloc(1, sizeof(*o->cache));
}

int hull_lint_shellcheck_state(const struct hull_lint_opts *o)
{
	if (o && o->cache && o->cache->sc_failed)
		return -2;
	return o && o->cache ? o->cache->sc_state : 0;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A worker's cache (parent set) does not own the secret engine. */
static void cache_free(struct lint_cache *cache)
{
	if (cache->scratch)
		hull_secret_scratch_free(cache->scratch);
	if (cache->secrets && !cache->parent)
		hull_secret_engine_free(cache->secrets);
	free(cache->sc_path);
	lint_shellcheck_free(cache);
	free(cache);
}

void hull_lint_opts_free(struct hull_lint_opts *o)
{
	free_list(o->ignored, o->nignored);
	free_list(o->trusted, o->ntrusted);
	for (size_t i = 0; i < o->noverrides; i++)
		free(o->overrides[i].code);
	free(o->overrides);
	for (size_t i = 0; i < o->nlabels; i++) {
		free(o->labels[i].name);
		free(o->labels[i].type);
	}
	free(o->labels);
	free(o->format);
	if (o->cache)
		cache_free(o->cache);
	memset(o, 0, sizeof(*o));
}

void hull_lint_opts_ignore(struct hull_lint_opts *o, const char *code)
{
	o->ignored = xreallocarray(o->ignored, o->nignored + 1, sizeof(*o->ignored));
	o->ignored[o->nignored++] = xstrdup(code);
}

void hull_lint_opts_override(struct hull_lint_opts *o, const char *code, enum hull_lint_sev s)
{
	o->overrides = xreallocarray(o->overrides, o->noverrides + 1, sizeof(*o->overrides));
	o->overrides[o->noverrides].code = xstrdup(code);
	o->overrides[o->noverrides++].sev = s;
}

void hull_lint_opts_format(struct hull_lint_opts *o, const char *name, bool replace)
{
	char *v = replace || !o->format ? xstrdup(name) : xasprintf("%s,%s", o->format, name);
	free(o->format);
	o->format = v;
}

void hull_lint_opts_trust(struct hull_lint_opts *o, const char *registry)
{
	o->trusted = xreallocarray(o->trusted, o->ntrusted + 1, sizeof(*o->trusted));
	o->trusted[o->ntrusted++] = xstrdup(registry);
}

int hull_lint_opts_label(struct hull_lint_opts *o, const char *spec, struct hull_err *err)
{
	static const char *const types[] = {"text", "url",     "semver", "hash",
					    "spdx", "rfc3339", "email"};
	const char *colon = strrchr(spec, ':');
	if (!colon || colon == spec)
		return hull_err_set(err, HULL_EUSAGE, "label schema \"%s\": expected NAME:TYPE",
				    spec);
	bool known = false;
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		known |= streq(colon + 1, types[i]);
	if (!known)
		return hull_err_set(err, HULL_EUSAGE,
				    "label schema \"%s\": type must be text, url, semver, hash, "
				    "spdx, rfc3339 or email",
				    spec);
	o->labels = xreallocarray(o->labels, o->nlabels + 1, sizeof(*o->labels));
	o->labels[o->nlabels].name = xstrndup(spec, (size_t)(colon - spec));
	o->labels[o->nlabels++].type = xstrdup(colon + 1);
	return 0;
}

void hull_lint_result_free(struct hull_lint_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		free(res->v[i].msg);
	free(res->v);
	memset(res, 0, sizeof(*res));
}

/* A file that does not parse (DL1000) fails the run whatever the threshold, as in
 * hadolint; only --no-fail passes it. */
bool hull_lint_failed(const struct hull_lint_result *res, const struct hull_lint_opts *o)
{
	if (o->no_fail)
		return false;
	for (size_t i = 0; i < res->n; i++)
		if (hull_lint_parse_error(&res->v[i]) || res->v[i].sev <= o->threshold)
			return true;
	return false;
}

/* The level of code's findings: the most severe of its overrides, whatever their order
 * (hadolint applies error overrides last, after warning, info and style), or sev. */
static enum hull_lint_sev override_sev(const struct hull_lint_opts *o, const char *code,
				       enum hull_lint_sev sev)
{
	bool set = false;
	for (size_t i = 0; o && i < o->noverrides; i++)
		if (streq(o->overrides[i].code, code) && (!set || o->overrides[i].sev < sev)) {
			sev = o->overrides[i].sev;
			set = true;
		}
	return sev;
}

/* A rule whose findings would all be dropped (ignored, or at level ignore) is not run. */
static bool rule_off(const struct hull_lint_opts *o, const struct lint_rule *rule)
{
	if (!o)
		return rule->sev >= HULL_LINT_IGNORE;
	if (o->no_hull_rules && !strncmp(rule->code, "HL", 2))
		return true;
	if (override_sev(o, rule->code, rule->sev) >= HULL_LINT_IGNORE)
		return true;
	for (size_t i = 0; i < o->nignored; i++)
		if (streq(o->ignored[i], rule->code))
			return true;
	return false;
}

static void run_rules(struct lint_ctx *c)
{
	struct df_doc *doc = c->doc;
	/* the instructions, the ONBUILD triggers, and the RUNs of each (for run_ok rules) */
	struct df_inst **all = xcalloc(4 * (doc->n ? doc->n : 1), sizeof(*all));
	struct df_inst **top = all, **ob = all + doc->n,
		       **runs[2] = {all + 2 * doc->n, all + 3 * doc->n};
	size_t nob = 0, nruns[2] = {0, 0};
	for (size_t i = 0; i < doc->n; i++) {
		top[i] = &doc->insts[i];
		if (top[i]->kind == DF_RUN)
			runs[0][nruns[0]++] = top[i];
		if (top[i]->kind == DF_ONBUILD && top[i]->sub) {
			ob[nob++] = top[i]->sub;
			if (top[i]->sub->kind == DF_RUN)
				runs[1][nruns[1]++] = top[i]->sub;
		}
	}
	for (size_t r = 0; r < lint_nrules; r++) {
		const struct lint_rule *rule = &lint_rules[r];
		if (rule_off(c->opts, rule))
			continue;
		c->rule = rule;
		for (int pass = 0; pass < (rule->onbuild ? 2 : 1); pass++) {
			if (rule->check)
				rule->check(c, pass ? ob : top, pass ? nob : doc->n);
			for (size_t i = 0; rule->run_ok && i < nruns[pass]; i++) {
				struct df_inst *in = runs[pass][i];
				if (!rule->run_ok(c, in, lint_shell(c, in)))
					lint_fail(c, in->line);
			}
		}
	}
	strmap_free(&c->aliases);
	free(all);
}

struct ignores {
	int *lines; /* instruction line each inline ignore applies to */
	char **codes;
	size_t n, cap;
	struct lint_pragma global;
	struct stage_ignore {
		int from, to; /* the stage's lines: its FROM's to the next FROM's - 1 */
		struct lint_pragma p;
	} * stages;
	size_t nstages;
};

static void add_inline(struct ignores *ig, int line, const struct lint_pragma *p)
{
	for (size_t k = 0; k < p->ncodes; k++) {
		if (ig->n + 1 > ig->cap) {
			ig->cap = ig->cap ? ig->cap * 2 : 16;
			ig->lines = xreallocarray(ig->lines, ig->cap, sizeof(*ig->lines));
			ig->codes = xreallocarray(ig->codes, ig->cap, sizeof(*ig->codes));
		}
		ig->lines[ig->n] = line;
		ig->codes[ig->n++] = xstrdup(p->codes[k]);
	}
}

/* An inline ignore applies to the line right after it, as in hadolint: to the instruction
 * that starts there, and to nothing when that line is a comment or blank. */
static void collect_pragmas(const struct df_doc *doc, struct ignores *ig)
{
	for (size_t i = 0; i < doc->n; i++) {
		if (doc->insts[i].kind != DF_COMMENT)
			continue;
		struct lint_pragma p;
		lint_pragma_parse(doc->insts[i].args, &p);
		if (p.kind == PRAGMA_IGNORE) {
			add_inline(ig, doc->insts[i].line + 1, &p);
		} else if (p.kind == PRAGMA_GLOBAL_IGNORE) {
			for (size_t k = 0; k < p.ncodes; k++) {
				ig->global.codes = xreallocarray(
					ig->global.codes, ig->global.ncodes + 1, sizeof(char *));
				ig->global.codes[ig->global.ncodes++] = xstrdup(p.codes[k]);
			}
		}
		lint_pragma_free(&p);
	}
	/* "# hadolint stage ignore=" right above a FROM: that stage's lines */
	for (size_t i = 0; i < doc->n; i++) {
		struct lint_pragma p;
		if (doc->insts[i].kind != DF_FROM ||
		    !lint_pragma_above(doc, i, PRAGMA_STAGE_IGNORE, &p))
			continue;
		int to = INT_MAX;
		for (size_t k = i + 1; k < doc->n && to == INT_MAX; k++)
			if (doc->insts[k].kind == DF_FROM)
				to = doc->insts[k].line - 1;
		ig->stages = xreallocarray(ig->stages, ig->nstages + 1, sizeof(*ig->stages));
		ig->stages[ig->nstages++] =
			(struct stage_ignore){.from = doc->insts[i].line, .to = to, .p = p};
	}
}

static bool in_list(char *const *v, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (streq(v[i], code))
			return true;
	return false;
}

static bool ignored(const struct ignores *ig, const struct hull_lint_opts *o,
		    const struct hull_lint_finding *f)
{
	if (o && in_list(o->ignored, o->nignored, f->code))
		return true;
	if (o && o->disable_pragmas)
		return false;
	if (in_list(ig->global.codes, ig->global.ncodes, f->code))
		return true;
	int line = f->inst_line ? f->inst_line : f->line;
	/* the stages ascend and do not overlap: the last one that starts on or before line */
	size_t lo = 0, hi = ig->nstages;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ig->stages[mid].from <= line)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && line <= ig->stages[lo - 1].to &&
	    in_list(ig->stages[lo - 1].p.codes, ig->stages[lo - 1].p.ncodes, f->code))
		return true;
	/* ig->lines ascend (pragmas are collected in file order): search, then scan */
	lo = 0;
	hi = ig->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ig->lines[mid] < line)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < ig->n && ig->lines[i] == line; i++)
		if (streq(ig->codes[i], f->code))
			return true;
	return false;
}

static int by_line(const void *a, const void *b)
{
	const struct hull_lint_finding *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

/* A merge sort: stable, so rule order is kept within a line (and O(n log n) for files
 * with very many findings). */
static void stable_sort(struct hull_lint_finding *v, size_t n)
{
	if (n < 2)
		return;
	struct hull_lint_finding *tmp = xcalloc(n, sizeof(*tmp));
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t a = lo, b = mid, k = lo;
			while (a < mid && b < hi)
				tmp[k++] = by_line(&v[b], &v[a]) < 0 ? v[b++] : v[a++];
			while (a < mid)
				tmp[k++] = v[a++];
			while (b < hi)
				tmp[k++] = v[b++];
		}
		memcpy(v, tmp, n * sizeof(*v));
	}
	free(tmp);
}

/* Keeps the findings from index start on that survive ignores; stable sort by line. */
static void finish(struct hull_lint_result *res, size_t start, const struct ignores *ig,
		   const struct hull_lint_opts *o)
{
	size_t m = start;
	for (size_t i = start; i < res->n; i++) {
		struct hull_lint_finding *f = &res->v[i];
		/* hadolint's ignores and overrides apply to the rules' findings only: a file
		 * that does not parse is an error however they are set */
		bool parse_error = hull_lint_parse_error(f);
		if (!parse_error)
			f->sev = override_sev(o, f->code, f->sev);
		if (!parse_error && (f->sev >= HULL_LINT_IGNORE || ignored(ig, o, f))) {
			free(f->msg);
			continue;
		}
		res->v[m++] = *f;
	}
	res->n = m;
	if (m > start) /* res->v is NULL before the first finding */
		stable_sort(res->v + start, m - start);
}

int hull_lint_buffer(const char *file, const char *text, size_t len, const struct hull_lint_opts *o,
		     struct hull_lint_result *res, struct hull_err *err)
{
	struct df_doc doc;
	if (df_parse(&doc, text, len, file, err)) {
		df_free(&doc);
		return HULL_EINPUT;
	}
	size_t start = res->n;
	struct ignores ig = {0};
	if (doc.err_msg) {
		/* hadolint reports a file it cannot parse as DL1000 and nothing else */
		lint_add(res, file, doc.err_line, doc.err_col, "DL1000", HULL_LINT_ERROR,
			 doc.err_msg);
		lint_shellcheck_file(o, file); /* its place among the files */
	} else {
		struct lint_ctx c = {.doc = &doc, .opts = o, .res = res, .file = file};
		run_rules(&c);
		lint_shellcheck(&c, text, len);
		collect_pragmas(&doc, &ig);
	}
	finish(res, start, &ig, o);
	for (size_t i = 0; i < ig.n; i++)
		free(ig.codes[i]);
	free(ig.codes);
	free(ig.lines);
	lint_pragma_free(&ig.global);
	for (size_t i = 0; i < ig.nstages; i++)
		lint_pragma_free(&ig.stages[i].p);
	free(ig.stages);
	df_free(&doc);
	return 0;
}

/* One worker's share of hull_lint_files: a contiguous run of the paths, so that joining
 * the shares in order gives the order of a sequential run. */
struct share {
	char *const *paths;
	size_t from, to;
	size_t max;
	struct hull_lint_opts opts; /* the caller's, with a cache of the worker's own */
	struct hull_lint_result res;
	struct hull_err err; /* the share stops at its first unreadable path */
};

static void lint_share(void *ctx, size_t k)
{
	struct share *sh = &((struct share *)ctx)[k];
	struct strbuf text = STRBUF_INIT; /* one buffer for the share's files */
	for (size_t i = sh->from; i < sh->to; i++) {
		int rc = hull_read_file_into(sh->paths[i], sh->max, &text, &sh->err);
		if (!rc)
			rc = hull_lint_buffer(sh->paths[i], text.buf ? text.buf : "", text.len,
					      &sh->opts, &sh->res, &sh->err);
		if (rc) {
			strbuf_release(&text);
			return;
		}
	}
	strbuf_release(&text);
	hull_lint_flush(&sh->opts, &sh->res);
}

static void share_free(struct share *sh)
{
	cache_free(sh->opts.cache);
	hull_lint_result_free(&sh->res);
	hull_err_clear(&sh->err);
}

int hull_lint_files(char *const *paths, size_t n, size_t max, unsigned workers,
		    const struct hull_lint_opts *o, struct hull_lint_result *res,
		    struct hull_err *err)
{
	/* a thread is worth it for a few dozen files, not for one */
	if (workers > n / 16)
		workers = (unsigned)(n / 16);
	if (workers < 1)
		workers = 1;
	struct share *sh = xcalloc(workers, sizeof(*sh));
	for (unsigned k = 0; k < workers; k++) {
		sh[k].paths = paths;
		sh[k].from = n * k / workers;
		sh[k].to = n * (k + 1) / workers;
		sh[k].max = max;
		sh[k].opts = *o;
		sh[k].opts.cache = xcalloc(1, sizeof(*sh[k].opts.cache));
		sh[k].opts.cache->parent = o->cache;
	}
	hull_parallel_for(workers, workers, lint_share, sh);
	int rc = 0;
	struct lint_cache *top = o->cache;
	for (unsigned k = 0; k < workers; k++) {
		struct lint_cache *c = sh[k].opts.cache;
		if (!rc && sh[k].err.code) {
			rc = sh[k].err.code;
			hull_err_set(err, sh[k].err.code, "%s", sh[k].err.msg);
		}
		/* ShellCheck's state, as one run over all the files would leave it */
		if (c->sc_state == -1 || (c->sc_state == 1 && top->sc_state == 0))
			top->sc_state = c->sc_state;
		top->sc_failed |= c->sc_failed;
	}
	for (unsigned k = 0; !rc && k < workers; k++) {
		for (size_t i = 0; i < sh[k].res.n; i++) {
			ALLOC_GROW(res->v, res->n + 1, res->cap);
			res->v[res->n++] = sh[k].res.v[i];
		}
		sh[k].res.n = 0; /* moved */
	}
	for (unsigned k = 0; k < workers; k++)
		share_free(&sh[k]);
	free(sh);
	return rc;
}
