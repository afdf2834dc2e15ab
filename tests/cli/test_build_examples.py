"""The examples of examples/build/ build and run: the static C hello, and the Python app
from Debian packages (its own fetch-debs.sh downloads them; cached under HULL_TESTDATA),
each unpacked with umoci and run with chroot as the image's user."""
import glob
import hashlib
import json
import os
import shutil
import subprocess

import pytest

import hullfix as H
from test_build import build, skopeo, SKOPEO, UMOCI, GCC

pytestmark = pytest.mark.skipif(not (SKOPEO and UMOCI and GCC),
                                reason="needs skopeo, umoci and gcc")
EXAMPLES = os.path.join(H.REPO, "examples", "build")


def copy_example(name, dest):
    shutil.copytree(os.path.join(EXAMPLES, name), dest,
                    ignore=shutil.ignore_patterns("debs", "out", "hello"))
    return dest


def unpack(layout_ref, dest):
    subprocess.run([UMOCI, "unpack", "--image", layout_ref, str(dest)], check=True,
                   capture_output=True)
    return dest / "rootfs"


def run_in(rootfs, user, *argv):
    return subprocess.run(["chroot", "--userspec=%s" % user, str(rootfs)] + list(argv),
                          capture_output=True, text=True, timeout=60)


def test_hello_example(tmp_path):
    d = copy_example("hello", tmp_path / "hello")
    subprocess.run(["make", "-C", str(d), "hello"], check=True, capture_output=True)
    r = build(d / "hull-image.yaml", "oci:%s:hello" % (tmp_path / "out"))
    assert r.rc == 0, r.describe()
    cfg = json.loads(skopeo("inspect", "--config", "oci:%s:hello" % (tmp_path / "out")))
    assert cfg["config"]["User"] == "65532:65532"
    rootfs = unpack("%s:hello" % (tmp_path / "out"), tmp_path / "b")
    if os.geteuid() != 0:
        pytest.skip("chroot needs root")
    p = run_in(rootfs, "65532:65532", *cfg["config"]["Entrypoint"])
    assert p.returncode == 0, p.stderr
    want = subprocess.run([str(d / "hello")], capture_output=True, text=True).stdout
    assert p.stdout == want and want


@pytest.fixture(scope="module")
def python_debs():
    """The example's fetch-debs.sh run once into the test data cache (keyed by the
    script's content)."""
    script = os.path.join(EXAMPLES, "python-app", "fetch-debs.sh")
    with open(script, "rb") as f:
        key = hashlib.sha256(f.read()).hexdigest()[:16]
    cache = os.path.join(H.TESTDATA, "python-app-debs-" + key)
    with H.locked(os.path.join(H.TESTDATA, ".python-app-debs.lock")):
        if not os.path.isfile(os.path.join(cache, "done")):
            shutil.rmtree(cache, ignore_errors=True)
            os.makedirs(cache)
            shutil.copy(script, cache)
            p = subprocess.run(["sh", os.path.join(cache, "fetch-debs.sh")],
                               capture_output=True, text=True, timeout=600)
            if p.returncode != 0:
                shutil.rmtree(cache, ignore_errors=True)
                pytest.skip("the Debian mirror is unreachable: apt-get download failed: "
                            + p.stderr.strip()[-300:])
            open(os.path.join(cache, "done"), "w").close()
    return os.path.join(cache, "debs")


def test_python_app_example(tmp_path, python_debs):
    d = copy_example("python-app", tmp_path / "python-app")
    shutil.copytree(python_debs, d / "debs")
    r = build(d / "hull-image.yaml", "oci:%s:python-app" % (tmp_path / "out"))
    assert r.rc == 0, r.describe()
    ref = "oci:%s:python-app" % (tmp_path / "out")
    cfg = json.loads(skopeo("inspect", "--config", ref))
    assert cfg["config"]["User"] == "65532:65532"
    assert cfg["config"]["Entrypoint"] == ["/usr/bin/python3.11", "/app/app.py"]
    # the eight packages are in the SBOM with the versions of their .debs
    r = H.hull("sbom", "-f", "json", ref)
    assert r.rc == 0, r.describe()
    pkgs = {p["name"]: p["version"] for p in json.loads(r.out)["packages"]}
    debs = sorted(glob.glob(os.path.join(python_debs, "*.deb")))
    assert len(debs) == 8
    for deb in debs:
        name, version = (subprocess.run(["dpkg-deb", "-f", deb, f], capture_output=True,
                                        text=True, check=True).stdout.strip()
                         for f in ("Package", "Version"))
        assert pkgs.get(name) == version, name
    # no secrets, no root user
    r = H.hull("image", "-f", "json", ref)
    ids = {f["id"] for f in json.loads(r.out)["findings"]}
    assert "HULL-IMG-001" not in ids
    assert not [f for f in json.loads(r.out)["findings"] if f["kind"] == "secret"]
    rootfs = unpack("%s:python-app" % (tmp_path / "out"), tmp_path / "b")
    if os.geteuid() != 0:
        pytest.skip("chroot needs root")
    p = subprocess.run(["chroot", "--userspec=65532:65532", str(rootfs)] +
                       cfg["config"]["Entrypoint"], capture_output=True, text=True,
                       timeout=60, env={"PATH": os.environ["PATH"],
                                                  "PYTHONDONTWRITEBYTECODE": "1"})
    assert p.returncode == 0, p.stderr
    version = subprocess.run(["dpkg-deb", "-f", [x for x in debs if "/python3.11-minimal_"
                                                 in x][0], "Version"], capture_output=True,
                             text=True).stdout.split("-")[0]
    assert p.stdout == "hello from Python %s as uid 65532 on linux\n" % version
