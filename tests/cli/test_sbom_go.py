"""Go catalogers against the Go toolchain: the build info of Debian's Go binaries and of
binaries built here in module mode (deps and replacements, from a file:// module proxy
made by the test) equals `go version -m`; go.mod require lines; corrupt build info is a
warning naming the file."""
import os
import shutil
import subprocess
import zipfile

import pytest

import hullfix as H

GO = shutil.which("go")
pytestmark = pytest.mark.skipif(not GO, reason="go (golang-go) not installed")

DEBIAN_BINS = ["/usr/bin/skopeo", "/usr/bin/umoci", "/usr/lib/go-1.19/bin/go",
               "/usr/lib/go-1.19/bin/gofmt", "/usr/lib/go-1.19/pkg/tool/linux_amd64/vet"]


def go_version_m(path):
    """{(name, version)} as `go version -m` reports: main module, deps (replaced by
    their replacement), and the toolchain as stdlib."""
    out = subprocess.run([GO, "version", "-m", path], capture_output=True, text=True,
                         check=True).stdout
    pkgs, last = set(), None
    first = out.splitlines()[0]
    pkgs.add(("stdlib", first.split(": ", 1)[1].split()[0][2:]))
    for line in out.splitlines()[1:]:
        f = line.strip("\n").split("\t")[1:]
        if f[0] in ("mod", "dep"):
            last = (f[1], f[2] if len(f) > 2 and f[2] else "(devel)")
            pkgs.add(last)
        elif f[0] == "=>":
            pkgs.discard(last)
            local = f[1].startswith(("./", "../", "/"))  # hull keeps the module path
            pkgs.add((last[0] if local else f[1], f[2] if len(f) > 2 and f[2] else "(devel)"))
    return pkgs


def sbom(root):
    res = H.hull("sbom", "-f", "json", "rootfs:%s" % root)
    return res, res.json()["packages"]


def by_path(pkgs, cataloger_path):
    return {(p["name"], p["version"]) for p in pkgs if p["path"] == cataloger_path}


def test_debian_binaries_match_go_version_m(tmp_path):
    root = tmp_path / "root"
    bins = [b for b in DEBIAN_BINS if os.path.isfile(b)]
    assert len(bins) >= 3
    for i, b in enumerate(bins):
        dst = root / ("usr/bin/%d-%s" % (i, os.path.basename(b)))
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(b, dst)
    res, pkgs = sbom(root)
    assert res.err == "", res.describe()
    for i, b in enumerate(bins):
        p = "/usr/bin/%d-%s" % (i, os.path.basename(b))
        assert by_path(pkgs, p) == go_version_m(b), p
    assert all(p["type"] == "golang" and p["purl"].startswith("pkg:golang/") for p in pkgs)


# --------------------------------------------------------------------------- module mode

def write_module(proxy, path, version, files):
    """A module in GOPROXY layout (list, .info, .mod, .zip)."""
    d = proxy / path / "@v"
    d.mkdir(parents=True, exist_ok=True)
    gomod = "module %s\n\ngo 1.19\n" % path
    (d / (version + ".mod")).write_text(gomod)
    (d / (version + ".info")).write_text('{"Version":"%s","Time":"2023-01-01T00:00:00Z"}'
                                         % version)
    with open(d / "list", "a") as f:
        f.write(version + "\n")
    with zipfile.ZipFile(d / (version + ".zip"), "w") as z:
        z.writestr("%s@%s/go.mod" % (path, version), gomod)
        for name, text in files.items():
            z.writestr("%s@%s/%s" % (path, version, name), text)


def lib(pkgname):
    return {"lib.go": 'package %s\n\nfunc Hello() string { return "%s" }\n'
                      % (pkgname, pkgname)}


@pytest.fixture(scope="module")
def module_binary(tmp_path_factory):
    """A binary with a plain dep, a scoped-looking path, a dep replaced by another
    module version, and a dep replaced by a local directory."""
    t = tmp_path_factory.mktemp("gomod")
    proxy = t / "proxy"
    write_module(proxy, "example.com/alpha", "v1.2.3", lib("alpha"))
    write_module(proxy, "example.com/beta", "v0.4.0", lib("beta"))
    write_module(proxy, "example.com/forkedbeta", "v0.4.1-fix", lib("beta"))
    write_module(proxy, "example.com/gamma", "v0.0.0-20230101000000-abcdefabcdef",
                 lib("gamma"))
    local = t / "localdelta"
    local.mkdir()
    (local / "go.mod").write_text("module example.com/delta\n\ngo 1.19\n")
    (local / "lib.go").write_text('package delta\n\nfunc Hello() string { return "d" }\n')
    app = t / "app"
    app.mkdir()
    (app / "go.mod").write_text(
        "module example.com/app\n\ngo 1.19\n\n"
        "require (\n\texample.com/alpha v1.2.3\n\texample.com/beta v0.4.0\n"
        "\texample.com/gamma v0.0.0-20230101000000-abcdefabcdef // indirect\n"
        "\texample.com/delta v0.0.1\n)\n\n"
        "replace example.com/beta => example.com/forkedbeta v0.4.1-fix\n"
        "replace example.com/delta => ../localdelta\n")
    (app / "main.go").write_text(
        'package main\n\nimport (\n\t"fmt"\n\t"example.com/alpha"\n\tbeta "example.com/beta"\n'
        '\t"example.com/gamma"\n\t"example.com/delta"\n)\n\n'
        "func main() { fmt.Println(alpha.Hello(), beta.Hello(), gamma.Hello(), "
        "delta.Hello()) }\n")
    env = dict(os.environ, GOPROXY="file://%s" % proxy, GOFLAGS="-mod=mod", GOSUMDB="off",
               GONOSUMDB="*", GOPATH=str(t / "gopath"), GOCACHE=str(t / "gocache"),
               CGO_ENABLED="0", GO111MODULE="on")
    subprocess.run([GO, "build", "-buildvcs=false", "-o", str(t / "app-bin"), "."], cwd=app,
                   env=env, check=True, capture_output=True)
    return t / "app-bin", app / "go.mod"


def test_module_binary_matches_go_version_m(tmp_path, module_binary):
    binary, _ = module_binary
    root = tmp_path / "root"
    (root / "app").mkdir(parents=True)
    shutil.copy(binary, root / "app" / "server")
    res, pkgs = sbom(root)
    assert res.err == "", res.describe()
    want = go_version_m(str(binary))
    assert ("example.com/forkedbeta", "v0.4.1-fix") in want  # the oracle sees replaces
    assert ("example.com/delta", "(devel)") in want
    assert by_path(pkgs, "/app/server") == want
    purls = {p["purl"] for p in pkgs}
    assert "pkg:golang/example.com/alpha@v1.2.3" in purls
    assert "pkg:golang/example.com/app@(devel)" in purls


def test_go_mod_require_lines(tmp_path, module_binary):
    _, gomod = module_binary
    root = tmp_path / "root"
    (root / "src").mkdir(parents=True)
    shutil.copy(gomod, root / "src" / "go.mod")
    res, pkgs = sbom(root)
    assert res.err == "", res.describe()
    assert by_path(pkgs, "/src/go.mod") == {
        ("example.com/alpha", "v1.2.3"), ("example.com/beta", "v0.4.0"),
        ("example.com/gamma", "v0.0.0-20230101000000-abcdefabcdef"),
        ("example.com/delta", "v0.0.1")}


def gosum_modules(text):
    """go.sum's built modules: "MOD VER h1:…" lines, not "MOD VER/go.mod h1:…"."""
    out = set()
    for line in text.splitlines():
        f = line.split()
        if len(f) == 3 and f[2].startswith("h1:") and not f[1].endswith("/go.mod"):
            out.add((f[0], f[1]))
    return out


def test_go_sum_beside_go_mod(tmp_path, module_binary):
    """go.sum completes a go.mod older than Go 1.17 (as Trivy reads it), is not inventory
    beside a complete (>= 1.17) go.mod, and is read alone without one."""
    _, gomod = module_binary
    gosum = gomod.parent / "go.sum"
    assert gosum.exists()  # written by the real go build of the fixture
    text = gosum.read_text()
    want_sum = gosum_modules(text)
    assert want_sum and any(l.split()[1].endswith("/go.mod") for l in text.splitlines())
    root = tmp_path / "root"
    for d in ("new", "old", "alone"):
        (root / d).mkdir(parents=True)
        shutil.copy(gosum, root / d / "go.sum")
    shutil.copy(gomod, root / "new" / "go.mod")  # go 1.19
    (root / "old" / "go.mod").write_text(
        gomod.read_text().replace("go 1.19", "go 1.16").replace(
            "\texample.com/alpha v1.2.3\n", ""))
    res, pkgs = sbom(root)
    assert res.err == "", res.describe()
    assert by_path(pkgs, "/new/go.sum") == set()
    old_mod = by_path(pkgs, "/old/go.mod")
    assert ("example.com/alpha", "v1.2.3") not in old_mod
    listed = {n for n, _ in old_mod}
    assert by_path(pkgs, "/old/go.sum") == {m for m in want_sum if m[0] not in listed}
    assert ("example.com/alpha", "v1.2.3") in by_path(pkgs, "/old/go.sum")
    assert by_path(pkgs, "/alone/go.sum") == want_sum
    for p in pkgs:
        if p["path"].endswith("go.sum"):
            assert p["purl"] == "pkg:golang/%s@%s" % (p["name"], p["version"])


def test_go_mod_single_line_and_quotes(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "go.mod").write_text(
        "// comment\nmodule x\n\ngo 1.21\n\nrequire golang.org/x/text v0.14.0\n"
        'require "github.com/a/b" v1.0.0 // indirect\n'
        "replace (\n\tgithub.com/a/b => ./b\n)\nexclude github.com/c/d v1.0.0\n"
        "require (\n)\nrequire (\n\tgithub.com/e/f v0.0.0-2020 \r\n)\n")
    res, pkgs = sbom(root)
    assert res.err == "", res.describe()
    assert by_path(pkgs, "/go.mod") == {("golang.org/x/text", "v0.14.0"),
                                        ("github.com/a/b", "v1.0.0"),
                                        ("github.com/e/f", "v0.0.0-2020")}


# --------------------------------------------------------------------------- bad input

def corrupt(data, how):
    i = data.find(b"\xff Go buildinf:")
    assert i >= 0
    b = bytearray(data)
    if how == "huge-varint":
        b[i + 32:i + 42] = b"\xff" * 9 + b"\x01"
    elif how == "long-length":
        b[i + 32:i + 36] = b"\xff\xff\xff\x0f"
    elif how == "truncated":
        return bytes(b[:i + 40])
    elif how == "bad-ptrsize":
        b[i + 15] = 0  # pointer form
        b[i + 14] = 3
    elif how == "wild-pointers":
        b[i + 15] = 0
        b[i + 14] = 8
        b[i + 16:i + 32] = b"\xf0" * 16
    return bytes(b)


@pytest.mark.parametrize("how", ["huge-varint", "long-length", "truncated", "bad-ptrsize",
                                 "wild-pointers"])
def test_corrupt_build_info_warns_and_goes_on(tmp_path, how, module_binary):
    binary, _ = module_binary
    root = tmp_path / "root"
    (root / "usr/bin").mkdir(parents=True)
    data = binary.read_bytes()
    (root / "usr/bin/bad").write_bytes(corrupt(data, how))
    shutil.copy(binary, root / "usr/bin/good")
    res = H.hull("sbom", "-f", "json", "rootfs:%s" % root)
    assert res.rc == 0, res.describe()
    pkgs = res.json()["packages"]
    assert by_path(pkgs, "/usr/bin/good") == go_version_m(str(binary))
    if how == "truncated":
        # Cut inside the header's strings: still a warning, not a guess.
        pass
    assert any("/usr/bin/bad" in l and "Go build info" in l for l in res.err_lines), \
        res.describe()
    assert all(l.startswith("hull: warning:") for l in res.err_lines), res.describe()


def test_non_go_files_are_ignored_quietly(tmp_path):
    root = tmp_path / "root"
    (root / "usr/bin").mkdir(parents=True)
    shutil.copy("/bin/true", root / "usr/bin/true")
    (root / "usr/bin/script").write_text("#!/bin/sh\necho hi\n")
    (root / "usr/bin/tiny").write_bytes(b"\x7fELF")
    (root / "usr/bin/magic-only").write_bytes(b"\x7fELF" + b"\0" * 60 + b"\xff Go buildinf:")
    res, pkgs = sbom(root)
    assert pkgs == [] and res.rc == 0, res.describe()
