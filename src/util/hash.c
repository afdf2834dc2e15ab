/* SHA-256 over OpenSSL EVP, formatted as OCI digests. */
#include "hash.h"
#include "util.h"

#include <openssl/evp.h>
#include <string.h>

void hull_sha256_init(struct hull_sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		fputs("hull: fatal: cannot initialise SHA-256\n", stderr);
		abort();
	}
	h->ctx = ctx;
}

void hull_sha256_update(struct hull_sha256 *h, const void *data, size_t len)
{
	if (len)
		EVP_DigestUpdate(h->ctx, data, len);
}

void hull_sha256_final(struct hull_sha256 *h, char out[HULL_DIGEST_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int n = 0;
	EVP_DigestFinal_ex(h->ctx, md, &n);
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
	if (h->ctx)
		EVP_MD_CTX_free(h->ctx);
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
