/* The secret engine: one vectorscan pass over a file finds candidate lines for every
 * rule at once; PCRE2 then confirms each candidate line and extracts the secret. Work
 * per file is bounded: candidate windows are at most a few KiB, PCRE2 has match limits,
 * and each rule is confirmed at most once per line. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "secret.h"
#include "../util/hash.h"
#include "../util/strbuf.h"

#include <dirent.h>
#include <fcntl.h>
#include <hs/hs.h>
#include <math.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WINDOW	       4096 /* bytes either side of a hit that make its "line" */
#define MAX_HITS_FILE  1000 /* confirmed findings per file */
#define MAX_CANDIDATES 100000

struct hull_secret_engine {
	hs_database_t *db;
	hs_scratch_t *proto; /* cloned per thread */
	const struct hull_secret_rule **rules;
	size_t nrules;
	pcre2_code **re;
	/* re[i] is JIT-compiled on its first use (use_re): most rules get no candidate in a
	 * run, and compiling them all was most of the start-up of a short one */
	atomic_bool *jitted;
	pthread_mutex_t jit_lock;
	pcre2_code **path_re; /* custom rules' path filter, or NULL */
	int *secret_group;    /* group number of the secret, or 0 */
	const struct hull_secret_config *cfg;
	pcre2_code **allow_re, **allow_path_re; /* per cfg->allow entry */
};

struct hull_secret_scratch {
	hs_scratch_t *hs;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
};

static pcre2_code *compile_one(const char *re, const char *what, const char *id, bool jit,
			       struct hull_err *err)
{
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &ec,
				      &eo, NULL);
	if (!c) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		hull_err_set(err, HULL_EUSAGE, "secret rule %s: %s: %s at offset %zu", id, what,
			     (char *)msg, (size_t)eo);
		return NULL;
	}
	if (jit)
		pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
	return c;
}

/* Rule i's regex, JIT-compiled by the first thread that needs it. */
static pcre2_code *use_re(struct hull_secret_engine *e, size_t i)
{
	if (!atomic_load_explicit(&e->jitted[i], memory_order_acquire)) {
		pthread_mutex_lock(&e->jit_lock);
		if (!atomic_load_explicit(&e->jitted[i], memory_order_relaxed)) {
			pcre2_jit_compile(e->re[i], PCRE2_JIT_COMPLETE);
			atomic_store_explicit(&e->jitted[i], true, memory_order_release);
		}
		pthread_mutex_unlock(&e->jit_lock);
	}
	return e->re[i];
}

static int compile_pcre(struct hull_secret_engine *e, size_t i, struct hull_err *err)
{
	const struct hull_secret_rule *r = e->rules[i];
	e->re[i] = compile_one(r->regex, "regex", r->id, false, err);
	if (!e->re[i])
		return HULL_EUSAGE;
	if (r->path_regex) {
		e->path_re[i] = compile_one(r->path_regex, "path", r->id, true, err);
		if (!e->path_re[i])
			return HULL_EUSAGE;
	}
	const char *name = r->secret_group ? r->secret_group : "secret";
	int g = pcre2_substring_number_from_name(e->re[i], (PCRE2_SPTR)name);
	if (g <= 0 && r->secret_group)
		return hull_err_set(err, HULL_EUSAGE, "secret rule %s: regex has no group \"%s\"",
				    r->id, name);
	e->secret_group[i] = g > 0 ? g : 0;
	return 0;
}

static bool listed(const char *const *list, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], id))
			return true;
	return false;
}

/* The rules to run: built-ins (all, or enable-builtin-rules), then custom ones, minus
 * disable-rules. */
static void select_rules(struct hull_secret_engine *e, const struct hull_secret_config *c)
{
	size_t cap = hull_secret_nrules + (c ? c->nrules : 0);
	e->rules = xcalloc(cap ? cap : 1, sizeof(*e->rules));
	for (size_t i = 0; i < hull_secret_nrules; i++) {
		const struct hull_secret_rule *r = &hull_secret_rules[i];
		if (c && c->enable_builtin && !listed(c->enable_builtin, c->nenable_builtin, r->id))
			continue;
		if (c && listed(c->disable, c->ndisable, r->id))
			continue;
		e->rules[e->nrules++] = r;
	}
	for (size_t i = 0; c && i < c->nrules; i++)
		if (!listed(c->disable, c->ndisable, c->rules[i].id))
			e->rules[e->nrules++] = &c->rules[i];
}

static int compile_allow(struct hull_secret_engine *e, struct hull_err *err)
{
	const struct hull_secret_config *c = e->cfg;
	if (!c || !c->nallow)
		return 0;
	e->allow_re = xcalloc(c->nallow, sizeof(*e->allow_re));
	e->allow_path_re = xcalloc(c->nallow, sizeof(*e->allow_path_re));
	for (size_t i = 0; i < c->nallow; i++) {
		const struct hull_secret_allow *a = &c->allow[i];
		if (a->regex &&
		    !(e->allow_re[i] = compile_one(a->regex, "regex", a->id, true, err)))
			return HULL_EUSAGE;
		if (a->path &&
		    !(e->allow_path_re[i] = compile_one(a->path, "path", a->id, true, err)))
			return HULL_EUSAGE;
	}
	return 0;
}

/* Compiling the rules with vectorscan is most of a short run's time (0.15 s), so the
 * compiled database is kept in hull's cache directory, named by a hash of everything
 * that shapes it: the vectorscan version, this CPU's platform, and each pattern and its
 * flags (ids are the positions). A file that does not deserialize is recompiled and
 * replaced. HULL_SECRET_CACHE=0 turns the cache off. */
static char *db_cache_path(const char *const *pats, const unsigned *flags, size_t n)
{
	const char *off = getenv("HULL_SECRET_CACHE");
	if (off && !strcmp(off, "0"))
		return NULL;
	hs_platform_info_t plat;
	memset(&plat, 0, sizeof(plat));
	if (hs_populate_platform(&plat) != HS_SUCCESS)
		return NULL;
	_cleanup_free_ char *root = hull_cache_root(1);
	if (!root)
		return NULL;
	struct hull_sha256 h;
	hull_sha256_init(&h);
	const char *ver = hs_version();
	hull_sha256_update(&h, "hull-secret-db-1", 17);
	hull_sha256_update(&h, ver, strlen(ver) + 1);
	hull_sha256_update(&h, &plat, sizeof(plat));
	for (size_t i = 0; i < n; i++) {
		hull_sha256_update(&h, pats[i], strlen(pats[i]) + 1);
		hull_sha256_update(&h, &flags[i], sizeof(flags[i]));
	}
	char d[HULL_DIGEST_LEN + 1];
	hull_sha256_final(&h, d);
	return xasprintf("%s/secret-%.32s.hsdb", root, d + 7);
}

/* Each rule set (a secret config, a changed pattern) leaves its own file. A file's mtime
 * says when it was last used: a load refreshes it once a day at most. A run that compiles
 * and stores a new one removes the others unused for DB_CACHE_DAYS, and the oldest beyond
 * DB_CACHE_KEEP. */
#define DB_CACHE_DAYS 30
#define DB_CACHE_KEEP 16

struct cached_db {
	char name[64];
	time_t mtime;
};

static int newest_first(const void *a, const void *b)
{
	const struct cached_db *x = a, *y = b;
	return (x->mtime < y->mtime) - (x->mtime > y->mtime);
}

static bool is_db_name(const char *name)
{
	size_t n = strlen(name);
	return n > 11 && n < 64 && !strncmp(name, "secret-", 7) && !strcmp(name + n - 5, ".hsdb");
}

static void db_cache_prune(const char *kept)
{
	const char *slash = strrchr(kept, '/');
	if (!slash)
		return;
	_cleanup_free_ char *dir = xstrndup(kept, (size_t)(slash - kept));
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct cached_db *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (!is_db_name(de->d_name) || !strcmp(de->d_name, slash + 1) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
			continue;
		ALLOC_GROW(v, n + 1, cap);
		memcpy(v[n].name, de->d_name, strlen(de->d_name) + 1); /* < 64: is_db_name */
		v[n++].mtime = st.st_mtime;
	}
	if (n)
		qsort(v, n, sizeof(*v), newest_first);
	time_t old = time(NULL) - (time_t)DB_CACHE_DAYS * 86400;
	for (size_t i = 0; i < n; i++)
		if (i >= DB_CACHE_KEEP || v[i].mtime < old)
			(void)unlinkat(dirfd(d), v[i].name, 0); /* another run may have done it */
	free(v);
	closedir(d);
}

/* The file is mapped, not read: vectorscan copies it into its own memory anyway. */
static hs_database_t *db_cache_load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	hs_database_t *db = NULL;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size <= (64 << 20)) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p != MAP_FAILED) {
			if (hs_deserialize_database(p, (size_t)st.st_size, &db) != HS_SUCCESS)
				db = NULL;
			munmap(p, (size_t)st.st_size);
		}
		if (db && time(NULL) - st.st_mtime > 86400)
			(void)futimens(fd, NULL); /* in use: kept by db_cache_prune */
	}
	close(fd);
	return db;
}

static void db_cache_store(const hs_database_t *db, const char *path)
{
	char *bytes = NULL;
	size_t len = 0;
	struct hull_err err = {0};
	if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
		return;
	if (hull_write_file_atomic(path, bytes, len, &err))
		hull_err_clear(&err); /* a cache that cannot be written is only slower */
	else
		db_cache_prune(path);
	free(bytes);
}

int hull_secret_engine_new(struct hull_secret_engine **out, struct hull_err *err)
{
	return hull_secret_engine_new_config(out, NULL, err);
}

size_t hull_secret_engine_rules(const struct hull_secret_engine *e,
				const struct hull_secret_rule *const **rules)
{
	*rules = e->rules;
	return e->nrules;
}

int hull_secret_engine_new_config(struct hull_secret_engine **out,
				  const struct hull_secret_config *cfg, struct hull_err *err)
{
	struct hull_secret_engine *e = xcalloc(1, sizeof(*e));
	e->cfg = cfg;
	select_rules(e, cfg);
	size_t n = e->nrules;
	if (!n) {
		hull_secret_engine_free(e);
		return hull_err_set(err, HULL_EUSAGE, "%s: every secret rule is disabled",
				    cfg && cfg->path ? cfg->path : "secret config");
	}
	e->re = xcalloc(n, sizeof(*e->re));
	e->jitted = xcalloc(n, sizeof(*e->jitted));
	pthread_mutex_init(&e->jit_lock, NULL);
	e->path_re = xcalloc(n, sizeof(*e->path_re));
	e->secret_group = xcalloc(n, sizeof(int));
	const char **pats = xcalloc(n, sizeof(char *));
	unsigned *flags = xcalloc(n, sizeof(unsigned));
	unsigned *ids = xcalloc(n, sizeof(unsigned));
	int rc = compile_allow(e, err);
	for (size_t i = 0; i < n && !rc; i++) {
		pats[i] = e->rules[i]->regex;
		/* Prefilter: vectorscan may match a superset (lookarounds dropped); PCRE2
		 * decides. */
		flags[i] = HS_FLAG_PREFILTER | HS_FLAG_MULTILINE;
		ids[i] = (unsigned)i;
		rc = compile_pcre(e, i, err);
	}
	hs_compile_error_t *ce = NULL;
	_cleanup_free_ char *cache = rc ? NULL : db_cache_path(pats, flags, n);
	if (!rc && cache)
		e->db = db_cache_load(cache);
	bool cached = e->db != NULL;
	if (!rc && !cached &&
	    hs_compile_multi(pats, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &e->db, &ce) !=
		    HS_SUCCESS) {
		rc = hull_err_set(err, HULL_EUSAGE, "secret rules: vectorscan: %s (rule %s)",
				  ce ? ce->message : "compile failed",
				  ce && ce->expression >= 0 ? e->rules[ce->expression]->id : "?");
		hs_free_compile_error(ce);
	}
	if (!rc && cache && !cached)
		db_cache_store(e->db, cache);
	if (!rc && hs_alloc_scratch(e->db, &e->proto) != HS_SUCCESS)
		rc = hull_err_set(err, HULL_EIO,
				  "secret rules: cannot allocate vectorscan scratch");
	free(pats);
	free(flags);
	free(ids);
	if (rc) {
		hull_secret_engine_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

void hull_secret_engine_free(struct hull_secret_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nrules; i++) {
		if (e->re && e->re[i])
			pcre2_code_free(e->re[i]);
		if (e->path_re && e->path_re[i])
			pcre2_code_free(e->path_re[i]);
	}
	for (size_t i = 0; e->cfg && i < e->cfg->nallow; i++) {
		if (e->allow_re && e->allow_re[i])
			pcre2_code_free(e->allow_re[i]);
		if (e->allow_path_re && e->allow_path_re[i])
			pcre2_code_free(e->allow_path_re[i]);
	}
	free(e->allow_re);
	free(e->allow_path_re);
	free(e->rules);
	free(e->re);
	if (e->jitted)
		pthread_mutex_destroy(&e->jit_lock);
	free(e->jitted);
	free(e->path_re);
	free(e->secret_group);
	if (e->proto)
		hs_free_scratch(e->proto);
	if (e->db)
		hs_free_database(e->db);
	free(e);
}

struct hull_secret_scratch *hull_secret_scratch_new(struct hull_secret_engine *e)
{
	struct hull_secret_scratch *s = xcalloc(1, sizeof(*s));
	if (hs_clone_scratch(e->proto, &s->hs) != HS_SUCCESS) {
		free(s);
		return NULL;
	}
	s->md = pcre2_match_data_create(32, NULL);
	s->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(s->mctx, 200000);
	pcre2_set_depth_limit(s->mctx, 5000);
	return s;
}

void hull_secret_scratch_free(struct hull_secret_scratch *s)
{
	if (!s)
		return;
	hs_free_scratch(s->hs);
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	free(s);
}

/* Noise: documentation, package test suites and fixtures ship example keys. */
bool hull_secret_path_wanted(const char *path)
{
	static const char *const prefixes[] = {"/usr/share/", "/usr/include/", "/proc/", "/sys/"};
	static const char *const parts[] = {"/test/",	   "/tests/",	    "/testdata/",
					    "/__tests__/", "/fixtures/",    "/examples/",
					    "/spec/",	   "/.git/objects/"};
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(path, prefixes[i], strlen(prefixes[i])))
			return false;
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		if (strstr(path, parts[i]))
			return false;
	return true;
}

char *hull_secret_mask(const char *s, size_t n)
{
	size_t keep = n >= 16 ? 4 : n >= 8 ? 2 : 0;
	char *m = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		m[i] = (i < keep || i >= n - keep) ? s[i] : '*';
	m[n] = '\0';
	return m;
}

static double entropy(const char *s, size_t n)
{
	unsigned counts[256] = {0};
	for (size_t i = 0; i < n; i++)
		counts[(unsigned char)s[i]]++;
	double h = 0;
	for (int c = 0; c < 256; c++) {
		if (!counts[c])
			continue;
		double p = (double)counts[c] / (double)n;
		h -= p * log2(p);
	}
	return h;
}

bool hull_secret_placeholder(const char *s, size_t n)
{
	static const char *const words[] = {
		"example",     "xxxx",	      "****",	   "${",    "{{",    "<",	   "dummy",
		"placeholder", "changeme",    "change_me", "your_", "your-", "redacted",   "fake",
		"sample",      "password123", "secret123", "$(",    "%s",    "process.env"};
	char low[129];
	size_t k = n < sizeof(low) - 1 ? n : sizeof(low) - 1;
	for (size_t i = 0; i < k; i++)
		low[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
	low[k] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(low, words[i]))
			return true;
	bool same = true;
	for (size_t i = 1; i < n && same; i++)
		same = s[i] == s[0];
	return n > 1 && same;
}

static bool re_matches(pcre2_code *re, struct hull_secret_scratch *s, const char *d, size_t n)
{
	return pcre2_match(re, (PCRE2_SPTR)d, n, 0, 0, s->md, s->mctx) >= 0;
}

/* The built-in placeholder words (unless disabled) and the config's allow rules. */
static bool allowed(const struct hull_secret_engine *e, struct hull_secret_scratch *s,
		    const char *path, const char *sec, size_t n)
{
	if (!(e->cfg && e->cfg->no_builtin_allow) && hull_secret_placeholder(sec, n))
		return true;
	for (size_t i = 0; e->cfg && i < e->cfg->nallow; i++) {
		/* An allow rule with both applies when both match. */
		bool hit = e->allow_re[i] || e->allow_path_re[i];
		if (hit && e->allow_re[i])
			hit = re_matches(e->allow_re[i], s, sec, n);
		if (hit && e->allow_path_re[i])
			hit = re_matches(e->allow_path_re[i], s, path, strlen(path));
		if (hit)
			return true;
	}
	return false;
}

/* Custom rules with keywords: the line must hold one, in any case. */
static bool has_keyword(const struct hull_secret_rule *r, const char *line, size_t n)
{
	if (!r->keywords || !r->keywords[0])
		return true;
	for (size_t k = 0; r->keywords[k]; k++) {
		size_t kl = strlen(r->keywords[k]);
		for (size_t i = 0; kl && i + kl <= n; i++)
			if (!strncasecmp(line + i, r->keywords[k], kl))
				return true;
	}
	return false;
}

struct candidate {
	unsigned rule;
	size_t end;
};

struct collect {
	const char *data;
	struct candidate *c;
	size_t n, cap;
	bool overflow;
};

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		    void *ctx)
{
	(void)from;
	(void)flags;
	struct collect *col = ctx;
	/* Consecutive ends of the same rule on one line are confirmed together (the line
	 * is): keep the list bounded whatever the input. A hit on the next line is kept,
	 * however close. */
	if (col->n && col->c[col->n - 1].rule == id && to - col->c[col->n - 1].end < 64 &&
	    !memchr(col->data + col->c[col->n - 1].end, '\n', to - col->c[col->n - 1].end))
		return 0;
	if (col->n >= MAX_CANDIDATES) {
		col->overflow = true;
		return 1;
	}
	ALLOC_GROW(col->c, col->n + 1, col->cap);
	col->c[col->n++] = (struct candidate){id, (size_t)to};
	return 0;
}

struct found {
	unsigned rule;
	int spec; /* specificity of the rule */
	size_t line_start, sec_off, sec_len;
	unsigned line;
};

static int specificity(const struct hull_secret_rule *r)
{
	return (r->path_suffix || r->path_regex ? 2 : 0) + (r->generic ? 0 : 1);
}

static int cmp_found(const void *a, const void *b)
{
	const struct found *x = a, *y = b;
	if (x->line_start != y->line_start)
		return x->line_start < y->line_start ? -1 : 1;
	if (x->sec_off != y->sec_off)
		return x->sec_off < y->sec_off ? -1 : 1;
	/* One secret, several rules: the most specific first (it is the one kept). */
	if (x->spec != y->spec)
		return y->spec - x->spec;
	return (int)x->rule - (int)y->rule;
}

static bool path_ok(const struct hull_secret_engine *e, struct hull_secret_scratch *s, unsigned ri,
		    const char *path)
{
	const struct hull_secret_rule *r = e->rules[ri];
	if (e->path_re[ri] && !re_matches(e->path_re[ri], s, path, strlen(path)))
		return false;
	if (!r->path_suffix)
		return true;
	size_t pl = strlen(path), sl = strlen(r->path_suffix);
	return pl >= sl && !strcmp(path + pl - sl, r->path_suffix) &&
	       (pl == sl || path[pl - sl - 1] == '/');
}

/* Confirms rule ri on the line [ls, le) with PCRE2; appends what it finds. */
static void confirm(struct hull_secret_engine *e, struct hull_secret_scratch *s, unsigned ri,
		    const char *path, const char *data, size_t ls, size_t le, struct found **fs,
		    size_t *nf, size_t *cap)
{
	const struct hull_secret_rule *r = e->rules[ri];
	if (!has_keyword(r, data + ls, le - ls))
		return;
	PCRE2_SIZE off = 0;
	while (off <= le - ls && *nf < MAX_HITS_FILE) {
		int rc = pcre2_match(use_re(e, ri), (PCRE2_SPTR)(data + ls), le - ls, off, 0, s->md,
				     s->mctx);
		if (rc < 0)
			return;
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
		int g = e->secret_group[ri];
		size_t so = ov[2 * g], eo = ov[2 * g + 1];
		if (so == PCRE2_UNSET)
			so = ov[0], eo = ov[1];
		const char *sec = data + ls + so;
		size_t sl = eo - so;
		if (sl && (r->min_entropy <= 0 || entropy(sec, sl) >= r->min_entropy) &&
		    !allowed(e, s, path, sec, sl)) {
			ALLOC_GROW(*fs, *nf + 1, *cap);
			(*fs)[(*nf)++] = (struct found){ri, specificity(r), ls, ls + so, sl, 0};
		}
		off = ov[1] > off ? ov[1] : off + 1;
	}
}

static void emit_found(const struct hull_secret_engine *e, const char *data, const struct found *f,
		       void (*emit)(void *ctx, const struct hull_secret_hit *hit), void *ctx,
		       size_t le)
{
	struct hull_secret_hit hit = {.rule = e->rules[f->rule], .line = f->line};
	hit.masked = hull_secret_mask(data + f->sec_off, f->sec_len);
	struct strbuf sb = STRBUF_INIT;
	size_t from = f->sec_off > f->line_start + 80 ? f->sec_off - 80 : f->line_start;
	size_t to = f->sec_off + f->sec_len + 80 < le ? f->sec_off + f->sec_len + 80 : le;
	strbuf_add(&sb, data + from, f->sec_off - from);
	strbuf_adds(&sb, hit.masked);
	strbuf_add(&sb, data + f->sec_off + f->sec_len, to - f->sec_off - f->sec_len);
	for (size_t i = 0; i < sb.len; i++)
		if ((unsigned char)sb.buf[i] < 0x20)
			sb.buf[i] = ' ';
	hit.excerpt = sb.buf;
	emit(ctx, &hit);
	free(hit.masked);
	strbuf_release(&sb);
}

static size_t line_end(const char *data, size_t len, size_t pos)
{
	size_t lim = pos + WINDOW < len ? pos + WINDOW : len;
	const char *nl = memchr(data + pos, '\n', lim - pos);
	return nl ? (size_t)(nl - data) : lim;
}

static size_t line_start(const char *data, size_t pos)
{
	size_t lim = pos > WINDOW ? pos - WINDOW : 0;
	while (pos > lim && data[pos - 1] != '\n')
		pos--;
	return pos;
}

void hull_secret_scan(struct hull_secret_engine *e, struct hull_secret_scratch *s, const char *path,
		      const char *data, size_t len,
		      void (*emit)(void *ctx, const struct hull_secret_hit *hit), void *ctx)
{
	if (!len || memchr(data, '\0', len < 8000 ? len : 8000))
		return; /* empty or binary */
	struct collect col = {.data = data};
	hs_scan(e->db, data, (unsigned)(len > UINT32_MAX ? UINT32_MAX : len), 0, s->hs, on_match,
		&col);
	struct found *fs = NULL;
	size_t nf = 0, cap = 0;
	/* last line start confirmed per rule, so a rule runs once per line (most texts
	 * have no candidate at all: no array then) */
	size_t *done = col.n ? xcalloc(e->nrules, sizeof(size_t)) : NULL;
	for (size_t i = 0; i < col.n; i++) {
		unsigned ri = col.c[i].rule;
		size_t end = col.c[i].end ? col.c[i].end - 1 : 0;
		size_t ls = line_start(data, end);
		if (done[ri] == ls + 1 || !path_ok(e, s, ri, path))
			continue;
		done[ri] = ls + 1;
		confirm(e, s, ri, path, data, ls, line_end(data, len, end), &fs, &nf, &cap);
	}
	free(done);
	free(col.c);
	if (nf > 1)
		qsort(fs, nf, sizeof(*fs), cmp_found);
	/* Line numbers, incrementally; generic rules yield to specific ones on a line. */
	size_t pos = 0;
	unsigned line = 1;
	for (size_t i = 0; i < nf; i++) {
		while (pos < fs[i].line_start) {
			const char *nl = memchr(data + pos, '\n', fs[i].line_start - pos);
			if (!nl) {
				pos = fs[i].line_start;
				break;
			}
			line++;
			pos = (size_t)(nl - data) + 1;
		}
		fs[i].line = line;
	}
	for (size_t i = 0; i < nf; i++) {
		const struct found *f = &fs[i];
		if (e->rules[f->rule]->generic) {
			bool shadowed = false;
			for (size_t j = 0; j < nf && !shadowed; j++)
				shadowed = fs[j].line_start == f->line_start &&
					   !e->rules[fs[j].rule]->generic;
			if (shadowed)
				continue;
		}
		/* The same secret found twice on a line by two rules: report it once. */
		if (i && fs[i - 1].line_start == f->line_start && fs[i - 1].sec_off == f->sec_off &&
		    fs[i - 1].sec_len == f->sec_len)
			continue;
		emit_found(e, data, f, emit, ctx, line_end(data, len, f->sec_off));
	}
	free(fs);
}
