"""PHP (Composer) cataloger: composer.lock written by the test compared with
`composer show --locked` on the same project (offline), vendor/composer/installed.json in
both Composer 1 (array) and 2 ({"packages": …}) shapes compared with Composer's own rule
read by php (`$data['packages'] ?? $data`); wrong JSON types warn."""
import json
import os
import shutil
import subprocess

import pytest

import hullfix as H

LOCK = {
    "_readme": ["This file locks the dependencies of your project"],
    "content-hash": "0123",
    "packages": [
        {"name": "monolog/monolog", "version": "3.5.0", "license": ["MIT"],
         "type": "library"},
        {"name": "psr/log", "version": "3.0.0", "license": ["MIT"], "type": "library"},
        {"name": "symfony/polyfill-mbstring", "version": "v1.28.0",
         "license": ["MIT", "Apache-2.0"], "type": "library"},
    ],
    "packages-dev": [
        {"name": "phpunit/phpunit", "version": "10.5.1", "license": ["BSD-3-Clause"],
         "type": "library"},
    ],
    "aliases": [], "minimum-stability": "stable", "stability-flags": [],
    "prefer-stable": False, "prefer-lowest": False, "platform": [], "platform-dev": [],
    "plugin-api-version": "2.6.0",
}
COMPOSER_JSON = {"name": "acme/app",
                 "require": {"monolog/monolog": "^3.0", "symfony/polyfill-mbstring": "^1"},
                 "require-dev": {"phpunit/phpunit": "^10"}}


def sbom(root, expect_warnings=False):
    res = H.hull("sbom", "-f", "json", "rootfs:%s" % root, timeout=120)
    assert res.rc == 0, res.describe()
    if not expect_warnings:
        assert not res.err_lines, res.describe()
    return res.json()["packages"], res


def write(root, rel, obj):
    p = root / rel.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(obj, bytes):
        p.write_bytes(obj)
    else:
        p.write_text(obj if isinstance(obj, str) else json.dumps(obj, indent=4))
    return p


def composer_locked(project):
    env = dict(os.environ, COMPOSER_HOME=str(project / ".composer-home"),
               COMPOSER_NO_INTERACTION="1", COMPOSER_DISABLE_NETWORK="1")
    p = subprocess.run(["composer", "show", "--locked", "--format=json"], cwd=project,
                       capture_output=True, text=True, env=env, timeout=120)
    if p.returncode:
        pytest.skip("composer show failed: %s" % p.stderr[-300:])
    return {(x["name"], x["version"]) for x in json.loads(p.stdout)["locked"]}


@pytest.mark.skipif(not shutil.which("composer"), reason="needs composer")
def test_lock_equals_composer_show(tmp_path):
    oracle = tmp_path / "oracle"
    write(oracle, "composer.json", COMPOSER_JSON)
    write(oracle, "composer.lock", LOCK)
    want = composer_locked(oracle)
    root = tmp_path / "root"
    write(root, "/var/www/app/composer.lock", LOCK)
    pkgs, _ = sbom(root)
    assert {(p["name"], p["version"]) for p in pkgs} == want
    assert len(pkgs) == len(want)
    by = {p["name"]: p for p in pkgs}
    assert by["monolog/monolog"]["purl"] == "pkg:composer/monolog/monolog@3.5.0"
    assert by["monolog/monolog"]["ecosystem"] == "Packagist"
    assert by["symfony/polyfill-mbstring"]["licenses"] == "MIT OR Apache-2.0"


INSTALLED_PHP = r"""
$d = json_decode(file_get_contents($argv[1]), true);
$pk = isset($d['packages']) ? $d['packages'] : $d;
foreach ($pk as $p) { echo $p['name'], ' ', $p['version'], "\n"; }
"""


@pytest.mark.skipif(not shutil.which("php"), reason="needs php")
@pytest.mark.parametrize("v2", [True, False], ids=["composer2", "composer1"])
def test_installed_json(tmp_path, v2):
    pk = [dict(p, version_normalized=p["version"].lstrip("v") + ".0",
               **{"install-path": "../" + p["name"]}) for p in LOCK["packages"]]
    doc = {"packages": pk, "dev": True, "dev-package-names": []} if v2 else pk
    f = write(tmp_path, "/app/vendor/composer/installed.json", doc)
    out = subprocess.run(["php", "-r", INSTALLED_PHP, str(f)], capture_output=True,
                         text=True, check=True).stdout
    want = {tuple(l.split(" ")) for l in out.splitlines()}
    pkgs, _ = sbom(tmp_path)
    assert {(p["name"], p["version"]) for p in pkgs} == want
    assert all(p["path"] == "/app/vendor/composer/installed.json" for p in pkgs)


def test_other_installed_json_is_ignored(tmp_path):
    write(tmp_path, "/app/installed.json", [{"name": "a/b", "version": "1"}])
    pkgs, _ = sbom(tmp_path)
    assert pkgs == []


@pytest.mark.parametrize("doc,needle,n", [
    ({"packages": {"a/b": "1"}}, "not an array", 0),
    ({"packages": [{"name": "a/b", "version": 1}, {"name": "c/d", "version": "2.0"}]},
     "not a string", 1),
    ({"packages": [["x"], {"name": "c/d", "version": "2.0"}]}, "not an object", 1),
    ({"packages": [{"version": "1"}]}, "missing", 0),
    ("42", "JSON", 0),
    (b'{"packages": [', "invalid JSON", 0),
    ('{"packages": [], "packages": []}', "invalid JSON", 0),
], ids=["packages-object", "version-int", "entry-array", "no-name", "number", "truncated",
        "duplicate-key"])
def test_hostile(tmp_path, doc, needle, n):
    rel = "/app/composer.lock"
    write(tmp_path, rel, doc)
    write(tmp_path, "/srv/vendor/composer/installed.json",
          {"packages": [{"name": "ok/ok", "version": "1.0"}]})
    pkgs, res = sbom(tmp_path, expect_warnings=True)
    assert any(needle in l and rel in l for l in res.err_lines), res.describe()
    names = {p["name"] for p in pkgs}
    assert "ok/ok" in names
    assert len(names) == 1 + n
