/* hull inspect output. Both renderers read the same hull_inspect result. */
#include "inspect.h"
#include "../util/jsonw.h"

#include <string.h>

static json_t *cfg_member(const struct hull_inspect *in, const char *key)
{
	json_t *c = in->img->config ? json_object_get(in->img->config, "config") : NULL;
	return json_is_object(c) ? json_object_get(c, key) : NULL;
}

static const char *cfg_str(const struct hull_inspect *in, const char *key)
{
	return json_string_value(cfg_member(in, key));
}

/* History lines that made a layer map to layers in order (empty_layer ones do not). */
static json_t *history_for_layer(const struct hull_inspect *in, size_t layer)
{
	json_t *hist = in->img->config ? json_object_get(in->img->config, "history") : NULL;
	size_t i, li = 0;
	json_t *h;
	json_array_foreach(hist, i, h)
	{
		if (json_is_true(json_object_get(h, "empty_layer")))
			continue;
		if (li++ == layer)
			return h;
	}
	return NULL;
}

static const char *created_by(const struct hull_inspect *in, size_t layer)
{
	return json_string_value(json_object_get(history_for_layer(in, layer), "created_by"));
}

static void mode_str(uint32_t mode, char buf[8])
{
	snprintf(buf, 8, "%04o", mode & 07777);
}

static void json_config(struct jsonw *w, const struct hull_inspect *in)
{
	jsonw_obj_begin(w, "config");
	jsonw_str(w, "user", cfg_str(in, "User"));
	jsonw_value(w, "entrypoint", cfg_member(in, "Entrypoint"));
	jsonw_value(w, "cmd", cfg_member(in, "Cmd"));
	json_t *env = cfg_member(in, "Env");
	if (json_is_array(env))
		jsonw_value(w, "env", env);
	else {
		jsonw_arr_begin(w, "env");
		jsonw_arr_end(w);
	}
	jsonw_str(w, "workdir", cfg_str(in, "WorkingDir"));
	jsonw_arr_begin(w, "exposed_ports");
	const char *k;
	json_t *v;
	json_object_foreach(cfg_member(in, "ExposedPorts"), k, v) jsonw_str(w, NULL, k);
	jsonw_arr_end(w);
	json_t *labels = cfg_member(in, "Labels");
	if (json_is_object(labels))
		jsonw_value(w, "labels", labels);
	else {
		jsonw_obj_begin(w, "labels");
		jsonw_obj_end(w);
	}
	jsonw_value(w, "healthcheck", cfg_member(in, "Healthcheck"));
	jsonw_str(w, "stop_signal", cfg_str(in, "StopSignal"));
	jsonw_str(w, "created",
		  in->img->config ? json_string_value(json_object_get(in->img->config, "created"))
				  : NULL);
	jsonw_obj_end(w);
}

static void json_history(struct jsonw *w, const struct hull_inspect *in)
{
	jsonw_arr_begin(w, "history");
	json_t *hist = in->img->config ? json_object_get(in->img->config, "history") : NULL;
	size_t i, li = 0;
	json_t *h;
	json_array_foreach(hist, i, h)
	{
		bool empty = json_is_true(json_object_get(h, "empty_layer"));
		jsonw_obj_begin(w, NULL);
		jsonw_str(w, "created", json_string_value(json_object_get(h, "created")));
		jsonw_str(w, "created_by", json_string_value(json_object_get(h, "created_by")));
		jsonw_str(w, "comment", json_string_value(json_object_get(h, "comment")));
		jsonw_bool(w, "empty_layer", empty);
		if (empty || li >= in->nlayers)
			jsonw_null(w, "layer");
		else
			jsonw_u64(w, "layer", li++);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void json_layers(struct jsonw *w, const struct hull_inspect *in)
{
	jsonw_arr_begin(w, "layers");
	bool rootfs = in->img->transport == HULL_SRC_ROOTFS;
	for (size_t i = 0; i < in->nlayers; i++) {
		const struct hull_layer *l = &in->layers[i];
		const struct hull_layer_measures *m = &in->fs->layers[i];
		jsonw_obj_begin(w, NULL);
		jsonw_str(w, "digest", rootfs ? NULL : in->img->layers[i].digest);
		jsonw_str(w, "diff_id", rootfs ? NULL : l->diff_id);
		jsonw_str(w, "media_type", rootfs ? NULL : in->img->layers[i].media_type);
		jsonw_u64(w, "size", l->size);
		jsonw_u64(w, "uncompressed_size", l->uncompressed_size);
		jsonw_str(w, "created_by", rootfs ? NULL : created_by(in, i));
		jsonw_u64(w, "files_added", m->added);
		jsonw_u64(w, "files_changed", m->changed);
		jsonw_u64(w, "files_removed", m->removed);
		jsonw_u64(w, "wasted_bytes", m->wasted);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void json_files(struct jsonw *w, const struct hull_fs *fs)
{
	jsonw_arr_begin(w, "files");
	for (size_t i = 0; i < fs->nfiles; i++) {
		const struct hull_file *f = &fs->files[i];
		char mode[8];
		mode_str(f->mode, mode);
		jsonw_obj_begin(w, NULL);
		jsonw_str(w, "path", f->path);
		jsonw_str(w, "type", hull_ftype_name(f->type));
		jsonw_str(w, "mode", mode);
		jsonw_u64(w, "uid", f->uid);
		jsonw_u64(w, "gid", f->gid);
		jsonw_u64(w, "size", f->size);
		jsonw_str(w, "link", f->link);
		jsonw_u64(w, "layer", (uint64_t)f->layer);
		jsonw_obj_end(w);
	}
	jsonw_arr_end(w);
}

static void totals(const struct hull_inspect *in, uint64_t *size, uint64_t *usize)
{
	*size = *usize = 0;
	for (size_t i = 0; i < in->nlayers; i++) {
		*size += in->layers[i].size;
		*usize += in->layers[i].uncompressed_size;
	}
}

void hull_inspect_render_json(const struct hull_inspect *in,
			      const struct hull_inspect_render_opts *o, struct strbuf *out)
{
	const struct hull_image *img = in->img;
	struct jsonw w;
	jsonw_init(&w, out);
	jsonw_obj_begin(&w, NULL);
	jsonw_str(&w, "source", img->source);
	jsonw_str(&w, "digest", img->manifest_digest ? img->manifest_digest : img->config_digest);
	jsonw_str(&w, "config_digest", img->config_digest);
	jsonw_str(&w, "media_type", img->manifest_media_type);
	jsonw_arr_begin(&w, "repo_tags");
	for (size_t i = 0; i < img->nrepo_tags; i++)
		jsonw_str(&w, NULL, img->repo_tags[i]);
	jsonw_arr_end(&w);
	jsonw_str(&w, "os", img->os);
	jsonw_str(&w, "architecture", img->architecture);
	jsonw_str(&w, "variant", img->variant);
	json_config(&w, in);
	json_history(&w, in);
	json_layers(&w, in);
	uint64_t size, usize;
	totals(in, &size, &usize);
	jsonw_u64(&w, "size", size);
	jsonw_u64(&w, "uncompressed_size", usize);
	jsonw_u64(&w, "wasted_bytes", in->fs->wasted_bytes);
	jsonw_double(&w, "efficiency", in->fs->efficiency, 6);
	jsonw_arr_begin(&w, "top_wasted");
	for (size_t i = 0; i < in->fs->nwasted && i < o->top; i++) {
		const struct hull_wasted_path *p = &in->fs->wasted[i];
		jsonw_obj_begin(&w, NULL);
		jsonw_str(&w, "path", p->path);
		jsonw_u64(&w, "copies", p->copies);
		jsonw_u64(&w, "wasted_bytes", p->wasted);
		jsonw_obj_end(&w);
	}
	jsonw_arr_end(&w);
	if (o->list_files)
		json_files(&w, in->fs);
	jsonw_obj_end(&w);
}

static void table_json_line(struct strbuf *out, const char *label, json_t *v)
{
	if (!v || json_is_null(v))
		return;
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	strbuf_addf(out, "%-12s%s\n", label, s ? s : "");
	free(s);
}

static void table_header(const struct hull_inspect *in, struct strbuf *out)
{
	const struct hull_image *img = in->img;
	strbuf_addf(out, "%-12s%s\n", "Image", img->source);
	if (img->transport != HULL_SRC_ROOTFS) {
		strbuf_addf(out, "%-12s%s\n", "Digest",
			    img->manifest_digest ? img->manifest_digest : img->config_digest);
		strbuf_addf(out, "%-12s%s\n", "Config", img->config_digest);
		strbuf_addf(out, "%-12s%s/%s%s%s\n", "Platform", img->os ? img->os : "?",
			    img->architecture ? img->architecture : "?", img->variant ? "/" : "",
			    img->variant ? img->variant : "");
	}
	for (size_t i = 0; i < img->nrepo_tags; i++)
		strbuf_addf(out, "%-12s%s\n", i ? "" : "Tags", img->repo_tags[i]);
	const char *user = cfg_str(in, "User");
	if (img->config)
		strbuf_addf(out, "%-12s%s\n", "User", user && *user ? user : "(root)");
	table_json_line(out, "Entrypoint", cfg_member(in, "Entrypoint"));
	table_json_line(out, "Cmd", cfg_member(in, "Cmd"));
	if (cfg_str(in, "WorkingDir") && *cfg_str(in, "WorkingDir"))
		strbuf_addf(out, "%-12s%s\n", "Workdir", cfg_str(in, "WorkingDir"));
	size_t i;
	json_t *v;
	json_array_foreach(cfg_member(in, "Env"), i, v)
		strbuf_addf(out, "%-12s%s\n", i ? "" : "Env", json_string_value(v));
	const char *k;
	i = 0;
	json_object_foreach(cfg_member(in, "ExposedPorts"), k, v)
		strbuf_addf(out, "%-12s%s\n", i++ ? "" : "Ports", k);
	i = 0;
	json_object_foreach(cfg_member(in, "Labels"), k, v)
		strbuf_addf(out, "%-12s%s=%s\n", i++ ? "" : "Labels", k, json_string_value(v));
	table_json_line(out, "Healthcheck", cfg_member(in, "Healthcheck"));
}

static void table_layers(const struct hull_inspect *in, struct strbuf *out)
{
	strbuf_addf(out, "\nLayers\n  %-3s %-71s %9s %9s %7s %7s %7s %9s  %s\n", "#", "DIGEST",
		    "SIZE", "UNPACKED", "ADDED", "CHANGED", "REMOVED", "WASTED", "CREATED BY");
	for (size_t i = 0; i < in->nlayers; i++) {
		const struct hull_layer *l = &in->layers[i];
		const struct hull_layer_measures *m = &in->fs->layers[i];
		char a[32], b[32], c[32];
		hull_human_size(l->size, a, sizeof(a));
		hull_human_size(l->uncompressed_size, b, sizeof(b));
		hull_human_size(m->wasted, c, sizeof(c));
		const char *cb = in->img->transport == HULL_SRC_ROOTFS ? NULL : created_by(in, i);
		const char *dg = in->img->transport == HULL_SRC_ROOTFS ? "(directory)"
								       : in->img->layers[i].digest;
		strbuf_addf(out, "  %-3zu %-71s %9s %9s %7llu %7llu %7llu %9s  %.60s%s\n", i, dg, a,
			    b, (unsigned long long)m->added, (unsigned long long)m->changed,
			    (unsigned long long)m->removed, c, cb ? cb : "",
			    cb && strlen(cb) > 60 ? "…" : "");
	}
}

static void table_files(const struct hull_fs *fs, struct strbuf *out)
{
	strbuf_addf(out, "\nFiles\n  %-9s %-5s %11s %11s %5s  %s\n", "TYPE", "MODE", "UID:GID",
		    "SIZE", "LAYER", "PATH");
	for (size_t i = 0; i < fs->nfiles; i++) {
		const struct hull_file *f = &fs->files[i];
		char mode[8], owner[32];
		mode_str(f->mode, mode);
		snprintf(owner, sizeof(owner), "%u:%u", f->uid, f->gid);
		strbuf_addf(out, "  %-9s %-5s %11s %11llu %5d  %s", hull_ftype_name(f->type), mode,
			    owner, (unsigned long long)f->size, f->layer, f->path);
		if (f->link)
			strbuf_addf(out, " %s %s", f->type == HULL_FT_HARDLINK ? "=>" : "->",
				    f->link);
		strbuf_addch(out, '\n');
	}
}

void hull_inspect_render_table(const struct hull_inspect *in,
			       const struct hull_inspect_render_opts *o, struct strbuf *out)
{
	table_header(in, out);
	table_layers(in, out);
	uint64_t size, usize;
	totals(in, &size, &usize);
	char a[32], b[32], c[32];
	hull_human_size(size, a, sizeof(a));
	hull_human_size(usize, b, sizeof(b));
	hull_human_size(in->fs->wasted_bytes, c, sizeof(c));
	strbuf_addf(out, "\nTotal size  %s (%s unpacked), %zu files\n", a, b, in->fs->nfiles);
	strbuf_addf(out, "Wasted      %s (%llu bytes)\n", c,
		    (unsigned long long)in->fs->wasted_bytes);
	strbuf_addf(out, "Efficiency  %.2f %%\n", in->fs->efficiency * 100.0);
	if (in->fs->nwasted && o->top) {
		strbuf_addf(out, "\nTop wasted paths\n  %6s %9s  %s\n", "COPIES", "WASTED", "PATH");
		for (size_t i = 0; i < in->fs->nwasted && i < o->top; i++) {
			const struct hull_wasted_path *p = &in->fs->wasted[i];
			hull_human_size(p->wasted, c, sizeof(c));
			strbuf_addf(out, "  %6u %9s  %s\n", p->copies, c, p->path);
		}
	}
	if (o->list_files)
		table_files(in->fs, out);
}
