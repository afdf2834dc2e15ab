/* The k8s scanner's core: recognises objects in each document (Lists included), finds
 * the pod spec of every workload kind, and runs the check tables over the object, its
 * pod spec and each container. */
#include "k8s_int.h"
#include "../util/strbuf.h"

#include <string.h>
#include <strings.h>

struct ktable {
	const struct kcheck *v;
	const size_t *n;
};

static const struct ktable tables[] = {
	/* clang-format off */
	{k8s_checks_sc, &k8s_nchecks_sc},
	{k8s_checks_ctr, &k8s_nchecks_ctr},
	{k8s_checks_pod, &k8s_nchecks_pod},
	{k8s_checks_obj, &k8s_nchecks_obj},
	{k8s_checks_psp, &k8s_nchecks_psp},
	/* clang-format on */
};

/* Where the pod template sits in each workload kind. */
static const struct workload {
	const char *kind;
	const char *tmpl[5]; /* keys from the object to the template; empty: the object */
	const char *tmpl_path;
} workloads[] = {
	{"Pod", {NULL}, ""},
	{"Deployment", {"spec", "template"}, "spec.template"},
	{"StatefulSet", {"spec", "template"}, "spec.template"},
	{"DaemonSet", {"spec", "template"}, "spec.template"},
	{"ReplicaSet", {"spec", "template"}, "spec.template"},
	{"ReplicationController", {"spec", "template"}, "spec.template"},
	{"Job", {"spec", "template"}, "spec.template"},
	{"CronJob", {"spec", "jobTemplate", "spec", "template"}, "spec.jobTemplate.spec.template"},
	{"PodTemplate", {"template"}, "template"},
};

static const char *const container_lists[] = {"containers", "initContainers",
					      "ephemeralContainers"};

size_t hull_k8s_ncheck(void)
{
	size_t n = 0;
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++)
		n += *tables[t].n;
	return n;
}

static const struct kcheck *check_at(size_t i)
{
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		if (i < *tables[t].n)
			return &tables[t].v[i];
		i -= *tables[t].n;
	}
	return NULL;
}

const struct hull_k8s_check_info *hull_k8s_check_info(size_t i)
{
	const struct kcheck *k = check_at(i);
	return k ? &k->info : NULL;
}

static bool names_check(const struct hull_k8s_check_info *info, const char *id, size_t len)
{
	if (strlen(info->id) == len && !strncasecmp(info->id, id, len))
		return true;
	for (size_t i = 0; info->aliases && info->aliases[i]; i++)
		if (strlen(info->aliases[i]) == len && !strncasecmp(info->aliases[i], id, len))
			return true;
	return false;
}

bool hull_k8s_check_known(const char *id)
{
	for (size_t i = 0; i < hull_k8s_ncheck(); i++)
		if (names_check(hull_k8s_check_info(i), id, strlen(id)))
			return true;
	return false;
}

/* True when a comma-separated list (the hull.dev/ignore annotation) names the check. */
static bool listed(const char *list, const struct hull_k8s_check_info *info)
{
	while (list && *list) {
		list += strspn(list, " ,");
		size_t n = strcspn(list, " ,");
		if (n && names_check(info, list, n))
			return true;
		list += n;
	}
	return false;
}

static bool skipped(const struct kctx *c, const struct kcheck *k)
{
	for (size_t i = 0; i < c->opts->nskip; i++)
		if (names_check(&k->info, c->opts->skip[i], strlen(c->opts->skip[i])))
			return true;
	const struct knode *ann = kmap_get(kmap_get(c->obj, "metadata"), "annotations");
	return listed(kmap_str(ann, "hull.dev/ignore"), &k->info);
}

static const char *base_path(const struct kctx *c, enum kbase base)
{
	switch (base) {
	case KBASE_CONTAINER:
		return c->ctr_path;
	case KBASE_POD:
		return c->pod_path;
	case KBASE_TEMPLATE:
		return c->tmpl_path;
	default:
		return c->obj_path;
	}
}

void k8s_emit(struct kctx *c, const struct kcheck *k, size_t line, enum kbase base,
	      const char *suffix, const char *fmt, ...)
{
	struct hull_findings *l = &c->scan->findings;
	struct strbuf msg = STRBUF_INIT, path = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	const char *b = base_path(c, base);
	strbuf_addf(&path, "%s%s%s", b ? b : "", b && *b ? "." : "", suffix);
	struct hull_finding f = {
		.kind = "k8s",
		.id = k->info.id,
		.aliases = k->info.aliases,
		.severity = k->info.severity,
		.title = k->info.title,
		.message = hull_findings_strdup(l, msg.buf),
		.remediation = k->info.remediation,
		.doc = k->info.doc,
		.path = c->file,
		.line = line,
		.has_object = true,
		.object = {.kind = hull_findings_strdup(l, c->kind),
			   .namespace_ = hull_findings_strdup(l, c->ns),
			   .name = hull_findings_strdup(l, c->name),
			   .container = c->ctr ? hull_findings_strdup(l, c->ctr_name) : NULL,
			   .yaml_path = hull_findings_strdup(l, path.buf),
			   .document = c->doc},
	};
	hull_findings_add(l, &f);
	strbuf_release(&msg);
	strbuf_release(&path);
}

struct kfield k8s_ctr_field(const struct kctx *c, const char *field)
{
	const struct kentry *sc = kmap_entry(c->ctr, "securityContext");
	const struct kentry *e = sc ? kmap_entry(sc->val, field) : NULL;
	if (e)
		return (struct kfield){e->val, e->line, KBASE_CONTAINER};
	return (struct kfield){NULL, sc ? sc->line : c->ctr->line, KBASE_CONTAINER};
}

struct kfield k8s_sc_field(const struct kctx *c, const char *field)
{
	struct kfield f = k8s_ctr_field(c, field);
	if (f.val)
		return f;
	/* The kubelet applies the pod's securityContext to containers that do not
	 * override the field. */
	const struct kentry *psc = kmap_entry(c->pod, "securityContext");
	const struct kentry *e = psc ? kmap_entry(psc->val, field) : NULL;
	if (e)
		return (struct kfield){e->val, e->line, KBASE_POD};
	return f;
}

const struct kentry *k8s_pod_annotation(const struct kctx *c, const char *key)
{
	return kmap_entry(kmap_get(c->pod_meta, "annotations"), key);
}

static void run_scope(struct kctx *c, enum kscope scope)
{
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++)
		for (size_t i = 0; i < *tables[t].n; i++)
			if (tables[t].v[i].scope == scope && !skipped(c, &tables[t].v[i]))
				tables[t].v[i].run(c, &tables[t].v[i]);
}

static void check_containers(struct kctx *c)
{
	struct strbuf path = STRBUF_INIT;
	for (size_t l = 0; l < ARRAY_SIZE(container_lists); l++) {
		const struct knode *list = kmap_get(c->pod, container_lists[l]);
		for (size_t i = 0; knode_is(list, KNODE_SEQ) && i < list->n; i++) {
			if (!knode_is(list->items[i], KNODE_MAP))
				continue;
			strbuf_reset(&path);
			strbuf_addf(&path, "%s.%s[%zu]", c->pod_path, container_lists[l], i);
			char fallback[32];
			snprintf(fallback, sizeof(fallback), "#%zu", i);
			const char *name = kmap_str(list->items[i], "name");
			c->ctr = list->items[i];
			c->ctr_name = name ? name : fallback;
			c->ctr_list = container_lists[l];
			c->ctr_path = path.buf;
			run_scope(c, KSCOPE_CONTAINER);
		}
	}
	c->ctr = NULL;
	strbuf_release(&path);
}

static const struct knode *walk(const struct knode *n, const char *const *keys)
{
	for (size_t i = 0; n && i < 5 && keys[i]; i++)
		n = kmap_get(n, keys[i]);
	return n;
}

static void join(struct strbuf *sb, const char *a, const char *b)
{
	strbuf_addf(sb, "%s%s%s", a, *a && *b ? "." : "", b);
}

/* Fills the pod fields of c for workload kinds and checks pod and containers. */
static void check_workload(struct kctx *c)
{
	const struct workload *w = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(workloads) && !w; i++)
		if (!strcmp(workloads[i].kind, c->kind))
			w = &workloads[i];
	const struct knode *tmpl = w ? walk(c->obj, w->tmpl) : NULL;
	const struct knode *pod = kmap_get(tmpl, "spec");
	if (!knode_is(pod, KNODE_MAP))
		return;
	struct strbuf tp = STRBUF_INIT, pp = STRBUF_INIT;
	join(&tp, c->obj_path, w->tmpl_path);
	join(&pp, tp.buf ? tp.buf : "", "spec");
	c->workload = true;
	c->pod = pod;
	c->pod_meta = kmap_get(tmpl, "metadata");
	c->tmpl_path = tp.buf ? tp.buf : "";
	c->pod_path = pp.buf;
	const char *restart = kmap_str(pod, "restartPolicy");
	c->completes = !strcmp(c->kind, "Job") || !strcmp(c->kind, "CronJob") ||
		       (restart && strcmp(restart, "Always"));
	run_scope(c, KSCOPE_POD);
	check_containers(c);
	strbuf_release(&tp);
	strbuf_release(&pp);
}

static void check_object(struct kctx *c)
{
	const struct knode *meta = kmap_get(c->obj, "metadata");
	c->name = kmap_str(meta, "name");
	if (!c->name)
		c->name = kmap_str(meta, "generateName");
	if (!c->name)
		c->name = "?";
	c->ns = kmap_str(meta, "namespace");
	c->scan->objects++;
	check_workload(c);
	c->pod = NULL;
	run_scope(c, KSCOPE_OBJECT);
}

static bool is_list(const char *kind, const struct knode *obj)
{
	size_t n = strlen(kind);
	return n >= 4 && !strcmp(kind + n - 4, "List") &&
	       knode_is(kmap_get(obj, "items"), KNODE_SEQ);
}

void k8s_check_node(struct kctx *base, const struct knode *obj, const char *path, int depth)
{
	const char *kind = kmap_str(obj, "kind");
	if (!kind || !kmap_str(obj, "apiVersion")) {
		hull_warn("%s: document %zu%s%s: not a Kubernetes object (no apiVersion and kind), "
			  "skipped",
			  base->file, base->doc, *path ? " at " : "", path);
		return;
	}
	if (!is_list(kind, obj)) {
		struct kctx c = *base;
		c.obj = obj;
		c.kind = kind;
		c.obj_path = path;
		check_object(&c);
		return;
	}
	if (depth >= 4)
		return; /* Lists of Lists of ... are not something kubectl makes */
	const struct knode *items = kmap_get(obj, "items");
	struct strbuf p = STRBUF_INIT;
	for (size_t i = 0; i < items->n; i++) {
		strbuf_reset(&p);
		strbuf_addf(&p, "%s%sitems[%zu]", path, *path ? "." : "", i);
		k8s_check_node(base, items->items[i], p.buf, depth + 1);
	}
	strbuf_release(&p);
}
