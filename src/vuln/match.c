/* Matching an inventory against the vulnerability DB: one indexed lookup per package by
 * (ecosystem, name), each candidate affected entry evaluated (range.c), then the matched
 * advisories of the package merged by alias into one finding per vulnerability. */
#include "match.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "db.h"

#include <jansson.h>
#include <string.h>

#define Q_AFFECTED                                                                     \
	"SELECT af.advisory, af.ranges, af.versions, af.severity FROM affected af "    \
	"JOIN advisories a ON a.id = af.advisory WHERE af.ecosystem = ?1 AND af.name " \
	"= ?2 AND a.withdrawn IS NULL ORDER BY af.advisory, af.id"
/* Red Hat's own OSV ecosystems name a product stream: "Red Hat:enterprise_linux:9::appstream"
 * (also baseos, crb, …). An image of RHEL 9 takes the main streams of major 9; EUS/AUS
 * streams of one minor release ("Red Hat:rhel_eus:9.2::baseos") are not the image's. */
#define Q_AFFECTED_RH                                                                   \
	"SELECT af.advisory, af.ranges, af.versions, af.severity FROM affected af "     \
	"JOIN advisories a ON a.id = af.advisory WHERE af.ecosystem >= 'Red Hat:' AND " \
	"af.ecosystem < 'Red Hat;' AND af.ecosystem LIKE ?1 AND af.name = ?2 AND "      \
	"a.withdrawn IS NULL ORDER BY af.advisory, af.id"
#define Q_ADVISORY                                                                          \
	"SELECT severity, summary, details, cvss_score, cvss_vector, urls FROM advisories " \
	"WHERE id = ?1"
#define Q_ALIASES "SELECT alias FROM aliases WHERE advisory = ?1 ORDER BY alias"

/* One matched advisory of the package being matched; strings live in the scratch arena
 * (freed when matching ends: reusing it per package would map and fault fresh chunks). */
struct hit {
	const char *id;
	const char *fixed;
	enum hull_severity sev; /* per-affected override, else the advisory's */
	bool sev_override;
	const char **names; /* id and aliases */
	size_t nnames;
	size_t parent; /* union-find */
	/* From the advisory row. */
	const char *summary, *details, *cvss_vector, *urls;
	double cvss_score;
};

struct matcher {
	sqlite3 *db;
	sqlite3_stmt *aff, *aff_rh, *adv, *ali;
	const struct hull_vuln_opts *opts;
	struct hull_findings *out;
	struct hull_vuln_stats *st;
	const char *last_eco; /* comparator cache: packages come sorted by type */
	const struct hull_vercmp *last_cmp;
	struct hit *hits;
	size_t nhits, cap;
	struct arena scratch; /* per package */
};

void hull_vuln_stats_release(struct hull_vuln_stats *st)
{
	free(st->bad_example);
	st->bad_example = NULL;
}

static int db_fail(struct matcher *m, struct hull_err *err)
{
	return hull_err_set(err, HULL_EIO, "vulnerability DB: %s", sqlite3_errmsg(m->db));
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

static const char *scratch_dup(struct matcher *m, const char *s)
{
	return s ? arena_strdup(&m->scratch, s) : NULL;
}

static const struct hull_vercmp *comparator(struct matcher *m, const char *eco)
{
	if (!m->last_eco || strcmp(m->last_eco, eco)) {
		m->last_eco = eco;
		m->last_cmp = hull_vercmp_find(eco);
	}
	return m->last_cmp;
}

static enum hull_severity parse_sev(const char *s)
{
	enum hull_severity v = HULL_SEV_UNKNOWN;
	if (s && hull_severity_parse(s, &v))
		v = HULL_SEV_UNKNOWN;
	return v;
}

/* Records an affected entry that matched; entries of one advisory come together (ORDER BY)
 * and fold into one hit with the lowest fixed version and the highest severity. */
static void add_hit(struct matcher *m, const struct hull_vercmp *c, const char *id,
		    const char *fixed, const char *sev)
{
	struct hit *h = m->nhits ? &m->hits[m->nhits - 1] : NULL;
	if (!h || strcmp(h->id, id)) {
		ALLOC_GROW(m->hits, m->nhits + 1, m->cap);
		h = &m->hits[m->nhits];
		*h = (struct hit){.id = scratch_dup(m, id),
				  .fixed = scratch_dup(m, fixed),
				  .parent = m->nhits};
		m->nhits++;
	} else if (fixed) {
		int r;
		if (!h->fixed || (!hull_vercmp_with(c, fixed, h->fixed, &r, NULL) && r < 0))
			h->fixed = scratch_dup(m, fixed);
	}
	if (sev && (!h->sev_override || parse_sev(sev) > h->sev)) {
		h->sev = parse_sev(sev);
		h->sev_override = true;
	}
}

static void note_bad_version(struct matcher *m, const struct hull_package *p, const char *version,
			     const char *why)
{
	m->st->bad_versions++;
	if (!m->st->bad_example)
		m->st->bad_example =
			xasprintf("%s %s (%s): %s", p->name, version, p->ecosystem, why);
}

static int evaluate_rows(struct matcher *m, sqlite3_stmt *s, const struct hull_package *p,
			 const struct hull_vercmp *c, const char *version, struct hull_err *err);

/* Runs the affected lookup for one package and evaluates every candidate. */
static int lookup(struct matcher *m, const struct hull_package *p, const struct hull_vercmp *c,
		  const char *name, const char *version, struct hull_err *err)
{
	sqlite3_stmt *s = m->aff;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, p->ecosystem, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
	int rc = evaluate_rows(m, s, p, c, version, err);
	/* "Red Hat:9": also the main product streams of major 9. */
	const char *major = !strncmp(p->ecosystem, "Red Hat:", 8) ? p->ecosystem + 8 : NULL;
	if (!rc && major && *major && !strchr(major, ':')) {
		_cleanup_free_ char *like = xasprintf("Red Hat:%%:%s::%%", major);
		s = m->aff_rh;
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, like, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
		rc = evaluate_rows(m, s, p, c, version, err);
	}
	return rc;
}

static int evaluate_rows(struct matcher *m, sqlite3_stmt *s, const struct hull_package *p,
			 const struct hull_vercmp *c, const char *version, struct hull_err *err)
{
	bool bad = false;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		m->st->candidates++;
		struct hull_vuln_eval ev;
		struct hull_err verr = {0};
		if (hull_vuln_evaluate(c, col_text(s, 1), col_text(s, 2), version, &ev, &verr)) {
			if (!bad)
				note_bad_version(m, p, version, verr.msg);
			bad = true;
			hull_err_clear(&verr);
			continue;
		}
		m->st->bad_ranges += ev.bad_ranges;
		if (ev.affected)
			add_hit(m, c, col_text(s, 0), ev.fixed, col_text(s, 3));
		hull_vuln_eval_release(&ev);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_fail(m, err);
}

/* Loads the advisory row and the aliases of hit h. */
static int load_hit(struct matcher *m, struct hit *h, struct hull_err *err)
{
	sqlite3_stmt *s = m->adv;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, h->id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		if (!h->sev_override)
			h->sev = parse_sev(col_text(s, 0));
		h->summary = scratch_dup(m, col_text(s, 1));
		const char *d = col_text(s, 2);
		/* Only the first line can become the title. */
		h->details = d ? arena_strndup(&m->scratch, d, strcspn(d, "\r\n")) : NULL;
		h->cvss_score = sqlite3_column_double(s, 3);
		h->cvss_vector = scratch_dup(m, col_text(s, 4));
		h->urls = scratch_dup(m, col_text(s, 5));
	} else if (rc != SQLITE_DONE) {
		return db_fail(m, err);
	}
	sqlite3_reset(s);
	s = m->ali;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, h->id, -1, SQLITE_STATIC);
	size_t cap = 4;
	h->names = arena_alloc(&m->scratch, cap * sizeof(char *));
	h->names[h->nnames++] = h->id;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (h->nnames == cap) {
			const char **n = arena_alloc(&m->scratch, 2 * cap * sizeof(char *));
			memcpy(n, h->names, cap * sizeof(char *));
			h->names = n;
			cap *= 2;
		}
		h->names[h->nnames++] = scratch_dup(m, col_text(s, 0));
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : db_fail(m, err);
}

static size_t find_root(struct hit *hits, size_t i)
{
	while (hits[i].parent != i) {
		hits[i].parent = hits[hits[i].parent].parent;
		i = hits[i].parent;
	}
	return i;
}

/* Advisories sharing an id or alias describe one vulnerability: union them. */
static void group_hits(struct matcher *m)
{
	struct strmap seen = STRMAP_INIT;
	for (size_t i = 0; i < m->nhits; i++) {
		for (size_t k = 0; k < m->hits[i].nnames; k++) {
			const char *n = m->hits[i].names[k];
			void *v = strmap_get(&seen, n);
			if (!v) {
				strmap_put(&seen, n, (void *)(uintptr_t)(i + 1));
				continue;
			}
			size_t a = find_root(m->hits, (uintptr_t)v - 1), b = find_root(m->hits, i);
			if (a != b)
				m->hits[a > b ? a : b].parent = a < b ? a : b;
		}
	}
	strmap_free(&seen);
}

/* The primary id of a merged finding: the ecosystem's own advisory (GO-, PYSEC-, DSA-,
 * ALSA-, …) before a GHSA, before a bare CVE; then the smallest id. */
static int id_rank(const char *id)
{
	if (!strncmp(id, "CVE-", 4))
		return 2;
	return !strncmp(id, "GHSA-", 5) ? 1 : 0;
}

static bool better_primary(const struct hit *a, const struct hit *b)
{
	int ra = id_rank(a->id), rb = id_rank(b->id);
	return ra != rb ? ra < rb : strcmp(a->id, b->id) < 0;
}

/* Sorted, unique names of the group but the primary's id, NULL-terminated, in out's arena. */
static const char *const *group_aliases(struct matcher *m, size_t root, const char *primary)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nhits; i++)
		if (find_root(m->hits, i) == root)
			n += m->hits[i].nnames;
	const char **v = xcalloc(n + 1, sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < m->nhits; i++)
		if (find_root(m->hits, i) == root)
			for (size_t j = 0; j < m->hits[i].nnames; j++)
				if (strcmp(m->hits[i].names[j], primary))
					v[k++] = m->hits[i].names[j];
	qsort(v, k, sizeof(*v), hull_strcmp_p);
	const char **out = arena_alloc(&m->out->arena, (k + 1) * sizeof(char *));
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (!u || strcmp(out[u - 1], v[i]))
			out[u++] = arena_strdup(&m->out->arena, v[i]);
	out[u] = NULL;
	free(v);
	return out;
}

struct url_list {
	struct matcher *m;
	const char **v;
	size_t n, cap;
};

static void add_url(struct url_list *u, const char *s, size_t len)
{
	for (size_t k = 0; k < u->n; k++)
		if (!strncmp(u->v[k], s, len) && !u->v[k][len])
			return;
	ALLOC_GROW(u->v, u->n + 2, u->cap);
	u->v[u->n++] = arena_strndup(&u->m->out->arena, s, len);
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* The strings of a JSON array of strings written without escapes (what the importer
 * stores), without a full parse; false when the text has another shape. */
static bool scan_strings(struct url_list *u, const char *json)
{
	if (strchr(json, '\\'))
		return false;
	const char *p = skip_ws(json);
	if (*p++ != '[')
		return false;
	size_t n0 = u->n;
	for (bool first = true;; first = false) {
		p = skip_ws(p);
		if (*p == ']' && first)
			return !*skip_ws(p + 1);
		if (*p != '"')
			break;
		const char *end = strchr(p + 1, '"');
		if (!end)
			break;
		add_url(u, p + 1, (size_t)(end - p - 1));
		p = skip_ws(end + 1);
		if (*p == ']')
			return !*skip_ws(p + 1);
		if (*p++ != ',')
			break;
	}
	u->n = n0;
	return false;
}

static void parse_urls(struct url_list *u, const char *json)
{
	if (scan_strings(u, json))
		return;
	json_error_t jerr;
	json_t *arr = json_loads(json, JSON_DECODE_ANY, &jerr), *x;
	size_t j;
	json_array_foreach(arr, j, x)
	{
		if (json_is_string(x))
			add_url(u, json_string_value(x), strlen(json_string_value(x)));
	}
	json_decref(arr);
}

/* References of the group, primary first, each once. */
static const char *const *group_urls(struct matcher *m, size_t root, const struct hit *primary)
{
	struct url_list u = {.m = m};
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < m->nhits; i++) {
			const struct hit *h = &m->hits[i];
			if ((pass == 0) == (h == primary) && find_root(m->hits, i) == root &&
			    h->urls)
				parse_urls(&u, h->urls);
		}
	}
	const char **out = arena_alloc(&m->out->arena, (u.n + 1) * sizeof(char *));
	if (u.n)
		memcpy(out, u.v, u.n * sizeof(char *));
	out[u.n] = NULL;
	free(u.v);
	return out;
}

/* The title: the summary, else the first line of the details (cut at 200 bytes). */
static const char *title_of(struct matcher *m, const struct hit *h)
{
	if (h->summary && *h->summary)
		return hull_findings_strdup(m->out, h->summary);
	if (!h->details || !*h->details)
		return NULL;
	size_t n = strcspn(h->details, "\r\n");
	if (n > 200)
		n = 200;
	return arena_strndup(&m->out->arena, h->details, n);
}

static void emit_group(struct matcher *m, const struct hull_package *p, const char *version,
		       const struct hull_vercmp *c, size_t root)
{
	const struct hit *pri = NULL, *cv = NULL;
	enum hull_severity sev = HULL_SEV_UNKNOWN;
	const char *fixed = NULL, *title = NULL;
	for (size_t i = 0; i < m->nhits; i++) {
		const struct hit *h = &m->hits[i];
		if (find_root(m->hits, i) != root)
			continue;
		if (!pri || better_primary(h, pri))
			pri = h;
		if (h->sev > sev)
			sev = h->sev;
		if (h->cvss_vector && (!cv || h->cvss_score > cv->cvss_score))
			cv = h;
		int r;
		if (h->fixed &&
		    (!fixed || (!hull_vercmp_with(c, h->fixed, fixed, &r, NULL) && r > 0)))
			fixed = h->fixed;
	}
	title = title_of(m, pri);
	for (size_t i = 0; !title && i < m->nhits; i++)
		if (find_root(m->hits, i) == root)
			title = title_of(m, &m->hits[i]);
	struct strbuf msg = STRBUF_INIT;
	strbuf_addf(&msg, "%s %s", p->name, p->version);
	if (p->source_name && strcmp(p->source_name, p->name))
		strbuf_addf(&msg, " (source %s %s)", p->source_name, version);
	strbuf_addf(&msg, " is affected by %s", pri->id);
	if (fixed)
		strbuf_addf(&msg, "; fixed in %s", fixed);
	else
		strbuf_adds(&msg, "; no fixed version");
	struct hull_findings *o = m->out;
	struct hull_finding f = {
		.kind = "vulnerability",
		.id = hull_findings_strdup(o, pri->id),
		.aliases = group_aliases(m, root, pri->id),
		.severity = sev,
		.title = title,
		.message = hull_findings_strdup(o, msg.buf),
		.path = hull_findings_strdup(o, p->path),
		.has_package = true,
		.package = {hull_findings_strdup(o, p->name), hull_findings_strdup(o, p->version),
			    hull_findings_strdup(o, p->ecosystem), hull_findings_strdup(o, p->purl),
			    hull_findings_strdup(o, p->source_name),
			    p->source_version && strcmp(p->source_version, p->version)
				    ? hull_findings_strdup(o, p->source_version)
				    : NULL,
			    hull_findings_strdup(o, p->path)},
		.fixed_version = hull_findings_strdup(o, fixed),
		.cvss_score = cv ? cv->cvss_score : 0,
		.cvss_vector = cv ? hull_findings_strdup(o, cv->cvss_vector) : NULL,
		.urls = group_urls(m, root, pri),
	};
	const struct hull_vuln_opts *op = m->opts;
	if (op && op->layers && p->layer >= 0 && (size_t)p->layer < op->nlayers) {
		f.layer = hull_findings_strdup(o, op->layers[p->layer]);
		f.layer_index = p->layer;
	}
	hull_findings_add(o, &f);
	strbuf_release(&msg);
	m->st->matches++;
}

static int emit(struct matcher *m, const struct hull_package *p, const char *version,
		const struct hull_vercmp *c, struct hull_err *err)
{
	for (size_t i = 0; i < m->nhits; i++)
		if (load_hit(m, &m->hits[i], err))
			return HULL_EIO;
	group_hits(m);
	for (size_t i = 0; i < m->nhits; i++) {
		if (find_root(m->hits, i) == i)
			emit_group(m, p, version, c, i);
		else
			m->st->merged++;
	}
	return 0;
}

static bool is_source_matched(const char *type)
{
	/* Debian/Ubuntu and Alpine advisories name source packages; RHEL-family ones name
	 * binary rpms. */
	return !strcmp(type, "deb") || !strcmp(type, "apk");
}

static int match_package(struct matcher *m, const struct hull_package *p, struct hull_err *err)
{
	const struct hull_vercmp *c = p->ecosystem ? comparator(m, p->ecosystem) : NULL;
	if (!c) {
		m->st->unsupported++;
		return 0;
	}
	const char *name = p->name, *version = p->version;
	if (is_source_matched(p->type)) {
		if (p->source_name && *p->source_name)
			name = p->source_name;
		if (p->source_version && *p->source_version)
			version = p->source_version;
	}
	/* The Go vulndb writes versions without the 'v' (and the toolchain as "1.21.5"). */
	if (c->compare == hull_vercmp_go && version[0] == 'v')
		version++;
	_cleanup_free_ char *key = hull_vuln_pkgname(p->ecosystem, name);
	m->st->packages++;
	m->nhits = 0;
	int rc = lookup(m, p, c, key, version, err);
	if (!rc && m->nhits)
		rc = emit(m, p, version, c, err);
	m->nhits = 0;
	return rc;
}

int hull_vuln_match(sqlite3 *db, const struct hull_inventory *inv,
		    const struct hull_vuln_opts *opts, struct hull_findings *out,
		    struct hull_vuln_stats *st, struct hull_err *err)
{
	struct matcher m = {.db = db, .opts = opts, .out = out, .st = st};
	int rc = 0;
	/* Lookups touch pages all over the file: map it rather than copy each page through
	 * read(2) into SQLite's cache (a failure just leaves reads as they were). */
	sqlite3_exec(db, "PRAGMA mmap_size = 4294967296", NULL, NULL, NULL);
	/* One read transaction for every lookup: without it each statement takes and drops
	 * the file lock and re-checks the file, several system calls per query. */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		rc = db_fail(&m, err);
	if (!rc && (sqlite3_prepare_v2(db, Q_AFFECTED, -1, &m.aff, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, Q_AFFECTED_RH, -1, &m.aff_rh, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, Q_ADVISORY, -1, &m.adv, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(db, Q_ALIASES, -1, &m.ali, NULL) != SQLITE_OK))
		rc = db_fail(&m, err);
	for (size_t i = 0; !rc && i < inv->npkgs; i++)
		rc = match_package(&m, &inv->pkgs[i], err);
	sqlite3_finalize(m.aff);
	sqlite3_finalize(m.aff_rh);
	sqlite3_finalize(m.adv);
	sqlite3_finalize(m.ali);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	free(m.hits);
	arena_free(&m.scratch);
	return rc;
}
