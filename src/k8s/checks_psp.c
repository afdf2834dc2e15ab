/* PodSecurityPolicy remnants (policy/v1beta1, removed in Kubernetes 1.25): the kind
 * itself, and what its spec admits, as checkov's and kube-bench's PSP checks read it. One
 * table entry per check. */
#include "k8s_int.h"

#include <string.h>
#include <strings.h>

static bool is_psp(const struct kctx *c)
{
	return !strcmp(c->kind, "PodSecurityPolicy");
}

static const struct knode *psp_spec(const struct kctx *c)
{
	const struct knode *spec = is_psp(c) ? kmap_get(c->obj, "spec") : NULL;
	return knode_is(spec, KNODE_MAP) ? spec : NULL; /* a spec that is not a map: no checks */
}

/* The line of spec (where a missing field belongs), else of the object. */
static size_t spec_line(const struct kctx *c)
{
	const struct kentry *e = kmap_entry(c->obj, "spec");
	return e ? e->line : c->obj->line;
}

static void psp_removed(struct kctx *c, const struct kcheck *k)
{
	if (!is_psp(c))
		return;
	const struct kentry *e = kmap_entry(c->obj, "kind");
	k8s_emit(c, k, e ? e->line : c->obj->line, KBASE_OBJECT, "kind",
		 "PodSecurityPolicy %s (%s) is removed since Kubernetes 1.25 and enforces "
		 "nothing there",
		 c->name, kmap_str(c->obj, "apiVersion"));
}

static void psp_privileged(struct kctx *c, const struct kcheck *k)
{
	const struct kentry *e = kmap_entry(psp_spec(c), "privileged");
	if (e && knode_bool(e->val) == 1)
		k8s_emit(c, k, e->line, KBASE_OBJECT, "spec.privileged",
			 "PodSecurityPolicy %s admits privileged containers", c->name);
}

static void psp_escalation(struct kctx *c, const struct kcheck *k)
{
	const struct knode *spec = psp_spec(c);
	if (!spec)
		return;
	const struct kentry *e = kmap_entry(spec, "allowPrivilegeEscalation");
	if (!e || knode_bool(e->val) != 0)
		k8s_emit(c, k, e ? e->line : spec_line(c), KBASE_OBJECT,
			 "spec.allowPrivilegeEscalation",
			 "PodSecurityPolicy %s admits privilege escalation "
			 "(allowPrivilegeEscalation "
			 "%s)",
			 c->name, e ? "is not false" : "defaults to true");
}

static void psp_host_namespaces(struct kctx *c, const struct kcheck *k)
{
	static const char *const fields[] = {"hostNetwork", "hostPID", "hostIPC"};
	const struct knode *spec = psp_spec(c);
	for (size_t i = 0; spec && i < ARRAY_SIZE(fields); i++) {
		const struct kentry *e = kmap_entry(spec, fields[i]);
		if (!e || knode_bool(e->val) != 1)
			continue;
		char suffix[32];
		snprintf(suffix, sizeof(suffix), "spec.%s", fields[i]);
		k8s_emit(c, k, e->line, KBASE_OBJECT, suffix, "PodSecurityPolicy %s admits %s",
			 c->name, fields[i]);
	}
}

static void psp_host_ports(struct kctx *c, const struct kcheck *k)
{
	const struct knode *ports = kmap_get(psp_spec(c), "hostPorts");
	for (size_t i = 0; knode_is(ports, KNODE_SEQ) && i < ports->n; i++) {
		const char *min = kmap_str(ports->items[i], "min");
		const char *max = kmap_str(ports->items[i], "max");
		char suffix[48];
		snprintf(suffix, sizeof(suffix), "spec.hostPorts[%zu]", i);
		k8s_emit(c, k, ports->items[i]->line, KBASE_OBJECT, suffix,
			 "PodSecurityPolicy %s admits host ports %s-%s", c->name, min ? min : "?",
			 max ? max : "?");
	}
}

/* runAsUser: RunAsAny, no runAsUser (the API requires one), or MustRunAs with a range
 * that starts at 0. */
static void psp_run_as_user(struct kctx *c, const struct kcheck *k)
{
	const struct knode *spec = psp_spec(c);
	if (!spec)
		return;
	const struct kentry *ru = kmap_entry(spec, "runAsUser");
	const struct kentry *rule = ru ? kmap_entry(ru->val, "rule") : NULL;
	if (!rule) {
		k8s_emit(c, k, ru ? ru->line : spec_line(c), KBASE_OBJECT, "spec.runAsUser.rule",
			 "PodSecurityPolicy %s sets no runAsUser rule: it admits root containers",
			 c->name);
		return;
	}
	const char *r = knode_is(rule->val, KNODE_SCALAR) ? rule->val->str : "";
	if (!strcmp(r, "RunAsAny")) {
		k8s_emit(c, k, rule->line, KBASE_OBJECT, "spec.runAsUser.rule",
			 "PodSecurityPolicy %s admits containers running as root (runAsUser rule "
			 "RunAsAny)",
			 c->name);
		return;
	}
	if (strcmp(r, "MustRunAs"))
		return;
	const struct knode *ranges = kmap_get(ru->val, "ranges");
	for (size_t i = 0; knode_is(ranges, KNODE_SEQ) && i < ranges->n; i++) {
		const char *min = kmap_str(ranges->items[i], "min");
		if (!min || strspn(min, "0") != strlen(min))
			continue;
		char suffix[48];
		snprintf(suffix, sizeof(suffix), "spec.runAsUser.ranges[%zu].min", i);
		k8s_emit(c, k, ranges->items[i]->line, KBASE_OBJECT, suffix,
			 "PodSecurityPolicy %s admits UID 0 (a runAsUser range starts at 0)",
			 c->name);
	}
}

static bool seq_has(const struct knode *seq, const char *s)
{
	for (size_t i = 0; knode_is(seq, KNODE_SEQ) && i < seq->n; i++)
		if (knode_is(seq->items[i], KNODE_SCALAR) && !strcasecmp(seq->items[i]->str, s))
			return true;
	return false;
}

static void psp_volumes(struct kctx *c, const struct kcheck *k)
{
	const struct knode *spec = psp_spec(c);
	const struct knode *vols = kmap_get(spec, "volumes");
	const struct knode *allowed = kmap_get(spec, "allowedHostPaths");
	bool restricted = knode_is(allowed, KNODE_SEQ) && allowed->n;
	for (size_t i = 0; knode_is(vols, KNODE_SEQ) && i < vols->n; i++) {
		const struct knode *v = vols->items[i];
		if (!knode_is(v, KNODE_SCALAR))
			continue;
		bool star = !strcmp(v->str, "*");
		if (!star && (strcmp(v->str, "hostPath") || restricted))
			continue;
		char suffix[48];
		snprintf(suffix, sizeof(suffix), "spec.volumes[%zu]", i);
		if (star)
			k8s_emit(c, k, v->line, KBASE_OBJECT, suffix,
				 "PodSecurityPolicy %s admits every volume type (\"*\")%s", c->name,
				 restricted ? "" : ", hostPath on any host path included");
		else
			k8s_emit(
				c, k, v->line, KBASE_OBJECT, suffix,
				"PodSecurityPolicy %s admits hostPath volumes on any host path (no "
				"allowedHostPaths)",
				c->name);
	}
}

static void psp_capabilities(struct kctx *c, const struct kcheck *k)
{
	const struct knode *caps = kmap_get(psp_spec(c), "allowedCapabilities");
	for (size_t i = 0; knode_is(caps, KNODE_SEQ) && i < caps->n; i++) {
		const struct knode *v = caps->items[i];
		if (!knode_is(v, KNODE_SCALAR) || strcmp(v->str, "*"))
			continue;
		char suffix[48];
		snprintf(suffix, sizeof(suffix), "spec.allowedCapabilities[%zu]", i);
		k8s_emit(c, k, v->line, KBASE_OBJECT, suffix,
			 "PodSecurityPolicy %s lets containers add any capability (\"*\")",
			 c->name);
	}
}

static void psp_drop_all(struct kctx *c, const struct kcheck *k)
{
	const struct knode *spec = psp_spec(c);
	if (!spec)
		return;
	const struct kentry *e = kmap_entry(spec, "requiredDropCapabilities");
	if (e && (seq_has(e->val, "ALL") || seq_has(e->val, "CAP_ALL")))
		return;
	k8s_emit(c, k, e ? e->line : spec_line(c), KBASE_OBJECT, "spec.requiredDropCapabilities",
		 "PodSecurityPolicy %s does not require dropping ALL capabilities", c->name);
}

static void psp_read_only_root(struct kctx *c, const struct kcheck *k)
{
	const struct knode *spec = psp_spec(c);
	if (!spec)
		return;
	const struct kentry *e = kmap_entry(spec, "readOnlyRootFilesystem");
	if (!e || knode_bool(e->val) != 1)
		k8s_emit(c, k, e ? e->line : spec_line(c), KBASE_OBJECT,
			 "spec.readOnlyRootFilesystem",
			 "PodSecurityPolicy %s does not require readOnlyRootFilesystem", c->name);
}

static void psp_groups_any(struct kctx *c, const struct kcheck *k)
{
	static const char *const fields[] = {"seLinux", "supplementalGroups", "fsGroup"};
	static const char *const what[] = {"SELinux context", "supplemental group", "fsGroup"};
	const struct knode *spec = psp_spec(c);
	for (size_t i = 0; spec && i < ARRAY_SIZE(fields); i++) {
		const struct kentry *rule = kmap_entry(kmap_get(spec, fields[i]), "rule");
		if (!rule || !knode_is(rule->val, KNODE_SCALAR) ||
		    strcmp(rule->val->str, "RunAsAny"))
			continue;
		char suffix[48];
		snprintf(suffix, sizeof(suffix), "spec.%s.rule", fields[i]);
		k8s_emit(c, k, rule->line, KBASE_OBJECT, suffix,
			 "PodSecurityPolicy %s admits any %s (rule RunAsAny)", c->name, what[i]);
	}
}

const struct kcheck k8s_checks_psp[] = {
	{{ID(039), ALIAS(NULL), HULL_SEV_LOW, "PodSecurityPolicy is removed (Kubernetes 1.25)",
	  "Enforce the Pod Security Standards with Pod Security Admission (namespace labels "
	  "pod-security.kubernetes.io/enforce: restricted) or a policy engine, and delete "
	  "the PodSecurityPolicy.",
	  DOC(039)},
	 KSCOPE_OBJECT,
	 psp_removed},
	{{ID(040), ALIAS("checkov:CKV_K8S_2"), HULL_SEV_HIGH,
	  "PodSecurityPolicy admits privileged containers",
	  "Remove spec.privileged or set it to false.", DOC(040)},
	 KSCOPE_OBJECT,
	 psp_privileged},
	{{ID(041), ALIAS("checkov:CKV_K8S_5"), HULL_SEV_MEDIUM,
	  "PodSecurityPolicy admits privilege escalation",
	  "Set spec.allowPrivilegeEscalation: false.", DOC(041)},
	 KSCOPE_OBJECT,
	 psp_escalation},
	{{ID(042), ALIAS("checkov:CKV_K8S_1", "checkov:CKV_K8S_3", "checkov:CKV_K8S_4"),
	  HULL_SEV_HIGH, "PodSecurityPolicy admits host namespaces",
	  "Remove spec.hostNetwork, spec.hostPID and spec.hostIPC or set them to false.", DOC(042)},
	 KSCOPE_OBJECT,
	 psp_host_namespaces},
	{{ID(043), ALIAS(NULL), HULL_SEV_MEDIUM, "PodSecurityPolicy admits host ports",
	  "Remove spec.hostPorts; expose pods through Services.", DOC(043)},
	 KSCOPE_OBJECT,
	 psp_host_ports},
	{{ID(044), ALIAS("checkov:CKV_K8S_6"), HULL_SEV_MEDIUM,
	  "PodSecurityPolicy admits root containers",
	  "Set spec.runAsUser.rule: MustRunAsNonRoot (or MustRunAs with ranges that start "
	  "above 0).",
	  DOC(044)},
	 KSCOPE_OBJECT,
	 psp_run_as_user},
	{{ID(045), ALIAS(NULL), HULL_SEV_HIGH, "PodSecurityPolicy admits any hostPath",
	  "List the volume types pods need instead of \"*\", and drop hostPath or restrict it "
	  "with allowedHostPaths (readOnly: true).",
	  DOC(045)},
	 KSCOPE_OBJECT,
	 psp_volumes},
	{{ID(046), ALIAS(NULL), HULL_SEV_HIGH, "PodSecurityPolicy admits every capability",
	  "List the capabilities pods may add instead of \"*\" (usually none, or "
	  "NET_BIND_SERVICE).",
	  DOC(046)},
	 KSCOPE_OBJECT,
	 psp_capabilities},
	{{ID(047), ALIAS(NULL), HULL_SEV_MEDIUM,
	  "PodSecurityPolicy does not require dropping ALL capabilities",
	  "Set spec.requiredDropCapabilities: [ALL].", DOC(047)},
	 KSCOPE_OBJECT,
	 psp_drop_all},
	{{ID(048), ALIAS(NULL), HULL_SEV_LOW,
	  "PodSecurityPolicy does not require a read-only root filesystem",
	  "Set spec.readOnlyRootFilesystem: true.", DOC(048)},
	 KSCOPE_OBJECT,
	 psp_read_only_root},
	{{ID(049), ALIAS(NULL), HULL_SEV_LOW,
	  "PodSecurityPolicy admits any SELinux context, supplemental group or fsGroup",
	  "Use rule MustRunAs (with ranges above 0 for groups) for seLinux, "
	  "supplementalGroups and fsGroup.",
	  DOC(049)},
	 KSCOPE_OBJECT,
	 psp_groups_any},
};
const size_t k8s_nchecks_psp = ARRAY_SIZE(k8s_checks_psp);
