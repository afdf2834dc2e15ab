"""hull k8s and the images behind containers (HULL-K8S-037 root image, HULL-K8S-038 will
not start): --image-config REF=SOURCE with images written for the test (OCI layouts with a
chosen config User, one made by `hull build`, copies as oci-archive and docker-archive by
skopeo), and --resolve-images against Debian's docker-registry on 127.0.0.1 (config blob
only, once per reference, failures a warning). skopeo reads each image's User as the
oracle for what the messages quote."""
import json
import os
import re
import shutil
import subprocess

import pytest

import hullfix as H
from test_registry import Registry

SKOPEO = shutil.which("skopeo")
REGISTRY_BIN = shutil.which("docker-registry")

# config User of each test image (None: no User key at all)
USERS = {"nouser": None, "empty": "", "root": "root", "zero": "0:0", "name": "nobody",
         "uid": "10001", "uidgid": "10001:10001", "rootgrp": "root:wheel"}


def user_image(path, user):
    def hook(cfg_bytes):
        cfg = json.loads(cfg_bytes)
        if user is not None:
            cfg["config"]["User"] = user
        return H.jdump(cfg)
    files = [H.entry("etc/", "dir"), H.entry("etc/hello", data=b"hello\n")]
    return H.make_oci_layout(path, [(H.make_tar(files), "gzip")], ref="v1",
                             config_bytes_hook=hook)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    root = tmp_path_factory.mktemp("k8s-images")
    out = {}
    for name, user in USERS.items():
        user_image(str(root / name), user)
        out[name] = "oci:%s:v1" % (root / name)
    return out


def skopeo_user(source):
    p = subprocess.run([SKOPEO, "inspect", "--config", source], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout).get("config", {}).get("User", "")


def run(*args, env=None):
    args = [str(a) for a in args]
    p = subprocess.run([H.HULL, "k8s"] + args, capture_output=True, timeout=300, env=env)
    return H.Result(["k8s"] + args, p.returncode, p.stdout.decode("utf-8", "replace"),
                    p.stderr.decode("utf-8", "replace"))


def image_findings(res):
    assert res.rc == 0, res.describe()
    return [f for f in H.strict_json(res.out)["findings"]
            if f["id"] in ("HULL-K8S-002", "HULL-K8S-037", "HULL-K8S-038")]


def line_of(text, needle):
    hits = [i + 1 for i, l in enumerate(text.splitlines()) if needle in l]
    assert len(hits) == 1, needle
    return hits[0]


PODS = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop}
spec:
  containers:
  - name: nouser
    image: img/nouser:1
  - name: empty
    image: img/empty:1
  - name: root
    image: img/root:1
  - name: zero
    image: img/zero:1
  - name: rootgrp
    image: img/rootgrp:1
  - name: name
    image: img/name:1
  - name: uid
    image: img/uid:1
  - name: nonroot-empty
    image: img/empty:1
    securityContext:
      runAsNonRoot: true
  - name: nonroot-name
    image: img/name:1
    securityContext:
      runAsNonRoot: true
  - name: nonroot-zero
    image: img/zero:1
    securityContext:
      runAsNonRoot: true
  - name: nonroot-uid
    image: img/uidgid:1
    securityContext:
      runAsNonRoot: true
  - name: explicit-uid
    image: img/root:1
    securityContext:
      runAsUser: 1000
  - name: explicit-root
    image: img/root:1
    securityContext:
      runAsUser: 0
  - name: unknown
    image: img/unknown:1
  initContainers:
  - name: init-root
    image: img/root:1
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      securityContext:
        runAsNonRoot: true
      containers:
      - name: web
        image: img/root:1
      - name: pinned
        image: img/root:1
        securityContext:
          runAsUser: 10001
---
apiVersion: v1
kind: Pod
metadata: {name: win, namespace: shop}
spec:
  os: {name: windows}
  containers:
  - name: win
    image: img/root:1
"""


def image_args(images):
    args = []
    for name in USERS:
        args += ["--image-config", "img/%s:1=%s" % (name, images[name])]
    return args


def ctr_line(name):
    """The line of container name's "- name: NAME" in PODS."""
    hits = [i + 1 for i, l in enumerate(PODS.splitlines()) if l.strip() == "- name: " + name]
    assert len(hits) == 1, name
    return hits[0]


def test_root_and_non_starting_containers(tmp_path, images):
    p = tmp_path / "pods.yaml"
    p.write_text(PODS)
    got = sorted((f["id"], f["severity"], f["object"]["name"], f["object"]["container"],
                  f["object"]["yaml_path"], f["line"])
                 for f in image_findings(run("--format", "json", *image_args(images), p)))
    c = "spec.containers[%d].securityContext."
    want = [
        ("HULL-K8S-002", "MEDIUM", "p", "explicit-root", c % 12 + "runAsUser",
         line_of(PODS, "runAsUser: 0")),
        ("HULL-K8S-037", "HIGH", "p", "nouser", c % 0 + "runAsUser", ctr_line("nouser")),
        ("HULL-K8S-037", "HIGH", "p", "empty", c % 1 + "runAsUser", ctr_line("empty")),
        ("HULL-K8S-037", "HIGH", "p", "root", c % 2 + "runAsUser", ctr_line("root")),
        ("HULL-K8S-037", "HIGH", "p", "zero", c % 3 + "runAsUser", ctr_line("zero")),
        ("HULL-K8S-037", "HIGH", "p", "rootgrp", c % 4 + "runAsUser", ctr_line("rootgrp")),
        ("HULL-K8S-037", "HIGH", "p", "init-root",
         "spec.initContainers[0].securityContext.runAsUser", ctr_line("init-root")),
        # runAsNonRoot's own line: the container's securityContext: + 1
        ("HULL-K8S-038", "MEDIUM", "p", "nonroot-empty", c % 7 + "runAsNonRoot",
         ctr_line("nonroot-empty") + 3),
        ("HULL-K8S-038", "MEDIUM", "p", "nonroot-name", c % 8 + "runAsNonRoot",
         ctr_line("nonroot-name") + 3),
        ("HULL-K8S-038", "MEDIUM", "p", "nonroot-zero", c % 9 + "runAsNonRoot",
         ctr_line("nonroot-zero") + 3),
        # inherited from the pod: the finding points at the pod-level field
        ("HULL-K8S-038", "MEDIUM", "web", "web", "spec.template.spec.securityContext.runAsNonRoot",
         line_of(PODS, "        runAsNonRoot: true")),
    ]
    assert got == sorted(want)


def test_messages_quote_the_image_user(tmp_path, images):
    """What the message says the image runs as is what skopeo reads from the config."""
    if not SKOPEO:
        pytest.skip("needs skopeo")
    p = tmp_path / "pods.yaml"
    p.write_text(PODS)
    by = {f["object"]["container"]: f
          for f in image_findings(run("--format", "json", *image_args(images), p))}
    for ctr, img in [("root", "root"), ("zero", "zero"), ("rootgrp", "rootgrp")]:
        user = skopeo_user(images[img])
        assert user == USERS[img]
        assert 'runs as user "%s"' % user in by[ctr]["message"], by[ctr]
    assert skopeo_user(images["nouser"]) == ""
    assert "root (no USER)" in by["nouser"]["message"]
    assert "will fail to start" in by["nonroot-empty"]["message"]
    assert 'non-numeric user "nobody"' in by["nonroot-name"]["message"]
    assert by["nonroot-zero"]["message"].endswith('runs as root (user "0:0")')
    assert by["root"]["doc"] == "docs/k8s.md#hull-k8s-037"
    assert by["root"]["remediation"]


def test_without_image_info_nothing_changes(tmp_path, images):
    p = tmp_path / "pods.yaml"
    p.write_text(PODS)
    plain = H.strict_json(run("--format", "json", p).out)["findings"]
    assert not [f for f in plain if f["id"] in ("HULL-K8S-037", "HULL-K8S-038")]
    # With images, the other findings are exactly the same.
    with_images = H.strict_json(run("--format", "json", *image_args(images), p).out)["findings"]
    rest = [f for f in with_images if f["id"] not in ("HULL-K8S-037", "HULL-K8S-038")]
    assert rest == plain


def test_hull_build_images_and_archives(tmp_path, images):
    """Images made by hull build (uid 0, and the default nonroot 65532), and the same
    root image as oci-archive: and docker-archive: (copied by skopeo)."""
    (tmp_path / "hello").write_text("hi\n")
    for name, user in [("root", 'user: "0"\n'), ("nonroot", "")]:
        (tmp_path / (name + ".yaml")).write_text(
            "base: scratch\n%sfiles:\n  - {src: ./hello, dst: /hello}\n" % user)
        r = H.hull("build", tmp_path / (name + ".yaml"), "-o",
                   "oci:%s:v1" % (tmp_path / ("built-" + name)))
        assert r.rc == 0, r.describe()
    sources = {"built-root": "oci:%s:v1" % (tmp_path / "built-root"),
               "built-nonroot": "oci:%s:v1" % (tmp_path / "built-nonroot")}
    if SKOPEO:
        for t, dest in [("oci-archive", tmp_path / "root-oci.tar"),
                        ("docker-archive", tmp_path / "root-docker.tar")]:
            subprocess.run([SKOPEO, "--insecure-policy", "copy", images["zero"],
                            "%s:%s" % (t, dest)], check=True, capture_output=True, timeout=120)
            sources[t] = "%s:%s" % (t, dest)
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: shop}\nspec:\n" \
           "  containers:\n" + "".join("  - {name: %s, image: 'src/%s:1'}\n" % (n, n)
                                       for n in sources)
    p = tmp_path / "b.yaml"
    p.write_text(text)
    args = []
    for n, src in sources.items():
        args += ["--image-config", "src/%s:1=%s" % (n, src)]
    got = {f["object"]["container"]: f["id"]
           for f in image_findings(run("--format", "json", *args, p))}
    want = {n: "HULL-K8S-037" for n in sources if n != "built-nonroot"}
    assert got == want


def test_normalised_reference_matches(tmp_path, images):
    """--image-config nginx= matches docker.io/library/nginx:latest, as Docker
    normalises; a different tag does not."""
    p = tmp_path / "n.yaml"
    p.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: n, namespace: shop}\nspec:\n"
                 "  containers:\n  - {name: a, image: docker.io/library/nginx:latest}\n"
                 "  - {name: b, image: nginx:1.27}\n")
    got = [f["object"]["container"]
           for f in image_findings(run("--format", "json", "--image-config",
                                       "nginx=" + images["root"], p))]
    assert got == ["a"]


def test_bad_image_config(tmp_path, images):
    p = tmp_path / "m.yaml"
    p.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: m}\nspec:\n  containers: []\n")
    for bad in ["no-equals", "=oci:x", "ref="]:
        r = run("--image-config", bad, p)
        assert r.rc == 2 and r.out == "", r.describe()
        assert r.err_lines == ['hull: error: k8s: --image-config: want REF=SOURCE, not "%s"'
                                 % bad]
    missing = tmp_path / "nothing"
    r = run("--image-config", "a/b:1=oci:%s" % missing, p)
    assert r.rc == 2 and r.out == ""
    assert len(r.err_lines) == 1 and str(missing) in r.err and "a/b:1" in r.err
    (tmp_path / "notimage").write_text("x")
    r = run("--image-config", "a/b:1=%s" % (tmp_path / "notimage"), p)
    assert r.rc == 2 and r.out == "" and len(r.err_lines) == 1, r.describe()


def test_platform_picks_from_an_index(tmp_path):
    """An index with a root amd64 image and a non-root arm64 one: --platform decides
    which config's User counts; a platform the index lacks is an input error."""
    path = str(tmp_path / "multi")
    descs = []
    for arch, user in [("amd64", "0"), ("arm64", "10001")]:
        def hook(cfg_bytes, user=user):
            cfg = json.loads(cfg_bytes)
            cfg["config"]["User"] = user
            return H.jdump(cfg)
        files = [H.entry("etc/", "dir"), H.entry("etc/arch", data=arch.encode())]
        info = H.make_oci_layout(path, [(H.make_tar(files), "gzip")], arch=arch,
                                 config_bytes_hook=hook)
        size = os.path.getsize(H.blob_path(path, info["manifest"]))
        descs.append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "digest": info["manifest"], "size": size,
                      "platform": {"os": "linux", "architecture": arch}})
    nested = H.jdump({"schemaVersion": 2,
                      "mediaType": "application/vnd.oci.image.index.v1+json",
                      "manifests": descs})
    nd = H.write_blob(path, nested)
    with open(os.path.join(path, "index.json"), "wb") as f:
        f.write(H.jdump({"schemaVersion": 2, "manifests": [
            {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": nd,
             "size": len(nested),
             "annotations": {"org.opencontainers.image.ref.name": "v1"}}]}))
    p = tmp_path / "p.yaml"
    p.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n"
                 "  containers:\n  - {name: app, image: 'shop/app:1'}\n")
    cfg = "shop/app:1=oci:%s:v1" % path
    ids = [f["id"] for f in image_findings(run("--format", "json", "--image-config", cfg, p))]
    assert ids == ["HULL-K8S-037"]
    ids = [f["id"] for f in image_findings(run("--format", "json", "--platform", "linux/amd64",
                                               "--image-config", cfg, p))]
    assert ids == ["HULL-K8S-037"]
    ids = [f["id"] for f in image_findings(run("--format", "json", "--platform", "linux/arm64",
                                               "--image-config", cfg, p))]
    assert ids == []
    r = run("--platform", "linux/s390x", "--image-config", cfg, p)
    assert r.rc == 2 and r.out == "" and len(r.err_lines) == 1, r.describe()
    assert "linux/s390x" in r.err or "s390x" in r.err
    r = run("--platform", "nonsense//", "--image-config", cfg, p)
    assert r.rc == 2 and r.err_lines == [
        'hull: error: k8s: --platform: want OS/ARCH[/VARIANT], not "nonsense//"'], r.describe()


def test_help_documents_the_options():
    r = H.hull("k8s", "--help")
    assert "--image-config REF=SOURCE" in r.out and "--resolve-images" in r.out
    assert "--platform OS/ARCH[/V]" in r.out


# ------------------------------------------------------------- --resolve-images

@pytest.fixture(scope="module")
def registry(request, tmp_path_factory):
    if not (REGISTRY_BIN and SKOPEO):
        pytest.skip("needs docker-registry and skopeo")
    reg = Registry(str(tmp_path_factory.mktemp("k8s-registry")))
    request.addfinalizer(reg.stop)
    return reg


@pytest.fixture(scope="module")
def pushed(registry, images):
    refs = {}
    for name in ("root", "uid", "name"):
        ref = registry.ref("k8s/%s:1" % name)
        subprocess.run([SKOPEO, "--insecure-policy", "copy", "--dest-tls-verify=false",
                        images[name], "docker://" + ref], check=True, capture_output=True,
                       timeout=120)
        refs[name] = ref
    return refs


def access_log(registry):
    registry.log.flush()
    with open(registry.log.name, errors="replace") as f:
        return f.read()


def test_resolve_images_from_the_registry(tmp_path, registry, pushed):
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), HOME=str(tmp_path / "home"),
               DOCKER_CONFIG=str(tmp_path / "dc"))
    env.pop("REGISTRY_AUTH_FILE", None)
    missing = registry.ref("k8s/missing:1")
    text = ("apiVersion: v1\nkind: Pod\nmetadata: {name: r, namespace: shop}\nspec:\n"
            "  containers:\n"
            "  - {name: a, image: '%s'}\n"
            "  - {name: b, image: '%s'}\n"
            "  - {name: c, image: '%s', securityContext: {runAsNonRoot: true}}\n"
            "  - {name: d, image: '%s'}\n"
            "  - {name: e, image: '%s'}\n"
            % (pushed["root"], pushed["root"], pushed["name"], pushed["uid"], missing))
    p = tmp_path / "r.yaml"
    p.write_text(text)
    before = access_log(registry)
    r = run("--format", "json", "--resolve-images", p, env=env)
    got = sorted((f["id"], f["object"]["container"]) for f in image_findings(r))
    assert got == [("HULL-K8S-037", "a"), ("HULL-K8S-037", "b"), ("HULL-K8S-038", "c")]
    # The missing image is one warning, and its container is not judged.
    warn = [l for l in r.err_lines if l.startswith("hull: warning: ")]
    assert len(warn) == 1 and missing in warn[0] and "unknown" in warn[0], r.err
    log = access_log(registry)[len(before):]
    gets = re.findall(r'"GET (/v2/[^ ]*) HTTP', log)
    # Config blobs only, never a layer; one manifest fetch per reference.
    man = [g for g in gets if "/manifests/" in g]
    assert sorted(man) == sorted("/v2/k8s/%s/manifests/1" % n
                                 for n in ("root", "name", "uid", "missing")), gets
    for name in ("root", "name", "uid"):
        layout = json.loads(subprocess.run(
            [SKOPEO, "inspect", "--raw", "--tls-verify=false", "docker://" + pushed[name]],
            capture_output=True, text=True, check=True, timeout=60).stdout)
        cfg = layout["config"]["digest"]
        layer = layout["layers"][0]["digest"]
        assert "/v2/k8s/%s/blobs/%s" % (name, cfg) in gets
        assert not [g for g in gets if layer in g], gets
    # Without --resolve-images the registry is not asked.
    before = access_log(registry)
    r = run("--format", "json", p, env=env)
    assert not image_findings(r) or all(f["id"] == "HULL-K8S-002" for f in image_findings(r))
    assert access_log(registry)[len(before):].count("GET /v2/k8s") == 0


def test_resolve_unreachable_registry_is_a_warning(tmp_path):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = tmp_path / "u.yaml"
    p.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: u, namespace: shop}\nspec:\n"
                 "  containers:\n  - {name: a, image: '127.0.0.1:%d/x/y:1'}\n"
                 "  - {name: b, image: '${IMAGE}'}\n" % port)
    r = run("--format", "json", "--resolve-images", p)
    assert r.rc == 0 and not image_findings(r), r.describe()
    warns = [l for l in r.err_lines if l.startswith("hull: warning: ")]
    assert len(warns) == 2, r.err
    assert "127.0.0.1:%d/x/y:1" % port in warns[0] and "${IMAGE}" in warns[1]
