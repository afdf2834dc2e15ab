/* Fuzzes --secret-config parsing (YAML, rule and allow-rule shapes, regex checks); a
 * config that parses must also build an engine or fail cleanly. */
#include "fuzz_util.h"
#include "secret/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hull_err err = {0};
	struct hull_secret_config *c = NULL;
	if (hull_secret_config_parse((const char *)data, size, "fuzz.yaml", &c, &err)) {
		if (!err.msg)
			abort();
		hull_err_clear(&err);
		return 0;
	}
	struct hull_secret_engine *e = NULL;
	if (hull_secret_engine_new_config(&e, c, &err))
		hull_err_clear(&err);
	hull_secret_engine_free(e);
	hull_secret_config_free(c);
	return 0;
}
