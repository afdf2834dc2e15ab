/* Fuzzes hull lint's configuration reader (.hadolint.yaml, or hull.yaml's "lint:" map):
 * YAML, then hadolint's keys and value shapes. A refused config must say why. */
#include "fuzz_util.h"
#include "lint/lint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = {0};
	struct hull_lint_opts o;
	hull_lint_opts_init(&o);
	if (hull_lint_config_parse(&o, "fuzz.yaml", (const char *)data, size, &err)) {
		if (!err.msg)
			abort();
		hull_err_clear(&err);
	}
	hull_lint_opts_free(&o);
	return 0;
}
