/* Builds the knode tree of yaml.h from libfyaml events. Building it ourselves (rather
 * than fy_document) keeps aliases as shared pointers (no expansion), lets us cap depth
 * and node count, and keeps the line of every key for findings. */
#include "yaml.h"
#include "strbuf.h"
#include "strmap.h"

#include <libfyaml.h>
#include <string.h>
#include <strings.h>

/* About 48 bytes each: bounds memory on inputs like "[1,1,1,...]". */
#define MAX_NODES (4u << 20)
/* Bounds the work of one lookup through "<<" merge keys (which may be aliases). */
#define MAX_MERGE_VISITS 256

struct frame {
	struct knode *node;
	void *arr; /* const struct knode *[] (sequence) or struct kentry[] (mapping) */
	size_t n, cap;
	bool have_key;
	const char *key;
	size_t key_line, key_col;
	const char *anchor;
};

struct builder {
	struct arena *a;
	struct frame *stack;
	size_t depth, cap;
	struct strmap anchors; /* anchor name -> completed node */
	const struct knode *root;
	size_t nodes;
	size_t doc_index;
	hull_yaml_doc_fn fn;
	void *ctx;
	struct hull_err *err;
};

static size_t ev_line(struct fy_event *ev)
{
	const struct fy_mark *m = fy_event_start_mark(ev);
	return m ? (size_t)m->line + 1 : 0;
}

static size_t ev_col(struct fy_event *ev)
{
	const struct fy_mark *m = fy_event_start_mark(ev);
	return m ? (size_t)m->column + 1 : 0;
}

static const char *tok_dup(struct arena *a, struct fy_token *t)
{
	size_t len = 0;
	const char *s = t ? fy_token_get_text(t, &len) : NULL;
	return s ? arena_strndup(a, s, len) : NULL;
}

static struct knode *new_node(struct builder *b, enum knode_type t, size_t line)
{
	if (++b->nodes > MAX_NODES) {
		hull_err_set(b->err, HULL_ELIMIT, "line %zu: more than %u YAML nodes", line,
			     MAX_NODES);
		return NULL;
	}
	struct knode *n = arena_alloc(b->a, sizeof(*n));
	memset(n, 0, sizeof(*n));
	n->type = t;
	n->line = line;
	return n;
}

static void register_anchor(struct builder *b, const char *anchor, const struct knode *n)
{
	/* Registered once complete, so an alias can never point into its own ancestors:
	 * the tree stays acyclic. A redefined anchor replaces the old one, as YAML says. */
	if (anchor)
		strmap_put(&b->anchors, anchor, (void *)n);
}

static void add_child(struct builder *b, const struct knode *n, size_t line)
{
	if (!b->depth) {
		b->root = n;
		return;
	}
	struct frame *f = &b->stack[b->depth - 1];
	if (f->node->type == KNODE_SEQ) {
		const struct knode **items = f->arr;
		ALLOC_GROW(items, f->n + 1, f->cap);
		items[f->n++] = n;
		f->arr = items;
	} else if (!f->have_key) {
		f->have_key = true;
		f->key = n->type == KNODE_SCALAR ? n->str : NULL;
		f->key_line = line;
		f->key_col = n->col;
	} else {
		struct kentry *e = f->arr;
		ALLOC_GROW(e, f->n + 1, f->cap);
		e[f->n++] = (struct kentry){
			.key = f->key, .line = f->key_line, .val = n, .col = f->key_col};
		f->arr = e;
		f->have_key = false;
	}
}

static int push(struct builder *b, struct fy_event *ev, enum knode_type t, struct fy_token *anc)
{
	size_t line = ev_line(ev);
	if (b->depth >= HULL_YAML_MAX_DEPTH)
		return hull_err_set(b->err, HULL_ELIMIT, "line %zu: nesting deeper than %d levels",
				    line, HULL_YAML_MAX_DEPTH);
	struct knode *n = new_node(b, t, line);
	if (!n)
		return HULL_ELIMIT;
	n->col = ev_col(ev);
	ALLOC_GROW(b->stack, b->depth + 1, b->cap);
	b->stack[b->depth++] = (struct frame){.node = n, .anchor = tok_dup(b->a, anc)};
	return 0;
}

static int check_duplicates(struct builder *b, const struct kentry *e, size_t n)
{
	struct strmap seen = STRMAP_INIT;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		if (!e[i].key)
			continue;
		if (n <= 8) {
			for (size_t j = 0; j < i; j++)
				if (e[j].key && !strcmp(e[j].key, e[i].key))
					rc = -1;
		} else if (strmap_put(&seen, e[i].key, (void *)&e[i])) {
			rc = -1;
		}
		if (rc)
			rc = hull_err_set(b->err, HULL_EINPUT, "line %zu: duplicate key \"%s\"",
					  e[i].line, e[i].key);
	}
	strmap_free(&seen);
	return rc;
}

static int pop(struct builder *b)
{
	struct frame f = b->stack[--b->depth];
	struct knode *n = f.node;
	size_t elsz = n->type == KNODE_SEQ ? sizeof(*n->items) : sizeof(*n->entries);
	void *copy = f.n ? arena_alloc(b->a, f.n * elsz) : NULL;
	if (f.n)
		memcpy(copy, f.arr, f.n * elsz);
	free(f.arr);
	n->n = f.n;
	if (n->type == KNODE_SEQ) {
		n->items = copy;
	} else {
		n->entries = copy;
		if (check_duplicates(b, n->entries, n->n))
			return HULL_EINPUT;
	}
	register_anchor(b, f.anchor, n);
	add_child(b, n, n->line);
	return 0;
}

static int scalar(struct builder *b, struct fy_event *ev)
{
	struct knode *n = new_node(b, KNODE_SCALAR, ev_line(ev));
	if (!n)
		return HULL_ELIMIT;
	n->col = ev_col(ev);
	n->str = tok_dup(b->a, ev->scalar.value);
	if (!n->str)
		n->str = "";
	n->plain = fy_token_scalar_style(ev->scalar.value) == FYSS_PLAIN;
	register_anchor(b, tok_dup(b->a, ev->scalar.anchor), n);
	add_child(b, n, n->line);
	return 0;
}

static int alias(struct builder *b, struct fy_event *ev)
{
	size_t len = 0;
	const char *name = fy_token_get_text(ev->alias.anchor, &len);
	const struct knode *n = name ? strmap_getn(&b->anchors, name, len) : NULL;
	if (!n)
		return hull_err_set(b->err, HULL_EINPUT, "line %zu: unknown or unfinished alias",
				    ev_line(ev));
	add_child(b, n, ev_line(ev));
	return 0;
}

static void reset_document(struct builder *b)
{
	while (b->depth)
		free(b->stack[--b->depth].arr);
	strmap_free(&b->anchors);
	b->root = NULL;
}

static int handle(struct builder *b, struct fy_event *ev)
{
	switch (ev->type) {
	case FYET_DOCUMENT_START:
		reset_document(b);
		b->doc_index++;
		return 0;
	case FYET_DOCUMENT_END:
		return b->fn(b->root, b->doc_index, b->ctx);
	case FYET_MAPPING_START:
		return push(b, ev, KNODE_MAP, ev->mapping_start.anchor);
	case FYET_SEQUENCE_START:
		return push(b, ev, KNODE_SEQ, ev->sequence_start.anchor);
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		return b->depth ? pop(b) : 0;
	case FYET_SCALAR:
		return scalar(b, ev);
	case FYET_ALIAS:
		return alias(b, ev);
	default:
		return 0;
	}
}

/* libfyaml 0.7 leaks collected diagnostics, so the first error is captured from the
 * output hook instead. The hook also gets warnings (a "%FOO" directive warns before the
 * error that stops the parse) and each diagnostic's source line and caret, which are the
 * input's own text: only a header "<memory-@ADDRESS-END>:LINE:COLUMN: error: ..." whose
 * address is our buffer's is taken. */
struct diag_first {
	char prefix[48]; /* "<memory-@0x...-" */
	size_t plen;
	struct strbuf msg;
};

static void diag_capture(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	struct diag_first *d = user;
	if (d->msg.len || len <= d->plen || memcmp(buf, d->prefix, d->plen))
		return;
	const char *p = memchr(buf + d->plen, '>', len - d->plen), *end = buf + len;
	if (!p || ++p == end || *p++ != ':')
		return;
	for (int field = 0; field < 2; field++) { /* LINE: and COLUMN: */
		const char *digits = p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == digits || p == end || *p++ != ':')
			return;
	}
	if ((size_t)(end - p) > 8 && !memcmp(p, " error: ", 8))
		strbuf_add(&d->msg, buf, len);
}

static int syntax_error(struct strbuf *first, struct hull_err *err)
{
	while (first->len &&
	       (first->buf[first->len - 1] == '\n' || first->buf[first->len - 1] == ' '))
		first->buf[--first->len] = '\0';
	/* The hook gets "<input>:LINE:COLUMN: error: MESSAGE"; the input is our buffer's
	 * address, so keep only the position and the message. */
	char *sep = first->len ? strstr(first->buf, ": error: ") : NULL;
	if (!sep)
		return hull_err_set(err, HULL_EINPUT, "%s",
				    first->len ? first->buf : "not valid YAML");
	*sep = '\0';
	char *col = strrchr(first->buf, ':');
	if (col) {
		*col = '\0';
		char *line = strrchr(first->buf, ':');
		if (line)
			return hull_err_set(err, HULL_EINPUT, "line %s, column %s: %s", line + 1,
					    col + 1, sep + 9);
	}
	return hull_err_set(err, HULL_EINPUT, "%s", sep + 9);
}

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates),
 * or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n = p[0] < 0x80		   ? 1
		   : (p[0] & 0xe0) == 0xc0 ? 2
		   : (p[0] & 0xf0) == 0xe0 ? 3
		   : (p[0] & 0xf8) == 0xf0 ? 4
					   : 0;
	if (!n || (size_t)(end - p) < n || (p[0] >= 0xc0 && p[0] < 0xc2) || p[0] > 0xf4)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

/* YAML and JSON are Unicode text. libfyaml 0.7 stops at a NUL byte as if the input ended
 * there, and can loop forever on invalid UTF-8 in a directive line: refuse both first. */
static int check_text(const char *data, size_t len, struct hull_err *err)
{
	const unsigned char *p = (const unsigned char *)data, *end = p + len;
	size_t line = 1;
	while (p < end) {
		size_t n = *p ? utf8_len(p, end) : 0;
		if (!n)
			return hull_err_set(err, HULL_EINPUT, "line %zu: %s", line,
					    *p ? "invalid UTF-8" : "NUL byte (not a text file)");
		line += *p == '\n';
		p += n;
	}
	return 0;
}

int hull_yaml_parse(const char *data, size_t len, struct arena *a, hull_yaml_doc_fn fn, void *ctx,
		    struct hull_err *err)
{
	if (check_text(data, len, err))
		return HULL_EINPUT;
	struct diag_first first = {.msg = STRBUF_INIT};
	snprintf(first.prefix, sizeof(first.prefix), "<memory-@%p-", (const void *)data);
	first.plen = strlen(first.prefix);
	struct fy_diag_cfg dc;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = diag_capture;
	dc.user = &first;
	dc.level = FYET_ERROR;
	dc.colorize = false;
	dc.show_source = false;
	dc.show_position = true;
	dc.show_type = false;
	dc.show_module = false;
	struct fy_diag *diag = fy_diag_create(&dc);
	struct fy_parse_cfg cfg = {
		.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_JSON_NONE |
			 FYPCF_DISABLE_MMAP_OPT,
		.diag = diag,
	};
	struct fy_parser *fyp = fy_parser_create(&cfg);
	if (!fyp || fy_parser_set_string(fyp, data, len)) {
		if (fyp)
			fy_parser_destroy(fyp);
		fy_diag_unref(diag);
		strbuf_release(&first.msg);
		return hull_err_set(err, HULL_EIO, "cannot create the YAML parser");
	}
	struct builder b = {.a = a, .fn = fn, .ctx = ctx, .err = err};
	struct fy_event *ev;
	int rc = 0;
	while (!rc && (ev = fy_parser_parse(fyp))) {
		rc = handle(&b, ev);
		fy_parser_event_free(fyp, ev);
	}
	/* libfyaml 0.7 frees an indentation level it still lists when a tab comes before a
	 * block indicator inside an explicit key ("? a:\t?"): destroying that parser writes
	 * to freed memory. It is left alone instead (about 3 KiB leaked, once per such
	 * input), and so is one that failed without an error we could read. */
	bool corrupt = false;
	if (!rc && fy_parser_get_stream_error(fyp)) {
		corrupt = !first.msg.len || strstr(first.msg.buf, "cannot use tab for indentation");
		rc = syntax_error(&first.msg, err);
	}
	reset_document(&b);
	free(b.stack);
	if (!corrupt)
		fy_parser_destroy(fyp);
	fy_diag_unref(diag);
	strbuf_release(&first.msg);
	return rc;
}

static int one_doc(const struct knode *root, size_t index, void *ctx)
{
	if (index > 1)
		return HULL_EINPUT;
	*(const struct knode **)ctx = root;
	return 0;
}

int hull_yaml_parse_one(const char *data, size_t len, const char *path, struct arena *a,
			const struct knode **root, struct hull_err *err)
{
	*root = NULL;
	struct hull_err e = {0};
	if (!hull_yaml_parse(data, len, a, one_doc, root, &e))
		return 0;
	hull_err_set(err, HULL_EINPUT, "%s: %s", path,
		     e.msg ? e.msg : "one YAML document expected");
	hull_err_clear(&e);
	return HULL_EINPUT;
}

static const struct kentry *lookup(const struct knode *map, const char *key, int depth,
				   unsigned *budget)
{
	if (!knode_is(map, KNODE_MAP) || depth > 8 || !*budget)
		return NULL;
	--*budget;
	for (size_t i = 0; i < map->n; i++)
		if (map->entries[i].key && !strcmp(map->entries[i].key, key))
			return &map->entries[i];
	/* YAML 1.1 merge keys: Kubernetes' decoder honours them, so manifests use them. */
	for (size_t i = 0; i < map->n; i++) {
		const struct kentry *e = &map->entries[i];
		if (!e->key || strcmp(e->key, "<<"))
			continue;
		if (knode_is(e->val, KNODE_MAP))
			return lookup(e->val, key, depth + 1, budget);
		for (size_t j = 0; knode_is(e->val, KNODE_SEQ) && j < e->val->n; j++) {
			const struct kentry *r = lookup(e->val->items[j], key, depth + 1, budget);
			if (r)
				return r;
		}
	}
	return NULL;
}

const struct kentry *kmap_entry(const struct knode *map, const char *key)
{
	unsigned budget = MAX_MERGE_VISITS;
	return lookup(map, key, 0, &budget);
}

const struct knode *kmap_get(const struct knode *map, const char *key)
{
	const struct kentry *e = kmap_entry(map, key);
	return e ? e->val : NULL;
}

const char *kmap_str(const struct knode *map, const char *key)
{
	const struct knode *n = kmap_get(map, key);
	return knode_is(n, KNODE_SCALAR) ? n->str : NULL;
}

bool knode_is(const struct knode *n, enum knode_type t)
{
	return n && n->type == t;
}

int knode_bool(const struct knode *n)
{
	static const char *const yes[] = {"true", "yes", "on", "y"};
	static const char *const no[] = {"false", "no", "off", "n"};
	if (!knode_is(n, KNODE_SCALAR) || !n->plain)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(n->str, yes[i]))
			return 1;
		if (!strcasecmp(n->str, no[i]))
			return 0;
	}
	return -1;
}
