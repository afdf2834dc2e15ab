"""hull slim: a Debian bookworm image with jq (made by mmdebstrap) slimmed to what
/usr/bin/jq needs, run with chroot in the unpacked result and compared with the same
command in the original; #! scripts, libraries needing each other through $ORIGIN
RUNPATHs, --include globs, --keep-user, the output transports, and hostile input."""
import fnmatch
import json
import os
import shutil
import subprocess
import tarfile

import pytest

import hullfix as H

PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="chroot needs root")


def ensure_jq_tar():
    """Debian 12 minbase with jq, made once with mmdebstrap (kept across code changes)."""
    out = os.path.join(H.TESTDATA, "debian-jq.tar")
    with H.locked(os.path.join(H.TESTDATA, ".jq.lock")):
        if not os.path.exists(out):
            tmp = out + ".tmp-%d" % os.getpid()
            try:
                subprocess.run(["mmdebstrap", "--quiet", "--variant=minbase", "--mode=root",
                                "--format=tar", "--include=jq", "bookworm", tmp],
                               check=True, capture_output=True)
                os.replace(tmp, out)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
    return out


def config_hook(config):
    def hook(b):
        c = json.loads(b)
        c["config"] = config
        return H.jdump(c)
    return hook


def make_image(path, layers, config):
    """An OCI layout at path (tag "latest") from [(tar bytes, compression)]."""
    H.make_oci_layout(path, layers, config_bytes_hook=config_hook(config))
    return "oci:%s:latest" % path


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, timeout=120, **kw)


def unpack(layout, tag, dest):
    p = run(["umoci", "unpack", "--image", "%s:%s" % (layout, tag), dest])
    assert p.returncode == 0, p.stderr.decode()
    return os.path.join(dest, "rootfs")


def image_config(layout, tag):
    with open(os.path.join(layout, "index.json")) as f:
        idx = json.load(f)
    m = [m for m in idx["manifests"]
         if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == tag]
    assert len(m) == 1, idx
    with open(H.blob_path(layout, m[0]["digest"]), "rb") as f:
        man = json.load(f)
    with open(H.blob_path(layout, man["config"]["digest"]), "rb") as f:
        return man, json.load(f)


def tree(root):
    """{relative path: (kind, size)} of an unpacked rootfs (symlinks not followed)."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            st = os.lstat(p)
            kind = "symlink" if os.path.islink(p) else "dir" if os.path.isdir(p) else "file"
            out["/" + os.path.relpath(p, root)] = (kind, st.st_size if kind == "file" else 0)
    return out


def file_bytes(t):
    return sum(s for k, s in t.values() if k == "file")


def chroot(root, *args, env=None):
    p = run(["chroot", root] + list(args), env=env)
    return p.returncode, p.stdout, p.stderr


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def jq(tmp_path_factory):
    """The jq image, its tar layer and the original rootfs (extracted with tar)."""
    tar = ensure_jq_tar()
    work = tmp_path_factory.mktemp("slim")
    with open(tar, "rb") as f:
        data = f.read()
    config = {"Env": [PATH_ENV], "Entrypoint": ["/usr/bin/jq"], "User": "1000:1000",
              "WorkingDir": "/srv"}
    src = make_image(str(work / "jq"), [(data, "none")], config)
    orig = work / "orig"
    orig.mkdir()
    p = run(["tar", "-xf", tar, "-C", str(orig), "--numeric-owner", "--exclude=./dev/*"])
    assert p.returncode == 0, p.stderr
    return {"work": work, "src": src, "orig": str(orig), "tar": tar, "data": data}


@pytest.fixture(scope="module")
def jq_slim(jq):
    """hull slim of the jq image with a report, unpacked."""
    out = jq["work"] / "out"
    report = jq["work"] / "report.json"
    res = H.hull("slim", jq["src"], "-o", "oci:%s:slim" % out, "--report", report)
    assert res.rc == 0, res.describe()
    root = unpack(str(out), "slim", str(jq["work"] / "bundle"))
    with open(report) as f:
        rep = H.strict_json(f.read())
    return {"res": res, "out": str(out), "root": root, "report": rep}


@pytest.fixture(scope="module")
def cycle_libs(tmp_path_factory):
    """prog -> libA.so <-> libB.so (each needs the other), found through prog's
    DT_RPATH $ORIGIN/../lib (which, unlike DT_RUNPATH, also serves the libraries'
    own needs), built here with gcc."""
    d = tmp_path_factory.mktemp("cycle")
    srcs = {
        "a.c": "int b(void); int a(void) { return 40; } int call_b(void) { return b(); }\n",
        "b.c": "int a(void); int b(void) { return a() + 2; }\n",
        "main.c": "#include <stdio.h>\nint call_b(void);\n"
                  "int main(void) { printf(\"answer %d\\n\", call_b()); return 0; }\n",
    }
    for n, s in srcs.items():
        (d / n).write_text(s)
    cc = ["gcc", "-shared", "-fPIC", "-Wl,--no-as-needed"]
    for cmd in (cc + ["-o", "libB.so", "b.c", "-Wl,-soname,libB.so"],
                cc + ["-o", "libA.so", "a.c", "-L.", "-lB", "-Wl,-soname,libA.so"],
                cc + ["-o", "libB.so", "b.c", "-L.", "-lA", "-Wl,-soname,libB.so"],
                ["gcc", "-o", "prog", "main.c", "-L.", "-Wl,--no-as-needed", "-lA",
                 "-Wl,-rpath-link,.",
                 "-Wl,--disable-new-dtags,-rpath,$ORIGIN/../lib"]):
        p = run(cmd, cwd=str(d))
        assert p.returncode == 0, p.stderr.decode()
    return {n: (d / n).read_bytes() for n in ("libA.so", "libB.so", "prog")}


# --------------------------------------------------------------------------- jq

def test_jq_runs_and_shrinks(jq, jq_slim):
    root, orig = jq_slim["root"], jq["orig"]
    for args in (["/usr/bin/jq", "-n", "[1,2]|add"],
                 ["/usr/bin/jq", "-c", "[.a[] | select(. > 1) * 10]", "/data.json"]):
        for r in (root, orig):
            with open(os.path.join(r, "data.json"), "w") as f:
                f.write('{"a": [1, 2, 3]}')
        want = chroot(orig, *args)
        got = chroot(root, *args)
        assert want[0] == 0 and want[1], want
        assert got == want
    before, after = tree(orig), tree(root)
    assert file_bytes(after) * 10 <= file_bytes(before), (file_bytes(after), file_bytes(before))
    # the files hull says it kept are the files there are, with the original content
    rep = jq_slim["report"]
    kept = {k["path"]: k for k in rep["kept"]}
    assert set(kept) == set(after) - {"/data.json"}
    for p, (kind, size) in after.items():
        if p == "/data.json":
            continue
        assert kept[p]["type"] == kind, p
        if kind == "file" and p not in ("/etc/passwd", "/etc/group"):
            with open(os.path.join(root, p[1:]), "rb") as a, \
                    open(os.path.join(orig, p[1:]), "rb") as b:
                assert a.read() == b.read(), p
        if kind == "symlink":
            assert os.readlink(os.path.join(root, p[1:])) == \
                os.readlink(os.path.join(orig, p[1:])), p
    assert kept["/usr/bin/jq"]["why"] == "entrypoint"
    assert kept["/usr/lib/x86_64-linux-gnu/libc.so.6"]["why"].startswith("needed by")
    onig = [p for p in kept if "libonig.so" in p and kept[p]["type"] == "file"]
    assert onig and "libjq" in kept[onig[0]]["why"]
    assert kept["/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"]["why"] == \
        "interpreter of /usr/bin/jq"
    assert "/usr/bin/bash" not in after and "/usr/bin/dash" not in after
    assert after["/srv"][0] == "dir"  # the WorkingDir


def test_jq_report_figures(jq, jq_slim):
    """The before/after figures against the tar itself and the unpacked result."""
    rep = jq_slim["report"]
    with tarfile.open(jq["tar"]) as tf:
        regs = [m for m in tf.getmembers() if m.isreg()]
        nondirs = [m for m in tf.getmembers() if not m.isdir()
                   and H.norm(m.name) != "/"]
    assert rep["schema"] == "hull.slim/v1"
    assert rep["before"]["bytes"] == sum(m.size for m in regs)
    assert rep["before"]["files"] == len(nondirs)
    after = tree(jq_slim["root"])
    after.pop("/data.json", None)  # written by another test
    assert rep["after"]["bytes"] == file_bytes(after)
    assert rep["after"]["files"] == len([1 for k, _ in after.values() if k != "dir"])
    assert rep["reduction_percent"] >= 90
    assert rep["before"]["uncompressed_layer_bytes"] == len(jq["data"])
    out = jq_slim["res"].out
    assert H.mentions_size(out, rep["before"]["bytes"]) and \
        H.mentions_size(out, rep["after"]["bytes"]), out
    assert "%d -> %d" % (rep["before"]["files"], rep["after"]["files"]) in out


def test_jq_config_and_user(jq, jq_slim):
    man, cfg = image_config(jq_slim["out"], "slim")
    assert len(man["layers"]) == 1
    assert cfg["config"]["User"] == "65532:65532"
    assert cfg["config"]["Entrypoint"] == ["/usr/bin/jq"]
    assert cfg["config"]["Env"] == [PATH_ENV]
    assert cfg["config"]["WorkingDir"] == "/srv"
    assert [h["created_by"] for h in cfg["history"]] == ["hull slim"]
    assert jq_slim["report"]["user"] == "65532:65532"
    with open(os.path.join(jq["orig"], "etc/passwd")) as f:
        orig_passwd = f.read()
    with open(os.path.join(jq_slim["root"], "etc/passwd")) as f:
        passwd = f.read()
    assert passwd == orig_passwd + "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
    with open(os.path.join(jq_slim["root"], "etc/group")) as f:
        assert f.read().endswith("\nnonroot:x:65532:\n")
    # the slim program runs as the nonroot user too
    p = run(["chroot", "--userspec=65532:65532", jq_slim["root"], "/usr/bin/jq", "-n", "1+1"])
    assert p.returncode == 0 and p.stdout == b"2\n", p


def test_keep_user_and_reproducible(jq):
    out = jq["work"] / "keep"
    res = H.hull("slim", "--keep-user", jq["src"], "-o", "oci:%s:a" % out)
    assert res.rc == 0, res.describe()
    _, cfg = image_config(str(out), "a")
    assert cfg["config"]["User"] == "1000:1000"
    res2 = H.hull("slim", "--keep-user", jq["src"], "-o", "oci:%s:b" % out)
    assert res2.rc == 0, res2.describe()
    with open(os.path.join(out, "index.json")) as f:
        idx = json.load(f)
    digests = {m["annotations"]["org.opencontainers.image.ref.name"]: m["digest"]
               for m in idx["manifests"]}
    assert digests["a"] == digests["b"]  # the same input gives the same image
    root = unpack(str(out), "a", str(jq["work"] / "keep-bundle"))
    with open(os.path.join(root, "etc/passwd")) as a, \
            open(os.path.join(jq["orig"], "etc/passwd")) as b:
        assert a.read() == b.read()


def test_include_globs(jq):
    out = jq["work"] / "incl"
    res = H.hull("slim", jq["src"], "-o", "oci:%s:i" % out,
                 "--include", "/usr/share/doc/jq/**",
                 "--include", "/lib/x86_64-linux-gnu/libnss_*.so.2",  # through /lib -> usr/lib
                 "--include", "/etc/default")
    assert res.rc == 0, res.describe()
    root = unpack(str(out), "i", str(jq["work"] / "incl-bundle"))
    orig, after = tree(jq["orig"]), tree(root)
    want = {p for p in orig if p.startswith("/usr/share/doc/jq/")}
    want |= {p for p in orig if fnmatch.fnmatch(p, "/usr/lib/x86_64-linux-gnu/libnss_*.so.2")}
    want |= {p for p in orig if p.startswith("/etc/default/")}
    assert want and want <= set(after), sorted(want - set(after))
    assert not {p for p in after if p.startswith("/usr/share/doc/")
                and not p.startswith("/usr/share/doc/jq")} - {"/usr/share/doc"}
    for p in want:
        if orig[p][0] == "file":
            with open(os.path.join(root, p[1:]), "rb") as a, \
                    open(os.path.join(jq["orig"], p[1:]), "rb") as b:
                assert a.read() == b.read(), p
    # a glob that matches nothing, a path that is not there: errors, nothing written
    for bad in ("/usr/share/nothing/*", "/etc/nope"):
        dest = jq["work"] / "incl-bad"
        res = H.hull("slim", jq["src"], "-o", "oci:%s" % dest, "--include", bad)
        assert res.rc == 2 and bad in res.err, res.describe()
        assert not os.path.exists(dest)


def test_shebang_env_script(jq):
    script = b"#!/usr/bin/env sh\nexec jq -n '[1,2,3]|add'\n"
    layer2 = H.make_tar([H.entry("usr/local/bin/run", data=script, mode=0o755)])
    src = make_image(str(jq["work"] / "sh"), [(jq["data"], "none"), (layer2, "gzip")],
                     {"Env": [PATH_ENV], "Entrypoint": ["/usr/local/bin/run"]})
    out, report = jq["work"] / "sh-out", jq["work"] / "sh.json"
    res = H.hull("slim", src, "-o", "oci:%s:s" % out, "--include", "/usr/bin/jq",
                 "--report", report)
    assert res.rc == 0, res.describe()
    kept = {k["path"]: k["why"] for k in json.load(open(report))["kept"]}
    assert kept["/usr/local/bin/run"] == "entrypoint"
    assert kept["/usr/bin/env"] == "interpreter of /usr/local/bin/run"
    assert kept["/usr/bin/sh"] == "run by env for /usr/local/bin/run"  # the symlink
    assert kept["/usr/bin/dash"] == "run by env for /usr/local/bin/run"
    root = unpack(str(out), "s", str(jq["work"] / "sh-bundle"))
    assert chroot(root, "/usr/local/bin/run")[:2] == (0, b"6\n")
    assert "/usr/bin/bash" not in tree(root)


def test_needs_cycle_and_origin(jq, cycle_libs):
    layer2 = H.make_tar([
        H.entry("opt/app/bin/prog", data=cycle_libs["prog"], mode=0o755),
        H.entry("opt/app/lib/libA.so", data=cycle_libs["libA.so"], mode=0o755),
        H.entry("opt/app/lib/libB.so", data=cycle_libs["libB.so"], mode=0o755),
    ])
    src = make_image(str(jq["work"] / "cyc"), [(jq["data"], "none"), (layer2, "none")],
                     {"Env": [PATH_ENV], "Cmd": ["/opt/app/bin/prog"]})
    out, report = jq["work"] / "cyc-out", jq["work"] / "cyc.json"
    res = H.hull("slim", src, "-o", "oci:%s:c" % out, "--report", report)
    assert res.rc == 0, res.describe()
    kept = {k["path"]: k["why"] for k in json.load(open(report))["kept"]}
    assert kept["/opt/app/lib/libA.so"] == "needed by /opt/app/bin/prog (libA.so)"
    assert kept["/opt/app/lib/libB.so"] == "needed by /opt/app/lib/libA.so (libB.so)"
    root = unpack(str(out), "c", str(jq["work"] / "cyc-bundle"))
    orig = unpack(str(jq["work"] / "cyc"), "latest", str(jq["work"] / "cyc-orig"))
    # ld.so learns the executable's $ORIGIN from /proc/self/exe, absent in a bare
    # chroot; LD_ORIGIN_PATH is its documented stand-in.
    env = dict(os.environ, LD_ORIGIN_PATH="/opt/app/bin")
    assert chroot(orig, "/opt/app/bin/prog", env=env)[:2] == (0, b"answer 42\n")
    assert chroot(root, "/opt/app/bin/prog", env=env)[:2] == (0, b"answer 42\n")
    assert len([p for p, (k, _) in tree(root).items() if k == "file"]) < 15


# --------------------------------------------------------------------------- small images

def tiny_static(tmp_path):
    c = tmp_path / "tiny.c"
    c.write_text('void _start(void) { __asm__ volatile("mov $60, %eax\\n'
                 'mov $7, %edi\\nsyscall"); }\n')
    p = run(["gcc", "-static", "-nostdlib", "-Os", "-o", str(tmp_path / "tiny"), str(c)])
    assert p.returncode == 0, p.stderr
    return (tmp_path / "tiny").read_bytes()


def small_image(tmp_path, entries, config, name="img"):
    return make_image(str(tmp_path / name), [(H.make_tar(entries), "gzip")], config)


def test_static_binary_and_transports(tmp_path):
    tiny = tiny_static(tmp_path)
    src = small_image(tmp_path, [
        H.entry("app/tiny", data=tiny, mode=0o755),
        H.entry("app/unused", data=b"x" * 5000),
        H.entry("etc/passwd", data=b"root:x:0:0:root:/root:/bin/sh\n"),
    ], {"Entrypoint": ["/app/tiny"]})
    for dest in ("oci-archive:%s" % (tmp_path / "o.tar"),
                 "docker-archive:%s:slim:1" % (tmp_path / "d.tar"),
                 "oci:%s:t" % (tmp_path / "o")):
        res = H.hull("slim", src, "-o", dest)
        assert res.rc == 0, res.describe()
        p = run(["skopeo", "inspect", "--raw" if dest.startswith("oci-a") else "--config",
                 dest.replace(":slim:1", "")])
        assert p.returncode == 0, p.stderr
    root = unpack(str(tmp_path / "o"), "t", str(tmp_path / "b"))
    t = tree(root)
    assert set(t) == {"/app", "/app/tiny", "/etc", "/etc/passwd", "/etc/group"}
    assert chroot(root, "/app/tiny")[0] == 7
    with open(os.path.join(root, "etc/group")) as f:
        assert f.read() == "root:x:0:\nnonroot:x:65532:\n"


def expect_error(tmp_path, src, needle, *extra):
    for dest in ("oci:%s" % (tmp_path / "out"), "oci-archive:%s" % (tmp_path / "out.tar")):
        res = H.hull("slim", src, "-o", dest, "--report", tmp_path / "r.json", *extra)
        assert res.rc == 2, res.describe()
        assert len(res.err_lines) == 1 and res.err_lines[0].startswith("hull: error: "), \
            res.describe()
        assert needle in res.err, res.describe()
        assert not os.path.exists(tmp_path / "out") and not os.path.exists(tmp_path / "out.tar")
        assert not os.path.exists(tmp_path / "r.json")
    return res


def test_hostile_truncated_elf(tmp_path):
    with open("/bin/ls", "rb") as f:
        head = f.read(200)
    src = small_image(tmp_path, [H.entry("bin/x", data=head, mode=0o755)],
                      {"Entrypoint": ["/bin/x"]})
    expect_error(tmp_path, src, "/bin/x: truncated ELF")


def test_hostile_missing_library(tmp_path, cycle_libs):
    src = small_image(tmp_path, [H.entry("bin/prog", data=cycle_libs["prog"], mode=0o755)],
                      {"Entrypoint": ["/bin/prog"]})
    expect_error(tmp_path, src, "/bin/prog: needed library libA.so not found")


def test_hostile_missing_entrypoint(tmp_path):
    src = small_image(tmp_path, [H.entry("bin/x", data=b"data")],
                      {"Entrypoint": ["/nope"], "Cmd": ["x"]})
    expect_error(tmp_path, src, "entrypoint: /nope: not in the image")
    src = small_image(tmp_path, [H.entry("bin/x", data=b"data")],
                      {"Cmd": ["prog"], "Env": ["PATH=/bin"]}, "img2")
    expect_error(tmp_path, src, "entrypoint prog: not found in the image (searched PATH)")
    src = small_image(tmp_path, [H.entry("bin/x", data=b"data")], {}, "img3")
    expect_error(tmp_path, src, "no Entrypoint or Cmd")


def test_hostile_symlinks(tmp_path):
    tiny = tiny_static(tmp_path)
    src = small_image(tmp_path, [
        H.entry("bin/real", data=tiny, mode=0o755),
        H.entry("bin/x", type="symlink", link="../../../../outside/bin/real"),
    ], {"Entrypoint": ["/bin/x"]})
    expect_error(tmp_path, src, "escapes the image root")
    src = small_image(tmp_path, [
        H.entry("bin/x", type="symlink", link="/bin/y"),
        H.entry("bin/y", type="symlink", link="x"),
    ], {"Entrypoint": ["/bin/x"]}, "loop")
    expect_error(tmp_path, src, "too many levels of symbolic links")
    src = small_image(tmp_path, [
        H.entry("bin/real", data=tiny, mode=0o755),
        H.entry("etc/link", type="symlink", link="../../../host/etc"),
    ], {"Entrypoint": ["/bin/real"]}, "incl")
    expect_error(tmp_path, src, "escapes the image root", "--include", "/etc/link")


def test_hostile_script_interpreter(tmp_path):
    src = small_image(tmp_path, [H.entry("run", data=b"#!/no/such/sh\necho\n", mode=0o755)],
                      {"Entrypoint": ["/run"]})
    expect_error(tmp_path, src, "interpreter of /run: /no/such/sh: not in the image")
    src = small_image(tmp_path, [H.entry("run", data=b"#!/run\n", mode=0o755)],
                      {"Entrypoint": ["/run"]}, "self")
    res = H.hull("slim", src, "-o", "oci:%s" % (tmp_path / "self-out"))
    assert res.rc == 0 or "too many levels" in res.err, res.describe()


def test_usage_errors(tmp_path):
    res = H.hull("slim", "oci:/nonexistent")
    assert res.rc == 2 and "-o DEST is required" in res.err
    res = H.hull("slim", "--include", "relative", "x", "-o", "oci:y")
    assert res.rc == 2 and "not an absolute path" in res.err
    res = H.hull("slim", "--help")
    assert res.rc == 0 and "--include PATH|GLOB" in res.out and "dlopen" in res.out


def test_ld_so_conf_and_ld_library_path(jq, cycle_libs):
    """Libraries found only through the image's ld.so.conf (whose includes loop and fan
    out) or through LD_LIBRARY_PATH from the config's Env."""
    # prog's RPATH $ORIGIN/../lib leads nowhere here: the libraries are in /opt/other
    confs = [H.entry("etc/ld.so.conf.d/%d-loop.conf" % i,
                     data=b"# every file includes every file\ninclude *.conf\n"
                          b"include /etc/ld.so.conf\n") for i in range(12)]
    layer2 = H.make_tar([
        H.entry("usr/bin/prog", data=cycle_libs["prog"], mode=0o755),
        H.entry("opt/other/libA.so", data=cycle_libs["libA.so"], mode=0o755),
        H.entry("opt/other/libB.so", data=cycle_libs["libB.so"], mode=0o755),
        H.entry("etc/ld.so.conf.d/zz-other.conf", data=b"/opt/other/  # trailing slash\n"),
    ] + confs)
    src = make_image(str(jq["work"] / "conf"), [(jq["data"], "none"), (layer2, "none")],
                     {"Env": [PATH_ENV], "Entrypoint": ["prog"]})
    report = jq["work"] / "conf.json"
    res = H.hull("slim", src, "-o", "oci:%s" % (jq["work"] / "conf-out"), "--report", report)
    assert res.rc == 0, res.describe()
    kept = {k["path"]: k["why"] for k in json.load(open(report))["kept"]}
    assert kept["/usr/bin/prog"] == "entrypoint"
    assert kept["/opt/other/libA.so"] == "needed by /usr/bin/prog (libA.so)"
    assert kept["/opt/other/libB.so"] == "needed by /opt/other/libA.so (libB.so)"
    assert kept["/etc/ld.so.conf.d/zz-other.conf"] == "loader configuration"

    layer2 = H.make_tar([
        H.entry("usr/bin/prog", data=cycle_libs["prog"], mode=0o755),
        H.entry("opt/x/libA.so", data=cycle_libs["libA.so"], mode=0o755),
        H.entry("opt/y/libB.so", data=cycle_libs["libB.so"], mode=0o755),
    ])
    env = [PATH_ENV, "LD_LIBRARY_PATH=/opt/nothing::/opt/x:/opt/y"]
    src = make_image(str(jq["work"] / "ldp"), [(jq["data"], "none"), (layer2, "none")],
                     {"Env": env, "Entrypoint": ["/usr/bin/prog"]})
    out = jq["work"] / "ldp-out"
    res = H.hull("slim", src, "-o", "oci:%s:l" % out)
    assert res.rc == 0, res.describe()
    root = unpack(str(out), "l", str(jq["work"] / "ldp-bundle"))
    run_env = dict(os.environ, LD_LIBRARY_PATH="/opt/nothing::/opt/x:/opt/y")
    assert chroot(root, "/usr/bin/prog", env=run_env)[:2] == (0, b"answer 42\n")
    # without the variable in the config, the libraries are not found: an error
    src = make_image(str(jq["work"] / "ldp2"), [(jq["data"], "none"), (layer2, "none")],
                     {"Env": [PATH_ENV], "Entrypoint": ["/usr/bin/prog"]})
    res = H.hull("slim", src, "-o", "oci:%s" % (jq["work"] / "ldp2-out"))
    assert res.rc == 2 and "needed library libA.so not found" in res.err, res.describe()
    assert not os.path.exists(jq["work"] / "ldp2-out")


def test_shell_form_and_path_arguments(jq):
    """["/bin/sh", "-c", "exec jq …"]: the shell (through /bin -> usr/bin and sh -> dash)
    and the first command of the script; absolute paths among the arguments are kept."""
    layer2 = H.make_tar([H.entry("etc/app/conf.json", data=b'{"k": [3, 4]}'),
                         H.entry("etc/app/unused.json", data=b"{}")])
    cfg = {"Env": [PATH_ENV], "Entrypoint": ["/bin/sh", "-c", "exec jq -c .k \"$0\""],
           "Cmd": ["/etc/app/conf.json"]}
    src = make_image(str(jq["work"] / "shc"), [(jq["data"], "none"), (layer2, "none")], cfg)
    out, report = jq["work"] / "shc-out", jq["work"] / "shc.json"
    res = H.hull("slim", src, "-o", "oci:%s:s" % out, "--report", report)
    assert res.rc == 0, res.describe()
    kept = {k["path"]: k["why"] for k in json.load(open(report))["kept"]}
    assert kept["/bin"] == "entrypoint" and kept["/usr/bin/sh"] == "entrypoint"
    assert kept["/usr/bin/dash"] == "entrypoint"
    assert kept["/usr/bin/jq"] == "run by the entrypoint's shell command"
    assert kept["/etc/app/conf.json"] == "argument of the entrypoint"
    assert "/etc/app/unused.json" not in kept
    root = unpack(str(out), "s", str(jq["work"] / "shc-bundle"))
    p = run(["chroot", root] + cfg["Entrypoint"] + cfg["Cmd"])
    assert (p.returncode, p.stdout) == (0, b"[3,4]\n"), p


def test_push_to_registry(tmp_path):
    if not shutil.which("docker-registry") or not shutil.which("skopeo"):
        pytest.skip("needs docker-registry and skopeo")
    import test_registry as R
    tiny = tiny_static(tmp_path)
    src = small_image(tmp_path, [H.entry("app/tiny", data=tiny, mode=0o755),
                                 H.entry("app/unused", data=b"x" * 5000)],
                      {"Entrypoint": ["/app/tiny"]})
    reg = R.Registry(str(tmp_path / "reg"))
    try:
        ref = reg.ref("tiny:slim")
        res = H.hull("slim", src, "-o", "docker://" + ref)
        assert res.rc == 0, res.describe()
        p = run(["skopeo", "inspect", "--tls-verify=false", "docker://" + ref])
        assert p.returncode == 0, p.stderr
        info = json.loads(p.stdout)
        assert len(info["Layers"]) == 1
        assert "digest: %s" % info["Digest"] in res.out
        res2 = H.hull("slim", src, "-o", "oci:%s:t" % (tmp_path / "o"))
        assert res2.rc == 0 and "digest: %s" % info["Digest"] in res2.out, res2.describe()
    finally:
        reg.stop()


def test_include_tree_with_odd_symlinks(tmp_path):
    """A kept directory whose symlinks point up, at the root, at themselves, nowhere and
    into a sibling tree: the links are kept, the sibling's files too, and it ends."""
    tiny = tiny_static(tmp_path)
    src = small_image(tmp_path, [
        H.entry("bin/tiny", data=tiny, mode=0o755),
        H.entry("data/a/file", data=b"1"),
        H.entry("data/a/up", type="symlink", link=".."),
        H.entry("data/root", type="symlink", link="/"),
        H.entry("data/self", type="symlink", link="self"),
        H.entry("data/gone", type="symlink", link="/nowhere"),
        H.entry("data/other", type="symlink", link="../other"),
        H.entry("other/x/y", data=b"2"),
        H.entry("other2/z", data=b"3"),
    ], {"Entrypoint": ["/bin/tiny"]})
    report = tmp_path / "r.json"
    res = H.hull("slim", src, "-o", "oci:%s:t" % (tmp_path / "o"), "--include", "/data",
                 "--report", report)
    assert res.rc == 0, res.describe()
    kept = {k["path"] for k in json.load(open(report))["kept"]}
    assert {"/data/a/file", "/data/a/up", "/data/root", "/data/self", "/data/gone",
            "/data/other", "/other/x/y"} <= kept
    assert "/other2/z" not in kept
