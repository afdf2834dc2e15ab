/* SHA-256 digests through OpenSSL (SHA-NI where the CPU has it). */
#ifndef HULL_HASH_H
#define HULL_HASH_H

#include <stdbool.h>
#include <stddef.h>

#define HULL_DIGEST_LEN 71 /* "sha256:" + 64 hex digits */

struct hull_sha256 {
	void *ctx; /* SHA256_CTX */
};

void hull_sha256_init(struct hull_sha256 *h);
void hull_sha256_update(struct hull_sha256 *h, const void *data, size_t len);
/* Writes "sha256:<hex>" (HULL_DIGEST_LEN + 1 bytes) and frees the context. */
void hull_sha256_final(struct hull_sha256 *h, char out[HULL_DIGEST_LEN + 1]);
void hull_sha256_free(struct hull_sha256 *h);
void hull_sha256_buf(const void *data, size_t len, char out[HULL_DIGEST_LEN + 1]);

/* True for "sha256:" followed by exactly 64 lowercase hex digits. */
bool hull_digest_valid(const char *d);

#endif
