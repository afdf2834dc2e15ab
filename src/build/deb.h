/* Debian packages for hull build: a .deb (an ar archive) unpacked into a layer without
 * running maintainer scripts, and recorded as distroless does (var/lib/dpkg/status.d/
 * PKG and PKG.md5sums) so scanners see it. */
#ifndef HULL_BUILD_DEB_H
#define HULL_BUILD_DEB_H

#include "layerw.h"

#include <stddef.h>

#define HULL_DEB_MAX_FILE  (1ULL << 30) /* a .deb, whole */
#define HULL_DEB_MAX_ENTRY (512u << 20) /* one file inside */

struct hull_deb {
	char *package, *version, *arch, *source;
	char *status;  /* the status.d stanza (the control file with Status added) */
	char *md5sums; /* NULL when the package has none */
	size_t nfiles; /* entries of data.tar */
};

/* Reads a .deb held in memory (name for messages). When w is not NULL, the files of
 * data.tar go into it (owner 0:0, modes and symlinks kept; absolute names, ".." and
 * device files refused) and so do status.d/PKG and PKG.md5sums. */
int hull_deb_read(const char *name, const void *data, size_t len, struct hull_layerw *w,
		  struct hull_deb *out, struct hull_err *err) HULL_MUST_CHECK;
void hull_deb_release(struct hull_deb *d);

#endif
