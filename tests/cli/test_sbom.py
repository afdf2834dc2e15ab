"""hull sbom: the dpkg/apk inventory against dpkg-query, visibility in the merged view,
and CycloneDX 1.6 / SPDX 2.3 output validated against the official schemas."""
import json
import os
import re
import subprocess
import tarfile

import jsonschema
import pytest

import hullfix as H
import imagebuild

SCHEMAS = os.path.join(H.REPO, "..", "shared", "schemas")


def load_schema(name):
    with open(os.path.join(SCHEMAS, name)) as f:
        return json.load(f)


def validate_cyclonedx(doc):
    bom = load_schema("cyclonedx-bom-1.6.schema.json")
    store = {}
    for name in ("cyclonedx-spdx.schema.json", "cyclonedx-jsf-0.82.schema.json"):
        s = load_schema(name)
        store[s["$id"]] = s
    resolver = jsonschema.RefResolver.from_schema(bom, store=store)
    jsonschema.Draft7Validator(bom, resolver=resolver,
                               format_checker=jsonschema.FormatChecker()).validate(doc)


def validate_spdx(doc):
    schema = load_schema("spdx-2.3-schema.json")
    jsonschema.Draft201909Validator(schema).validate(doc)


@pytest.fixture(scope="session")
def debian_tar():
    os.makedirs(H.TESTDATA, exist_ok=True)
    return imagebuild.ensure_debian_tar(H.TESTDATA)


@pytest.fixture(scope="session")
def debian_image(debian_tar, tmp_path_factory):
    """A one-layer OCI image of the real Debian minbase rootfs."""
    d = tmp_path_factory.mktemp("debimg")
    with open(debian_tar, "rb") as f:
        layer = f.read()
    layout = str(d / "L")
    make_layout(layout, [layer])
    return "oci:%s:deb" % layout


def make_layout(layout, layers, extra_history=None):
    """Minimal OCI layout writer (gzip layers) for this file's own images."""
    import gzip
    import hashlib
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)

    def put(data):
        dg = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, dg), "wb") as f:
            f.write(data)
        return "sha256:" + dg, len(data)

    descs, diff_ids = [], []
    for raw in layers:
        gz = gzip.compress(raw, compresslevel=1, mtime=0)
        dg, size = put(gz)
        descs.append({"mediaType": H.LAYER_MEDIA["gzip"], "digest": dg, "size": size})
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "created": "2024-05-01T12:00:00Z",
                      "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    cdg, csize = put(cfg)
    man = json.dumps({"schemaVersion": 2, "mediaType": H.OCI_MANIFEST,
                      "config": {"mediaType": H.OCI_CONFIG, "digest": cdg, "size": csize},
                      "layers": descs}).encode()
    mdg, msize = put(man)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [
            {"mediaType": H.OCI_MANIFEST, "digest": mdg, "size": msize,
             "annotations": {"org.opencontainers.image.ref.name": "deb"}}]}, f)
    return mdg


def tar_of(files):
    """files: {path: bytes or None (a whiteout is just an empty file named .wh.x)}"""
    import io
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for path, data in files.items():
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            ti.mtime = H.MTIME
            t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def dpkg_oracle(debian_tar, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    subprocess.run(["tar", "-C", str(root), "-xf", debian_tar, "./var/lib/dpkg"], check=True)
    out = subprocess.run(["dpkg-query", "--admindir=%s/var/lib/dpkg" % root, "-W", "-f",
                          "${db:Status-Status} ${Package} ${Version} ${source:Package} "
                          "${source:Version} ${Architecture}\n"],
                         check=True, capture_output=True, text=True).stdout
    rows = set()
    for line in out.splitlines():
        st, name, ver, src, srcver, arch = line.split(" ")
        if st in ("not-installed", "config-files"):
            continue
        rows.add((name, ver, src, srcver, arch))
    return rows


def inventory(source, *extra):
    r = H.hull("sbom", "-f", "json", *extra, source)
    assert r.rc == 0, r.describe()
    return r.json()


def test_dpkg_equals_dpkg_query(debian_tar, debian_image, tmp_path):
    want = dpkg_oracle(debian_tar, tmp_path)
    assert len(want) > 80
    inv = inventory(debian_image)
    got = {(p["name"], p["version"], p["source_name"], p["source_version"], p["arch"])
           for p in inv["packages"] if p["type"] == "deb"}
    assert got == want
    assert inv["artifact"]["os"]["family"] == "debian"
    assert inv["artifact"]["os"]["version"].startswith("12")
    for p in inv["packages"]:
        assert p["path"] == "/var/lib/dpkg/status"
        assert p["layer"] == 0
        assert p["ecosystem"] == "Debian:12"
        assert p["purl"].startswith("pkg:deb/debian/%s@" % p["name"])
        assert "distro=debian-12" in p["purl"]


def test_dpkg_with_extra_packages(tmp_path):
    """Debian with python3, nodejs and openjdk (about 200 packages): equal to dpkg-query."""
    os.makedirs(H.TESTDATA, exist_ok=True)
    langs = H.ensure_langs_tar()
    want = dpkg_oracle(langs, tmp_path)
    assert len(want) > 150
    root = tmp_path / "rootfs"
    root.mkdir()
    subprocess.run(["tar", "-C", str(root), "-xf", langs, "./var/lib/dpkg", "./etc/os-release",
                    "./usr/lib/os-release", "./etc/debian_version"], check=True)
    inv = inventory("rootfs:%s" % root)
    got = {(p["name"], p["version"], p["source_name"], p["source_version"], p["arch"])
           for p in inv["packages"] if p["type"] == "deb"}
    assert got == want
    assert {"python3", "nodejs", "openjdk-17-jre-headless"} <= {g[0] for g in got}


def test_epoch_and_upstream_in_purl(debian_image):
    inv = inventory(debian_image)
    by = {p["name"]: p for p in inv["packages"]}
    # bsdutils has an epoch ("1:2.38…") and comes from the util-linux source package.
    p = by["bsdutils"]
    assert p["version"].startswith("1:")
    assert p["source_name"] == "util-linux"
    assert re.match(r"pkg:deb/debian/bsdutils@1:2\.38[^?]*\?arch=amd64&upstream=util-linux", p["purl"]), p["purl"]


def test_directory_source_equals_image(debian_tar, debian_image, tmp_path):
    root = tmp_path / "rootfs"
    root.mkdir()
    subprocess.run(["tar", "-C", str(root), "-xf", debian_tar, "./var/lib/dpkg",
                    "./etc/os-release", "./usr/lib/os-release", "./etc/debian_version"],
                   check=True)
    a = inventory("rootfs:%s" % root)
    b = inventory(debian_image)
    strip = lambda inv: [(p["name"], p["version"], p["purl"]) for p in inv["packages"]]
    assert strip(a) == strip(b)
    assert a["artifact"]["type"] == "directory"


STATUS = (b"Package: foo\nStatus: install ok installed\nVersion: 1:2.0-1\nArchitecture: amd64\n"
          b"Source: foo-src (2.0-0.1)\nDescription: x\n multi\n .\n line\n\n"
          b"Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n\n"
          b"Package: bar\nStatus: install ok installed\nVersion: 3\nArchitecture: all\n")


def test_upper_layer_hides_and_replaces(tmp_path):
    osr = b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
    l0 = tar_of({"etc/os-release": osr, "var/lib/dpkg/status": STATUS})
    l1 = tar_of({"var/lib/dpkg/status": STATUS.replace(b"Version: 3\n", b"Version: 4\n")})
    l2 = tar_of({"var/lib/dpkg/.wh.status": b""})
    lay = str(tmp_path / "a")
    make_layout(lay, [l0, l1])
    inv = inventory("oci:%s" % lay)
    got = {(p["name"], p["version"], p["layer"]) for p in inv["packages"]}
    assert got == {("foo", "1:2.0-1", 1), ("bar", "4", 1)}
    foo = [p for p in inv["packages"] if p["name"] == "foo"][0]
    assert foo["source_name"] == "foo-src" and foo["source_version"] == "2.0-0.1"
    lay2 = str(tmp_path / "b")
    make_layout(lay2, [l0, l1, l2])
    assert inventory("oci:%s" % lay2)["packages"] == []


def test_distroless_status_d(tmp_path):
    root = tmp_path / "r"
    (root / "var/lib/dpkg/status.d").mkdir(parents=True)
    (root / "var/lib/dpkg/status.d/libc6").write_bytes(
        b"Package: libc6\nVersion: 2.36-9+deb12u4\nArchitecture: amd64\nSource: glibc\n")
    (root / "var/lib/dpkg/status.d/libc6.md5sums").write_bytes(b"abc  lib/x\n")
    (root / "etc").mkdir()
    (root / "etc/os-release").write_bytes(b"ID=debian\nVERSION_ID=\"12\"\n")
    inv = inventory("rootfs:%s" % root)
    assert [(p["name"], p["version"], p["source_name"]) for p in inv["packages"]] == \
        [("libc6", "2.36-9+deb12u4", "glibc")]


def copyright_licenses(text):
    """An independent reading of a Debian copyright file: License: lines (split on
    or/and, exceptions after "with" dropped) and /usr/share/common-licenses/NAME."""
    out = []
    for line in text.splitlines():
        if line[:8].lower() == "license:":
            skip = False
            for w in re.split(r"[\s,()]+", line[8:]):
                if w.lower() in ("or", "and"):
                    skip = False
                elif w.lower() == "with":
                    skip = True
                elif w and not skip and re.fullmatch(r"[A-Za-z0-9.+_-]+", w):
                    w = w.rstrip(".,")
                    if w and w not in out:
                        out.append(w)
        else:
            for m in re.finditer(r"/usr/share/common-licenses/([A-Za-z0-9.+_-]*)", line):
                w = m.group(1).rstrip(".,")
                if w and w not in out:
                    out.append(w)
    return ", ".join(out) or None


def test_dpkg_licenses_from_copyright(debian_tar, debian_image, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    subprocess.run(["tar", "-C", str(root), "-xf", debian_tar, "./usr/share/doc"], check=True)
    inv = inventory(debian_image)
    debs = [p for p in inv["packages"] if p["type"] == "deb"]
    checked = 0
    for p in debs:
        f = root / "usr/share/doc" / p["name"] / "copyright"
        # symlinked doc directories point inside the image: resolve them there
        d = root / "usr/share/doc" / p["name"]
        if d.is_symlink():
            f = root / "usr/share/doc" / os.readlink(d) / "copyright"
        want = copyright_licenses(f.read_text(errors="replace")) if f.exists() else None
        assert p.get("licenses") == want, p["name"]
        checked += want is not None
    assert checked > 80
    bash = [p for p in debs if p["name"] == "bash"][0]
    assert bash["licenses"].startswith("GPL-3+")


def test_dpkg_licenses_forms(tmp_path):
    root = tmp_path / "r"
    (root / "var/lib/dpkg/status.d").mkdir(parents=True)
    (root / "var/lib/dpkg/status.d/libfoo1").write_bytes(
        b"Package: libfoo1\nVersion: 1.0-1\nArchitecture: amd64\n")
    (root / "var/lib/dpkg/status.d/libfoo-dev").write_bytes(
        b"Package: libfoo-dev\nVersion: 1.0-1\nArchitecture: amd64\nSource: libfoo\n")
    (root / "var/lib/dpkg/status.d/bare").write_bytes(
        b"Package: bare\nVersion: 2\nArchitecture: all\n")
    doc = root / "usr/share/doc"
    (doc / "libfoo1").mkdir(parents=True)
    (doc / "libfoo1/copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
        "Files: *\nLicense: GPL-2+ or Artistic-1.0, and MIT\n\n"
        "Files: lib/*\nLicense: GPL-3+ with OpenSSL exception\n"
        " On Debian systems see /usr/share/common-licenses/GPL-3.\n")
    os.symlink("libfoo1", doc / "libfoo-dev")
    (doc / "bare").mkdir()
    (doc / "bare/copyright").write_text("No licence named here.\n")
    (root / "etc").mkdir()
    (root / "etc/os-release").write_bytes(b"ID=debian\nVERSION_ID=\"12\"\n")
    inv = inventory("rootfs:%s" % root)
    got = {p["name"]: p.get("licenses") for p in inv["packages"]}
    assert got == {"libfoo1": "GPL-2+, Artistic-1.0, MIT, GPL-3+, GPL-3",
                   "libfoo-dev": "GPL-2+, Artistic-1.0, MIT, GPL-3+, GPL-3",
                   "bare": None}


APK_DB = b"""C:Q1abc=
P:musl
V:1.2.5-r0
A:x86_64
S:411000
L:MIT
o:musl
m:Natanael Copa

C:Q1def=
P:libcrypto3
V:3.3.1-r3
A:x86_64
L:Apache-2.0
o:openssl

P:busybox
V:1.36.1-r29
A:x86_64
o:busybox
"""


def test_apk_installed(tmp_path):
    root = tmp_path / "r"
    (root / "lib/apk/db").mkdir(parents=True)
    (root / "lib/apk/db/installed").write_bytes(APK_DB)
    (root / "etc").mkdir()
    (root / "etc/alpine-release").write_bytes(b"3.20.1\n")
    (root / "etc/os-release").write_bytes(b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.1\n')
    inv = inventory("rootfs:%s" % root)
    by = {p["name"]: p for p in inv["packages"]}
    assert set(by) == {"musl", "libcrypto3", "busybox"}
    assert by["libcrypto3"]["source_name"] == "openssl"
    assert by["libcrypto3"]["licenses"] == "Apache-2.0"
    assert by["musl"]["ecosystem"] == "Alpine:v3.20"
    assert by["libcrypto3"]["purl"] == \
        "pkg:apk/alpine/libcrypto3@3.3.1-r3?arch=x86_64&upstream=openssl&distro=alpine-3.20.1"


def test_hostile_status_files(tmp_path):
    root = tmp_path / "r"
    (root / "var/lib/dpkg").mkdir(parents=True)
    huge = b"Package: big\nStatus: install ok installed\nVersion: 1\nDescription: " + \
        b"x" * (10 << 20) + b"\n\nPackage: nover\nStatus: install ok installed\n\n" + \
        b"Package: ok\nStatus: install ok installed\nVersion: 2"  # no final newline
    (root / "var/lib/dpkg/status").write_bytes(huge)
    r = H.hull("sbom", "-f", "json", "rootfs:%s" % root)
    assert r.rc == 0, r.describe()
    names = [(p["name"], p["version"]) for p in r.json()["packages"]]
    assert names == [("big", "1"), ("ok", "2")]
    assert "nover" in r.err and "has no Version" in r.err


def test_cyclonedx_validates_and_is_reproducible(debian_image):
    r1 = H.hull("sbom", debian_image)
    r2 = H.hull("sbom", "--format", "cyclonedx", debian_image)
    assert r1.rc == 0 and r2.rc == 0, r1.describe()
    assert r1.out == r2.out
    doc = json.loads(r1.out)
    validate_cyclonedx(doc)
    assert doc["specVersion"] == "1.6"
    assert re.match(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                    doc["serialNumber"])
    root = doc["metadata"]["component"]
    assert root["type"] == "container"
    comps = doc["components"]
    oses = [c for c in comps if c["type"] == "operating-system"]
    assert len(oses) == 1 and oses[0]["name"] == "debian"
    libs = [c for c in comps if c["type"] == "library"]
    assert len(libs) > 80
    refs = {c["bom-ref"] for c in comps} | {root["bom-ref"]}
    assert len(refs) == len(comps) + 1
    deps = {d["ref"]: d["dependsOn"] for d in doc["dependencies"]}
    assert deps[root["bom-ref"]] == [oses[0]["bom-ref"]]
    assert sorted(deps[oses[0]["bom-ref"]]) == sorted(c["bom-ref"] for c in libs)
    for d in doc["dependencies"]:
        assert d["ref"] in refs and set(d["dependsOn"]) <= refs
    r3 = H.hull("sbom", "--timestamp", debian_image)
    d3 = json.loads(r3.out)
    validate_cyclonedx(d3)
    assert d3["serialNumber"] != doc["serialNumber"]


def test_spdx_validates(debian_image, tmp_path):
    out = tmp_path / "sbom.spdx.json"
    r = H.hull("sbom", "-f", "spdx-json", "-o", out, debian_image)
    assert r.rc == 0 and r.out == "", r.describe()
    doc = json.loads(out.read_text())
    validate_spdx(doc)
    ids = [p["SPDXID"] for p in doc["packages"]]
    assert len(ids) == len(set(ids))
    rel = doc["relationships"]
    assert {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
            "relatedSpdxElement": "SPDXRef-Image"} in rel
    contained = {x["relatedSpdxElement"] for x in rel if x["relationshipType"] == "CONTAINS"}
    assert contained == set(ids) - {"SPDXRef-Image"}
    purls = [r["referenceLocator"] for p in doc["packages"] for r in p.get("externalRefs", [])]
    assert any(p.startswith("pkg:deb/debian/bash@") for p in purls)
    again = H.hull("sbom", "-f", "spdx-json", debian_image)
    assert again.out == out.read_text()


def test_sbom_usage_errors(debian_image):
    r = H.hull("sbom", "-f", "xml", debian_image)
    assert r.rc == 2 and r.err.startswith("hull: error:") and r.out == ""
    r = H.hull("sbom")
    assert r.rc == 2
    r = H.hull("sbom", "/nonexistent/image.tar")
    assert r.rc == 2 and "/nonexistent/image.tar" in r.err
