"""man/hull.1 is generated from hull's own help (scripts/genman.py): it must match what
the binary says today, and render without groff warnings."""
import os
import subprocess

import hullfix as H

MAN = os.path.join(H.REPO, "man", "hull.1")


def test_man_page_is_generated_from_the_help(tmp_path):
    out = tmp_path / "hull.1"
    subprocess.run(["/usr/bin/python3", os.path.join(H.REPO, "scripts", "genman.py"), H.HULL,
                    str(out)], check=True)
    assert out.read_text() == open(MAN).read(), \
        "man/hull.1 is stale: run 'make man' after changing a help text"


def test_man_page_renders_and_lists_every_command():
    p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN], capture_output=True,
                       text=True)
    assert p.returncode == 0 and p.stderr == "", p.stderr
    text = open(MAN).read()
    for line in H.hull("--help").out.splitlines():
        if line.startswith("  ") and not line.startswith("   "):
            cmd = line.split()[0]
            if cmd != "help":
                assert (".SS hull %s\n" % cmd) in text, cmd
    # and hull help CMD is the same text
    assert "usage: hull sbom" in H.hull("help", "sbom").out
