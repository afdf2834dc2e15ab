/* Internal to the registry client: the HTTP engine shared by the API verbs. */
#ifndef HULL_REGISTRY_INT_H
#define HULL_REGISTRY_INT_H

#include "../util/strbuf.h"
#include "registry.h"

#include <curl/curl.h>
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
	char *ca_blob; /* --cert-dir: the default CA bundle plus the .crt files of DIR (PEM) */
	size_t ca_len;
	char *client_cert, *client_key; /* --cert-dir: DIR/NAME.cert + DIR/NAME.key */
};

struct http_req {
	const char *method; /* GET, HEAD, PUT, POST, PATCH */
	const char *url;    /* absolute */
	const char *accept;
	const char *content_type;
	const char *header; /* one more "Name: value" line, or NULL */
	const void *body;   /* PUT from memory */
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
	char *oci_subject;		/* OCI-Subject (a registry with the referrers API) */
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
/* The options every registry request shares: URL, redirects, protocols, TLS, timeouts. */
void http_common_opts(struct hull_registry *reg, CURL *c, const char *url, struct curl_slist *h,
		      char *errbuf);
/* Sets the credentials for one request; *token (to free after the request) holds the
 * Bearer token curl points at. */
void http_set_auth(struct hull_registry *reg, CURL *c, bool anonymous, bool basic_only,
		   char **token);
/* A 401: pick up a token or switch to Basic. Returns 1 to retry, 0 to give up (the 401
 * then reaches the caller), negative on error. */
int http_on_unauthorized(struct hull_registry *reg, const char *www_auth,
			 struct hull_err *err) HULL_MUST_CHECK;
/* Is a failed transfer worth another attempt? */
bool http_transient(CURLcode cc);
/* Sleeps before attempt n + 1 (Retry-After, capped, wins when given). */
void http_backoff(int n, const char *retry_after);
/* "NAME: GET URL: why" for a failed transfer. */
int http_transport_err(struct hull_registry *reg, const char *method, const char *url, CURLcode cc,
		       const char *errbuf, int werr, struct hull_err *err);
/* Loads --cert-dir DIR into reg (CA certificates and a client certificate pair). */
int http_load_cert_dir(struct hull_registry *reg, const char *dir,
		       struct hull_err *err) HULL_MUST_CHECK;

/* A URL below the repository: base + "/v2/" + repo + "/" + rest. */
char *http_repo_url(struct hull_registry *reg, const char *rest);

#endif
