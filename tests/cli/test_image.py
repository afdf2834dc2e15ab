"""hull image: secrets planted in real layers (umoci), in the config and the history;
hardening checks; clean Debian images give no secret findings; policy and formats."""
import json
import os
import subprocess

import jsonschema
import pytest

import hullfix as H
import imagebuild

SCHEMAS = os.path.join(H.REPO, "..", "shared", "schemas")

# Fake but well-formed secrets (built from pieces so no scanner flags this file).
AWS = "AKIA" + "Q2WERTYUIOPA3SDF"
GH = "ghp_" + "aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xYzaB3"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"
NPM = "npm_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa"


def run(cmd, **kw):
    subprocess.run(cmd, check=True, capture_output=True, **kw)


@pytest.fixture(scope="session")
def planted(tmp_path_factory):
    """A three-layer image made with umoci: secrets in files, one removed later, one in
    the config Env, one as a build argument in the history; plus hardening problems."""
    d = tmp_path_factory.mktemp("planted")
    L, B = str(d / "L"), str(d / "B")
    run(["umoci", "init", "--layout", L])
    run(["umoci", "new", "--image", L + ":t"])
    run(["umoci", "unpack", "--image", L + ":t", B])
    root = os.path.join(B, "rootfs")

    def write(path, data, mode=0o644):
        p = os.path.join(root, path.lstrip("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(data)
        os.chmod(p, mode)

    write("/app/config/credentials", "[default]\nregion = eu-west-1\naws_access_key_id = %s\n" % AWS)
    write("/app/deploy.sh", "#!/bin/sh\n# deploy\ncurl -H 'Authorization: token %s' x\n" % GH, 0o755)
    write("/root/.npmrc", "//registry.npmjs.org/:_authToken=%s\n" % NPM)
    write("/app/example.env", "API_KEY=${API_KEY}\nPASSWORD=changeme-please\n")
    write("/root/.aws/credentials", "[default]\n")
    write("/app/.git/HEAD", "ref: refs/heads/main\n")
    write("/app/tmp/shared.txt", "x", 0o666)
    write("/etc/shadow", "root:*:19000:0:99999:7:::\nalice:$6$salt$abcdefghijklmnop:19000:0:99999:7:::\n", 0o640)
    write("/usr/bin/tool", "binary", 0o4755)
    write("/bin/sh", "#!", 0o755)
    run(["umoci", "repack", "--refresh-bundle", "--image", L + ":t", "--history.created_by",
         "COPY . /app", B])
    os.unlink(os.path.join(root, "app/deploy.sh"))
    run(["umoci", "repack", "--refresh-bundle", "--image", L + ":t", "--history.created_by",
         "RUN rm /app/deploy.sh", B])
    write("/app/data.txt", "nothing here\n")
    run(["umoci", "repack", "--refresh-bundle", "--image", L + ":t", "--history.created_by",
         "RUN --build-arg GITHUB_TOKEN=%s make" % GH, B])
    run(["umoci", "config", "--image", L + ":t", "--config.env", "STRIPE_KEY=" + STRIPE,
         "--config.entrypoint", "/app/run"])
    return "oci:%s:t" % L


def scan(source, *args):
    r = H.hull("image", "-f", "json", *args, source)
    assert r.rc == 0, r.describe()
    return r.json()


def layer_digests(source):
    return [l["digest"] for l in H.hull("inspect", "-f", "json", source).json()["layers"]]


def test_planted_secrets(planted):
    rep = scan(planted, "--scanners", "secret")
    assert rep["schema"] == "hull.report/v1"
    assert rep["artifact"]["type"] == "container_image"
    layers = layer_digests(planted)
    got = {(f["id"], f["path"], f["line"], f.get("layer")) for f in rep["findings"]}
    want = {
        ("aws-access-key-id", "/app/config/credentials", 3, layers[0]),
        ("github-pat", "/app/deploy.sh", 3, layers[0]),   # removed by layer 1: still shipped
        ("npm-access-token", "/root/.npmrc", 1, layers[0]),
        ("stripe-secret-key", "config.Env[0]", None, None),
        ("github-pat", "history[2].created_by", None, None),
    }
    assert got == want, json.dumps(rep["findings"], indent=1)
    for f in rep["findings"]:
        assert f["kind"] == "secret"
        assert AWS not in f["message"] and GH not in f["message"] and STRIPE not in f["message"]
    aws = [f for f in rep["findings"] if f["id"] == "aws-access-key-id"][0]
    assert "AKIA********" in aws["message"] and aws["severity"] == "CRITICAL"
    hidden = [f for f in rep["findings"] if f["path"] == "/app/deploy.sh"][0]
    assert "still ships" in hidden["message"]
    assert rep["summary"]["CRITICAL"] == 5


def test_hardening_checks(planted):
    rep = scan(planted, "--scanners", "misconfig")
    ids = {}
    for f in rep["findings"]:
        assert f["kind"] == "misconfig"
        ids.setdefault(f["id"], set()).add(f["path"])
    assert ids["HULL-IMG-001"] == {"config"}          # no USER
    assert "/usr/bin/tool" in ids["HULL-IMG-007"]      # setuid
    assert "/app/tmp/shared.txt" in ids["HULL-IMG-008"]
    assert "/app/.git" in ids["HULL-IMG-009"]
    assert "/root/.aws/credentials" in ids["HULL-IMG-012"]
    assert ids["HULL-IMG-013"] == {"/etc/shadow"}      # alice has a hash, root has '*'
    assert "/bin/sh" in ids["HULL-IMG-003"]
    assert "HULL-IMG-014" in ids                       # no HEALTHCHECK
    one = [f for f in rep["findings"] if f["id"] == "HULL-IMG-001"][0]
    assert "CIS-DI-0001" in one["aliases"] and one["severity"] == "HIGH"


def test_policy_and_exit_code(planted):
    r = H.hull("image", "--severity", "CRITICAL", "--exit-code", "3", "-f", "json", planted)
    assert r.rc == 3, r.describe()
    assert {f["severity"] for f in H.strict_json(r.out)["findings"]} == {"CRITICAL"}
    r = H.hull("image", "--severity", "CRITICAL", "--exit-code", "3", "--skip-check",
               "aws-access-key-id", "--skip-check", "github-pat", "--skip-check",
               "npm-access-token", "--skip-check", "stripe-secret-key", planted)
    assert r.rc == 0, r.describe()
    assert "0 findings" in r.out
    # vuln asked for without a DB is an error (tests/cli/test_vuln.py has the rest).
    r = H.hull("image", "--scanners", "vuln", planted)
    assert r.rc == 2 and "hull db update" in r.err
    r = H.hull("image", "--severity", "SEVERE", planted)
    assert r.rc == 2
    r = H.hull("image", "/nonexistent.tar")
    assert r.rc == 2 and "/nonexistent.tar" in r.err


def test_sarif_validates(planted, tmp_path):
    out = tmp_path / "r.sarif"
    r = H.hull("image", "-f", "sarif", "-o", out, planted)
    assert r.rc == 0, r.describe()
    doc = json.loads(out.read_text())
    with open(os.path.join(SCHEMAS, "sarif-schema-2.1.0.json")) as f:
        jsonschema.Draft4Validator(json.load(f)).validate(doc)
    results = doc["runs"][0]["results"]
    assert any(x["ruleId"] == "aws-access-key-id" for x in results)
    uris = [loc["physicalLocation"]["artifactLocation"]["uri"]
            for x in results for loc in x["locations"]]
    assert "app/config/credentials" in uris
    assert not [u for u in uris if u.startswith("/")]


def test_image_cyclonedx(planted):
    r = H.hull("image", "-f", "cyclonedx", planted)
    assert r.rc == 0, r.describe()
    assert json.loads(r.out)["bomFormat"] == "CycloneDX"


def single_layer_oci(tar_path, layout):
    """An OCI layout with one layer: the rootfs tarball as is."""
    import gzip
    import hashlib
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)

    def put(data):
        dg = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, dg), "wb") as f:
            f.write(data)
        return "sha256:" + dg, len(data)

    with open(tar_path, "rb") as f:
        raw = f.read()
    gz = gzip.compress(raw, compresslevel=1, mtime=0)
    ldg, lsz = put(gz)
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"User": "65532"},
                      "rootfs": {"type": "layers",
                                 "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]}}).encode()
    cdg, csz = put(cfg)
    man = json.dumps({"schemaVersion": 2, "mediaType": H.OCI_MANIFEST,
                      "config": {"mediaType": H.OCI_CONFIG, "digest": cdg, "size": csz},
                      "layers": [{"mediaType": H.LAYER_MEDIA["gzip"], "digest": ldg,
                                  "size": lsz}]}).encode()
    mdg, msz = put(man)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [
            {"mediaType": H.OCI_MANIFEST, "digest": mdg, "size": msz}]}, f)
    return "oci:" + layout


def test_clean_debian_has_no_secrets(tmp_path):
    os.makedirs(H.TESTDATA, exist_ok=True)
    deb = imagebuild.ensure_debian_tar(H.TESTDATA)
    rep = scan(single_layer_oci(deb, str(tmp_path / "deb")), "--scanners", "secret")
    assert rep["findings"] == [], json.dumps(rep["findings"], indent=1)


def test_debian_with_languages_has_no_secrets(tmp_path):
    os.makedirs(H.TESTDATA, exist_ok=True)
    rep = scan(single_layer_oci(H.ensure_langs_tar(), str(tmp_path / "langs")),
               "--scanners", "secret")
    assert rep["findings"] == [], json.dumps(rep["findings"], indent=1)


def test_fs_scans_a_directory(tmp_path):
    """hull fs DIR: the image scanners over a plain directory (a project checkout)."""
    app = tmp_path / "proj" / "app"
    app.mkdir(parents=True)
    (app / "settings.py").write_text("DEBUG = False\nKEY_ID = '%s'\n" % AWS)
    (app / "README").write_text("nothing here\n")
    r = H.hull("fs", "-f", "json", str(tmp_path / "proj"))
    assert r.rc == 0, r.describe()
    rep = r.json()
    assert rep["artifact"]["type"] == "filesystem"
    got = {(f["id"], f["path"], f["line"]) for f in rep["findings"] if f["kind"] == "secret"}
    assert got == {("aws-access-key-id", "/app/settings.py", 2)}
    assert all("layer" not in f for f in rep["findings"])
    # the rootfs: prefix is accepted too, and the policy flags work the same way
    r = H.hull("fs", "--exit-code", "3", "--severity", "CRITICAL", "rootfs:%s" % (tmp_path / "proj"))
    assert r.rc == 3, r.describe()
    r = H.hull("fs", "--severity", "LOW", "--exit-code", "3", "--scanners", "secret",
               str(tmp_path / "proj"))
    assert r.rc == 0, r.describe()
    r = H.hull("fs", str(tmp_path / "missing"))
    assert r.rc == 2 and "missing" in r.err
    r = H.hull("fs")
    assert r.rc == 2 and "expected one DIR" in r.err


SECRET_CONFIG = """\
rules:
  - id: acme-token
    category: ACME
    title: ACME internal token
    severity: high
    regex: (?P<secret>ACME-[0-9a-f]{16})
    keywords: [acme_token]
  - id: only-in-conf
    title: token in a conf file
    regex: 'tok=(?P<val>[a-z0-9]{12})'
    secret-group-name: val
    path: \\.conf$
allow-rules:
  - id: zeros
    regex: ^ACME-0+$
  - id: vendored
    path: ^/app/vendor/
disable-rules: [npm-access-token]
"""


def test_secrets_on_neighbouring_lines(tmp_path):
    """Two secrets of one rule a few bytes apart on consecutive lines are two findings
    (vectorscan's candidates of one rule are merged only within a line)."""
    d = tmp_path / "d"
    d.mkdir()
    gh2 = GH[:-4] + "Zz9Y"
    (d / "app.env").write_text("A=%s\nB=%s\n\nC=%s %s\n" % (GH, gh2, GH, gh2))
    r = H.hull("fs", "-f", "json", "--scanners", "secret", str(d))
    assert r.rc == 0, r.describe()
    got = sorted((f["id"], f["line"]) for f in r.json()["findings"])
    assert got == [("github-pat", 1), ("github-pat", 2), ("github-pat", 4),
                   ("github-pat", 4)], got


def test_secret_config(tmp_path):
    """--secret-config (Trivy's trivy-secret.yaml keys): custom rules with keywords, path
    and group name, allow rules by secret and by path, disabled built-ins."""
    app = tmp_path / "d" / "app"
    (app / "vendor").mkdir(parents=True)
    (app / "a.txt").write_text("x\nacme_token = ACME-0123456789abcdef\nACME-0000000000000000\n"
                               "no keyword here: ACME-fedcba9876543210\n".replace(
                                   "no keyword here", "nokw"))
    (app / "b.conf").write_text("tok=abcdef123456\n")
    (app / "b.txt").write_text("tok=abcdef123456\n")          # path rule: not a .conf
    (app / "vendor" / "c.txt").write_text("acme ACME-0123456789abcdef\n")
    (app / ".npmrc").write_text("//registry.npmjs.org/:_authToken=%s\n" % NPM)
    (app / "aws").write_text("id = %s\n" % AWS)
    cfg = tmp_path / "secret.yaml"
    cfg.write_text(SECRET_CONFIG)

    def ids(*extra):
        r = H.hull("fs", "-f", "json", "--scanners", "secret", *extra, str(tmp_path / "d"))
        assert r.rc == 0, r.describe()
        return {(f["id"], f["path"], f["line"], f["severity"]) for f in r.json()["findings"]}

    base = ids()
    assert ("npm-access-token", "/app/.npmrc", 1, "CRITICAL") in base or \
        any(i[0] == "npm-access-token" for i in base)
    got = ids("--secret-config", str(cfg))
    assert ("acme-token", "/app/a.txt", 2, "HIGH") in got
    assert ("only-in-conf", "/app/b.conf", 1, "HIGH") in got
    assert not any(i[1] == "/app/b.txt" for i in got)
    assert not any(i[1].startswith("/app/vendor/") for i in got)
    assert not any(i[0] == "npm-access-token" for i in got)      # disabled
    assert ("aws-access-key-id", "/app/aws", 1, "CRITICAL") in got  # built-ins stay
    # a line with the pattern but no keyword does not count; the allowed zeros neither
    assert [i for i in got if i[0] == "acme-token"] == [("acme-token", "/app/a.txt", 2, "HIGH")]
    # the masked secret only
    r = H.hull("fs", "-f", "json", "--secret-config", str(cfg), str(tmp_path / "d"))
    assert "0123456789abcdef" not in r.out
    # enable-builtin-rules keeps only the named built-ins
    only = tmp_path / "only.yaml"
    only.write_text("enable-builtin-rules: [aws-access-key-id]\n")
    assert {i[0] for i in ids("--secret-config", str(only))} == {"aws-access-key-id"}


@pytest.mark.parametrize("text,msg", [
    ("rules:\n  - id: x\n    regex: '(('\n", "secret.yaml:2: rule x: bad regex"),
    ("rules:\n  - id: x\n    colour: red\n    regex: a\n", "secret.yaml:3: unknown key \"colour\""),
    ("rules:\n  - id: aws-access-key-id\n    regex: a\n", "must not be a built-in"),
    ("rules:\n  - title: no id\n    regex: a\n", "needs an id"),
    ("rules:\n  - id: x\n    regex: a\n    severity: urgent\n", "unknown severity urgent"),
    ("disable-rules: [nope]\n", "unknown rule: nope"),
    ("enable-builtin-rules: [nope]\n", "unknown built-in rule nope"),
    ("rules: [\n", "secret.yaml"),
    ("- a\n- b\n", "expected a map"),
    ("allow-rules:\n  - id: empty\n", "needs a regex or a path"),
])
def test_secret_config_errors(tmp_path, text, msg):
    cfg = tmp_path / "secret.yaml"
    cfg.write_text(text)
    r = H.hull("fs", "--secret-config", str(cfg), str(tmp_path))
    assert r.rc == 2, r.describe()
    assert len(r.err_lines) == 1 and msg in r.err, r.err
