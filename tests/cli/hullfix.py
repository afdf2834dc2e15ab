"""Helpers shared by the hull CLI tests: running hull, writing tars, OCI layouts and
docker archives, a reference model of the merged view, and walking unpacked trees.

Standard library only; no pytest imports here (imagebuild.py uses it too).
"""
import contextlib
import fcntl
import gzip
import hashlib
import io
import json
import os
import re
import stat
import subprocess
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
HULL = os.path.abspath(os.environ.get("HULL") or os.path.join(REPO, "build", "hull"))
TESTDATA = os.path.abspath(os.environ.get("HULL_TESTDATA")
                           or os.path.join(REPO, "build", "testdata"))

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER_MEDIA = {
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}
MTIME = 1700000000


# --------------------------------------------------------------------------- running hull

class Result:
    def __init__(self, args, rc, out, err):
        self.args, self.rc, self.out, self.err = args, rc, out, err

    @property
    def err_lines(self):
        return [l for l in self.err.splitlines() if l.strip()]

    def json(self):
        assert self.rc == 0, self.describe()
        return strict_json(self.out)

    def describe(self):
        return ("hull %s\n  exit status: %s\n  stderr: %s\n  stdout (head): %s"
                % (" ".join(self.args), self.rc, self.err[-3000:], self.out[:1000]))


def hull(*args, timeout=600, cwd=None):
    args = [str(a) for a in args]
    p = subprocess.run([HULL] + args, capture_output=True, timeout=timeout, cwd=cwd)
    return Result(args, p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"))


def _no_dup_pairs(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key in hull's JSON output: %r" % k)
        d[k] = v
    return d


def strict_json(text):
    return json.loads(text, object_pairs_hook=_no_dup_pairs)


def assert_input_error(res, input_path, warnings_allowed=False):
    """Exit status exactly 2; stderr is one `hull: error:` line naming input_path
    (preceded only by `hull: warning:` lines when warnings_allowed)."""
    assert res.rc == 2, "expected exit 2\n" + res.describe()
    lines = res.err_lines
    assert lines, "no message on stderr\n" + res.describe()
    errors = [l for l in lines if l.startswith("hull: error:")]
    assert len(errors) == 1, "expected exactly one 'hull: error:' line\n" + res.describe()
    if warnings_allowed:
        assert lines[-1].startswith("hull: error:"), res.describe()
        for l in lines[:-1]:
            assert l.startswith("hull: warning:"), res.describe()
    else:
        assert len(lines) == 1, "expected exactly one line on stderr\n" + res.describe()
    assert str(input_path) in errors[0], \
        "error line does not name the input %s\n%s" % (input_path, res.describe())
    return errors[0]


# --------------------------------------------------------------------------- digests

def sha256_bytes(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def sha256_file(path):
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
    return "sha256:" + h.hexdigest(), n


def hexof(digest):
    return digest.split(":", 1)[1]


def jdump(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=False).encode()


# --------------------------------------------------------------------------- tars

def entry(name, type="file", data=b"", mode=None, uid=0, gid=0, link="", major=0,
          minor=0, size=None):
    """Description of one tar entry for make_tar()."""
    if mode is None:
        mode = {"dir": 0o755, "symlink": 0o777}.get(type, 0o644)
    return dict(name=name, type=type, data=data, mode=mode, uid=uid, gid=gid, link=link,
                major=major, minor=minor, size=size)


_TYPES = {"file": tarfile.REGTYPE, "dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE,
          "hardlink": tarfile.LNKTYPE, "fifo": tarfile.FIFOTYPE, "char": tarfile.CHRTYPE,
          "block": tarfile.BLKTYPE}


def write_tar(fileobj, entries, fmt=tarfile.PAX_FORMAT):
    with tarfile.open(fileobj=fileobj, mode="w", format=fmt) as tf:
        for e in entries:
            ti = tarfile.TarInfo(e["name"])
            ti.type = _TYPES[e["type"]]
            ti.mode = e["mode"]
            ti.uid, ti.gid = e["uid"], e["gid"]
            ti.uname = ti.gname = ""
            ti.mtime = MTIME
            ti.linkname = e["link"]
            ti.devmajor, ti.devminor = e["major"], e["minor"]
            data = e["data"]
            if e["type"] == "file":
                if isinstance(data, str):  # path of a file with the content
                    ti.size = e["size"] if e["size"] is not None else os.path.getsize(data)
                    with open(data, "rb") as f:
                        tf.addfile(ti, f)
                else:
                    ti.size = len(data)
                    tf.addfile(ti, io.BytesIO(data))
            else:
                ti.size = 0
                tf.addfile(ti)


def make_tar(entries, fmt=tarfile.PAX_FORMAT):
    b = io.BytesIO()
    write_tar(b, entries, fmt)
    return b.getvalue()


def compress(data, comp):
    if comp == "none":
        return data
    if comp == "gzip":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if comp == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, check=True,
                              capture_output=True).stdout
    raise ValueError(comp)


def text_blob(n, seed=1):
    """Compressible, non-trivial content of n bytes."""
    import random
    r = random.Random(seed)
    words = [("w%d" % i).encode() * r.randint(1, 3) for i in range(300)]
    out = bytearray()
    while len(out) < n:
        out += r.choice(words) + b" "
    return bytes(out[:n])


def rand_blob(n, seed=1):
    import random
    return random.Random(seed).randbytes(n)


# --------------------------------------------------------------------------- OCI layouts

def write_blob(layout, data):
    d = sha256_bytes(data)
    p = os.path.join(layout, "blobs", "sha256", hexof(d))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data)
    return d


def blob_path(layout, digest):
    return os.path.join(layout, "blobs", "sha256", hexof(digest))


def make_config(diff_ids, arch="amd64", osname="linux", variant=None, history=None,
                config=None):
    cfg = {
        "created": "2024-01-01T00:00:00Z",
        "architecture": arch,
        "os": osname,
        "config": config if config is not None else {"Env": ["PATH=/usr/bin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
        "history": history if history is not None else
        [{"created": "2024-01-01T00:00:00Z", "created_by": "layer %d" % i}
         for i in range(len(diff_ids))],
    }
    if variant:
        cfg["variant"] = variant
    return cfg


def make_oci_layout(path, layers, *, arch="amd64", osname="linux", variant=None,
                    ref="latest", history=None, diff_ids=None, blob_hook=None,
                    config_bytes_hook=None, manifest_bytes_hook=None):
    """Write an OCI image layout at path from layers = [(tar_bytes, comp), ...].

    Everything is consistent (digests, sizes, diff_ids) unless a hook changes it:
    blob_hook(i, compressed) -> bytes   replaces layer i's blob before it is digested,
    diff_ids                            overrides the config's rootfs.diff_ids,
    config_bytes_hook / manifest_bytes_hook(bytes) -> bytes  alter the JSON (and are
    digested afterwards, so the only defect is the one the hook introduces).
    """
    os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(path, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    descs, real_diff_ids, info_layers = [], [], []
    for i, (tar_bytes, comp) in enumerate(layers):
        blob = compress(tar_bytes, comp)
        if blob_hook:
            blob = blob_hook(i, blob)
        d = write_blob(path, blob)
        descs.append({"mediaType": LAYER_MEDIA[comp], "digest": d, "size": len(blob)})
        real_diff_ids.append(sha256_bytes(tar_bytes))
        info_layers.append({"digest": d, "size": len(blob), "media_type": LAYER_MEDIA[comp],
                            "diff_id": sha256_bytes(tar_bytes),
                            "uncompressed_size": len(tar_bytes)})
    cfg = make_config(diff_ids if diff_ids is not None else real_diff_ids, arch, osname,
                      variant, history)
    cfg_bytes = jdump(cfg)
    if config_bytes_hook:
        cfg_bytes = config_bytes_hook(cfg_bytes)
    cfg_d = write_blob(path, cfg_bytes)
    man = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
           "config": {"mediaType": OCI_CONFIG, "digest": cfg_d, "size": len(cfg_bytes)},
           "layers": descs}
    man_bytes = jdump(man)
    if manifest_bytes_hook:
        man_bytes = manifest_bytes_hook(man_bytes)
    man_d = write_blob(path, man_bytes)
    idx = {"schemaVersion": 2, "mediaType": OCI_INDEX,
           "manifests": [{"mediaType": OCI_MANIFEST, "digest": man_d, "size": len(man_bytes),
                          "annotations": {"org.opencontainers.image.ref.name": ref}}]}
    with open(os.path.join(path, "index.json"), "wb") as f:
        f.write(jdump(idx))
    return {"path": path, "manifest": man_d, "config": cfg_d, "config_json": cfg,
            "layers": info_layers}


def tar_directory(src_dir, out_path):
    """Tar the contents of src_dir (e.g. an OCI layout) into out_path (uncompressed)."""
    with tarfile.open(out_path, "w", format=tarfile.PAX_FORMAT) as tf:
        for name in sorted(os.listdir(src_dir)):
            tf.add(os.path.join(src_dir, name), arcname=name)


# --------------------------------------------------------------------------- docker archives

def _add_bytes(tf, name, data):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime, ti.mode = len(data), MTIME, 0o644
    tf.addfile(ti, io.BytesIO(data))


def _add_file(tf, name, path):
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime, ti.mode = os.path.getsize(path), MTIME, 0o644
    with open(path, "rb") as f:
        tf.addfile(ti, f)


def _add_dir(tf, name):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mtime, ti.mode = tarfile.DIRTYPE, MTIME, 0o755
    tf.addfile(ti)


def _add_src(tf, name, src):
    if isinstance(src, (bytes, bytearray)):
        _add_bytes(tf, name, bytes(src))
    else:
        _add_file(tf, name, src)


def _src_digest(src):
    if isinstance(src, (bytes, bytearray)):
        return sha256_bytes(bytes(src)), len(src)
    return sha256_file(src)


def chain_ids(diff_ids):
    out, prev = [], None
    for d in diff_ids:
        prev = d if prev is None else sha256_bytes((prev + " " + d).encode())
        out.append(prev)
    return out


def write_classic_archive(out_path, images, manifest_first=False, manifest_hook=None):
    """Classic `docker save` (Docker < 25): <id>/layer.tar, <id>/json, <id>/VERSION,
    <confighex>.json, manifest.json, repositories.

    images: [{"config": bytes, "layers": [bytes | path of an uncompressed tar],
              "tags": ["example/img:1"]}]
    Returns the expected description of each image."""
    members, manifest, repos, descs, seen = [], [], {}, [], set()
    for img in images:
        layer_info = [_src_digest(s) for s in img["layers"]]
        diff_ids = [d for d, _ in layer_info]
        ids = [hexof(c) for c in chain_ids(diff_ids)]
        names = []
        for i, (src, lid) in enumerate(zip(img["layers"], ids)):
            names.append(lid + "/layer.tar")
            if lid in seen:
                continue
            seen.add(lid)
            v1 = {"id": lid, "created": "2024-01-01T00:00:00Z"}
            if i:
                v1["parent"] = ids[i - 1]
            members += [("dir", lid + "/", None), ("bytes", lid + "/VERSION", b"1.0"),
                        ("bytes", lid + "/json", jdump(v1)), ("src", lid + "/layer.tar", src)]
        cfg_d = sha256_bytes(img["config"])
        if (cfg_d + ".json") not in seen:
            seen.add(cfg_d + ".json")
            members.append(("bytes", hexof(cfg_d) + ".json", img["config"]))
        manifest.append({"Config": hexof(cfg_d) + ".json", "RepoTags": img["tags"],
                         "Layers": names})
        for t in img["tags"]:
            repo, tag = t.rsplit(":", 1)
            repos.setdefault(repo, {})[tag] = ids[-1]
        descs.append({"digest": cfg_d, "config_digest": cfg_d, "media_type": None,
                      "layers": [{"digest": d, "size": n, "diff_id": d,
                                  "uncompressed_size": n} for d, n in layer_info]})
    man_bytes = jdump(manifest)
    if manifest_hook:
        man_bytes = manifest_hook(man_bytes)
    tail = [("bytes", "manifest.json", man_bytes), ("bytes", "repositories", jdump(repos))]
    members = tail + members if manifest_first else members + tail
    tmp = out_path + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tf:
        for kind, name, src in members:
            if kind == "dir":
                _add_dir(tf, name)
            else:
                _add_src(tf, name, src)
    os.replace(tmp, out_path)
    return descs


def write_docker25_archive(out_path, config, layers, tags):
    """Docker >= 25 `docker save`: an OCI layout (uncompressed layers) plus manifest.json."""
    layer_info = [_src_digest(s) for s in layers]
    cfg_d = sha256_bytes(config)
    man = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
           "config": {"mediaType": OCI_CONFIG, "digest": cfg_d, "size": len(config)},
           "layers": [{"mediaType": LAYER_MEDIA["none"], "digest": d, "size": n}
                      for d, n in layer_info]}
    man_bytes = jdump(man)
    man_d = sha256_bytes(man_bytes)
    idx = {"schemaVersion": 2, "mediaType": OCI_INDEX,
           "manifests": [{"mediaType": OCI_MANIFEST, "digest": man_d, "size": len(man_bytes),
                          "annotations": {"io.containerd.image.name": "docker.io/" + tags[0],
                                          "org.opencontainers.image.ref.name":
                                              tags[0].rsplit(":", 1)[1]}}]}
    dman = [{"Config": "blobs/sha256/" + hexof(cfg_d), "RepoTags": tags,
             "Layers": ["blobs/sha256/" + hexof(d) for d, _ in layer_info]}]
    repos = {}
    for t in tags:
        repo, tag = t.rsplit(":", 1)
        repos.setdefault(repo, {})[tag] = hexof(layer_info[-1][0])
    tmp = out_path + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tf:
        _add_dir(tf, "blobs/")
        _add_dir(tf, "blobs/sha256/")
        blobs = {hexof(d): s for (d, _), s in zip(layer_info, layers)}
        blobs[hexof(cfg_d)] = config
        blobs[hexof(man_d)] = man_bytes
        for h in sorted(blobs):
            _add_src(tf, "blobs/sha256/" + h, blobs[h])
        _add_bytes(tf, "index.json", jdump(idx))
        _add_bytes(tf, "manifest.json", jdump(dman))
        _add_bytes(tf, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        _add_bytes(tf, "repositories", jdump(repos))
    os.replace(tmp, out_path)
    return {"digest": man_d, "config_digest": cfg_d, "media_type": OCI_MANIFEST,
            "layers": [{"digest": d, "size": n, "diff_id": d, "uncompressed_size": n,
                        "media_type": LAYER_MEDIA["none"]} for d, n in layer_info]}


def write_ggcr_archive(out_path, config, gz_layers, tags):
    """go-containerregistry (crane) tarball: config "sha256:<hex>", layers "<hex>.tar.gz"
    (gzip, hex = compressed digest), manifest.json last."""
    cfg_d = sha256_bytes(config)
    info = [_src_digest(s) for s in gz_layers]
    tmp = out_path + ".tmp"
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tf:
        _add_bytes(tf, cfg_d, config)
        for (d, _), s in zip(info, gz_layers):
            _add_src(tf, hexof(d) + ".tar.gz", s)
        _add_bytes(tf, "manifest.json", jdump(
            [{"Config": cfg_d, "RepoTags": tags,
              "Layers": [hexof(d) + ".tar.gz" for d, _ in info]}]))
    os.replace(tmp, out_path)
    return {"digest": cfg_d, "config_digest": cfg_d, "media_type": None,
            "layers": [{"digest": d, "size": n} for d, n in info]}


# --------------------------------------------------------------------------- reference model

_TT = {tarfile.REGTYPE: "file", tarfile.AREGTYPE: "file", tarfile.CONTTYPE: "file",
       tarfile.DIRTYPE: "dir", tarfile.SYMTYPE: "symlink", tarfile.LNKTYPE: "hardlink",
       tarfile.FIFOTYPE: "fifo", tarfile.CHRTYPE: "char", tarfile.BLKTYPE: "block"}


def norm(name):
    parts = [p for p in name.split("/") if p not in ("", ".")]
    assert ".." not in parts, name
    return "/" + "/".join(parts)


def tar_entries(path_or_fileobj):
    """[(path, type, mode, uid, gid, size, link)] of a (possibly gzip'd) layer tar."""
    out = []
    kw = {"fileobj": path_or_fileobj} if not isinstance(path_or_fileobj, str) \
        else {"name": path_or_fileobj}
    with tarfile.open(mode="r|*", **kw) as tf:
        for ti in tf:
            t = _TT[ti.type]
            link = norm(ti.linkname) if t == "hardlink" else (ti.linkname if t == "symlink"
                                                              else None)
            out.append({"path": norm(ti.name), "type": t, "mode": "%04o" % (ti.mode & 0o7777),
                        "uid": ti.uid, "gid": ti.gid, "size": ti.size if t == "file" else 0,
                        "link": link})
    return out


def _split(p):
    d, b = p.rsplit("/", 1)
    return (d or "/"), b


def _desc_of(p, d):
    return p.startswith(d.rstrip("/") + "/") and p != d


def analyze(layers):
    """Reference merge (OCI whiteout semantics) of layers = [[entry, ...], ...] following
    docs/inspect.md: visible files with their layer, per-layer files_added /
    files_changed / files_removed / wasted_bytes, image wasted_bytes, copies per path."""
    state = {}
    stats = []
    wasted = [0] * len(layers)
    copies = {}
    path_wasted = {}

    def waste(ent):
        if ent["type"] == "file":
            wasted[ent["layer"]] += ent["size"]
            path_wasted[ent["path"]] = path_wasted.get(ent["path"], 0) + ent["size"]

    for i, entries in enumerate(layers):
        removed = added = changed = 0
        for e in entries:
            d, b = _split(e["path"])
            if b == ".wh..wh..opq":
                victims = [p for p in state if _desc_of(p, d)]
            elif b.startswith(".wh."):
                t = (d.rstrip("/") + "/" + b[4:])
                victims = [p for p in state if p == t or _desc_of(p, t)]
            else:
                continue
            for p in victims:
                waste(state.pop(p))
                removed += 1
        for e in entries:
            p = e["path"]
            if _split(p)[1].startswith(".wh.") or p == "/":
                continue
            if e["type"] == "file":
                copies[p] = copies.get(p, 0) + 1
            prev = state.get(p)
            if prev is None:
                added += 1
            else:
                if not (prev["type"] == "dir" and e["type"] == "dir" and
                        (prev["mode"], prev["uid"], prev["gid"]) ==
                        (e["mode"], e["uid"], e["gid"])):
                    changed += 1
                waste(prev)
                if prev["type"] == "dir" and e["type"] != "dir":
                    for q in [q for q in state if _desc_of(q, p)]:
                        waste(state.pop(q))
            ne = dict(e)
            ne["layer"] = i
            state[p] = ne
        stats.append({"files_added": added, "files_changed": changed,
                      "files_removed": removed, "wasted_bytes": wasted[i]})
    for i, s in enumerate(stats):
        s["wasted_bytes"] = wasted[i]
    return {"files": state, "layers": stats, "wasted_bytes": sum(wasted),
            "copies": copies, "path_wasted": path_wasted}


def efficiency_no_whiteouts(layers):
    """dive's score for layers without whiteouts: sum(min size per path) / sum(sizes)."""
    seen = {}
    for entries in layers:
        for e in entries:
            if e["path"] == "/":
                continue
            seen.setdefault(e["path"], []).append(e["size"] if e["type"] == "file" else 0)
    tot = sum(sum(v) for v in seen.values())
    return 1.0 if tot == 0 else sum(min(v) for v in seen.values()) / tot


# --------------------------------------------------------------------------- unpacked trees

def ftype(st):
    m = st.st_mode
    for test, name in ((stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"),
                       (stat.S_ISLNK, "symlink"), (stat.S_ISFIFO, "fifo"),
                       (stat.S_ISCHR, "char"), (stat.S_ISBLK, "block"),
                       (stat.S_ISSOCK, "socket")):
        if test(m):
            return name
    return "?"


def walk_tree(root):
    """{"/path": {type, mode, uid, gid, size, link, ino}} of everything under root."""
    out = {}
    root = root.rstrip("/")
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            full = os.path.join(dirpath, n)
            st = os.lstat(full)
            t = ftype(st)
            out[full[len(root):]] = {
                "type": t, "mode": "%04o" % stat.S_IMODE(st.st_mode), "uid": st.st_uid,
                "gid": st.st_gid, "size": st.st_size if t == "file" else 0,
                "link": os.readlink(full) if t == "symlink" else None, "ino": st.st_ino}
    return out


def compare_files(files, disk, require_hardlinks=True, limit=40):
    """Differences between hull's `files` list and a walk_tree() of the same tree."""
    errs = []
    paths = [f["path"] for f in files]
    if paths != sorted(paths, key=lambda p: p.encode()):
        errs.append("files are not sorted bytewise by path")
    if len(set(paths)) != len(paths):
        errs.append("duplicate paths in files")
    if "/" in paths:
        errs.append("root directory is listed")
    byp = {f["path"]: f for f in files}
    missing = sorted(set(disk) - set(byp))
    extra = sorted(set(byp) - set(disk))
    if missing:
        errs.append("%d paths missing, e.g. %s" % (len(missing), missing[:10]))
    if extra:
        errs.append("%d unexpected paths, e.g. %s" % (len(extra), extra[:10]))
    groups = {}
    for p, d in disk.items():
        if d["type"] == "file":
            groups.setdefault(d["ino"], []).append(p)
    for p in sorted(set(disk) & set(byp)):
        d, h = disk[p], byp[p]
        for k in ("path", "type", "mode", "uid", "gid", "size", "link", "layer"):
            if k not in h:
                errs.append("%s: key %r missing in %r" % (p, k, h))
        if h.get("type") == "hardlink":
            t = h.get("link")
            if d["type"] != "file":
                errs.append("%s: hull says hardlink, disk has %s" % (p, d["type"]))
            elif not (isinstance(t, str) and t.startswith("/") and t in disk
                      and disk[t]["ino"] == d["ino"] and t != p):
                errs.append("%s: hardlink target %r is not another name of the same inode %s"
                            % (p, t, sorted(groups.get(d["ino"], []))))
            for k in ("mode", "uid", "gid"):
                if h.get(k) != d[k]:
                    errs.append("%s: %s %r != on disk %r" % (p, k, h.get(k), d[k]))
            continue
        if h.get("type") != d["type"]:
            errs.append("%s: type %r != on disk %r" % (p, h.get("type"), d["type"]))
            continue
        for k in ("mode", "uid", "gid"):
            if h.get(k) != d[k]:
                errs.append("%s: %s %r != on disk %r" % (p, k, h.get(k), d[k]))
        if d["type"] == "file" and h.get("size") != d["size"]:
            errs.append("%s: size %r != on disk %r" % (p, h.get("size"), d["size"]))
        if d["type"] == "symlink" and h.get("link") != d["link"]:
            errs.append("%s: link %r != on disk %r" % (p, h.get("link"), d["link"]))
        if d["type"] != "symlink" and h.get("link") is not None:
            errs.append("%s: link %r should be null" % (p, h.get("link")))
    if require_hardlinks:
        for ino, ps in groups.items():
            ps = [p for p in ps if p in byp]
            if len(ps) > 1:
                n = sum(1 for p in ps if byp[p]["type"] == "file")
                if n != 1:
                    errs.append("inode group %s: %d entries of type file, expected 1 "
                                "(the others hardlinks)" % (sorted(ps), n))
    if len(errs) > limit:
        errs = errs[:limit] + ["... %d more" % (len(errs) - limit)]
    return errs


# --------------------------------------------------------------------------- misc

@contextlib.contextmanager
def locked(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


_UNITS = {"": 1, "b": 1, "bytes": 1, "byte": 1, "k": 1000, "kb": 1000, "kib": 1024,
          "m": 1000 ** 2, "mb": 1000 ** 2, "mib": 1024 ** 2, "g": 1000 ** 3, "gb": 1000 ** 3,
          "gib": 1024 ** 3}


def mentions_size(text, n):
    """True when text shows the byte count n, exactly (also with , _ or ' separators) or
    rounded in a human unit (kB, KiB, MB, MiB, ...)."""
    plain = text.replace(",", "").replace("_", "").replace("'", "")
    if re.search(r"(?<![\d.])%d(?![\d.])" % n, plain):
        return True
    for m in re.finditer(r"(\d+(?:\.\d+)?)\s*([kKmMgG]i?[bB]?|[bB](?:ytes?)?)\b", plain):
        v = float(m.group(1))
        unit = _UNITS.get(m.group(2).lower())
        if unit is None or unit == 1:
            continue
        digits = len(m.group(1).split(".")[1]) if "." in m.group(1) else 0
        tol = 0.5 * 10 ** -digits * unit + 1
        if abs(v * unit - n) <= tol:
            return True
    return False


def ensure_langs_tar():
    """Debian 12 minbase with python3, nodejs and openjdk, made once with mmdebstrap."""
    out = os.path.join(TESTDATA, "debian-langs.tar")
    with locked(os.path.join(TESTDATA, ".langs.lock")):
        if not os.path.exists(out):
            tmp = out + ".tmp-%d" % os.getpid()
            try:
                subprocess.run(["mmdebstrap", "--quiet", "--variant=minbase", "--format=tar",
                                "--include=python3,nodejs,openjdk-17-jre-headless",
                                "bookworm", tmp], check=True, capture_output=True)
                os.replace(tmp, out)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
    return out
