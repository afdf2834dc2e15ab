"""Dependency relations in the inventory and the SBOMs: npm (package-lock v1/v2/v3,
yarn 1, yarn berry, pnpm 7/8/9 lockfiles and their node_modules trees) against the
parent->child edges of `npm ls --all --json --long`; Python dist-info against
importlib.metadata.requires(); Go binaries against `go version -m`; Cargo, Composer,
Gemfile.lock, poetry.lock and uv.lock fixtures with hand-checked edges; CycloneDX
`dependencies` and SPDX DEPENDS_ON valid against the schemas and reproducible."""
import importlib.metadata as md
import json
import os
import re
import shutil
import subprocess

import pytest

import hullfix as H
from test_sbom import validate_cyclonedx, validate_spdx
from test_sbom_npm import VARIANTS, project
from test_sbom_go import GO, module_binary  # noqa: F401 (fixture)
from test_sbom_python import dist_root  # noqa: F401 (fixture)


def inventory(root, *extra):
    res = H.hull("sbom", "-f", "json", "rootfs:%s" % root, *extra, timeout=120)
    assert res.rc == 0, res.describe()
    return res, res.json()


def edges(doc, sel=lambda p: True):
    """{((name, version), (name, version))} of the packages sel picks."""
    P = doc["packages"]
    out = set()
    for p in P:
        if not sel(p):
            continue
        for i in p.get("depends_on", []):
            q = P[i]
            assert sel(q), (p, q)  # edges never leave their file / tree
            out.add(((p["name"], p["version"]), (q["name"], q["version"])))
    return out


def project_deps(doc, path):
    P = doc["packages"]
    pr = [x for x in doc["projects"] if x["path"] == path]
    assert len(pr) == 1, doc["projects"]
    return {(P[i]["name"], P[i]["version"]) for i in pr[0].get("depends_on", [])}


# --------------------------------------------------------------------------- npm

def npm_ls_edges(d):
    """parent -> child edges of `npm ls --all --json --long` (deduplicated; an alias
    by its real name), and the root's children."""
    p = subprocess.run(["npm", "ls", "--all", "--json", "--long"], cwd=d,
                       capture_output=True, text=True,
                       env=dict(os.environ, npm_config_update_notifier="false"))
    tree = json.loads(p.stdout)
    out, root = set(), set()

    def walk(parent, deps):
        for k, v in (deps or {}).items():
            if "version" not in v:
                continue
            child = (v.get("name") or k, v["version"])
            if parent is None:
                root.add(child)
            else:
                out.add((parent, child))
            walk(child, v.get("dependencies"))
    walk(None, tree.get("dependencies"))
    return out, root


@pytest.fixture(scope="module")
def npm_truth():
    return npm_ls_edges(project("npm-v3"))


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_npm_edges_equal_npm_ls(variant, npm_truth):
    truth, truth_root = npm_truth
    d = project(variant)
    lockname = VARIANTS[variant][0]
    res, doc = inventory(d)
    assert res.err == "", res.describe()
    lock = edges(doc, lambda p: p["path"] == "/" + lockname)
    installed = edges(doc, lambda p: "/node_modules/" in p["path"])
    assert len(truth) > 100
    assert lock == truth, "lock: missing %s, extra %s" % (truth - lock, lock - truth)
    assert installed == truth, \
        "node_modules: missing %s, extra %s" % (truth - installed, installed - truth)
    if variant.startswith("npm"):
        # npm's own view of this very tree (pnpm's layout confuses npm ls).
        assert npm_ls_edges(d)[0] == truth
    # The lockfiles that say which dependencies are direct: the project on them.
    if variant in ("npm-v1", "yarn1"):
        assert doc["projects"] == []
    else:
        assert project_deps(doc, "/" + lockname) == truth_root


def test_npm_sboms_valid_and_reproducible():
    d = project("npm-v3")
    out = {}
    for fmt in ("cyclonedx", "spdx-json"):
        a = H.hull("sbom", "-f", fmt, "rootfs:%s" % d)
        b = H.hull("sbom", "-f", fmt, "rootfs:%s" % d)
        assert a.rc == 0 and a.out == b.out, a.describe()
        out[fmt] = a.json()
    _, doc = inventory(d)
    want = {(p["name"], p["version"], p["path"]): {(doc["packages"][i]["name"],
                                                   doc["packages"][i]["version"])
                                                  for i in p.get("depends_on", [])}
            for p in doc["packages"]}
    cdx = out["cyclonedx"]
    validate_cyclonedx(cdx)
    comp = {c["bom-ref"]: c for c in cdx["components"]}
    got = {}
    for dep in cdx["dependencies"]:
        c = comp.get(dep["ref"])
        if c and c["type"] == "library":
            path = [x["value"] for x in c["properties"] if x["name"] == "hull:location:path"]
            got[(c["name"], c["version"], path[0])] = {
                (comp[r]["name"], comp[r]["version"]) for r in dep["dependsOn"]}
    assert got == {k: v for k, v in want.items() if v}
    proj = [c for c in cdx["components"] if c["type"] == "application"]
    assert [c["name"] for c in proj] == ["proj"]
    spdx = out["spdx-json"]
    validate_spdx(spdx)
    ids = {p["SPDXID"]: p for p in spdx["packages"]}
    dep_on = {(ids[r["spdxElementId"]]["name"], ids[r["relatedSpdxElement"]]["name"])
              for r in spdx["relationships"] if r["relationshipType"] == "DEPENDS_ON"}
    assert dep_on == {(k[0], n) for k, v in want.items() for n, _ in v} | \
        {("proj", n) for n, _ in project_deps(doc, "/package-lock.json")}


def write(root, rel, text):
    p = root / rel.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text if isinstance(text, str) else json.dumps(text))


def test_package_lock_resolution_corners(tmp_path):
    """Nested installs shadow hoisted ones; links (workspaces) and missing
    dependencies give no edge; v1 resolves "requires" up the nesting."""
    write(tmp_path, "v3/package-lock.json", {
        "name": "x", "version": "2.0.0", "lockfileVersion": 3, "packages": {
            "": {"name": "x", "dependencies": {"a": "^1", "ws": "*"},
                 "devDependencies": {"d": "1"}},
            "node_modules/a": {"version": "1.0.0", "dependencies": {"b": "^2", "gone": "1"},
                               "peerDependencies": {"d": "1"}},
            "node_modules/a/node_modules/b": {"version": "2.0.0",
                                              "optionalDependencies": {"c": "*"}},
            "node_modules/b": {"version": "1.0.0"},
            "node_modules/c": {"version": "3.0.0", "dependencies": {"b": "1"}},
            "node_modules/d": {"version": "1.0.0", "dev": True},
            "node_modules/ws": {"resolved": "packages/ws", "link": True},
            "packages/ws": {"name": "ws", "version": "0.1.0", "dependencies": {"c": "*"}}}})
    write(tmp_path, "v1/package-lock.json", {
        "name": "y", "lockfileVersion": 1, "dependencies": {
            "a": {"version": "1.0.0", "requires": {"b": "^2", "c": "*"}, "dependencies": {
                "b": {"version": "2.0.0", "requires": {"c": "*", "a": "1"}}}},
            "b": {"version": "1.0.0"},
            "c": {"version": "3.0.0", "requires": {"b": "1"}}}})
    _, doc = inventory(tmp_path)
    v3 = edges(doc, lambda p: p["path"] == "/v3/package-lock.json")
    assert v3 == {(("a", "1.0.0"), ("b", "2.0.0")), (("a", "1.0.0"), ("d", "1.0.0")),
                  (("b", "2.0.0"), ("c", "3.0.0")), (("c", "3.0.0"), ("b", "1.0.0"))}
    assert project_deps(doc, "/v3/package-lock.json") == {("a", "1.0.0"), ("d", "1.0.0")}
    pr = [x for x in doc["projects"] if x["path"] == "/v3/package-lock.json"][0]
    assert (pr["name"], pr["version"]) == ("x", None)  # the root entry names no version
    v1 = edges(doc, lambda p: p["path"] == "/v1/package-lock.json")
    assert v1 == {(("a", "1.0.0"), ("b", "2.0.0")), (("a", "1.0.0"), ("c", "3.0.0")),
                  (("b", "2.0.0"), ("c", "3.0.0")), (("b", "2.0.0"), ("a", "1.0.0")),
                  (("c", "3.0.0"), ("b", "1.0.0"))}


# --------------------------------------------------------------------------- other locks

CARGO_LOCK = """# This file is automatically @generated by Cargo.
version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "log",
 "rand 0.8.5",
 "rand 0.7.3",
]

[[package]]
name = "log"
version = "0.4.20"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "rand"
version = "0.7.3"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["log 0.4.20 (registry+https://github.com/rust-lang/crates.io-index)"]

[[package]]
name = "rand"
version = "0.8.5"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
]
"""

COMPOSER_LOCK = {"packages": [
    {"name": "monolog/monolog", "version": "3.5.0",
     "require": {"php": ">=8.1", "ext-json": "*", "psr/log": "^2.0 || ^3.0"}},
    {"name": "psr/log", "version": "3.0.0", "require": {"php": ">=8.0.0"}}],
    "packages-dev": [{"name": "phpunit/phpunit", "version": "10.5.0",
                      "require": {"psr/log": "*", "missing/pkg": "1"}}]}

GEMFILE_LOCK = """GEM
  remote: https://rubygems.org/
  specs:
    actionpack (7.1.2)
      rack (>= 2.2.4)
      rack-test (>= 0.6.3)
    nokogiri (1.15.5-x86_64-linux)
      racc (~> 1.4)
    rack (3.0.8)
    rack-test (2.1.0)
      rack (>= 1.3)
    racc (1.7.3)

PLATFORMS
  x86_64-linux

DEPENDENCIES
  actionpack (~> 7.1)
  nokogiri!

BUNDLED WITH
   2.4.22
"""

POETRY_LOCK = '''# This file is automatically @generated by Poetry 1.7.1 and should not be changed by hand.

[[package]]
name = "requests"
version = "2.31.0"
description = "Python HTTP for Humans."
optional = false
python-versions = ">=3.7"
files = []

[package.dependencies]
certifi = ">=2017.4.17"
"charset-normalizer" = ">=2,<4"
idna = ">=2.5,<4"
PySocks = {version = ">=1.5.6,!=1.5.7", optional = true}

[package.extras]
socks = ["PySocks (>=1.5.6,!=1.5.7)"]

[[package]]
name = "certifi"
version = "2023.11.17"
description = """multi
[[package]]
line"""
files = []

[[package]]
name = "charset-normalizer"
version = "3.3.2"
files = []

[[package]]
name = "idna"
version = "3.6"
files = []

[[package]]
name = "pysocks"
version = "1.7.1"
files = []
'''

UV_LOCK = '''version = 1
requires-python = ">=3.11"

[[package]]
name = "anyio"
version = "4.2.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "idna" },
    { name = "sniffio", marker = "python_version < '3.12'" },
]

[[package]]
name = "httpx"
version = "0.26.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "anyio" }, { name = "idna" }]

[package.optional-dependencies]
socks = [
    { name = "socksio" },
]

[[package]]
name = "idna"
version = "3.6"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "myproj"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "httpx", extra = ["socks"] },
]

[package.dev-dependencies]
dev = [
    { name = "sniffio" },
]

[package.metadata]
requires-dist = [{ name = "httpx", extras = ["socks"], specifier = ">=0.26" }]

[[package]]
name = "sniffio"
version = "1.3.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "socksio"
version = "1.0.0"
source = { registry = "https://pypi.org/simple" }
'''


def test_lockfile_edges(tmp_path):
    write(tmp_path, "rs/Cargo.lock", CARGO_LOCK)
    write(tmp_path, "php/composer.lock", COMPOSER_LOCK)
    write(tmp_path, "rb/Gemfile.lock", GEMFILE_LOCK)
    write(tmp_path, "py/poetry.lock", POETRY_LOCK)
    write(tmp_path, "uv/uv.lock", UV_LOCK)
    res, doc = inventory(tmp_path)
    assert res.err == "", res.describe()

    def at(path):
        return edges(doc, lambda p: p["path"] == path)
    assert at("/rs/Cargo.lock") == {
        (("app", "0.1.0"), ("log", "0.4.20")), (("app", "0.1.0"), ("rand", "0.8.5")),
        (("app", "0.1.0"), ("rand", "0.7.3")), (("rand", "0.7.3"), ("log", "0.4.20"))}
    assert at("/php/composer.lock") == {
        (("monolog/monolog", "3.5.0"), ("psr/log", "3.0.0")),
        (("phpunit/phpunit", "10.5.0"), ("psr/log", "3.0.0"))}
    assert at("/rb/Gemfile.lock") == {
        (("actionpack", "7.1.2"), ("rack", "3.0.8")),
        (("actionpack", "7.1.2"), ("rack-test", "2.1.0")),
        (("nokogiri", "1.15.5"), ("racc", "1.7.3")),
        (("rack-test", "2.1.0"), ("rack", "3.0.8"))}
    assert project_deps(doc, "/rb/Gemfile.lock") == {("actionpack", "7.1.2"),
                                                     ("nokogiri", "1.15.5")}
    assert at("/py/poetry.lock") == {
        (("requests", "2.31.0"), ("certifi", "2023.11.17")),
        (("requests", "2.31.0"), ("charset-normalizer", "3.3.2")),
        (("requests", "2.31.0"), ("idna", "3.6"))}  # PySocks is an extra's
    assert at("/uv/uv.lock") == {
        (("anyio", "4.2.0"), ("idna", "3.6")), (("anyio", "4.2.0"), ("sniffio", "1.3.0")),
        (("httpx", "0.26.0"), ("anyio", "4.2.0")), (("httpx", "0.26.0"), ("idna", "3.6"))}
    assert project_deps(doc, "/uv/uv.lock") == {("httpx", "0.26.0"), ("sniffio", "1.3.0")}
    uvp = [x for x in doc["projects"] if x["path"] == "/uv/uv.lock"][0]
    assert (uvp["name"], uvp["version"]) == ("myproj", "0.1.0")
    assert {x["path"] for x in doc["projects"]} == {"/rb/Gemfile.lock", "/uv/uv.lock"}
    for fmt, validate in (("cyclonedx", validate_cyclonedx), ("spdx-json", validate_spdx)):
        r = H.hull("sbom", "-f", fmt, "rootfs:%s" % tmp_path)
        assert r.rc == 0, r.describe()
        validate(r.json())


# --------------------------------------------------------------------------- Python

def pep503(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def test_python_requires_dist_equals_importlib(dist_root):  # noqa: F811
    """Each installed distribution depends on the installed distributions its
    Requires-Dist names (extras' requirements left out), as importlib.metadata reads
    them, resolved within the same directory."""
    res, doc = inventory(dist_root)
    got = edges(doc, lambda p: p["type"] == "pypi")
    dirs = set()
    for dirpath, dirnames, filenames in os.walk(dist_root):
        if any(x.endswith((".dist-info", ".egg-info")) for x in dirnames + filenames):
            dirs.add(dirpath)
    want = set()
    for d in sorted(dirs):
        dists = list(md.distributions(path=[d]))
        here = {}
        for dist in dists:
            here.setdefault(pep503(dist.metadata["Name"]), (dist.metadata["Name"],
                                                           dist.version))
        for dist in dists:
            me = (dist.metadata["Name"], dist.version)
            for req in dist.requires or []:
                name, _, marker = req.partition(";")
                if "extra" in marker:
                    continue
                n = pep503(re.match(r"[A-Za-z0-9._-]+", name.strip()).group(0))
                if n in here and here[n] != me:
                    want.add((me, here[n]))
    assert len(want) > 5
    assert got == want, "missing %s, extra %s" % (want - got, got - want)


# --------------------------------------------------------------------------- Go

def test_go_binary_main_module_depends_on_every_dep(tmp_path, module_binary):  # noqa: F811
    """The main module depends on every dep `go version -m` lists (as replaced)."""
    binary, _ = module_binary
    out = subprocess.run([GO, "version", "-m", str(binary)], capture_output=True, text=True,
                         check=True).stdout
    main, deps, last = None, set(), None
    for line in out.splitlines()[1:]:
        f = line.split("\t")[1:]
        if f[0] == "mod":
            main = (f[1], f[2] if len(f) > 2 and f[2] else "(devel)")
        elif f[0] == "dep":
            last = (f[1], f[2])
            deps.add(last)
        elif f[0] == "=>":
            deps.discard(last)
            local = f[1].startswith(("./", "../", "/"))
            deps.add((last[0] if local else f[1], f[2] if len(f) > 2 and f[2] else "(devel)"))
    dst = tmp_path / "app/server"
    dst.parent.mkdir(parents=True)
    shutil.copy(binary, dst)
    _, doc = inventory(tmp_path)
    assert main == ("example.com/app", "(devel)") and len(deps) == 4
    assert edges(doc) == {(main, d) for d in deps}


def test_yarn_lock_with_nul_bytes(tmp_path):
    """A NUL byte inside a dependency line (found by fuzz_npm) is read as text, not a
    crash; the entries around it keep their edges."""
    lock = (b'# yarn lockfile v1\n\n'
            b'a@^1.0.0:\n  version "1.0.0"\n  dependencies:\n    b "^2.0.0"\n    c\0x "1"\n\n'
            b'b@^2.0.0:\n  version "2.0.0"\n')
    (tmp_path / "yarn.lock").write_bytes(lock)
    _, doc = inventory(tmp_path)
    assert (("a", "1.0.0"), ("b", "2.0.0")) in edges(doc)
