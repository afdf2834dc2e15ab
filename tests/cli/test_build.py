"""hull build: the smallest spec (a static C hello) to every destination, checked with
skopeo, umoci, chroot and hull itself; reproducibility across directories, umasks and
mtimes; the security gate; spec and input errors; real Debian packages; registry push."""
import glob
import json
import os
import shutil
import subprocess
import tarfile

import pytest

import hullfix as H

SKOPEO = shutil.which("skopeo")
UMOCI = shutil.which("umoci")
GCC = shutil.which("gcc")
pytestmark = pytest.mark.skipif(not (SKOPEO and UMOCI and GCC),
                                reason="needs skopeo, umoci and gcc")

SMALLEST = """base: scratch
files:
  - src: ./hello
    dst: /usr/local/bin/hello
    mode: "0755"
entrypoint: ["/usr/local/bin/hello"]
"""
HELLO_C = '#include <stdio.h>\nint main(void) { puts("hello from hull"); return 0; }\n'


@pytest.fixture(scope="module")
def hello_bin(tmp_path_factory):
    d = tmp_path_factory.mktemp("hello")
    src = d / "hello.c"
    src.write_text(HELLO_C)
    subprocess.run([GCC, "-static", "-O2", "-o", str(d / "hello"), str(src)], check=True)
    return d / "hello"


def project(root, hello_bin, spec=SMALLEST):
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(hello_bin, root / "hello")
    (root / "hull-image.yaml").write_text(spec)
    return root / "hull-image.yaml"


def build(spec, dest, *extra, env=None):
    args = [H.HULL, "build", str(spec), "-o", dest] + [str(a) for a in extra]
    e = dict(os.environ)
    e.pop("SOURCE_DATE_EPOCH", None)
    e.update(env or {})
    p = subprocess.run(args, capture_output=True, timeout=300, env=e)
    return H.Result(args[1:], p.returncode, p.stdout.decode(), p.stderr.decode())


def skopeo(*args):
    p = subprocess.run([SKOPEO, "--insecure-policy"] + [str(a) for a in args],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout


def unpack(layout_ref, dest):
    subprocess.run([UMOCI, "unpack", "--image", layout_ref, str(dest)], check=True,
                   capture_output=True)
    return dest / "rootfs"


def test_smallest_spec_to_oci(tmp_path, hello_bin):
    spec = project(tmp_path / "p", hello_bin)
    r = build(spec, "oci:%s:v1" % (tmp_path / "out"))
    assert r.rc == 0, r.describe()
    digest = r.out.strip()
    assert digest.startswith("sha256:") and len(digest) == 71
    info = json.loads(skopeo("inspect", "oci:%s:v1" % (tmp_path / "out")))
    assert info["Digest"] == digest
    cfg = json.loads(skopeo("inspect", "--config", "oci:%s:v1" % (tmp_path / "out")))
    assert cfg["config"]["User"] == "65532:65532"
    assert cfg["config"]["Entrypoint"] == ["/usr/local/bin/hello"]
    assert cfg["created"] == "1970-01-01T00:00:00Z"
    assert len(cfg["rootfs"]["diff_ids"]) == len(info["Layers"])
    rootfs = unpack("%s:v1" % (tmp_path / "out"), tmp_path / "bundle")
    hello = rootfs / "usr/local/bin/hello"
    st = os.lstat(hello)
    assert oct(st.st_mode & 0o7777) == "0o755" and st.st_uid == 0
    passwd = (rootfs / "etc/passwd").read_text()
    assert "nonroot:x:65532:65532:nonroot:/home/nonroot:" in passwd
    assert "nonroot:x:65532:" in (rootfs / "etc/group").read_text()
    home = os.lstat(rootfs / "home/nonroot")
    assert home.st_uid == 65532 and oct(home.st_mode & 0o7777) == "0o700"
    assert oct(os.lstat(rootfs / "tmp").st_mode & 0o7777) == "0o1777"
    sbom = json.loads((rootfs / "usr/share/hull/sbom.spdx.json").read_text())
    assert sbom["spdxVersion"] == "SPDX-2.3"
    assert json.loads((rootfs / "usr/share/hull/sbom.cdx.json").read_text())["bomFormat"] \
        == "CycloneDX"
    if os.geteuid() == 0:
        out = subprocess.run(["chroot", str(rootfs), "/usr/local/bin/hello"],
                             capture_output=True, text=True, check=True).stdout
        assert out == "hello from hull\n"
    # skopeo copies it, and hull reads it back clean
    skopeo("copy", "oci:%s:v1" % (tmp_path / "out"), "oci:%s:copy" % (tmp_path / "copy"))
    r = H.hull("image", "-f", "json", "oci:%s:v1" % (tmp_path / "out"))
    assert r.rc == 0, r.describe()
    ids = [f["id"] for f in json.loads(r.out)["findings"]]
    assert "HULL-IMG-001" not in ids
    assert not [f for f in json.loads(r.out)["findings"] if f["kind"] == "secret"]


def test_archives(tmp_path, hello_bin):
    spec = project(tmp_path / "p", hello_bin)
    r1 = build(spec, "oci-archive:%s" % (tmp_path / "img.oci.tar"))
    r2 = build(spec, "docker-archive:%s:hello:1" % (tmp_path / "img.docker.tar"))
    r3 = build(spec, "oci:%s" % (tmp_path / "layout"))
    for r in (r1, r2, r3):
        assert r.rc == 0, r.describe()
    assert r1.out == r2.out == r3.out
    info = json.loads(skopeo("inspect", "oci-archive:%s" % (tmp_path / "img.oci.tar")))
    assert info["Digest"] == r1.out.strip()
    with tarfile.open(tmp_path / "img.oci.tar") as t:
        assert "manifest.json" not in t.getnames()
    with tarfile.open(tmp_path / "img.docker.tar") as t:
        man = json.load(t.extractfile("manifest.json"))
        assert man[0]["RepoTags"] == ["hello:1"]
        names = set(t.getnames())
        assert man[0]["Config"] in names and all(l in names for l in man[0]["Layers"])
    info = json.loads(skopeo("inspect", "docker-archive:%s" % (tmp_path / "img.docker.tar")))
    assert info["Architecture"] == "amd64" and len(info["Layers"]) == 3
    # oci:DIR without a tag is tagged latest
    unpack("%s:latest" % (tmp_path / "layout"), tmp_path / "b")


def test_reproducible_across_dirs_umasks_and_mtimes(tmp_path, hello_bin):
    digests = []
    for i, (umask, mtime) in enumerate(((0o022, 1000000000), (0o077, 1600000000))):
        old = os.umask(umask)
        try:
            root = tmp_path / ("dir%d" % i) / "deep" / ("x" * (i + 1))
            spec = project(root, hello_bin, SMALLEST.replace(
                "entrypoint", "  - src: ./data\n    dst: /srv/data\nentrypoint") +
                "env:\n  A: b\n")
            (root / "data").mkdir()
            (root / "data" / "z.txt").write_text("z\n")
            (root / "data" / "a.txt").write_text("a\n")
            os.symlink("a.txt", root / "data" / "link")
            for p in [root / "hello", root / "data/z.txt", root / "data/a.txt", root / "data"]:
                os.utime(p, (mtime, mtime))
            r = build(spec, "oci:%s:t" % (tmp_path / ("out%d" % i)))
            assert r.rc == 0, r.describe()
            digests.append(r.out.strip())
        finally:
            os.umask(old)
    assert digests[0] == digests[1]
    # SOURCE_DATE_EPOCH moves every time, so the digest changes
    r = build(tmp_path / "dir0/deep/x/hull-image.yaml", "oci:%s:t" % (tmp_path / "e"),
              env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert r.rc == 0 and r.out.strip() != digests[0]
    cfg = json.loads(skopeo("inspect", "--config", "oci:%s:t" % (tmp_path / "e")))
    assert cfg["created"] == "2023-11-14T22:13:20Z"
    rootfs = unpack("%s:t" % (tmp_path / "e"), tmp_path / "eb")
    assert os.lstat(rootfs / "srv/data/a.txt").st_mtime == 1700000000
    assert os.readlink(rootfs / "srv/data/link") == "a.txt"
    assert oct(os.lstat(rootfs / "srv/data/a.txt").st_mode & 0o777) == "0o644"


def gate_case(tmp_path, hello_bin, make):
    root = tmp_path / "p"
    spec = project(root, hello_bin, SMALLEST.replace(
        "entrypoint", "  - src: ./app\n    dst: /app\nentrypoint"))
    (root / "app").mkdir()
    (root / "app" / "main.txt").write_text("ok\n")
    make(root / "app")
    out = tmp_path / "out"
    return spec, out


@pytest.mark.parametrize("name,make,id_", [
    ("git", lambda d: (d / ".git").mkdir() or (d / ".git" / "HEAD").write_text("x\n"),
     "HULL-IMG-009"),
    ("env", lambda d: (d / ".env").write_text("PASSWORD=hunter22\n"), "HULL-BUILD-001"),
    ("key", lambda d: (d / "server.pem").write_text(
        "-----BEGIN RSA PRIVATE KEY-----\n" + "MIIEowIBAAKCAQEA7bq98Wk3xXhH6YQm" * 4 +
        "\n-----END RSA PRIVATE KEY-----\n"), None),
])
def test_security_gate_refuses(tmp_path, hello_bin, name, make, id_):
    spec, out = gate_case(tmp_path, hello_bin, make)
    r = build(spec, "oci:%s:t" % out)
    assert r.rc == 2, r.describe()
    assert len(r.err_lines) == 1 and "refused" in r.err, r.err
    assert not out.exists() and not glob.glob(str(out) + "*")
    rule = id_ or r.err.split("--allow ")[1].split()[0]
    r = build(spec, "oci:%s:t" % out, "--allow", rule)
    assert r.rc == 0, r.describe()
    assert out.exists()


def test_root_user_warns(tmp_path, hello_bin):
    spec = project(tmp_path / "p", hello_bin, SMALLEST + "user: \"0\"\n")
    r = build(spec, "oci:%s:t" % (tmp_path / "o"))
    assert r.rc == 0, r.describe()
    assert "HULL-IMG-001" in r.err and "warning" in r.err
    cfg = json.loads(skopeo("inspect", "--config", "oci:%s:t" % (tmp_path / "o")))
    assert cfg["config"]["User"] == "0:0"


@pytest.mark.parametrize("spec,want", [
    (SMALLEST + "colour: blue\n", ":7:1: unknown key \"colour\""),
    (SMALLEST.replace('entrypoint: ["/usr/local/bin/hello"]',
                      'entrypoint: /usr/local/bin/hello'), ":6:13: entrypoint must be a list"),
    (SMALLEST.replace('mode: "0755"', 'mode: [1]'), ":5:11: files.mode must be an octal"),
    (SMALLEST.replace("./hello", "./missing"), "files.src ./missing: No such file"),
    (SMALLEST.replace("/usr/local/bin/hello\n", "/usr/../etc/hello\n", 1), "has '..'"),
    (SMALLEST.replace("./hello", "./escape"), "symlink escapes"),
    (SMALLEST.replace("./hello", "../outside"), "is outside the spec's directory"),
    (SMALLEST.replace("./hello", "./null"), "device, fifo or socket"),
    (SMALLEST + "debs: [./bad.deb]\n", "not a Debian package"),
    (SMALLEST + "healthcheck:\n  test: [/x]\n  interval: 5 parsecs\n", ":9:13: healthcheck"),
])
def test_spec_and_input_errors(tmp_path, hello_bin, spec, want):
    root = tmp_path / "p"
    path = project(root, hello_bin, spec)
    (tmp_path / "outside").write_text("x")
    os.symlink("/etc/hostname", root / "escape")
    os.mkfifo(root / "null")
    (root / "bad.deb").write_bytes(b"!<arch>\nnot really")
    out = tmp_path / "out"
    r = build(path, "oci:%s:t" % out)
    assert r.rc == 2, r.describe()
    assert len(r.err_lines) == 1 and want in r.err, r.err
    assert r.err.startswith("hull: error: ")
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith("out.")]


DEBS = ["netbase", "media-types"]


@pytest.fixture(scope="module")
def debs():
    cache = os.path.join(H.TESTDATA, "debs")
    with H.locked(os.path.join(H.TESTDATA, ".debs.lock")):
        have = {n: glob.glob(os.path.join(cache, n + "_*.deb")) for n in DEBS}
        if not all(have.values()):
            os.makedirs(cache, exist_ok=True)
            p = subprocess.run(["apt-get", "download"] + DEBS, cwd=cache,
                               capture_output=True, text=True, timeout=300)
            if p.returncode != 0:
                pytest.skip("the Debian mirror is unreachable: apt-get download failed: "
                            + p.stderr.strip()[-300:])
    return cache


def test_debs(tmp_path, hello_bin, debs):
    root = tmp_path / "p"
    spec = project(root, hello_bin, SMALLEST + "debs: [%s/*.deb]\n" % debs)
    r = build(spec, "oci:%s:t" % (tmp_path / "o"))
    assert r.rc == 0, r.describe()
    r = H.hull("sbom", "-f", "json", "oci:%s:t" % (tmp_path / "o"))
    assert r.rc == 0, r.describe()
    doc = json.loads(r.out)
    pkgs = {p["name"]: p for p in doc["packages"]}
    for name in DEBS:
        assert name in pkgs and pkgs[name]["path"] == "/var/lib/dpkg/status.d/" + name
        want = subprocess.run(["dpkg-deb", "-f", glob.glob("%s/%s_*.deb" % (debs, name))[0],
                               "Version"], capture_output=True, text=True).stdout.strip()
        assert pkgs[name]["version"] == want
    rootfs = unpack("%s:t" % (tmp_path / "o"), tmp_path / "b")
    # every file dpkg-deb lists is there, with its mode
    for name in DEBS:
        deb = glob.glob("%s/%s_*.deb" % (debs, name))[0]
        listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True,
                                 check=True).stdout
        for line in listing.splitlines():
            perms, path = line.split()[0], line.split()[5]
            p = rootfs / path.lstrip("./")
            assert os.path.lexists(p), path
            if perms[0] == "-":
                assert os.stat(p).st_uid == 0
        st = (rootfs / "var/lib/dpkg/status.d" / name).read_text()
        assert st.startswith("Package: %s\nStatus: install ok installed\n" % name)
        assert (rootfs / "var/lib/dpkg/status.d" / (name + ".md5sums")).exists()


def test_push_to_registry(tmp_path, hello_bin):
    reg_bin = shutil.which("docker-registry")
    if not reg_bin:
        pytest.skip("needs docker-registry")
    import test_registry as R
    reg = R.Registry(str(tmp_path / "reg"))
    try:
        spec = project(tmp_path / "p", hello_bin)
        ref = reg.ref("hello:1")
        r = build(spec, "docker://" + ref, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
        assert r.rc == 0, r.describe()
        info = json.loads(skopeo("inspect", "--tls-verify=false", "docker://" + ref))
        assert info["Digest"] == r.out.strip()
        r2 = build(spec, "oci:%s:t" % (tmp_path / "o"))
        assert r2.out == r.out
    finally:
        reg.stop()


def make_deb(path, members):
    """A .deb by hand: ar with debian-binary, control.tar.gz, data.tar.gz (members are
    (TarInfo, bytes) pairs for data.tar)."""
    import io

    def tgz(items):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as t:
            for info, data in items:
                t.addfile(info, io.BytesIO(data) if data is not None else None)
        return buf.getvalue()

    ctl = b"Package: evil\nVersion: 1.0\nArchitecture: all\nDescription: x\n"
    ci = tarfile.TarInfo("./control")
    ci.size = len(ctl)
    parts = [("debian-binary", b"2.0\n"), ("control.tar.gz", tgz([(ci, ctl)])),
             ("data.tar.gz", tgz(members))]
    out = b"!<arch>\n"
    for name, data in parts:
        out += ("%-16s%-12s%-6s%-6s%-8s%-10s`\n" % (name, 0, 0, 0, 100644, len(data))).encode()
        out += data + (b"\n" if len(data) % 2 else b"")
    path.write_bytes(out)


@pytest.mark.parametrize("kind,want", [
    ("dotdot", "unsafe path"), ("absolute", "unsafe path"), ("device", "device or special"),
    ("ok", None)])
def test_hostile_debs(tmp_path, hello_bin, kind, want):
    root = tmp_path / "p"
    spec = project(root, hello_bin, SMALLEST + "debs: [./x.deb]\n")
    info = tarfile.TarInfo({"dotdot": "./usr/../../etc/evil", "absolute": "/etc/evil",
                            "device": "./dev/null", "ok": "./usr/bin/evil"}[kind])
    if kind == "device":
        info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
    else:
        info.size, info.mode = 3, 0o4755 if kind == "ok" else 0o644
    make_deb(root / "x.deb", [(info, b"hi\n" if kind != "device" else None)])
    r = build(spec, "oci:%s:t" % (tmp_path / "out"))
    if want is None:
        # a setuid file from a package is refused by the gate too, unless allowed
        assert r.rc == 2 and "HULL-IMG-007" in r.err, r.describe()
        r = build(spec, "oci:%s:t" % (tmp_path / "out"), "--allow", "HULL-IMG-007")
        assert r.rc == 0, r.describe()
        rootfs = unpack("%s:t" % (tmp_path / "out"), tmp_path / "b")
        assert oct(os.lstat(rootfs / "usr/bin/evil").st_mode & 0o7777) == "0o4755"
        return
    assert r.rc == 2 and want in r.err and len(r.err_lines) == 1, r.describe()
    assert not (tmp_path / "out").exists()
