/* Fuzzes the RUN shell splitter on its own (quotes, expansions, substitutions, pipelines,
 * here-documents, reserved words) and hadolint's helpers over the commands it finds. */
#include "fuzz_util.h"
#include "lint/shell.h"
#include "util/util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	char *text = xstrndup((const char *)data, size);
	struct arena a = ARENA_INIT;
	struct sh_script s;
	sh_parse(&a, text, &s);
	for (size_t i = 0; i < s.ncmds; i++) {
		const struct sh_cmd *c = &s.cmds[i];
		if (!c->name || c->pipeline < 0 || (i == 0 && c->piped && !s.has_pipe))
			__builtin_trap();
		for (size_t k = 0; k < c->nargs; k++)
			if (!c->args[k])
				__builtin_trap();
		const char **plain;
		size_t n = sh_plain_args(&a, c, (const char *const[]){"t", "target", NULL}, &plain);
		if (n > c->nargs)
			__builtin_trap();
		(void)sh_has_flag(c, "y");
		(void)sh_has_args(c, c->name, (const char *const[]){"install", NULL});
		(void)sh_has_prefix_arg(c, c->name, "--version=");
	}
	(void)sh_uses(&s, "cd");
	arena_free(&a);
	free(text);
	return 0;
}
