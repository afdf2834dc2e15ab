#!/usr/bin/env bash
# Speed of vulnerability matching: hull fs --scanners vuln over a tree of 600+ packages
# (dist-info directories named after real PyPI packages at versions their advisories
# list, plus Debian's Go binaries) against the whole OSV-format shared data set (Go
# vulndb, PyPA, AlmaLinux 8/9/10). Prints the matching phase as hull times it
# (HULL_DEBUG_TIMINGS=1: wall and CPU time), the median of BENCH_RUNS, and the whole run's
# wall time.
# Target: 50 ms or less for the matching phase.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HULL=${HULL:-$ROOT/build/hull}
WORK=${BENCH_WORK:-$ROOT/bench/work}
RUNS=${BENCH_RUNS:-5}
DATA=${VULNDATA:-$ROOT/../shared/vulndata}
mkdir -p "$WORK"

die() { echo "bench/match.sh: $*" >&2; exit 1; }
[ -x "$HULL" ] || die "no hull binary at $HULL (make build, or set HULL)"
[ -d "$DATA/go-vulndb" ] || die "no advisory data at $DATA (set VULNDATA)"

DB=$WORK/match-db.sqlite
if [ ! -f "$DB" ] || [ "${BENCH_REBUILD:-0}" = 1 ]; then
	echo "== importing the shared OSV data into $DB"
	"$HULL" db import --db "$DB" "$DATA/go-vulndb/data/osv" \
		"$DATA/pypa-advisory-database/vulns" "$DATA/almalinux-osv-database/advisories" \
		2>/dev/null
fi

TREE=$WORK/match-tree
if [ ! -d "$TREE" ] || [ "${BENCH_REBUILD:-0}" = 1 ]; then
	echo "== writing $TREE"
	rm -rf "$TREE"
	mkdir -p "$TREE/usr/bin"
	for b in skopeo umoci docker-registry gke-gcloud-auth-plugin; do
		[ -e "/usr/bin/$b" ] && cp -L "/usr/bin/$b" "$TREE/usr/bin/"
	done
	/usr/bin/python3 - "$DATA/pypa-advisory-database/vulns" "$TREE" <<'PY'
import os, sys, yaml
src, tree = sys.argv[1], sys.argv[2]
site = os.path.join(tree, "usr/lib/python3/dist-packages")
n = 0
for pkg in sorted(os.listdir(src)):
    d = os.path.join(src, pkg)
    if not os.path.isdir(d):
        continue
    version = "1.0"
    for fn in sorted(os.listdir(d)):
        with open(os.path.join(d, fn)) as f:
            doc = yaml.safe_load(f)
        vs = [v for a in doc.get("affected") or [] for v in a.get("versions") or []]
        if vs:
            version = vs[len(vs) // 2]
            break
    di = os.path.join(site, "%s-%s.dist-info" % (pkg.replace("-", "_"), version))
    os.makedirs(di, exist_ok=True)
    with open(os.path.join(di, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\nName: %s\nVersion: %s\n\n" % (pkg, version))
    n += 1
print("   %d dist-info directories" % n)
PY
fi

times=()
cpu=()
wall=()
for ((i = 0; i < RUNS; i++)); do
	start=$(date +%s.%N)
	line=$(HULL_DEBUG_TIMINGS=1 "$HULL" fs --db "$DB" --scanners vuln -f json "$TREE" 2>&1 >/dev/null |
		grep 'debug: vuln match')
	end=$(date +%s.%N)
	times+=("$(sed -E 's/.*vuln match ([0-9.]+) ms.*/\1/' <<<"$line")")
	cpu+=("$(sed -E 's/.*\(([0-9.]+) ms CPU.*/\1/' <<<"$line")")
	wall+=("$(echo "$end - $start" | bc)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "   ${line#hull: debug: }"
printf 'vuln match: median %s ms wall, %s ms CPU over %d runs (target <= 50 ms); whole hull fs run %s s\n' \
	"$(median "${times[@]}")" "$(median "${cpu[@]}")" "$RUNS" "$(median "${wall[@]}")"
echo "(wall time includes waiting for a CPU: on a loaded machine the CPU figure is the one to compare)"
