/* The SPDX license identifiers hull was built with (generated from Debian's copy of the
 * SPDX license list by scripts/gen-spdx.py), sorted in strcmp order. */
#ifndef HULL_LINT_SPDX_H
#define HULL_LINT_SPDX_H

#include <stddef.h>

extern const char *const hull_spdx_ids[];
extern const size_t hull_spdx_nids;

#endif
