/* Merging layers top-down into one view. Every path ever seen has a node (kept after
 * removal, so dive's per-path measures can be computed); present nodes form a tree
 * through child lists so that whiteouts remove whole subtrees in proportion to their
 * size. */
#include "../util/path.h"
#include "../util/strbuf.h"
#include "../util/strmap.h"
#include "fs.h"

#include <string.h>

#define MAX_SYMLINK_HOPS 40

struct node {
	const char *path;
	struct node *parent, *first_child, *next_sibling, *prev_sibling;
	const struct hull_entry *e; /* NULL: a directory implied by its children */
	int layer;
	bool present;
	uint32_t copies;	     /* non-whiteout appearances */
	bool seen;		     /* has a dive appearance (min_size valid) */
	uint64_t min_size, cum_size; /* dive's per-path measures */
	uint64_t wasted;
};

struct hull_fs_priv {
	struct strmap map; /* path -> node */
	struct arena arena;
	struct node root;
	struct node **stack;
	size_t stack_cap;
};

struct merge {
	struct hull_fs *fs;
	struct hull_fs_priv *p;
	int layer;
	struct hull_err *err;
};

static const struct hull_entry implicit_dir = {.type = HULL_FT_DIR, .mode = 0755};

static const struct hull_entry *entry_of(const struct node *n)
{
	return n->e ? n->e : &implicit_dir;
}

static bool is_dir(const struct node *n)
{
	return entry_of(n)->type == HULL_FT_DIR;
}

static struct node *lookup(struct hull_fs_priv *p, const char *path)
{
	if (!strcmp(path, "/"))
		return &p->root;
	return strmap_get(&p->map, path);
}

static struct node *get_node(struct hull_fs_priv *p, const char *path)
{
	struct node *n = lookup(p, path);
	if (n)
		return n;
	n = arena_alloc(&p->arena, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->path = arena_strdup(&p->arena, path);
	strmap_put(&p->map, n->path, n);
	return n;
}

static void link_child(struct node *parent, struct node *n)
{
	n->parent = parent;
	n->prev_sibling = NULL;
	n->next_sibling = parent->first_child;
	if (parent->first_child)
		parent->first_child->prev_sibling = n;
	parent->first_child = n;
}

static void unlink_child(struct node *n)
{
	if (n->prev_sibling)
		n->prev_sibling->next_sibling = n->next_sibling;
	else if (n->parent)
		n->parent->first_child = n->next_sibling;
	if (n->next_sibling)
		n->next_sibling->prev_sibling = n->prev_sibling;
	n->parent = n->prev_sibling = n->next_sibling = NULL;
}

static void push(struct hull_fs_priv *p, size_t *len, struct node *n)
{
	ALLOC_GROW(p->stack, *len + 1, p->stack_cap);
	p->stack[(*len)++] = n;
}

/* Sum of the sizes of the regular files below (and at) n. */
static uint64_t subtree_size(struct hull_fs_priv *p, struct node *n)
{
	uint64_t sum = 0;
	size_t len = 0;
	push(p, &len, n);
	while (len) {
		struct node *c = p->stack[--len];
		if (entry_of(c)->type == HULL_FT_FILE)
			sum += entry_of(c)->size;
		for (struct node *k = c->first_child; k; k = k->next_sibling)
			push(p, &len, k);
	}
	return sum;
}

/* Removes n and everything below it from the view; what they held becomes waste. */
static void remove_subtree(struct merge *m, struct node *n, bool count_removed)
{
	struct hull_fs_priv *p = m->p;
	unlink_child(n);
	size_t len = 0;
	push(p, &len, n);
	while (len) {
		struct node *c = p->stack[--len];
		for (struct node *k = c->first_child; k; k = k->next_sibling)
			push(p, &len, k);
		c->first_child = NULL;
		c->parent = c->prev_sibling = c->next_sibling = NULL;
		c->present = false;
		if (count_removed)
			m->fs->layers[m->layer].removed++;
		const struct hull_entry *e = entry_of(c);
		if (e->type == HULL_FT_FILE && e->size) {
			c->wasted += e->size;
			m->fs->layers[c->layer].wasted += e->size;
			m->fs->wasted_bytes += e->size;
		}
	}
}

static void dive_appearance(struct node *n, uint64_t size)
{
	if (!n->seen || size < n->min_size)
		n->min_size = size;
	n->seen = true;
	n->cum_size += size;
}

static int resolve(struct hull_fs_priv *p, const char *path, bool follow_last, char **out,
		   struct hull_err *err);

/* Makes sure the parent directory of path exists as a directory (creating implied
 * directories, replacing non-directories) and returns its node. */
static struct node *ensure_dir(struct merge *m, const char *dir)
{
	struct hull_fs_priv *p = m->p;
	struct node *n = lookup(p, dir);
	if (n && n->present && is_dir(n))
		return n;
	_cleanup_free_ char *pdir = hull_path_dirname(dir);
	struct node *parent = ensure_dir(m, pdir);
	if (!n)
		n = get_node(p, dir);
	if (n->present)
		remove_subtree(m, n, false); /* a file where a directory must be */
	n->e = NULL;
	n->layer = m->layer;
	n->present = true;
	link_child(parent, n);
	return n;
}

/* The path an entry really lands on: symlinks in its parent directories are followed
 * inside the image, as container runtimes do when they apply a layer. */
static int effective_path(struct merge *m, const char *path, char **out)
{
	_cleanup_free_ char *dir = hull_path_dirname(path);
	/* Fast path: a present directory node is always at its real path, because nodes
	 * are only ever created at resolved paths. */
	struct node *d = lookup(m->p, dir);
	if (d && d->present && is_dir(d)) {
		*out = xstrdup(path);
		return 0;
	}
	char *rdir;
	int rc = resolve(m->p, dir, true, &rdir, m->err);
	if (rc)
		return rc;
	const char *base = strrchr(path, '/') + 1;
	*out = strcmp(rdir, "/") ? xasprintf("%s/%s", rdir, base) : xasprintf("/%s", base);
	free(rdir);
	return 0;
}

static int apply_whiteout(struct merge *m, const struct hull_entry *e)
{
	char *path;
	int rc = effective_path(m, e->path, &path);
	if (rc)
		return rc;
	struct node *n = lookup(m->p, path);
	free(path);
	if (!n || !n->present)
		return 0;
	if (e->type == HULL_FT_OPAQUE) {
		if (!is_dir(n))
			return 0;
		while (n->first_child) {
			struct node *c = n->first_child;
			dive_appearance(c, is_dir(c) ? subtree_size(m->p, c) : 0);
			remove_subtree(m, c, true);
		}
		return 0;
	}
	if (n == &m->p->root)
		return 0;
	dive_appearance(n, is_dir(n) ? subtree_size(m->p, n) : 0);
	remove_subtree(m, n, true);
	return 0;
}

static bool same_dir_meta(const struct hull_entry *a, const struct hull_entry *b)
{
	return a->mode == b->mode && a->uid == b->uid && a->gid == b->gid;
}

static int apply_entry(struct merge *m, const struct hull_entry *e)
{
	char *path;
	int rc = effective_path(m, e->path, &path);
	if (rc)
		return rc;
	struct hull_fs_priv *p = m->p;
	struct hull_layer_measures *lm = &m->fs->layers[m->layer];
	if (!strcmp(path, "/")) {
		free(path);
		return 0;
	}
	_cleanup_free_ char *dir = hull_path_dirname(path);
	struct node *parent = ensure_dir(m, dir);
	struct node *n = get_node(p, path);
	free(path);
	if (n->present) {
		const struct hull_entry *old = entry_of(n);
		bool both_dirs = old->type == HULL_FT_DIR && e->type == HULL_FT_DIR;
		if (n->layer == m->layer && n->e && !both_dirs)
			hull_warn("layer %d: %s appears twice; the last one wins", m->layer,
				  n->path);
		if (both_dirs) {
			if (!n->e && n->layer == m->layer)
				lm->added++; /* implied by its children earlier in this layer */
			else if (!same_dir_meta(old, e))
				lm->changed++;
		} else {
			lm->changed++;
			if (old->type == HULL_FT_DIR) {
				while (n->first_child)
					remove_subtree(m, n->first_child, false);
			} else if (old->type == HULL_FT_FILE && old->size) {
				n->wasted += old->size;
				m->fs->layers[n->layer].wasted += old->size;
				m->fs->wasted_bytes += old->size;
			}
		}
	} else {
		lm->added++;
		link_child(parent, n);
	}
	n->present = true;
	n->e = e;
	n->layer = m->layer;
	n->copies++;
	dive_appearance(n, e->type == HULL_FT_FILE ? e->size : 0);
	if (e->type == HULL_FT_HARDLINK) {
		struct node *t = lookup(p, e->link);
		if (!t || !t->present)
			hull_warn("layer %d: hardlink %s points to missing %s", m->layer, n->path,
				  e->link);
	}
	return 0;
}

static int merge_layer(struct merge *m, const struct hull_layer *l)
{
	/* Whiteouts only hide what lower layers hold: apply them before this layer's
	 * own entries (OCI image spec, "Whiteouts"). */
	for (size_t i = 0; i < l->nentries; i++) {
		const struct hull_entry *e = &l->entries[i];
		if (e->type == HULL_FT_WHITEOUT || e->type == HULL_FT_OPAQUE) {
			int rc = apply_whiteout(m, e);
			if (rc)
				return rc;
		}
	}
	for (size_t i = 0; i < l->nentries; i++) {
		const struct hull_entry *e = &l->entries[i];
		if (e->type != HULL_FT_WHITEOUT && e->type != HULL_FT_OPAQUE) {
			int rc = apply_entry(m, e);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int cmp_files(const void *a, const void *b)
{
	return strcmp(((const struct hull_file *)a)->path, ((const struct hull_file *)b)->path);
}

static int cmp_wasted(const void *a, const void *b)
{
	const struct hull_wasted_path *x = a, *y = b;
	if (x->wasted != y->wasted)
		return x->wasted < y->wasted ? 1 : -1;
	return strcmp(x->path, y->path);
}

static void collect(struct hull_fs *fs)
{
	struct hull_fs_priv *p = fs->priv;
	size_t nf = 0, nw = 0;
	for (size_t i = 0; i < p->map.cap; i++) {
		struct node *n = p->map.slots[i].value;
		if (n && n->present)
			nf++;
		if (n && n->wasted)
			nw++;
	}
	fs->files = xcalloc(nf ? nf : 1, sizeof(*fs->files));
	fs->wasted = xcalloc(nw ? nw : 1, sizeof(*fs->wasted));
	uint64_t sum_min = 0, sum_cum = 0;
	for (size_t i = 0; i < p->map.cap; i++) {
		struct node *n = p->map.slots[i].value;
		if (!n)
			continue;
		sum_min += n->min_size;
		sum_cum += n->cum_size;
		if (n->wasted) {
			struct hull_wasted_path *w = &fs->wasted[fs->nwasted++];
			w->path = n->path;
			w->copies = n->copies;
			w->wasted = n->wasted;
		}
		if (!n->present)
			continue;
		const struct hull_entry *e = entry_of(n);
		struct hull_file *f = &fs->files[fs->nfiles++];
		f->path = n->path;
		f->link = e->link;
		f->size = e->size;
		f->mode = e->mode;
		f->uid = e->uid;
		f->gid = e->gid;
		f->type = (enum hull_ftype)e->type;
		f->layer = n->layer;
	}
	qsort(fs->files, fs->nfiles, sizeof(*fs->files), cmp_files);
	qsort(fs->wasted, fs->nwasted, sizeof(*fs->wasted), cmp_wasted);
	fs->efficiency = sum_cum ? (double)sum_min / (double)sum_cum : 1.0;
}

int hull_fs_merge(const struct hull_layer *layers, size_t n, struct hull_fs **out,
		  struct hull_err *err)
{
	struct hull_fs *fs = xcalloc(1, sizeof(*fs));
	struct hull_fs_priv *p = xcalloc(1, sizeof(*p));
	fs->priv = p;
	p->root.path = "/";
	p->root.present = true;
	fs->nlayers = n;
	fs->layers = xcalloc(n ? n : 1, sizeof(*fs->layers));
	struct merge m = {.fs = fs, .p = p, .err = err};
	for (size_t i = 0; i < n; i++) {
		m.layer = (int)i;
		int rc = merge_layer(&m, &layers[i]);
		if (rc) {
			hull_fs_free(fs);
			return rc;
		}
	}
	collect(fs);
	*out = fs;
	return 0;
}

void hull_fs_free(struct hull_fs *fs)
{
	if (!fs)
		return;
	if (fs->priv) {
		strmap_free(&fs->priv->map);
		arena_free(&fs->priv->arena);
		free(fs->priv->stack);
		free(fs->priv);
	}
	free(fs->files);
	free(fs->wasted);
	free(fs->layers);
	free(fs);
}

/* Resolves path against the present nodes, following symlinks (all components but the
 * last, and the last too if follow_last). ".." never climbs above the root. */
static int resolve(struct hull_fs_priv *p, const char *path, bool follow_last, char **out,
		   struct hull_err *err)
{
	char *todo = hull_path_clean(path, NULL);
	struct strbuf cur = STRBUF_INIT;
	int hops = 0;
	size_t pos = 1; /* todo is absolute and clean: "/a/b" */
	strbuf_addch(&cur, '/');
	while (todo[pos]) {
		const char *seg = todo + pos;
		const char *slash = strchr(seg, '/');
		size_t seglen = slash ? (size_t)(slash - seg) : strlen(seg);
		bool last = !slash;
		size_t base = cur.len;
		if (cur.len > 1)
			strbuf_addch(&cur, '/');
		strbuf_add(&cur, seg, seglen);
		struct node *n = lookup(p, cur.buf);
		if (n && n->present && entry_of(n)->type == HULL_FT_SYMLINK &&
		    (!last || follow_last)) {
			if (++hops > MAX_SYMLINK_HOPS) {
				int rc =
					hull_err_set(err, HULL_EINPUT,
						     "%s: too many levels of symbolic links", path);
				free(todo);
				strbuf_release(&cur);
				return rc;
			}
			cur.len = base;
			cur.buf[base] = '\0';
			const char *t = entry_of(n)->link;
			struct strbuf next = STRBUF_INIT;
			if (t[0] != '/')
				strbuf_adds(&next, cur.buf);
			strbuf_addch(&next, '/');
			strbuf_adds(&next, t);
			if (!last) {
				strbuf_addch(&next, '/');
				strbuf_adds(&next, slash + 1);
			}
			free(todo);
			todo = hull_path_clean(next.buf, NULL);
			strbuf_release(&next);
			strbuf_reset(&cur);
			strbuf_addch(&cur, '/');
			pos = 1;
			continue;
		}
		pos += seglen + (slash ? 1 : 0);
	}
	free(todo);
	*out = strbuf_detach(&cur, NULL);
	return 0;
}

int hull_fs_resolve(const struct hull_fs *fs, const char *path, bool follow_last,
		    const struct hull_file **out, struct hull_err *err)
{
	char *r;
	int rc = resolve(fs->priv, path, follow_last, &r, err);
	if (rc)
		return rc;
	struct hull_file key = {.path = r};
	const struct hull_file *f =
		bsearch(&key, fs->files, fs->nfiles, sizeof(*fs->files), cmp_files);
	rc = f ? 0 : hull_err_set(err, HULL_ENOTFOUND, "%s: no such file in the image", path);
	free(r);
	if (f)
		*out = f;
	return rc;
}
