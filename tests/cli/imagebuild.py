"""Builds (once) and caches the expensive fixtures of the hull CLI tests.

Cache layout under TESTDATA (env HULL_TESTDATA, default <repo>/build/testdata):
  debian-minbase.tar        mmdebstrap --variant=minbase bookworm (kept across code changes)
  fixtures-<hash>/          everything else; <hash> covers this file and hullfix.py, so a
                            change to the builders rebuilds it. Built in a temporary
                            directory and renamed into place, under a lock.
"""
import glob
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import time

import hullfix as H

# What layers 2 and 3 of the test image do (sizes are the ground truth for waste).
BASH_NEW_SIZE = 200_000
DATA_V1_SIZE = 300_000        # /app/data.bin written in layer 2 ...
DATA_V2_SIZE = 100_000        # ... and overwritten in layer 3
TODELETE_SIZE = 5_000         # /app/todelete added in layer 2, deleted in layer 3
BOMB_SIZE = 64 * 1024 * 1024
MANY_DIRS, MANY_FILES = 200, 999   # 200 + 200*999 = 200,000 entries

CONFIG_ARGS = ["--config.user", "1000:1000", "--config.entrypoint", "/bin/sh",
               "--config.cmd", "-c", "--config.cmd", "echo hello",
               "--config.env", "FOO=bar", "--config.workingdir", "/app",
               "--config.exposedports", "8080/tcp", "--config.label", "a=b",
               "--config.stopsignal", "SIGTERM"]
HIST = ["layer 1: debian minbase", "layer 2: app files, deletes, replaced bash",
        "umoci config", "layer 3: overwrite data.bin, delete todelete, chmod motd"]


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, **kw)
    if p.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s\n%s" % (
            p.returncode, " ".join(map(str, cmd)), p.stdout.decode(errors="replace")[-2000:],
            p.stderr.decode(errors="replace")[-4000:]))
    return p.stdout


# hullfix functions whose code shapes the cached files; editing one rebuilds the cache,
# editing anything else in hullfix.py (checks, comparisons) does not.
_BUILD_DEPS = ("entry", "write_tar", "make_tar", "compress", "text_blob", "rand_blob",
               "write_blob", "blob_path", "make_config", "make_oci_layout", "jdump",
               "_add_bytes", "_add_file", "_add_dir", "_add_src", "_src_digest", "chain_ids",
               "write_classic_archive", "write_docker25_archive", "write_ggcr_archive",
               "norm", "tar_entries", "_split", "_desc_of", "analyze", "ftype", "walk_tree",
               "sha256_bytes", "sha256_file", "hexof")


def code_hash():
    import inspect
    h = hashlib.sha256()
    with open(os.path.abspath(__file__), "rb") as fh:
        h.update(fh.read())
    for name in _BUILD_DEPS:
        h.update(inspect.getsource(getattr(H, name)).encode())
    return h.hexdigest()[:12]


def ensure_debian_tar(testdata):
    out = os.path.join(testdata, "debian-minbase.tar")
    with H.locked(os.path.join(testdata, ".debian.lock")):
        if os.path.exists(out):
            return out
        for stale in glob.glob(out + ".tmp-*"):
            os.unlink(stale)
        tmp = "%s.tmp-%d" % (out, os.getpid())
        try:
            run(["mmdebstrap", "--variant=minbase", "--mode=root", "--format=tar",
                 "bookworm", tmp])
            os.replace(tmp, out)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return out


def ensure_fixtures(testdata=H.TESTDATA):
    os.makedirs(testdata, exist_ok=True)
    debian = ensure_debian_tar(testdata)
    key = code_hash()
    final = os.path.join(testdata, "fixtures-" + key)
    with H.locked(os.path.join(testdata, ".fixtures.lock")):
        if not os.path.exists(os.path.join(final, "meta.json")):
            for old in glob.glob(os.path.join(testdata, "fixtures-*")):
                shutil.rmtree(old, ignore_errors=True)
            tmp = "%s.tmp-%d" % (final, os.getpid())
            try:
                build_all(tmp, debian)
                os.replace(tmp, final)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    with open(os.path.join(final, "meta.json")) as f:
        meta = json.load(f)
    meta["root"] = final
    return meta


# --------------------------------------------------------------------------- build steps

def oci_index_entry(layout, ref):
    with open(os.path.join(layout, "index.json")) as f:
        idx = json.load(f)
    for m in idx["manifests"]:
        if m.get("annotations", {}).get("org.opencontainers.image.ref.name") == ref:
            return m
    raise KeyError(ref)


def read_blob(layout, digest):
    with open(H.blob_path(layout, digest), "rb") as f:
        return f.read()


def uncompressed_info(path, media_type):
    """(diff_id, size) of a layer blob, decompressing it."""
    h, n = hashlib.sha256(), 0
    if media_type.endswith("+zstd"):
        p = subprocess.Popen(["zstd", "-dc", path], stdout=subprocess.PIPE)
        f = p.stdout
    elif media_type.endswith("+gzip"):
        p, f = None, gzip.open(path, "rb")
    else:
        p, f = None, open(path, "rb")
    with f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
    if p and p.wait() != 0:
        raise RuntimeError("zstd -d failed on " + path)
    return "sha256:" + h.hexdigest(), n


def describe_oci(layout, ref):
    """Expected top-level facts of oci:layout:ref, computed from its files."""
    m = oci_index_entry(layout, ref)
    man = json.loads(read_blob(layout, m["digest"]))
    cfg = json.loads(read_blob(layout, man["config"]["digest"]))
    layers = []
    for l, diff_id in zip(man["layers"], cfg["rootfs"]["diff_ids"]):
        d, n = uncompressed_info(H.blob_path(layout, l["digest"]), l["mediaType"])
        assert d == diff_id, (layout, l)
        layers.append({"digest": l["digest"], "size": l["size"], "media_type": l["mediaType"],
                       "diff_id": diff_id, "uncompressed_size": n})
    return {"digest": m["digest"], "config_digest": man["config"]["digest"],
            "media_type": man.get("mediaType", H.OCI_MANIFEST), "layers": layers}


def describe_skopeo_docker_archive(path):
    with tarfile.open(path) as tf:
        man = json.load(tf.extractfile("manifest.json"))[0]
        cfg_bytes = tf.extractfile(man["Config"]).read()
        layers = []
        for name in man["Layers"]:
            ti = tf.getmember(name)
            while ti.issym():
                ti = tf.getmember(os.path.normpath(os.path.join(os.path.dirname(ti.name),
                                                                ti.linkname)))
            h = hashlib.sha256()
            f = tf.extractfile(ti)
            for b in iter(lambda: f.read(1 << 20), b""):
                h.update(b)
            d = "sha256:" + h.hexdigest()
            layers.append({"digest": d, "size": ti.size, "diff_id": d,
                           "uncompressed_size": ti.size})
    cd = H.sha256_bytes(cfg_bytes)
    return {"digest": cd, "config_digest": cd, "media_type": None, "layers": layers}


def umoci_image(work, debian):
    L = os.path.join(work, "oci")
    run(["umoci", "init", "--layout", L])
    run(["umoci", "new", "--image", L + ":base"])
    b1 = os.path.join(work, "b1")
    run(["umoci", "unpack", "--image", L + ":base", b1])
    run(["tar", "-xf", debian, "-C", os.path.join(b1, "rootfs"), "--numeric-owner"])
    run(["umoci", "repack", "--history.created_by", HIST[0], "--image", L + ":base", b1])
    shutil.rmtree(b1)

    # layer 2: deletes, a replaced big file, new files of every kind
    b2 = os.path.join(work, "b2")
    run(["umoci", "unpack", "--image", L + ":base", b2])
    r = os.path.join(b2, "rootfs")
    orig = {}
    for p in ("usr/bin/bash", "etc/hostname", "etc/motd"):
        orig["/" + p] = os.path.getsize(os.path.join(r, p))
    shutil.rmtree(os.path.join(r, "usr/share/doc"))
    os.unlink(os.path.join(r, "etc/hostname"))
    with open(os.path.join(r, "usr/bin/bash"), "wb") as f:
        f.write(H.rand_blob(BASH_NEW_SIZE, 2))
    app = os.path.join(r, "app")
    os.makedirs(os.path.join(app, "empty"))
    with open(os.path.join(app, "data.bin"), "wb") as f:
        f.write(H.rand_blob(DATA_V1_SIZE, 3))
    with open(os.path.join(app, "todelete"), "wb") as f:
        f.write(H.rand_blob(TODELETE_SIZE, 4))
    with open(os.path.join(app, "orig.txt"), "w") as f:
        f.write("hardlinked content\n")
    os.link(os.path.join(app, "orig.txt"), os.path.join(app, "hard"))
    os.symlink("data.bin", os.path.join(app, "link"))
    os.symlink("/etc/os-release", os.path.join(app, "abslink"))
    with open(os.path.join(app, "suid"), "w") as f:
        f.write("#!/bin/sh\n")
    os.chmod(os.path.join(app, "suid"), 0o4755)
    with open(os.path.join(app, "sgid"), "w") as f:
        f.write("#!/bin/sh\n")
    os.chmod(os.path.join(app, "sgid"), 0o2711)
    os.mkdir(os.path.join(app, "sticky"))
    os.chmod(os.path.join(app, "sticky"), 0o1777)
    os.mkfifo(os.path.join(app, "fifo"))
    with open(os.path.join(app, "owned"), "w") as f:
        f.write("owned by 1000\n")
    os.chown(os.path.join(app, "owned"), 1000, 1000)
    home = os.path.join(r, "home", "user")
    os.makedirs(home)
    os.chmod(home, 0o750)
    os.chown(home, 1000, 1000)
    with open(os.path.join(home, ".profile"), "w") as f:
        f.write("export X=1\n")
    os.chmod(os.path.join(home, ".profile"), 0o600)
    os.chown(os.path.join(home, ".profile"), 1000, 1001)
    run(["umoci", "repack", "--history.created_by", HIST[1], "--image", L + ":v2", b2])
    shutil.rmtree(b2)

    # config (adds an empty_layer history entry), then layer 3
    run(["umoci", "config", "--image", L + ":v2", "--tag", "cfg",
         "--history.created_by", HIST[2]] + CONFIG_ARGS)
    b3 = os.path.join(work, "b3")
    run(["umoci", "unpack", "--image", L + ":cfg", b3])
    r = os.path.join(b3, "rootfs")
    with open(os.path.join(r, "app/data.bin"), "wb") as f:
        f.write(H.rand_blob(DATA_V2_SIZE, 5))
    os.unlink(os.path.join(r, "app/todelete"))
    os.chmod(os.path.join(r, "etc/motd"), 0o600)
    with open(os.path.join(r, "app/layer3.txt"), "w") as f:
        f.write("third layer\n")
    run(["umoci", "repack", "--history.created_by", HIST[3], "--image", L + ":img", b3])
    shutil.rmtree(b3)
    run(["umoci", "tag", "--image", L + ":img", "latest"])
    run(["umoci", "rm", "--image", L + ":cfg"])
    run(["umoci", "gc", "--layout", L])
    return L, orig


def expected_tree(work, L, ref, name):
    b = os.path.join(work, "unpack-" + ref)
    run(["umoci", "unpack", "--image", "%s:%s" % (L, ref), b])
    tree = H.walk_tree(os.path.join(b, "rootfs"))
    shutil.rmtree(b)
    with open(os.path.join(work, name), "w") as f:
        json.dump(tree, f)
    return name


def gunzip_to(src, dst):
    with gzip.open(src, "rb") as fi, open(dst, "wb") as fo:
        shutil.copyfileobj(fi, fo, 1 << 20)


def build_all(work, debian):
    t0 = time.time()
    os.makedirs(work)
    meta = {"sizes": {"bash_new": BASH_NEW_SIZE, "data_v1": DATA_V1_SIZE,
                      "data_v2": DATA_V2_SIZE, "todelete": TODELETE_SIZE},
            "history_created_by": HIST, "variants": {}}
    L, orig = umoci_image(work, debian)
    meta["sizes"]["orig"] = orig
    meta["expected_tree"] = expected_tree(work, L, "img", "expected-img.json")
    meta["expected_tree_base"] = expected_tree(work, L, "base", "expected-base.json")

    img = describe_oci(L, "img")
    base = describe_oci(L, "base")
    meta["oci_img"] = img
    meta["oci_base"] = base
    man = json.loads(read_blob(L, img["digest"]))
    cfg_bytes = read_blob(L, img["config_digest"])
    base_cfg_bytes = read_blob(L, base["config_digest"])
    meta["config"] = json.loads(cfg_bytes)

    # reference analysis from the real layer blobs
    ents = [H.tar_entries(H.blob_path(L, l["digest"])) for l in img["layers"]]
    ana = H.analyze(ents)
    base_ents = H.tar_entries(H.blob_path(L, base["layers"][0]["digest"]))
    meta["analysis"] = {
        "layers": ana["layers"], "wasted_bytes": ana["wasted_bytes"],
        "file_layer": {p: e["layer"] for p, e in ana["files"].items()},
        "path_wasted": ana["path_wasted"], "copies": ana["copies"],
        "removed_doc_file_bytes": sum(e["size"] for e in ents[0]
                                      if e["type"] == "file"
                                      and e["path"].startswith("/usr/share/doc/")),
        "base_duplicate_paths": len(base_ents) - len({e["path"] for e in base_ents}),
        "layer2_whiteouts": [e["path"] for e in ents[1] if "/.wh." in e["path"]],
        "layer3_whiteouts": [e["path"] for e in ents[2] if "/.wh." in e["path"]],
    }
    meta["variants"]["oci"] = dict(img, source="oci:{root}/oci:img")

    # uncompressed copies of the layers, for the synthetic docker archives
    raw = []
    for i, l in enumerate(img["layers"]):
        p = os.path.join(work, "layer%d.tar" % i)
        gunzip_to(H.blob_path(L, l["digest"]), p)
        raw.append(p)

    # skopeo
    sk = ["skopeo", "--insecure-policy", "copy", "-q"]
    run(sk + ["oci:%s:img" % L, "docker-archive:%s/skopeo-docker.tar:example/img:tag" % work])
    meta["variants"]["skopeo-docker"] = dict(
        describe_skopeo_docker_archive(os.path.join(work, "skopeo-docker.tar")),
        source="docker-archive:{root}/skopeo-docker.tar")
    run(sk + ["oci:%s:img" % L, "oci-archive:%s/skopeo-oci.tar:img" % work])
    ex = os.path.join(work, "ociarchive-x")
    with tarfile.open(os.path.join(work, "skopeo-oci.tar")) as tf:
        tf.extractall(ex)
    meta["variants"]["oci-archive"] = dict(describe_oci(ex, "img"),
                                           source="oci-archive:{root}/skopeo-oci.tar:img")
    shutil.rmtree(ex)
    run(sk + ["--dest-compress-format", "zstd", "oci:%s:img" % L, "oci:%s/oci-zstd:img" % work])
    z = describe_oci(os.path.join(work, "oci-zstd"), "img")
    assert all(l["media_type"] == H.LAYER_MEDIA["zstd"] for l in z["layers"]), z
    meta["variants"]["zstd"] = dict(z, source="oci:{root}/oci-zstd:img")

    # synthetic docker archives from the real layers
    d = H.write_classic_archive(os.path.join(work, "classic.tar"),
                                [{"config": cfg_bytes, "layers": raw, "tags": ["example/img:1"]}])
    meta["variants"]["classic"] = dict(d[0], source="docker-archive:{root}/classic.tar")
    d = H.write_docker25_archive(os.path.join(work, "docker25.tar"), cfg_bytes, raw,
                                 ["example/img:1"])
    meta["variants"]["docker25"] = dict(d, source="docker-archive:{root}/docker25.tar")
    d = H.write_ggcr_archive(os.path.join(work, "ggcr.tar"), cfg_bytes,
                             [H.blob_path(L, l["digest"]) for l in img["layers"]],
                             ["example/img:1"])
    meta["variants"]["ggcr"] = dict(d, source="docker-archive:{root}/ggcr.tar")
    d = H.write_classic_archive(os.path.join(work, "two-images.tar"), [
        {"config": cfg_bytes, "layers": raw, "tags": ["example/img:1"]},
        {"config": base_cfg_bytes, "layers": raw[:1], "tags": ["example/img:2"]}])
    meta["variants"]["two-images-1"] = dict(
        d[0], source="docker-archive:{root}/two-images.tar:example/img:1")
    meta["two_images_2"] = d[1]
    # bare paths (autodetected)
    meta["variants"]["bare-oci-archive"] = dict(meta["variants"]["oci-archive"],
                                                source="{root}/skopeo-oci.tar",
                                                detected="oci-archive")
    meta["variants"]["bare-skopeo-docker"] = dict(meta["variants"]["skopeo-docker"],
                                                  source="{root}/skopeo-docker.tar",
                                                  detected="docker-archive")
    meta["variants"]["bare-docker25"] = dict(meta["variants"]["docker25"],
                                             source="{root}/docker25.tar",
                                             detected="docker-archive")
    for p in raw:
        os.unlink(p)
    # the bare oci: layout must hold a single image: same blobs, index with "img" only
    single = os.path.join(work, "oci-single")
    entry_img = oci_index_entry(L, "img")
    shutil.copytree(L, single, copy_function=os.link)
    os.unlink(os.path.join(single, "index.json"))  # a hard link to L's: replace, not write
    with open(os.path.join(single, "index.json"), "wb") as f:
        f.write(H.jdump({"schemaVersion": 2, "manifests": [entry_img]}))
    meta["variants"]["bare-oci"] = dict(describe_oci(single, "img"),
                                        source="{root}/oci-single", detected="oci")
    meta["variants"]["bare-classic"] = dict(meta["variants"]["classic"],
                                            source="{root}/classic.tar",
                                            detected="docker-archive")

    meta["multiarch"] = build_multiarch(work, L, man, json.loads(cfg_bytes))
    meta["bomb"] = build_bomb(work)
    meta["many"] = build_many(work)
    meta["build_seconds"] = round(time.time() - t0, 1)
    with open(os.path.join(work, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


def build_multiarch(work, L, man, cfg):
    """Two layouts sharing the real layers: `multiarch` (index.json lists the platform
    manifests) and `multiarch-nested` (index.json -> one image index -> manifests)."""
    out = {"platforms": {}}
    plats = [("linux", "arm64", None), ("linux", "amd64", None), ("linux", "arm", "v7")]
    for name in ("multiarch", "multiarch-nested"):
        M = os.path.join(work, name)
        os.makedirs(os.path.join(M, "blobs", "sha256"))
        with open(os.path.join(M, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}')
        for l in man["layers"]:
            os.link(H.blob_path(L, l["digest"]), H.blob_path(M, l["digest"]))
        descs = []
        for osname, arch, variant in plats:
            c = dict(cfg, os=osname, architecture=arch)
            if variant:
                c["variant"] = variant
            cb = H.jdump(c)
            cd = H.write_blob(M, cb)
            m = dict(man, config=dict(man["config"], digest=cd, size=len(cb)))
            mb = H.jdump(m)
            md = H.write_blob(M, mb)
            plat = {"os": osname, "architecture": arch}
            if variant:
                plat["variant"] = variant
            descs.append({"mediaType": H.OCI_MANIFEST, "digest": md, "size": len(mb),
                          "platform": plat})
            key = "/".join(x for x in (osname, arch, variant) if x)
            out["platforms"][key] = {"digest": md, "config_digest": cd}
        index = {"schemaVersion": 2, "mediaType": H.OCI_INDEX, "manifests": descs}
        if name == "multiarch-nested":
            ib = H.jdump(index)
            idg = H.write_blob(M, ib)
            index = {"schemaVersion": 2, "mediaType": H.OCI_INDEX,
                     "manifests": [{"mediaType": H.OCI_INDEX, "digest": idg, "size": len(ib),
                                    "annotations": {
                                        "org.opencontainers.image.ref.name": "multi"}}]}
        with open(os.path.join(M, "index.json"), "wb") as f:
            f.write(H.jdump(index))
    return out


def build_bomb(work):
    """A gzip'd layer with one 64 MiB file of zeros."""
    p = os.path.join(work, "zeros.bin")
    with open(p, "wb") as f:
        f.truncate(BOMB_SIZE)
    tarp = os.path.join(work, "bomb.tar")
    with open(tarp, "wb") as f:
        H.write_tar(f, [H.entry("zeros", data=p)])
    os.unlink(p)
    with open(tarp, "rb") as f:
        tar_bytes = f.read()
    os.unlink(tarp)
    info = H.make_oci_layout(os.path.join(work, "bomb"), [(tar_bytes, "gzip")])
    return {"uncompressed_size": len(tar_bytes), "compressed_size": info["layers"][0]["size"]}


def build_many(work):
    """A gzip'd layer with 200,000 entries (200 dirs of 999 empty files)."""
    ents = []
    for d in range(MANY_DIRS):
        ents.append(H.entry("d%03d/" % d, "dir"))
        for i in range(MANY_FILES):
            ents.append(H.entry("d%03d/f%04d" % (d, i)))
    tar_bytes = H.make_tar(ents, fmt=tarfile.GNU_FORMAT)  # short names: no pax headers
    H.make_oci_layout(os.path.join(work, "many"), [(tar_bytes, "gzip")])
    return {"entries": len(ents)}


if __name__ == "__main__":
    m = ensure_fixtures()
    print(json.dumps({k: m[k] for k in ("root", "build_seconds")}))
