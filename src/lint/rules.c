/* The rule table: one entry per hadolint rule, with hadolint's code, default severity and
 * message. Adding a rule is one line here and one function in a rules_*.c file. */
#include "rules.h"

#include "../util/strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define E HULL_LINT_ERROR
#define W HULL_LINT_WARNING
#define I HULL_LINT_INFO
#define S HULL_LINT_STYLE
#define X HULL_LINT_IGNORE

const struct lint_rule lint_rules[] = {
	{"DL1001", X,
	 "Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`.", NULL,
	 dl1001, false},
	{"DL3000", E, "Use absolute WORKDIR", NULL, dl3000, false},
	{"DL3001", I,
	 "For some bash commands it makes no sense running them in a Docker container like `ssh`, "
	 "`vim`, `shutdown`, `service`, `ps`, `free`, `top`, `kill`, `mount`, `ifconfig`",
	 dl3001, NULL, true},
	{"DL3002", W, "Last USER should not be root", NULL, dl3002, false},
	{"DL3003", W, "Use WORKDIR to switch to a directory", dl3003, NULL, false},
	{"DL3004", E,
	 "Do not use sudo as it leads to unpredictable behavior. Use a tool like gosu to enforce "
	 "root",
	 dl3004, NULL, true},
	{"DL3006", W, "Always tag the version of an image explicitly", NULL, dl3006, false},
	{"DL3007", W,
	 "Using latest is prone to errors if the image will ever update. Pin the version "
	 "explicitly "
	 "to a release tag",
	 NULL, dl3007, false},
	{"DL3008", W,
	 "Pin versions in apt get install. Instead of `apt-get install <package>` use `apt-get "
	 "install <package>=<version>`",
	 dl3008, NULL, true},
	{"DL3009", I, "Delete the apt lists (/var/lib/apt/lists) after installing something", NULL,
	 dl3009, true},
	{"DL3010", I, "Use `ADD` for extracting archives into an image", NULL, dl3010, false},
	{"DL3011", E, "Valid UNIX ports range from 0 to 65535", NULL, dl3011, false},
	{"DL3012", E, "Multiple `HEALTHCHECK` instructions", NULL, dl3012, false},
	{"DL3013", W,
	 "Pin versions in pip. Instead of `pip install <package>` use `pip install "
	 "<package>==<version>` or `pip install --requirement <requirements file>`",
	 dl3013, NULL, true},
	{"DL3014", W, "Use the `-y` switch to avoid manual input `apt-get -y install <package>`",
	 dl3014, NULL, true},
	{"DL3015", I, "Avoid additional packages by specifying `--no-install-recommends`", dl3015,
	 NULL, true},
	{"DL3016", W,
	 "Pin versions in npm. Instead of `npm install <package>` use `npm install "
	 "<package>@<version>`",
	 dl3016, NULL, true},
	{"DL3018", W,
	 "Pin versions in apk add. Instead of `apk add <package>` use `apk add "
	 "<package>=<version>`",
	 dl3018, NULL, true},
	{"DL3019", I,
	 "Use the `--no-cache` switch to avoid the need to use `--update` and remove "
	 "`/var/cache/apk/*` when done installing packages",
	 dl3019, NULL, true},
	{"DL3020", E, "Use COPY instead of ADD for files and folders", NULL, dl3020, false},
	{"DL3021", E, "COPY with more than 2 arguments requires the last argument to end with /",
	 NULL, dl3021, false},
	{"DL3022", W, "`COPY --from` should reference a previously defined `FROM` alias", NULL,
	 dl3022, false},
	{"DL3023", E, "`COPY --from` cannot reference its own `FROM` alias", NULL, dl3023, false},
	{"DL3024", E, "FROM aliases (stage names) must be unique", NULL, dl3024, false},
	{"DL3025", W, "Use arguments JSON notation for CMD and ENTRYPOINT arguments", NULL, dl3025,
	 false},
	{"DL3026", E, "Use only an allowed registry in the FROM image", NULL, dl3026, false},
	{"DL3027", W,
	 "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead",
	 dl3027, NULL, true},
	{"DL3028", W,
	 "Pin versions in gem install. Instead of `gem install <gem>` use `gem install "
	 "<gem>:<version>`",
	 dl3028, NULL, true},
	{"DL3029", W, "Do not use --platform flag with FROM", NULL, dl3029, false},
	{"DL3030", W, "Use the -y switch to avoid manual input `yum install -y <package>`", dl3030,
	 NULL, true},
	{"DL3032", W, "`yum clean all` missing after yum command.", dl3032, NULL, true},
	{"DL3033", W, "Specify version with `yum install -y <package>-<version>`.", dl3033, NULL,
	 true},
	{"DL3034", W, "Non-interactive switch missing from `zypper` command: `zypper install -y`",
	 dl3034, NULL, true},
	{"DL3035", W, "Do not use `zypper dist-upgrade`.", dl3035, NULL, true},
	{"DL3036", W, "`zypper clean` missing after zypper use.", dl3036, NULL, true},
	{"DL3037", W, "Specify version with `zypper install -y <package>=<version>`.", dl3037, NULL,
	 true},
	{"DL3038", W, "Use the -y switch to avoid manual input `dnf install -y <package>`", dl3038,
	 NULL, true},
	{"DL3040", W, "`dnf clean all` missing after dnf command.", dl3040, NULL, true},
	{"DL3041", W, "Specify version with `dnf install -y <package>-<version>`.", dl3041, NULL,
	 true},
	{"DL3042", W,
	 "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`", NULL,
	 dl3042, true},
	{"DL3043", E,
	 "`ONBUILD`, `FROM` or `MAINTAINER` triggered from within `ONBUILD` instruction.", NULL,
	 dl3043, false},
	{"DL3044", E,
	 "Do not refer to an environment variable within the same `ENV` statement where it is "
	 "defined.",
	 NULL, dl3044, false},
	{"DL3045", W, "`COPY` to a relative destination without `WORKDIR` set.", NULL, dl3045,
	 false},
	{"DL3046", W,
	 "`useradd` without flag `-l` and high UID will result in excessively large Image.", dl3046,
	 NULL, false},
	{"DL3047", I,
	 "Avoid use of wget without progress bar. Use `wget --progress=dot:giga <url>`. Or "
	 "consider using `-q` or `-nv` (shorthands for `--quiet` or `--no-verbose`).",
	 dl3047, NULL, true},
	{"DL3048", S, "Invalid label key.", NULL, dl3048, false},
	{"DL3049", I, "Label `<label>` is missing.", NULL, dl3049, false},
	{"DL3050", I, "Superfluous label(s) present.", NULL, dl3050, false},
	{"DL3051", W, "label `<label>` is empty.", NULL, dl3051, false},
	{"DL3052", W, "Label `<label>` is not a valid URL.", NULL, dl3052, false},
	{"DL3053", W, "Label `<label>` is not a valid time format - must conform to RFC3339.", NULL,
	 dl3053, false},
	{"DL3054", W, "Label `<label>` is not a valid SPDX identifier.", NULL, dl3054, false},
	{"DL3055", W, "Label `<label>` is not a valid git hash.", NULL, dl3055, false},
	{"DL3056", W, "Label `<label>` does not conform to semantic versioning.", NULL, dl3056,
	 false},
	{"DL3057", X, "`HEALTHCHECK` instruction missing.", NULL, dl3057, false},
	{"DL3058", W, "Label `<label>` is not a valid email format - must conform to RFC5322.",
	 NULL, dl3058, false},
	{"DL3059", I, "Multiple consecutive `RUN` instructions. Consider consolidation.", NULL,
	 dl3059, false},
	{"DL3060", I, "`yarn cache clean` missing after `yarn install` was run.", NULL, dl3060,
	 true},
	{"DL3061", E,
	 "Invalid instruction order. Dockerfile must begin with `FROM`, `ARG` or comment.", NULL,
	 dl3061, false},
	{"DL3062", W,
	 "Pin versions in go. Instead of `go install <package>` use `go install "
	 "<package>@<version>`",
	 dl3062, NULL, true},
	/* hadolint 2.15 */
	{"DL3063", W, "stage name should not be a reserved word", NULL, dl3063, false},
	{"DL3064", W,
	 "Potentially sensitive data should not be used in the `ARG` or `ENV` commands", NULL,
	 dl3064, true},
	{"DL3065", W,
	 "Setting `FROM --platform` to predefined `$TARGETPLATFORM` in is redundant as this is the "
	 "default behavior",
	 NULL, dl3065, false},
	{"DL3066", I, "Non-numeric user-id may not be resolvable by host system", NULL, dl3066,
	 false},
	{"DL3067", W, "Do not copy an entire filesystem from another stage", NULL, dl3067, false},
	{"DL4000", E, "MAINTAINER is deprecated", NULL, dl4000, false},
	{"DL4001", W, "Either use Wget or Curl but not both", NULL, dl4001, true},
	{"DL4003", W,
	 "Multiple `CMD` instructions found. If you list more than one `CMD` then only the last "
	 "`CMD` will take effect",
	 NULL, dl4003, false},
	{"DL4004", E,
	 "Multiple `ENTRYPOINT` instructions found. If you list more than one `ENTRYPOINT` then "
	 "only the last `ENTRYPOINT` will take effect",
	 NULL, dl4004, false},
	{"DL4005", W, "Use SHELL to change the default shell", dl4005, NULL, true},
	{"DL4006", W,
	 "Set the SHELL option -o pipefail before RUN with a pipe in it. If you are using /bin/sh "
	 "in an alpine image or if your shell is symlinked to busybox then consider explicitly "
	 "setting your SHELL to /bin/ash, or disable this check",
	 NULL, dl4006, false},
	/* hull's own rules: docs/rules/HLxxxx.md */
	{"HL1001", E, "Secret in the Dockerfile.", NULL, hl1001, true},
	{"HL1002", W, "ARG looks like a secret: build arguments are kept in the image history.",
	 NULL, hl1002, false},
	{"HL1003", W,
	 "The final stage copies the whole build context without a .dockerignore that excludes "
	 ".git, .env and keys.",
	 NULL, hl1003, false},
	{"HL1004", W, "The final stage runs as root.", NULL, hl1004, false},
	{"HL1005", I, "USER is a name: use a numeric UID.", NULL, hl1005, false},
	{"HL1006", W,
	 "ADD of a remote URL without --checksum: the download is not verified. Use ADD "
	 "--checksum=sha256:... or download and verify in RUN.",
	 NULL, hl1006, true},
	{"HL1007", W,
	 "Piping curl or wget into a shell runs unverified code: download, verify the checksum, "
	 "then run it.",
	 NULL, hl1007, true},
	{"HL1008", I, "Package cache left in the image layer.", NULL, hl1008, false},
	{"HL1009", I, "Base image is not pinned by digest.", NULL, hl1009, false},
	{"HL1010", W,
	 "COPY --from copies a build stage's source tree into the final stage: copy only the "
	 "built artefacts.",
	 NULL, hl1010, false},
};

const size_t lint_nrules = ARRAY_SIZE(lint_rules);

size_t hull_lint_rules(const struct hull_lint_rule_info **out)
{
	static struct hull_lint_rule_info info[ARRAY_SIZE(lint_rules)];
	for (size_t i = 0; i < lint_nrules; i++)
		info[i] = (struct hull_lint_rule_info){lint_rules[i].code, lint_rules[i].sev,
						       lint_rules[i].msg};
	*out = info;
	return lint_nrules;
}

void lint_add(struct hull_lint_result *res, const char *file, int line, int col, const char *code,
	      enum hull_lint_sev sev, const char *msg)
{
	ALLOC_GROW(res->v, res->n + 1, res->cap);
	struct hull_lint_finding *f = &res->v[res->n++];
	memset(f, 0, sizeof(*f));
	f->file = file;
	f->line = line;
	f->col = col;
	size_t n = strnlen(code, sizeof(f->code) - 1);
	memcpy(f->code, code, n); /* f is zeroed: the code stays terminated */
	f->sev = sev;
	f->msg = xstrdup(msg);
}

void lint_fail(struct lint_ctx *c, int line)
{
	lint_add(c->res, c->file, line, 1, c->rule->code, c->rule->sev, c->rule->msg);
}

void lint_failf(struct lint_ctx *c, int line, const char *fmt, ...)
{
	char small[512]; /* most messages: formatted here, copied once by lint_add */
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(small)) {
		lint_add(c->res, c->file, line, 1, c->rule->code, c->rule->sev, small);
		return;
	}
	struct strbuf sb = STRBUF_INIT;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	lint_add(c->res, c->file, line, 1, c->rule->code, c->rule->sev, sb.buf ? sb.buf : "");
	strbuf_release(&sb);
}

/* RUN <<EOF ... EOF: the heredoc bodies are the script; otherwise the command line. */
static const char *run_text(struct df_doc *doc, const struct df_inst *in)
{
	if (in->json) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < in->argc; i++) {
			if (i)
				strbuf_addch(&sb, ' ');
			strbuf_adds(&sb, in->argv[i]);
		}
		const char *r = arena_strndup(&doc->arena, sb.buf ? sb.buf : "", sb.len);
		strbuf_release(&sb);
		return r;
	}
	if (in->nheredocs && !strncmp(in->args, "<<", 2)) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t h = 0; h < in->nheredocs; h++)
			if (in->heredocs[h].body) /* NULL in ONBUILD triggers */
				strbuf_adds(&sb, in->heredocs[h].body);
		const char *r = arena_strndup(&doc->arena, sb.buf ? sb.buf : "", sb.len);
		strbuf_release(&sb);
		return r;
	}
	return in->args;
}

const struct sh_script *lint_shell(struct lint_ctx *c, const struct df_inst *in)
{
	struct df_inst *m = (struct df_inst *)in; /* the cache is not part of the model */
	if (!m->shell) {
		struct sh_script *s = arena_alloc(&c->doc->arena, sizeof(*s));
		sh_parse(&c->doc->arena, run_text(c->doc, in), s);
		m->shell = s;
	}
	return m->shell;
}

static const char *const archive_ext[] = {".tar",  ".Z",   ".bz2", ".gz",  ".lz",
					  ".lzma", ".tZ",  ".tb2", ".tbz", ".tbz2",
					  ".tgz",  ".tlz", ".tpz", ".txz", ".xz"};

bool lint_is_archive(const char *path)
{
	size_t n = strlen(path);
	while (n && (path[n - 1] == '"' || path[n - 1] == '\''))
		n--;
	for (size_t i = 0; i < ARRAY_SIZE(archive_ext); i++) {
		size_t el = strlen(archive_ext[i]);
		if (n >= el && !memcmp(path + n - el, archive_ext[i], el))
			return true;
	}
	return false;
}

/* A --mount option list without its quotes and backslashes, as BuildKit reads it. */
static char *mount_unquoted(struct arena *a, const char *mount)
{
	char *m = arena_alloc(a, strlen(mount) + 1), *w = m;
	for (const char *p = mount; *p; p++)
		if (*p != '"' && *p != '\'' && *p != '\\')
			*w++ = *p;
	*w = '\0';
	return m;
}

/* As BuildKit reads a --mount option list: quotes and backslashes go, the fields are split
 * at commas, keys are case-insensitive, and of the fields whose key is one of keys (names
 * of the same option) the last one counts. */
static const char *mount_opt(struct arena *a, const char *mount, const char *const *keys)
{
	char *m = mount_unquoted(a, mount);
	const char *val = NULL;
	size_t vlen = 0;
	for (char *f = m; f;) {
		char *comma = strchr(f, ',');
		size_t fl = comma ? (size_t)(comma - f) : strlen(f);
		for (const char *const *k = keys; *k; k++) {
			size_t kl = strlen(*k);
			if (fl > kl && !strncasecmp(f, *k, kl) && f[kl] == '=') {
				val = f + kl + 1;
				vlen = fl - kl - 1;
			}
		}
		f = comma ? comma + 1 : NULL;
	}
	return val ? arena_strndup(a, val, vlen) : NULL;
}

const char *lint_mount_canon(struct arena *a, const char *mount)
{
	static const char *const alias[][2] = {{"dst", "target"},
					       {"destination", "target"},
					       {"src", "source"},
					       {"ro", "readonly"}};
	char *m = mount_unquoted(a, mount);
	/* the fields, "key=value" with the key lower case and under its main name */
	size_t n = 1;
	for (const char *p = m; *p; p++)
		n += *p == ',';
	char **f = arena_alloc(a, n * sizeof(*f));
	size_t k = 0;
	for (char *p = m; p; k++) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		size_t kl = strcspn(p, "=");
		for (size_t i = 0; i < kl; i++)
			p[i] = (char)tolower((unsigned char)p[i]);
		const char *key = arena_strndup(a, p, kl), *val = p[kl] ? p + kl + 1 : NULL;
		for (size_t i = 0; i < ARRAY_SIZE(alias); i++)
			if (streq(key, alias[i][0]))
				key = alias[i][1];
		if (streq(key, "type") && val) {
			char *t = arena_strdup(a, val);
			for (char *q = t; *q; q++)
				*q = (char)tolower((unsigned char)*q);
			val = t;
		}
		size_t len = strlen(key) + (val ? strlen(val) + 1 : 0) + 1;
		f[k] = arena_alloc(a, len);
		snprintf(f[k], len, val ? "%s=%s" : "%s", key, val ? val : "");
		p = comma ? comma + 1 : NULL;
	}
	/* the last field of each key counts: keep it, then sort */
	size_t u = 0;
	for (size_t i = 0; i < k; i++) {
		size_t kl = strcspn(f[i], "="), j = i + 1;
		while (j < k && (strcspn(f[j], "=") != kl || strncmp(f[i], f[j], kl)))
			j++;
		if (j == k && f[i][0])
			f[u++] = f[i];
	}
	qsort(f, u, sizeof(*f), hull_strcmp_p);
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < u; i++)
		strbuf_addf(&sb, "%s%s", i ? "," : "", f[i]);
	const char *out = arena_strdup(a, sb.buf ? sb.buf : "");
	strbuf_release(&sb);
	return out;
}

const char *lint_mount_opt(struct arena *a, const char *mount, const char *key)
{
	const char *keys[] = {key, NULL};
	return mount_opt(a, mount, keys);
}

/* t (a mount target) against a cache directory dir: dir itself, below it (unless
 * LINT_MOUNT_EXACT) or above it (with LINT_MOUNT_ABOVE). A dir starting with '*' is a path
 * under any home directory ("*" "/.cache/pip"); above it is then a target ending with one
 * of its leading components ("/.cache"). */
static bool target_matches(const char *t, const char *dir, unsigned how)
{
	size_t tl = strlen(t);
	while (tl > 1 && t[tl - 1] == '/')
		tl--;
	bool above = how & LINT_MOUNT_ABOVE, below = !(how & LINT_MOUNT_EXACT);
	if (dir[0] == '*') {
		const char *d = dir + 1;
		size_t dl = strlen(d);
		for (size_t k = 1; k <= dl; k++)
			if ((k == dl || (above && d[k] == '/')) && tl >= k &&
			    !memcmp(t + tl - k, d, k))
				return true;
		for (const char *p = t; below && (p = strstr(p, d)) && p + dl < t + tl; p++)
			if (p[dl] == '/')
				return true;
		return false;
	}
	size_t dl = strlen(dir);
	if (tl <= dl && !memcmp(dir, t, tl) && (tl == dl || (above && tl > 1 && dir[tl] == '/')))
		return true;
	return below && tl > dl && !memcmp(t, dir, dl) && t[dl] == '/';
}

bool lint_cache_mount(struct lint_ctx *c, const struct df_inst *in, const char *dir, unsigned how)
{
	struct arena *a = &c->doc->arena;
	for (size_t i = 0; i < in->nflags; i++) {
		const char *m = in->flags[i].value;
		if (strcmp(in->flags[i].name, "mount") || !m)
			continue;
		const char *type = lint_mount_opt(a, m, "type");
		if (!type || !(!strcasecmp(type, "cache") ||
			       ((how & LINT_MOUNT_TMPFS) && !strcasecmp(type, "tmpfs"))))
			continue;
		/* BuildKit's names of the target; the last one given counts */
		const char *t = mount_opt(a, m, LIST("target", "dst", "destination"));
		if (t && target_matches(t, dir, how))
			return true;
	}
	return false;
}

bool lint_truthy(const char *v)
{
	static const char *const t[] = {"1",  "true", "True", "TRUE", "on",
					"On", "ON",   "yes",  "Yes",  "YES"};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (streq(v, t[i]))
			return true;
	return false;
}
