/* Fuzzes the Dockerfile parser, the RUN splitter, every lint rule (hull's too), --fix and
 * its diff: the input is a Dockerfile; the first byte picks a label schema so the label
 * rules run too. ShellCheck is off (a process per input); the options live across inputs
 * so that the secret engine is compiled once. */
#include "fuzz_util.h"
#include "lint/lint.h"

#include <string.h>

static struct hull_lint_opts *opts(bool labels)
{
	static struct hull_lint_opts o[2];
	static bool ready;
	if (!ready) {
		struct hull_err err = {0};
		static const char *const specs[] = {"a:text", "u:url",	   "v:semver", "h:hash",
						    "l:spdx", "t:rfc3339", "e:email"};
		for (int k = 0; k < 2; k++) {
			hull_lint_opts_init(&o[k]);
			o[k].no_shellcheck = true;
		}
		for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
			if (hull_lint_opts_label(&o[1], specs[i], &err))
				hull_err_clear(&err);
		o[1].strict_labels = true;
		hull_lint_opts_trust(&o[1], "docker.io");
		ready = true;
	}
	return &o[labels];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_quiet();
	struct hull_lint_opts *o = opts(data[0] & 1);
	struct hull_err err = {0};
	const char *text = (const char *)data + 1;
	struct hull_lint_result res = {0};
	if (hull_lint_buffer("Dockerfile", text, size - 1, o, &res, &err))
		hull_err_clear(&err);
	struct strbuf out = STRBUF_INIT;
	if (hull_lint_render(data[0] & 2 ? "sarif" : "json", &res, false, &out))
		__builtin_trap();
	strbuf_release(&out);
	hull_lint_result_free(&res);
	struct strbuf fixed = STRBUF_INIT, diff = STRBUF_INIT;
	size_t n = 0;
	if (hull_lint_fix("Dockerfile", text, size - 1, o, &fixed, &n, &err)) {
		hull_err_clear(&err);
	} else {
		if (!n &&
		    (fixed.len != size - 1 || memcmp(fixed.buf ? fixed.buf : "", text, size - 1)))
			__builtin_trap(); /* no fix, yet the text changed */
		hull_lint_diff("Dockerfile", text, size - 1, fixed.buf ? fixed.buf : "", fixed.len,
			       &diff);
		const char *fb = fixed.buf ? fixed.buf : "";
		bool same = fixed.len == size - 1 && !memcmp(fb, text, size - 1);
		if ((diff.len == 0) != same)
			__builtin_trap(); /* a diff exactly when the text changed */
	}
	strbuf_release(&fixed);
	strbuf_release(&diff);
	return 0;
}
