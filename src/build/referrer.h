/* OCI referrers (distribution-spec 1.1): an artifact manifest (one blob, an empty config)
 * whose subject is an image manifest, pushed next to the image. A registry without the
 * referrers API (no OCI-Subject header in the answer) gets the referrers tag schema
 * instead: the index at tag "sha256-<hex of the subject>" fetched, updated, pushed. */
#ifndef HULL_BUILD_REFERRER_H
#define HULL_BUILD_REFERRER_H

#include "../source/source.h"

struct hull_referrer {
	const char *subject_media_type, *subject_digest; /* the image manifest */
	uint64_t subject_size;
	const char *artifact_type; /* also the blob's media type: application/spdx+json, … */
	const char *title;	   /* org.opencontainers.image.title of the blob */
	const char *data;	   /* the blob */
	size_t len;
};

/* Pushes each artifact to the repository of dest ("docker://REF"); created is the
 * org.opencontainers.image.created annotation of every artifact. */
int hull_referrers_push(const char *dest, const struct hull_registry_opts *ropts,
			const struct hull_referrer *r, size_t n, const char *created,
			struct hull_err *err) HULL_MUST_CHECK;

#endif
