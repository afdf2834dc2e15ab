/* Whole-object checks: the default namespace, RBAC rules (wildcards, reading Secrets),
 * bindings (cluster-admin, anonymous subjects), Service and Ingress exposure and
 * NetworkPolicies that allow everything. One table entry per check. */
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

static bool is_binding(const struct kctx *c)
{
	return !strcmp(c->kind, "RoleBinding") || !strcmp(c->kind, "ClusterRoleBinding");
}

static void binding_cluster_admin(struct kctx *c, const struct kcheck *k)
{
	const struct knode *ref = is_binding(c) ? kmap_get(c->obj, "roleRef") : NULL;
	const struct kentry *name = kmap_entry(ref, "name");
	if (!name || !knode_is(name->val, KNODE_SCALAR) || strcmp(name->val->str, "cluster-admin"))
		return;
	const char *rk = kmap_str(ref, "kind");
	if (rk && strcmp(rk, "ClusterRole"))
		return;
	k8s_emit(c, k, name->line, KBASE_OBJECT, "roleRef.name",
		 "%s %s grants the cluster-admin ClusterRole", c->kind, c->name);
}

/* Subjects that mean "anyone": unauthenticated users, or every authenticated one. */
static void binding_anyone(struct kctx *c, const struct kcheck *k)
{
	static const char *const anyone[] = {"system:anonymous", "system:unauthenticated",
					     "system:authenticated"};
	const struct knode *subjects = is_binding(c) ? kmap_get(c->obj, "subjects") : NULL;
	for (size_t i = 0; knode_is(subjects, KNODE_SEQ) && i < subjects->n; i++) {
		const struct kentry *name = kmap_entry(subjects->items[i], "name");
		if (!name || !knode_is(name->val, KNODE_SCALAR))
			continue;
		for (size_t a = 0; a < ARRAY_SIZE(anyone); a++) {
			if (strcmp(name->val->str, anyone[a]))
				continue;
			char suffix[64];
			snprintf(suffix, sizeof(suffix), "subjects[%zu].name", i);
			k8s_emit(c, k, name->line, KBASE_OBJECT, suffix,
				 "%s %s binds its role to %s", c->kind, c->name, anyone[a]);
		}
	}
}

static void ingress_tls(struct kctx *c, const struct kcheck *k)
{
	if (strcmp(c->kind, "Ingress"))
		return;
	const struct kentry *spec = kmap_entry(c->obj, "spec");
	const struct knode *tls = spec ? kmap_get(spec->val, "tls") : NULL;
	if (knode_is(tls, KNODE_SEQ) && tls->n)
		return;
	k8s_emit(c, k, spec ? spec->line : c->obj->line, KBASE_OBJECT, "spec.tls",
		 "Ingress %s serves plain HTTP (no spec.tls)", c->name);
}

/* An ingress/egress rule that is empty ({}: every peer, every port) or names the
 * whole IPv4/IPv6 space. */
static bool allows_all(const struct knode *rule, const char *peers)
{
	if (knode_is(rule, KNODE_MAP) && rule->n == 0)
		return true;
	const struct knode *list = kmap_get(rule, peers);
	for (size_t i = 0; knode_is(list, KNODE_SEQ) && i < list->n; i++) {
		const char *cidr = kmap_str(kmap_get(list->items[i], "ipBlock"), "cidr");
		if (cidr && (!strcmp(cidr, "0.0.0.0/0") || !strcmp(cidr, "::/0")) &&
		    !kmap_get(kmap_get(list->items[i], "ipBlock"), "except"))
			return true;
	}
	return false;
}

static void netpol_allow_all(struct kctx *c, const struct kcheck *k)
{
	if (strcmp(c->kind, "NetworkPolicy"))
		return;
	const struct knode *spec = kmap_get(c->obj, "spec");
	static const char *const dirs[][2] = {{"ingress", "from"}, {"egress", "to"}};
	for (size_t d = 0; d < ARRAY_SIZE(dirs); d++) {
		const struct knode *rules = kmap_get(spec, dirs[d][0]);
		for (size_t i = 0; knode_is(rules, KNODE_SEQ) && i < rules->n; i++) {
			if (!allows_all(rules->items[i], dirs[d][1]))
				continue;
			char suffix[64];
			snprintf(suffix, sizeof(suffix), "spec.%s[%zu]", dirs[d][0], i);
			k8s_emit(c, k, rules->items[i]->line, KBASE_OBJECT, suffix,
				 "NetworkPolicy %s allows all %s traffic", c->name, dirs[d][0]);
		}
	}
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
	{{ID(033), ALIAS("KSV111"), HULL_SEV_HIGH, "Binding grants cluster-admin",
	  "Bind a Role or ClusterRole with only the permissions the subject needs.", DOC(033)},
	 KSCOPE_OBJECT,
	 binding_cluster_admin},
	{{ID(034), ALIAS(NULL), HULL_SEV_CRITICAL, "Binding to anonymous or every user",
	  "Bind roles to named users, groups or service accounts, never to "
	  "system:anonymous, system:unauthenticated or system:authenticated.",
	  DOC(034)},
	 KSCOPE_OBJECT,
	 binding_anyone},
	{{ID(035), ALIAS(NULL), HULL_SEV_LOW, "Ingress without TLS",
	  "Add spec.tls with a certificate Secret for every host.", DOC(035)},
	 KSCOPE_OBJECT,
	 ingress_tls},
	{{ID(036), ALIAS(NULL), HULL_SEV_MEDIUM, "NetworkPolicy allows all traffic",
	  "List the peers (podSelector, namespaceSelector, narrow ipBlock) and ports each "
	  "rule needs; an empty rule {} or 0.0.0.0/0 allows everything.",
	  DOC(036)},
	 KSCOPE_OBJECT,
	 netpol_allow_all},
};
const size_t k8s_nchecks_obj = ARRAY_SIZE(k8s_checks_obj);
