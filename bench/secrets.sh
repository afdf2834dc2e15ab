#!/usr/bin/env bash
# Benchmark the secret scanner: what adding it costs over the package inventory alone,
# on the ~1.5 GB six-layer image of bench/inspect.sh (built there once, cached in
# bench/work/image), with igzip -dc as the decompression floor. In one run, N times
# (BENCH_RUNS, default 5) each, interleaved:
#   floor      igzip -dc of every layer blob > /dev/null (one core)
#   inventory  hull sbom --format json                  (layers + catalogers)
#   secrets    hull image --scanners secret -f cyclonedx (the inventory, as above, plus
#              every file of every layer through the secret scanner)
#   all        hull image --scanners secret,misconfig -f json (secrets + hardening checks)
# and prints the medians, the throughput in MB/s of file content (the image's
# uncompressed bytes over the time) and secrets/inventory (target: at most 1.15).
#
# Environment: HULL (default build/hull), BENCH_RUNS, BENCH_WORK (default bench/work).
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$BENCH_DIR/.." && pwd)
WORK=${BENCH_WORK:-$BENCH_DIR/work}
HULL=${HULL:-$ROOT/build/hull}
RUNS=${BENCH_RUNS:-5}
IMAGE=$WORK/image
TAG=bench

die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'bench: %s\n' "$*" >&2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
[[ -x $HULL ]] || die "hull binary not found at '$HULL' (build it first or set HULL)"
for t in igzip jq; do command -v "$t" >/dev/null || die "missing tool '$t'"; done
if [[ ! -e $IMAGE/.complete ]]; then
  log "building the benchmark image with bench/inspect.sh (once)"
  BENCH_NO_HULL=1 BENCH_RUNS=1 BENCH_WORK=$WORK "$BENCH_DIR/inspect.sh" >/dev/null
fi

MANIFEST=$IMAGE/blobs/sha256/$(jq -r --arg t "$TAG" \
  '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
  "$IMAGE/index.json" | sed 's/^sha256://')
mapfile -t BLOBS < <(jq -r '.layers[].digest | sub("^sha256:"; "")' "$MANIFEST" |
  sed "s|^|$IMAGE/blobs/sha256/|")
USIZE=$(awk '{s += $1} END {print s}' "$IMAGE/.usizes")
SRC="oci:$IMAGE:$TAG"
printf 'image: %s (%d layers, %d bytes uncompressed)\n' "$SRC" "${#BLOBS[@]}" "$USIZE"

run_floor() { local b; for b in "${BLOBS[@]}"; do igzip -dc -- "$b" || return 1; done >/dev/null; }
run_inventory() { "$HULL" sbom --format json "$SRC" >/dev/null; }
run_secrets() { "$HULL" image --scanners secret --format cyclonedx "$SRC" >/dev/null; }
run_all() { "$HULL" image --scanners secret,misconfig --format json "$SRC" >/dev/null; }
NAMES=(floor inventory secrets all)
declare -A TIMES=()
LAST=
timed() {
  local t0 t1
  t0=$EPOCHREALTIME
  "run_$1" || die "$1 failed (exit $?)"
  t1=$EPOCHREALTIME
  LAST=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  TIMES[$1]+="$LAST "
}
median() { tr ' ' '\n' | sed '/^$/d' | sort -g |
  awk '{v[NR] = $1} END {if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

log "warm-up"
for name in "${NAMES[@]}"; do timed "$name"; done
# The secret scan really ran: the image holds real files, so report what it found.
"$HULL" image --scanners secret --format json "$SRC" >"$WORK/secrets.json"
log "secret findings on the benchmark image: $(jq '.findings | length' "$WORK/secrets.json")"
TIMES=()
for ((r = 1; r <= RUNS; r++)); do
  line=
  for name in "${NAMES[@]}"; do
    timed "$name"
    line+="$name=${LAST}s "
  done
  log "run $r/$RUNS: $line"
done

declare -A MED=()
printf '\n%-10s %-52s %9s %10s\n' name command median 'MB/s'
for name in "${NAMES[@]}"; do
  MED[$name]=$(median <<<"${TIMES[$name]}")
  case $name in
    floor) cmd="igzip -dc (every layer, one core)" ;;
    inventory) cmd="hull sbom --format json" ;;
    secrets) cmd="hull image --scanners secret --format cyclonedx" ;;
    all) cmd="hull image --scanners secret,misconfig --format json" ;;
  esac
  printf '%-10s %-52s %8ss %10s\n' "$name" "$cmd" "${MED[$name]}" \
    "$(awk -v b="$USIZE" -v t="${MED[$name]}" 'BEGIN {printf "%.0f", b / 1e6 / t}')"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
printf '\nsecrets/inventory: %s (target <= 1.15)\n' "$(ratio "${MED[secrets]}" "${MED[inventory]}")"
printf 'all/inventory:     %s\n' "$(ratio "${MED[all]}" "${MED[inventory]}")"
printf 'secrets/floor:     %s\n' "$(ratio "${MED[secrets]}" "${MED[floor]}")"
