/* Pod spec checks: host namespaces, hostPath volumes, sysctls, service account token
 * mounting. One table entry per check. */
#include "k8s_int.h"

#include <string.h>

static void host_flag(struct kctx *c, const struct kcheck *k, const char *field, const char *ns)
{
	const struct kentry *e = kmap_entry(c->pod, field);
	if (e && knode_bool(e->val) == 1)
		k8s_emit(c, k, e->line, KBASE_POD, field, "the pod shares the host's %s namespace",
			 ns);
}

static void host_network(struct kctx *c, const struct kcheck *k)
{
	host_flag(c, k, "hostNetwork", "network");
}

static void host_pid(struct kctx *c, const struct kcheck *k)
{
	host_flag(c, k, "hostPID", "PID");
}

static void host_ipc(struct kctx *c, const struct kcheck *k)
{
	host_flag(c, k, "hostIPC", "IPC");
}

/* Calls fn for every hostPath volume with its index, entry and path. */
static void each_host_path(struct kctx *c, const struct kcheck *k,
			   void (*fn)(struct kctx *, const struct kcheck *, size_t,
				      const struct kentry *, const char *))
{
	const struct knode *vols = kmap_get(c->pod, "volumes");
	for (size_t i = 0; knode_is(vols, KNODE_SEQ) && i < vols->n; i++) {
		const struct kentry *hp = kmap_entry(vols->items[i], "hostPath");
		if (!hp)
			continue;
		const char *path = kmap_str(hp->val, "path");
		fn(c, k, i, hp, path ? path : "");
	}
}

static void emit_host_path(struct kctx *c, const struct kcheck *k, size_t i,
			   const struct kentry *hp, const char *path)
{
	char suffix[64];
	snprintf(suffix, sizeof(suffix), "volumes[%zu].hostPath", i);
	k8s_emit(c, k, hp->line, KBASE_POD, suffix, "the pod mounts the host path %s", path);
}

static void host_path(struct kctx *c, const struct kcheck *k)
{
	each_host_path(c, k, emit_host_path);
}

/* "/var//run/" -> "/var/run"; an empty result means "/". */
static void normalize(const char *in, char *out, size_t outsz)
{
	size_t n = 0;
	for (const char *p = in; *p && n + 1 < outsz; p++)
		if (!(*p == '/' && n && out[n - 1] == '/'))
			out[n++] = *p;
	while (n > 1 && out[n - 1] == '/')
		n--;
	out[n] = '\0';
}

static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);
	return !strncmp(a, b, n) && (a[n] == '/' || !a[n] || !strcmp(b, "/"));
}

/* The path is, is under, or contains one of the host's sensitive paths. */
static const char *sensitive(const char *path)
{
	static const char *const paths[] = {
		"/",
		"/etc",
		"/var/run/docker.sock",
		"/run/docker.sock",
		"/var/lib/docker",
		"/var/lib/containerd",
		"/run/containerd",
		"/var/run/containerd",
		"/var/run/crio",
		"/run/crio",
		"/var/lib/kubelet",
		"/etc/kubernetes",
		"/var/lib/etcd",
		"/proc",
		"/sys",
		"/dev",
		"/boot",
		"/root",
	};
	char norm[4096];
	normalize(path, norm, sizeof(norm));
	if (!strcmp(norm, "/"))
		return "/";
	for (size_t i = 1; i < ARRAY_SIZE(paths); i++)
		if (within(norm, paths[i]) || (norm[0] && within(paths[i], norm)))
			return paths[i];
	return NULL;
}

static void emit_sensitive(struct kctx *c, const struct kcheck *k, size_t i,
			   const struct kentry *hp, const char *path)
{
	const char *what = sensitive(path);
	if (!what)
		return;
	char suffix[64];
	snprintf(suffix, sizeof(suffix), "volumes[%zu].hostPath.path", i);
	const struct kentry *p = kmap_entry(hp->val, "path");
	k8s_emit(c, k, p ? p->line : hp->line, KBASE_POD, suffix,
		 "the pod mounts the host path %s, which exposes %s", path, what);
}

static void sensitive_host_path(struct kctx *c, const struct kcheck *k)
{
	each_host_path(c, k, emit_sensitive);
}

/* Kubernetes' "safe" set (Pod Security Standards, baseline). */
static bool safe_sysctl(const char *name)
{
	static const char *const safe[] = {
		"kernel.shm_rmid_forced",
		"net.ipv4.ip_local_port_range",
		"net.ipv4.ip_unprivileged_port_start",
		"net.ipv4.tcp_syncookies",
		"net.ipv4.ping_group_range",
		"net.ipv4.ip_local_reserved_ports",
		"net.ipv4.tcp_keepalive_time",
		"net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes",
	};
	for (size_t i = 0; i < ARRAY_SIZE(safe); i++)
		if (!strcmp(name, safe[i]))
			return true;
	return false;
}

static void sysctls(struct kctx *c, const struct kcheck *k)
{
	const struct knode *sc = kmap_get(c->pod, "securityContext");
	const struct knode *list = kmap_get(sc, "sysctls");
	for (size_t i = 0; knode_is(list, KNODE_SEQ) && i < list->n; i++) {
		const struct kentry *name = kmap_entry(list->items[i], "name");
		if (!name || !knode_is(name->val, KNODE_SCALAR) || safe_sysctl(name->val->str))
			continue;
		char suffix[64];
		snprintf(suffix, sizeof(suffix), "securityContext.sysctls[%zu].name", i);
		k8s_emit(c, k, name->line, KBASE_POD, suffix, "the pod sets the unsafe sysctl %s",
			 name->val->str);
	}
}

static void automount(struct kctx *c, const struct kcheck *k)
{
	const struct kentry *e = kmap_entry(c->pod, "automountServiceAccountToken");
	if (e && knode_bool(e->val) == 0)
		return;
	k8s_emit(c, k, e ? e->line : c->pod->line, KBASE_POD, "automountServiceAccountToken",
		 "the pod mounts its service account token (automountServiceAccountToken is "
		 "not false)");
}

const struct kcheck k8s_checks_pod[] = {
	{{ID(012), ALIAS("KSV009", "kubesec:HostNetwork"), HULL_SEV_HIGH,
	  "Host network namespace shared (hostNetwork)", "Remove hostNetwork: true.", DOC(012)},
	 KSCOPE_POD,
	 host_network},
	{{ID(013), ALIAS("KSV010", "kubesec:HostPID"), HULL_SEV_HIGH,
	  "Host PID namespace shared (hostPID)", "Remove hostPID: true.", DOC(013)},
	 KSCOPE_POD,
	 host_pid},
	{{ID(014), ALIAS("KSV008", "kubesec:HostIPC"), HULL_SEV_HIGH,
	  "Host IPC namespace shared (hostIPC)", "Remove hostIPC: true.", DOC(014)},
	 KSCOPE_POD,
	 host_ipc},
	{{ID(016), ALIAS("KSV023"), HULL_SEV_MEDIUM, "hostPath volume",
	  "Use emptyDir, a ConfigMap, a Secret or a PersistentVolumeClaim instead of hostPath.",
	  DOC(016)},
	 KSCOPE_POD,
	 host_path},
	{{ID(017), ALIAS("KSV006", "KSV121", "kubesec:DockerSock"), HULL_SEV_CRITICAL,
	  "hostPath volume of a sensitive host path",
	  "Never mount /, /etc, /proc, /sys, the container runtime's socket or state "
	  "directories into a pod.",
	  DOC(017)},
	 KSCOPE_POD,
	 sensitive_host_path},
	{{ID(019), ALIAS("KSV026"), HULL_SEV_MEDIUM, "Unsafe sysctl",
	  "Only set sysctls from Kubernetes' safe set, or none.", DOC(019)},
	 KSCOPE_POD,
	 sysctls},
	{{ID(025), ALIAS("KSV036", "kubesec:AutomountServiceAccountToken"), HULL_SEV_MEDIUM,
	  "Service account token mounted (automountServiceAccountToken not false)",
	  "Set automountServiceAccountToken: false on the pod spec unless it talks to the "
	  "API server.",
	  DOC(025)},
	 KSCOPE_POD,
	 automount},
};
const size_t k8s_nchecks_pod = ARRAY_SIZE(k8s_checks_pod);
