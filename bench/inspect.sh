#!/usr/bin/env bash
# Benchmark `hull inspect` against the igzip decompression floor and umoci.
#
# Builds (once, cached in bench/work/) a ~1.5 GB (uncompressed) six-layer gzip OCI
# image from an mmdebstrap rootfs plus copies of real files from this machine's
# /usr, then times, on that image, N runs (BENCH_RUNS, default 5) of:
#   hull1  hull inspect --parallel 1 --format json oci:DIR:TAG > /dev/null
#   hull2  hull inspect --parallel 2 --format json oci:DIR:TAG > /dev/null
#   floor  igzip -dc of every layer blob in sequence > /dev/null (one core)
#   umoci  umoci unpack --image DIR:TAG BUNDLE
# and prints the medians and the ratios hull1/floor, hull2/floor, umoci/hull2.
#
# Environment:
#   HULL          hull binary (default: build/hull under the repository root)
#   BENCH_RUNS    timed runs of each command (default 5)
#   BENCH_WORK    cache directory (default: bench/work)
#   BENCH_NO_HULL 1 = time only the floor and umoci (no hull binary needed)
#   BENCH_REBUILD 1 = rebuild the image even if cached
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$BENCH_DIR/.." && pwd)
WORK=${BENCH_WORK:-$BENCH_DIR/work}
HULL=${HULL:-$ROOT/build/hull}
RUNS=${BENCH_RUNS:-5}
NO_HULL=${BENCH_NO_HULL:-0}
REBUILD=${BENCH_REBUILD:-0}

IMAGE=$WORK/image        # OCI layout
TAG=bench
BUNDLE=$WORK/bundle      # umoci unpack target
STAMP=$IMAGE/.complete   # written last: the cached image is whole

# Layer contents. Layer 0 is an mmdebstrap minbase rootfs; each further layer is a
# list of paths under / (missing ones are skipped). Several overlap the base
# (usr/share/doc, usr/share/locale, usr/sbin) so the image has changed files too.
LAYER_PATHS=(
  ""
  "usr/lib/gcc"
  "usr/include usr/lib/python3 usr/lib/python3.11 usr/lib/git-core"
  "usr/share/doc usr/share/locale"
  "usr/share/fpcsrc usr/share/perl usr/share/vim"
  "usr/lib/x86_64-linux-gnu/fpc usr/sbin"
)

die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'bench: %s\n' "$*" >&2; }

need() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || die "missing tool '$t' (apt-get install -y --no-install-recommends ${t/igzip/isal})"
  done
}

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
need igzip umoci jq sha256sum gzip tar openssl taskset
if [[ $NO_HULL != 1 ]]; then
  [[ -x $HULL ]] || die "hull binary not found at '$HULL' (build it first, set HULL, or BENCH_NO_HULL=1)"
fi

# ---------------------------------------------------------------- image build

sha_of() { sha256sum -- "$1" | cut -d' ' -f1; }
size_of() { stat -c %s -- "$1"; }

# build_layer I: writes $WORK/tmp/layerI.{diffid,usize} and the blob named in layerI.digest
build_layer() {
  local i=$1 tmp=$WORK/tmp tarf blob p parents=() paths=() d
  tarf=$tmp/layer$i.tar
  if [[ $i == 0 ]]; then
    need mmdebstrap
    mmdebstrap --quiet --variant=minbase --mode=root bookworm "$tarf" >&2
  else
    for p in ${LAYER_PATHS[$i]}; do
      [[ -e /$p ]] || { log "layer $i: /$p missing, skipped"; continue; }
      paths+=("$p")
      d=$(dirname -- "$p")
      while [[ $d != . ]]; do parents+=("$d"); d=$(dirname -- "$d"); done
    done
    ((${#paths[@]})) || die "layer $i: none of '${LAYER_PATHS[$i]}' exists"
    # Parent directories first (without their contents), like a real layer.
    mapfile -t parents < <(printf '%s\n' "${parents[@]}" | sort -u)
    tar -C / --create --file="$tarf" --numeric-owner --sort=name --warning=no-file-changed \
      --no-recursion "${parents[@]}" --recursion "${paths[@]}"
  fi
  sha_of "$tarf" >"$tmp/layer$i.diffid"
  size_of "$tarf" >"$tmp/layer$i.usize"
  gzip -6 -n -c -- "$tarf" >"$tmp/layer$i.tar.gz"
  rm -f -- "$tarf"
  blob=$(sha_of "$tmp/layer$i.tar.gz")
  mv -- "$tmp/layer$i.tar.gz" "$IMAGE/blobs/sha256/$blob"
  printf '%s\n' "$blob" >"$tmp/layer$i.digest"
  log "layer $i: $(cat "$tmp/layer$i.usize") bytes -> $(size_of "$IMAGE/blobs/sha256/$blob") gzip"
}

# put_blob FILE: moves a JSON file into the blob store, prints its hex digest
put_blob() {
  local hex
  hex=$(sha_of "$1")
  mv -- "$1" "$IMAGE/blobs/sha256/$hex"
  printf '%s\n' "$hex"
}

build_image() {
  local n=${#LAYER_PATHS[@]} i pids=() created diffids layers history cfg man hex
  log "building the benchmark image in $IMAGE (once; several minutes)"
  rm -rf -- "$IMAGE" "$WORK/tmp"
  mkdir -p -- "$IMAGE/blobs/sha256" "$WORK/tmp"
  # Two layers at a time (tar and gzip are single-threaded).
  for ((i = 0; i < n; i++)); do
    build_layer "$i" &
    pids+=($!)
    if ((${#pids[@]} == 2)); then
      wait "${pids[0]}" || die "building a layer failed"
      pids=("${pids[@]:1}")
    fi
  done
  for i in "${pids[@]}"; do wait "$i" || die "building a layer failed"; done

  created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  diffids='[]' layers='[]' history='[]'
  for ((i = 0; i < n; i++)); do
    local digest csize by
    digest=$(cat "$WORK/tmp/layer$i.digest")
    csize=$(size_of "$IMAGE/blobs/sha256/$digest")
    if [[ $i == 0 ]]; then by="mmdebstrap --variant=minbase --mode=root bookworm"
    else by="COPY ${LAYER_PATHS[$i]} (from the host)"; fi
    diffids=$(jq -c --arg d "sha256:$(cat "$WORK/tmp/layer$i.diffid")" '. + [$d]' <<<"$diffids")
    layers=$(jq -c --arg d "sha256:$digest" --argjson s "$csize" \
      '. + [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}]' <<<"$layers")
    history=$(jq -c --arg c "$created" --arg b "$by" '. + [{created: $c, created_by: $b}]' <<<"$history")
  done

  jq -n --arg c "$created" --argjson d "$diffids" --argjson h "$history" '{
      created: $c, architecture: "amd64", os: "linux",
      config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
               Cmd: ["/bin/bash"], WorkingDir: "/",
               Labels: {"org.opencontainers.image.title": "hull inspect benchmark"}},
      rootfs: {type: "layers", diff_ids: $d},
      history: $h}' >"$WORK/tmp/config.json"
  cfg=$(put_blob "$WORK/tmp/config.json")

  jq -n --arg c "sha256:$cfg" --argjson cs "$(size_of "$IMAGE/blobs/sha256/$cfg")" \
    --argjson l "$layers" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
      layers: $l}' >"$WORK/tmp/manifest.json"
  man=$(put_blob "$WORK/tmp/manifest.json")

  jq -n --arg m "sha256:$man" --argjson ms "$(size_of "$IMAGE/blobs/sha256/$man")" --arg t "$TAG" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m,
                   size: $ms, annotations: {"org.opencontainers.image.ref.name": $t}}]}' \
    >"$IMAGE/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}\n' >"$IMAGE/oci-layout"

  # Keep the uncompressed sizes next to the image for the summary.
  for ((i = 0; i < n; i++)); do cat "$WORK/tmp/layer$i.usize"; done >"$IMAGE/.usizes"
  rm -rf -- "$WORK/tmp"
  for hex in "$cfg" "$man"; do [[ -s $IMAGE/blobs/sha256/$hex ]] || die "blob $hex missing"; done
  touch -- "$STAMP"
}

mkdir -p -- "$WORK"
if [[ $REBUILD == 1 || ! -e $STAMP ]]; then
  build_image
fi

MANIFEST=$IMAGE/blobs/sha256/$(jq -r --arg t "$TAG" \
  '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
  "$IMAGE/index.json" | sed 's/^sha256://')
mapfile -t BLOBS < <(jq -r '.layers[].digest | sub("^sha256:"; "")' "$MANIFEST" |
  sed "s|^|$IMAGE/blobs/sha256/|")
CSIZE=$(jq '[.layers[].size] | add' "$MANIFEST")
USIZE=$(awk '{s += $1} END {print s}' "$IMAGE/.usizes")

printf 'image: oci:%s:%s\n' "$IMAGE" "$TAG"
printf 'image layers: %d\n' "${#BLOBS[@]}"
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
printf 'image compressed size: %d bytes (%s MiB)\n' "$CSIZE" "$(mib "$CSIZE")"
printf 'image uncompressed size: %d bytes (%s MiB)\n' "$USIZE" "$(mib "$USIZE")"

# ---------------------------------------------------------------- timing

SRC="oci:$IMAGE:$TAG"

run_hull1() { "$HULL" inspect --parallel 1 --format json "$SRC" >/dev/null; }
run_hull2() { "$HULL" inspect --parallel 2 --format json "$SRC" >/dev/null; }
run_floor() { local b; for b in "${BLOBS[@]}"; do igzip -dc -- "$b" || return 1; done >/dev/null; }
# Informational: the floor plus what hull must also do to check digests and DiffIDs
# (SHA-256 of each blob and of its decompressed tar), pinned to one core.
# shellcheck disable=SC2016 # the inner script expands its own arguments
run_hashfloor() {
  taskset -c 0 bash -c 'set -o pipefail; for b; do
      openssl dgst -sha256 -- "$b" >/dev/null && igzip -dc -- "$b" | openssl dgst -sha256 >/dev/null || exit 1
    done' _ "${BLOBS[@]}"
}
run_umoci() { umoci unpack --image "$IMAGE:$TAG" "$BUNDLE" >/dev/null 2>&1; }
prep_umoci() { rm -rf -- "$BUNDLE"; }

NAMES=(floor hashfloor umoci)
[[ $NO_HULL == 1 ]] || NAMES=(hull1 hull2 floor hashfloor umoci)
declare -A TIMES=()

# timed NAME: one run of run_NAME; its seconds go to LAST and are appended to TIMES[NAME]
LAST=
timed() {
  local name=$1 t0 t1
  if [[ $name == umoci ]]; then prep_umoci; fi
  t0=$EPOCHREALTIME
  "run_$name" || die "$name failed (exit $?)"
  t1=$EPOCHREALTIME
  LAST=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  TIMES[$name]+="$LAST "
}

median() { tr ' ' '\n' | sed '/^$/d' | sort -g |
  awk '{v[NR] = $1} END {if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Warm-up (page cache) and a correctness check of hull's report.
log "warm-up"
if [[ $NO_HULL != 1 ]]; then
  "$HULL" inspect --parallel 2 --format json "$SRC" >"$WORK/hull.json" 2>"$WORK/hull.err" ||
    die "hull inspect failed (exit $?): $(head -c 2000 "$WORK/hull.err")"
  [[ -s $WORK/hull.err ]] && log "hull stderr: $(head -c 2000 "$WORK/hull.err")"
  want_digest="sha256:$(basename -- "$MANIFEST")"
  jq -e --arg d "$want_digest" --argjson n "${#BLOBS[@]}" --argjson c "$CSIZE" --argjson u "$USIZE" '
      .digest == $d and (.layers | length) == $n and .size == $c and .uncompressed_size == $u' \
    "$WORK/hull.json" >/dev/null ||
    log "WARNING: hull's report disagrees with the image (want digest $want_digest, $((${#BLOBS[@]})) layers, size $CSIZE, uncompressed_size $USIZE); got: $(jq -c '{digest, layers: (.layers | length), size, uncompressed_size}' "$WORK/hull.json" 2>&1 | head -c 500)"
  "$HULL" inspect --parallel 1 --format json "$SRC" >"$WORK/hull1.json"
  cmp -s "$WORK/hull.json" "$WORK/hull1.json" || log "WARNING: --parallel 1 and --parallel 2 reports differ"
  rm -f -- "$WORK/hull1.json"
fi
for name in "${NAMES[@]}"; do
  [[ $name == hull* ]] && continue
  timed "$name"
  log "warm-up $name: ${LAST}s"
done
TIMES=()

# Timed runs, interleaved so that drift affects every command alike.
for ((r = 1; r <= RUNS; r++)); do
  line=
  for name in "${NAMES[@]}"; do
    timed "$name"
    line+="$name=${LAST}s "
  done
  log "run $r/$RUNS: $line"
done
prep_umoci

declare -A MED=()
printf '\n%-9s %-58s %9s  %s\n' name command median runs
for name in "${NAMES[@]}"; do
  MED[$name]=$(median <<<"${TIMES[$name]}")
  case $name in
    hull1) cmd="hull inspect --parallel 1 --format json" ;;
    hull2) cmd="hull inspect --parallel 2 --format json" ;;
    floor) cmd="igzip -dc of each layer blob in sequence (one core)" ;;
    hashfloor) cmd="floor + SHA-256 of blob and of tar (openssl; one core)" ;;
    umoci) cmd="umoci unpack --image DIR:TAG BUNDLE" ;;
  esac
  printf '%-9s %-58s %8ss  %s\n' "$name" "$cmd" "${MED[$name]}" "${TIMES[$name]}"
done
echo

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "inf"}'; }
printf 'median floor: %s\n' "${MED[floor]}"
printf 'median hashfloor: %s\n' "${MED[hashfloor]}"
printf 'median umoci: %s\n' "${MED[umoci]}"
printf 'throughput floor: %s MiB/s uncompressed\n' "$(awk -v u="$USIZE" -v t="${MED[floor]}" 'BEGIN {printf "%.0f", u / 1048576 / t}')"
if [[ $NO_HULL != 1 ]]; then
  r1=$(ratio "${MED[hull1]}" "${MED[floor]}")
  r2=$(ratio "${MED[hull2]}" "${MED[floor]}")
  ru=$(ratio "${MED[umoci]}" "${MED[hull2]}")
  printf 'median hull1: %s\n' "${MED[hull1]}"
  printf 'median hull2: %s\n' "${MED[hull2]}"
  printf 'ratio hull1/floor: %s\n' "$r1"
  printf 'ratio hull2/floor: %s\n' "$r2"
  printf 'ratio umoci/hull2: %s\n' "$ru"
  printf 'ratio hull1/hashfloor: %s\n' "$(ratio "${MED[hull1]}" "${MED[hashfloor]}")"
  printf 'target hull1/floor <= 1.30: %s\n' "$(awk -v r="$r1" 'BEGIN {print (r <= 1.30 ? "PASS" : "FAIL")}')"
  printf 'target hull2/floor < 1.00: %s\n' "$(awk -v r="$r2" 'BEGIN {print (r < 1.00 ? "PASS" : "FAIL")}')"
fi
