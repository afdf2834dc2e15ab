"""`hull inspect` on small synthetic images and directories whose every number is known:
rootfs:, exact efficiency/waste/counters, whiteouts, device nodes, -o."""
import io
import os
import stat

import pytest

import hullfix as H
from hullfix import entry as E


def inspect_json(*args):
    r = H.hull("inspect", "--format", "json", *args)
    assert r.rc == 0, r.describe()
    return r, r.json()


# ----------------------------------------------------------------- rootfs:

@pytest.fixture
def rootdir(tmp_path):
    d = tmp_path / "root"
    (d / "etc").mkdir(parents=True)
    (d / "etc" / "os-release").write_text("NAME=test\n")
    (d / "usr" / "bin").mkdir(parents=True)
    (d / "usr" / "bin" / "tool").write_bytes(H.rand_blob(12345))
    os.chmod(d / "usr" / "bin" / "tool", 0o755)
    (d / "usr" / "bin" / "su").write_bytes(b"x" * 10)
    os.chmod(d / "usr" / "bin" / "su", 0o4755)
    (d / "usr" / "bin" / "wall").write_bytes(b"y" * 3)
    os.chmod(d / "usr" / "bin" / "wall", 0o2755)
    (d / "tmp").mkdir()
    os.chmod(d / "tmp", 0o1777)
    (d / "empty").mkdir()
    os.symlink("usr/bin", d / "bin")
    os.symlink("/nonexistent/target", d / "dangling")
    os.link(d / "usr" / "bin" / "tool", d / "usr" / "bin" / "tool-hardlink")
    os.mkfifo(d / "fifo")
    os.mknod(d / "null", 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    (d / "home").mkdir()
    (d / "home" / "u").write_text("mine\n")
    os.chown(d / "home" / "u", 1000, 1001)
    os.chmod(d / "home" / "u", 0o600)
    (d / "zero").write_bytes(b"")
    (d / "name with spaces").write_text("s")
    # bytewise order differs from tree-walk and from locale order here
    (d / "a").mkdir()
    (d / "a" / "b").write_text("b")
    (d / "a-b").write_text("ab")
    (d / "Zeta").write_text("z")
    (d / "_under").write_text("u")
    (d / "\u00e9t\u00e9").write_text("e")
    return d


def test_rootfs_matches_lstat(rootdir):
    src = "rootfs:%s" % rootdir
    r, j = inspect_json("--list-files", src)
    errs = H.compare_files(j["files"], H.walk_tree(str(rootdir)), require_hardlinks=False)
    assert not errs, "\n".join(errs)
    assert {f["layer"] for f in j["files"]} == {0}
    assert j["source"] == src
    assert len(j["layers"]) == 1
    assert j["layers"][0]["digest"] is None and j["layers"][0]["diff_id"] is None
    assert j["wasted_bytes"] == 0 and j["efficiency"] == 1.0


def test_rootfs_bare_directory_detected(rootdir):
    r, j = inspect_json("--list-files", str(rootdir))
    assert j["source"] in (str(rootdir), "rootfs:%s" % rootdir), j["source"]
    errs = H.compare_files(j["files"], H.walk_tree(str(rootdir)), require_hardlinks=False)
    assert not errs, "\n".join(errs)


# ----------------------------------------------------------------- exact measures

THREE = [
    [E("etc/", "dir"), E("etc/a", data=b"a" * 100), E("etc/b", data=b"b" * 50),
     E("etc/l", "symlink", link="a")],
    [E("etc/", "dir"), E("etc/a", data=b"A" * 300), E("etc/c", data=b"c" * 20)],
    [E("etc/", "dir", mode=0o700), E("etc/a", data=b"2" * 200)],
]


def _ents(layers):
    return [H.tar_entries(io.BytesIO(H.make_tar(l))) for l in layers]


def test_exact_measures(tmp_path):
    info = H.make_oci_layout(str(tmp_path / "L"),
                             [(H.make_tar(l), c) for l, c in zip(THREE, ["gzip", "zstd", "none"])])
    r, j = inspect_json("--list-files", "oci:%s" % info["path"])
    assert r.err == ""
    ents = _ents(THREE)
    a = H.analyze(ents)
    eff = H.efficiency_no_whiteouts(ents)
    # by hand: /etc/a holds 100+300+200, keeps min 100; /etc/b 50; /etc/c 20
    assert abs(eff - 170 / 670) < 1e-12 and a["wasted_bytes"] == 400
    assert abs(j["efficiency"] - 170 / 670) < 1e-6, j["efficiency"]  # 6 decimals are enough
    assert j["wasted_bytes"] == 400
    assert [l["wasted_bytes"] for l in j["layers"]] == [100, 300, 0]
    assert [(l["files_added"], l["files_changed"], l["files_removed"]) for l in j["layers"]] \
        == [(4, 0, 0), (1, 1, 0), (0, 2, 0)]
    assert j["top_wasted"] == [{"path": "/etc/a", "copies": 3, "wasted_bytes": 400}]
    f = {x["path"]: x for x in j["files"]}
    assert sorted(f) == ["/etc", "/etc/a", "/etc/b", "/etc/c", "/etc/l"]
    assert (f["/etc"]["mode"], f["/etc"]["layer"]) == ("0700", 2)
    assert (f["/etc/a"]["size"], f["/etc/a"]["layer"]) == (200, 2)
    assert (f["/etc/c"]["layer"], f["/etc/b"]["layer"]) == (1, 0)
    assert (f["/etc/l"]["type"], f["/etc/l"]["link"], f["/etc/l"]["size"]) == ("symlink", "a", 0)
    for l, il in zip(j["layers"], info["layers"]):
        for k in ("digest", "diff_id", "size", "uncompressed_size", "media_type"):
            assert l[k] == il[k], k
    assert j["size"] == sum(l["size"] for l in info["layers"])
    assert j["uncompressed_size"] == sum(l["uncompressed_size"] for l in info["layers"])
    assert j["config_digest"] == info["config"] and j["digest"] == info["manifest"]
    assert [h["created_by"] for h in j["history"]] == ["layer 0", "layer 1", "layer 2"]
    assert [l["created_by"] for l in j["layers"]] == ["layer 0", "layer 1", "layer 2"]


def test_whiteouts_and_opaque_dirs(tmp_path):
    layers = [
        [E("d/", "dir"), E("d/x", data=b"x" * 10), E("d/sub/", "dir"),
         E("d/sub/y", data=b"y" * 20), E("z", data=b"z" * 5), E("keep", data=b"k")],
        # the opaque marker comes after d/new: it hides lower layers only
        [E("d/", "dir"), E("d/new", data=b"n" * 7), E("d/.wh..wh..opq"), E(".wh.z"),
         E(".wh.never-existed")],
    ]
    info = H.make_oci_layout(str(tmp_path / "L"), [(H.make_tar(l), "gzip") for l in layers])
    r, j = inspect_json("--list-files", "oci:%s" % info["path"])
    f = {x["path"]: x for x in j["files"]}
    assert sorted(f) == ["/d", "/d/new", "/keep"]
    assert j["wasted_bytes"] == 35
    assert [l["wasted_bytes"] for l in j["layers"]] == [35, 0]
    assert (j["layers"][1]["files_removed"], j["layers"][1]["files_added"],
            j["layers"][1]["files_changed"]) == (4, 1, 0)
    assert j["efficiency"] < 1.0


def test_device_nodes_and_modes(tmp_path):
    layer = [E("dev/", "dir"), E("dev/null", "char", mode=0o666, major=1, minor=3),
             E("dev/sda", "block", mode=0o660, gid=6, major=8, minor=0),
             E("dev/fifo", "fifo", mode=0o600), E("tmp/", "dir", mode=0o1777),
             E("bin/", "dir"), E("bin/su", data=b"su", mode=0o4755),
             E("bin/x", data=b"x", mode=0o6750, uid=1000, gid=1000),
             E("bin/none", data=b"", mode=0o000)]
    info = H.make_oci_layout(str(tmp_path / "L"), [(H.make_tar(layer), "gzip")])
    r, j = inspect_json("--list-files", "oci:%s" % info["path"])
    got = {x["path"]: (x["type"], x["mode"], x["uid"], x["gid"], x["link"], x["layer"])
           for x in j["files"]}
    assert got == {
        "/dev": ("dir", "0755", 0, 0, None, 0),
        "/dev/fifo": ("fifo", "0600", 0, 0, None, 0),
        "/dev/null": ("char", "0666", 0, 0, None, 0),
        "/dev/sda": ("block", "0660", 0, 6, None, 0),
        "/tmp": ("dir", "1777", 0, 0, None, 0),
        "/bin": ("dir", "0755", 0, 0, None, 0),
        "/bin/su": ("file", "4755", 0, 0, None, 0),
        "/bin/x": ("file", "6750", 1000, 1000, None, 0),
        "/bin/none": ("file", "0000", 0, 0, None, 0),
    }
    assert [x["path"] for x in j["files"]] == sorted(got, key=lambda p: p.encode())


def test_output_file(tmp_path):
    info = H.make_oci_layout(str(tmp_path / "L"), [(H.make_tar(l), "gzip") for l in THREE])
    src = "oci:%s" % info["path"]
    r0, j0 = inspect_json("--list-files", src)
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "report.json"
    out.write_text("old junk that must be replaced")
    r = H.hull("inspect", "--format", "json", "--list-files", "-o", out, src)
    assert r.rc == 0, r.describe()
    assert r.out == ""
    assert H.strict_json(out.read_text()) == j0
    assert os.listdir(outdir) == ["report.json"], "temporary files left behind"
    r = H.hull("inspect", "-o", outdir / "report.txt", src)
    assert r.rc == 0 and r.out == "", r.describe()
    assert (outdir / "report.txt").read_text() == H.hull("inspect", src).out


def test_docker_archive_layers_via_symlinks(tmp_path):
    """skopeo/podman style: layers stored as <hex>.tar, manifest.json naming the
    <id>/layer.tar symlinks that point at them."""
    import tarfile
    layers = [H.make_tar(l) for l in THREE]
    diff_ids = [H.sha256_bytes(l) for l in layers]
    cfg = H.jdump(H.make_config(diff_ids))
    ids = [H.hexof(c) for c in H.chain_ids(diff_ids)]
    p = str(tmp_path / "img.tar")

    def add(tf, name, data=None, link=None, isdir=False):
        ti = tarfile.TarInfo(name)
        ti.mtime = H.MTIME
        if link:
            ti.type, ti.linkname = tarfile.SYMTYPE, link
            tf.addfile(ti)
        elif isdir:
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            tf.addfile(ti)
        else:
            ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data))

    with tarfile.open(p, "w") as tf:
        for l, d in zip(layers, diff_ids):
            add(tf, H.hexof(d) + ".tar", l)
        for lid, d in zip(ids, diff_ids):
            add(tf, lid, isdir=True)
            add(tf, lid + "/layer.tar", link="../%s.tar" % H.hexof(d))
            add(tf, lid + "/VERSION", b"1.0")
            add(tf, lid + "/json", H.jdump({"id": lid}))
        add(tf, H.hexof(H.sha256_bytes(cfg)) + ".json", cfg)
        add(tf, "manifest.json", H.jdump([{
            "Config": H.hexof(H.sha256_bytes(cfg)) + ".json", "RepoTags": ["example/img:1"],
            "Layers": [lid + "/layer.tar" for lid in ids]}]))
    r, j = inspect_json("--list-files", "docker-archive:" + p)
    assert j["digest"] == j["config_digest"] == H.sha256_bytes(cfg)
    assert [l["digest"] for l in j["layers"]] == diff_ids
    assert [l["size"] for l in j["layers"]] == [len(l) for l in layers]
    assert j["wasted_bytes"] == 400
    assert sorted(f["path"] for f in j["files"]) == ["/etc", "/etc/a", "/etc/b", "/etc/c",
                                                     "/etc/l"]


SHAPE = {
    "top": {"source", "digest", "config_digest", "media_type", "os", "architecture", "variant",
            "config", "history", "layers", "size", "uncompressed_size", "wasted_bytes",
            "efficiency", "top_wasted"},
    "config": {"user", "entrypoint", "cmd", "env", "workdir", "exposed_ports", "labels",
               "healthcheck", "stop_signal", "created"},
    "history": {"created", "created_by", "comment", "empty_layer", "layer"},
    "layers": {"digest", "diff_id", "media_type", "size", "uncompressed_size", "created_by",
               "files_added", "files_changed", "files_removed", "wasted_bytes"},
    "top_wasted": {"path", "copies", "wasted_bytes"},
    "files": {"path", "type", "mode", "uid", "gid", "size", "link", "layer"},
}


@pytest.mark.parametrize("list_files", [False, True])
def test_json_shape(tmp_path, list_files):
    info = H.make_oci_layout(str(tmp_path / "L"), [(H.make_tar(l), "gzip") for l in THREE])
    r, j = inspect_json(*(["--list-files"] if list_files else []), "oci:%s" % info["path"])
    missing = SHAPE["top"] - set(j)
    assert not missing, missing
    assert ("files" in j) is list_files
    assert not SHAPE["config"] - set(j["config"])
    for k in ("history", "layers", "top_wasted") + (("files",) if list_files else ()):
        assert j[k], k
        for item in j[k]:
            assert not SHAPE[k] - set(item), (k, SHAPE[k] - set(item))
    assert isinstance(j["efficiency"], float) or j["efficiency"] in (0, 1)
    for k in ("size", "uncompressed_size", "wasted_bytes"):
        assert isinstance(j[k], int) and not isinstance(j[k], bool), k
