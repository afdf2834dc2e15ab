/* Lexical cleaning of tar entry names into absolute image paths. */
#include "path.h"
#include "util.h"

#include <string.h>

char *hull_path_clean(const char *name, int *flags)
{
	size_t n = strlen(name);
	char *out = xmalloc(n + 2);
	size_t len = 0;
	int f = 0;
	if (name[0] == '/')
		f |= HULL_PATH_ABSOLUTE;
	const char *p = name;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchr(p, '/');
		size_t seg = end ? (size_t)(end - p) : strlen(p);
		if (seg == 1 && p[0] == '.') {
			/* skip */
		} else if (seg == 2 && p[0] == '.' && p[1] == '.') {
			if (len == 0)
				f |= HULL_PATH_ESCAPES;
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
		} else {
			out[len++] = '/';
			memcpy(out + len, p, seg);
			len += seg;
		}
		p += seg;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	if (flags)
		*flags = f;
	return out;
}

char *hull_path_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

bool hull_path_is_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	if (n == 1 && dir[0] == '/')
		return path[0] == '/' && path[1] != '\0';
	return strncmp(path, dir, n) == 0 && path[n] == '/';
}
