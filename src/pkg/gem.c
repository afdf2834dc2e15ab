/* Ruby: installed gems (specifications/NAME.gemspec, the Ruby source RubyGems writes at
 * install time) and Bundler's Gemfile.lock. Nothing is evaluated: gemspecs are read for
 * their `x.name = "…"`, `x.version = "…"` and `x.licenses = [...]` lines. */
#include "lang.h"

#include <ctype.h>
#include <string.h>

static bool ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);
	return n >= m && !strcmp(s + n - m, sfx);
}

static bool is_gemspec(const char *path)
{
	return ends_with(path, ".gemspec") && strstr(path, "/specifications/");
}

static bool match(const char *path)
{
	return is_gemspec(path) || !strcmp(hull_pkg_basename(path), "Gemfile.lock");
}

/* ------------------------------------------------------------------ gemspec */

struct spec {
	char *name, *version;
	struct strbuf licenses;
};

/* A Ruby string literal at s ("…" or '…'); NULL if s holds no literal. */
static char *ruby_string(const char *s, const char *end, const char **after)
{
	if (s >= end || (*s != '"' && *s != '\''))
		return NULL;
	char q = *s++;
	struct strbuf sb = STRBUF_INIT;
	for (; s < end && *s != q; s++) {
		if (*s == '\\' && s + 1 < end)
			s++;
		strbuf_addch(&sb, *s);
	}
	if (s >= end) {
		strbuf_release(&sb);
		return NULL;
	}
	*after = s + 1;
	return strbuf_detach(&sb, NULL);
}

static const char *skip_blank(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* The value of `x.version = …`: a literal, or Gem::Version.new("…"). */
static char *version_value(const char *s, const char *end)
{
	static const char ctor[] = "Gem::Version.new(";
	const char *after;
	if ((size_t)(end - s) > strlen(ctor) && !memcmp(s, ctor, strlen(ctor)))
		s = skip_blank(s + strlen(ctor), end);
	return ruby_string(s, end, &after);
}

/* ["MIT".freeze, "Ruby".freeze] or a single literal: joined with ", ". */
static void license_values(struct spec *sp, const char *s, const char *end)
{
	const char *after;
	for (s = skip_blank(s, end); s < end; s++) {
		if (*s != '"' && *s != '\'')
			continue;
		char *lic = ruby_string(s, end, &after);
		if (!lic)
			return;
		if (sp->licenses.len)
			strbuf_adds(&sp->licenses, ", ");
		strbuf_adds(&sp->licenses, lic);
		free(lic);
		s = after - 1;
	}
}

/* "  s.name = …": the receiver is any identifier. */
static void spec_line(struct spec *sp, const char *s, const char *end)
{
	s = skip_blank(s, end);
	while (s < end && (isalnum((unsigned char)*s) || *s == '_'))
		s++;
	if (s >= end || *s != '.')
		return;
	const char *attr = ++s;
	while (s < end && (isalnum((unsigned char)*s) || *s == '_'))
		s++;
	size_t al = (size_t)(s - attr);
	s = skip_blank(s, end);
	if (s >= end || *s != '=' || (s + 1 < end && s[1] == '='))
		return;
	s = skip_blank(s + 1, end);
	const char *after;
	if (al == 4 && !memcmp(attr, "name", 4) && !sp->name)
		sp->name = ruby_string(s, end, &after);
	else if (al == 7 && !memcmp(attr, "version", 7) && !sp->version)
		sp->version = version_value(s, end);
	else if (((al == 7 && !memcmp(attr, "license", 7)) ||
		  (al == 8 && !memcmp(attr, "licenses", 8))) &&
		 !sp->licenses.len)
		license_values(sp, s, end);
}

static void parse_gemspec(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct spec sp = {.licenses = STRBUF_INIT};
	const char *p = f->data, *end = f->data + f->len;
	while (p < end && !(sp.name && sp.version && sp.licenses.len)) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		spec_line(&sp, p, eol);
		p = nl ? nl + 1 : end;
	}
	if (sp.name && *sp.name && sp.version && *sp.version) {
		struct hull_package *pkg =
			hull_inventory_add(inv, "gem", sp.name, sp.version, f, "gem");
		if (sp.licenses.len)
			pkg->licenses = strbuf_detach(&sp.licenses, NULL);
	} else {
		hull_warn("%s: no name and version in the gemspec", f->path);
	}
	free(sp.name);
	free(sp.version);
	strbuf_release(&sp.licenses);
}

/* ------------------------------------------------------------------ Gemfile.lock */

/* Sections whose "specs:" list resolved gems (as Bundler's LockfileParser). */
static bool source_section(const char *s, size_t n)
{
	static const char *const names[] = {"GEM", "GIT", "PATH", "PLUGIN SOURCE"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (n == strlen(names[i]) && !memcmp(s, names[i], n))
			return true;
	return false;
}

/* The name at the start of a dependency line: "name (>= 1.0)", "name!", "name". */
static char *dep_name(const char *s, const char *end)
{
	const char *e = s;
	while (e < end && *e != ' ' && *e != '!' && *e != '(')
		e++;
	return e > s ? xstrndup(s, (size_t)(e - s)) : NULL;
}

/* "    name (version[-platform])": Bundler splits the platform off at the first '-'.
 * Sets *name and *version (to free) for the dependency lines that follow. */
static void lock_spec(struct hull_inventory *inv, struct hull_pkg_seen *seen,
		      const struct hull_pkg_file *f, const char *s, const char *end,
		      char **cur_name, char **cur_version)
{
	free(*cur_name);
	free(*cur_version);
	*cur_name = *cur_version = NULL;
	const char *open = memchr(s, ' ', (size_t)(end - s));
	if (!open || open + 2 >= end || open[1] != '(' || end[-1] != ')')
		return;
	const char *ver = open + 2, *vend = end - 1;
	const char *dash = memchr(ver, '-', (size_t)(vend - ver));
	if (dash)
		vend = dash;
	char *name = xstrndup(s, (size_t)(open - s));
	char *version = xstrndup(ver, (size_t)(vend - ver));
	hull_pkg_add_once(inv, seen, "gem", name, version, f, "gem");
	*cur_name = name;
	*cur_version = version;
}

static void parse_lock(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct hull_pkg_seen seen = {0};
	bool in_source = false, in_specs = false, in_deps = false;
	char *cur_name = NULL, *cur_version = NULL; /* the spec whose deps follow */
	const char *p = f->data, *end = f->data + f->len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		if (eol > p && eol[-1] == '\r')
			eol--;
		size_t n = (size_t)(eol - p);
		if (n && p[0] != ' ') {
			in_source = source_section(p, n);
			in_deps = n == 12 && !memcmp(p, "DEPENDENCIES", 12);
			if (in_deps)
				hull_pkg_project(inv, f, NULL, NULL);
			in_specs = false;
		} else if (in_source && n == 8 && !memcmp(p, "  specs:", 8)) {
			in_specs = true;
		} else if (in_specs && n > 4 && !memcmp(p, "    ", 4) && p[4] != ' ') {
			lock_spec(inv, &seen, f, p + 4, eol, &cur_name, &cur_version);
		} else if (in_specs && cur_name && n > 6 && !memcmp(p, "      ", 6) &&
			   p[6] != ' ') {
			/* A spec's runtime dependency; Bundler resolves one version per name. */
			_cleanup_free_ char *dep = dep_name(p + 6, eol);
			hull_pkg_depends(inv, f, cur_name, cur_version, HULL_DEP_NAME, dep, NULL);
		} else if (in_deps && n > 2 && !memcmp(p, "  ", 2) && p[2] != ' ') {
			/* The Gemfile's own (direct) dependencies. */
			_cleanup_free_ char *dep = dep_name(p + 2, eol);
			hull_pkg_depends(inv, f, NULL, NULL, HULL_DEP_NAME, dep, NULL);
		}
		p = nl ? nl + 1 : end;
	}
	free(cur_name);
	free(cur_version);
	hull_pkg_seen_free(&seen);
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	if (is_gemspec(f->path))
		parse_gemspec(inv, f);
	else
		parse_lock(inv, f);
}

const struct hull_cataloger hull_cataloger_gem = {"gem", match, parse};
