/* Fuzzes the Dockerfile parser, the RUN splitter and every lint rule: the input is a
 * Dockerfile; the first byte picks a label schema so the label rules run too. */
#include "fuzz_util.h"
#include "lint/lint.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_quiet();
	struct hull_lint_opts o;
	hull_lint_opts_init(&o);
	struct hull_err err = {0};
	if (data[0] & 1) {
		static const char *const specs[] = {"a:text", "u:url",	   "v:semver", "h:hash",
						    "l:spdx", "t:rfc3339", "e:email"};
		for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
			if (hull_lint_opts_label(&o, specs[i], &err))
				hull_err_clear(&err);
		o.strict_labels = true;
		hull_lint_opts_trust(&o, "docker.io");
	}
	struct hull_lint_result res = {0};
	if (hull_lint_buffer("Dockerfile", (const char *)data + 1, size - 1, &o, &res, &err))
		hull_err_clear(&err);
	struct strbuf out = STRBUF_INIT;
	if (hull_lint_render(data[0] & 2 ? "sarif" : "json", &res, false, &out))
		__builtin_trap();
	strbuf_release(&out);
	hull_lint_result_free(&res);
	hull_lint_opts_free(&o);
	return 0;
}
