"""Policy and attribution: --severity/--exit-code matrix, ignore files (hull plain and YAML,
Trivy's .trivyignore and .trivyignore.yaml) with expiry, path globs, hull.yaml in the
current directory and in XDG with flag override, base-image attribution (--base,
annotations, history) and --skip-base, --dockerfile mapping from real BuildKit and classic
history strings, and SARIF pointing at the Dockerfile. Images are made here with umoci."""
import html
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import jsonschema
import pytest

import hullfix as H

SCHEMAS = os.path.join(H.REPO, "..", "shared", "schemas")

# Fake but well-formed secrets (built from pieces so no scanner flags this file).
AWS = "AKIA" + "Q2WERTYUIOPA3SDF"
GH = "ghp_" + "aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYzaB3"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
NPM = "npm_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa"

BK = "buildkit.dockerfile.v0"
CLASSIC_RUN = "|1 VERSION=2 /bin/sh -c apt-get update &&     apt-get install -y jq"
DOCKERFILE = """# syntax=docker/dockerfile:1
FROM golang:1.22 AS build
RUN go build -o /out/app .

FROM base:latest
ARG VERSION=2
COPY deploy.sh /app/
RUN apt-get update && \\
    apt-get install -y jq
ENV A=b
CMD ["/app/run"]
"""
# Dockerfile lines of the app's own instructions
COPY_LINE, RUN_LINE = 7, 8


def run(cmd):
    subprocess.run(cmd, check=True, capture_output=True)


class Layout:
    """An OCI layout built with umoci: layers with exact history strings."""

    def __init__(self, d):
        self.d = str(d)
        self.L = os.path.join(self.d, "L")
        self.n = 0
        run(["umoci", "init", "--layout", self.L])

    def new(self, tag):
        run(["umoci", "new", "--image", "%s:%s" % (self.L, tag)])

    def layer(self, src, dst, files, created_by, comment=None, created=None):
        self.n += 1
        b = os.path.join(self.d, "b%d" % self.n)
        run(["umoci", "unpack", "--image", "%s:%s" % (self.L, src), b])
        for path, data in files.items():
            p = os.path.join(b, "rootfs", path.lstrip("/"))
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(data)
        cmd = ["umoci", "repack", "--image", "%s:%s" % (self.L, dst),
               "--history.created_by", created_by]
        if comment:
            cmd += ["--history.comment", comment]
        if created:
            cmd += ["--history.created", created]
        run(cmd + [b])
        if src != dst:
            pass

    def config(self, tag, created_by=None, comment=None, annotations=(), **cfg):
        cmd = ["umoci", "config", "--image", "%s:%s" % (self.L, tag)]
        for k, v in cfg.items():
            cmd += ["--config." + k, v]
        for a in annotations:
            cmd += ["--manifest.annotation", a]
        if created_by is None:
            cmd += ["--no-history"]
        else:
            cmd += ["--history.created_by", created_by]
            if comment:
                cmd += ["--history.comment", comment]
        run(cmd)

    def copy_tag(self, src, dst):
        run(["umoci", "tag", "--image", "%s:%s" % (self.L, src), dst])

    def ref(self, tag):
        return "oci:%s:%s" % (self.L, tag)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    """base: 2 layers + CMD; app (classic history) and bk (BuildKit history): base + COPY +
    RUN + CMD; plain: a base without CMD, an app with BuildKit comments, with and
    without the base annotations. Secrets in every layer."""
    d = tmp_path_factory.mktemp("policy")
    lay = Layout(d)
    lay.new("base")
    lay.layer("base", "base", {"/etc/base.conf": "aws_access_key_id = %s\n" % AWS},
              "/bin/sh -c #(nop) ADD file:4b0c1d3e5f in / ")
    lay.layer("base", "base", {"/root/.npmrc": "//registry.npmjs.org/:_authToken=%s\n" % NPM},
              "/bin/sh -c apt-get update && apt-get install -y curl")
    lay.config("base", '/bin/sh -c #(nop)  CMD ["bash"]', cmd="bash")

    def app(tag, copy_by, run_by, extra, comment):
        lay.copy_tag("base", tag)
        lay.layer(tag, tag, {"/app/deploy.sh": "curl -H 'Authorization: token %s'\n" % GH},
                  copy_by, comment)
        lay.layer(tag, tag, {"/app/conf": "STRIPE=%s\n" % STRIPE}, run_by, comment)
        for e in extra:
            lay.config(tag, e, comment)
        lay.config(tag, 'CMD ["/app/run"]' if comment else
                   '/bin/sh -c #(nop)  CMD ["/app/run"]', comment, cmd="/app/run")

    app("app", "/bin/sh -c #(nop) COPY file:9f2a3b4c5d in /app/ ", CLASSIC_RUN, [], None)
    app("bk", "COPY deploy.sh /app/ # buildkit",
        "RUN |1 VERSION=2 /bin/sh -c apt-get update &&     apt-get install -y jq # buildkit",
        ["ENV A=b"], BK)

    # a base without a CMD entry: only the annotations and the builder comments tell
    lay.new("plain")
    lay.layer("plain", "plain", {"/etc/base.conf": "# plain\naws_access_key_id = %s\n" % AWS},
              "ADD rootfs.tar / ")
    lay.layer("plain", "plain", {"/app/deploy.sh": "token %s\n" % GH},
              "COPY deploy.sh /app/ # buildkit", BK)
    lay.config("plain", 'CMD ["/app/run"]', BK, cmd="/app/run")
    lay.copy_tag("plain", "annot")
    lay.config("annot", annotations=[
        "org.opencontainers.image.base.name=docker.io/library/debian:12",
        "org.opencontainers.image.base.digest=sha256:" + "ab" * 32])
    # an unrelated base for --base
    lay.new("other")
    lay.layer("other", "other", {"/x": "x\n"}, "ADD x /")
    return lay


def scan(source, *args, rc=0, cwd=None):
    r = H.hull("image", "--scanners", "secret", "-f", "json", *args, source, cwd=cwd)
    assert r.rc == rc, r.describe()
    return H.strict_json(r.out)


def by_path(rep):
    return {f["path"]: f for f in rep["findings"]}


# ---------------------------------------------------------------- attribution


def test_history_heuristic_classic(images, tmp_path):
    f = by_path(scan(images.ref("app"), cwd=tmp_path))
    assert f["/etc/base.conf"]["base"] is True
    assert f["/root/.npmrc"]["base"] is True
    assert f["/app/deploy.sh"]["base"] is False
    assert f["/app/conf"]["base"] is False
    assert "dockerfile_line" not in f["/app/conf"]


def test_history_heuristic_buildkit(images, tmp_path):
    f = by_path(scan(images.ref("bk"), cwd=tmp_path))
    assert [f[p]["base"] for p in ("/etc/base.conf", "/root/.npmrc", "/app/deploy.sh",
                                   "/app/conf")] == [True, True, False, False]


def test_skip_base(images, tmp_path):
    rep = scan(images.ref("app"), "--skip-base", cwd=tmp_path)
    assert set(by_path(rep)) == {"/app/deploy.sh", "/app/conf"}
    # the base itself: its own CMD is trailing, so nothing marks a base inside it
    rep = scan(images.ref("base"), "--skip-base", cwd=tmp_path)
    assert set(by_path(rep)) == {"/etc/base.conf", "/root/.npmrc"}
    assert all("base" not in x for x in rep["findings"])


def test_base_source(images, tmp_path):
    f = by_path(scan(images.ref("plain"), "--base", images.ref("base"), cwd=tmp_path))
    # plain shares no layer with base: nothing is base (and a warning says so)
    assert all(x["base"] is False for x in f.values())
    r = H.hull("image", "--scanners", "secret", "--base", images.ref("base"),
               images.ref("plain"), cwd=tmp_path)
    assert "does not start with the base's layers" in r.err
    f = by_path(scan(images.ref("bk"), "--base", images.ref("base"), cwd=tmp_path))
    assert f["/etc/base.conf"]["base"] and f["/root/.npmrc"]["base"]
    assert not f["/app/deploy.sh"]["base"]
    # --base wins over the history: an unrelated base makes nothing base
    rep = scan(images.ref("bk"), "--base", images.ref("other"), "--skip-base", cwd=tmp_path)
    assert len(rep["findings"]) == 4
    r = H.hull("image", "--base", "/nonexistent/base.tar", images.ref("bk"), cwd=tmp_path)
    assert r.rc == 2 and "/nonexistent/base.tar" in r.err


def test_annotations(images, tmp_path):
    # without annotations and without a CMD boundary the history does not say
    rep = scan(images.ref("plain"), cwd=tmp_path)
    assert rep["findings"] and all("base" not in x for x in rep["findings"])
    f = by_path(scan(images.ref("annot"), cwd=tmp_path))
    assert f["/etc/base.conf"]["base"] is True
    assert f["/app/deploy.sh"]["base"] is False
    rep = scan(images.ref("annot"), "--skip-base", cwd=tmp_path)
    assert set(by_path(rep)) == {"/app/deploy.sh"}


@pytest.mark.parametrize("tag", ["app", "bk"])
def test_dockerfile_mapping(images, tmp_path, tag):
    df = tmp_path / "Dockerfile"
    df.write_text(DOCKERFILE)
    f = by_path(scan(images.ref(tag), "--dockerfile", df, cwd=tmp_path))
    assert f["/app/deploy.sh"]["dockerfile_line"] == COPY_LINE
    assert f["/app/conf"]["dockerfile_line"] == RUN_LINE
    assert f["/app/deploy.sh"]["dockerfile"] == str(df)
    # base layers were not made by this Dockerfile
    assert "dockerfile_line" not in f["/etc/base.conf"]
    assert "dockerfile_line" not in f["/root/.npmrc"]


MULTI_DOCKERFILE = """FROM debian:12 AS deps
RUN apt-get update && apt-get install -y jq
COPY conf /etc/app/

FROM golang:1.22 AS build
RUN go build -o /out/app .

FROM deps AS app
COPY deploy.sh /app/
CMD ["/app/run"]
"""


def test_dockerfile_multistage_chain(images, tmp_path):
    """FROM deps (a named stage) holds deps' layers too: they map to deps' lines, the
    unrelated build stage maps nothing, the external base none."""
    lay = images
    lay.copy_tag("base", "multi")
    lay.layer("multi", "multi", {"/opt/deps/env": "STRIPE=%s\n" % STRIPE},
              "RUN /bin/sh -c apt-get update && apt-get install -y jq # buildkit", BK)
    lay.layer("multi", "multi", {"/etc/app/conf": "aws_access_key_id = %s\n" % AWS},
              "COPY conf /etc/app/ # buildkit", BK)
    lay.layer("multi", "multi", {"/app/deploy.sh": "token %s\n" % GH},
              "COPY deploy.sh /app/ # buildkit", BK)
    lay.config("multi", 'CMD ["/app/run"]', BK, cmd="/app/run")
    df = tmp_path / "Dockerfile"
    df.write_text(MULTI_DOCKERFILE)
    f = by_path(scan(lay.ref("multi"), "--dockerfile", df, cwd=tmp_path))
    assert f["/app/deploy.sh"]["dockerfile_line"] == 9
    assert f["/etc/app/conf"]["dockerfile_line"] == 3
    assert f["/opt/deps/env"]["dockerfile_line"] == 2
    assert f["/opt/deps/env"]["base"] is False
    assert "dockerfile_line" not in f["/etc/base.conf"]
    assert "dockerfile_line" not in f["/root/.npmrc"]
    # a final stage FROM an external image: only its own instructions map
    df.write_text(MULTI_DOCKERFILE.replace("FROM deps AS app", "FROM deps:1 AS app"))
    f = by_path(scan(lay.ref("multi"), "--dockerfile", df, cwd=tmp_path))
    assert f["/app/deploy.sh"]["dockerfile_line"] == 9
    assert "dockerfile_line" not in f["/etc/app/conf"]
    assert "dockerfile_line" not in f["/opt/deps/env"]
    # a chain of two named stages, names compared case-insensitively
    df.write_text(MULTI_DOCKERFILE.replace("COPY conf /etc/app/\n",
                                           "FROM deps AS Conf\nCOPY conf /etc/app/\n")
                  .replace("FROM deps AS app", "FROM conf AS app"))
    f = by_path(scan(lay.ref("multi"), "--dockerfile", df, cwd=tmp_path))
    assert [f[p]["dockerfile_line"] for p in ("/opt/deps/env", "/etc/app/conf",
                                              "/app/deploy.sh")] == [2, 4, 10]


def test_dockerfile_mismatch_and_errors(images, tmp_path):
    df = tmp_path / "Dockerfile"
    df.write_text("FROM scratch\nCOPY other /elsewhere\nUSER 1000\n")
    rep = scan(images.ref("bk"), "--dockerfile", df, cwd=tmp_path)
    assert all("dockerfile_line" not in x for x in rep["findings"])
    r = H.hull("image", "--scanners", "secret", "--dockerfile", tmp_path / "missing",
               images.ref("bk"), cwd=tmp_path)
    assert r.rc == 2 and "missing" in r.err
    bad = tmp_path / "bin"
    bad.write_bytes(b"FROM x\x00\n")
    r = H.hull("image", "--scanners", "secret", "--dockerfile", bad, images.ref("bk"),
               cwd=tmp_path)
    H.assert_input_error(r, str(bad))
    r = H.hull("fs", "--dockerfile", df, str(tmp_path), cwd=tmp_path)
    assert r.rc == 2


def test_sarif_points_at_dockerfile(images, tmp_path):
    df = tmp_path / "Dockerfile"
    df.write_text(DOCKERFILE)
    out = tmp_path / "r.sarif"
    r = H.hull("image", "--scanners", "secret", "-f", "sarif", "--dockerfile", "Dockerfile",
               "-o", out, images.ref("bk"), cwd=tmp_path)
    assert r.rc == 0, r.describe()
    doc = json.loads(out.read_text())
    with open(os.path.join(SCHEMAS, "sarif-schema-2.1.0.json")) as f:
        jsonschema.Draft4Validator(json.load(f)).validate(doc)
    lines = set()
    for res in doc["runs"][0]["results"]:
        for loc in res["locations"]:
            pl = loc["physicalLocation"]
            if pl["artifactLocation"]["uri"] == "Dockerfile":
                lines.add(pl["region"]["startLine"])
    assert lines == {COPY_LINE, RUN_LINE}


# ---------------------------------------------------------------- exit codes


@pytest.mark.parametrize("severity", [None, "CRITICAL", "LOW"])
@pytest.mark.parametrize("exit_code", [None, "0", "1", "7"])
@pytest.mark.parametrize("ignore", [False, True])
def test_exit_code_matrix(images, tmp_path, severity, exit_code, ignore):
    args = ["--scanners", "secret", "-f", "json"]
    if severity:
        args += ["--severity", severity]
    if exit_code:
        args += ["--exit-code", exit_code]
    if ignore:
        (tmp_path / ".hullignore").write_text(
            "# everything the image has\naws-access-key-id\nnpm-access-token\n"
            "github-pat\nstripe-secret-key\n")
    r = H.hull("image", *args, images.ref("app"), cwd=tmp_path)
    rep = H.strict_json(r.out)
    # the four planted secrets are all CRITICAL
    remain = 0 if ignore or severity == "LOW" else 4
    assert len(rep["findings"]) == remain, r.describe()
    want = int(exit_code) if exit_code and remain else 0
    assert r.rc == want, r.describe()


def test_bad_policy_flags(images, tmp_path):
    for args in (["--exit-code", "300"], ["--exit-code", "x"], ["--severity", "SEVERE"],
                 ["--ignorefile", tmp_path / "none"]):
        r = H.hull("image", *args, images.ref("app"), cwd=tmp_path)
        assert r.rc == 2 and r.err.startswith("hull: error:"), r.describe()


# ---------------------------------------------------------------- ignore files


def ids(rep):
    return sorted(f["id"] for f in rep["findings"])


ALL = ["aws-access-key-id", "github-pat", "npm-access-token", "stripe-secret-key"]


def test_plain_ignore_with_expiry(images, tmp_path):
    ig = tmp_path / "ign"
    ig.write_text("aws-access-key-id   exp:2999-12-31  # applies until then\n"
                  "github-pat exp:2001-01-01\n"
                  "\n# a comment line\n  npm-access-token\n")
    r = H.hull("image", "--scanners", "secret", "-f", "json", "--ignorefile", ig,
               images.ref("app"), cwd=tmp_path)
    assert r.rc == 0, r.describe()
    assert ids(H.strict_json(r.out)) == ["github-pat", "stripe-secret-key"]
    warn = [l for l in r.err_lines if "expired" in l]
    assert len(warn) == 1 and "github-pat" in warn[0] and "%s:2" % ig in warn[0]
    assert warn[0].startswith("hull: warning:")
    bad = tmp_path / "bad"
    bad.write_text("github-pat exp:2024-13-01\n")
    r = H.hull("image", "--ignorefile", bad, images.ref("app"), cwd=tmp_path)
    H.assert_input_error(r, str(bad))
    assert ":1:" in r.err


def test_yaml_ignore(images, tmp_path):
    ig = tmp_path / ".hullignore"
    ig.write_text("""ignore:
  - id: github-pat
    paths: ["/app/*.sh"]
    statement: test token, see ticket 123
  - id: aws-access-key-id
    paths: ["etc/**"]
    expires: 2999-01-31
  - id: npm-access-token
    expires: 2000-01-01
    statement: |
      expired long ago
      second line
  - id: stripe-secret-key
    paths: ["/nowhere/**"]
""")
    r = H.hull("image", "--scanners", "secret", "-f", "json", images.ref("app"), cwd=tmp_path)
    assert r.rc == 0, r.describe()
    assert ids(H.strict_json(r.out)) == ["npm-access-token", "stripe-secret-key"]
    warn = [l for l in r.err_lines if "expired" in l]
    assert len(warn) == 1 and "npm-access-token" in warn[0] and "expired long ago" in warn[0]
    assert ".hullignore:8" in warn[0]
    # ids match aliases too; "**" spans directories; "*" stays in one segment
    ig.write_text("ignore:\n  - id: stripe-secret-key\n    paths: ['/*']\n"
                  "  - id: GITHUB-PAT\n    paths: ['**/deploy.sh']\n")
    rep = scan(images.ref("app"), cwd=tmp_path)
    assert ids(rep) == ["aws-access-key-id", "npm-access-token", "stripe-secret-key"]


EXPIRING = """ignore:
  - id: github-pat
    expires: 2026-03-01
    statement: rotated in ticket 77
  - id: aws-access-key-id
    expires: 2026-03-02
  - id: npm-access-token
    expires: 2025-01-01
"""


def test_expired_ignores_in_reports(images, tmp_path):
    """Expired entries are listed in the JSON report, the table and SARIF, not only on
    stderr; the date comes from $HULL_TODAY."""
    ig = tmp_path / ".hullignore"
    ig.write_text(EXPIRING)
    env = dict(os.environ, HULL_TODAY="2026-03-01")

    def run_(*args):
        p = subprocess.run([H.HULL, "image", "--scanners", "secret", *map(str, args),
                            images.ref("app")], capture_output=True, text=True, cwd=tmp_path,
                           env=env)
        assert p.returncode == 0, p.stderr
        return p

    rep = H.strict_json(run_("-f", "json").stdout)
    assert rep["expired_ignores"] == [
        {"id": "github-pat", "expires": "2026-03-01", "file": ".hullignore", "line": 2,
         "statement": "rotated in ticket 77"},
        {"id": "npm-access-token", "expires": "2025-01-01", "file": ".hullignore",
         "line": 7}]
    assert ids(rep) == ["github-pat", "npm-access-token", "stripe-secret-key"]
    # the day before, only the old one: then the list has one entry
    env["HULL_TODAY"] = "2026-02-28"
    rep = H.strict_json(run_("-f", "json").stdout)
    assert [e["id"] for e in rep["expired_ignores"]] == ["npm-access-token"]
    env["HULL_TODAY"] = "2026-03-01"
    # table: one line per entry after the summary, also with --quiet (stderr empty)
    p = run_("-q", "--no-color")
    assert p.stderr == ""
    lines = p.stdout.splitlines()
    i = next(k for k, l in enumerate(lines) if re.match(r"\d+ findings? \(", l))
    assert lines[i + 1:] == [
        "expired ignore: .hullignore:2: github-pat expired on 2026-03-01 and no longer "
        "applies (rotated in ticket 77)",
        "expired ignore: .hullignore:7: npm-access-token expired on 2025-01-01 and no "
        "longer applies"]
    # SARIF: tool configuration notifications, valid against the schema
    doc = json.loads(run_("-f", "sarif").stdout)
    with open(os.path.join(SCHEMAS, "sarif-schema-2.1.0.json")) as f:
        jsonschema.Draft4Validator(json.load(f)).validate(doc)
    inv = doc["runs"][0]["invocations"]
    assert len(inv) == 1 and inv[0]["executionSuccessful"] is True
    notes = inv[0]["toolConfigurationNotifications"]
    assert [(n["descriptor"]["id"], n["level"],
             n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             n["locations"][0]["physicalLocation"]["region"]["startLine"]) for n in notes] == [
        ("expired-ignore", "warning", ".hullignore", 2),
        ("expired-ignore", "warning", ".hullignore", 7)]
    assert "github-pat expired on 2026-03-01" in notes[0]["message"]["text"]
    # JUnit: a suite without test cases whose system-err has the table's lines
    described = [l[len("expired ignore: "):] for l in lines[i + 1:]]
    root = ET.fromstring(run_("-f", "junit").stdout)
    suite = [s for s in root.findall("testsuite") if s.get("name") == "Expired ignore entries"]
    assert len(suite) == 1 and suite[0].get("tests") == "0" and not suite[0].findall("testcase")
    assert suite[0].find("system-err").text.splitlines() == described
    assert int(root.get("tests")) == len(root.findall("./testsuite/testcase"))
    # HTML: a section listing them (and the embedded JSON report has them too)
    page = run_("-f", "html").stdout
    sec = re.search(r'<section id="expired">.*?</section>', page).group(0)
    assert re.findall(r"<li>(.*?)</li>", sec) == [html.escape(d) for d in described]
    # nothing expired: no list, no invocations
    ig.write_text("ignore:\n  - id: github-pat\n    expires: 2999-01-01\n")
    assert "expired_ignores" not in H.strict_json(run_("-f", "json").stdout)
    assert "invocations" not in json.loads(run_("-f", "sarif").stdout)["runs"][0]
    assert "expired ignore" not in run_().stdout
    assert "Expired ignore" not in run_("-f", "junit").stdout
    assert 'id="expired"' not in run_("-f", "html").stdout


def test_expired_ignores_in_k8s_report(tmp_path):
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "  - {name: c, image: nginx:1.25}\n")
    (tmp_path / ".hullignore").write_text("HULL-K8S-007 exp:2001-01-01\n")
    r = H.hull("k8s", "-f", "json", "pod.yaml", cwd=tmp_path)
    rep = H.strict_json(r.out)
    assert rep["expired_ignores"] == [{"id": "HULL-K8S-007", "expires": "2001-01-01",
                                       "file": ".hullignore", "line": 1}]
    assert "HULL-K8S-007" in ids(rep)


@pytest.mark.parametrize("text,line", [
    ("ignore:\n  - paths: [a]\n", 2),
    ("ignore:\n  - id: x\n    expires: soon\n", 3),
    ("ignore:\n  - id: x\n    colour: red\n", 3),
    ("ignore: {id: x}\n", 1),
    ("ignore:\n  - id: [x]\n", 2),
    ("vulnerabilities:\n  - id: x\n    purls: {a: b}\n", 3),
    ("ignore:\n  - id: x\n   bad indent: [\n", 0),
])
def test_yaml_ignore_errors(images, tmp_path, text, line):
    ig = tmp_path / "ign.yaml"
    ig.write_text(text)
    r = H.hull("image", "--ignorefile", ig, images.ref("app"), cwd=tmp_path)
    H.assert_input_error(r, str(ig))
    if line:
        assert "%s:%d:" % (ig, line) in r.err, r.describe()


def test_trivyignore_defaults(images, tmp_path):
    (tmp_path / ".trivyignore").write_text("# Trivy's form\ngithub-pat exp:2999-01-01\n"
                                           "stripe-secret-key exp:2020-01-01\n")
    (tmp_path / ".trivyignore.yaml").write_text("""vulnerabilities:
  - id: aws-access-key-id
misconfigurations:
secrets:
  - id: npm-access-token
    paths:
      - "root/.npmrc"
    expired_at: 2999-01-01
    statement: "Review in 6 months"
licenses:
""")
    r = H.hull("image", "--scanners", "secret", "-f", "json", images.ref("app"), cwd=tmp_path)
    assert r.rc == 0, r.describe()
    # the vulnerabilities section does not apply to secret findings
    assert ids(H.strict_json(r.out)) == ["aws-access-key-id", "stripe-secret-key"]
    assert len([l for l in r.err_lines if "expired" in l and "stripe" in l]) == 1
    # --ignorefile replaces the defaults
    empty = tmp_path / "empty"
    empty.write_text("")
    rep = scan(images.ref("app"), "--ignorefile", empty, cwd=tmp_path)
    assert ids(rep) == ALL


def test_k8s_shares_the_ignore_file(tmp_path):
    (tmp_path / "pod.yaml").write_text("""apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
    - name: web
      image: nginx:1.25
""")
    r = H.hull("k8s", "-f", "json", "pod.yaml", cwd=tmp_path)
    before = H.strict_json(r.out)["findings"]
    assert before
    one = before[0]
    alias = (one["aliases"] or [one["id"]])[0]
    (tmp_path / ".hullignore").write_text("ignore:\n  - id: %s\n    paths: ['*.yaml']\n"
                                          % alias)
    r = H.hull("k8s", "-f", "json", "--exit-code", "4", "pod.yaml", cwd=tmp_path)
    after = H.strict_json(r.out)["findings"]
    assert r.rc == 4
    assert not [f for f in after if f["id"] == one["id"]]
    assert len(after) == len(before) - len([f for f in before if f["id"] == one["id"]])
    # ignoring everything: exit 0 even with --exit-code
    (tmp_path / ".hullignore").write_text("".join(f["id"] + "\n" for f in before))
    r = H.hull("k8s", "--exit-code", "4", "pod.yaml", cwd=tmp_path)
    assert r.rc == 0, r.describe()


# ---------------------------------------------------------------- hull.yaml


def test_config_in_cwd_and_override(images, tmp_path):
    (tmp_path / "hull.yaml").write_text("""severity: [HIGH, CRITICAL]
exit-code: 3
max-file-size: 1MiB   # a k8s flag: image ignores it
image:
  skip-check: [github-pat, npm-access-token]
k8s:
  severity: LOW
""")
    r = H.hull("image", "--scanners", "secret", "-f", "json", images.ref("app"), cwd=tmp_path)
    assert r.rc == 3, r.describe()
    assert ids(H.strict_json(r.out)) == ["aws-access-key-id", "stripe-secret-key"]
    # flags on the command line win
    r = H.hull("image", "--scanners", "secret", "--exit-code", "0", "--severity", "LOW",
               "-f", "json", images.ref("app"), cwd=tmp_path)
    assert r.rc == 0 and H.strict_json(r.out)["findings"] == [], r.describe()
    (tmp_path / "hull.yaml").write_text("image:\n  no-such-flag: 1\n")
    r = H.hull("image", images.ref("app"), cwd=tmp_path)
    H.assert_input_error(r, "hull.yaml")
    assert "no-such-flag" in r.err
    (tmp_path / "hull.yaml").write_text("image:\n  skip-base: maybe\n")
    r = H.hull("image", images.ref("app"), cwd=tmp_path)
    H.assert_input_error(r, "hull.yaml")


def test_config_xdg(images, tmp_path):
    xdg = tmp_path / "xdg"
    (xdg / "hull").mkdir(parents=True)
    (xdg / "hull" / "hull.yaml").write_text("image:\n  skip-base: true\n  exit-code: 5\n")
    work = tmp_path / "w"
    work.mkdir()
    env = dict(os.environ, XDG_CONFIG_HOME=str(xdg))
    env.pop("HULL_CONFIG", None)
    p = subprocess.run([H.HULL, "image", "--scanners", "secret", "-f", "json",
                        images.ref("app")], cwd=work, env=env, capture_output=True, text=True)
    assert p.returncode == 5, p.stderr
    assert {f["path"] for f in json.loads(p.stdout)["findings"]} == {"/app/deploy.sh",
                                                                   "/app/conf"}
    # a hull.yaml in the current directory is used instead of the XDG one
    (work / "hull.yaml").write_text("exit-code: 6\n")
    p = subprocess.run([H.HULL, "image", "--scanners", "secret", "-f", "json",
                        images.ref("app")], cwd=work, env=env, capture_output=True, text=True)
    assert p.returncode == 6, p.stderr
    assert len(json.loads(p.stdout)["findings"]) == 4
    # HULL_CONFIG= turns the config off
    env["HULL_CONFIG"] = ""
    p = subprocess.run([H.HULL, "image", "--scanners", "secret", images.ref("app")],
                       cwd=work, env=env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr


def test_config_for_k8s(tmp_path):
    (tmp_path / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
                                       "spec:\n  containers:\n    - {name: c, image: x}\n")
    r = H.hull("k8s", "pod.yaml", cwd=tmp_path)
    assert r.rc == 0
    (tmp_path / "hull.yaml").write_text("exit-code: 9\nk8s:\n  format: json\n")
    r = H.hull("k8s", "pod.yaml", cwd=tmp_path)
    assert r.rc == 9 and H.strict_json(r.out)["schema"] == "hull.report/v1"
    r = H.hull("k8s", "--format", "table", "--exit-code", "0", "pod.yaml", cwd=tmp_path)
    assert r.rc == 0 and "finding" in r.out
    (tmp_path / "hull.yaml").write_text("- not a map\n")
    r = H.hull("k8s", "pod.yaml", cwd=tmp_path)
    H.assert_input_error(r, "hull.yaml")


# ---------------------------------------------------------------- vulnerabilities


DPKG = """Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.0-1
Description: ssl

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib
Version: 1:1.2.13.dfsg-1
Description: z
"""


def osv(id_, pkg, fixed=None, aliases=()):
    ev = [{"introduced": "0"}] + ([{"fixed": fixed}] if fixed else [])
    return {"schema_version": "1.6.0", "id": id_, "aliases": list(aliases),
            "modified": "2024-01-01T00:00:00Z", "summary": id_,
            "affected": [{"package": {"ecosystem": "Debian:12", "name": pkg},
                          "ranges": [{"type": "ECOSYSTEM", "events": ev}]}]}


@pytest.fixture(scope="module")
def vulnfs(tmp_path_factory):
    """A Debian 12 root with two packages and a DB with a fixed and an unfixed openssl
    advisory and a fixed zlib one."""
    d = tmp_path_factory.mktemp("vulnfs")
    root = d / "root"
    (root / "etc").mkdir(parents=True)
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "etc/os-release").write_text('ID=debian\nVERSION_ID="12"\n')
    (root / "var/lib/dpkg/status").write_text(DPKG)
    src = d / "osv"
    src.mkdir()
    for i, rec in enumerate([osv("CVE-2099-0001", "openssl", "3.0.11-1",
                                 ["GHSA-aaaa-bbbb-cccc"]),
                             osv("CVE-2099-0002", "openssl"),
                             osv("CVE-2099-0003", "zlib", "1:1.3-1")]):
        (src / ("%d.json" % i)).write_text(json.dumps(rec))
    db = d / "db.sqlite"
    r = H.hull("db", "import", "--db", db, src)
    assert r.rc == 0, r.describe()
    return str(root), str(db)


def vulns(vulnfs, tmp_path, *args, rc=0):
    root, db = vulnfs
    r = H.hull("fs", "--scanners", "vuln", "--db", db, "-f", "json", *args, root, cwd=tmp_path)
    assert r.rc == rc, r.describe()
    return ids(H.strict_json(r.out))


def test_vuln_ignore_unfixed_and_purls(vulnfs, tmp_path):
    every = ["CVE-2099-0001", "CVE-2099-0002", "CVE-2099-0003"]
    assert vulns(vulnfs, tmp_path) == every
    assert vulns(vulnfs, tmp_path, "--ignore-unfixed") == ["CVE-2099-0001", "CVE-2099-0003"]
    ig = tmp_path / "ign.yaml"
    for pats, left in [
        (["pkg:deb/debian/libssl*"], ["CVE-2099-0002", "CVE-2099-0003"]),
        (["pkg:deb/debian/libssl3"], ["CVE-2099-0002", "CVE-2099-0003"]),   # any version
        (["pkg:deb/debian/libssl3@3.0.0-1"], ["CVE-2099-0002", "CVE-2099-0003"]),
        (["pkg:deb/debian/libssl3@3.0.1*"], every),
        (["pkg:deb/debian/libssl"], every),                                  # not a prefix
        (["pkg:npm/libssl3*"], every),
        (["pkg:deb/debian/zlib1g*"], every),   # the id is CVE-2099-0001: zlib has no such
    ]:
        ig.write_text("ignore:\n  - id: CVE-2099-0001\n    packages: %s\n" % json.dumps(pats))
        assert vulns(vulnfs, tmp_path, "--ignorefile", ig) == left, pats
    # an alias names the advisory too; paths match the package's file
    ig.write_text("ignore:\n  - id: GHSA-aaaa-bbbb-cccc\n    paths: ['/var/lib/dpkg/*']\n")
    assert vulns(vulnfs, tmp_path, "--ignorefile", ig) == ["CVE-2099-0002", "CVE-2099-0003"]
    # Trivy's YAML form: purls, and the section limits the kind
    ig.write_text("vulnerabilities:\n  - id: CVE-2099-0003\n    purls:\n"
                  "      - pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&upstream=zlib"
                  "&distro=debian-12\nsecrets:\n  - id: CVE-2099-0002\n")
    assert vulns(vulnfs, tmp_path, "--ignorefile", ig) == ["CVE-2099-0001", "CVE-2099-0002"]
    # exit code: findings left -> N; all ignored -> 0
    assert vulns(vulnfs, tmp_path, "--exit-code", "4", "--ignore-unfixed", rc=4)
    ig.write_text("CVE-2099-0001\nCVE-2099-0003\n")
    assert vulns(vulnfs, tmp_path, "--exit-code", "4", "--ignore-unfixed", "--ignorefile",
                 ig) == []
