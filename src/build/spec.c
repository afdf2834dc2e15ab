/* The hull-image.yaml parser: one handler per top-level key (a table), strict types,
 * unknown keys refused, positions in every message. Everything lives in the spec's
 * arena, so an error anywhere frees with it. */
#include "spec.h"
#include "../source/source.h"
#include "../util/strbuf.h"
#include "../util/yaml.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#define MAX_SPEC_ITEMS 100000

struct p {
	struct hull_bspec *s;
	struct hull_err *err;
	bool seen; /* a document was parsed */
};

static int fail(struct p *p, const struct knode *n, const char *fmt, ...) HULL_PRINTF(3, 4);
static int fail(struct p *p, const struct knode *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *m = NULL;
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	va_end(ap);
	return hull_err_set(p->err, HULL_EINPUT, "%s:%zu:%zu: %s", p->s->path, n ? n->line : 0,
			    n ? n->col : 0, m ? m : fmt);
}

static struct hull_bspec_pos pos(const struct knode *n)
{
	return (struct hull_bspec_pos){n->line, n->col};
}

static const char *kind(const struct knode *n)
{
	return n->type == KNODE_MAP ? "a mapping" : n->type == KNODE_SEQ ? "a list" : "a scalar";
}

static int want_str(struct p *p, const struct knode *n, const char *what, const char **out)
{
	if (!knode_is(n, KNODE_SCALAR))
		return fail(p, n, "%s must be a string, not %s", what, kind(n));
	if (!*n->str || (n->plain && (!strcmp(n->str, "~") || !strcmp(n->str, "null"))))
		return fail(p, n, "%s must not be empty", what);
	*out = n->str;
	return 0;
}

static int want_type(struct p *p, const struct knode *n, enum knode_type t, const char *what)
{
	if (knode_is(n, t))
		return 0;
	return fail(p, n, "%s must be %s, not %s", what,
		    t == KNODE_MAP   ? "a mapping"
		    : t == KNODE_SEQ ? "a list"
				     : "a scalar",
		    kind(n));
}

static int want_uint(struct p *p, const struct knode *n, const char *what, unsigned long max,
		     unsigned long *out)
{
	if (!knode_is(n, KNODE_SCALAR))
		return fail(p, n, "%s must be a number, not %s", what, kind(n));
	char *end;
	errno = 0;
	unsigned long v = strtoul(n->str, &end, 10);
	if (!isdigit((unsigned char)n->str[0]) || *end || errno || v > max)
		return fail(p, n, "%s: \"%s\" is not a number from 0 to %lu", what, n->str, max);
	*out = v;
	return 0;
}

/* "0755", "755" or 0755: always octal, as chmod reads it. */
static int want_mode(struct p *p, const struct knode *n, const char *what, int *out)
{
	if (!knode_is(n, KNODE_SCALAR))
		return fail(p, n, "%s must be an octal mode like \"0755\", not %s", what, kind(n));
	char *end;
	errno = 0;
	unsigned long v = strtoul(n->str, &end, 8);
	if (!isdigit((unsigned char)n->str[0]) || *end || errno || v > 07777)
		return fail(p, n, "%s: \"%s\" is not an octal mode like \"0755\"", what, n->str);
	*out = (int)v;
	return 0;
}

/* A list of strings (a single string is refused: exec form only). */
static int want_strv(struct p *p, const struct knode *n, const char *what,
		     struct hull_bspec_strv *out)
{
	if (!knode_is(n, KNODE_SEQ))
		return fail(p, n, "%s must be a list of strings (exec form), not %s", what,
			    kind(n));
	out->v = arena_alloc(&p->s->arena, (n->n + 1) * sizeof(char *));
	for (size_t i = 0; i < n->n; i++) {
		if (!knode_is(n->items[i], KNODE_SCALAR))
			return fail(p, n->items[i], "%s: items must be strings, not %s", what,
				    kind(n->items[i]));
		out->v[i] = n->items[i]->str;
	}
	out->n = n->n;
	out->set = true;
	out->pos = pos(n);
	return 0;
}

/* A mapping of strings (numbers and booleans are taken as written). */
static int want_kv(struct p *p, const struct knode *n, const char *what, struct hull_bspec_kv **out,
		   size_t *nout)
{
	int rc = want_type(p, n, KNODE_MAP, what);
	if (rc)
		return rc;
	*out = arena_alloc(&p->s->arena, (n->n + 1) * sizeof(**out));
	for (size_t i = 0; i < n->n; i++) {
		const struct kentry *e = &n->entries[i];
		if (!e->key || !*e->key)
			return hull_err_set(p->err, HULL_EINPUT,
					    "%s:%zu:%zu: %s: keys must be "
					    "non-empty strings",
					    p->s->path, e->line, e->col, what);
		if (!knode_is(e->val, KNODE_SCALAR))
			return fail(p, e->val, "%s.%s must be a string, not %s", what, e->key,
				    kind(e->val));
		(*out)[i] = (struct hull_bspec_kv){e->key, e->val->str, {e->line, e->col}};
	}
	*nout = n->n;
	return 0;
}

/* "uid", "uid:gid" (numbers only). */
static int parse_owner(struct p *p, const struct knode *n, const char *what, unsigned *uid,
		       unsigned *gid)
{
	if (!knode_is(n, KNODE_SCALAR))
		return fail(p, n, "%s must be \"UID:GID\", not %s", what, kind(n));
	char *end;
	errno = 0;
	unsigned long u = strtoul(n->str, &end, 10), g = u;
	bool ok = isdigit((unsigned char)n->str[0]) && !errno && u <= INT32_MAX;
	if (ok && *end == ':') {
		const char *gs = end + 1;
		g = strtoul(gs, &end, 10);
		ok = isdigit((unsigned char)gs[0]) && !errno && g <= INT32_MAX;
	}
	if (!ok || *end)
		return fail(p, n, "%s: \"%s\" is not a numeric UID[:GID] (names are not looked up)",
			    what, n->str);
	*uid = (unsigned)u;
	*gid = (unsigned)g;
	return 0;
}

/* -------------------------------------------------------------- platform variables */

static const char *const var_names[] = {"OS", "ARCH", "VARIANT", "PLATFORM", "DEBARCH"};

/* The variable at s ("${NAME}"): its index, with *len the bytes it takes; -1 when s does
 * not start a variable, -2 when it is not a known one or not closed. */
static int var_at(const char *s, size_t *len)
{
	if (s[0] != '$' || s[1] != '{')
		return -1;
	const char *end = strchr(s + 2, '}');
	if (!end)
		return -2;
	size_t n = (size_t)(end - (s + 2));
	for (size_t i = 0; i < ARRAY_SIZE(var_names); i++)
		if (strlen(var_names[i]) == n && !strncmp(var_names[i], s + 2, n)) {
			*len = n + 3;
			return (int)i;
		}
	return -2;
}

static int check_vars(struct p *p, const struct knode *n, const char *what, const char *s)
{
	for (const char *c = s; *c; c++) {
		size_t len;
		if (var_at(c, &len) == -2)
			return fail(p, n,
				    "%s \"%s\": unknown variable at \"%.20s\" (${OS}, ${ARCH}, "
				    "${VARIANT}, ${PLATFORM}, ${DEBARCH})",
				    what, s, c);
	}
	return 0;
}

const char *hull_bspec_debarch(const struct hull_platform *pl)
{
	static const struct {
		const char *arch, *variant, *deb;
	} map[] = {
		{"arm", "v5", "armel"},	      {"arm", "v6", "armel"},
		{"arm", NULL, "armhf"},	      {"386", NULL, "i386"},
		{"ppc64le", NULL, "ppc64el"}, {"mips64le", NULL, "mips64el"},
		{"mipsle", NULL, "mipsel"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (!strcmp(pl->arch, map[i].arch) &&
		    (!map[i].variant || (pl->variant && !strcmp(pl->variant, map[i].variant))))
			return map[i].deb;
	return pl->arch;
}

char *hull_bspec_subst(const char *s, const struct hull_platform *pl)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *c = s; *c;) {
		size_t len;
		int v = var_at(c, &len);
		if (v < 0) {
			strbuf_addch(&sb, *c++);
			continue;
		}
		switch (v) {
		case 0:
			strbuf_adds(&sb, pl->os);
			break;
		case 1:
			strbuf_adds(&sb, pl->arch);
			break;
		case 2:
			strbuf_adds(&sb, pl->variant ? pl->variant : "");
			break;
		case 3:
			strbuf_addf(&sb, "%s/%s%s%s", pl->os, pl->arch, pl->variant ? "/" : "",
				    pl->variant ? pl->variant : "");
			break;
		default:
			strbuf_adds(&sb, hull_bspec_debarch(pl));
		}
		c += len;
	}
	return strbuf_detach(&sb, NULL);
}

/* -------------------------------------------------------------- files */

static int file_key(struct p *p, struct hull_bspec_file *f, const struct kentry *e)
{
	int rc;
	if (!strcmp(e->key, "src"))
		return (rc = want_str(p, e->val, "files.src", &f->src))
			       ? rc
			       : check_vars(p, e->val, "files.src", f->src);
	if (!strcmp(e->key, "dst"))
		return want_str(p, e->val, "files.dst", &f->dst);
	if (!strcmp(e->key, "mode"))
		return want_mode(p, e->val, "files.mode", &f->mode);
	if (!strcmp(e->key, "dir-mode"))
		return want_mode(p, e->val, "files.dir-mode", &f->dir_mode);
	if (!strcmp(e->key, "owner"))
		return parse_owner(p, e->val, "files.owner", &f->uid, &f->gid);
	if (!strcmp(e->key, "layer"))
		return want_str(p, e->val, "files.layer", &f->layer);
	return hull_err_set(p->err, HULL_EINPUT,
			    "%s:%zu:%zu: unknown key \"%s\" in a files entry (src, dst, mode, "
			    "dir-mode, owner, layer)",
			    p->s->path, e->line, e->col, e->key);
}

static int parse_files(struct p *p, const struct knode *n)
{
	int rc = want_type(p, n, KNODE_SEQ, "files");
	if (rc)
		return rc;
	p->s->files = arena_alloc(&p->s->arena, (n->n + 1) * sizeof(*p->s->files));
	for (size_t i = 0; i < n->n; i++) {
		const struct knode *it = n->items[i];
		if ((rc = want_type(p, it, KNODE_MAP, "a files entry")))
			return rc;
		struct hull_bspec_file *f = &p->s->files[i];
		*f = (struct hull_bspec_file){.mode = -1, .dir_mode = 0755, .pos = pos(it)};
		for (size_t k = 0; k < it->n && !rc; k++) {
			if (!it->entries[k].key)
				return fail(p, it, "files: keys must be strings");
			rc = file_key(p, f, &it->entries[k]);
		}
		if (rc)
			return rc;
		if (!f->src || !f->dst)
			return fail(p, it, "a files entry needs src and dst");
		if (f->dst[0] != '/')
			return fail(p, kmap_get(it, "dst"), "files.dst \"%s\" must be absolute",
				    f->dst);
		if (!f->layer)
			f->layer = "app";
	}
	p->s->nfiles = n->n;
	return 0;
}

/* -------------------------------------------------------------- user */

static int user_key(struct p *p, const struct kentry *e)
{
	unsigned long v;
	int rc;
	if (!strcmp(e->key, "uid") || !strcmp(e->key, "gid")) {
		if ((rc = want_uint(p, e->val, e->key, INT32_MAX, &v)))
			return rc;
		*(e->key[0] == 'u' ? &p->s->user.uid : &p->s->user.gid) = (unsigned)v;
		return 0;
	}
	if (!strcmp(e->key, "name"))
		return want_str(p, e->val, "user.name", &p->s->user.name);
	if (!strcmp(e->key, "home"))
		return want_str(p, e->val, "user.home", &p->s->user.home);
	return hull_err_set(p->err, HULL_EINPUT,
			    "%s:%zu:%zu: unknown key \"%s\" in user (uid, gid, name, home)",
			    p->s->path, e->line, e->col, e->key);
}

static bool valid_user_name(const char *s)
{
	if (!*s || strlen(s) > 32 || *s == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

static int parse_user(struct p *p, const struct knode *n)
{
	struct hull_bspec *s = p->s;
	int rc;
	if (knode_is(n, KNODE_SCALAR)) {
		if ((rc = parse_owner(p, n, "user", &s->user.uid, &s->user.gid)))
			return rc;
		if (!strchr(n->str, ':'))
			s->user.gid = s->user.uid;
	} else if (knode_is(n, KNODE_MAP)) {
		bool gid_set = kmap_get(n, "gid") != NULL;
		for (size_t k = 0; k < n->n; k++) {
			if (!n->entries[k].key)
				return fail(p, n, "user: keys must be strings");
			if ((rc = user_key(p, &n->entries[k])))
				return rc;
		}
		if (!gid_set)
			s->user.gid = s->user.uid;
	} else {
		return fail(p, n, "user must be \"UID:GID\" or a mapping, not %s", kind(n));
	}
	if (s->user.uid == 0 && !kmap_get(n, "name"))
		s->user.name = "root";
	if (!valid_user_name(s->user.name))
		return fail(p, n, "user.name \"%s\" is not a valid user name", s->user.name);
	if (s->user.home && s->user.home[0] != '/')
		return fail(p, n, "user.home \"%s\" must be absolute", s->user.home);
	return 0;
}

/* -------------------------------------------------------------- healthcheck */

/* "30s", "1m30s", "500ms", "2h": Go's duration syntax, which Docker uses. */
static int parse_duration(struct p *p, const struct knode *n, const char *what, int64_t *out)
{
	if (!knode_is(n, KNODE_SCALAR))
		return fail(p, n, "%s must be a duration like \"30s\", not %s", what, kind(n));
	const char *s = n->str;
	int64_t total = 0;
	static const struct {
		const char *u;
		int64_t ns;
	} units[] = {{"ms", 1000000},	     {"us", 1000},	   {"ns", 1},
		     {"h", 3600000000000LL}, {"m", 60000000000LL}, {"s", 1000000000}};
	if (!*s)
		return fail(p, n, "%s: empty duration", what);
	while (*s) {
		char *end;
		errno = 0;
		long long v = strtoll(s, &end, 10);
		if (end == s || v < 0 || errno || v > 1000000000LL)
			return fail(p, n, "%s: \"%s\" is not a duration like \"30s\"", what,
				    n->str);
		size_t k = 0;
		while (k < ARRAY_SIZE(units) && strncmp(end, units[k].u, strlen(units[k].u)))
			k++;
		if (k == ARRAY_SIZE(units))
			return fail(p, n, "%s: \"%s\" needs a unit (ns, us, ms, s, m, h)", what,
				    n->str);
		if (v && units[k].ns > INT64_MAX / v - total / v)
			return fail(p, n, "%s: \"%s\" is too long", what, n->str);
		total += v * units[k].ns;
		s = end + strlen(units[k].u);
	}
	*out = total;
	return 0;
}

static int parse_healthcheck(struct p *p, const struct knode *n)
{
	int rc = want_type(p, n, KNODE_MAP, "healthcheck");
	for (size_t k = 0; k < n->n && !rc; k++) {
		const struct kentry *e = &n->entries[k];
		unsigned long v;
		if (!e->key)
			rc = fail(p, n, "healthcheck: keys must be strings");
		else if (!strcmp(e->key, "test"))
			rc = want_strv(p, e->val, "healthcheck.test", &p->s->healthcheck.test);
		else if (!strcmp(e->key, "interval"))
			rc = parse_duration(p, e->val, "healthcheck.interval",
					    &p->s->healthcheck.interval);
		else if (!strcmp(e->key, "timeout"))
			rc = parse_duration(p, e->val, "healthcheck.timeout",
					    &p->s->healthcheck.timeout);
		else if (!strcmp(e->key, "start-period"))
			rc = parse_duration(p, e->val, "healthcheck.start-period",
					    &p->s->healthcheck.start_period);
		else if (!strcmp(e->key, "retries")) {
			rc = want_uint(p, e->val, "healthcheck.retries", 1000, &v);
			p->s->healthcheck.retries = (int)v;
		} else
			rc = hull_err_set(p->err, HULL_EINPUT,
					  "%s:%zu:%zu: unknown key \"%s\" in healthcheck (test, "
					  "interval, timeout, start-period, retries)",
					  p->s->path, e->line, e->col, e->key);
	}
	if (!rc && (!p->s->healthcheck.test.set || !p->s->healthcheck.test.n))
		rc = fail(p, n, "healthcheck needs test: a command in exec form");
	return rc;
}

/* -------------------------------------------------------------- the rest */

/* true, false, or a host path */
static int parse_host_opt(struct p *p, const struct knode *n, const char *what, const char *dflt,
			  const char **out)
{
	if (!knode_is(n, KNODE_SCALAR))
		return fail(p, n, "%s must be true, false or a path, not %s", what, kind(n));
	int b = n->plain ? knode_bool(n) : -1;
	if (b >= 0) {
		*out = b ? dflt : NULL;
		return 0;
	}
	return want_str(p, n, what, out);
}

static int parse_expose(struct p *p, const struct knode *n)
{
	int rc = want_type(p, n, KNODE_SEQ, "expose");
	if (rc)
		return rc;
	struct hull_bspec_strv *x = &p->s->expose;
	x->v = arena_alloc(&p->s->arena, (n->n + 1) * sizeof(char *));
	for (size_t i = 0; i < n->n; i++) {
		const struct knode *it = n->items[i];
		if (!knode_is(it, KNODE_SCALAR))
			return fail(p, it, "expose: items must be ports like 8080 or 53/udp");
		char *end;
		errno = 0;
		unsigned long port = strtoul(it->str, &end, 10);
		if (!isdigit((unsigned char)it->str[0]) || errno || port < 1 || port > 65535 ||
		    (*end && strcmp(end, "/tcp") && strcmp(end, "/udp") && strcmp(end, "/sctp")))
			return fail(p, it, "expose: \"%s\" is not a port like 8080 or 53/udp",
				    it->str);
		char buf[32];
		snprintf(buf, sizeof(buf), "%lu%s", port, *end ? end : "/tcp");
		x->v[i] = arena_strdup(&p->s->arena, buf);
	}
	x->n = n->n;
	x->set = true;
	return 0;
}

static int parse_env(struct p *p, const struct knode *n)
{
	int rc = want_kv(p, n, "env", &p->s->env, &p->s->nenv);
	for (size_t i = 0; !rc && i < p->s->nenv; i++)
		if (strchr(p->s->env[i].key, '='))
			rc = hull_err_set(p->err, HULL_EINPUT,
					  "%s:%zu:%zu: env name \"%s\" has '='", p->s->path,
					  p->s->env[i].pos.line, p->s->env[i].pos.col,
					  p->s->env[i].key);
	return rc;
}

static int k_base(struct p *p, const struct knode *n)
{
	p->s->base_pos = pos(n);
	int rc = want_str(p, n, "base", &p->s->base);
	if (!rc && !strcmp(p->s->base, "scratch"))
		p->s->base = NULL;
	return rc;
}
static int k_files(struct p *p, const struct knode *n)
{
	return parse_files(p, n);
}
static int k_user(struct p *p, const struct knode *n)
{
	return parse_user(p, n);
}
static int k_workdir(struct p *p, const struct knode *n)
{
	int rc = want_str(p, n, "workdir", &p->s->workdir);
	if (!rc && p->s->workdir[0] != '/')
		rc = fail(p, n, "workdir \"%s\" must be absolute", p->s->workdir);
	return rc;
}
static int k_entrypoint(struct p *p, const struct knode *n)
{
	return want_strv(p, n, "entrypoint", &p->s->entrypoint);
}
static int k_cmd(struct p *p, const struct knode *n)
{
	return want_strv(p, n, "cmd", &p->s->cmd);
}
static int k_env(struct p *p, const struct knode *n)
{
	return parse_env(p, n);
}
static int k_labels(struct p *p, const struct knode *n)
{
	return want_kv(p, n, "labels", &p->s->labels, &p->s->nlabels);
}
static int k_annotations(struct p *p, const struct knode *n)
{
	return want_kv(p, n, "annotations", &p->s->annotations, &p->s->nannotations);
}
static int k_expose(struct p *p, const struct knode *n)
{
	return parse_expose(p, n);
}
static int k_healthcheck(struct p *p, const struct knode *n)
{
	return parse_healthcheck(p, n);
}
static int check_platform(struct p *p, const struct knode *n, const char *what, const char *s)
{
	struct hull_platform pl;
	if (hull_platform_parse(s, &pl))
		return fail(p, n, "%s \"%s\": expected OS/ARCH[/VARIANT] like linux/arm64", what,
			    s);
	hull_platform_free(&pl);
	return 0;
}
static int k_platform(struct p *p, const struct knode *n)
{
	int rc = want_str(p, n, "platform", &p->s->platform);
	return rc ? rc : check_platform(p, n, "platform", p->s->platform);
}
/* platforms: [linux/amd64, linux/arm64]: one image each, and an index. */
static int k_platforms(struct p *p, const struct knode *n)
{
	struct hull_bspec_strv *v = &p->s->platforms;
	int rc = want_strv(p, n, "platforms", v);
	if (!rc && !v->n)
		rc = fail(p, n, "platforms must list at least one OS/ARCH[/VARIANT]");
	for (size_t i = 0; !rc && i < v->n; i++) {
		rc = check_platform(p, n->items[i], "platforms", v->v[i]);
		for (size_t k = 0; !rc && k < i; k++)
			if (!strcmp(v->v[k], v->v[i]))
				rc = fail(p, n->items[i], "platforms: \"%s\" is listed twice",
					  v->v[i]);
	}
	return rc;
}
static int k_layers(struct p *p, const struct knode *n)
{
	return want_strv(p, n, "layers", &p->s->layers);
}
static int k_ca(struct p *p, const struct knode *n)
{
	return parse_host_opt(p, n, "ca-certificates", HULL_BSPEC_CA_DEFAULT,
			      &p->s->ca_certificates);
}
static int k_tz(struct p *p, const struct knode *n)
{
	return parse_host_opt(p, n, "tzdata", HULL_BSPEC_TZDATA_DEFAULT, &p->s->tzdata);
}
static int k_debs(struct p *p, const struct knode *n)
{
	int rc = want_strv(p, n, "debs", &p->s->debs);
	for (size_t i = 0; !rc && i < n->n; i++)
		rc = check_vars(p, n->items[i], "debs", p->s->debs.v[i]);
	return rc;
}
static int k_stop(struct p *p, const struct knode *n)
{
	return want_str(p, n, "stop-signal", &p->s->stop_signal);
}

static const struct {
	const char *key;
	int (*fn)(struct p *p, const struct knode *n);
} keys[] = {
	{"base", k_base},
	{"files", k_files},
	{"user", k_user},
	{"workdir", k_workdir},
	{"entrypoint", k_entrypoint},
	{"cmd", k_cmd},
	{"env", k_env},
	{"labels", k_labels},
	{"annotations", k_annotations},
	{"expose", k_expose},
	{"healthcheck", k_healthcheck},
	{"platform", k_platform},
	{"platforms", k_platforms},
	{"layers", k_layers},
	{"ca-certificates", k_ca},
	{"tzdata", k_tz},
	{"debs", k_debs},
	{"stop-signal", k_stop},
};

static int check_layers(struct p *p)
{
	struct hull_bspec *s = p->s;
	for (size_t i = 0; i < s->nfiles; i++) {
		const char *l = s->files[i].layer;
		bool found = !s->layers.set && !strcmp(l, "app");
		for (size_t k = 0; k < s->layers.n && !found; k++)
			found = !strcmp(s->layers.v[k], l);
		if (!found)
			return hull_err_set(
				p->err, HULL_EINPUT,
				"%s:%zu:%zu: files.layer \"%s\" is not listed in layers", s->path,
				s->files[i].pos.line, s->files[i].pos.col, l);
	}
	return 0;
}

static int parse_root(const struct knode *root, size_t index, void *ctx)
{
	struct p *p = ctx;
	p->seen = true;
	if (index > 1)
		return fail(p, root, "the spec must be a single YAML document");
	if (!root)
		return fail(p, NULL, "the spec is empty");
	if (!knode_is(root, KNODE_MAP))
		return fail(p, root, "the spec must be a mapping, not %s", kind(root));
	for (size_t i = 0; i < root->n; i++) {
		const struct kentry *e = &root->entries[i];
		size_t k = 0;
		while (e->key && k < ARRAY_SIZE(keys) && strcmp(keys[k].key, e->key))
			k++;
		if (!e->key || k == ARRAY_SIZE(keys))
			return hull_err_set(p->err, HULL_EINPUT,
					    "%s:%zu:%zu: unknown key \"%s\" (see docs/build.md)",
					    p->s->path, e->line, e->col, e->key ? e->key : "?");
		int rc = keys[k].fn(p, e->val);
		if (rc)
			return rc;
	}
	if (kmap_get(root, "platform") && kmap_get(root, "platforms"))
		return fail(p, kmap_get(root, "platforms"),
			    "give platform (one image) or platforms (an index), not both");
	if (!kmap_get(root, "files") && !kmap_get(root, "debs") && !p->s->base)
		return fail(p, root, "nothing to build: give files, debs or a base");
	return check_layers(p);
}

int hull_bspec_parse(const char *path, const char *data, size_t len, struct hull_bspec **out,
		     struct hull_err *err)
{
	*out = NULL;
	struct hull_bspec *s = xcalloc(1, sizeof(*s));
	s->path = arena_strdup(&s->arena, path);
	s->user.uid = s->user.gid = 65532;
	s->user.name = "nonroot";
	struct p p = {s, err};
	int rc = hull_yaml_parse(data, len, &s->arena, parse_root, &p, err);
	if (!rc && !p.seen)
		rc = hull_err_set(err, HULL_EINPUT, "%s: the spec is empty", path);
	if (rc && err && err->msg && strncmp(err->msg, path, strlen(path)))
		hull_err_prefix(err, "%s", path);
	if (!rc && !s->user.home && s->user.uid == 0)
		s->user.home = "/root";
	if (!rc && !s->user.home) {
		_cleanup_free_ char *h = xasprintf("/home/%s", s->user.name);
		s->user.home = arena_strdup(&s->arena, h);
	}
	if (rc) {
		hull_bspec_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void hull_bspec_free(struct hull_bspec *s)
{
	if (!s)
		return;
	arena_free(&s->arena);
	free(s);
}
