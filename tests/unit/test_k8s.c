/* Unit tests for src/k8s: the YAML tree (lines, aliases, merge keys, limits) and the
 * scanner on in-memory manifests. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "k8s/k8s.h"
#include "util/yaml.h"
#include "util/strbuf.h"

#include <string.h>

struct docs {
	const struct knode *root[8];
	size_t n;
};

static int keep(const struct knode *root, size_t index, void *ctx)
{
	struct docs *d = ctx;
	assert_int_equal(index, d->n + 1);
	if (d->n < 8)
		d->root[d->n] = root;
	d->n++;
	return 0;
}

static void test_tree_lines(void **state)
{
	(void)state;
	static const char y[] = "a: 1\n"
				"b:\n"
				"  - x\n"
				"  - \"true\"\n"
				"c: true\n"
				"---\n"
				"{\"k\": [1, 2]}\n";
	struct arena a = ARENA_INIT;
	struct docs d = {0};
	struct hull_err err = {0};
	assert_int_equal(hull_yaml_parse(y, strlen(y), &a, keep, &d, &err), 0);
	assert_int_equal(d.n, 2);
	const struct kentry *b = kmap_entry(d.root[0], "b");
	assert_non_null(b);
	assert_int_equal(b->line, 2);
	assert_int_equal(b->val->n, 2);
	assert_int_equal(b->val->items[1]->line, 4);
	assert_int_equal(knode_bool(b->val->items[1]), -1); /* quoted: a string */
	assert_int_equal(knode_bool(kmap_get(d.root[0], "c")), 1);
	assert_int_equal(kmap_get(d.root[1], "k")->n, 2);
	arena_free(&a);
}

static void test_merge_and_alias(void **state)
{
	(void)state;
	static const char y[] = "base: &b {x: 1}\n"
				"m:\n"
				"  <<: *b\n"
				"  y: 2\n"
				"r: *b\n";
	struct arena a = ARENA_INIT;
	struct docs d = {0};
	struct hull_err err = {0};
	assert_int_equal(hull_yaml_parse(y, strlen(y), &a, keep, &d, &err), 0);
	assert_string_equal(kmap_str(kmap_get(d.root[0], "m"), "x"), "1");
	assert_ptr_equal(kmap_get(d.root[0], "r"), kmap_get(d.root[0], "base"));
	arena_free(&a);
}

static void expect_error(const char *y, size_t len, const char *want)
{
	struct arena a = ARENA_INIT;
	struct docs d = {0};
	struct hull_err err = {0};
	assert_true(hull_yaml_parse(y, len, &a, keep, &d, &err) < 0);
	assert_non_null(err.msg);
	if (!strstr(err.msg, want))
		fail_msg("error \"%s\" does not mention \"%s\"", err.msg, want);
	hull_err_clear(&err);
	arena_free(&a);
}

static void test_hostile(void **state)
{
	(void)state;
	expect_error("a: 1\na: 2\n", 10, "duplicate key");
	expect_error("a: *nope\n", 9, "alias");
	struct strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 10000; i++)
		strbuf_addch(&sb, '[');
	for (int i = 0; i < 10000; i++)
		strbuf_addch(&sb, ']');
	expect_error(sb.buf, sb.len, "line 1");
	strbuf_release(&sb);
	/* Billion laughs: aliases are shared, never expanded, so this is cheap. */
	strbuf_addf(&sb, "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
	for (char c = 'b'; c <= 'z'; c++)
		strbuf_addf(&sb, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c,
			    c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1,
			    c - 1);
	struct arena a = ARENA_INIT;
	struct docs d = {0};
	struct hull_err err = {0};
	assert_int_equal(hull_yaml_parse(sb.buf, sb.len, &a, keep, &d, &err), 0);
	arena_free(&a);
	strbuf_release(&sb);
}

static size_t count_id(const struct hull_k8s_scan *s, const char *id)
{
	size_t n = 0;
	for (size_t i = 0; i < s->findings.n; i++)
		n += !strcmp(s->findings.v[i].id, id);
	return n;
}

static void test_inheritance(void **state)
{
	(void)state;
	static const char y[] = "apiVersion: v1\n"
				"kind: Pod\n"
				"metadata: {name: p, namespace: ns}\n"
				"spec:\n"
				"  securityContext:\n"
				"    runAsNonRoot: true\n"
				"  containers:\n"
				"  - name: a\n"
				"    image: x\n"
				"  - name: b\n"
				"    image: x\n"
				"    securityContext:\n"
				"      runAsNonRoot: false\n";
	struct hull_k8s_scan s = HULL_K8S_SCAN_INIT;
	assert_int_equal(hull_k8s_scan_buffer(&s, "p.yaml", y, strlen(y), NULL), 0);
	assert_int_equal(count_id(&s, "HULL-K8S-001"), 1);
	for (size_t i = 0; i < s.findings.n; i++) {
		const struct hull_finding *f = &s.findings.v[i];
		if (strcmp(f->id, "HULL-K8S-001"))
			continue;
		assert_string_equal(f->object.container, "b");
		assert_int_equal(f->line, 13);
		assert_string_equal(f->object.yaml_path,
				    "spec.containers[1].securityContext.runAsNonRoot");
	}
	hull_k8s_scan_free(&s);
}

static void test_secret_patterns(void **state)
{
	(void)state;
	static const char y[] =
		"apiVersion: v1\n"
		"kind: Pod\n"
		"metadata: {name: p}\n"
		"spec:\n"
		"  containers:\n"
		"  - name: a\n"
		"    env:\n"
		"    - {name: AWS_KEY, value: AKIAQ2WERTYUIOPA3SDF}\n"
		"    - {name: AWS_DOC, value: AKIAIOSFODNN7EXAMPLE}\n"
		"    - {name: DB_PASSWORD, value: hunter2hunter2}\n"
		"    - {name: DB_PASSWORD_FILE, value: /run/secrets/pw}\n"
		"    - {name: TOKEN_TTL, value: \"3600\"}\n"
		"    - {name: GH, value: ghp_aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYzaB3}\n";
	struct hull_k8s_scan s = HULL_K8S_SCAN_INIT;
	assert_int_equal(hull_k8s_scan_buffer(&s, "p.yaml", y, strlen(y), NULL), 0);
	assert_int_equal(count_id(&s, "HULL-K8S-027"), 3);
	hull_k8s_scan_free(&s);
}

static void test_check_table(void **state)
{
	(void)state;
	size_t n = hull_k8s_ncheck();
	assert_true(n >= 30);
	for (size_t i = 0; i < n; i++) {
		const struct hull_k8s_check_info *c = hull_k8s_check_info(i);
		assert_non_null(c->title);
		assert_non_null(c->remediation);
		assert_non_null(strstr(c->doc, "#hull-k8s-"));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(c->id, hull_k8s_check_info(j)->id);
	}
	assert_true(hull_k8s_check_known("ksv017"));
	assert_false(hull_k8s_check_known("HULL-K8S-999"));
}

/* The library API behind --image-config: users recorded per reference (normalised as
 * Docker does) drive HULL-K8S-037/038; unknown images and explicit UIDs do not. */
static void test_image_users(void **state)
{
	(void)state;
	static const char y[] =
		"apiVersion: v1\n"
		"kind: Pod\n"
		"metadata: {name: p}\n"
		"spec:\n"
		"  containers:\n"
		"  - {name: a, image: nginx}\n"
		"  - {name: b, image: 'docker.io/library/nginx:latest'}\n"
		"  - {name: c, image: app/named:1, securityContext: {runAsNonRoot: true}}\n"
		"  - {name: d, image: app/uid:1, securityContext: {runAsNonRoot: true}}\n"
		"  - {name: e, image: app/unknown:1}\n"
		"  - {name: f, image: nginx, securityContext: {runAsUser: 5}}\n"
		"  - {name: g, image: app/named:1}\n";
	struct hull_k8s_images *im = hull_k8s_images_new(NULL, false);
	hull_k8s_images_put(im, "docker.io/library/nginx:latest", "");
	hull_k8s_images_put(im, "app/named:1", "app");
	hull_k8s_images_put(im, "app/uid:1", "10001:10001");
	struct hull_k8s_opts o = {.images = im};
	struct hull_k8s_scan s = HULL_K8S_SCAN_INIT;
	assert_int_equal(hull_k8s_scan_buffer(&s, "p.yaml", y, strlen(y), &o), 0);
	assert_int_equal(count_id(&s, "HULL-K8S-037"), 2); /* a and b */
	assert_int_equal(count_id(&s, "HULL-K8S-038"), 1); /* c: a name cannot be verified */
	for (size_t i = 0; i < s.findings.n; i++) {
		const struct hull_finding *f = &s.findings.v[i];
		if (!strcmp(f->id, "HULL-K8S-037"))
			assert_true(!strcmp(f->object.container, "a") ||
				    !strcmp(f->object.container, "b"));
		if (!strcmp(f->id, "HULL-K8S-038"))
			assert_string_equal(f->object.container, "c");
	}
	hull_k8s_scan_free(&s);
	/* Without images the same manifest has neither. */
	struct hull_k8s_scan s2 = HULL_K8S_SCAN_INIT;
	assert_int_equal(hull_k8s_scan_buffer(&s2, "p.yaml", y, strlen(y), NULL), 0);
	assert_int_equal(count_id(&s2, "HULL-K8S-037") + count_id(&s2, "HULL-K8S-038"), 0);
	hull_k8s_scan_free(&s2);
	hull_k8s_images_free(im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_lines),	cmocka_unit_test(test_merge_and_alias),
		cmocka_unit_test(test_hostile),		cmocka_unit_test(test_inheritance),
		cmocka_unit_test(test_secret_patterns), cmocka_unit_test(test_check_table),
		cmocka_unit_test(test_image_users),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
