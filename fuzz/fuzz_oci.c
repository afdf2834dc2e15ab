/* Fuzzes the OCI layout JSON: the first byte picks what the rest of the input is —
 * index.json, the manifest blob, or the config blob — and the other files are valid. */
#include "fuzz_util.h"
#include "source/source.h"
#include "util/hash.h"

#include <stdio.h>
#include <string.h>

static void put_blob(const char *dir, const void *data, size_t len, char dg[HULL_DIGEST_LEN + 1])
{
	hull_sha256_buf(data, len, dg);
	char name[128];
	snprintf(name, sizeof(name), "blobs/sha256/%s", dg + 7);
	fuzz_write(dir, name, data, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_quiet();
	const char *dir = fuzz_scratch();
	int mode = data[0] % 3;
	data++;
	size--;
	fuzz_write(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	char cfg_dg[HULL_DIGEST_LEN + 1], man_dg[HULL_DIGEST_LEN + 1];
	const char *cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
			  "\"layers\",\"diff_ids\":[]}}";
	if (mode == 2)
		put_blob(dir, data, size, cfg_dg);
	else
		put_blob(dir, cfg, strlen(cfg), cfg_dg);
	char man[512];
	size_t cfg_len = mode == 2 ? size : strlen(cfg);
	snprintf(
		man, sizeof(man),
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		"\"digest\":\"%s\",\"size\":%zu},\"layers\":[]}",
		cfg_dg, cfg_len);
	size_t man_len = mode == 1 ? size : strlen(man);
	if (mode == 1)
		put_blob(dir, data, size, man_dg);
	else
		put_blob(dir, man, man_len, man_dg);
	if (mode == 0) {
		fuzz_write(dir, "index.json", data, size);
	} else {
		char idx[512];
		int n = snprintf(idx, sizeof(idx),
				 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
				 "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"%s\","
				 "\"size\":%zu}]}",
				 man_dg, man_len);
		fuzz_write(dir, "index.json", idx, (size_t)n);
	}
	char src[128];
	snprintf(src, sizeof(src), "oci:%s", dir);
	struct hull_image *img;
	struct hull_err err = {0};
	if (hull_image_open(src, NULL, &img, &err) == 0)
		hull_image_free(img);
	hull_err_clear(&err);
	return 0;
}
