/* SBOM renderers: CycloneDX 1.6 JSON, SPDX 2.3 JSON, hull's inventory JSON, a table.
 * Output is reproducible: stable order, and identifiers derived from the image digest
 * (unless a timestamp is asked for). */
#ifndef HULL_REPORT_SBOM_H
#define HULL_REPORT_SBOM_H

#include "../layer/inspect.h"
#include "../pkg/pkg.h"
#include "../util/jsonw.h"
#include "findings.h"

struct hull_sbom_opts {
	bool timestamp; /* use the current time and a random serial number */
	/* CycloneDX: vulnerability findings become the "vulnerabilities" array (VEX). */
	const struct hull_findings *findings;
};

void hull_sbom_render_cyclonedx(const struct hull_inspect *in, const struct hull_inventory *inv,
				const struct hull_sbom_opts *o, struct strbuf *out);
/* The CycloneDX bom-ref of inv->pkgs[i] (the purl, plus "#path" when two packages share
 * it); free it. */
char *hull_sbom_bom_ref(const struct hull_inventory *inv, size_t i);
/* Writes the CycloneDX 1.6 "vulnerabilities" array for the vulnerability findings of l,
 * each affecting the component of its package (matched by purl and path); nothing when
 * there are none. */
void hull_cdx_vulnerabilities(struct jsonw *w, const struct hull_findings *l,
			      const struct hull_inventory *inv);
void hull_sbom_render_spdx(const struct hull_inspect *in, const struct hull_inventory *inv,
			   const struct hull_sbom_opts *o, struct strbuf *out);
void hull_sbom_render_json(const struct hull_inspect *in, const struct hull_inventory *inv,
			   const struct hull_sbom_opts *o, struct strbuf *out);
void hull_sbom_render_table(const struct hull_inspect *in, const struct hull_inventory *inv,
			    const struct hull_sbom_opts *o, struct strbuf *out);

#endif
