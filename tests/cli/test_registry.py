"""hull and registries: Debian's docker-registry on 127.0.0.1 (plain, and with htpasswd
Basic auth), images pushed with skopeo, then read, pulled and pushed with hull and
checked against skopeo and the local layout. No traffic leaves the loopback."""
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

import hullfix as H

REGISTRY_BIN = shutil.which("docker-registry")
SKOPEO = shutil.which("skopeo")
HTPASSWD = shutil.which("htpasswd")
pytestmark = pytest.mark.skipif(not (REGISTRY_BIN and SKOPEO),
                                reason="needs docker-registry and skopeo")

USER, PASSWORD = "hulluser", "s3cret-Pa55word"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Registry:
    def __init__(self, root, htpasswd=None):
        self.root = root
        self.storage = os.path.join(root, "storage")
        os.makedirs(self.storage)
        self.port = free_port()
        self.host = "127.0.0.1:%d" % self.port
        cfg = ["version: 0.1", "log:", "  level: error", "storage:", "  filesystem:",
               "    rootdirectory: %s" % self.storage, "  delete:", "    enabled: true",
               "http:", "  addr: %s" % self.host]
        if htpasswd:
            path = os.path.join(root, "htpasswd")
            with open(path, "w") as f:
                f.write(htpasswd)
            cfg += ["auth:", "  htpasswd:", "    realm: hull-test", "    path: %s" % path]
        self.config = os.path.join(root, "config.yml")
        with open(self.config, "w") as f:
            f.write("\n".join(cfg) + "\n")
        self.log = open(os.path.join(root, "registry.log"), "wb")
        self.proc = subprocess.Popen([REGISTRY_BIN, "serve", self.config], stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self._wait()

    def _wait(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            assert self.proc.poll() is None, "docker-registry exited; see " + self.log.name
            try:
                urllib.request.urlopen("http://%s/v2/" % self.host, timeout=2)
                return
            except urllib.error.HTTPError:
                return  # 401: up, with auth
            except OSError:
                time.sleep(0.1)
        raise AssertionError("docker-registry did not start on " + self.host)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()

    def ref(self, name):
        return "%s/%s" % (self.host, name)


def start(request, tmp_path_factory, **kw):
    reg = Registry(str(tmp_path_factory.mktemp("registry")), **kw)
    request.addfinalizer(reg.stop)
    return reg


@pytest.fixture(scope="session")
def registry(request, tmp_path_factory):
    return start(request, tmp_path_factory)


@pytest.fixture(scope="session")
def auth_registry(request, tmp_path_factory):
    if not HTPASSWD:
        pytest.skip("needs htpasswd (apache2-utils)")
    line = subprocess.run([HTPASSWD, "-Bbn", USER, PASSWORD], check=True,
                          capture_output=True, text=True).stdout
    return start(request, tmp_path_factory, htpasswd=line)


@pytest.fixture
def env(tmp_path):
    """A clean environment for hull: its own cache, no auth files from the host."""
    e = dict(os.environ)
    e.pop("REGISTRY_AUTH_FILE", None)
    e["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    e["DOCKER_CONFIG"] = str(tmp_path / "docker-config")
    e["HOME"] = str(tmp_path / "home")
    return e


def hull(env, *args):
    args = [str(a) for a in args]
    p = subprocess.run([H.HULL] + args, capture_output=True, timeout=300, env=env)
    return H.Result(args, p.returncode, p.stdout.decode("utf-8", "replace"),
                    p.stderr.decode("utf-8", "replace"))


def skopeo(*args, check=True):
    p = subprocess.run([SKOPEO, "--insecure-policy"] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=300)
    if check:
        assert p.returncode == 0, "skopeo %s\n%s" % (" ".join(map(str, args)), p.stderr)
    return p


def push_skopeo(src, dest, *extra):
    skopeo("copy", "--preserve-digests", "--dest-tls-verify=false", *extra, src,
           "docker://" + dest)


def skopeo_inspect(ref, *extra):
    return json.loads(skopeo("inspect", "--tls-verify=false", *extra, ref).stdout)


def layers_spec(seed):
    files = [H.entry("etc/", "dir"), H.entry("etc/hello", data=b"hello %d\n" % seed),
             H.entry("usr/", "dir"), H.entry("usr/blob", data=H.rand_blob(50000, seed))]
    upper = [H.entry("etc/.wh.hello"), H.entry("etc/new", data=b"new %d\n" % seed)]
    return [(H.make_tar(files), "gzip"), (H.make_tar(upper), "none")]


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("img") / "layout")
    return H.make_oci_layout(d, layers_spec(1), ref="latest")


@pytest.fixture(scope="module")
def pushed(registry, image):
    ref = registry.ref("hull/test:v1")
    push_skopeo("oci:%s:latest" % image["path"], ref)
    return ref


def without_source(doc):
    """The report less what names where it came from."""
    doc = dict(doc)
    doc.pop("source", None)
    doc.pop("repo_tags", None)
    return doc


# ------------------------------------------------------------------------ reading

def test_inspect_registry_equals_local(env, image, pushed):
    remote = hull(env, "inspect", "--format", "json", "--list-files", "docker://" + pushed)
    local = hull(env, "inspect", "--format", "json", "--list-files",
                 "oci:%s:latest" % image["path"])
    r, l = remote.json(), local.json()
    assert r["digest"] == image["manifest"]
    assert without_source(r) == without_source(l)
    assert r["repo_tags"] == [pushed]
    blobs = os.path.join(env["XDG_CACHE_HOME"], "hull", "blobs", "sha256")
    for layer in image["layers"]:
        assert os.path.isfile(os.path.join(blobs, H.hexof(layer["digest"])))
    assert not [n for n in os.listdir(blobs) if n.startswith(".tmp")]


def test_sbom_and_image_read_the_registry(env, pushed, image):
    """hull sbom and hull image take docker:// sources and the registry options too."""
    for cmd in (["sbom", "-f", "json"], ["image", "-f", "json"]):
        remote = hull(env, *cmd, "--tls-verify=false", "docker://" + pushed)
        local = hull(env, *cmd, "oci:%s:latest" % image["path"])
        assert remote.rc == 0 and local.rc == 0, remote.describe()
        r, l = remote.json(), local.json()
        key = "packages" if cmd[0] == "sbom" else "findings"
        # the tag check (HULL-IMG-017) depends on the name, which differs here
        strip = lambda xs: [x for x in xs if x.get("id") != "HULL-IMG-017"]
        assert strip(r[key]) == strip(l[key])
        assert key == "packages" or r[key]  # the test image has no package database
        assert r["artifact"]["digest"] == image["manifest"]


def test_inspect_reuses_the_cache(env, pushed, image):
    assert hull(env, "inspect", "--format", "json", "docker://" + pushed).rc == 0
    again = hull(env, "inspect", "--format", "json", "docker://" + pushed + "@" +
                 image["manifest"])
    assert again.json()["digest"] == image["manifest"]


def test_pull_to_oci_matches_skopeo(env, tmp_path, pushed, image):
    out = tmp_path / "pulled"
    res = hull(env, "pull", "docker://" + pushed, "oci:%s:v1" % out)
    assert res.rc == 0, res.describe()
    assert res.out.strip() == image["manifest"]
    theirs = skopeo_inspect("docker://" + pushed)
    ours = skopeo_inspect("oci:%s:v1" % out)
    assert ours["Digest"] == theirs["Digest"] == image["manifest"]
    assert ours["Layers"] == theirs["Layers"]
    # a second pull with another tag adds to the same layout
    assert hull(env, "pull", "docker://" + pushed, "oci:%s:v2" % out).rc == 0
    assert skopeo_inspect("oci:%s:v1" % out)["Digest"] == image["manifest"]
    assert skopeo_inspect("oci:%s:v2" % out)["Digest"] == image["manifest"]


def test_pull_to_docker_archive(env, tmp_path, pushed, image):
    out = tmp_path / "img.tar"
    res = hull(env, "pull", "docker://" + pushed, "docker-archive:%s" % out)
    assert res.rc == 0, res.describe()
    theirs = skopeo_inspect("docker-archive:%s" % out)
    assert theirs["Layers"] == [l["diff_id"] for l in image["layers"]]
    assert theirs["RepoTags"] == ["hull/test:v1"] or theirs.get("RepoTags") is not None
    ours = hull(env, "inspect", "--format", "json", "--list-files", "docker-archive:%s" % out)
    local = hull(env, "inspect", "--format", "json", "--list-files",
                 "oci:%s:latest" % image["path"])
    assert ours.json()["files"] == local.json()["files"]


def test_push_then_skopeo_sees_it(env, registry, image, tmp_path):
    ref = registry.ref("hull/pushed:v3")
    res = hull(env, "push", "oci:%s:latest" % image["path"], "docker://" + ref)
    assert res.rc == 0, res.describe()
    info = skopeo_inspect("docker://" + ref)
    assert info["Digest"] == image["manifest"]
    assert info["Layers"] == [l["digest"] for l in image["layers"]]
    back = tmp_path / "back"
    skopeo("copy", "--preserve-digests", "--src-tls-verify=false", "docker://" + ref,
           "oci:%s:x" % back)
    assert skopeo_inspect("oci:%s:x" % back)["Digest"] == image["manifest"]
    # again: every blob is there already (HEAD), the manifest is put again
    assert hull(env, "push", "oci:%s:latest" % image["path"], "docker://" + ref).rc == 0


def make_multi(root):
    """One layout holding an index of an amd64 and an arm64 image, named multi."""
    amd = H.make_oci_layout(root, layers_spec(2), ref="amd")
    arm = H.make_oci_layout(root, layers_spec(3), arch="arm64", variant="v8", ref="arm")
    entries = []
    for info, plat in ((amd, {"architecture": "amd64", "os": "linux"}),
                       (arm, {"architecture": "arm64", "os": "linux", "variant": "v8"})):
        size = os.path.getsize(H.blob_path(root, info["manifest"]))
        entries.append({"mediaType": H.OCI_MANIFEST, "digest": info["manifest"],
                        "size": size, "platform": plat})
    idx = H.jdump({"schemaVersion": 2, "mediaType": H.OCI_INDEX, "manifests": entries})
    d = H.write_blob(root, idx)
    with open(os.path.join(root, "index.json"), "wb") as f:
        f.write(H.jdump({"schemaVersion": 2, "mediaType": H.OCI_INDEX, "manifests": [
            {"mediaType": H.OCI_INDEX, "digest": d, "size": len(idx),
             "annotations": {"org.opencontainers.image.ref.name": "multi"}}]}))
    return d, amd, arm


def test_multi_platform_index(env, registry, tmp_path):
    root = str(tmp_path / "multi")
    index_digest, amd, arm = make_multi(root)
    ref = registry.ref("hull/multi:1")
    push_skopeo("oci:%s:multi" % root, ref, "--all")
    assert hull(env, "inspect", "--format", "json",
                "docker://" + ref).json()["digest"] == amd["manifest"]
    res = hull(env, "inspect", "--format", "json", "--platform", "linux/arm64",
               "docker://" + ref)
    assert res.json()["digest"] == arm["manifest"]
    by_digest = hull(env, "inspect", "--format", "json", "--platform", "linux/arm64",
                     "docker://%s@%s" % (registry.ref("hull/multi"), index_digest))
    assert by_digest.json()["digest"] == arm["manifest"]
    bad = hull(env, "inspect", "--platform", "linux/s390x", "docker://" + ref)
    line = H.assert_input_error(bad, ref)
    assert "linux/arm64" in line and "linux/amd64" in line


# ------------------------------------------------------------------------ auth

@pytest.fixture(scope="module")
def auth_pushed(auth_registry, image):
    ref = auth_registry.ref("hull/secret:v1")
    push_skopeo("oci:%s:latest" % image["path"], ref,
                "--dest-creds", "%s:%s" % (USER, PASSWORD))
    return ref


def assert_no_secret(res):
    assert PASSWORD not in res.out and PASSWORD not in res.err, res.describe()


def test_basic_auth_with_creds(env, auth_pushed, image):
    res = hull(env, "inspect", "--format", "json", "--creds", "%s:%s" % (USER, PASSWORD),
               "docker://" + auth_pushed)
    assert res.json()["digest"] == image["manifest"]
    assert_no_secret(res)


def write_authfile(path, host, user, password):
    import base64
    auth = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
    path.write_text(json.dumps({"auths": {host: {"auth": auth}}}))
    return path


def test_basic_auth_with_authfile(env, tmp_path, auth_registry, auth_pushed, image):
    af = write_authfile(tmp_path / "auth.json", auth_registry.host, USER, PASSWORD)
    res = hull(env, "inspect", "--format", "json", "--authfile", af,
               "docker://" + auth_pushed)
    assert res.json()["digest"] == image["manifest"]
    e = dict(env, REGISTRY_AUTH_FILE=str(af))
    assert hull(e, "inspect", "--format", "json", "docker://" + auth_pushed).rc == 0
    os.makedirs(env["DOCKER_CONFIG"])
    write_authfile(tmp_path / "docker-config" / "config.json",
                   "http://" + auth_registry.host, USER, PASSWORD)
    assert hull(env, "inspect", "--format", "json", "docker://" + auth_pushed).rc == 0


def test_auth_failures(env, tmp_path, auth_registry, auth_pushed):
    none = hull(env, "inspect", "docker://" + auth_pushed)
    assert "authentication required" in H.assert_input_error(none, auth_pushed)
    wrong = hull(env, "inspect", "--creds", "%s:%s" % (USER, PASSWORD + "x"),
                 "docker://" + auth_pushed)
    H.assert_input_error(wrong, auth_pushed)
    assert PASSWORD not in wrong.out + wrong.err
    af = write_authfile(tmp_path / "bad.json", auth_registry.host, USER, "nope" + PASSWORD)
    bad = hull(env, "inspect", "--authfile", af, "docker://" + auth_pushed)
    H.assert_input_error(bad, auth_pushed)
    assert_no_secret(bad)


def test_push_with_auth(env, auth_registry, image):
    ref = auth_registry.ref("hull/pushed-auth:v1")
    res = hull(env, "push", "--creds", "%s:%s" % (USER, PASSWORD),
               "oci:%s:latest" % image["path"], "docker://" + ref)
    assert res.rc == 0, res.describe()
    assert_no_secret(res)
    info = skopeo_inspect("docker://" + ref, "--creds", "%s:%s" % (USER, PASSWORD))
    assert info["Digest"] == image["manifest"]


# ------------------------------------------------------------------------ bad input

def test_tampered_blob_is_refused(env, registry, tmp_path):
    root = str(tmp_path / "t")
    info = H.make_oci_layout(root, layers_spec(9), ref="latest")
    ref = registry.ref("hull/tampered:1")
    push_skopeo("oci:%s:latest" % root, ref)
    victim = info["layers"][1]["digest"]  # the uncompressed layer
    hexd = H.hexof(victim)
    data = os.path.join(registry.storage, "docker", "registry", "v2", "blobs", "sha256",
                        hexd[:2], hexd, "data")
    with open(data, "r+b") as f:
        b = bytearray(f.read())
        b[600] ^= 0xff
        f.seek(0)
        f.write(b)
    res = hull(env, "inspect", "docker://" + ref)
    line = H.assert_input_error(res, ref)
    assert "digest mismatch" in line and victim in line
    blobs = os.path.join(env["XDG_CACHE_HOME"], "hull", "blobs", "sha256")
    assert not os.path.exists(os.path.join(blobs, hexd))
    assert not [n for n in os.listdir(blobs) if n.startswith(".tmp")]
    out = tmp_path / "pulled"
    res = hull(env, "pull", "docker://" + ref, "oci:%s" % out)
    H.assert_input_error(res, ref)


def test_missing_and_malformed_references(env, registry):
    res = hull(env, "inspect", "docker://" + registry.ref("hull/nothing:here"))
    line = H.assert_input_error(res, "hull/nothing:here")
    assert "404" in line
    res = hull(env, "inspect", "docker://%s/Upper/Case" % registry.host)
    assert "lowercase" in H.assert_input_error(res, "Upper/Case")
    res = hull(env, "inspect", "docker://%s/x@sha256:abc" % registry.host)
    H.assert_input_error(res, "sha256:abc")


def test_registry_flags(env, registry, pushed, image):
    res = hull(env, "inspect", "--tls-verify=maybe", "docker://" + pushed)
    assert res.rc == 2 and "--tls-verify" in res.err
    ok = hull(env, "inspect", "--format", "json", "--tls-verify=false",
              "--insecure-registry", registry.host, "docker://" + pushed)
    assert ok.json()["digest"] == image["manifest"]

