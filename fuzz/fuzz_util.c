/* Scratch-directory helpers for fuzz targets that need files on disk. */
#include "fuzz_util.h"
#include "util/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch[64];

static void cleanup(void)
{
	if (scratch[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
		if (system(cmd) != 0)
			fputs("fuzz: cleanup failed\n", stderr);
	}
}

const char *fuzz_scratch(void)
{
	if (!scratch[0]) {
		snprintf(scratch, sizeof(scratch), "/tmp/hull-fuzz-XXXXXX");
		if (!mkdtemp(scratch))
			abort();
		atexit(cleanup);
	}
	return scratch;
}

void fuzz_write(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		abort();
	if (len && write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
}

static void ignore(const char *msg, void *ctx)
{
	(void)msg;
	(void)ctx;
}

void fuzz_quiet(void)
{
	hull_set_warn_handler(ignore, NULL);
}
