/* Downloading OSV dumps for hull db update: one URL to one file, with HTTP validators so an
 * unchanged dump is not fetched again. */
#ifndef HULL_VULN_FETCH_H
#define HULL_VULN_FETCH_H

#include "../util/util.h"

#include <stdbool.h>

struct hull_fetch {
	const char *url;
	const char *dest;	   /* written only by a complete 200 response */
	const char *etag;	   /* sent as If-None-Match, or NULL */
	const char *last_modified; /* sent as If-Modified-Since, or NULL */
	bool progress;		   /* a progress line on stderr (src/util/progress.h) */
	/* results */
	bool not_modified; /* 304: dest was not touched */
	char *new_etag;	   /* validators of the response (free them), or NULL */
	char *new_last_modified;
};

/* Fetches f->url (http, https or file) into f->dest, retrying transient network errors.
 * Any failure (HTTP error status, a connection broken half-way, a short body) is
 * HULL_EINPUT with a message naming the URL, and f->dest is left as it was. */
int hull_fetch_url(struct hull_fetch *f, struct hull_err *err) HULL_MUST_CHECK;

#endif
