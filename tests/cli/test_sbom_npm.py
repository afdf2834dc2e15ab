"""npm catalogers against the package managers: one project installed from the npm
registry by npm (lockfile v1, v2, v3), yarn 1, yarn berry and pnpm 7/8/9 (lockfiles v5.4,
v6, v9); hull's packages from node_modules/**/package.json and from each lockfile equal
`npm ls --all --json --long` flattened to name@version. The projects are cached under
$HULL_TESTDATA/npm so reruns are offline and fast. Plus small hand-written lockfiles for
the corners (aliases, peers, workspaces) and malformed input."""
import json
import os
import shutil
import subprocess

import pytest

import hullfix as H

NPM = shutil.which("npm")
NPX = shutil.which("npx")
CACHE = os.path.join(H.TESTDATA, "npm")

# variant -> (lockfile name, install command run in the project)
VARIANTS = {
    "npm-v1": ("package-lock.json", ["npm", "install", "--lockfile-version", "1"]),
    "npm-v2": ("package-lock.json", ["npm", "install", "--lockfile-version", "2"]),
    "npm-v3": ("package-lock.json", ["npm", "install"]),
    "yarn1": ("yarn.lock", ["npx", "--yes", "yarn@1.22.22", "install", "--non-interactive",
                            "--cache-folder", os.path.join(CACHE, "yarn-cache")]),
    "berry": ("yarn.lock", ["npx", "--yes", "@yarnpkg/cli-dist@4.5.3", "install"]),
    "pnpm7": ("pnpm-lock.yaml", ["npx", "--yes", "pnpm@7.33.7", "install",
                                 "--store-dir", os.path.join(CACHE, "pnpm-store")]),
    "pnpm8": ("pnpm-lock.yaml", ["npx", "--yes", "pnpm@8.15.9", "install",
                                 "--store-dir", os.path.join(CACHE, "pnpm-store")]),
    "pnpm9": ("pnpm-lock.yaml", ["npx", "--yes", "pnpm@9.15.9", "install",
                                 "--store-dir", os.path.join(CACHE, "pnpm-store")]),
}


def package_json():
    return {"name": "proj", "version": "1.0.0", "private": True,
            "dependencies": {"express": "4.21.2", "@babel/code-frame": "7.26.2",
                             "string-width-cjs": "npm:string-width@4.2.3"}}


def project(variant):
    """The installed project for variant, made once (needs the npm registry)."""
    d = os.path.join(CACHE, variant)
    if os.path.exists(os.path.join(d, ".done")):
        return d
    if not (NPM and NPX):
        pytest.skip("npm not installed")
    with H.locked(os.path.join(CACHE, ".lock")):
        if os.path.exists(os.path.join(d, ".done")):
            return d
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        with open(os.path.join(d, "package.json"), "w") as f:
            json.dump(package_json(), f)
        env = dict(os.environ, npm_config_cache=os.path.join(CACHE, "npm-cache"),
                   npm_config_audit="false", npm_config_fund="false",
                   npm_config_update_notifier="false", COREPACK_ENABLE_STRICT="0",
                   # yarn berry makes installs immutable when CI is set; this one
                   # creates the lockfile
                   YARN_ENABLE_IMMUTABLE_INSTALLS="false")
        if variant == "berry":
            with open(os.path.join(d, ".yarnrc.yml"), "w") as f:
                f.write('npmRegistryServer: "https://registry.npmjs.org"\n'
                        "nodeLinker: node-modules\nenableTelemetry: false\n"
                        "enableGlobalCache: false\n")
            open(os.path.join(d, "yarn.lock"), "w").close()
        p = subprocess.run(VARIANTS[variant][1], cwd=d, env=env, capture_output=True,
                           text=True, timeout=600)
        if p.returncode:
            pytest.skip("%s install failed (registry unreachable?): %s"
                        % (variant, p.stderr[-500:]))
        # Caches inside the project would be scanned too; they are not inventory.
        for junk in (".yarn", ".pnp.cjs", ".pnp.loader.mjs"):
            shutil.rmtree(os.path.join(d, junk), ignore_errors=True)
        open(os.path.join(d, ".done"), "w").close()
    return d


def npm_ls(d):
    """{(name, version)} of `npm ls --all --json --long`, aliases by their real name."""
    p = subprocess.run(["npm", "ls", "--all", "--json", "--long"], cwd=d, capture_output=True,
                       text=True, env=dict(os.environ, npm_config_update_notifier="false"))
    tree = json.loads(p.stdout)
    out = set()

    def walk(deps):
        for k, v in (deps or {}).items():
            if "version" in v:
                out.add((v.get("name") or k, v["version"]))
            walk(v.get("dependencies"))
    walk(tree.get("dependencies"))
    return out


def sbom(root):
    res = H.hull("sbom", "-f", "json", "rootfs:%s" % root)
    assert res.rc == 0, res.describe()
    return res, res.json()["packages"]


def split(pkgs, lockname):
    lock, installed = set(), set()
    for p in pkgs:
        assert p["type"] == "npm" and p["ecosystem"] == "npm", p
        if p["path"] == "/" + lockname:
            lock.add((p["name"], p["version"]))
        elif "/node_modules/" in p["path"] and p["path"].endswith("/package.json"):
            installed.add((p["name"], p["version"]))
        else:
            raise AssertionError("unexpected path %s" % p["path"])
    return lock, installed


@pytest.fixture(scope="module")
def truth():
    return npm_ls(project("npm-v3"))


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_lockfile_and_node_modules_equal_npm_ls(variant, truth):
    d = project(variant)
    lockname = VARIANTS[variant][0]
    res, pkgs = sbom(d)
    assert res.err == "", res.describe()
    lock, installed = split(pkgs, lockname)
    assert len(truth) > 50
    assert lock == truth, "lockfile: missing %s, extra %s" % (truth - lock, lock - truth)
    assert installed == truth, \
        "node_modules: missing %s, extra %s" % (truth - installed, installed - truth)
    if variant.startswith("npm"):
        assert npm_ls(d) == truth


def test_node_modules_licenses_and_purls(truth):
    _, pkgs = sbom(project("npm-v3"))
    by = {(p["name"], p["path"]): p for p in pkgs}
    cf = by[("@babel/code-frame", "/node_modules/@babel/code-frame/package.json")]
    assert cf["purl"] == "pkg:npm/%40babel/code-frame@7.26.2"
    assert cf["licenses"] == "MIT"
    sw = by[("string-width", "/node_modules/string-width-cjs/package.json")]
    assert sw["version"] == "4.2.3"
    # A package installed twice at different versions is listed twice.
    ms = {p["version"] for p in pkgs if p["name"] == "ms" and "node_modules" in p["path"]}
    assert len(ms) >= 2, ms


# --------------------------------------------------------------------------- corners

def write(root, rel, text):
    p = root / rel.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text if isinstance(text, str) else json.dumps(text))


def found(pkgs, path):
    return {(p["name"], p["version"]) for p in pkgs if p["path"] == path}


def test_package_lock_corners(tmp_path):
    write(tmp_path, "v1/package-lock.json", {
        "name": "x", "lockfileVersion": 1, "dependencies": {
            "a": {"version": "1.0.0", "dependencies": {
                "b": {"version": "2.0.0", "dependencies": {"a": {"version": "1.0.0"}}}}},
            "al": {"version": "npm:@s/real@3.1.0"},
            "local": {"version": "file:../local"},
            "gitdep": {"version": "git+https://github.com/x/y.git#abc"}}})
    write(tmp_path, "v3/package-lock.json", {
        "name": "x", "lockfileVersion": 3, "packages": {
            "": {"name": "x", "version": "1.0.0"},
            "node_modules/@s/a": {"version": "1.0.0", "license": "MIT"},
            "node_modules/@s/a/node_modules/b": {"version": "2.0.0"},
            "node_modules/alias": {"name": "real", "version": "3.0.0"},
            "node_modules/ws": {"resolved": "packages/ws", "link": True},
            "packages/ws": {"name": "ws", "version": "0.1.0"},
            "packages/ws/node_modules/c": {"version": "4.0.0"}}})
    # Lockfiles and manifests inside node_modules, and the project's own package.json.
    write(tmp_path, "v3/node_modules/@s/a/package-lock.json", {"packages": {
        "node_modules/zzz": {"version": "9.9.9"}}})
    write(tmp_path, "v3/package.json", {"name": "x", "version": "1.0.0"})
    write(tmp_path, "v3/node_modules/@s/a/package.json",
          {"name": "@s/a", "version": "1.0.0", "licenses": [{"type": "MIT"}, "Apache-2.0"]})
    write(tmp_path, "v3/node_modules/@s/a/lib/package.json", {"name": "inner", "version": "1"})
    write(tmp_path, "v3/node_modules/.package-lock.json", {"packages": {}})
    _, pkgs = sbom(tmp_path)
    assert found(pkgs, "/v1/package-lock.json") == {("a", "1.0.0"), ("b", "2.0.0"),
                                                    ("@s/real", "3.1.0")}
    assert found(pkgs, "/v3/package-lock.json") == {("@s/a", "1.0.0"), ("b", "2.0.0"),
                                                    ("real", "3.0.0"), ("c", "4.0.0")}
    assert found(pkgs, "/v3/node_modules/@s/a/package.json") == {("@s/a", "1.0.0")}
    assert {p["path"] for p in pkgs} == {"/v1/package-lock.json", "/v3/package-lock.json",
                                         "/v3/node_modules/@s/a/package.json"}
    lic = [p for p in pkgs if p["path"].endswith("/package.json")][0]["licenses"]
    assert lic == "MIT OR Apache-2.0"


YARN_V1 = """# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz"
  dependencies:
    "@babel/highlight" "^7.12.13"

lodash@^4.17.20, lodash@^4.17.21:
  version "4.17.21"

"alias@npm:real-pkg@^1.0.0":
  version "1.2.0"

"@s/aliased@npm:@s/real@^2":
  version "2.0.1"

local@file:../local:
  version "0.0.0"
"""

YARN_BERRY = """# This file is generated by running "yarn install" inside your project.

__metadata:
  version: 8
  cacheKey: 10c0

"@babel/code-frame@npm:^7.0.0, @babel/code-frame@npm:^7.10.4":
  version: 7.12.13
  resolution: "@babel/code-frame@npm:7.12.13"
  dependencies:
    "@babel/highlight": "npm:^7.12.13"
  languageName: node
  linkType: hard

"proj@workspace:.":
  version: 0.0.0-use.local
  resolution: "proj@workspace:."
  languageName: unknown
  linkType: soft

"resolve@patch:resolve@npm%3A^1.20.0#~builtin<compat/resolve>":
  version: 1.22.1
  resolution: "resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::version=1.22.1"
  languageName: node
  linkType: hard

"resolve@npm:^1.20.0":
  version: 1.22.1
  resolution: "resolve@npm:1.22.1"

"alias@npm:real-pkg@^1.0.0":
  version: 1.2.0
  resolution: "real-pkg@npm:1.2.0"
"""


def test_yarn_corners(tmp_path):
    write(tmp_path, "v1/yarn.lock", YARN_V1)
    write(tmp_path, "berry/yarn.lock", YARN_BERRY.replace("\n", "\r\n"))
    _, pkgs = sbom(tmp_path)
    assert found(pkgs, "/v1/yarn.lock") == {("@babel/code-frame", "7.12.13"),
                                            ("lodash", "4.17.21"), ("real-pkg", "1.2.0"),
                                            ("@s/real", "2.0.1"), ("local", "0.0.0")}
    assert found(pkgs, "/berry/yarn.lock") == {("@babel/code-frame", "7.12.13"),
                                               ("resolve", "1.22.1"), ("real-pkg", "1.2.0")}


PNPM_V5 = """lockfileVersion: 5.4

specifiers:
  a: ^1.0.0

packages:

  /a/1.0.0:
    resolution: {integrity: sha512-x}
    dev: false

  /@s/b/2.0.0_a@1.0.0:
    resolution: {integrity: sha512-y}
    peerDependencies:
      a: '*'

  /@s/b/2.0.0_a@1.0.1:
    resolution: {integrity: sha512-y}

  registry.example.com/c/3.0.0:
    resolution: {tarball: https://registry.example.com/c/-/c-3.0.0.tgz}
"""

PNPM_V6 = """lockfileVersion: '6.0'

dependencies:
  a:
    specifier: ^1.0.0
    version: 1.0.0

packages:

  /a@1.0.0:
    resolution: {integrity: sha512-x}
    dev: false

  /@s/b@2.0.0(a@1.0.0)(c@3.0.0):
    resolution: {integrity: sha512-y}

  '@s/tar@file:../tar.tgz':
    resolution: {tarball: file:../tar.tgz}
"""

PNPM_V9 = """lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0

packages:

  '@s/b@2.0.0':
    resolution: {integrity: sha512-y}

  a@1.0.0:
    resolution: {integrity: sha512-x}

snapshots:

  '@s/b@2.0.0(a@1.0.0)':
    dependencies:
      a: 1.0.0

  a@1.0.0: {}

  notinpackages@1.0.0: {}
"""


def test_pnpm_corners(tmp_path):
    write(tmp_path, "v5/pnpm-lock.yaml", PNPM_V5)
    write(tmp_path, "v6/pnpm-lock.yaml", PNPM_V6)
    write(tmp_path, "v9/pnpm-lock.yaml", PNPM_V9)
    _, pkgs = sbom(tmp_path)
    assert found(pkgs, "/v5/pnpm-lock.yaml") == {("a", "1.0.0"), ("@s/b", "2.0.0")}
    assert found(pkgs, "/v6/pnpm-lock.yaml") == {("a", "1.0.0"), ("@s/b", "2.0.0")}
    assert found(pkgs, "/v9/pnpm-lock.yaml") == {("a", "1.0.0"), ("@s/b", "2.0.0")}


# --------------------------------------------------------------------------- bad input

BAD = {
    "a/package-lock.json": "{not json",
    "b/package-lock.json": '{"packages": []}',
    "c/package-lock.json": '{"packages": {"node_modules/x": {"version": 1}, '
                           '"node_modules/y": {"version": "1.0.0"}, "node_modules/z": 7}}',
    "d/package-lock.json": '{"dependencies": {"x": {"version": ["1"]}, "y": 3, '
                           '"z": {"version": "2.0.0", "dependencies": []}}}',
    "e/package-lock.json": '[1, 2, 3]',
    "f/package-lock.json": '{"a": 1, "a": 2}',
    "g/node_modules/x/package.json": '{"name": 5, "version": "1.0.0"}',
    "h/node_modules/x/package.json": '["x"]',
    "i/node_modules/x/package.json": '\xff\xfe garbage',
}


def test_malformed_files_warn_and_go_on(tmp_path):
    for rel, text in BAD.items():
        write(tmp_path, rel, text)
    deep = '{"dependencies": {' + "".join(
        '"d%d": {"version": "1.0.%d", "dependencies": {' % (i, i) for i in range(400))
    deep += "}" + "}}" * 400 + "}"
    write(tmp_path, "deep/package-lock.json", deep)
    write(tmp_path, "ok/yarn.lock", "garbage\n:\n\"\":\n  version\n  version \"\n@:\n@@@@:\n"
          "  version \"1\"\n" + "x" * 100000 + ":\n")
    write(tmp_path, "ok/pnpm-lock.yaml", "packages:\n  '':\n  /:\n  /@:\n  @/x/:\n  '@@':\n"
          "  /a@:\n  /@s/:\n  (:\n")
    write(tmp_path, "ok/node_modules/good/package.json", {"name": "good", "version": "1.0.0"})
    res = H.hull("sbom", "-f", "json", "rootfs:%s" % tmp_path)
    assert res.rc == 0, res.describe()
    pkgs = res.json()["packages"]
    assert ("good", "1.0.0") in found(pkgs, "/ok/node_modules/good/package.json")
    assert ("y", "1.0.0") in found(pkgs, "/c/package-lock.json")
    assert ("z", "2.0.0") in found(pkgs, "/d/package-lock.json")
    assert len(found(pkgs, "/deep/package-lock.json")) >= 200
    warned = "\n".join(res.err_lines)
    for rel in list(BAD) + ["deep/package-lock.json"]:
        assert "/" + rel in warned, "no warning for %s\n%s" % (rel, res.describe())
    assert all(l.startswith("hull: warning:") for l in res.err_lines), res.describe()
