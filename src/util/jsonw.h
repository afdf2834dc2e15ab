/* A streaming JSON writer into a strbuf: pretty (2-space) output, any byte string made
 * valid UTF-8, jansson values embeddable. Used by every JSON report. */
#ifndef HULL_JSONW_H
#define HULL_JSONW_H

#include "strbuf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define JSONW_MAX_DEPTH 32

struct jsonw {
	struct strbuf *sb;
	int depth;
	bool first[JSONW_MAX_DEPTH];
};

void jsonw_init(struct jsonw *w, struct strbuf *sb);
/* key is NULL inside arrays and at the top level. */
void jsonw_obj_begin(struct jsonw *w, const char *key);
void jsonw_obj_end(struct jsonw *w);
void jsonw_arr_begin(struct jsonw *w, const char *key);
void jsonw_arr_end(struct jsonw *w);
void jsonw_str(struct jsonw *w, const char *key, const char *val); /* NULL -> null */
void jsonw_u64(struct jsonw *w, const char *key, uint64_t val);
void jsonw_i64(struct jsonw *w, const char *key, int64_t val);
void jsonw_double(struct jsonw *w, const char *key, double val, int decimals);
void jsonw_bool(struct jsonw *w, const char *key, bool val);
void jsonw_null(struct jsonw *w, const char *key);
/* Embeds a jansson value (NULL -> null), re-indented to fit. */
void jsonw_value(struct jsonw *w, const char *key, json_t *val);

#endif
