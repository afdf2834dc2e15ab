"""Hostile and broken inputs. Each image is consistent except for the one defect under test;
errors must exit exactly 2 with one `hull: error:` line naming the input, documented
warnings must not change the exit status."""
import gzip
import json
import os
import re
import tarfile

import pytest

import hullfix as H
from hullfix import entry as E


def good_layer(seed=1):
    return [E("etc/", "dir"), E("etc/os-release", data=H.text_blob(3000, seed)),
            E("usr/", "dir"), E("usr/bin/", "dir"),
            E("usr/bin/tool", data=H.text_blob(200_000, seed + 1), mode=0o755)]


def second_layer():
    return [E("opt/", "dir"), E("opt/data", data=H.text_blob(50_000, 7))]


def layout(tmp_path, layers, comp="gzip", **kw):
    return H.make_oci_layout(str(tmp_path / "L"), [(H.make_tar(l), comp) for l in layers], **kw)


def inspect(*args):
    return H.hull("inspect", "--format", "json", "--list-files", *args)


def assert_ok_with_warning(r):
    assert r.rc == 0, r.describe()
    assert r.err_lines, "expected a warning on stderr\n" + r.describe()
    for l in r.err_lines:
        assert l.startswith("hull: warning:"), r.describe()
    return {f["path"]: f for f in r.json()["files"]}


def flip_middle(b, n=16):
    m = len(b) // 2
    return b[:m] + bytes(x ^ 0xFF for x in b[m:m + n]) + b[m + n:]


# ----------------------------------------------------------------- sanity: the base is good

@pytest.mark.parametrize("comp", ["gzip", "zstd", "none"])
def test_control_image_is_accepted(tmp_path, comp):
    info = layout(tmp_path, [good_layer(), second_layer()], comp)
    r = inspect("oci:" + info["path"])
    assert r.rc == 0 and r.err == "", r.describe()
    assert len(r.json()["files"]) == 7


# ----------------------------------------------------------------- archives

def _small_layers():
    return [H.make_tar(good_layer()), H.make_tar(second_layer())]


def _cfg(layers):
    return H.jdump(H.make_config([H.sha256_bytes(l) for l in layers]))


@pytest.mark.parametrize("kind", ["classic-manifest-first", "classic-manifest-last",
                                  "oci-archive"])
def test_truncated_outer_tar(tmp_path, kind):
    p = str(tmp_path / "img.tar")
    layers = _small_layers()
    if kind == "oci-archive":
        info = H.make_oci_layout(str(tmp_path / "L"), [(l, "gzip") for l in layers])
        H.tar_directory(info["path"], p)
        src = "oci-archive:" + p
    else:
        H.write_classic_archive(p, [{"config": _cfg(layers), "layers": layers,
                                     "tags": ["example/img:1"]}],
                                manifest_first=(kind == "classic-manifest-first"))
        src = "docker-archive:" + p
        assert H.hull("inspect", src).rc == 0
    with tarfile.open(p) as tf:
        big = max(tf.getmembers(), key=lambda m: m.size)
    with open(p, "r+b") as f:
        f.truncate(big.offset_data + big.size // 2)
    H.assert_input_error(H.hull("inspect", src), p)


@pytest.mark.parametrize("comp", ["gzip", "zstd"])
@pytest.mark.parametrize("defect", ["truncated", "corrupt"])
def test_broken_compressed_layer(tmp_path, comp, defect):
    def hook(i, blob):
        if i != 0:
            return blob
        return blob[:len(blob) * 6 // 10] if defect == "truncated" else flip_middle(blob)
    info = layout(tmp_path, [good_layer(), second_layer()], comp, blob_hook=hook)
    H.assert_input_error(inspect("oci:" + info["path"]), info["path"])


@pytest.mark.parametrize("comp", ["gzip", "none"])
def test_layer_digest_mismatch(tmp_path, comp):
    info = layout(tmp_path, [good_layer(), second_layer()], comp)
    bp = H.blob_path(info["path"], info["layers"][0]["digest"])
    with open(bp, "rb") as f:
        orig = f.read()
    b = bytearray(orig)
    if comp == "gzip":
        b[4] ^= 1  # gzip header mtime: same content, different digest
        assert gzip.decompress(bytes(b)) == gzip.decompress(orig)
    else:
        i = b.index(b"w")  # a byte of file content: still a valid tar
        b[i:i + 1] = b"W"
    with open(bp, "wb") as f:
        f.write(b)
    H.assert_input_error(inspect("oci:" + info["path"]), info["path"])


def test_diff_id_mismatch(tmp_path):
    info = layout(tmp_path, [good_layer(), second_layer()],
                  diff_ids=[H.sha256_bytes(H.make_tar(good_layer())), H.sha256_bytes(b"other")])
    H.assert_input_error(inspect("oci:" + info["path"]), info["path"])


@pytest.mark.parametrize("what", ["layer", "config", "manifest"])
def test_missing_blob(tmp_path, what):
    info = layout(tmp_path, [good_layer(), second_layer()])
    d = {"layer": info["layers"][1]["digest"], "config": info["config"],
         "manifest": info["manifest"]}[what]
    os.unlink(H.blob_path(info["path"], d))
    H.assert_input_error(inspect("oci:" + info["path"]), info["path"])


def _dup_first_key(b):
    s = b.decode()
    k = re.match(r'\s*\[?\s*\{\s*("[^"]+"\s*:\s*("[^"]*"|\d+))', s)
    assert k, s
    i = k.end(1)
    return (s[:i] + "," + k.group(1) + s[i:]).encode()


@pytest.mark.parametrize("where", ["index-truncated", "index-dupkey", "manifest-dupkey",
                                   "config-dupkey", "config-malformed"])
def test_malformed_json_oci(tmp_path, where):
    kw = {}
    if where == "manifest-dupkey":
        kw["manifest_bytes_hook"] = _dup_first_key
    elif where == "config-dupkey":
        kw["config_bytes_hook"] = _dup_first_key
    elif where == "config-malformed":
        kw["config_bytes_hook"] = lambda b: b[:-7]
    info = layout(tmp_path, [good_layer()], **kw)
    idx = os.path.join(info["path"], "index.json")
    if where.startswith("index"):
        with open(idx, "rb") as f:
            b = f.read()
        b = b[:len(b) // 2] if where == "index-truncated" else _dup_first_key(b)
        with open(idx, "wb") as f:
            f.write(b)
    H.assert_input_error(inspect("oci:" + info["path"]), info["path"])


@pytest.mark.parametrize("where", ["truncated", "dupkey", "not-a-list"])
def test_malformed_docker_manifest_json(tmp_path, where):
    p = str(tmp_path / "img.tar")
    layers = _small_layers()
    hook = {"truncated": lambda b: b[:len(b) // 2],
            "dupkey": _dup_first_key,
            "not-a-list": lambda b: b"{\"Config\": 1}"}[where]
    H.write_classic_archive(p, [{"config": _cfg(layers), "layers": layers,
                                 "tags": ["example/img:1"]}], manifest_hook=hook)
    H.assert_input_error(H.hull("inspect", "docker-archive:" + p), p)


# ----------------------------------------------------------------- layer entries

@pytest.mark.parametrize("name", ["../../etc/passwd", "a/../../x", "./../x", "/../x"])
def test_entry_escaping_root(tmp_path, name):
    bad = good_layer() + [E("a/", "dir"), E(name, data=b"pwned\n")]
    info = layout(tmp_path, [bad])
    r = inspect("oci:" + info["path"])
    H.assert_input_error(r, info["path"], warnings_allowed=name.startswith("/"))


def test_absolute_entry_warns(tmp_path):
    info = layout(tmp_path, [[E("etc/", "dir"), E("/etc/x", data=b"abs")]])
    f = assert_ok_with_warning(inspect("oci:" + info["path"]))
    assert sorted(f) == ["/etc", "/etc/x"]
    assert (f["/etc/x"]["type"], f["/etc/x"]["size"]) == ("file", 3)


def test_symlink_loop_is_fine(tmp_path):
    info = layout(tmp_path, [[E("a", "symlink", link="b"), E("b", "symlink", link="a"),
                              E("c", "symlink", link="c")]])
    r = inspect("oci:" + info["path"])
    assert r.rc == 0, r.describe()
    f = {x["path"]: (x["type"], x["link"]) for x in r.json()["files"]}
    assert f == {"/a": ("symlink", "b"), "/b": ("symlink", "a"), "/c": ("symlink", "c")}


def test_hardlink_to_nowhere_warns(tmp_path):
    info = layout(tmp_path, [[E("etc/", "dir"), E("etc/link", "hardlink", link="etc/nowhere")]])
    f = assert_ok_with_warning(inspect("oci:" + info["path"]))
    assert (f["/etc/link"]["type"], f["/etc/link"]["link"]) == ("hardlink", "/etc/nowhere")
    assert "/etc/nowhere" not in f


def test_duplicate_path_in_layer_warns_last_wins(tmp_path):
    info = layout(tmp_path, [[E("etc/", "dir"), E("etc/dup", data=b"1" * 1000, mode=0o600),
                              E("etc/dup", data=b"2" * 300, mode=0o644)]])
    r = inspect("oci:" + info["path"])
    f = assert_ok_with_warning(r)
    assert (f["/etc/dup"]["size"], f["/etc/dup"]["mode"]) == (300, "0644")
    j = r.json()
    assert j["wasted_bytes"] == 1000 and j["layers"][0]["wasted_bytes"] == 1000


# ----------------------------------------------------------------- resource limits

def _mentions_limit(line, path):
    rest = line.replace(path, "")
    return re.search(r"max-layer-size|limit|maximum|\b16(\.0+)? ?M|16777216|16000000", rest,
                     re.I)


# the layer decompresses to 64 MiB + 10 KiB (67,112,960 bytes): these limits are below it
# whether K/M/G mean powers of 1000 or of 1024
@pytest.mark.parametrize("limit", ["16M", "16MiB", "64MiB", "65536KiB", "1K"])
def test_gzip_bomb_over_layer_size_cap(fx, limit):
    L = fx.path("bomb")
    line = H.assert_input_error(H.hull("inspect", "--max-layer-size", limit, "oci:" + L), L)
    if limit == "16M":
        assert _mentions_limit(line, L), "error does not mention the size limit: " + line


def test_gzip_bomb_layer_size_cap_boundary(fx):
    L = fx.path("bomb")
    n = fx.meta["bomb"]["uncompressed_size"]
    r = H.hull("inspect", "--format", "json", "--max-layer-size", str(n), "oci:" + L)
    assert r.rc == 0, r.describe()
    H.assert_input_error(H.hull("inspect", "--max-layer-size", str(n - 1), "oci:" + L), L)


@pytest.mark.parametrize("args", [[], ["--max-layer-size", "1G"], ["--max-layer-size", "1GiB"],
                                  ["--max-layer-size", "70M"], ["--max-layer-size", "66000KiB"],
                                  ["--max-layer-size", "1T"], ["--max-layer-size", "1TiB"]])
def test_gzip_bomb_under_cap_is_fine(fx, args):
    L = fx.path("bomb")
    r = H.hull("inspect", "--format", "json", *args, "oci:" + L)
    assert r.rc == 0, r.describe()
    j = r.json()
    assert j["layers"][0]["uncompressed_size"] == fx.meta["bomb"]["uncompressed_size"]
    assert j["layers"][0]["size"] == fx.meta["bomb"]["compressed_size"]


@pytest.mark.parametrize("cap", ["100000", "199999"])
def test_many_entries_over_cap(fx, cap):
    L = fx.path("many")
    H.assert_input_error(H.hull("inspect", "--max-entries", cap, "oci:" + L), L)


def test_many_entries_at_cap(fx):
    L = fx.path("many")
    r = H.hull("inspect", "--format", "json", "--max-entries", "200000", "oci:" + L)
    assert r.rc == 0, r.describe()


def test_many_entries_uncapped(fx):
    L = fx.path("many")
    r = H.hull("inspect", "--format", "json", "--list-files", "oci:" + L)
    assert r.rc == 0 and r.err == "", r.describe()
    j = r.json()
    n = fx.meta["many"]["entries"]
    assert n == 200_000
    assert len(j["files"]) == n
    assert j["layers"][0]["files_added"] == n


# ----------------------------------------------------------------- not an image at all

@pytest.mark.parametrize("prefix,comp", [("docker-archive:", "gzip"), ("", "gzip"),
                                         ("oci-archive:", "gzip"), ("docker-archive:", "zstd")])
def test_compressed_outer_archive(tmp_path, prefix, comp):
    raw = str(tmp_path / "img.tar")
    layers = _small_layers()
    if prefix == "oci-archive:":
        info = H.make_oci_layout(str(tmp_path / "L"), [(l, "gzip") for l in layers])
        H.tar_directory(info["path"], raw)
    else:
        H.write_classic_archive(raw, [{"config": _cfg(layers), "layers": layers,
                                       "tags": ["example/img:1"]}])
    assert H.hull("inspect", prefix + raw).rc == 0
    p = raw + (".gz" if comp == "gzip" else ".zst")
    with open(raw, "rb") as f, open(p, "wb") as o:
        o.write(H.compress(f.read(), comp))
    line = H.assert_input_error(H.hull("inspect", prefix + p), p)
    assert re.search(r"compress|gzip|zstd", line.replace(p, ""), re.I), \
        "the error does not say the archive is compressed: " + line


@pytest.mark.parametrize("prefix", ["", "docker-archive:", "oci-archive:", "oci:", "rootfs:"])
def test_nonexistent_path(tmp_path, prefix):
    p = str(tmp_path / "does-not-exist")
    H.assert_input_error(H.hull("inspect", prefix + p), p)


@pytest.mark.parametrize("prefix", ["", "docker-archive:", "oci-archive:"])
@pytest.mark.parametrize("content", ["empty", "garbage"])
def test_empty_or_garbage_file(tmp_path, prefix, content):
    p = tmp_path / "img.tar"
    p.write_bytes(b"" if content == "empty" else H.rand_blob(100_000, 9))
    H.assert_input_error(H.hull("inspect", prefix + str(p)), str(p))


@pytest.mark.parametrize("kind", ["empty-dir", "no-manifests"])
def test_oci_layout_without_image(tmp_path, kind):
    d = tmp_path / "layout"
    d.mkdir()
    if kind == "no-manifests":
        (d / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
        (d / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": []}))
    H.assert_input_error(H.hull("inspect", "oci:%s" % d), str(d))


@pytest.mark.parametrize("defect", ["layer-replaced", "layer-missing", "config-missing",
                                    "diff-id-count"])
def test_broken_docker_archive(tmp_path, defect):
    p = str(tmp_path / "img.tar")
    layers = _small_layers()
    cfg_layers = layers[:1] if defect == "diff-id-count" else layers
    hook = None
    if defect == "layer-missing":
        hook = lambda b: b.replace(b'/layer.tar"]', b'/nothere.tar"]')
    elif defect == "config-missing":
        hook = lambda b: re.sub(rb'"Config":"[0-9a-f]+\.json"', b'"Config":"%s.json"' % (
            b"0" * 64), b)
    img = [{"config": _cfg(cfg_layers), "layers": layers, "tags": ["example/img:1"]}]
    if defect == "layer-replaced":
        # the archive is internally consistent except that the config's diff_ids name
        # another first layer
        other = H.make_tar(good_layer(seed=5))
        img = [{"config": _cfg([other, layers[1]]), "layers": layers,
                "tags": ["example/img:1"]}]
    H.write_classic_archive(p, img, manifest_hook=hook)
    with tarfile.open(p) as tf:
        man = tf.extractfile("manifest.json").read()
    assert {"layer-missing": b"nothere.tar" in man,
            "config-missing": b"0" * 64 in man}.get(defect, True), man  # the hook did bite
    H.assert_input_error(H.hull("inspect", "docker-archive:" + p), p)
