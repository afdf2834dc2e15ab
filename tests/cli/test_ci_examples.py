"""The CI examples and pre-commit hooks stay true: their YAML parses, every hull command
line they hold uses a command, flags and formats hull has, and the hooks' entries run."""
import os
import re
import shlex
import subprocess

import pytest
import yaml

import hullfix as H

CI = os.path.join(H.REPO, "examples", "ci")
HOOKS = os.path.join(H.REPO, ".pre-commit-hooks.yaml")


def hull_lines(text):
    """The hull invocations in a YAML file's run/script/entry strings."""
    out = []
    for line in text.splitlines():
        m = re.search(r"(?:^|[\s:-])(hull (?:lint|k8s|image|fs|sbom|inspect|build|slim)\b[^|>&#]*)", line)
        if m and "hull.git" not in line:
            out.append(m.group(1).strip())
    return out


def check_command(line):
    words = shlex.split(line)
    cmd = words[1]
    r = H.hull("help", cmd)
    assert r.rc == 0, r.describe()
    helptext = r.out
    for i, w in enumerate(words[2:], 2):
        if w.startswith("--"):
            assert re.search(r"(?m)^\s+(?:-\w, )?%s\b" % re.escape(w.split("=")[0]), helptext), \
                "%s: %s not in 'hull help %s'" % (line, w, cmd)
        if words[i - 1] in ("--format", "-f"):
            assert w in helptext, "%s: format %s not in 'hull help %s'" % (line, w, cmd)


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_ci_examples(name):
    text = open(os.path.join(CI, name)).read()
    yaml.safe_load(text)
    lines = hull_lines(text)
    assert len(lines) >= 2, lines
    for line in lines:
        check_command(line)


def test_pre_commit_hooks(tmp_path):
    hooks = yaml.safe_load(open(HOOKS))
    by = {h["id"]: h for h in hooks}
    assert set(by) == {"hull-lint", "hull-k8s"}
    for h in hooks:
        assert h["language"] == "system" and h["entry"].startswith("hull ")
        check_command(h["entry"])
    # the entries run as pre-commit runs them: entry + the matching files
    df = tmp_path / "Dockerfile"
    df.write_text("FROM debian:12\nUSER 1000\nCMD [\"true\"]\n")
    argv = shlex.split(by["hull-lint"]["entry"])[1:] + [str(df)]
    r = H.hull(*argv)
    assert r.rc in (0, 1), r.describe()
    k8s = os.path.join(H.REPO, "examples", "k8s")
    files = sorted(os.path.join(k8s, f) for f in os.listdir(k8s)
                   if re.search(by["hull-k8s"]["files"], f))
    assert len(files) >= 5
    r = H.hull(*(shlex.split(by["hull-k8s"]["entry"])[1:] + files))
    assert r.rc == 0, r.describe()
    bad = tmp_path / "pod.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                   "  - {name: c, image: nginx, securityContext: {privileged: true}}\n")
    r = H.hull(*(shlex.split(by["hull-k8s"]["entry"])[1:] + [str(bad)]))
    assert r.rc == 1, r.describe()
