/* The inventory: capture predicate, visibility in the merged view, purls, ordering. */
#include "pkg.h"
#include "../util/strbuf.h"
#include "lang.h"

#include <stdio.h>
#include <string.h>

bool hull_pkg_wanted(const char *path, uint64_t size, void *ctx)
{
	(void)size;
	(void)ctx;
	if (hull_os_file_index(path) >= 0)
		return true;
	for (size_t i = 0; i < hull_ncatalogers; i++)
		if (hull_catalogers[i]->match(path))
			return true;
	return false;
}

bool hull_pkg_keep(const char *path, const char *data, size_t len, void *ctx)
{
	(void)ctx;
	if (hull_os_file_index(path) >= 0 || !hull_pkg_binary_path(path))
		return true;
	for (size_t i = 0; i < hull_ncatalogers; i++)
		if (!hull_catalogers[i]->binaries && hull_catalogers[i]->match(path))
			return true;
	if (len < 4 || memcmp(data,
			      "\x7f"
			      "ELF",
			      4))
		return false;
	return memmem(data, len, "\xff Go buildinf:", 14) || memmem(data, len, ".dep-v0", 7);
}

void hull_package_set(char **field, const char *val, size_t len)
{
	free(*field);
	*field = val ? xstrndup(val, len) : NULL;
}

void hull_purl_escape(struct strbuf *sb, const char *s)
{
	static const char keep[] = "-._~!$&'()*+=:@";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || (*p < 0x80 && strchr(keep, *p)))
			strbuf_addch(sb, (char)*p);
		else
			strbuf_addf(sb, "%%%02X", *p);
	}
}

/* OSV ecosystem names of distros, by os-release ID. */
static char *distro_ecosystem(const struct hull_os *os)
{
	const char *id = os->id, *v = os->version_id;
	if (!id)
		return NULL;
	if (!strcmp(id, "debian"))
		return v ? xasprintf("Debian:%.*s", (int)strcspn(v, "."), v) : xstrdup("Debian");
	if (!strcmp(id, "ubuntu")) {
		/* OSV: "Ubuntu:22.04:LTS", "Ubuntu:23.10"; LTS releases are the April ones of
		 * even years. */
		if (!v)
			return xstrdup("Ubuntu");
		char *end;
		long yy = strtol(v, &end, 10);
		bool lts = end != v && yy % 2 == 0 && !strcmp(end, ".04");
		return xasprintf("Ubuntu:%s%s", v, lts ? ":LTS" : "");
	}
	if (!strcmp(id, "alpine")) {
		/* "3.20.1" -> "Alpine:v3.20" */
		if (!v)
			return xstrdup("Alpine");
		size_t n = strcspn(v, ".");
		if (v[n] == '.')
			n += 1 + strcspn(v + n + 1, ".");
		return xasprintf("Alpine:v%.*s", (int)n, v);
	}
	static const struct {
		const char *id, *name;
	} rpm[] = {{"almalinux", "AlmaLinux"}, {"rocky", "Rocky Linux"}, {"rhel", "Red Hat"}};
	for (size_t i = 0; i < ARRAY_SIZE(rpm); i++)
		if (!strcmp(id, rpm[i].id))
			return v ? xasprintf("%s:%.*s", rpm[i].name, (int)strcspn(v, "."), v)
				 : xstrdup(rpm[i].name);
	return NULL;
}

static const struct {
	const char *type, *ecosystem;
} lang_ecosystems[] = {
	{"npm", "npm"},	     {"pypi", "PyPI"},	     {"golang", "Go"},		{"maven", "Maven"},
	{"gem", "RubyGems"}, {"cargo", "crates.io"}, {"composer", "Packagist"}, {"nuget", "NuGet"},
};

static bool is_distro_type(const char *type)
{
	return !strcmp(type, "deb") || !strcmp(type, "apk") || !strcmp(type, "rpm");
}

static void add_qualifier(struct strbuf *sb, bool *first, const char *key, const char *val)
{
	if (!val || !*val)
		return;
	strbuf_addf(sb, "%c%s=", *first ? '?' : '&', key);
	hull_purl_escape(sb, val);
	*first = false;
}

/* The purl spec's pypi names are PEP 503 normalised: lower case, and each run of '-',
 * '_' and '.' one '-' ("PyYAML" -> "pyyaml", "zope.interface" -> "zope-interface"). */
char *hull_pypi_normalise(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	for (const char *c = name; *c; c++) {
		if (*c == '-' || *c == '_' || *c == '.') {
			if (!sb.len || sb.buf[sb.len - 1] != '-')
				strbuf_addch(&sb, '-');
		} else {
			strbuf_addch(&sb, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
		}
	}
	return strbuf_detach(&sb, NULL);
}

void hull_package_finish(const struct hull_inventory *inv, struct hull_package *p)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "pkg:%s/", p->type);
	bool distro = is_distro_type(p->type);
	if (distro) {
		hull_purl_escape(&sb, inv->os.id ? inv->os.id : p->type);
		strbuf_addch(&sb, '/');
	}
	const char *slash = !strcmp(p->type, "npm") || !strcmp(p->type, "golang") ||
					    !strcmp(p->type, "composer")
				    ? strrchr(p->name, '/')
				    : NULL;
	if (!strcmp(p->type, "maven") && strchr(p->name, ':')) {
		/* Maven names are "group:artifact". */
		const char *c = strchr(p->name, ':');
		_cleanup_free_ char *group = xstrndup(p->name, (size_t)(c - p->name));
		hull_purl_escape(&sb, group);
		strbuf_addch(&sb, '/');
		hull_purl_escape(&sb, c + 1);
	} else if (slash) {
		/* Namespaces keep their slashes; each segment is escaped. */
		_cleanup_free_ char *ns = xstrndup(p->name, (size_t)(slash - p->name));
		for (char *seg = strtok(ns, "/"); seg; seg = strtok(NULL, "/")) {
			/* An npm scope's '@' must be encoded (the purl spec's
			 * pkg:npm/%40angular/core): unencoded it reads as the version. */
			if (*seg == '@') {
				strbuf_adds(&sb, "%40");
				seg++;
			}
			hull_purl_escape(&sb, seg);
			strbuf_addch(&sb, '/');
		}
		hull_purl_escape(&sb, slash + 1);
	} else if (!strcmp(p->type, "pypi")) {
		_cleanup_free_ char *n = hull_pypi_normalise(p->name);
		hull_purl_escape(&sb, n);
	} else {
		hull_purl_escape(&sb, p->name);
	}
	strbuf_addch(&sb, '@');
	/* The purl spec puts an rpm epoch in a qualifier, not in the version (as syft). */
	const char *colon = !strcmp(p->type, "rpm") ? strchr(p->version, ':') : NULL;
	_cleanup_free_ char *epoch =
		colon ? xstrndup(p->version, (size_t)(colon - p->version)) : NULL;
	hull_purl_escape(&sb, colon ? colon + 1 : p->version);
	bool first = true;
	if (distro) {
		add_qualifier(&sb, &first, "arch", p->arch);
		add_qualifier(&sb, &first, "epoch", epoch);
		/* upstream=SOURCE[@VERSION] when the source package differs, as syft does. */
		if (p->source_name && strcmp(p->source_name, p->name)) {
			struct strbuf up = STRBUF_INIT;
			strbuf_adds(&up, p->source_name);
			if (p->source_version && strcmp(p->source_version, p->version))
				strbuf_addf(&up, "@%s", p->source_version);
			add_qualifier(&sb, &first, "upstream", up.buf);
			strbuf_release(&up);
		}
		if (inv->os.id && inv->os.version_id) {
			_cleanup_free_ char *d = xasprintf("%s-%s", inv->os.id, inv->os.version_id);
			add_qualifier(&sb, &first, "distro", d);
		}
	}
	free(p->purl);
	p->purl = strbuf_detach(&sb, NULL);
	free(p->ecosystem);
	p->ecosystem = NULL;
	if (distro) {
		p->ecosystem = distro_ecosystem(&inv->os);
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(lang_ecosystems); i++)
			if (!strcmp(p->type, lang_ecosystems[i].type))
				p->ecosystem = xstrdup(lang_ecosystems[i].ecosystem);
	}
}

struct hull_package *hull_inventory_add(struct hull_inventory *inv, const char *type,
					const char *name, const char *version,
					const struct hull_pkg_file *f, const char *cataloger)
{
	ALLOC_GROW(inv->pkgs, inv->npkgs + 1, inv->cap);
	struct hull_package *p = &inv->pkgs[inv->npkgs++];
	memset(p, 0, sizeof(*p));
	p->type = xstrdup(type);
	p->name = xstrdup(name);
	p->version = xstrdup(version);
	p->path = xstrdup(f->path);
	p->layer = f->layer;
	p->cataloger = cataloger;
	return p;
}

void hull_stanzas(const char *data, size_t len, char sep,
		  void (*fn)(void *ctx, const char *key, size_t klen, const char *val, size_t vlen),
		  void *ctx)
{
	const char *p = data, *end = data + len;
	bool in_stanza = false;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t n = (size_t)(eol - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			if (in_stanza)
				fn(ctx, NULL, 0, NULL, 0);
			in_stanza = false;
		} else if (p[0] != ' ' && p[0] != '\t') {
			const char *c = memchr(p, sep, n);
			if (c) {
				const char *v = c + 1;
				while (v < p + n && (*v == ' ' || *v == '\t'))
					v++;
				fn(ctx, p, (size_t)(c - p), v, (size_t)(p + n - v));
				in_stanza = true;
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (in_stanza)
		fn(ctx, NULL, 0, NULL, 0);
}

static int cmp_pkg(const void *a, const void *b)
{
	const struct hull_package *x = a, *y = b;
	int c = strcmp(x->type, y->type);
	if (!c)
		c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->version, y->version);
	if (!c)
		c = strcmp(x->path, y->path);
	return c;
}

/* Is the captured file (path, from layer) the one visible in the merged view? */
static bool visible(const struct hull_fs *fs, const char *path, int layer)
{
	const struct hull_file *f;
	struct hull_err err = {0};
	if (hull_fs_resolve(fs, path, false, &f, &err)) {
		hull_err_clear(&err);
		return false;
	}
	return f->layer == layer && f->type == HULL_FT_FILE && !strcmp(f->path, path);
}

/* Calls fn for each captured file that is visible in the merged view. */
static void each_visible(const struct hull_layer *layers, size_t n, const struct hull_fs *fs,
			 void (*fn)(void *ctx, const struct hull_pkg_file *f), void *ctx)
{
	for (size_t li = 0; li < n; li++) {
		const struct hull_layer *l = &layers[li];
		for (size_t k = 0; k < l->ncaptured; k++) {
			const struct hull_captured *c = &l->captured[k];
			const char *path = l->entries[c->entry].path;
			if (fs && !visible(fs, path, (int)li))
				continue;
			struct hull_pkg_file f = {path, c->data, c->len, (int)li};
			fn(ctx, &f);
		}
	}
}

struct os_pass {
	struct hull_pkg_file files[HULL_OS_FILES];
	const struct hull_pkg_file *ptrs[HULL_OS_FILES];
};

static void collect_os(void *ctx, const struct hull_pkg_file *f)
{
	struct os_pass *op = ctx;
	int i = hull_os_file_index(f->path);
	if (i >= 0) {
		op->files[i] = *f;
		op->ptrs[i] = &op->files[i];
	}
}

static void catalog(void *ctx, const struct hull_pkg_file *f)
{
	struct hull_inventory *inv = ctx;
	for (size_t i = 0; i < hull_ncatalogers; i++)
		if (hull_catalogers[i]->match(f->path))
			hull_catalogers[i]->parse(inv, f);
}

static void package_release(struct hull_package *p)
{
	free(p->name);
	free(p->version);
	free(p->arch);
	free(p->type);
	free(p->ecosystem);
	free(p->purl);
	free(p->source_name);
	free(p->source_version);
	free(p->licenses);
	free(p->path);
	free(p->deps);
}

/* Is Go version a (e.g. "1.16", "1.21.5") older than 1.17? */
static bool before_go117(const char *v)
{
	unsigned major = 0, minor = 0;
	if (sscanf(v, "%u.%u", &major, &minor) < 2)
		return true;
	return major < 1 || (major == 1 && minor < 17);
}

/* go.sum packages stay only where no go.mod beside them is complete (Go >= 1.17), and
 * not when that go.mod already lists the module (its version wins). */
static void gosum_finish(struct hull_inventory *inv)
{
	size_t k = 0;
	for (size_t i = 0; i < inv->npkgs; i++) {
		struct hull_package *p = &inv->pkgs[i];
		bool drop = false;
		if (!strcmp(p->cataloger, "go-sum")) {
			char *slash = strrchr(p->path, '/');
			_cleanup_free_ char *dir =
				slash && slash != p->path
					? xstrndup(p->path, (size_t)(slash - p->path))
					: xstrdup("/");
			const char *gov = strmap_get(&inv->go_versions, dir);
			if (gov && !before_go117(gov))
				drop = true;
			_cleanup_free_ char *mod = gov ? xasprintf("%s/go.mod", dir) : NULL;
			for (size_t j = 0; mod && !drop && j < inv->npkgs; j++)
				drop = !strcmp(inv->pkgs[j].cataloger, "go-mod") &&
				       !strcmp(inv->pkgs[j].path, mod) &&
				       !strcmp(inv->pkgs[j].name, p->name);
		}
		if (drop)
			package_release(p);
		else
			inv->pkgs[k++] = *p;
	}
	inv->npkgs = k;
	for (size_t i = 0; i < inv->go_versions.cap; i++) {
		free((char *)inv->go_versions.slots[i].key);
		free(inv->go_versions.slots[i].value);
	}
	strmap_free(&inv->go_versions);
	memset(&inv->go_versions, 0, sizeof(inv->go_versions));
}

int hull_inventory_build(const struct hull_layer *layers, size_t n, const struct hull_fs *fs,
			 struct hull_inventory **out, struct hull_err *err)
{
	(void)err;
	struct hull_inventory *inv = xcalloc(1, sizeof(*inv));
	/* OS identity first: distro packages take their purl qualifiers from it. */
	struct os_pass op = {0};
	each_visible(layers, n, fs, collect_os, &op);
	hull_os_detect(&inv->os, op.ptrs);
	each_visible(layers, n, fs, catalog, inv);
	hull_dpkg_apply_licenses(inv, fs);
	gosum_finish(inv);
	for (size_t i = 0; i < inv->npkgs; i++)
		hull_package_finish(inv, &inv->pkgs[i]);
	if (inv->npkgs > 1)
		qsort(inv->pkgs, inv->npkgs, sizeof(*inv->pkgs), cmp_pkg);
	hull_deps_resolve(inv, fs);
	*out = inv;
	return 0;
}

void hull_inventory_free(struct hull_inventory *inv)
{
	if (!inv)
		return;
	for (size_t i = 0; i < inv->npkgs; i++)
		package_release(&inv->pkgs[i]);
	free(inv->pkgs);
	for (size_t i = 0; i < inv->nprojects; i++) {
		free(inv->projects[i].path);
		free(inv->projects[i].name);
		free(inv->projects[i].version);
		free(inv->projects[i].deps);
	}
	free(inv->projects);
	free(inv->os.id);
	free(inv->os.version_id);
	free(inv->os.codename);
	free(inv->os.pretty_name);
	free(inv->os.path);
	free(inv);
}
