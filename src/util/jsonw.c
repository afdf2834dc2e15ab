/* Streaming pretty JSON writer. */
#include "jsonw.h"

#include <string.h>

void jsonw_init(struct jsonw *w, struct strbuf *sb)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
	w->first[0] = true;
}

static void indent(struct jsonw *w)
{
	strbuf_addch(w->sb, '\n');
	for (int i = 0; i < w->depth; i++)
		strbuf_adds(w->sb, "  ");
}

static void prefix(struct jsonw *w, const char *key)
{
	if (w->depth > 0) {
		if (!w->first[w->depth])
			strbuf_addch(w->sb, ',');
		indent(w);
	}
	w->first[w->depth] = false;
	if (key) {
		strbuf_addch(w->sb, '"');
		strbuf_add_json_escaped(w->sb, key);
		strbuf_adds(w->sb, "\": ");
	}
}

static void open_(struct jsonw *w, const char *key, char c)
{
	prefix(w, key);
	strbuf_addch(w->sb, c);
	if (w->depth + 1 < JSONW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jsonw *w, char c)
{
	bool empty = w->first[w->depth];
	w->depth--;
	if (!empty)
		indent(w);
	strbuf_addch(w->sb, c);
	if (w->depth == 0)
		strbuf_addch(w->sb, '\n');
}

void jsonw_obj_begin(struct jsonw *w, const char *key)
{
	open_(w, key, '{');
}

void jsonw_obj_end(struct jsonw *w)
{
	close_(w, '}');
}

void jsonw_arr_begin(struct jsonw *w, const char *key)
{
	open_(w, key, '[');
}

void jsonw_arr_end(struct jsonw *w)
{
	close_(w, ']');
}

void jsonw_str(struct jsonw *w, const char *key, const char *val)
{
	prefix(w, key);
	if (!val) {
		strbuf_adds(w->sb, "null");
		return;
	}
	strbuf_addch(w->sb, '"');
	strbuf_add_json_escaped(w->sb, val);
	strbuf_addch(w->sb, '"');
}

void jsonw_u64(struct jsonw *w, const char *key, uint64_t val)
{
	prefix(w, key);
	strbuf_addf(w->sb, "%llu", (unsigned long long)val);
}

void jsonw_i64(struct jsonw *w, const char *key, int64_t val)
{
	prefix(w, key);
	strbuf_addf(w->sb, "%lld", (long long)val);
}

void jsonw_double(struct jsonw *w, const char *key, double val, int decimals)
{
	prefix(w, key);
	strbuf_addf(w->sb, "%.*f", decimals, val);
}

void jsonw_bool(struct jsonw *w, const char *key, bool val)
{
	prefix(w, key);
	strbuf_adds(w->sb, val ? "true" : "false");
}

void jsonw_null(struct jsonw *w, const char *key)
{
	prefix(w, key);
	strbuf_adds(w->sb, "null");
}

void jsonw_value(struct jsonw *w, const char *key, json_t *val)
{
	if (!val || json_is_null(val)) {
		jsonw_null(w, key);
		return;
	}
	if (json_is_object(val)) {
		jsonw_obj_begin(w, key);
		const char *k;
		json_t *v;
		json_object_foreach(val, k, v) jsonw_value(w, k, v);
		jsonw_obj_end(w);
	} else if (json_is_array(val)) {
		jsonw_arr_begin(w, key);
		size_t i;
		json_t *v;
		json_array_foreach(val, i, v) jsonw_value(w, NULL, v);
		jsonw_arr_end(w);
	} else if (json_is_string(val)) {
		jsonw_str(w, key, json_string_value(val));
	} else {
		prefix(w, key);
		char *s = json_dumps(val, JSON_ENCODE_ANY | JSON_COMPACT);
		strbuf_adds(w->sb, s ? s : "null");
		free(s);
	}
}
