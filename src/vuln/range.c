/* The OSV "Evaluation" algorithm for one affected entry and one version: a version is
 * affected when the versions list names it, or when in some range the last event at or
 * below it (events in version order) is an "introduced" and it is below a "limit" if the
 * range has any. Finding that last event needs no sort: it is the greatest triggering
 * event, ties going to the later one as a stable sort would leave them. */
#include "match.h"

#include <jansson.h>
#include <string.h>

enum ev_kind { EV_INTRO, EV_FIXED, EV_LAST, EV_LIMIT, EV_NKINDS };

static const char *const ev_names[EV_NKINDS] = {"introduced", "fixed", "last_affected", "limit"};

struct event {
	enum ev_kind kind;
	const char *v;
	bool zero; /* introduced "0": before every version */
};

/* What one range says about the version. */
struct range_result {
	bool affected;
	const char *fixed; /* lowest fixed above the version, borrowed from the JSON */
};

/* An event object holds one of the four keys with a string value. */
static bool read_event(json_t *e, struct event *out)
{
	if (!json_is_object(e))
		return false;
	for (int k = 0; k < EV_NKINDS; k++) {
		json_t *v = json_object_get(e, ev_names[k]);
		if (!v)
			continue;
		if (!json_is_string(v) || !*json_string_value(v))
			return false;
		out->kind = (enum ev_kind)k;
		out->v = json_string_value(v);
		out->zero = k == EV_INTRO && !strcmp(out->v, "0");
		return true;
	}
	return false;
}

/* Is event e later than the current best b in the sorted timeline (ties: e comes later)? */
static int later(const struct hull_vercmp *c, const struct event *e, const struct event *b,
		 bool *out)
{
	if (e->zero || b->zero) {
		*out = e->zero ? b->zero : true;
		return 0;
	}
	int r;
	if (hull_vercmp_with(c, e->v, b->v, &r, NULL))
		return -1;
	*out = r >= 0;
	return 0;
}

/* Evaluates one range whose comparator accepts version. Returns 0, or -1 when an event
 * is malformed or its version is rejected (the range cannot be evaluated). */
static int eval_range(const struct hull_vercmp *c, json_t *events, const char *version,
		      struct range_result *out)
{
	struct event best = {0}, e;
	bool have_best = false, has_limit = false, before_limit = false;
	const char *fixed = NULL;
	size_t i;
	json_t *je;
	*out = (struct range_result){0};
	if (!json_is_array(events) || !json_array_size(events))
		return -1;
	json_array_foreach(events, i, je)
	{
		if (!read_event(je, &e))
			return -1;
		int r = 1;
		if (e.kind == EV_LIMIT && strchr(e.v, '*')) {
			has_limit = before_limit = true;
			continue;
		}
		if (!e.zero && hull_vercmp_with(c, version, e.v, &r, NULL))
			return -1;
		bool trig = false;
		switch (e.kind) {
		case EV_INTRO:
		case EV_FIXED:
			trig = r >= 0;
			break;
		case EV_LAST:
			trig = r > 0;
			break;
		default:
			has_limit = true;
			before_limit = before_limit || r < 0;
			break;
		}
		bool lt = true;
		if (trig && have_best && later(c, &e, &best, &lt))
			return -1;
		if (trig && lt) {
			best = e;
			have_best = true;
		}
		if (e.kind == EV_FIXED && r < 0) {
			int fr = -1;
			if (fixed && hull_vercmp_with(c, e.v, fixed, &fr, NULL))
				return -1;
			if (fr < 0)
				fixed = e.v;
		}
	}
	out->affected = have_best && best.kind == EV_INTRO && (!has_limit || before_limit);
	out->fixed = fixed;
	return 0;
}

/* Is the text at p (vl bytes) a whole element of a JSON array of strings? Called only when
 * the JSON has no backslash, so quotes only delimit strings: p follows a quote that comes
 * after '[' or ',' (and blanks), and the string ends at the quote after vl bytes. */
static bool element_at(const char *start, const char *p, size_t vl)
{
	if (p == start || p[-1] != '"' || p[vl] != '"')
		return false;
	const char *q = p - 1;
	while (q > start && strchr(" \t\r\n", q[-1]))
		q--;
	return q > start && (q[-1] == '[' || q[-1] == ',');
}

/* Exact match in the versions list. Stored lists are plain JSON: without escapes the
 * quoted version is found in the text directly (lists run to hundreds of versions, and
 * parsing each one dominated matching); anything else is parsed. */
static bool in_versions(const char *versions, const char *version, size_t *bad)
{
	if (!versions)
		return false;
	size_t vl = strlen(version);
	if (vl && !strchr(versions, '\\') && !strpbrk(version, "\"\\") &&
	    !strchr(" \t\r\n,]:}", version[0])) {
		for (const char *p = versions; (p = strstr(p, version)); p++)
			if (element_at(versions, p, vl))
				return true;
		return false;
	}
	json_error_t jerr;
	json_t *arr = json_loads(versions, JSON_DECODE_ANY, &jerr);
	bool found = false;
	if (!json_is_array(arr)) {
		(*bad)++;
	} else {
		size_t i;
		json_t *v;
		json_array_foreach(arr, i, v)
		{
			if (json_is_string(v) && !strcmp(json_string_value(v), version))
				found = true;
		}
	}
	json_decref(arr);
	return found;
}

/* The comparator of a range type: NULL for types hull does not evaluate (GIT). */
static const struct hull_vercmp *range_cmp(const struct hull_vercmp *eco, const char *type)
{
	static const struct hull_vercmp *semver;
	if (!type)
		return NULL;
	if (!strcmp(type, "ECOSYSTEM"))
		return eco;
	if (strcmp(type, "SEMVER"))
		return NULL;
	if (eco && eco->compare == hull_vercmp_go)
		return eco;
	if (!semver)
		semver = hull_vercmp_find("semver");
	return semver;
}

/* Keeps the lower of two fixed versions (the first when they do not compare). */
static void lower_fixed(const struct hull_vercmp *c, const char **cur, const char *cand)
{
	int r;
	if (!cand)
		return;
	if (!*cur || (!hull_vercmp_with(c, cand, *cur, &r, NULL) && r < 0))
		*cur = cand;
}

int hull_vuln_evaluate(const struct hull_vercmp *eco, const char *ranges, const char *versions,
		       const char *version, struct hull_vuln_eval *out, struct hull_err *err)
{
	*out = (struct hull_vuln_eval){0};
	out->affected = in_versions(versions, version, &out->bad_ranges);
	json_error_t jerr;
	json_t *arr = ranges ? json_loads(ranges, JSON_DECODE_ANY, &jerr) : json_array();
	if (!json_is_array(arr)) {
		out->bad_ranges++;
		json_decref(arr);
		return 0;
	}
	const struct hull_vercmp *checked[2] = {NULL, NULL}, *rejected = NULL;
	struct hull_err verr = {0};
	const char *fixed = NULL;
	size_t i;
	json_t *r;
	json_array_foreach(arr, i, r)
	{
		const char *type =
			json_is_object(r) ? json_string_value(json_object_get(r, "type")) : NULL;
		const struct hull_vercmp *c = range_cmp(eco, type);
		if (!c) {
			if (!type)
				out->bad_ranges++;
			continue;
		}
		if (c == rejected)
			continue;
		if (c != checked[0] && c != checked[1]) {
			if (hull_vercmp_check(c, version, verr.msg ? NULL : &verr)) {
				rejected = c;
				continue;
			}
			checked[checked[0] ? 1 : 0] = c;
		}
		struct range_result rr;
		if (eval_range(c, json_object_get(r, "events"), version, &rr)) {
			out->bad_ranges++;
			continue;
		}
		out->affected = out->affected || rr.affected;
		lower_fixed(c, &fixed, rr.fixed);
	}
	int rc = 0;
	if (out->affected)
		out->fixed = fixed ? xstrdup(fixed) : NULL;
	else if (rejected)
		rc = hull_err_set(err, HULL_EINPUT, "%s", verr.msg);
	hull_err_clear(&verr);
	json_decref(arr);
	return rc;
}

void hull_vuln_eval_release(struct hull_vuln_eval *e)
{
	free(e->fixed);
	e->fixed = NULL;
}
