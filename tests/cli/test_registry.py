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
    def __init__(self, root, htpasswd=None, tls=None):
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
        self.scheme = "http"
        if tls:
            cfg[cfg.index("http:") + 1:cfg.index("http:") + 2] = [
                "  addr: %s" % self.host, "  tls:", "    certificate: %s" % tls[0],
                "    key: %s" % tls[1]] + (
                ["    clientcas:", "      - %s" % tls[2]] if len(tls) > 2 else [])
            self.scheme = "https"
        self.mtls = bool(tls and len(tls) > 2)
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
                if getattr(self, "mtls", False):  # no handshake without a client cert
                    socket.create_connection(("127.0.0.1", self.port), timeout=2).close()
                    return
                import ssl
                urllib.request.urlopen("%s://%s/v2/" % (self.scheme, self.host), timeout=2,
                                       context=ssl._create_unverified_context())
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
    # streamed by default: nothing written to the cache
    assert not os.path.exists(os.path.join(env["XDG_CACHE_HOME"], "hull"))
    cached = hull(env, "inspect", "--format", "json", "--list-files", "--cache",
                  "docker://" + pushed)
    assert without_source(cached.json()) == without_source(l)
    blobs = os.path.join(env["XDG_CACHE_HOME"], "hull", "blobs", "sha256")
    for layer in image["layers"]:
        assert os.path.isfile(os.path.join(blobs, H.hexof(layer["digest"])))
    assert not [n for n in os.listdir(blobs) if n.startswith(".tmp") or ".partial" in n]


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
    assert hull(env, "inspect", "--cache", "--format", "json", "docker://" + pushed).rc == 0
    blobs = os.path.join(env["XDG_CACHE_HOME"], "hull", "blobs", "sha256")
    first = {n: os.stat(os.path.join(blobs, n)).st_mtime_ns for n in os.listdir(blobs)}
    again = hull(env, "inspect", "--cache", "--format", "json", "docker://" + pushed + "@" +
                 image["manifest"])
    assert again.json()["digest"] == image["manifest"]
    assert {n: os.stat(os.path.join(blobs, n)).st_mtime_ns for n in os.listdir(blobs)} == first


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
    for mode in ([], ["--cache"]):
        res = hull(env, "inspect", *mode, "docker://" + ref)
        line = H.assert_input_error(res, ref)
        assert "digest mismatch" in line and victim in line
    blobs = os.path.join(env["XDG_CACHE_HOME"], "hull", "blobs", "sha256")
    assert not os.path.exists(os.path.join(blobs, hexd))
    assert not [n for n in os.listdir(blobs) if n.startswith(".tmp") or ".partial" in n]
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



# ------------------------------------------------------------------------ faults (proxy)

import faultproxy as FP  # noqa: E402


@pytest.fixture
def proxy(registry, request):
    p = FP.Proxy(registry.host)
    request.addfinalizer(p.stop)
    return p


def big_layer_image(root, seed, size=600000):
    """One image whose first layer is large enough to break in the middle."""
    files = [H.entry("data/", "dir"), H.entry("data/big", data=H.rand_blob(size, seed)),
             H.entry("data/small", data=b"small %d\n" % seed)]
    return H.make_oci_layout(root, [(H.make_tar(files), "gzip"),
                                    (H.make_tar([H.entry("x", data=b"x")]), "none")],
                             ref="latest")


@pytest.fixture(scope="module")
def big(registry, tmp_path_factory):
    root = str(tmp_path_factory.mktemp("big") / "layout")
    info = big_layer_image(root, 21)
    ref = registry.ref("hull/big:1")
    push_skopeo("oci:%s:latest" % root, ref)
    info["ref"] = "hull/big:1"
    return info


def local_files(info):
    return H.hull("inspect", "--format", "json", "--list-files",
                  "oci:%s:latest" % info["path"]).json()["files"]


def break_first(proxy, digest, at=0.5):
    """Breaks the first un-ranged GET of blob digest after a fraction of its bytes."""
    done = []

    def bf(h, status, headers, path):
        if FP.is_blob_get(h, digest) and status == 200 and not h.headers.get("Range") \
                and not done:
            done.append(1)
            return lambda data: FP.break_after(h, status, headers, data, int(len(data) * at))
    proxy.body_fault = bf


def ranged_gets(proxy, digest):
    return [r[2].get("Range") for r in proxy.requests("GET")
            if r[1].endswith(digest) and r[2].get("Range")]


@pytest.mark.parametrize("mode", [[], ["--cache"]])
def test_broken_blob_is_resumed_with_range(env, proxy, big, mode):
    victim = big["layers"][0]["digest"]
    break_first(proxy, victim)
    res = hull(env, "inspect", "--format", "json", "--list-files", *mode,
               "docker://" + proxy.ref(big["ref"]))
    assert res.json()["files"] == local_files(big)
    rg = ranged_gets(proxy, victim)
    assert len(rg) == 1 and rg[0].startswith("bytes=") and rg[0] != "bytes=0-", rg
    half = int(rg[0][6:-1])
    assert 0 < half < big["layers"][0]["size"]
    cache = os.path.join(env["XDG_CACHE_HOME"], "hull", "blobs", "sha256")
    if mode:
        assert H.sha256_file(os.path.join(cache, H.hexof(victim)))[0] == victim
        assert not [n for n in os.listdir(cache) if ".partial" in n or ".tmp" in n]
    else:
        assert not os.path.exists(cache)


@pytest.mark.parametrize("mode", [[], ["--cache"]])
def test_server_ignoring_range_restarts(env, proxy, big, mode):
    """A 200 to a Range request: the stream drops what it had, the cache starts over."""
    victim = big["layers"][0]["digest"]
    break_first(proxy, victim)

    def strip_range(h):
        if FP.is_blob_get(h) and h.headers.get("Range"):
            proxy.forward(h, extra={"Range": None})
            return True
    proxy.fault = strip_range
    res = hull(env, "inspect", "--format", "json", "--list-files", *mode,
               "docker://" + proxy.ref(big["ref"]))
    assert res.json()["files"] == local_files(big)
    assert len(ranged_gets(proxy, victim)) == 1


def test_partial_file_resumed_across_runs(env, proxy, big):
    victim = big["layers"][0]["digest"]
    size = big["layers"][0]["size"]
    with open(H.blob_path(big["path"], victim), "rb") as f:
        data = f.read()
    cache = os.path.join(env["XDG_CACHE_HOME"], "hull", "blobs", "sha256")
    os.makedirs(cache)
    partial = os.path.join(cache, H.hexof(victim) + ".partial")
    with open(partial, "wb") as f:
        f.write(data[:size // 3])
    res = hull(env, "inspect", "--cache", "--format", "json", "--list-files",
               "docker://" + proxy.ref(big["ref"]))
    assert res.json()["files"] == local_files(big)
    assert ranged_gets(proxy, victim) == ["bytes=%d-" % (size // 3)]
    assert not os.path.exists(partial)
    # a .partial holding wrong bytes: the digest fails, the blob is fetched again whole
    os.unlink(os.path.join(cache, H.hexof(victim)))
    with open(partial, "wb") as f:
        f.write(b"\0" * (size // 2))
    res = hull(env, "inspect", "--cache", "--format", "json", "docker://" +
               proxy.ref(big["ref"]))
    assert res.rc == 0, res.describe()
    assert H.sha256_file(os.path.join(cache, H.hexof(victim)))[0] == victim
    assert not os.path.exists(partial)


def corrupt_blob(proxy, digest):
    def bf(h, status, headers, path):
        if FP.is_blob_get(h, digest) and status in (200, 206):
            def send(data):
                b = bytearray(data)
                b[len(b) // 2] ^= 0x55
                h.send_response(status)
                for k, v in headers:
                    h.send_header(k, v)
                h.send_header("Content-Length", str(len(b)))
                h.end_headers()
                h.wfile.write(bytes(b))
            return send
    proxy.body_fault = bf


@pytest.mark.parametrize("mode", [[], ["--cache"]])
def test_corrupted_bytes_are_refused(env, proxy, big, tmp_path, mode):
    victim = big["layers"][0]["digest"]
    corrupt_blob(proxy, victim)
    out = tmp_path / "report.json"
    ref = proxy.ref(big["ref"])
    res = hull(env, "image", "-f", "json", "-o", out, *mode, "docker://" + ref)
    line = H.assert_input_error(res, ref)
    assert "digest mismatch" in line and victim in line, line
    assert not out.exists()
    cache = os.path.join(env["XDG_CACHE_HOME"], "hull", "blobs", "sha256")
    assert not os.path.exists(os.path.join(cache, H.hexof(victim)))
    if os.path.isdir(cache):
        assert not [n for n in os.listdir(cache) if ".partial" in n or ".tmp" in n]


def test_html_error_pages(env, proxy, big):
    def html(h):
        if "/manifests/" in h.path:
            FP.send_raw(h, 404, b"<html><body><h1>Not Found</h1>\n<p>nginx</p></body></html>")
            return True
    proxy.fault = html
    ref = proxy.ref(big["ref"])
    res = hull(env, "inspect", "docker://" + ref)
    line = H.assert_input_error(res, ref)
    assert "404" in line and "<" not in line


def test_redirect_loop(env, proxy, big):
    def loop(h):
        if "/manifests/" in h.path:
            FP.send_raw(h, 302, b"", extra=[("Location", h.path)])
            return True
    proxy.fault = loop
    ref = proxy.ref(big["ref"])
    line = H.assert_input_error(hull(env, "inspect", "docker://" + ref), ref)
    assert "redirect" in line.lower()


def test_huge_manifest_is_refused(env, proxy, big):
    def huge(h):
        if "/manifests/" in h.path:
            n = 100 << 20
            h.send_response(200)
            h.send_header("Content-Type", H.OCI_MANIFEST)
            h.send_header("Content-Length", str(n))
            h.end_headers()
            try:
                chunk = b" " * (1 << 20)
                for _ in range(100):
                    h.wfile.write(chunk)
            except OSError:
                pass
            return True
    proxy.fault = huge
    ref = proxy.ref(big["ref"])
    t = time.time()
    line = H.assert_input_error(hull(env, "inspect", "docker://" + ref), ref)
    assert "too large" in line
    assert time.time() - t < 30


def test_index_pointing_to_itself(env, proxy, big):
    """An index whose entry is served as the index again: refused (the bytes are not
    the digest asked for), no loop."""
    entry = "sha256:" + "ab" * 32
    idx = H.jdump({"schemaVersion": 2, "mediaType": H.OCI_INDEX, "manifests": [
        {"mediaType": H.OCI_INDEX, "digest": entry, "size": 0,
         "platform": {"os": "linux", "architecture": "amd64"}}]})
    idx = H.jdump({"schemaVersion": 2, "mediaType": H.OCI_INDEX, "manifests": [
        {"mediaType": H.OCI_INDEX, "digest": entry, "size": len(idx),
         "platform": {"os": "linux", "architecture": "amd64"}}]})

    def selfie(h):
        if "/manifests/" in h.path:
            FP.send_raw(h, 200, idx, H.OCI_INDEX)
            return True
    proxy.fault = selfie
    ref = proxy.ref(big["ref"])
    line = H.assert_input_error(hull(env, "inspect", "docker://" + ref), ref)
    assert "digest mismatch" in line
    assert len(proxy.requests("GET")) < 10


def test_slow_server_times_out(env, proxy, big):
    victim = big["layers"][0]["digest"]

    def stall(h):
        if FP.is_blob_get(h, victim):
            h.send_response(200)
            h.send_header("Content-Length", str(big["layers"][0]["size"]))
            h.end_headers()
            h.wfile.write(b"\x1f")
            h.wfile.flush()
            time.sleep(20)
            return True
    proxy.fault = stall
    e = dict(env, HULL_HTTP_LOW_SPEED_TIME="1")
    ref = proxy.ref(big["ref"])
    t = time.time()
    line = H.assert_input_error(hull(e, "inspect", "docker://" + ref), ref)
    assert "too slow" in line.lower() or "timed out" in line.lower(), line
    assert time.time() - t < 60


def test_token_endpoint_on_another_host_gets_no_password(env, proxy, big):
    """A plain-HTTP token realm on another address: hull asks it anonymously."""
    ts = FP.TokenServer("127.0.0.2")
    try:
        proxy.fault = FP.bearer_front(proxy, ts)
        ref = proxy.ref(big["ref"])
        res = hull(env, "inspect", "--format", "json", "--creds", "%s:%s" % (USER, PASSWORD),
                   "docker://" + ref)
        assert res.json()["digest"] == big["manifest"]
        assert ts.calls and all("Authorization" not in c[2] for c in ts.calls)
        assert_no_secret(res)
    finally:
        ts.stop()


# ------------------------------------------------------------------------ credential helpers

def write_helper(bindir, name, host, username, secret):
    """docker-credential-NAME: answers `get` for host, logs what it was asked."""
    path = bindir / ("docker-credential-" + name)
    path.write_text("""#!/usr/bin/python3
import json, sys
asked = sys.stdin.read()
open(%r, "a").write(" ".join(sys.argv[1:]) + " " + asked + "\\n")
if sys.argv[1:] != ["get"] or asked.strip() != %r:
    print("credentials not found in native keychain")
    sys.exit(1)
print(json.dumps({"ServerURL": asked, "Username": %r, "Secret": %r}))
""" % (str(bindir / (name + ".log")), host, username, secret))
    path.chmod(0o755)
    return bindir / (name + ".log")


@pytest.mark.parametrize("how", ["credHelpers", "credsStore"])
def test_credential_helpers(env, tmp_path, auth_registry, auth_pushed, image, how):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = write_helper(bindir, "hulltest", auth_registry.host, USER, PASSWORD)
    os.makedirs(env["DOCKER_CONFIG"])
    cfg = {"credHelpers": {auth_registry.host: "hulltest"}} if how == "credHelpers" \
        else {"credsStore": "hulltest", "auths": {}}
    with open(os.path.join(env["DOCKER_CONFIG"], "config.json"), "w") as f:
        json.dump(cfg, f)
    e = dict(env, PATH="%s:%s" % (bindir, os.environ["PATH"]))
    res = hull(e, "inspect", "--format", "json", "docker://" + auth_pushed)
    assert res.json()["digest"] == image["manifest"]
    assert_no_secret(res)
    assert log.read_text().split() == ["get", auth_registry.host]
    # a helper that has nothing for the host: anonymous, then refused
    write_helper(bindir, "hulltest", "other.example", USER, PASSWORD)
    res = hull(e, "inspect", "docker://" + auth_pushed)
    assert "authentication required" in H.assert_input_error(res, auth_pushed)
    # a helper that is not installed
    with open(os.path.join(env["DOCKER_CONFIG"], "config.json"), "w") as f:
        json.dump({"credsStore": "nosuchhelper"}, f)
    res = hull(e, "inspect", "docker://" + auth_pushed)
    assert "docker-credential-nosuchhelper" in H.assert_input_error(res, auth_pushed)


def test_identity_token_from_helper(env, tmp_path, proxy, big):
    """A helper's "<token>" user is an identity token: POSTed as an OAuth2 refresh token
    to the realm (here on the registry's own host)."""
    refresh = "refresh-" + PASSWORD
    ts = FP.TokenServer("127.0.0.1", refresh=refresh)
    token_host = ts.url.split("/")[2]
    try:
        front = FP.bearer_front(proxy, ts)

        def fault(h):
            if h.path.startswith("/token"):
                n = int(h.headers.get("Content-Length") or 0)
                body = h.rfile.read(n)
                up = FP.http.client.HTTPConnection(token_host)
                up.request(h.command, h.path, body=body or None, headers=dict(h.headers))
                r = up.getresponse()
                FP.send_raw(h, r.status, r.read(), r.getheader("Content-Type") or "text/plain")
                return True
            return front(h)
        proxy.fault = fault
        ts.url = "http://%s/token" % proxy.host  # the challenge names the proxy's host
        bindir = tmp_path / "bin"
        bindir.mkdir()
        write_helper(bindir, "hulltok", proxy.host, "<token>", refresh)
        os.makedirs(env["DOCKER_CONFIG"])
        with open(os.path.join(env["DOCKER_CONFIG"], "config.json"), "w") as f:
            json.dump({"credHelpers": {proxy.host: "hulltok"}}, f)
        e = dict(env, PATH="%s:%s" % (bindir, os.environ["PATH"]))
        res = hull(e, "inspect", "--format", "json", "docker://" + proxy.ref(big["ref"]))
        assert res.json()["digest"] == big["manifest"]
        posts = [c for c in ts.calls if c[0] == "POST"]
        assert posts and b"grant_type=refresh_token" in posts[0][3]
        assert refresh not in res.out + res.err
    finally:
        ts.stop()


# ------------------------------------------------------------------------ TLS

@pytest.fixture(scope="session")
def tls_certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("certs")
    ossl = shutil.which("openssl")
    if not ossl:
        pytest.skip("needs openssl")
    run = lambda *a: subprocess.run([ossl] + list(a), check=True, capture_output=True, cwd=d)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
        "ca.crt", "-days", "2", "-subj", "/CN=hull test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr",
        "-subj", "/CN=127.0.0.1")
    (d / "ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "srv.crt", "-days", "2", "-extfile", "ext")
    certdir = d / "certs.d"
    certdir.mkdir()
    shutil.copy(d / "ca.crt", certdir / "ca.crt")
    # a client certificate, for a registry that asks for one
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr",
        "-subj", "/CN=hull client")
    (d / "cext").write_text("extendedKeyUsage=clientAuth\n")
    run("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "client.cert", "-days", "2", "-extfile", "cext")
    clientdir = d / "client.d"
    clientdir.mkdir()
    for f in ("ca.crt", "client.cert", "client.key"):
        shutil.copy(d / f, clientdir / f)
    return d, certdir


@pytest.fixture(scope="session")
def tls_registry(request, tmp_path_factory, tls_certs):
    if not HTPASSWD:
        pytest.skip("needs htpasswd (apache2-utils)")
    d, _ = tls_certs
    line = subprocess.run([HTPASSWD, "-Bbn", USER, PASSWORD], check=True,
                          capture_output=True, text=True).stdout
    return start(request, tmp_path_factory, htpasswd=line,
                 tls=(str(d / "srv.crt"), str(d / "srv.key")))


def test_tls_client_certificate(env, request, tmp_path_factory, tls_certs, image):
    d, cadir = tls_certs
    reg = start(request, tmp_path_factory,
                tls=(str(d / "srv.crt"), str(d / "srv.key"), str(d / "ca.crt")))
    ref = reg.ref("hull/mtls:1")
    push_skopeo("oci:%s:latest" % image["path"], ref, "--dest-cert-dir", d / "client.d")
    res = hull(env, "inspect", "--format", "json", "--cert-dir", d / "client.d",
               "docker://" + ref)
    assert res.json()["digest"] == image["manifest"]
    H.assert_input_error(hull(env, "inspect", "--cert-dir", cadir, "docker://" + ref), ref)


def test_tls_with_cert_dir(env, tls_registry, tls_certs, image):
    _, certdir = tls_certs
    ref = tls_registry.ref("hull/tls:1")
    push_skopeo("oci:%s:latest" % image["path"], ref,
                "--dest-creds", "%s:%s" % (USER, PASSWORD))
    creds = "%s:%s" % (USER, PASSWORD)
    res = hull(env, "inspect", "--format", "json", "--cert-dir", certdir, "--creds", creds,
               "docker://" + ref)
    assert res.json()["digest"] == image["manifest"]
    bad = hull(env, "inspect", "--creds", creds, "docker://" + ref)
    line = H.assert_input_error(bad, ref)
    assert "certificate" in line.lower() or "ssl" in line.lower(), line
    pushed = tls_registry.ref("hull/tls-pushed:1")
    res = hull(env, "push", "--cert-dir", certdir, "--creds", creds,
               "oci:%s:latest" % image["path"], "docker://" + pushed)
    assert res.rc == 0, res.describe()
    assert skopeo_inspect("docker://" + pushed, "--creds", creds)["Digest"] == image["manifest"]
    res = hull(env, "inspect", "--cert-dir", str(certdir) + "/nope", "docker://" + ref)
    assert res.rc == 2 and "--cert-dir" in res.err


# ------------------------------------------------------------------------ push

def test_push_chunked_large_blob(env, proxy, tmp_path):
    root = str(tmp_path / "large")
    files = [H.entry("big", data=os.urandom(70 << 20))]
    info = H.make_oci_layout(root, [(H.make_tar(files), "none")], ref="latest")
    ref = proxy.ref("hull/large:1")
    res = hull(env, "push", "oci:%s:latest" % root, "docker://" + ref)
    assert res.rc == 0, res.describe()
    patches = proxy.requests("PATCH")
    ranges = [p[2].get("Content-Range") for p in patches]
    size = info["layers"][0]["size"]
    chunk = 32 << 20
    want = ["%d-%d" % (o, min(o + chunk, size) - 1) for o in range(0, size, chunk)]
    assert ranges == want
    direct = "docker://%s/hull/large:1" % proxy.upstream
    assert skopeo_inspect(direct)["Digest"] == info["manifest"]
    back = hull(env, "inspect", "--format", "json", "docker://" + ref)
    assert back.json()["digest"] == info["manifest"]


def test_push_mounts_from_the_same_registry(env, registry, proxy, pushed, image):
    src = proxy.ref("hull/test:v1")
    dst = proxy.ref("hull/mounted:v1")
    res = hull(env, "push", "docker://" + src, "docker://" + dst)
    assert res.rc == 0, res.describe()
    posts = [r[1] for r in proxy.requests("POST")]
    assert posts and all("mount=sha256" in p and "from=hull%2Ftest" in p for p in posts), posts
    assert not proxy.requests("PATCH")
    assert not [r for r in proxy.requests("PUT") if "/blobs/" in r[1]]
    assert skopeo_inspect("docker://" + registry.ref("hull/mounted:v1"))["Digest"] == \
        image["manifest"]
    # --mount-from with a local source
    dst2 = proxy.ref("hull/mounted2:v1")
    del proxy.log[:]
    res = hull(env, "push", "--mount-from", "hull/test", "oci:%s:latest" % image["path"],
               "docker://" + dst2)
    assert res.rc == 0, res.describe()
    assert [r for r in proxy.requests("POST") if "mount=" in r[1]]
    assert not [r for r in proxy.requests("PUT") if "/blobs/" in r[1]]
    # a repository that does not have the blobs: 202, cancelled, uploaded instead
    dst3 = proxy.ref("hull/mounted3:v1")
    del proxy.log[:]
    res = hull(env, "push", "--mount-from", "hull/nothing", "oci:%s:latest" % image["path"],
               "docker://" + dst3)
    assert res.rc == 0, res.describe()
    assert [r for r in proxy.requests("PUT") if "/blobs/" in r[1]]
    assert skopeo_inspect("docker://" + registry.ref("hull/mounted3:v1"))["Digest"] == \
        image["manifest"]
    res = hull(env, "pull", "--mount-from", "x", "docker://" + dst3, "oci:/tmp/never")
    assert res.rc == 2 and "--mount-from" in res.err


def test_push_whole_index(env, registry, tmp_path):
    root = str(tmp_path / "multi")
    index_digest, amd, arm = make_multi(root)
    ref = registry.ref("hull/pushed-index:1")
    res = hull(env, "push", "oci:%s:multi" % root, "docker://" + ref)
    assert res.rc == 0, res.describe()
    assert res.out.strip() == index_digest
    raw = skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + ref).stdout
    assert H.sha256_bytes(raw.encode()) == index_digest
    for plat, info in (("linux/amd64", amd), ("linux/arm64", arm)):
        got = hull(env, "inspect", "--format", "json", "--platform", plat, "docker://" + ref)
        assert got.json()["digest"] == info["manifest"]
    one = registry.ref("hull/pushed-one:1")
    res = hull(env, "push", "--platform", "linux/arm64", "oci:%s:multi" % root,
               "docker://" + one)
    assert res.rc == 0 and res.out.strip() == arm["manifest"], res.describe()
    assert skopeo_inspect("docker://" + one)["Digest"] == arm["manifest"]


# ------------------------------------------------------------------------ bare references

def test_bare_reference_is_a_registry_image(env, pushed, image, tmp_path):
    res = hull(env, "inspect", "--format", "json", pushed)
    assert res.json()["digest"] == image["manifest"]
    # a name that looks like a file stays a file
    res = hull(env, "inspect", "missing-image.tar")
    line = H.assert_input_error(res, "missing-image.tar")
    assert "No such file" in line
    # an existing path of the same shape is a path
    os.makedirs(tmp_path / "hull" / "x")
    r = subprocess.run([H.HULL, "inspect", "hull/x"], cwd=tmp_path, capture_output=True,
                       text=True, env=env)
    assert r.returncode == 0, r.stderr
