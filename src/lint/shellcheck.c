/* ShellCheck on RUN scripts, as hadolint runs it: each RUN becomes a script with a shebang
 * for the stage's shell (SHELL, or a "# hadolint shell=" pragma) and "export NAME=1" for
 * every ARG/ENV of the stage (so SC2154 stays quiet about them); SC2187 and SC1090 are
 * excluded as hadolint excludes them (SC1091 too: sourced files are not in the build).
 * Unlike hadolint, a finding is placed on the Dockerfile line it is about, not the RUN's
 * first line. All RUNs of a Dockerfile go to one shellcheck process. */
#include "pragma.h"
#include "rules.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_SCRIPT  (256u << 10) /* larger RUN scripts are not checked */
#define MAX_BATCH   1000	 /* scripts per shellcheck process */
#define MAX_PROCS   8		 /* shellcheck processes at a time */
#define MIN_CHUNK   32		 /* fewer scripts are not worth another process */
#define MAX_OUTPUT  (16u << 20)
#define TIMEOUT_MS  20000
#define MAX_NESTING 64 /* ShellCheck's parser takes minutes on deeper $( ( { nests */
#define EXCLUDED    "SC2187,SC1090,SC1091"
#define MAX_VARS    4096

struct pline {
	const char *p;
	size_t len;
};

/* One RUN's script and where each of its lines comes from. */
struct script {
	const char *file;
	size_t file_idx; /* shellcheck_batch: index in lint_cache.files */
	int inst_line;	 /* the RUN's first line */
	char **ignores;	 /* codes its pragmas ignore (inline and global) */
	size_t nignores;
	struct strbuf text;
	int *line; /* per script line (1-based index - 1): Dockerfile line, 0 for ours */
	int *col;  /* columns to add on that line */
	size_t nlines, cap;
	struct script *same; /* run_all: the next script with the same text */
};

struct stage_env {
	char shell[256];
	const char *vars[MAX_VARS];
	size_t nvars;
};

static void add_line(struct script *s, const char *p, size_t n, int dline, int coloff)
{
	strbuf_add(&s->text, p, n);
	strbuf_addch(&s->text, '\n');
	if (s->nlines + 1 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->line = xreallocarray(s->line, s->cap, sizeof(*s->line));
		s->col = xreallocarray(s->col, s->cap, sizeof(*s->col));
	}
	s->line[s->nlines] = dline;
	s->col[s->nlines++] = coloff;
}

static void split_lines(const char *text, size_t len, struct pline **out, size_t *n)
{
	size_t cap = 0, start = 0;
	*out = NULL;
	*n = 0;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		start = 3;
	for (size_t i = start; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i == len && start == len)
			break;
		size_t l = i - start;
		if (l && text[start + l - 1] == '\r')
			l--;
		ALLOC_GROW(*out, *n + 1, cap);
		(*out)[(*n)++] = (struct pline){text + start, l};
		start = i + 1;
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* The shebang's interpreter for a stage shell ("/bin/bash -c" gives "/bin/bash"), or NULL
 * when ShellCheck cannot read that shell (pwsh, cmd, zsh, ...). */
static const char *shebang(const char *shell, char *buf, size_t n)
{
	size_t w = strcspn(shell, " \t");
	snprintf(buf, n, "%.*s", (int)w, shell);
	const char *base = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
	static const char *const ok[] = {"sh", "bash", "dash", "ksh", "ash"};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!strcmp(base, ok[i]))
			return buf;
	if (!strcmp(base, "busybox"))
		return "/bin/sh";
	return NULL;
}

/* Every variable of the stage, as hadolint exports them (NAME=1), on one line: the same
 * to ShellCheck, which takes a third less time over a script than with a line each (the
 * names are shell names: env_add). All of them, named in the script or not: ShellCheck's
 * spelling hints ("did you mean 'VERSION'?", SC2153) draw on every variable assigned, and
 * the export, always the script's first command, keeps a "# shellcheck" directive at the
 * top of the body from applying to the whole script. */
static void export_line(struct script *s, const struct stage_env *env)
{
	if (!env->nvars)
		return;
	strbuf_adds(&s->text, "export");
	for (size_t i = 0; i < env->nvars; i++) {
		strbuf_addch(&s->text, ' ');
		strbuf_adds(&s->text, env->vars[i]);
		strbuf_adds(&s->text, "=1");
	}
	add_line(s, "", 0, 0, 0);
}

static void header(struct script *s, const char *interp, const struct stage_env *env)
{
	strbuf_addf(&s->text, "#!%s", interp);
	add_line(s, "", 0, 0, 0);
	export_line(s, env);
}

/* Length of "RUN --flag=x ... " at the start of the instruction's first line. */
static size_t run_prefix(const struct pline *l)
{
	size_t k = 0;
	while (k < l->len && is_blank(l->p[k]))
		k++;
	while (k < l->len && !is_blank(l->p[k]))
		k++;
	for (;;) {
		while (k < l->len && is_blank(l->p[k]))
			k++;
		if (k + 2 < l->len && l->p[k] == '-' && l->p[k + 1] == '-' &&
		    !is_blank(l->p[k + 2])) {
			while (k < l->len && !is_blank(l->p[k]))
				k++;
			continue;
		}
		return k;
	}
}

static bool line_is_skipped(const struct pline *l)
{
	size_t k = 0;
	while (k < l->len && is_blank(l->p[k]))
		k++;
	return k == l->len || l->p[k] == '#';
}

/* The script of a shell-form RUN: its physical lines with continuations kept (as
 * backslash-newline whatever the escape character), blank and comment lines inside the
 * continuation turned into bare continuations, heredoc bodies as they are. */
static void from_lines(struct script *s, const struct df_inst *in, const struct pline *lines,
		       size_t nlines, char escape)
{
	int last_joined = in->nheredocs ? in->heredocs[0].line - 1 : in->end_line;
	bool cont = true;
	for (int ln = in->line; ln <= in->end_line && (size_t)ln <= nlines; ln++) {
		const struct pline *l = &lines[ln - 1];
		if (ln > last_joined) {
			add_line(s, l->p, l->len, ln, 0);
			continue;
		}
		if (ln > in->line && cont && line_is_skipped(l)) {
			add_line(s, "\\", 1, ln, 0);
			continue;
		}
		size_t b = ln == in->line ? run_prefix(l) : 0, e = l->len;
		while (e > b && is_blank(l->p[e - 1]))
			e--;
		cont = e > b && l->p[e - 1] == escape;
		if (cont && escape != '\\') {
			strbuf_add(&s->text, l->p + b, e - 1 - b);
			add_line(s, "\\", 1, ln, (int)b);
		} else {
			add_line(s, l->p + b, e - b, ln, (int)b);
		}
	}
}

/* RUN <<EOF ... EOF: the body is the script (its own shebang wins). Returns false when
 * the body is for another interpreter. */
static bool from_heredoc(struct script *s, const struct df_heredoc *hd, const char *interp,
			 const struct stage_env *env)
{
	const char *body = hd->body;
	int ln = hd->line;
	if (!strncmp(body, "#!", 2)) {
		size_t n = strcspn(body, "\n");
		char buf[256];
		char *sb = xstrndup(body + 2, n - 2);
		const char *p = sb;
		while (*p == ' ')
			p++;
		/* "#!/usr/bin/env bash" names the shell second */
		if (!strncmp(p, "/usr/bin/env ", 13))
			p += 13;
		const char *i2 = shebang(p, buf, sizeof(buf));
		free(sb);
		if (!i2)
			return false;
		add_line(s, body, n, ln, 0);
		export_line(s, env);
		body += n + (body[n] == '\n');
		ln++;
	} else {
		header(s, interp, env);
	}
	while (*body) {
		size_t n = strcspn(body, "\n");
		add_line(s, body, n, ln++, 0);
		body += n + (body[n] == '\n');
	}
	return true;
}

static void env_add(struct stage_env *env, const char *name)
{
	for (size_t i = 0; i < env->nvars; i++)
		if (!strcmp(env->vars[i], name))
			return;
	for (const char *p = name; *p; p++)
		if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (p > name && *p >= '0' && *p <= '9')))
			return; /* not a shell name: nothing to export */
	if (*name && env->nvars < MAX_VARS)
		env->vars[env->nvars++] = name;
}

static void env_reset(struct stage_env *env)
{
	static const char *const proxies[] = {"HTTP_PROXY",  "http_proxy", "HTTPS_PROXY",
					      "https_proxy", "FTP_PROXY",  "ftp_proxy",
					      "NO_PROXY",    "no_proxy"};
	snprintf(env->shell, sizeof(env->shell), "/bin/sh -c");
	env->nvars = 0;
	for (size_t i = 0; i < ARRAY_SIZE(proxies); i++)
		env_add(env, proxies[i]);
}

/* Deeply nested scripts are not worth ShellCheck's time (nor an hour of CPU). */
static bool too_deep(const struct strbuf *t)
{
	int depth = 0, max = 0;
	for (size_t i = 0; i < t->len; i++) {
		if (t->buf[i] == '(' || t->buf[i] == '{' || t->buf[i] == '`')
			depth++;
		else if ((t->buf[i] == ')' || t->buf[i] == '}') && depth > 0)
			depth--;
		max = depth > max ? depth : max;
	}
	return max > MAX_NESTING;
}

static void script_free(struct script *s)
{
	for (size_t i = 0; i < s->nignores; i++)
		free(s->ignores[i]);
	free(s->ignores);
	strbuf_release(&s->text);
	free(s->line);
	free(s->col);
}

static void add_codes(struct script *s, const struct lint_pragma *p)
{
	for (size_t k = 0; k < p->ncodes; k++) {
		s->ignores = xreallocarray(s->ignores, s->nignores + 1, sizeof(char *));
		s->ignores[s->nignores++] = xstrdup(p->codes[k]);
	}
}

/* The codes pragmas switch off for the RUN at index i: the "# hadolint ignore=" right
 * above it (lint_pragma_above), its stage's "stage ignore", and every "global ignore" (in
 * global). */
static void pragma_codes(struct df_doc *doc, size_t i, const struct lint_pragma *global,
			 struct script *s)
{
	add_codes(s, global);
	struct lint_pragma p;
	if (lint_pragma_above(doc, i, PRAGMA_IGNORE, &p))
		add_codes(s, &p);
	lint_pragma_free(&p);
	if (lint_pragma_stage(doc, i, &p))
		add_codes(s, &p);
	lint_pragma_free(&p);
}

/* Builds the scripts of every RUN, following the stage's shell and variables. */
static size_t collect(struct df_doc *doc, const char *file, const struct pline *lines,
		      size_t nlines, struct script **out)
{
	struct stage_env *env = xcalloc(1, sizeof(*env));
	env_reset(env);
	struct lint_pragma global = {0};
	for (size_t i = 0; i < doc->n; i++) {
		if (doc->insts[i].kind != DF_COMMENT)
			continue;
		struct lint_pragma p;
		lint_pragma_parse(doc->insts[i].args, &p);
		if (p.kind == PRAGMA_GLOBAL_IGNORE)
			for (size_t k = 0; k < p.ncodes; k++) {
				global.codes = xreallocarray(global.codes, global.ncodes + 1,
							     sizeof(char *));
				global.codes[global.ncodes++] = xstrdup(p.codes[k]);
			}
		lint_pragma_free(&p);
	}
	struct script *v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < doc->n; i++) {
		const struct df_inst *in = &doc->insts[i];
		if (in->kind == DF_FROM) {
			env_reset(env);
		} else if (in->kind == DF_ARG || in->kind == DF_ENV) {
			for (size_t k = 0; k < in->npairs; k++)
				env_add(env, in->pairs[k].key);
		} else if (in->kind == DF_SHELL && in->json && in->argc) {
			snprintf(env->shell, sizeof(env->shell), "%s", in->argv[0]);
		} else if (in->kind == DF_COMMENT) {
			struct lint_pragma p;
			lint_pragma_parse(in->args, &p);
			if (p.kind == PRAGMA_SHELL)
				snprintf(env->shell, sizeof(env->shell), "%s", p.shell);
			lint_pragma_free(&p);
		} else if (in->kind == DF_RUN && !in->json) {
			char buf[256];
			const char *interp = shebang(env->shell, buf, sizeof(buf));
			if (!interp)
				continue;
			struct script s = {.file = file, .inst_line = in->line};
			bool ok = true;
			if (in->nheredocs && !strncmp(in->args, "<<", 2)) {
				ok = in->nheredocs == 1 &&
				     from_heredoc(&s, &in->heredocs[0], interp, env);
			} else {
				header(&s, interp, env);
				from_lines(&s, in, lines, nlines, doc->escape);
			}
			if (!ok || s.text.len > MAX_SCRIPT || too_deep(&s.text)) {
				script_free(&s);
				continue;
			}
			pragma_codes(doc, i, &global, &s);
			ALLOC_GROW(v, n + 1, cap);
			v[n++] = s;
		}
	}
	free(env);
	lint_pragma_free(&global);
	*out = v;
	return n;
}

/* Where shellcheck is: $HULL_SHELLCHECK, else the PATH. */
static char *find_shellcheck(void)
{
	const char *e = getenv("HULL_SHELLCHECK");
	if (e && *e)
		return access(e, X_OK) ? NULL : xstrdup(e);
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	while (*path) {
		size_t n = strcspn(path, ":");
		char *p = xasprintf("%.*s/shellcheck", (int)n, n ? path : ".");
		struct stat st;
		if (!stat(p, &st) && S_ISREG(st.st_mode) && !access(p, X_OK))
			return p;
		free(p);
		path += n + (path[n] == ':');
	}
	return NULL;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Runs argv, returning its stdout (bounded, with a deadline). */
static int run_capture(char **argv, struct strbuf *out, long timeout_ms)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc) {
		close(fds[0]);
		return -1;
	}
	long deadline = now_ms() + timeout_ms;
	bool failed = false;
	for (;;) {
		long left = deadline - now_ms();
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		int pr = left > 0 ? poll(&pfd, 1, (int)left) : 0;
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0 || out->len > MAX_OUTPUT) {
			kill(pid, SIGKILL);
			failed = true;
			break;
		}
		char buf[65536];
		ssize_t r = read(fds[0], buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		strbuf_add(out, buf, (size_t)r);
	}
	close(fds[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (failed || !WIFEXITED(st) || WEXITSTATUS(st) > 1)
		return -1;
	return 0;
}

static enum hull_lint_sev sc_level(const char *l)
{
	if (!strcmp(l, "warning"))
		return HULL_LINT_WARNING;
	if (!strcmp(l, "info"))
		return HULL_LINT_INFO;
	if (!strcmp(l, "style"))
		return HULL_LINT_STYLE;
	return HULL_LINT_ERROR;
}

/* Where shellcheck's comments go: sink(ctx, script, finding) */
typedef void (*sc_sink)(void *ctx, const struct script *s, struct hull_lint_finding *f);

static void add_comment(struct script *scripts, char **paths, size_t n, json_t *cm, sc_sink sink,
			void *ctx)
{
	const char *file = json_string_value(json_object_get(cm, "file"));
	json_int_t line = json_integer_value(json_object_get(cm, "line"));
	json_int_t col = json_integer_value(json_object_get(cm, "column"));
	json_int_t code = json_integer_value(json_object_get(cm, "code"));
	const char *level = json_string_value(json_object_get(cm, "level"));
	const char *msg = json_string_value(json_object_get(cm, "message"));
	if (!file || !level || !msg || code <= 0 || code > 99999)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!paths[i] || strcmp(paths[i], file))
			continue;
		/* the script checked, then those of the same text, each at its own lines */
		for (struct script *s = &scripts[i]; s; s = s->same) {
			struct hull_lint_finding f = {
				.file = s->file, .line = s->inst_line, .col = 1};
			if (line >= 1 && (size_t)line <= s->nlines && s->line[line - 1]) {
				f.line = s->line[line - 1];
				f.col = (int)(col > 0 && col < 100000 ? col : 1) + s->col[line - 1];
			}
			f.inst_line = s->inst_line;
			snprintf(f.code, sizeof(f.code), "SC%d", (int)code);
			f.sev = sc_level(level);
			f.msg = (char *)msg;
			sink(ctx, s, &f);
		}
		return;
	}
}

/* A scratch file in our private directory: no fsync, it lives for one process. */
static int write_script(const char *path, const struct strbuf *t)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < t->len) {
		ssize_t w = write(fd, t->buf + off, t->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	return close(fd) || off != t->len ? -1 : 0;
}

/* One shellcheck process over scripts[0..n). Returns false when it failed. */
static bool check_batch(const char *sc, const char *dir, struct script *scripts, size_t n,
			sc_sink sink, void *ctx)
{
	char **paths = xcalloc(n, sizeof(*paths));
	char **argv = xcalloc(n + 8, sizeof(*argv));
	size_t a = 0;
	argv[a++] = (char *)sc;
	argv[a++] = "--format=json1";
	argv[a++] = "--norc";
	argv[a++] = "--severity=style";
	argv[a++] = "--exclude=" EXCLUDED;
	for (size_t i = 0; i < n; i++) {
		char *p = xasprintf("%s/run%zu.sh", dir, i);
		if (write_script(p, &scripts[i].text)) {
			free(p);
			continue;
		}
		paths[i] = argv[a++] = p;
	}
	struct strbuf out = STRBUF_INIT;
	int rc = a > 5 ? run_capture(argv, &out, TIMEOUT_MS + 50 * (long)n) : 0;
	if (!rc && out.len) {
		json_t *root = json_loadb(out.buf, out.len, 0, NULL);
		json_t *cms = json_object_get(root, "comments");
		size_t k;
		json_t *cm;
		json_array_foreach(cms, k, cm) add_comment(scripts, paths, n, cm, sink, ctx);
		json_decref(root);
	}
	strbuf_release(&out);
	for (size_t i = 0; i < n; i++) {
		if (paths[i])
			unlink(paths[i]);
		free(paths[i]);
	}
	free(paths);
	free(argv);
	return rc == 0;
}

struct worker {
	const char *sc, *dir;
	struct script *scripts;
	size_t n, chunk, first, step; /* chunks first, first+step, ... */
	sc_sink sink;
	void *ctx;
	pthread_mutex_t *mu;
	bool failed;
};

static void locked_sink(void *ctx, const struct script *s, struct hull_lint_finding *f)
{
	struct worker *w = ctx;
	pthread_mutex_lock(w->mu);
	w->sink(w->ctx, s, f);
	pthread_mutex_unlock(w->mu);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	for (size_t c = w->first; c * w->chunk < w->n; c += w->step) {
		size_t b = c * w->chunk, m = w->n - b < w->chunk ? w->n - b : w->chunk;
		char *sub = xasprintf("%s/%zu", w->dir, c);
		if (mkdir(sub, 0700) || !check_batch(w->sc, sub, w->scripts + b, m, locked_sink, w))
			w->failed = true;
		rmdir(sub);
		free(sub);
	}
	return NULL;
}

/* The scripts of distinct text, into u (shallow copies); each copy's "same" chain lists
 * the other scripts of its text. ShellCheck sees nothing but the text (the file name
 * aside), so a RUN repeated across a repository's Dockerfiles under the same shell and
 * variables is checked once. Returns how many went into u. */
static size_t distinct(struct script *scripts, size_t n, struct script *u)
{
	struct strmap seen = STRMAP_INIT;
	struct script **last = xcalloc(n, sizeof(*last));
	size_t nu = 0;
	for (size_t i = 0; i < n; i++) {
		struct script *s = &scripts[i];
		s->same = NULL;
		/* a text with a NUL in it would compare short: it goes alone */
		bool keyed = s->text.buf && strlen(s->text.buf) == s->text.len;
		size_t k = keyed ? (size_t)(uintptr_t)strmap_get(&seen, s->text.buf) : 0;
		if (k) {
			last[k - 1]->same = s;
			last[k - 1] = s;
			continue;
		}
		u[nu] = *s;
		last[nu] = &u[nu];
		if (keyed)
			strmap_put(&seen, s->text.buf, (void *)(uintptr_t)(nu + 1));
		nu++;
	}
	strmap_free(&seen);
	free(last);
	return nu;
}

/* Runs shellcheck over every script of distinct text: chunks of at most MAX_BATCH
 * scripts, one process each, as many at a time as there are processors (up to
 * MAX_PROCS). */
static void run_all(struct lint_cache *cache, struct script *all, size_t nall, sc_sink sink,
		    void *ctx)
{
	if (!nall)
		return;
	if (!cache->sc_looked) {
		cache->sc_looked = true;
		cache->sc_path = find_shellcheck();
	}
	if (!cache->sc_path) {
		if (cache->sc_state == 0)
			cache->sc_state = -1;
		return;
	}
	cache->sc_state = 1;
	struct script *scripts = xcalloc(nall, sizeof(*scripts));
	size_t n = distinct(all, nall, scripts);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t procs = ncpu > 1 ? (size_t)ncpu : 1;
	if (procs > MAX_PROCS)
		procs = MAX_PROCS;
	if (procs > (n + MIN_CHUNK - 1) / MIN_CHUNK)
		procs = (n + MIN_CHUNK - 1) / MIN_CHUNK;
	size_t chunk = (n + procs - 1) / procs;
	if (chunk > MAX_BATCH)
		chunk = MAX_BATCH;
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/hull-sc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		cache->sc_failed = true;
		free(dir);
		free(scripts);
		return;
	}
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	struct worker w[MAX_PROCS];
	pthread_t th[MAX_PROCS];
	bool started[MAX_PROCS] = {0};
	for (size_t i = 0; i < procs; i++) {
		w[i] = (struct worker){cache->sc_path, dir,  scripts, n,   chunk, i,
				       procs,	       sink, ctx,     &mu, false};
		started[i] = i > 0 && !pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (size_t i = 0; i < procs; i++)
		if (i == 0 || !started[i])
			work(&w[i]); /* this thread takes the first share, and any not started */
	for (size_t i = 0; i < procs; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		cache->sc_failed |= w[i].failed;
	}
	pthread_mutex_destroy(&mu);
	rmdir(dir);
	free(dir);
	free(scripts); /* shallow copies: the texts and line maps are all's */
}

static void sink_now(void *ctx, const struct script *s, struct hull_lint_finding *f)
{
	(void)s;
	struct hull_lint_result *res = ctx;
	lint_add(res, f->file, f->line, f->col, f->code, f->sev, f->msg);
	res->v[res->n - 1].inst_line = f->inst_line;
}

static bool listed(char *const *v, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], code))
			return true;
	return false;
}

/* Deferred findings get the filters hull_lint_buffer would have applied. */
static void sink_later(void *ctx, const struct script *s, struct hull_lint_finding *f)
{
	struct lint_cache *cache = ctx;
	const struct hull_lint_opts *o = cache->opts;
	enum hull_lint_sev sev = f->sev;
	for (size_t i = 0; i < o->noverrides; i++)
		if (!strcmp(o->overrides[i].code, f->code))
			sev = o->overrides[i].sev;
	if (sev >= HULL_LINT_IGNORE || listed(o->ignored, o->nignored, f->code) ||
	    (!o->disable_pragmas && listed(s->ignores, s->nignores, f->code)))
		return;
	f->sev = sev;
	sink_now(&cache->found, s, f);
	ALLOC_GROW(cache->found_file, cache->found.n, cache->cap_found_file);
	cache->found_file[cache->found.n - 1] = s->file_idx;
}

/* The processes run in parallel: put their findings in file, line, column order. */
static int by_file_line(const void *a, const void *b, void *ctx)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct lint_cache *c = ctx;
	if (c->found_file[x] != c->found_file[y])
		return c->found_file[x] < c->found_file[y] ? -1 : 1;
	const struct hull_lint_finding *fx = &c->found.v[x], *fy = &c->found.v[y];
	if (fx->line != fy->line)
		return fx->line < fy->line ? -1 : 1;
	if (fx->col != fy->col)
		return fx->col < fy->col ? -1 : 1;
	/* one position, one script, one process: keep shellcheck's order */
	return x < y ? -1 : x > y;
}

static void sort_found(struct lint_cache *cache)
{
	size_t n = cache->found.n;
	if (n < 2)
		return;
	size_t *idx = xcalloc(n, sizeof(*idx));
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), by_file_line, cache);
	struct hull_lint_finding *v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = cache->found.v[idx[i]];
	free(cache->found.v);
	cache->found.v = v;
	cache->found.cap = n;
	free(idx);
}

/* Batch mode: the files in the order they were linted, for merge (a file with no script,
 * or that did not parse, keeps its place). */
void lint_shellcheck_file(const struct hull_lint_opts *o, const char *file)
{
	struct lint_cache *cache = o ? o->cache : NULL;
	if (!cache || o->no_shellcheck || !o->shellcheck_batch)
		return;
	if (!cache->nfiles || cache->files[cache->nfiles - 1] != file) {
		ALLOC_GROW(cache->files, cache->nfiles + 1, cache->cap_files);
		cache->files[cache->nfiles++] = file;
	}
}

void lint_shellcheck(struct lint_ctx *c, const char *text, size_t len)
{
	struct lint_cache *cache = c->opts ? c->opts->cache : NULL;
	if (!cache || c->opts->no_shellcheck)
		return;
	struct pline *lines;
	size_t nlines;
	split_lines(text, len, &lines, &nlines);
	struct script *scripts;
	size_t n = collect(c->doc, c->file, lines, nlines, &scripts);
	free(lines);
	if (c->opts->shellcheck_batch) {
		/* kept for hull_lint_flush: one process for the scripts of every file */
		lint_shellcheck_file(c->opts, c->file);
		for (size_t i = 0; i < n; i++) {
			ALLOC_GROW(cache->pending, cache->npending + 1, cache->cap_pending);
			scripts[i].file_idx = cache->nfiles - 1;
			cache->pending[cache->npending++] = scripts[i];
		}
		free(scripts);
		return;
	}
	run_all(cache, scripts, n, sink_now, c->res);
	for (size_t i = 0; i < n; i++)
		script_free(&scripts[i]);
	free(scripts);
}

static int by_line(const struct hull_lint_finding *x, const struct hull_lint_finding *y)
{
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : x->col > y->col;
}

/* Merges the deferred findings into res, file by file, in line order. */
static void merge(struct lint_cache *cache, struct hull_lint_result *res)
{
	struct hull_lint_result all = {0};
	struct hull_lint_result *sc = &cache->found;
	bool *used = xcalloc(res->n + 1, sizeof(bool));
	size_t a0 = 0, b0 = 0; /* both lists are mostly in file order: start past the done */
	for (size_t fi = 0; fi < cache->nfiles; fi++) {
		const char *file = cache->files[fi];
		while (a0 < res->n && used[a0])
			a0++;
		while (b0 < sc->n && !sc->v[b0].file)
			b0++;
		size_t a = a0, b = b0;
		for (;;) {
			while (a < res->n && (used[a] || res->v[a].file != file))
				a++;
			while (b < sc->n && sc->v[b].file != file)
				b++;
			if (a >= res->n && b >= sc->n)
				break;
			bool take_a =
				b >= sc->n || (a < res->n && by_line(&res->v[a], &sc->v[b]) <= 0);
			ALLOC_GROW(all.v, all.n + 1, all.cap);
			if (take_a) {
				all.v[all.n++] = res->v[a];
				used[a++] = true;
			} else {
				all.v[all.n++] = sc->v[b];
				sc->v[b++].file = NULL; /* moved */
			}
		}
	}
	for (size_t a = 0; a < res->n; a++)
		if (!used[a]) {
			ALLOC_GROW(all.v, all.n + 1, all.cap);
			all.v[all.n++] = res->v[a];
		}
	for (size_t b = 0; b < sc->n; b++)
		if (sc->v[b].file)
			free(sc->v[b].msg);
	free(sc->v);
	memset(sc, 0, sizeof(*sc));
	free(used);
	free(res->v);
	res->v = all.v; /* the rest of *res (files, file_in_report) stays */
	res->n = all.n;
	res->cap = all.cap;
}

void lint_shellcheck_free(struct lint_cache *cache)
{
	for (size_t i = 0; i < cache->npending; i++)
		script_free(&cache->pending[i]);
	free(cache->pending);
	cache->pending = NULL;
	cache->npending = cache->cap_pending = 0;
	free(cache->files);
	cache->files = NULL;
	cache->nfiles = cache->cap_files = 0;
	hull_lint_result_free(&cache->found);
	free(cache->found_file);
	cache->found_file = NULL;
	cache->cap_found_file = 0;
}

void hull_lint_flush(const struct hull_lint_opts *o, struct hull_lint_result *res)
{
	struct lint_cache *cache = o ? o->cache : NULL;
	if (!cache)
		return;
	cache->opts = o;
	run_all(cache, cache->pending, cache->npending, sink_later, cache);
	sort_found(cache);
	merge(cache, res);
	lint_shellcheck_free(cache);
}
