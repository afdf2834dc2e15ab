"""`hull inspect` on a real three-layer image (Debian minbase + two umoci layers), read
through every source form, checked against `umoci unpack`, the manifests/configs, and a
reference model of the merged view (hullfix.analyze)."""
import json

import pytest

import hullfix as H

VARIANTS = ["oci", "oci-archive", "skopeo-docker", "zstd", "classic", "docker25", "ggcr",
            "two-images-1", "bare-oci", "bare-oci-archive", "bare-skopeo-docker",
            "bare-classic", "bare-docker25"]


def listing(fx, hull_cached, v):
    r = hull_cached("inspect", "--list-files", "--format", "json", fx.source(v))
    assert r.rc == 0, r.describe()
    return r, r.json()


def by_path(j):
    return {f["path"]: f for f in j["files"]}


# ----------------------------------------------------------------- per source variant

@pytest.mark.parametrize("v", VARIANTS)
def test_files_match_umoci_unpack(fx, hull_cached, v):
    r, j = listing(fx, hull_cached, v)
    errs = H.compare_files(j["files"], fx.tree())
    assert not errs, "files table differs from umoci unpack:\n" + "\n".join(errs)


@pytest.mark.parametrize("v", VARIANTS)
def test_files_layer_index(fx, hull_cached, v):
    r, j = listing(fx, hull_cached, v)
    exp = fx.analysis["file_layer"]
    got = {f["path"]: f.get("layer") for f in j["files"]}
    bad = [(p, got[p], exp[p]) for p in sorted(set(got) & set(exp)) if got[p] != exp[p]]
    assert not bad, "%d files with a wrong layer (path, got, expected): %s" % (
        len(bad), bad[:20])


@pytest.mark.parametrize("v", VARIANTS)
def test_top_level_facts(fx, hull_cached, v):
    r, j = listing(fx, hull_cached, v)
    assert r.err == "", "unexpected stderr for a valid image\n" + r.describe()
    e = fx.variant(v)
    ref = fx.meta["oci_img"]["layers"]  # diff_ids / uncompressed sizes are the same in all
    assert j["digest"] == e["digest"], (
        "digest must be the manifest digest (the config digest only for a docker-archive "
        "without a manifest); got %s, config is %s" % (j["digest"], e["config_digest"]))
    assert j["config_digest"] == e["config_digest"]
    assert j["media_type"] == e["media_type"]
    if "detected" in e:
        path = e["source"].format(root=fx.root)
        # the contract does not say whether a bare PATH is echoed or prefixed
        assert j["source"] in (path, e["detected"] + ":" + path), j["source"]
    else:
        assert j["source"] == fx.source(v)
    assert (j["os"], j["architecture"], j["variant"]) == ("linux", "amd64", None)
    assert len(j["layers"]) == len(e["layers"]) == 3
    for i, (got, exp) in enumerate(zip(j["layers"], e["layers"])):
        assert got["digest"] == exp["digest"], i
        assert got["size"] == exp["size"], i
        assert got["diff_id"] == ref[i]["diff_id"], i
        assert got["uncompressed_size"] == ref[i]["uncompressed_size"], i
        if "media_type" in exp:
            assert got["media_type"] == exp["media_type"], i
    assert j["size"] == sum(l["size"] for l in e["layers"])
    assert j["uncompressed_size"] == sum(l["uncompressed_size"] for l in ref)


@pytest.mark.parametrize("v", VARIANTS)
def test_measures(fx, hull_cached, v):
    r, j = listing(fx, hull_cached, v)
    a = fx.analysis
    assert j["wasted_bytes"] == a["wasted_bytes"]
    for i, (got, exp) in enumerate(zip(j["layers"], a["layers"])):
        assert got["wasted_bytes"] == exp["wasted_bytes"], ("layer", i)
        assert got["files_removed"] == exp["files_removed"], ("layer", i)
        assert got["files_changed"] == exp["files_changed"], ("layer", i)
        if i == 0:
            # the tar's "./" entry: whether the (unlisted) root counts is not specified
            assert got["files_added"] in (exp["files_added"], exp["files_added"] + 1), got
        else:
            assert got["files_added"] == exp["files_added"], ("layer", i)
    assert 0.0 < j["efficiency"] < 1.0


@pytest.mark.parametrize("v", VARIANTS)
def test_config_and_history(fx, hull_cached, v):
    r, j = listing(fx, hull_cached, v)
    c = j["config"]
    assert c["user"] == "1000:1000"
    assert c["entrypoint"] == ["/bin/sh"]
    assert c["cmd"] == ["-c", "echo hello"]
    assert "FOO=bar" in c["env"]
    assert c["workdir"] == "/app"
    ports = c["exposed_ports"]
    assert list(ports) == ["8080/tcp"], ports  # a list or an object keyed by port
    assert c["labels"] == {"a": "b"}
    assert c["stop_signal"] == "SIGTERM"
    assert c["healthcheck"] is None
    assert c["created"] == fx.meta["config"]["created"]

    hist = fx.meta["config"]["history"]
    assert len(j["history"]) == len(hist) == 4
    layer = 0
    for got, exp in zip(j["history"], hist):
        assert got["created_by"] == exp["created_by"]
        assert got["created"] == exp["created"]
        assert got["comment"] is None
        assert got["empty_layer"] is bool(exp.get("empty_layer", False))
        if exp.get("empty_layer"):
            assert got["layer"] is None
        else:
            assert got["layer"] == layer
            layer += 1
    hc = fx.meta["history_created_by"]
    assert [l["created_by"] for l in j["layers"]] == [hc[0], hc[1], hc[3]]


# ----------------------------------------------------------------- the right view

def test_deleted_and_replaced_paths(fx, hull_cached):
    r, j = listing(fx, hull_cached, "oci")
    f = by_path(j)
    s = fx.meta["sizes"]
    assert not [p for p in f if p == "/usr/share/doc" or p.startswith("/usr/share/doc/")]
    assert "/etc/hostname" not in f and "/app/todelete" not in f
    assert "/usr/share" in f and "/etc" in f
    assert (f["/usr/bin/bash"]["layer"], f["/usr/bin/bash"]["size"]) == (1, s["bash_new"])
    assert (f["/app/data.bin"]["layer"], f["/app/data.bin"]["size"]) == (2, s["data_v2"])
    assert (f["/etc/motd"]["layer"], f["/etc/motd"]["mode"]) == (2, "0600")
    assert f["/etc/motd"]["size"] == s["orig"]["/etc/motd"]
    assert (f["/app/suid"]["type"], f["/app/suid"]["mode"]) == ("file", "4755")
    assert f["/app/sgid"]["mode"] == "2711"
    assert (f["/app/sticky"]["type"], f["/app/sticky"]["mode"]) == ("dir", "1777")
    assert f["/app/fifo"]["type"] == "fifo"
    assert (f["/app/owned"]["uid"], f["/app/owned"]["gid"]) == (1000, 1000)
    assert (f["/home/user/.profile"]["uid"], f["/home/user/.profile"]["gid"],
            f["/home/user/.profile"]["mode"]) == (1000, 1001, "0600")
    assert f["/app/empty"]["type"] == "dir"
    assert not [p for p in f if p.startswith("/app/empty/")]
    assert (f["/app/link"]["type"], f["/app/link"]["link"]) == ("symlink", "data.bin")
    assert f["/app/abslink"]["link"] == "/etc/os-release"
    pair = sorted((f[p]["type"], f[p]["link"]) for p in ("/app/hard", "/app/orig.txt"))
    assert pair in ([("file", None), ("hardlink", "/app/hard")],
                    [("file", None), ("hardlink", "/app/orig.txt")]), pair
    assert (f["/dev/null"]["type"], f["/dev/null"]["mode"]) == ("char", "0666")
    assert f["/bin"]["type"] == "symlink" and f["/bin"]["link"] == "usr/bin"


def test_wasted_bytes_from_written_sizes(fx, hull_cached):
    """The waste is what the fixture threw away: /usr/share/doc's files, /etc/hostname,
    the old bash, the old /etc/motd (chmod rewrites it), data.bin v1 and todelete."""
    r, j = listing(fx, hull_cached, "oci")
    s = fx.meta["sizes"]
    layer1 = (fx.analysis["removed_doc_file_bytes"] + s["orig"]["/usr/bin/bash"]
              + s["orig"]["/etc/hostname"] + s["orig"]["/etc/motd"])
    layer2 = s["data_v1"] + s["todelete"]
    assert [l["wasted_bytes"] for l in j["layers"]] == [layer1, layer2, 0]
    assert j["wasted_bytes"] == layer1 + layer2
    assert j["layers"][1]["files_removed"] > 0 and j["layers"][2]["files_removed"] == 1


def test_top_wasted(fx, hull_cached):
    src = fx.source("oci")
    big = hull_cached("inspect", "--format", "json", "--top", "1000", src).json()
    tw = big["top_wasted"]
    assert 0 < len(tw) <= 1000
    ws = [t["wasted_bytes"] for t in tw]
    assert ws == sorted(ws, reverse=True), "top_wasted is not sorted by wasted_bytes"
    assert sum(ws) <= big["wasted_bytes"]
    byp = {t["path"]: t for t in tw}
    s = fx.meta["sizes"]
    assert (byp["/usr/bin/bash"]["copies"], byp["/usr/bin/bash"]["wasted_bytes"]) == \
        (2, s["orig"]["/usr/bin/bash"])
    assert (byp["/app/data.bin"]["copies"], byp["/app/data.bin"]["wasted_bytes"]) == \
        (2, s["data_v1"])
    for n in (1, 3):
        j = hull_cached("inspect", "--format", "json", "--top", str(n), src).json()
        assert len(j["top_wasted"]) == n
        assert [t["wasted_bytes"] for t in j["top_wasted"]] == ws[:n]
    d = hull_cached("inspect", "--format", "json", src).json()
    assert len(d["top_wasted"]) == min(10, len(tw))
    assert [t["wasted_bytes"] for t in d["top_wasted"]] == ws[:10]


def test_table_format(fx, hull_cached):
    src = fx.source("oci")
    r = hull_cached("inspect", src)
    assert r.rc == 0 and r.err == "", r.describe()
    r2 = hull_cached("inspect", "--format", "table", src)
    assert r2.rc == 0 and r2.out == r.out
    with pytest.raises(ValueError):
        json.loads(r.out)
    e = fx.variant("oci")
    assert H.hexof(e["digest"])[:12] in r.out, "manifest digest not shown"
    for l in e["layers"]:
        assert H.hexof(l["digest"])[:12] in r.out, "layer digest %s not shown" % l["digest"]
    assert H.mentions_size(r.out, fx.analysis["wasted_bytes"]), \
        "wasted bytes (%d) not shown:\n%s" % (fx.analysis["wasted_bytes"], r.out)


def test_parallel_same_result(fx, hull_cached):
    src = fx.source("oci")
    ref = hull_cached("inspect", "--list-files", "--format", "json", src).json()
    for n in ("1", "3"):
        j = hull_cached("inspect", "--list-files", "--format", "json", "--parallel", n,
                        src).json()
        assert j == ref, "--parallel %s changes the report" % n


# ----------------------------------------------------------------- other images

def test_single_layer_efficiency(fx, hull_cached):
    assert fx.analysis["base_duplicate_paths"] == 0
    L = fx.path("oci")
    j = hull_cached("inspect", "--list-files", "--format", "json", "oci:%s:base" % L).json()
    b = fx.meta["oci_base"]
    assert j["digest"] == b["digest"] and len(j["layers"]) == 1
    assert j["efficiency"] == 1.0
    assert j["wasted_bytes"] == 0 and j["layers"][0]["wasted_bytes"] == 0
    assert j["top_wasted"] == []
    errs = H.compare_files(j["files"], fx.tree("expected_tree_base"))
    assert not errs, "\n".join(errs)
    assert {f["layer"] for f in j["files"]} == {0}


def test_oci_ref_by_manifest_digest(fx, hull_cached):
    d = fx.variant("oci")["digest"]
    j = hull_cached("inspect", "--format", "json", "oci:%s:%s" % (fx.path("oci"), d)).json()
    assert j["digest"] == d and len(j["layers"]) == 3


def test_oci_unknown_ref(fx):
    L = fx.path("oci")
    H.assert_input_error(H.hull("inspect", "oci:%s:no-such-tag" % L), L)


def test_docker_archive_pick_by_repotag(fx, hull_cached):
    p = fx.path("two-images.tar")
    e = fx.meta["two_images_2"]
    j = hull_cached("inspect", "--format", "json", "docker-archive:%s:example/img:2" % p).json()
    assert j["config_digest"] == e["config_digest"] == fx.meta["oci_base"]["config_digest"]
    assert j["digest"] == e["digest"]
    assert [l["digest"] for l in j["layers"]] == [l["digest"] for l in e["layers"]]
    assert j["wasted_bytes"] == 0


def test_docker_archive_unknown_repotag(fx):
    p = fx.path("two-images.tar")
    H.assert_input_error(H.hull("inspect", "docker-archive:%s:example/img:3" % p), p)


@pytest.mark.parametrize("layout,ref", [("multiarch", ""), ("multiarch-nested", ":multi")])
@pytest.mark.parametrize("platform", [None, "linux/amd64", "linux/arm64", "linux/arm/v7"])
def test_platform_selection(fx, hull_cached, layout, ref, platform):
    src = "oci:%s%s" % (fx.path(layout), ref)
    args = ["inspect", "--format", "json"] + (["--platform", platform] if platform else []) \
        + [src]
    j = hull_cached(*args).json()
    key = platform or "linux/amd64"
    e = fx.meta["multiarch"]["platforms"][key]
    assert j["digest"] == e["digest"], (
        "digest must be the manifest digest (the config digest only for a docker-archive "
        "without a manifest); got %s, config is %s" % (j["digest"], e["config_digest"]))
    assert j["config_digest"] == e["config_digest"]
    parts = key.split("/")
    assert (j["os"], j["architecture"], j["variant"]) == \
        (parts[0], parts[1], parts[2] if len(parts) > 2 else None)
    assert len(j["layers"]) == 3


@pytest.mark.parametrize("layout,ref", [("multiarch", ""), ("multiarch-nested", ":multi")])
def test_platform_unknown(fx, layout, ref):
    p = fx.path(layout)
    H.assert_input_error(H.hull("inspect", "--platform", "linux/s390x", "oci:%s%s" % (p, ref)),
                         p)


def test_pull_from_docker_archive(fx, tmp_path):
    """A Docker >= 25 archive carries its OCI manifest: hull pull copies it byte for byte
    (skopeo sees the same digest, and every blob it names is there). A classic archive has
    none to copy: one line saying so, exit 2, nothing written."""
    import subprocess
    out = tmp_path / "l"
    r = H.hull("pull", fx.source("docker25"), "oci:%s:t" % out)
    assert r.rc == 0, r.describe()
    digest = fx.variant("docker25")["digest"]
    assert r.out.strip() == digest
    info = json.loads(subprocess.run(["skopeo", "inspect", "oci:%s:t" % out],
                                     capture_output=True, text=True, check=True).stdout)
    assert info["Digest"] == digest
    j = H.hull("inspect", "--format", "json", "oci:%s:t" % out).json()
    assert [l["digest"] for l in j["layers"]] == \
        [l["digest"] for l in fx.variant("docker25")["layers"]]
    r = H.hull("pull", fx.source("classic"), "oci:%s" % (tmp_path / "c"))
    assert r.rc == 2 and len(r.err_lines) == 1 and "Docker 25" in r.err, r.describe()
    assert not (tmp_path / "c").exists()
