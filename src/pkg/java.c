/* Java archives (jar, war, ear and Jenkins' jpi/hpi) read from memory with libarchive:
 * each META-INF/maven/<group>/<artifact>/pom.properties is a package "group:artifact";
 * an archive without one falls back to META-INF/MANIFEST.MF (Implementation-*,
 * Bundle-*) and its file name. Nested archives (jars in a war in an ear) are read too,
 * within a depth and a total-bytes budget, so a jar bomb costs a warning, not memory.
 * An exploded archive's pom.properties on disk counts as well. */
#include "lang.h"

#include <archive.h>
#include <archive_entry.h>
#include <stddef.h>
#include <string.h>

#define MAX_DEPTH  8		/* ear > war > jar is 3; deeper nesting is hostile */
#define MAX_META   (1u << 20)	/* a pom.properties or MANIFEST.MF larger is not one */
#define MAX_NESTED (64u << 20)	/* one nested archive */
#define MAX_TOTAL  (256u << 20) /* all nested archives of one file together */

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n > m && !strcasecmp(s + n - m, suf);
}

static bool is_archive_name(const char *name)
{
	static const char *const ext[] = {".jar", ".war", ".ear", ".jpi", ".hpi"};
	for (size_t i = 0; i < ARRAY_SIZE(ext); i++)
		if (has_suffix(name, ext[i]))
			return true;
	return false;
}

static bool is_pom_properties(const char *name)
{
	const char *m = strstr(name, "META-INF/maven/");
	return m && (m == name || m[-1] == '/') &&
	       !strcmp(hull_pkg_basename(name), "pom.properties");
}

static bool match(const char *path)
{
	return is_archive_name(hull_pkg_basename(path)) || is_pom_properties(path);
}

struct scan {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	struct hull_pkg_seen seen;
	size_t budget; /* bytes left for nested archives */
	bool warned_depth, warned_budget;
};

struct props {
	char *group, *artifact, *version;		  /* pom.properties */
	char *impl_title, *impl_version, *impl_vendor_id; /* MANIFEST.MF */
	char *bundle_name, *bundle_version, *spec_version;
};

static void props_free(struct props *p)
{
	free(p->group);
	free(p->artifact);
	free(p->version);
	free(p->impl_title);
	free(p->impl_version);
	free(p->impl_vendor_id);
	free(p->bundle_name);
	free(p->bundle_version);
	free(p->spec_version);
	memset(p, 0, sizeof(*p));
}

static void set_trimmed(char **field, const char *v, size_t n)
{
	while (n && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	hull_package_set(field, v, n);
}

/* pom.properties: "key=value" lines (Java properties; '#' and '!' comments). */
static void pom_line(struct props *p, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (!n || *s == '#' || *s == '!')
		return;
	size_t k = 0;
	while (k < n && s[k] != '=' && s[k] != ':' && s[k] != ' ')
		k++;
	const char *v = s + k + (k < n), *end = s + n;
	size_t vn = (size_t)(end - v);
	if (k == 7 && !memcmp(s, "groupId", 7))
		set_trimmed(&p->group, v, vn);
	else if (k == 10 && !memcmp(s, "artifactId", 10))
		set_trimmed(&p->artifact, v, vn);
	else if (k == 7 && !memcmp(s, "version", 7))
		set_trimmed(&p->version, v, vn);
}

static void each_line(const char *d, size_t len, void (*fn)(struct props *, const char *, size_t),
		      struct props *p)
{
	const char *s = d, *end = d + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		fn(p, s, (size_t)(eol - s));
		s = eol + 1;
	}
}

static void add_pom(struct scan *sc, const struct props *p)
{
	if (!p->group || !p->artifact || !p->version || !*p->group || !*p->artifact)
		return;
	_cleanup_free_ char *name = xasprintf("%s:%s", p->group, p->artifact);
	hull_pkg_add_once(sc->inv, &sc->seen, "maven", name, p->version, sc->f, "java");
}

/* MANIFEST.MF main section; lines over 72 bytes continue on lines starting with ' '. */
static void manifest(struct props *p, const char *d, size_t len)
{
	struct strbuf joined = STRBUF_INIT;
	const char *s = d, *end = d + len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		size_t n = (size_t)(eol - s);
		if (n && s[n - 1] == '\r')
			n--;
		if (!n)
			break; /* the per-entry sections follow */
		if (s[0] == ' ')
			strbuf_add(&joined, s + 1, n - 1);
		else {
			if (joined.len)
				strbuf_addch(&joined, '\n');
			strbuf_add(&joined, s, n);
		}
		s = eol + 1;
	}
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"Implementation-Title", offsetof(struct props, impl_title)},
		{"Implementation-Version", offsetof(struct props, impl_version)},
		{"Implementation-Vendor-Id", offsetof(struct props, impl_vendor_id)},
		{"Bundle-SymbolicName", offsetof(struct props, bundle_name)},
		{"Bundle-Version", offsetof(struct props, bundle_version)},
		{"Specification-Version", offsetof(struct props, spec_version)},
	};
	for (char *line = joined.buf; line && *line;) {
		char *next = strchr(line, '\n');
		size_t n = next ? (size_t)(next - line) : strlen(line);
		const char *colon = memchr(line, ':', n);
		for (size_t i = 0; colon && i < ARRAY_SIZE(keys); i++)
			if ((size_t)(colon - line) == strlen(keys[i].key) &&
			    !strncasecmp(line, keys[i].key, strlen(keys[i].key)))
				set_trimmed((char **)((char *)p + keys[i].off), colon + 1,
					    (size_t)(line + n - colon - 1));
		line = next ? next + 1 : NULL;
	}
	strbuf_release(&joined);
}

/* No pom.properties: the manifest's version, the file name's artifact (cut before
 * "-<digit>", the version Maven appends), and a group from Implementation-Vendor-Id or
 * the OSGi symbolic name. */
static void add_manifest(struct scan *sc, const struct props *p, const char *archive_name)
{
	const char *v = p->impl_version	    ? p->impl_version
			: p->bundle_version ? p->bundle_version
					    : p->spec_version;
	if (!v || !*v)
		return;
	const char *base = hull_pkg_basename(archive_name);
	size_t an = strlen(base) - 4; /* ".jar" */
	for (size_t i = 1; i + 1 < an; i++)
		if (base[i] == '-' && base[i + 1] >= '0' && base[i + 1] <= '9') {
			an = i;
			break;
		}
	_cleanup_free_ char *artifact = xstrndup(base, an);
	_cleanup_free_ char *group = NULL;
	if (p->impl_vendor_id && *p->impl_vendor_id) {
		group = xstrdup(p->impl_vendor_id);
	} else if (p->bundle_name) {
		/* "org.foo.bar;singleton:=true" -> "org.foo" */
		size_t n = strcspn(p->bundle_name, ";");
		const char *dot = memrchr(p->bundle_name, '.', n);
		group = dot ? xstrndup(p->bundle_name, (size_t)(dot - p->bundle_name)) : NULL;
	}
	_cleanup_free_ char *name = group ? xasprintf("%s:%s", group, artifact) : xstrdup(artifact);
	hull_pkg_add_once(sc->inv, &sc->seen, "maven", name, v, sc->f, "java");
}

static void scan_archive(struct scan *sc, const char *data, size_t len, const char *name,
			 int depth);

/* Reads the current entry, at most max bytes; NULL (and *over) when it is bigger. */
static char *read_entry(struct archive *a, size_t max, size_t *len, bool *over)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	la_ssize_t n;
	*over = false;
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		if (sb.len + (size_t)n > max) {
			*over = true;
			strbuf_release(&sb);
			return NULL;
		}
		strbuf_add(&sb, buf, (size_t)n);
	}
	if (n < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	*len = sb.len;
	return sb.buf ? strbuf_detach(&sb, NULL) : xstrdup("");
}

static void nested(struct scan *sc, struct archive *a, const char *entry, int depth)
{
	if (depth + 1 > MAX_DEPTH) {
		if (!sc->warned_depth)
			hull_warn("%s: archives nested more than %d deep (%s); not read further",
				  sc->f->path, MAX_DEPTH, entry);
		sc->warned_depth = true;
		return;
	}
	size_t max = sc->budget < MAX_NESTED ? sc->budget : MAX_NESTED, len;
	bool over;
	char *d = read_entry(a, max, &len, &over);
	if (over && !sc->warned_budget) {
		hull_warn("%s: nested archive %s exceeds the size budget; skipped", sc->f->path,
			  entry);
		sc->warned_budget = true;
	}
	if (!d)
		return;
	sc->budget -= len;
	scan_archive(sc, d, len, entry, depth + 1);
	free(d);
}

/* Reads a pom.properties (adding its package, noting *had_pom) or the manifest into p. */
static void meta(struct archive *a, struct props *p, bool is_manifest, struct scan *sc,
		 bool *had_pom)
{
	size_t len;
	bool over;
	_cleanup_free_ char *d = read_entry(a, MAX_META, &len, &over);
	if (!d)
		return;
	if (is_manifest) {
		manifest(p, d, len);
		return;
	}
	struct props pom = {0};
	each_line(d, len, pom_line, &pom);
	add_pom(sc, &pom);
	*had_pom = true;
	props_free(&pom);
}

static void scan_archive(struct scan *sc, const char *data, size_t len, const char *name, int depth)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_zip(a);
	struct archive_entry *e;
	struct props mf = {0};
	bool had_pom = false;
	int r = archive_read_open_memory(a, data, len);
	while (r == ARCHIVE_OK && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *en = archive_entry_pathname(e);
		if (!en || archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (is_pom_properties(en))
			meta(a, &mf, false, sc, &had_pom);
		else if (!strcmp(en, "META-INF/MANIFEST.MF"))
			meta(a, &mf, true, sc, &had_pom);
		else if (is_archive_name(en))
			nested(sc, a, en, depth);
	}
	if (r != ARCHIVE_EOF) {
		const char *why = archive_error_string(a) ? archive_error_string(a) : "read error";
		if (depth)
			hull_warn("%s: nested archive %s: not a readable zip (%s)", sc->f->path,
				  name, why);
		else
			hull_warn("%s: not a readable zip (%s)", sc->f->path, why);
	}
	if (!had_pom)
		add_manifest(sc, &mf, name);
	props_free(&mf);
	archive_read_free(a);
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct scan sc = {.inv = inv, .f = f, .budget = MAX_TOTAL};
	if (is_pom_properties(f->path)) {
		struct props p = {0};
		each_line(f->data, f->len, pom_line, &p);
		add_pom(&sc, &p);
		props_free(&p);
	} else {
		scan_archive(&sc, f->data, f->len, f->path, 0);
	}
	hull_pkg_seen_free(&sc.seen);
}

const struct hull_cataloger hull_cataloger_java = {"java", match, parse};
