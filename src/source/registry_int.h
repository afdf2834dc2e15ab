/* Internal to the registry client: the HTTP engine shared by the API verbs. */
#ifndef HULL_REGISTRY_INT_H
#define HULL_REGISTRY_INT_H

#include "../util/strbuf.h"
#include "registry.h"

#include <pthread.h>

struct hull_registry {
	char *name; /* the user's reference, for errors */
	char *host; /* API host[:port] */
	char *repo;
	char *base; /* "https://host" or "http://host" */
	bool tls_verify, plain_ok, push;
	char *user, *pass;  /* never printed */
	pthread_mutex_t mu; /* guards token and basic across download threads */
	char *token;
	bool basic;
};

struct http_req {
	const char *method; /* GET, HEAD, PUT, POST, PATCH */
	const char *url;    /* absolute */
	const char *accept;
	const char *content_type;
	const void *body; /* PUT from memory */
	size_t body_len;
	const struct hull_blob *blob; /* or PUT from a blob range */
	int out_fd;		      /* >= 0: a 2xx body goes here (hashed), else memory */
	size_t max;		      /* memory body cap */
	bool anonymous;		      /* send no credentials at all */
	bool basic_only;	      /* send USER:PASSWORD as Basic, never the token */
};

struct http_resp {
	long status;
	struct strbuf body; /* 2xx body (memory mode), else the error body (capped) */
	char *location, *content_type, *digest, *www_auth, *retry_after;
	uint64_t got;			/* body bytes written to out_fd */
	char hash[HULL_DIGEST_LEN + 1]; /* of the fd body */
	bool too_big;
};

/* Sends req with retries (429, 5xx, broken connections: backoff) and auth (a 401 gets
 * a token or Basic credentials, once per request). 0 with resp filled whatever the
 * final status; negative on transport errors. resp is released by http_resp_free. */
int http_do(struct hull_registry *reg, const struct http_req *req, struct http_resp *resp,
	    struct hull_err *err) HULL_MUST_CHECK;
void http_resp_free(struct http_resp *resp);
/* "HTTP 404 (MANIFEST_UNKNOWN: manifest unknown)" style error for a bad status. */
int http_status_err(struct hull_registry *reg, const struct http_req *req,
		    const struct http_resp *resp, const char *what, struct hull_err *err);
/* A URL below the repository: base + "/v2/" + repo + "/" + rest. */
char *http_repo_url(struct hull_registry *reg, const char *rest);

#endif
