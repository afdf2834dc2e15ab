/* pnpm-lock.yaml: the keys of the top-level "packages:" map. v5: "/name/1.2.3" or
 * "/@scope/name/1.2.3_peer@1.0.0"; v6: "/name@1.2.3(peer@1.0.0)"; v9: "name@1.2.3" (v9's
 * "snapshots:" repeats them with peer suffixes, so only "packages:" is read). A line
 * scanner: the keys are all that is needed, and YAML anchors cannot blow it up. */
#include "lang.h"

#include <string.h>

static bool match(const char *path)
{
	return !strcmp(hull_pkg_basename(path), "pnpm-lock.yaml") &&
	       !strstr(path, "/node_modules/");
}

struct pnpm {
	struct hull_inventory *inv;
	const struct hull_pkg_file *f;
	struct hull_pkg_seen seen;
	int major; /* lockfileVersion's major, 0 if not seen */
	bool in_packages;
	size_t indent; /* of the keys in "packages:", 0 until the first */
};

static void add(struct pnpm *p, const char *name, size_t nn, const char *ver, size_t vn)
{
	if (!nn || !vn || memchr(ver, ':', vn) || memchr(ver, '/', vn))
		return; /* tarballs, git, links and files are not registry versions */
	_cleanup_free_ char *n = xstrndup(name, nn);
	_cleanup_free_ char *v = xstrndup(ver, vn);
	hull_pkg_add_once(p->inv, &p->seen, "npm", n, v, p->f, "pnpm");
}

/* v5: name is one segment, or two for a scope; the version runs to '_' (peers). */
static void key_v5(struct pnpm *p, const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	if (slash && s[0] == '@')
		slash = memchr(slash + 1, '/', (size_t)(s + n - slash - 1));
	if (!slash)
		return;
	const char *v = slash + 1;
	size_t vn = (size_t)(s + n - v);
	const char *us = memchr(v, '_', vn);
	if (us)
		vn = (size_t)(us - v);
	add(p, s, (size_t)(slash - s), v, vn);
}

/* v6 and later: "name@version", peers in parentheses after it. */
static void key_v6(struct pnpm *p, const char *s, size_t n)
{
	const char *paren = memchr(s, '(', n);
	if (paren)
		n = (size_t)(paren - s);
	const char *at = NULL;
	for (size_t i = 1; i < n; i++)
		if (s[i] == '@')
			at = s + i;
	if (at)
		add(p, s, (size_t)(at - s), at + 1, (size_t)(s + n - at - 1));
}

static void key(struct pnpm *p, const char *s, size_t n)
{
	n--; /* the ':' */
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\'' || s[n - 1] == '"'))
		n--;
	while (n && (*s == '\'' || *s == '"'))
		s++, n--;
	if (n && *s == '/')
		s++, n--;
	if (!n)
		return;
	/* Without a lockfileVersion, v5 keys are the ones with no '@' after the name. */
	bool v5 = p->major ? p->major < 6 : !memchr(s + 1, '@', n - 1);
	if (v5)
		key_v5(p, s, n);
	else
		key_v6(p, s, n);
}

static void top_level(struct pnpm *p, const char *s, size_t n)
{
	static const char lv[] = "lockfileVersion:";
	p->in_packages = n == 9 && !memcmp(s, "packages:", 9);
	p->indent = 0;
	if (n > sizeof(lv) - 1 && !memcmp(s, lv, sizeof(lv) - 1)) {
		const char *v = s + sizeof(lv) - 1;
		while (v < s + n && (*v == ' ' || *v == '\'' || *v == '"'))
			v++;
		p->major = v < s + n && *v >= '0' && *v <= '9' ? *v - '0' : 0;
	}
}

static void line(struct pnpm *p, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	while (n && s[n - 1] == ' ')
		n--;
	if (!n || s[0] == '#')
		return;
	if (s[0] != ' ') {
		top_level(p, s, n);
		return;
	}
	if (!p->in_packages)
		return;
	size_t ind = 0;
	while (ind < n && s[ind] == ' ')
		ind++;
	if (!p->indent)
		p->indent = ind;
	if (ind == p->indent && s[n - 1] == ':' && s[ind] != '#')
		key(p, s + ind, n - ind);
}

static void parse(struct hull_inventory *inv, const struct hull_pkg_file *f)
{
	struct pnpm p = {.inv = inv, .f = f};
	const char *s = f->data, *end = f->data + f->len;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl ? nl : end;
		line(&p, s, (size_t)(eol - s));
		s = eol + 1;
	}
	hull_pkg_seen_free(&p.seen);
}

const struct hull_cataloger hull_cataloger_pnpm = {"pnpm", match, parse};
