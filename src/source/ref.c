/* Image references, normalised as Docker's distribution/reference does, and the
 * WWW-Authenticate challenges registries answer with. Pure string code (fuzzed). */
#include "../util/hash.h"
#include "../util/strbuf.h"
#include "registry.h"

#include <ctype.h>
#include <string.h>

#define MAX_NAME 255
#define MAX_TAG	 128

static bool is_alnum_lower(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static bool component_ok(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (!is_alnum_lower(s[i]))
			return false;
		while (i < n && is_alnum_lower(s[i]))
			i++;
		if (i == n)
			return true;
		size_t sep = i;
		if (s[i] == '.' || s[i] == '_') {
			i++;
			if (s[sep] == '_' && i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i == n)
			return false; /* trailing separator */
	}
	return n > 0;
}

static bool path_ok(const char *p)
{
	if (!*p)
		return false;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (!component_ok(p, n))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
	}
}

/* host[:port] with host a DNS name, IPv4, or [IPv6]. */
static bool domain_ok(const char *d)
{
	const char *p = d;
	if (*p == '[') {
		const char *e = strchr(p, ']');
		if (!e || e == p + 1)
			return false;
		for (const char *q = p + 1; q < e; q++)
			if (!isxdigit((unsigned char)*q) && *q != ':' && *q != '.')
				return false;
		p = e + 1;
	} else {
		if (!isalnum((unsigned char)*p))
			return false;
		while (isalnum((unsigned char)*p) || *p == '.' || *p == '-')
			p++;
		if (p[-1] == '.' || p[-1] == '-')
			return false;
	}
	if (!*p)
		return true;
	if (*p != ':' || !p[1] || strlen(p + 1) > 5)
		return false;
	for (p++; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

static bool tag_ok(const char *t)
{
	size_t n = strlen(t);
	if (!n || n > MAX_TAG || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
			return false;
	return true;
}

/* Is the first component a registry host (Docker's rule: it has '.' or ':', or is
 * "localhost", or has an upper-case letter)? */
static bool first_is_domain(const char *name, size_t n)
{
	if (n == 9 && !strncmp(name, "localhost", 9))
		return true;
	for (size_t i = 0; i < n; i++)
		if (name[i] == '.' || name[i] == ':' || name[i] == '[' ||
		    isupper((unsigned char)name[i]))
			return true;
	return false;
}

static int bad(struct hull_err *err, const char *s, const char *why)
{
	return hull_err_set(err, HULL_EUSAGE, "%s: invalid image reference (%s)", s, why);
}

/* Splits "name[:tag]" (the tag colon comes after the last '/'). */
static void split_tag(char *name, char **tag)
{
	char *slash = strrchr(name, '/');
	char *colon = strrchr(slash ? slash : name, ':');
	*tag = NULL;
	if (colon) {
		*colon = '\0';
		*tag = colon + 1;
	}
}

static int fill(struct hull_ref *ref, const char *s, char *name, char *tag, const char *digest,
		struct hull_err *err)
{
	const char *slash = strchr(name, '/');
	const char *path = name;
	if (slash && first_is_domain(name, (size_t)(slash - name))) {
		ref->domain = xstrndup(name, (size_t)(slash - name));
		path = slash + 1;
	} else {
		ref->domain = xstrdup("docker.io");
	}
	if (!strcmp(ref->domain, "index.docker.io")) {
		free(ref->domain);
		ref->domain = xstrdup("docker.io");
	}
	if (!domain_ok(ref->domain))
		return bad(err, s, "bad registry host");
	for (const char *p = path; *p; p++)
		if (isupper((unsigned char)*p))
			return bad(err, s, "repository name must be lowercase");
	if (!path_ok(path))
		return bad(err, s, "bad repository name");
	bool hub = !strcmp(ref->domain, "docker.io");
	ref->repo = hub && !strchr(path, '/') ? xasprintf("library/%s", path) : xstrdup(path);
	if (strlen(ref->domain) + 1 + strlen(ref->repo) > MAX_NAME)
		return bad(err, s, "name longer than 255 characters");
	if (tag && !tag_ok(tag))
		return bad(err, s, "bad tag");
	if (digest && !hull_digest_valid(digest))
		return bad(err, s, "bad digest, want sha256:<64 lowercase hex digits>");
	ref->tag = tag ? xstrdup(tag) : (digest ? NULL : xstrdup("latest"));
	ref->digest = digest ? xstrdup(digest) : NULL;
	return 0;
}

int hull_ref_parse(const char *s, struct hull_ref *ref, struct hull_err *err)
{
	memset(ref, 0, sizeof(*ref));
	if (!s || !*s)
		return bad(err, s ? s : "", "empty");
	if (strlen(s) > 4 * MAX_NAME)
		return bad(err, "reference", "too long");
	_cleanup_free_ char *copy = xstrdup(s);
	char *at = strchr(copy, '@');
	const char *digest = NULL;
	if (at) {
		*at = '\0';
		digest = at + 1;
	}
	char *tag;
	split_tag(copy, &tag);
	if (!*copy)
		return bad(err, s, "no repository name");
	int rc = fill(ref, s, copy, tag, digest, err);
	if (rc)
		hull_ref_free(ref);
	return rc;
}

void hull_ref_free(struct hull_ref *ref)
{
	free(ref->domain);
	free(ref->repo);
	free(ref->tag);
	free(ref->digest);
	memset(ref, 0, sizeof(*ref));
}

char *hull_ref_string(const struct hull_ref *ref)
{
	return xasprintf("%s/%s%s%s%s%s", ref->domain, ref->repo, ref->tag ? ":" : "",
			 ref->tag ? ref->tag : "", ref->digest ? "@" : "",
			 ref->digest ? ref->digest : "");
}

const char *hull_ref_api_host(const struct hull_ref *ref)
{
	return strcmp(ref->domain, "docker.io") ? ref->domain : "registry-1.docker.io";
}

bool hull_host_is_loopback(const char *hp)
{
	size_t n = strcspn(hp, ":");
	if (hp[0] == '[')
		return !strncmp(hp, "[::1]", 5) && (!hp[5] || hp[5] == ':');
	if (n == 9 && !strncmp(hp, "localhost", 9))
		return true;
	/* 127.0.0.0/8, written as four decimal parts */
	if (strncmp(hp, "127.", 4))
		return false;
	int dots = 0;
	for (size_t i = 0; i < n; i++) {
		if (hp[i] == '.')
			dots++;
		else if (!isdigit((unsigned char)hp[i]))
			return false;
	}
	return dots == 3;
}

/* ------------------------------------------------------------- WWW-Authenticate */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	return p;
}

static bool tchar(char c)
{
	return c && (isalnum((unsigned char)c) || strchr("!#$%&'*+-.^_`|~", c));
}

/* A token or a quoted-string (backslash escapes); advances *pp. */
static char *param_value(const char **pp)
{
	const char *p = *pp;
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "");
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p == '\\' && p[1])
				p++;
			strbuf_addch(&sb, *p);
		}
		if (*p == '"')
			p++;
	} else {
		while (*p && tchar(*p) && *p != ',')
			strbuf_addch(&sb, *p++);
		/* token68 padding and the odd unquoted '/' or ':' seen in the wild */
		while (*p && *p != ',' && *p != ' ')
			strbuf_addch(&sb, *p++);
	}
	*pp = p;
	return strbuf_detach(&sb, NULL);
}

static void set_param(struct hull_auth_challenge *c, const char *key, size_t klen, char *val)
{
	char **slot = NULL;
	if (klen == 5 && !strncasecmp(key, "realm", 5))
		slot = &c->realm;
	else if (klen == 7 && !strncasecmp(key, "service", 7))
		slot = &c->service;
	else if (klen == 5 && !strncasecmp(key, "scope", 5))
		slot = &c->scope;
	if (slot && !*slot) {
		*slot = val;
		return;
	}
	free(val);
}

/* After a scheme: "k=v, k=v"; stops before the next scheme (a token not followed by
 * '='). */
static const char *parse_params(const char *p, struct hull_auth_challenge *c)
{
	for (;;) {
		p = skip_ws(p);
		const char *k = p;
		while (tchar(*p))
			p++;
		size_t klen = (size_t)(p - k);
		const char *q = p;
		while (*q == ' ' || *q == '\t')
			q++;
		if (!klen || *q != '=')
			return klen ? k : p;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		set_param(c, k, klen, param_value(&q));
		p = q;
	}
}

int hull_auth_parse(const char *header, struct hull_auth_challenge **out, size_t *n)
{
	struct hull_auth_challenge *v = NULL;
	size_t cap = 0;
	*n = 0;
	const char *p = header ? header : "";
	while (*(p = skip_ws(p)) && *n < 16) {
		const char *s = p;
		while (tchar(*p))
			p++;
		if (p == s) {
			p++; /* junk: skip a byte */
			continue;
		}
		ALLOC_GROW(v, *n + 1, cap);
		struct hull_auth_challenge *c = &v[(*n)++];
		memset(c, 0, sizeof(*c));
		c->scheme = xstrndup(s, (size_t)(p - s));
		for (char *q = c->scheme; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		p = parse_params(p, c);
	}
	*out = v;
	return 0;
}

void hull_auth_free(struct hull_auth_challenge *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].scheme);
		free(c[i].realm);
		free(c[i].service);
		free(c[i].scope);
	}
	free(c);
}
