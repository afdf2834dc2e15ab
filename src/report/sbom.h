/* SBOM renderers: CycloneDX 1.6 JSON, SPDX 2.3 JSON, hull's inventory JSON, a table.
 * Output is reproducible: stable order, and identifiers derived from the image digest
 * (unless a timestamp is asked for). */
#ifndef HULL_REPORT_SBOM_H
#define HULL_REPORT_SBOM_H

#include "../layer/inspect.h"
#include "../pkg/pkg.h"

struct hull_sbom_opts {
	bool timestamp; /* use the current time and a random serial number */
};

void hull_sbom_render_cyclonedx(const struct hull_inspect *in, const struct hull_inventory *inv,
				const struct hull_sbom_opts *o, struct strbuf *out);
void hull_sbom_render_spdx(const struct hull_inspect *in, const struct hull_inventory *inv,
			   const struct hull_sbom_opts *o, struct strbuf *out);
void hull_sbom_render_json(const struct hull_inspect *in, const struct hull_inventory *inv,
			   const struct hull_sbom_opts *o, struct strbuf *out);
void hull_sbom_render_table(const struct hull_inspect *in, const struct hull_inventory *inv,
			    const struct hull_sbom_opts *o, struct strbuf *out);

#endif
