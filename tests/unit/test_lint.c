/* Unit tests for src/lint: the Dockerfile parser (directives, continuations, heredocs,
 * flags, forms, pairs, images, expansion) and the RUN command splitter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lint/dockerfile.h"
#include "lint/lint.h"
#include "lint/shell.h"

#include <string.h>
#include <unistd.h>

static void parse(struct df_doc *d, const char *text)
{
	struct hull_err err = {0};
	assert_int_equal(df_parse(d, text, strlen(text), "Dockerfile", &err), 0);
	assert_null(err.msg);
}

static void test_continuations(void **state)
{
	(void)state;
	struct df_doc d;
	parse(&d, "FROM a:1\nRUN apt-get update \\\n  # comment\n\n  && ls\nCMD [\"x\", \"y\"]\n");
	assert_int_equal(d.n, 3);
	assert_int_equal(d.insts[1].kind, DF_RUN);
	assert_int_equal(d.insts[1].line, 2);
	assert_int_equal(d.insts[1].end_line, 5);
	assert_string_equal(d.insts[1].args, "apt-get update   && ls");
	assert_true(d.insts[2].json);
	assert_int_equal(d.insts[2].argc, 2);
	assert_null(d.err_msg);
	df_free(&d);
}

static void test_escape_directive(void **state)
{
	(void)state;
	struct df_doc d;
	parse(&d, "# escape=`\n# syntax=docker/dockerfile:1\nFROM a\nRUN dir `\n  c:\\\n");
	assert_int_equal(d.escape, '`');
	assert_int_equal(d.ndirectives, 2);
	assert_string_equal(d.insts[3].args, "dir   c:\\");
	df_free(&d);
}

static void test_heredocs(void **state)
{
	(void)state;
	struct df_doc d;
	parse(&d, "FROM a\nRUN <<EOF <<-'TWO'\nls\nEOF\n\tpwd\n\tTWO\nCOPY <<X /p\nhi\nX\nCMD x\n");
	const struct df_inst *run = &d.insts[1];
	assert_int_equal(run->nheredocs, 2);
	assert_string_equal(run->heredocs[0].body, "ls\n");
	assert_string_equal(run->heredocs[1].body, "pwd\n");
	assert_true(run->heredocs[1].quoted && run->heredocs[1].strip_tabs);
	assert_int_equal(run->end_line, 6);
	assert_int_equal(d.insts[2].kind, DF_COPY);
	assert_string_equal(d.insts[2].argv[0], "<<X");
	assert_int_equal(d.insts[3].line, 10);
	df_free(&d);
	parse(&d, "FROM a\nRUN <<EOF\nls\n");
	assert_non_null(d.err_msg);
	assert_int_equal(d.err_line, 2);
	df_free(&d);
}

static void test_from_flags_pairs(void **state)
{
	(void)state;
	struct df_doc d;
	parse(&d, "ARG V=1\nFROM --platform=linux/arm64 reg.io:5000/ns/img:1.2@sha256:ab AS b\n"
		  "COPY --from=b --chmod=755 --link a /b/\nENV A=\"x y\" B='z' C=w\\ v\n"
		  "LABEL legacy value with spaces\nONBUILD RUN ls\nRUN "
		  "--mount=type=cache,target=/x ls\n");
	const struct df_inst *f = &d.insts[1];
	assert_string_equal(f->platform, "linux/arm64");
	assert_string_equal(f->registry, "reg.io:5000");
	assert_string_equal(f->name, "ns/img");
	assert_string_equal(f->tag, "1.2");
	assert_string_equal(f->digest, "sha256:ab");
	assert_string_equal(f->alias, "b");
	assert_string_equal(df_flag(&d.insts[2], "from"), "b");
	assert_string_equal(df_flag(&d.insts[2], "link"), "");
	assert_string_equal(df_pair(&d.insts[3], "A"), "x y");
	assert_string_equal(df_pair(&d.insts[3], "B"), "z");
	assert_string_equal(df_pair(&d.insts[3], "C"), "w v");
	assert_string_equal(df_pair(&d.insts[4], "legacy"), "value with spaces");
	assert_int_equal(d.insts[5].sub->kind, DF_RUN);
	assert_string_equal(df_flag(&d.insts[6], "mount"), "type=cache,target=/x");
	assert_string_equal(df_pair(&d.insts[0], "V"), "1");
	df_free(&d);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct df_doc d;
	struct hull_err err = {0};
	assert_int_equal(df_parse(&d, "FROM a\n\xc3(", 9, "F", &err), HULL_EINPUT);
	assert_string_equal(err.msg, "F:2:1: invalid UTF-8");
	hull_err_clear(&err);
	df_free(&d);
	parse(&d, "FROM a\nNOPE x\n");
	assert_string_equal(d.err_msg, "unknown instruction: NOPE");
	assert_int_equal(d.err_line, 2);
	df_free(&d);
	parse(&d, "FROM a\nRUN ls \\");
	assert_int_equal(d.n, 2);
	assert_null(d.err_msg);
	df_free(&d);
}

static const char *vars(void *ctx, const char *name)
{
	(void)ctx;
	return !strcmp(name, "SET") ? "v" : !strcmp(name, "EMPTY") ? "" : NULL;
}

static void test_expand(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	assert_string_equal(
		df_expand(&a, "$SET-${SET}-${UNSET:-d}-${EMPTY:-e}-${EMPTY-f}", vars, NULL),
		"v-v-d-e-");
	assert_string_equal(df_expand(&a, "${SET:+x}${UNSET:+y}${UNSET:-${SET:-z}}", vars, NULL),
			    "xv");
	assert_string_equal(df_expand(&a, "\\$SET $", vars, NULL), "$SET $");
	arena_free(&a);
}

static void test_shell(void **state)
{
	(void)state;
	struct arena a = ARENA_INIT;
	struct sh_script s;
	sh_parse(&a,
		 "A=1 apt-get install -y \"x y\" 2>&1 >/dev/null && (cd /t; ls $(which sh))"
		 " | grep -q 'z' || sudo rm -rf /var/lib/apt/lists/*",
		 &s);
	assert_true(s.has_pipe);
	assert_int_equal(s.ncmds, 6);
	assert_string_equal(s.cmds[0].name, "apt-get");
	assert_int_equal(s.cmds[0].nargs, 3);
	assert_string_equal(s.cmds[0].args[2], "x y");
	assert_string_equal(s.cmds[1].name, "cd");
	assert_string_equal(s.cmds[2].name, "ls");
	assert_string_equal(s.cmds[2].args[0], "${VAR}");
	assert_string_equal(s.cmds[3].name, "which");
	assert_string_equal(s.cmds[4].name, "grep");
	assert_string_equal(s.cmds[5].name, "sudo");
	assert_true(sh_has_flag(&s.cmds[0], "y"));
	/* pipelines: grep reads the subshell's output; || starts a new pipeline */
	assert_true(s.cmds[4].piped);
	assert_false(s.cmds[2].piped || s.cmds[5].piped);
	assert_int_not_equal(s.cmds[4].pipeline, s.cmds[5].pipeline);
	assert_int_not_equal(s.cmds[0].pipeline, s.cmds[1].pipeline);
	sh_parse(&a, "set -e; curl -fsSL $(echo u) | sudo sh -s && ls", &s);
	assert_int_equal(s.ncmds, 5);
	assert_string_equal(s.cmds[1].name, "curl");
	assert_string_equal(s.cmds[3].name, "sudo");
	assert_int_equal(s.cmds[1].pipeline, s.cmds[3].pipeline);
	assert_true(s.cmds[3].piped && !s.cmds[1].piped);
	assert_int_not_equal(s.cmds[2].pipeline, s.cmds[1].pipeline); /* echo, substituted */
	assert_int_not_equal(s.cmds[4].pipeline, s.cmds[3].pipeline);
	sh_parse(&a,
		 "if [ -f x ]; then for i in a b; do echo $i; done; fi\n"
		 "case $x in a) ls ;; *) pwd ;; esac\ncat <<EOF\nnot a command\nEOF\nexec tini",
		 &s);
	const char *want[] = {"[", "echo", "ls", "pwd", "cat", "tini"};
	assert_int_equal(s.ncmds, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_string_equal(s.cmds[i].name, want[i]);
	assert_false(s.has_pipe);
	const char **args;
	sh_parse(&a, "apt-get install -t buster x -o y z", &s);
	size_t n = sh_plain_args(&a, &s.cmds[0], (const char *const[]){"t", NULL}, &args);
	assert_int_equal(n, 4);
	assert_string_equal(args[1], "x");
	arena_free(&a);
}

static void test_lint_buffer(void **state)
{
	(void)state;
	struct hull_lint_opts o;
	hull_lint_opts_init(&o);
	o.no_hull_rules = o.no_shellcheck = true; /* hadolint's DL rules alone */
	struct hull_lint_result res = {0};
	struct hull_err err = {0};
	const char *t = "FROM debian\nRUN cd /x\n";
	assert_int_equal(hull_lint_buffer("D", t, strlen(t), &o, &res, &err), 0);
	assert_int_equal(res.n, 2);
	assert_string_equal(res.v[0].code, "DL3006");
	assert_int_equal(res.v[1].line, 2);
	assert_true(hull_lint_failed(&res, &o));
	o.threshold = HULL_LINT_ERROR;
	assert_false(hull_lint_failed(&res, &o));
	hull_lint_result_free(&res);
	/* options changed between buffers linted with the same opts (and cache) count from
	 * the next buffer on */
	hull_lint_opts_ignore(&o, "DL3006");
	assert_int_equal(hull_lint_buffer("D", t, strlen(t), &o, &res, &err), 0);
	assert_int_equal(res.n, 1);
	assert_string_equal(res.v[0].code, "DL3003");
	hull_lint_result_free(&res);
	hull_lint_opts_override(&o, "DL3003", HULL_LINT_IGNORE);
	assert_int_equal(hull_lint_buffer("D", t, strlen(t), &o, &res, &err), 0);
	assert_int_equal(res.n, 0);
	o.no_hull_rules = true;
	assert_int_equal(hull_lint_buffer("D", t, strlen(t), &o, &res, &err), 0);
	assert_int_equal(res.n, 0);
	o.no_hull_rules = false; /* HL1004: runs as root; HL1009: not pinned by digest */
	assert_int_equal(hull_lint_buffer("D", t, strlen(t), &o, &res, &err), 0);
	assert_int_equal(res.n, 2);
	assert_string_equal(res.v[0].code, "HL1004");
	assert_string_equal(res.v[1].code, "HL1009");
	hull_lint_result_free(&res);
	hull_lint_opts_free(&o);
}

/* ShellCheck through the library, both ways: at once per buffer, and batched over several
 * buffers with hull_lint_flush (the findings of each file stay together, in line order). */
static void test_shellcheck(void **state)
{
	(void)state;
	if (access("/usr/bin/shellcheck", X_OK)) {
		skip();
		return;
	}
	const char *t = "FROM a:1\nARG v\nRUN echo \"$v\" && \\\n  echo $u\n";
	for (int batch = 0; batch < 2; batch++) {
		struct hull_lint_opts o;
		hull_lint_opts_init(&o);
		o.no_hull_rules = true;
		o.shellcheck_batch = batch;
		struct hull_lint_result res = {0};
		struct hull_err err = {0};
		assert_int_equal(hull_lint_buffer("A", t, strlen(t), &o, &res, &err), 0);
		assert_int_equal(hull_lint_buffer("B", "FROM a:1\n", 9, &o, &res, &err), 0);
		assert_int_equal(hull_lint_buffer("C", t, strlen(t), &o, &res, &err), 0);
		hull_lint_flush(&o, &res);
		assert_int_equal(hull_lint_shellcheck_state(&o), 1);
		/* per file: SC2086 and SC2154 on line 4 (the continuation), not on $v */
		assert_int_equal(res.n, 4);
		for (size_t i = 0; i < 4; i++) {
			assert_string_equal(res.v[i].file, i < 2 ? "A" : "C");
			assert_int_equal(res.v[i].line, 4);
			assert_int_equal(res.v[i].inst_line, 3);
		}
		assert_string_equal(res.v[0].code, "SC2154");
		assert_string_equal(res.v[1].code, "SC2086");
		hull_lint_result_free(&res);
		hull_lint_opts_free(&o);
	}
}

/* --fix and --diff through the library: the edits, and a diff that says exactly them. */
static void test_fix_diff(void **state)
{
	(void)state;
	struct hull_lint_opts o;
	hull_lint_opts_init(&o);
	const char *t = "FROM a:1\n# c\nADD x /x\nMAINTAINER me\nCMD run it\n";
	struct strbuf out = STRBUF_INIT, diff = STRBUF_INIT;
	size_t n = 0;
	struct hull_err err = {0};
	assert_int_equal(hull_lint_fix("D", t, strlen(t), &o, &out, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(out.buf, "FROM a:1\n# c\nCOPY x /x\nLABEL maintainer=\"me\"\n"
				     "CMD [\"run\", \"it\"]\n");
	hull_lint_diff("D", t, strlen(t), out.buf, out.len, &diff);
	assert_string_equal(diff.buf, "--- D\n+++ D\n@@ -1,5 +1,5 @@\n FROM a:1\n # c\n-ADD x /x\n"
				      "-MAINTAINER me\n-CMD run it\n+COPY x /x\n"
				      "+LABEL maintainer=\"me\"\n+CMD [\"run\", \"it\"]\n");
	strbuf_release(&out);
	strbuf_release(&diff);
	hull_lint_opts_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_continuations), cmocka_unit_test(test_escape_directive),
		cmocka_unit_test(test_heredocs),      cmocka_unit_test(test_from_flags_pairs),
		cmocka_unit_test(test_bad_input),     cmocka_unit_test(test_expand),
		cmocka_unit_test(test_shell),	      cmocka_unit_test(test_lint_buffer),
		cmocka_unit_test(test_shellcheck),    cmocka_unit_test(test_fix_diff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
