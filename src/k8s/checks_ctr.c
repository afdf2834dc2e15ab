/* Container checks outside the securityContext: host ports, resources, image references
 * and pull policy, secrets in env values, probes. One table entry per check. */
#include "k8s_int.h"

#include <string.h>

static void host_port(struct kctx *c, const struct kcheck *k)
{
	const struct knode *ports = kmap_get(c->ctr, "ports");
	for (size_t i = 0; knode_is(ports, KNODE_SEQ) && i < ports->n; i++) {
		const struct kentry *hp = kmap_entry(ports->items[i], "hostPort");
		if (!hp || !knode_is(hp->val, KNODE_SCALAR) || !strcmp(hp->val->str, "0"))
			continue;
		char suffix[64];
		snprintf(suffix, sizeof(suffix), "ports[%zu].hostPort", i);
		k8s_emit(c, k, hp->line, KBASE_CONTAINER, suffix, "container %s binds host port %s",
			 c->ctr_name, hp->val->str);
	}
}

/* Reports which of cpu and memory are missing under resources.<what>. */
static void resources(struct kctx *c, const struct kcheck *k, const char *what)
{
	if (!strcmp(c->ctr_list, "ephemeralContainers"))
		return; /* the API does not allow resources there */
	const struct kentry *res = kmap_entry(c->ctr, "resources");
	const struct kentry *sub = res ? kmap_entry(res->val, what) : NULL;
	bool cpu = sub && kmap_get(sub->val, "cpu");
	bool mem = sub && kmap_get(sub->val, "memory");
	if (cpu && mem)
		return;
	char suffix[64];
	snprintf(suffix, sizeof(suffix), "resources.%s", what);
	size_t line = sub ? sub->line : res ? res->line : c->ctr->line;
	k8s_emit(c, k, line, KBASE_CONTAINER, suffix, "container %s has no %s %s%s%s", c->ctr_name,
		 !strcmp(what, "limits") ? "limit for" : "request for", cpu ? "" : "cpu",
		 !cpu && !mem ? " and " : "", mem ? "" : "memory");
}

static void requests(struct kctx *c, const struct kcheck *k)
{
	resources(c, k, "requests");
}

static void limits(struct kctx *c, const struct kcheck *k)
{
	resources(c, k, "limits");
}

struct imgref {
	bool digest;
	const char *tag; /* NULL when there is none */
	size_t taglen;
};

static struct imgref parse_image(const char *img)
{
	struct imgref r = {0};
	const char *at = strchr(img, '@');
	const char *end = at ? at : img + strlen(img);
	r.digest = at != NULL;
	const char *start = img;
	for (const char *p = img; p < end; p++)
		if (*p == '/')
			start = p + 1;
	const char *colon = memchr(start, ':', (size_t)(end - start));
	if (colon) {
		r.tag = colon + 1;
		r.taglen = (size_t)(end - colon - 1);
	}
	return r;
}

static bool is_latest(const struct imgref *r)
{
	return !r->tag || (r->taglen == 6 && !memcmp(r->tag, "latest", 6));
}

static void image_latest(struct kctx *c, const struct kcheck *k)
{
	const struct kentry *e = kmap_entry(c->ctr, "image");
	if (!e || !knode_is(e->val, KNODE_SCALAR))
		return;
	struct imgref r = parse_image(e->val->str);
	if (!r.digest && is_latest(&r))
		k8s_emit(c, k, e->line, KBASE_CONTAINER, "image", "container %s uses image %s%s",
			 c->ctr_name, e->val->str, r.tag ? "" : " (no tag means :latest)");
}

static void image_digest(struct kctx *c, const struct kcheck *k)
{
	const struct kentry *e = kmap_entry(c->ctr, "image");
	if (!e || !knode_is(e->val, KNODE_SCALAR))
		return;
	if (!parse_image(e->val->str).digest)
		k8s_emit(c, k, e->line, KBASE_CONTAINER, "image",
			 "container %s image %s is not pinned by digest", c->ctr_name, e->val->str);
}

static void pull_policy(struct kctx *c, const struct kcheck *k)
{
	const struct kentry *e = kmap_entry(c->ctr, "image");
	if (!e || !knode_is(e->val, KNODE_SCALAR))
		return;
	struct imgref r = parse_image(e->val->str);
	if (r.digest)
		return;
	const struct kentry *p = kmap_entry(c->ctr, "imagePullPolicy");
	const char *policy = p && knode_is(p->val, KNODE_SCALAR) ? p->val->str : NULL;
	/* The API server's default: Always for :latest or no tag, else IfNotPresent. */
	const char *effective = policy ? policy : is_latest(&r) ? "Always" : "IfNotPresent";
	if (strcmp(effective, "Always"))
		k8s_emit(c, k, p ? p->line : e->line, KBASE_CONTAINER, "imagePullPolicy",
			 "container %s uses the mutable tag %s with imagePullPolicy %s%s",
			 c->ctr_name, e->val->str, effective, policy ? "" : " (the default)");
}

static void env_secrets(struct kctx *c, const struct kcheck *k)
{
	const struct knode *env = kmap_get(c->ctr, "env");
	for (size_t i = 0; knode_is(env, KNODE_SEQ) && i < env->n; i++) {
		const char *name = kmap_str(env->items[i], "name");
		const struct kentry *v = kmap_entry(env->items[i], "value");
		if (!v || !knode_is(v->val, KNODE_SCALAR))
			continue;
		const char *what = k8s_secret_match(name ? name : "", v->val->str);
		if (!what)
			continue;
		char suffix[64];
		snprintf(suffix, sizeof(suffix), "env[%zu].value", i);
		k8s_emit(c, k, v->line, KBASE_CONTAINER, suffix,
			 "container %s has %s in the literal value of env %s", c->ctr_name, what,
			 name ? name : "?");
	}
}

static void probe(struct kctx *c, const struct kcheck *k, const char *field)
{
	/* Init and ephemeral containers cannot have these probes; run-to-completion pods
	 * (Jobs) are not restarted or routed to, so probes do not apply. */
	if (strcmp(c->ctr_list, "containers") || c->completes || kmap_get(c->ctr, field))
		return;
	k8s_emit(c, k, c->ctr->line, KBASE_CONTAINER, field, "container %s has no %s", c->ctr_name,
		 field);
}

static void liveness(struct kctx *c, const struct kcheck *k)
{
	probe(c, k, "livenessProbe");
}

static void readiness(struct kctx *c, const struct kcheck *k)
{
	probe(c, k, "readinessProbe");
}

const struct kcheck k8s_checks_ctr[] = {
	{{ID(015), ALIAS("KSV024"), HULL_SEV_MEDIUM, "Container binds a host port",
	  "Remove ports[].hostPort; expose the pod through a Service instead.", DOC(015)},
	 KSCOPE_CONTAINER,
	 host_port},
	{{ID(020), ALIAS("KSV015", "KSV016", "kubesec:RequestsCPU", "kubesec:RequestsMemory"),
	  HULL_SEV_LOW, "CPU or memory requests missing",
	  "Set resources.requests.cpu and resources.requests.memory.", DOC(020)},
	 KSCOPE_CONTAINER,
	 requests},
	{{ID(021), ALIAS("KSV011", "KSV018", "kubesec:LimitsCPU", "kubesec:LimitsMemory"),
	  HULL_SEV_LOW, "CPU or memory limits missing",
	  "Set resources.limits.cpu and resources.limits.memory.", DOC(021)},
	 KSCOPE_CONTAINER,
	 limits},
	{{ID(022), ALIAS("KSV013"), HULL_SEV_MEDIUM, "Image uses :latest or no tag",
	  "Use a fixed version tag, or better a digest (image@sha256:...).", DOC(022)},
	 KSCOPE_CONTAINER,
	 image_latest},
	{{ID(023), ALIAS(NULL), HULL_SEV_LOW, "Image not pinned by digest",
	  "Reference the image by digest (repo:tag@sha256:...) so what runs is what was "
	  "scanned.",
	  DOC(023)},
	 KSCOPE_CONTAINER,
	 image_digest},
	{{ID(024), ALIAS(NULL), HULL_SEV_LOW, "imagePullPolicy not Always with a mutable tag",
	  "Pin the image by digest, or set imagePullPolicy: Always.", DOC(024)},
	 KSCOPE_CONTAINER,
	 pull_policy},
	{{ID(027), ALIAS(NULL), HULL_SEV_HIGH, "Secret in a literal env value",
	  "Move the value to a Secret and use env[].valueFrom.secretKeyRef; rotate the "
	  "exposed secret.",
	  DOC(027)},
	 KSCOPE_CONTAINER,
	 env_secrets},
	{{ID(028), ALIAS(NULL), HULL_SEV_LOW, "Liveness probe missing",
	  "Add a livenessProbe so a hung container is restarted.", DOC(028)},
	 KSCOPE_CONTAINER,
	 liveness},
	{{ID(029), ALIAS(NULL), HULL_SEV_LOW, "Readiness probe missing",
	  "Add a readinessProbe so traffic only reaches a ready container.", DOC(029)},
	 KSCOPE_CONTAINER,
	 readiness},
};
const size_t k8s_nchecks_ctr = ARRAY_SIZE(k8s_checks_ctr);
