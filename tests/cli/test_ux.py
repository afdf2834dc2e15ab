"""What hull shows besides its output: the progress line on stderr when stderr is a
terminal (run under a real pseudo-terminal here: stdout to a pipe, stderr to the pty),
silence when it is not or with --quiet, notes and warnings silenced by --quiet while
errors still print, --debug per-phase timings (and HULL_DEBUG_TIMINGS=1), for every
command that has them; the DB download's progress; hull pull's download progress from a
local docker-registry."""
import json
import os
import pty
import re
import shutil
import subprocess

import pytest

import hullfix as H

DEBUG_RE = re.compile(r"^hull: debug: ([a-z ]+) \d+\.\d ms( \(.*\))?$")


def env_for(tmp_path, **extra):
    e = dict(os.environ)
    e["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    e["HULL_DB"] = str(tmp_path / "no-db.sqlite")  # no DB: the vuln scanner notes it
    e["COLUMNS"] = "100"
    e.pop("HULL_DEBUG_TIMINGS", None)
    e.update(extra)
    return e


def run_tty(args, env, cwd=None, cols=100):
    """Runs hull with stderr on a pseudo-terminal of cols columns, stdout on a pipe;
    returns (rc, stdout bytes, stderr bytes as the terminal got them)."""
    import fcntl
    import struct
    import termios
    m, s = pty.openpty()
    fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    p = subprocess.Popen([H.HULL] + [str(a) for a in args], stdout=subprocess.PIPE,
                         stderr=s, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
    os.close(s)
    err = b""
    while True:
        try:
            d = os.read(m, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not d:
            break
        err += d
    out = p.stdout.read()
    p.wait(timeout=300)
    os.close(m)
    return p.returncode, out, err


def run_pipe(args, env, cwd=None):
    p = subprocess.run([H.HULL] + [str(a) for a in args], capture_output=True, env=env,
                       cwd=cwd, timeout=300)
    return p.returncode, p.stdout, p.stderr


def frames(err):
    """The progress frames drawn: the text between a \\r and the erase-line sequence."""
    return [f.decode() for f in re.findall(rb"\r([^\r\n\x1b]+)\x1b\[K", err)]


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """Three layers (gzip, zstd, plain) of a few MB, with a secret and a package DB."""
    d = tmp_path_factory.mktemp("ux")
    status = (b"Package: jq\nStatus: install ok installed\nVersion: 1.6-2.1\n"
              b"Architecture: amd64\n\n")
    layers = [
        (H.make_tar([H.entry("usr/", "dir"), H.entry("usr/a", data=H.rand_blob(3 << 20, 1)),
                     H.entry("var/lib/dpkg/", "dir"),
                     H.entry("var/lib/dpkg/status", data=status)]), "gzip"),
        (H.make_tar([H.entry("etc/", "dir"),
                     H.entry("etc/key", data=b"AKIA" + b"Q2WERTYUIOPA3SDF\n")]), "zstd"),
        (H.make_tar([H.entry("opt/", "dir"), H.entry("opt/b", data=H.text_blob(1 << 20))]),
         "none"),
    ]
    info = H.make_oci_layout(str(d / "layout"), layers)
    return "oci:%s:latest" % info["path"]


READERS = [("image", ["-f", "json"]), ("sbom", ["-f", "json"]), ("inspect", ["-f", "json"])]


@pytest.mark.parametrize("cmd,extra", READERS)
def test_progress_on_a_terminal(image, tmp_path, cmd, extra):
    rc, out, err = run_tty([cmd, *extra, image], env_for(tmp_path))
    assert rc == 0, err
    json.loads(out)  # stdout is the report, untouched by the progress line
    fr = [f for f in frames(err) if f.startswith("hull: reading layers: ")]
    assert fr, err
    assert fr[0].startswith("hull: reading layers: 0/3, 0 B / ")
    for f in fr:
        assert len(f) < 100  # fits the terminal (100 columns)
        assert re.match(r"hull: reading layers: [0-3]/3, [\d.]+ [kMG]?B / [\d.]+ [kMG]?B"
                        r"(, [\d.]+ [kMG]?B/s(, ETA \d+:\d\d)?)?$", f), f
    # cleared at the end: the last progress output erases the line
    last = err.rfind(b"hull: reading layers")
    assert b"\r\x1b[K" in err[last:], err[last:]


def test_progress_fits_a_narrow_terminal(image, tmp_path):
    rc, out, err = run_tty(["inspect", image], env_for(tmp_path), cols=30)
    assert rc == 0
    fr = frames(err)
    assert fr and all(len(f) <= 29 for f in fr), fr
    assert fr[0] == "hull: reading layers: 0/3"


def test_progress_fs_counts_files(tmp_path):
    tree = tmp_path / "tree"
    (tree / "etc").mkdir(parents=True)
    for i in range(5):
        (tree / "etc" / ("f%d" % i)).write_text("x" * 1000)
    rc, out, err = run_tty(["fs", "-f", "json", tree], env_for(tmp_path))
    assert rc == 0, err
    fr = frames(err)
    assert fr and fr[0] == "hull: reading files …", fr  # nothing counted yet: no "0 B"
    assert b"\r\x1b[K" in err


@pytest.mark.parametrize("cmd,extra", READERS + [("fs", ["-f", "json"])])
def test_no_progress_without_a_terminal(image, tmp_path, cmd, extra):
    src = str(tmp_path) if cmd == "fs" else image
    rc, out, err = run_pipe([cmd, *extra, src], env_for(tmp_path))
    assert rc == 0, err
    assert b"reading" not in err and b"\r" not in err and b"\x1b" not in err, err


@pytest.mark.parametrize("cmd,extra", READERS)
def test_quiet_on_a_terminal(image, tmp_path, cmd, extra):
    env = env_for(tmp_path)
    rc, out, err = run_tty([cmd, "-q", *extra, image], env)
    assert rc == 0 and err == b"", err
    rc2, out2, _ = run_tty([cmd, "--quiet", *extra, image], env)
    assert rc2 == 0 and out2 == out


def test_quiet_silences_notes_and_warnings_not_errors(image, tmp_path):
    (tmp_path / ".hullignore").write_text("CVE-2020-0001 exp:2001-01-01\n")
    env = env_for(tmp_path)
    # without -q: the missing DB note and the expired ignore entry warning
    rc, out, err = run_pipe(["image", "-f", "json", image], env, cwd=tmp_path)
    assert rc == 0
    assert b"hull: note: vulnerability DB not found" in err
    assert b"hull: warning: .hullignore:1: ignore entry CVE-2020-0001 expired" in err
    rc, out_q, err = run_pipe(["image", "-q", "-f", "json", image], env, cwd=tmp_path)
    assert rc == 0 and err == b"" and out_q == out
    # errors still print
    rc, out, err = run_pipe(["image", "-q", tmp_path / "missing.tar"], env, cwd=tmp_path)
    assert rc == 2 and err.decode().startswith("hull: error: ") and out == b""
    # lint: the shellcheck note (shellcheck made unavailable)
    df = tmp_path / "Dockerfile"
    df.write_text("FROM debian:12\nRUN echo hi\n")
    lenv = dict(env, PATH="/nonexistent")
    rc, out, err = run_pipe(["lint", df], lenv)
    assert b"hull: note: shellcheck is not installed" in err
    rc, out_q, err = run_pipe(["lint", "-q", df], lenv)
    assert err == b"" and out_q == out


@pytest.mark.parametrize("cmd", ["pull", "push", "build", "slim", "k8s", "lint", "db"])
def test_quiet_is_in_every_help(cmd):
    r = H.hull(cmd, "--help")
    assert r.rc == 0 and re.search(r"-q, --quiet", r.out), r.out


def phases(err):
    got = []
    for line in err.decode().splitlines():
        if line.startswith("hull: debug: "):
            m = DEBUG_RE.match(line)
            assert m, line
            got.append(m.group(1))
    return got


IMAGE_PHASES = ["open", "layers", "merge", "catalog", "secrets", "checks", "vuln match",
                "policy", "render"]


def test_debug_phases(image, tmp_path):
    env = env_for(tmp_path)
    man = tmp_path / "pod.yaml"
    man.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                   "  - {name: c, image: nginx:1.25}\n")
    df = tmp_path / "Dockerfile"
    df.write_text("FROM debian:12\nRUN echo hi\n")
    cases = [
        (["image", "-f", "json", image], IMAGE_PHASES),
        (["fs", "-f", "json", tmp_path], IMAGE_PHASES),
        (["sbom", image], ["open", "layers", "merge", "catalog", "render"]),
        (["inspect", image], ["open", "layers", "merge", "render"]),
        (["k8s", man], ["scan", "policy", "render"]),
        (["lint", "--no-shellcheck", df], ["lint", "render"]),
    ]
    for args, want in cases:
        rc, out, err = run_pipe(args[:1] + ["--debug"] + args[1:], env)
        assert rc in (0, 1), err
        assert phases(err) == want, (args, err)
        # without --debug: no timing line at all
        rc, out2, err = run_pipe(args, env)
        assert b"hull: debug:" not in err, (args, err)
        # HULL_DEBUG_TIMINGS=1 is the same switch
        rc, out3, err = run_pipe(args, dict(env, HULL_DEBUG_TIMINGS="1"))
        assert phases(err) == want, (args, err)
        assert out3 == out2 or args[0] in ("sbom",), args  # the report is unchanged
    # --debug and -q: timings are asked for, notes are not
    rc, out, err = run_pipe(["image", "-q", "--debug", image], env)
    assert phases(err) == IMAGE_PHASES and b"note" not in err


def test_debug_vuln_match_detail(image, tmp_path):
    env = env_for(tmp_path)
    rc, out, err = run_pipe(["image", "--debug", image], env)
    assert "hull: debug: vuln match 0.0 ms (skipped: no vulnerability DB)" in err.decode()
    osv = tmp_path / "GO-1.json"
    osv.write_text(json.dumps({"id": "GO-1", "modified": "2024-01-01T00:00:00Z", "affected": [
        {"package": {"ecosystem": "Go", "name": "p"}, "ranges": []}]}))
    rc, out, err = run_pipe(["db", "import", osv], env)
    assert rc == 0, err
    rc, out, err = run_pipe(["image", "--debug", "--scanners", "vuln", image], env)
    assert rc == 0, err
    assert re.search(r"^hull: debug: vuln match \d+\.\d ms \(\d+\.\d+ ms CPU; 1 packages, ",
                     err.decode(), re.M), err


def test_db_update_progress(tmp_path):
    import zipfile
    mirror = tmp_path / "mirror" / "Go"
    mirror.mkdir(parents=True)
    with zipfile.ZipFile(mirror / "all.zip", "w") as zf:
        for i in range(50):
            zf.writestr("GO-%d.json" % i, json.dumps(
                {"id": "GO-%d" % i, "modified": "2024-01-01T00:00:00Z", "affected": [
                    {"package": {"ecosystem": "Go", "name": "p%d" % i}, "ranges": []}]}))
    env = env_for(tmp_path, HULL_DB=str(tmp_path / "db.sqlite"))
    args = ["db", "update", "--url", "file://%s" % (tmp_path / "mirror"), "--ecosystem", "Go"]
    rc, out, err = run_tty(args, env)
    assert rc == 0, err
    assert any(f.startswith("hull: downloading Go/all.zip: ") for f in frames(err)), err
    rc, out, err = run_tty(args + ["-q"], env)
    assert rc == 0 and err == b"", err


REGISTRY_BIN = shutil.which("docker-registry")
SKOPEO = shutil.which("skopeo")


@pytest.mark.skipif(not (REGISTRY_BIN and SKOPEO), reason="needs docker-registry and skopeo")
def test_pull_progress(request, tmp_path_factory, image, tmp_path):
    import test_registry as R
    reg = R.start(request, tmp_path_factory)
    ref = reg.ref("hull/ux:v1")
    R.push_skopeo(image, ref)
    env = env_for(tmp_path)
    env["DOCKER_CONFIG"] = str(tmp_path / "docker-config")
    args = ["pull", "--insecure-registry", reg.host, "docker://" + ref]
    rc, out, err = run_tty(args + ["oci:%s:x" % (tmp_path / "a")], env)
    assert rc == 0, err
    fr = [f for f in frames(err) if f.startswith("hull: downloading layers: ")]
    assert fr and fr[0].startswith("hull: downloading layers: 0/3, 0 B / "), err
    assert b"\r\x1b[K" in err[err.rfind(b"downloading"):]
    # not a terminal, or --quiet: nothing on stderr
    rc, out, err = run_pipe(args + ["oci:%s:x" % (tmp_path / "b")], env)
    assert rc == 0 and err == b"", err
    rc, out, err = run_tty(args + ["-q", "oci:%s:x" % (tmp_path / "c")], env)
    assert rc == 0 and err == b"", err


def test_db_import_progress(tmp_path):
    import zipfile
    src = tmp_path / "osv.zip"
    with zipfile.ZipFile(src, "w") as zf:  # enough for several redraws (~10 a second)
        for i in range(40000):
            zf.writestr("PYSEC-%d.json" % i, json.dumps(
                {"id": "PYSEC-%d" % i, "modified": "2024-01-01T00:00:00Z", "affected": [
                    {"package": {"ecosystem": "PyPI", "name": "p%d" % i}, "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]}))
    env = env_for(tmp_path)
    db = tmp_path / "db.sqlite"
    rc, out, err = run_tty(["db", "import", "--db", db, src], env)
    assert rc == 0, err
    shown = [f for f in frames(err) if f.startswith("hull: importing advisories: ")]
    counts = [int(m.group(1)) for m in
              (re.match(r"hull: importing advisories: (\d+),", f) for f in shown) if m]
    assert counts and counts == sorted(counts) and counts[-1] <= 40000, shown
    assert err.endswith(b"\r\x1b[K") or b"\r\x1b[K" in err  # erased at the end
    rc, out, err = run_tty(["db", "import", "--db", db, "-q", src], env)
    assert rc == 0 and err == b"", err
    rc, out, err = run_pipe(["db", "import", "--db", db, src], env)
    assert rc == 0 and b"importing" not in err, err
