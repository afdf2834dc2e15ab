/* Rust: Cargo.lock ([[package]] tables: name, version, source; a line scanner for the
 * TOML subset cargo writes) and the ".dep-v0" ELF section cargo-auditable embeds in
 * binaries: zlib-compressed JSON {"packages": [{"name", "version", "source", "kind"}]}.
 * Build-time dependencies (kind "build") are not in the binary, so they are left out. */
#include "lang.h"
#include "../util/json.h"

#include <string.h>
#include <zlib.h>

#define MAX_DEP_JSON (16u << 20) /* the inflated .dep-v0; real ones are kilobytes */

static bool match(const char *path)
{
	return !strcmp(hull_pkg_basename(path), "Cargo.lock") || hull_pkg_binary_path(path);
}

/* ------------------------------------------------------------------ Cargo.lock */

struct lock {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	struct hull_pkg_seen seen;
	bool in_package, in_deps;
	char *name, *version;
	struct strbuf deps; /* the "dependencies" entries, each ending in '\n' */
};

/* A "dependencies" entry: "name", "name version" or (old format) "name version
 * (source)"; without a version the lock holds one package of that name. */
static void lock_dep(struct lock *l, const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n);
	_cleanup_free_ char *name = xstrndup(s, sp ? (size_t)(sp - s) : n);
	if (!sp) {
		hull_pkg_depends(l->inv, l->f, l->name, l->version, HULL_DEP_NAME, name, NULL);
		return;
	}
	const char *v = sp + 1, *vend = memchr(v, ' ', (size_t)(s + n - v));
	_cleanup_free_ char *ver = xstrndup(v, vend ? (size_t)(vend - v) : (size_t)(s + n - v));
	hull_pkg_depends(l->inv, l->f, l->name, l->version, HULL_DEP_FILE, name, ver);
}

static void lock_flush(struct lock *l)
{
	if (l->name && l->version) {
		hull_pkg_add_once(l->inv, &l->seen, "cargo", l->name, l->version, l->f,
				  "cargo-lock");
		const char *p = l->deps.buf, *end = l->deps.len ? p + l->deps.len : p;
		while (p < end) { /* .buf is NULL until a dependency is added */
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			lock_dep(l, p, (size_t)(nl - p));
			p = nl + 1;
		}
	}
	strbuf_reset(&l->deps);
	l->in_deps = false;
	free(l->name);
	free(l->version);
	l->name = l->version = NULL;
}

/* 'key = "value"' -> value (basic strings; cargo never escapes names or versions). */
static bool kv(const char *s, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t k = strlen(key);
	if (n <= k || memcmp(s, key, k) || (s[k] != ' ' && s[k] != '='))
		return false;
	const char *p = s + k, *end = s + n;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p++ != '=')
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != '"')
		return false;
	const char *close = memchr(p + 1, '"', (size_t)(end - p - 1));
	if (!close)
		return false;
	*v = p + 1;
	*vn = (size_t)(close - p - 1);
	return true;
}

/* The quoted strings of a "dependencies = [" array line; "]" ends the array. */
static void deps_line(struct lock *l, const char *s, size_t n)
{
	const char *end = s + n;
	while (s < end) {
		if (*s == ']') {
			l->in_deps = false;
			return;
		}
		if (*s++ != '"')
			continue;
		const char *close = memchr(s, '"', (size_t)(end - s));
		if (!close)
			return;
		if (close > s && !memchr(s, '\n', (size_t)(close - s))) {
			strbuf_add(&l->deps, s, (size_t)(close - s));
			strbuf_addch(&l->deps, '\n');
		}
		s = close + 1;
	}
}

static void lock_line(struct lock *l, const char *s, size_t n)
{
	while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
		n--;
	if (l->in_deps) {
		deps_line(l, s, n);
		return;
	}
	if (n && s[0] == '[') {
		lock_flush(l);
		l->in_package = n == 11 && !memcmp(s, "[[package]]", 11);
		return;
	}
	const char *v;
	size_t vn;
	if (!l->in_package)
		return;
	if (kv(s, n, "name", &v, &vn))
		hull_package_set(&l->name, v, vn);
	else if (kv(s, n, "version", &v, &vn))
		hull_package_set(&l->version, v, vn);
	else if (n >= 16 && !memcmp(s, "dependencies = [", 16)) {
		l->in_deps = true;
		deps_line(l, s + 16, n - 16);
	}
}

static void parse_lock(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct lock l = {.inv = inv, .f = f, .deps = STRBUF_INIT};
	const char *p = f->data, *end = f->data + f->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		lock_line(&l, p, (size_t)(eol - p));
		p = eol + 1;
	}
	lock_flush(&l);
	strbuf_release(&l.deps);
	hull_pkg_seen_free(&l.seen);
}

/* ------------------------------------------------------------------ cargo-auditable */

/* Inflates the section, refusing more than MAX_DEP_JSON bytes. */
static char *inflate_section(const unsigned char *d, size_t n, size_t *out_len)
{
	size_t cap = n * 8 + 4096;
	if (cap > MAX_DEP_JSON)
		cap = MAX_DEP_JSON;
	for (;;) {
		char *buf = xmalloc(cap);
		uLongf len = (uLongf)cap;
		int r = uncompress((Bytef *)buf, &len, d, (uLong)n);
		if (r == Z_OK) {
			*out_len = len;
			return buf;
		}
		free(buf);
		if (r != Z_BUF_ERROR || cap >= MAX_DEP_JSON)
			return NULL;
		cap = cap * 4 > MAX_DEP_JSON ? MAX_DEP_JSON : cap * 4;
	}
}

static void audit_package(struct hull_inventory *inv, const struct hull_pkg_file *f,
			  struct hull_pkg_seen *seen, json_t *p, bool *bad)
{
	json_t *name = json_object_get(p, "name"), *version = json_object_get(p, "version");
	json_t *kind = json_object_get(p, "kind");
	if (!json_is_string(name) || !json_is_string(version) || (kind && !json_is_string(kind))) {
		*bad = true;
		return;
	}
	if (kind && !strcmp(json_string_value(kind), "build"))
		return;
	hull_pkg_add_once(inv, seen, "cargo", json_string_value(name), json_string_value(version),
			  f, "cargo-auditable");
}

static void parse_binary(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct hull_elf e;
	size_t off, size, len;
	if (!hull_elf_open(&e, f->data, f->len) || !hull_elf_section(&e, ".dep-v0", &off, &size))
		return;
	_cleanup_free_ char *text = inflate_section(e.data + off, size, &len);
	if (!text) {
		hull_warn(
			"%s: cargo-auditable .dep-v0 section does not inflate (corrupt or over %u "
			"bytes)",
			f->path, MAX_DEP_JSON);
		return;
	}
	json_t *root;
	struct hull_err err = {0};
	if (hull_json_parse(text, len, f->path, &root, &err)) {
		hull_warn("%s (cargo-auditable .dep-v0)", err.msg);
		hull_err_clear(&err);
		return;
	}
	json_t *pkgs = json_is_object(root) ? json_object_get(root, "packages") : NULL, *p;
	bool bad = !json_is_array(pkgs);
	struct hull_pkg_seen seen = {0};
	size_t i;
	json_array_foreach(pkgs, i, p)
	{
		audit_package(inv, f, &seen, p, &bad);
	}
	if (bad)
		hull_warn("%s: cargo-auditable .dep-v0 has entries of the wrong type", f->path);
	hull_pkg_seen_free(&seen);
	json_decref(root);
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	if (!strcmp(hull_pkg_basename(f->path), "Cargo.lock"))
		parse_lock(inv, f);
	else
		parse_binary(inv, f);
}

const struct hull_cataloger hull_cataloger_cargo = {"cargo", match, parse, true};
