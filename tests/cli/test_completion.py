"""hull completion bash|zsh|fish: scripts generated from the command table and the help
texts; checked with bash -n / zsh -n and by completing in a real bash."""
import re
import shutil
import subprocess

import pytest

import hullfix as H


def script(shell):
    r = H.hull("completion", shell)
    assert r.rc == 0, r.describe()
    return r.out


def commands():
    out = H.hull("--help").out
    return [m.group(1) for m in re.finditer(r"^  ([a-z0-9]+) ", out, re.M)]


def complete_bash(tmp_path, *words):
    """Runs the generated completion function in a real bash for COMP_WORDS=words."""
    f = tmp_path / "hull.bash"
    f.write_text(script("bash"))
    quoted = " ".join("'%s'" % w for w in words)
    prog = ('source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _hull; printf "%%s\\n" "${COMPREPLY[@]}"'
            % (f, quoted, len(words) - 1))
    p = subprocess.run(["bash", "-c", prog], capture_output=True, text=True, check=True)
    return [l for l in p.stdout.splitlines() if l]


def test_bash_syntax_and_commands(tmp_path):
    f = tmp_path / "hull.bash"
    f.write_text(script("bash"))
    subprocess.run(["bash", "-n", str(f)], check=True)
    cmds = commands()
    assert {"image", "fs", "lint", "k8s", "sbom", "completion"} <= set(cmds)
    got = complete_bash(tmp_path, "hull", "")
    assert set(cmds) <= set(got) and "help" in got
    assert complete_bash(tmp_path, "hull", "ins") == ["inspect"]
    assert complete_bash(tmp_path, "hull", "help", "sb") == ["sbom"]


def test_bash_completes_options_from_the_help(tmp_path):
    assert complete_bash(tmp_path, "hull", "image", "--sev") == ["--severity"]
    # fs takes the options of image
    assert complete_bash(tmp_path, "hull", "fs", "--secret-c") == ["--secret-config"]
    # every long option of a command's help is offered, and nothing else
    helptext = H.hull("help", "k8s").out
    want = set(re.findall(r"^\s+(?:-\w, )?(--[a-z0-9-]+)", helptext, re.M))
    assert set(complete_bash(tmp_path, "hull", "k8s", "--")) == want
    # not an option: files
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    prog_dir = tmp_path
    assert "%s/Dockerfile" % prog_dir in complete_bash(tmp_path, "hull", "lint",
                                                       "%s/Dock" % prog_dir)


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh is not installed")
def test_zsh_syntax(tmp_path):
    f = tmp_path / "_hull"
    f.write_text(script("zsh"))
    subprocess.run(["zsh", "-n", str(f)], check=True)
    assert f.read_text().startswith("#compdef hull\n")


def test_fish_script_shape():
    lines = [l for l in script("fish").splitlines() if l and not l.startswith("#")]
    assert all(l.startswith("complete -c hull ") for l in lines)
    for c in commands():
        assert any(("-a %s " % c) in l for l in lines), c
    assert "complete -c hull -n '__fish_seen_subcommand_from image' -l severity -r -F" in lines
    # quotes in the text are balanced on every line
    assert all(l.count("'") % 2 == 0 for l in lines)


def test_completion_errors():
    r = H.hull("completion", "tcsh")
    assert r.rc == 2 and "unknown shell" in r.err
    r = H.hull("completion")
    assert r.rc == 2
    assert H.hull("completion", "--help").rc == 0
