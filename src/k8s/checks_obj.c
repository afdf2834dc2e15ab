/* Whole-object checks: the default namespace, RBAC rules (wildcards, reading Secrets)
 * and Service exposure. One table entry per check. */
#include "k8s_int.h"

#include <string.h>

static void default_namespace(struct kctx *c, const struct kcheck *k)
{
	if (!c->workload)
		return;
	const struct kentry *ns = kmap_entry(kmap_get(c->obj, "metadata"), "namespace");
	if (ns && knode_is(ns->val, KNODE_SCALAR) && !strcmp(ns->val->str, "default"))
		k8s_emit(c, k, ns->line, KBASE_OBJECT, "metadata.namespace",
			 "%s %s is placed in the default namespace", c->kind, c->name);
}

static bool is_role(const struct kctx *c)
{
	return !strcmp(c->kind, "Role") || !strcmp(c->kind, "ClusterRole");
}

static bool seq_has(const struct knode *seq, const char *s)
{
	for (size_t i = 0; knode_is(seq, KNODE_SEQ) && i < seq->n; i++)
		if (knode_is(seq->items[i], KNODE_SCALAR) && !strcmp(seq->items[i]->str, s))
			return true;
	return false;
}

static void rbac_wildcard(struct kctx *c, const struct kcheck *k)
{
	const struct knode *rules = is_role(c) ? kmap_get(c->obj, "rules") : NULL;
	for (size_t i = 0; knode_is(rules, KNODE_SEQ) && i < rules->n; i++) {
		static const char *const fields[] = {"verbs", "resources"};
		for (size_t f = 0; f < ARRAY_SIZE(fields); f++) {
			const struct kentry *e = kmap_entry(rules->items[i], fields[f]);
			if (!e || !seq_has(e->val, "*"))
				continue;
			char suffix[64];
			snprintf(suffix, sizeof(suffix), "rules[%zu].%s", i, fields[f]);
			k8s_emit(c, k, e->line, KBASE_OBJECT, suffix, "%s %s grants \"*\" in %s",
				 c->kind, c->name, fields[f]);
		}
	}
}

static bool reads(const struct knode *verbs)
{
	return seq_has(verbs, "*") || seq_has(verbs, "get") || seq_has(verbs, "list") ||
	       seq_has(verbs, "watch");
}

static void rbac_secrets(struct kctx *c, const struct kcheck *k)
{
	const struct knode *rules = is_role(c) ? kmap_get(c->obj, "rules") : NULL;
	for (size_t i = 0; knode_is(rules, KNODE_SEQ) && i < rules->n; i++) {
		const struct knode *r = rules->items[i];
		const struct knode *groups = kmap_get(r, "apiGroups");
		const struct kentry *res = kmap_entry(r, "resources");
		if (!res || !(seq_has(res->val, "secrets") || seq_has(res->val, "*")))
			continue;
		if (groups && !seq_has(groups, "") && !seq_has(groups, "*"))
			continue; /* Secrets live in the core ("") API group */
		if (!reads(kmap_get(r, "verbs")))
			continue;
		const struct knode *names = kmap_get(r, "resourceNames");
		if (knode_is(names, KNODE_SEQ) && names->n)
			continue; /* limited to named Secrets: a deliberate, narrow grant */
		char suffix[64];
		snprintf(suffix, sizeof(suffix), "rules[%zu].resources", i);
		k8s_emit(c, k, res->line, KBASE_OBJECT, suffix, "%s %s can read Secrets", c->kind,
			 c->name);
	}
}

static void service_exposure(struct kctx *c, const struct kcheck *k)
{
	if (strcmp(c->kind, "Service"))
		return;
	const struct kentry *t = kmap_entry(kmap_get(c->obj, "spec"), "type");
	if (!t || !knode_is(t->val, KNODE_SCALAR))
		return;
	if (!strcmp(t->val->str, "NodePort") || !strcmp(t->val->str, "LoadBalancer"))
		k8s_emit(c, k, t->line, KBASE_OBJECT, "spec.type",
			 "Service %s is exposed outside the cluster (type %s)", c->name,
			 t->val->str);
}

const struct kcheck k8s_checks_obj[] = {
	{{ID(026), ALIAS("KSV110"), HULL_SEV_LOW, "Workload in the default namespace",
	  "Deploy workloads into a dedicated namespace.", DOC(026)},
	 KSCOPE_OBJECT,
	 default_namespace},
	{{ID(030), ALIAS("KSV044", "KSV045", "KSV046"), HULL_SEV_HIGH, "RBAC rule with a wildcard",
	  "List the verbs and resources the subject needs instead of \"*\".", DOC(030)},
	 KSCOPE_OBJECT,
	 rbac_wildcard},
	{{ID(031), ALIAS("KSV041"), HULL_SEV_HIGH, "RBAC rule grants read access to Secrets",
	  "Remove get/list/watch on secrets, or limit it with resourceNames.", DOC(031)},
	 KSCOPE_OBJECT,
	 rbac_secrets},
	{{ID(032), ALIAS(NULL), HULL_SEV_LOW, "Service exposed outside the cluster",
	  "Use type ClusterIP behind an Ingress or Gateway unless direct exposure is "
	  "intended.",
	  DOC(032)},
	 KSCOPE_OBJECT,
	 service_exposure},
};
const size_t k8s_nchecks_obj = ARRAY_SIZE(k8s_checks_obj);
