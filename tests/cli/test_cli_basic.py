"""Top-level CLI behaviour: --version, --help, help inspect, usage errors."""
import os
import re
import shutil
import subprocess

import pytest

import hullfix as H


def test_version():
    r = H.hull("--version")
    assert r.rc == 0, r.describe()
    assert re.search(r"\d+\.\d+", r.out), r.describe()


def test_help_lists_inspect():
    r = H.hull("--help")
    assert r.rc == 0, r.describe()
    assert "inspect" in r.out, r.describe()


def test_help_inspect():
    r = H.hull("help", "inspect")
    assert r.rc == 0, r.describe()
    for opt in ("--format", "--list-files", "--max-layer-size", "--platform"):
        assert opt in r.out, "help inspect does not mention %s\n%s" % (opt, r.describe())


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    ["frobnicate", "/"],
    ["--frobnicate"],
    ["inspect", "--frobnicate", "rootfs:{tmp}"],
    ["inspect", "rootfs:{tmp}", "--frobnicate"],
], ids=["command", "command-with-arg", "global-option", "inspect-option",
        "inspect-option-after-source"])
def test_usage_errors_exit_2(args, tmp_path):
    r = H.hull(*[a.format(tmp=tmp_path) for a in args])
    assert r.rc == 2, r.describe()
    assert r.err.strip(), "no message on stderr\n" + r.describe()
    assert r.out == "", r.describe()


def not_linked(lib):
    """hull's ELF has NEEDED entries, none naming lib."""
    needed = subprocess.run(["readelf", "-d", H.HULL], capture_output=True, text=True).stdout
    assert "NEEDED" in needed and lib not in needed, needed


def broken_library(tmp_path, soname):
    """A directory for LD_LIBRARY_PATH holding a symbol-less soname (skips without cc)."""
    if not shutil.which("cc"):
        pytest.skip("no C compiler to build a broken " + soname)
    lib = tmp_path / "lib"
    lib.mkdir()
    (tmp_path / "empty.c").write_text("int not_it;\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(lib / soname),
                    str(tmp_path / "empty.c")], check=True)
    return str(lib)


def test_libarchive_is_loaded_only_for_archives(tmp_path):
    """libarchive (with libxml2, ICU, nettle... behind it) is not linked either: it is
    opened when the first archive is read. Without it, a command that reads an archive
    fails with one line naming it and exits 2; lint and k8s never need it."""
    import io
    import tarfile
    not_linked("libarchive")
    # with the real library an image archive is read as usual (here: a tar without an
    # index.json, which hull reads and then names as not an image)
    tar = tmp_path / "img.tar"
    with tarfile.open(tar, "w") as t:
        data = b"hello\n"
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    env0 = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "c"))
    p = subprocess.run([H.HULL, "inspect", "docker-archive:" + str(tar)], capture_output=True,
                       text=True, env=env0, timeout=60)
    assert p.returncode == 2 and "no manifest.json" in p.stderr, p.stderr
    env = dict(env0, LD_LIBRARY_PATH=broken_library(tmp_path, "libarchive.so.13"))
    p = subprocess.run([H.HULL, "inspect", "docker-archive:" + str(tar)], capture_output=True,
                       text=True, env=env, timeout=60)
    assert p.returncode == 2, p.stderr
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "needs libarchive" in lines[0] and "archive_" in lines[0], lines
    p = subprocess.run([H.HULL, "lint", "-"], input="FROM a@sha256:" + "0" * 64 + "\n",
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode in (0, 1) and "needs libarchive" not in p.stderr, p.stderr


def test_libcurl_is_loaded_only_for_http(tmp_path):
    """libcurl (and the two dozen libraries behind it) is not linked: it is opened on the
    first transfer, so commands without HTTP start without it. When it cannot be loaded,
    the commands that need it fail with one line and exit 2."""
    not_linked("libcurl")
    env = dict(os.environ, LD_LIBRARY_PATH=broken_library(tmp_path, "libcurl.so.4"),
               XDG_CACHE_HOME=str(tmp_path / "c"))
    for args in (["pull", "docker://127.0.0.1:9/x:1", "oci:" + str(tmp_path / "o")],
                 ["db", "update", "--db", str(tmp_path / "v.db"), "--url",
                  "http://127.0.0.1:9/osv", "--ecosystem", "Go"]):
        p = subprocess.run([H.HULL] + args, capture_output=True, text=True, env=env,
                           timeout=60)
        assert p.returncode == 2, (args, p.stderr)
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        assert len(lines) == 1 and "libcurl" in lines[0] and "curl_" in lines[0], lines
    p = subprocess.run([H.HULL, "lint", "-"], input="FROM a@sha256:" + "0" * 64 + "\n",
                       capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode in (0, 1) and "libcurl" not in p.stderr, p.stderr
