/* JSON input through jansson: strict parsing (duplicate keys rejected) and typed getters
 * that turn a wrong shape into an error naming the document. */
#ifndef HULL_JSON_H
#define HULL_JSON_H

#include "util.h"

#include <jansson.h>
#include <stdbool.h>

/* Parses len bytes; what names the document in errors ("manifest.json"). */
int hull_json_parse(const void *data, size_t len, const char *what, json_t **out,
		    struct hull_err *err) HULL_MUST_CHECK;

/* Returns the string member key of obj, or NULL if absent or null. A present member of
 * another type is an error (returns NULL and sets err). */
const char *hull_json_str(json_t *obj, const char *key, const char *what, struct hull_err *err);
/* Same for a required string: absent is an error too. */
const char *hull_json_req_str(json_t *obj, const char *key, const char *what, struct hull_err *err);
/* Integer member (absent: *out untouched, returns 0). */
int hull_json_int(json_t *obj, const char *key, const char *what, long long *out,
		  struct hull_err *err) HULL_MUST_CHECK;
/* Array member or NULL if absent; wrong type sets err. */
json_t *hull_json_array(json_t *obj, const char *key, const char *what, struct hull_err *err);
json_t *hull_json_object(json_t *obj, const char *key, const char *what, struct hull_err *err);

#endif
