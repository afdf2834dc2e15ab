#!/usr/bin/env bash
# Benchmark hull against skopeo on a registry: pull+scan of a large image.
#
# Builds (once, cached in bench/work/registry-image) a six-layer gzip OCI image of about
# 1.2 GB uncompressed / 0.6 GB compressed (files of random blocks alternating with
# runs of repeated bytes, so gzip halves them), starts Debian's docker-registry on
# 127.0.0.1 with its storage in a temporary directory, pushes the image there with
# skopeo, then times N rounds (BENCH_RUNS, default 3) of, interleaved:
#   image   hull image -f json docker://HOST/bench:1 > /dev/null   (pull + scan, streamed)
#   pull    hull pull docker://HOST/bench:1 oci:DIR:1             (empty blob cache)
#   skopeo  skopeo copy docker://HOST/bench:1 oci:DIR:1
# and prints the medians and the ratios image/skopeo and pull/skopeo.
#
# Environment:
#   HULL           hull binary (default: build/hull under the repository root)
#   BENCH_RUNS     timed rounds (default 3)
#   BENCH_WORK     cache directory (default: bench/work)
#   BENCH_REBUILD  1 = rebuild the image even if cached
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$BENCH_DIR/.." && pwd)
WORK=${BENCH_WORK:-$BENCH_DIR/work}
HULL=${HULL:-$ROOT/build/hull}
RUNS=${BENCH_RUNS:-3}
REBUILD=${BENCH_REBUILD:-0}

IMAGE=$WORK/registry-image
STAMP=$IMAGE/.complete
LAYERS=6
FILES_PER_LAYER=25
FILE_MB=8

die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'bench: %s\n' "$*" >&2; }

need() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || die "missing tool '$t'"
  done
}

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not '$RUNS'"
need docker-registry skopeo python3 igzip sha256sum curl
[[ -x $HULL ]] || die "hull binary not found at '$HULL' (build it first or set HULL)"

build_image() {
  log "building the image in $IMAGE (once)"
  rm -rf "$IMAGE"
  mkdir -p "$IMAGE/blobs/sha256"
  local tmp=$IMAGE/tmp
  mkdir -p "$tmp"
  local diff_ids=() digests=() sizes=()
  local i
  for ((i = 0; i < LAYERS; i++)); do
    python3 - "$tmp/layer.tar" "$i" "$FILES_PER_LAYER" "$FILE_MB" <<'EOF'
import io, os, random, sys, tarfile
out, layer, nfiles, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(layer)
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
    d = tarfile.TarInfo("data%d" % layer)
    d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, 1700000000
    tf.addfile(d)
    for f in range(nfiles):
        blocks = []
        for _ in range(mb * 16):  # 64 KiB blocks: 32 KiB random, 32 KiB of one byte
            blocks.append(rng.randbytes(32768))
            blocks.append(bytes([rng.randrange(256)]) * 32768)
        data = b"".join(blocks)
        ti = tarfile.TarInfo("data%d/file%03d.bin" % (layer, f))
        ti.size, ti.mode, ti.mtime = len(data), 0o644, 1700000000
        tf.addfile(ti, io.BytesIO(data))
EOF
    diff_ids+=("sha256:$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)")
    igzip -1 -c "$tmp/layer.tar" >"$tmp/layer.tar.gz"
    local d
    d=$(sha256sum "$tmp/layer.tar.gz" | cut -d' ' -f1)
    sizes+=("$(stat -c %s "$tmp/layer.tar.gz")")
    digests+=("sha256:$d")
    mv "$tmp/layer.tar.gz" "$IMAGE/blobs/sha256/$d"
    rm -f "$tmp/layer.tar"
  done
  python3 - "$IMAGE" "${diff_ids[*]}" "${digests[*]}" "${sizes[*]}" <<'EOF'
import hashlib, json, os, sys
root, diff_ids, digests, sizes = sys.argv[1], *[a.split() for a in sys.argv[2:]]
def blob(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(root, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return "sha256:" + d, len(data)
cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
cd, cs = blob(cfg)
man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                  "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                             "digest": cd, "size": cs},
                  "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                              "digest": d, "size": int(s)} for d, s in zip(digests, sizes)]
                  }).encode()
md, ms = blob(man)
with open(os.path.join(root, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
         "annotations": {"org.opencontainers.image.ref.name": "bench"}}]}, f)
with open(os.path.join(root, "oci-layout"), "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')
print(md, file=sys.stderr)
EOF
  rmdir "$tmp"
  touch "$STAMP"
}

if [[ $REBUILD == 1 || ! -f $STAMP ]]; then
  build_image
fi
COMP=$(du -sb "$IMAGE/blobs" | cut -f1)
log "image: $((COMP / 1000000)) MB compressed, $LAYERS layers"

# A registry on loopback, its storage and the copies in a temporary directory.
RUN=$(mktemp -d "${TMPDIR:-/tmp}/hull-bench-registry.XXXXXX")
REG_PID=
cleanup() {
  [[ -n $REG_PID ]] && kill "$REG_PID" 2>/dev/null && wait "$REG_PID" 2>/dev/null
  rm -rf "$RUN"
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HOST=127.0.0.1:$PORT
cat >"$RUN/config.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $RUN/storage
http:
  addr: $HOST
EOF
docker-registry serve "$RUN/config.yml" >"$RUN/registry.log" 2>&1 &
REG_PID=$!
for _ in $(seq 100); do
  curl -fsS "http://$HOST/v2/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://$HOST/v2/" >/dev/null || die "docker-registry did not start (see $RUN/registry.log)"
skopeo --insecure-policy copy -q --preserve-digests --dest-tls-verify=false \
  "oci:$IMAGE:bench" "docker://$HOST/bench:1" >/dev/null
REF=$HOST/bench:1

# Seconds (3 decimals) that "$@" takes; its output goes to $RUN/out.
timed() {
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$RUN/out" 2>"$RUN/err" || { cat "$RUN/err" >&2; die "failed: $*"; }
  t1=$(date +%s.%N)
  python3 -c "print('%.3f' % ($t1 - $t0))"
}

run_image() { XDG_CACHE_HOME=$RUN/cache-image "$HULL" image -f json "docker://$REF"; }
run_pull() {
  rm -rf "$RUN/cache-pull" "$RUN/hull-oci"
  XDG_CACHE_HOME=$RUN/cache-pull "$HULL" pull "docker://$REF" "oci:$RUN/hull-oci:1"
}
run_skopeo() {
  rm -rf "$RUN/skopeo-oci"
  skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$REF" "oci:$RUN/skopeo-oci:1"
}

# Warm-up, and a check that hull saw the whole image.
timed run_image >/dev/null
python3 - "$RUN/out" <<'EOF' || die "hull image's report does not match the image"
import json, sys
doc = json.load(open(sys.argv[1]))
art = doc.get("artifact") or {}
assert art.get("digest", "").startswith("sha256:"), art
EOF
timed run_pull >/dev/null
timed run_skopeo >/dev/null

declare -A T
for ((r = 0; r < RUNS; r++)); do
  T[image]+="$(timed run_image) "
  T[pull]+="$(timed run_pull) "
  T[skopeo]+="$(timed run_skopeo) "
done

median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '%-8s %8s   %s\n' name median runs
for k in image pull skopeo; do
  printf '%-8s %8s   %s\n' "$k" "$(median "${T[$k]}")" "${T[$k]}"
done
MI=$(median "${T[image]}")
MP=$(median "${T[pull]}")
MS=$(median "${T[skopeo]}")
echo "image: $((COMP / 1000000)) MB compressed, $LAYERS layers"
echo "median image: $MI"
echo "median pull: $MP"
echo "median skopeo: $MS"
python3 -c "print('ratio image/skopeo: %.2f' % ($MI / $MS)); print('ratio pull/skopeo: %.2f' % ($MP / $MS))"
