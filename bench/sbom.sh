#!/usr/bin/env bash
# hull sbom against cdxgen (npm @cyclonedx/cdxgen, -t docker, FETCH_LICENSE=false) on the
# same docker-archive of a Debian 12 minbase image, in one run: wall time (median of
# BENCH_RUNS), peak memory, and how many of the ground-truth packages (dpkg-query on the
# image's own dpkg database) each one reports.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HULL=${HULL:-$ROOT/build/hull}
WORK=${BENCH_WORK:-$ROOT/bench/work}
RUNS=${BENCH_RUNS:-3}
mkdir -p "$WORK"

die() { echo "bench/sbom.sh: $*" >&2; exit 1; }
[ -x "$HULL" ] || die "no hull binary at $HULL (make build, or set HULL)"

IMG=$WORK/sbom-debian.tar
if [ ! -f "$IMG" ]; then
	echo "== building a Debian 12 minbase docker-archive (mmdebstrap, umoci, skopeo)"
	tmp=$(mktemp -d "$WORK/sbom-build.XXXXXX")
	mmdebstrap --quiet --variant=minbase --format=tar bookworm "$tmp/rootfs.tar"
	umoci init --layout "$tmp/layout"
	umoci new --image "$tmp/layout:deb"
	umoci unpack --image "$tmp/layout:deb" "$tmp/bundle" >/dev/null
	tar -C "$tmp/bundle/rootfs" -xf "$tmp/rootfs.tar"
	umoci repack --image "$tmp/layout:deb" "$tmp/bundle"
	skopeo copy --quiet "oci:$tmp/layout:deb" "docker-archive:$IMG.tmp:bench/debian:12"
	mkdir -p "$WORK/sbom-truth"
	tar -C "$WORK/sbom-truth" -xf "$tmp/rootfs.tar" ./var/lib/dpkg
	mv "$IMG.tmp" "$IMG"
	rm -rf "$tmp"
fi
TRUTH=$WORK/sbom-truth.txt
dpkg-query --admindir="$WORK/sbom-truth/var/lib/dpkg" -W -f '${db:Status-Status} ${Package} ${Version}\n' |
	awk '$1 != "not-installed" && $1 != "config-files" { print $2 " " $3 }' | sort -u >"$TRUTH"

CDXGEN=$WORK/cdxgen/node_modules/.bin/cdxgen
if [ ! -x "$CDXGEN" ]; then
	echo "== installing @cyclonedx/cdxgen from the npm registry"
	mkdir -p "$WORK/cdxgen"
	npm install --prefix "$WORK/cdxgen" --no-audit --no-fund --silent @cyclonedx/cdxgen >/dev/null
fi

# measure NAME CMD...: runs CMD RUNS times; prints median seconds and max RSS (KiB)
measure() {
	local name=$1
	shift
	local times=() rss=0
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f '%e %M' -o "$WORK/time.$name" "$@" >/dev/null 2>&1
		read -r t m <"$WORK/time.$name"
		times+=("$t")
		((m > rss)) && rss=$m
	done
	local median
	median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	echo "$median $rss"
}

# found FILE: how many ground-truth "name version" lines FILE's deb purls cover
found() {
	/usr/bin/python3 - "$1" "$TRUTH" <<'PY'
import json, sys, urllib.parse
doc = json.load(open(sys.argv[1]))
have = set()
for c in doc.get("components", []):
    purl = c.get("purl", "")
    if purl.startswith("pkg:deb/"):
        name = urllib.parse.unquote(purl.split("/")[2].split("@")[0])
        have.add((name, c.get("version", "")))
truth = [tuple(l.split(" ", 1)) for l in open(sys.argv[2]).read().split("\n") if l]
print(sum(1 for t in truth if t in have), len(truth))
PY
}

echo "== hull sbom (CycloneDX) vs cdxgen -t docker on $(basename "$IMG"), $RUNS runs each"
read -r h_t h_m < <(measure hull "$HULL" sbom -o "$WORK/hull.cdx.json" "docker-archive:$IMG")
"$HULL" sbom -o "$WORK/hull.cdx.json" "docker-archive:$IMG"
read -r c_t c_m < <(FETCH_LICENSE=false measure cdxgen "$CDXGEN" -t docker -o "$WORK/cdxgen.cdx.json" "$IMG")
FETCH_LICENSE=false "$CDXGEN" -t docker -o "$WORK/cdxgen.cdx.json" "$IMG" >/dev/null 2>&1
read -r h_found total < <(found "$WORK/hull.cdx.json")
read -r c_found _ < <(found "$WORK/cdxgen.cdx.json")

printf '%-8s %10s %14s %16s\n' tool "median s" "peak RSS MiB" "ground truth"
printf '%-8s %10s %14s %12s/%s\n' hull "$h_t" "$((h_m / 1024))" "$h_found" "$total"
printf '%-8s %10s %14s %12s/%s\n' cdxgen "$c_t" "$((c_m / 1024))" "$c_found" "$total"
awk -v h="$h_t" -v c="$c_t" 'BEGIN { printf "ratio cdxgen/hull time: %.1f\n", (h > 0 ? c / h : 0) }'
awk -v h="$h_m" -v c="$c_m" 'BEGIN { printf "ratio hull/cdxgen memory: %.3f\n", (c > 0 ? h / c : 0) }'
awk -v f="$h_found" -v t="$total" 'BEGIN { printf "hull ground truth: %.1f%%\n", 100 * f / t }'
awk -v f="$c_found" -v t="$total" 'BEGIN { printf "cdxgen ground truth: %.1f%%\n", 100 * f / t }'
