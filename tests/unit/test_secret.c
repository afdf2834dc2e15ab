/* Unit tests for src/secret: every rule compiles in both engines and finds its own kind
 * of secret; placeholders, entropy gates and paths are respected; lines and masks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "secret/secret.h"
#include "util/strbuf.h"

#include <string.h>

static struct hull_secret_engine *engine;
static struct hull_secret_scratch *scratch;

static int setup(void **state)
{
	(void)state;
	struct hull_err err = {0};
	if (hull_secret_engine_new(&engine, &err)) {
		fprintf(stderr, "engine: %s\n", err.msg);
		return -1;
	}
	scratch = hull_secret_scratch_new(engine);
	return scratch ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	hull_secret_scratch_free(scratch);
	hull_secret_engine_free(engine);
	return 0;
}

struct hits {
	struct strbuf ids; /* "id@line=masked;" */
	size_t n;
};

static void collect(void *ctx, const struct hull_secret_hit *hit)
{
	struct hits *h = ctx;
	strbuf_addf(&h->ids, "%s@%u=%s;", hit->rule->id, hit->line, hit->masked);
	h->n++;
}

static struct hits scan(const char *path, const char *text)
{
	struct hits h = {STRBUF_INIT, 0};
	strbuf_addch(&h.ids, ';');
	hull_secret_scan(engine, scratch, path, text, strlen(text), collect, &h);
	return h;
}

/* Repeats a character set to n characters, deterministic and high-entropy enough. */
static char *chars(const char *set, size_t n)
{
	char *s = xmalloc(n + 1);
	size_t k = strlen(set);
	for (size_t i = 0; i < n; i++)
		s[i] = set[(i * 7 + i / 3) % k];
	s[n] = '\0';
	return s;
}

#define AZ09 "ABCDEFGHJKLMNPQRSTUVWXYZ234567"
#define AN   "aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYz"
#define HEX  "0123456789abcdef"

static void expect(const char *id, const char *path, const char *line)
{
	struct hits h = scan(path, line);
	struct strbuf want = STRBUF_INIT;
	strbuf_addf(&want, ";%s@", id);
	if (!strstr(h.ids.buf, want.buf))
		fail_msg("rule %s did not find its secret in \"%s\" (got %s)", id, line, h.ids.buf);
	strbuf_release(&want);
	strbuf_release(&h.ids);
}

static void test_every_rule_finds_its_secret(void **state)
{
	(void)state;
	char *a16 = chars(AZ09, 16), *b40 = chars(AN "/+", 40), *h40 = chars(HEX, 40);
	char *an36 = chars(AN, 36), *an82 = chars(AN "_", 82), *an20 = chars(AN, 20);
	char *h32 = chars(HEX, 32), *an43 = chars(AN, 43), *an64 = chars(AN, 64);
	char *b86 = chars(AN "+/", 86), *an100 = chars(AN, 100), *an24 = chars(AN, 24);
	char *h64 = chars(HEX, 64), *h48 = chars(HEX, 48), *an27 = chars(AN, 27);
	char *an34 = chars("abcdefghijkLMNOPQRSTuvwxyz", 34), *an90 = chars(AN, 90);
	char *an28 = chars(AN, 28), *an60 = chars(AN, 60), *an186 = chars(AN, 186);
	char *h24 = chars(HEX, 24), *h34 = chars(HEX, 34),
	     *age = chars("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58);
	struct {
		const char *id, *path;
		char *line;
	} cases[] = {
		{"aws-access-key-id", "/app/x", xasprintf("key = AKIA%s", a16)},
		{"aws-secret-access-key", "/app/x", xasprintf("aws_secret_access_key = %s", b40)},
		{"aws-mws-key", "/app/x",
		 xasprintf("amzn.mws.%.8s-%.4s-%.4s-%.4s-%.12s", h32, h32, h32, h32, h32)},
		{"gcp-service-account-key", "/app/sa.json",
		 xasprintf("\"private_key_id\": \"%s\",", h40)},
		{"gcp-api-key", "/app/x", xasprintf("AIza%.35s", an43)},
		{"google-oauth-client-secret", "/app/x", xasprintf("GOCSPX-%.28s", an43)},
		{"google-oauth-access-token", "/app/x", xasprintf("ya29.%s", an43)},
		{"azure-storage-connection-string", "/app/x",
		 xasprintf("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=%s==;",
			   b86)},
		{"azure-storage-account-key", "/app/x", xasprintf("AccountKey=%s==", b86)},
		{"azure-ad-client-secret", "/app/x", xasprintf("abc8Q~%.34s", an43)},
		{"alibaba-access-key-id", "/app/x", xasprintf("LTAI%s", an20)},
		{"digitalocean-pat", "/app/x", xasprintf("dop_v1_%s", h64)},
		{"heroku-api-key", "/app/x",
		 xasprintf("HEROKU_API_KEY=%.8s-%.4s-%.4s-%.4s-%.12s", h32, h32 + 8, h32 + 12,
			   h32 + 16, h32 + 20)},
		{"databricks-token", "/app/x",
		 xasprintf("dapi%s", "0123456789abcdefabcdef0123456789")},
		{"flyio-token", "/app/x", xasprintf("fo1_%s", an43)},
		{"cloudflare-api-token", "/app/x", xasprintf("CLOUDFLARE_API_TOKEN=%.40s", an43)},
		{"terraform-cloud-token", "/app/x", xasprintf("%.14s.atlasv1.%s", an20, an64)},
		{"vault-token", "/app/x", xasprintf("hvs.%s", an90)},
		{"pulumi-token", "/app/x", xasprintf("pul-%s", h40)},
		{"doppler-token", "/app/x", xasprintf("dp.pt.%s", an43)},
		{"dynatrace-token", "/app/x",
		 xasprintf("dt0c01.%.24s.%s", "ABCDEFGHIJKLMNOPQRSTUVWX",
			   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ01")},
		{"planetscale-token", "/app/x", xasprintf("pscale_tkn_%s", an43)},
		{"github-pat", "/app/x", xasprintf("ghp_%s", an36)},
		{"github-fine-grained-pat", "/app/x", xasprintf("github_pat_%s", an82)},
		{"github-oauth-token", "/app/x", xasprintf("gho_%s", an36)},
		{"github-app-token", "/app/x", xasprintf("ghs_%s", an36)},
		{"github-refresh-token", "/app/x", xasprintf("ghr_%s", an36)},
		{"gitlab-pat", "/app/x", xasprintf("glpat-%s", an20)},
		{"gitlab-pipeline-trigger-token", "/app/x", xasprintf("glptt-%s", h40)},
		{"gitlab-runner-token", "/app/x", xasprintf("GR1348941%s", an20)},
		{"gitlab-deploy-token", "/app/x", xasprintf("gldt-%s", an20)},
		{"bitbucket-app-password", "/app/x", xasprintf("ATBB%s", an36)},
		{"atlassian-api-token", "/app/x", xasprintf("ATATT3%s", an186)},
		{"npm-access-token", "/app/x", xasprintf("npm_%s", an36)},
		{"npmrc-auth-token", "/root/.npmrc",
		 xasprintf("//registry.npmjs.org/:_authToken=%s", an36)},
		{"npmrc-auth", "/root/.npmrc", xasprintf("_auth = %s", an24)},
		{"pypi-token", "/app/x", xasprintf("pypi-AgEIcHlwaS5vcmc%s", an64)},
		{"rubygems-api-key", "/app/x", xasprintf("rubygems_%s", h48)},
		{"dockerhub-pat", "/app/x", xasprintf("dckr_pat_%s", an27)},
		{"docker-config-auth", "/root/.docker/config.json",
		 xasprintf("\"auth\": \"%s=\"", an24)},
		{"postman-api-key", "/app/x", xasprintf("PMAK-%s-%s", h24, h34)},
		{"linear-api-key", "/app/x", xasprintf("lin_api_%s", b40 ? h40 : h40)},
		{"slack-bot-token", "/app/x", xasprintf("xoxb-1234567890-1234567890123-%s", an24)},
		{"slack-user-token", "/app/x",
		 xasprintf("xoxp-1234567890-1234567890-1234567890-%s", h32)},
		{"slack-app-token", "/app/x", xasprintf("xapp-1-A0123ABCD-1234567890-%s", h64)},
		{"slack-webhook-url", "/app/x",
		 xasprintf("https://hooks.slack.com/services/T0123ABCD/B0123ABCD/%s", an24)},
		{"discord-webhook-url", "/app/x",
		 xasprintf("https://discord.com/api/webhooks/123456789012345678/%.68s", an100)},
		{"discord-bot-token", "/app/x", xasprintf("MTA%.21s.Gh3kLm.%s", an24, an27)},
		{"telegram-bot-token", "/app/x", xasprintf("123456789:AA%.33s", an43)},
		{"stripe-secret-key", "/app/x", xasprintf("sk_live_%s", an24)},
		{"stripe-restricted-key", "/app/x", xasprintf("rk_live_%s", an24)},
		{"twilio-api-key", "/app/x", xasprintf("TWILIO_KEY=SK%s", h32)},
		{"sendgrid-api-key", "/app/x", xasprintf("SG.%.22s.%s", an24, an43)},
		{"mailgun-api-key", "/app/x", xasprintf("MAILGUN_KEY=key-%s", h32)},
		{"mailchimp-api-key", "/app/x", xasprintf("MAILCHIMP_KEY=%s-us14", h32)},
		{"huggingface-token", "/app/x", xasprintf("hf_%s", an34)},
		{"openai-api-key", "/app/x", xasprintf("sk-proj-%.20sT3BlbkFJ%.20s", an24, an24)},
		{"openai-project-key", "/app/x", xasprintf("sk-proj-%s%s", an100, an20)},
		{"anthropic-api-key", "/app/x", xasprintf("sk-ant-api03-%s", an90)},
		{"shopify-access-token", "/app/x", xasprintf("shpat_%s", h32)},
		{"shopify-custom-app-token", "/app/x", xasprintf("shpca_%s", h32)},
		{"shopify-private-app-token", "/app/x", xasprintf("shppa_%s", h32)},
		{"shopify-shared-secret", "/app/x", xasprintf("shpss_%s", h32)},
		{"square-access-token", "/app/x", xasprintf("EAAA%s", an60)},
		{"square-oauth-secret", "/app/x", xasprintf("sq0csp-%s", an43)},
		{"facebook-access-token", "/app/x", xasprintf("EAACEdEose0cBA%s", an24)},
		{"twitter-bearer-token", "/app/x", xasprintf("AAAAAAAAAAAAAAAAAAAAA%s", an43)},
		{"datadog-api-key", "/app/x", xasprintf("DD_API_KEY=%s", h32)},
		{"newrelic-user-api-key", "/app/x",
		 xasprintf("NRAK-%s", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0")},
		{"sentry-auth-token", "/app/x", xasprintf("sntrys_%s", an64)},
		{"grafana-api-key", "/app/x", xasprintf("glc_%s", an64)},
		{"grafana-service-account-token", "/app/x",
		 xasprintf("glsa_%.32s_%.8s", an43, h32)},
		{"contentful-token", "/app/x", xasprintf("CFPAT-%s", an43)},
		{"shippo-api-token", "/app/x", xasprintf("shippo_live_%s", h40)},
		{"age-secret-key", "/app/x", xasprintf("AGE-SECRET-KEY-1%s", age)},
		{"private-key-rsa", "/app/k", xasprintf("-----BEGIN RSA PRIVATE KEY-----")},
		{"private-key-ec", "/app/k", xasprintf("-----BEGIN EC PRIVATE KEY-----")},
		{"private-key-dsa", "/app/k", xasprintf("-----BEGIN DSA PRIVATE KEY-----")},
		{"private-key-openssh", "/app/k", xasprintf("-----BEGIN OPENSSH PRIVATE KEY-----")},
		{"private-key-pkcs8", "/app/k", xasprintf("-----BEGIN PRIVATE KEY-----")},
		{"private-key-pkcs8-encrypted", "/app/k",
		 xasprintf("-----BEGIN ENCRYPTED PRIVATE KEY-----")},
		{"private-key-pgp", "/app/k", xasprintf("-----BEGIN PGP PRIVATE KEY BLOCK-----")},
		{"private-key-putty", "/app/k", xasprintf("PuTTY-User-Key-File-2: ssh-rsa")},
		{"jwt", "/app/x",
		 xasprintf("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.%s", an43)},
		{"password-in-url", "/app/x",
		 xasprintf("DATABASE_URL=postgres://app:%.16s@db.internal:5432/app", an43)},
		{"netrc-password", "/root/.netrc",
		 xasprintf("machine api.example.org login me password %.16s", an43)},
		{"pgpass-password", "/root/.pgpass",
		 xasprintf("db.internal:5432:app:app:%.16s", an43)},
		{"git-credentials", "/root/.git-credentials",
		 xasprintf("https://me:%.16s@git.internal", an43)},
		{"htpasswd-hash", "/etc/nginx/.htpasswd",
		 xasprintf("admin:$apr1$%.8s$%.22s", an24, an43)},
		{"generic-password", "/app/settings.ini",
		 xasprintf("db_password = \"Xk9!mQ2@vL7pRt4z\"")},
		{"generic-api-key-env", "/app/.env",
		 xasprintf("MY_SERVICE_TOKEN=Xk9mQ2vL7pRt4zW8nB5cD3fH")},
	};
	assert_int_equal(ARRAY_SIZE(cases), hull_secret_nrules);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		expect(cases[i].id, cases[i].path, cases[i].line);
		free(cases[i].line);
	}
	char *all[] = {a16, b40, h40,  an36, an82, an20, h32,  an43,  an64, b86, an100, an24,
		       h64, h48, an27, an34, an90, an28, an60, an186, h24,  h34, age};
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		free(all[i]);
}

static void test_mask_line_and_allow(void **state)
{
	(void)state;
	struct hits h = scan("/app/config", "one\ntwo\naws_key = AKIAIOSFODNN7ABCDEFG\n");
	assert_string_equal(h.ids.buf, ";aws-access-key-id@3=AKIA************DEFG;");
	strbuf_release(&h.ids);
	/* AWS's documented example key is a placeholder. */
	h = scan("/app/config", "key=AKIAIOSFODNN7EXAMPLE\n");
	assert_int_equal(h.n, 0);
	strbuf_release(&h.ids);
	/* Variables and low-entropy values are not secrets. */
	h = scan("/app/.env",
		 "PASSWORD=${DB_PASSWORD}\npassword = aaaaaaaaaaaa\napi_key: <your-key>\n");
	assert_int_equal(h.n, 0);
	strbuf_release(&h.ids);
	/* A path-scoped rule applies only to its file. */
	h = scan("/app/notes.txt", "password hunter2hunter2\n");
	assert_int_equal(h.n, 0);
	strbuf_release(&h.ids);
	/* Binary content is skipped. */
	char bin[64] = "ghp_";
	memset(bin + 4, 'A', 40);
	bin[50] = '\0';
	struct hits hb = {STRBUF_INIT, 0};
	hull_secret_scan(engine, scratch, "/bin/x", bin, sizeof(bin), collect, &hb);
	assert_int_equal(hb.n, 0);
	strbuf_release(&hb.ids);
}

static void test_specific_beats_generic(void **state)
{
	(void)state;
	struct hits h =
		scan("/app/.env", "GITHUB_TOKEN=ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYzaB3\n");
	assert_int_equal(h.n, 1);
	assert_non_null(strstr(h.ids.buf, ";github-pat@1="));
	strbuf_release(&h.ids);
}

static void test_paths_and_pathological_input(void **state)
{
	(void)state;
	assert_false(hull_secret_path_wanted("/usr/share/doc/x/README"));
	assert_false(hull_secret_path_wanted("/app/node_modules/x/test/key.pem"));
	assert_true(hull_secret_path_wanted("/app/config/credentials"));
	/* A 4 MiB line of almost-matches finishes (bounded candidates and windows). */
	size_t n = 4u << 20;
	char *big = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		big[i] = "password=aB3dE5"[i % 15];
	big[n] = '\0';
	struct hits h = {STRBUF_INIT, 0};
	hull_secret_scan(engine, scratch, "/app/x", big, n, collect, &h);
	assert_true(h.n <= 1000);
	strbuf_release(&h.ids);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_rule_finds_its_secret),
		cmocka_unit_test(test_mask_line_and_allow),
		cmocka_unit_test(test_specific_beats_generic),
		cmocka_unit_test(test_paths_and_pathological_input),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
