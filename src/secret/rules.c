/* The built-in secret rules: one entry each. Patterns are written for PCRE2 and also
 * compiled, as prefilters, into one vectorscan database. */
#include "secret.h"

#define R(id, title, cat, sev, re)                      \
	{                                               \
		id, title, cat, sev, re, NULL, 0, false \
	}
#define RE(id, title, cat, sev, re, ent)                  \
	{                                                 \
		id, title, cat, sev, re, NULL, ent, false \
	}
#define RP(id, title, cat, sev, re, suffix)               \
	{                                                 \
		id, title, cat, sev, re, suffix, 0, false \
	}
#define RG(id, title, cat, sev, re, ent)                 \
	{                                                \
		id, title, cat, sev, re, NULL, ent, true \
	}

#define UUID "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

const struct hull_secret_rule hull_secret_rules[] = {
	/* Cloud providers */
	R("aws-access-key-id", "AWS access key ID", "AWS", "CRITICAL",
	  "\\b(?<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\\b"),
	RE("aws-secret-access-key", "AWS secret access key", "AWS", "CRITICAL",
	   "(?i)aws.{0,20}?(?:secret|private).{0,20}?[\"'\\s:=]{1,6}(?<secret>[A-Za-z0-9/+=]{40})"
	   "(?![A-Za-z0-9/+=])",
	   3.0),
	R("aws-mws-key", "Amazon MWS auth token", "AWS", "HIGH",
	  "\\b(?<secret>amzn\\.mws\\." UUID ")\\b"),
	R("gcp-service-account-key", "Google Cloud service account private key ID", "GCP",
	  "CRITICAL", "\"private_key_id\"\\s*:\\s*\"(?<secret>[a-f0-9]{40})\""),
	R("gcp-api-key", "Google API key", "GCP", "HIGH",
	  "\\b(?<secret>AIza[0-9A-Za-z_\\-]{35})\\b"),
	R("google-oauth-client-secret", "Google OAuth client secret", "GCP", "HIGH",
	  "\\b(?<secret>GOCSPX-[A-Za-z0-9_\\-]{28})\\b"),
	R("google-oauth-access-token", "Google OAuth access token", "GCP", "HIGH",
	  "\\b(?<secret>ya29\\.[0-9A-Za-z_\\-]{30,})"),
	R("azure-storage-connection-string", "Azure storage connection string", "Azure", "CRITICAL",
	  "(?i)DefaultEndpointsProtocol=https?;AccountName=[^;\\s]+;AccountKey=(?<secret>[A-Za-z0-"
	  "9+/]{86}==)"),
	R("azure-storage-account-key", "Azure storage account key", "Azure", "CRITICAL",
	  "(?i)AccountKey\\s*[=:]\\s*[\"']?(?<secret>[A-Za-z0-9+/]{86}==)"),
	R("azure-ad-client-secret", "Azure AD client secret", "Azure", "HIGH",
	  "\\b(?<secret>[A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.\\-]{31,34})\\b"),
	R("alibaba-access-key-id", "Alibaba Cloud access key ID", "Alibaba", "HIGH",
	  "\\b(?<secret>LTAI[A-Za-z0-9]{20})\\b"),
	R("digitalocean-pat", "DigitalOcean personal access token", "DigitalOcean", "CRITICAL",
	  "\\b(?<secret>do[por]_v1_[a-f0-9]{64})\\b"),
	R("heroku-api-key", "Heroku API key", "Heroku", "HIGH",
	  "(?i)heroku.{0,40}?\\b(?<secret>" UUID ")\\b"),
	R("databricks-token", "Databricks API token", "Databricks", "HIGH",
	  "\\b(?<secret>dapi[a-h0-9]{32})(?:-\\d)?\\b"),
	R("flyio-token", "Fly.io access token", "Fly.io", "HIGH",
	  "\\b(?<secret>fo1_[A-Za-z0-9_\\-]{43})\\b"),
	R("cloudflare-api-token", "Cloudflare API token", "Cloudflare", "HIGH",
	  "(?i)cloudflare.{0,40}?[\"'\\s:=]{1,6}(?<secret>[A-Za-z0-9_\\-]{40})(?![A-Za-z0-9_\\-])"),
	R("terraform-cloud-token", "Terraform Cloud API token", "HashiCorp", "HIGH",
	  "\\b(?<secret>[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_\\-=]{60,70})"),
	R("vault-token", "HashiCorp Vault token", "HashiCorp", "HIGH",
	  "\\b(?<secret>hv[sb]\\.[A-Za-z0-9_\\-]{90,})"),
	R("pulumi-token", "Pulumi access token", "Pulumi", "HIGH",
	  "\\b(?<secret>pul-[a-f0-9]{40})\\b"),
	R("doppler-token", "Doppler token", "Doppler", "HIGH",
	  "\\b(?<secret>dp\\.pt\\.[A-Za-z0-9]{43})\\b"),
	R("dynatrace-token", "Dynatrace API token", "Dynatrace", "HIGH",
	  "\\b(?<secret>dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64})\\b"),
	R("planetscale-token", "PlanetScale token", "PlanetScale", "HIGH",
	  "\\b(?<secret>pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_.\\-]{32,64})\\b"),

	/* Version control and CI */
	R("github-pat", "GitHub personal access token", "GitHub", "CRITICAL",
	  "\\b(?<secret>ghp_[A-Za-z0-9]{36})\\b"),
	R("github-fine-grained-pat", "GitHub fine-grained personal access token", "GitHub",
	  "CRITICAL", "\\b(?<secret>github_pat_[A-Za-z0-9_]{82})\\b"),
	R("github-oauth-token", "GitHub OAuth access token", "GitHub", "CRITICAL",
	  "\\b(?<secret>gho_[A-Za-z0-9]{36})\\b"),
	R("github-app-token", "GitHub App token", "GitHub", "CRITICAL",
	  "\\b(?<secret>(?:ghu|ghs)_[A-Za-z0-9]{36})\\b"),
	R("github-refresh-token", "GitHub refresh token", "GitHub", "CRITICAL",
	  "\\b(?<secret>ghr_[A-Za-z0-9]{36,76})\\b"),
	R("gitlab-pat", "GitLab personal access token", "GitLab", "CRITICAL",
	  "\\b(?<secret>glpat-[A-Za-z0-9_\\-]{20})(?![A-Za-z0-9_\\-])"),
	R("gitlab-pipeline-trigger-token", "GitLab pipeline trigger token", "GitLab", "HIGH",
	  "\\b(?<secret>glptt-[0-9a-f]{40})\\b"),
	R("gitlab-runner-token", "GitLab runner registration token", "GitLab", "HIGH",
	  "\\b(?<secret>GR1348941[A-Za-z0-9_\\-]{20})(?![A-Za-z0-9_\\-])"),
	R("gitlab-deploy-token", "GitLab deploy token", "GitLab", "HIGH",
	  "\\b(?<secret>gldt-[A-Za-z0-9_\\-]{20})(?![A-Za-z0-9_\\-])"),
	R("bitbucket-app-password", "Bitbucket app password", "Bitbucket", "HIGH",
	  "\\b(?<secret>ATBB[A-Za-z0-9_=.\\-]{28,})"),
	R("atlassian-api-token", "Atlassian API token", "Atlassian", "HIGH",
	  "\\b(?<secret>ATATT3[A-Za-z0-9_\\-=]{180,190})"),
	R("npm-access-token", "npm access token", "npm", "CRITICAL",
	  "\\b(?<secret>npm_[A-Za-z0-9]{36})\\b"),
	R("npmrc-auth-token", "npm registry auth token in .npmrc", "npm", "CRITICAL",
	  "_authToken\\s*=\\s*[\"']?(?<secret>[^\\s\"']{8,})"),
	RP("npmrc-auth", "npm registry basic auth in .npmrc", "npm", "CRITICAL",
	   "^\\s*_auth\\s*=\\s*[\"']?(?<secret>[A-Za-z0-9+/=]{8,})", ".npmrc"),
	R("pypi-token", "PyPI upload token", "PyPI", "CRITICAL",
	  "\\b(?<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\\-]{50,})"),
	R("rubygems-api-key", "RubyGems API key", "RubyGems", "CRITICAL",
	  "\\b(?<secret>rubygems_[a-f0-9]{48})\\b"),
	R("dockerhub-pat", "Docker Hub personal access token", "Docker", "CRITICAL",
	  "\\b(?<secret>dckr_pat_[A-Za-z0-9_\\-]{27})(?![A-Za-z0-9_\\-])"),
	RP("docker-config-auth", "Registry credentials in Docker config.json", "Docker", "CRITICAL",
	   "\"auth\"\\s*:\\s*\"(?<secret>[A-Za-z0-9+/]{8,}={0,2})\"", "config.json"),
	R("postman-api-key", "Postman API key", "Postman", "HIGH",
	  "\\b(?<secret>PMAK-[a-f0-9]{24}-[a-f0-9]{34})\\b"),
	R("linear-api-key", "Linear API key", "Linear", "HIGH",
	  "\\b(?<secret>lin_api_[A-Za-z0-9]{40})\\b"),

	/* Chat, SaaS and payments */
	R("slack-bot-token", "Slack bot token", "Slack", "CRITICAL",
	  "\\b(?<secret>xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,34})\\b"),
	R("slack-user-token", "Slack user token", "Slack", "CRITICAL",
	  "\\b(?<secret>xox[pe](?:-[0-9]{10,13}){3}-[a-zA-Z0-9]{28,34})\\b"),
	R("slack-app-token", "Slack app-level token", "Slack", "HIGH",
	  "\\b(?<secret>xapp-\\d-[A-Z0-9]+-\\d+-[a-z0-9]+)\\b"),
	R("slack-webhook-url", "Slack incoming webhook", "Slack", "HIGH",
	  "(?<secret>https://hooks\\.slack\\.com/(?:services|workflows)/[A-Za-z0-9+/]{43,56})"),
	R("discord-webhook-url", "Discord webhook", "Discord", "HIGH",
	  "(?<secret>https://discord(?:app)?\\.com/api/webhooks/[0-9]+/[A-Za-z0-9_\\-]{60,70})"),
	R("discord-bot-token", "Discord bot token", "Discord", "HIGH",
	  "\\b(?<secret>[MN][A-Za-z0-9_\\-]{23,25}\\.[A-Za-z0-9_\\-]{6}\\.[A-Za-z0-9_\\-]{27,38})"
	  "\\b"),
	R("telegram-bot-token", "Telegram bot token", "Telegram", "HIGH",
	  "\\b(?<secret>[0-9]{8,10}:AA[A-Za-z0-9_\\-]{33})(?![A-Za-z0-9_\\-])"),
	R("stripe-secret-key", "Stripe live secret key", "Stripe", "CRITICAL",
	  "\\b(?<secret>sk_live_[0-9a-zA-Z]{24,99})\\b"),
	R("stripe-restricted-key", "Stripe live restricted key", "Stripe", "CRITICAL",
	  "\\b(?<secret>rk_live_[0-9a-zA-Z]{24,99})\\b"),
	R("twilio-api-key", "Twilio API key", "Twilio", "HIGH",
	  "(?i)twilio.{0,40}?\\b(?<secret>SK[0-9a-fA-F]{32})\\b"),
	R("sendgrid-api-key", "SendGrid API key", "SendGrid", "CRITICAL",
	  "\\b(?<secret>SG\\.[A-Za-z0-9_\\-]{22}\\.[A-Za-z0-9_\\-]{43})(?![A-Za-z0-9_\\-])"),
	R("mailgun-api-key", "Mailgun API key", "Mailgun", "HIGH",
	  "(?i)mailgun.{0,40}?\\b(?<secret>key-[0-9a-z]{32})\\b"),
	R("mailchimp-api-key", "Mailchimp API key", "Mailchimp", "HIGH",
	  "(?i)(?:mailchimp|mc_api).{0,40}?\\b(?<secret>[0-9a-f]{32}-us[0-9]{1,2})\\b"),
	R("huggingface-token", "Hugging Face access token", "Hugging Face", "HIGH",
	  "\\b(?<secret>hf_[A-Za-z]{34})\\b"),
	R("openai-api-key", "OpenAI API key", "OpenAI", "CRITICAL",
	  "\\b(?<secret>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\\-]{20,}T3BlbkFJ[A-Za-z0-9_\\-]{"
	  "20,})"),
	R("openai-project-key", "OpenAI project API key", "OpenAI", "CRITICAL",
	  "\\b(?<secret>sk-proj-[A-Za-z0-9_\\-]{100,200})(?![A-Za-z0-9_\\-])"),
	R("anthropic-api-key", "Anthropic API key", "Anthropic", "CRITICAL",
	  "\\b(?<secret>sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_\\-]{80,100})(?![A-Za-z0-9_\\-])"),
	R("shopify-access-token", "Shopify access token", "Shopify", "HIGH",
	  "\\b(?<secret>shpat_[a-fA-F0-9]{32})\\b"),
	R("shopify-custom-app-token", "Shopify custom app access token", "Shopify", "HIGH",
	  "\\b(?<secret>shpca_[a-fA-F0-9]{32})\\b"),
	R("shopify-private-app-token", "Shopify private app access token", "Shopify", "HIGH",
	  "\\b(?<secret>shppa_[a-fA-F0-9]{32})\\b"),
	R("shopify-shared-secret", "Shopify shared secret", "Shopify", "HIGH",
	  "\\b(?<secret>shpss_[a-fA-F0-9]{32})\\b"),
	R("square-access-token", "Square access token", "Square", "HIGH",
	  "\\b(?<secret>(?:EAAA|sq0atp-)[A-Za-z0-9_\\-]{22,60})\\b"),
	R("square-oauth-secret", "Square OAuth secret", "Square", "HIGH",
	  "\\b(?<secret>sq0csp-[A-Za-z0-9_\\-]{43})(?![A-Za-z0-9_\\-])"),
	R("facebook-access-token", "Facebook access token", "Meta", "HIGH",
	  "\\b(?<secret>EAACEdEose0cBA[0-9A-Za-z]+)"),
	R("twitter-bearer-token", "Twitter/X bearer token", "X", "HIGH",
	  "\\b(?<secret>AAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{30,})"),
	R("datadog-api-key", "Datadog API key", "Datadog", "HIGH",
	  "(?i)(?:datadog|dd_api_key|dd_app_key).{0,40}?\\b(?<secret>[a-f0-9]{32,40})\\b"),
	R("newrelic-user-api-key", "New Relic user API key", "New Relic", "HIGH",
	  "\\b(?<secret>NRAK-[A-Z0-9]{27})\\b"),
	R("sentry-auth-token", "Sentry auth token", "Sentry", "HIGH",
	  "\\b(?<secret>sntry[su]_[A-Za-z0-9_=+/]{40,})"),
	R("grafana-api-key", "Grafana Cloud API token", "Grafana", "HIGH",
	  "\\b(?<secret>glc_[A-Za-z0-9+/]{32,400}={0,2})"),
	R("grafana-service-account-token", "Grafana service account token", "Grafana", "HIGH",
	  "\\b(?<secret>glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\\b"),
	R("contentful-token", "Contentful delivery token", "Contentful", "MEDIUM",
	  "\\b(?<secret>CFPAT-[A-Za-z0-9_\\-]{43})(?![A-Za-z0-9_\\-])"),
	R("shippo-api-token", "Shippo API token", "Shippo", "HIGH",
	  "\\b(?<secret>shippo_live_[a-f0-9]{40})\\b"),
	R("age-secret-key", "age encryption secret key", "age", "CRITICAL",
	  "\\b(?<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\\b"),

	/* Private keys */
	R("private-key-rsa", "RSA private key", "Private key", "HIGH",
	  "(?<secret>-----BEGIN RSA PRIVATE KEY-----)"),
	R("private-key-ec", "EC private key", "Private key", "HIGH",
	  "(?<secret>-----BEGIN EC PRIVATE KEY-----)"),
	R("private-key-dsa", "DSA private key", "Private key", "HIGH",
	  "(?<secret>-----BEGIN DSA PRIVATE KEY-----)"),
	R("private-key-openssh", "OpenSSH private key", "Private key", "HIGH",
	  "(?<secret>-----BEGIN OPENSSH PRIVATE KEY-----)"),
	R("private-key-pkcs8", "PKCS#8 private key", "Private key", "HIGH",
	  "(?<secret>-----BEGIN PRIVATE KEY-----)"),
	R("private-key-pkcs8-encrypted", "Encrypted PKCS#8 private key", "Private key", "MEDIUM",
	  "(?<secret>-----BEGIN ENCRYPTED PRIVATE KEY-----)"),
	R("private-key-pgp", "PGP private key block", "Private key", "HIGH",
	  "(?<secret>-----BEGIN PGP PRIVATE KEY BLOCK-----)"),
	R("private-key-putty", "PuTTY private key", "Private key", "HIGH",
	  "(?<secret>PuTTY-User-Key-File-[23]: )"),

	/* Tokens and credentials in general forms */
	R("jwt", "JSON Web Token", "JWT", "MEDIUM",
	  "\\b(?<secret>eyJ[A-Za-z0-9_\\-]{10,}\\.eyJ[A-Za-z0-9_\\-]{10,}\\.[A-Za-z0-9_\\-]{10,})"),
	R("password-in-url", "Password in a URL", "Credentials", "HIGH",
	  "\\b[a-zA-Z][a-zA-Z0-9+.\\-]{1,20}://[^\\s:/@'\"`]{1,64}:(?<secret>[^\\s:/@'\"`]{3,64})@"
	  "[A-Za-z0-9][A-Za-z0-9.\\-]*"),
	RP("netrc-password", "Password in .netrc", "Credentials", "HIGH",
	   "(?i)\\bpassword\\s+(?<secret>\\S+)", ".netrc"),
	RP("pgpass-password", "Password in .pgpass", "Credentials", "HIGH",
	   "^[^:\\s]+:[^:\\s]+:[^:\\s]+:[^:\\s]+:(?<secret>[^:\\s]+)$", ".pgpass"),
	RP("git-credentials", "Credentials in .git-credentials", "Credentials", "HIGH",
	   "https?://[^\\s:/@]+:(?<secret>[^\\s:/@]+)@", ".git-credentials"),
	RP("htpasswd-hash", "Password hash in .htpasswd", "Credentials", "MEDIUM",
	   "^[^:\\s]+:(?<secret>\\$(?:apr1|2[aby]|5|6)\\$[^\\s]+)$", ".htpasswd"),
	RG("generic-password", "Password or secret assigned in a file", "Generic", "MEDIUM",
	   "(?i)(?:password|passwd|pwd|secret|secret[_-]?key|api[_-]?key|access[_-]?token|"
	   "auth[_-]?token|client[_-]?secret)[\"']?\\s*[:=]\\s*[\"']?"
	   /* not code: no attribute access (self.x), calls or subscripts */
	   "(?![A-Za-z_]\\w*\\.[A-Za-z_])(?<secret>[^\\s\"'`;,<>{}()$\\[\\]]{"
	   "8,64})(?![(\\w:])", /* a function call or longer identifier is code */
	   3.5),
	RG("generic-api-key-env", "API key or token in an environment assignment", "Generic",
	   "MEDIUM",
	   "(?i)\\b[A-Z0-9_]*(?:API_KEY|APIKEY|TOKEN|SECRET|PASSWORD)[A-Z0-9_]*=[\"']?"
	   "(?<secret>[^\\s\"'`;,<>{}()$]{12,128})",
	   3.5),
};

const size_t hull_secret_nrules = ARRAY_SIZE(hull_secret_rules);
