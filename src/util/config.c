/* hull.yaml: find it, parse it, turn its keys into command-line flags. */
#include "config.h"
#include "strbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_CONFIG (1u << 20)

/* Top-level keys that name a command's section rather than a flag. */
static const char *const sections[] = {"image", "fs",	"k8s", "lint",	"sbom", "inspect",
				       "pull",	"push", "db",  "build", "slim", "vercmp"};

static bool is_section(const char *key)
{
	for (size_t i = 0; key && i < ARRAY_SIZE(sections); i++)
		if (!strcmp(key, sections[i]))
			return true;
	return false;
}

int hull_config_load_file(struct hull_config *c, const char *path, struct hull_err *err)
{
	memset(c, 0, sizeof(*c));
	size_t len;
	int rc = hull_read_file(path, MAX_CONFIG, &c->data, &len, err);
	if (rc)
		return rc;
	c->path = xstrdup(path);
	if (hull_yaml_parse_one(c->data, len, path, &c->arena, &c->root, err))
		return HULL_EINPUT;
	if (c->root && !knode_is(c->root, KNODE_MAP))
		return hull_err_set(err, HULL_EINPUT,
				    "%s:%zu: expected a map of flags and sections", path,
				    c->root->line);
	for (size_t i = 0; c->root && i < c->root->n; i++) {
		const struct kentry *k = &c->root->entries[i];
		if (!k->key)
			return hull_err_set(err, HULL_EINPUT, "%s:%zu: keys must be strings", path,
					    k->line);
		if (knode_is(k->val, KNODE_MAP) && !is_section(k->key))
			return hull_err_set(err, HULL_EINPUT,
					    "%s:%zu: unknown section \"%.60s\" (image, fs, k8s, "
					    "lint, …)",
					    path, k->line, k->key);
		if (is_section(k->key) && k->val && !knode_is(k->val, KNODE_MAP) &&
		    !(knode_is(k->val, KNODE_SCALAR) && k->val->plain && !*k->val->str))
			return hull_err_set(err, HULL_EINPUT,
					    "%s:%zu: section \"%s\" must be a map", path, k->line,
					    k->key);
	}
	return 0;
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && !S_ISDIR(st.st_mode);
}

int hull_config_load(struct hull_config *c, struct hull_err *err)
{
	memset(c, 0, sizeof(*c));
	const char *env = getenv("HULL_CONFIG");
	if (env)
		return *env ? hull_config_load_file(c, env, err) : 0;
	if (is_file("hull.yaml"))
		return hull_config_load_file(c, "hull.yaml", err);
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	_cleanup_free_ char *p = NULL;
	if (xdg && *xdg == '/')
		p = xasprintf("%s/hull/hull.yaml", xdg);
	else if (home && *home)
		p = xasprintf("%s/.config/hull/hull.yaml", home);
	if (p && is_file(p))
		return hull_config_load_file(c, p, err);
	return 0;
}

void hull_config_free(struct hull_config *c)
{
	free(c->path);
	free(c->data);
	arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}

const struct knode *hull_config_section(const struct hull_config *c, const char *cmd)
{
	const struct knode *s = c->root ? kmap_get(c->root, cmd) : NULL;
	return knode_is(s, KNODE_MAP) ? s : NULL;
}

static const struct option *find_opt(const struct option *o, const char *name)
{
	for (; o && o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

struct args {
	char **v;
	size_t n, cap;
};

static void push(struct hull_config *c, struct args *a, const char *s)
{
	ALLOC_GROW(a->v, a->n + 1, a->cap);
	a->v[a->n++] = arena_strdup(&c->arena, s);
}

/* One key as flags. */
static int key_args(struct hull_config *c, const char *cmd, const struct kentry *k,
		    const struct option *o, struct args *a, struct hull_err *err)
{
	const struct knode *v = k->val;
	if (o->has_arg == no_argument) {
		int b = knode_bool(v);
		if (b < 0)
			return hull_err_set(err, HULL_EINPUT,
					    "%s:%zu: %s: \"%s\" is a switch: "
					    "true or false",
					    c->path, k->line, cmd, k->key);
		if (b) {
			_cleanup_free_ char *f = xasprintf("--%s", k->key);
			push(c, a, f);
		}
		return 0;
	}
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "--%s=", k->key);
	if (knode_is(v, KNODE_SCALAR)) {
		strbuf_adds(&sb, v->str);
	} else if (knode_is(v, KNODE_SEQ)) {
		for (size_t i = 0; i < v->n; i++) {
			if (!knode_is(v->items[i], KNODE_SCALAR)) {
				strbuf_release(&sb);
				return hull_err_set(err, HULL_EINPUT,
						    "%s:%zu: %s: \"%s\" must be a value or a "
						    "list of values",
						    c->path, v->items[i]->line, cmd, k->key);
			}
			if (i)
				strbuf_addch(&sb, ',');
			strbuf_adds(&sb, v->items[i]->str);
		}
	} else {
		strbuf_release(&sb);
		return hull_err_set(err, HULL_EINPUT,
				    "%s:%zu: %s: \"%s\" must be a value or a list of values",
				    c->path, k->line, cmd, k->key);
	}
	push(c, a, sb.buf);
	strbuf_release(&sb);
	return 0;
}

int hull_config_argv(struct hull_config *c, const char *cmd, const struct option *longopts,
		     int argc, char **argv, int *nargc, char ***nargv, struct hull_err *err)
{
	struct args a = {0};
	push(c, &a, argc > 0 ? argv[0] : cmd);
	int rc = 0;
	for (size_t i = 0; !rc && c->root && i < c->root->n; i++) {
		const struct kentry *k = &c->root->entries[i];
		const struct option *o = find_opt(longopts, k->key);
		if (is_section(k->key) || !o || !strcmp(k->key, "help"))
			continue; /* a section, or a flag of other commands */
		rc = key_args(c, cmd, k, o, &a, err);
	}
	const struct knode *s = hull_config_section(c, cmd);
	for (size_t i = 0; !rc && s && i < s->n; i++) {
		const struct kentry *k = &s->entries[i];
		const struct option *o = k->key ? find_opt(longopts, k->key) : NULL;
		if (!o || !strcmp(k->key, "help"))
			rc = hull_err_set(err, HULL_EINPUT,
					  "%s:%zu: %s: unknown option \"%.60s\" (see 'hull help "
					  "%s')",
					  c->path, k->line, cmd, k->key ? k->key : "", cmd);
		else
			rc = key_args(c, cmd, k, o, &a, err);
	}
	if (rc) {
		free(a.v);
		return rc;
	}
	for (int i = 1; i < argc; i++) {
		ALLOC_GROW(a.v, a.n + 1, a.cap);
		a.v[a.n++] = argv[i];
	}
	ALLOC_GROW(a.v, a.n + 1, a.cap);
	a.v[a.n] = NULL;
	/* the vector itself moves into the arena so one free releases everything */
	char **v = arena_alloc(&c->arena, sizeof(char *) * (a.n + 1));
	memcpy(v, a.v, sizeof(char *) * (a.n + 1));
	free(a.v);
	*nargv = v;
	*nargc = (int)a.n;
	return 0;
}
