/* Registry credentials: --creds, auth files (containers-auth.json and Docker's
 * config.json share the "auths" shape), and docker-credential-* helpers named by
 * "credHelpers" / "credsStore". Messages name files and hosts, never secrets. */
#include "../util/json.h"
#include "../util/strbuf.h"
#include "registry.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_AUTH_FILE	  (4u << 20)
#define MAX_HELPER_OUTPUT (1u << 20)

extern char **environ;

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

/* Runs "docker-credential-NAME get" (found on PATH) with the server on stdin and
 * reads its stdout whole. *status is the helper's exit status. */
static int run_helper(const char *name, const char *server, struct strbuf *out, int *status,
		      struct hull_err *err)
{
	for (const char *p = name; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x21)
			return hull_err_set(err, HULL_EINPUT, "credential helper \"%s\": bad name",
					    name);
	_cleanup_free_ char *prog = xasprintf("docker-credential-%s", name);
	int in[2], outp[2];
	if (pipe2(in, O_CLOEXEC))
		return hull_err_set(err, HULL_EIO, "%s: %s", prog, strerror(errno));
	if (pipe2(outp, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		return hull_err_set(err, HULL_EIO, "%s: %s", prog, strerror(errno));
	}
	/* The server name fits in the pipe: written before the helper starts. */
	ssize_t w = write(in[1], server, strlen(server));
	close(in[1]);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	char *argv[] = {prog, "get", NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(outp[1]);
	if (rc || w < 0) {
		close(outp[0]);
		if (!rc)
			waitpid(pid, NULL, 0);
		return hull_err_set(err, HULL_EINPUT, "credential helper %s: %s", prog,
				    strerror(rc ? rc : errno));
	}
	char buf[4096];
	bool too_big = false;
	for (;;) {
		ssize_t n = read(outp[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > MAX_HELPER_OUTPUT)
			too_big = true;
		else
			strbuf_add(out, buf, (size_t)n);
	}
	close(outp[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	if (too_big)
		return hull_err_set(err, HULL_ELIMIT, "credential helper %s: output too large",
				    prog);
	return 0;
}

/* Credentials from helper NAME for domain. A helper that has none (it exits non-zero,
 * "credentials not found") leaves *user NULL. */
static int from_helper(const char *name, const char *domain, char **user, char **pass,
		       struct hull_err *err)
{
	/* Docker stores Hub credentials under its v1 index URL, others by host[:port]. */
	const char *server = strcmp(domain, "docker.io") ? domain : "https://index.docker.io/v1/";
	struct strbuf out = STRBUF_INIT;
	int status = 0;
	int rc = run_helper(name, server, &out, &status, err);
	if (rc || status) {
		if (out.buf)
			OPENSSL_cleanse(out.buf, out.len);
		strbuf_release(&out);
		return rc;
	}
	json_t *doc = out.len ? json_loadb(out.buf, out.len, 0, NULL) : NULL;
	OPENSSL_cleanse(out.buf, out.len);
	strbuf_release(&out);
	const char *u = json_string_value(json_object_get(doc, "Username"));
	const char *p = json_string_value(json_object_get(doc, "Secret"));
	if (!u || !p || !*p)
		rc = hull_err_set(err, HULL_EINPUT,
				  "credential helper docker-credential-%s: no Username and Secret "
				  "for %s",
				  name, domain);
	else {
		*user = xstrdup(u);
		*pass = xstrdup(p);
	}
	if (doc)
		json_decref(doc);
	return rc;
}

/* credHelpers[domain], else credsStore: the helper Docker would use, or NULL. */
static const char *helper_for(json_t *doc, const char *domain)
{
	json_t *helpers = json_object_get(doc, "credHelpers");
	const char *key;
	json_t *v;
	if (json_is_object(helpers)) {
		json_object_foreach(helpers, key, v)
		{
			if (json_is_string(v) && key_matches(key, domain))
				return json_string_value(v);
		}
	}
	const char *store = json_string_value(json_object_get(doc, "credsStore"));
	return store && *store ? store : NULL;
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
	const char *helper = json_is_object(doc) ? helper_for(doc, domain) : NULL;
	if (helper) {
		rc = from_helper(helper, domain, user, pass, err);
		if (rc || *user) {
			json_decref(doc);
			return rc;
		}
	}
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
