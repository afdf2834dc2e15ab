/* Fuzzes the OSV record parser: the first byte picks JSON or YAML, the rest is the
 * document. A record that parses must be complete: an id, a severity, JSON ranges. JSON
 * documents also go through jtree and jansson side by side: both must accept or both
 * reject, and an accepted tree must write back as the same JSON. */
#include "util/arena.h"
#include "util/strbuf.h"
#include "vuln/jtree.h"
#include "vuln/osv.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void on_note(enum hull_osv_note kind, const char *msg, void *ctx)
{
	(void)ctx;
	if (kind >= HULL_OSV_NOTE_COUNT || !msg)
		abort();
}

static void check_json_array(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);
	if (!json_is_array(j))
		abort();
	json_decref(j);
}

static bool has_number(const struct jnode *n)
{
	if (n->type == JT_NUMBER)
		return true;
	for (uint32_t i = 0; n->type == JT_ARRAY && i < n->n; i++)
		if (has_number(&n->items[i]))
			return true;
	for (uint32_t i = 0; n->type == JT_OBJECT && i < n->n; i++)
		if (has_number(&n->members[i].val))
			return true;
	return false;
}

static void jtree_vs_jansson(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	struct arena a = ARENA_INIT;
	struct jnode root;
	struct jtree_err e;
	int rc = jtree_parse(buf, size, &a, 4096, &root, &e);
	bool skip = e.too_deep || (!j && json_error_code(&je) == json_error_stack_overflow);
	/* jansson lets a NUL byte through right after a number or a literal ("[2\0]");
	 * jtree refuses every NUL byte outside strings as well as inside. */
	bool nul = memchr(data, 0, size) != NULL;
	if (!skip && (rc == 0) != (j != NULL) && !(nul && rc))
		abort();
	if (!skip && !rc && j) {
		struct strbuf sb = STRBUF_INIT;
		jtree_dump(&sb, &root);
		json_t *back = json_loadb(sb.buf, sb.len, JSON_REJECT_DUPLICATES, NULL);
		if (!back || !json_equal(back, j))
			abort();
		if (!has_number(&root)) {
			char *want = json_dumps(j, JSON_COMPACT);
			if (!want || strcmp(want, sb.buf))
				abort();
			free(want);
		}
		json_decref(back);
		strbuf_release(&sb);
	}
	if (rc && !e.msg)
		abort();
	json_decref(j);
	arena_free(&a);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!(data[0] & 1))
		jtree_vs_jansson(data + 1, size - 1);
	enum hull_osv_format fmt = data[0] & 1 ? HULL_OSV_YAML : HULL_OSV_JSON;
	struct hull_osv r;
	struct hull_err err = {0};
	int rc = hull_osv_parse((const char *)data + 1, size - 1, fmt, "fuzz", &r, on_note, NULL,
				&err);
	if (rc) {
		if (!err.msg)
			abort();
		hull_err_clear(&err);
		return 0;
	}
	if (!r.id || !*r.id || !r.severity || !r.urls)
		abort();
	check_json_array(r.urls);
	for (size_t i = 0; i < r.naffected; i++) {
		if (!r.affected[i].ecosystem || !r.affected[i].name)
			abort();
		check_json_array(r.affected[i].ranges);
		if (r.affected[i].versions)
			check_json_array(r.affected[i].versions);
	}
	hull_osv_free(&r);
	return 0;
}
