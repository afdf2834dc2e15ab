"""hull k8s end to end: a hardened Deployment that passes, one bad manifest per check
(asserting id, severity, line, object and YAML path), streams, Lists, CronJob nesting,
securityContext inheritance, directory walks, stdin, hostile YAML, formats, exit codes."""
import json
import os
import subprocess

import pytest

import hullfix as H

SARIF_SCHEMA = os.path.join(H.REPO, "..", "shared", "schemas", "sarif-schema-2.1.0.json")
DIGEST = "sha256:" + "ab" * 32

HARDENED = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        runAsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
      - name: web
        image: registry.example.com/shop/web:1.4.2@%s
        imagePullPolicy: IfNotPresent
        ports:
        - containerPort: 8080
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            drop: [ALL]
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: 500m, memory: 256Mi}
        livenessProbe:
          httpGet: {path: /healthz, port: 8080}
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
        env:
        - name: DB_PASSWORD
          valueFrom:
            secretKeyRef: {name: db, key: password}
        - name: LOG_LEVEL
          value: info
        volumeMounts:
        - {name: tmp, mountPath: /tmp}
      volumes:
      - name: tmp
        emptyDir: {}
""" % DIGEST

POD = "spec.template.spec"
CTR = POD + ".containers[0]"


def run(*args, stdin=None, timeout=60):
    p = subprocess.run([H.HULL, "k8s"] + [str(a) for a in args], input=stdin,
                       capture_output=True, timeout=timeout)
    return H.Result(["k8s"] + [str(a) for a in args], p.returncode,
                    p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


def scan(tmp_path, text, *args, name="m.yaml"):
    p = tmp_path / name
    p.write_text(text)
    res = run("--format", "json", *args, p)
    assert res.rc == 0, res.describe()
    return H.strict_json(res.out)["findings"], p


def line_of(text, needle, nth=1):
    hits = [i + 1 for i, l in enumerate(text.splitlines()) if needle in l]
    assert len(hits) >= nth, needle
    return hits[nth - 1]


def edit(old, new, text=HARDENED):
    assert old in text, old
    return text.replace(old, new, 1)


def test_hardened_deployment_is_clean(tmp_path):
    findings, _ = scan(tmp_path, HARDENED)
    assert findings == []


# (id, severity, old, new, line marker, yaml path, container)
CASES = [
    ("HULL-K8S-001", "MEDIUM", "        runAsNonRoot: true\n        runAsUser: 10001\n", "",
     "        securityContext:", CTR + ".securityContext.runAsNonRoot", "web"),
    ("HULL-K8S-002", "MEDIUM", "runAsUser: 10001", "runAsUser: 0", "runAsUser: 0",
     POD + ".securityContext.runAsUser", "web"),
    ("HULL-K8S-003", "MEDIUM", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true",
     "allowPrivilegeEscalation", CTR + ".securityContext.allowPrivilegeEscalation", "web"),
    ("HULL-K8S-004", "CRITICAL", "          readOnlyRootFilesystem: true\n",
     "          readOnlyRootFilesystem: true\n          privileged: true\n", "privileged",
     CTR + ".securityContext.privileged", "web"),
    ("HULL-K8S-005", "MEDIUM", "drop: [ALL]", "drop: [NET_RAW]", "drop:",
     CTR + ".securityContext.capabilities.drop", "web"),
    ("HULL-K8S-006", "HIGH", "            drop: [ALL]\n",
     "            drop: [ALL]\n            add:\n            - NET_BIND_SERVICE\n"
     "            - SYS_ADMIN\n", "SYS_ADMIN", CTR + ".securityContext.capabilities.add[1]", "web"),
    ("HULL-K8S-007", "MEDIUM", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false",
     "readOnlyRootFilesystem", CTR + ".securityContext.readOnlyRootFilesystem", "web"),
    ("HULL-K8S-008", "MEDIUM", "        seccompProfile:\n          type: RuntimeDefault\n", "",
     "        securityContext:", CTR + ".securityContext.seccompProfile.type", "web"),
    ("HULL-K8S-009", "HIGH", "type: RuntimeDefault", "type: Unconfined", "Unconfined",
     POD + ".securityContext.seccompProfile.type", "web"),
    ("HULL-K8S-010", "HIGH", "      labels: {app: web}\n",
     "      labels: {app: web}\n      annotations:\n"
     "        container.apparmor.security.beta.kubernetes.io/web: unconfined\n",
     "apparmor", "spec.template.metadata.annotations", "web"),
    ("HULL-K8S-011", "MEDIUM", "          readOnlyRootFilesystem: true\n",
     "          readOnlyRootFilesystem: true\n          seLinuxOptions:\n            type: spc_t\n",
     "spc_t", CTR + ".securityContext.seLinuxOptions.type", "web"),
    ("HULL-K8S-012", "HIGH", "      automountServiceAccountToken: false\n",
     "      automountServiceAccountToken: false\n      hostNetwork: true\n", "hostNetwork",
     POD + ".hostNetwork", None),
    ("HULL-K8S-013", "HIGH", "      automountServiceAccountToken: false\n",
     "      automountServiceAccountToken: false\n      hostPID: true\n", "hostPID",
     POD + ".hostPID", None),
    ("HULL-K8S-014", "HIGH", "      automountServiceAccountToken: false\n",
     "      automountServiceAccountToken: false\n      hostIPC: true\n", "hostIPC",
     POD + ".hostIPC", None),
    ("HULL-K8S-015", "MEDIUM", "        - containerPort: 8080\n",
     "        - containerPort: 8080\n          hostPort: 80\n", "hostPort",
     CTR + ".ports[0].hostPort", "web"),
    ("HULL-K8S-016", "MEDIUM", "        emptyDir: {}\n", "        hostPath:\n          path: /var/log\n",
     "hostPath:", POD + ".volumes[0].hostPath", None),
    ("HULL-K8S-017", "CRITICAL", "        emptyDir: {}\n",
     "        hostPath:\n          path: /var/run/docker.sock\n", "docker.sock",
     POD + ".volumes[0].hostPath.path", None),
    ("HULL-K8S-018", "HIGH", "          readOnlyRootFilesystem: true\n",
     "          readOnlyRootFilesystem: true\n          procMount: Unmasked\n", "procMount",
     CTR + ".securityContext.procMount", "web"),
    ("HULL-K8S-019", "MEDIUM", "        runAsGroup: 10001\n",
     "        runAsGroup: 10001\n        sysctls:\n        - name: net.ipv4.tcp_syncookies\n"
     "          value: \"1\"\n        - name: kernel.msgmax\n          value: \"65536\"\n",
     "kernel.msgmax", POD + ".securityContext.sysctls[1].name", None),
    ("HULL-K8S-020", "LOW", "          requests: {cpu: 100m, memory: 128Mi}\n",
     "          requests: {cpu: 100m}\n", "requests:", CTR + ".resources.requests", "web"),
    ("HULL-K8S-021", "LOW", "          limits: {cpu: 500m, memory: 256Mi}\n", "",
     "        resources:", CTR + ".resources.limits", "web"),
    ("HULL-K8S-022", "MEDIUM", "registry.example.com/shop/web:1.4.2@" + DIGEST,
     "nginx:latest", "nginx:latest", CTR + ".image", "web"),
    ("HULL-K8S-023", "LOW", "registry.example.com/shop/web:1.4.2@" + DIGEST,
     "registry.example.com:5000/shop/web:1.4.2", "image:", CTR + ".image", "web"),
    ("HULL-K8S-024", "LOW", "registry.example.com/shop/web:1.4.2@" + DIGEST,
     "registry.example.com/shop/web:1.4.2", "imagePullPolicy", CTR + ".imagePullPolicy",
     "web"),
    ("HULL-K8S-025", "MEDIUM", "automountServiceAccountToken: false",
     "automountServiceAccountToken: true", "automountServiceAccountToken",
     POD + ".automountServiceAccountToken", None),
    ("HULL-K8S-026", "LOW", "namespace: shop", "namespace: default", "namespace:",
     "metadata.namespace", None),
    ("HULL-K8S-027", "HIGH", "          value: info\n",
     "          value: info\n        - name: AWS_ACCESS_KEY_ID\n"
     "          value: AKIA" + "Q2WERTYUIOPA3SDF\n", "AKIA", CTR + ".env[2].value", "web"),
    ("HULL-K8S-028", "LOW", "        livenessProbe:\n          httpGet: {path: /healthz, port: 8080}\n",
     "", "- name: web", CTR + ".livenessProbe", "web"),
    ("HULL-K8S-029", "LOW", "        readinessProbe:\n          httpGet: {path: /ready, port: 8080}\n",
     "", "- name: web", CTR + ".readinessProbe", "web"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_one_bad_setting(tmp_path, case):
    cid, sev, old, new, marker, ypath, ctr = case
    text = edit(old, new)
    findings, p = scan(tmp_path, text)
    hits = [f for f in findings if f["id"] == cid]
    assert len(hits) == 1, findings
    f = hits[0]
    assert f["kind"] == "k8s"
    assert f["severity"] == sev
    assert f["line"] == line_of(text, marker), f
    assert f["path"] == str(p)
    assert f["object"] == {"kind": "Deployment", "namespace": f["object"]["namespace"],
                           "name": "web", "container": ctr, "document": 1, "yaml_path": ypath}
    assert f["title"] and f["message"] and f["remediation"]
    assert f["doc"] == "docs/k8s.md#" + cid.lower()
    assert isinstance(f["aliases"], list)
    # Only the check under test (and its companions) fires.
    others = {x["id"] for x in findings} - {cid}
    assert others <= {"HULL-K8S-016", "HULL-K8S-023", "HULL-K8S-024", "HULL-K8S-022"}, findings


def test_image_without_tag(tmp_path):
    findings, _ = scan(tmp_path, edit("registry.example.com/shop/web:1.4.2@" + DIGEST, "nginx"))
    f = [f for f in findings if f["id"] == "HULL-K8S-022"]
    assert len(f) == 1 and "no tag" in f[0]["message"]


def test_aliases_name_trivy_ids(tmp_path):
    findings, _ = scan(tmp_path, edit("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"))
    assert "KSV014" in findings[0]["aliases"]


RBAC = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: everything
rules:
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
  namespace: shop
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["secrets"]
  resourceNames: ["tls-cert"]
  verbs: ["get"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: LoadBalancer
  ports:
  - port: 443
---
apiVersion: v1
kind: Service
metadata:
  name: internal
  namespace: shop
spec:
  ports:
  - port: 80
"""


def test_rbac_and_services(tmp_path):
    findings, _ = scan(tmp_path, RBAC)
    got = [(f["id"], f["severity"], f["line"], f["object"]["kind"], f["object"]["name"],
            f["object"]["document"], f["object"]["yaml_path"]) for f in findings]
    assert got == [
        ("HULL-K8S-030", "HIGH", 7, "ClusterRole", "everything", 1, "rules[0].resources"),
        ("HULL-K8S-031", "HIGH", 7, "ClusterRole", "everything", 1, "rules[0].resources"),
        ("HULL-K8S-030", "HIGH", 8, "ClusterRole", "everything", 1, "rules[0].verbs"),
        ("HULL-K8S-031", "HIGH", 20, "Role", "reader", 2, "rules[1].resources"),
        ("HULL-K8S-032", "LOW", 33, "Service", "web", 3, "spec.type"),
    ]


def test_inherited_pod_security_context(tmp_path):
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: Unconfined}
  initContainers:
  - name: init
    image: busybox@%s
  containers:
  - name: ok
    image: busybox@%s
  - name: override
    image: busybox@%s
    securityContext:
      runAsNonRoot: false
      seccompProfile: {type: RuntimeDefault}
  ephemeralContainers:
  - name: debug
    image: busybox@%s
""" % (DIGEST, DIGEST, DIGEST, DIGEST)
    findings, _ = scan(tmp_path, text)
    by = {}
    for f in findings:
        by.setdefault(f["id"], []).append(f)
    assert [(f["object"]["container"], f["line"]) for f in by["HULL-K8S-001"]] == \
        [("override", 17)]
    # Unconfined is inherited by every container but the one that overrides it.
    assert sorted(f["object"]["container"] for f in by["HULL-K8S-009"]) == \
        ["debug", "init", "ok"]
    assert {f["line"] for f in by["HULL-K8S-009"]} == {7}
    assert {f["object"]["yaml_path"] for f in by["HULL-K8S-009"]} == \
        {"spec.securityContext.seccompProfile.type"}
    # Probes only concern regular containers; resources not ephemeral ones.
    assert sorted(f["object"]["container"] for f in by["HULL-K8S-028"]) == ["ok", "override"]
    assert sorted(f["object"]["container"] for f in by["HULL-K8S-020"]) == \
        ["init", "ok", "override"]
    paths = {f["object"]["yaml_path"] for f in findings}
    assert "spec.ephemeralContainers[0].securityContext.allowPrivilegeEscalation" in paths
    assert "spec.initContainers[0].securityContext.allowPrivilegeEscalation" in paths


def test_cronjob_and_every_workload_kind(tmp_path):
    pod = """\
      containers:
      - name: c
        image: busybox:1.36
        securityContext: {privileged: true}
"""
    docs = []
    for kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                 "ReplicationController", "Job"]:
        docs.append("apiVersion: v1\nkind: %s\nmetadata: {name: x}\nspec:\n  template:\n"
                    "    spec:\n%s" % (kind, pod.replace("      ", "      ", 1)))
    docs.append("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\nspec:\n"
                "  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
                "        spec:\n" + "".join("    " + l + "\n" for l in pod.splitlines()))
    docs.append("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n" +
                "".join(l[4:] + "\n" for l in pod.splitlines()))
    text = "---\n".join(docs)
    findings, _ = scan(tmp_path, text)
    priv = [f for f in findings if f["id"] == "HULL-K8S-004"]
    assert [f["object"]["kind"] for f in priv] == [
        "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job",
        "CronJob", "Pod"]
    assert [f["object"]["document"] for f in priv] == list(range(1, 9))
    cron = priv[6]
    assert cron["object"]["yaml_path"] == \
        "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged"
    assert cron["line"] == line_of(text, "privileged", 7)
    # Jobs run to completion: no probe findings for Job and CronJob.
    probes = {f["object"]["kind"] for f in findings if f["id"] == "HULL-K8S-028"}
    assert "Job" not in probes and "CronJob" not in probes and "Deployment" in probes


def test_list_kind_and_json_input(tmp_path):
    lst = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"},
         "spec": {"type": "NodePort"}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"},
         "spec": {"hostPID": True, "containers": [{"name": "c", "image": "x@" + DIGEST}]}},
    ]}
    text = json.dumps(lst, indent=2)
    findings, _ = scan(tmp_path, text, name="list.json")
    f032 = [f for f in findings if f["id"] == "HULL-K8S-032"][0]
    assert f032["object"]["yaml_path"] == "items[0].spec.type"
    assert f032["line"] == line_of(text, "NodePort")
    f013 = [f for f in findings if f["id"] == "HULL-K8S-013"][0]
    assert f013["object"]["yaml_path"] == "items[1].spec.hostPID"
    assert f013["object"]["name"] == "p" and f013["line"] == line_of(text, "hostPID")


def test_multi_document_stream_and_non_k8s_yaml(tmp_path):
    # A comment before the first "---" is not a document: the hardened Deployment is
    # document 1, then an empty document, a non-Kubernetes one, the bad Deployment.
    text = ("# manifests\n---\n" + HARDENED + "---\n---\nfoo: bar\n---\n" +
            edit("      automountServiceAccountToken: false\n",
                 "      automountServiceAccountToken: false\n      hostNetwork: true\n"))
    p = tmp_path / "stream.yaml"
    p.write_text(text)
    res = run("--format", "json", p)
    assert res.rc == 0, res.describe()
    findings = H.strict_json(res.out)["findings"]
    assert [(f["id"], f["object"]["document"], f["line"]) for f in findings] == \
        [("HULL-K8S-012", 4, line_of(text, "hostNetwork"))]
    warn = [l for l in res.err_lines if "not a Kubernetes object" in l]
    assert len(warn) == 1 and str(p) in warn[0] and "document 3" in warn[0], res.err
    assert res.err_lines == warn


def test_directory_walk(tmp_path):
    d = tmp_path / "manifests"
    (d / "sub").mkdir(parents=True)
    (d / ".git").mkdir()
    bad = edit("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false")
    (d / "a.yaml").write_text(bad)
    (d / "sub" / "b.yml").write_text(bad)
    (d / "sub" / "c.json").write_text(json.dumps({"apiVersion": "v1", "kind": "Service",
                                                  "metadata": {"name": "s"},
                                                  "spec": {"type": "NodePort"}}))
    (d / "README.md").write_text(bad)
    (d / ".git" / "x.yaml").write_text(bad)
    res = run("--format", "json", d)
    assert res.rc == 0, res.describe()
    findings = H.strict_json(res.out)["findings"]
    assert sorted((os.path.relpath(f["path"], d), f["id"]) for f in findings) == [
        ("a.yaml", "HULL-K8S-007"), ("sub/b.yml", "HULL-K8S-007"), ("sub/c.json", "HULL-K8S-032")]


def test_stdin(tmp_path):
    res = run("--format", "json", "-",
              stdin=edit("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true").encode())
    assert res.rc == 0, res.describe()
    f = H.strict_json(res.out)["findings"]
    assert [(x["id"], x["path"]) for x in f] == [("HULL-K8S-003", "<stdin>")]


def test_table_format(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text(edit("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"))
    res = run(p)
    assert res.rc == 0, res.describe()
    assert "HULL-K8S-007" in res.out and "MEDIUM" in res.out
    # grouped by file (the heading), one row per finding starting with its line
    assert "Kubernetes: %s (1)" % p in res.out
    assert "\n%d " % line_of(p.read_text(), "readOnlyRootFilesystem") in res.out
    assert "1 finding" in res.out
    clean = tmp_path / "clean.yaml"
    clean.write_text(HARDENED)
    assert "0 findings" in run(clean).out


def test_sarif_is_schema_valid(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    p = tmp_path / "my manifests.yaml"
    p.write_text(RBAC + "---\n" + edit("runAsUser: 10001", "runAsUser: 0"))
    res = run("--format", "sarif", p)
    assert res.rc == 0, res.describe()
    doc = H.strict_json(res.out)
    with open(SARIF_SCHEMA) as f:
        schema = json.load(f)
    jsonschema.Draft4Validator(schema).validate(doc)
    run0 = doc["runs"][0]
    rules = [r["id"] for r in run0["tool"]["driver"]["rules"]]
    assert len(rules) == len(set(rules))
    for r in run0["results"]:
        assert rules[r["ruleIndex"]] == r["ruleId"]
        assert r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    assert any(r["ruleId"] == "HULL-K8S-002" and r["level"] == "warning"
               for r in run0["results"])
    assert run0["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] \
        .endswith("my%20manifests.yaml")


def test_json_report_shape(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text(RBAC)
    doc = H.strict_json(run("--format", "json", p).out)
    assert doc["schema"] == "hull.report/v1"
    assert doc["artifact"] == {"name": str(p), "type": "k8s"}
    assert doc["summary"] == {"CRITICAL": 0, "HIGH": 4, "MEDIUM": 0, "LOW": 1, "UNKNOWN": 0}


def test_severity_exit_code_and_skip(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text(RBAC)
    assert run("--exit-code", "3", p).rc == 3
    res = run("--severity", "CRITICAL", "--exit-code", "3", "--format", "json", p)
    assert res.rc == 0 and H.strict_json(res.out)["findings"] == []
    res = run("--severity", "LOW", "--format", "json", p)
    assert {f["id"] for f in H.strict_json(res.out)["findings"]} == \
        {"HULL-K8S-030", "HULL-K8S-031", "HULL-K8S-032"}
    res = run("--severity", "low,critical", "--format", "json", p)
    assert {f["id"] for f in H.strict_json(res.out)["findings"]} == {"HULL-K8S-032"}
    res = run("--skip-check", "HULL-K8S-030,KSV041", "--skip-check", "hull-k8s-032",
              "--exit-code", "1", p)
    assert res.rc == 0 and "0 findings" in res.out, res.describe()
    assert run("--skip-check", "NOPE", p).rc == 2
    assert run("--severity", "SEVERE", p).rc == 2
    assert run("--format", "xml", p).rc == 2
    assert run().rc == 2


def test_ignore_annotation(tmp_path):
    text = edit("  namespace: shop\n",
                "  namespace: shop\n  annotations:\n    hull.dev/ignore: \"KSV014, HULL-K8S-003\"\n",
                edit("readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false",
                     edit("allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true")))
    findings, _ = scan(tmp_path, text)
    assert findings == []


def test_merge_keys_and_anchors(tmp_path):
    text = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
  - &base
    name: a
    image: x@%s
    securityContext: &sc
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      privileged: true
      capabilities: {drop: [ALL]}
    resources: {requests: {cpu: 1, memory: 1Gi}, limits: {cpu: 1, memory: 1Gi}}
    livenessProbe: {exec: {command: [true]}}
    readinessProbe: {exec: {command: [true]}}
  - <<: *base
    name: b
""" % DIGEST
    findings, _ = scan(tmp_path, text)
    assert [(f["id"], f["object"]["container"], f["line"]) for f in findings] == \
        [("HULL-K8S-004", "a", 14), ("HULL-K8S-004", "b", 14)]


# --------------------------------------------------------------------------- bad input

def test_billion_laughs_is_bounded(tmp_path):
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: lol}",
             "data:", "  a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]"]
    prev = "a"
    for c in "bcdefghijklmnopqrstuvwxyz":
        lines.append("  %s: &%s [%s]" % (c, c, ", ".join(["*" + prev] * 9)))
        prev = c
    p = tmp_path / "lol.yaml"
    p.write_text("\n".join(lines) + "\n")
    res = run("--format", "json", p, timeout=20)
    assert res.rc == 0, res.describe()


def test_deep_nesting_is_an_error(tmp_path):
    p = tmp_path / "deep.yaml"
    p.write_text("a: " + "[" * 10000 + "]" * 10000 + "\n")
    res = run(p, timeout=20)
    msg = H.assert_input_error(res, p)
    assert "line 1" in msg


def test_not_yaml_is_an_error_and_others_still_checked(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"apiVersion: v1\nkind: Pod\n\tspec: [\n\x00\xff\xfe")
    good = tmp_path / "good.yaml"
    good.write_text(RBAC)
    res = run("--format", "json", bad, good)
    H.assert_input_error(res, bad)
    assert len(H.strict_json(res.out)["findings"]) == 5


@pytest.mark.parametrize("text,needle", [
    ("a: 1\na: 2\n", "duplicate key"),
    ("a: [1, 2\n", "line"),
    ("key: *undefined\n", "alias"),
    ("a:\n\t- b\n", "line 2"),
    # libfyaml 0.7 crashed when destroying the parser after these (found by fuzz_lintcfg)
    ("? n:\t?", "line 1, column 5: cannot use tab for indentation"),
    ("kind: Pod\n? a: b\n? n:\t- x\n", "line 3, column 5: cannot use tab"),
    ("%X\n? n:\t?", "line 2, column 5: cannot use tab"),
])
def test_malformed_yaml(tmp_path, text, needle):
    p = tmp_path / "m.yaml"
    p.write_text(text)
    msg = H.assert_input_error(run(p), p)
    assert needle in msg


def test_invalid_utf8_in_a_directive_does_not_hang(tmp_path):
    # libfyaml 0.7 loops forever on this (found by fuzz_k8s); hull refuses it first.
    p = tmp_path / "d.yaml"
    p.write_bytes(b"apiVersion: v1\n%  name: every\x8d\x97ing\n")
    msg = H.assert_input_error(run(p, timeout=10), p)
    assert "line 2: invalid UTF-8" in msg


def test_missing_file_and_size_limit(tmp_path):
    H.assert_input_error(run(tmp_path / "nope.yaml"), tmp_path / "nope.yaml")
    p = tmp_path / "big.yaml"
    p.write_text("# " + "x" * 5000 + "\n")
    H.assert_input_error(run("--max-file-size", "4K", p), p)
    res = run("--max-file-size", "1K", "-", stdin=b"# " + b"x" * 5000)
    H.assert_input_error(res, "<stdin>")


def test_env_secrets_use_the_secret_rules(tmp_path):
    """Literal env values go through the secret scanner's rules (the same as hull image):
    real-looking tokens are found, documented example keys and placeholders are not."""
    gh = "ghp_" + "aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYzaB3"
    stripe = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    env = ("          value: info\n"
           "        - name: GH\n          value: " + gh + "\n"
           "        - name: PAYMENTS\n          value: " + stripe + "\n"
           "        - name: AWS_ACCESS_KEY_ID\n          value: AKIAIOSFODNN7EXAMPLE\n"
           "        - name: DB_PASSWORD\n          value: ${DB_PASSWORD}\n"
           "        - name: DB_PASSWORD_FILE\n          value: /run/secrets/db\n")
    text = edit("          value: info\n", env)
    findings, _ = scan(tmp_path, text)
    got = sorted((f["object"]["yaml_path"], f["message"]) for f in findings
                 if f["id"] == "HULL-K8S-027")
    assert [g[0] for g in got] == [CTR + ".env[2].value", CTR + ".env[3].value"], got
    assert "GitHub" in got[0][1] and "Stripe" in got[1][1]
    assert gh not in str(findings) and stripe not in str(findings)


def test_examples_pass_clean():
    """The hardened manifests in examples/k8s/ give no finding at all."""
    r = run("--exit-code", "1", "--format", "json", os.path.join(H.REPO, "examples", "k8s"))
    assert r.rc == 0, r.describe()
    assert H.strict_json(r.out)["findings"] == []


OBJECTS = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everyone-admin}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
- {kind: ServiceAccount, name: ops, namespace: tools}
- {kind: Group, name: system:unauthenticated, apiGroup: rbac.authorization.k8s.io}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: view, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: ServiceAccount, name: web, namespace: shop}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - host: shop.example.com
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: open, namespace: shop}
spec:
  podSelector: {}
  ingress:
  - {}
  - from:
    - podSelector: {matchLabels: {app: web}}
  egress:
  - to:
    - ipBlock: {cidr: 0.0.0.0/0}
  - to:
    - ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32]}
"""


def test_binding_ingress_and_networkpolicy_checks(tmp_path):
    findings, _ = scan(tmp_path, OBJECTS)
    got = sorted((f["id"], f["object"]["kind"], f["object"]["name"],
                  f["object"]["yaml_path"], f["line"]) for f in findings)
    assert got == [
        ("HULL-K8S-033", "ClusterRoleBinding", "everyone-admin", "roleRef.name", 4),
        ("HULL-K8S-034", "ClusterRoleBinding", "everyone-admin", "subjects[1].name", 7),
        ("HULL-K8S-035", "Ingress", "web", "spec.tls", 19),
        ("HULL-K8S-036", "NetworkPolicy", "open", "spec.egress[0]", 33),
        ("HULL-K8S-036", "NetworkPolicy", "open", "spec.ingress[0]", 29),
    ], got
    by = {f["id"]: f for f in findings}
    assert by["HULL-K8S-033"]["aliases"] == ["KSV111"]
    assert by["HULL-K8S-034"]["severity"] == "CRITICAL"
