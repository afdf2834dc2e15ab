/* Secrets in literal env values: the secret scanner's rule set (src/secret, the same
 * rules, allow words and entropy gates as `hull image`) over "NAME=VALUE", plus
 * password-like names with a literal value. A false positive here fails a deployment
 * pipeline, so the placeholders the image scanner allows are allowed here too. */
#include "k8s_int.h"
#include "../secret/secret.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

static struct hull_secret_engine *engine;
static struct hull_secret_scratch *scratch;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t engine_mu = PTHREAD_MUTEX_INITIALIZER;

static void engine_init(void)
{
	struct hull_err err = {0};
	if (hull_secret_engine_new(&engine, &err)) {
		/* The built-in rules always compile; if not, fall back to names only. */
		hull_warn("k8s: secret rules unavailable: %s", err.msg);
		hull_err_clear(&err);
		return;
	}
	scratch = hull_secret_scratch_new(engine);
}

struct first_hit {
	const char *title;
};

static void on_hit(void *ctx, const struct hull_secret_hit *hit)
{
	struct first_hit *f = ctx;
	if (!f->title)
		f->title = hit->rule->title;
}

static size_t run_of(const char *s, const char *set)
{
	size_t n = 0;
	while (s[n] && strchr(set, s[n]))
		n++;
	return n;
}

static bool secret_name(const char *name)
{
	static const char *const words[] = {"PASSWORD",	  "PASSWD",	 "SECRET",
					    "TOKEN",	  "API_KEY",	 "APIKEY",
					    "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL"};
	char up[256];
	size_t n = 0;
	for (; name[n] && n + 1 < sizeof(up); n++)
		up[n] = (char)toupper((unsigned char)name[n]);
	up[n] = '\0';
	/* Names of files, paths and URLs that point at a secret are fine. */
	static const char *const refs[] = {"_FILE", "_PATH", "_URL", "_DIR", "_NAME", "_REF"};
	for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
		size_t l = strlen(refs[i]);
		if (n >= l && !strcmp(up + n - l, refs[i]))
			return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(up, words[i]))
			return true;
	return false;
}

/* A value that looks like a real secret, not a number, boolean, path or $(reference). */
static bool literal_secret(const char *v)
{
	size_t n = strlen(v);
	if (n < 6 || v[0] == '/' || hull_secret_placeholder(v, n))
		return false;
	if (run_of(v, "0123456789") == n)
		return false;
	return strcmp(v, "true") && strcmp(v, "false");
}

const char *k8s_secret_match(const char *name, const char *value)
{
	pthread_once(&engine_once, engine_init);
	if (engine && scratch) {
		/* As the image scanner reads config.Env: one "NAME=VALUE" line. */
		char *line = xasprintf("%s=%s", name, value);
		struct first_hit f = {NULL};
		pthread_mutex_lock(&engine_mu);
		hull_secret_scan(engine, scratch, "/k8s/env", line, strlen(line), on_hit, &f);
		pthread_mutex_unlock(&engine_mu);
		free(line);
		if (f.title)
			return f.title;
	}
	if (secret_name(name) && literal_secret(value))
		return "a password-like value";
	return NULL;
}
