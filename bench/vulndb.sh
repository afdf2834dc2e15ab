#!/usr/bin/env bash
# Speed of hull db import: the whole OSV-format shared data set (Go vulndb as JSON, PyPA
# as YAML, AlmaLinux 8/9/10 as JSON; about 12,600 advisories and 80,000 affected
# packages) imported into a fresh database, BENCH_RUNS times. Prints the median wall
# time, CPU time and advisories per second. Target: 20,000 advisories/s or more.
# BENCH_RT=1 runs hull under SCHED_FIFO (chrt -f, needs root) so that other jobs on a
# shared machine cannot take its CPUs: the nearest to an idle machine there is.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HULL=${HULL:-$ROOT/build/hull}
WORK=${BENCH_WORK:-$ROOT/bench/work}
RUNS=${BENCH_RUNS:-5}
RT=()
[ "${BENCH_RT:-0}" = 1 ] && RT=(chrt -f 10)
DATA=${VULNDATA:-$ROOT/../shared/vulndata}
mkdir -p "$WORK"

die() { echo "bench/vulndb.sh: $*" >&2; exit 1; }
[ -x "$HULL" ] || die "no hull binary at $HULL (make build, or set HULL)"
[ -d "$DATA/go-vulndb" ] || die "no advisory data at $DATA (set VULNDATA)"

INPUTS=("$DATA/go-vulndb/data/osv" "$DATA/pypa-advisory-database/vulns"
	"$DATA/almalinux-osv-database/advisories")
DB=$WORK/vulndb-bench.sqlite

# Warm the page cache so every run reads the same way.
find "${INPUTS[@]}" -type f -exec cat {} + >/dev/null

results=()
for i in $(seq "$RUNS"); do
	rm -f "$DB"
	out=$( { "${RT[@]}" /usr/bin/time -f 'TIME %e %U %S' "$HULL" db import -q --db "$DB" \
		"${INPUTS[@]}" 2>&1 >/dev/null; } | grep '^TIME' )
	results+=("$out")
	echo "run $i: wall ${out#TIME } (wall user sys, s)"
done
n=$(sqlite3 "$DB" 'SELECT COUNT(*) FROM advisories' 2>/dev/null ||
	/usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM advisories").fetchone()[0])' "$DB")
printf '%s\n' "${results[@]}" | /usr/bin/python3 -c '
import statistics, sys
n = int(sys.argv[1])
rows = [list(map(float, l.split()[1:])) for l in sys.stdin if l.strip()]
wall = statistics.median(r[0] for r in rows)
cpu = statistics.median(r[1] + r[2] for r in rows)
print("advisories: %d" % n)
print("median wall: %.3f s, median CPU (user+sys): %.3f s" % (wall, cpu))
print("advisories/s: %.0f (wall), %.0f (per CPU second); target >= 20000 (wall)"
      % (n / wall, n / cpu))
' "$n"
rm -f "$DB"
