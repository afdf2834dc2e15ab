"""Ruby cataloger: Debian's installed gemspecs (copied into a temporary root) compared
with RubyGems' own Gem::Specification.load over the same files, and a Gemfile.lock written
by the test compared with Bundler's LockfileParser; hostile files warn."""
import glob
import json
import os
import shutil
import subprocess

import pytest

import hullfix as H

pytestmark = pytest.mark.skipif(not shutil.which("ruby"), reason="needs ruby")

SPEC_DIRS = ["/usr/share/rubygems-integration/all/specifications"] + \
    glob.glob("/usr/lib/ruby/gems/*/specifications") + \
    glob.glob("/usr/lib/ruby/gems/*/specifications/default")


def sbom(root, expect_warnings=False):
    res = H.hull("sbom", "-f", "json", "rootfs:%s" % root, timeout=120)
    assert res.rc == 0, res.describe()
    if not expect_warnings:
        assert not res.err_lines, res.describe()
    return res.json()["packages"], res


def ruby(script, *args, cwd=None):
    p = subprocess.run(["ruby", "-e", script, *args], capture_output=True, text=True,
                       check=True, cwd=cwd)
    return json.loads(p.stdout)


@pytest.fixture(scope="module")
def gem_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("gems")
    n = 0
    for d in SPEC_DIRS:
        for f in glob.glob(os.path.join(d, "*.gemspec")):
            os.makedirs(str(root) + d, exist_ok=True)
            shutil.copy(f, str(root) + f)
            n += 1
    if n < 5:
        pytest.skip("too few gemspecs installed")
    return root


LOAD = """
require "json"; require "rubygems"
out = ARGV.map do |f|
  s = Gem::Specification.load(f)
  {"path" => f, "name" => s.name, "version" => s.version.to_s, "licenses" => s.licenses}
end
puts JSON.generate(out)
"""


def test_gemspecs_equal_rubygems(gem_root):
    files = sorted(glob.glob(str(gem_root) + "/**/*.gemspec", recursive=True))
    want = {o["path"][len(str(gem_root)):]: o for o in ruby(LOAD, *files)}
    pkgs, _ = sbom(gem_root)
    got = {p["path"]: p for p in pkgs}
    assert set(got) == set(want)
    for path, o in want.items():
        p = got[path]
        assert (p["name"], p["version"]) == (o["name"], o["version"]), path
        assert p["licenses"] == (", ".join(o["licenses"]) or None), path
        assert p["purl"] == "pkg:gem/%s@%s" % (o["name"], o["version"])
        assert p["type"] == "gem" and p["ecosystem"] == "RubyGems"


GEMFILE_LOCK = """\
GIT
  remote: https://github.com/rails/rails.git
  revision: 0123456789abcdef
  branch: main
  specs:
    rails (7.2.0.alpha)
      actionpack (= 7.2.0.alpha)

PATH
  remote: .
  specs:
    myapp (0.1.0)
      rack (~> 3.0)

GEM
  remote: https://rubygems.org/
  specs:
    actionpack (7.2.0.alpha)
    nokogiri (1.15.5-x86_64-linux)
      racc (~> 1.4)
    nokogiri (1.15.5-arm64-darwin)
      racc (~> 1.4)
    rack (3.0.8)
    racc (1.7.3)
    rake (13.1.0)

PLATFORMS
  arm64-darwin
  x86_64-linux

DEPENDENCIES
  myapp!
  nokogiri
  rails!
  rake (~> 13.0)

BUNDLED WITH
   2.4.22
"""

PARSE_LOCK = """
require "json"; require "bundler"
l = Bundler::LockfileParser.new(File.read(ARGV[0]))
puts JSON.generate(l.specs.map { |s| [s.name, s.version.to_s] }.uniq)
"""


def test_gemfile_lock_equals_bundler(tmp_path):
    root = tmp_path / "root"
    p = root / "srv/app/Gemfile.lock"
    p.parent.mkdir(parents=True)
    p.write_text(GEMFILE_LOCK)
    # Bundler wants a Gemfile beside the lockfile; a copy keeps it out of the scan.
    oracle_dir = tmp_path / "oracle"
    oracle_dir.mkdir()
    (oracle_dir / "Gemfile").write_text("")
    shutil.copy(p, oracle_dir / "Gemfile.lock")
    try:
        want = {tuple(x) for x in ruby(PARSE_LOCK, "Gemfile.lock", cwd=oracle_dir)}
    except subprocess.CalledProcessError as e:
        pytest.skip("bundler not usable: %s" % e.stderr[-300:])
    pkgs, _ = sbom(root)
    got = [(x["name"], x["version"]) for x in pkgs]
    assert sorted(got) == sorted(want)
    assert len(got) == len(set(got))


def test_gemspec_variants(tmp_path):
    d = tmp_path / "usr/local/bundle/specifications"
    d.mkdir(parents=True)
    (d / "old-1.2.gemspec").write_text(
        "Gem::Specification.new do |spec|\n  spec.name = 'old'\n"
        "  spec.version = Gem::Version.new(\"1.2\")\n  spec.license = \"BSD-2-Clause\"\n"
        "  spec.name == 'x'\nend\n")
    pkgs, _ = sbom(tmp_path)
    assert [(p["name"], p["version"], p["licenses"]) for p in pkgs] == \
        [("old", "1.2", "BSD-2-Clause")]


@pytest.mark.parametrize("rel,data", [
    ("/usr/lib/ruby/gems/3.1.0/specifications/bad-1.gemspec", "Gem::Specification.new\n"),
    ("/usr/lib/ruby/gems/3.1.0/specifications/bin-1.gemspec", b"\x00\xff s.name = \"x"),
], ids=["no-name", "binary"])
def test_hostile_gemspec(tmp_path, rel, data):
    p = tmp_path / rel.lstrip("/")
    p.parent.mkdir(parents=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode())
    lock = tmp_path / "app/Gemfile.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text("GEM\n  specs:\n    ok (1.0)\n\n")
    pkgs, res = sbom(tmp_path, expect_warnings=True)
    assert any(rel in l for l in res.err_lines), res.describe()
    assert [(x["name"], x["version"]) for x in pkgs] == [("ok", "1.0")]


def test_garbage_lockfile(tmp_path):
    lock = tmp_path / "app/Gemfile.lock"
    lock.parent.mkdir(parents=True)
    lock.write_bytes(b"GEM\n  specs:\n    (\n    x (\n    x ()\n    (1)\n    a (-)\n" +
                     b"\xff" * 1000 + b"\n    " + b"y" * (1 << 20))
    pkgs, _ = sbom(tmp_path)
    assert pkgs == []
