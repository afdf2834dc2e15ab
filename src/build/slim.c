/* hull slim: two passes over the image's layers. The first records metadata, the few
 * configuration files resolution reads, and (through a scan hook, without keeping the
 * bytes) the ELF dynamic facts and #! lines of every regular file; resolution then
 * runs in memory. The second pass captures exactly the files kept, which are written
 * as one reproducible layer under the original config. */
#include "slim.h"

#include "../util/json.h"
#include "../util/jsonw.h"
#include "../util/path.h"
#include "imagew.h"
#include "layerw.h"
#include "slim_int.h"

#include <errno.h>
#include <string.h>

/* ---------------------------------------------------------------- the merged view */

static int cmp_path(const void *k, const void *e)
{
	return strcmp(k, ((const struct hull_file *)e)->path);
}

const struct hull_file *slim_lookup(const struct slim *s, const char *path)
{
	return bsearch(path, s->fs->files, s->fs->nfiles, sizeof(struct hull_file), cmp_path);
}

/* A hardlink's content is its target's, in the same layer. */
static void content_key(const struct hull_file *f, const char **path, int *layer)
{
	*path = f->type == HULL_FT_HARDLINK && f->link ? f->link : f->path;
	*layer = f->layer;
}

const struct finfo *slim_finfo(const struct slim *s, const struct hull_file *f)
{
	const char *path;
	int layer;
	content_key(f, &path, &layer);
	_cleanup_free_ char *key = xasprintf("%d\t%s", layer, path);
	return strmap_get(&s->finfo, key);
}

static const struct hull_captured *find_captured(const struct hull_layer *l, const char *path)
{
	for (size_t i = l->ncaptured; i-- > 0;)
		if (!strcmp(l->entries[l->captured[i].entry].path, path))
			return &l->captured[i];
	return NULL;
}

const char *slim_captured(const struct slim *s, const char *path, size_t *len)
{
	const struct hull_file *f = slim_lookup(s, path);
	if (!f)
		return NULL;
	const char *p;
	int layer;
	content_key(f, &p, &layer);
	const struct hull_captured *c = find_captured(&s->layers[layer], p);
	if (!c)
		return NULL;
	*len = c->len;
	return c->data;
}

static struct keep *keep_get(struct slim *s, const char *path, const char *why)
{
	struct keep *k = strmap_get(&s->kept, path);
	if (!k) {
		k = arena_alloc(&s->arena, sizeof(*k));
		k->why = why;
		k->subtree = false;
		strmap_put(&s->kept, arena_strdup(&s->arena, path), k);
	}
	return k;
}

void slim_keep(struct slim *s, const char *path, const char *why, bool subtree)
{
	if (strcmp(path, "/"))
		keep_get(s, path, why)->subtree |= subtree;
}

bool slim_keep_tree(struct slim *s, const char *path, const char *why)
{
	struct keep *k = keep_get(s, path, why);
	if (k->subtree)
		return false;
	k->subtree = true;
	return true;
}

/* ---------------------------------------------------------------- pass 1: the scan hook */

struct scanned {
	char *path;
	struct finfo *fi;
};

struct lstate {
	struct slim *s;
	int layer;
	struct scanned *v;
	size_t n, cap;
};

static bool scan_want(const char *path, uint64_t size, void *ctx)
{
	(void)path;
	(void)ctx;
	return size >= 3 && size <= SLIM_SCAN_MAX;
}

static void *scan_begin(void *ctx, int layer)
{
	struct lstate *st = xcalloc(1, sizeof(*st));
	st->s = ctx;
	st->layer = layer;
	return st;
}

/* "#!INTERP [ARG]" as Linux reads it: the first line, at most 255 bytes. */
static struct finfo *shebang(const char *data, size_t len)
{
	size_t max = len < 256 ? len : 256;
	const char *nl = memchr(data, '\n', max);
	size_t n = nl ? (size_t)(nl - data) : max;
	_cleanup_free_ char *line = xstrndup(data + 2, n - 2);
	char *p = line + strspn(line, " \t");
	size_t il = strcspn(p, " \t");
	if (!il)
		return NULL;
	struct finfo *fi = xcalloc(1, sizeof(*fi));
	fi->kind = FI_SCRIPT;
	fi->interp = xstrndup(p, il);
	p += il;
	p += strspn(p, " \t");
	size_t al = strlen(p);
	while (al && (p[al - 1] == ' ' || p[al - 1] == '\t'))
		al--;
	if (al)
		fi->arg = xstrndup(p, al);
	return fi;
}

static void scan_file(void *state, const struct hull_entry *e, const char *data, size_t len)
{
	struct lstate *st = state;
	struct finfo *fi = NULL;
	if (hull_elf_magic(data, len)) {
		fi = xcalloc(1, sizeof(*fi));
		struct hull_err err = {0};
		if (hull_elf_parse(data, len, e->path, &fi->elf, &err)) {
			fi->kind = FI_BAD_ELF;
			fi->error = err.msg;
		} else {
			fi->kind = FI_ELF;
		}
	} else if (len >= 3 && data[0] == '#' && data[1] == '!') {
		fi = shebang(data, len);
	}
	if (!fi)
		return;
	ALLOC_GROW(st->v, st->n + 1, st->cap);
	st->v[st->n++] = (struct scanned){xstrdup(e->path), fi};
}

static void finfo_free(struct finfo *fi)
{
	if (!fi)
		return;
	hull_elf_release(&fi->elf);
	free(fi->error);
	free(fi->interp);
	free(fi->arg);
	free(fi);
}

static void scan_end(void *ctx, void *state)
{
	struct slim *s = ctx;
	struct lstate *st = state;
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < st->n; i++) {
		_cleanup_free_ char *key = xasprintf("%d\t%s", st->layer, st->v[i].path);
		/* a path twice in one layer: the last one wins, as in the merge */
		finfo_free(strmap_put(&s->finfo, arena_strdup(&s->arena, key), st->v[i].fi));
		free(st->v[i].path);
	}
	pthread_mutex_unlock(&s->lock);
	free(st->v);
	free(st);
}

static bool conf_want(const char *path, uint64_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	return !strcmp(path, "/etc/passwd") || !strcmp(path, "/etc/group") ||
	       !strncmp(path, "/etc/ld.so.conf", 15);
}

/* ---------------------------------------------------------------- the config */

static void split_list(struct slim *s, const char *v, char ***out, size_t *n)
{
	size_t cap = 0;
	while (v && *v) {
		size_t l = strcspn(v, ":");
		if (l) {
			ALLOC_GROW(*out, *n + 1, cap);
			(*out)[(*n)++] = arena_strndup(&s->arena, v, l);
		}
		v += l + (v[l] == ':');
	}
}

static void read_config(struct slim *s)
{
	json_t *c = s->img->config ? json_object_get(s->img->config, "config") : NULL;
	s->config = json_is_object(c) ? c : NULL;
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	const char *ld = NULL;
	json_t *env = s->config ? json_object_get(s->config, "Env") : NULL;
	size_t i;
	json_t *v;
	json_array_foreach(env, i, v)
	{
		const char *e = json_string_value(v);
		if (e && !strncmp(e, "PATH=", 5))
			path = e + 5;
		else if (e && !strncmp(e, "LD_LIBRARY_PATH=", 16))
			ld = e + 16;
	}
	split_list(s, path, &s->path_dirs, &s->npath);
	split_list(s, ld, &s->ld_library_path, &s->nld);
	const char *wd =
		s->config ? json_string_value(json_object_get(s->config, "WorkingDir")) : NULL;
	s->workdir = wd && wd[0] == '/' ? wd : "/";
}

/* ---------------------------------------------------------------- pass 2 and output */

struct want2 {
	struct strmap paths;
};

static bool content_want(const char *path, uint64_t size, void *ctx)
{
	(void)size;
	return strmap_get(&((struct want2 *)ctx)->paths, path) != NULL;
}

/* The kept paths, sorted, after adding every parent directory. */
static const char **kept_paths(struct slim *s, size_t *n)
{
	size_t cnt = 0;
	const char **v = xcalloc(s->kept.len + 1, sizeof(*v));
	for (size_t i = 0; i < s->kept.cap; i++)
		if (s->kept.slots[i].key)
			v[cnt++] = s->kept.slots[i].key;
	for (size_t i = 0; i < cnt; i++) {
		_cleanup_free_ char *d = hull_path_dirname(v[i]);
		while (strcmp(d, "/") && !strmap_get(&s->kept, d)) {
			slim_keep(s, d, "parent directory", false);
			char *up = hull_path_dirname(d);
			free(d);
			d = up;
		}
	}
	free(v);
	cnt = 0;
	v = xcalloc(s->kept.len + 1, sizeof(*v));
	for (size_t i = 0; i < s->kept.cap; i++)
		if (s->kept.slots[i].key)
			v[cnt++] = s->kept.slots[i].key;
	qsort(v, cnt, sizeof(*v), hull_strcmp_p);
	*n = cnt;
	return v;
}

/* The user database: the image's own, with the nonroot user added unless kept. */
static char *user_db(struct slim *s, const char *path, bool group, size_t *len)
{
	size_t olen = 0;
	const char *orig = slim_captured(s, path, &olen);
	if (s->o->keep_user) {
		if (!orig)
			return NULL;
		*len = olen;
		return xstrndup(orig, olen);
	}
	struct strbuf sb = STRBUF_INIT;
	if (orig) {
		strbuf_add(&sb, orig, olen);
		if (olen && orig[olen - 1] != '\n')
			strbuf_addch(&sb, '\n');
	} else {
		strbuf_adds(&sb, group ? "root:x:0:\n" : "root:x:0:0:root:/root:/sbin/nologin\n");
	}
	/* is uid/gid 65532 there already (third field)? */
	bool have = false;
	for (const char *l = sb.buf; l && *l;) {
		const char *f = l;
		for (int k = 0; k < 2 && f; k++)
			f = strchr(f, ':') ? strchr(f, ':') + 1 : NULL;
		if (f && !strncmp(f, "65532:", 6))
			have = true;
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	if (!have)
		strbuf_adds(&sb,
			    group ? "nonroot:x:65532:\n"
				  : "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n");
	return strbuf_detach(&sb, len);
}

struct out {
	struct slim *s;
	struct strmap *idx; /* per pass-2 layer: path -> struct hull_captured */
	struct hull_layerw *w;
	struct hull_slim_result *r;
	size_t cap;
};

static const struct hull_captured *content_of(struct out *o, const struct hull_file *f)
{
	const char *p;
	int layer;
	content_key(f, &p, &layer);
	/* a hardlink may point at a file of a lower layer */
	for (int i = layer; i >= 0; i--) {
		const struct hull_captured *c = strmap_get(&o->idx[i], p);
		if (c)
			return c;
		if (f->type != HULL_FT_HARDLINK)
			break;
	}
	return NULL;
}

static void record(struct out *o, const char *path, const char *type, uint64_t size,
		   const char *why)
{
	ALLOC_GROW(o->r->kept, o->r->nkept + 1, o->cap);
	o->r->kept[o->r->nkept++] =
		(struct hull_slim_kept){xstrdup(path), type, size, xstrdup(why)};
	if (strcmp(type, "dir"))
		o->r->files_after++;
	if (!strcmp(type, "file"))
		o->r->bytes_after += size;
}

static int add_generated(struct out *o, const char *path, const char *why, bool group,
			 struct hull_err *err)
{
	size_t len = 0;
	char *data = user_db(o->s, path, group, &len);
	if (!data)
		return 1; /* not generated: copy as usual, if there */
	const struct hull_file *f = slim_lookup(o->s, path);
	if (f && f->type != HULL_FT_FILE)
		f = NULL; /* a symlink or else: written as a plain 0644 root file */
	int rc = hull_layerw_add_file(o->w, path, f ? f->mode : 0644, f ? f->uid : 0,
				      f ? f->gid : 0, data, len, err);
	free(data);
	if (!rc)
		record(o, path, "file", len, why);
	return rc;
}

static int add_one(struct out *o, const char *path, const struct keep *k, struct hull_err *err)
{
	if (!strcmp(path, "/etc/passwd") || !strcmp(path, "/etc/group")) {
		int rc = add_generated(o, path, k->why, !strcmp(path, "/etc/group"), err);
		if (rc <= 0)
			return rc;
	}
	const struct hull_file *f = slim_lookup(o->s, path);
	if (!f) { /* an implied directory */
		record(o, path, "dir", 0, k->why);
		return hull_layerw_add_dir(o->w, path, 0755, 0, 0, err);
	}
	switch (f->type) {
	case HULL_FT_DIR:
		record(o, path, "dir", 0, k->why);
		return hull_layerw_add_dir(o->w, path, f->mode, f->uid, f->gid, err);
	case HULL_FT_SYMLINK:
		record(o, path, "symlink", 0, k->why);
		return hull_layerw_add_symlink(o->w, path, f->link, f->uid, f->gid, err);
	case HULL_FT_FILE:
	case HULL_FT_HARDLINK: {
		const struct hull_captured *c = content_of(o, f);
		if (!c)
			return hull_err_set(err, HULL_EINPUT, "%s: content not read", path);
		record(o, path, "file", c->len, k->why);
		return hull_layerw_add_file(o->w, path, f->mode, f->uid, f->gid, c->data, c->len,
					    err);
	}
	default:
		hull_warn("%s: a %s is not kept (layers hold no devices)", path,
			  hull_ftype_name(f->type));
		return 0;
	}
}

static int64_t source_date_epoch(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (!e || !*e)
		return 0;
	char *end;
	errno = 0;
	long long v = strtoll(e, &end, 10);
	return errno || *end || v < 0 ? 0 : (int64_t)v;
}

static int second_pass(struct slim *s, const char **paths, size_t n, struct hull_layer **l2,
		       struct hull_err *err)
{
	struct want2 w = {STRMAP_INIT};
	for (size_t i = 0; i < n; i++) {
		const struct hull_file *f = slim_lookup(s, paths[i]);
		if (f && (f->type == HULL_FT_FILE || f->type == HULL_FT_HARDLINK)) {
			const char *p;
			int layer;
			content_key(f, &p, &layer);
			strmap_put(&w.paths, p, (void *)p);
		}
	}
	struct hull_capture cap = {
		.want = content_want,
		.ctx = &w,
		.max_file = UINT64_MAX / 4,
		.max_total = UINT64_MAX / 4,
	};
	struct hull_read_opts ro = {
		.parallel = s->o->io.parallel,
		.capture = &cap,
		.max_layer_size = s->o->io.max_layer_size,
		.max_entries = s->o->io.max_entries,
		.progress = s->o->io.progress,
	};
	size_t nl;
	int rc = hull_image_read_layers(s->img, &ro, l2, &nl, err);
	strmap_free(&w.paths);
	return rc;
}

static json_t *slim_config(struct slim *s)
{
	json_t *c = s->img->config ? json_deep_copy(s->img->config) : json_object();
	json_object_del(c, "rootfs");
	json_object_del(c, "history");
	if (!s->o->keep_user) {
		json_t *cc = json_object_get(c, "config");
		if (!json_is_object(cc)) {
			cc = json_object();
			json_object_set_new(c, "config", cc);
		}
		json_object_set_new(cc, "User", json_string("65532:65532"));
	}
	return c;
}

static int write_image(struct slim *s, const char *dest, struct hull_slim_result *r,
		       struct hull_err *err)
{
	size_t n;
	const char **paths = kept_paths(s, &n);
	struct hull_layer *l2 = NULL;
	struct hull_built_layer built = {0};
	struct out o = {.s = s, .r = r};
	int rc = second_pass(s, paths, n, &l2, err);
	if (!rc)
		rc = hull_layerw_new(s->o->tmpdir ? s->o->tmpdir : NULL, source_date_epoch(), &o.w,
				     err);
	if (!rc) {
		o.idx = xcalloc(s->nlayers, sizeof(*o.idx));
		for (size_t i = 0; i < s->nlayers; i++)
			for (size_t k = 0; k < l2[i].ncaptured; k++) /* tar order: last wins */
				strmap_put(&o.idx[i], l2[i].entries[l2[i].captured[k].entry].path,
					   &l2[i].captured[k]);
	}
	for (size_t i = 0; !rc && i < n; i++)
		rc = add_one(&o, paths[i], strmap_get(&s->kept, paths[i]), err);
	if (!rc)
		rc = hull_layerw_finish(o.w, &built, err);
	if (!rc) {
		built.created_by = xstrdup("hull slim");
		r->tar_after = built.uncompressed;
		json_t *cfg = slim_config(s);
		json_t *u = json_object_get(json_object_get(cfg, "config"), "User");
		r->user = xstrdup(json_is_string(u) ? json_string_value(u) : "");
		rc = hull_image_assemble_write(cfg, NULL, &built, 1, NULL, dest, s->o->push,
					       s->o->tmpdir, &r->digest, err);
		json_decref(cfg);
	}
	hull_built_layer_release(&built);
	hull_layerw_free(o.w);
	for (size_t i = 0; o.idx && i < s->nlayers; i++)
		strmap_free(&o.idx[i]);
	free(o.idx);
	hull_layers_free(l2, s->nlayers);
	free(paths);
	return rc;
}

/* ---------------------------------------------------------------- the run */

static int first_pass(struct slim *s, const char *source, struct hull_err *err)
{
	struct hull_open_opts oo = {.platform = s->o->io.platform, .registry = s->o->io.registry};
	int rc = hull_image_open(source, &oo, &s->img, err);
	struct hull_capture cap = {.want = conf_want, .max_file = 16u << 20};
	struct hull_scan_hook hook = {
		.want = scan_want,
		.begin = scan_begin,
		.scan = scan_file,
		.end = scan_end,
		.ctx = s,
		.max_file = SLIM_SCAN_MAX,
	};
	struct hull_read_opts ro = {
		.parallel = s->o->io.parallel,
		.capture = &cap,
		.scan = &hook,
		.max_layer_size = s->o->io.max_layer_size,
		.max_entries = s->o->io.max_entries,
		.progress = s->o->io.progress,
	};
	if (!rc)
		rc = hull_image_read_layers(s->img, &ro, &s->layers, &s->nlayers, err);
	if (!rc)
		rc = hull_fs_merge(s->layers, s->nlayers, &s->fs, err);
	return rc;
}

static void measure_before(struct slim *s, struct hull_slim_result *r)
{
	for (size_t i = 0; i < s->fs->nfiles; i++) {
		const struct hull_file *f = &s->fs->files[i];
		if (f->type == HULL_FT_DIR)
			continue;
		r->files_before++;
		if (f->type == HULL_FT_FILE)
			r->bytes_before += f->size;
	}
	r->layers_before = s->nlayers;
	for (size_t i = 0; i < s->nlayers; i++)
		r->tar_before += s->layers[i].uncompressed_size;
}

static void slim_free(struct slim *s)
{
	for (size_t i = 0; i < s->finfo.cap; i++)
		if (s->finfo.slots[i].key)
			finfo_free(s->finfo.slots[i].value);
	strmap_free(&s->finfo);
	strmap_free(&s->kept);
	strmap_free(&s->done);
	strmap_free(&s->confs);
	free(s->path_dirs);
	free(s->ld_library_path);
	free(s->conf_dirs);
	hull_fs_free(s->fs);
	hull_layers_free(s->layers, s->nlayers);
	hull_image_free(s->img);
	arena_free(&s->arena);
	pthread_mutex_destroy(&s->lock);
}

int hull_slim_run(const char *source, const char *dest, const struct hull_slim_opts *opts,
		  struct hull_slim_result **out, struct hull_err *err)
{
	struct slim s = {.o = opts, .source = source};
	pthread_mutex_init(&s.lock, NULL);
	struct hull_slim_result *r = xcalloc(1, sizeof(*r));
	int rc = first_pass(&s, source, err);
	if (!rc) {
		measure_before(&s, r);
		read_config(&s);
		rc = slim_resolve(&s, err);
		if (rc)
			hull_err_prefix(err, "%s", source);
	}
	if (!rc)
		rc = write_image(&s, dest, r, err);
	slim_free(&s);
	if (rc) {
		hull_slim_result_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void hull_slim_result_free(struct hull_slim_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nkept; i++) {
		free(r->kept[i].path);
		free(r->kept[i].why);
	}
	free(r->kept);
	free(r->user);
	free(r->digest);
	free(r);
}

/* ---------------------------------------------------------------- rendering */

static double reduction(uint64_t before, uint64_t after)
{
	return before ? 100.0 * ((double)before - (double)after) / (double)before : 0.0;
}

void hull_slim_render_text(const struct hull_slim_result *r, const char *source, const char *dest,
			   struct strbuf *out)
{
	char b1[32], b2[32], t1[32], t2[32];
	hull_human_size(r->bytes_before, b1, sizeof(b1));
	hull_human_size(r->bytes_after, b2, sizeof(b2));
	hull_human_size(r->tar_before, t1, sizeof(t1));
	hull_human_size(r->tar_after, t2, sizeof(t2));
	strbuf_addf(out, "slimmed %s -> %s\n", source, dest);
	strbuf_addf(out, "  files:  %llu -> %llu\n", (unsigned long long)r->files_before,
		    (unsigned long long)r->files_after);
	strbuf_addf(out, "  bytes:  %s -> %s (%llu -> %llu, %.1f%% smaller)\n", b1, b2,
		    (unsigned long long)r->bytes_before, (unsigned long long)r->bytes_after,
		    reduction(r->bytes_before, r->bytes_after));
	strbuf_addf(out, "  layers: %llu -> 1 (uncompressed %s -> %s)\n",
		    (unsigned long long)r->layers_before, t1, t2);
	strbuf_addf(out, "  user:   %s\n", r->user && r->user[0] ? r->user : "(root)");
	strbuf_addf(out, "  digest: %s\n", r->digest ? r->digest : "");
}

void hull_slim_render_json(const struct hull_slim_result *r, const char *source, const char *dest,
			   struct strbuf *out)
{
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_obj_begin(&w, NULL);
	jsonw_str(&w, "schema", "hull.slim/v1");
	jsonw_str(&w, "source", source);
	jsonw_str(&w, "destination", dest);
	jsonw_str(&w, "digest", r->digest);
	jsonw_str(&w, "user", r->user);
	jsonw_obj_begin(&w, "before");
	jsonw_u64(&w, "files", r->files_before);
	jsonw_u64(&w, "bytes", r->bytes_before);
	jsonw_u64(&w, "layers", r->layers_before);
	jsonw_u64(&w, "uncompressed_layer_bytes", r->tar_before);
	jsonw_obj_end(&w);
	jsonw_obj_begin(&w, "after");
	jsonw_u64(&w, "files", r->files_after);
	jsonw_u64(&w, "bytes", r->bytes_after);
	jsonw_u64(&w, "layers", 1);
	jsonw_u64(&w, "uncompressed_layer_bytes", r->tar_after);
	jsonw_obj_end(&w);
	jsonw_double(&w, "reduction_percent", reduction(r->bytes_before, r->bytes_after), 2);
	jsonw_arr_begin(&w, "kept");
	for (size_t i = 0; i < r->nkept; i++) {
		jsonw_obj_begin(&w, NULL);
		jsonw_str(&w, "path", r->kept[i].path);
		jsonw_str(&w, "type", r->kept[i].type);
		jsonw_u64(&w, "size", r->kept[i].size);
		jsonw_str(&w, "why", r->kept[i].why);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	jsonw_obj_end(&w);
	strbuf_addch(out, '\n');
}
