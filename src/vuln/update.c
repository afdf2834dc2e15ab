/* hull db update: fetch the OSV per-ecosystem dumps (conditionally) and import them. */
#include "import.h"

#include "../source/write.h"
#include "db.h"
#include "fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *const hull_vulndb_default_ecosystems[] = {
	"Debian", "Ubuntu", "Alpine",	 "AlmaLinux", "Rocky Linux", "Red Hat", "npm", "PyPI",
	"Go",	  "Maven",  "crates.io", "RubyGems",  "Packagist",   "NuGet",	NULL,
};

struct dump {
	char *url, *cached, *pending;
	struct hull_fetch f;
	char *etag, *last_modified; /* from the old database */
};

/* The validators recorded for url by the previous update, if the old DB is a hull DB. */
static void old_validators(sqlite3 *old, struct dump *d)
{
	sqlite3_stmt *st;
	if (!old ||
	    sqlite3_prepare_v2(old,
			       "SELECT etag, last_modified FROM sources WHERE location = ?1 "
			       "ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, d->url, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *e = (const char *)sqlite3_column_text(st, 0);
		const char *l = (const char *)sqlite3_column_text(st, 1);
		d->etag = e ? xstrdup(e) : NULL;
		d->last_modified = l ? xstrdup(l) : NULL;
	}
	sqlite3_finalize(st);
}

static char *dump_url(const char *base, const char *eco)
{
	char *esc = curl_easy_escape(NULL, eco, 0);
	size_t n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	char *url = xasprintf("%.*s/%s/all.zip", (int)n, base, esc ? esc : eco);
	curl_free(esc);
	return url;
}

static void dump_free(struct dump *d)
{
	if (d->pending)
		unlink(d->pending);
	free(d->url);
	free(d->cached);
	free(d->pending);
	free(d->etag);
	free(d->last_modified);
	free(d->f.new_etag);
	free(d->f.new_last_modified);
}

static int fetch_one(const struct hull_vulndb_update_opts *o, sqlite3 *old, const char *eco,
		     struct dump *d, struct hull_err *err)
{
	d->url = dump_url(o->base_url ? o->base_url : HULL_OSV_BASE_URL, eco);
	d->cached = xasprintf("%s/%s.zip", o->cache_dir, eco);
	d->pending = xasprintf("%s/%s.zip.new", o->cache_dir, eco);
	/* Conditional only when the dump it would keep is still in the cache. */
	if (access(d->cached, R_OK) == 0)
		old_validators(old, d);
	d->f = (struct hull_fetch){
		.url = d->url,
		.dest = d->pending,
		.etag = d->etag,
		.last_modified = d->last_modified,
		.progress = o->progress,
	};
	int rc = hull_fetch_url(&d->f, err);
	if (!rc && d->f.not_modified) {
		free(d->pending);
		d->pending = NULL;
	}
	return rc;
}

int hull_vulndb_update(const struct hull_vulndb_update_opts *o, struct hull_vulndb_stats *st,
		       size_t *fetched, size_t *unchanged, struct hull_err *err)
{
	const char *const *ecos = o->ecosystems ? o->ecosystems : hull_vulndb_default_ecosystems;
	size_t n = 0;
	while (ecos[n])
		n++;
	if (!n)
		return hull_err_set(err, HULL_EUSAGE, "no ecosystems to update");
	if (!o->cache_dir)
		return hull_err_set(err, HULL_EUSAGE,
				    "no cache directory (set XDG_CACHE_HOME or HOME)");
	bool exists;
	int rc = hull_vulndb_is_hull(o->db_path, &exists, err);
	if (rc < 0)
		return rc;
	if (exists && !rc)
		return hull_err_set(err, HULL_EINPUT,
				    "%s: exists and is not a hull vulnerability database; "
				    "refusing to replace it",
				    o->db_path);
	sqlite3 *old = NULL;
	if (exists && sqlite3_open_v2(o->db_path, &old, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(old);
		old = NULL;
	}
	rc = hull_mkdir_p(o->cache_dir, err);
	struct dump *d = xcalloc(n, sizeof(*d));
	struct hull_vulndb_source *src = xcalloc(n, sizeof(*src));
	size_t nf = 0, nu = 0;
	for (size_t i = 0; !rc && i < n; i++) {
		rc = fetch_one(o, old, ecos[i], &d[i], err);
		if (rc)
			break;
		bool fresh = !d[i].f.not_modified;
		nf += fresh;
		nu += !fresh;
		src[i] = (struct hull_vulndb_source){
			.path = fresh ? d[i].pending : d[i].cached,
			.location = d[i].url,
			.kind = "url",
			.etag = fresh ? d[i].f.new_etag : d[i].etag,
			.last_modified = fresh ? d[i].f.new_last_modified : d[i].last_modified,
		};
	}
	sqlite3_close(old);
	if (!rc) {
		struct hull_vulndb_import_opts io = {
			.db_path = o->db_path,
			.sources = src,
			.nsources = n,
			.progress = o->progress,
		};
		rc = hull_vulndb_import(&io, st, err);
	}
	/* Only now do fresh dumps replace the cached ones. */
	for (size_t i = 0; !rc && i < n; i++) {
		if (d[i].pending && rename(d[i].pending, d[i].cached))
			rc = hull_err_set(err, HULL_EIO, "%s: %s", d[i].cached, strerror(errno));
		else if (d[i].pending) {
			free(d[i].pending);
			d[i].pending = NULL;
		}
	}
	for (size_t i = 0; i < n; i++)
		dump_free(&d[i]);
	free(d);
	free(src);
	if (fetched)
		*fetched = nf;
	if (unchanged)
		*unchanged = nu;
	return rc;
}
