/* hull's own rules (HLxxxx, docs/rules/): secrets in the Dockerfile, what the final stage
 * ships (root user, build context, source trees, package caches), supply-chain pinning
 * (remote ADD without --checksum, curl | sh, base images by digest). */
#include "rules.h"

#include "../secret/secret.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"

#include <ctype.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA (&c->doc->arena)

long lint_stages(struct df_inst *const *v, size_t n, long **stage)
{
	long cur = -1;
	*stage = xcalloc(n ? n : 1, sizeof(**stage));
	for (size_t i = 0; i < n; i++) {
		if (v[i]->kind == DF_FROM)
			cur = (long)i;
		(*stage)[i] = cur;
	}
	return cur;
}

static long final_stage(struct df_inst *const *v, size_t n)
{
	for (size_t i = n; i-- > 0;)
		if (v[i]->kind == DF_FROM)
			return (long)i;
	return -1;
}

/* Stage names (lower case, as BuildKit compares them) to their FROM's index + 1: a map, so
 * that files with many stages stay linear. */
static void alias_map(struct lint_ctx *c, struct df_inst *const *v, size_t n, struct strmap *m)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i]->kind != DF_FROM || !v[i]->alias)
			continue;
		char *k = arena_strdup(ARENA, v[i]->alias);
		for (char *p = k; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!strmap_get(m, k)) /* the first wins; DL3024 reports duplicates */
			strmap_put(m, k, (void *)(uintptr_t)(i + 1));
	}
}

/* The FROM that names alias, before index upto; -1 if none. */
static long stage_by_alias(struct lint_ctx *c, const struct strmap *m, size_t upto,
			   const char *alias)
{
	char *k = arena_strdup(ARENA, alias);
	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	uintptr_t i = (uintptr_t)strmap_get(m, k);
	return i && i - 1 < upto ? (long)(i - 1) : -1;
}

/* ---- secrets ------------------------------------------------------------------------ */

static bool word_in(const char *w, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && !strncasecmp(w, *list, n))
			return true;
	return false;
}

/* Does a variable name look like it holds a secret? Components are split at '_', '-'
 * and '.'. strict: passwords, secrets, tokens and API/private/access keys; otherwise any
 * KEY too (for ARG, where a value would come from --build-arg). */
static bool sensitive_name(const char *name, bool strict)
{
	static const char *const strong[] = {"PASSWORD", "PASSWD",	"SECRET",     "TOKEN",
					     "APIKEY",	 "CREDENTIALS", "PASSPHRASE", NULL};
	static const char *const key_pre[] = {"API",	 "PRIVATE",    "ACCESS", "SECRET",
					      "SIGNING", "ENCRYPTION", "MASTER", "AUTH",
					      "CLIENT",	 NULL};
	static const char *const not_key_pre[] = {"GPG", "PGP", "PUBLIC", "PUB", NULL};
	static const char *const not_suffix[] = {
		"FILE",	   "PATH",     "DIR",	   "URL",      "URI",	 "HOST",     "PORT",
		"NAME",	   "USER",     "USERNAME", "LENGTH",   "TTL",	 "TIMEOUT",  "ID",
		"HEADER",  "TYPE",     "ENABLED",  "REQUIRED", "SERVER", "ENDPOINT", "EXPIRY",
		"EXPIRES", "LOCATION", "REF",	   NULL};
	const char *parts[32];
	size_t lens[32], np = 0;
	for (const char *p = name; *p && np < ARRAY_SIZE(parts);) {
		size_t n = strcspn(p, "_-.");
		if (n) {
			parts[np] = p;
			lens[np++] = n;
		}
		p += n + (p[n] != '\0');
	}
	if (!np || word_in(parts[np - 1], lens[np - 1], not_suffix))
		return false;
	for (size_t i = 0; i < np; i++) {
		if (word_in(parts[i], lens[i], strong))
			return true;
		if (!word_in(parts[i], lens[i], LIST("KEY")))
			continue;
		bool pre = i > 0 && word_in(parts[i - 1], lens[i - 1], key_pre);
		bool not_pre = i > 0 && word_in(parts[i - 1], lens[i - 1], not_key_pre);
		if (pre || (!strict && !not_pre))
			return true;
	}
	return false;
}

/* A literal value worth calling a secret (variables and placeholders are not). */
static bool literal_secret(const char *v)
{
	static const char *const noise[] = {"changeme", "change_me", "example",	 "placeholder",
					    "dummy",	"xxx",	     "none",	 "null",
					    "true",	"false",     "redacted", NULL};
	if (!v || !*v || strchr(v, '$') || v[0] == '/')
		return false;
	char low[64];
	snprintf(low, sizeof(low), "%s", v);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	for (const char *const *w = noise; *w; w++)
		if (strstr(low, *w))
			return false;
	return true;
}

static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;

/* The secret engine (and a scratch for it) of cache, loaded on first use. */
static struct hull_secret_engine *load_engine(struct lint_cache *cache)
{
	if (!cache->secrets && !cache->secrets_failed) {
		struct hull_err err = {0};
		if (hull_secret_engine_new(&cache->secrets, &err)) {
			hull_err_clear(&err);
			cache->secrets_failed = true;
			return NULL;
		}
		cache->scratch = hull_secret_scratch_new(cache->secrets);
	}
	return cache->secrets;
}

static struct hull_secret_engine *engine(struct lint_ctx *c)
{
	struct lint_cache *cache = c->opts ? c->opts->cache : NULL;
	if (!cache || cache->secrets_failed)
		return NULL;
	if (cache->parent) {
		if (!cache->scratch) {
			pthread_mutex_lock(&engine_lock);
			struct hull_secret_engine *e = load_engine(cache->parent);
			pthread_mutex_unlock(&engine_lock);
			if (!e) {
				cache->secrets_failed = true;
				return NULL;
			}
			cache->scratch = hull_secret_scratch_new(e);
		}
		return cache->parent->secrets;
	}
	return load_engine(cache);
}

struct hits {
	struct lint_ctx *c;
	const struct df_inst *in;
	struct strbuf seen; /* rule ids reported for this instruction */
};

static void on_secret(void *ctx, const struct hull_secret_hit *hit)
{
	struct hits *h = ctx;
	struct strbuf key = STRBUF_INIT;
	strbuf_addf(&key, "|%s:%s|", hit->rule->id, hit->masked);
	bool dup = h->seen.buf && strstr(h->seen.buf, key.buf);
	if (!dup) {
		strbuf_add(&h->seen, key.buf, key.len);
		lint_failf(h->c, h->in->line,
			   "Secret in %s: %s (%s). Use a build secret (RUN "
			   "--mount=type=secret) or a runtime variable instead.",
			   h->in->keyword, hit->rule->title, hit->masked);
	}
	strbuf_release(&key);
}

static void scan_text(struct lint_ctx *c, const struct df_inst *in, const char *text,
		      struct hits *h)
{
	struct hull_secret_engine *e = engine(c);
	if (e && text && *text) /* ONBUILD triggers have no heredoc bodies */
		hull_secret_scan(e, c->opts->cache->scratch, "Dockerfile", text, strlen(text),
				 on_secret, h);
	(void)in;
}

static void secrets_in_pairs(struct lint_ctx *c, const struct df_inst *in, struct hits *h)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t k = 0; k < in->npairs; k++) {
		const struct df_pair *p = &in->pairs[k];
		if (!p->value)
			continue;
		if (in->kind != DF_LABEL && sensitive_name(p->key, true) &&
		    literal_secret(p->value)) {
			char *m = hull_secret_mask(p->value, strlen(p->value));
			lint_failf(
				c, in->line,
				"Secret in %s: %s is set to a literal value (%s). Use a build "
				"secret (RUN --mount=type=secret) or a runtime variable instead.",
				in->keyword, p->key, m);
			free(m);
			continue;
		}
		strbuf_addf(&sb, "%s=%s\n", p->key, p->value);
	}
	scan_text(c, in, sb.buf ? sb.buf : "", h);
	strbuf_release(&sb);
}

RULE_CHECK(hl1001)
{
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		struct hits h = {.c = c, .in = in, .seen = STRBUF_INIT};
		if (in->kind == DF_ENV || in->kind == DF_ARG || in->kind == DF_LABEL) {
			secrets_in_pairs(c, in, &h);
		} else if (in->kind == DF_RUN) {
			scan_text(c, in, in->args ? in->args : "", &h);
			for (size_t k = 0; k < in->nheredocs; k++)
				scan_text(c, in, in->heredocs[k].body, &h);
		}
		strbuf_release(&h.seen);
	}
}

RULE_CHECK(hl1002)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i]->kind != DF_ARG)
			continue;
		for (size_t k = 0; k < v[i]->npairs; k++)
			if (sensitive_name(v[i]->pairs[k].key, false))
				lint_failf(
					c, v[i]->line,
					"ARG %s looks like a secret: build arguments are kept in "
					"the image history. Use RUN --mount=type=secret,id=%s.",
					v[i]->pairs[k].key, v[i]->pairs[k].key);
	}
}

/* ---- the build context -------------------------------------------------------------- */

/* The .dockerignore of the Dockerfile's context: FILE.dockerignore beside it (BuildKit),
 * else .dockerignore in its directory. NULL when there is none. */
static char *read_dockerignore(const char *file)
{
	char *dir;
	if (streq(file, "-")) {
		dir = xstrdup(".");
	} else {
		const char *slash = strrchr(file, '/');
		dir = slash ? xstrndup(file, (size_t)(slash - file + (slash == file)))
			    : xstrdup(".");
	}
	char *paths[2] = {strcmp(file, "-") ? xasprintf("%s.dockerignore", file) : NULL,
			  xasprintf("%s/.dockerignore", dir)};
	char *text = NULL;
	for (size_t i = 0; i < 2 && !text; i++) {
		size_t len;
		struct hull_err err = {0};
		if (paths[i] && hull_read_file(paths[i], 1u << 20, &text, &len, &err)) {
			hull_err_clear(&err);
			text = NULL;
		}
	}
	free(paths[0]);
	free(paths[1]);
	free(dir);
	return text;
}

/* Is name (a path at the context root) excluded? Last matching pattern wins, '!'
 * re-includes, as Docker's matcher does. */
static bool ignored_by(const char *rules, const char *name)
{
	bool excluded = false;
	for (const char *p = rules; *p;) {
		size_t n = strcspn(p, "\n");
		char *line = xstrndup(p, n);
		p += n + (p[n] == '\n');
		char *s = line, *e = line + strlen(line);
		while (*s == ' ' || *s == '\t')
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		bool neg = *s == '!';
		if (neg)
			s++;
		while (*s == '/' || (s[0] == '.' && s[1] == '/'))
			s += s[0] == '/' ? 1 : 2;
		while (!strncmp(s, "**/", 3))
			s += 3;
		size_t l = strlen(s);
		while (l > 1 && s[l - 1] == '/')
			s[--l] = '\0';
		if (*s && *s != '#' && (!fnmatch(s, name, FNM_PATHNAME) || streq(s, "**")))
			excluded = !neg;
		free(line);
	}
	return excluded;
}

static bool copies_context(const struct df_inst *in)
{
	if ((in->kind != DF_COPY && in->kind != DF_ADD) || df_has_flag(in, "from") || in->argc < 2)
		return false;
	for (size_t k = 0; k + 1 < in->argc; k++) {
		const char *s = in->argv[k];
		if (streq(s, ".") || streq(s, "./") || streq(s, "*") || streq(s, "./*"))
			return true;
	}
	return false;
}

RULE_CHECK(hl1003)
{
	long fin = final_stage(v, n);
	char *rules = NULL;
	bool read = false;
	for (size_t i = fin < 0 ? n : (size_t)fin; i < n; i++) {
		if (!copies_context(v[i]))
			continue;
		if (!read) {
			rules = read_dockerignore(c->file);
			read = true;
		}
		static const char *const must[] = {".git", ".env", "key.pem", "private.key"};
		struct strbuf miss = STRBUF_INIT;
		for (size_t k = 0; k < ARRAY_SIZE(must); k++)
			if (!rules || !ignored_by(rules, must[k]))
				strbuf_addf(&miss, "%s%s", miss.len ? ", " : "",
					    k == 2   ? "*.pem"
					    : k == 3 ? "*.key"
						     : must[k]);
		if (miss.len && rules)
			lint_failf(c, v[i]->line,
				   "%s copies the whole build context into the final stage, and "
				   ".dockerignore does not exclude %s.",
				   v[i]->keyword, miss.buf);
		else if (miss.len)
			lint_failf(c, v[i]->line,
				   "%s copies the whole build context into the final stage, and "
				   "there is no .dockerignore (exclude .git, .env, *.pem, *.key).",
				   v[i]->keyword);
		strbuf_release(&miss);
	}
	free(rules);
}

/* ---- the user ----------------------------------------------------------------------- */

static bool is_root_user(const char *u)
{
	size_t n = strcspn(u, ":");
	return (n == 4 && !strncmp(u, "root", 4)) || (n == 1 && u[0] == '0');
}

/* The last USER of the stage starting at v[from] (following FROM <alias> chains), or NULL.
 * *base_nonroot is set when the chain ends on an image that says it is nonroot. */
static const struct df_inst *stage_user(struct lint_ctx *c, const struct strmap *m,
					struct df_inst *const *v, size_t n, long from,
					bool *base_nonroot, int depth)
{
	const struct df_inst *u = NULL;
	for (size_t i = (size_t)from + 1; i < n && v[i]->kind != DF_FROM; i++)
		if (v[i]->kind == DF_USER && v[i]->args && *v[i]->args)
			u = v[i];
	if (u)
		return u;
	const struct df_inst *f = v[from];
	long parent = f->image ? stage_by_alias(c, m, (size_t)from, f->image) : -1;
	if (parent >= 0 && depth < 64)
		return stage_user(c, m, v, n, parent, base_nonroot, depth + 1);
	*base_nonroot = (f->tag && strstr(f->tag, "nonroot")) ||
			(f->image && strstr(f->image, "nonroot")) ||
			(f->image && !strncmp(f->image, "cgr.dev/chainguard/", 19));
	return NULL;
}

RULE_CHECK(hl1004)
{
	long fin = final_stage(v, n);
	if (fin < 0)
		return;
	bool nonroot = false;
	struct strmap m = STRMAP_INIT;
	alias_map(c, v, n, &m);
	const struct df_inst *u = stage_user(c, &m, v, n, fin, &nonroot, 0);
	strmap_free(&m);
	if (!u && !nonroot && !(v[fin]->name && streq(v[fin]->name, "scratch")))
		lint_failf(c, v[fin]->line,
			   "The final stage runs as root: no USER is set. Add USER with a "
			   "non-root numeric UID (USER 10001).");
	else if (u && is_root_user(u->args))
		lint_failf(c, u->line, "The final stage runs as root (USER %s).", u->args);
}

RULE_CHECK(hl1005)
{
	long fin = final_stage(v, n);
	if (fin < 0)
		return;
	bool nonroot = false;
	struct strmap m = STRMAP_INIT;
	alias_map(c, v, n, &m);
	const struct df_inst *u = stage_user(c, &m, v, n, fin, &nonroot, 0);
	strmap_free(&m);
	if (!u || is_root_user(u->args))
		return;
	/* only a USER written in the final stage itself */
	bool in_final = false;
	for (size_t i = (size_t)fin; i < n; i++)
		in_final |= v[i] == u;
	const char *s = u->args;
	size_t nlen = strcspn(s, ":");
	bool numeric = nlen > 0, var = s[0] == '$';
	for (size_t k = 0; k < nlen; k++)
		numeric &= isdigit((unsigned char)s[k]) != 0;
	if (in_final && !numeric && !var)
		lint_failf(c, u->line,
			   "USER %.*s is a name: use a numeric UID so that runtimes can verify "
			   "the image runs as non-root (Kubernetes runAsNonRoot).",
			   (int)nlen, s);
}

/* ---- supply chain -------------------------------------------------------------------- */

static bool is_url(const char *s)
{
	return !strncasecmp(s, "http://", 7) || !strncasecmp(s, "https://", 8);
}

RULE_CHECK(hl1006)
{
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (in->kind != DF_ADD || df_has_flag(in, "checksum"))
			continue;
		for (size_t k = 0; k + 1 < in->argc; k++)
			if (is_url(df_unquote(ARENA, in->argv[k]))) {
				lint_fail(c, in->line);
				break;
			}
	}
}

/* The program a command runs, through sudo/env/nice wrappers. */
static const char *runs(const struct sh_cmd *cmd)
{
	static const char *const wrap[] = {"sudo", "env", "nice", "nohup", "doas", "time", NULL};
	bool w = false;
	for (const char *const *p = wrap; *p; p++)
		w |= streq(cmd->name, *p);
	if (!w)
		return cmd->name;
	for (size_t i = 0; i < cmd->nargs; i++)
		if (!sh_is_flag(cmd->args[i]) && !strchr(cmd->args[i], '='))
			return cmd->args[i];
	return cmd->name;
}

static bool is_interpreter(const char *name)
{
	const char *b = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	static const char *const sh[] = {"sh",	   "bash",    "zsh",  "ash",  "dash", "ksh",
					 "python", "python3", "perl", "ruby", "node", NULL};
	for (const char *const *p = sh; *p; p++)
		if (streq(b, *p))
			return true;
	return false;
}

RULE_CHECK(hl1007)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i]->kind != DF_RUN)
			continue;
		const struct sh_script *s = lint_shell(c, v[i]);
		bool hit = false;
		for (size_t a = 0; a < s->ncmds && !hit; a++) {
			const struct sh_cmd *d = &s->cmds[a];
			if (strcmp(d->name, "curl") && strcmp(d->name, "wget"))
				continue;
			for (size_t b = 0; b < s->ncmds && !hit; b++)
				hit = b != a && s->cmds[b].pipeline == d->pipeline &&
				      s->cmds[b].piped && is_interpreter(runs(&s->cmds[b]));
		}
		if (hit)
			lint_fail(c, v[i]->line);
	}
}

/* ---- package caches ------------------------------------------------------------------- */

/* A cache or tmpfs mount on dir, or above it, keeps that cache out of the layer; one on a
 * directory below it leaves the rest of the cache. */
static bool cache_mounted(struct lint_ctx *c, const struct df_inst *in, const char *dir)
{
	return lint_cache_mount(c, in, dir, LINT_MOUNT_TMPFS | LINT_MOUNT_ABOVE | LINT_MOUNT_EXACT);
}

static bool removes(const struct sh_script *s, const char *prefix)
{
	for (size_t i = 0; i < s->ncmds; i++)
		if (streq(s->cmds[i].name, "rm"))
			for (size_t k = 0; k < s->cmds[i].nargs; k++)
				if (!strncmp(s->cmds[i].args[k], prefix, strlen(prefix)))
					return true;
	return false;
}

static bool pip_cache_left(const struct sh_script *s)
{
	for (size_t i = 0; i < s->ncmds; i++) {
		const struct sh_cmd *cmd = &s->cmds[i];
		bool pip = !strncmp(cmd->name, "pip", 3) && sh_has_arg(cmd, "install");
		bool mod = !strncmp(cmd->name, "python", 6) && sh_has_arg(cmd, "pip") &&
			   sh_has_arg(cmd, "install");
		if ((pip || mod) && !sh_has_flag(cmd, "no-cache-dir"))
			return true;
	}
	return false;
}

/* Which caches a RUN leaves behind, as a comma-separated list (empty: none). */
static void caches_left(struct lint_ctx *c, const struct df_inst *in, const struct sh_script *s,
			bool pip_env, struct strbuf *out)
{
	if ((sh_any_has_args(s, "apt-get", LIST("install")) ||
	     sh_any_has_args(s, "apt", LIST("install"))) &&
	    !removes(s, "/var/lib/apt/lists") && !cache_mounted(c, in, "/var/lib/apt/lists"))
		strbuf_adds(out, "apt lists (rm -rf /var/lib/apt/lists/*)");
	bool apk_cached = false;
	for (size_t i = 0; i < s->ncmds; i++)
		apk_cached |= sh_has_args(&s->cmds[i], "apk", LIST("add")) &&
			      !sh_has_flag(&s->cmds[i], "no-cache");
	if (apk_cached && !removes(s, "/var/cache/apk") && !cache_mounted(c, in, "/var/cache/apk"))
		strbuf_addf(out, "%sapk cache (apk add --no-cache)", out->len ? ", " : "");
	if (!pip_env && pip_cache_left(s) && !cache_mounted(c, in, "*/.cache/pip"))
		strbuf_addf(out, "%spip cache (pip install --no-cache-dir)", out->len ? ", " : "");
	if (sh_any_has_args(s, "npm", LIST("install", "i", "ci")) &&
	    !sh_any_has_args(s, "npm", LIST("cache")) && !removes(s, "/root/.npm") &&
	    !removes(s, "~/.npm") && !cache_mounted(c, in, "*/.npm/_cacache"))
		strbuf_addf(out, "%snpm cache (npm cache clean --force)", out->len ? ", " : "");
}

/* Marks the stages the final one is built on (FROM <alias> chains), the final one too. */
static bool *shipped(struct lint_ctx *c, struct df_inst *const *v, size_t n, long fin)
{
	bool *s = xcalloc(n ? n : 1, sizeof(bool));
	struct strmap m = STRMAP_INIT;
	alias_map(c, v, n, &m);
	for (int depth = 0; fin >= 0 && depth < 64; depth++) {
		s[fin] = true;
		fin = v[fin]->image ? stage_by_alias(c, &m, (size_t)fin, v[fin]->image) : -1;
	}
	strmap_free(&m);
	return s;
}

RULE_CHECK(hl1008)
{
	long *stage;
	long fin = lint_stages(v, n, &stage);
	bool *ships = shipped(c, v, n, fin);
	bool pip_env = false;
	for (size_t i = 0; i < n; i++) {
		if (v[i]->kind == DF_FROM)
			pip_env = false;
		if ((v[i]->kind == DF_ENV || v[i]->kind == DF_ARG) &&
		    df_pair(v[i], "PIP_NO_CACHE_DIR"))
			pip_env = true;
		if (v[i]->kind != DF_RUN || stage[i] < 0 || !ships[stage[i]])
			continue;
		struct strbuf what = STRBUF_INIT;
		caches_left(c, v[i], lint_shell(c, v[i]), pip_env, &what);
		if (what.len)
			lint_failf(c, v[i]->line, "Package cache left in the image layer: %s.",
				   what.buf);
		strbuf_release(&what);
	}
	free(ships);
	free(stage);
}

RULE_CHECK(hl1009)
{
	struct strmap m = STRMAP_INIT;
	alias_map(c, v, n, &m);
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (in->kind != DF_FROM || !in->name || in->digest || streq(in->name, "scratch"))
			continue;
		if (in->image && (in->image[0] == '$' || stage_by_alias(c, &m, i, in->image) >= 0))
			continue;
		lint_failf(c, in->line,
			   "Base image %s%s%s is not pinned by digest: add @sha256:... so that "
			   "builds use the image that was reviewed.",
			   in->image ? in->image : in->name, in->tag ? ":" : "",
			   in->tag ? in->tag : "");
	}
	strmap_free(&m);
}

/* The last literal WORKDIR of a stage ("/" when none is set). */
static const char *stage_workdir(struct df_inst *const *v, size_t n, long from)
{
	const char *w = "/";
	for (size_t i = (size_t)from + 1; i < n && v[i]->kind != DF_FROM; i++)
		if (v[i]->kind == DF_WORKDIR && v[i]->args)
			w = v[i]->args;
	return w;
}

static bool same_dir(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && !strncmp(a, b, la);
}

static bool stage_copies_context(struct df_inst *const *v, size_t n, long from)
{
	for (size_t i = (size_t)from + 1; i < n && v[i]->kind != DF_FROM; i++)
		if (copies_context(v[i]))
			return true;
	return false;
}

RULE_CHECK(hl1010)
{
	long fin = final_stage(v, n);
	struct strmap m = STRMAP_INIT;
	alias_map(c, v, n, &m);
	/* per stage, computed once: copies the context (0 unknown, 1 no, 2 yes), WORKDIR */
	signed char *ctx = xcalloc(n ? n : 1, 1);
	const char **wds = xcalloc(n ? n : 1, sizeof(*wds));
	long *froms = xcalloc(n ? n : 1, sizeof(*froms)), nfrom = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i]->kind == DF_FROM)
			froms[nfrom++] = (long)i;
	for (size_t i = fin < 0 ? n : (size_t)fin + 1; i < n; i++) {
		const struct df_inst *in = v[i];
		const char *from = df_flag(in, "from");
		if (in->kind != DF_COPY || !from || in->argc < 2)
			continue;
		long st = stage_by_alias(c, &m, (size_t)fin, from);
		if (st < 0 && isdigit((unsigned char)from[0])) {
			long want = strtol(from, NULL, 10);
			if (want >= 0 && want < nfrom && froms[want] < fin)
				st = froms[want];
		}
		if (st < 0)
			continue;
		if (!ctx[st]) {
			ctx[st] = stage_copies_context(v, n, st) ? 2 : 1;
			wds[st] = stage_workdir(v, n, st);
		}
		if (ctx[st] != 2)
			continue;
		const char *wd = wds[st];
		for (size_t k = 0; k + 1 < in->argc; k++) {
			const char *s = df_unquote(ARENA, in->argv[k]);
			if (streq(s, ".") || streq(s, "./") || same_dir(s, "/") ||
			    same_dir(s, wd)) {
				lint_failf(c, in->line,
					   "COPY --from=%s %s copies the build stage's source tree "
					   "into the final stage: copy only the built artefacts.",
					   from, s);
				break;
			}
		}
	}
	free(ctx);
	free(wds);
	free(froms);
	strmap_free(&m);
}
