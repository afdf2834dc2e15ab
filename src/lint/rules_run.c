/* Rules that look at one RUN's commands: package managers (pinning, -y, caches) and
 * commands that make no sense in an image. Each returns false when the RUN fails it. */
#include "rules.h"

#include <ctype.h>
#include <string.h>

#define ARENA (&c->doc->arena)

static bool contains(const char *s, const char *sub)
{
	return strstr(s, sub) != NULL;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !memcmp(s + n - m, suf, m);
}

static bool starts_with(const char *s, const char *pre)
{
	return !strncmp(s, pre, strlen(pre));
}

/* Is list a contiguous run of c's arguments (Haskell's isInfixOf on lists)? */
static bool args_infix(const struct sh_cmd *cmd, const char *const *list)
{
	size_t m = 0;
	while (list[m])
		m++;
	for (size_t i = 0; i + m <= cmd->nargs; i++) {
		size_t k = 0;
		while (k < m && streq(cmd->args[i + k], list[k]))
			k++;
		if (k == m)
			return true;
	}
	return false;
}

RULE_RUN(dl3001)
{
	(void)c, (void)in;
	static const char *const bad[] = {"free",     "kill", "mount", "ps", "service",
					  "shutdown", "ssh",  "top",   "vim"};
	for (size_t i = 0; i < s->ncmds; i++)
		for (size_t k = 0; k < ARRAY_SIZE(bad); k++)
			if (streq(s->cmds[i].name, bad[k]))
				return false;
	return true;
}

RULE_RUN(dl3003)
{
	(void)c, (void)in;
	return !sh_uses(s, "cd");
}

RULE_RUN(dl3004)
{
	(void)c, (void)in;
	return !sh_uses(s, "sudo");
}

RULE_RUN(dl3027)
{
	(void)c, (void)in;
	return !sh_uses(s, "apt");
}

/* Packages of "NAME ... SUBCMD pkgs" commands: non-flag arguments except the listed
 * subcommand words, after dropping the values of the given flags. */
static size_t packages(struct lint_ctx *c, const struct sh_cmd *cmd, const char *const *drop,
		       const char *const *skip, const char ***out)
{
	const char **v;
	size_t n = sh_plain_args(ARENA, cmd, drop, &v), m = 0;
	for (size_t i = 0; i < n; i++) {
		bool sk = false;
		for (const char *const *k = skip; *k; k++)
			sk |= streq(v[i], *k);
		if (!sk)
			v[m++] = v[i];
	}
	*out = v;
	return m;
}

RULE_RUN(dl3008)
{
	(void)in;
	for (size_t i = 0; i < s->ncmds; i++) {
		if (!sh_has_args(&s->cmds[i], "apt-get", LIST("install")))
			continue;
		const char **p;
		size_t n =
			packages(c, &s->cmds[i], LIST("t", "target-release"), LIST("install"), &p);
		for (size_t k = 0; k < n; k++)
			if (!contains(p[k], "=") && !contains(p[k], "/") &&
			    !ends_with(p[k], ".deb"))
				return false;
	}
	return true;
}

static bool is_pip_install(const struct sh_cmd *cmd)
{
	if (starts_with(cmd->name, "pip") && !starts_with(cmd->name, "pipenv") &&
	    args_infix(cmd, LIST("install")))
		return true;
	return starts_with(cmd->name, "python") && args_infix(cmd, LIST("-m", "pip", "install"));
}

static const char *const vcs_schemes[] = {
	"git+file", "git+https", "git+ssh",   "git+http", "git+git",	    "git",
	"hg+file",  "hg+http",	 "hg+https",  "hg+ssh",	  "hg+static-http", "svn",
	"svn+svn",  "svn+http",	 "svn+https", "svn+ssh",  "bzr+http",	    "bzr+https",
	"bzr+ssh",  "bzr+sftp",	 "bzr+ftp",   "bzr+lp",
};

static bool pip_pinned(const char *p)
{
	static const char *const sym[] = {"==", ">=", "<=", ">", "<", "!=", "~=", "==="};
	for (size_t i = 0; i < ARRAY_SIZE(sym); i++)
		if (contains(p, sym[i]))
			return true;
	bool vcs = false;
	for (size_t i = 0; i < ARRAY_SIZE(vcs_schemes); i++)
		vcs |= starts_with(p, vcs_schemes[i]);
	if (vcs && contains(p, "@"))
		return true;
	if (ends_with(p, ".whl") || ends_with(p, ".tar.gz"))
		return true;
	return !vcs && contains(p, "/");
}

RULE_RUN(dl3013)
{
	(void)in;
	static const char *const drop[] = {"abi",
					   "b",
					   "build",
					   "e",
					   "editable",
					   "extra-index-url",
					   "f",
					   "find-links",
					   "i",
					   "index-url",
					   "implementation",
					   "no-binary",
					   "only-binary",
					   "platform",
					   "prefix",
					   "progress-bar",
					   "proxy",
					   "python",
					   "python-version",
					   "root",
					   "root-user-action",
					   "src",
					   "t",
					   "target",
					   "trusted-host",
					   "upgrade-strategy",
					   NULL};
	for (size_t i = 0; i < s->ncmds; i++) {
		const struct sh_cmd *cmd = &s->cmds[i];
		if (!is_pip_install(cmd) || sh_has_flag(cmd, "constraint") || sh_has_flag(cmd, "c"))
			continue;
		if (sh_has_arg(cmd, "--requirement") || sh_has_arg(cmd, "-r") ||
		    sh_has_arg(cmd, "."))
			continue;
		const char **v;
		size_t n = sh_plain_args(ARENA, cmd, drop, &v), k = 0;
		while (k < n && strcmp(v[k], "install"))
			k++;
		while (k < n && streq(v[k], "install"))
			k++;
		for (; k < n; k++)
			if (!pip_pinned(v[k]))
				return false;
	}
	return true;
}

/* apt-get's quiet level: each -q (-qq counts two), --quiet, -q=N or --quiet=N. Level 2
 * implies --yes. */
static long quiet_level(const struct sh_cmd *cmd)
{
	long q = 0;
	for (size_t i = 0; i < cmd->nargs; i++) {
		const char *a = cmd->args[i];
		if (streq(a, "--"))
			break;
		if (starts_with(a, "--quiet=") || starts_with(a, "-q="))
			q += strtol(strchr(a, '=') + 1, NULL, 10);
		else if (streq(a, "--quiet"))
			q++;
		else if (a[0] == '-' && a[1] != '-')
			for (const char *p = a + 1; *p; p++)
				q += *p == 'q';
	}
	return q;
}

RULE_RUN(dl3014)
{
	(void)c, (void)in;
	for (size_t i = 0; i < s->ncmds; i++)
		if (sh_has_args(&s->cmds[i], "apt-get", LIST("install")) &&
		    !sh_has_any_flag(&s->cmds[i], LIST("y", "yes", "assume-yes")) &&
		    quiet_level(&s->cmds[i]) < 2)
			return false;
	return true;
}

RULE_RUN(dl3015)
{
	(void)c, (void)in;
	for (size_t i = 0; i < s->ncmds; i++)
		if (sh_has_args(&s->cmds[i], "apt-get", LIST("install")) &&
		    !sh_has_flag(&s->cmds[i], "no-install-recommends") &&
		    !sh_has_arg(&s->cmds[i], "APT::Install-Recommends=false"))
			return false;
	return true;
}

static bool npm_pinned(const char *p)
{
	static const char *const git[] = {"git://", "git+ssh://", "git+http://", "git+https://"};
	for (size_t i = 0; i < ARRAY_SIZE(git); i++)
		if (starts_with(p, git[i]))
			return contains(p, "#");
	if (ends_with(p, ".tar") || ends_with(p, ".tar.gz") || ends_with(p, ".tgz"))
		return true;
	if (starts_with(p, "/") || starts_with(p, "./") || starts_with(p, "../") ||
	    starts_with(p, "~/"))
		return true;
	if (p[0] == '@') /* a scope: look for the version after "@scope/" */
		while (*p && (unsigned char)*p > '/')
			p++;
	return contains(p, "@");
}

RULE_RUN(dl3016)
{
	(void)in;
	for (size_t i = 0; i < s->ncmds; i++) {
		const struct sh_cmd *cmd = &s->cmds[i];
		if (!sh_has_args(cmd, "npm", LIST("install")))
			continue;
		const char **v;
		/* the values of --loglevel X and --registry X are not packages */
		size_t n = sh_plain_args(ARENA, cmd, LIST("loglevel", "registry"), &v), k = 0;
		if (!n || strcmp(v[0], "install"))
			continue;
		while (k < n && streq(v[k], "install"))
			k++;
		for (; k < n; k++)
			if (!npm_pinned(v[k]))
				return false;
	}
	return true;
}

RULE_RUN(dl3018)
{
	(void)in;
	for (size_t i = 0; i < s->ncmds; i++) {
		if (!sh_has_args(&s->cmds[i], "apk", LIST("add")))
			continue;
		const char **p;
		size_t n = packages(c, &s->cmds[i], LIST("t", "virtual", "repository", "X"),
				    LIST("add"), &p);
		for (size_t k = 0; k < n; k++)
			if (!contains(p[k], "=") && !contains(p[k], "~") && !contains(p[k], ">") &&
			    !contains(p[k], "<") && !ends_with(p[k], ".apk"))
				return false;
	}
	return true;
}

RULE_RUN(dl3019)
{
	if (lint_cache_mount(c, in, "/var/cache/apk", LINT_MOUNT_TMPFS))
		return true;
	for (size_t i = 0; i < s->ncmds; i++)
		if (sh_has_args(&s->cmds[i], "apk", LIST("add")) &&
		    !sh_has_flag(&s->cmds[i], "no-cache"))
			return false;
	return true;
}

/* Whether a gem install option stands alone: "--opt=value", or one of the options that
 * take no value in RubyGems' "gem help install" (short ones may be bundled: -lN). After
 * any other option, known or not, the next word is its value, as hadolint reads them all
 * ("--use-system-libraries true"); so "--no-document bundler" still names a gem. */
static bool gem_option_alone(const char *a)
{
	if (strchr(a, '='))
		return true;
	if (a[1] != '-')
		return a[1] && !a[1 + strspn(a + 1, "NEfwlrbVqh")];
	return sh_is_any(a + 2,
			 LIST("local", "remote", "both", "clear-sources", "verbose", "no-verbose",
			      "quiet", "silent", "backtrace", "debug", "norc", "help", "vendor",
			      "no-document", "env-shebang", "no-env-shebang", "force", "no-force",
			      "wrappers", "no-wrappers", "ignore-dependencies", "format-executable",
			      "no-format-executable", "user-install", "no-user-install",
			      "development", "development-all", "conservative", "minimal-deps",
			      "post-install-message", "no-post-install-message", "default",
			      "explain", "lock", "no-lock", "suggestions", "no-suggestions",
			      "prerelease", "no-prerelease", "no-http-proxy"));
}

RULE_RUN(dl3028)
{
	(void)c, (void)in;
	for (size_t i = 0; i < s->ncmds; i++) {
		const struct sh_cmd *cmd = &s->cmds[i];
		if (!sh_has_args(cmd, "gem", LIST("install", "i")) || sh_has_arg(cmd, "-v") ||
		    sh_has_arg(cmd, "--version") || sh_has_prefix_arg(cmd, "gem", "--version="))
			continue;
		/* after "--", the arguments are the gem's build options */
		bool value = false;
		for (size_t k = 0; k < cmd->nargs && strcmp(cmd->args[k], "--"); k++) {
			const char *a = cmd->args[k];
			if (value || streq(a, "install") || streq(a, "i")) {
				value = false;
				continue;
			}
			if (sh_is_flag(a))
				value = !gem_option_alone(a);
			else if (!contains(a, ":"))
				return false;
		}
	}
	return true;
}

RULE_RUN(dl3030)
{
	(void)c, (void)in;
	for (size_t i = 0; i < s->ncmds; i++)
		if (sh_has_args(&s->cmds[i], "yum",
				LIST("install", "groupinstall", "localinstall")) &&
		    !sh_has_any_flag(&s->cmds[i], LIST("y", "assumeyes")))
			return false;
	return true;
}

/* A cache the RUN mounts (cache or tmpfs) instead of leaving it in the layer. */
static bool cache_mounted(struct lint_ctx *c, const struct df_inst *in, const char *const *dirs)
{
	for (; *dirs; dirs++)
		if (lint_cache_mount(c, in, *dirs, LINT_MOUNT_TMPFS | LINT_MOUNT_ABOVE))
			return true;
	return false;
}

/* "name clean all": both words, as hadolint's stricter cleanup match wants ("yum clean"
 * alone is not enough). */
static bool clean_all(const struct sh_cmd *cmd, const char *name)
{
	return streq(cmd->name, name) && sh_has_arg(cmd, "clean") && sh_has_arg(cmd, "all");
}

/* rm -r of one of dirs (any spelling of the recursive flag). */
static bool rm_dir(const struct sh_cmd *cmd, const char *const *dirs)
{
	if (!streq(cmd->name, "rm"))
		return false;
	bool rec = false, hit = false;
	for (size_t i = 0; i < cmd->nargs; i++) {
		const char *a = cmd->args[i];
		if (a[0] == '-' && a[1] != '-')
			rec |= strchr(a, 'r') || strchr(a, 'R');
		rec |= streq(a, "--recursive");
		for (const char *const *d = dirs; *d; d++)
			hit |= streq(a, *d);
	}
	return rec && hit;
}

/* yum/dnf: the same tool's "clean all", or rm -r of one of dirs */
static bool rpm_clean(const struct sh_cmd *cmd, const char *name, const char *const *dirs)
{
	return clean_all(cmd, name) || rm_dir(cmd, dirs);
}

/* A cleanup (the first kind of command hadolint's findCommandIndex looks for) comes after
 * the last command that installs (name with one of verbs); true when nothing is installed.
 * "clean; install; clean" is fine, "install; clean; install" leaves a cache. */
static bool cleaned_after(const struct sh_script *s, const char *name, const char *const *verbs,
			  bool (*cleans)(const struct sh_cmd *, const char *, const char *const *),
			  const char *const *what)
{
	long inst = -1, clean = -1;
	for (size_t i = 0; i < s->ncmds; i++) {
		const struct sh_cmd *cmd = &s->cmds[i];
		if (sh_has_args(cmd, name, verbs))
			inst = (long)i;
		if (cleans(cmd, name, what))
			clean = (long)i;
	}
	return inst < 0 || inst < clean;
}

RULE_RUN(dl3032)
{
	if (cache_mounted(c, in, LIST("/var/cache/yum")))
		return true;
	return cleaned_after(s, "yum", LIST("install"), rpm_clean,
			     LIST("/var/cache/yum/*", "/var/cache/yum"));
}

/* yum/dnf: packages of "install" commands, module streams of "module install". */
static bool rpm_pinned(struct lint_ctx *c, const struct sh_script *s, const char *const *names,
		       const char *const *other, bool (*pkg_ok)(const char *))
{
	for (size_t i = 0; i < s->ncmds; i++) {
		const struct sh_cmd *cmd = &s->cmds[i];
		bool named = false, is_module = false, is_other = false, install = false;
		for (const char *const *nm = names; *nm; nm++) {
			named |= streq(cmd->name, *nm);
			install |= sh_has_args(cmd, *nm, LIST("install"));
			is_module |= sh_has_args(cmd, *nm, LIST("module"));
			is_other |= sh_has_args(cmd, *nm, other);
		}
		if (!named || !install)
			continue;
		const char **p;
		size_t n = packages(c, cmd, NULL, LIST("install", "module"), &p);
		for (size_t k = 0; k < n; k++) {
			if (is_module && !contains(p[k], ":"))
				return false;
			if (!is_module && !is_other && !pkg_ok(p[k]))
				return false;
		}
	}
	return true;
}

/* hadolint: "name-1.2.3": after the first '-', every part is made of version characters
 * and one of them starts with a digit. */
static bool rpm_pkg_ok(const char *p)
{
	const char *dash = strchr(p, '-');
	if (!dash)
		return false;
	/* the splitter reads every expansion as "${VAR}": "git-core-${GIT_VER}" */
	if (ends_with(p, ".rpm") || contains(p, "-${VAR}"))
		return true;
	bool digit = false;
	for (const char *q = dash + 1;; q++) {
		if (q[-1] == '-' && isdigit((unsigned char)*q))
			digit = true;
		if (!*q)
			break;
		if (*q != '-' && !isalnum((unsigned char)*q) && !strchr(".~^_:+", *q))
			return false;
	}
	return digit;
}

RULE_RUN(dl3033)
{
	(void)in;
	return rpm_pinned(c, s, LIST("yum"), LIST("module"), rpm_pkg_ok);
}

RULE_RUN(dl3034)
{
	(void)c, (void)in;
	for (size_t i = 0; i < s->ncmds; i++)
		if (sh_has_args(&s->cmds[i], "zypper",
				LIST("install", "in", "remove", "rm", "source-install", "si",
				     "patch")) &&
		    !sh_has_any_flag(&s->cmds[i], LIST("non-interactive", "n", "no-confirm", "y")))
			return false;
	return true;
}

RULE_RUN(dl3035)
{
	(void)c, (void)in;
	return !sh_any_has_args(s, "zypper", LIST("dist-upgrade", "dup"));
}

RULE_RUN(dl3036)
{
	if (cache_mounted(c, in, LIST("/var/cache/zypp")))
		return true;
	/* zypper's cleanup: "zypper clean" or "zypper cc" */
	return cleaned_after(s, "zypper", LIST("install", "in"), sh_has_args, LIST("clean", "cc"));
}

RULE_RUN(dl3037)
{
	(void)in;
	for (size_t i = 0; i < s->ncmds; i++) {
		if (!sh_has_args(&s->cmds[i], "zypper", LIST("install", "in")))
			continue;
		const char **p;
		size_t n = packages(c, &s->cmds[i], NULL, LIST("install", "in"), &p);
		for (size_t k = 0; k < n; k++)
			if (!contains(p[k], "=") && !contains(p[k], ">") && !contains(p[k], "<") &&
			    !ends_with(p[k], ".rpm"))
				return false;
	}
	return true;
}

RULE_RUN(dl3038)
{
	(void)c, (void)in;
	static const char *const inst[] = {"install", "groupinstall", "localinstall", NULL};
	for (size_t i = 0; i < s->ncmds; i++)
		if ((sh_has_args(&s->cmds[i], "dnf", inst) ||
		     sh_has_args(&s->cmds[i], "microdnf", inst)) &&
		    !sh_has_any_flag(&s->cmds[i], LIST("y", "assumeyes")))
			return false;
	return true;
}

RULE_RUN(dl3040)
{
	/* dnf5's system and user caches (hadolint 2.15.1), dnf4's and yum's */
	static const char *const caches[] = {"/var/cache/libdnf5", "*/.cache/libdnf5",
					     "/var/cache/dnf", "/var/cache/yum", NULL};
	static const char *const removed[] = {"/var/cache/yum/*",
					      "/var/cache/yum",
					      "/var/cache/dnf/*",
					      "/var/cache/dnf",
					      "/var/cache/libdnf5/*",
					      "/var/cache/libdnf5",
					      NULL};
	/* the commands that download packages into the cache, with their short forms */
	static const char *const verbs[] = {
		"install", "in",	"upgrade", "up", "upgrade-minimal",
		"up-min",  "reinstall", "rei",	   NULL};
	if (cache_mounted(c, in, caches))
		return true;
	return cleaned_after(s, "dnf", verbs, rpm_clean, removed) &&
	       cleaned_after(s, "microdnf", verbs, rpm_clean, removed);
}

RULE_RUN(dl3041)
{
	(void)in;
	return rpm_pinned(c, s, LIST("dnf", "microdnf"), LIST("module", "group"), rpm_pkg_ok);
}

/* Is a value of -u / --uid (the next argument, or after '=' in the long form) longer than
 * 5 characters? Every one counts, as in hadolint. */
static bool long_uid(const struct sh_cmd *cmd)
{
	for (size_t i = 0; i < cmd->nargs; i++) {
		const char *a = cmd->args[i], *v = NULL;
		if (starts_with(a, "--uid="))
			v = a + 6;
		else if ((streq(a, "--uid") || (a[0] == '-' && a[1] != '-' && strchr(a, 'u'))) &&
			 i + 1 < cmd->nargs)
			v = cmd->args[i + 1];
		if (v && strlen(v) > 5)
			return true;
	}
	return false;
}

RULE_RUN(dl3046)
{
	(void)c, (void)in;
	for (size_t i = 0; i < s->ncmds; i++) {
		const struct sh_cmd *cmd = &s->cmds[i];
		if (strcmp(cmd->name, "useradd") ||
		    sh_has_any_flag(cmd, LIST("l", "no-log-init")) ||
		    !sh_has_any_flag(cmd, LIST("u", "uid")))
			continue;
		if (long_uid(cmd))
			return false;
	}
	return true;
}

RULE_RUN(dl3047)
{
	(void)c, (void)in;
	for (size_t i = 0; i < s->ncmds; i++) {
		const struct sh_cmd *cmd = &s->cmds[i];
		if (strcmp(cmd->name, "wget"))
			continue;
		if (sh_has_any_flag(cmd, LIST("progress", "q", "quiet", "o", "output-file", "a",
					      "append-output", "no-verbose")) ||
		    sh_has_arg(cmd, "-nv"))
			continue;
		return false;
	}
	return true;
}

RULE_RUN(dl3062)
{
	(void)in;
	for (size_t i = 0; i < s->ncmds; i++) {
		const struct sh_cmd *cmd = &s->cmds[i];
		if (strcmp(cmd->name, "go"))
			continue;
		const char **v;
		size_t n = sh_plain_args(ARENA, cmd, NULL, &v);
		if (n < 2 ||
		    (strcmp(v[0], "install") && strcmp(v[0], "get") && strcmp(v[0], "run")))
			continue;
		/* go run takes the program's own arguments after the package */
		size_t last = streq(v[0], "run") ? 2 : n;
		for (size_t k = 1; k < last; k++) {
			const char *p = v[k];
			/* local packages; "go install tool": the tools go.mod pins */
			if (p[0] == '.' || p[0] == '/' || (k == 1 && streq(p, "tool")))
				continue;
			const char *at = strrchr(p, '@');
			if (!at || streq(at, "@latest") || streq(at, "@none"))
				return false;
		}
	}
	return true;
}

RULE_RUN(dl4005)
{
	(void)c, (void)in;
	return !sh_any_has_args(s, "ln", LIST("/bin/sh"));
}
