"""rpm cataloger: packages built with rpmbuild in the test, installed into a root with
`rpm --root`, compared with `rpm -qa` on the same database. Debian's rpm 4.18 writes the
SQLite backend; the Berkeley DB hash file is written by libdb's own db_load (both byte
orders, small and normal pages) from the same header blobs, and read back by rpm's
bdb_ro backend as the oracle. NDB is synthesised from the documented layout. Then hostile
databases: each gives a warning naming the file, and the rest of the scan goes on."""
import json
import os
import shutil
import sqlite3
import struct
import subprocess

import pytest

import hullfix as H

pytestmark = pytest.mark.skipif(not shutil.which("rpmbuild") or not shutil.which("db_load"),
                                reason="needs rpm (rpmbuild) and db-util (db_load)")

QF = ("%{NAME} %|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} %{ARCH} %{SOURCERPM} "
      "%{LICENSE}\\n")

SPECS = {
    "hello": """Name: hello
Version: 1.2.3
Release: 4
Epoch: 2
Summary: epoch and a sub-package
License: MIT
BuildArch: noarch
%description
x
%package -n hello-tools
Summary: sub
License: GPL-2.0-or-later
%description -n hello-tools
y
%install
mkdir -p %{buildroot}/usr/share/hello
echo a > %{buildroot}/usr/share/hello/a
echo b > %{buildroot}/usr/share/hello/b
%files
/usr/share/hello/a
%files -n hello-tools
/usr/share/hello/b
""",
    "zlib-ng": """Name: zlib-ng
Version: 2.1.0~rc1
Release: 1.el9_3
Summary: tilde and a dotted release
License: Zlib AND BSD-3-Clause
BuildArch: noarch
%description
x
%install
mkdir -p %{buildroot}/usr/share/zlib-ng
echo a > %{buildroot}/usr/share/zlib-ng/a
%files
/usr/share/zlib-ng/a
""",
    # Hundreds of long file names make a header of tens of KiB: multi-page overflow
    # chains in the Berkeley DB file.
    "big": """Name: big
Version: 0.9
Release: 7
Summary: a large header
License: Apache-2.0
BuildArch: noarch
%description
x
%install
mkdir -p %{buildroot}/usr/share/big
for i in $(seq 1 600); do echo $i > %{buildroot}/usr/share/big/file-with-a-rather-long-name-$i; done
%files
/usr/share/big
""",
}


def run(*cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    top = tmp_path_factory.mktemp("rpmbuild")
    rpms = []
    for name, spec in SPECS.items():
        sp = top / (name + ".spec")
        sp.write_text(spec)
        run("rpmbuild", "--define", "_topdir %s" % top, "--define", "_build_id_links none",
            "-bb", str(sp))
    for dirpath, _, files in os.walk(top / "RPMS"):
        rpms += [os.path.join(dirpath, f) for f in files if f.endswith(".rpm")]
    assert len(rpms) == 4, rpms
    root = top / "R"
    root.mkdir()
    run("rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "-i", "--nodeps",
        "--justdb", *sorted(rpms))
    return root


def rpm_qa(root, backend=None):
    cmd = ["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm"]
    if backend:
        cmd += ["--define", "_db_backend %s" % backend]
    out = run(*cmd, "-qa", "--qf", QF).stdout
    rows = []
    for line in out.splitlines():
        name, ver, arch, srpm, lic = line.split(" ", 4)
        rows.append((name, ver, arch, srpm, lic))
    return sorted(rows)


def srpm_of(p):
    """Rebuild "name-version-release.src.rpm" from hull's source fields."""
    v = p["source_version"].split(":", 1)[-1]
    return "%s-%s.src.rpm" % (p["source_name"], v)


def hull_rows(root, path=None):
    res = H.hull("sbom", "-f", "json", "rootfs:%s" % root)
    assert res.rc == 0, res.describe()
    assert not res.err_lines, res.describe()
    rows = []
    for p in res.json()["packages"]:
        assert p["type"] == "rpm" and p["ecosystem"] is None, p
        if path:
            assert p["path"] == path, p
        rows.append((p["name"], p["version"], p["arch"], srpm_of(p), p["licenses"]))
    return sorted(rows), res.json()["packages"]


def test_sqlite_equals_rpm_qa(built):
    want = rpm_qa(built)
    assert len(want) == 4
    got, pkgs = hull_rows(built, "/var/lib/rpm/rpmdb.sqlite")
    assert got == want
    hello = next(p for p in pkgs if p["name"] == "hello")
    assert hello["version"] == "2:1.2.3-4"
    assert hello["purl"] == "pkg:rpm/rpm/hello@1.2.3-4?arch=noarch&epoch=2"
    tools = next(p for p in pkgs if p["name"] == "hello-tools")
    assert (tools["source_name"], tools["source_version"]) == ("hello", "2:1.2.3-4")
    assert "upstream=hello" in tools["purl"]


def test_sysimage_path_and_os_release(built, tmp_path):
    root = tmp_path / "r"
    (root / "usr/lib/sysimage/rpm").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "etc/os-release").write_text('ID=almalinux\nVERSION_ID="9.4"\n')
    shutil.copy(built / "var/lib/rpm/rpmdb.sqlite", root / "usr/lib/sysimage/rpm")
    res = H.hull("sbom", "-f", "json", "rootfs:%s" % root)
    pkgs = res.json()["packages"]
    assert len(pkgs) == 4
    z = next(p for p in pkgs if p["name"] == "zlib-ng")
    assert z["ecosystem"] == "AlmaLinux:9"
    assert z["purl"] == ("pkg:rpm/almalinux/zlib-ng@2.1.0~rc1-1.el9_3?arch=noarch"
                         "&distro=almalinux-9.4")


def sqlite_blobs(root):
    db = sqlite3.connect(str(root / "var/lib/rpm/rpmdb.sqlite"))
    try:
        return db.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
    finally:
        db.close()


def write_bdb(path, blobs, pagesize=4096, big_endian=False):
    """A real Berkeley DB hash file, written by libdb's db_load: key = instance number
    (native 4-byte int), record 0 = the next instance number, as rpm writes it."""
    fmt = ">I" if big_endian else "<I"
    lines = ["VERSION=3", "format=bytevalue", "type=hash", "db_pagesize=%d" % pagesize,
             "HEADER=END", " " + struct.pack(fmt, 0).hex(),
             " " + struct.pack(fmt, len(blobs) + 1).hex()]
    for h, b in blobs:
        lines += [" " + struct.pack(fmt, h).hex(), " " + bytes(b).hex()]
    lines.append("DATA=END")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    dump = str(path) + ".dump"
    with open(dump, "w") as f:
        f.write("\n".join(lines) + "\n")
    cmd = ["db_load", "-f", dump]
    if big_endian:
        cmd += ["-c", "db_lorder=4321"]
    run(*cmd, str(path))
    os.unlink(dump)


@pytest.mark.parametrize("pagesize,big_endian", [(4096, False), (512, False), (1024, True)])
def test_bdb_equals_rpm_qa(built, tmp_path, pagesize, big_endian):
    root = tmp_path / "b"
    write_bdb(root / "var/lib/rpm/Packages", sqlite_blobs(built), pagesize, big_endian)
    want = rpm_qa(root, "bdb_ro")
    assert want == rpm_qa(built)
    got, _ = hull_rows(root, "/var/lib/rpm/Packages")
    assert got == want


def write_ndb(path, blobs):
    """NDB Packages.db (rpm lib/backend/ndb/rpmpkg.c): a 32-byte header, slot pages of
    16-byte slots {"Slot", pkgidx, blkoff, blkcnt}, blobs {"BlbS", pkgidx, gen, len} in
    16-byte blocks. The checksum and tail are not read by hull, so they stay zero."""
    slotpages = 1
    out = bytearray(4096 * slotpages)
    out[0:16] = b"RpmP" + struct.pack("<III", 0, 1, slotpages)
    slot_off, blk = 32, 4096 * slotpages // 16
    data = bytearray()
    for idx, (h, b) in enumerate(blobs, start=1):
        rec = b"BlbS" + struct.pack("<III", idx, 0, len(b)) + bytes(b)
        rec += b"\0" * (16 - len(rec) % 16 + 16)
        out[slot_off:slot_off + 16] = b"Slot" + struct.pack("<III", idx, blk, len(rec) // 16)
        slot_off += 16
        blk += len(rec) // 16
        data += rec
    while slot_off < 4096 * slotpages:
        out[slot_off:slot_off + 16] = b"Slot" + b"\0" * 12
        slot_off += 16
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(bytes(out + data))


def test_ndb(built, tmp_path):
    root = tmp_path / "n"
    write_ndb(root / "usr/lib/sysimage/rpm/Packages.db", sqlite_blobs(built))
    got, _ = hull_rows(root, "/usr/lib/sysimage/rpm/Packages.db")
    assert got == rpm_qa(built)


# --------------------------------------------------------------------------- hostile input

def bdb_pages(data):
    pagesize = struct.unpack_from("<I", data, 20)[0]
    return pagesize, [data[i:i + pagesize] for i in range(0, len(data), pagesize)]


def offpage_items(data):
    """(file offset of each H_OFFPAGE item, its first overflow page) of a LE hash file."""
    pagesize, pages = bdb_pages(data)
    out = []
    for no, pg in enumerate(pages):
        if no == 0 or len(pg) < 26 or pg[25] != 13:
            continue
        n = struct.unpack_from("<H", pg, 20)[0]
        for i in range(1, n, 2):
            off = struct.unpack_from("<H", pg, 26 + 2 * i)[0]
            if pg[off] == 3:
                out.append((no * pagesize + off, struct.unpack_from("<I", pg, off + 4)[0]))
    return pagesize, out


def scan_with_bad(tmp_path, rel, data):
    """A root with the hostile database at rel plus a good Python package: the scan must
    warn about rel only, still list the Python package, and finish quickly."""
    root = tmp_path / "h"
    p = root / rel.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    meta = root / "usr/lib/python3/dist-packages/good-1.0.dist-info/METADATA"
    meta.parent.mkdir(parents=True)
    meta.write_text("Metadata-Version: 2.1\nName: good\nVersion: 1.0\n")
    res = H.hull("sbom", "-f", "json", "rootfs:%s" % root, timeout=60)
    assert res.rc == 0, res.describe()
    warns = [l for l in res.err_lines if l.startswith("hull: warning:")]
    assert warns and all(rel in w for w in warns), res.describe()
    assert len(res.err_lines) == len(warns), res.describe()
    pkgs = res.json()["packages"]
    assert any(x["name"] == "good" for x in pkgs), res.describe()
    return [x for x in pkgs if x["type"] == "rpm"], warns


@pytest.fixture(scope="module")
def bdb512(built, tmp_path_factory):
    path = tmp_path_factory.mktemp("bdb") / "Packages"
    write_bdb(path, sqlite_blobs(built), 512)
    return path.read_bytes()


def test_bdb_overflow_page_past_the_file(tmp_path, bdb512):
    data = bytearray(bdb512)
    _, items = offpage_items(data)
    assert items
    off, _ = items[0]
    struct.pack_into("<I", data, off + 4, 0x7fffffff)
    rpms, warns = scan_with_bad(tmp_path, "/var/lib/rpm/Packages", bytes(data))
    assert any("past the file" in w for w in warns)
    assert len(rpms) == 3  # the other packages are still read


def test_bdb_cyclic_overflow_chain(tmp_path, bdb512):
    data = bytearray(bdb512)
    pagesize, items = offpage_items(data)
    first = max(items, key=lambda it: it[1])[1]
    # The chain's second page points back to its first.
    nxt = struct.unpack_from("<I", data, first * pagesize + 16)[0]
    assert nxt
    struct.pack_into("<I", data, nxt * pagesize + 16, first)
    rpms, warns = scan_with_bad(tmp_path, "/var/lib/rpm/Packages", bytes(data))
    assert any("cyclic" in w or "overflow" in w for w in warns), warns
    assert len(rpms) <= 3


def test_bdb_truncated(tmp_path, bdb512):
    rpms, warns = scan_with_bad(tmp_path, "/var/lib/rpm/Packages", bdb512[:len(bdb512) // 2])
    assert any(k in w for w in warns for k in ("truncated", "past the file", "larger than")), warns


def test_bdb_garbage_header(tmp_path):
    data = bytearray(4096)
    struct.pack_into("<I", data, 12, 0x061561)
    struct.pack_into("<I", data, 20, 12345)
    scan_with_bad(tmp_path, "/var/lib/rpm/Packages", bytes(data))


def test_sqlite_not_an_rpmdb(tmp_path):
    db = tmp_path / "x.sqlite"
    c = sqlite3.connect(str(db))
    c.execute("CREATE TABLE Other (a, b)")
    c.commit()
    c.close()
    _, warns = scan_with_bad(tmp_path, "/var/lib/rpm/rpmdb.sqlite", db.read_bytes())
    assert any("not an rpm database" in w for w in warns)


def test_sqlite_truncated(built, tmp_path):
    data = (built / "var/lib/rpm/rpmdb.sqlite").read_bytes()
    scan_with_bad(tmp_path, "/var/lib/rpm/rpmdb.sqlite", data[:len(data) // 3])


def test_header_index_past_blob(built, tmp_path):
    src = tmp_path / "copy.sqlite"
    shutil.copy(built / "var/lib/rpm/rpmdb.sqlite", src)
    c = sqlite3.connect(str(src))
    c.execute("PRAGMA journal_mode=DELETE")
    rows = c.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
    bad = bytearray(rows[0][1])
    # Entry 1 (NAME, usually) points far past the data store; entry count overflows too.
    struct.pack_into(">I", bad, 8 + 16 + 8, 0x7ffffff0)
    c.execute("UPDATE Packages SET blob=? WHERE hnum=?", (bytes(bad), rows[0][0]))
    huge = bytearray(rows[1][1])
    struct.pack_into(">I", huge, 0, 0xffffffff)
    c.execute("UPDATE Packages SET blob=? WHERE hnum=?", (bytes(huge), rows[1][0]))
    c.commit()
    c.close()
    rpms, warns = scan_with_bad(tmp_path, "/var/lib/rpm/rpmdb.sqlite", src.read_bytes())
    assert len(rpms) >= 2
    assert any("could not be read" in w for w in warns), warns


def test_ndb_blob_past_the_file(built, tmp_path):
    p = tmp_path / "ndb"
    write_ndb(p, sqlite_blobs(built))
    data = bytearray(p.read_bytes())
    struct.pack_into("<I", data, 32 + 8, 0x0fffffff)  # first slot's block offset
    rpms, warns = scan_with_bad(tmp_path, "/var/lib/rpm/Packages.db", bytes(data))
    assert len(rpms) == 3
    assert any("past the file" in w for w in warns)


def test_unknown_format(tmp_path):
    _, warns = scan_with_bad(tmp_path, "/var/lib/rpm/Packages", b"\0" * 100)
    assert any("not an rpm database" in w for w in warns)
