/* Fuzzes docker-archive's manifest.json: the input becomes manifest.json inside an
 * otherwise valid archive (a config and one layer). */
#include "fuzz_util.h"
#include "source/source.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>

static void add(struct archive *a, const char *name, const void *data, size_t len)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	archive_write_header(a, e);
	archive_write_data(a, data, len);
	archive_entry_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_quiet();
	char path[256];
	snprintf(path, sizeof(path), "%s/a.tar", fuzz_scratch());
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		abort();
	static const char cfg[] =
		"{\"os\":\"linux\",\"rootfs\":{\"diff_ids\":[\"sha256:"
		"5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef\"]}}";
	static const char layer[1024]; /* an empty tar: two zero blocks */
	add(a, "manifest.json", data, size);
	add(a, "config.json", cfg, strlen(cfg));
	add(a, "layer.tar", layer, sizeof(layer));
	add(a, "l/layer.tar", layer, sizeof(layer));
	archive_write_close(a);
	archive_write_free(a);
	struct hull_image *img;
	struct hull_err err = {0};
	char src[300];
	snprintf(src, sizeof(src), "docker-archive:%s", path);
	if (hull_image_open(src, NULL, &img, &err) == 0)
		hull_image_free(img);
	hull_err_clear(&err);
	return 0;
}
