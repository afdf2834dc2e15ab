"""hull image/fs vulnerability matching (docs/vuln.md).

Real data: the Go vulndb and PyPA advisories imported with `hull db import`, matched
against Debian's own Go binaries and python3 dist-info directories; every finding, and
every one missed, is checked against an independent evaluation written here (the OSV
spec's algorithm with sorted events, packaging.version for PyPI, a SemVer compare for Go),
including the alias merge, primary id and fixed version rules.

Distro: Debian 12 fixtures in the real OSV shape against a real bookworm rootfs, checked
with `dpkg --compare-versions`; AlmaLinux 9's real advisories against rpm packages built
here, checked with rpm.labelCompare. Then the CLI contract: missing/stale DB, --exit-code,
--severity, --list-all-pkgs, JSON fields, SARIF validity."""
import functools
import glob
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile

import jsonschema
import pytest
import yaml

import hullfix as H
import imagebuild

try:
    from packaging.version import InvalidVersion, Version
except ImportError:  # pragma: no cover
    from pip._vendor.packaging.version import InvalidVersion, Version

VULNDATA = os.path.join(H.REPO, "..", "shared", "vulndata")
GO_OSV = os.path.join(VULNDATA, "go-vulndb", "data", "osv")
PYPA = os.path.join(VULNDATA, "pypa-advisory-database", "vulns")
ALMA9 = os.path.join(VULNDATA, "almalinux-osv-database", "advisories", "almalinux9")
SCHEMAS = os.path.join(H.REPO, "..", "shared", "schemas")
DIST = "/usr/lib/python3/dist-packages"
GO_BINARIES = ["/usr/bin/skopeo", "/usr/bin/umoci", "/usr/bin/docker-registry",
               "/usr/bin/gke-gcloud-auth-plugin", "/usr/bin/kpt"]


class Bad(Exception):
    """A version the comparator rejects."""


# --------------------------------------------------------------------------- oracles

def cmp_pypi(a, b):
    try:
        x, y = Version(a), Version(b)
    except InvalidVersion as e:
        raise Bad(str(e))
    return (x > y) - (x < y)


SEMVER_RE = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                       r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$")


def _semver_key(v):
    m = SEMVER_RE.match(v)
    if not m:
        raise Bad(v)
    pre = m.group(4)
    if pre:
        for ident in pre.split("."):
            if ident.isdigit() and len(ident) > 1 and ident[0] == "0":
                raise Bad(v)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))), pre


def cmp_semver(a, b):
    """SemVer 2.0 precedence (section 11); Go pseudo-versions are pre-releases."""
    (na, pa), (nb, pb) = _semver_key(a), _semver_key(b)
    if na != nb:
        return (na > nb) - (na < nb)
    if pa is None or pb is None:
        return (pa is None) - (pb is None)
    xa, xb = pa.split("."), pb.split(".")
    for i, j in zip(xa, xb):
        if i == j:
            continue
        if i.isdigit() and j.isdigit():
            return (int(i) > int(j)) - (int(i) < int(j))
        if i.isdigit() or j.isdigit():
            return -1 if i.isdigit() else 1
        return (i > j) - (i < j)
    return (len(xa) > len(xb)) - (len(xa) < len(xb))


@functools.lru_cache(maxsize=None)
def cmp_dpkg(a, b):
    for v in (a, b):
        if subprocess.run(["dpkg", "--validate-version", v], capture_output=True).returncode:
            raise Bad(v)
    if subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0:
        return -1
    return 0 if subprocess.run(["dpkg", "--compare-versions", a, "eq", b]).returncode == 0 else 1


def _evr(v):
    e, _, vr = v.rpartition(":") if ":" in v else ("0", "", v)
    ver, _, rel = vr.rpartition("-") if "-" in vr else (vr, "", "")
    return (e or "0", ver, rel)


def cmp_rpm(a, b):
    import rpm
    return rpm.labelCompare(_evr(a), _evr(b))


def range_result(v, events, cmp):
    """The OSV spec's IncludedInRanges for one range (events sorted, stable), plus the
    lowest fixed above v. Raises Bad when a version does not compare."""
    def key(e):
        return next(iter(e.values()))

    def order(x, y):
        vx, vy = key(x), key(y)
        zx = "introduced" in x and vx == "0"
        zy = "introduced" in y and vy == "0"
        if zx or zy:
            return (zy - zx) if not (zx and zy) else 0
        return cmp(vx, vy)
    evs = sorted(events, key=functools.cmp_to_key(order))
    limits = [e["limit"] for e in evs if "limit" in e]
    before = not limits or any(l == "*" or cmp(v, l) < 0 for l in limits)
    vuln = False
    for e in evs:
        if "introduced" in e and (e["introduced"] == "0" or cmp(v, e["introduced"]) >= 0):
            vuln = True
        elif "fixed" in e and cmp(v, e["fixed"]) >= 0:
            vuln = False
        elif "last_affected" in e and cmp(v, e["last_affected"]) > 0:
            vuln = False
    fixed = [e["fixed"] for e in evs if "fixed" in e and cmp(v, e["fixed"]) < 0]
    return before and vuln, (fixed[0] if fixed else None)


def lowest(vs, cmp):
    vs = [x for x in vs if x is not None]
    return min(vs, key=functools.cmp_to_key(cmp)) if vs else None


def affected_entry(v, aff, eco_cmp):
    """(affected, lowest fixed above v) for one OSV affected entry."""
    hit = v in (aff.get("versions") or [])
    fixes = []
    for r in aff.get("ranges") or []:
        cmp = {"ECOSYSTEM": eco_cmp, "SEMVER": cmp_semver}.get(r.get("type"))
        if not cmp:
            continue
        try:
            a, f = range_result(v, r["events"], cmp)
        except Bad:
            continue
        hit = hit or a
        fixes.append(f)
    return hit, (lowest(fixes, eco_cmp) if hit else None)


def primary_key(i):
    return (2 if i.startswith("CVE-") else 1 if i.startswith("GHSA-") else 0, i)


def expected_findings(pkgs, advisories, match_name, cmp_of):
    """pkgs: (name, version, lookup_name, lookup_version, path) tuples. Returns
    {(primary, aliases, name, version, path): fixed} after merging by alias."""
    index = {}
    for adv in advisories:
        if adv.get("withdrawn"):
            continue
        for aff in adv.get("affected") or []:
            p = aff.get("package") or {}
            index.setdefault((p.get("ecosystem"), match_name(p.get("ecosystem"), p.get("name"))),
                             []).append((adv, aff))
    out = {}
    for name, version, lname, lver, path, eco in pkgs:
        cmp = cmp_of(eco)
        hits = {}
        for adv, aff in index.get((eco, match_name(eco, lname)), []):
            a, f = affected_entry(lver, aff, cmp)
            if a:
                prev = hits.get(adv["id"], (adv, None))[1]
                hits[adv["id"]] = (adv, lowest([prev, f], cmp))
        # union by shared id/alias
        groups = []
        for aid, (adv, f) in sorted(hits.items()):
            names = {aid} | set(adv.get("aliases") or [])
            merged = [g for g in groups if g["names"] & names]
            g = {"names": set(names), "ids": {aid}, "fixed": [f]}
            for m in merged:
                g["names"] |= m["names"]
                g["ids"] |= m["ids"]
                g["fixed"] += m["fixed"]
                groups.remove(m)
            groups.append(g)
        for g in groups:
            pri = min(g["ids"], key=primary_key)
            fixed = [x for x in g["fixed"] if x]
            top = max(fixed, key=functools.cmp_to_key(cmp)) if fixed else None
            out[(pri, tuple(sorted(g["names"] - {pri})), name, version, path)] = top
    return out


def got_findings(report):
    return {(f["id"], tuple(f["aliases"]), f["package"]["name"], f["package"]["version"],
             f["package"]["path"]): f["fixed_version"]
            for f in report["findings"] if f["kind"] == "vulnerability"}


def load_osv_dir(path):
    out = []
    for dirpath, _, files in os.walk(path):
        for fn in files:
            full = os.path.join(dirpath, fn)
            if fn.endswith(".json"):
                with open(full) as f:
                    out.append(json.load(f))
            elif fn.endswith((".yaml", ".yml")):
                with open(full) as f:
                    out.append(yaml.safe_load(f))
    return out


def pep503(n):
    return re.sub(r"[-_.]+", "-", n).lower()


def scan(*args, ok=(0,)):
    r = H.hull(*args, timeout=300)
    assert r.rc in ok, r.describe()
    return r


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def real_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("vulndb") / "db.sqlite"
    r = H.hull("db", "import", "--db", db, GO_OSV, PYPA, timeout=600)
    assert r.rc == 0, r.describe()
    return db


@pytest.fixture(scope="module")
def real_tree(tmp_path_factory):
    """Debian's Go binaries and python3 dist-info directories, copied as they are, and the
    dist-info of Debian 12's python3-werkzeug (2.2.2, whose advisories carry CVSS vectors):
    what else a machine has installed varies, that one package does not."""
    root = tmp_path_factory.mktemp("realfs")
    (root / "usr/bin").mkdir(parents=True)
    for b in GO_BINARIES:
        if os.path.exists(b):
            shutil.copy(os.path.realpath(b), root / "usr/bin" / os.path.basename(b))
    dist = root / DIST.lstrip("/")
    dist.mkdir(parents=True)
    for d in glob.glob(os.path.join(DIST, "*.dist-info")):
        shutil.copytree(d, dist / os.path.basename(d))
    wz = dist / "Werkzeug-2.2.2.dist-info"
    if not glob.glob(str(dist / "[Ww]erkzeug-*.dist-info")):
        wz.mkdir()
        (wz / "METADATA").write_text("Metadata-Version: 2.1\nName: Werkzeug\nVersion: 2.2.2\n"
                                     "Summary: The comprehensive WSGI web application "
                                     "library.\n")
    return root


def go_deps(path):
    out = subprocess.run(["go", "version", "-m", str(path)], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    mods = {("stdlib", re.match(r".*: go([0-9.]+)", out[0]).group(1))}
    last = None
    for line in out[1:]:
        f = line.strip("\n").split("\t")
        if len(f) >= 4 and f[1] == "dep":
            last = (f[2], f[3])
            mods.add(last)
        elif len(f) >= 4 and f[1] == "=>" and last:
            mods.discard(last)
            mods.add((f[2], f[3]))
    return mods


@pytest.mark.skipif(not shutil.which("go"), reason="needs go (go version -m)")
def test_real_go_and_pypi_against_independent_evaluation(real_db, real_tree):
    r = scan("fs", "--db", real_db, "--scanners", "vuln", "--list-all-pkgs", "-f", "json",
             real_tree)
    rep = r.json()
    pkgs = [p for p in rep["packages"] if p["type"] in ("golang", "pypi")]
    # The inventory itself, against go version -m and the METADATA files.
    for b in (real_tree / "usr/bin").iterdir():
        have = {(p["name"], p["version"]) for p in pkgs if p["path"] == "/usr/bin/" + b.name}
        assert go_deps(b) <= have, b
    meta = set()
    for m in glob.glob(str(real_tree / DIST.lstrip("/") / "*.dist-info" / "METADATA")):
        with open(m, encoding="utf-8", errors="replace") as f:
            hdr = f.read().split("\n\n")[0]
        meta.add((re.search(r"^Name: (.*)$", hdr, re.M).group(1),
                  re.search(r"^Version: (.*)$", hdr, re.M).group(1)))
    assert {(p["name"], p["version"]) for p in pkgs if p["type"] == "pypi"} == meta
    advisories = load_osv_dir(GO_OSV) + load_osv_dir(PYPA)
    rows = []
    for p in pkgs:
        v = p["version"]
        if p["ecosystem"] == "Go" and v.startswith("v"):
            v = v[1:]
        rows.append((p["name"], p["version"], p["name"], v, p["path"], p["ecosystem"]))
    want = expected_findings(
        rows, advisories,
        match_name=lambda eco, n: pep503(n) if eco == "PyPI" and n else n,
        cmp_of=lambda eco: cmp_pypi if eco == "PyPI" else cmp_semver)
    got = got_findings(rep)
    assert len(want) > 100  # Debian's Go 1.19 toolchain alone has many
    assert set(got) == set(want), (sorted(set(got) - set(want))[:5],
                                   sorted(set(want) - set(got))[:5])
    assert got == want
    # Every finding carries what the JSON report promises.
    for f in rep["findings"]:
        assert f["severity"] in ("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN")
        assert f["title"] and f["message"] and f["path"] == f["package"]["path"]
        assert f["package"]["purl"].startswith(("pkg:golang/", "pkg:pypi/"))
        assert "layer" not in f  # a directory has no layers


def test_real_cvss_and_severity_from_the_db(real_db, real_tree):
    """Findings take severity and CVSS from the DB row of their primary advisory group."""
    rep = scan("fs", "--db", real_db, "--scanners", "vuln", "-f", "json", real_tree).json()
    con = sqlite3.connect(str(real_db))
    rows = {r[0]: r[1:] for r in con.execute(
        "SELECT id, severity, cvss_score, cvss_vector FROM advisories")}
    seen_cvss = 0
    rank = ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
    for f in rep["findings"]:
        ids = [f["id"]] + [a for a in f["aliases"] if a in rows]
        assert f["severity"] == max((rows[i][0] for i in ids), key=rank.index)
        if "cvss" in f:
            seen_cvss += 1
            assert (f["cvss"]["score"], f["cvss"]["vector"]) in \
                {(round(rows[i][1], 1), rows[i][2]) for i in ids}
    assert seen_cvss > 0


# --------------------------------------------------------------------------- Debian

def dpkg_rows(root):
    out = subprocess.run(
        ["dpkg-query", "--admindir", str(root / "var/lib/dpkg"), "-W", "-f",
         "${Package}\t${Version}\t${source:Package}\t${source:Version}\t${db:Status-Abbrev}\n"],
        capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines():
        n, v, sn, sv, st = line.split("\t")
        if st.startswith("ii"):
            rows.append((n, v, sn, sv))
    return rows


@pytest.fixture(scope="module")
def debian_root(tmp_path_factory):
    os.makedirs(H.TESTDATA, exist_ok=True)
    tar = imagebuild.ensure_debian_tar(H.TESTDATA)
    root = tmp_path_factory.mktemp("debroot")
    subprocess.run(["tar", "-C", str(root), "-xf", tar, "./var/lib/dpkg", "./etc/os-release",
                    "./usr/lib/os-release", "./etc/debian_version"], check=True)
    return root


def rng(*events):
    return [{"type": "ECOSYSTEM", "events": list(events)}]


def debian_advisories(rows):
    src = {}
    for n, v, sn, sv in rows:
        src.setdefault(sn, sv)
    for s in ("glibc", "util-linux", "zlib", "bash", "coreutils", "tar", "gzip", "apt",
              "dpkg", "sed", "grep"):
        assert s in src, s
    up = lambda s: src[s] + "+deb12u99"
    below = "0.1-1"

    def adv(id_, pkg, ranges=None, versions=None, eco="Debian:12", **kw):
        a = {"schema_version": "1.6.0", "id": id_, "modified": "2024-01-01T00:00:00Z",
             "summary": "%s in %s" % (id_, pkg),
             "affected": [{"package": {"ecosystem": eco, "name": pkg}}]}
        if ranges is not None:
            a["affected"][0]["ranges"] = ranges
        if versions is not None:
            a["affected"][0]["versions"] = versions
        a.update(kw)
        return a
    v3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    return [
        adv("DSA-9001-1", "glibc", rng({"introduced": "0"}, {"fixed": up("glibc")}),
            aliases=["CVE-2099-1001"], severity=[{"type": "CVSS_V3", "score": v3}]),
        adv("DEBIAN-CVE-2099-1001", "glibc", rng({"introduced": "0"}),
            aliases=["CVE-2099-1001"]),
        adv("DLA-9002-1", "glibc", rng({"introduced": "0"}, {"fixed": below})),
        adv("DSA-9003-1", "util-linux",
            rng({"introduced": "99:1.0"}) + rng({"introduced": "0"},
                                                {"last_affected": src["util-linux"]})),
        adv("DSA-9004-1", "zlib", rng({"introduced": "0"}, {"limit": src["zlib"]})),
        adv("DSA-9005-1", "bash", rng({"introduced": "0"}, {"limit": up("bash")})),
        adv("DSA-9006-1", "coreutils", [], versions=["0.9-1", src["coreutils"]]),
        adv("DSA-9007-1", "tar", rng({"introduced": "0"}), withdrawn="2024-02-01T00:00:00Z"),
        adv("DSA-9008-1", "gzip", rng({"introduced": "0"}, {"fixed": "1.0-"})),
        adv("DLA-9009-1", "libc6", rng({"introduced": "0"})),
        adv("DSA-9010-1", "glibc", rng({"introduced": "0"}), eco="Debian:11"),
        adv("DSA-9011-1", "apt", rng({"introduced": "0"}, {"fixed": up("apt")}),
            database_specific={"severity": "low"}),
        adv("DSA-9012-1", "dpkg", rng({"introduced": "1.0-1"}, {"fixed": up("dpkg")})),
        adv("DSA-9013-1", "sed", rng({"introduced": "99:1"}, {"fixed": "99:2"})),
        # grep: two ranges, the fix of the one that holds the version is reported.
        adv("DSA-9014-1", "grep", rng({"introduced": "0"}, {"fixed": below}) +
            rng({"introduced": "1.0-1"}, {"fixed": up("grep")}, {"introduced": "99:1"},
                {"fixed": "99:2"})),
    ]


@pytest.fixture(scope="module")
def debian_db(tmp_path_factory, debian_root):
    d = tmp_path_factory.mktemp("debdb")
    advs = debian_advisories(dpkg_rows(debian_root))
    for a in advs:
        if a["id"] == "DSA-9011-1":
            a["affected"][0]["ecosystem_specific"] = {"severity": "CRITICAL"}
        (d / (a["id"] + ".json")).write_text(json.dumps(a))
    db = d / "db.sqlite"
    r = H.hull("db", "import", "--db", db, d)
    assert r.rc == 0, r.describe()
    return db, advs


def test_debian_by_source_package(debian_root, debian_db):
    db, advs = debian_db
    r = scan("fs", "--db", db, "--scanners", "vuln", "-f", "json", debian_root)
    rep = r.json()
    rows = [(n, v, sn, sv, "/var/lib/dpkg/status", "Debian:12")
            for n, v, sn, sv in dpkg_rows(debian_root)]
    want = expected_findings(rows, advs, match_name=lambda e, n: n,                      cmp_of=lambda e: cmp_dpkg)
    got = got_findings(rep)
    assert got == want
    ids = {k[0] for k in got}
    assert ids == {"DEBIAN-CVE-2099-1001", "DSA-9003-1", "DSA-9005-1", "DSA-9006-1",
                   "DSA-9011-1", "DSA-9012-1", "DSA-9014-1"}
    by = {(f["id"], f["package"]["name"]): f for f in rep["findings"]}
    # The merged glibc finding: DEBIAN-CVE sorts before DSA; fixed from DSA; CVSS too.
    f = by[("DEBIAN-CVE-2099-1001", "libc6")]
    assert f["aliases"] == ["CVE-2099-1001", "DSA-9001-1"]
    assert f["fixed_version"].endswith("+deb12u99")
    assert f["cvss"] == {"score": 9.8,
                         "vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
    assert f["severity"] == "CRITICAL"
    assert f["package"]["source_name"] == "glibc"
    assert f["package"]["ecosystem"] == "Debian:12"
    assert ("DEBIAN-CVE-2099-1001", "libc-bin") in by
    # last_affected and limit: no fixed version.
    assert by[("DSA-9003-1", "util-linux")]["fixed_version"] is None
    # The per-package rating overrides the advisory's.
    assert by[("DSA-9011-1", "apt")]["severity"] == "CRITICAL"
    # The advisory version dpkg rejects: a counted note, never a match.
    assert "advisory range skipped" in r.err, r.err
    # Every binary of a matched source is reported.
    srcs = {sn for n, v, sn, sv in dpkg_rows(debian_root)}
    for n, v, sn, sv in dpkg_rows(debian_root):
        if sn == "glibc":
            assert ("DEBIAN-CVE-2099-1001", n) in by
    assert "glibc" in srcs


def test_debian_exit_code_severity_and_sarif(debian_root, debian_db, tmp_path):
    db, _ = debian_db
    base = ["fs", "--db", db, "--scanners", "vuln"]
    r = scan(*base, "--severity", "CRITICAL", "--exit-code", "5", "-f", "json", debian_root,
             ok=(5,))
    sev = {f["severity"] for f in json.loads(r.out)["findings"]}
    assert sev == {"CRITICAL"}
    r = scan(*base, "--severity", "MEDIUM", "--exit-code", "5", debian_root)
    assert "0 findings" in r.out
    out = tmp_path / "r.sarif"
    scan(*base, "-f", "sarif", "-o", out, debian_root)
    doc = json.loads(out.read_text())
    with open(os.path.join(SCHEMAS, "sarif-schema-2.1.0.json")) as f:
        jsonschema.Draft4Validator(json.load(f)).validate(doc)
    rules = {x["id"] for x in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert "DEBIAN-CVE-2099-1001" in rules
    # The table names package, installed and fixed versions.
    r = subprocess.run([H.HULL] + [str(a) for a in base] + [str(debian_root)],
                       capture_output=True, text=True, env=dict(os.environ, COLUMNS="250"))
    assert r.returncode == 0, r.stderr
    line = next(l for l in r.stdout.splitlines() if l.startswith("libc6 "))
    assert "+deb12u99" in line and "DEBIAN-CVE-2099-1001" in line and "CRITICAL" in line


def test_image_findings_name_the_layer(debian_root, debian_db, tmp_path):
    """In an image, a finding names the layer its package file came from."""
    db, _ = debian_db
    buf = tmp_path / "l.tar"
    with tarfile.open(buf, "w") as tf:
        tf.add(str(debian_root), arcname=".")
    layer = buf.read_bytes()
    other = H.make_tar([H.entry("app/x", data=b"x")])
    H.make_oci_layout(str(tmp_path / "L"), [(layer, "gzip"), (other, "gzip")])
    rep = scan("image", "--db", db, "--scanners", "vuln", "-f", "json",
               "oci:%s:latest" % (tmp_path / "L")).json()
    with open(tmp_path / "L" / "index.json") as f:
        man = json.load(f)["manifests"][0]["digest"]
    with open(tmp_path / "L" / "blobs" / "sha256" / man.split(":")[1]) as f:
        first = json.load(f)["layers"][0]["digest"]
    vulns = [f for f in rep["findings"] if f["kind"] == "vulnerability"]
    assert vulns and all(f["layer"] == first for f in vulns)


# --------------------------------------------------------------------------- AlmaLinux

SPEC = """Name: %(name)s
Version: %(version)s
Release: %(release)s
%(epoch)s
Summary: test
License: MIT
BuildArch: noarch
%%description
x
%%files
"""


@pytest.mark.skipif(not shutil.which("rpmbuild"), reason="needs rpmbuild")
def test_almalinux_binary_rpms_against_real_advisories(tmp_path):
    advs = load_osv_dir(ALMA9)
    # Real package names with several advisories each; versions below the fixes.
    pkgs = [("openssl", "1", "3.0.1", "1.el9"), ("openssl-libs", "1", "3.0.1", "1.el9"),
            ("curl", "", "7.76.1", "14.el9"), ("vim-minimal", "2", "8.2.2637", "1.el9"),
            ("qatzip", "", "1.0.9", "1.el9"), ("bind-libs", "32", "9.16.23", "5.el9")]
    top = tmp_path / "rpmbuild"
    for name, epoch, ver, rel in pkgs:
        sp = tmp_path / (name + ".spec")
        sp.write_text(SPEC % {"name": name, "version": ver, "release": rel,
                              "epoch": "Epoch: %s" % epoch if epoch else ""})
        subprocess.run(["rpmbuild", "--define", "_topdir %s" % top, "--define",
                        "_build_id_links none", "-bb", str(sp)], check=True,
                       capture_output=True)
    rpms = sorted(glob.glob(str(top / "RPMS" / "*" / "*.rpm")))
    root = tmp_path / "R"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text('ID="almalinux"\nVERSION_ID="9.4"\n'
                                         'NAME="AlmaLinux"\n')
    subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "-i", "--nodeps",
                    "--justdb", *rpms], check=True, capture_output=True)
    db = tmp_path / "db.sqlite"
    r = H.hull("db", "import", "--db", db, ALMA9)
    assert r.rc == 0, r.describe()
    rep = scan("fs", "--db", db, "--scanners", "vuln", "--list-all-pkgs", "-f", "json",
               root).json()
    got_pkgs = {(p["name"], p["version"]) for p in rep["packages"]}
    assert {(n, ("%s:" % e if e else "") + "%s-%s" % (v, rl)) for n, e, v, rl in pkgs} \
        == got_pkgs
    assert {p["ecosystem"] for p in rep["packages"]} == {"AlmaLinux:9"}
    rows = [(p["name"], p["version"], p["name"], p["version"], p["path"], "AlmaLinux:9")
            for p in rep["packages"]]
    want = expected_findings(rows, advs, match_name=lambda e, n: n,                      cmp_of=lambda e: cmp_rpm)
    got = got_findings(rep)
    assert got == want
    names = {k[2] for k in got}
    assert {"openssl", "openssl-libs", "curl", "vim-minimal", "bind-libs"} <= names
    # qatzip 1.0.9-1.el9 is the fixed version itself.
    assert "qatzip" not in names


@pytest.mark.skipif(not shutil.which("rpmbuild"), reason="needs rpmbuild")
def test_rhel_product_stream_ecosystems(tmp_path):
    """Red Hat's own OSV ecosystems name product streams: a RHEL 9 image takes the main
    streams of major 9 (appstream, baseos, crb), not EUS streams of a minor release or
    RHEL 8's; versions compared as rpm does (checked with rpm.labelCompare)."""
    pkgs = [("openssl-libs", "1", "3.0.1", "1.el9"), ("curl", "", "7.76.1", "14.el9"),
            ("vim-minimal", "2", "8.2.2637", "1.el9")]
    top = tmp_path / "rpmbuild"
    for name, epoch, ver, rel in pkgs:
        sp = tmp_path / (name + ".spec")
        sp.write_text(SPEC % {"name": name, "version": ver, "release": rel,
                              "epoch": "Epoch: %s" % epoch if epoch else ""})
        subprocess.run(["rpmbuild", "--define", "_topdir %s" % top, "--define",
                        "_build_id_links none", "-bb", str(sp)], check=True,
                       capture_output=True)
    root = tmp_path / "R"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text('ID="rhel"\nVERSION_ID="9.4"\nNAME="Red Hat"\n')
    subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "-i", "--nodeps",
                    "--justdb", *sorted(glob.glob(str(top / "RPMS" / "*" / "*.rpm")))],
                   check=True, capture_output=True)
    advs = tmp_path / "osv"
    advs.mkdir()

    def adv(id_, eco, name, fixed):
        (advs / (id_.replace(":", "_") + ".json")).write_text(json.dumps({
            "id": id_, "modified": "2024-01-01T00:00:00Z", "summary": id_ + " fix",
            "affected": [{"package": {"ecosystem": eco, "name": name},
                          "ranges": [{"type": "ECOSYSTEM",
                                      "events": [{"introduced": "0"}, {"fixed": fixed}]}]}]}))
    adv("RHSA-2024:0001", "Red Hat:enterprise_linux:9::appstream", "openssl-libs",
        "1:3.0.7-24.el9")
    adv("RHSA-2024:0002", "Red Hat:rhel_eus:9.2::baseos", "curl", "7.76.1-26.el9_2")
    adv("RHSA-2024:0003", "Red Hat:enterprise_linux:8::baseos", "curl", "7.76.1-30.el8")
    adv("RHSA-2024:0004", "Red Hat:enterprise_linux:9::baseos", "curl", "7.76.1-14.el9")
    adv("RHSA-2024:0005", "Red Hat:enterprise_linux:9::crb", "vim-minimal", "2:8.2.2637-21.el9")
    adv("RHSA-2024:0006", "Red Hat:9", "curl", "7.76.1-19.el9")
    db = tmp_path / "db.sqlite"
    r = H.hull("db", "import", "--db", db, advs)
    assert r.rc == 0, r.describe()
    rep = scan("fs", "--db", db, "--scanners", "vuln", "-f", "json", root).json()
    got = {(f["id"], f["package"]["name"], f["fixed_version"]) for f in rep["findings"]}
    assert got == {("RHSA-2024:0001", "openssl-libs", "1:3.0.7-24.el9"),
                   ("RHSA-2024:0005", "vim-minimal", "2:8.2.2637-21.el9"),
                   ("RHSA-2024:0006", "curl", "7.76.1-19.el9")}, got
    # the oracle agrees on every decision above
    assert cmp_rpm("1:3.0.1-1.el9", "1:3.0.7-24.el9") < 0
    assert cmp_rpm("7.76.1-14.el9", "7.76.1-14.el9") == 0
    assert cmp_rpm("2:8.2.2637-1.el9", "2:8.2.2637-21.el9") < 0


# --------------------------------------------------------------------------- the CLI

def test_missing_db(debian_root, tmp_path):
    missing = tmp_path / "none.sqlite"
    # Default scanners: one note, the other scanners still run.
    r = H.hull("fs", "--db", missing, "-f", "json", debian_root)
    assert r.rc == 0, r.describe()
    assert r.err_lines == ["hull: note: vulnerability DB not found at %s; run hull db update "
                           "(vuln scanner skipped)" % missing], r.err
    assert not [f for f in r.json()["findings"] if f["kind"] == "vulnerability"]
    # HULL_DB is the default path.
    env_r = subprocess.run([H.HULL, "fs", str(debian_root)], capture_output=True, text=True,
                           env=dict(os.environ, HULL_DB=str(missing)))
    assert env_r.returncode == 0 and str(missing) in env_r.stderr
    # Asked for explicitly: an error.
    r = H.hull("fs", "--db", missing, "--scanners", "vuln", debian_root)
    H.assert_input_error(r, missing)
    # Not a hull DB.
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not sqlite at all" * 100)
    r = H.hull("fs", "--db", junk, "--scanners", "vuln", debian_root)
    H.assert_input_error(r, junk)
    r = H.hull("fs", "--db", junk, debian_root)
    H.assert_input_error(r, junk)


def test_stale_db_warns(debian_root, debian_db, tmp_path):
    db, _ = debian_db
    old = tmp_path / "old.sqlite"
    shutil.copy(db, old)
    con = sqlite3.connect(str(old))
    con.execute("UPDATE meta SET value = '2020-01-01T00:00:00Z' WHERE key = 'built'")
    con.commit()
    con.close()
    base = ["fs", "--db", old, "--scanners", "vuln", "-f", "json"]
    r = scan(*base, debian_root)
    warn = [l for l in r.err_lines if l.startswith("hull: warning:")]
    assert len(warn) == 1 and str(old) in warn[0] and "days old" in warn[0], r.err
    assert r.json()["findings"]  # still matched
    r = scan(*base, "--db-max-age", "0", debian_root)
    assert not [l for l in r.err_lines if "days old" in l]
    r = scan(*base, "--db-max-age", "100000d", debian_root)
    assert not [l for l in r.err_lines if "days old" in l]
    r = scan("fs", "--db", db, "--scanners", "vuln", debian_root)
    assert "days old" not in r.err
    r = H.hull(*base, "--db-max-age", "soon", debian_root)
    assert r.rc == 2 and "--db-max-age" in r.err


def test_list_all_pkgs(debian_root, debian_db):
    db, _ = debian_db
    rep = scan("fs", "--db", db, "-f", "json", debian_root).json()
    assert "packages" not in rep
    rep = scan("fs", "--db", db, "--scanners", "secret", "--list-all-pkgs", "-f", "json",
               debian_root).json()
    names = {(p["name"], p["version"]) for p in rep["packages"]}
    assert names == {(n, v) for n, v, _, _ in dpkg_rows(debian_root)}
    for p in rep["packages"]:
        assert p["ecosystem"] == "Debian:12" and p["purl"].startswith("pkg:deb/debian/")
    # secret only: no vulnerability matching.
    assert not [f for f in rep["findings"] if f["kind"] == "vulnerability"]


def test_help_and_usage():
    r = H.hull("image", "--help")
    assert r.rc == 0 and "not built yet" not in r.out
    for opt in ("--db PATH", "--db-max-age", "--list-all-pkgs", "vuln,secret,misconfig"):
        assert opt in r.out
    r = H.hull("fs", "--help")
    assert r.rc == 0 and "not built yet" not in r.out
    r = H.hull("fs", "--scanners", "vulns", "/")
    assert r.rc == 2 and "unknown scanner" in r.err
