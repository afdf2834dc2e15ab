/* A few strong secret patterns for literal env values: AWS access key ids, GitHub and
 * Slack tokens, PEM private keys, and password-like names with a literal value. Kept
 * small and exact: a false positive here fails a deployment pipeline. */
#include "k8s_int.h"

#include <ctype.h>
#include <string.h>

static size_t run_of(const char *s, const char *set)
{
	size_t n = 0;
	while (s[n] && strchr(set, s[n]))
		n++;
	return n;
}

#define UPPER_DIGIT "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
#define ALNUM	    UPPER_DIGIT "abcdefghijklmnopqrstuvwxyz"

static bool aws_key(const char *v)
{
	static const char *const prefixes[] = {"AKIA", "ASIA", "ABIA", "ACCA"};
	for (const char *p = v; *p; p++) {
		if (p > v && strchr(UPPER_DIGIT, p[-1]))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
			if (!strncmp(p, prefixes[i], 4) && run_of(p + 4, UPPER_DIGIT) == 16)
				return true;
	}
	return false;
}

static bool token_with_prefix(const char *v, const char *prefix, const char *set, size_t min)
{
	for (const char *p = strstr(v, prefix); p; p = strstr(p + 1, prefix))
		if (run_of(p + strlen(prefix), set) >= min)
			return true;
	return false;
}

static bool github_token(const char *v)
{
	static const char *const prefixes[] = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"};
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (token_with_prefix(v, prefixes[i], ALNUM, 36))
			return true;
	return token_with_prefix(v, "github_pat_", ALNUM "_", 22);
}

static bool slack_token(const char *v)
{
	static const char *const prefixes[] = {"xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"};
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (token_with_prefix(v, prefixes[i], ALNUM "-", 10))
			return true;
	return false;
}

static bool private_key(const char *v)
{
	const char *b = strstr(v, "-----BEGIN ");
	return b && strstr(b, "PRIVATE KEY-----");
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
	if (n < 6 || v[0] == '/' || strstr(v, "$("))
		return false;
	if (run_of(v, "0123456789") == n)
		return false;
	return strcmp(v, "true") && strcmp(v, "false");
}

const char *k8s_secret_match(const char *name, const char *value)
{
	if (aws_key(value))
		return "an AWS access key id";
	if (github_token(value))
		return "a GitHub token";
	if (slack_token(value))
		return "a Slack token";
	if (private_key(value))
		return "a private key";
	if (secret_name(name) && literal_secret(value))
		return "a password-like value";
	return NULL;
}
