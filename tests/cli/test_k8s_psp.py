"""hull k8s and PodSecurityPolicy remnants (policy/v1beta1, removed in Kubernetes 1.25):
the removed kind is reported once per object, and an insecure policy's spec gives each
expected finding, asserted by id, YAML path and line; a hardened policy gives only the
removed-kind note. checkov's PSP ids are aliases."""
import subprocess

import hullfix as H

INSECURE = """\
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: open
spec:
  privileged: true
  allowPrivilegeEscalation: true
  hostNetwork: true
  hostPID: true
  hostIPC: true
  hostPorts:
  - min: 0
    max: 65535
  - {min: 8080, max: 8081}
  allowedCapabilities:
  - NET_BIND_SERVICE
  - '*'
  volumes:
  - configMap
  - '*'
  - hostPath
  requiredDropCapabilities: [NET_RAW]
  readOnlyRootFilesystem: false
  runAsUser:
    rule: RunAsAny
  seLinux:
    rule: RunAsAny
  supplementalGroups:
    rule: RunAsAny
  fsGroup:
    rule: RunAsAny
"""

HARDENED = """\
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: restricted
  annotations:
    seccomp.security.alpha.kubernetes.io/allowedProfileNames: runtime/default
spec:
  privileged: false
  allowPrivilegeEscalation: false
  requiredDropCapabilities:
  - ALL
  volumes: [configMap, emptyDir, projected, secret, downwardAPI, persistentVolumeClaim,
            hostPath]
  allowedHostPaths:
  - pathPrefix: /var/log
    readOnly: true
  hostNetwork: false
  hostIPC: false
  hostPID: false
  runAsUser:
    rule: MustRunAsNonRoot
  seLinux:
    rule: MustRunAs
    seLinuxOptions: {type: container_t}
  supplementalGroups:
    rule: MustRunAs
    ranges: [{min: 1, max: 65535}]
  fsGroup:
    rule: MustRunAs
    ranges: [{min: 1, max: 65535}]
  readOnlyRootFilesystem: true
"""


def run(*args):
    args = [str(a) for a in args]
    p = subprocess.run([H.HULL, "k8s"] + args, capture_output=True, timeout=60)
    return H.Result(["k8s"] + args, p.returncode, p.stdout.decode("utf-8", "replace"),
                    p.stderr.decode("utf-8", "replace"))


def findings(tmp_path, text, *args):
    p = tmp_path / "psp.yaml"
    p.write_text(text)
    r = run("--format", "json", *args, p)
    assert r.rc == 0, r.describe()
    return H.strict_json(r.out)["findings"]


def ln(text, needle, nth=1):
    hits = [i + 1 for i, l in enumerate(text.splitlines()) if l.strip() == needle]
    assert len(hits) >= nth, needle
    return hits[nth - 1]


def test_insecure_policy(tmp_path):
    got = sorted((f["id"], f["severity"], f["object"]["yaml_path"], f["line"])
                 for f in findings(tmp_path, INSECURE))
    t = INSECURE
    want = [
        ("HULL-K8S-039", "LOW", "kind", ln(t, "kind: PodSecurityPolicy")),
        ("HULL-K8S-040", "HIGH", "spec.privileged", ln(t, "privileged: true")),
        ("HULL-K8S-041", "MEDIUM", "spec.allowPrivilegeEscalation",
         ln(t, "allowPrivilegeEscalation: true")),
        ("HULL-K8S-042", "HIGH", "spec.hostNetwork", ln(t, "hostNetwork: true")),
        ("HULL-K8S-042", "HIGH", "spec.hostPID", ln(t, "hostPID: true")),
        ("HULL-K8S-042", "HIGH", "spec.hostIPC", ln(t, "hostIPC: true")),
        ("HULL-K8S-043", "MEDIUM", "spec.hostPorts[0]", ln(t, "- min: 0")),
        ("HULL-K8S-043", "MEDIUM", "spec.hostPorts[1]", ln(t, "- {min: 8080, max: 8081}")),
        ("HULL-K8S-044", "MEDIUM", "spec.runAsUser.rule", ln(t, "rule: RunAsAny", 1)),
        ("HULL-K8S-045", "HIGH", "spec.volumes[1]", ln(t, "- '*'", 2)),
        ("HULL-K8S-045", "HIGH", "spec.volumes[2]", ln(t, "- hostPath")),
        ("HULL-K8S-046", "HIGH", "spec.allowedCapabilities[1]", ln(t, "- '*'", 1)),
        ("HULL-K8S-047", "MEDIUM", "spec.requiredDropCapabilities",
         ln(t, "requiredDropCapabilities: [NET_RAW]")),
        ("HULL-K8S-048", "LOW", "spec.readOnlyRootFilesystem",
         ln(t, "readOnlyRootFilesystem: false")),
        ("HULL-K8S-049", "LOW", "spec.seLinux.rule", ln(t, "rule: RunAsAny", 2)),
        ("HULL-K8S-049", "LOW", "spec.supplementalGroups.rule", ln(t, "rule: RunAsAny", 3)),
        ("HULL-K8S-049", "LOW", "spec.fsGroup.rule", ln(t, "rule: RunAsAny", 4)),
    ]
    assert got == sorted(want)


def test_finding_fields(tmp_path):
    by = {}
    for f in findings(tmp_path, INSECURE):
        by.setdefault(f["id"], f)
    for cid, f in by.items():
        assert f["kind"] == "k8s" and f["title"] and f["remediation"] and f["message"]
        assert f["doc"] == "docs/k8s.md#" + cid.lower()
        assert f["object"]["kind"] == "PodSecurityPolicy"
        assert f["object"]["name"] == "open" and f["object"]["document"] == 1
        assert "container" not in f["object"] or f["object"]["container"] is None
    assert "1.25" in by["HULL-K8S-039"]["message"]
    assert by["HULL-K8S-040"]["aliases"] == ["checkov:CKV_K8S_2"]
    assert "checkov:CKV_K8S_6" in by["HULL-K8S-044"]["aliases"]


def test_hardened_policy_only_notes_the_removed_kind(tmp_path):
    got = [(f["id"], f["object"]["name"]) for f in findings(tmp_path, HARDENED)]
    assert got == [("HULL-K8S-039", "restricted")]


def test_unset_fields_and_root_ranges(tmp_path):
    """Missing allowPrivilegeEscalation (defaults to true), requiredDropCapabilities,
    readOnlyRootFilesystem and runAsUser point at spec; a MustRunAs range from 0 admits
    root; hostPath with allowedHostPaths is allowed; extensions/v1beta1 counts too."""
    text = """\
apiVersion: extensions/v1beta1
kind: PodSecurityPolicy
metadata: {name: partial}
spec:
  volumes: [hostPath]
  allowedHostPaths: [{pathPrefix: /data}]
  seLinux: {rule: MustRunAs}
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: ranges}
spec:
  allowPrivilegeEscalation: false
  requiredDropCapabilities: [all]
  readOnlyRootFilesystem: true
  runAsUser:
    rule: MustRunAs
    ranges:
    - {min: 1000, max: 2000}
    - {min: 0, max: 10}
"""
    got = sorted((f["object"]["name"], f["id"], f["object"]["yaml_path"], f["line"])
                 for f in findings(tmp_path, text) if f["id"] != "HULL-K8S-039")
    assert got == [
        ("partial", "HULL-K8S-041", "spec.allowPrivilegeEscalation", 4),
        ("partial", "HULL-K8S-044", "spec.runAsUser.rule", 4),
        ("partial", "HULL-K8S-047", "spec.requiredDropCapabilities", 4),
        ("partial", "HULL-K8S-048", "spec.readOnlyRootFilesystem", 4),
        ("ranges", "HULL-K8S-044", "spec.runAsUser.ranges[1].min", 20),
    ]


def test_skip_by_alias_annotation_and_severity(tmp_path):
    ids = {f["id"] for f in findings(tmp_path, INSECURE, "--skip-check",
                                      "checkov:CKV_K8S_2,HULL-K8S-049")}
    assert "HULL-K8S-040" not in ids and "HULL-K8S-049" not in ids and "HULL-K8S-042" in ids
    annotated = INSECURE.replace("  name: open\n", "  name: open\n  annotations:\n"
                                 "    hull.dev/ignore: HULL-K8S-039,HULL-K8S-045\n")
    ids = {f["id"] for f in findings(tmp_path, annotated)}
    assert "HULL-K8S-039" not in ids and "HULL-K8S-045" not in ids and "HULL-K8S-040" in ids
    p = tmp_path / "psp.yaml"
    p.write_text(INSECURE)
    r = run("--severity", "HIGH", "--exit-code", "3", "--format", "json", p)
    assert r.rc == 3
    assert {f["severity"] for f in H.strict_json(r.out)["findings"]} == {"HIGH"}


def test_wrong_types_do_not_crash(tmp_path):
    text = """\
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: odd}
spec:
  privileged: [true]
  hostPorts: {min: 1}
  volumes: [[hostPath], {a: b}]
  allowedCapabilities: '*'
  runAsUser: RunAsAny
  seLinux: [rule]
  requiredDropCapabilities: ALL
---
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata: {name: nospec}
spec: 3
"""
    got = sorted((f["object"]["name"], f["id"], f["object"]["yaml_path"])
                 for f in findings(tmp_path, text))
    assert got == [
        ("nospec", "HULL-K8S-039", "kind"),
        ("odd", "HULL-K8S-039", "kind"),
        ("odd", "HULL-K8S-041", "spec.allowPrivilegeEscalation"),
        ("odd", "HULL-K8S-044", "spec.runAsUser.rule"),
        ("odd", "HULL-K8S-047", "spec.requiredDropCapabilities"),
        ("odd", "HULL-K8S-048", "spec.readOnlyRootFilesystem"),
    ]


def test_every_check_is_documented():
    """Each id in the check tables (src/k8s/checks_*.c) has a row in docs/k8s.md's table
    and a section whose heading names it."""
    import glob
    import os
    import re
    ids = set()
    for path in glob.glob(os.path.join(H.REPO, "src", "k8s", "checks_*.c")):
        ids |= {"HULL-K8S-" + n for n in re.findall(r"\{\{ID\((\d+)\)", open(path).read())}
    assert "HULL-K8S-037" in ids and "HULL-K8S-049" in ids
    doc = open(os.path.join(H.REPO, "docs", "k8s.md")).read()
    headings = " ".join(re.findall(r"^### (.*)$", doc, re.M))
    for cid in sorted(ids):
        assert re.search(r"^\| %s \|" % cid, doc, re.M), cid
        assert cid in headings, cid
