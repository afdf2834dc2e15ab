"""Session fixtures of the hull CLI tests.

Environment:
  HULL            the binary (default <repo>/build/hull)
  HULL_TESTDATA   cache of expensive fixtures (default <repo>/build/testdata); the first
                  run builds it (mmdebstrap + umoci + skopeo, about a minute), later runs
                  reuse it.
"""
import json
import os

import pytest

import hullfix as H
import imagebuild


@pytest.fixture(scope="session", autouse=True)
def no_user_vulndb(tmp_path_factory):
    """Scans see no vulnerability DB unless a test passes --db or sets HULL_DB: a DB the
    user built with 'hull db update' must not change other tests' findings."""
    os.environ["HULL_DB"] = str(tmp_path_factory.mktemp("novulndb") / "absent.sqlite")


@pytest.fixture(scope="session", autouse=True)
def hull_binary():
    assert os.path.isfile(H.HULL) and os.access(H.HULL, os.X_OK), \
        "hull binary not found at %s (build it, or set HULL)" % H.HULL
    return H.HULL


class Fixtures:
    def __init__(self, meta):
        self.meta = meta
        self.root = meta["root"]
        self._trees = {}

    def path(self, *p):
        return os.path.join(self.root, *p)

    def source(self, variant):
        return self.meta["variants"][variant]["source"].format(root=self.root)

    def variant(self, name):
        return self.meta["variants"][name]

    def tree(self, key="expected_tree"):
        if key not in self._trees:
            with open(self.path(self.meta[key])) as f:
                self._trees[key] = json.load(f)
        return self._trees[key]

    @property
    def analysis(self):
        return self.meta["analysis"]


@pytest.fixture(scope="session")
def fx():
    return Fixtures(imagebuild.ensure_fixtures(H.TESTDATA))


@pytest.fixture(scope="session")
def hull_cached():
    """hull(*args), memoised for the session (for the expensive full-image runs)."""
    memo = {}

    def run(*args):
        key = tuple(str(a) for a in args)
        if key not in memo:
            memo[key] = H.hull(*key)
        return memo[key]
    return run
