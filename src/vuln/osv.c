/* OSV records from JSON or YAML: strict shape checks, ranges and versions kept as JSON text,
 * versions checked with the ecosystem's comparator, and the stored severity derived. Both
 * formats become a jtree (JSON in place, YAML converted) in the record's arena, so a record
 * costs a few allocations whatever its size. */
#include "osv.h"

#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "../util/yaml.h"
#include "cvss.h"
#include "db.h"
#include "jtree.h"
#include "vercmp.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* YAML documents may alias nodes; converting copies them, so the copy is budgeted. */
#define MAX_YAML_NODES 1000000
#define RECORD_CHUNK   (16u << 10)
/* Valid versions remembered per comparator (hostile inputs cannot grow it further). */
#define CACHE_MAX     65536
#define CACHE_SCHEMES 16

struct hull_osv_cache {
	struct arena a;
	size_t n;
	struct {
		const struct hull_vercmp *cmp;
		struct strmap valid;
	} scheme[CACHE_SCHEMES];
};

struct pctx {
	const char *what;
	const char *id;
	hull_osv_note_fn note;
	void *ctx;
	struct hull_err *err;
	struct arena *a;
	struct strbuf sb; /* scratch for the JSON texts */
	struct hull_osv_cache *cache;
};

static void note(struct pctx *p, enum hull_osv_note kind, const char *fmt, ...) HULL_PRINTF(3, 4);
static void note(struct pctx *p, enum hull_osv_note kind, const char *fmt, ...)
{
	if (!p->note)
		return;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s: %s: ", p->what, p->id ? p->id : "?");
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	p->note(kind, sb.buf, p->ctx);
	strbuf_release(&sb);
}

static int malformed(struct pctx *p, const char *fmt, ...) HULL_PRINTF(2, 3);
static int malformed(struct pctx *p, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	int rc = hull_err_set(p->err, HULL_EINPUT, "%s: %s%smalformed OSV record: %s", p->what,
			      p->id ? p->id : "", p->id ? ": " : "", sb.buf);
	strbuf_release(&sb);
	return rc;
}

/* The JSON text built in p->sb, copied into the record's arena. */
static const char *sb_text(struct pctx *p)
{
	return arena_strndup(p->a, p->sb.buf ? p->sb.buf : "", p->sb.len);
}

/* Where a value sits, for messages only (formatted when one is needed). */
struct where {
	const char *prefix; /* "", "affected", "severity", "references" */
	size_t i;	    /* index in prefix's array; SIZE_MAX: prefix is an object */
	const char *mid;    /* NULL, or ".package" / ".ranges" below it */
	size_t k;	    /* index in mid's array, when mid is ".ranges" */
};

static const char *where_text(const struct where *w, char *buf, size_t size)
{
	if (!*w->prefix)
		snprintf(buf, size, "%s", "");
	else if (w->i == SIZE_MAX)
		snprintf(buf, size, "%s.", w->prefix);
	else if (!w->mid)
		snprintf(buf, size, "%s[%zu].", w->prefix, w->i);
	else if (!strcmp(w->mid, ".ranges"))
		snprintf(buf, size, "%s[%zu].ranges[%zu].", w->prefix, w->i, w->k);
	else
		snprintf(buf, size, "%s[%zu]%s.", w->prefix, w->i, w->mid);
	return buf;
}

/* ---- generic shape checks ---- */

/* A string member: absent or null gives NULL and 0; another type is malformed. */
static int get_str(struct pctx *p, const struct jnode *obj, const char *key, const struct where *w,
		   const char **out)
{
	const struct jnode *v = jtree_get(obj, key);
	char buf[96];
	*out = NULL;
	if (!v || v->type == JT_NULL)
		return 0;
	if (v->type != JT_STRING)
		return malformed(p, "%s\"%s\" is not a string", where_text(w, buf, sizeof(buf)),
				 key);
	if (v->n > HULL_OSV_MAX_STR)
		return malformed(p, "%s\"%s\" is longer than %u bytes",
				 where_text(w, buf, sizeof(buf)), key, HULL_OSV_MAX_STR);
	*out = v->s;
	return 0;
}

static int get_typed(struct pctx *p, const struct jnode *obj, const char *key,
		     const struct where *w, enum jtype type, const struct jnode **out)
{
	const struct jnode *v = jtree_get(obj, key);
	char buf[96];
	*out = NULL;
	if (!v || v->type == JT_NULL)
		return 0;
	if (v->type != type)
		return malformed(p, "%s\"%s\" is not an %s", where_text(w, buf, sizeof(buf)), key,
				 type == JT_ARRAY ? "array" : "object");
	*out = v;
	return 0;
}

/* Checks that arr holds only strings (of bounded length). */
static int all_strings(struct pctx *p, const struct jnode *arr, const char *what)
{
	for (uint32_t i = 0; i < arr->n; i++) {
		if (arr->items[i].type != JT_STRING)
			return malformed(p, "%s[%u] is not a string", what, i);
		if (arr->items[i].n > HULL_OSV_MAX_STR)
			return malformed(p, "%s[%u] is too long", what, i);
	}
	return 0;
}

/* ---- ratings ---- */

const char *hull_osv_rating(const char *word)
{
	static const struct {
		const char *word, *sev;
	} map[] = {
		{"critical", "CRITICAL"}, {"high", "HIGH"},	  {"important", "HIGH"},
		{"moderate", "MEDIUM"},	  {"medium", "MEDIUM"},	  {"low", "LOW"},
		{"negligible", "LOW"},	  {"unimportant", "LOW"},
	};
	if (word)
		for (size_t i = 0; i < ARRAY_SIZE(map); i++)
			if (!strcasecmp(word, map[i].word))
				return map[i].sev;
	return "UNKNOWN";
}

static int sev_rank(const char *s)
{
	static const char *const order[] = {"UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
	for (int i = 0; i < (int)ARRAY_SIZE(order); i++)
		if (s && !strcmp(s, order[i]))
			return i;
	return 0;
}

/* Red Hat style summaries ("Important: kernel security update") carry the rating. */
static const char *summary_rating(const char *summary)
{
	static const char *const words[] = {"Critical", "Important", "Moderate", "Low"};
	if (!summary)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i]);
		if (!strncmp(summary, words[i], n) && summary[n] == ':')
			return hull_osv_rating(words[i]);
	}
	return NULL;
}

/* ---- affected ---- */

struct hull_osv_cache *hull_osv_cache_new(void)
{
	return xcalloc(1, sizeof(struct hull_osv_cache));
}

void hull_osv_cache_free(struct hull_osv_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		strmap_free(&c->scheme[i].valid);
	arena_free(&c->a);
	free(c);
}

/* The cache's set of valid versions of cmp, or NULL. */
static struct strmap *cache_set(struct hull_osv_cache *c, const struct hull_vercmp *cmp)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		if (c->scheme[i].cmp == cmp)
			return &c->scheme[i].valid;
	if (c->n == CACHE_SCHEMES)
		return NULL;
	c->scheme[c->n].cmp = cmp;
	return &c->scheme[c->n++].valid;
}

static void check_version(struct pctx *p, const struct hull_vercmp *cmp, const char *eco,
			  const char *v)
{
	if (!cmp || !strcmp(v, "0"))
		return;
	struct strmap *valid = cache_set(p->cache, cmp);
	if (valid && strmap_get(valid, v))
		return;
	struct hull_err e = {0};
	if (hull_vercmp_check(cmp, v, &e)) {
		note(p, HULL_OSV_NOTE_BAD_VERSION, "%s: %s", eco, e.msg ? e.msg : v);
		hull_err_clear(&e);
	} else if (valid && valid->len < CACHE_MAX) {
		strmap_put(valid, arena_strdup(&p->cache->a, v), (void *)cmp);
	}
}

static int parse_events(struct pctx *p, const struct jnode *events, const struct where *w,
			const struct hull_vercmp *cmp, const char *eco)
{
	static const char *const kinds[] = {"introduced", "fixed", "last_affected", "limit"};
	char buf[96];
	for (uint32_t i = 0; i < events->n; i++) {
		const struct jnode *ev = &events->items[i];
		if (ev->type != JT_OBJECT)
			return malformed(p, "%sevents[%u] is not an object",
					 where_text(w, buf, sizeof(buf)), i);
		int found = 0;
		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
			const struct jnode *v = jtree_get(ev, kinds[k]);
			if (!v)
				continue;
			if (v->type != JT_STRING || v->n > HULL_VERCMP_MAX_LEN)
				return malformed(p, "%sevents[%u].%s is not a version string",
						 where_text(w, buf, sizeof(buf)), i, kinds[k]);
			found++;
			check_version(p, cmp, eco, v->s);
		}
		if (!found)
			return malformed(p,
					 "%sevents[%u] has no introduced, fixed, "
					 "last_affected or limit",
					 where_text(w, buf, sizeof(buf)), i);
	}
	return 0;
}

/* Checks the ranges and writes the kept ones (all but GIT) as a JSON array. */
static int parse_ranges(struct pctx *p, const struct jnode *ranges, size_t ai, const char *eco,
			const struct hull_vercmp *cmp, const char **out)
{
	size_t kept = 0;
	strbuf_reset(&p->sb);
	strbuf_addch(&p->sb, '[');
	for (uint32_t i = 0; i < ranges->n; i++) {
		const struct jnode *r = &ranges->items[i];
		struct where w = {"affected", ai, ".ranges", i};
		const char *type;
		const struct jnode *events;
		int rc;
		if (r->type != JT_OBJECT)
			return malformed(p, "affected[%zu].ranges[%u] is not an object", ai, i);
		if ((rc = get_str(p, r, "type", &w, &type)) ||
		    (rc = get_typed(p, r, "events", &w, JT_ARRAY, &events)))
			return rc;
		if (!type)
			return malformed(p, "affected[%zu].ranges[%u] has no type", ai, i);
		if (!strcmp(type, "GIT")) {
			note(p, HULL_OSV_NOTE_GIT_RANGE,
			     "affected[%zu].ranges[%u]: GIT range dropped", ai, i);
			continue;
		}
		if (strcmp(type, "ECOSYSTEM") && strcmp(type, "SEMVER"))
			return malformed(p, "affected[%zu].ranges[%u] has unknown type \"%.40s\"",
					 ai, i, type);
		if (!events)
			return malformed(p, "affected[%zu].ranges[%u] has no events", ai, i);
		const struct hull_vercmp *c =
			strcmp(type, "SEMVER") ? cmp : hull_vercmp_find("semver");
		if ((rc = parse_events(p, events, &w, c, eco)))
			return rc;
		if (kept++)
			strbuf_addch(&p->sb, ',');
		jtree_dump(&p->sb, r);
	}
	strbuf_addch(&p->sb, ']');
	*out = sb_text(p);
	return 0;
}

/* The per-package rating: ecosystem_specific.severity, else database_specific.severity. */
static const char *affected_rating(const struct jnode *a)
{
	static const char *const holders[] = {"ecosystem_specific", "database_specific"};
	for (size_t i = 0; i < ARRAY_SIZE(holders); i++) {
		const struct jnode *s = jtree_get(jtree_get(a, holders[i]), "severity");
		if (s && s->type == JT_STRING)
			return hull_osv_rating(s->s);
	}
	return NULL;
}

/* The name as stored (PEP 503 for PyPI), in the arena. */
static const char *stored_name(struct pctx *p, const char *eco, const char *name)
{
	if (strcasecmp(eco, "PyPI"))
		return name;
	char *s = hull_vuln_pkgname(eco, name);
	const char *r = arena_strdup(p->a, s);
	free(s);
	return r;
}

static int parse_affected_one(struct pctx *p, const struct jnode *a, size_t i,
			      struct hull_osv_affected *out, bool *keep)
{
	struct where w = {"affected", i, NULL, 0};
	*keep = false;
	if (a->type != JT_OBJECT)
		return malformed(p, "affected[%zu] is not an object", i);
	const struct jnode *pkg, *ranges, *versions;
	int rc;
	if ((rc = get_typed(p, a, "package", &w, JT_OBJECT, &pkg)) ||
	    (rc = get_typed(p, a, "ranges", &w, JT_ARRAY, &ranges)) ||
	    (rc = get_typed(p, a, "versions", &w, JT_ARRAY, &versions)))
		return rc;
	if (!pkg) {
		note(p, HULL_OSV_NOTE_NO_PACKAGE, "affected[%zu] has no package, dropped", i);
		return 0;
	}
	struct where pw = {"affected", i, ".package", 0};
	if ((rc = get_str(p, pkg, "ecosystem", &pw, &out->ecosystem)) ||
	    (rc = get_str(p, pkg, "name", &pw, &out->name)) ||
	    (rc = get_str(p, pkg, "purl", &pw, &out->purl)))
		return rc;
	if (!out->ecosystem || !*out->ecosystem || !out->name || !*out->name)
		return malformed(p, "affected[%zu].package needs an ecosystem and a name", i);
	const struct hull_vercmp *cmp = hull_vercmp_find(out->ecosystem);
	if (!cmp)
		note(p, HULL_OSV_NOTE_UNKNOWN_ECOSYSTEM, "ecosystem \"%.60s\" has no comparator",
		     out->ecosystem);
	if (versions) {
		if ((rc = all_strings(p, versions, "versions")))
			return rc;
		for (uint32_t k = 0; k < versions->n; k++)
			check_version(p, cmp, out->ecosystem, versions->items[k].s);
		strbuf_reset(&p->sb);
		jtree_dump(&p->sb, versions);
		out->versions = sb_text(p);
	}
	if (ranges)
		rc = parse_ranges(p, ranges, i, out->ecosystem, cmp, &out->ranges);
	else
		out->ranges = "[]";
	if (rc)
		return rc;
	out->key = stored_name(p, out->ecosystem, out->name);
	out->severity = affected_rating(a);
	*keep = true;
	return 0;
}

static int parse_affected(struct pctx *p, const struct jnode *arr, struct hull_osv *rec)
{
	if (!arr)
		return 0;
	rec->affected = arena_alloc(p->a, (arr->n + 1) * sizeof(*rec->affected));
	for (uint32_t i = 0; i < arr->n; i++) {
		bool keep;
		struct hull_osv_affected *slot = &rec->affected[rec->naffected];
		memset(slot, 0, sizeof(*slot));
		int rc = parse_affected_one(p, &arr->items[i], i, slot, &keep);
		if (keep)
			rec->naffected++;
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- severity ---- */

static int parse_severity(struct pctx *p, const struct jnode *arr, struct hull_osv *rec,
			  const char **rating)
{
	for (uint32_t i = 0; i < arr->n; i++) {
		const struct jnode *s = &arr->items[i];
		struct where w = {"severity", i, NULL, 0};
		const char *type, *score;
		int rc;
		if (s->type != JT_OBJECT)
			return malformed(p, "severity[%u] is not an object", i);
		if ((rc = get_str(p, s, "type", &w, &type)) ||
		    (rc = get_str(p, s, "score", &w, &score)))
			return rc;
		if (!type || !score)
			return malformed(p, "severity[%u] needs a type and a score", i);
		if (strcmp(type, "CVSS_V3") && strcmp(type, "CVSS_V4")) {
			if (strcmp(type, "CVSS_V2") && !*rating)
				*rating = hull_osv_rating(score);
			continue;
		}
		struct hull_err e = {0};
		double v;
		enum hull_cvss_version ver;
		if (hull_cvss_score(score, &v, &ver, &e)) {
			note(p, HULL_OSV_NOTE_BAD_CVSS, "%s", e.msg);
			hull_err_clear(&e);
			continue;
		}
		if (ver == HULL_CVSS_V40 && (!rec->cvss4_vector || v > rec->cvss4_score)) {
			rec->cvss4_vector = score;
			rec->cvss4_score = v;
		} else if (ver != HULL_CVSS_V40 && (!rec->cvss3_vector || v > rec->cvss3_score)) {
			rec->cvss3_vector = score;
			rec->cvss3_score = v;
		}
	}
	return 0;
}

static void derive_severity(struct hull_osv *rec, const char *db_rating, const char *own_rating)
{
	if (rec->cvss4_vector || rec->cvss3_vector) {
		rec->cvss_vector = rec->cvss4_vector ? rec->cvss4_vector : rec->cvss3_vector;
		rec->cvss_score = rec->cvss4_vector ? rec->cvss4_score : rec->cvss3_score;
		rec->severity = hull_cvss_severity(rec->cvss_score);
		return;
	}
	const char *s = db_rating ? hull_osv_rating(db_rating) : own_rating;
	if (!s)
		s = summary_rating(rec->summary);
	if (!s) {
		for (size_t i = 0; i < rec->naffected; i++)
			if (rec->affected[i].severity &&
			    sev_rank(rec->affected[i].severity) > sev_rank(s))
				s = rec->affected[i].severity;
	}
	rec->severity = s ? s : "UNKNOWN";
}

/* ---- the record ---- */

static int parse_refs(struct pctx *p, const struct jnode *refs, struct hull_osv *rec)
{
	size_t n = 0;
	strbuf_reset(&p->sb);
	strbuf_addch(&p->sb, '[');
	for (uint32_t i = 0; i < refs->n; i++) {
		const struct jnode *r = &refs->items[i];
		struct where w = {"references", i, NULL, 0};
		const char *url;
		int rc;
		if (r->type != JT_OBJECT)
			return malformed(p, "references[%u] is not an object", i);
		if ((rc = get_str(p, r, "url", &w, &url)))
			return rc;
		if (!url)
			continue;
		if (n++)
			strbuf_addch(&p->sb, ',');
		jtree_dump_str(&p->sb, url, jtree_get(r, "url")->n);
	}
	strbuf_addch(&p->sb, ']');
	rec->urls = sb_text(p);
	return 0;
}

static int parse_record(struct pctx *p, const struct jnode *root, struct hull_osv *rec)
{
	static const struct where top = {"", 0, NULL, 0};
	int rc;
	if (root->type != JT_OBJECT)
		return malformed(p, "not a JSON object");
	if ((rc = get_str(p, root, "id", &top, &rec->id)))
		return rc;
	if (!rec->id || !*rec->id)
		return malformed(p, "no \"id\"");
	if (strlen(rec->id) > HULL_OSV_MAX_ID)
		return malformed(p, "\"id\" is longer than %d bytes", HULL_OSV_MAX_ID);
	p->id = rec->id;
	const struct jnode *aliases, *severity, *affected, *refs, *dbs;
	const char *db_rating = NULL, *own_rating = NULL;
	static const struct where dbw = {"database_specific", SIZE_MAX, NULL, 0};
	if ((rc = get_str(p, root, "modified", &top, &rec->modified)) ||
	    (rc = get_str(p, root, "published", &top, &rec->published)) ||
	    (rc = get_str(p, root, "withdrawn", &top, &rec->withdrawn)) ||
	    (rc = get_str(p, root, "summary", &top, &rec->summary)) ||
	    (rc = get_str(p, root, "details", &top, &rec->details)) ||
	    (rc = get_typed(p, root, "aliases", &top, JT_ARRAY, &aliases)) ||
	    (rc = get_typed(p, root, "severity", &top, JT_ARRAY, &severity)) ||
	    (rc = get_typed(p, root, "affected", &top, JT_ARRAY, &affected)) ||
	    (rc = get_typed(p, root, "references", &top, JT_ARRAY, &refs)) ||
	    (rc = get_typed(p, root, "database_specific", &top, JT_OBJECT, &dbs)))
		return rc;
	if (dbs && (rc = get_str(p, dbs, "severity", &dbw, &db_rating)))
		return rc;
	if (aliases) {
		if ((rc = all_strings(p, aliases, "aliases")))
			return rc;
		rec->aliases = arena_alloc(p->a, (aliases->n + 1) * sizeof(*rec->aliases));
		for (uint32_t i = 0; i < aliases->n; i++)
			rec->aliases[rec->naliases++] = aliases->items[i].s;
	}
	if ((severity && (rc = parse_severity(p, severity, rec, &own_rating))) ||
	    (rc = parse_affected(p, affected, rec)))
		return rc;
	if (refs)
		rc = parse_refs(p, refs, rec);
	else
		rec->urls = "[]";
	if (rc)
		return rc;
	derive_severity(rec, db_rating, own_rating);
	return 0;
}

/* ---- JSON ---- */

static int parse_json(char *buf, size_t len, struct pctx *p, struct jnode *root)
{
	struct jtree_err je;
	if (!jtree_parse(buf, len, p->a, HULL_OSV_MAX_DEPTH, root, &je))
		return 0;
	if (je.too_deep)
		return malformed(p, "nested deeper than %d levels", HULL_OSV_MAX_DEPTH);
	return hull_err_set(p->err, HULL_EINPUT, "%s: invalid JSON at line %zu column %zu: %s",
			    p->what, je.line, je.column, je.msg);
}

/* ---- YAML ---- */

/* A YAML scalar as a JSON string (which must be valid UTF-8). */
static int yaml_str(struct pctx *p, const char *s, size_t line, const char **out, uint32_t *n)
{
	size_t len = strlen(s);
	if (len > UINT32_MAX || !jtree_utf8_valid(s, len))
		return malformed(p, "line %zu: a string that is not valid UTF-8", line);
	*out = s;
	*n = (uint32_t)len;
	return 0;
}

static int yaml_to_jnode(struct pctx *p, const struct knode *n, int depth, size_t *budget,
			 struct jnode *out)
{
	if (depth > HULL_OSV_MAX_DEPTH)
		return malformed(p, "nested deeper than %d levels", HULL_OSV_MAX_DEPTH);
	if (++*budget > MAX_YAML_NODES)
		return malformed(p, "more than %d YAML nodes (aliases included)", MAX_YAML_NODES);
	memset(out, 0, sizeof(*out));
	if (!n) {
		out->type = JT_NULL;
		return 0;
	}
	if (n->type == KNODE_SCALAR) {
		const char *s = n->str;
		/* Plain null, ~, an empty scalar (any case of "null"), true and false. */
		if (n->plain && (!*s || !strcmp(s, "~") ||
				 ((*s == 'n' || *s == 'N') && !strcasecmp(s, "null")))) {
			out->type = JT_NULL;
			return 0;
		}
		if (n->plain && (!strcmp(s, "true") || !strcmp(s, "false"))) {
			out->type = *s == 't' ? JT_TRUE : JT_FALSE;
			return 0;
		}
		out->type = JT_STRING;
		return yaml_str(p, n->str, n->line, &out->s, &out->n);
	}
	if (n->n > UINT32_MAX)
		return malformed(p, "line %zu: too many items", n->line);
	out->n = (uint32_t)n->n;
	if (n->type == KNODE_SEQ) {
		struct jnode *items = arena_alloc(p->a, n->n * sizeof(*items) + 1);
		out->type = JT_ARRAY;
		out->items = items;
		for (size_t i = 0; i < n->n; i++)
			if (yaml_to_jnode(p, n->items[i], depth + 1, budget, &items[i]))
				return HULL_EINPUT;
		return 0;
	}
	struct jmember *m = arena_alloc(p->a, n->n * sizeof(*m) + 1);
	out->type = JT_OBJECT;
	out->members = m;
	for (size_t i = 0; i < n->n; i++) {
		const struct kentry *e = &n->entries[i];
		if (!e->key)
			return malformed(p, "line %zu: a key that is not a string", e->line);
		if (yaml_str(p, e->key, e->line, &m[i].key, &m[i].klen) ||
		    yaml_to_jnode(p, e->val, depth + 1, budget, &m[i].val))
			return HULL_EINPUT;
	}
	return 0;
}

struct yaml_doc {
	struct pctx *p;
	struct jnode *root;
	bool have;
};

static int on_yaml_doc(const struct knode *root, size_t index, void *ctx)
{
	struct yaml_doc *d = ctx;
	if (index > 1)
		return malformed(d->p, "more than one YAML document");
	if (!root)
		return 0;
	size_t budget = 0;
	d->have = true;
	return yaml_to_jnode(d->p, root, 0, &budget, d->root);
}

/* The knodes and the strings they point to live in the record's arena. */
static int parse_yaml(const char *data, size_t len, struct pctx *p, struct jnode *root)
{
	struct yaml_doc d = {.p = p, .root = root};
	struct hull_err e = {0};
	int rc = hull_yaml_parse(data, len, p->a, on_yaml_doc, &d, &e);
	if (rc && e.msg)
		rc = hull_err_set(p->err, HULL_EINPUT, "%s: %s", p->what, e.msg);
	hull_err_clear(&e);
	if (rc)
		return rc;
	if (!d.have)
		return malformed(p, "empty document");
	return 0;
}

/* ---- entry points ---- */

static int parse(char *buf, const char *data, size_t len, enum hull_osv_format fmt,
		 const char *what, struct hull_osv *rec, hull_osv_note_fn fn, void *ctx,
		 struct hull_osv_cache *cache, struct hull_err *err)
{
	memset(rec, 0, sizeof(*rec));
	/* Records are small and hundreds are alive at once in the importer's pipeline:
	 * small chunks stay in malloc's reuse lists instead of fresh pages. */
	rec->arena.chunk_size = RECORD_CHUNK;
	struct pctx p = {
		.what = what, .note = fn, .ctx = ctx, .err = err, .a = &rec->arena, .cache = cache};
	strbuf_grow(&p.sb, 4096);
	if (len > HULL_OSV_MAX_DOC)
		return malformed(&p, "larger than %u bytes", HULL_OSV_MAX_DOC);
	struct jnode root;
	int rc;
	if (fmt == HULL_OSV_YAML) {
		rc = parse_yaml(data, len, &p, &root);
	} else {
		if (!buf) {
			buf = arena_alloc(&rec->arena, len + 1);
			memcpy(buf, data, len);
			buf[len] = '\0';
		}
		rc = parse_json(buf, len, &p, &root);
	}
	if (!rc)
		rc = parse_record(&p, &root, rec);
	strbuf_release(&p.sb);
	if (rc)
		hull_osv_free(rec);
	return rc;
}

int hull_osv_parse(const char *data, size_t len, enum hull_osv_format fmt, const char *what,
		   struct hull_osv *rec, hull_osv_note_fn fn, void *ctx, struct hull_err *err)
{
	return parse(NULL, data, len, fmt, what, rec, fn, ctx, NULL, err);
}

int hull_osv_parse_inplace(char *buf, size_t len, enum hull_osv_format fmt, const char *what,
			   struct hull_osv *rec, hull_osv_note_fn fn, void *ctx,
			   struct hull_osv_cache *cache, struct hull_err *err)
{
	return parse(buf, buf, len, fmt, what, rec, fn, ctx, cache, err);
}

void hull_osv_free(struct hull_osv *rec)
{
	if (!rec)
		return;
	arena_free(&rec->arena);
	memset(rec, 0, sizeof(*rec));
}
