"""hull lint end to end: every hadolint rule (a Dockerfile that triggers it at a given
line and level, and one that must not), pragmas, config files, flags, formats, exit codes.
The cases follow hadolint's own rule specs, rewritten as Dockerfiles here. hull's own
rules (HLxxxx) are switched off with --no-hull-rules so that what is compared is exactly
hadolint's behaviour; tests/cli/test_lint_extra.py covers them, ShellCheck and --fix."""
import json
import os
import subprocess

import pytest

import hullfix as H

SCHEMA = os.path.join(H.REPO, "..", "shared", "schemas", "sarif-schema-2.1.0.json")


def lint(tmp_path, text, *args, name="Dockerfile", stdin=None, env=None):
    p = tmp_path / name
    if text is not None:
        p.write_text(text)
    e = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path))
    e.pop("NO_COLOR", None)
    e.update(env or {})
    cmd = [H.HULL, "lint", "--no-hull-rules"] + [str(a) for a in args]
    if text is not None and "-" not in args:
        cmd.append(name)
    r = subprocess.run(cmd, capture_output=True, cwd=tmp_path, env=e, input=stdin,
                       timeout=60)
    return r


def findings(tmp_path, text, *args):
    r = lint(tmp_path, text, "-f", "json", *args)
    assert r.returncode in (0, 1), r.stderr.decode()
    return json.loads(r.stdout)


def codes(tmp_path, text, *args):
    return {(f["code"], f["line"], f["level"]) for f in findings(tmp_path, text, *args)}


# (code, triggering Dockerfile, line, level, clean Dockerfile)
CASES = [
    ("DL3000", "FROM a:1\nWORKDIR usr/src\n", 2, "error", "FROM a:1\nWORKDIR /usr/src\n"),
    ("DL3001", "FROM a:1\nRUN service ssh start\n", 2, "info", "FROM a:1\nRUN echo ps\n"),
    ("DL3002", "FROM a:1\nUSER root\n", 2, "warning", "FROM a:1\nUSER root\nUSER app\n"),
    ("DL3003", "FROM a:1\nRUN cd /tmp && ls\n", 2, "warning", "FROM a:1\nRUN echo cd\n"),
    ("DL3004", "FROM a:1\nRUN sudo apt-get update\n", 2, "error", "FROM a:1\nRUN gosu x y\n"),
    ("DL3006", "FROM debian\n", 1, "warning", "FROM debian:12\nFROM scratch\n"),
    ("DL3007", "FROM debian:latest\n", 1, "warning", "FROM debian:12\n"),
    ("DL3008", "FROM a:1\nRUN apt-get install -y --no-install-recommends python\n", 2,
     "warning", "FROM a:1\nRUN apt-get install -y --no-install-recommends python=3.4\n"),
    ("DL3009", "FROM a:1\nRUN apt-get update && apt-get install -y x\n", 2, "info",
     "FROM a:1\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\n"),
    ("DL3010", "FROM a:1\nCOPY x.tar.gz /tmp/\nRUN tar -xf /tmp/x.tar.gz\n", 2, "info",
     "FROM a:1\nCOPY x.tar.gz /tmp/\n"),
    ("DL3011", "FROM a:1\nEXPOSE 80000\n", 2, "error", "FROM a:1\nEXPOSE 8080/tcp 1-65535\n"),
    ("DL3012", "FROM a:1\nHEALTHCHECK NONE\nHEALTHCHECK CMD x\n", 3, "error",
     "FROM a:1\nHEALTHCHECK NONE\nFROM b:1\nHEALTHCHECK NONE\n"),
    ("DL3013", "FROM a:1\nRUN pip install --no-cache-dir django\n", 2, "warning",
     "FROM a:1\nRUN pip install --no-cache-dir django==1.9 -r req.txt\n"),
    ("DL3014", "FROM a:1\nRUN apt-get install python=1 --no-install-recommends\n", 2,
     "warning", "FROM a:1\nRUN apt-get -yq install python=1 --no-install-recommends\n"),
    ("DL3015", "FROM a:1\nRUN apt-get install -y python=1\n", 2, "info",
     "FROM a:1\nRUN apt-get -y install --no-install-recommends python=1\n"),
    ("DL3016", "FROM a:1\nRUN npm install express\n", 2, "warning",
     "FROM a:1\nRUN npm install express@4.1.1 @scope/x@1 ./local\n"),
    ("DL3018", "FROM a:1\nRUN apk add --no-cache flex\n", 2, "warning",
     "FROM a:1\nRUN apk add --no-cache flex=2.6.4-r1 --virtual .deps\n"),
    ("DL3019", "FROM a:1\nRUN apk add flex=1\n", 2, "info",
     "FROM a:1\nRUN apk add --no-cache flex=1\n"),
    ("DL3020", "FROM a:1\nADD foo /bar\n", 2, "error",
     "FROM a:1\nADD foo.tar.gz /bar\nADD https://x/y /z\n"),
    ("DL3021", "FROM a:1\nCOPY a b c\n", 2, "error", "FROM a:1\nCOPY a b c/\n"),
    ("DL3022", "FROM a:1\nCOPY --from=build /x /y\n", 2, "warning",
     "FROM a:1 AS build\nFROM b:1\nCOPY --from=build /x /y\nCOPY --from=nginx:1 /a /b\n"),
    ("DL3023", "FROM a:1 AS s\nCOPY --from=s /x /y\n", 2, "error",
     "FROM a:1 AS s\nFROM b:1 AS t\nCOPY --from=s /x /y\n"),
    ("DL3024", "FROM a:1 AS s\nFROM b:1 AS s\n", 2, "error", "FROM a:1 AS s\nFROM b:1 AS t\n"),
    ("DL3025", "FROM a:1\nCMD echo hi\n", 2, "warning", "FROM a:1\nCMD [\"echo\", \"hi\"]\n"),
    ("DL3027", "FROM a:1\nRUN apt install python\n", 2, "warning",
     "FROM a:1\nRUN apt-cache show python\n"),
    ("DL3028", "FROM a:1\nRUN gem install bundler\n", 2, "warning",
     "FROM a:1\nRUN gem install bundler:2.0\n"),
    ("DL3029", "FROM --platform=linux/amd64 a:1\n", 1, "warning",
     "FROM --platform=$BUILDPLATFORM a:1\n"),
    ("DL3030", "FROM a:1\nRUN yum install x-1 && yum clean all\n", 2, "warning",
     "FROM a:1\nRUN yum install -y x-1 && yum clean all\n"),
    ("DL3032", "FROM a:1\nRUN yum install -y x-1\n", 2, "warning",
     "FROM a:1\nRUN yum install -y x-1 && yum clean all\n"),
    ("DL3033", "FROM a:1\nRUN yum install -y httpd && yum clean all\n", 2, "warning",
     "FROM a:1\nRUN yum install -y httpd-2.4 && yum clean all\n"),
    ("DL3034", "FROM a:1\nRUN zypper install x=1 && zypper clean\n", 2, "warning",
     "FROM a:1\nRUN zypper install -y x=1 && zypper clean\n"),
    ("DL3035", "FROM a:1\nRUN zypper dist-upgrade\n", 2, "warning",
     "FROM a:1\nRUN zypper refresh\n"),
    ("DL3036", "FROM a:1\nRUN zypper install -y x=1\n", 2, "warning",
     "FROM a:1\nRUN zypper install -y x=1 && zypper clean\n"),
    ("DL3037", "FROM a:1\nRUN zypper install -y httpd && zypper clean\n", 2, "warning",
     "FROM a:1\nRUN zypper install -y httpd=2.4 && zypper clean\n"),
    ("DL3038", "FROM a:1\nRUN dnf install x-1.0 && dnf clean all\n", 2, "warning",
     "FROM a:1\nRUN dnf install -y x-1.0 && dnf clean all\n"),
    ("DL3040", "FROM a:1\nRUN dnf install -y x-1.0\n", 2, "warning",
     "FROM a:1\nRUN dnf install -y x-1.0 && dnf clean all\n"),
    ("DL3041", "FROM a:1\nRUN dnf install -y httpd && dnf clean all\n", 2, "warning",
     "FROM a:1\nRUN dnf install -y httpd-2.4.6 && dnf clean all\n"),
    ("DL3042", "FROM a:1\nRUN pip install x==1\n", 2, "warning",
     "FROM a:1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install x==1\n"),
    ("DL3043", "FROM a:1\nONBUILD FROM b:1\n", 2, "error", "FROM a:1\nONBUILD RUN ls\n"),
    ("DL3044", "FROM a:1\nENV A=1 B=$A\n", 2, "error", "FROM a:1\nENV A=1\nENV B=$A\n"),
    ("DL3045", "FROM a:1\nCOPY x rel\n", 2, "warning",
     "FROM a:1 AS b\nWORKDIR /app\nFROM b\nCOPY x rel\n"),
    ("DL3046", "FROM a:1\nRUN useradd -u 123456 app\n", 2, "warning",
     "FROM a:1\nRUN useradd -l -u 123456 app\n"),
    ("DL3047", "FROM a:1\nRUN wget http://x/y\n", 2, "info",
     "FROM a:1\nRUN wget -nv http://x/y\n"),
    ("DL3048", "FROM a:1\nLABEL Bad_Key=1\n", 2, "style", "FROM a:1\nLABEL org.example.x=1\n"),
    ("DL3059", "FROM a:1\nRUN a\nRUN b\n", 3, "info", "FROM a:1\nRUN a\nENV X=1\nRUN b\n"),
    ("DL3060", "FROM a:1\nRUN yarn install\n", 2, "info",
     "FROM a:1\nRUN yarn install && yarn cache clean\n"),
    ("DL3061", "LABEL a=b\nFROM a:1\n", 1, "error", "ARG V=1\nFROM a:$V\n"),
    ("DL3062", "FROM a:1\nRUN go install example.com/pkg@latest\n", 2, "warning",
     "FROM a:1\nRUN go install example.com/pkg@v1.2.3 && go run . x\n"),
    # hadolint 2.15's rules
    ("DL3063", "FROM a:1 AS b\nFROM a:1 AS context\n", 2, "warning",
     "FROM a:1 AS Scratch\nFROM scratch\n"),
    ("DL3064", "FROM a:1\nARG GitHub_Token\n", 2, "warning", "FROM a:1\nARG VERSION=1\n"),
    ("DL3065", "FROM a:1\nFROM --platform=${TARGETPLATFORM} b:1\n", 2, "warning",
     "FROM --platform=$BUILDPLATFORM a:1\nFROM --platform=\"$TARGETPLATFORM\" b:1\n"),
    ("DL3066", "FROM a:1\nUSER app:0\n", 2, "info", "ARG U\nFROM a:1\nUSER 10001:$U\nUSER $U\n"),
    ("DL3067", "FROM a:1 AS b\nFROM c:1\nCOPY --from=b / /\n", 3, "warning",
     "FROM a:1 AS b\nFROM c:1\nCOPY --from=b / /b/\n"),
    ("DL4000", "FROM a:1\nMAINTAINER me\n", 2, "error", "FROM a:1\nLABEL maintainer=me\n"),
    ("DL4001", "FROM a:1\nRUN wget -q x\nRUN curl x\n", 3, "warning",
     "FROM a:1\nRUN wget -q x\nFROM b:1\nRUN curl x\n"),
    ("DL4003", "FROM a:1\nCMD [\"a\"]\nCMD [\"b\"]\n", 3, "warning",
     "FROM a:1\nCMD [\"a\"]\nFROM b:1\nCMD [\"b\"]\n"),
    ("DL4004", "FROM a:1\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n", 3, "error",
     "FROM a:1\nENTRYPOINT [\"a\"]\n"),
    ("DL4005", "FROM a:1\nRUN ln -sf /bin/bash /bin/sh\n", 2, "warning",
     "FROM a:1\nSHELL [\"/bin/bash\", \"-c\"]\n"),
    ("DL4006", "FROM a:1\nRUN wget -qO- x | tar x\n", 2, "warning",
     "FROM a:1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -qO- x | tar x\n"),
]


@pytest.mark.parametrize("code,bad,line,level,good", CASES, ids=[c[0] for c in CASES])
def test_rule(tmp_path, code, bad, line, level, good):
    got = findings(tmp_path, bad)
    hits = [(f["line"], f["level"]) for f in got if f["code"] == code]
    assert (line, level) in hits, json.dumps(got, indent=1)
    got = findings(tmp_path, good)
    assert not [f for f in got if f["code"] == code], json.dumps(got, indent=1)


LABELS = [
    ("DL3049", ["--require-label", "maintainer:text"], "FROM a:1\n", 1, "info",
     "FROM a:1\nLABEL maintainer=me\n"),
    ("DL3050", ["--require-label", "a:text", "--strict-labels"], "FROM a:1\nLABEL a=1 b=2\n",
     2, "info", "FROM a:1\nLABEL a=1\n"),
    ("DL3051", ["--require-label", "a:text"], "FROM a:1\nLABEL a=\"\"\n", 2, "warning",
     "FROM a:1\nLABEL a=x\n"),
    ("DL3052", ["--require-label", "u:url"], "FROM a:1\nLABEL u=notaurl\n", 2, "warning",
     "FROM a:1\nLABEL u=https://example.com/x\n"),
    ("DL3053", ["--require-label", "t:rfc3339"], "FROM a:1\nLABEL t=yesterday\n", 2,
     "warning", "FROM a:1\nLABEL t=2024-01-31T12:00:00Z\n"),
    ("DL3054", ["--require-label", "l:spdx"], "FROM a:1\nLABEL l=\"not a license\"\n", 2,
     "warning", "FROM a:1\nLABEL l=Apache-2.0\n"),
    ("DL3055", ["--require-label", "h:hash"], "FROM a:1\nLABEL h=xyz\n", 2, "warning",
     "FROM a:1\nLABEL h=0123abc\n"),
    ("DL3056", ["--require-label", "v:semver"], "FROM a:1\nLABEL v=1.0\n", 2, "warning",
     "FROM a:1\nLABEL v=1.2.3-rc.1+b5\n"),
    ("DL3058", ["--require-label", "e:email"], "FROM a:1\nLABEL e=nobody\n", 2, "warning",
     "FROM a:1\nLABEL e=a.b@example.com\n"),
]


@pytest.mark.parametrize("code,args,bad,line,level,good", LABELS, ids=[c[0] for c in LABELS])
def test_label_rule(tmp_path, code, args, bad, line, level, good):
    assert (code, line, level) in codes(tmp_path, bad, *args)
    assert not [c for c in codes(tmp_path, good, *args) if c[0] == code]


def test_ignore_level_rules_are_off_by_default(tmp_path):
    text = "FROM a:1\n# hadolint ignore=DL3003\nRUN cd /x\n"
    assert not [c for c in codes(tmp_path, text) if c[0] in ("DL1001", "DL3057")]
    got = codes(tmp_path, text, "--warning", "DL1001", "--info", "DL3057")
    assert ("DL1001", 2, "warning") in got and ("DL3057", 1, "info") in got


def test_pragmas(tmp_path):
    text = ("FROM debian\n# hadolint ignore=DL3003, DL3004\nRUN cd /x && sudo ls\n"
            "RUN cd /y\n# hull ignore=DL3000\nWORKDIR rel\n")
    got = codes(tmp_path, text)
    assert ("DL3003", 4, "warning") in got
    assert not [c for c in got if c[1] == 3 or c[0] == "DL3000"], got
    got = codes(tmp_path, "# hadolint global ignore=DL3006\nFROM debian\n")
    assert got == set()
    got = codes(tmp_path, text, "--disable-ignore-pragma")
    assert ("DL3003", 3, "warning") in got


def test_config_file(tmp_path):
    (tmp_path / ".hadolint.yaml").write_text(
        "ignored: [DL3006]\noverride:\n  error: [DL3003]\nfailure-threshold: error\n"
        "trustedRegistries:\n  - my.reg\nlabel-schema:\n  owner: text\n")
    got = codes(tmp_path, "FROM debian\nRUN cd /x\nFROM other.reg/x:1\n")
    assert ("DL3003", 2, "error") in got
    assert ("DL3026", 3, "error") in got
    assert ("DL3049", 1, "info") in got
    assert not [c for c in got if c[0] == "DL3006"]
    r = lint(tmp_path, "FROM debian:12\nRUN cd /x\n")
    assert r.returncode == 1
    (tmp_path / ".hadolint.yaml").write_text("failure-threshold: error\n")
    assert lint(tmp_path, "FROM debian\n").returncode == 0


SPDX_LIST = "/usr/share/php/data/Composer/res/spdx-licenses.json"  # php-composer-spdx-licenses


def test_spdx_label_is_one_identifier_of_the_list(tmp_path):
    """DL3054 as hadolint's (a LicenseId parse): every identifier of the SPDX license list
    Debian ships passes, spelled exactly; anything else fails, expressions too."""
    ids = sorted(json.load(open(SPDX_LIST)))
    assert len(ids) > 400
    text = "FROM a:1\n" + "".join(f"LABEL l={i}\n" for i in ids)
    got = findings(tmp_path, text, "--require-label", "l:spdx")
    assert not [f for f in got if f["code"] == "DL3054"]
    known = set(ids)
    bad = ["not-spdx", "mit", "MIT AND Apache-2.0", "(MIT)", "LicenseRef-x", "Apache-2.0-x",
           "Apache 2", "MIT+"]
    bad = [b for b in bad if b not in known]
    text = "FROM a:1\n" + "".join(f'LABEL l="{b}"\n' for b in bad)
    got = findings(tmp_path, text, "--require-label", "l:spdx")
    assert [f["line"] for f in got if f["code"] == "DL3054"] == list(range(2, 2 + len(bad)))


def test_failure_threshold_levels(tmp_path):
    """hadolint fails the run when a finding is at or above the threshold; "none" is its
    other name for "ignore" (readEitherSeverity), so both fail on any finding."""
    text = "FROM debian:12\nUSER 1000\nLABEL a=b\nRUN cd /x\n"  # DL3003 warning
    want = {"error": 0, "warning": 1, "info": 1, "style": 1, "ignore": 1, "none": 1}
    for level, rc in want.items():
        r = lint(tmp_path, text, "--no-shellcheck", "--ignore", "HL1009", "-t", level)
        assert r.returncode == rc, level
    (tmp_path / ".hadolint.yaml").write_text("failure-threshold: none\n")
    assert lint(tmp_path, text, "--no-shellcheck").returncode == 1
    assert lint(tmp_path, text, "--no-shellcheck", "-t", "error").returncode == 0


def test_config_flag_and_xdg(tmp_path):
    (tmp_path / "xdg").mkdir()
    (tmp_path / "xdg" / "hadolint.yaml").write_text("ignored:\n  - DL3006\n")
    assert codes(tmp_path, "FROM debian\n") == set()
    (tmp_path / "c.yml").write_text("lint:\n  no-fail: true\n")
    r = lint(tmp_path, "FROM debian:latest\n", "--config", "c.yml")
    assert r.returncode == 0 and b"DL3007" in r.stdout
    (tmp_path / "bad.yml").write_text("failure-threshold: [x\n")
    r = lint(tmp_path, "FROM debian\n", "-c", "bad.yml")
    assert r.returncode == 2 and b"bad.yml" in r.stderr


def test_config_verbose_key(tmp_path):
    (tmp_path / ".hadolint.yaml").write_text("verbose: true\n")
    r = lint(tmp_path, "FROM debian:12\n")
    assert r.returncode == 0 and b"config file: .hadolint.yaml" in r.stderr, r.stderr
    # hadolint merges the environment, then the config file, then the flags: the file wins
    r = lint(tmp_path, "FROM debian:12\n", env={"HADOLINT_VERBOSE": "0"})
    assert b"config file: .hadolint.yaml" in r.stderr, r.stderr
    (tmp_path / ".hadolint.yaml").write_text("verbose: false\n")
    r = lint(tmp_path, "FROM debian:12\n", env={"HADOLINT_VERBOSE": "1"})
    assert r.returncode == 0 and not r.stderr, r.stderr
    r = lint(tmp_path, "FROM debian:12\n", "-V", env={"HADOLINT_VERBOSE": "0"})
    assert b"config file: .hadolint.yaml" in r.stderr, r.stderr


def test_config_search_order_is_hadolints(tmp_path):
    """Without -c, hadolint's findConfig order: the working directory, XDG (or ~/.config),
    ~/.hadolint/{hadolint,config}.{yaml,yml}, then ~/.hadolint.{yaml,yml}."""
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir(parents=True)
    (work / "Dockerfile").write_text("FROM debian\n")
    places = [work / ".hadolint.yaml", work / ".hadolint.yml",
              home / ".config" / "hadolint.yaml", home / ".config" / "hadolint.yml",
              home / ".hadolint" / "hadolint.yaml", home / ".hadolint" / "hadolint.yml",
              home / ".hadolint" / "config.yaml", home / ".hadolint" / "config.yml",
              home / ".hadolint.yaml", home / ".hadolint.yml"]
    for p in places:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("ignored: [HL1004]\n")

    def used():
        e = {k: v for k, v in os.environ.items() if k != "XDG_CONFIG_HOME"}
        e["HOME"] = str(home)
        r = subprocess.run([H.HULL, "lint", "--no-shellcheck", "-V", "Dockerfile"], cwd=work,
                           env=e, capture_output=True, text=True, timeout=60)
        assert r.returncode in (0, 1), r.stderr
        assert ("HL1004" in r.stdout) == ("file: none" in r.stderr), r.stderr
        line = [l for l in r.stderr.splitlines() if "config" in l.lower()]
        return line[0] if line else ""

    for p in places:
        want = p.name if p.parent == work else str(p)
        assert used() == "hull: lint: config file: " + want
        p.unlink()
    assert used() == "hull: lint: config file: none"
    # a directory of the name is passed over; with nothing left, no config
    (work / ".hadolint.yaml").mkdir()
    r = subprocess.run([H.HULL, "lint", "--no-shellcheck", "-f", "json", "Dockerfile"],
                       cwd=work, env=dict(os.environ, HOME=str(home)), capture_output=True,
                       timeout=60)
    assert r.returncode == 1 and b"HL1004" in r.stdout, r.stderr


@pytest.mark.parametrize("text,needle", [
    (b"failure-threshold: [x\n", b"line 2, column 1: flow sequence without a closing bracket"),
    (b"ignored: [DL3006]\x00[DL3007]\n", b"line 1: NUL byte"),
    (b"ignored: [DL30\xff06]\n", b"line 1: invalid UTF-8"),
    (b"ignored: [DL3006]\n---\nignored: [DL3007]\n", b"one YAML document expected"),
    # libfyaml 0.7 wrote to freed memory after this error (found by fuzz_lintcfg)
    (b"? n:\t?", b"line 1, column 5: cannot use tab for indentation"),
    # the same after a directive libfyaml only warns about: the error is still the one kept
    (b"%X\n? n:\t?", b"line 2, column 5: cannot use tab for indentation"),
    (b"%\n%: error: \n? n?  :\t?", b"line 3, column 8: cannot use tab for indentation"),
    (b"%FOO\n---\nignored: [DL3008\n", b"line 4, column 1: flow sequence without a closing"),
    (b"- DL3006\n", b"expected a mapping at the top"),
    (b"no-fail: maybe\n", b'"no-fail" must be true or false'),
])
def test_bad_config_is_one_line_and_exit_2(tmp_path, text, needle):
    (tmp_path / "c.yaml").write_bytes(text)
    r = lint(tmp_path, "FROM debian\n", "-c", "c.yaml")
    assert r.returncode == 2 and not r.stdout, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(b"hull: error: c.yaml: "), r.stderr
    assert needle in lines[0], r.stderr


def test_config_booleans_and_nulls_in_any_case(tmp_path):
    (tmp_path / ".hadolint.yaml").write_text("no-fail: TRUE\nstrict-labels: NULL\n"
                                             "disable-ignore-pragma: False\n")
    r = lint(tmp_path, "FROM debian\n# hadolint ignore=DL3006\nFROM debian\n", "-f", "json")
    assert r.returncode == 0 and not r.stderr, r.stderr
    assert [(f["code"], f["line"]) for f in json.loads(r.stdout)] == [("DL3006", 1)]


def test_empty_or_null_config_is_no_config(tmp_path):
    for text in ["", "# nothing set yet\n", "ignored:\noverride:\n", "lint:\n"]:
        (tmp_path / ".hadolint.yaml").write_text(text)
        r = lint(tmp_path, "FROM debian\n", "-f", "json")
        assert r.returncode == 1 and not r.stderr, (text, r.stderr)
        assert [f["code"] for f in json.loads(r.stdout)] == ["DL3006"], text


def test_flags_and_exit_codes(tmp_path):
    assert lint(tmp_path, "FROM debian:12\n").returncode == 0
    assert lint(tmp_path, "FROM debian\n").returncode == 1
    assert lint(tmp_path, "FROM debian\n", "--no-fail").returncode == 0
    assert lint(tmp_path, "FROM debian\n", "-t", "error").returncode == 0
    assert lint(tmp_path, "FROM debian\n", "--ignore", "DL3006").returncode == 0
    assert lint(tmp_path, "FROM debian\n", "--style", "DL3006").returncode == 0
    assert lint(tmp_path, "FROM debian\n", "--style", "DL3006", "-t", "style").returncode == 1
    r = lint(tmp_path, "FROM x.io/a:1\n", "--trusted-registry", "y.io")
    assert r.returncode == 1 and b"DL3026" in r.stdout
    assert lint(tmp_path, None, "missing-file").returncode == 2
    assert lint(tmp_path, "FROM a:1\n", "--frobnicate").returncode == 2
    assert lint(tmp_path, "FROM a:1\n", "-f", "yaml").returncode == 2


def test_version_flag_as_hadolints(tmp_path):
    (tmp_path / ".hadolint.yaml").write_text("ignored: [\n")  # not read for -v
    for flag in ("-v", "--version"):
        r = lint(tmp_path, None, flag)
        assert r.returncode == 0 and not r.stderr, r.stderr
        assert r.stdout.decode().startswith("hull "), r.stdout
        assert r.stdout == subprocess.run([H.HULL, "--version"], capture_output=True).stdout


def test_stdin_and_several_files(tmp_path):
    (tmp_path / "A").write_text("FROM debian\n")
    (tmp_path / "B").write_text("FROM debian:latest\n")
    r = subprocess.run([H.HULL, "lint", "--no-hull-rules", "-f", "json", "A", "B", "-"],
                       cwd=tmp_path,
                       input=b"FROM a:1\nMAINTAINER x\n", capture_output=True)
    got = {(f["file"], f["code"]) for f in json.loads(r.stdout)}
    assert got == {("A", "DL3006"), ("B", "DL3007"), ("-", "DL4000")}
    assert r.returncode == 1


# Cases from hadolint's own rule specs (test/Hadolint/Rule/DL*Spec.hs) that hull got wrong
# before: (code, Dockerfile, whether hadolint reports the code).
SPEC_CASES = [
    # rules that hadolint also runs on ONBUILD triggers (its `onbuild` combinator)
    ("DL3001", "FROM a:1\nONBUILD RUN top\n", True),
    ("DL3004", "FROM a:1\nONBUILD RUN sudo apt-get update\n", True),
    ("DL3008", "FROM a:1\nONBUILD RUN apt-get update && apt-get install python\n", True),
    ("DL3014", "FROM a:1\nONBUILD RUN apt-get install python\n", True),
    ("DL3015", "FROM a:1\nONBUILD RUN apt-get -y install python\n", True),
    ("DL3016", "FROM a:1\nONBUILD RUN npm install express\n", True),
    ("DL3019", "FROM a:1\nONBUILD RUN apk add flex=2.6.4-r1\n", True),
    ("DL3027", "FROM a:1\nONBUILD RUN apt install python\n", True),
    ("DL3030", "FROM a:1\nONBUILD RUN yum install httpd-2.4.24\n", True),
    ("DL3032", "FROM a:1\nONBUILD RUN yum install -y httpd-2.4.24\n", True),
    ("DL3033", "FROM a:1\nONBUILD RUN yum install -y httpd && yum clean all\n", True),
    ("DL3034", "FROM a:1\nONBUILD RUN zypper install httpd=2.4.24 && zypper clean\n", True),
    ("DL3035", "FROM a:1\nONBUILD RUN zypper dist-upgrade\n", True),
    ("DL3037", "FROM a:1\nONBUILD RUN zypper install -y httpd && zypper clean\n", True),
    ("DL3047", "FROM a:1\nONBUILD RUN wget http://google.com\n", True),
    ("DL4005", "FROM a:1\nONBUILD RUN ln -sfv /bin/bash /bin/sh\n", True),
    # DL3006: a variable is not judged
    ("DL3006", "FROM ${VALUE}\n", False),
    # DL3007: a tag with a digest is pinned
    ("DL3007", "FROM hub.docker.io/debian:latest@sha256:" + "7959ed6f" * 8 + "\n", False),
    # DL3013: pipenv is not pip
    ("DL3013", "FROM a:1\nRUN pipenv install black\n", False),
    # DL3014: one -q is not enough, two quiet levels imply -y
    ("DL3014", "FROM a:1\nRUN apt-get install -q python\n", True),
    ("DL3014", "FROM a:1\nRUN apt-get install --quiet --quiet python\n", False),
    ("DL3014", "FROM a:1\nRUN apt-get install -q=2 python\n", False),
    # DL3016: the values of --loglevel and --registry are not packages
    ("DL3016", "FROM a:1\nRUN npm install --loglevel verbose sax@0.1.1\n", False),
    ("DL3016", "FROM a:1\nRUN npm install --registry https://example.com sax@0.1.1\n", False),
    ("DL3016", "FROM a:1\nRUN npm install --registry=https://example.com express\n", True),
    # DL3022: a stage's index
    ("DL3022", "FROM scratch\nRUN foo\nFROM node:1\nCOPY --from=0 foo .\n", False),
    ("DL3022", "FROM scratch\nFROM node:1\nCOPY --from=2 foo .\n", True),
    # DL3034: -n and --non-interactive are zypper's non-interactive switches
    ("DL3034", "FROM a:1\nRUN zypper install -n httpd=2.4.24 && zypper clean\n", False),
    ("DL3034", "FROM a:1\nRUN zypper install --non-interactive httpd=2.4 && zypper clean\n",
     False),
    # DL3041: a version given as a variable
    ("DL3041", 'FROM a:1\nRUN dnf install -y "git-core-${GIT_VER}" && dnf clean all\n', False),
    ("DL3041", "FROM a:1\nRUN dnf install -y tomcat-$VERSION && dnf clean all\n", False),
    # DL3044: $BLAFOO is not a reference to BLA; $BLA at the end is
    ("DL3044", 'FROM a:1\nENV BLA="blubb" BLUBB="$BLAFOO/blubb"\n', False),
    ("DL3044", 'FROM a:1\nENV BLA="blubb" BLUBB="$BLA"\n', True),
    ("DL3044", 'FROM a:1\nENV BLA="blubb" BLUBB="$BLA/$BLAFOO/blubb"\n', True),
    # a pragma with a code that is not one ("crazy") is void, as hadolint parses it
    ("DL3002", "FROM scratch\n# hadolint ignore=crazy,DL3002\nUSER root\n", True),
    ("DL3002", "FROM scratch\n# hadolint ignore=DL3002 # because\nUSER root\n", False),
    ("DL3002", "FROM scratch\n# hadolint ignore=DL3002 because\nUSER root\n", True),
    # an inline ignore covers the line right after it only (hadolint keys it by line + 1):
    # not across a comment or a blank line, and of two stacked pragmas only the lower
    ("DL3003", "FROM a:1\n# hadolint ignore=DL3003\n# legacy\nRUN cd /x\n", True),
    ("DL3003", "FROM a:1\n# hadolint ignore=DL3003\n\nRUN cd /x\n", True),
    ("DL3059", "FROM a:1\nRUN a\n# hadolint ignore=DL3059\n# hadolint ignore=DL3003\n"
               "RUN cd /x\n", True),
    ("DL3003", "FROM a:1\nRUN a\n# hadolint ignore=DL3059\n# hadolint ignore=DL3003\n"
               "RUN cd /x\n", False),
    # hadolint 2.15's stage ignore: the stage whose FROM is on the next line, all of it
    ("DL3011", "FROM a:1\n# hadolint stage ignore=DL3011\nEXPOSE 80000\n", True),
    ("DL3011", "# hadolint stage ignore=DL3011\n\nFROM a:1\nEXPOSE 80000\n", True),
    ("DL3011", "# hadolint stage ignore = DL3003 , DL3011  # ports\nFROM a:1\n"
               "EXPOSE 80000\n", False),
    # DL3025: HEALTHCHECK CMD too
    ("DL3025", "FROM a:1\nHEALTHCHECK CMD foobar\n", True),
    ("DL3025", "FROM a:1\nHEALTHCHECK --interval=5s CMD curl -f http://x/ || exit 1\n", True),
    ("DL3025", 'FROM a:1\nHEALTHCHECK CMD [ "foobar" ]\n', False),
    ("DL3025", "FROM a:1\nHEALTHCHECK NONE\n", False),
    # DL3059: a RUN that chains commands was split on purpose
    ("DL3059", "FROM a:1\nRUN foo && bar\nRUN foobar\n", False),
    ("DL3059", "FROM a:1\nRUN foobar\nRUN foo; bar\n", False),
    ("DL3059", "FROM a:1\nRUN foo && bar\nRUN foo\nRUN bar\n", True),
    ("DL3059", "FROM a:1\nRUN --mount=type=secret,id=a x\nRUN --mount=type=secret,id=b y\n",
     False),
    ("DL3059", "FROM a:1\nRUN --mount=type=secret,id=a x\n# c\nRUN --mount=type=secret,id=a y\n",
     True),
    # DL3062: "go install tool" names go.mod's tools
    ("DL3062", "FROM a:1\nRUN go install tool foobar@v1.2.3\n", False),
    ("DL3062", "FROM a:1\nRUN go install tool foobar\n", True),
    ("DL3062", "FROM a:1\nRUN go get -tool foobar@latest\n", True),
    # DL3028: after "--" come the gem's build options, not gems
    ("DL3028", "FROM a:1\nRUN gem install bundler:2.0.1 -- --use-system-libraries true\n",
     False),
    ("DL3028", "FROM a:1\nRUN gem install bundler:2.0.1 nokogiri -- --with-x\n", True),
    # an option takes the next word as its value (hadolint's spec: "--use-system-libraries
    # true" names no gem), unless gem's help says it takes none (hull: --no-document, -lN)
    ("DL3028", "FROM a:1\nRUN gem install bundler:2.0.1 --use-system-libraries true\n",
     False),
    ("DL3028", "FROM a:1\nRUN gem install -i /opt/gems --source https://x rake:1\n", False),
    ("DL3028", "FROM a:1\nRUN gem install --no-document bundler\n", True),
    ("DL3028", "FROM a:1\nRUN gem install -lN rake\n", True),
    ("DL3028", "FROM a:1\nRUN gem install --document=ri rake\n", True),
    # DL3032: "yum clean all" in full, after the install; rm of yum's cache; cache mounts
    ("DL3032", "FROM a:1\nRUN yum install -y bash && yum clean\n", True),
    ("DL3032", "FROM a:1\nRUN yum install -y bash && yum clean cache\n", True),
    ("DL3032", "FROM a:1\nRUN yum clean all && yum install -y bash\n", True),
    ("DL3032", "FROM a:1\nRUN yum install -y bash && rm -rf /var/cache/libdnf5\n", True),
    ("DL3032", "FROM a:1\nRUN yum install -y bash && rm -rf /var/cache/yum/*\n", False),
    ("DL3032", "FROM a:1\nRUN --mount=type=cache,target=/var/cache/yum yum install -y b-1\n",
     False),
    ("DL3032", "FROM a:1\nRUN --mount=type=tmpfs,target=/var/cache/yum yum install -y b-1\n",
     False),
    ("DL3032", "FROM a:1\nRUN --mount=type=bind,target=/var/cache/yum yum install -y b-1\n",
     True),
    # a cleanup after the last install; BuildKit's reading of --mount (quotes, case, the
    # last of a key given twice)
    ("DL3032", "FROM a:1\nRUN yum clean all && yum install -y a-1 && yum clean all\n", False),
    ("DL3032", "FROM a:1\nRUN yum install -y a-1 && yum clean all && yum install -y b-1\n",
     True),
    ("DL3032", 'FROM a:1\nRUN --mount="type=CACHE,target=/var/cache/yum" yum install -y b-1\n',
     False),
    ("DL3032", "FROM a:1\nRUN --mount=type=cache,target=/var/cache/yum,dst=/x yum install -y "
     "b-1\n", True),
    ("DL3032", "FROM a:1\nRUN --mount=type=cache,target=/var/cache yum install -y b-1\n", False),
    # DL3036: cache mounts
    ("DL3036", "FROM a:1\nRUN --mount=type=cache,target=/var/cache/zypp zypper in -y m=1\n",
     False),
    ("DL3036", "FROM a:1\nRUN --mount=type=tmpfs,target=/var/cache/zypp zypper in -y m=1\n",
     False),
    ("DL3036", "FROM a:1\nRUN --mount=type=cache,target=/var/cache/zyppx zypper in -y m=1\n",
     True),
    # DL3040: every dnf command that downloads packages, short forms too; cleanups; mounts
    ("DL3040", "FROM a:1\nRUN dnf in -y mariadb-10.4\n", True),
    ("DL3040", "FROM a:1\nRUN dnf -y upgrade\n", True),
    ("DL3040", "FROM a:1\nRUN dnf -y up-min\n", True),
    ("DL3040", "FROM a:1\nRUN dnf -y rei\n", True),
    ("DL3040", "FROM a:1\nRUN dnf -y upgrade-minimal && dnf clean all\n", False),
    ("DL3040", "FROM a:1\nRUN dnf install -y m-1 && microdnf clean all\n", True),
    ("DL3040", "FROM a:1\nRUN rm -rf /var/cache/libdnf5 && dnf in -y m-1\n", True),
    ("DL3040", "FROM a:1\nRUN dnf in -y m-1 && rm -rf /var/cache/yum/*\n", False),
    ("DL3040", "FROM a:1\nRUN --mount=type=cache,target=/var/cache/libdnf5 dnf in -y m-1\n",
     False),
    ("DL3040", "FROM a:1\nRUN --mount=type=tmpfs,target=/var/cache/libdnf5 microdnf "
     "install -y m-1\n", False),
    ("DL3040", "FROM a:1\nONBUILD RUN --mount=type=cache,target=/var/cache/libdnf5 dnf in "
     "-y m-1\n", False),
    # hadolint 2.15.1: dnf5's user cache too
    ("DL3040", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/libdnf5 dnf install -y "
     "m-1\n", False),
    ("DL3040", "FROM a:1\nRUN --mount=type=tmpfs,target=/home/app/.cache/libdnf5 microdnf "
     "install -y m-1\n", False),
    ("DL3040", "FROM a:1\nRUN --mount=type=cache,target=/tmp/libdnf5 dnf install -y m-1\n",
     True),
    # DL3042: a cache mount on pip's cache
    ("DL3042", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/pip pip install x==1\n",
     False),
    ("DL3042", "FROM a:1\nRUN --mount=type=tmpfs,target=/home/app/.cache/pip pip install "
     "x==1\n", False),
    ("DL3042", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/pipx pip install x==1\n",
     True),
    ("DL3042", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache pip install x==1\n", False),
    ("DL3042", "FROM a:1\nRUN --mount=type=cache,target=/root/.cache/go-build pip install "
     "x==1\n", True),
    # DL3060: only a stage that ships (the last, or one another FROM builds on) counts
    ("DL3060", "FROM node:1 as foo\nRUN yarn install foo\nFROM scratch\nRUN hey\n", False),
    ("DL3060", "FROM node:1 as foo\nRUN yarn install\nFROM foo\nRUN hey\n", True),
    ("DL3060", "FROM node:1 as foo\nRUN hey\nFROM scratch\nRUN yarn install\n", True),
    ("DL3060", "FROM node:1 as foo\nRUN yarn install && yarn cache clean\nFROM foo\n", False),
    ("DL3060", "FROM node:1\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn "
     "yarn install\n", False),
    ("DL3060", "FROM node:1 as foo\nONBUILD RUN yarn install foo\nFROM scratch\n", True),
    # hadolint 2.15.1's sources, where they differ from older specs
    ("DL3009", "FROM a:1\nRUN apt update && apt install -y curl\n", True),
    ("DL3009", "FROM a:1\nRUN aptitude update && aptitude install -y wget\n", True),
    ("DL3009", "FROM a:1\nRUN apt update && apt install -y x && rm -rf /var/lib/apt/lists/*\n",
     False),
    ("DL3009", "FROM a:1\nRUN --mount=type=tmpfs,target=/var/cache/apt "
               "--mount=type=tmpfs,target=/var/lib/apt apt-get update\n", False),
    ("DL3009", "FROM a:1\nRUN --mount=type=tmpfs,target=/var/cache/apt apt-get update\n", True),
    ("DL3019", "FROM a:1\nRUN --mount=type=tmpfs,target=/var/cache/apk apk add -U curl=7.77.0\n",
     False),
    ("DL3019", "FROM a:1\nRUN --mount=type=bind,target=/var/cache/apk apk add -U curl=7.77.0\n",
     True),
    ("DL3013", "FROM a:1\nRUN pip install --no-cache-dir --root-user-action ignore p==1.8\n",
     False),
    ("DL3013", "FROM a:1\nRUN pip install --python /usr/bin/python3 p==1.8\n", False),
    ("DL3018", "FROM a:1\nRUN apk add --no-cache \"foo>1.2\" 'bar<3'\n", False),
    ("DL3033", "FROM a:1\nRUN yum install -y yum-utils && yum clean all\n", True),
    ("DL3033", "FROM a:1\nRUN yum install -y gcc-c++ && yum clean all\n", True),
    ("DL3033", "FROM a:1\nRUN yum install -y gcc-c++-1.1.1 rpm-sign-4.16.1.3 openssl-1:1.1.1k "
               "&& yum clean all\n", False),
    ("DL3046", "FROM a:1\nRUN useradd -u 1000 -u 1234567 app\n", True),
    ("DL3059", "FROM a:1\nRUN [ -d /x ] && rm -rf /x\nRUN echo done\n", True),
    ("DL3059", "FROM a:1\nRUN if [[ -f /x ]]; then rm /x; fi\nRUN echo done\n", True),
    ("DL3060", "FROM a:1\nRUN yarn cache clean && yarn install foo\n", True),
    ("DL3062", "FROM a:1\nRUN go get example.com/pkg@none\n", True),
    ("DL4006", "FROM a:1\nRUN case \"$x\" in a|b) echo y;; esac\n", False),
    ("DL4006", "FROM a:1\nSHELL [\"/bin/bash\", \"-c\"]\nRUN [[ $x =~ a|b ]] && echo y\n", False),
    ("DL4006", "FROM a:1\nRUN [[ -f a && -f b ]] && wget -qO- x | sh\n", True),
    # DL3059 compares RUN flags as hadolint's parsed values: mounts as a set, options in
    # any order and spelling
    ("DL3059", "FROM a:1\nRUN --mount=type=cache,target=/x,id=a foo\n"
               "RUN --mount=type=cache,id=a,target=/x bar\n", True),
    ("DL3059", "FROM a:1\nRUN --mount=type=cache,target=/x --mount=type=secret,id=s foo\n"
               "RUN --mount=type=secret,id=s --mount=type=CACHE,dst=/x bar\n", True),
    ("DL3059", "FROM a:1\nRUN --mount=type=cache,target=/x foo\n"
               "RUN --mount=type=cache,target=/y bar\n", False),
    # commands that ShellCheck's parse finds: in bash arrays, functions, expansions
    ("DL3047", "FROM a:1\nRUN pkgs=(wget ca-certificates) && echo \"${pkgs[@]}\"\n", False),
    ("DL3047", "FROM a:1\nRUN function fetch { wget http://x/y; }; fetch\n", True),
    ("DL3003", "FROM a:1\nRUN a=($(cd /x; ls))\n", True),
    ("DL3003", "FROM a:1\nRUN DIR=\"${DIR:-$(cd /opt && pwd)}\" && echo \"$DIR\"\n", True),
    ("DL3004", "FROM a:1\nRUN echo $(( $(sudo id) + 1 ))\n", True),
    # hadolint 2.15: DL3063-DL3067, every case of their specs
    ("DL3063", "FROM foo:bar AS scratch\n", True),
    ("DL3063", "FROM foo:bar AS context\n", True),
    ("DL3063", "FROM foo:bar AS foobar\n", False),
    ("DL3064", "FROM debian:bullseye\nRUN foobar\n", False),
    ("DL3064", "ARG foobar\nFROM debian:bullseye\nRUN foobar\n", False),
    ("DL3064", "FROM debian:bullseye\nENV foobar=barfoo\nRUN foobar\n", False),
    ("DL3064", "ARG AWS_ACCESS_KEY_ID\nFROM debian:bullseye\nRUN foobar\n", True),
    ("DL3064", "ARG openai_api_key\nFROM debian:bullseye\nRUN foobar\n", True),
    ("DL3064", "FROM debian:bullseye\nENV AWS_ACCESS_KEY_ID=abcdefghijklmnopqrstuvwxyz\n"
               "RUN foobar\n", True),
    ("DL3064", "FROM debian:bullseye\nENV my_password=abcdefghijklmnopqrstuvwxyz\nRUN foobar\n",
     True),
    ("DL3064", "FROM debian:bullseye\nONBUILD ENV A=1 Travis_Sudo=1 MY_TOKEN=2\n", True),
    ("DL3064", "FROM debian:bullseye\nONBUILD ARG foobar\n", False),
    ("DL3065", "FROM alpine:3.24\n", False),
    ("DL3065", "FROM --platform=$FOOBAR alpine:3.24\n", False),
    ("DL3065", "FROM --platform=foobar alpine:3.24\n", False),
    ("DL3065", "FROM --platform=foobar/arm64 alpine:3.24\n", False),
    ("DL3065", "FROM --platform=$TARGETPLATFORM alpine:3.24\n", True),
    ("DL3065", "FROM --platform=${TARGETPLATFORM} alpine:3.24\n", True),
    ("DL3066", "FROM a:1\nUSER 12345\n", False),
    ("DL3066", "FROM a:1\nUSER 1234:5678\n", False),
    ("DL3066", "FROM a:1\nUSER foobar\n", True),
    ("DL3066", "FROM a:1\nUSER foobar:barfoo\n", True),
    ("DL3066", "ARG APP_UID\nFROM foobar:barfoo\nUSER ${APP_UID}\n", False),
    # 2.15.1 looks for $NAME anywhere in the text, before the ARG's use or after
    ("DL3066", "FROM a:1\nUSER ${APP_UID}\nARG APP_UID\n", True),
    ("DL3066", "FROM a:1\nENV APP_UID=1\nUSER $APP_UID\n", True),
    ("DL3066", "ARG U\nFROM a:1\nUSER $USERNAME\n", False),
    ("DL3066", "ARG U\nFROM a:1\nUSER ${U}x\n", False),
    ("DL3066", "ARG U\nFROM a:1\nUSER ${UID}\n", True),
    ("DL3066", "FROM a:1\nUSER :1000\n", False),
    ("DL3067", "FROM a:1 AS build\nFROM b:1\nCOPY --from=build / /\n", True),
    ("DL3067", "FROM a:1 AS build\nFROM b:1\nCOPY --from=build \"/\" \"/\"\n", True),
    ("DL3067", "FROM a:1\nCOPY / /\n", False),
    ("DL3067", "FROM a:1 AS build\nFROM b:1\nCOPY --from=build /app /\n", False),
    ("DL3067", "FROM a:1 AS build\nFROM b:1\nCOPY --from=build / /app\n", False),
    ("DL3067", "FROM a:1 AS build\nFROM b:1\nCOPY --from=build [\"/etc\", \"/\", \"/\"]\n",
     True),
]


@pytest.mark.parametrize("code,text,hit", SPEC_CASES,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(SPEC_CASES)])
def test_hadolint_spec_cases(tmp_path, code, text, hit):
    got = [f for f in findings(tmp_path, text, "--no-shellcheck") if f["code"] == code]
    assert bool(got) == hit, got
    if hit and "ONBUILD" in text:
        assert len(got) == 1 and got[0]["line"] == 2  # once, on the ONBUILD line


@pytest.mark.parametrize("value,hit", [
    ("2024-01-31T12:00:00Z", False), ("2024-01-31 12:00:00Z", True),
    ("2024-02-30T12:00:00Z", True), ("2023-02-29T12:00:00Z", True),
    ("2024-01-31T24:00:00Z", True), ("2024-02-29t12:00:00.5+0100", False),
    ("2024-01-31T12:00:00-05:30", False), ("2024-01-31T12:00:00+01:0", True)])
def test_dl3053_reads_times_as_hadolint(tmp_path, value, hit):
    """timerep's parseTimeRFC3339: a 'T' (any case), a date and time that exist, Z or an
    offset with or without its colon."""
    got = findings(tmp_path, f'FROM a:1\nLABEL d="{value}"\n', "--require-label", "d:rfc3339")
    assert [f["code"] for f in got] == (["DL3053"] if hit else [])


# hadolint 2.15.1's exact messages where older texts, or its unmerged "add a trailing period"
# branch, differ: scripts compare them with hadolint's JSON output.
MESSAGES = [
    ("DL1001", "# hadolint ignore=DL3000\nFROM a:1\n", ["--warning", "DL1001"],
     "Please refrain from using inline ignore pragmas  `# hadolint ignore=DLxxxx`."),
    ("DL3000", "FROM a:1\nWORKDIR x\n", [], "Use absolute WORKDIR"),
    ("DL3002", "FROM a:1\nUSER root\n", [], "Last USER should not be root"),
    ("DL3009", "FROM a:1\nRUN apt-get update\n", [],
     "Delete the apt lists (/var/lib/apt/lists) after installing something"),
    ("DL3022", "FROM a:1\nCOPY --from=b /x /y\n", [],
     "`COPY --from` should reference a previously defined `FROM` alias"),
    ("DL3027", "FROM a:1\nRUN apt install x\n", [],
     "Do not use apt as it is meant to be an end-user tool, use apt-get or apt-cache instead"),
    ("DL3030", "FROM a:1\nRUN yum install x-1 && yum clean all\n", [],
     "Use the -y switch to avoid manual input `yum install -y <package>`"),
    ("DL3062", "FROM a:1\nRUN go install example.com/x\n", [],
     "Pin versions in go. Instead of `go install <package>` use `go install <package>@<version>`"),
    ("DL4001", "FROM a:1\nRUN wget -q x\nRUN curl y\n", [],
     "Either use Wget or Curl but not both"),
]


@pytest.mark.parametrize("code,text,args,message", MESSAGES, ids=[m[0] for m in MESSAGES])
def test_messages_are_hadolint_2_15_1s(tmp_path, code, text, args, message):
    got = [f["message"] for f in findings(tmp_path, text, "--no-shellcheck", *args)
           if f["code"] == code]
    assert got and got[0] == message


def test_stage_ignore_pragma_covers_its_stage_only(tmp_path):
    text = ("FROM a:1 AS b\nEXPOSE 80000\n# hadolint stage ignore=DL3011\nFROM a:1 AS c\n\n"
            "EXPOSE 80000\nRUN x\nEXPOSE 70000\nFROM c\nEXPOSE 90000\n")
    got = [f["line"] for f in findings(tmp_path, text, "--no-shellcheck")
           if f["code"] == "DL3011"]
    assert got == [2, 10]
    got = [f["line"] for f in findings(tmp_path, text, "--no-shellcheck",
                                       "--disable-ignore-pragma") if f["code"] == "DL3011"]
    assert got == [2, 6, 8, 10]


def test_trusted_registry_wildcards(tmp_path):
    text = "FROM foo.random.com/debian:1\nFROM random.com/x:1\nFROM ubuntu:18.04\n"
    got = [f["line"] for f in findings(tmp_path, text, "--trusted-registry", "*.random.com")
           if f["code"] == "DL3026"]
    assert got == [2, 3]  # a subdomain only; Docker Hub is not trusted
    assert not [f for f in findings(tmp_path, text, "--trusted-registry", "*")
                if f["code"] == "DL3026"]


DL3057_CASES = [
    ("FROM scratch\n", [1]),
    ("FROM scratch\nHEALTHCHECK NONE\n", []),
    ("FROM scratch AS base\nHEALTHCHECK CMD /bin/bla\nFROM base\n", []),
    # a HEALTHCHECK at the end of a chain of stages covers the stages it builds on
    ("FROM scratch AS base1\nFROM base1 AS base2\nFROM base2 AS base3\nFROM base3 AS end\n"
     "HEALTHCHECK NONE\n", []),
    # a chain that forks: the branch without one is reported
    ("FROM scratch AS base1\nFROM base1 AS base2\nFROM base2 AS base3.1\n"
     "FROM base2 AS base3.2\n\nFROM base3.1 AS end1\nHEALTHCHECK NONE\n\n"
     "FROM base3.2 AS end2\n", [4, 9]),
    ("FROM scratch AS base\nHEALTHCHECK CMD /bin/bla\nFROM scratch\n", [3]),
]


@pytest.mark.parametrize("text,lines", DL3057_CASES)
def test_healthcheck_missing_follows_stage_chains(tmp_path, text, lines):
    got = [f["line"] for f in findings(tmp_path, text, "--no-shellcheck", "--warning", "DL3057")
           if f["code"] == "DL3057"]
    assert got == lines


def test_trusted_registry_copy_from_and_mount_from(tmp_path):
    """COPY --from and RUN --mount from= name images too (hadolint's DL3026 spec)."""
    text = ("FROM trusted.com/base:1 AS build\n"
            "COPY --from=untrusted.com/repo/image:tag /foo /bar\n"
            "COPY --from=trusted.com/repo/image:tag /foo /bar\n"
            "COPY --from=build /foo /bar\n"
            "COPY --from=0 /foo /bar\n"
            "RUN --mount=type=bind,from=untrusted.com/repo/image:tag,target=/foo foobar\n"
            "RUN --mount=type=cache,from=untrusted.com/repo/image:tag,target=/foo foobar\n"
            "RUN --mount=type=bind,from=trusted.com/repo/image:tag,target=/foo foobar\n"
            "RUN --mount=type=bind,from=build,target=/foo foobar\n"
            "COPY --from=debian:12 /etc/os-release /x\n"
            "COPY --from=${BUILDER} /out /out\n"
            "COPY --from=untrusted.com/img:${TAG} /out /out\n"
            "RUN --mount=type=bind,from=trusted.com/a:1,from=untrusted.com/b:1,target=/x y\n"
            "RUN --mount=type=bind,\"from\"=untrusted.com/b:1,target=/x y\n")
    got = [f["line"] for f in findings(tmp_path, text, "--no-shellcheck",
                                       "--trusted-registry", "trusted.com")
           if f["code"] == "DL3026"]
    assert got == [2, 6, 7, 10, 12, 13, 14]
    assert not [f for f in findings(tmp_path, text, "--no-shellcheck") if f["code"] == "DL3026"]


def test_tty_format_and_color(tmp_path):
    r = lint(tmp_path, "FROM debian\n")
    assert r.stdout.decode() == ("Dockerfile:1 DL3006 warning: Always tag the version of an "
                                 "image explicitly\n")


def test_no_file_named_lints_dockerfile(tmp_path):
    """As hadolint: with no file named, ./Dockerfile; without one, a usage error."""
    e = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path))
    cmd = [H.HULL, "lint", "--no-hull-rules", "-f", "json"]
    r = subprocess.run(cmd, capture_output=True, cwd=tmp_path, env=e, timeout=60)
    assert r.returncode == 2 and b"no ./Dockerfile" in r.stderr and not r.stdout
    (tmp_path / "Dockerfile").write_text("FROM debian\n")
    r = subprocess.run(cmd, capture_output=True, cwd=tmp_path, env=e, timeout=60)
    assert r.returncode == 1
    assert [(f["file"], f["code"]) for f in json.loads(r.stdout)] == [("Dockerfile", "DL3006")]


def test_parse_error_fails_whatever_the_settings(tmp_path):
    """hadolint applies ignores and overrides to the rules' findings only, and a file that
    does not parse fails the run at any threshold; --no-fail still passes it."""
    text = "FROM debian:12\nFOO bar\n"
    for args in (["--ignore", "DL1000"], ["-t", "none"], ["--warning", "DL1000", "-t", "error"]):
        r = lint(tmp_path, text, "-f", "json", *args)
        assert r.returncode == 1, args
        assert [(f["code"], f["level"]) for f in json.loads(r.stdout)] == [("DL1000", "error")]
    assert lint(tmp_path, text, "--no-fail").returncode == 0


def test_parse_error_lines_in_tty_and_gnu(tmp_path):
    """hadolint writes a file that does not parse as its position and the error: GNU's
    FILE:LINE:COLUMN: form in gnu, FILE:LINE:COLUMN in tty; no code or level."""
    text = "FROM debian:12\n  FOO bar\n"
    assert lint(tmp_path, text).stdout.decode() == "Dockerfile:2:3 unknown instruction: FOO\n"
    assert lint(tmp_path, text, "-f", "gnu").stdout.decode() == \
        "hadolint:Dockerfile:2:3: unknown instruction: FOO\n"


def test_codeclimate_and_codacy_exit_0(tmp_path):
    """hadolint's exit status for these two reports is 0: their services judge the findings."""
    for fmt, want in (("codeclimate", 0), ("codacy", 0), ("gitlab_codeclimate", 1),
                      ("json", 1)):
        r = lint(tmp_path, "FROM debian\n", "-f", fmt)
        assert r.returncode == want and r.stdout, fmt


def test_several_formats_and_output_files(tmp_path):
    """hadolint 2.15's -f/-o lists: a report per format, to the -o of the same rank or to
    stdout; "formats:" in the config; HADOLINT_FORMAT as a comma-separated list."""
    r = lint(tmp_path, BAD, "-f", "json", "-f", "gnu", "-o", "out.json")
    assert r.returncode == 1
    assert [f["code"] for f in json.loads((tmp_path / "out.json").read_text())] == \
        ["DL3006", "DL3003", "SC2164"]
    assert r.stdout.decode().startswith("hadolint:Dockerfile:1: DL3006 warning")
    # more -o than -f: the last format for the rest (hadolint: one format, every -o)
    r = lint(tmp_path, BAD, "-o", "a", "-o", "b", "-f", "json")
    assert r.returncode == 1 and not r.stdout
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    assert [f["code"] for f in json.loads((tmp_path / "b").read_text())][0] == "DL3006"
    r = lint(tmp_path, BAD, "-f", "gnu", "-f", "json", "-o", "-", "-o", "c", "-o", "d")
    assert r.stdout.decode().startswith("hadolint:Dockerfile:1: DL3006")
    assert (tmp_path / "c").read_bytes() == (tmp_path / "d").read_bytes()
    r = lint(tmp_path, BAD, "-o", "e")
    assert not r.stdout and (tmp_path / "e").read_text().startswith("Dockerfile:1 DL3006")
    (tmp_path / ".hadolint.yaml").write_text("formats: [gnu, json]\n")
    out = lint(tmp_path, BAD).stdout.decode()
    assert out.startswith("hadolint:") and out.rstrip().endswith("]")
    assert lint(tmp_path, BAD, "-f", "tty").stdout.decode().startswith("Dockerfile:1 DL3006")
    (tmp_path / ".hadolint.yaml").write_text("formats: [gnu, yaml]\n")
    r = lint(tmp_path, BAD)
    assert r.returncode == 2 and b'"formats"' in r.stderr
    (tmp_path / ".hadolint.yaml").unlink()
    r = lint(tmp_path, BAD, env={"HADOLINT_FORMAT": "json,gnu,yaml"})
    out = r.stdout.decode()
    assert out.startswith("[{") and "hadolint:Dockerfile:2: DL3003" in out
    assert b'unknown format "yaml": ignored' in r.stderr


def test_most_severe_override_wins(tmp_path):
    """hadolint applies the style, info, warning and error overrides in that order, so a
    rule named in two gets the more severe level, whatever the order or the source."""
    for args in (["--error", "DL3006", "--style", "DL3006"],
                 ["--style", "DL3006", "--error", "DL3006"]):
        got = findings(tmp_path, "FROM debian\n", *args)
        assert [(f["code"], f["level"]) for f in got] == [("DL3006", "error")]
    (tmp_path / ".hadolint.yaml").write_text("override:\n  warning: [DL3006]\n")
    got = findings(tmp_path, "FROM debian\n", "--info", "DL3006")
    assert [(f["code"], f["level"]) for f in got] == [("DL3006", "warning")]


def test_color_on_a_terminal(tmp_path):
    """Colour only on a terminal; NO_COLOR (any value) is an environment setting of no-color,
    so a config file's "no-color: false" brings colour back, as hadolint merges them."""
    import pty
    (tmp_path / "Dockerfile").write_text("FROM debian\n")

    def tty_out(env):
        master, slave = pty.openpty()
        e = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "xdg"), HOME=str(tmp_path))
        e.pop("NO_COLOR", None)
        e.update(env)
        subprocess.run([H.HULL, "lint", "--no-hull-rules", "Dockerfile"], cwd=tmp_path, env=e,
                       stdout=slave, stderr=subprocess.DEVNULL, timeout=60)
        os.close(slave)
        out = b""
        try:
            while chunk := os.read(master, 4096):
                out += chunk
        except OSError:  # the pty's other end is closed
            pass
        os.close(master)
        return out
    assert b"\x1b[" in tty_out({})
    assert b"\x1b[" not in tty_out({"NO_COLOR": ""})
    (tmp_path / ".hadolint.yaml").write_text("no-color: false\n")
    assert b"\x1b[" in tty_out({"NO_COLOR": "1"})
    (tmp_path / ".hadolint.yaml").write_text("no-color: true\n")
    assert b"\x1b[" not in tty_out({})


BAD = "FROM debian\nRUN cd /x\n"


def test_formats(tmp_path):
    out = lint(tmp_path, BAD, "-f", "checkstyle").stdout.decode()
    # hadolint 2.15.1 writes it with an XML library: double quotes, attributes by name
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?><checkstyle version="4.3">')
    assert ('<error column="1" line="2" message="Use WORKDIR to switch to a directory" '
            'severity="warning" source="DL3003"/>') in out
    (tmp_path / "Clean").write_text("FROM a:1\n")
    (tmp_path / "Broken").write_text("FROM a:1\nFROBNICATE x\n")
    out = lint(tmp_path, None, "-f", "checkstyle", "Clean", "Broken").stdout.decode()
    assert out == ('<?xml version="1.0" encoding="UTF-8"?><checkstyle version="4.3">'
                   '<file name="Clean"/><file name="Broken"><error column="1" line="2" '
                   'message="unknown instruction: FROBNICATE" severity="error"/></file>'
                   '</checkstyle>\n')
    out = lint(tmp_path, BAD, "-f", "gnu").stdout.decode()
    assert "hadolint:Dockerfile:2: DL3003 warning: Use WORKDIR" in out
    out = lint(tmp_path, BAD, "-f", "codeclimate").stdout
    issues = [json.loads(x) for x in out.split(b"\0") if x]
    # SC2164 (cd without || exit) is what hadolint's ShellCheck reports too
    assert [i["check_name"] for i in issues] == ["DL3006", "DL3003", "SC2164"]
    assert issues[0]["location"]["lines"]["begin"] == 1 and issues[0]["severity"] == "major"
    gl = json.loads(lint(tmp_path, BAD, "-f", "gitlab_codeclimate").stdout)
    assert len(gl) == 3 and all(len(i["fingerprint"]) == 64 for i in gl)
    sq = json.loads(lint(tmp_path, BAD, "-f", "sonarqube").stdout)
    assert sq["issues"][1]["primaryLocation"]["textRange"]["startLine"] == 2
    # a file that does not parse: a BLOCKER at the error's column, as hadolint's
    sq = json.loads(lint(tmp_path, "FROM a:1\n  FOO x\n", "-f", "sonarqube").stdout)
    assert [(i["severity"], i["type"], i["primaryLocation"]["textRange"]) for i in sq["issues"]] \
        == [("BLOCKER", "BUG", {"startLine": 2, "endLine": 2, "startColumn": 3, "endColumn": 3})]


def test_junit_and_codacy_formats(tmp_path):
    """hadolint's junit (a testsuite per file, clean files too; a syntax error is an error)
    and codacy (a JSON object per line) formats."""
    import xml.etree.ElementTree as ET
    (tmp_path / "Clean").write_text("FROM a:1\n")
    (tmp_path / "Broken").write_text("FROM a:1\nFROBNICATE x\n")
    r = lint(tmp_path, BAD, "-f", "junit", "Clean", "Broken")
    assert r.returncode == 1
    root = ET.fromstring(r.stdout)
    assert root.tag == "testsuites" and root.get("name").startswith("Hadolint run at ")
    suites = root.findall("testsuite")
    # the order of the command line: Clean, Broken, Dockerfile
    assert [(s.get("failures"), s.get("errors")) for s in suites] == \
        [("0", "0"), ("1", "1"), ("3", "0")]
    cases = suites[2].findall("testcase")
    assert [c.get("id") for c in cases] == ["hadolint.rule.DL3006", "hadolint.rule.DL3003",
                                            "hadolint.rule.SC2164"]
    fail = cases[1].find("failure")
    assert fail.get("type") == "warning" and fail.get("id") == "DL3003"
    assert fail.text.startswith("File: Dockerfile\nLine: 2\nCategory: Hadolint")
    err = suites[1].find("testcase")
    assert err.get("name") == "DL1000" and err.get("id") == "hadolint.error"
    assert err.find("failure").get("message") == "parse error at line 2, column 1"
    # the findings keep the files' order, a file that does not parse too (it was put
    # after the files whose RUNs went to ShellCheck)
    got = findings(tmp_path, BAD, "Clean", "Broken")
    assert [f["file"] for f in got] == ["Broken"] + ["Dockerfile"] * 3
    # stdin is a file too
    r = lint(tmp_path, None, "-f", "junit", "-", stdin=b"FROM a:1\n")
    assert len(ET.fromstring(r.stdout).findall("testsuite")) == 1
    lines = lint(tmp_path, BAD, "-f", "codacy").stdout.decode().splitlines()
    got = [json.loads(x) for x in lines]
    assert got[1] == {"filename": "Dockerfile", "line": 2, "patternId": "DL3003",
                      "message": got[1]["message"]} and "WORKDIR" in got[1]["message"]
    assert [g["patternId"] for g in got] == ["DL3006", "DL3003", "SC2164"]


def test_file_path_in_report(tmp_path):
    """--file-path-in-report names the file in checkstyle, codeclimate, gitlab_codeclimate,
    sonarqube and junit reports (as hadolint's), not in the others."""
    arg = ("--file-path-in-report", "/src/app/Dockerfile")
    out = lint(tmp_path, BAD, "-f", "checkstyle", *arg).stdout.decode()
    assert '<file name="/src/app/Dockerfile">' in out
    out = lint(tmp_path, BAD, "-f", "codeclimate", *arg).stdout
    assert {json.loads(x)["location"]["path"] for x in out.split(b"\0") if x} == \
        {"/src/app/Dockerfile"}
    gl = json.loads(lint(tmp_path, BAD, "-f", "gitlab_codeclimate", *arg).stdout)
    assert {i["location"]["path"] for i in gl} == {"/src/app/Dockerfile"}
    sq = json.loads(lint(tmp_path, BAD, "-f", "sonarqube", *arg).stdout)
    assert {i["primaryLocation"]["filePath"] for i in sq["issues"]} == {"/src/app/Dockerfile"}
    out = lint(tmp_path, BAD, "-f", "junit", *arg).stdout.decode()
    assert out.count("File: /src/app/Dockerfile\n") == 3
    js = json.loads(lint(tmp_path, BAD, "-f", "json", *arg).stdout)
    assert {f["file"] for f in js} == {"Dockerfile"}


def test_hadolint_environment(tmp_path):
    """hadolint's HADOLINT_* variables: under the config file and the flags (hadolint merges
    environment, then config file, then flags; a later setting wins, lists add up)."""
    def run(env, *args):
        r = lint(tmp_path, BAD, *args, env=env)
        return r.returncode, r.stdout.decode(), r.stderr.decode()
    rc, out, _ = run({"HADOLINT_FORMAT": "gnu"})
    assert rc == 1 and out.startswith("hadolint:Dockerfile:1: DL3006 warning")
    rc, out, _ = run({"HADOLINT_FORMAT": "gnu"}, "-f", "json")  # the flag wins
    assert json.loads(out)[0]["code"] == "DL3006"
    rc, out, _ = run({"HADOLINT_IGNORE": "DL3006, SC2164", "HADOLINT_FORMAT": "json"})
    assert [f["code"] for f in json.loads(out)] == ["DL3003"]
    rc, out, _ = run({"HADOLINT_OVERRIDE_ERROR": "DL3003", "HADOLINT_OVERRIDE_STYLE": "DL3006",
                      "HADOLINT_FORMAT": "json"})
    assert [(f["code"], f["level"]) for f in json.loads(out)][:2] == \
        [("DL3006", "style"), ("DL3003", "error")]
    assert run({"HADOLINT_NOFAIL": "yes"})[0] == 0
    assert run({"HADOLINT_NOFAIL": "0"})[0] == 1
    assert run({"HADOLINT_FAILURE_THRESHOLD": "error"})[0] == 0
    assert run({"HADOLINT_FAILURE_THRESHOLD": "error"}, "-t", "warning")[0] == 1
    # a config file's setting wins over the environment's, in both directions
    (tmp_path / ".hadolint.yaml").write_text("no-fail: true\n")
    assert run({})[0] == 0 and run({"HADOLINT_NOFAIL": "false"})[0] == 0
    (tmp_path / ".hadolint.yaml").write_text("no-fail: false\nignored: [DL3003]\n")
    assert run({"HADOLINT_NOFAIL": "1"})[0] == 1
    rc, out, _ = run({"HADOLINT_IGNORE": "DL3006", "HADOLINT_FORMAT": "json"})
    assert [f["code"] for f in json.loads(out)] == ["SC2164"]  # the two lists add up
    (tmp_path / ".hadolint.yaml").unlink()
    for var in ("HADOLINT_TRUSTED_REGISTRIES", "HADOLINT_ALLOWED_REGISTRIES"):
        for image, want in (("quay.io/x/y:1", []), ("bad.example.org/image:v1.0", [1])):
            r = lint(tmp_path, f"FROM {image}\n", "-f", "json",
                     env={var: "docker.io, quay.io"})
            assert [f["line"] for f in json.loads(r.stdout) if f["code"] == "DL3026"] == want, \
                (var, image, r.stdout)
    rc, out, _ = run({"HADOLINT_REQUIRE_LABELS": "version:semver,bogus",
                      "HADOLINT_STRICT_LABELS": "1", "HADOLINT_FORMAT": "json"})
    got = {f["code"] for f in json.loads(out)}
    assert "DL3049" in got  # the label "version" is missing
    r = lint(tmp_path, "FROM a:1\n# hadolint ignore=DL3003\nRUN cd /x\n", "-f", "json",
             env={"HADOLINT_DISABLE_IGNORE_PRAGMA": "on"})
    assert "DL3003" in {f["code"] for f in json.loads(r.stdout)}
    # values hadolint would ignore are ignored, with a note (none under -q)
    rc, out, err = run({"HADOLINT_FORMAT": "yaml", "HADOLINT_FAILURE_THRESHOLD": "high"})
    assert rc == 1 and out.startswith("Dockerfile:1 DL3006")
    assert 'HADOLINT_FORMAT: unknown format "yaml": ignored' in err
    assert "HADOLINT_FAILURE_THRESHOLD" in err
    assert "bogus" in run({"HADOLINT_REQUIRE_LABELS": "bogus"})[2]
    assert run({"HADOLINT_FORMAT": "yaml"}, "-q")[2] == ""


def test_verbose_prints_settings(tmp_path):
    (tmp_path / ".hadolint.yaml").write_text("ignored: [DL3006]\nfailure-threshold: error\n")
    r = lint(tmp_path, BAD, "-V", "--info", "DL3003", env={"HADOLINT_IGNORE": "SC2164"})
    err = r.stderr.decode()
    assert "config file: .hadolint.yaml" in err or "config file: " + str(tmp_path) in err, err
    assert "failure threshold error" in err and "ignored: SC2164 DL3006" in err
    assert "overrides: DL3003=info" in err
    assert r.returncode == 0
    assert "config file" not in lint(tmp_path, BAD).stderr.decode()


def test_sarif_validates(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    doc = json.loads(lint(tmp_path, BAD, "-f", "sarif").stdout)
    with open(SCHEMA) as f:
        jsonschema.validate(doc, json.load(f))
    res = doc["runs"][0]["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in res] == [("DL3006", 1), ("DL3003", 2), ("SC2164", 2)]
    # hadolint's regions: one line, the column, the language of the finding
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in res]
    assert regions[1] == {"startLine": 2, "endLine": 2, "startColumn": 1, "endColumn": 1,
                          "sourceLanguage": "dockerfile"}
    assert regions[2]["sourceLanguage"] == "sh"
    assert doc["runs"][0]["defaultSourceLanguage"] == "dockerfile"


def test_parser_syntax(tmp_path):
    text = ("# syntax=docker/dockerfile:1\n# escape=`\nFROM a:1\n"
            "RUN apt-get update `\n  # a comment inside\n\n  && apt-get install -y x\n"
            "RUN <<EOF\ncd /tmp\nEOF\n"
            "COPY <<EOF /etc/x\nhello\nEOF\n")
    got = codes(tmp_path, text)
    assert ("DL3008", 4, "warning") in got and ("DL3009", 4, "info") in got
    assert ("DL3003", 8, "warning") in got


def test_parse_errors(tmp_path):
    got = findings(tmp_path, "FROM a:1\nFROBNICATE x\n")
    assert [(f["code"], f["line"], f["level"]) for f in got] == [("DL1000", 2, "error")]
    got = findings(tmp_path, "FROM a:1\nRUN <<EOF\nls\n")
    assert got[0]["code"] == "DL1000" and "heredoc" in got[0]["message"]
    r = lint(tmp_path, None, "bin")  # not there yet
    assert r.returncode == 2 and r.stderr.startswith(b"hull: error: bin:"), r.stderr
    (tmp_path / "bin").write_bytes(b"FROM a\x00b\n")
    r = lint(tmp_path, None, "bin")
    assert r.returncode == 2 and b"bin:1:7" in r.stderr
    (tmp_path / "u8").write_bytes(b"FROM a:1\nRUN \xff\n")
    r = lint(tmp_path, None, "u8")
    assert r.returncode == 2 and b"u8:2:5" in r.stderr


def test_hostile_inputs(tmp_path):
    long = "FROM a:1\nRUN " + "x" * (10 << 20) + "\n"
    assert lint(tmp_path, long).returncode in (0, 1)
    deep = "FROM a:1\nENV A=" + "${B:-" * 5000 + "}" * 5000 + "\n"
    assert lint(tmp_path, deep).returncode in (0, 1)
    assert lint(tmp_path, "FROM a:1\nRUN ls \\").returncode in (0, 1)
    subst = "FROM a:1\nRUN " + "$(" * 3000 + "ls" + ")" * 3000 + "\n"
    assert lint(tmp_path, subst).returncode in (0, 1)


def test_help_lint():
    r = H.hull("help", "lint")
    assert r.rc == 0 and "--failure-threshold" in r.out and "--fix" in r.out
