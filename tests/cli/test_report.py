"""Report renderers end to end: the same findings (a real scan of the planted image of
test_image.py, and of a k8s manifest set) in every format. Golden files (tests/cli/golden,
reviewed by hand) for the table and JUnit; SARIF and CycloneDX-with-vulnerabilities
validated against the official schemas (jsonschema, and ajv-cli from npm for CycloneDX);
JUnit parsed and counted; the HTML report rendered, filtered and sorted in headless
Chromium, with a screenshot kept under $HULL_TESTDATA/artefacts; colours checked on a pty.

HULL_UPDATE_GOLDEN=1 rewrites the golden files (review the diff before keeping it)."""
import json
import os
import pty
import re
import select
import shutil
import subprocess
import xml.etree.ElementTree as ET

import jsonschema
import pytest

import hullfix as H
from test_image import planted  # noqa: F401  (the session fixture)

SCHEMAS = os.path.join(H.REPO, "..", "shared", "schemas")
GOLDEN = os.path.join(H.HERE, "golden")
UPDATE = bool(os.environ.get("HULL_UPDATE_GOLDEN"))
ARTEFACTS = os.path.join(H.TESTDATA, "artefacts")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ESC = "\x1b["

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      hostNetwork: true
      containers:
      - name: web
        image: registry.example.com/shop/web:latest
        securityContext:
          privileged: true
          runAsUser: 0
"""

RBAC = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: everything
rules:
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]
"""


def run(*args, env=None, cwd=None, timeout=600):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e["COLUMNS"] = "100"
    e.update(env or {})
    p = subprocess.run([H.HULL] + [str(a) for a in args], capture_output=True, env=e,
                       cwd=cwd, timeout=timeout)
    return H.Result([str(a) for a in args], p.returncode, p.stdout.decode("utf-8", "replace"),
                    p.stderr.decode("utf-8", "replace"))


@pytest.fixture
def manifests(tmp_path):
    d = tmp_path / "deploy"
    d.mkdir()
    (d / "web.yaml").write_text(WEB)
    (d / "rbac.yaml").write_text(RBAC)
    return tmp_path


def golden(name, text):
    path = os.path.join(GOLDEN, name)
    if UPDATE:
        os.makedirs(GOLDEN, exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    with open(path) as f:
        want = f.read()
    assert text == want, "differs from golden %s:\n%s" % (name, text)


def image_text(text, source):
    """The planted image is rebuilt per session (its temp path changes): name it SOURCE."""
    return text.replace(source, "SOURCE")


# --------------------------------------------------------------------------- table


def test_k8s_table_golden(manifests):
    r = run("k8s", "deploy", cwd=manifests)
    assert r.rc == 0, r.describe()
    golden("k8s.table", r.out)
    assert ESC not in r.out
    # Narrow terminals: columns shrink, long cells end in "…", rows never exceed the width.
    r = run("k8s", "deploy", cwd=manifests, env={"COLUMNS": "72"})
    golden("k8s-72.table", r.out)
    assert "…" in r.out
    assert max(len(l) for l in r.out.splitlines()) <= 72


def test_image_table_golden(planted):  # noqa: F811
    r = run("image", planted)
    assert r.rc == 0, r.describe()
    text = image_text(r.out, planted)
    golden("image.table", text)
    # Every finding of the JSON report is in the table, grouped by kind.
    rep = run("image", "-f", "json", planted).json()
    assert "%d findings" % len(rep["findings"]) in text
    for f in rep["findings"]:
        assert f["id"] in text
    assert text.index("Secrets: SOURCE") < text.index("Misconfigurations: SOURCE")


def read_pty(args, env):
    """Runs hull on a pseudo-terminal (80 columns); returns its output."""
    master, slave = pty.openpty()
    import fcntl
    import struct
    import termios
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 80, 0, 0))
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.pop("COLUMNS", None)
    e.update(env)
    p = subprocess.Popen([H.HULL] + args, stdout=slave, stderr=slave, env=e)
    os.close(slave)
    out = b""
    while True:
        r, _, _ = select.select([master], [], [], 30)
        if not r:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=30)
    os.close(master)
    return out.decode("utf-8", "replace")


def test_colours_on_a_tty_only(manifests):
    d = str(manifests / "deploy")
    out = read_pty(["k8s", d], {})
    assert ESC + "1;31m" in out or ESC + "31m" in out, out      # CRITICAL / HIGH in red
    rows = [re.sub(r"\x1b\[[0-9;]*m", "", l) for l in out.splitlines() if "Kubernetes:" not in l]
    assert max(len(l) for l in rows) <= 80      # the terminal's width (headings: full path)
    assert ESC not in read_pty(["k8s", d], {"NO_COLOR": "1"})
    assert ESC not in read_pty(["k8s", "--no-color", d], {})
    assert ESC in read_pty(["k8s", d], {"NO_COLOR": ""})        # empty NO_COLOR: ignored
    assert ESC not in run("k8s", d).out                          # a pipe
    # -o FILE on a terminal: the file has no colour
    out_file = manifests / "t.txt"
    read_pty(["k8s", "-o", str(out_file), d], {})
    assert ESC not in out_file.read_text() and "HULL-K8S" in out_file.read_text()


# --------------------------------------------------------------------------- junit


def check_junit(text, findings):
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert int(root.get("tests")) == len(cases) == int(root.get("failures"))
    for s in root.findall("testsuite"):
        assert int(s.get("tests")) == len(s.findall("testcase"))
    # one testcase per check (rule id), or per package for vulnerabilities
    checks = {f["id"] for f in findings if f["kind"] != "vulnerability"}
    pkgs = {(f["package"]["name"], f["package"]["version"], f["package"].get("path"))
            for f in findings if f["kind"] == "vulnerability"}
    assert len(cases) == len(checks) + len(pkgs)
    # every occurrence is listed in its testcase's failure
    occurrences = sum(len(c.find("failure").text.strip().splitlines()) for c in cases)
    assert occurrences == len(findings)
    return root


def test_k8s_junit_golden(manifests):
    r = run("k8s", "-f", "junit", "deploy", cwd=manifests)
    assert r.rc == 0, r.describe()
    golden("k8s.junit.xml", r.out)
    findings = run("k8s", "-f", "json", "deploy", cwd=manifests).json()["findings"]
    root = check_junit(r.out, findings)
    assert [s.get("name") for s in root.findall("testsuite")] == ["Kubernetes"]


def test_image_junit_golden(planted):  # noqa: F811
    r = run("image", "-f", "junit", planted)
    assert r.rc == 0, r.describe()
    golden("image.junit.xml", image_text(r.out, planted))
    findings = run("image", "-f", "json", planted).json()["findings"]
    root = check_junit(r.out, findings)
    assert {s.get("name") for s in root.findall("testsuite")} == {"Secrets",
                                                                   "Misconfigurations"}


def test_clean_junit_is_valid(tmp_path):
    (tmp_path / "empty.yaml").write_text("# nothing\n")
    r = run("k8s", "-f", "junit", tmp_path / "empty.yaml")
    assert r.rc == 0, r.describe()
    root = ET.fromstring(r.out)
    assert root.get("tests") == "0" and len(root.findall("testsuite")) == 1


# --------------------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "junit", "html", "cyclonedx",
                                 "spdx-json"])
def test_every_format_image_and_fs(planted, tmp_path, fmt):  # noqa: F811
    out = tmp_path / ("r." + fmt)
    r = run("image", "-f", fmt, "-o", out, "--exit-code", "4", planted)
    sbom = fmt in ("cyclonedx", "spdx-json")
    assert r.rc == (0 if sbom else 4), r.describe()
    assert r.out == ""
    text = out.read_text()
    assert len(text) > 200
    if fmt in ("json", "sarif", "cyclonedx", "spdx-json"):
        json.loads(text)
    fsdir = tmp_path / "proj"
    fsdir.mkdir()
    (fsdir / "settings.py").write_text("KEY = '%s'\n" % ("AKIA" + "Q2WERTYUIOPA3SDF"))
    r = run("fs", "-f", fmt, fsdir)
    assert r.rc == 0 and r.out, r.describe()


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "junit", "html"])
def test_every_format_k8s(manifests, fmt):
    r = run("k8s", "-f", fmt, "deploy", cwd=manifests)
    assert r.rc == 0 and "HULL-K8S-" in r.out, r.describe()


def test_unknown_formats_are_usage_errors(manifests, planted):  # noqa: F811
    r = run("k8s", "-f", "cyclonedx", "deploy", cwd=manifests)
    assert r.rc == 2 and "table, json, sarif, junit, html" in r.err, r.describe()
    r = run("image", "-f", "xml", planted)
    assert r.rc == 2 and "junit, html, cyclonedx, spdx-json" in r.err, r.describe()


# --------------------------------------------------------------------------- sarif


def sarif_validate(doc):
    with open(os.path.join(SCHEMAS, "sarif-schema-2.1.0.json")) as f:
        jsonschema.Draft4Validator(json.load(f),
                                   format_checker=jsonschema.FormatChecker()).validate(doc)


def fingerprints(doc):
    return [(r["ruleId"], r["partialFingerprints"]["hullFindingHash/v1"])
            for r in doc["runs"][0]["results"]]


def test_sarif_rules_and_fingerprints(manifests, planted):  # noqa: F811
    doc = H.strict_json(run("k8s", "-f", "sarif", "deploy", cwd=manifests).out)
    sarif_validate(doc)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    for rule in rules:
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert "docs/k8s.md#" in rule["help"]["text"]
    before = fingerprints(doc)
    assert len(set(before)) == len(before)
    lines = [r["locations"][0]["physicalLocation"]["region"]["startLine"]
             for r in doc["runs"][0]["results"]]
    # Lines move, fingerprints stay.
    for name in ("web.yaml", "rbac.yaml"):
        p = manifests / "deploy" / name
        p.write_text("# a comment\n# another\n" + p.read_text())
    doc2 = H.strict_json(run("k8s", "-f", "sarif", "deploy", cwd=manifests).out)
    assert fingerprints(doc2) == before
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"]
            for r in doc2["runs"][0]["results"]] == [n + 2 for n in lines]
    # A different finding gets a different fingerprint.
    (manifests / "deploy" / "web.yaml").write_text(WEB.replace("name: web\n  namespace",
                                                               "name: api\n  namespace"))
    doc3 = H.strict_json(run("k8s", "-f", "sarif", "deploy", cwd=manifests).out)
    assert set(fingerprints(doc3)) != set(before)
    # Image findings: relative URIs, a startLine everywhere (GitHub needs one).
    doc = H.strict_json(run("image", "-f", "sarif", planted).out)
    sarif_validate(doc)
    for r in doc["runs"][0]["results"]:
        loc = r["locations"][0]["physicalLocation"]
        assert not loc["artifactLocation"]["uri"].startswith("/")
        assert loc["region"]["startLine"] >= 1


# --------------------------------------------------------------------------- VEX


def unit_binary():
    p = os.path.join(os.path.dirname(H.HULL), "tests", "unit", "test_report")
    if not os.path.exists(p):
        pytest.skip("unit test binary %s not built" % p)
    return p


def load(name):
    with open(os.path.join(SCHEMAS, name)) as f:
        return json.load(f)


def cdx_validate(doc):
    bom = load("cyclonedx-bom-1.6.schema.json")
    store = {}
    for name in ("cyclonedx-spdx.schema.json", "cyclonedx-jsf-0.82.schema.json"):
        s = load(name)
        store[s["$id"]] = s
    resolver = jsonschema.RefResolver.from_schema(bom, store=store)
    jsonschema.Draft7Validator(bom, resolver=resolver,
                               format_checker=jsonschema.FormatChecker()).validate(doc)


def ajv():
    """ajv-cli from npm, installed once under $HULL_TESTDATA/ajv."""
    if not shutil.which("npm"):
        pytest.skip("npm not installed")
    prefix = os.path.join(H.TESTDATA, "ajv")
    exe = os.path.join(prefix, "node_modules", ".bin", "ajv")
    with H.locked(prefix + ".lock"):
        if not os.path.exists(exe):
            os.makedirs(prefix, exist_ok=True)
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", prefix,
                            "ajv-cli@5.0.0", "ajv-formats@2.1.1"], check=True,
                           capture_output=True, timeout=600)
    return exe, prefix


def ajv_validate(path):
    """ajv (draft-07, with formats), the referenced schemas passed in."""
    exe, prefix = ajv()
    r = subprocess.run([exe, "validate", "--spec=draft7", "--strict=false", "-c",
                        os.path.join(prefix, "node_modules", "ajv-formats"),
                        "-s", os.path.join(SCHEMAS, "cyclonedx-bom-1.6.schema.json"),
                        "-r", os.path.join(SCHEMAS, "cyclonedx-spdx.schema.json"),
                        "-r", os.path.join(SCHEMAS, "cyclonedx-jsf-0.82.schema.json"),
                        "-d", str(path)], capture_output=True, timeout=120)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()


def test_cyclonedx_vulnerabilities_validate(tmp_path):
    """Vulnerability findings (hand-built in tests/unit/test_report.c, with a real
    inventory shape) become a schema-valid CycloneDX 1.6 vulnerabilities array."""
    p = subprocess.run([unit_binary()], env=dict(os.environ, HULL_TEST_ARTEFACTS=str(tmp_path)),
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stdout.decode() + p.stderr.decode()
    path = tmp_path / "vex.cdx.json"
    doc = json.loads(path.read_text())
    assert len(doc["vulnerabilities"]) == 3
    cdx_validate(doc)
    refs = {c["bom-ref"] for c in doc["components"]}
    for v in doc["vulnerabilities"]:
        for a in v["affects"]:
            assert a["ref"] in refs
    sarif_validate(json.loads((tmp_path / "vuln.sarif").read_text()))
    # An independent validator, which must be able to fail: a bad rating method.
    ajv_validate(path)
    doc["vulnerabilities"][0]["ratings"][0]["method"] = "CVSSv9"
    bad = tmp_path / "bad.cdx.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(AssertionError):
        ajv_validate(bad)


LOCK = {"name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
        "packages": {"": {"name": "app", "version": "1.0.0",
                          "dependencies": {"lodash": "4.17.20", "minimist": "1.2.5"}},
                     "node_modules/lodash": {"version": "4.17.20"},
                     "node_modules/minimist": {"version": "1.2.5"}}}


def osv(id_, alias, pkg, fixed, vector, summary, refs=()):
    return {"schema_version": "1.6.0", "id": id_, "modified": "2024-01-01T00:00:00Z",
            "aliases": [alias], "summary": summary,
            "severity": [{"type": "CVSS_V3", "score": vector}],
            "affected": [{"package": {"ecosystem": "npm", "name": pkg},
                          "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"},
                                                                   {"fixed": fixed}]}]}],
            "references": [{"type": "ADVISORY", "url": u} for u in refs]}


@pytest.fixture
def vulnerable(tmp_path):
    """A project with two vulnerable npm packages and a DB of their two advisories (in
    the OSV shape), imported with hull db import."""
    proj = tmp_path / "proj"
    (proj / "app").mkdir(parents=True)
    (proj / "app" / "package-lock.json").write_text(json.dumps(LOCK))
    adv = tmp_path / "adv"
    adv.mkdir()
    for a in (osv("GHSA-35jh-r3h4-6jhm", "CVE-2021-23337", "lodash", "4.17.21",
                  "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", "Command Injection in lodash",
                  ["https://nvd.nist.gov/vuln/detail/CVE-2021-23337"]),
              osv("GHSA-xvch-5gv4-984h", "CVE-2021-44906", "minimist", "1.2.6",
                  "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                  "Prototype Pollution in minimist")):
        (adv / (a["id"] + ".json")).write_text(json.dumps(a))
    db = tmp_path / "db.sqlite"
    r = run("db", "import", "--db", db, adv)
    assert r.rc == 0, r.describe()
    return proj, db


def test_vulnerabilities_in_every_format(vulnerable, tmp_path):
    proj, db = vulnerable
    r = run("fs", "--db", db, "--scanners", "vuln", proj)
    assert r.rc == 0, r.describe()
    golden("vuln.table", r.out)
    r = run("fs", "--db", db, "--scanners", "vuln", "-f", "junit", proj)
    golden("vuln.junit.xml", r.out.replace(str(proj), "PROJ"))
    findings = run("fs", "--db", db, "--scanners", "vuln", "-f", "json", proj).json()["findings"]
    assert len(findings) == 2
    check_junit(r.out, findings)
    # CycloneDX with the vulnerabilities array, valid for two validators.
    out = tmp_path / "bom.json"
    r = run("fs", "--db", db, "-f", "cyclonedx", "-o", out, proj)
    assert r.rc == 0, r.describe()
    doc = json.loads(out.read_text())
    cdx_validate(doc)
    ajv_validate(out)
    refs = {c["bom-ref"]: c for c in doc["components"]}
    got = {(v["id"], a["ref"], tuple((x["version"], x["status"]) for x in a["versions"]))
           for v in doc["vulnerabilities"] for a in v["affects"]}
    assert got == {("GHSA-35jh-r3h4-6jhm", "pkg:npm/lodash@4.17.20",
                    (("4.17.20", "affected"), ("4.17.21", "unaffected"))),
                   ("GHSA-xvch-5gv4-984h", "pkg:npm/minimist@1.2.5",
                    (("1.2.5", "affected"), ("1.2.6", "unaffected")))}
    for v in doc["vulnerabilities"]:
        assert all(a["ref"] in refs for a in v["affects"])
        rating = v["ratings"][0]
        assert rating["method"] == "CVSSv31" and rating["vector"].startswith("CVSS:3.1/")
    lodash = [v for v in doc["vulnerabilities"] if v["id"] == "GHSA-35jh-r3h4-6jhm"][0]
    assert lodash["ratings"][0]["score"] == 7.2 and lodash["ratings"][0]["severity"] == "high"
    assert lodash["references"][0]["id"] == "CVE-2021-23337"
    assert lodash["recommendation"] == "Upgrade lodash to 4.17.21 or later."
    # SARIF: at the lockfile, with the advisory as helpUri and the CVSS score.
    doc = H.strict_json(run("fs", "--db", db, "--scanners", "vuln", "-f", "sarif", proj).out)
    sarif_validate(doc)
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["GHSA-35jh-r3h4-6jhm"]["helpUri"] == \
        "https://nvd.nist.gov/vuln/detail/CVE-2021-23337"
    assert rules["GHSA-xvch-5gv4-984h"]["helpUri"] == \
        "https://osv.dev/vulnerability/GHSA-xvch-5gv4-984h"
    assert rules["GHSA-xvch-5gv4-984h"]["properties"]["security-severity"] == "9.8"
    for res in doc["runs"][0]["results"]:
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == "app/package-lock.json"
    # HTML: the package columns are shown.
    page = tmp_path / "v.html"
    run("fs", "--db", db, "--scanners", "vuln", "-f", "html", "-o", page, proj)
    dom = chromium_dom(page, "#sort=package&dir=asc")
    assert [i for _, i, _ in ROW.findall(dom)] == ["GHSA-35jh-r3h4-6jhm", "GHSA-xvch-5gv4-984h"]
    assert '<td class="c-fixed">4.17.21</td>' in dom and 'class="nopkg"' not in dom


def test_image_cyclonedx_without_vulnerabilities_validates(planted):  # noqa: F811
    doc = H.strict_json(run("image", "-f", "cyclonedx", planted).out)
    assert "vulnerabilities" not in doc
    cdx_validate(doc)


# --------------------------------------------------------------------------- html


def chromium_dom(path, fragment="", timeout=120):
    if not CHROMIUM:
        pytest.skip("chromium not installed")
    url = "file://%s%s" % (path, fragment)
    p = subprocess.run([CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox",
                        "--virtual-time-budget=5000", "--dump-dom", url],
                       capture_output=True, timeout=timeout)
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    return p.stdout.decode("utf-8", "replace")


ROW = re.compile(r'<tr data-severity="([A-Z]+)" data-id="([^"]*)" data-kind="([a-z0-9]+)"')


def test_html_renders_filters_and_sorts(planted, tmp_path):  # noqa: F811
    page = tmp_path / "report.html"
    r = run("image", "-f", "html", "-o", page, planted)
    assert r.rc == 0, r.describe()
    text = page.read_text()
    # Self-contained: no external scripts, styles, images or fonts.
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', text)
    assert "@import" not in text and "url(" not in text
    rep = run("image", "-f", "json", planted).json()
    n = len(rep["findings"])

    dom = chromium_dom(page)
    assert 'data-ready="true"' in dom
    rows = ROW.findall(dom)
    assert len(rows) == n
    rank = {"CRITICAL": 4, "HIGH": 3, "MEDIUM": 2, "LOW": 1, "UNKNOWN": 0}
    sevs = [rank[s] for s, _, _ in rows]
    assert sevs == sorted(sevs, reverse=True)      # default: most severe first
    assert "Showing %d of %d findings" % (n, n) in dom
    assert dom.count('class="sevbar"') == 5         # the severity chart
    assert dom.count('class="layer"') == 3          # one bar per layer
    assert "<svg" in dom

    # Filter by severity through the URL hash.
    dom = chromium_dom(page, "#filter=HIGH")
    rows = ROW.findall(dom)
    want = [f for f in rep["findings"] if f["severity"] == "HIGH"]
    assert rows and len(rows) == len(want)
    assert {s for s, _, _ in rows} == {"HIGH"}
    assert 'data-sev="HIGH" aria-pressed="true"' in dom

    # Text filter and kind filter.
    dom = chromium_dom(page, "#q=credentials")
    ids = [i for _, i, _ in ROW.findall(dom)]
    assert ids and len(ids) < n
    dom = chromium_dom(page, "#kind=secret")
    assert {k for _, _, k in ROW.findall(dom)} == {"secret"}

    # Sort by id ascending, then descending.
    dom = chromium_dom(page, "#sort=id&dir=asc")
    ids = [i for _, i, _ in ROW.findall(dom)]
    assert ids == sorted(ids, key=str.lower) and len(ids) == n
    assert 'data-key="id" aria-sort="ascending"' in dom
    dom = chromium_dom(page, "#sort=id&dir=desc")
    ids = [i for _, i, _ in ROW.findall(dom)]
    assert ids == sorted(ids, key=str.lower, reverse=True)

    # A screenshot, kept as a test artefact.
    os.makedirs(ARTEFACTS, exist_ok=True)
    png = os.path.join(ARTEFACTS, "report.png")
    if os.path.exists(png):
        os.unlink(png)
    p = subprocess.run([CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox",
                        "--hide-scrollbars", "--virtual-time-budget=5000",
                        "--screenshot=" + png, "--window-size=1280,2000",
                        "file://%s" % page], capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    with open(png, "rb") as f:
        head = f.read(8)
    assert head == b"\x89PNG\r\n\x1a\n"
    assert os.path.getsize(png) > 20000


def test_html_escapes_hostile_text(tmp_path):
    """Names from the input end up as text, never as markup or script."""
    d = tmp_path / "x"
    d.mkdir()
    evil = '<img src=x onerror="document.title=1">'
    (d / "m.yaml").write_text(WEB.replace("name: web\n  namespace",
                                          "name: '%s'\n  namespace" % evil.replace("'", "''")))
    page = tmp_path / "r.html"
    r = run("k8s", "-f", "html", "-o", page, d / "m.yaml")
    assert r.rc == 0, r.describe()
    assert "<img" not in page.read_text()
    dom = chromium_dom(page)
    assert "<img" not in dom and 'data-ready="true"' in dom
    assert "&lt;img src=x" in dom                     # shown as text
