/* hull slim's dependency resolution: from the config's entrypoint, follow #!
 * interpreters, PT_INTERP and DT_NEEDED (searched as ld.so does: DT_RPATH,
 * LD_LIBRARY_PATH, DT_RUNPATH, the image's ld.so.conf, the default directories), then
 * the --include paths and the fixed files (paths and symlinks: slim_paths.c). */
#include "../util/path.h"
#include "../util/strbuf.h"
#include "slim_int.h"

#include <fnmatch.h>
#include <string.h>

#define MAX_INTERP_DEPTH 4 /* nested #! interpreters (Linux allows 4) */
#define MAX_CONF_DEPTH	 8 /* ld.so.conf include nesting */

/* ---------------------------------------------------------------- library search */

struct arch {
	uint16_t machine;
	int bits;
	const char *triplet, *platform;
};

static const struct arch arches[] = {
	{62, 64, "x86_64-linux-gnu", "x86_64"},
	{3, 32, "i386-linux-gnu", "i686"},
	{183, 64, "aarch64-linux-gnu", "aarch64"},
	{40, 32, "arm-linux-gnueabihf", "v7l"},
	{21, 64, "powerpc64le-linux-gnu", "ppc64le"},
	{22, 64, "s390x-linux-gnu", "s390x"},
	{243, 64, "riscv64-linux-gnu", "riscv64"},
	{8, 64, "mips64el-linux-gnuabi64", "mips64"},
	{258, 64, "loongarch64-linux-gnu", "loongarch64"},
};

static const struct arch *arch_of(const struct hull_elf *e)
{
	for (size_t i = 0; i < ARRAY_SIZE(arches); i++)
		if (arches[i].machine == e->machine && arches[i].bits == e->bits)
			return &arches[i];
	return NULL;
}

struct dirs {
	char **v;
	size_t n, cap;
};

static void dirs_add(struct dirs *d, char *dir)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->v[i], dir)) {
			free(dir);
			return;
		}
	ALLOC_GROW(d->v, d->n + 1, d->cap);
	d->v[d->n++] = dir;
}

static void dirs_free(struct dirs *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
}

/* Replaces $NAME and ${NAME} in s by val. */
static char *subst(const char *s, const char *name, const char *val)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = strlen(name);
	while (*s) {
		if (s[0] == '$' && !strncmp(s + 1, name, n) &&
		    !(s[1 + n] == '_' || (s[1 + n] >= 'A' && s[1 + n] <= 'Z'))) {
			strbuf_adds(&sb, val);
			s += 1 + n;
		} else if (s[0] == '$' && s[1] == '{' && !strncmp(s + 2, name, n) &&
			   s[2 + n] == '}') {
			strbuf_adds(&sb, val);
			s += 3 + n;
		} else {
			strbuf_addch(&sb, *s++);
		}
	}
	return strbuf_detach(&sb, NULL);
}

/* Adds the directories of a DT_RPATH/DT_RUNPATH/LD_LIBRARY_PATH list, with $ORIGIN,
 * $LIB (every spelling distributions use) and $PLATFORM expanded. */
static void add_path_list(struct slim *s, struct dirs *d, const char *list, const char *origin,
			  const struct hull_elf *e)
{
	if (!list)
		return;
	const struct arch *a = arch_of(e);
	_cleanup_free_ char *lib_triplet = a ? xasprintf("lib/%s", a->triplet) : NULL;
	const char *libs[] = {e->bits == 64 ? "lib64" : "lib", lib_triplet, "lib"};
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ":");
		_cleanup_free_ char *one = xstrndup(p, n);
		p += n + (p[n] == ':');
		if (!one[0])
			continue;
		_cleanup_free_ char *o = subst(one, "ORIGIN", origin ? origin : "/");
		_cleanup_free_ char *pl = subst(o, "PLATFORM", a ? a->platform : "");
		for (size_t i = 0; i < ARRAY_SIZE(libs); i++) {
			if (!libs[i] || (i && !strstr(pl, "LIB")))
				continue;
			_cleanup_free_ char *l = subst(pl, "LIB", libs[i]);
			dirs_add(d, slim_join(s->workdir, l));
		}
	}
}

static void add_default_dirs(struct dirs *d, const struct hull_elf *e)
{
	const struct arch *a = arch_of(e);
	if (a) {
		dirs_add(d, xasprintf("/lib/%s", a->triplet));
		dirs_add(d, xasprintf("/usr/lib/%s", a->triplet));
	}
	if (e->bits == 64) {
		dirs_add(d, xstrdup("/lib64"));
		dirs_add(d, xstrdup("/usr/lib64"));
	}
	dirs_add(d, xstrdup("/lib"));
	dirs_add(d, xstrdup("/usr/lib"));
	dirs_add(d, xstrdup("/usr/local/lib")); /* musl's default path has it */
}

/* Is the file at path an ELF object the requester e can load (class and machine)? */
static bool loadable(struct slim *s, const char *path, const struct hull_elf *e)
{
	const struct hull_file *f = slim_probe(s, path);
	const struct finfo *fi = f ? slim_finfo(s, f) : NULL;
	return fi && fi->kind == FI_ELF && fi->elf.bits == e->bits && fi->elf.machine == e->machine;
}

/* Finds DT_NEEDED name for the object e (found at a path in origin) as ld.so would. */
static int search_lib(struct slim *s, const char *who, const struct hull_elf *e, const char *origin,
		      const char *name, char **out, struct hull_err *err)
{
	if (strchr(name, '/')) {
		char *p = slim_join(s->workdir, name);
		if (loadable(s, p, e)) {
			*out = p;
			return 0;
		}
		free(p);
		return hull_err_set(err, HULL_EINPUT, "%s: needed library %s not in the image", who,
				    name);
	}
	struct dirs d = {0};
	if (!e->runpath) {
		add_path_list(s, &d, e->rpath, origin, e);
		if (s->exe && s->exe != e && !s->exe->runpath)
			add_path_list(s, &d, s->exe->rpath, s->exe_origin, s->exe);
	}
	for (size_t i = 0; i < s->nld; i++)
		add_path_list(s, &d, s->ld_library_path[i], s->exe_origin, e);
	add_path_list(s, &d, e->runpath, origin, e);
	for (size_t i = 0; i < s->nconf; i++)
		dirs_add(&d, xstrdup(s->conf_dirs[i]));
	add_default_dirs(&d, e);
	int rc = HULL_ENOTFOUND;
	for (size_t i = 0; rc && i < d.n; i++) {
		char *p = slim_join(d.v[i], name);
		if (loadable(s, p, e)) {
			*out = p;
			rc = 0;
		} else {
			free(p);
		}
	}
	if (rc) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < d.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ":" : "", d.v[i]);
		rc = hull_err_set(err, HULL_EINPUT,
				  "%s: needed library %s not found in the image (searched %s)", who,
				  name, sb.buf);
		strbuf_release(&sb);
	}
	dirs_free(&d);
	return rc;
}

/* ---------------------------------------------------------------- the work list */

struct work {
	char *path;
	const char *why;
	bool lib;
	bool soft; /* from an --include: a missing library is only a warning */
	int depth; /* #! nesting */
};

struct queue {
	struct work *v;
	size_t head, n, cap;
};

static void push(struct queue *q, char *path, const char *why, bool lib, int depth)
{
	ALLOC_GROW(q->v, q->n + 1, q->cap);
	q->v[q->n++] = (struct work){path, why, lib, false, depth};
}

/* A program name as execve after a PATH search would find it (regular, executable). */
static char *find_program(struct slim *s, const char *name)
{
	if (strchr(name, '/')) {
		char *p = slim_join(s->workdir, name);
		if (slim_probe(s, p))
			return p;
		free(p);
		return NULL;
	}
	for (size_t i = 0; i < s->npath; i++) {
		char *p = slim_join(s->path_dirs[i], name);
		const struct hull_file *f = slim_probe(s, p);
		if (f && (f->mode & 0111))
			return p;
		free(p);
	}
	return NULL;
}

/* The program "#!/usr/bin/env [-S] [-opts] [VAR=x] prog args" runs. */
static char *env_program(const char *arg)
{
	const char *p = arg;
	while (p && *p) {
		p += strspn(p, " \t");
		size_t n = strcspn(p, " \t");
		if (!n)
			break;
		if (p[0] != '-' && !memchr(p, '=', n))
			return xstrndup(p, n);
		p += n;
	}
	return NULL;
}

static int follow_script(struct slim *s, struct queue *q, const struct work *w, const char *real,
			 const struct finfo *fi, struct hull_err *err)
{
	if (w->depth >= MAX_INTERP_DEPTH)
		return hull_err_set(err, HULL_EINPUT, "%s: too many levels of #! interpreters",
				    real);
	const char *why = slim_why(s, xasprintf("interpreter of %s", real));
	push(q, xstrdup(fi->interp), why, false, w->depth + 1);
	const char *base = strrchr(fi->interp, '/');
	if (strcmp(base ? base + 1 : fi->interp, "env"))
		return 0;
	_cleanup_free_ char *prog = env_program(fi->arg);
	if (!prog)
		return hull_err_set(err, HULL_EINPUT, "%s: #!%s names no program", real,
				    fi->interp);
	char *found = find_program(s, prog);
	if (!found)
		return hull_err_set(err, HULL_EINPUT, "%s: #!%s %s: %s not found in PATH", real,
				    fi->interp, fi->arg, prog);
	push(q, found, slim_why(s, xasprintf("run by env for %s", real)), false, w->depth + 1);
	return 0;
}

static int follow_elf(struct slim *s, struct queue *q, const struct work *w, const char *real,
		      const struct hull_elf *e, struct hull_err *err)
{
	/* $ORIGIN: the executable's real directory; a library's directory as found. */
	_cleanup_free_ char *origin = hull_path_dirname(w->lib ? w->path : real);
	if (!w->lib && !s->exe) {
		s->exe = e;
		s->exe_origin = arena_strdup(&s->arena, origin);
	}
	if (e->interp) {
		push(q, xstrdup(e->interp), slim_why(s, xasprintf("interpreter of %s", real)),
		     false, w->depth);
		q->v[q->n - 1].soft = w->soft;
	}
	for (size_t i = 0; i < e->nneeded; i++) {
		char *found = NULL;
		int rc = search_lib(s, real, e, origin, e->needed[i], &found, err);
		if (rc && w->soft) {
			hull_warn("%s (kept by --include)", err->msg);
			hull_err_clear(err);
			continue;
		}
		if (rc)
			return rc;
		push(q, found, slim_why(s, xasprintf("needed by %s (%s)", real, e->needed[i])),
		     true, w->depth);
		q->v[q->n - 1].soft = w->soft;
	}
	return 0;
}

static int follow_one(struct slim *s, struct queue *q, const struct work *w, struct hull_err *err)
{
	struct slim_res r = {0};
	int rc = slim_resolve_path(s, w->path, true, w->why, &r, err);
	if (rc) {
		hull_err_prefix(err, "%s", w->why);
		return rc;
	}
	const struct hull_file *f = r.f;
	if (!f || (f->type != HULL_FT_FILE && f->type != HULL_FT_HARDLINK)) {
		rc = hull_err_set(err, HULL_EINPUT, "%s: %s is not a regular file", w->why,
				  w->path);
		free(r.real);
		return rc;
	}
	slim_keep(s, r.real, w->why, false);
	if (strmap_get(&s->done, r.real)) {
		free(r.real);
		return 0;
	}
	const char *real = arena_strdup(&s->arena, r.real);
	free(r.real);
	strmap_put(&s->done, real, (void *)real);
	const struct finfo *fi = slim_finfo(s, f);
	if (!fi) {
		if (f->size > SLIM_SCAN_MAX)
			hull_warn("%s: too large to analyse; kept without its dependencies", real);
		return 0;
	}
	switch (fi->kind) {
	case FI_BAD_ELF:
		if (w->soft) {
			hull_warn("%s (kept by --include)", fi->error);
			return 0;
		}
		return hull_err_set(err, HULL_EINPUT, "%s", fi->error);
	case FI_SCRIPT:
		return follow_script(s, q, w, real, fi, err);
	case FI_ELF:
		return follow_elf(s, q, w, real, &fi->elf, err);
	}
	return 0;
}

static int run_queue(struct slim *s, struct queue *q, struct hull_err *err)
{
	int rc = 0;
	while (!rc && q->head < q->n) {
		struct work w = q->v[q->head++];
		rc = follow_one(s, q, &w, err);
		free(w.path);
	}
	while (q->head < q->n)
		free(q->v[q->head++].path);
	q->head = q->n = 0;
	return rc;
}

/* ---------------------------------------------------------------- ld.so.conf */

static void conf_dir(struct slim *s, const char *dir)
{
	for (size_t i = 0; i < s->nconf; i++)
		if (!strcmp(s->conf_dirs[i], dir))
			return;
	ALLOC_GROW(s->conf_dirs, s->nconf + 1, s->confcap);
	s->conf_dirs[s->nconf++] = arena_strdup(&s->arena, dir);
}

static void read_conf(struct slim *s, const char *path, int depth);

static void conf_include(struct slim *s, const char *file, const char *pat, int depth)
{
	_cleanup_free_ char *dir = hull_path_dirname(file);
	_cleanup_free_ char *full = pat[0] == '/' ? xstrdup(pat) : xasprintf("%s/%s", dir, pat);
	for (size_t i = 0; i < s->fs->nfiles; i++) {
		const struct hull_file *f = &s->fs->files[i];
		if (f->type != HULL_FT_DIR && !fnmatch(full, f->path, FNM_PATHNAME))
			read_conf(s, f->path, depth + 1);
	}
}

/* glibc's ldconfig syntax: one directory per line, "include GLOB…", "hwcap" ignored. */
static void read_conf(struct slim *s, const char *path, int depth)
{
	size_t len;
	const struct hull_file *f = slim_probe(s, path);
	const char *data = f ? slim_captured(s, f->path, &len) : NULL;
	if (!data || depth > MAX_CONF_DEPTH) {
		if (f)
			hull_warn("%s: loader configuration not read", path);
		return;
	}
	if (strmap_get(&s->confs, f->path))
		return; /* each file once: includes may loop or fan out */
	strmap_put(&s->confs, f->path, (void *)f->path);
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		_cleanup_free_ char *line = xstrndup(p, n);
		p += n + 1;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *t = line + strspn(line, " \t\r");
		size_t tl = strlen(t);
		while (tl && strchr(" \t\r/", t[tl - 1]))
			t[--tl] = '\0';
		if (!strncmp(t, "include", 7) && (t[7] == ' ' || t[7] == '\t')) {
			char *save = NULL;
			for (char *w = strtok_r(t + 8, " \t", &save); w;
			     w = strtok_r(NULL, " \t", &save))
				conf_include(s, path, w, depth);
		} else if (t[0] == '/') {
			char *eq = strchr(t, '=');
			if (eq)
				*eq = '\0';
			_cleanup_free_ char *c = hull_path_clean(t, NULL);
			conf_dir(s, c);
		}
	}
}

/* ---------------------------------------------------------------- the entrypoint */

static const char *json_strat(json_t *a, size_t i)
{
	return json_string_value(json_array_get(a, i));
}

/* The program a "sh -c 'SCRIPT'" entrypoint starts first (best effort). */
static char *shell_program(const char *script)
{
	const char *p = script;
	for (;;) {
		p += strspn(p, " \t\n");
		size_t n = strcspn(p, " \t\n;&|<>()$`\"'\\");
		if (!n)
			return NULL;
		if ((n == 4 && !strncmp(p, "exec", 4)) || memchr(p, '=', n)) {
			p += n;
			continue;
		}
		return xstrndup(p, n);
	}
}

static bool is_shell(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	return !strcmp(b, "sh") || !strcmp(b, "bash") || !strcmp(b, "dash") || !strcmp(b, "ash") ||
	       !strcmp(b, "busybox");
}

static int entrypoint(struct slim *s, struct queue *q, struct hull_err *err)
{
	json_t *ep = s->config ? json_object_get(s->config, "Entrypoint") : NULL;
	json_t *cmd = s->config ? json_object_get(s->config, "Cmd") : NULL;
	json_t *argv = json_array();
	if (json_is_array(ep))
		json_array_extend(argv, ep);
	if (json_is_array(cmd))
		json_array_extend(argv, cmd);
	int rc = 0;
	const char *argv0 = json_strat(argv, 0);
	/* a path is followed as is, so that its own error (a loop, an escape) is told */
	char *prog = !argv0		  ? NULL
		     : strchr(argv0, '/') ? slim_join(s->workdir, argv0)
					  : find_program(s, argv0);
	if (!argv0)
		rc = hull_err_set(err, HULL_EINPUT,
				  "the image config has no Entrypoint or Cmd: nothing to keep");
	else if (!prog)
		rc = hull_err_set(err, HULL_EINPUT,
				  "entrypoint %s: not found in the image (searched PATH)", argv0);
	if (!rc)
		push(q, prog, "entrypoint", false, 0);
	const char *script = json_strat(argv, 2);
	if (!rc && is_shell(argv0) && script && json_strat(argv, 1) &&
	    !strcmp(json_strat(argv, 1), "-c")) {
		_cleanup_free_ char *first = shell_program(script);
		char *p = first ? find_program(s, first) : NULL;
		if (p)
			push(q, p, "run by the entrypoint's shell command", false, 0);
		else if (first)
			hull_warn("the shell command's %s is not in the image (or is a builtin)",
				  first);
	}
	/* Absolute paths among the arguments: scripts, configs, directories it is given. */
	for (size_t i = 1; !rc && i < json_array_size(argv); i++) {
		const char *a = json_strat(argv, i);
		struct slim_res r = {0};
		struct hull_err e = {0};
		if (!a || a[0] != '/' || !strcmp(a, "/") ||
		    slim_resolve_path(s, a, true, NULL, &r, &e)) {
			hull_err_clear(&e);
			continue;
		}
		free(r.real);
		rc = slim_resolve_path(s, a, true, "argument of the entrypoint", &r, err);
		if (!rc && strcmp(r.real, "/"))
			rc = slim_keep_tree_at(s, r.real, "argument of the entrypoint", err);
		free(r.real);
	}
	json_decref(argv);
	return rc;
}

/* Files kept whatever the program: the loader's configuration and cache, name service
 * configuration, the working directory and /tmp. */
static void fixed_files(struct slim *s)
{
	static const char *const files[][2] = {
		{"/etc/ld.so.cache", "loader cache"},
		{"/etc/ld.so.conf", "loader configuration"},
		{"/etc/nsswitch.conf", "name service configuration"},
		{"/etc/host.conf", "name service configuration"},
		{"/tmp", "temporary directory"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		struct slim_res r = {0};
		struct hull_err e = {0};
		if (!slim_resolve_path(s, files[i][0], true, files[i][1], &r, &e) &&
		    strcmp(r.real, "/"))
			slim_keep(s, r.real, files[i][1], false);
		hull_err_clear(&e);
		free(r.real);
	}
	for (size_t i = slim_first_below(s, "/etc/ld.so.conf.d"); i < s->fs->nfiles; i++) {
		const struct hull_file *f = &s->fs->files[i];
		if (!hull_path_is_below(f->path, "/etc/ld.so.conf.d"))
			break;
		if (f->type == HULL_FT_FILE)
			slim_keep(s, f->path, "loader configuration", false);
	}
	for (size_t i = 0; i < 2; i++) {
		const char *p = i ? "/etc/group" : "/etc/passwd";
		if (!s->o->keep_user)
			slim_keep(s, p, "user database (with the nonroot user)", false);
		else if (slim_lookup(s, p))
			slim_keep(s, p, "user database", false);
	}
	if (s->workdir && strcmp(s->workdir, "/")) {
		struct slim_res r = {0};
		struct hull_err e = {0};
		if (!slim_resolve_path(s, s->workdir, true, "working directory", &r, &e) &&
		    strcmp(r.real, "/"))
			slim_keep(s, r.real, "working directory", false);
		hull_err_clear(&e);
		free(r.real);
	}
}

/* Included ELF programs and libraries bring their own interpreters and libraries
 * (a library the image lacks is then only a warning: it may never be loaded). */
static int follow_included(struct slim *s, struct queue *q, struct hull_err *err)
{
	for (size_t i = 0; i < s->kept.cap; i++) {
		const struct strmap_slot *sl = &s->kept.slots[i];
		if (!sl->key || strmap_get(&s->done, sl->key))
			continue;
		const struct hull_file *f = slim_lookup(s, sl->key);
		const struct finfo *fi = f ? slim_finfo(s, f) : NULL;
		if (!fi || fi->kind != FI_ELF ||
		    (f->type != HULL_FT_FILE && f->type != HULL_FT_HARDLINK))
			continue;
		push(q, xstrdup(sl->key), ((const struct keep *)sl->value)->why, false, 0);
		q->v[q->n - 1].soft = true;
	}
	return run_queue(s, q, err);
}

int slim_resolve(struct slim *s, struct hull_err *err)
{
	read_conf(s, "/etc/ld.so.conf", 0);
	struct queue q = {0};
	int rc = entrypoint(s, &q, err);
	if (!rc)
		rc = run_queue(s, &q, err);
	for (size_t i = 0; !rc && i < s->o->nincludes; i++)
		rc = slim_include(s, s->o->includes[i], err);
	if (!rc)
		rc = follow_included(s, &q, err);
	if (!rc)
		fixed_files(s);
	free(q.v);
	return rc;
}
