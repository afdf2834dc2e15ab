/* Rules that carry state across a stage or the whole file: apt lists cleanup, archives
 * copied then extracted, pip cache settings, WORKDIR, HEALTHCHECK, consecutive RUNs,
 * curl+wget, pipefail. */
#include "rules.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA (&c->doc->arena)

static bool is_kind(const struct df_inst *in, enum df_kind k)
{
	return in->kind == k;
}

/* FROM lines compare as hadolint compares BaseImage values: by what they say. */
static bool same_from(const struct df_inst *a, const struct df_inst *b)
{
	if (!a || !b)
		return a == b;
	return streq(a->args, b->args) &&
	       streq(a->platform ? a->platform : "", b->platform ? b->platform : "");
}

/* A RUN that leaves a package manager's cache behind (DL3009, DL3060). */
typedef bool (*forgot_fn)(struct lint_ctx *c, const struct df_inst *in);

/* hadolint's DL3009 bookkeeping: a RUN that forgot to clean up fails only when its stage
 * ships, that is, when it is the last stage or another FROM builds on its alias. In ONBUILD
 * triggers (no FROM in v) every one fails: they run in some later image. */
static void stage_forgets(struct lint_ctx *c, struct df_inst *const *v, size_t n, forgot_fn forgot)
{
	const struct df_inst *last_from = NULL;
	struct {
		int line;
		const struct df_inst *from;
	} *forgets = NULL;
	size_t nf = 0, cap = 0;
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (is_kind(in, DF_FROM)) {
			last_from = in;
			continue;
		}
		if (!is_kind(in, DF_RUN) || !forgot(c, in))
			continue;
		ALLOC_GROW(forgets, nf + 1, cap);
		forgets[nf].line = in->line;
		forgets[nf++].from = last_from;
	}
	for (size_t k = 0; k < nf; k++) {
		const struct df_inst *f = forgets[k].from;
		bool fail = same_from(f, last_from);
		/* a stage another FROM builds on counts as well */
		for (size_t i = 0; !fail && f && f->alias && i < n; i++)
			fail = is_kind(v[i], DF_FROM) && v[i]->name && streq(v[i]->name, f->alias);
		if (fail)
			lint_fail(c, forgets[k].line);
	}
	free(forgets);
}

static bool apt_lists_left(struct lint_ctx *c, const struct df_inst *in)
{
	const struct sh_script *s = lint_shell(c, in);
	/* hadolint 2.15: the update of any apt front end (its pull request #1074) */
	if ((!sh_any_has_args(s, "apt-get", LIST("update")) &&
	     !sh_any_has_args(s, "apt", LIST("update")) &&
	     !sh_any_has_args(s, "aptitude", LIST("update"))) ||
	    sh_any_has_args(s, "rm", LIST("-rf", "/var/lib/apt/lists/*")))
		return false;
	/* a cache or tmpfs mount (tmpfs since hadolint 2.14, its issue #1095) */
	return !lint_cache_mount(c, in, "/var/lib/apt/lists", LINT_MOUNT_TMPFS) &&
	       !(lint_cache_mount(c, in, "/var/lib/apt", LINT_MOUNT_TMPFS) &&
		 lint_cache_mount(c, in, "/var/cache/apt", LINT_MOUNT_TMPFS));
}

RULE_CHECK(dl3009)
{
	stage_forgets(c, v, n, apt_lists_left);
}

/* yarn's cache: "yarn cache clean" after the last "yarn install" of the RUN (hadolint's
 * spec: "not ok with clean before install"), or a cache/tmpfs mount (~/.cache/yarn, which
 * is /usr/local/share/.cache/yarn for root) keeps it out of the layer. */
static bool yarn_cache_left(struct lint_ctx *c, const struct df_inst *in)
{
	const struct sh_script *s = lint_shell(c, in);
	bool left = false;
	for (size_t i = 0; i < s->ncmds; i++) {
		const struct sh_cmd *cmd = &s->cmds[i];
		if (sh_has_args(cmd, "yarn", LIST("install")))
			left = true;
		else if (streq(cmd->name, "yarn") && sh_has_arg(cmd, "cache") &&
			 sh_has_arg(cmd, "clean"))
			left = false;
	}
	return left &&
	       !lint_cache_mount(c, in, "*/.cache/yarn", LINT_MOUNT_TMPFS | LINT_MOUNT_ABOVE);
}

RULE_CHECK(dl3060)
{
	stage_forgets(c, v, n, yarn_cache_left);
}

static const char *basename_of(struct lint_ctx *c, const char *p)
{
	p = df_unquote(ARENA, p);
	const char *b = p;
	for (const char *q = p; *q; q++)
		if (*q == '/' || *q == '\\')
			b = q + 1;
	return b;
}

static bool extracts(struct lint_ctx *c, const struct sh_cmd *cmd, const char *archive)
{
	static const char *const unz[] = {"unzip", "gunzip",	 "bunzip2", "unlzma", "unxz",
					  "zgz",   "uncompress", "zcat",    "gzcat"};
	bool tar = false, unzip = false;
	if (streq(cmd->name, "tar"))
		for (size_t i = 0; i < cmd->nargs; i++) {
			const char *a = cmd->args[i];
			tar |= streq(a, "--extract") || streq(a, "--get") ||
			       (a[0] == '-' && strchr(a, 'x'));
		}
	for (size_t k = 0; k < ARRAY_SIZE(unz); k++)
		unzip |= streq(cmd->name, unz[k]);
	if (!tar && !unzip)
		return false;
	const char **args;
	size_t na = sh_plain_args(ARENA, cmd, NULL, &args);
	for (size_t i = 0; i < na; i++)
		if (streq(basename_of(c, args[i]), archive))
			return true;
	return false;
}

RULE_CHECK(dl3010)
{
	struct arch {
		int line;
		const char *name;
		bool extracted;
	} *av = NULL;
	size_t na = 0, cap = 0;
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (is_kind(in, DF_FROM)) {
			na = 0; /* hadolint starts over at each stage */
		} else if (is_kind(in, DF_COPY) && !df_has_flag(in, "from") && in->argc) {
			const char *dest = in->argv[in->argc - 1];
			bool to_archive = lint_is_archive(df_unquote(ARENA, dest));
			for (size_t k = to_archive ? in->argc - 1 : 0; k < in->argc; k++) {
				if (!to_archive &&
				    (k == in->argc - 1 ||
				     !lint_is_archive(df_unquote(ARENA, in->argv[k]))))
					continue;
				ALLOC_GROW(av, na + 1, cap);
				av[na++] =
					(struct arch){in->line, basename_of(c, in->argv[k]), false};
			}
		} else if (is_kind(in, DF_RUN) && na) {
			const struct sh_script *s = lint_shell(c, in);
			for (size_t a = 0; a < na; a++)
				for (size_t k = 0; k < s->ncmds && !av[a].extracted; k++)
					av[a].extracted = extracts(c, &s->cmds[k], av[a].name);
		}
	}
	int last = -1;
	for (size_t a = 0; a < na; a++)
		if (av[a].extracted && av[a].line != last)
			lint_fail(c, last = av[a].line);
	free(av);
}

/* Per-stage flags inherited through "FROM stage": the stage key is the alias, else the
 * image name, as hadolint keys it. */
struct stage_flags {
	const char **keys;
	bool *set;
	size_t n, cap;
	const char *current;
	struct strmap index; /* key -> slot + 1 */
};

static bool *stage_slot(struct stage_flags *st, const char *key)
{
	static const char none[] = "\001"; /* a FROM without a name */
	uintptr_t i = (uintptr_t)strmap_get(&st->index, key ? key : none);
	if (i)
		return &st->set[i - 1];
	strmap_put(&st->index, key ? key : none, (void *)(uintptr_t)(st->n + 1));
	if (st->n + 1 > st->cap) {
		st->cap = st->cap ? st->cap * 2 : 8;
		st->keys = xreallocarray(st->keys, st->cap, sizeof(*st->keys));
		st->set = xreallocarray(st->set, st->cap, sizeof(*st->set));
	}
	st->keys[st->n] = key;
	st->set[st->n] = false;
	return &st->set[st->n++];
}

static void stage_enter(struct stage_flags *st, const struct df_inst *from)
{
	bool parent = *stage_slot(st, from->name);
	st->current = from->alias ? from->alias : from->name;
	*stage_slot(st, st->current) = parent;
}

static void stage_free(struct stage_flags *st)
{
	strmap_free(&st->index);
	free(st->keys);
	free(st->set);
}

static bool pip_install(const struct sh_cmd *cmd)
{
	if (!strncmp(cmd->name, "pip", 3) && sh_has_arg(cmd, "install"))
		return true;
	if (strncmp(cmd->name, "python", 6))
		return false;
	for (size_t i = 0; i + 2 < cmd->nargs; i++)
		if (streq(cmd->args[i], "-m") && streq(cmd->args[i + 1], "pip") &&
		    streq(cmd->args[i + 2], "install"))
			return true;
	return false;
}

static bool pip_wrapper(const struct sh_cmd *cmd, const char *w)
{
	if (strstr(cmd->name, w))
		return true;
	if (strncmp(cmd->name, "python", 6))
		return false;
	for (size_t i = 0; i + 1 < cmd->nargs; i++)
		if (streq(cmd->args[i], "-m") && streq(cmd->args[i + 1], w))
			return true;
	return false;
}

static bool env_no_cache_in_text(const char *text)
{
	const char *p = strstr(text, "PIP_NO_CACHE_DIR=");
	if (!p)
		return false;
	p += strlen("PIP_NO_CACHE_DIR=");
	static const char *const t[] = {"1",  "true", "True", "TRUE", "on",
					"On", "ON",   "yes",  "Yes",  "YES"};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (!strncmp(p, t[i], strlen(t[i])))
			return true;
	return false;
}

RULE_CHECK(dl3042)
{
	struct stage_flags st = {0};
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (is_kind(in, DF_FROM) && in->name) {
			stage_enter(&st, in);
		} else if (is_kind(in, DF_ENV)) {
			const char *val = df_pair(in, "PIP_NO_CACHE_DIR");
			if (val && lint_truthy(val))
				*stage_slot(&st, st.current) = true;
		} else if (is_kind(in, DF_RUN)) {
			if (*stage_slot(&st, st.current) ||
			    lint_cache_mount(c, in, "*/.cache/pip",
					     LINT_MOUNT_TMPFS | LINT_MOUNT_ABOVE))
				continue;
			const struct sh_script *s = lint_shell(c, in);
			if (env_no_cache_in_text(s->text))
				continue;
			for (size_t k = 0; k < s->ncmds; k++) {
				const struct sh_cmd *cmd = &s->cmds[k];
				if (pip_install(cmd) && !sh_has_arg(cmd, "--no-cache-dir") &&
				    !pip_wrapper(cmd, "pipx") && !pip_wrapper(cmd, "pipenv")) {
					lint_fail(c, in->line);
					break;
				}
			}
		}
	}
	stage_free(&st);
}

static bool absolute_dest(struct lint_ctx *c, const char *dest)
{
	const char *d = df_unquote(ARENA, dest);
	if (d[0] == '/' || d[0] == '$')
		return true;
	return d[0] && (!strncmp(d + 1, ":\\", 2) || !strncmp(d + 1, ":/", 2));
}

RULE_CHECK(dl3045)
{
	struct stage_flags st = {0};
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (is_kind(in, DF_FROM) && in->name)
			stage_enter(&st, in);
		else if (is_kind(in, DF_WORKDIR))
			*stage_slot(&st, st.current) = true;
		else if (is_kind(in, DF_COPY) && in->argc && !*stage_slot(&st, st.current) &&
			 !absolute_dest(c, in->argv[in->argc - 1]))
			lint_fail(c, in->line);
	}
	stage_free(&st);
}

/* A stage is fine when a HEALTHCHECK is in it, in a stage it builds on (FROM <name>), or
 * in a stage built on it: hadolint's spec ("ok with ending inheritance chain with
 * HEALTHCHECK", "warn when inheritance chain bifurcates"). */
RULE_CHECK(dl3057)
{
	struct stage {
		int line;
		long parent;
		bool up, down; /* a HEALTHCHECK here or above; here or below */
	} *sv = NULL;
	size_t ns = 0, cap = 0;
	struct strmap names = STRMAP_INIT; /* stage name -> index + 1 of its latest stage */
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (is_kind(in, DF_FROM) && in->name) {
			ALLOC_GROW(sv, ns + 1, cap);
			uintptr_t p = (uintptr_t)strmap_get(&names, in->name);
			sv[ns] = (struct stage){.line = in->line, .parent = (long)p - 1};
			sv[ns].up = p && sv[p - 1].up;
			strmap_put(&names, in->alias ? in->alias : in->name,
				   (void *)(uintptr_t)(ns + 1));
			ns++;
		} else if (is_kind(in, DF_HEALTHCHECK) && ns) {
			sv[ns - 1].up = sv[ns - 1].down = true;
		}
	}
	for (size_t k = ns; k-- > 0;)
		if (sv[k].down && sv[k].parent >= 0)
			sv[sv[k].parent].down = true;
	for (size_t k = 0; k < ns; k++)
		if (!sv[k].up && !sv[k].down)
			lint_fail(c, sv[k].line);
	strmap_free(&names);
	free(sv);
}

/* A RUN's flags as hadolint compares them: the mounts as a set of parsed mounts (in any
 * order, their options in any order and spelling), the other flags by value. */
static const char **flag_set(struct lint_ctx *c, const struct df_inst *in, size_t *n)
{
	const char **v = arena_alloc(ARENA, (in->nflags ? in->nflags : 1) * sizeof(*v));
	for (size_t i = 0; i < in->nflags; i++) {
		const char *name = in->flags[i].name, *val = in->flags[i].value;
		if (streq(name, "mount") && val)
			val = lint_mount_canon(ARENA, val);
		size_t len = strlen(name) + (val ? strlen(val) : 0) + 2;
		char *f = arena_alloc(ARENA, len);
		snprintf(f, len, "%s=%s", name, val ? val : "");
		v[i] = f;
	}
	qsort(v, in->nflags, sizeof(*v), hull_strcmp_p);
	size_t u = 0;
	for (size_t i = 0; i < in->nflags; i++)
		if (!u || strcmp(v[u - 1], v[i]))
			v[u++] = v[i];
	*n = u;
	return v;
}

static bool same_run_flags(struct lint_ctx *c, const struct df_inst *a, const struct df_inst *b)
{
	size_t na, nb;
	const char **fa = flag_set(c, a, &na), **fb = flag_set(c, b, &nb);
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(fa[i], fb[i]))
			return false;
	return true;
}

RULE_CHECK(dl3059)
{
	const struct df_inst *prev = NULL;
	size_t prev_count = 0;
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (is_kind(in, DF_COMMENT))
			continue;
		if (!is_kind(in, DF_RUN)) {
			prev = NULL;
			continue;
		}
		/* a RUN that chains commands (&&, ;, |) was split on purpose: hadolint's spec
		 * ("ok with two consecutive RUNs when commands are chained"); a test, "[ ... ]"
		 * or "[[ ... ]]", is a condition to ShellCheck, not a command */
		const struct sh_script *sc = lint_shell(c, in);
		size_t count = 0;
		for (size_t k = 0; k < sc->ncmds; k++)
			count += !streq(sc->cmds[k].name, "[") && !streq(sc->cmds[k].name, "[[");
		if (prev && count <= 1 && prev_count <= 1 && same_run_flags(c, prev, in)) {
			lint_fail(c, in->line);
			continue; /* hadolint keeps the earlier RUN as the reference */
		}
		prev = in;
		prev_count = count;
	}
}

RULE_CHECK(dl4001)
{
	bool curl = false, wget = false;
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (is_kind(in, DF_FROM)) {
			curl = wget = false;
			continue;
		}
		if (!is_kind(in, DF_RUN))
			continue;
		const struct sh_script *s = lint_shell(c, in);
		bool here = sh_uses(s, "curl") || sh_uses(s, "wget");
		curl |= sh_uses(s, "curl");
		wget |= sh_uses(s, "wget");
		if (here && curl && wget)
			lint_fail(c, in->line);
	}
}

static const char *shell_base(const char *name)
{
	const char *b = strrchr(name, '/');
	return b ? b + 1 : name;
}

static bool has_pipefail(const struct sh_script *s)
{
	for (size_t i = 0; i < s->ncmds; i++) {
		const struct sh_cmd *cmd = &s->cmds[i];
		const char *b = shell_base(cmd->name);
		if ((streq(b, "bash") || streq(b, "zsh") || streq(b, "ash")) &&
		    sh_has_flag(cmd, "o") && sh_has_arg(cmd, "pipefail"))
			return true;
	}
	return false;
}

RULE_CHECK(dl4006)
{
	bool ok = false;
	for (size_t i = 0; i < n; i++) {
		const struct df_inst *in = v[i];
		if (is_kind(in, DF_FROM)) {
			ok = false;
		} else if (is_kind(in, DF_SHELL)) {
			const struct sh_script *s = lint_shell(c, in);
			ok = !strncmp(s->text, "pwsh", 4) || !strncmp(s->text, "powershell", 10) ||
			     !strncmp(s->text, "cmd", 3) || has_pipefail(s);
		} else if (is_kind(in, DF_RUN) && !ok && lint_shell(c, in)->has_pipe) {
			lint_fail(c, in->line);
		}
	}
}
