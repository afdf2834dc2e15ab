/* OS identity: os-release (etc/ and usr/lib/), with etc/debian_version,
 * etc/alpine-release and etc/redhat-release as fallbacks. */
#include "pkg.h"
#include "../util/strbuf.h"

#include <string.h>

/* In the order they are applied: later ones refine earlier ones. */
static const char *const os_files[HULL_OS_FILES] = {
	"/usr/lib/os-release", "/etc/os-release",     "/etc/debian_version",
	"/etc/alpine-release", "/etc/redhat-release",
};

int hull_os_file_index(const char *path)
{
	for (int i = 0; i < HULL_OS_FILES; i++)
		if (!strcmp(path, os_files[i]))
			return i;
	return -1;
}

static char *unquote(const char *v, size_t n)
{
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v++;
		n -= 2;
	}
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\\' && i + 1 < n)
			i++;
		strbuf_addch(&sb, v[i]);
	}
	return strbuf_detach(&sb, NULL);
}

static char *first_line(const char *data, size_t len)
{
	size_t n = 0;
	while (n < len && data[n] != '\n' && data[n] != '\r')
		n++;
	return xstrndup(data, n);
}

static void set(char **field, char *val)
{
	free(*field);
	*field = val;
}

static void parse_os_release(struct hull_os *os, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(eol - p));
		if (eq && *p != '#') {
			size_t kl = (size_t)(eq - p), vl = (size_t)(eol - eq - 1);
			if (vl && eq[vl] == '\r')
				vl--;
			char *v = unquote(eq + 1, vl);
			if (kl == 2 && !memcmp(p, "ID", 2))
				set(&os->id, v);
			else if (kl == 10 && !memcmp(p, "VERSION_ID", 10))
				set(&os->version_id, v);
			else if (kl == 16 && !memcmp(p, "VERSION_CODENAME", 16))
				set(&os->codename, v);
			else if (kl == 11 && !memcmp(p, "PRETTY_NAME", 11))
				set(&os->pretty_name, v);
			else
				free(v);
		}
		p = nl ? nl + 1 : end;
	}
}

static void apply(struct hull_os *os, int idx, const struct hull_pkg_file *f)
{
	switch (idx) {
	case 0:
	case 1:
		parse_os_release(os, f->data, f->len);
		break;
	case 2: {
		if (!os->id)
			os->id = xstrdup("debian");
		/* "12.5" is more precise than os-release's "12"; "bookworm/sid" is not. */
		char *v = first_line(f->data, f->len);
		if (!strcmp(os->id, "debian") && v[0] >= '0' && v[0] <= '9' &&
		    (!os->version_id || strchr(v, '.')))
			set(&os->version_id, v);
		else
			free(v);
		break;
	}
	case 3:
		if (!os->id)
			os->id = xstrdup("alpine");
		if (!os->version_id)
			os->version_id = first_line(f->data, f->len);
		break;
	default:
		if (!os->pretty_name)
			os->pretty_name = first_line(f->data, f->len);
		break;
	}
	if (!os->path && idx <= 1)
		os->path = xstrdup(f->path);
}

void hull_os_detect(struct hull_os *os, const struct hull_pkg_file *const files[HULL_OS_FILES])
{
	for (int i = 0; i < HULL_OS_FILES; i++)
		if (files[i])
			apply(os, i, files[i]);
	if (!os->path)
		for (int i = HULL_OS_FILES - 1; i >= 0; i--)
			if (files[i] && !os->path)
				os->path = xstrdup(files[i]->path);
}
