/* Python: installed distributions (*.dist-info/METADATA, *.egg-info/PKG-INFO and the
 * single-file *.egg-info) and the lockfiles of projects (requirements*.txt exact pins,
 * Pipfile.lock, poetry.lock, uv.lock). Names are kept as declared; the purl normalises
 * them (PEP 503). */
#include "lang.h"
#include "../util/json.h"

#include <ctype.h>
#include <string.h>

enum kind { K_NONE, K_METADATA, K_REQUIRES_TXT, K_REQUIREMENTS, K_PIPFILE, K_TOML };

static bool ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n >= m && !strcmp(s + n - m, sfx);
}

static enum kind kind_of(const char *path)
{
	const char *base = hull_pkg_basename(path);
	if (ends_with(path, ".dist-info/METADATA") || ends_with(path, ".egg-info/PKG-INFO") ||
	    (ends_with(base, ".egg-info") && base != path && strlen(base) > 9))
		return K_METADATA;
	if (ends_with(path, ".egg-info/requires.txt"))
		return K_REQUIRES_TXT;
	if (!strncmp(base, "requirements", 12) && ends_with(base, ".txt"))
		return K_REQUIREMENTS;
	if (!strcmp(base, "Pipfile.lock"))
		return K_PIPFILE;
	if (!strcmp(base, "poetry.lock") || !strcmp(base, "uv.lock"))
		return K_TOML;
	return K_NONE;
}

static bool match(const char *path)
{
	return kind_of(path) != K_NONE;
}

/* ------------------------------------------------------------------ core metadata */

struct meta {
	char *name, *version, *license, *expression;
	struct strbuf requires; /* Requires-Dist values, each ending in '\n' */
};

static bool key_is(const char *k, size_t kl, const char *want)
{
	return kl == strlen(want) && !strncasecmp(k, want, kl);
}

static void meta_field(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
	struct meta *m = ctx;
	if (!k)
		return;
	while (vl && isspace((unsigned char)v[vl - 1]))
		vl--;
	/* The first occurrence wins: later headers of the same name are not ours. */
	if (key_is(k, kl, "Name") && !m->name)
		hull_package_set(&m->name, v, vl);
	else if (key_is(k, kl, "Version") && !m->version)
		hull_package_set(&m->version, v, vl);
	else if (key_is(k, kl, "License") && !m->license)
		hull_package_set(&m->license, v, vl);
	else if (key_is(k, kl, "License-Expression") && !m->expression)
		hull_package_set(&m->expression, v, vl);
	else if (key_is(k, kl, "Requires-Dist") && vl && !memchr(v, '\n', vl)) {
		strbuf_add(&m->requires, v, vl);
		strbuf_addch(&m->requires, '\n');
	}
}

static bool name_char(char c);

/* "name[extras] (>=1.0) ; marker": the requirement's name, unless its marker names
 * an extra (an optional feature, installed only on request). Other markers (python
 * version, platform) are not evaluated: the requirement counts. */
static void requires_dist(struct hull_inventory *inv, const struct hull_pkg_file *f,
			  const struct meta *m)
{
	if (!m->requires.len) /* .buf is NULL until something is added */
		return;
	const char *p = m->requires.buf, *end = p + m->requires.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *n = p;
		while (n < nl && name_char(*n))
			n++;
		const char *semi = memchr(p, ';', (size_t)(nl - p));
		if (n > p && !(semi && memmem(semi, (size_t)(nl - semi), "extra", 5))) {
			_cleanup_free_ char *dep = xstrndup(p, (size_t)(n - p));
			hull_pkg_depends(inv, f, m->name, m->version, HULL_DEP_PYPI, dep, NULL);
		}
		p = nl + 1;
	}
}

/* Length of the header block: the body after the first blank line is the long
 * description, whose "Key: value" lines must not be taken for headers. */
static size_t header_len(const char *d, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (d[i] != '\n')
			continue;
		if (d[i + 1] == '\n')
			return i + 1;
		if (d[i + 1] == '\r' && i + 2 < len && d[i + 2] == '\n')
			return i + 1;
	}
	return len;
}

static void parse_metadata(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct meta m = {.requires = STRBUF_INIT};
	hull_stanzas(f->data, header_len(f->data, f->len), ':', meta_field, &m);
	if (m.name && *m.name && m.version && *m.version) {
		struct hull_package *p =
			hull_inventory_add(inv, "pypi", m.name, m.version, f, "python");
		const char *lic = m.expression ? m.expression : m.license;
		if (lic && *lic && strcmp(lic, "UNKNOWN"))
			p->licenses = xstrdup(lic);
		requires_dist(inv, f, &m);
	} else {
		hull_warn("%s: no Name and Version in the package metadata", f->path);
	}
	free(m.name);
	free(m.version);
	free(m.license);
	free(m.expression);
	strbuf_release(&m.requires);
}

/* An egg-info's requires.txt: requirements, one per line, before any "[extra]"
 * section; a "[:marker]" section holds unconditional ones (markers unevaluated). They
 * belong to the distribution of the PKG-INFO beside it. */
static void parse_requires_txt(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	_cleanup_free_ char *dir = hull_pkg_dirname(f->path);
	_cleanup_free_ char *pkginfo = xasprintf("%s/PKG-INFO", dir);
	bool on = true;
	const char *p = f->data, *end = f->data + f->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p < eol && *p == '[') {
			on = p + 1 < eol && p[1] == ':';
		} else if (on) {
			const char *n = p;
			while (n < eol && name_char(*n))
				n++;
			if (n > p) {
				_cleanup_free_ char *dep = xstrndup(p, (size_t)(n - p));
				hull_pkg_depends_of_file(inv, pkginfo, HULL_DEP_PYPI, dep);
			}
		}
		p = nl ? nl + 1 : end;
	}
}

/* ------------------------------------------------------------------ requirements.txt */

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

/* "name[extras] == version ; marker  # comment": only exact pins name a version. */
static void requirement(struct hull_inventory *inv, struct hull_pkg_seen *seen,
			const struct hull_pkg_file *f, const char *s, const char *end)
{
	const char *name = s;
	while (s < end && name_char(*s))
		s++;
	size_t nlen = (size_t)(s - name);
	if (s < end && *s == '[') {
		const char *close = memchr(s, ']', (size_t)(end - s));
		if (!close)
			return;
		s = close + 1;
	}
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (!nlen || end - s < 3 || s[0] != '=' || s[1] != '=')
		return;
	s += s[2] == '=' ? 3 : 2; /* "===" is an arbitrary-equality pin */
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	const char *ver = s;
	while (s < end && !strchr(" \t;,#", *s))
		s++;
	if (s == ver || memchr(ver, '*', (size_t)(s - ver)))
		return; /* "==1.*" is a range, not a pin */
	_cleanup_free_ char *n = xstrndup(name, nlen);
	_cleanup_free_ char *v = xstrndup(ver, (size_t)(s - ver));
	hull_pkg_add_once(inv, seen, "pypi", n, v, f, "python");
}

static void parse_requirements(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct hull_pkg_seen seen = {0};
	const char *p = f->data, *end = f->data + f->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		/* Options (-r, -e, --hash continuation lines) and URLs are no pins. */
		if (p < eol && *p != '-' && *p != '#' && !memmem(p, (size_t)(eol - p), "://", 3))
			requirement(inv, &seen, f, p, eol);
		p = nl ? nl + 1 : end;
	}
	hull_pkg_seen_free(&seen);
}

/* ------------------------------------------------------------------ Pipfile.lock */

/* One section ("default", "develop"): {name: {"version": "==1.2.3", …}}. A bad entry
 * is reported (the first one) and the others are still read. */
static void pipfile_section(struct hull_inventory *inv, struct hull_pkg_seen *seen,
			    const struct hull_pkg_file *f, json_t *root, const char *key,
			    struct hull_err *err)
{
	json_t *sec = hull_json_object(root, key, f->path, err);
	const char *name;
	json_t *dep;
	json_object_foreach(sec, name, dep)
	{
		if (!json_is_object(dep)) {
			hull_err_set(err, HULL_EINPUT, "%s: %s.%s is not an object", f->path, key,
				     name);
			continue;
		}
		const char *v = hull_json_str(dep, "version", f->path, err);
		/* Git and path dependencies have no version. */
		if (v && !strncmp(v, "==", 2))
			hull_pkg_add_once(inv, seen, "pypi", name, v + 2 + (v[2] == '='), f,
					  "python");
	}
}

static void parse_pipfile(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	static const char *const sections[] = {"default", "develop"};
	struct hull_err err = {0};
	struct hull_pkg_seen seen = {0};
	json_t *root = NULL;
	if (!hull_json_parse(f->data, f->len, f->path, &root, &err)) {
		if (!json_is_object(root))
			hull_err_set(&err, HULL_EINPUT, "%s: not a JSON object", f->path);
		else
			for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
				pipfile_section(inv, &seen, f, root, sections[i], &err);
	}
	if (err.code)
		hull_warn("%s", err.msg);
	hull_err_clear(&err);
	json_decref(root);
	hull_pkg_seen_free(&seen);
}

/* ------------------------------------------------------------------ poetry.lock, uv.lock */

/* Just enough TOML: each [[package]] table's top-level name and version keys. Other
 * tables end the package; lines inside multi-line strings are skipped. */
struct toml {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	struct hull_pkg_seen seen;
	bool in_pkg, in_string, local;
	char *name, *version;
	/* Dependencies: poetry's [package.dependencies] table (one key per dependency),
	 * uv's "dependencies = [{ name = … }, …]" arrays (in [[package]] and in
	 * [package.dev-dependencies]), of the last package (last_*). */
	bool in_poetry_deps, in_uv_dev;
	int array_depth; /* inside a dependency array while > 0 */
	char *last_name, *last_version;
	bool last_local;
};

static void toml_flush(struct toml *t)
{
	/* uv lists the project itself (an editable or virtual source "."): not a
	 * dependency from the index. */
	if (t->in_pkg && t->name && t->version && !t->local)
		hull_pkg_add_once(t->inv, &t->seen, "pypi", t->name, t->version, t->f, "python");
	if (t->in_pkg && t->name && t->version && t->local)
		hull_pkg_project(t->inv, t->f, t->name, t->version);
	if (t->in_pkg) {
		free(t->last_name);
		free(t->last_version);
		t->last_name = t->name;
		t->last_version = t->version;
		t->last_local = t->local;
	} else {
		free(t->name);
		free(t->version);
	}
	t->name = t->version = NULL;
	t->in_pkg = t->local = false;
	t->in_poetry_deps = t->in_uv_dev = false;
	t->array_depth = 0;
}

/* Records a dependency of the current package (uv's own project: of the project). */
static void toml_dep(struct toml *t, const char *dep, size_t n)
{
	const char *name = t->in_pkg ? t->name : t->last_name;
	const char *version = t->in_pkg ? t->version : t->last_version;
	bool local = t->in_pkg ? t->local : t->last_local;
	if (!name || !version || !n)
		return;
	_cleanup_free_ char *d = xstrndup(dep, n);
	if (local)
		hull_pkg_depends(t->inv, t->f, NULL, NULL, HULL_DEP_NAME, d, NULL);
	else
		hull_pkg_depends(t->inv, t->f, name, version, HULL_DEP_NAME, d, NULL);
}

/* A line of a uv dependency array: each 'name = "…"' is a dependency; brackets
 * outside strings track where the array ends. */
static void toml_array_line(struct toml *t, const char *s, const char *end)
{
	for (const char *p = s; p < end; p++) {
		if (*p == '"' || *p == '\'') {
			const char *close = memchr(p + 1, *p, (size_t)(end - p - 1));
			if (!close)
				return;
			p = close;
		} else if (*p == '[') {
			t->array_depth++;
		} else if (*p == ']') {
			if (--t->array_depth <= 0) {
				t->array_depth = 0;
				return;
			}
		} else if ((p == s || p[-1] == ' ' || p[-1] == '{' || p[-1] == ',') &&
			   end - p > 8 && !memcmp(p, "name = \"", 8)) {
			const char *v = p + 8, *close = memchr(v, '"', (size_t)(end - v));
			if (!close)
				return;
			toml_dep(t, v, (size_t)(close - v));
			p = close;
		}
	}
}

/* A line of poetry's [package.dependencies]: 'name = "^1.0"' or 'name = {…}'; an
 * optional dependency (an extra's) is installed only on request. */
static void poetry_dep_line(struct toml *t, const char *s, const char *end)
{
	const char *k = s, *ke;
	if (*s == '"') {
		k = s + 1;
		ke = memchr(k, '"', (size_t)(end - k));
		if (!ke)
			return;
	} else {
		ke = s;
		while (ke < end && (isalnum((unsigned char)*ke) || strchr("-_.", *ke)))
			ke++;
	}
	const char *eq = ke + (*s == '"');
	while (eq < end && *eq == ' ')
		eq++;
	if (eq >= end || *eq != '=' || memmem(eq, (size_t)(end - eq), "optional = true", 15))
		return;
	toml_dep(t, k, (size_t)(ke - k));
}

/* A basic "…" or literal '…' string at s; NULL if it is something else. */
static char *toml_string(const char *s, const char *end)
{
	if (s >= end || (*s != '"' && *s != '\''))
		return NULL;
	char q = *s++;
	struct strbuf sb = STRBUF_INIT;
	for (; s < end && *s != q; s++) {
		if (q == '"' && *s == '\\' && s + 1 < end)
			s++; /* names and versions need no escape beyond \" and \\ */
		strbuf_addch(&sb, *s);
	}
	if (s >= end) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

static size_t count_triple_quotes(const char *s, const char *end)
{
	size_t n = 0;
	for (; s + 3 <= end; s++) {
		if (!memcmp(s, "\"\"\"", 3) || !memcmp(s, "'''", 3)) {
			n++;
			s += 2;
		}
	}
	return n;
}

static void toml_key(struct toml *t, const char *s, const char *end)
{
	const char *k = s;
	while (s < end && (isalnum((unsigned char)*s) || *s == '-' || *s == '_'))
		s++;
	size_t kl = (size_t)(s - k);
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s >= end || *s != '=')
		return;
	s++;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (kl == 4 && !memcmp(k, "name", 4) && !t->name)
		t->name = toml_string(s, end);
	else if (kl == 7 && !memcmp(k, "version", 7) && !t->version)
		t->version = toml_string(s, end);
	else if (kl == 12 && !memcmp(k, "dependencies", 12) && s < end && *s == '[')
		toml_array_line(t, s, end);
	else if (kl == 6 && !memcmp(k, "source", 6) &&
		 (memmem(s, (size_t)(end - s), "editable", 8) ||
		  memmem(s, (size_t)(end - s), "virtual", 7)))
		t->local = true;
}

static void toml_line(struct toml *t, const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	bool was_in_string = t->in_string;
	if (count_triple_quotes(s, end) % 2)
		t->in_string = !t->in_string;
	if (was_in_string || s == end || *s == '#')
		return;
	if (t->array_depth) {
		toml_array_line(t, s, end);
		return;
	}
	size_t n = (size_t)(end - s);
	if (*s == '[') {
		bool pkg = n == 11 && !memcmp(s, "[[package]]", 11);
		toml_flush(t);
		t->in_pkg = pkg;
		t->in_poetry_deps = n == 22 && !memcmp(s, "[package.dependencies]", 22);
		t->in_uv_dev = n == 26 && !memcmp(s, "[package.dev-dependencies]", 26);
	} else if (t->in_pkg) {
		toml_key(t, s, end);
	} else if (t->in_poetry_deps) {
		poetry_dep_line(t, s, end);
	} else if (t->in_uv_dev) {
		/* "dev = [ { name = … }, … ]": every group counts. */
		const char *br = memchr(s, '[', n);
		if (br && memchr(s, '=', (size_t)(br - s)))
			toml_array_line(t, br, end);
	}
}

static void parse_toml(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct toml t = {.inv = inv, .f = f};
	const char *p = f->data, *end = f->data + f->len;
	size_t tables = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if (p < eol && *p == '[')
			tables++;
		toml_line(&t, p, eol);
		p = nl ? nl + 1 : end;
	}
	toml_flush(&t);
	free(t.last_name);
	free(t.last_version);
	if (!tables && f->len)
		hull_warn("%s: no TOML tables found", f->path);
	hull_pkg_seen_free(&t.seen);
}

/* ------------------------------------------------------------------ dispatch */

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	switch (kind_of(f->path)) {
	case K_METADATA:
		parse_metadata(inv, f);
		break;
	case K_REQUIRES_TXT:
		parse_requires_txt(inv, f);
		break;
	case K_REQUIREMENTS:
		parse_requirements(inv, f);
		break;
	case K_PIPFILE:
		parse_pipfile(inv, f);
		break;
	case K_TOML:
		parse_toml(inv, f);
		break;
	case K_NONE:
		break;
	}
}

const struct hull_cataloger hull_cataloger_python = {"python", match, parse};
