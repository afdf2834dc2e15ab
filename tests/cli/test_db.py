"""hull db import|update|info: the OSV vulnerability database, built from the real advisory
data in ../shared/vulndata and checked against counts made here independently, plus hostile
inputs, atomic replacement under kill -9, and updates over file:// and a local HTTP server."""
import collections
import glob
import hashlib
import http.server
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
import zipfile

import pytest
import yaml

import hullfix as H

VULNDATA = os.path.abspath(os.path.join(H.REPO, "..", "shared", "vulndata"))
GO = os.path.join(VULNDATA, "go-vulndb", "data", "osv")
PYPA = os.path.join(VULNDATA, "pypa-advisory-database", "vulns")
ALMA9 = os.path.join(VULNDATA, "almalinux-osv-database", "advisories", "almalinux9")

needs_data = pytest.mark.skipif(not os.path.isdir(GO), reason="shared vulndata not staged")


def run(*args, env=None, timeout=600):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([H.HULL] + [str(a) for a in args], capture_output=True,
                       timeout=timeout, env=e)
    return H.Result([str(a) for a in args], p.returncode, p.stdout.decode(), p.stderr.decode())


def q(db, sql, *params):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def file_digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_osv(path):
    with open(path, "rb") as f:
        if path.endswith((".yaml", ".yml")):
            return yaml.safe_load(f)
        return json.load(f)


def osv_files(root):
    out = []
    for dirpath, _, names in os.walk(root):
        out += [os.path.join(dirpath, n) for n in names
                if n.endswith((".json", ".yaml", ".yml"))]
    return sorted(out)


def expected_counts(paths):
    """Independent counts: advisories, affected rows per ecosystem, (id, alias) pairs."""
    ids, eco, aliases = set(), collections.Counter(), set()
    for p in paths:
        d = load_osv(p)
        ids.add(d["id"])
        for a in d.get("aliases") or []:
            aliases.add((d["id"], a))
        for a in d.get("affected") or []:
            if a.get("package"):
                eco[a["package"]["ecosystem"]] += 1
    return ids, eco, aliases


def db_counts(db):
    ids = {r[0] for r in q(db, "SELECT id FROM advisories")}
    eco = collections.Counter(dict(q(db, "SELECT ecosystem, COUNT(*) FROM affected "
                                         "GROUP BY ecosystem")))
    aliases = set(q(db, "SELECT advisory, alias FROM aliases"))
    return ids, eco, aliases


def no_temp_files(dirpath):
    return [n for n in os.listdir(dirpath) if ".hull-tmp-" in n or ".part-" in n]


# --------------------------------------------------------------------------- real data

@pytest.fixture(scope="module")
def realdb(tmp_path_factory):
    db = tmp_path_factory.mktemp("realdb") / "db.sqlite"
    res = run("db", "import", "--db", db, GO, PYPA, ALMA9)
    assert res.rc == 0, res.describe()
    return db, res


@needs_data
def test_real_data_counts_match_independent_count(realdb):
    db, res = realdb
    paths = osv_files(GO) + osv_files(PYPA) + osv_files(ALMA9)
    ids, eco, aliases = expected_counts(paths)
    got_ids, got_eco, got_aliases = db_counts(db)
    assert got_ids == ids
    assert len(ids) == len(paths)  # one advisory per file, no duplicate ids
    assert got_eco == eco
    assert got_aliases == aliases
    assert "imported %d advisories" % len(ids) in res.out
    # The per-source rows add up, in input order.
    rows = q(db, "SELECT location, kind, advisories, skipped FROM sources ORDER BY id")
    assert [(r[0], r[1]) for r in rows] == [(GO, "dir"), (PYPA, "dir"), (ALMA9, "dir")]
    assert sum(r[2] for r in rows) == len(ids)
    assert all(r[3] == 0 for r in rows)
    assert q(db, "SELECT value FROM meta WHERE key='application'") == [("hull",)]
    assert q(db, "SELECT value FROM meta WHERE key='schema_version'") == [("1",)]


@needs_data
def test_real_data_ranges_and_fields_match_the_json(realdb):
    db, _ = realdb
    checked = 0
    for path in osv_files(GO)[:40] + osv_files(ALMA9)[:40]:
        d = load_osv(path)
        rows = q(db, "SELECT ecosystem, name, purl, ranges, versions FROM affected "
                     "WHERE advisory=? ORDER BY id", d["id"])
        want = [a for a in d.get("affected", []) if a.get("package")]
        assert len(rows) == len(want), d["id"]
        for row, a in zip(rows, want):
            assert row[0] == a["package"]["ecosystem"]
            assert row[1] == a["package"]["name"]
            assert row[2] == a["package"].get("purl")
            ranges = [r for r in a.get("ranges", []) if r["type"] != "GIT"]
            assert json.loads(row[3]) == ranges, d["id"]
            assert (json.loads(row[4]) if row[4] else None) == a.get("versions")
            checked += 1
        adv = q(db, "SELECT modified, published, summary, details, withdrawn, urls "
                    "FROM advisories WHERE id=?", d["id"])[0]
        assert adv[:5] == (d.get("modified"), d.get("published"), d.get("summary"),
                           d.get("details"), d.get("withdrawn"))
        assert json.loads(adv[5]) == [r["url"] for r in d.get("references", []) if "url" in r]
    assert checked > 80


@needs_data
def test_real_data_pypi_names_normalised_and_severity(realdb):
    db, _ = realdb
    # PYSEC-2020-342 carries CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H = 9.8.
    row = q(db, "SELECT severity, cvss_vector, cvss_score, cvss3_score FROM advisories "
                "WHERE id='PYSEC-2020-342'")[0]
    assert row == ("CRITICAL", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, 9.8)
    # PEP 503 names: every stored PyPI name is already normalised.
    for (name,) in q(db, "SELECT DISTINCT name FROM affected WHERE ecosystem='PyPI'"):
        assert name == name.lower() and "_" not in name and "." not in name and "--" not in name
    # AlmaLinux ratings come from the "Important:" style summary prefix.
    for sid, summary, sev in q(db, "SELECT id, summary, severity FROM advisories "
                                   "WHERE id LIKE 'ALSA-%' LIMIT 200"):
        word = summary.split(":", 1)[0]
        want = {"Critical": "CRITICAL", "Important": "HIGH", "Moderate": "MEDIUM",
                "Low": "LOW"}.get(word, "UNKNOWN")
        assert sev == want, sid
    # Go advisories have no rating at all.
    assert q(db, "SELECT DISTINCT severity FROM advisories WHERE id LIKE 'GO-%'") == \
        [("UNKNOWN",)]
    # GIT ranges were dropped and counted; the note is in the summary.
    assert not q(db, "SELECT 1 FROM affected WHERE ranges LIKE '%\"GIT\"%'")


def db_dump(db):
    """The whole database as SQL, minus what differs between runs (build and import times)."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return [l for l in con.iterdump()
                if not l.startswith('INSERT INTO "sources"') and "'built'" not in l]
    finally:
        con.close()


@needs_data
def test_real_data_import_is_deterministic(realdb, tmp_path):
    # Parsers run ahead of the writer on several threads: the content must not depend on
    # their timing (rowids of affected, which duplicate wins, ...).
    db, _ = realdb
    again = tmp_path / "again.sqlite"
    res = run("db", "import", "-q", "--db", again, GO, PYPA, ALMA9)
    assert res.rc == 0, res.describe()
    first, second = db_dump(db), db_dump(again)
    assert len(first) > 40000
    assert first == second


def test_duplicate_ids_in_one_run(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    old = rec(1, aliases=["CVE-OLD"])
    write_json(d / "a.json", old)
    write_json(d / "b.json", rec(2, affected=[
        {"package": {"ecosystem": "Go", "name": "two/%d" % i}} for i in range(3)]))
    newer = rec(1, modified="2025-01-01T00:00:00Z", aliases=["CVE-NEW"],
                affected=[{"package": {"ecosystem": "Go", "name": "new/mod"}}])
    write_json(d / "c.json", newer)
    write_json(d / "d.json", rec(1, modified="2023-01-01T00:00:00Z",
                                 affected=[{"package": {"ecosystem": "Go", "name": "older"}}]))
    write_json(d / "e.json", rec(3))
    db = tmp_path / "db.sqlite"
    res = run("db", "import", "--db", db, d)
    assert res.rc == 0, res.describe()
    assert "2 duplicate ids" in res.out, res.out
    assert q(db, "SELECT modified FROM advisories WHERE id='TEST-1'") == \
        [("2025-01-01T00:00:00Z",)]
    assert q(db, "SELECT name FROM affected WHERE advisory='TEST-1'") == [("new/mod",)]
    assert q(db, "SELECT alias FROM aliases WHERE advisory='TEST-1'") == [("CVE-NEW",)]
    # The rows of the advisories stored between them are untouched.
    assert q(db, "SELECT name FROM affected WHERE advisory='TEST-2' ORDER BY id") == \
        [("two/0",), ("two/1",), ("two/2",)]
    assert q(db, "SELECT name FROM affected WHERE advisory='TEST-3'") == \
        [("example.com/m3",)]
    assert q(db, "SELECT COUNT(*) FROM advisories") == [(3,)]


def test_directory_walk(tmp_path):
    d = tmp_path / "in"
    (d / "a" / "b").mkdir(parents=True)
    write_json(d / "top.json", rec(1))
    write_json(d / "a" / "mid.json", rec(2))
    (d / "a" / "b" / "deep.yaml").write_text("id: TEST-3\n")
    (d / "a" / "b" / "deep.yml").write_text("id: TEST-4\n")
    write_json(d / "a" / "notes.txt", rec(5))
    outside = tmp_path / "outside"
    outside.mkdir()
    write_json(outside / "linked.json", rec(6))
    os.symlink(outside / "linked.json", d / "link.json")
    os.symlink(outside, d / "linkdir")
    db = tmp_path / "db.sqlite"
    res = run("db", "import", "--db", db, str(d) + "//")
    assert res.rc == 0, res.describe()
    assert {r[0] for r in q(db, "SELECT id FROM advisories")} == \
        {"TEST-1", "TEST-2", "TEST-3", "TEST-4"}
    # An unreadable subdirectory fails the import (as an unprivileged user: root reads
    # anything) and leaves the database as it was. pytest's tmp_path is private to root,
    # so this part lives in a directory of its own.
    import tempfile
    base = tempfile.mkdtemp(prefix="hull-walk-")
    try:
        os.chmod(base, 0o777)
        src = os.path.join(base, "in")
        shutil.copytree(d, src, symlinks=True)
        db = os.path.join(base, "db.sqlite")
        assert run("db", "import", "--db", db, src).rc == 0
        os.chmod(db, 0o666)
        before = file_digest(db)
        locked = os.path.join(src, "a", "locked")
        os.mkdir(locked, 0)
        os.chmod(locked, 0)
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", H.HULL,
               "db", "import", "--db", db, src]
        p = subprocess.run(cmd, capture_output=True, timeout=60)
        res = H.Result(cmd, p.returncode, p.stdout.decode(), p.stderr.decode())
        line = H.assert_input_error(res, src)
        assert locked in line and "Permission denied" in line, line
        assert file_digest(db) == before
        assert no_temp_files(base) == []
    finally:
        shutil.rmtree(base)


def test_json_strings_decoded_and_strictness(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    text = 'quote " backslash \\ slash / tab \t nl \n ctl \x01 \u00e9 \u20ac \U0001F600'
    good = rec(1, summary=text, details=text,
               references=[{"type": "WEB", "url": "https://e/\u00e9?a=\"b\""}])
    good["affected"][0]["ranges"][0]["database_specific"] = {"note": text, "n": 1.5,
                                                             "ok": True, "x": None}
    # ensure_ascii: every non-ASCII character as \u escapes (surrogate pairs for U+1F600).
    (d / "ascii.json").write_text(json.dumps(good, ensure_ascii=True))
    good2 = dict(good, id="TEST-2")
    (d / "utf8.json").write_bytes(json.dumps(good2, ensure_ascii=False).encode())
    (d / "slash.json").write_text(json.dumps(rec(3)).replace("/", "\\/"))
    bad = {
        "dupkey.json": '{"id": "TEST-4", "id": "TEST-4"}',
        "lonesurrogate.json": '{"id": "TEST-5", "summary": "\\ud800"}',
        "nul.json": '{"id": "TEST-6", "summary": "a\\u0000b"}',
        "trailing.json": '{"id": "TEST-7"} {}',
        "trailingcomma.json": '{"id": "TEST-8", "aliases": ["a",]}',
        "bigint.json": '{"id": "TEST-9", "database_specific": {"n": 99999999999999999999}}',
    }
    for name, body in bad.items():
        (d / name).write_text(body)
    (d / "latin1.json").write_bytes(b'{"id": "TEST-10", "summary": "caf\xe9"}')
    db = tmp_path / "db.sqlite"
    res = run("db", "import", "--db", db, d)
    assert res.rc == 0, res.describe()
    for name in list(bad) + ["latin1.json"]:
        assert any(name in l and "invalid JSON" in l for l in res.err_lines), \
            name + "\n" + res.describe()
    assert "7 malformed records skipped" in res.out
    assert {r[0] for r in q(db, "SELECT id FROM advisories")} == {"TEST-1", "TEST-2", "TEST-3"}
    for i in (1, 2):
        summary, details, urls = q(db, "SELECT summary, details, urls FROM advisories "
                                       "WHERE id=?", "TEST-%d" % i)[0]
        assert summary == text and details == text
        assert json.loads(urls) == ["https://e/\u00e9?a=\"b\""]
        ranges = q(db, "SELECT ranges FROM affected WHERE advisory=?", "TEST-%d" % i)[0][0]
        assert json.loads(ranges) == good["affected"][0]["ranges"]
    assert q(db, "SELECT name FROM affected WHERE advisory='TEST-3'") == [("example.com/m3",)]


@needs_data
def test_zip_of_a_subset_matches(tmp_path):
    members = osv_files(GO)[:300]
    z = tmp_path / "all.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in members:
            zf.write(p, os.path.basename(p))
    db = tmp_path / "db.sqlite"
    res = run("db", "import", "--db", db, z)
    assert res.rc == 0, res.describe()
    ids, eco, aliases = expected_counts(members)
    assert db_counts(db) == (ids, eco, aliases)
    assert q(db, "SELECT kind, advisories FROM sources") == [("zip", 300)]


# --------------------------------------------------------------------------- hostile input

def rec(i, **extra):
    d = {"id": "TEST-%d" % i, "modified": "2024-01-01T00:00:00Z",
         "affected": [{"package": {"ecosystem": "Go", "name": "example.com/m%d" % i},
                       "ranges": [{"type": "SEMVER",
                                   "events": [{"introduced": "0"}, {"fixed": "1.2.%d" % i}]}]}]}
    d.update(extra)
    return d


def write_json(path, obj):
    path.write_text(json.dumps(obj))


def make_old_db(tmp_path, n=5):
    src = tmp_path / "old"
    src.mkdir()
    for i in range(n):
        write_json(src / ("OLD-%d.json" % i), rec(1000 + i))
    db = tmp_path / "db.sqlite"
    res = run("db", "import", "--db", db, src)
    assert res.rc == 0, res.describe()
    return db


def test_malformed_records_are_skipped_with_warnings(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    write_json(d / "good.json", rec(1))
    write_json(d / "wrongtype.json", rec(2, aliases="CVE-1"))
    write_json(d / "noid.json", {k: v for k, v in rec(3).items() if k != "id"})
    bad_range = rec(4)
    bad_range["affected"][0]["ranges"][0]["type"] = "FANCY"
    write_json(d / "badrange.json", bad_range)
    deep = {}
    cur = deep
    for _ in range(100):
        cur["x"] = {}
        cur = cur["x"]
    write_json(d / "deep.json", rec(5, database_specific=deep))
    write_json(d / "huge.json", rec(6, details="A" * (2 << 20)))
    (d / "notjson.json").write_text("{ this is not json")
    (d / "wrong.yaml").write_text("id: TEST-7\naffected: 12\n")
    (d / "good.yaml").write_text(
        "id: TEST-8\naliases: [CVE-2024-0008]\naffected:\n- package: {ecosystem: PyPI, "
        "name: Foo_Bar.baz}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n"
        "    - fixed: 1.0.0\n  versions: [0.9, 0.9.1]\n")
    write_json(d / "badver.json", rec(9, affected=[{
        "package": {"ecosystem": "PyPI", "name": "x"},
        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
                                                     {"fixed": "not a version!"}]}]}]))
    write_json(d / "git.json", rec(10, affected=[{
        "package": {"ecosystem": "Go", "name": "g"},
        "ranges": [{"type": "GIT", "repo": "https://x", "events": [{"introduced": "abc"}]},
                   {"type": "SEMVER", "events": [{"introduced": "0"}]}]}]))
    write_json(d / "unknowneco.json", rec(11, affected=[{
        "package": {"ecosystem": "Zebra", "name": "z"}, "ranges": []}]))
    write_json(d / "badcvss.json", rec(12, severity=[{"type": "CVSS_V3",
                                                      "score": "CVSS:3.1/AV:Q"}]))
    db = tmp_path / "db.sqlite"
    res = run("db", "import", "--db", db, d)
    assert res.rc == 0, res.describe()
    for name in ["wrongtype.json", "noid.json", "badrange.json", "deep.json", "huge.json",
                 "notjson.json", "wrong.yaml", "badver.json", "badcvss.json"]:
        assert any(name in l for l in res.err_lines), name + "\n" + res.describe()
    assert all(l.startswith("hull: warning:") for l in res.err_lines), res.describe()
    assert "7 malformed records skipped, 1 invalid versions, 1 invalid CVSS" in res.out
    assert "1 GIT ranges dropped, 1 packages of ecosystems without a comparator" in res.out
    ids = {r[0] for r in q(db, "SELECT id FROM advisories")}
    assert ids == {"TEST-1", "TEST-8", "TEST-9", "TEST-10", "TEST-11", "TEST-12"}
    assert q(db, "SELECT skipped, warnings FROM sources") == [(7, 9)]
    # The YAML record: PEP 503 name, versions kept as strings, the alias stored.
    row = q(db, "SELECT name, ranges, versions FROM affected WHERE advisory='TEST-8'")[0]
    assert row[0] == "foo-bar-baz"
    assert json.loads(row[1]) == [{"type": "ECOSYSTEM",
                                   "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}]
    assert json.loads(row[2]) == ["0.9", "0.9.1"]
    assert q(db, "SELECT alias FROM aliases WHERE advisory='TEST-8'") == [("CVE-2024-0008",)]
    assert json.loads(q(db, "SELECT ranges FROM affected WHERE advisory='TEST-10'")[0][0]) == \
        [{"type": "SEMVER", "events": [{"introduced": "0"}]}]


def test_corrupt_zip_fails_and_keeps_the_old_db(tmp_path):
    db = make_old_db(tmp_path)
    before = file_digest(db)
    z = tmp_path / "dump.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(40):
            zf.writestr("TEST-%d.json" % i, json.dumps(rec(i, details="x%d " % i * 400)))
    raw = bytearray(z.read_bytes())
    with zipfile.ZipFile(z) as zf:
        info = zf.getinfo("TEST-20.json")
    # Scribble over the compressed data of one member (after its local header).
    start = info.header_offset + 30 + len(info.filename) + 10
    raw[start:start + 64] = b"\xff" * 64
    z.write_bytes(bytes(raw))
    res = run("db", "import", "--db", db, z)
    line = H.assert_input_error(res, z, warnings_allowed=True)
    assert "TEST-20.json" in line
    assert file_digest(db) == before
    assert no_temp_files(tmp_path) == []


def test_truncated_zip_fails(tmp_path):
    db = make_old_db(tmp_path)
    before = file_digest(db)
    z = tmp_path / "dump.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(40):
            zf.writestr("TEST-%d.json" % i, json.dumps(rec(i, details="y%d " % i * 400)))
    data = z.read_bytes()
    z.write_bytes(data[:len(data) // 2])
    res = run("db", "import", "--db", db, z)
    H.assert_input_error(res, z, warnings_allowed=True)
    assert file_digest(db) == before


def test_refuses_to_replace_a_file_that_is_not_a_hull_db(tmp_path):
    src = tmp_path / "in.json"
    write_json(src, rec(1))
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE precious(x)")
    con.execute("INSERT INTO precious VALUES ('keep me')")
    con.commit()
    con.close()
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    for target in (other, text):
        before = file_digest(target)
        res = run("db", "import", "--db", target, src)
        line = H.assert_input_error(res, target)
        assert "not a hull vulnerability database" in line
        assert file_digest(target) == before
        res = run("db", "info", "--db", target)
        H.assert_input_error(res, target)
    assert no_temp_files(tmp_path) == []


def test_read_only_directory(tmp_path):
    src = tmp_path / "in.json"
    write_json(src, rec(1))
    ro = tmp_path / "ro"
    ro.mkdir()
    db = ro / "db.sqlite"
    assert run("db", "import", "--db", db, src).rc == 0
    before = file_digest(db)
    os.chmod(tmp_path, 0o755)
    os.chmod(src, 0o644)
    os.chmod(ro, 0o555)
    os.chmod(db, 0o644)
    try:
        # As an unprivileged user (root ignores directory permissions).
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", H.HULL,
               "db", "import", "--db", str(db), str(src)]
        p = subprocess.run(cmd, capture_output=True, timeout=60)
        res = H.Result(cmd, p.returncode, p.stdout.decode(), p.stderr.decode())
        line = H.assert_input_error(res, db)
        assert "Permission denied" in line
        # The default location under a read-only $XDG_CACHE_HOME.
        cache = tmp_path / "cache"
        cache.mkdir(mode=0o555)
        env = {"XDG_CACHE_HOME": str(cache), "HULL_DB": ""}
        p = subprocess.run(cmd[:5] + ["db", "import", str(src)], capture_output=True,
                           timeout=60, env=dict(os.environ, **env))
        assert p.returncode == 2, p.stderr
        assert p.stderr.decode().startswith("hull: error: ") and str(cache) in p.stderr.decode()
    finally:
        os.chmod(ro, 0o755)
    assert file_digest(db) == before
    # A path under /proc cannot take a temporary file either.
    res = run("db", "import", "--db", "/proc/hull-test/db.sqlite", src)
    assert res.rc == 2 and res.err.startswith("hull: error:"), res.describe()


@needs_data
def test_kill_9_mid_import_keeps_the_old_db(tmp_path):
    db = make_old_db(tmp_path, n=7)
    before = file_digest(db)
    p = subprocess.Popen([H.HULL, "db", "import", "-q", "--db", str(db), GO, PYPA],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not no_temp_files(tmp_path) and p.poll() is None:
        time.sleep(0.005)
    time.sleep(0.05)
    p.send_signal(signal.SIGKILL)
    assert p.wait() == -signal.SIGKILL, "the import finished before it could be killed"
    assert file_digest(db) == before
    assert q(db, "SELECT COUNT(*) FROM advisories") == [(7,)]
    assert len(no_temp_files(tmp_path)) == 1  # the killed run's temporary
    # The next run removes it.
    res = run("db", "import", "--db", db, tmp_path / "old")
    assert res.rc == 0, res.describe()
    assert no_temp_files(tmp_path) == []


def test_import_replaces_and_append_keeps(tmp_path):
    db = make_old_db(tmp_path, n=3)
    new = tmp_path / "new.json"
    write_json(new, rec(1))
    assert run("db", "import", "--db", db, new).rc == 0
    assert q(db, "SELECT id FROM advisories") == [("TEST-1",)]
    assert run("db", "import", "--db", db, "--append", tmp_path / "old").rc == 0
    assert {r[0] for r in q(db, "SELECT id FROM advisories")} == \
        {"TEST-1", "TEST-1000", "TEST-1001", "TEST-1002"}
    # The same id again: the later "modified" wins, its affected rows replace the old ones.
    write_json(new, rec(1, modified="2025-01-01T00:00:00Z",
                        affected=[{"package": {"ecosystem": "Go", "name": "new/mod"}}]))
    res = run("db", "import", "--db", db, "--append", new)
    assert res.rc == 0, res.describe()
    assert q(db, "SELECT name FROM affected WHERE advisory='TEST-1'") == [("new/mod",)]
    assert q(db, "SELECT COUNT(*) FROM advisories") == [(4,)]


def test_usage_errors(tmp_path):
    assert run("db").rc == 2
    assert run("db", "frobnicate").rc == 2
    assert run("db", "import", "--db", tmp_path / "x.sqlite").rc == 2
    res = run("db", "import", "--db", tmp_path / "x.sqlite", tmp_path / "missing.json")
    H.assert_input_error(res, tmp_path / "missing.json")
    assert not os.path.exists(tmp_path / "x.sqlite")
    assert run("db", "info", "--db-max-age", "7parsecs").rc == 2
    assert run("db", "info", "--db", tmp_path / "absent.sqlite").rc == 2
    res = run("db", "--help")
    assert res.rc == 0 and "hull db import" in res.out and "REPLACED" in res.out


# --------------------------------------------------------------------------- info

def test_info_text_json_and_staleness(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    write_json(d / "a.json", rec(1, aliases=["CVE-2024-1", "GHSA-x"]))
    write_json(d / "b.json", rec(2, affected=[
        {"package": {"ecosystem": "PyPI", "name": "Django"}},
        {"package": {"ecosystem": "AlmaLinux:9", "name": "kernel"}}]))
    db = tmp_path / "db.sqlite"
    assert run("db", "import", "--db", db, d).rc == 0
    res = run("db", "info", "--db", db)
    assert res.rc == 0 and res.err == "", res.describe()
    assert "path:        %s" % db in res.out
    assert "advisories:  2 (0 withdrawn), 3 affected packages, 2 aliases" in res.out
    assert "AlmaLinux:9" in res.out
    j = H.strict_json(run("db", "info", "--db", db, "-f", "json").out)
    assert j["schema_version"] == 1 and j["advisories"] == 2 and j["aliases"] == 2
    assert j["ecosystems"] == {"AlmaLinux:9": 1, "Go": 1, "PyPI": 1}
    assert j["sources"][0]["location"] == str(d) and j["sources"][0]["advisories"] == 2
    assert j["stale"] is False and 0 <= j["age_seconds"] < 600
    # Built long ago: a warning (still exit 0); a generous --db-max-age silences it.
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value='2001-01-01T00:00:00Z' WHERE key='built'")
    con.commit()
    con.close()
    res = run("db", "info", "--db", db)
    assert res.rc == 0
    assert res.err_lines and res.err_lines[0].startswith("hull: warning:") \
        and "older than --db-max-age" in res.err
    assert H.strict_json(run("db", "info", "--db", db, "-f", "json").out)["stale"] is True
    res = run("db", "info", "--db", db, "--db-max-age", "10000d")
    assert res.rc == 0 and res.err == ""
    assert run("db", "info", "--db", db, "--db-max-age", "36h").err != ""


def test_info_rejects_other_schema_versions(tmp_path):
    src = tmp_path / "in.json"
    write_json(src, rec(1))
    db = tmp_path / "db.sqlite"
    assert run("db", "import", "--db", db, src).rc == 0
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    con.commit()
    con.close()
    line = H.assert_input_error(run("db", "info", "--db", db), db)
    assert "schema version 99" in line
    # Still a hull DB: import may replace it.
    assert run("db", "import", "--db", db, src).rc == 0
    assert run("db", "info", "--db", db).rc == 0


# --------------------------------------------------------------------------- update

def make_dumps(root, spec):
    """spec: ecosystem -> list of records; writes root/ECOSYSTEM/all.zip."""
    for eco, recs in spec.items():
        os.makedirs(os.path.join(root, eco), exist_ok=True)
        with zipfile.ZipFile(os.path.join(root, eco, "all.zip"), "w",
                             zipfile.ZIP_DEFLATED) as zf:
            for r in recs:
                zf.writestr(r["id"] + ".json", json.dumps(r))


def eco_rec(eco, i):
    return {"id": "%s-%d" % (eco.upper().replace(" ", ""), i),
            "modified": "2024-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": eco, "name": "p%d" % i}, "ranges": []}]}


def test_update_from_a_file_mirror(tmp_path):
    mirror = tmp_path / "mirror"
    make_dumps(mirror, {"Go": [eco_rec("Go", i) for i in range(5)],
                        "Rocky Linux": [eco_rec("Rocky Linux", i) for i in range(3)]})
    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache), "HULL_DB": ""}
    res = run("db", "update", "--url", "file://%s" % mirror, "--ecosystem", "Go",
              "--ecosystem", "Rocky Linux", env=env)
    assert res.rc == 0, res.describe()
    db = cache / "hull" / "db.sqlite"
    assert q(db, "SELECT COUNT(*) FROM advisories") == [(8,)]
    assert sorted(os.listdir(cache / "hull" / "osv")) == ["Go.zip", "Rocky Linux.zip"]
    locs = [r[0] for r in q(db, "SELECT location FROM sources ORDER BY id")]
    assert locs == ["file://%s/Go/all.zip" % mirror, "file://%s/Rocky%%20Linux/all.zip" % mirror]
    assert {r[0] for r in q(db, "SELECT kind FROM sources")} == {"url"}
    # A missing dump: exit 2, DB untouched.
    before = file_digest(db)
    res = run("db", "update", "--url", "file://%s" % mirror, "--ecosystem", "npm", env=env)
    H.assert_input_error(res, "npm/all.zip")
    assert file_digest(db) == before


class DumpHandler(http.server.BaseHTTPRequestHandler):
    body = b""
    etag = '"v1"'
    broken = False
    log = []

    def do_GET(self):
        cls = type(self)
        cls.log.append((self.path, self.headers.get("If-None-Match")))
        if not self.path.endswith("/Go/all.zip"):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.headers.get("If-None-Match") == cls.etag:
            self.send_response(304)
            self.send_header("ETag", cls.etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("ETag", cls.etag)
        self.send_header("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
        self.send_header("Content-Length", str(len(cls.body)))
        self.end_headers()
        if cls.broken:
            self.wfile.write(cls.body[:len(cls.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(cls.body)

    def log_message(self, *a):
        pass


@pytest.fixture
def dump_server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), DumpHandler)
    DumpHandler.log = []
    DumpHandler.broken = False
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_update_over_http_with_etag_and_broken_download(tmp_path, dump_server):
    mirror = tmp_path / "mirror"
    make_dumps(mirror, {"Go": [eco_rec("Go", i) for i in range(60)]})
    DumpHandler.body = (mirror / "Go" / "all.zip").read_bytes()
    DumpHandler.etag = '"v1"'
    base = "http://127.0.0.1:%d" % dump_server.server_address[1]
    cache = tmp_path / "cache"
    db = tmp_path / "db.sqlite"
    env = {"XDG_CACHE_HOME": str(cache)}
    res = run("db", "update", "--db", db, "--url", base, "--ecosystem", "Go", env=env)
    assert res.rc == 0, res.describe()
    assert "1 dumps downloaded, 0 unchanged" in res.out
    assert q(db, "SELECT etag, last_modified, advisories FROM sources") == \
        [('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT", 60)]
    # Second run: If-None-Match sent, 304, the cached dump re-imported.
    res = run("db", "update", "--db", db, "--url", base, "--ecosystem", "Go", env=env)
    assert res.rc == 0, res.describe()
    assert "0 dumps downloaded, 1 unchanged" in res.out
    assert DumpHandler.log[-1] == ("/Go/all.zip", '"v1"')
    assert q(db, "SELECT COUNT(*) FROM advisories") == [(60,)]
    assert q(db, "SELECT etag FROM sources") == [('"v1"',)]
    # A new dump that breaks half-way: exit 2, DB and cache untouched.
    make_dumps(mirror, {"Go": [eco_rec("Go", i) for i in range(90)]})
    DumpHandler.body = (mirror / "Go" / "all.zip").read_bytes()
    DumpHandler.etag = '"v2"'
    DumpHandler.broken = True
    before, cached = file_digest(db), file_digest(cache / "hull" / "osv" / "Go.zip")
    res = run("db", "update", "--db", db, "--url", base, "--ecosystem", "Go", env=env)
    H.assert_input_error(res, base + "/Go/all.zip")
    assert file_digest(db) == before
    assert file_digest(cache / "hull" / "osv" / "Go.zip") == cached
    assert no_temp_files(cache / "hull" / "osv") == [] and no_temp_files(tmp_path) == []
    # Fixed server: the new dump arrives.
    DumpHandler.broken = False
    res = run("db", "update", "--db", db, "--url", base, "--ecosystem", "Go", env=env)
    assert res.rc == 0, res.describe()
    assert q(db, "SELECT COUNT(*) FROM advisories") == [(90,)]
    assert q(db, "SELECT etag FROM sources") == [('"v2"',)]
    # A 404 is an error naming the URL.
    res = run("db", "update", "--db", db, "--url", base, "--ecosystem", "npm", env=env)
    line = H.assert_input_error(res, base + "/npm/all.zip")
    assert "404" in line
