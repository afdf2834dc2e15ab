/* SHA-256 formatted as OCI digests. OpenSSL's SHA256_* functions run the same assembly
 * (SHA-NI where the CPU has it) as EVP, without EVP's first-use cost: fetching a digest
 * initialises OpenSSL's providers and reads openssl.cnf, about 2 ms, which would be most
 * of a short command's run (hull lint on one file hashes its secret rules' cache key). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "hash.h"
#include "util.h"

#include <openssl/sha.h>
#include <string.h>

void hull_sha256_init(struct hull_sha256 *h)
{
	SHA256_CTX *ctx = xmalloc(sizeof(*ctx));
	SHA256_Init(ctx);
	h->ctx = ctx;
}

void hull_sha256_update(struct hull_sha256 *h, const void *data, size_t len)
{
	if (len)
		SHA256_Update(h->ctx, data, len);
}

void hull_sha256_final(struct hull_sha256 *h, char out[HULL_DIGEST_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	SHA256_Final(md, h->ctx);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[HULL_DIGEST_LEN] = '\0';
	hull_sha256_free(h);
}

void hull_sha256_free(struct hull_sha256 *h)
{
	free(h->ctx);
	h->ctx = NULL;
}

void hull_sha256_buf(const void *data, size_t len, char out[HULL_DIGEST_LEN + 1])
{
	struct hull_sha256 h;
	hull_sha256_init(&h);
	hull_sha256_update(&h, data, len);
	hull_sha256_final(&h, out);
}

bool hull_digest_valid(const char *d)
{
	if (!d || strncmp(d, "sha256:", 7) || strlen(d) != HULL_DIGEST_LEN)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}
