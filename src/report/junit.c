/* JUnit XML for CI dashboards: one testsuite per kind of finding, one failing testcase per
 * check (rule id) or, for vulnerabilities, per package; the failure lists every
 * occurrence. Only failing checks are known here, so a clean scan is an empty suite. */
#include "render.h"
#include "../util/strmap.h"

#include <string.h>

struct jcase {
	const struct hull_finding **f; /* the occurrences, in list order */
	size_t n, cap;
	enum hull_severity worst;
};

struct jsuite {
	const char *kind;
	struct jcase *cases;
	size_t n, cap;
	struct strmap index; /* case key -> 1 + index in cases */
	size_t failures;
};

static const char *const suite_kinds[] = {"vulnerability", "secret", "misconfig", "k8s", "lint"};
static const char *const suite_names[] = {"Vulnerabilities", "Secrets", "Misconfigurations",
					  "Kubernetes", "Dockerfile"};

static char *case_key(const struct hull_finding *f)
{
	if (!strcmp(f->kind, "vulnerability") && f->has_package)
		return xasprintf("%s@%s %s", f->package.name ? f->package.name : "?",
				 f->package.version ? f->package.version : "?",
				 f->package.path ? f->package.path : "");
	return xstrdup(f->id ? f->id : "?");
}

static void add_to_suite(struct jsuite *s, const struct hull_finding *f, struct arena *keys)
{
	_cleanup_free_ char *key = case_key(f);
	uintptr_t at = (uintptr_t)strmap_get(&s->index, key);
	if (!at) {
		ALLOC_GROW(s->cases, s->n + 1, s->cap);
		s->cases[s->n] = (struct jcase){0};
		at = ++s->n;
		strmap_put(&s->index, arena_strdup(keys, key), (void *)at);
	}
	struct jcase *c = &s->cases[at - 1];
	ALLOC_GROW(c->f, c->n + 1, c->cap);
	c->f[c->n++] = f;
	if (f->severity > c->worst || c->n == 1)
		c->worst = f->severity;
}

static void occurrence(struct strbuf *sb, const struct hull_finding *f)
{
	struct strbuf line = STRBUF_INIT;
	if (!strcmp(f->kind, "vulnerability")) {
		strbuf_addf(&line, "%s %s", hull_severity_name(f->severity), f->id);
		if (f->fixed_version)
			strbuf_addf(&line, " (fixed in %s)", f->fixed_version);
		if (f->title)
			strbuf_addf(&line, ": %s", f->title);
	} else {
		strbuf_adds(&line, f->path ? f->path : "-");
		if (f->line)
			strbuf_addf(&line, ":%zu", f->line);
		strbuf_addf(&line, ": %s", f->message ? f->message : f->title ? f->title : "");
	}
	strbuf_addch(&line, '\n');
	strbuf_add_xml_escaped(sb, line.buf);
	strbuf_release(&line);
}

static void render_case(struct strbuf *out, const struct jcase *c, const char *classname)
{
	const struct hull_finding *f = c->f[0];
	bool vuln = !strcmp(f->kind, "vulnerability") && f->has_package;
	struct strbuf name = STRBUF_INIT, msg = STRBUF_INIT;
	if (vuln) {
		strbuf_addf(&name, "%s@%s", f->package.name ? f->package.name : "?",
			    f->package.version ? f->package.version : "?");
		strbuf_addf(&msg, "%zu vulnerabilit%s, worst %s", c->n, c->n == 1 ? "y" : "ies",
			    hull_severity_name(c->worst));
	} else {
		strbuf_addf(&name, "%s", f->id ? f->id : "?");
		if (f->title)
			strbuf_addf(&name, ": %s", f->title);
		strbuf_addf(&msg, "%s: %zu finding%s", hull_severity_name(c->worst), c->n,
			    c->n == 1 ? "" : "s");
	}
	strbuf_adds(out, "    <testcase classname=\"");
	strbuf_add_xml_escaped(out, vuln && f->package.path ? f->package.path : classname);
	strbuf_adds(out, "\" name=\"");
	strbuf_add_xml_escaped(out, name.buf);
	strbuf_adds(out, "\">\n      <failure type=\"");
	strbuf_adds(out, hull_severity_name(c->worst));
	strbuf_adds(out, "\" message=\"");
	strbuf_add_xml_escaped(out, msg.buf);
	strbuf_adds(out, "\">");
	for (size_t i = 0; i < c->n; i++)
		occurrence(out, c->f[i]);
	strbuf_adds(out, "</failure>\n    </testcase>\n");
	strbuf_release(&name);
	strbuf_release(&msg);
}

void hull_report_render_junit(const struct hull_findings *l, const struct hull_report_meta *m,
			      const struct hull_render_opts *o, struct strbuf *out)
{
	(void)o;
	enum { NSUITES = ARRAY_SIZE(suite_kinds) + 1 };
	struct jsuite suites[NSUITES] = {0};
	struct arena keys = ARENA_INIT;
	for (size_t i = 0; i < l->n; i++) {
		size_t k = 0;
		while (k < ARRAY_SIZE(suite_kinds) && strcmp(l->v[i].kind, suite_kinds[k]))
			k++;
		add_to_suite(&suites[k], &l->v[i], &keys);
	}
	size_t tests = 0;
	for (size_t k = 0; k < NSUITES; k++)
		tests += suites[k].n;
	const char *artifact = m->artifact_name ? m->artifact_name : "-";
	strbuf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hull ");
	strbuf_add_xml_escaped(out, artifact);
	strbuf_addf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\">\n", tests, tests);
	for (size_t k = 0; k < NSUITES; k++) {
		struct jsuite *s = &suites[k];
		if (!s->n)
			continue;
		strbuf_addf(out,
			    "  <testsuite name=\"%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
			    "skipped=\"0\">\n",
			    k < ARRAY_SIZE(suite_names) ? suite_names[k] : "Other", s->n, s->n);
		for (size_t c = 0; c < s->n; c++)
			render_case(out, &s->cases[c], artifact);
		strbuf_adds(out, "  </testsuite>\n");
	}
	if (!tests) {
		strbuf_adds(out,
			    "  <testsuite name=\"hull\" tests=\"0\" failures=\"0\" errors=\"0\" "
			    "skipped=\"0\"/>\n");
	}
	if (m->nexpired) {
		/* not tests: a suite without cases whose stderr lists them, as CI shows it */
		strbuf_adds(out, "  <testsuite name=\"Expired ignore entries\" tests=\"0\" "
				 "failures=\"0\" errors=\"0\" skipped=\"0\">\n    <system-err>");
		struct strbuf line = STRBUF_INIT;
		for (size_t i = 0; i < m->nexpired; i++) {
			strbuf_reset(&line);
			hull_expired_ignore_describe(&m->expired[i], &line);
			strbuf_addch(&line, '\n');
			strbuf_add_xml_escaped(out, line.buf);
		}
		strbuf_release(&line);
		strbuf_adds(out, "</system-err>\n  </testsuite>\n");
	}
	strbuf_adds(out, "</testsuites>\n");
	for (size_t k = 0; k < NSUITES; k++) {
		for (size_t c = 0; c < suites[k].n; c++)
			free(suites[k].cases[c].f);
		free(suites[k].cases);
		strmap_free(&suites[k].index);
	}
	arena_free(&keys);
}
