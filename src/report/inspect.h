/* Renderers for hull inspect: table (people) and JSON (the stable shape in
 * docs/inspect.md). */
#ifndef HULL_REPORT_INSPECT_H
#define HULL_REPORT_INSPECT_H

#include "../layer/inspect.h"
#include "../util/strbuf.h"

struct hull_inspect_render_opts {
	bool list_files;
	size_t top; /* top wasted paths to show */
};

void hull_inspect_render_json(const struct hull_inspect *in,
			      const struct hull_inspect_render_opts *o, struct strbuf *out);
void hull_inspect_render_table(const struct hull_inspect *in,
			       const struct hull_inspect_render_opts *o, struct strbuf *out);

#endif
