/* Strict JSON parsing and typed member access over jansson. */
#include "json.h"

int hull_json_parse(const void *data, size_t len, const char *what, json_t **out,
		    struct hull_err *err)
{
	json_error_t je;
	json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return hull_err_set(err, HULL_EINPUT, "%s: invalid JSON at line %d column %d: %s",
				    what, je.line, je.column, je.text);
	*out = j;
	return 0;
}

const char *hull_json_str(json_t *obj, const char *key, const char *what, struct hull_err *err)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		hull_err_set(err, HULL_EINPUT, "%s: \"%s\" is not a string", what, key);
		return NULL;
	}
	return json_string_value(v);
}

const char *hull_json_req_str(json_t *obj, const char *key, const char *what, struct hull_err *err)
{
	struct hull_err local = {0};
	const char *s = hull_json_str(obj, key, what, &local);
	if (!s && !local.msg)
		hull_err_set(err, HULL_EINPUT, "%s: missing \"%s\"", what, key);
	else if (local.msg)
		hull_err_set(err, local.code, "%s", local.msg);
	hull_err_clear(&local);
	return s;
}

int hull_json_int(json_t *obj, const char *key, const char *what, long long *out,
		  struct hull_err *err)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return hull_err_set(err, HULL_EINPUT, "%s: \"%s\" is not an integer", what, key);
	*out = json_integer_value(v);
	return 0;
}

static json_t *typed_member(json_t *obj, const char *key, const char *what, json_type type,
			    const char *tname, struct hull_err *err)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (!v || json_is_null(v))
		return NULL;
	if (json_typeof(v) != type) {
		hull_err_set(err, HULL_EINPUT, "%s: \"%s\" is not an %s", what, key, tname);
		return NULL;
	}
	return v;
}

json_t *hull_json_array(json_t *obj, const char *key, const char *what, struct hull_err *err)
{
	return typed_member(obj, key, what, JSON_ARRAY, "array", err);
}

json_t *hull_json_object(json_t *obj, const char *key, const char *what, struct hull_err *err)
{
	return typed_member(obj, key, what, JSON_OBJECT, "object", err);
}
