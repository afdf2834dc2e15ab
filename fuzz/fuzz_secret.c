/* Fuzzes the secret engine: the first byte picks the path (so path-scoped rules run
 * too), the rest is the file content. Checks bounded work and masked output. */
#include "fuzz_util.h"
#include "secret/secret.h"

#include <string.h>

static struct hull_secret_engine *engine;
static struct hull_secret_scratch *scratch;

static const char *const paths[] = {
	"/app/config", "/root/.netrc", "/root/.pgpass", "/root/.npmrc", "/root/.docker/config.json",
	"/app/.env"};

static void check(void *ctx, const struct hull_secret_hit *hit)
{
	(void)ctx;
	if (!hit->rule || !hit->masked || !hit->excerpt || hit->line == 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!engine) {
		struct hull_err err = {0};
		if (hull_secret_engine_new(&engine, &err))
			abort();
		scratch = hull_secret_scratch_new(engine);
	}
	if (size < 1)
		return 0;
	const char *path = paths[data[0] % (sizeof(paths) / sizeof(paths[0]))];
	hull_secret_scan(engine, scratch, path, (const char *)data + 1, size - 1, check, NULL);
	return 0;
}
