/* Inputs of the k8s scanner: files, directories (walked for manifests), stdin. Every
 * problem is recorded against its input and the scan carries on with the rest. */
#include "k8s_int.h"
#include "../util/strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_WALK_DEPTH 64

struct filectx {
	struct hull_k8s_scan *scan;
	const struct hull_k8s_opts *opts;
	const char *file;
};

static void add_error(struct hull_k8s_scan *s, const char *fmt, ...) HULL_PRINTF(2, 3);
static void add_error(struct hull_k8s_scan *s, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	ALLOC_GROW(s->errors, s->nerrors + 1, s->errors_cap);
	s->errors[s->nerrors++] = strbuf_detach(&sb, NULL);
}

static bool empty_document(const struct knode *root)
{
	if (!root)
		return true;
	if (!knode_is(root, KNODE_SCALAR) || !root->plain)
		return false;
	return !*root->str || !strcmp(root->str, "~") || !strcmp(root->str, "null");
}

static int on_document(const struct knode *root, size_t index, void *ctx)
{
	struct filectx *f = ctx;
	f->scan->documents++;
	if (empty_document(root))
		return 0;
	struct kctx c = {.scan = f->scan, .opts = f->opts, .file = f->file, .doc = index};
	k8s_check_node(&c, root, "", 0);
	return 0;
}

int hull_k8s_scan_buffer(struct hull_k8s_scan *s, const char *name, const char *data, size_t len,
			 const struct hull_k8s_opts *o)
{
	static const struct hull_k8s_opts defaults = {0};
	struct filectx f = {s, o ? o : &defaults, hull_findings_strdup(&s->findings, name)};
	struct arena a = ARENA_INIT;
	struct hull_err err = {0};
	s->files++;
	int rc = hull_yaml_parse(data, len, &a, on_document, &f, &err);
	if (rc)
		add_error(s, "%s: %s", name, err.msg ? err.msg : "cannot parse");
	hull_err_clear(&err);
	arena_free(&a);
	return rc;
}

static size_t max_size(const struct hull_k8s_opts *o)
{
	return o && o->max_file_size ? o->max_file_size : HULL_K8S_DEFAULT_MAX_FILE;
}

static int scan_stdin(struct hull_k8s_scan *s, const struct hull_k8s_opts *o)
{
	struct strbuf sb = STRBUF_INIT;
	for (;;) {
		strbuf_grow(&sb, 65536);
		ssize_t n = read(STDIN_FILENO, sb.buf + sb.len, sb.cap - sb.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			add_error(s, "<stdin>: %s", strerror(errno));
			strbuf_release(&sb);
			return HULL_EIO;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		sb.buf[sb.len] = '\0';
		if (sb.len > max_size(o)) {
			add_error(s, "<stdin>: larger than %zu bytes (the --max-file-size limit)",
				  max_size(o));
			strbuf_release(&sb);
			return HULL_ELIMIT;
		}
	}
	int rc = hull_k8s_scan_buffer(s, "<stdin>", sb.buf ? sb.buf : "", sb.len, o);
	strbuf_release(&sb);
	return rc;
}

static int scan_file(struct hull_k8s_scan *s, const char *path, const struct hull_k8s_opts *o)
{
	char *data = NULL;
	size_t len = 0;
	struct hull_err err = {0};
	if (hull_read_file(path, max_size(o), &data, &len, &err)) {
		int rc = err.code;
		add_error(s, "%s", err.msg);
		hull_err_clear(&err);
		return rc;
	}
	int rc = hull_k8s_scan_buffer(s, path, data, len, o);
	free(data);
	return rc;
}

static bool manifest_name(const char *name)
{
	static const char *const exts[] = {".yaml", ".yml", ".json"};
	size_t n = strlen(name);
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t l = strlen(exts[i]);
		if (n > l && !strcmp(name + n - l, exts[i]))
			return true;
	}
	return false;
}

static int walk_dir(struct hull_k8s_scan *s, const char *dir, const struct hull_k8s_opts *o,
		    int depth);

/* Symbolic links to directories are not followed (no loops); links to files are. */
static int walk_entry(struct hull_k8s_scan *s, const char *path, const char *name,
		      const struct hull_k8s_opts *o, int depth)
{
	struct stat st;
	if (lstat(path, &st))
		return 0; /* vanished while walking */
	if (S_ISDIR(st.st_mode))
		return walk_dir(s, path, o, depth + 1);
	if (!manifest_name(name) || stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	return scan_file(s, path, o);
}

static int walk_dir(struct hull_k8s_scan *s, const char *dir, const struct hull_k8s_opts *o,
		    int depth)
{
	if (depth > MAX_WALK_DEPTH) {
		add_error(s, "%s: directories nested deeper than %d levels", dir, MAX_WALK_DEPTH);
		return HULL_ELIMIT;
	}
	DIR *d = opendir(dir);
	if (!d) {
		add_error(s, "%s: %s", dir, strerror(errno));
		return HULL_EIO;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue; /* ., .., and hidden directories such as .git */
		ALLOC_GROW(names, n + 1, cap);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), hull_strcmp_p);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char *path =
			xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
		int r = walk_entry(s, path, names[i], o, depth);
		rc = rc ? rc : r;
		free(path);
		free(names[i]);
	}
	free(names);
	return rc;
}

int hull_k8s_scan_path(struct hull_k8s_scan *s, const char *path, const struct hull_k8s_opts *o)
{
	if (!strcmp(path, "-"))
		return scan_stdin(s, o);
	struct stat st;
	if (stat(path, &st)) {
		add_error(s, "%s: %s", path, strerror(errno));
		return HULL_EIO;
	}
	if (S_ISDIR(st.st_mode))
		return walk_dir(s, path, o, 0);
	return scan_file(s, path, o);
}

void hull_k8s_scan_free(struct hull_k8s_scan *s)
{
	for (size_t i = 0; i < s->nerrors; i++)
		free(s->errors[i]);
	free(s->errors);
	hull_findings_free(&s->findings);
	s->errors = NULL;
	s->nerrors = s->errors_cap = 0;
}
