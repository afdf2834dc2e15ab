#!/usr/bin/python3
"""Runs every test suite of hull and ends with one line "N passed, N failed".

Suites: cmocka unit tests and the pytest CLI tests on the normal build, the same again
on the ASan+UBSan build, then each libFuzzer target for a few seconds (fuzz smoke).

The normal build's suites (then checksrc and the fuzz smoke) and the ASan build's run side
by side, one stream each for the machine's two cores; each stream's output is printed
when it ends. Each stream has its own XDG_CACHE_HOME and pytest base temp directory; the
expensive fixtures under HULL_TESTDATA are shared, built once under a lock.
HULL_CHECK_SERIAL=1 runs the streams one after the other.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LSAN_SUPP = os.path.join(ROOT, "fuzz", "lsan.supp")
SAN_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:exitcode=99:abort_on_error=0:strict_string_checks=1",
    "LSAN_OPTIONS": "print_suppressions=0:suppressions=" + LSAN_SUPP,
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1:exitcode=99",
}


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []
        self.lock = threading.Lock()

    def add(self, suite, passed, failed, names=(), out=sys.stdout):
        with self.lock:
            self.passed += passed
            self.failed += failed
            self.failures.extend(f"{suite}: {n}" for n in names)
        print(f"== {suite}: {passed} passed, {failed} failed", file=out, flush=True)


def run_unit(build, label, tally, env, out):
    unit_dir = os.path.join(build, "tests", "unit")
    if not os.path.isdir(unit_dir):
        tally.add(f"unit[{label}]", 0, 1, ["unit tests not built"], out)
        return
    for name in sorted(os.listdir(unit_dir)):
        path = os.path.join(unit_dir, name)
        if not name.startswith("test_") or not os.access(path, os.X_OK) or os.path.isdir(path):
            continue
        e = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP", **env)
        p = subprocess.run([path], cwd=ROOT, env=e, capture_output=True, text=True)
        ok = len(re.findall(r"^ok \d+", p.stdout, re.M))
        bad = re.findall(r"^not ok \d+ - (.*)$", p.stdout, re.M)
        failed = len(bad)
        if p.returncode != 0 and not bad:
            failed += 1
            bad = [f"{name} exited {p.returncode}"]
        if failed:
            out.write(p.stdout[-4000:] + p.stderr[-4000:])
        tally.add(f"unit[{label}] {name}", ok, failed, bad, out)


def run_cli(build, label, tally, env, out):
    hull = os.path.join(build, "hull")
    with tempfile.TemporaryDirectory() as tmp:
        xml = os.path.join(tmp, "junit.xml")
        e = dict(os.environ, HULL=os.path.abspath(hull), **env)
        e.setdefault("HULL_TESTDATA", os.path.join(ROOT, "build", "testdata"))
        e["XDG_CACHE_HOME"] = os.path.join(tmp, "cache")
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "--durations=10", f"--basetemp={os.path.join(tmp, 'pytest')}",
               f"--junitxml={xml}", os.path.join(ROOT, "tests", "cli")]
        p = subprocess.run(cmd, cwd=ROOT, env=e, stdout=out, stderr=subprocess.STDOUT)
        if not os.path.exists(xml):
            tally.add(f"cli[{label}]", 0, 1, [f"pytest exited {p.returncode}"], out)
            return
        passed, failed, names = 0, 0, []
        for case in ET.parse(xml).getroot().iter("testcase"):
            if case.find("skipped") is not None:
                continue
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
                names.append(f"{case.get('classname')}::{case.get('name')}")
            else:
                passed += 1
        if p.returncode not in (0, 1) and not failed:
            failed, names = 1, [f"pytest exited {p.returncode}"]
        tally.add(f"cli[{label}]", passed, failed, names, out)


def run_checksrc(tally, out):
    p = subprocess.run([os.path.join(ROOT, "scripts", "checksrc")], cwd=ROOT,
                       capture_output=True, text=True)
    if p.returncode:
        out.write(p.stdout[-4000:])
    tally.add("checksrc", int(p.returncode == 0), int(p.returncode != 0),
              [] if p.returncode == 0 else ["scripts/checksrc"], out)


def run_fuzz(build, tally, seconds, out):
    fdir = os.path.join(build, "fuzz")
    targets = sorted(n for n in os.listdir(fdir) if n.startswith("fuzz_") and not n.endswith(".p")
                     and os.access(os.path.join(fdir, n), os.X_OK)) if os.path.isdir(fdir) else []
    if not targets:
        tally.add("fuzz", 0, 1, ["no fuzz targets built"], out)
        return
    for t in targets:
        corpus = os.path.join(ROOT, "fuzz", "corpus", t[len("fuzz_"):])
        with tempfile.TemporaryDirectory() as work:
            cmd = [os.path.join(fdir, t), f"-max_total_time={seconds}", "-rss_limit_mb=2048",
                   "-timeout=10", f"-artifact_prefix={work}/", work, corpus]
            e = dict(os.environ, LSAN_OPTIONS="suppressions=" + LSAN_SUPP)
            p = subprocess.run(cmd, capture_output=True, text=True, env=e)
            ok = p.returncode == 0
            if not ok:
                out.write(p.stderr[-6000:])
            tally.add(f"fuzz {t}", int(ok), int(not ok), [] if ok else [t], out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build")
    ap.add_argument("--asan")
    ap.add_argument("--fuzz")
    ap.add_argument("--only", choices=["unit", "cli", "fuzz"])
    ap.add_argument("--fuzz-seconds", type=int, default=int(os.environ.get("FUZZ_SECONDS", "5")))
    a = ap.parse_args()
    tally = Tally()

    def stream(build, label, env, extra):
        def run(out):
            if build and a.only in (None, "unit"):
                run_unit(build, label, tally, env, out)
            if build and a.only in (None, "cli"):
                run_cli(build, label, tally, env, out)
            extra(out)
        return run

    def extras(out):
        if a.only is None:
            run_checksrc(tally, out)
        if a.fuzz and a.only in (None, "fuzz"):
            run_fuzz(a.fuzz, tally, a.fuzz_seconds, out)

    streams = [("default", stream(a.build, "default", {}, extras))]
    if a.asan:
        streams.append(("asan", stream(a.asan, "asan", SAN_ENV, lambda out: None)))
    if len(streams) == 1 or os.environ.get("HULL_CHECK_SERIAL") == "1":
        for name, run in streams:
            t0 = time.monotonic()
            run(sys.stdout)
            print(f"== stream {name}: {time.monotonic() - t0:.0f} s", flush=True)
    else:
        def worker(name, run, path):
            t0 = time.monotonic()
            with open(path, "w") as out:
                try:
                    run(out)
                except Exception as exc:  # a crash of the runner is a failure, not a hang
                    tally.add(f"stream {name}", 0, 1, [repr(exc)], out)
                print(f"== stream {name}: {time.monotonic() - t0:.0f} s", file=out, flush=True)
            with tally.lock:
                with open(path) as f:
                    sys.stdout.write(f.read())
                sys.stdout.flush()

        with tempfile.TemporaryDirectory() as logs:
            print("== running the default and the asan streams side by side; each prints "
                  "when it ends", flush=True)
            threads = [threading.Thread(target=worker,
                                        args=(n, r, os.path.join(logs, n + ".log")))
                       for n, r in streams]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    for f in tally.failures:
        print(f"FAILED {f}")
    print(f"{tally.passed} passed, {tally.failed} failed")
    return 1 if tally.failed or not tally.passed else 0


if __name__ == "__main__":
    sys.exit(main())
