/* Registry credentials: --creds, auth files (containers-auth.json and Docker's
 * config.json share the "auths" shape). Messages name files and hosts, never secrets. */
#include "../util/json.h"
#include "registry.h"

#include <errno.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#define MAX_AUTH_FILE (4u << 20)

/* Base64 "user:pass" into its two halves; false if it is not that. */
static bool decode_auth(const char *b64, char **user, char **pass)
{
	size_t n = strlen(b64);
	if (!n || n % 4 || n > 64 * 1024)
		return false;
	unsigned char *out = xmalloc(n / 4 * 3 + 1);
	int m = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
	if (m < 0) {
		free(out);
		return false;
	}
	for (size_t i = n; i > 0 && b64[i - 1] == '=' && m > 0; i--)
		m--; /* EVP_DecodeBlock counts the padding */
	out[m] = '\0';
	char *colon = memchr(out, ':', (size_t)m);
	if (!colon || strlen((char *)out) != (size_t)m) {
		OPENSSL_cleanse(out, (size_t)m);
		free(out);
		return false;
	}
	*user = xstrndup((char *)out, (size_t)(colon - (char *)out));
	*pass = xstrdup(colon + 1);
	OPENSSL_cleanse(out, (size_t)m);
	free(out);
	return true;
}

/* "https://index.docker.io/v1/" -> "index.docker.io": the host part of an auths key. */
static char *key_host(const char *key)
{
	const char *p = strstr(key, "://");
	p = p ? p + 3 : key;
	return xstrndup(p, strcspn(p, "/"));
}

static bool key_matches(const char *key, const char *domain)
{
	_cleanup_free_ char *h = key_host(key);
	if (!strcmp(h, domain))
		return true;
	bool hub = !strcmp(domain, "docker.io");
	return hub && (!strcmp(h, "index.docker.io") || !strcmp(h, "registry-1.docker.io"));
}

static int from_entry(json_t *e, const char *file, const char *domain, char **user, char **pass,
		      struct hull_err *err)
{
	const char *a = json_string_value(json_object_get(e, "auth"));
	const char *u = json_string_value(json_object_get(e, "username"));
	const char *p = json_string_value(json_object_get(e, "password"));
	if (a && *a) {
		if (!decode_auth(a, user, pass))
			return hull_err_set(err, HULL_EINPUT,
					    "%s: the \"auth\" entry for %s is not base64 of "
					    "USER:PASSWORD",
					    file, domain);
		return 0;
	}
	if (u && p) {
		*user = xstrdup(u);
		*pass = xstrdup(p);
	}
	return 0;
}

static int from_file(const char *file, bool must_exist, const char *domain, char **user,
		     char **pass, struct hull_err *err)
{
	if (!must_exist && access(file, F_OK) != 0)
		return 0;
	char *data;
	size_t len;
	int rc = hull_read_file(file, MAX_AUTH_FILE, &data, &len, err);
	if (rc)
		return rc;
	json_t *doc;
	rc = hull_json_parse(data, len, file, &doc, err);
	OPENSSL_cleanse(data, len);
	free(data);
	if (rc)
		return rc;
	json_t *auths = json_object_get(doc, "auths");
	const char *key;
	json_t *e;
	if (json_is_object(auths)) {
		json_object_foreach(auths, key, e)
		{
			if (!json_is_object(e) || !key_matches(key, domain))
				continue;
			rc = from_entry(e, file, domain, user, pass, err);
			if (rc || *user)
				break;
		}
	}
	json_decref(doc);
	return rc;
}

int hull_creds_lookup(const char *domain, const char *creds, const char *authfile, char **user,
		      char **pass, struct hull_err *err)
{
	*user = *pass = NULL;
	if (creds) {
		const char *c = strchr(creds, ':');
		if (!c || c == creds)
			return hull_err_set(err, HULL_EUSAGE, "--creds: want USER:PASSWORD");
		*user = xstrndup(creds, (size_t)(c - creds));
		*pass = xstrdup(c + 1);
		return 0;
	}
	if (authfile)
		return from_file(authfile, true, domain, user, pass, err);
	const char *env = getenv("REGISTRY_AUTH_FILE");
	if (env && *env)
		return from_file(env, true, domain, user, pass, err);
	const char *dc = getenv("DOCKER_CONFIG");
	const char *home = getenv("HOME");
	_cleanup_free_ char *path = NULL;
	if (dc && *dc)
		path = xasprintf("%s/config.json", dc);
	else if (home && *home)
		path = xasprintf("%s/.docker/config.json", home);
	return path ? from_file(path, false, domain, user, pass, err) : 0;
}
