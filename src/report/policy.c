/* Ignore files (hull plain and YAML, Trivy plain and YAML), glob and purl matching, and
 * the policy pass over a finding list. */
#include "policy.h"
#include "../util/strbuf.h"
#include "../util/yaml.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_IGNORE_FILE (4u << 20)

/* ---- dates ---- */

/* Accepts YYYY-MM-DD, optionally followed by a time ("T…" or " …"), as Trivy's
 * expired_at may carry one. Writes the date part to out. */
static bool parse_date(const char *s, char out[11])
{
	if (!s || strlen(s) < 10)
		return false;
	for (int i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;
		if (dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return false;
	}
	if (s[10] && s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return false;
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	memcpy(out, s, 10);
	out[10] = 0;
	return true;
}

void hull_today(char buf[11])
{
	const char *env = getenv("HULL_TODAY");
	if (env && parse_date(env, buf) && !env[10])
		return;
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	if (!strftime(buf, 11, "%Y-%m-%d", &tm))
		memcpy(buf, "1970-01-01", 11);
}

/* ---- building entries ---- */

static struct hull_ignore_entry *add_entry(struct hull_ignore *ig, const char *file, size_t line)
{
	ALLOC_GROW(ig->v, ig->n + 1, ig->cap);
	struct hull_ignore_entry *e = &ig->v[ig->n++];
	memset(e, 0, sizeof(*e));
	e->file = file;
	e->line = line;
	return e;
}

/* Sets e->expires from s; the entry is expired from that day on. */
static int set_expiry(struct hull_ignore *ig, struct hull_ignore_entry *e, const char *s,
		      const char *today, struct hull_err *err)
{
	char d[11];
	if (!parse_date(s, d))
		return hull_err_set(err, HULL_EINPUT,
				    "%s:%zu: invalid expiry date \"%.40s\" (want YYYY-MM-DD)",
				    e->file, e->line, s);
	e->expires = arena_strdup(&ig->arena, d);
	e->expired = strcmp(today, d) >= 0;
	return 0;
}

/* ---- the plain form ---- */

static int parse_plain(struct hull_ignore *ig, const char *name, const char *data, size_t len,
		       const char *today, struct hull_err *err)
{
	size_t lineno = 0;
	for (const char *p = data, *end = data + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		_cleanup_free_ char *line = xstrndup(p, (size_t)(le - p));
		p = nl ? nl + 1 : end;
		lineno++;
		const char *id = NULL;
		struct hull_ignore_entry *e = NULL;
		for (char *save, *t = strtok_r(line, " \t\r\v\f", &save); t;
		     t = strtok_r(NULL, " \t\r\v\f", &save)) {
			if (*t == '#')
				break; /* a comment to the end of the line */
			if (!id) {
				id = t;
				e = add_entry(ig, name, lineno);
				e->id = arena_strdup(&ig->arena, t);
			} else if (!strncmp(t, "exp:", 4)) {
				if (set_expiry(ig, e, t + 4, today, err))
					return HULL_EINPUT;
			}
			/* other fields are ignored, as Trivy does */
		}
	}
	return 0;
}

/* ---- the YAML forms ---- */

struct yctx {
	struct hull_ignore *ig;
	const char *name;
	const char *today;
	struct hull_err *err;
};

static int yerr(struct yctx *c, size_t line, const char *what)
{
	return hull_err_set(c->err, HULL_EINPUT, "%s:%zu: %s", c->name, line, what);
}

/* A scalar or a list of scalars, copied into the arena. */
static int str_list(struct yctx *c, const struct knode *n, const char ***out, size_t *nout,
		    const char *key)
{
	if (knode_is(n, KNODE_SCALAR)) {
		*out = arena_alloc(&c->ig->arena, sizeof(char *));
		(*out)[0] = arena_strdup(&c->ig->arena, n->str);
		*nout = 1;
		return 0;
	}
	if (!knode_is(n, KNODE_SEQ)) {
		_cleanup_free_ char *m = xasprintf("\"%s\" must be a list of strings", key);
		return yerr(c, n ? n->line : 0, m);
	}
	*out = arena_alloc(&c->ig->arena, sizeof(char *) * (n->n ? n->n : 1));
	for (size_t i = 0; i < n->n; i++) {
		if (!knode_is(n->items[i], KNODE_SCALAR)) {
			_cleanup_free_ char *m = xasprintf("\"%s\" must be a list of strings", key);
			return yerr(c, n->items[i]->line, m);
		}
		(*out)[i] = arena_strdup(&c->ig->arena, n->items[i]->str);
	}
	*nout = n->n;
	return 0;
}

static const char *scalar(const struct knode *n)
{
	return knode_is(n, KNODE_SCALAR) ? n->str : NULL;
}

/* One list item: "ID" or a map. trivy selects Trivy's key names (purls, expired_at). */
static int yaml_entry(struct yctx *c, const struct knode *item, const char *kind, bool trivy)
{
	struct hull_ignore_entry *e = add_entry(c->ig, c->name, item->line);
	e->kind = kind;
	if (knode_is(item, KNODE_SCALAR)) {
		e->id = arena_strdup(&c->ig->arena, item->str);
		return 0;
	}
	if (!knode_is(item, KNODE_MAP))
		return yerr(c, item->line, "an ignore entry must be an id or a map with \"id\"");
	for (size_t i = 0; i < item->n; i++) {
		const struct kentry *k = &item->entries[i];
		const char *key = k->key ? k->key : "";
		int rc = 0;
		if (!strcmp(key, "id")) {
			if (!scalar(k->val) || !*k->val->str)
				return yerr(c, k->line, "\"id\" must be a non-empty string");
			e->id = arena_strdup(&c->ig->arena, k->val->str);
		} else if (!strcmp(key, "paths")) {
			rc = str_list(c, k->val, &e->paths, &e->npaths, key);
		} else if (!strcmp(key, trivy ? "purls" : "packages") ||
			   !strcmp(key, trivy ? "packages" : "purls")) {
			rc = str_list(c, k->val, &e->packages, &e->npackages, key);
		} else if (!strcmp(key, trivy ? "expired_at" : "expires") ||
			   !strcmp(key, trivy ? "expires" : "expired_at")) {
			if (!scalar(k->val))
				return yerr(c, k->line, "the expiry must be a date (YYYY-MM-DD)");
			e->line = k->line;
			rc = set_expiry(c->ig, e, k->val->str, c->today, c->err);
			e->line = item->line;
		} else if (!strcmp(key, "statement")) {
			if (!scalar(k->val))
				return yerr(c, k->line, "\"statement\" must be a string");
			e->statement = arena_strdup(&c->ig->arena, k->val->str);
		} else {
			_cleanup_free_ char *m = xasprintf(
				"unknown key \"%.60s\" in an ignore entry (id, paths, %s, %s, "
				"statement)",
				key, trivy ? "purls" : "packages",
				trivy ? "expired_at" : "expires");
			return yerr(c, k->line, m);
		}
		if (rc)
			return rc;
	}
	if (!e->id)
		return yerr(c, item->line, "an ignore entry has no \"id\"");
	return 0;
}

static const struct {
	const char *key, *kind;
	bool trivy;
} sections[] = {
	{"ignore", NULL, false},
	{"vulnerabilities", "vulnerability", true},
	{"misconfigurations", "misconfig", true},
	{"secrets", "secret", true},
	{"licenses", "license", true},
};

static int yaml_doc(const struct knode *root, size_t index, void *ctx)
{
	struct yctx *c = ctx;
	(void)index;
	if (!root)
		return 0;
	if (!knode_is(root, KNODE_MAP))
		return yerr(c, root->line,
			    "expected a map with \"ignore:\" (or Trivy's \"vulnerabilities:\", "
			    "\"misconfigurations:\", \"secrets:\")");
	for (size_t i = 0; i < root->n; i++) {
		const struct kentry *k = &root->entries[i];
		size_t s = 0;
		while (s < ARRAY_SIZE(sections) && (!k->key || strcmp(k->key, sections[s].key)))
			s++;
		if (s == ARRAY_SIZE(sections)) {
			_cleanup_free_ char *m = xasprintf("unknown key \"%.60s\" (ignore, "
							   "vulnerabilities, misconfigurations, "
							   "secrets, licenses)",
							   k->key ? k->key : "");
			return yerr(c, k->line, m);
		}
		const struct knode *list = k->val;
		if (!list ||
		    (knode_is(list, KNODE_SCALAR) && list->plain &&
		     (!*list->str || !strcmp(list->str, "~") || !strcmp(list->str, "null"))))
			continue; /* "secrets:" with nothing under it */
		if (!knode_is(list, KNODE_SEQ))
			return yerr(c, k->line, "an ignore section must be a list");
		for (size_t j = 0; j < list->n; j++) {
			int rc = yaml_entry(c, list->items[j], sections[s].kind, sections[s].trivy);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static bool looks_like_yaml(const char *data, size_t len)
{
	static const char *const starts[] = {"ignore:",	 "vulnerabilities:", "misconfigurations:",
					     "secrets:", "licenses:",	     "---"};
	for (const char *p = data, *end = data + len; p < end;) {
		for (size_t i = 0; i < ARRAY_SIZE(starts); i++) {
			size_t n = strlen(starts[i]);
			if ((size_t)(end - p) >= n && !memcmp(p, starts[i], n))
				return true;
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	return false;
}

int hull_ignore_parse(struct hull_ignore *ig, const char *name, const char *data, size_t len,
		      const char *today, struct hull_err *err)
{
	if (memchr(data, 0, len))
		return hull_err_set(err, HULL_EINPUT, "%s: not a text file (NUL byte)", name);
	const char *file = arena_strdup(&ig->arena, name);
	size_t first = ig->n;
	int rc;
	if (!looks_like_yaml(data, len)) {
		rc = parse_plain(ig, file, data, len, today, err);
	} else {
		struct yctx c = {ig, file, today, err};
		struct arena a = ARENA_INIT;
		struct hull_err yerr_ = {0};
		rc = hull_yaml_parse(data, len, &a, yaml_doc, &c, &yerr_);
		if (rc && yerr_.msg) {
			hull_err_set(err, HULL_EINPUT, "%s: %s", file, yerr_.msg);
			hull_err_clear(&yerr_);
		}
		arena_free(&a);
	}
	if (rc)
		ig->n = first; /* nothing half-built from a bad file stays */
	return rc ? HULL_EINPUT : 0;
}

int hull_ignore_load(struct hull_ignore *ig, const char *path, const char *today,
		     struct hull_err *err)
{
	char *data;
	size_t len;
	int rc = hull_read_file(path, MAX_IGNORE_FILE, &data, &len, err);
	if (rc)
		return rc;
	rc = hull_ignore_parse(ig, path, data, len, today, err);
	free(data);
	return rc;
}

static const char *const default_ignorefiles[] = {".hullignore", ".trivyignore",
						  ".trivyignore.yaml"};

int hull_ignore_load_files(struct hull_ignore *ig, const char *const *files, size_t n,
			   struct hull_err *err)
{
	char today[11];
	hull_today(today);
	size_t first = ig->n;
	bool defaults = n == 0;
	if (defaults) {
		files = default_ignorefiles;
		n = ARRAY_SIZE(default_ignorefiles);
	}
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (defaults && (stat(files[i], &st) || S_ISDIR(st.st_mode)))
			continue;
		int rc = hull_ignore_load(ig, files[i], today, err);
		if (rc)
			return rc;
	}
	for (size_t i = first; i < ig->n; i++) {
		const struct hull_ignore_entry *e = &ig->v[i];
		if (e->expired)
			hull_warn(
				"%s:%zu: ignore entry %s expired on %s and no longer applies%s%.*s",
				e->file, e->line, e->id, e->expires, e->statement ? ": " : "",
				e->statement ? (int)strcspn(e->statement, "\r\n") : 0,
				e->statement ? e->statement : "");
	}
	return 0;
}

size_t hull_ignore_expired(const struct hull_ignore *ig, struct hull_expired_ignore **out)
{
	size_t n = 0;
	*out = NULL;
	for (size_t i = 0; i < ig->n; i++)
		n += ig->v[i].expired;
	if (!n)
		return 0;
	struct hull_expired_ignore *v = xcalloc(n, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < ig->n; i++) {
		const struct hull_ignore_entry *e = &ig->v[i];
		if (e->expired)
			v[k++] = (struct hull_expired_ignore){e->id, e->expires, e->file,
							      e->statement, e->line};
	}
	*out = v;
	return n;
}

void hull_ignore_free(struct hull_ignore *ig)
{
	free(ig->v);
	arena_free(&ig->arena);
	ig->v = NULL;
	ig->n = ig->cap = 0;
}

/* ---- matching ---- */

/* Matches one path segment (no '/') against a segment pattern with '*' and '?'. The
 * greedy walk that backs up to the last '*' is linear-ish and never exponential. */
static bool seg_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
	while (si < sn) {
		if (pi < pn && (p[pi] == '?' || p[pi] == s[si])) {
			pi++;
			si++;
		} else if (pi < pn && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

struct seg {
	const char *s;
	size_t n;
};

static size_t split(const char *s, struct seg *out, size_t max)
{
	size_t n = 0;
	while (*s == '/')
		s++;
	while (*s && n < max) {
		const char *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		out[n].s = s;
		out[n++].n = len;
		s += len;
		while (*s == '/')
			s++;
	}
	return *s ? (size_t)-1 : n;
}

#define MAX_SEGS 256

bool hull_path_glob_match(const char *pat, const char *path)
{
	if (!pat || !path)
		return false;
	struct seg ps[MAX_SEGS], ss[MAX_SEGS];
	size_t pn = split(pat, ps, MAX_SEGS), sn = split(path, ss, MAX_SEGS);
	if (pn == (size_t)-1 || sn == (size_t)-1)
		return false;
	/* The same greedy walk one level up: "**" is the star, segments are the atoms. */
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
	while (si < sn) {
		bool dstar = pi < pn && ps[pi].n == 2 && !memcmp(ps[pi].s, "**", 2);
		if (pi < pn && !dstar && seg_match(ps[pi].s, ps[pi].n, ss[si].s, ss[si].n)) {
			pi++;
			si++;
		} else if (dstar) {
			star = pi++;
			mark = si;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && ps[pi].n == 2 && !memcmp(ps[pi].s, "**", 2))
		pi++;
	return pi == pn;
}

bool hull_purl_match(const char *pat, const char *purl)
{
	if (!pat || !purl)
		return false;
	/* A pattern without a version matches every version; one without qualifiers
	 * matches whatever qualifiers the package has. */
	size_t n = strlen(purl);
	if (!strchr(pat, '@'))
		n = strcspn(purl, "@?#");
	else if (!strchr(pat, '?'))
		n = strcspn(purl, "?#");
	return seg_match(pat, strlen(pat), purl, n);
}

static bool id_matches(const char *id, const struct hull_finding *f)
{
	if (!id)
		return false;
	if (f->id && !strcasecmp(id, f->id))
		return true;
	for (size_t i = 0; f->aliases && f->aliases[i]; i++)
		if (!strcasecmp(id, f->aliases[i]))
			return true;
	return false;
}

static bool kind_matches(const char *kind, const char *fkind)
{
	if (!kind)
		return true;
	if (!fkind)
		return false;
	if (!strcmp(kind, "misconfig"))
		return !strcmp(fkind, "misconfig") || !strcmp(fkind, "k8s") ||
		       !strcmp(fkind, "lint");
	return !strcmp(kind, fkind);
}

bool hull_ignore_entry_match(const struct hull_ignore_entry *e, const struct hull_finding *f)
{
	if (!id_matches(e->id, f) || !kind_matches(e->kind, f->kind))
		return false;
	if (e->npaths) {
		bool any = false;
		for (size_t i = 0; !any && i < e->npaths; i++)
			any = hull_path_glob_match(e->paths[i], f->path) ||
			      (f->has_package &&
			       hull_path_glob_match(e->paths[i], f->package.path));
		if (!any)
			return false;
	}
	if (e->npackages) {
		bool any = false;
		for (size_t i = 0; !any && f->has_package && i < e->npackages; i++)
			any = hull_purl_match(e->packages[i], f->package.purl);
		if (!any)
			return false;
	}
	return true;
}

static bool skipped(const struct hull_policy *p, const struct hull_finding *f)
{
	for (size_t i = 0; i < p->nskips; i++)
		if (id_matches(p->skips[i], f))
			return true;
	return false;
}

static bool ignored(const struct hull_ignore *ig, const struct hull_finding *f)
{
	for (size_t i = 0; ig && i < ig->n; i++)
		if (!ig->v[i].expired && hull_ignore_entry_match(&ig->v[i], f))
			return true;
	return false;
}

static bool keep(const struct hull_policy *p, const struct hull_finding *f)
{
	if (p->sev_filter && !p->sev[(unsigned)f->severity < HULL_SEV_COUNT ? f->severity : 0])
		return false;
	if (p->skip_base && f->base == HULL_BASE_YES)
		return false;
	if (p->ignore_unfixed && f->kind && !strcmp(f->kind, "vulnerability") && f->has_package &&
	    !f->fixed_version)
		return false;
	return !skipped(p, f) && !ignored(p->ignore, f);
}

size_t hull_policy_apply(const struct hull_policy *p, struct hull_findings *l)
{
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++)
		if (keep(p, &l->v[i]))
			l->v[k++] = l->v[i];
	size_t dropped = l->n - k;
	l->n = k;
	return dropped;
}
