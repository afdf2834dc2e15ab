#!/usr/bin/python3
"""Writes the seed corpora under fuzz/corpus/ (small, valid inputs of each parser).
Run once when the parsers change; the output is committed."""
import gzip
import hashlib
import io
import json
import os
import subprocess
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def tar_bytes(entries, fmt=tarfile.PAX_FORMAT):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for name, kind, data in entries:
            ti = tarfile.TarInfo(name)
            ti.mode = 0o755 if kind == "dir" else 0o644
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            elif kind == "sym":
                ti.type, ti.linkname = tarfile.SYMTYPE, data
                t.addfile(ti)
            elif kind == "hard":
                ti.type, ti.linkname = tarfile.LNKTYPE, data
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    layer = tar_bytes([
        ("etc", "dir", None), ("etc/passwd", "file", b"root:x:0:0::/root:/bin/sh\n"),
        ("bin", "dir", None), ("bin/sh", "file", b"\x7fELF" + b"\0" * 60),
        ("bin/ash", "hard", "bin/sh"), ("usr/bin/env", "sym", "../../bin/sh"),
        ("etc/.wh.old", "file", b""), ("var/.wh..wh..opq", "file", b""),
        ("loop/a", "sym", "b"), ("loop/b", "sym", "a"),
    ])
    gnu = tar_bytes([("d/" + "x" * 120, "file", b"long name"), ("d/l", "sym", "x" * 120)],
                    tarfile.GNU_FORMAT)
    write("layer", "plain.tar", layer)
    write("layer", "gnu.tar", gnu)
    write("layer", "layer.tar.gz", gzip.compress(layer, mtime=0))
    write("layer", "multi.tar.gz", gzip.compress(layer[:512], mtime=0) +
          gzip.compress(layer[512:], mtime=0))
    zst = subprocess.run(["zstd", "-q", "-c"], input=layer, capture_output=True, check=True)
    write("layer", "layer.tar.zst", zst.stdout)

    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"User": "1000"},
                      "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": sha(cfg), "size": len(cfg)}, "layers": []}).encode()
    idx = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(man),
         "size": len(man), "platform": {"os": "linux", "architecture": "amd64"},
         "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}).encode()
    write("oci", "index", b"\0" + idx)
    write("oci", "manifest", b"\1" + man)
    write("oci", "config", b"\2" + cfg)

    dm = json.dumps([{"Config": "config.json", "RepoTags": ["a:1"], "Layers": ["layer.tar"]}])
    write("docker_archive", "classic", dm.encode())
    write("docker_archive", "two", json.dumps([
        {"Config": "config.json", "RepoTags": ["a:1"], "Layers": ["l/layer.tar"]},
        {"Config": "config.json", "RepoTags": ["b:2"], "Layers": ["layer.tar"]}]).encode())

    # A whole small docker-archive and oci-archive for the outer-tar target.
    lgz = gzip.compress(layer, mtime=0)
    cfg2 = json.dumps({"architecture": "amd64", "os": "linux",
                       "rootfs": {"type": "layers", "diff_ids": [sha(layer)]}}).encode()
    da = tar_bytes([("manifest.json", "file", json.dumps(
        [{"Config": hashlib.sha256(cfg2).hexdigest() + ".json", "RepoTags": ["x:1"],
          "Layers": ["abc/layer.tar"]}]).encode()),
        (hashlib.sha256(cfg2).hexdigest() + ".json", "file", cfg2),
        ("abc/layer.tar", "file", layer)])
    write("outer_tar", "docker-archive.tar", da)
    man2 = json.dumps({"schemaVersion": 2,
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": sha(cfg2), "size": len(cfg2)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                   "digest": sha(lgz), "size": len(lgz)}]}).encode()
    idx2 = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(man2),
         "size": len(man2)}]}).encode()
    oa = tar_bytes([("oci-layout", "file", b'{"imageLayoutVersion":"1.0.0"}'),
                    ("index.json", "file", idx2),
                    ("blobs/sha256/" + sha(cfg2)[7:], "file", cfg2),
                    ("blobs/sha256/" + sha(man2)[7:], "file", man2),
                    ("blobs/sha256/" + sha(lgz)[7:], "file", lgz)])
    write("outer_tar", "oci-archive.tar", oa)


if __name__ == "__main__":
    main()
