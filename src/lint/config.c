/* hadolint's YAML configuration (.hadolint.yaml), read with libfyaml. The same keys may sit
 * under "lint:" in a hull.yaml (found by src/util/config.c's lookup, see cmd_lint.c), plus
 * hull's no-shellcheck and no-hull-rules. Unknown keys are ignored, as hadolint ignores
 * them. */
#include "lint.h"

#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONFIG_SIZE (1u << 20)

static const char *scalar(struct fy_node *n)
{
	return n && fy_node_is_scalar(n) ? fy_node_get_scalar0(n) : NULL;
}

static int bad(struct hull_err *err, const char *path, const char *key, const char *want)
{
	return hull_err_set(err, HULL_EINPUT, "%s: \"%s\" must be %s", path, key, want);
}

/* Calls add(o, item) for each scalar of a sequence (a lone scalar counts as one). */
static int each_scalar(struct fy_node *n, const char *path, const char *key,
		       struct hull_lint_opts *o, void (*add)(struct hull_lint_opts *, const char *),
		       struct hull_err *err)
{
	if (!n)
		return 0;
	if (scalar(n)) {
		add(o, scalar(n));
		return 0;
	}
	if (!fy_node_is_sequence(n))
		return bad(err, path, key, "a list");
	void *it = NULL;
	struct fy_node *e;
	while ((e = fy_node_sequence_iterate(n, &it))) {
		if (!scalar(e))
			return bad(err, path, key, "a list of strings");
		add(o, scalar(e));
	}
	return 0;
}

static int get_bool(struct fy_node *m, const char *key, const char *path, bool *out,
		    struct hull_err *err)
{
	struct fy_node *n = fy_node_mapping_lookup_by_string(m, key, FY_NT);
	if (!n)
		return 0;
	const char *s = scalar(n);
	if (s && (!strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "on")))
		*out = true;
	else if (s && (!strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "off")))
		*out = false;
	else
		return bad(err, path, key, "true or false");
	return 0;
}

static int load_overrides(struct fy_node *m, const char *path, struct hull_lint_opts *o,
			  struct hull_err *err)
{
	struct fy_node *ov = fy_node_mapping_lookup_by_string(m, "override", FY_NT);
	if (!ov)
		return 0;
	if (!fy_node_is_mapping(ov))
		return bad(err, path, "override", "a mapping of error/warning/info/style lists");
	static const char *const levels[] = {"error", "warning", "info", "style"};
	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		struct hull_lint_opts tmp;
		hull_lint_opts_init(&tmp);
		struct fy_node *l = fy_node_mapping_lookup_by_string(ov, levels[i], FY_NT);
		/* collect the codes of one level, then give them that level */
		int rc = each_scalar(l, path, levels[i], &tmp, hull_lint_opts_ignore, err);
		for (size_t k = 0; !rc && k < tmp.nignored; k++)
			hull_lint_opts_override(o, tmp.ignored[k], (enum hull_lint_sev)i);
		hull_lint_opts_free(&tmp);
		if (rc)
			return HULL_EINPUT;
	}
	return 0;
}

static int load_labels(struct fy_node *m, const char *path, struct hull_lint_opts *o,
		       struct hull_err *err)
{
	struct fy_node *ls = fy_node_mapping_lookup_by_string(m, "label-schema", FY_NT);
	if (!ls)
		return 0;
	if (!fy_node_is_mapping(ls))
		return bad(err, path, "label-schema", "a mapping of label names to types");
	void *it = NULL;
	struct fy_node_pair *p;
	while ((p = fy_node_mapping_iterate(ls, &it))) {
		const char *k = scalar(fy_node_pair_key(p)), *v = scalar(fy_node_pair_value(p));
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

static int load_mapping(struct fy_node *m, const char *path, struct hull_lint_opts *o,
			struct hull_err *err)
{
	if (each_scalar(fy_node_mapping_lookup_by_string(m, "ignored", FY_NT), path, "ignored", o,
			hull_lint_opts_ignore, err) ||
	    each_scalar(fy_node_mapping_lookup_by_string(m, "trustedRegistries", FY_NT), path,
			"trustedRegistries", o, hull_lint_opts_trust, err) ||
	    load_overrides(m, path, o, err) || load_labels(m, path, o, err) ||
	    get_bool(m, "strict-labels", path, &o->strict_labels, err) ||
	    get_bool(m, "no-fail", path, &o->no_fail, err) ||
	    get_bool(m, "disable-ignore-pragma", path, &o->disable_pragmas, err) ||
	    get_bool(m, "no-shellcheck", path, &o->no_shellcheck, err) ||
	    get_bool(m, "no-hull-rules", path, &o->no_hull_rules, err))
		return HULL_EINPUT;
	if (fy_node_mapping_lookup_by_string(m, "no-color", FY_NT)) {
		if (get_bool(m, "no-color", path, &o->no_color, err))
			return HULL_EINPUT;
		o->no_color_set = true;
	}
	const char *t = scalar(fy_node_mapping_lookup_by_string(m, "failure-threshold", FY_NT));
	if (t) {
		int s = hull_lint_sev_parse(t);
		if (s < 0)
			return bad(err, path, "failure-threshold",
				   "error, warning, info, style, ignore or none");
		o->threshold = (enum hull_lint_sev)s;
	}
	const char *f = scalar(fy_node_mapping_lookup_by_string(m, "format", FY_NT));
	if (f) {
		if (!hull_lint_format_known(f))
			return bad(err, path, "format", "a known output format");
		free(o->format);
		o->format = xstrdup(f);
	}
	return 0;
}

int hull_lint_config_load(struct hull_lint_opts *o, const char *path, struct hull_err *err)
{
	char *text;
	size_t len;
	if (hull_read_file(path, MAX_CONFIG_SIZE, &text, &len, err))
		return HULL_EINPUT;
	struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET};
	struct fy_document *fyd = fy_document_build_from_string(&cfg, text, len);
	int rc = 0;
	if (!fyd) {
		rc = hull_err_set(err, HULL_EINPUT, "%s: not valid YAML", path);
		goto out;
	}
	struct fy_node *root = fy_document_root(fyd);
	if (!root) /* an empty file is an empty configuration */
		goto out;
	if (!fy_node_is_mapping(root)) {
		rc = hull_err_set(err, HULL_EINPUT, "%s: expected a mapping at the top", path);
		goto out;
	}
	struct fy_node *lint = fy_node_mapping_lookup_by_string(root, "lint", FY_NT);
	if (lint && fy_node_is_mapping(lint))
		root = lint;
	rc = load_mapping(root, path, o, err);
out:
	fy_document_destroy(fyd);
	free(text);
	return rc;
}

char *hull_lint_config_find(void)
{
	static const char *const local[] = {".hadolint.yaml", ".hadolint.yml"};
	for (size_t i = 0; i < ARRAY_SIZE(local); i++)
		if (!access(local[i], R_OK))
			return xstrdup(local[i]);
	const char *xdg = getenv("XDG_CONFIG_HOME");
	char *p = NULL;
	if (xdg && *xdg)
		p = xasprintf("%s/hadolint.yaml", xdg);
	else if (getenv("HOME"))
		p = xasprintf("%s/.config/hadolint.yaml", getenv("HOME"));
	if (p && !access(p, R_OK))
		return p;
	free(p);
	return NULL;
}
