/* Rules on single instructions and simple per-stage counts: FROM, WORKDIR, USER, EXPOSE,
 * ADD/COPY forms, CMD/ENTRYPOINT, ENV references, ONBUILD, MAINTAINER, ordering. */
#include "rules.h"
#include "pragma.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ARENA (&c->doc->arena)

static bool is_kind(const struct df_inst *in, enum df_kind k)
{
	return in->kind == k;
}

RULE_CHECK(dl1001)
{
	for (size_t i = 0; i < n; i++)
		if (is_kind(v[i], DF_COMMENT) && lint_pragma_is_ignore(v[i]->args))
			lint_fail(c, v[i]->line);
}

RULE_CHECK(dl3000)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_kind(v[i], DF_WORKDIR))
			continue;
		const char *p = df_unquote(ARENA, v[i]->args);
		bool win = isalpha((unsigned char)p[0]) && p[1] == ':';
		if (p[0] != '$' && p[0] != '/' && !win)
			lint_fail(c, v[i]->line);
	}
}

static bool is_root(const char *u)
{
	return !strncmp(u, "root:", 5) || !strncmp(u, "0:", 2) || streq(u, "root") || streq(u, "0");
}

RULE_CHECK(dl3002)
{
	int stage_user = 0; /* line of the current stage's last root USER */
	bool in_stage = false;
	for (size_t i = 0; i < n; i++) {
		if (is_kind(v[i], DF_FROM)) {
			if (stage_user)
				lint_fail(c, stage_user);
			stage_user = 0;
			in_stage = true;
		} else if (is_kind(v[i], DF_USER) && in_stage) {
			stage_user = is_root(v[i]->args) ? v[i]->line : 0;
		}
	}
	if (stage_user)
		lint_fail(c, stage_user);
}

/* Is name the alias of a FROM before index upto? A map of first occurrences, built once
 * per instruction list, keeps files with many stages linear. */
static bool seen_alias(struct lint_ctx *c, struct df_inst *const *v, size_t n, size_t upto,
		       const char *name)
{
	if (c->alias_v != v) {
		strmap_free(&c->aliases);
		c->alias_v = v;
		for (size_t k = 0; k < n; k++)
			if (is_kind(v[k], DF_FROM) && v[k]->alias &&
			    !strmap_get(&c->aliases, v[k]->alias))
				strmap_put(&c->aliases, v[k]->alias, (void *)(uintptr_t)(k + 1));
	}
	uintptr_t i = (uintptr_t)strmap_get(&c->aliases, name);
	return i && i - 1 < upto;
}

RULE_CHECK(dl3006)
{
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (!is_kind(in, DF_FROM) || !in->name)
			continue;
		/* a variable ("FROM ${IMAGE}") is not judged, as hadolint's */
		if (streq(in->name, "scratch") || in->digest || in->tag || in->name[0] == '$')
			continue;
		if (!seen_alias(c, v, n, i, in->name))
			lint_fail(c, in->line);
	}
}

RULE_CHECK(dl3007)
{
	for (size_t i = 0; i < n; i++)
		if (is_kind(v[i], DF_FROM) && v[i]->tag && streq(v[i]->tag, "latest") &&
		    !v[i]->digest) /* "name:latest@sha256:..." is pinned */
			lint_fail(c, v[i]->line);
}

/* "80", "80/tcp", "8000-8010/udp"; anything else (variables) is not checked. */
static bool port_ok(const char *p)
{
	char *end;
	unsigned long a = strtoul(p, &end, 10);
	if (end == p || a <= 65535) {
		if (end != p && *end == '-') {
			const char *q = end + 1;
			unsigned long b = strtoul(q, &end, 10);
			return end == q || b <= 65535;
		}
		return true;
	}
	return !(*end == '\0' || *end == '/' || *end == '-');
}

RULE_CHECK(dl3011)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_kind(v[i], DF_EXPOSE))
			continue;
		for (size_t k = 0; k < v[i]->argc; k++)
			if (!port_ok(v[i]->argv[k])) {
				lint_fail(c, v[i]->line);
				break;
			}
	}
}

/* Counts instructions of one kind per stage; every one after the first fails. */
static void second_per_stage(struct lint_ctx *c, struct df_inst *const *v, size_t n,
			     enum df_kind kind)
{
	int seen = 0;
	for (size_t i = 0; i < n; i++) {
		if (is_kind(v[i], DF_FROM))
			seen = 0;
		else if (is_kind(v[i], kind) && seen++)
			lint_fail(c, v[i]->line);
	}
}

RULE_CHECK(dl3012)
{
	second_per_stage(c, v, n, DF_HEALTHCHECK);
}

RULE_CHECK(dl4003)
{
	second_per_stage(c, v, n, DF_CMD);
}

RULE_CHECK(dl4004)
{
	second_per_stage(c, v, n, DF_ENTRYPOINT);
}

/* COPY/ADD sources (all words but the last) and destination. */
static size_t sources(const struct df_inst *in, const char **dest)
{
	if (!in->argc) {
		*dest = "";
		return 0;
	}
	*dest = in->argv[in->argc - 1];
	return in->argc - 1;
}

static bool is_url(const char *p)
{
	return !strncmp(p, "https://", 8) || !strncmp(p, "http://", 7);
}

RULE_CHECK(dl3020)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_kind(v[i], DF_ADD))
			continue;
		const char *dest;
		size_t ns = sources(v[i], &dest);
		for (size_t k = 0; k < ns; k++) {
			const char *src = df_unquote(ARENA, v[i]->argv[k]);
			if (!lint_is_archive(src) && !is_url(src)) {
				lint_fail(c, v[i]->line);
				break;
			}
		}
	}
}

RULE_CHECK(dl3021)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_kind(v[i], DF_COPY))
			continue;
		const char *dest;
		if (sources(v[i], &dest) < 2)
			continue;
		const char *d = df_unquote(ARENA, dest);
		size_t dl = strlen(d);
		if (!dl || d[dl - 1] != '/')
			lint_fail(c, v[i]->line);
	}
}

RULE_CHECK(dl3022)
{
	for (size_t i = 0; i < n; i++) {
		const char *from = is_kind(v[i], DF_COPY) ? df_flag(v[i], "from") : NULL;
		if (!from || strchr(from, ':'))
			continue; /* no --from, or an image reference */
		if (*from && strspn(from, "0123456789") == strlen(from)) {
			/* a stage's index: one of the stages before this one */
			size_t stages = 0;
			for (size_t k = 0; k < i; k++)
				stages += is_kind(v[k], DF_FROM);
			if (strlen(from) > 9 || strtoul(from, NULL, 10) >= stages)
				lint_fail(c, v[i]->line);
			continue;
		}
		if (!seen_alias(c, v, n, i, from))
			lint_fail(c, v[i]->line);
	}
}

RULE_CHECK(dl3023)
{
	const char *alias = NULL;
	for (size_t i = 0; i < n; i++) {
		if (is_kind(v[i], DF_FROM)) {
			alias = v[i]->alias;
			continue;
		}
		const char *from = is_kind(v[i], DF_COPY) ? df_flag(v[i], "from") : NULL;
		if (from && alias && streq(from, alias))
			lint_fail(c, v[i]->line);
	}
}

RULE_CHECK(dl3024)
{
	for (size_t i = 0; i < n; i++)
		if (is_kind(v[i], DF_FROM) && v[i]->alias && seen_alias(c, v, n, i, v[i]->alias))
			lint_fail(c, v[i]->line);
}

RULE_CHECK(dl3025)
{
	for (size_t i = 0; i < n; i++)
		if (((is_kind(v[i], DF_CMD) || is_kind(v[i], DF_ENTRYPOINT)) && !v[i]->json) ||
		    (is_kind(v[i], DF_HEALTHCHECK) && df_healthcheck_shell(v[i])))
			lint_fail(c, v[i]->line);
}

/* A trusted registry (reg[0..rl)), as hadolint matches one: its name, "*" for any,
 * "*SUFFIX" ("*.example.com": its subdomains) or "PREFIX*" ("registry.*"). */
static bool trusted(const struct hull_lint_opts *o, const char *reg, size_t rl)
{
	for (size_t i = 0; i < o->ntrusted; i++) {
		const char *t = o->trusted[i];
		size_t tl = strlen(t);
		if ((tl == rl && !memcmp(t, reg, rl)) || streq(t, "*"))
			return true;
		if (t[0] == '*' && rl >= tl - 1 && !memcmp(reg + rl - (tl - 1), t + 1, tl - 1))
			return true;
		if (tl && t[tl - 1] == '*' && rl >= tl - 1 && !memcmp(reg, t, tl - 1))
			return true;
	}
	return false;
}

/* An image reference DL3026 checks: trusted when its registry is, or, without one, when it
 * is scratch or Docker Hub is trusted. */
static bool ref_trusted(const struct hull_lint_opts *o, const char *ref)
{
	size_t rl = df_registry_len(ref, strcspn(ref, "@"));
	if (rl)
		return trusted(o, ref, rl);
	size_t nl = strcspn(ref, ":@");
	return (nl == 7 && !strncmp(ref, "scratch", 7)) || trusted(o, "docker.io", 9) ||
	       trusted(o, "hub.docker.com", 14);
}

/* COPY --from=X and RUN --mount=...,from=X name an image too, unless X is an earlier
 * stage's name, a stage index, or has a variable in its name or registry (that usually
 * names a stage; a variable tag does not hide the registry). */
static bool from_image_ok(struct lint_ctx *c, struct df_inst *const *v, size_t n, size_t i,
			  const char *x)
{
	if (!x || !*x || x[strspn(x, "0123456789")] == '\0' || seen_alias(c, v, n, i, x))
		return true;
	size_t end = strcspn(x, "@"), rl = df_registry_len(x, end);
	/* without a registry, the name ends at the tag's ':' after the last '/' */
	const char *last = memrchr(x, '/', end);
	size_t nl = last ? (size_t)(last - x) + strcspn(last, ":@") : strcspn(x, ":@");
	if (memchr(x, '$', rl ? rl : nl))
		return true;
	return ref_trusted(c->opts, x);
}

RULE_CHECK(dl3026)
{
	const struct hull_lint_opts *o = c->opts;
	if (!o || !o->ntrusted)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		bool ok = true;
		if (is_kind(in, DF_FROM) && in->image && !seen_alias(c, v, n, i, in->name))
			ok = ref_trusted(o, in->image);
		const char *from = is_kind(in, DF_COPY) ? df_flag(in, "from") : NULL;
		if (from)
			ok = from_image_ok(c, v, n, i, df_unquote(ARENA, from));
		for (size_t k = 0; ok && is_kind(in, DF_RUN) && k < in->nflags; k++)
			if (streq(in->flags[k].name, "mount") && in->flags[k].value)
				ok = from_image_ok(
					c, v, n, i,
					lint_mount_opt(ARENA, in->flags[k].value, "from"));
		if (!ok)
			lint_fail(c, in->line);
	}
}

RULE_CHECK(dl3029)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = is_kind(v[i], DF_FROM) ? v[i]->platform : NULL;
		if (p && *p && !strstr(p, "BUILDPLATFORM") && !strstr(p, "TARGETPLATFORM"))
			lint_fail(c, v[i]->line);
	}
}

RULE_CHECK(dl3043)
{
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *sub = is_kind(v[i], DF_ONBUILD) ? v[i]->sub : NULL;
		if (sub &&
		    (sub->kind == DF_ONBUILD || sub->kind == DF_FROM || sub->kind == DF_MAINTAINER))
			lint_fail(c, v[i]->line);
	}
}

static bool var_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_';
}

/* hadolint's test: "${name}" anywhere, or "$name" followed by the end of the text or by
 * a character that cannot continue a name ("$BLAFOO" is not a reference to BLA). */
static bool references(const char *text, const char *name)
{
	size_t nl = strlen(name);
	char *braced = xasprintf("${%s}", name);
	bool hit = strstr(text, braced) != NULL;
	free(braced);
	for (const char *m = strchr(text, '$'); m && !hit; m = strchr(m + 1, '$'))
		hit = !strncmp(m + 1, name, nl) && !var_char(m[1 + nl]);
	return hit;
}

static bool defined_before(struct df_inst *const *v, size_t upto, const char *name)
{
	for (size_t k = 0; k < upto; k++)
		if ((is_kind(v[k], DF_ENV) || is_kind(v[k], DF_ARG)) && df_pair(v[k], name))
			return true;
	for (size_t k = 0; k < upto; k++)
		if (is_kind(v[k], DF_ARG))
			for (size_t p = 0; p < v[k]->npairs; p++)
				if (streq(v[k]->pairs[p].key, name))
					return true;
	return false;
}

RULE_CHECK(dl3044)
{
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (!is_kind(in, DF_ENV))
			continue;
		bool bad = false;
		for (size_t a = 0; a < in->npairs && !bad; a++) {
			const char *name = in->pairs[a].key;
			if (defined_before(v, i, name))
				continue;
			for (size_t b = 0; b < in->npairs && !bad; b++)
				if (b != a && in->pairs[b].value &&
				    references(in->pairs[b].value, name))
					bad = true;
		}
		if (bad)
			lint_fail(c, in->line);
	}
}

RULE_CHECK(dl3061)
{
	bool from = false;
	for (size_t i = 0; i < n; i++) {
		if (is_kind(v[i], DF_FROM))
			from = true;
		else if (!from && !is_kind(v[i], DF_COMMENT) && !is_kind(v[i], DF_ARG))
			lint_fail(c, v[i]->line);
	}
}

/* ---- hadolint 2.15 ------------------------------------------------------------------ */

RULE_CHECK(dl3063)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = is_kind(v[i], DF_FROM) ? v[i]->alias : NULL;
		if (a && (streq(a, "scratch") || streq(a, "context"))) /* as written: any case */
			lint_fail(c, v[i]->line);
	}
}

/* hadolint's list of names that hold credentials; names are compared in upper case */
static const char *const sensitive_names[] = {
	"ACCESS_TOKEN",
	"APPLICATION_KEY",
	"APP_SECRET",
	"AUTH_TOKEN",
	"AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY",
	"BITTREX_API_KEY",
	"BITTREX_API_SECRET",
	"CF_PASSWORD",
	"CF_USERNAME",
	"CIRCLE_TOKEN",
	"CI_DEPLOY_PASSWORD",
	"CI_DEPLOY_USER",
	"DOCKERHUB_PASSWORD",
	"DOCKER_EMAIL",
	"DOCKER_PASSWORD",
	"DOCKER_USERNAME",
	"FACEBOOK_ACCESS_TOKEN",
	"FACEBOOK_APP_ID",
	"FACEBOOK_APP_SECRET",
	"FIREBASE_API_TOKEN",
	"FIREBASE_TOKEN",
	"FOSSA_API_KEY",
	"GH_ENTERPRISE_TOKEN",
	"GH_TOKEN",
	"GITHUB_ENTERPRISE_TOKEN",
	"GITHUB_TOKEN",
	"HEROKU_API_KEY",
	"HEROKU_API_USER",
	"NPM_AUTH_TOKEN",
	"NPM_TOKEN",
	"OKTA_AUTHN_GROUPID",
	"OKTA_CLIENT_ORGURL",
	"OKTA_CLIENT_TOKEN",
	"OKTA_OAUTH2_CLIENTID",
	"OKTA_OAUTH2_CLIENTSECRET",
	"OPENAI_API_KEY",
	"OS_PASSWORD",
	"OS_USERNAME",
	"POSTGRES_PASSWORD",
	"SLACK_TOKEN",
	"STRIPE_API_KEY",
	"STRIPE_DEVICE_NAME",
	"TRAVIS_OS_NAME",
	"TRAVIS_SECURE_ENV_VARS",
	"TRAVIS_SUDO",
	"VAULT_CLIENT_KEY",
	"VAULT_TOKEN",
};

/* ... and the parts of a name that make it suspect, compared in lower case */
static const char *const sensitive_parts[] = {"api_key", "client_key", "password", "private",
					      "secret",	 "token",      "username"};

static bool sensitive_arg_env_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(sensitive_names); i++)
		if (!strcasecmp(name, sensitive_names[i]))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(sensitive_parts); i++)
		if (strcasestr(name, sensitive_parts[i]))
			return true;
	return false;
}

/* By name only, whatever the value (hull's HL1001 judges values). */
RULE_CHECK(dl3064)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_kind(v[i], DF_ARG) && !is_kind(v[i], DF_ENV))
			continue;
		bool bad = false;
		for (size_t k = 0; k < v[i]->npairs && !bad; k++)
			bad = sensitive_arg_env_name(v[i]->pairs[k].key);
		if (bad)
			lint_fail(c, v[i]->line);
	}
}

RULE_CHECK(dl3065)
{
	for (size_t i = 0; i < n; i++) {
		const char *p = is_kind(v[i], DF_FROM) ? v[i]->platform : NULL;
		if (p && (streq(p, "$TARGETPLATFORM") || streq(p, "${TARGETPLATFORM}")))
			lint_fail(c, v[i]->line);
	}
}

/* Does the USER text take one of the ARGs declared above it: "$NAME" anywhere (as text,
 * so "$U" is in "$USER"), or "${NAME}", as hadolint 2.15.1 looks? Every prefix of the
 * text after a '$', up to the next '$', is looked up with a hash grown a byte at a time:
 * linear in the text, however many ARGs there are. */
static bool uses_arg(const struct strmap *args, size_t maxlen, const char *user)
{
	for (const char *p = strchr(user, '$'); p; p = strchr(p + 1, '$')) {
		const char *s = p + 1;
		if (strmap_getn(args, s, 0))
			return true; /* an ARG with an empty name */
		size_t n = *s == '{' ? strcspn(s + 1, "}$") : 0;
		if (n && s[1 + n] == '}' && strmap_getn(args, s + 1, n))
			return true;
		uint64_t h = STRMAP_HASH_START;
		for (size_t k = 0; k < maxlen && s[k] && s[k] != '$'; k++) {
			h = strmap_hash_add(h, (unsigned char)s[k]);
			if (strmap_getnh(args, s, k + 1, strmap_hash_end(h)))
				return true;
		}
	}
	return false;
}

/* hadolint 2.15.1: every USER whose user (before any ':') is not all digits, unless it
 * takes an ARG declared earlier in the file, in any stage. */
RULE_CHECK(dl3066)
{
	struct strmap args = STRMAP_INIT;
	size_t maxlen = 0;
	for (size_t i = 0; i < n; i++) {
		if (is_kind(v[i], DF_ARG)) {
			for (size_t k = 0; k < v[i]->npairs; k++) {
				size_t len = strlen(v[i]->pairs[k].key);
				strmap_put(&args, v[i]->pairs[k].key, (void *)1);
				maxlen = len > maxlen ? len : maxlen;
			}
			continue;
		}
		if (!is_kind(v[i], DF_USER))
			continue;
		const char *u = v[i]->args;
		size_t len = strcspn(u, ":");
		bool digits = true;
		for (size_t k = 0; k < len; k++)
			digits &= isdigit((unsigned char)u[k]) != 0;
		if (!digits && !uses_arg(&args, maxlen, u))
			lint_fail(c, v[i]->line);
	}
	strmap_free(&args);
}

/* COPY --from=STAGE / / */
RULE_CHECK(dl3067)
{
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (!is_kind(in, DF_COPY) || !df_has_flag(in, "from") || in->argc < 2 ||
		    !streq(df_unquote(ARENA, in->argv[in->argc - 1]), "/"))
			continue;
		for (size_t k = 0; k + 1 < in->argc; k++)
			if (streq(df_unquote(ARENA, in->argv[k]), "/")) {
				lint_fail(c, in->line);
				break;
			}
	}
}

RULE_CHECK(dl4000)
{
	for (size_t i = 0; i < n; i++)
		if (is_kind(v[i], DF_MAINTAINER))
			lint_fail(c, v[i]->line);
}
