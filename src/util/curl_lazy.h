/* libcurl is opened on first use (see curl_lazy.c); the curl_* functions hull calls
 * are defined there. */
#ifndef HULL_CURL_LAZY_H
#define HULL_CURL_LAZY_H

#include "util.h"

/* Loads libcurl.so.4 if it is not yet; an error naming what failed when it cannot be. */
int hull_curl_load(struct hull_err *err) HULL_MUST_CHECK;

#endif
