"""Top-level CLI behaviour: --version, --help, help inspect, usage errors."""
import re

import pytest

import hullfix as H


def test_version():
    r = H.hull("--version")
    assert r.rc == 0, r.describe()
    assert re.search(r"\d+\.\d+", r.out), r.describe()


def test_help_lists_inspect():
    r = H.hull("--help")
    assert r.rc == 0, r.describe()
    assert "inspect" in r.out, r.describe()


def test_help_inspect():
    r = H.hull("help", "inspect")
    assert r.rc == 0, r.describe()
    for opt in ("--format", "--list-files", "--max-layer-size", "--platform"):
        assert opt in r.out, "help inspect does not mention %s\n%s" % (opt, r.describe())


@pytest.mark.parametrize("args", [
    ["frobnicate"],
    ["frobnicate", "/"],
    ["--frobnicate"],
    ["inspect", "--frobnicate", "rootfs:{tmp}"],
    ["inspect", "rootfs:{tmp}", "--frobnicate"],
], ids=["command", "command-with-arg", "global-option", "inspect-option",
        "inspect-option-after-source"])
def test_usage_errors_exit_2(args, tmp_path):
    r = H.hull(*[a.format(tmp=tmp_path) for a in args])
    assert r.rc == 2, r.describe()
    assert r.err.strip(), "no message on stderr\n" + r.describe()
    assert r.out == "", r.describe()
