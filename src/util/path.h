/* Lexical path handling for image paths (never touches the host file system). */
#ifndef HULL_PATH_H
#define HULL_PATH_H

#include <stdbool.h>

enum hull_path_flags {
	HULL_PATH_ABSOLUTE = 1, /* the name started with '/' */
	HULL_PATH_ESCAPES = 2,	/* '..' climbed above the root */
};

/* Normalises a tar entry name into an absolute image path ("/usr/bin/env"): collapses
 * "//", "." and "..", drops a trailing '/'. Sets *flags. The root itself is "/".
 * Returns a new string; on HULL_PATH_ESCAPES the result is still returned. */
char *hull_path_clean(const char *name, int *flags);

/* Parent of an absolute clean path ("/a/b" -> "/a", "/a" -> "/"); a new string. */
char *hull_path_dirname(const char *path);

/* True if path is strictly below dir ("/a/b" is below "/a"; "/ab" is not). */
bool hull_path_is_below(const char *path, const char *dir);

#endif
