/* Container securityContext checks: root, privilege escalation, capabilities, read-only
 * root, seccomp, AppArmor, SELinux, procMount. Pod-level fields are inherited (see
 * k8s_sc_field), as the kubelet applies them. One table entry per check. */
#include "k8s_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void run_as_non_root(struct kctx *c, const struct kcheck *k)
{
	struct kfield f = k8s_sc_field(c, "runAsNonRoot");
	if (knode_bool(f.val) == 1)
		return;
	/* An explicit non-zero UID also keeps the process off root. */
	struct kfield u = k8s_sc_field(c, "runAsUser");
	if (knode_is(u.val, KNODE_SCALAR) && strtoll(u.val->str, NULL, 10) > 0)
		return;
	k8s_emit(c, k, f.line, f.base, "securityContext.runAsNonRoot",
		 "container %s does not set runAsNonRoot: true; it runs as root unless the image "
		 "sets a non-root USER",
		 c->ctr_name);
}

static void run_as_user_root(struct kctx *c, const struct kcheck *k)
{
	struct kfield u = k8s_sc_field(c, "runAsUser");
	if (knode_is(u.val, KNODE_SCALAR) && !strcmp(u.val->str, "0"))
		k8s_emit(c, k, u.line, u.base, "securityContext.runAsUser",
			 "container %s runs as UID 0 (root)", c->ctr_name);
}

static void privilege_escalation(struct kctx *c, const struct kcheck *k)
{
	struct kfield f = k8s_ctr_field(c, "allowPrivilegeEscalation");
	if (knode_bool(f.val) != 0)
		k8s_emit(c, k, f.line, KBASE_CONTAINER, "securityContext.allowPrivilegeEscalation",
			 "container %s does not set allowPrivilegeEscalation: false", c->ctr_name);
}

static void privileged(struct kctx *c, const struct kcheck *k)
{
	struct kfield f = k8s_ctr_field(c, "privileged");
	if (knode_bool(f.val) == 1)
		k8s_emit(c, k, f.line, KBASE_CONTAINER, "securityContext.privileged",
			 "container %s is privileged: it has every capability and the host's "
			 "devices",
			 c->ctr_name);
}

static const char *cap_name(const struct knode *n)
{
	if (!knode_is(n, KNODE_SCALAR))
		return "";
	return strncasecmp(n->str, "CAP_", 4) ? n->str : n->str + 4;
}

static void drop_all(struct kctx *c, const struct kcheck *k)
{
	struct kfield f = k8s_ctr_field(c, "capabilities");
	const struct kentry *drop = kmap_entry(f.val, "drop");
	for (size_t i = 0; drop && knode_is(drop->val, KNODE_SEQ) && i < drop->val->n; i++)
		if (!strcasecmp(cap_name(drop->val->items[i]), "ALL"))
			return;
	k8s_emit(c, k, drop ? drop->line : f.line, KBASE_CONTAINER,
		 "securityContext.capabilities.drop", "container %s does not drop ALL capabilities",
		 c->ctr_name);
}

static bool dangerous_cap(const char *name)
{
	static const char *const caps[] = {
		"ALL",	      "SYS_ADMIN",  "NET_ADMIN",       "NET_RAW",
		"SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "DAC_OVERRIDE",
		"SYS_RAWIO",  "SYS_BOOT",   "SYS_TIME",	       "BPF",
		"PERFMON",    "MAC_ADMIN",  "MAC_OVERRIDE",    "SETFCAP",
		"SYSLOG",     "SYS_CHROOT",
	};
	for (size_t i = 0; i < ARRAY_SIZE(caps); i++)
		if (!strcasecmp(name, caps[i]))
			return true;
	return false;
}

static void dangerous_caps(struct kctx *c, const struct kcheck *k)
{
	struct kfield f = k8s_ctr_field(c, "capabilities");
	const struct knode *add = kmap_get(f.val, "add");
	for (size_t i = 0; knode_is(add, KNODE_SEQ) && i < add->n; i++) {
		const char *name = cap_name(add->items[i]);
		if (!dangerous_cap(name))
			continue;
		char suffix[64];
		snprintf(suffix, sizeof(suffix), "securityContext.capabilities.add[%zu]", i);
		k8s_emit(c, k, add->items[i]->line, KBASE_CONTAINER, suffix,
			 "container %s adds the capability %s", c->ctr_name, name);
	}
}

static void read_only_root(struct kctx *c, const struct kcheck *k)
{
	struct kfield f = k8s_ctr_field(c, "readOnlyRootFilesystem");
	if (knode_bool(f.val) != 1)
		k8s_emit(c, k, f.line, KBASE_CONTAINER, "securityContext.readOnlyRootFilesystem",
			 "container %s does not set readOnlyRootFilesystem: true", c->ctr_name);
}

/* The pre-1.19 annotations still work on older clusters and in many charts. */
static const struct kentry *seccomp_annotation(const struct kctx *c)
{
	char key[512];
	snprintf(key, sizeof(key), "container.seccomp.security.alpha.kubernetes.io/%s",
		 c->ctr_name);
	const struct kentry *e = k8s_pod_annotation(c, key);
	return e ? e : k8s_pod_annotation(c, "seccomp.security.alpha.kubernetes.io/pod");
}

static void seccomp_unset(struct kctx *c, const struct kcheck *k)
{
	struct kfield f = k8s_sc_field(c, "seccompProfile");
	const char *type = kmap_str(f.val, "type");
	if (type && (!strcmp(type, "RuntimeDefault") || !strcmp(type, "Localhost")))
		return;
	if (type)
		return; /* Unconfined (or unknown): HULL-K8S-009 says it */
	const struct kentry *a = seccomp_annotation(c);
	if (a && knode_is(a->val, KNODE_SCALAR) && strcmp(a->val->str, "unconfined"))
		return;
	if (!a)
		k8s_emit(c, k, f.line, f.base, "securityContext.seccompProfile.type",
			 "container %s has no seccompProfile (RuntimeDefault or Localhost)",
			 c->ctr_name);
}

static void seccomp_unconfined(struct kctx *c, const struct kcheck *k)
{
	struct kfield f = k8s_sc_field(c, "seccompProfile");
	const struct kentry *t = kmap_entry(f.val, "type");
	if (t && knode_is(t->val, KNODE_SCALAR) && strcmp(t->val->str, "RuntimeDefault") &&
	    strcmp(t->val->str, "Localhost")) {
		k8s_emit(c, k, t->line, f.base, "securityContext.seccompProfile.type",
			 "container %s runs with seccompProfile type %s", c->ctr_name, t->val->str);
		return;
	}
	const struct kentry *a = t ? NULL : seccomp_annotation(c);
	if (a && knode_is(a->val, KNODE_SCALAR) && !strcmp(a->val->str, "unconfined"))
		k8s_emit(c, k, a->line, KBASE_TEMPLATE, "metadata.annotations",
			 "container %s runs with the seccomp annotation %s: unconfined",
			 c->ctr_name, a->key);
}

static void apparmor(struct kctx *c, const struct kcheck *k)
{
	struct kfield f = k8s_sc_field(c, "appArmorProfile");
	const struct kentry *t = kmap_entry(f.val, "type");
	if (t && knode_is(t->val, KNODE_SCALAR) && !strcmp(t->val->str, "Unconfined")) {
		k8s_emit(c, k, t->line, f.base, "securityContext.appArmorProfile.type",
			 "container %s runs with AppArmor unconfined", c->ctr_name);
		return;
	}
	char key[512];
	snprintf(key, sizeof(key), "container.apparmor.security.beta.kubernetes.io/%s",
		 c->ctr_name);
	const struct kentry *a = k8s_pod_annotation(c, key);
	if (a && knode_is(a->val, KNODE_SCALAR) && !strcmp(a->val->str, "unconfined"))
		k8s_emit(c, k, a->line, KBASE_TEMPLATE, "metadata.annotations",
			 "container %s runs with AppArmor unconfined (annotation %s)", c->ctr_name,
			 key);
}

static void selinux(struct kctx *c, const struct kcheck *k)
{
	static const char *const ok_types[] = {"container_t", "container_init_t", "container_kvm_t",
					       "container_engine_t"};
	struct kfield f = k8s_sc_field(c, "seLinuxOptions");
	const struct kentry *t = kmap_entry(f.val, "type");
	if (t && knode_is(t->val, KNODE_SCALAR) && *t->val->str) {
		bool ok = false;
		for (size_t i = 0; i < ARRAY_SIZE(ok_types); i++)
			ok |= !strcmp(t->val->str, ok_types[i]);
		if (!ok)
			k8s_emit(c, k, t->line, f.base, "securityContext.seLinuxOptions.type",
				 "container %s runs with SELinux type %s", c->ctr_name,
				 t->val->str);
	}
	static const char *const fields[] = {"user", "role"};
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct kentry *e = kmap_entry(f.val, fields[i]);
		if (!e || !knode_is(e->val, KNODE_SCALAR) || !*e->val->str)
			continue;
		char suffix[64];
		snprintf(suffix, sizeof(suffix), "securityContext.seLinuxOptions.%s", fields[i]);
		k8s_emit(c, k, e->line, f.base, suffix, "container %s sets SELinux %s %s",
			 c->ctr_name, fields[i], e->val->str);
	}
}

static void proc_mount(struct kctx *c, const struct kcheck *k)
{
	struct kfield f = k8s_ctr_field(c, "procMount");
	if (knode_is(f.val, KNODE_SCALAR) && !strcmp(f.val->str, "Unmasked"))
		k8s_emit(c, k, f.line, KBASE_CONTAINER, "securityContext.procMount",
			 "container %s mounts /proc unmasked", c->ctr_name);
}

/* The user part of an image config's User ("UID[:GID]" or "NAME[:GROUP]"). */
static size_t user_part(const char *user)
{
	return strcspn(user, ":");
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* A numeric user part of value 0 (so "0", "00", "0:0"). */
static bool uid_zero(const char *s, size_t n)
{
	return all_digits(s, n) && strspn(s, "0") >= n;
}

static bool windows_pod(const struct kctx *c)
{
	const char *os = kmap_str(kmap_get(c->pod, "os"), "name");
	return os && !strcmp(os, "windows");
}

/* The user the container's image runs as, when known and no runAsUser applies. */
static const char *image_user_unset_uid(struct kctx *c)
{
	if (!c->opts->images || windows_pod(c))
		return NULL;
	if (k8s_sc_field(c, "runAsUser").val)
		return NULL; /* HULL-K8S-002 judges an explicit UID */
	return k8s_image_user(c->opts->images, kmap_str(c->ctr, "image"));
}

static void root_image(struct kctx *c, const struct kcheck *k)
{
	const char *user = image_user_unset_uid(c);
	if (!user)
		return;
	size_t n = user_part(user);
	if (n && !uid_zero(user, n) && !(n == 4 && !strncmp(user, "root", 4)))
		return;
	if (knode_bool(k8s_sc_field(c, "runAsNonRoot").val) == 1)
		return; /* the kubelet refuses to start it: HULL-K8S-038 */
	struct kfield u = k8s_sc_field(c, "runAsUser");
	k8s_emit(c, k, u.line, KBASE_CONTAINER, "securityContext.runAsUser",
		 "container %s runs as root: no runAsUser is set and image %s runs as %s%s%s",
		 c->ctr_name, kmap_str(c->ctr, "image"), *user ? "user \"" : "root (no USER)", user,
		 *user ? "\"" : "");
}

/* The kubelet's verifyRunAsNonRoot: with runAsNonRoot true and no runAsUser it starts
 * the container only when the image's user is numeric and not 0; an unset user counts as
 * root, and a name cannot be verified. */
static void non_root_fails(struct kctx *c, const struct kcheck *k)
{
	const char *user = image_user_unset_uid(c);
	if (!user)
		return;
	struct kfield f = k8s_sc_field(c, "runAsNonRoot");
	if (knode_bool(f.val) != 1)
		return;
	size_t n = user_part(user);
	const char *image = kmap_str(c->ctr, "image");
	if (!n || uid_zero(user, n))
		k8s_emit(c, k, f.line, f.base, "securityContext.runAsNonRoot",
			 "container %s will fail to start: runAsNonRoot is true, no runAsUser is "
			 "set and image %s runs as root (%s%s%s)",
			 c->ctr_name, image, n ? "user \"" : "no USER", user, n ? "\"" : "");
	else if (!all_digits(user, n))
		k8s_emit(c, k, f.line, f.base, "securityContext.runAsNonRoot",
			 "container %s will fail to start: runAsNonRoot is true, no runAsUser is "
			 "set and image %s has the non-numeric user \"%.*s\", which the kubelet "
			 "cannot verify is not root",
			 c->ctr_name, image, (int)n, user);
}

const struct kcheck k8s_checks_sc[] = {
	{{ID(001), ALIAS("KSV012", "kubesec:RunAsNonRoot"), HULL_SEV_MEDIUM,
	  "Container may run as root (runAsNonRoot not true)",
	  "Set securityContext.runAsNonRoot: true (and a non-zero runAsUser) on the pod or "
	  "the container.",
	  DOC(001)},
	 KSCOPE_CONTAINER,
	 run_as_non_root},
	{{ID(002), ALIAS("KSV105", "kubesec:RunAsUser"), HULL_SEV_MEDIUM, "Container runs as UID 0",
	  "Set securityContext.runAsUser to a non-zero UID.", DOC(002)},
	 KSCOPE_CONTAINER,
	 run_as_user_root},
	{{ID(003), ALIAS("KSV001", "kubesec:AllowPrivilegeEscalation"), HULL_SEV_MEDIUM,
	  "Privilege escalation allowed (allowPrivilegeEscalation not false)",
	  "Set securityContext.allowPrivilegeEscalation: false on every container.", DOC(003)},
	 KSCOPE_CONTAINER,
	 privilege_escalation},
	{{ID(004), ALIAS("KSV017", "kubesec:Privileged"), HULL_SEV_CRITICAL, "Privileged container",
	  "Remove securityContext.privileged: true; add only the capabilities needed.", DOC(004)},
	 KSCOPE_CONTAINER,
	 privileged},
	{{ID(005), ALIAS("KSV003", "kubesec:CapDropAll"), HULL_SEV_MEDIUM,
	  "Capabilities not dropped (drop ALL missing)",
	  "Set securityContext.capabilities.drop: [ALL] and add back only what is needed.",
	  DOC(005)},
	 KSCOPE_CONTAINER,
	 drop_all},
	{{ID(006), ALIAS("KSV005", "KSV022", "kubesec:CapSysAdmin"), HULL_SEV_HIGH,
	  "Dangerous capability added",
	  "Remove the capability from securityContext.capabilities.add (NET_BIND_SERVICE is "
	  "usually all a service needs).",
	  DOC(006)},
	 KSCOPE_CONTAINER,
	 dangerous_caps},
	{{ID(007), ALIAS("KSV014", "kubesec:ReadOnlyRootFilesystem"), HULL_SEV_MEDIUM,
	  "Root filesystem is writable (readOnlyRootFilesystem not true)",
	  "Set securityContext.readOnlyRootFilesystem: true; mount an emptyDir where the "
	  "application writes.",
	  DOC(007)},
	 KSCOPE_CONTAINER,
	 read_only_root},
	{{ID(008), ALIAS("KSV030", "kubesec:SeccompAny"), HULL_SEV_MEDIUM,
	  "No seccomp profile (RuntimeDefault or Localhost)",
	  "Set securityContext.seccompProfile.type: RuntimeDefault on the pod.", DOC(008)},
	 KSCOPE_CONTAINER,
	 seccomp_unset},
	{{ID(009), ALIAS("KSV104"), HULL_SEV_HIGH, "Seccomp unconfined",
	  "Use seccompProfile.type RuntimeDefault or Localhost, never Unconfined.", DOC(009)},
	 KSCOPE_CONTAINER,
	 seccomp_unconfined},
	{{ID(010), ALIAS("KSV002", "kubesec:ApparmorAny"), HULL_SEV_HIGH, "AppArmor unconfined",
	  "Use appArmorProfile.type RuntimeDefault or Localhost (or remove the unconfined "
	  "annotation).",
	  DOC(010)},
	 KSCOPE_CONTAINER,
	 apparmor},
	{{ID(011), ALIAS("KSV025"), HULL_SEV_MEDIUM, "SELinux options override the container type",
	  "Remove seLinuxOptions user/role and any type other than container_t, "
	  "container_init_t or container_kvm_t.",
	  DOC(011)},
	 KSCOPE_CONTAINER,
	 selinux},
	{{ID(018), ALIAS("KSV027"), HULL_SEV_HIGH, "/proc mounted unmasked (procMount Unmasked)",
	  "Remove securityContext.procMount or set it to Default.", DOC(018)},
	 KSCOPE_CONTAINER,
	 proc_mount},
	{{ID(037), ALIAS("KSV012"), HULL_SEV_HIGH,
	  "Container runs as root (no runAsUser, the image's user is root)",
	  "Set securityContext.runAsUser to a non-zero UID (and runAsNonRoot: true), or "
	  "rebuild the image with a numeric non-root USER.",
	  DOC(037)},
	 KSCOPE_CONTAINER,
	 root_image},
	{{ID(038), ALIAS(NULL), HULL_SEV_MEDIUM,
	  "Container will fail to start (runAsNonRoot with a root or non-numeric image user)",
	  "Set securityContext.runAsUser to a non-zero UID, or rebuild the image with a "
	  "numeric non-root USER (UID[:GID]).",
	  DOC(038)},
	 KSCOPE_CONTAINER,
	 non_root_fails},
};
const size_t k8s_nchecks_sc = ARRAY_SIZE(k8s_checks_sc);
