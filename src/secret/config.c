/* --secret-config FILE: Trivy's trivy-secret.yaml shape, so one file serves both tools.
 *   rules:                 custom rules (id, title, category, severity, regex, path,
 *                          keywords, secret-group-name, min-entropy)
 *   allow-rules:           id, description, regex (on the secret), path (on the file)
 *   enable-builtin-rules:  keep only these built-in rules
 *   disable-rules:         drop these rules (built-in or custom)
 *   disable-allow-rules:   "builtin" drops hull's built-in placeholder words */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "secret.h"
#include "../util/yaml.h"

#include <pcre2.h>
#include <string.h>
#include <strings.h>

#define MAX_CONFIG (4u << 20)
#define MAX_REGEX  4096
#define MAX_RULES  2000

struct loader {
	struct hull_secret_config *c;
	struct hull_err *err;
	bool seen; /* a document was parsed */
};

static int fail(struct loader *l, size_t line, const char *fmt, const char *what)
{
	return hull_err_set(l->err, HULL_EUSAGE, "%s:%zu: %s%s", l->c->path, line, fmt,
			    what ? what : "");
}

static const char *dup(struct loader *l, const char *s)
{
	return s ? arena_strdup(&l->c->arena, s) : NULL;
}

/* A scalar or a list of scalars into a NULL-terminated array. */
static int str_list(struct loader *l, const struct kentry *e, const char ***out, size_t *n)
{
	const struct knode *v = e->val;
	if (knode_is(v, KNODE_SCALAR)) {
		const char **a = arena_alloc(&l->c->arena, 2 * sizeof(char *));
		a[0] = dup(l, v->str);
		a[1] = NULL;
		*out = a;
		*n = 1;
		return 0;
	}
	if (!knode_is(v, KNODE_SEQ))
		return fail(l, e->line, "expected a list for ", e->key);
	const char **a = arena_alloc(&l->c->arena, (v->n + 1) * sizeof(char *));
	for (size_t i = 0; i < v->n; i++) {
		if (!knode_is(v->items[i], KNODE_SCALAR))
			return fail(l, v->items[i]->line, "expected a string in ", e->key);
		a[i] = dup(l, v->items[i]->str);
	}
	a[v->n] = NULL;
	*out = a;
	*n = v->n;
	return 0;
}

static const char *scalar(struct loader *l, const struct knode *map, const char *key, int *rc)
{
	const struct kentry *e = kmap_entry(map, key);
	if (!e)
		return NULL;
	if (!knode_is(e->val, KNODE_SCALAR)) {
		*rc = fail(l, e->line, "expected a string for ", key);
		return NULL;
	}
	return dup(l, e->val->str);
}

/* Compiles re to report a bad pattern at its line (the engine compiles it again). */
static int check_regex(struct loader *l, size_t line, const char *id, const char *re)
{
	if (strlen(re) > MAX_REGEX)
		return hull_err_set(l->err, HULL_EUSAGE, "%s:%zu: rule %s: regex over %d bytes",
				    l->c->path, line, id, MAX_REGEX);
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &ec,
				      &eo, NULL);
	if (c) {
		pcre2_code_free(c);
		return 0;
	}
	PCRE2_UCHAR msg[256];
	pcre2_get_error_message(ec, msg, sizeof(msg));
	return hull_err_set(l->err, HULL_EUSAGE, "%s:%zu: rule %s: bad regex: %s at offset %zu",
			    l->c->path, line, id, (char *)msg, (size_t)eo);
}

static int check_keys(struct loader *l, const struct knode *m, const char *const *keys,
		      const char *what)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct kentry *e = &m->entries[i];
		bool ok = false;
		for (size_t k = 0; keys[k] && !ok; k++)
			ok = e->key && !strcmp(e->key, keys[k]);
		if (!ok) {
			hull_err_set(l->err, HULL_EUSAGE, "%s:%zu: unknown key \"%s\" in %s",
				     l->c->path, e->line, e->key ? e->key : "?", what);
			return HULL_EUSAGE;
		}
	}
	return 0;
}

static int parse_rule(struct loader *l, const struct knode *m, struct hull_secret_rule *r)
{
	static const char *const keys[] = {
		"id",	       "title",	      "category", "severity",
		"regex",       "path",	      "keywords", "secret-group-name",
		"min-entropy", "description", NULL};
	if (!knode_is(m, KNODE_MAP))
		return fail(l, m->line, "a rule must be a map", NULL);
	int rc = check_keys(l, m, keys, "a rule");
	r->id = scalar(l, m, "id", &rc);
	r->title = scalar(l, m, "title", &rc);
	r->category = scalar(l, m, "category", &rc);
	r->severity = scalar(l, m, "severity", &rc);
	r->regex = scalar(l, m, "regex", &rc);
	r->path_regex = scalar(l, m, "path", &rc);
	r->secret_group = scalar(l, m, "secret-group-name", &rc);
	const char *ent = scalar(l, m, "min-entropy", &rc);
	if (rc)
		return rc;
	if (!r->id || !*r->id)
		return fail(l, m->line, "a rule needs an id", NULL);
	if (!r->regex || !*r->regex)
		return fail(l, m->line, "a rule needs a regex: ", r->id);
	if ((rc = check_regex(l, m->line, r->id, r->regex)) ||
	    (r->path_regex && (rc = check_regex(l, m->line, r->id, r->path_regex))))
		return rc;
	if (!r->title)
		r->title = r->id;
	if (!r->category)
		r->category = "custom";
	if (!r->severity)
		r->severity = "HIGH";
	static const char *const sevs[] = {"CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"};
	bool sev_ok = false;
	for (size_t i = 0; i < ARRAY_SIZE(sevs); i++)
		if (!strcasecmp(r->severity, sevs[i])) {
			r->severity = sevs[i];
			sev_ok = true;
		}
	if (!sev_ok)
		return fail(l, m->line, "unknown severity ", r->severity);
	if (ent) {
		char *end;
		r->min_entropy = strtod(ent, &end);
		if (*end || r->min_entropy < 0 || r->min_entropy > 8)
			return fail(l, m->line,
				    "min-entropy must be a number of bits per "
				    "character (0-8): ",
				    ent);
	}
	const struct kentry *kw = kmap_entry(m, "keywords");
	if (kw) {
		const char **a;
		size_t n;
		if ((rc = str_list(l, kw, &a, &n)))
			return rc;
		r->keywords = a;
	}
	return 0;
}

static int parse_allow(struct loader *l, const struct knode *m, struct hull_secret_allow *a)
{
	static const char *const keys[] = {"id", "description", "regex", "path", NULL};
	if (!knode_is(m, KNODE_MAP))
		return fail(l, m->line, "an allow rule must be a map", NULL);
	int rc = check_keys(l, m, keys, "an allow rule");
	a->id = scalar(l, m, "id", &rc);
	a->regex = scalar(l, m, "regex", &rc);
	a->path = scalar(l, m, "path", &rc);
	if (rc)
		return rc;
	if (!a->id)
		a->id = "allow-rule";
	if (!a->regex && !a->path)
		return fail(l, m->line, "an allow rule needs a regex or a path: ", a->id);
	if ((a->regex && (rc = check_regex(l, m->line, a->id, a->regex))) ||
	    (a->path && (rc = check_regex(l, m->line, a->id, a->path))))
		return rc;
	return 0;
}

static int on_doc(const struct knode *root, size_t index, void *ctx)
{
	struct loader *l = ctx;
	struct hull_secret_config *c = l->c;
	if (!root)
		return 0;
	if (index > 1 || l->seen)
		return fail(l, root->line, "expected one YAML document", NULL);
	l->seen = true;
	if (!knode_is(root, KNODE_MAP))
		return fail(l, root->line, "expected a map at the top level", NULL);
	static const char *const keys[] = {
		"rules",	 "allow-rules",		"enable-builtin-rules",
		"disable-rules", "disable-allow-rules", NULL};
	int rc = check_keys(l, root, keys, "the secret config");
	if (rc)
		return rc;
	const struct kentry *e;
	if ((e = kmap_entry(root, "rules"))) {
		if (!knode_is(e->val, KNODE_SEQ))
			return fail(l, e->line, "expected a list for rules", NULL);
		if (e->val->n > MAX_RULES)
			return fail(l, e->line, "too many rules", NULL);
		c->rules = arena_alloc(&c->arena, (e->val->n + 1) * sizeof(*c->rules));
		memset(c->rules, 0, (e->val->n + 1) * sizeof(*c->rules));
		for (size_t i = 0; i < e->val->n; i++) {
			if ((rc = parse_rule(l, e->val->items[i], &c->rules[i])))
				return rc;
			for (size_t k = 0; k < hull_secret_nrules; k++)
				if (!strcmp(hull_secret_rules[k].id, c->rules[i].id))
					return fail(l, e->val->items[i]->line,
						    "a rule id must not be a built-in one: ",
						    c->rules[i].id);
			for (size_t k = 0; k < i; k++)
				if (!strcmp(c->rules[k].id, c->rules[i].id))
					return fail(l, e->val->items[i]->line, "duplicate rule id ",
						    c->rules[i].id);
		}
		c->nrules = e->val->n;
	}
	if ((e = kmap_entry(root, "allow-rules"))) {
		if (!knode_is(e->val, KNODE_SEQ))
			return fail(l, e->line, "expected a list for allow-rules", NULL);
		if (e->val->n > MAX_RULES)
			return fail(l, e->line, "too many allow rules", NULL);
		c->allow = arena_alloc(&c->arena, (e->val->n + 1) * sizeof(*c->allow));
		for (size_t i = 0; i < e->val->n; i++)
			if ((rc = parse_allow(l, e->val->items[i], &c->allow[i])))
				return rc;
		c->nallow = e->val->n;
	}
	if ((e = kmap_entry(root, "enable-builtin-rules")) &&
	    (rc = str_list(l, e, &c->enable_builtin, &c->nenable_builtin)))
		return rc;
	if ((e = kmap_entry(root, "disable-rules")) &&
	    (rc = str_list(l, e, &c->disable, &c->ndisable)))
		return rc;
	if ((e = kmap_entry(root, "disable-allow-rules"))) {
		const char **a;
		size_t n;
		if ((rc = str_list(l, e, &a, &n)))
			return rc;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(a[i], "builtin"))
				c->no_builtin_allow = true;
	}
	/* Names that match nothing are typos: say so rather than scan with the wrong set. */
	for (size_t i = 0; i < c->nenable_builtin; i++) {
		bool found = false;
		for (size_t k = 0; k < hull_secret_nrules && !found; k++)
			found = !strcmp(hull_secret_rules[k].id, c->enable_builtin[i]);
		if (!found)
			return fail(l, e ? e->line : root->line, "unknown built-in rule ",
				    c->enable_builtin[i]);
	}
	for (size_t i = 0; i < c->ndisable; i++) {
		bool found = false;
		for (size_t k = 0; k < hull_secret_nrules && !found; k++)
			found = !strcmp(hull_secret_rules[k].id, c->disable[i]);
		for (size_t k = 0; k < c->nrules && !found; k++)
			found = !strcmp(c->rules[k].id, c->disable[i]);
		if (!found)
			return fail(l, root->line,
				    "disable-rules names an unknown rule: ", c->disable[i]);
	}
	return 0;
}

int hull_secret_config_load(const char *path, struct hull_secret_config **out, struct hull_err *err)
{
	char *data = NULL;
	size_t len = 0;
	int rc = hull_read_file(path, MAX_CONFIG, &data, &len, err);
	if (rc)
		return rc;
	rc = hull_secret_config_parse(data, len, path, out, err);
	free(data);
	return rc;
}

int hull_secret_config_parse(const char *data, size_t len, const char *path,
			     struct hull_secret_config **out, struct hull_err *err)
{
	int rc;
	struct hull_secret_config *c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(path);
	struct loader l = {c, err, false};
	struct arena tree = ARENA_INIT;
	rc = hull_yaml_parse(data, len, &tree, on_doc, &l, err);
	arena_free(&tree);
	if (rc) {
		/* YAML syntax errors do not name the file: every message here does. */
		_cleanup_free_ char *m = xstrdup(err->msg ? err->msg : "invalid secret config");
		hull_err_clear(err);
		if (strncmp(m, path, strlen(path)))
			hull_err_set(err, HULL_EUSAGE, "%s: %s", path, m);
		else
			hull_err_set(err, HULL_EUSAGE, "%s", m);
		hull_secret_config_free(c);
		return HULL_EUSAGE;
	}
	*out = c;
	return 0;
}

void hull_secret_config_free(struct hull_secret_config *c)
{
	if (!c)
		return;
	arena_free(&c->arena);
	free(c->path);
	free(c);
}
