/* hadolint's YAML configuration (.hadolint.yaml), read with the shared YAML reader
 * (src/util/yaml.c: one-line errors with a position, no NUL bytes or invalid UTF-8). The
 * same keys may sit under "lint:" in a hull.yaml (found by src/util/config.c's lookup, see
 * cmd_lint.c), plus hull's no-shellcheck and no-hull-rules. Unknown keys are ignored, as
 * hadolint ignores them. */
#include "lint.h"

#include "../util/yaml.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CONFIG_SIZE (1u << 20)

/* The value of m[key]; NULL when absent or null ("key:" with nothing after it). */
static const struct knode *get(const struct knode *m, const char *key)
{
	const struct knode *n = kmap_get(m, key);
	if (n && n->type == KNODE_SCALAR && n->plain &&
	    (!*n->str || !strcasecmp(n->str, "null") || !strcmp(n->str, "~")))
		return NULL;
	return n;
}

static const char *scalar(const struct knode *n)
{
	return knode_is(n, KNODE_SCALAR) ? n->str : NULL;
}

static int bad(struct hull_err *err, const char *path, const char *key, const char *want)
{
	return hull_err_set(err, HULL_EINPUT, "%s: \"%s\" must be %s", path, key, want);
}

/* Calls add(o, item) for each scalar of a sequence (a lone scalar counts as one). */
static int each_scalar(const struct knode *n, const char *path, const char *key,
		       struct hull_lint_opts *o, void (*add)(struct hull_lint_opts *, const char *),
		       struct hull_err *err)
{
	if (!n)
		return 0;
	if (scalar(n)) {
		add(o, scalar(n));
		return 0;
	}
	if (!knode_is(n, KNODE_SEQ))
		return bad(err, path, key, "a list");
	for (size_t i = 0; i < n->n; i++) {
		if (!scalar(n->items[i]))
			return bad(err, path, key, "a list of strings");
		add(o, scalar(n->items[i]));
	}
	return 0;
}

static int get_bool(const struct knode *m, const char *key, const char *path, bool *out,
		    struct hull_err *err)
{
	const struct knode *n = get(m, key);
	if (!n)
		return 0;
	/* YAML 1.2's true/True/TRUE, 1.1's yes and on (any case), quoted or not */
	const char *s = scalar(n);
	if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")))
		*out = true;
	else if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")))
		*out = false;
	else
		return bad(err, path, key, "true or false");
	return 0;
}

static int load_overrides(const struct knode *m, const char *path, struct hull_lint_opts *o,
			  struct hull_err *err)
{
	const struct knode *ov = get(m, "override");
	if (!ov)
		return 0;
	if (!knode_is(ov, KNODE_MAP))
		return bad(err, path, "override", "a mapping of error/warning/info/style lists");
	static const char *const levels[] = {"error", "warning", "info", "style"};
	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		struct hull_lint_opts tmp;
		hull_lint_opts_init(&tmp);
		/* collect the codes of one level, then give them that level */
		int rc = each_scalar(get(ov, levels[i]), path, levels[i], &tmp,
				     hull_lint_opts_ignore, err);
		for (size_t k = 0; !rc && k < tmp.nignored; k++)
			hull_lint_opts_override(o, tmp.ignored[k], (enum hull_lint_sev)i);
		hull_lint_opts_free(&tmp);
		if (rc)
			return HULL_EINPUT;
	}
	return 0;
}

static int load_labels(const struct knode *m, const char *path, struct hull_lint_opts *o,
		       struct hull_err *err)
{
	const struct knode *ls = get(m, "label-schema");
	if (!ls)
		return 0;
	if (!knode_is(ls, KNODE_MAP))
		return bad(err, path, "label-schema", "a mapping of label names to types");
	for (size_t i = 0; i < ls->n; i++) {
		const char *k = ls->entries[i].key, *v = scalar(ls->entries[i].val);
		if (!k || !v)
			return bad(err, path, "label-schema", "a mapping of label names to types");
		char *spec = xasprintf("%s:%s", k, v);
		int rc = hull_lint_opts_label(o, spec, err);
		free(spec);
		if (rc) {
			hull_err_prefix(err, "%s", path);
			return rc;
		}
	}
	return 0;
}

static int load_mapping(const struct knode *m, const char *path, struct hull_lint_opts *o,
			struct hull_err *err)
{
	if (each_scalar(get(m, "ignored"), path, "ignored", o, hull_lint_opts_ignore, err) ||
	    each_scalar(get(m, "trustedRegistries"), path, "trustedRegistries", o,
			hull_lint_opts_trust, err) ||
	    load_overrides(m, path, o, err) || load_labels(m, path, o, err) ||
	    get_bool(m, "strict-labels", path, &o->strict_labels, err) ||
	    get_bool(m, "no-fail", path, &o->no_fail, err) ||
	    get_bool(m, "disable-ignore-pragma", path, &o->disable_pragmas, err) ||
	    get_bool(m, "verbose", path, &o->verbose, err) ||
	    get_bool(m, "no-shellcheck", path, &o->no_shellcheck, err) ||
	    get_bool(m, "no-hull-rules", path, &o->no_hull_rules, err))
		return HULL_EINPUT;
	if (get(m, "no-color")) {
		if (get_bool(m, "no-color", path, &o->no_color, err))
			return HULL_EINPUT;
		o->no_color_set = true;
	}
	const char *t = scalar(get(m, "failure-threshold"));
	if (t) {
		int s = hull_lint_sev_parse(t);
		if (s < 0)
			return bad(err, path, "failure-threshold",
				   "error, warning, info, style, ignore or none");
		o->threshold = (enum hull_lint_sev)s;
	}
	/* hadolint 2.15: "formats" (a list) and "format"; the file's replace the
	 * environment's */
	const struct knode *fl = get(m, "formats");
	if (fl && !scalar(fl) && !knode_is(fl, KNODE_SEQ))
		return bad(err, path, "formats", "a list of known output formats");
	size_t nf = !fl ? 0 : scalar(fl) ? 1 : fl->n; /* a lone name is a list of one */
	for (size_t i = 0; i < nf; i++) {
		const char *f = scalar(fl) ? scalar(fl) : scalar(fl->items[i]);
		if (!f || !hull_lint_format_known(f))
			return bad(err, path, "formats", "a list of known output formats");
		hull_lint_opts_format(o, f, i == 0);
	}
	const char *f = scalar(get(m, "format"));
	if (f) {
		if (!hull_lint_format_known(f))
			return bad(err, path, "format", "a known output format");
		hull_lint_opts_format(o, f, nf == 0);
	}
	return 0;
}

int hull_lint_config_parse(struct hull_lint_opts *o, const char *path, const char *text, size_t len,
			   struct hull_err *err)
{
	struct arena a = ARENA_INIT;
	const struct knode *root;
	int rc = hull_yaml_parse_one(text, len, path, &a, &root, err);
	if (rc) /* a second document too: which would apply? */
		goto out;
	/* an empty file (or one of comments only) is an empty configuration */
	if (!root || (root->type == KNODE_SCALAR && root->plain && !*root->str))
		goto out;
	if (!knode_is(root, KNODE_MAP)) {
		rc = hull_err_set(err, HULL_EINPUT, "%s: expected a mapping at the top", path);
		goto out;
	}
	const struct knode *lint = kmap_get(root, "lint");
	if (knode_is(lint, KNODE_MAP))
		root = lint;
	rc = load_mapping(root, path, o, err);
out:
	arena_free(&a);
	return rc;
}

int hull_lint_config_load(struct hull_lint_opts *o, const char *path, struct hull_err *err)
{
	char *text;
	size_t len;
	if (hull_read_file(path, MAX_CONFIG_SIZE, &text, &len, err))
		return HULL_EINPUT;
	int rc = hull_lint_config_parse(o, path, text, len, err);
	free(text);
	return rc;
}

/* The first of names under dir that is a file (hadolint's doesFileExist), or NULL. */
static char *first_file(const char *dir, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *p = dir ? xasprintf("%s/%s", dir, names[i]) : xstrdup(names[i]);
		struct stat st;
		if (!stat(p, &st) && !S_ISDIR(st.st_mode))
			return p;
		free(p);
	}
	return NULL;
}

char *hull_lint_config_find(bool user)
{
	static const char *const hidden[] = {".hadolint.yaml", ".hadolint.yml"};
	static const char *const visible[] = {"hadolint.yaml", "hadolint.yml", "config.yaml",
					      "config.yml"};
	if (!user)
		return first_file(NULL, hidden, ARRAY_SIZE(hidden));
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	if (home && !*home)
		home = NULL;
	char *p = NULL;
	/* an XDG variable that is not an absolute path is ignored, as the spec says */
	if (xdg && *xdg == '/')
		p = first_file(xdg, visible, 2);
	else if (home) {
		char *d = xasprintf("%s/.config", home);
		p = first_file(d, visible, 2);
		free(d);
	}
	if (!p && home) {
		char *d = xasprintf("%s/.hadolint", home);
		p = first_file(d, visible, ARRAY_SIZE(visible));
		free(d);
	}
	if (!p && home)
		p = first_file(home, hidden, ARRAY_SIZE(hidden));
	return p;
}
