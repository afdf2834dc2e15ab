"""hull build for several platforms: per-platform static binaries (${ARCH} in files.src)
to an OCI image index in every destination, checked with skopeo (--raw, --override-arch)
and umoci; the index digest reproducible; a base that is an index; docker-archive's one
platform; and the SBOMs pushed as OCI referrer artifacts to Debian's docker-registry
(which has no referrers API, so the sha256-<hex> referrers tag is used)."""
import glob
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import urllib.request

import pytest

import hullfix as H
from test_build import build, skopeo, HELLO_C, SKOPEO, UMOCI, GCC

CLANG = shutil.which("clang")
LLD = shutil.which("ld.lld")
pytestmark = pytest.mark.skipif(not (SKOPEO and UMOCI and GCC and CLANG and LLD),
                                reason="needs skopeo, umoci, gcc, clang and lld")

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"

# A freestanding arm64 program: write(1, …) and exit(0) by system calls.
ARM64_C = r"""
void _start(void)
{
	static const char m[] = "hello from arm64\n";
	register long x0 __asm__("x0") = 1;
	register const char *x1 __asm__("x1") = m;
	register long x2 __asm__("x2") = sizeof(m) - 1;
	register long x8 __asm__("x8") = 64;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x8) : "memory");
	x0 = 0;
	x8 = 93;
	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8));
	for (;;) {
	}
}
"""

MULTI = """base: scratch
platforms: [linux/amd64, linux/arm64]
files:
  - src: ./dist/${ARCH}/hello
    dst: /usr/local/bin/hello
    mode: "0755"
  - src: ./etc/${DEBARCH}.conf
    dst: /etc/hello.conf
entrypoint: ["/usr/local/bin/hello"]
"""


@pytest.fixture(scope="module")
def bins(tmp_path_factory):
    d = tmp_path_factory.mktemp("bins")
    (d / "hello.c").write_text(HELLO_C)
    (d / "arm64.c").write_text(ARM64_C)
    subprocess.run([GCC, "-static", "-O2", "-o", str(d / "amd64"), str(d / "hello.c")],
                   check=True)
    subprocess.run([CLANG, "--target=aarch64-linux-gnu", "-nostdlib", "-static",
                    "-fuse-ld=lld", "-ffreestanding", "-O2", "-Wl,--build-id=none", "-o",
                    str(d / "arm64"), str(d / "arm64.c")], check=True)
    return d


def multi_project(root, bins, spec=MULTI):
    for arch in ("amd64", "arm64"):
        (root / "dist" / arch).mkdir(parents=True, exist_ok=True)
        shutil.copy(bins / arch, root / "dist" / arch / "hello")
    (root / "etc").mkdir(exist_ok=True)
    (root / "etc" / "amd64.conf").write_text("arch=amd64\n")
    (root / "etc" / "arm64.conf").write_text("arch=arm64\n")
    (root / "hull-image.yaml").write_text(spec)
    return root / "hull-image.yaml"


def raw(ref, *extra):
    return skopeo("inspect", "--raw", *extra, ref)


def by_arch(index):
    return {m["platform"]["architecture"]: m for m in index["manifests"]}


def unpack_digest(layout, digest, dest):
    """umoci unpack of one manifest of the layout: tagged on its own in index.json
    (umoci takes image manifests, not indexes)."""
    with open(os.path.join(layout, "index.json")) as f:
        idx = json.load(f)
    with open(os.path.join(layout, "blobs", "sha256", digest[7:]), "rb") as f:
        size = len(f.read())
    tag = "u-" + digest[7:19]
    idx["manifests"].append({"mediaType": MANIFEST, "digest": digest, "size": size,
                             "annotations": {"org.opencontainers.image.ref.name": tag}})
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(idx, f)
    subprocess.run([UMOCI, "unpack", "--image", "%s:%s" % (layout, tag), str(dest)],
                   check=True, capture_output=True)
    return dest / "rootfs"


def test_index_to_oci(tmp_path, bins):
    spec = multi_project(tmp_path / "p", bins)
    out = tmp_path / "out"
    r = build(spec, "oci:%s:v1" % out)
    assert r.rc == 0, r.describe()
    digest = r.out.strip()
    text = raw("oci:%s:v1" % out)
    assert "sha256:" + hashlib.sha256(text.encode()).hexdigest() == digest
    index = json.loads(text)
    assert index["mediaType"] == INDEX and len(index["manifests"]) == 2
    assert [m["platform"] for m in index["manifests"]] == [
        {"os": "linux", "architecture": "amd64"}, {"os": "linux", "architecture": "arm64"}]
    ms = by_arch(index)
    # skopeo picks each platform's manifest, whose config says the same platform
    for arch in ("amd64", "arm64"):
        d = tmp_path / ("dir-" + arch)
        skopeo("--override-arch", arch, "copy", "oci:%s:v1" % out, "dir:%s" % d)
        man = (d / "manifest.json").read_bytes()
        assert "sha256:" + hashlib.sha256(man).hexdigest() == ms[arch]["digest"]
        cfg = json.loads(skopeo("--override-arch", arch, "inspect", "--config",
                                "oci:%s:v1" % out))
        assert cfg["architecture"] == arch and cfg["os"] == "linux"
        assert cfg["config"]["User"] == "65532:65532"
        rootfs = unpack_digest(str(out), ms[arch]["digest"], tmp_path / ("b-" + arch))
        assert (rootfs / "usr/local/bin/hello").read_bytes() == (bins / arch).read_bytes()
        assert (rootfs / "etc/hello.conf").read_text() == "arch=%s\n" % arch
        sbom = json.loads((rootfs / "usr/share/hull/sbom.spdx.json").read_text())
        assert sbom["spdxVersion"] == "SPDX-2.3"
        if arch == "amd64" and os.geteuid() == 0:
            p = subprocess.run(["chroot", str(rootfs), "/usr/local/bin/hello"],
                               capture_output=True, text=True, check=True)
            assert p.stdout == "hello from hull\n"
    # the same layout, tag by tag: a second build to another tag keeps the first
    r2 = build(spec, "oci:%s:v2" % out, "--platform", "linux/arm64")
    assert r2.rc == 0, r2.describe()
    assert r2.out.strip() == ms["arm64"]["digest"]
    assert json.loads(raw("oci:%s:v1" % out))["mediaType"] == INDEX
    assert json.loads(raw("oci:%s:v2" % out))["config"]["mediaType"] \
        == "application/vnd.oci.image.config.v1+json"
    # an index into the existing layout: blobs added, index.json gets the new tag
    r3 = build(spec, "oci:%s:v3" % out)
    assert r3.rc == 0 and r3.out == r.out, r3.describe()
    tags = [m["annotations"]["org.opencontainers.image.ref.name"]
            for m in json.loads((out / "index.json").read_text())["manifests"]]
    assert sorted(t for t in tags if not t.startswith("u-")) == ["v1", "v2", "v3"]
    assert json.loads(raw("oci:%s:v3" % out)) == index


def test_index_reproducible_and_archives(tmp_path, bins):
    digests = []
    for i, umask in enumerate((0o022, 0o077)):
        old = os.umask(umask)
        try:
            spec = multi_project(tmp_path / ("d%d" % i) / ("x" * (i + 3)), bins)
            for f in glob.glob(str(spec.parent / "**"), recursive=True):
                os.utime(f, (1000000000 + i * 12345, 1000000000 + i * 12345))
            r = build(spec, "oci:%s" % (tmp_path / ("o%d" % i)))
            assert r.rc == 0, r.describe()
            digests.append(r.out.strip())
        finally:
            os.umask(old)
    assert digests[0] == digests[1]
    spec = tmp_path / "d0" / "xxx" / "hull-image.yaml"
    arc = tmp_path / "img.tar"
    r = build(spec, "oci-archive:%s:m" % arc)
    assert r.rc == 0 and r.out.strip() == digests[0], r.describe()
    index = json.loads(raw("oci-archive:%s:m" % arc))
    assert index["mediaType"] == INDEX
    with tarfile.open(arc) as t:
        names = t.getnames()
        assert "index.json" in names and "manifest.json" not in names
        assert "blobs/sha256/" + digests[0][7:] in names
    d = tmp_path / "arc-arm64"
    skopeo("--override-arch", "arm64", "copy", "oci-archive:%s:m" % arc, "dir:%s" % d)
    assert json.loads((d / "manifest.json").read_text())["config"]["digest"] in \
        ["sha256:" + p.name for p in d.iterdir() if len(p.name) == 64]
    # oci:DIR without a tag is tagged latest
    assert json.loads(raw("oci:%s:latest" % (tmp_path / "o0")))["mediaType"] == INDEX


def test_docker_archive_is_one_platform(tmp_path, bins):
    spec = multi_project(tmp_path / "p", bins)
    out = tmp_path / "d.tar"
    r = build(spec, "docker-archive:%s:hello:1" % out)
    assert r.rc == 2 and len(r.err_lines) == 1, r.describe()
    assert "--platform" in r.err and not out.exists()
    r = build(spec, "docker-archive:%s:hello:1" % out, "--platform", "linux/arm64")
    assert r.rc == 0, r.describe()
    info = json.loads(skopeo("inspect", "docker-archive:%s" % out))
    assert info["Architecture"] == "arm64"
    r2 = build(spec, "oci:%s" % (tmp_path / "o"))
    assert r2.rc == 0, r2.describe()
    assert by_arch(json.loads(raw("oci:%s:latest" % (tmp_path / "o"))))["arm64"]["digest"] \
        == r.out.strip()
    r = build(spec, "oci:%s" % (tmp_path / "x"), "--platform", "linux/s390x")
    assert r.rc == 2 and "linux/amd64, linux/arm64" in r.err, r.describe()


def test_base_index_picks_each_platform(tmp_path, bins):
    spec = multi_project(tmp_path / "p", bins)
    base = tmp_path / "base"
    assert build(spec, "oci:%s:1" % base).rc == 0
    ms = by_arch(json.loads(raw("oci:%s:1" % base)))
    root = tmp_path / "q"
    root.mkdir()
    (root / "app.txt").write_text("app\n")
    (root / "hull-image.yaml").write_text(
        "base: oci:%s:1\nplatforms: [linux/arm64, linux/amd64]\nfiles:\n"
        "  - src: ./app.txt\n    dst: /app/app.txt\n" % base)
    r = build(root / "hull-image.yaml", "oci:%s:2" % (tmp_path / "out"))
    assert r.rc == 0, r.describe()
    index = json.loads(raw("oci:%s:2" % (tmp_path / "out")))
    assert [m["platform"]["architecture"] for m in index["manifests"]] == ["arm64", "amd64"]
    out = by_arch(index)
    for arch in ("amd64", "arm64"):
        with open(tmp_path / "out" / "blobs" / "sha256" / out[arch]["digest"][7:]) as f:
            layers = [l["digest"] for l in json.load(f)["layers"]]
        with open(base / "blobs" / "sha256" / ms[arch]["digest"][7:]) as f:
            want = [l["digest"] for l in json.load(f)["layers"]]
        assert layers[:len(want)] == want and len(layers) > len(want)
        cfg = json.loads(skopeo("--override-arch", arch, "inspect", "--config",
                                "oci:%s:2" % (tmp_path / "out")))
        assert cfg["architecture"] == arch
        assert cfg["config"]["Entrypoint"] == ["/usr/local/bin/hello"]
    # a single-manifest base serves only its own platform
    assert build(spec, "oci:%s:1" % (tmp_path / "base1"), "--platform", "linux/amd64").rc == 0
    (root / "hull-image.yaml").write_text(
        "base: oci:%s:1\nplatforms: [linux/amd64, linux/arm64]\nfiles:\n"
        "  - src: ./app.txt\n    dst: /app/app.txt\n" % (tmp_path / "base1"))
    r = build(root / "hull-image.yaml", "oci:%s:3" % (tmp_path / "out3"))
    assert r.rc == 2 and len(r.err_lines) == 1, r.describe()
    assert "platform linux/arm64: " in r.err and ":1:7: base oci:" in r.err
    assert "is linux/amd64, not linux/arm64" in r.err
    assert not (tmp_path / "out3").exists()


@pytest.mark.parametrize("spec,want", [
    (MULTI.replace("${ARCH}/hello", "${ARCHITECTURE}/hello"),
     ":4:10: files.src \"./dist/${ARCHITECTURE}/hello\": unknown variable"),
    (MULTI.replace("platforms:", "platform: linux/amd64\nplatforms:"),
     "give platform (one image) or platforms (an index), not both"),
    (MULTI.replace("linux/arm64]", "linux/amd64]"), ":2:26: platforms: \"linux/amd64\" is "
     "listed twice"),
    (MULTI.replace("linux/arm64]", "arm64]"), ":2:26: platforms \"arm64\": expected"),
    (MULTI.replace("[linux/amd64, linux/arm64]", "[linux/amd64, linux/riscv64]"),
     "files.src ./dist/${ARCH}/hello (./dist/riscv64/hello): No such file"),
    (MULTI + "debs:\n  - ./debs/${NOPE}/*.deb\n", ":11:5: debs \"./debs/${NOPE}/*.deb\": unknown"),
])
def test_multi_spec_errors(tmp_path, bins, spec, want):
    path = multi_project(tmp_path / "p", bins, spec)
    out = tmp_path / "out"
    r = build(path, "oci:%s:t" % out)
    assert r.rc == 2, r.describe()
    assert len(r.err_lines) == 1 and want in r.err, r.err
    assert not out.exists() and not glob.glob(str(out) + ".*")


def make_deb(path, package, arch):
    import io

    def tgz(items):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as t:
            for info, data in items:
                t.addfile(info, io.BytesIO(data))
        return buf.getvalue()

    ctl = ("Package: %s\nVersion: 1.0\nArchitecture: %s\nDescription: x\n"
           % (package, arch)).encode()
    ci = tarfile.TarInfo("./control")
    ci.size = len(ctl)
    fi = tarfile.TarInfo("./usr/share/%s/arch" % package)
    fi.size, fi.mode = len(arch) + 1, 0o644
    parts = [("debian-binary", b"2.0\n"), ("control.tar.gz", tgz([(ci, ctl)])),
             ("data.tar.gz", tgz([(fi, arch.encode() + b"\n")]))]
    out = b"!<arch>\n"
    for name, data in parts:
        out += ("%-16s%-12s%-6s%-6s%-8s%-10s`\n" % (name, 0, 0, 0, 100644, len(data))).encode()
        out += data + (b"\n" if len(data) % 2 else b"")
    path.write_bytes(out)


def test_debs_per_architecture(tmp_path, bins):
    """debs with ${DEBARCH}: each platform gets its own packages; a package of another
    architecture is refused."""
    root = tmp_path / "p"
    spec = multi_project(root, bins, MULTI.replace(
        "platforms: [linux/amd64, linux/arm64]",
        "platforms: [linux/amd64, linux/arm64, linux/arm/v7]") +
        "debs:\n  - ./debs/*_${DEBARCH}.deb\n  - ./debs/*_all.deb\n")
    (root / "dist" / "arm").mkdir()
    shutil.copy(bins / "arm64", root / "dist" / "arm" / "hello")
    (root / "etc" / "armhf.conf").write_text("arch=armhf\n")
    (root / "debs").mkdir()
    for arch in ("amd64", "arm64", "armhf", "all"):
        make_deb(root / "debs" / ("pkg-%s_1.0_%s.deb" % (arch, arch)), "pkg-" + arch, arch)
    out = tmp_path / "o"
    r = build(spec, "oci:%s:t" % out)
    assert r.rc == 0, r.describe()
    index = json.loads(raw("oci:%s:t" % out))
    assert index["manifests"][2]["platform"] == {"os": "linux", "architecture": "arm",
                                                 "variant": "v7"}
    for m in index["manifests"]:
        p = m["platform"]
        deb = {"amd64": "amd64", "arm64": "arm64", "arm": "armhf"}[p["architecture"]]
        rootfs = unpack_digest(str(out), m["digest"], tmp_path / ("b-" + deb))
        assert (rootfs / "usr/share/pkg-all/arch").read_text() == "all\n"
        assert (rootfs / ("usr/share/pkg-%s/arch" % deb)).read_text() == deb + "\n"
        others = {"amd64", "arm64", "armhf"} - {deb}
        assert not any((rootfs / ("usr/share/pkg-" + o)).exists() for o in others)
    # a package for another architecture than the image's
    make_deb(root / "debs" / "wrong_1.0_amd64.deb", "wrong", "arm64")
    r = build(spec, "oci:%s:t2" % out)
    assert r.rc == 2 and "is for architecture arm64, the image is linux/amd64" in r.err, \
        r.describe()


# ---------------------------------------------------------------- registry push

def registry_get(reg, path, accept=None):
    req = urllib.request.Request("http://%s/v2/%s" % (reg.host, path))
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read(), resp.headers.get("Content-Type")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), None


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    if not shutil.which("docker-registry"):
        pytest.skip("needs docker-registry")
    import test_registry as R
    reg = R.Registry(str(tmp_path_factory.mktemp("reg")))
    yield reg
    reg.stop()


def check_referrers(reg, repo, subject_digest, created):
    """The referrers tag of subject_digest lists an SPDX and a CycloneDX artifact whose
    blob is the schema-valid SBOM; returns the two SBOM documents."""
    import test_sbom as S
    st, body, ct = registry_get(reg, "%s/manifests/sha256-%s" % (repo, subject_digest[7:]),
                                INDEX)
    assert st == 200, body
    idx = json.loads(body)
    assert idx["mediaType"] == INDEX
    types = sorted(m["artifactType"] for m in idx["manifests"])
    assert types == ["application/spdx+json", "application/vnd.cyclonedx+json"]
    docs = {}
    for d in idx["manifests"]:
        assert d["mediaType"] == MANIFEST
        assert d["annotations"] == {"org.opencontainers.image.created": created}
        st, mbody, _ = registry_get(reg, "%s/manifests/%s" % (repo, d["digest"]), MANIFEST)
        assert st == 200 and "sha256:" + hashlib.sha256(mbody).hexdigest() == d["digest"]
        man = json.loads(mbody)
        assert man["artifactType"] == d["artifactType"]
        assert man["subject"]["digest"] == subject_digest
        assert man["subject"]["mediaType"] == MANIFEST
        assert man["config"] == {"mediaType": "application/vnd.oci.empty.v1+json",
                                 "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc"
                                           "21fe77e8310c060f61caaff8a", "size": 2}
        assert man["annotations"] == d["annotations"]
        (layer,) = man["layers"]
        assert layer["mediaType"] == d["artifactType"]
        st, blob, _ = registry_get(reg, "%s/blobs/%s" % (repo, layer["digest"]))
        assert st == 200 and len(blob) == layer["size"]
        doc = json.loads(blob)
        if d["artifactType"] == "application/spdx+json":
            S.validate_spdx(doc)
            assert layer["annotations"]["org.opencontainers.image.title"] == "sbom.spdx.json"
        else:
            S.validate_cyclonedx(doc)
        docs[d["artifactType"]] = blob
    return docs


def test_push_index_with_sbom_referrers(tmp_path, bins, registry):
    spec = multi_project(tmp_path / "p", bins)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": "1700000000"}
    ref = registry.ref("multi/hello:1")
    r = build(spec, "docker://" + ref, env=env)
    assert r.rc == 0, r.describe()
    digest = r.out.strip()
    text = raw("docker://" + ref, "--tls-verify=false")
    assert "sha256:" + hashlib.sha256(text.encode()).hexdigest() == digest
    ms = by_arch(json.loads(text))
    d = tmp_path / "pulled"
    skopeo("--override-arch", "arm64", "copy", "--src-tls-verify=false", "docker://" + ref,
           "dir:%s" % d)
    assert "sha256:" + hashlib.sha256((d / "manifest.json").read_bytes()).hexdigest() \
        == ms["arm64"]["digest"]
    # the same build to a layout: the same index, and the pushed SBOMs are the image's own
    r2 = build(spec, "oci:%s:t" % (tmp_path / "o"), env=env)
    assert r2.out == r.out
    for arch in ("amd64", "arm64"):
        docs = check_referrers(registry, "multi/hello", ms[arch]["digest"],
                               "2023-11-14T22:13:20Z")
        rootfs = unpack_digest(str(tmp_path / "o"), ms[arch]["digest"],
                               tmp_path / ("b-" + arch))
        assert docs["application/spdx+json"] == \
            (rootfs / "usr/share/hull/sbom.spdx.json").read_bytes()
        assert docs["application/vnd.cyclonedx+json"] == \
            (rootfs / "usr/share/hull/sbom.cdx.json").read_bytes()
    # pushing again does not list the artifacts twice
    r = build(spec, "docker://" + ref, env=env)
    assert r.rc == 0, r.describe()
    check_referrers(registry, "multi/hello", ms["amd64"]["digest"], "2023-11-14T22:13:20Z")


def test_push_single_and_no_referrer(tmp_path, bins, registry):
    spec = multi_project(tmp_path / "p", bins)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    ref = registry.ref("single/hello:1")
    r = build(spec, "docker://" + ref, "--platform", "linux/amd64", env=env)
    assert r.rc == 0, r.describe()
    check_referrers(registry, "single/hello", r.out.strip(), "1970-01-01T00:00:00Z")
    ref = registry.ref("none/hello:1")
    r = build(spec, "docker://" + ref, "--no-sbom-referrer", env=env)
    assert r.rc == 0, r.describe()
    for m in json.loads(raw("docker://" + ref, "--tls-verify=false"))["manifests"]:
        st, _, _ = registry_get(registry, "none/hello/manifests/sha256-" + m["digest"][7:],
                                INDEX)
        assert st == 404
