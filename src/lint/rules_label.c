/* Label rules: key syntax (DL3048) and the label schema from the config or
 * --require-label (DL3049-DL3058): required, superfluous, empty, and typed values. */
#include "rules.h"
#include "spdx.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool is_kind(const struct df_inst *in, enum df_kind k)
{
	return in->kind == k;
}

static bool key_ok(const char *k)
{
	size_t n = strlen(k);
	if (!n || !islower((unsigned char)k[0]))
		return false;
	char last = k[n - 1];
	if (!(islower((unsigned char)last) || isdigit((unsigned char)last)))
		return false;
	for (const char *p = k; *p; p++)
		if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '.' ||
		      *p == '-'))
			return false;
	if (!strncmp(k, "com.docker.", 11) || !strncmp(k, "io.docker.", 10) ||
	    !strncmp(k, "org.dockerproject.", 18))
		return false;
	return !strstr(k, "..") && !strstr(k, "--");
}

RULE_CHECK(dl3048)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_kind(v[i], DF_LABEL))
			continue;
		for (size_t p = 0; p < v[i]->npairs; p++)
			if (!key_ok(v[i]->pairs[p].key)) {
				lint_fail(c, v[i]->line);
				break;
			}
	}
}

enum stage_state { ST_BAD, ST_GOOD, ST_SILENT };

struct stage {
	const struct df_inst *from;
	enum stage_state state;
};

static void silence_alias(struct stage *st, size_t ns, const char *alias)
{
	for (size_t k = 0; alias && k < ns; k++)
		if (st[k].state == ST_BAD && st[k].from->alias && streq(st[k].from->alias, alias))
			st[k].state = ST_SILENT;
}

static void missing_label(struct lint_ctx *c, struct df_inst *const *v, size_t n, const char *label)
{
	struct stage *st = xcalloc(n ? n : 1, sizeof(*st));
	size_t ns = 0;
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (is_kind(in, DF_FROM) && in->name) {
			bool parent_good = false;
			for (size_t k = 0; k < ns; k++)
				parent_good |= st[k].state == ST_GOOD && st[k].from->alias &&
					       streq(st[k].from->alias, in->name);
			st[ns++] = (struct stage){in, parent_good ? ST_GOOD : ST_BAD};
		} else if (is_kind(in, DF_COPY) && df_flag(in, "from")) {
			silence_alias(st, ns, df_flag(in, "from"));
		} else if (is_kind(in, DF_LABEL) && ns && df_pair(in, label)) {
			const struct df_inst *cur = st[ns - 1].from;
			silence_alias(st, ns, cur->alias ? cur->alias : cur->name);
			st[ns - 1].state = ST_GOOD;
		}
	}
	for (size_t k = 0; k < ns; k++)
		if (st[k].state == ST_BAD)
			lint_failf(c, st[k].from->line, "Label `%s` is missing.", label);
	free(st);
}

RULE_CHECK(dl3049)
{
	for (size_t l = 0; c->opts && l < c->opts->nlabels; l++)
		missing_label(c, v, n, c->opts->labels[l].name);
}

static bool in_schema(const struct hull_lint_opts *o, const char *key)
{
	for (size_t l = 0; l < o->nlabels; l++)
		if (streq(o->labels[l].name, key))
			return true;
	return false;
}

RULE_CHECK(dl3050)
{
	if (!c->opts || !c->opts->strict_labels)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!is_kind(v[i], DF_LABEL))
			continue;
		for (size_t p = 0; p < v[i]->npairs; p++)
			if (!in_schema(c->opts, v[i]->pairs[p].key)) {
				lint_fail(c, v[i]->line);
				break;
			}
	}
}

/* Runs bad(value) for every LABEL pair whose key is a schema label of the given type
 * (NULL: any type); one finding per label and instruction. */
static void typed(struct lint_ctx *c, struct df_inst *const *v, size_t n, const char *type,
		  bool (*bad)(const char *), const char *pre, const char *post)
{
	for (size_t l = 0; c->opts && l < c->opts->nlabels; l++) {
		const struct hull_lint_label *lb = &c->opts->labels[l];
		if (type && strcmp(lb->type, type))
			continue;
		for (size_t i = 0; i < n; i++) {
			if (!is_kind(v[i], DF_LABEL))
				continue;
			for (size_t p = 0; p < v[i]->npairs; p++)
				if (streq(v[i]->pairs[p].key, lb->name) &&
				    bad(v[i]->pairs[p].value)) {
					lint_failf(c, v[i]->line, "%s`%s` %s", pre, lb->name, post);
					break;
				}
		}
	}
}

static bool is_empty(const char *s)
{
	return !s || !*s;
}

RULE_CHECK(dl3051)
{
	typed(c, v, n, NULL, is_empty, "label ", "is empty.");
}

/* An absolute URI (RFC 3986): scheme ":" then URI characters only. */
static bool bad_url(const char *s)
{
	if (!s || !isalpha((unsigned char)s[0]))
		return true;
	const char *p = s;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':')
		return true;
	for (p++; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("-._~:/?#[]@!$&'()*+,;=%", *p)))
			return true;
	return false;
}

RULE_CHECK(dl3052)
{
	typed(c, v, n, "url", bad_url, "Label ", "is not a valid URL.");
}

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* RFC 3339 date-time as hadolint reads it (timerep's parseTimeRFC3339): 2024-01-31T12:00:00,
 * an optional fraction (.123), then Z or an offset +01:00 or +0100; 'T' and 'Z' in either
 * case; the date and time must exist (no 2024-02-30, no 25:00). */
static bool bad_time(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (!s || strlen(s) < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2) || !strchr("Tt", s[10]) || !digits(s + 11, 2) ||
	    s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return true;
	int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
	    num(s + 11, 2) > 23 || num(s + 14, 2) > 59 || num(s + 17, 2) > 60)
		return true;
	const char *p = s + 19;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			return true;
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	if ((*p == 'Z' || *p == 'z') && !p[1])
		return false;
	if ((*p != '+' && *p != '-') || !digits(p + 1, 2))
		return true;
	p += 3;
	if (*p == ':')
		p++;
	return !digits(p, 2) || p[2];
}

RULE_CHECK(dl3053)
{
	typed(c, v, n, "rfc3339", bad_time, "Label ",
	      "is not a valid time format - must conform to RFC3339.");
}

/* hadolint parses the value as one SPDX LicenseId: an identifier of the SPDX license list,
 * spelled exactly (no expression, no "+", no LicenseRef-). */
static bool bad_spdx(const char *s)
{
	return !s ||
	       !bsearch(&s, hull_spdx_ids, hull_spdx_nids, sizeof(*hull_spdx_ids), hull_strcmp_p);
}

RULE_CHECK(dl3054)
{
	typed(c, v, n, "spdx", bad_spdx, "Label ", "is not a valid SPDX identifier.");
}

static bool bad_hash(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n != 7 && n != 40)
		return true;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return true;
	return false;
}

RULE_CHECK(dl3055)
{
	typed(c, v, n, "hash", bad_hash, "Label ", "is not a valid git hash.");
}

/* One numeric identifier without leading zeros; advances *p. */
static bool semver_num(const char **p)
{
	const char *s = *p;
	if (!isdigit((unsigned char)*s) || (s[0] == '0' && isdigit((unsigned char)s[1])))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	*p = s;
	return true;
}

static bool semver_idents(const char **p)
{
	const char *s = *p;
	do {
		const char *b = s;
		while (isalnum((unsigned char)*s) || *s == '-')
			s++;
		if (s == b)
			return false;
	} while (*s == '.' && s++);
	*p = s;
	return true;
}

static bool bad_semver(const char *s)
{
	if (!s)
		return true;
	const char *p = s;
	if (!semver_num(&p) || *p++ != '.' || !semver_num(&p) || *p++ != '.' || !semver_num(&p))
		return true;
	if (*p == '-' && (p++, !semver_idents(&p)))
		return true;
	if (*p == '+' && (p++, !semver_idents(&p)))
		return true;
	return *p != '\0';
}

RULE_CHECK(dl3056)
{
	typed(c, v, n, "semver", bad_semver, "Label ", "does not conform to semantic versioning.");
}

static bool bad_email(const char *s)
{
	const char *at = s ? strrchr(s, '@') : NULL;
	if (!at || at == s || !at[1])
		return true;
	for (const char *p = s; p < at; p++)
		if (!(isalnum((unsigned char)*p) || strchr(".!#$%&'*+/=?^_`{|}~-", *p)))
			return true;
	if (s[0] == '.' || at[-1] == '.' || strstr(s, ".."))
		return true;
	for (const char *p = at + 1; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-'))
			return true;
	return at[1] == '.' || s[strlen(s) - 1] == '.';
}

RULE_CHECK(dl3058)
{
	typed(c, v, n, "email", bad_email, "Label ",
	      "is not a valid email format - must conform to RFC5322.");
}
