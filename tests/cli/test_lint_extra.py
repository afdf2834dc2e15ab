"""hull lint beyond hadolint's DL rules: ShellCheck on RUN (checked against shellcheck run
directly on the same script), hull's own HLxxxx rules (one Dockerfile that triggers each and
one that must not), --fix / --diff (applied with patch and git apply), and the lint: section
of hull.yaml."""
import json
import os
import shutil
import stat
import subprocess

import pytest

import hullfix as H

SHELLCHECK = shutil.which("shellcheck")
needs_sc = pytest.mark.skipif(not SHELLCHECK, reason="shellcheck is not installed")


def run(tmp_path, text, *args, name="Dockerfile", env=None):
    if text is not None:
        (tmp_path / name).write_text(text)
    e = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path))
    e.pop("NO_COLOR", None)
    e.pop("HULL_CONFIG", None)
    e.update(env or {})
    cmd = [H.HULL, "lint"] + [str(a) for a in args]
    if text is not None:
        cmd.append(name)
    return subprocess.run(cmd, capture_output=True, cwd=tmp_path, env=e, timeout=120)


def findings(tmp_path, text, *args, **kw):
    r = run(tmp_path, text, "-f", "json", *args, **kw)
    assert r.returncode in (0, 1), r.stderr.decode()
    return json.loads(r.stdout)


def hits(tmp_path, text, code, *args, **kw):
    return [(f["line"], f["level"]) for f in findings(tmp_path, text, *args, **kw)
            if f["code"] == code]


# ---- hull's rules ---------------------------------------------------------------------

AWS = "AKIA2E3MF7RJ6KQYTBZQ"
GHP = "ghp_" + "Zx8Qm2Lr7Tn4Vb1Kc9Wd3Fg6Hj0Ps5Ya2Ue8"

# (code, level, triggering Dockerfile, line, clean Dockerfile)
HL = [
    ("HL1001", "error", "FROM a:1\nENV DB_PASSWORD=hunter2\nUSER 1\n", 2,
     "FROM a:1\nENV DB_PASSWORD_FILE=/run/secrets/db PASSWORD=$FROM_RUNTIME\nUSER 1\n"),
    ("HL1001", "error", f"FROM a:1\nRUN aws configure set aws_access_key_id {AWS}\n", 2,
     "FROM a:1\nRUN aws configure set aws_access_key_id \"$AWS_KEY\"\n"),
    ("HL1001", "error", f"FROM a:1\nLABEL ci.token={GHP}\n", 2,
     "FROM a:1\nLABEL org.opencontainers.image.revision=0123abcd\n"),
    ("HL1001", "error", f"FROM a:1\nARG GITHUB_TOKEN={GHP}\n", 2, "FROM a:1\nARG VERSION=1.2\n"),
    ("HL1002", "warning", "FROM a:1\nARG NPM_TOKEN\n", 2,
     "FROM a:1\nARG GPG_KEY\nARG VERSION\nARG KEY_URL\n"),
    ("HL1003", "warning", "FROM a:1\nWORKDIR /app\nCOPY . .\n", 3,
     "FROM a:1 AS b\nCOPY . .\nFROM b\nCOPY app /app\n"),
    ("HL1004", "warning", "FROM a:1\nRUN true\n", 1, "FROM a:1\nUSER 10001\n"),
    ("HL1004", "warning", "FROM a:1\nUSER 0:0\n", 2,
     "FROM a:1 AS base\nUSER 10001\nFROM base\nRUN true\n"),
    ("HL1005", "info", "FROM a:1\nUSER app\n", 2, "FROM a:1\nUSER 10001:10001\n"),
    ("HL1006", "warning", "FROM a:1\nADD https://example.org/x.tgz /tmp/\n", 2,
     "FROM a:1\nADD --checksum=sha256:" + "a" * 64 + " https://example.org/x.tgz /tmp/\n"),
    ("HL1007", "warning", "FROM a:1\nRUN curl -fsSL https://x.sh/i | sh -s -- -y\n", 2,
     "FROM a:1\nRUN curl -fsSLo i.sh https://x.sh/i && sha256sum -c i.sum && sh i.sh\n"),
    ("HL1007", "warning", "FROM a:1\nRUN set -e; wget -qO- https://x/i | sudo bash -\n", 2,
     "FROM a:1\nRUN curl -fsSL https://x/a.tgz | tar xz\n"),
    ("HL1008", "info", "FROM a:1\nRUN apt-get update && apt-get install -y x\n", 2,
     "FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n"),
    ("HL1008", "info", "FROM a:1\nRUN npm ci && pip install -r r.txt\n", 2,
     "FROM a:1 AS build\nRUN npm ci && pip install -r r.txt\nFROM a:1\n"
     "RUN pip install --no-cache-dir x && npm ci && npm cache clean --force\n"),
    ("HL1008", "info", "FROM a:1\nRUN apk add curl\n", 2,
     "FROM a:1\nRUN apk add --no-cache curl\n"),
    ("HL1009", "info", "FROM debian:12\n", 1,
     "FROM debian:12@sha256:" + "b" * 64 + " AS x\nFROM x\nFROM scratch\n"),
    ("HL1010", "warning",
     "FROM golang:1 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app\n"
     "FROM scratch\nCOPY --from=build /src /app\n", 6,
     "FROM golang:1 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app\n"
     "FROM scratch\nCOPY --from=build /out/app /app\n"),
]


@pytest.mark.parametrize("code,level,bad,line,good", HL,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(HL)])
def test_hull_rule(tmp_path, code, level, bad, line, good):
    assert (line, level) in hits(tmp_path, bad, code, "--no-shellcheck")
    assert hits(tmp_path, good, code, "--no-shellcheck") == []


def test_secret_is_masked_everywhere(tmp_path):
    got = findings(tmp_path, f"FROM a:1\nENV GITHUB_TOKEN={GHP}\nRUN echo {AWS}\n")
    msgs = [f["message"] for f in findings(tmp_path, f"FROM a:1\nRUN echo {AWS}\n")
            if f["code"] == "HL1001"]
    assert msgs and "AKIA" in msgs[0] and AWS not in msgs[0]
    assert not [f for f in got if GHP in f["message"] or AWS in f["message"]]
    r = run(tmp_path, f"FROM a:1\nENV TOKEN={GHP}\n", "-f", "sarif")
    assert GHP.encode() not in r.stdout


def test_dockerignore(tmp_path):
    text = "FROM a:1\nWORKDIR /app\nCOPY . .\nUSER 1\n"
    (tmp_path / ".dockerignore").write_text("# context\n.git\n*.pem\n*.key\n")
    got = [f for f in findings(tmp_path, text) if f["code"] == "HL1003"]
    assert len(got) == 1 and ".env" in got[0]["message"] and ".git" not in got[0]["message"]
    (tmp_path / ".dockerignore").write_text(".git\n**/.env\n*.pem\n*.key\n")
    assert hits(tmp_path, text, "HL1003") == []
    (tmp_path / ".dockerignore").write_text("*\n!src\n")
    assert hits(tmp_path, text, "HL1003") == []
    (tmp_path / ".dockerignore").write_text("*\n!.env\n")
    assert hits(tmp_path, text, "HL1003") == [(3, "warning")]
    # BuildKit's Dockerfile-specific ignore file wins
    (tmp_path / "Dockerfile.dockerignore").write_text("*\n")
    assert hits(tmp_path, text, "HL1003") == []


def test_hull_rules_are_ignorable(tmp_path):
    text = "FROM debian:12\nUSER app\n"

    def hl(*args):  # "USER app" is hadolint's DL3066 too
        return [f for f in findings(tmp_path, *args) if f["code"] != "DL3066"]

    assert {f["code"] for f in findings(tmp_path, text)} == {"DL3066", "HL1005", "HL1009"}
    assert hl(text, "--ignore", "HL1009", "--ignore", "HL1005") == []
    assert hl("# hadolint ignore=HL1009\n" + text, "--ignore", "HL1005") == []
    assert hl("# hadolint global ignore=HL1005,HL1009\n" + text) == []
    assert findings(tmp_path, text, "--no-hull-rules", "--ignore", "DL3066") == []
    (tmp_path / ".hadolint.yaml").write_text("ignored: [HL1009, DL3066]\noverride:\n"
                                             "  error: [HL1005]\n")
    assert [(f["code"], f["level"]) for f in findings(tmp_path, text)] == [("HL1005", "error")]
    assert run(tmp_path, text, "-t", "error").returncode == 1
    # of two overrides the more severe wins, whatever their order or source (as hadolint)
    assert run(tmp_path, text, "--style", "HL1005", "-t", "warning").returncode == 1
    os.unlink(tmp_path / ".hadolint.yaml")
    assert run(tmp_path, text, "--style", "HL1005", "-t", "warning").returncode == 0


def test_hull_yaml_lint_section(tmp_path):
    text = "FROM debian\nUSER 1\n"
    (tmp_path / "hull.yaml").write_text("lint:\n  ignored: [DL3006, HL1009]\n")
    assert findings(tmp_path, text) == []
    # a .hadolint.yaml in the directory comes first, as hadolint would read it
    (tmp_path / ".hadolint.yaml").write_text("ignored: [HL1009]\n")
    assert [f["code"] for f in findings(tmp_path, text)] == ["DL3006"]
    os.unlink(tmp_path / ".hadolint.yaml")
    (tmp_path / "hull.yaml").write_text("lint:\n  no-hull-rules: true\n")
    assert [f["code"] for f in findings(tmp_path, text)] == ["DL3006"]
    r = run(tmp_path, text, env={"HULL_CONFIG": ""})
    assert b"HL1009" in r.stdout
    (tmp_path / "hull.yaml").write_text("lint:\n  ignored: [x\n")
    r = run(tmp_path, text)
    assert r.returncode == 2 and b"hull.yaml" in r.stderr


# ---- ShellCheck -----------------------------------------------------------------------

def shellcheck_json(script, tmp_path):
    p = tmp_path / "script.sh"
    p.write_text(script)
    r = subprocess.run([SHELLCHECK, "--format=json1", "--norc", "-S", "style",
                        "-e", "SC2187,SC1090,SC1091", str(p)], capture_output=True)
    return json.loads(r.stdout)["comments"]


MULTI = ("FROM debian:12\n"          # 1
         "ARG name\n"                # 2
         "RUN set -e; \\\n"          # 3
         "    echo \"$name\"; \\\n"  # 4
         "    # a comment inside the continuation\n"  # 5
         "    echo $undefined_var\n"  # 6
         "RUN ls *\n")               # 7


@needs_sc
def test_shellcheck_lines_match_shellcheck(tmp_path):
    got = [(f["code"], f["line"], f["level"]) for f in findings(tmp_path, MULTI)
           if f["code"].startswith("SC")]
    # the oracle: shellcheck on the script hull builds, with the ARG exported, by hand
    want = []
    script = ("#!/bin/sh\n" + "".join(f"export {v}=1\n" for v in
              ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
               "ftp_proxy", "NO_PROXY", "no_proxy", "name"]))
    head = script.count("\n")
    run1 = script + "set -e; \\\n    echo \"$name\"; \\\n\\\n    echo $undefined_var\n"
    for c in shellcheck_json(run1, tmp_path):
        want.append((f"SC{c['code']}", 3 + c["line"] - head - 1, c["level"]))
    for c in shellcheck_json(script + "ls *\n", tmp_path):
        want.append((f"SC{c['code']}", 7, c["level"]))
    assert sorted(got) == sorted(want)
    assert ("SC2086", 6, "info") in got and ("SC2154", 6, "warning") in got
    assert ("SC2035", 7, "info") in got
    assert not [g for g in got if g[1] == 4]  # ARG name is known to the script


@needs_sc
def test_shellcheck_pragmas_and_shell(tmp_path):
    text = MULTI.replace("RUN set -e", "# hadolint ignore=SC2086,SC2154\nRUN set -e")
    got = {(f["code"], f["line"]) for f in findings(tmp_path, text)}
    assert not [g for g in got if g[0] in ("SC2086", "SC2154")]
    assert ("SC2035", 8) in got
    text = "FROM a:1\nRUN [[ -f x ]] && echo y\n"
    assert [g for g in hits(tmp_path, text, "SC3010")] == [(2, "warning")]
    bash = "FROM a:1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN [[ -f x ]] && echo y\n"
    assert hits(tmp_path, bash, "SC3010") == []
    # an ignore covers the RUN right below it only, as in hadolint
    far = "FROM a:1\n# hadolint ignore=SC2086\n# note\nRUN echo $1\n"
    assert ("SC2086", 4) in {(f["code"], f["line"]) for f in findings(tmp_path, far)}
    near = "FROM a:1\n# note\n# hadolint ignore=SC2086\nRUN echo $1\n"
    assert "SC2086" not in {f["code"] for f in findings(tmp_path, near)}
    stage = "# hadolint stage ignore=SC2086\nFROM a:1\nRUN echo $1\nFROM b:1\nRUN echo $2\n"
    assert [(f["code"], f["line"]) for f in findings(tmp_path, stage)
            if f["code"] == "SC2086"] == [("SC2086", 5)]
    pwsh = "FROM a:1\n# hadolint shell=pwsh\nRUN Get-Item $x | echo\n"
    assert not [f for f in findings(tmp_path, pwsh) if f["code"].startswith("SC")]
    # a name and at most a "# comment" after it, as hadolint parses it; else it is void
    ok = pwsh.replace("pwsh\n", "pwsh  # Windows\n")
    assert not [f for f in findings(tmp_path, ok) if f["code"].startswith("SC")]
    void = pwsh.replace("pwsh\n", "pwsh please\n")
    assert [f for f in findings(tmp_path, void) if f["code"].startswith("SC")]
    here = "FROM a:1\nRUN <<EOF\nset -e\necho $undefined_var\nEOF\n"
    assert ("SC2154", "warning") in [(f["code"], f["level"]) for f in findings(tmp_path, here)
                                     if f["line"] == 4]
    assert "SC" not in json.dumps(findings(tmp_path, MULTI, "--no-shellcheck"))


PROXIES = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
           "NO_PROXY", "no_proxy"]

# RUN bodies (one Dockerfile line each, or joined by backslash-newlines) whose findings
# depend on the variables exported: hull exports them all on one line, hadolint on a line
# each; ShellCheck's spelling hints draw on every variable assigned, named or not.
VAR_RUNS = [
    "echo \"$version\" \"$VERSIO\" \"$TOKN\" $HTTP_PROXX",
    "echo $HTTP_PROXY $https_proxy $undefined_one",
    "curl -x ${HTTPS_PROXY:-none} ${#no_proxy} \"$VERSION\" $VERSION $TOKEN",
    "echo $http_\\\n_x $ftp_\\\nproxy \"${NO_\\\nPROXY}\"",
    "echo '$VERSION' \"$PATH\" $HOME ${!HTTP*}",
    "env | grep -q VERSION && for v in $VERSION; do echo $v; done",
    "ls *",
]


@needs_sc
@pytest.mark.parametrize("body", VAR_RUNS)
def test_shellcheck_same_findings_as_every_variable_exported(tmp_path, body):
    # the oracle: the script as hadolint builds it, each variable of the stage exported
    # on a line of its own, checked by shellcheck directly
    text = "FROM a:1\nARG VERSION=1\nENV TOKEN=x OTHER=y\nRUN " + body + "\n"
    got = sorted((f["code"], f["line"], f["level"], f["message"])
                 for f in findings(tmp_path, text) if f["code"].startswith("SC"))
    head = "#!/bin/sh\n" + "".join(f"export {v}=1\n" for v in PROXIES + ["VERSION", "TOKEN",
                                                                          "OTHER"])
    want = sorted((f"SC{c['code']}", 4 + c["line"] - head.count("\n") - 1, c["level"],
                   c["message"]) for c in shellcheck_json(head + body + "\n", tmp_path))
    assert got == want


@needs_sc
def test_shellcheck_heredoc_shebang_keeps_the_variables(tmp_path):
    # the body's own shebang comes first, then the exports: $VERSION and $http_proxy are
    # known (no SC2154, no SC2086 for them), $nope is not
    text = ("FROM a:1\nARG VERSION=1\nRUN <<EOF\n#!/bin/bash\necho $VERSION $nope\n"
            "[[ -n $http_proxy ]]\nEOF\n")
    got = [(f["code"], f["line"], f["column"]) for f in findings(tmp_path, text)
           if f["code"].startswith("SC")]
    assert got == [("SC2154", 5, 15), ("SC2086", 5, 15)]
    # the export is the script's first command: a directive at the top of the body covers
    # the command after it only, as in hadolint, not the whole script
    for top in ("", "#!/bin/sh\n"):
        text = ("FROM a:1\nRUN <<EOF\n" + top + "# shellcheck disable=SC2086\necho $a\n"
                "echo $b\nEOF\n")
        got = [(f["code"], f["line"]) for f in findings(tmp_path, text)
               if f["code"].startswith("SC")]
        n = 4 + top.count("\n")
        assert got == [("SC2154", n), ("SC2154", n + 1), ("SC2086", n + 1)], top


@needs_sc
def test_shellcheck_checks_a_repeated_script_once(tmp_path):
    # the same RUN under the same shell and variables, in two files and twice in one:
    # shellcheck sees it once, and each RUN gets the finding at its own line
    log = tmp_path / "scripts.log"
    wrap = tmp_path / "sc-wrap"
    wrap.write_text("#!/bin/sh\nfor a; do case $a in *.sh) cat \"$a\" >> %s;; esac; done\n"
                    "exec %s \"$@\"\n" % (log, SHELLCHECK))
    wrap.chmod(0o755)
    (tmp_path / "a.Dockerfile").write_text("FROM a:1\nRUN ls *\nRUN echo ok\n")
    (tmp_path / "b.Dockerfile").write_text("FROM b:2\nLABEL x=y\n\nRUN ls *\nRUN ls *\n"
                                           "ARG V\nRUN ls *\n")
    r = run(tmp_path, None, "-f", "json", "a.Dockerfile", "b.Dockerfile",
            env={"HULL_SHELLCHECK": str(wrap)})
    assert r.returncode == 1, r.stderr.decode()
    got = [(f["file"], f["line"]) for f in json.loads(r.stdout) if f["code"] == "SC2035"]
    assert got == [("a.Dockerfile", 2), ("b.Dockerfile", 4), ("b.Dockerfile", 5),
                   ("b.Dockerfile", 7)]
    checked = log.read_text()
    # "ls *" twice: without V, and after ARG V (V=1 joins the exports)
    assert checked.count("ls *\n") == 2 and checked.count("echo ok\n") == 1
    assert checked.count(" V=1\nls *\n") == 1 and checked.count("#!/bin/sh\n") == 3


def test_shellcheck_absent(tmp_path):
    r = run(tmp_path, MULTI, "-f", "json", env={"PATH": str(tmp_path / "nothing"),
                                                "HULL_SHELLCHECK": ""})
    assert r.returncode == 1
    assert b"shellcheck is not installed" in r.stderr and len(r.stderr.splitlines()) == 1
    assert not [f for f in json.loads(r.stdout) if f["code"].startswith("SC")]
    r = run(tmp_path, "FROM a:1\nUSER 1\n", "--no-hull-rules", env={"PATH": "/nonexistent"})
    assert r.returncode == 0 and r.stderr == b""  # no RUN: nothing to say


# ---- --fix and --diff -----------------------------------------------------------------

FIXME = """\
# syntax=docker/dockerfile:1
FROM debian:12 AS build
MAINTAINER Jane "JD" Doe <jane@example.com>
WORKDIR /src
# keep this comment
RUN apt-get update && \\
    apt-get install -y curl=7 \\
      make=4
RUN cd /src/sub && make all
add app.conf /etc/app.conf
ADD https://example.com/x.tgz /tmp/
ADD rootfs.tar.gz /
RUN apk add curl=8 && pip install --user flask==2 && python3 -m pip install x==1
COPY . .
CMD myapp --port 8080
ENTRYPOINT exec myapp "$@" | tee log
HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1

FROM build
RUN cd /opt && ./configure
"""

FIXED = """\
# syntax=docker/dockerfile:1
FROM debian:12 AS build
LABEL maintainer="Jane \\"JD\\" Doe <jane@example.com>"
WORKDIR /src
# keep this comment
RUN apt-get update && \\
    apt-get install --no-install-recommends -y curl=7 \\
      make=4 \\
      && rm -rf /var/lib/apt/lists/*
WORKDIR /src/sub
RUN make all
WORKDIR /src
copy app.conf /etc/app.conf
ADD https://example.com/x.tgz /tmp/
ADD rootfs.tar.gz /
RUN apk add --no-cache curl=8 && pip install --no-cache-dir --user flask==2 && python3 -m pip install --no-cache-dir x==1
COPY . .
CMD ["myapp", "--port", "8080"]
ENTRYPOINT ["/bin/sh", "-c", "exec myapp \\"$@\\" | tee log"]
HEALTHCHECK --interval=30s CMD ["/bin/sh", "-c", "curl -f http://localhost/ || exit 1"]

FROM build
WORKDIR /opt
RUN ./configure
"""

FIXED_CODES = {"DL3020", "DL3025", "DL3015", "DL3009", "DL3019", "DL3042", "DL3003", "DL4000"}


def test_fix_every_rule(tmp_path):
    before = {f["code"] for f in findings(tmp_path, FIXME)}
    assert FIXED_CODES <= before
    (tmp_path / "Dockerfile").chmod(0o640)
    r = run(tmp_path, None, "--fix", "--no-shellcheck", "-f", "json", "Dockerfile")
    assert r.returncode == 1, r.stderr
    assert (tmp_path / "Dockerfile").read_text() == FIXED
    assert stat.S_IMODE((tmp_path / "Dockerfile").stat().st_mode) == 0o640
    # what --fix prints is the lint of the fixed file: none of the fixed rules is left
    left = {f["code"] for f in json.loads(r.stdout)}
    assert not (left & FIXED_CODES), left
    assert not ({f["code"] for f in findings(tmp_path, None, "Dockerfile")} & FIXED_CODES)
    # idempotent
    r = run(tmp_path, None, "--fix", "--no-shellcheck", "-f", "json", "Dockerfile")
    assert r.returncode == 1 and {f["code"] for f in json.loads(r.stdout)} == left, r.stderr
    assert (tmp_path / "Dockerfile").read_text() == FIXED
    r = run(tmp_path, None, "--diff", "Dockerfile")
    assert r.returncode == 0 and r.stdout == b""


def test_fix_respects_ignores_and_symlinks(tmp_path):
    text = "FROM a:1\n# hadolint ignore=DL3020\nADD a /a\nADD b /b\nMAINTAINER me\n"
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "Dockerfile").write_text(text)
    os.symlink("real/Dockerfile", tmp_path / "Dockerfile")
    run(tmp_path, None, "--fix", "--ignore", "DL4000", "Dockerfile")
    assert (tmp_path / "Dockerfile").is_symlink()
    assert (tmp_path / "real" / "Dockerfile").read_text() == text.replace("ADD b", "COPY b")
    r = run(tmp_path, None, "--fix", "-")
    assert r.returncode == 2 and b"stdin" in r.stderr
    # a stage ignore keeps its stage as it is
    st = "# hadolint stage ignore=DL3020\nFROM a:1\nADD a /a\nFROM b:1\nADD b /b\n"
    (tmp_path / "st").write_text(st)
    r = run(tmp_path, None, "--fix", "st")
    assert (tmp_path / "st").read_text() == st.replace("ADD b", "COPY b"), r.stderr
    # a pragma above a comment covers nothing (hadolint's rule), so the ADD is fixed
    far = "FROM a:1\n# hadolint ignore=DL3020\n# conf\nADD a /a\n"
    (tmp_path / "far").write_text(far)
    r = run(tmp_path, None, "--fix", "far")
    assert r.returncode in (0, 1) and (tmp_path / "far").read_text() == far.replace("ADD", "COPY")


@pytest.mark.parametrize("tool", ["patch", "git"])
def test_diff_applies(tmp_path, tool):
    if not shutil.which(tool):
        pytest.skip(f"{tool} is not installed")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "Dockerfile").write_text(FIXME)
    (tmp_path / "sub" / "Other").write_text("FROM a:1\nUSER 1\nADD x /x")  # no final newline
    r = run(tmp_path, None, "--diff", "sub/Dockerfile", "sub/Other")
    assert r.returncode == 1 and r.stdout.startswith(b"--- sub/Dockerfile\n+++ sub/Dockerfile\n")
    assert (tmp_path / "sub" / "Dockerfile").read_text() == FIXME  # --diff changes nothing
    (tmp_path / "fix.patch").write_bytes(r.stdout)
    cmd = (["patch", "-p0", "-i", "fix.patch"] if tool == "patch"
           else ["git", "apply", "-p0", "fix.patch"])
    a = subprocess.run(cmd, cwd=tmp_path, capture_output=True)
    assert a.returncode == 0, a.stdout + a.stderr
    assert (tmp_path / "sub" / "Dockerfile").read_text() == FIXED
    assert (tmp_path / "sub" / "Other").read_text() == "FROM a:1\nUSER 1\nCOPY x /x"


def test_onbuild_heredoc_at_end_of_file(tmp_path):
    # an ONBUILD trigger's heredoc has no body: no rule may read one (it crashed)
    for text in ("FROM a:1\nONBUILD RUN <<EOF", "FROM a:1\nONBUILD RUN pip inst<<-x y\n",
                 "FROM a:1\nONBUILD RUN <<EOF\n"):
        r = run(tmp_path, text, "-f", "json")
        assert r.returncode in (0, 1), r.stderr
        json.loads(r.stdout)
        r = run(tmp_path, None, "--diff", "Dockerfile")
        assert r.returncode in (0, 1), r.stderr


def test_many_stages_and_pragmas_stay_linear(tmp_path):
    # 30,000 stages, pragmas and findings: every rule, the pragma filter, the sort and the
    # fixer must stay (near) linear; this took 45 s when they were quadratic
    lines = ["FROM a:1 AS s0"]
    for i in range(1, 30000):
        lines += [f"FROM s{i - 1} AS s{i}", "# hadolint ignore=DL3020", f"ADD a{i} /b",
                  "RUN cd /x && apt-get install y && pip install z"]
    text = "\n".join(lines) + "\nCOPY --from=s5 / /x\n"
    import time
    t0 = time.monotonic()
    got = findings(tmp_path, text, "--no-shellcheck")
    assert len(got) > 100000 and time.monotonic() - t0 < 30
    assert not [f for f in got if f["code"] == "DL3020"]
    t0 = time.monotonic()
    r = run(tmp_path, None, "--diff", "Dockerfile")
    assert r.returncode == 1 and time.monotonic() - t0 < 30


def test_many_args_and_users_stay_linear(tmp_path):
    # DL3066 looks up each USER's $NAMEs among the ARGs above it: 100,000 of each took
    # about 110 s when every USER went through every ARG
    lines = ["FROM a:1"] + [f"ARG A{i}" for i in range(100000)]
    lines += [f"USER $A{i % 9}x" if i % 2 else "USER app" for i in range(100000)]
    import time
    t0 = time.monotonic()
    got = findings(tmp_path, "\n".join(lines) + "\n", "--no-shellcheck", "--no-hull-rules")
    assert time.monotonic() - t0 < 30
    assert len([f for f in got if f["code"] == "DL3066"]) == 50000  # "USER app" only


def test_help_mentions_new_parts():
    r = H.hull("help", "lint")
    for word in ("--fix", "--diff", "--no-shellcheck", "--no-hull-rules", "HL1001", "hull.yaml"):
        assert word in r.out, word


def test_secret_pattern_cache(tmp_path):
    """The compiled secret patterns are kept in $XDG_CACHE_HOME/hull; a run that loads them
    finds what a run that compiled them found, a corrupt or unwritable cache only costs
    time, and HULL_SECRET_CACHE=0 writes nothing."""
    text = f"FROM debian:12\nENV KEY_ID={AWS}\nLABEL ci.token={GHP}\n"
    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache)}
    first = hits(tmp_path, text, "HL1001", env=env)
    assert len(first) == 2, first
    files = list((cache / "hull").glob("secret-*.hsdb"))
    assert len(files) == 1, files
    good = files[0].read_bytes()
    assert hits(tmp_path, text, "HL1001", env=env) == first
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF  # caught by vectorscan's checksum
    for bad in (b"", good[:len(good) // 2], b"\0" * 4096, bytes(flipped)):
        files[0].write_bytes(bad)
        assert hits(tmp_path, text, "HL1001", env=env) == first
        assert files[0].read_bytes() == good  # recompiled and replaced
    # an unwritable cache location: the cache root is a file
    (tmp_path / "notadir").write_text("x")
    assert hits(tmp_path, text, "HL1001", env={"XDG_CACHE_HOME": str(tmp_path / "notadir")}) \
        == first
    off = tmp_path / "off"
    assert hits(tmp_path, text, "HL1001",
                env={"XDG_CACHE_HOME": str(off), "HULL_SECRET_CACHE": "0"}) == first
    assert not list(off.glob("hull/secret-*"))


def test_secret_pattern_cache_is_pruned(tmp_path):
    """Each rule set leaves its own compiled file: a run that stores a new one removes the
    others unused for 30 days and the oldest beyond 16; a run that loads a file marks it
    used. Other files in the cache are left alone."""
    import time
    text = f"FROM debian:12\nENV KEY_ID={AWS}\n"
    root = tmp_path / "cache" / "hull"
    root.mkdir(parents=True)
    now = time.time()
    stale = [root / f"secret-{i:032x}.hsdb" for i in range(3)]
    recent = [root / f"secret-{0xabc0 + i:032x}.hsdb" for i in range(20)]
    other = root / "notes.txt"
    for k, f in enumerate(stale):
        f.write_bytes(b"x")
        os.utime(f, (now - (40 + k) * 86400,) * 2)
    for k, f in enumerate(recent):  # recent[0] is the newest
        f.write_bytes(b"x")
        os.utime(f, (now - (k + 1) * 3600,) * 2)
    other.write_text("x")
    os.utime(other, (now - 400 * 86400,) * 2)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    first = hits(tmp_path, text, "HL1001", env=env)
    assert len(first) == 1, first
    left = {f.name for f in root.iterdir()}
    assert other.name in left
    assert not any(f.name in left for f in stale)
    assert all(f.name in left for f in recent[:16]), left
    assert not any(f.name in left for f in recent[16:]), left
    new = left - {f.name for f in recent} - {other.name}
    assert len(new) == 1 and new.pop().startswith("secret-"), left
    # the stored file is loaded by the next run; an old mtime is refreshed then
    (db,) = [f for f in root.iterdir() if f not in recent and f != other]
    os.utime(db, (now - 5 * 86400,) * 2)
    assert hits(tmp_path, text, "HL1001", env=env) == first
    assert db.stat().st_mtime > now - 3600
    assert len(list(root.iterdir())) == 18  # a load prunes nothing


# ---- many files on several threads ----------------------------------------------------

def corpus(tmp_path, n):
    """n Dockerfiles that between them trigger DL, SC and HL rules, pragmas, a parse
    error (DL1000) and a heredoc; each one differs."""
    parts = [b for _, _, b, _, _ in HL] + [g for _, _, _, _, g in HL] + [
        MULTI, FIXME, "FROM a:1\nRUN [\"unterminated\n",
        "FROM a:1\n# hadolint ignore=DL3008\nRUN apt-get install -y curl\nRUN echo $1 `x`\n",
        "FROM a:1\nRUN <<EOF\nset -e\necho $undefined_var\nEOF\n"]
    names = []
    for i in range(n):
        name = f"d{i:03d}.Dockerfile"
        (tmp_path / name).write_text(parts[i % len(parts)] + f"LABEL n={i}\n" * (i % 3))
        names.append(name)
    return names


@pytest.mark.parametrize("sc", [False, True], ids=["no-shellcheck", "shellcheck"])
def test_parallel_equals_sequential(tmp_path, sc):
    """Files linted on several threads give byte for byte what one thread gives, in the
    order of the command line, and what one run per file gives."""
    if sc and not SHELLCHECK:
        pytest.skip("shellcheck is not installed")
    names = corpus(tmp_path, 150)
    extra = [] if sc else ["--no-shellcheck"]
    outs = {}
    for j in ("1", "2", "5", "0"):
        r = run(tmp_path, None, "-f", "json", "--parallel", j, *extra, *names)
        assert r.returncode == 1, r.stderr.decode()
        outs[j] = r.stdout
    assert outs["1"] == outs["2"] == outs["5"] == outs["0"]
    got = json.loads(outs["2"])
    assert {f["code"][:2] for f in got} >= ({"DL", "HL", "SC"} if sc else {"DL", "HL"})
    assert [f["file"] for f in got] == sorted(f["file"] for f in got)
    if not sc:
        one = []
        for name in names:
            r = run(tmp_path, None, "-f", "json", *extra, name)
            one += json.loads(r.stdout)
        assert got == one


def test_parallel_errors_name_the_first_bad_file(tmp_path):
    names = corpus(tmp_path, 64)
    (tmp_path / names[50]).write_bytes(b"\x7fELF\0\0\0binary")
    r = run(tmp_path, None, "-f", "json", "--parallel", "4", *names)
    assert r.returncode == 2 and r.stdout == b""
    assert names[50] in r.stderr.decode() and len(r.stderr.splitlines()) == 1
    os.remove(tmp_path / names[10])
    r = run(tmp_path, None, "-f", "json", "--parallel", "4", *names)
    assert r.returncode == 2 and r.stdout == b""
    err = r.stderr.decode()
    assert names[10] in err and names[50] not in err, err
    for bad in ("x", "-1", "1000"):
        r = run(tmp_path, None, "--parallel", bad, *names)
        assert r.returncode == 2 and b"--parallel" in r.stderr, r.stderr


def test_cache_mounts_keep_package_caches_out_of_the_layer(tmp_path):
    """HL1008 (caches left in a shipped layer) honours cache and tmpfs mounts, not binds."""
    text = ("FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0.0\n"
            "RUN --mount=type=tmpfs,target=/root/.npm npm install express@4\n"
            "RUN --mount=type=bind,target=/root/.npm npm install express@4\n"
            "USER 10001\n")
    assert hits(tmp_path, text, "HL1008", "--no-shellcheck") == [(4, "info")]
    # the mount must cover the cache: the directory or one above it, not one below
    text = ("FROM python:3.12\n"
            "RUN --mount=type=cache,target=/root/.cache/go-build pip install flask==3.0.0\n"
            "RUN --mount=type=cache,target=/root/.cache pip install flask==3.0.0\n"
            "RUN --mount=type=cache,target=/root/.npm/_cacache npm install express@4\n"
            "RUN --mount=type=tmpfs,target=/root/.npm/_logs npm install express@4\n"
            "USER 10001\n")
    assert hits(tmp_path, text, "HL1008", "--no-shellcheck") == [(2, "info"), (5, "info")]


def test_fix_keeps_a_shell_for_assignments_and_builtins(tmp_path):
    text = "FROM a:1\nHEALTHCHECK CMD PGPASSWORD=x pg_isready\nCMD exit 0\n"
    (tmp_path / "Dockerfile").write_text(text)
    run(tmp_path, None, "--fix", "--no-shellcheck", "Dockerfile")
    assert (tmp_path / "Dockerfile").read_text() == (
        'FROM a:1\nHEALTHCHECK CMD ["/bin/sh", "-c", "PGPASSWORD=x pg_isready"]\n'
        'CMD ["/bin/sh", "-c", "exit 0"]\n')
