#!/usr/bin/env bash
# Benchmark `hull k8s`: 10,000 manifests (BENCH_K8S_N) generated once into
# bench/work/k8s/ (varied kinds, hardened and insecure variants, several documents
# per file), checked N times (BENCH_RUNS, default 5); prints the median time,
# manifests (YAML documents) per second and the findings count of the last run.
# No peer is installed on this machine (kube-linter, kubesec and Trivy are not in
# Debian), so the figure stands alone.
set -euo pipefail

BENCH_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd -- "$BENCH_DIR/.." && pwd)
WORK=${BENCH_WORK:-$BENCH_DIR/work}
HULL=${HULL:-$ROOT/build/hull}
RUNS=${BENCH_RUNS:-5}
N=${BENCH_K8S_N:-10000}
DIR=$WORK/k8s-$N

die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }
log() { printf 'bench: %s\n' "$*" >&2; }
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ -x $HULL ]] || die "hull binary not found at '$HULL' (build it first or set HULL)"

if [[ ! -e $DIR/.complete ]]; then
  log "generating $N manifests in $DIR"
  rm -rf -- "$DIR"
  mkdir -p -- "$DIR"
  /usr/bin/python3 - "$DIR" "$N" <<'EOF'
import os, random, sys
out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
kinds = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod"]

def pod(i, bad):
    sc = "" if bad else ("      securityContext:\n        runAsNonRoot: true\n"
                         "        runAsUser: 10001\n        seccompProfile: {type: RuntimeDefault}\n")
    csc = ("          privileged: true\n          capabilities: {add: [SYS_ADMIN]}\n" if bad else
           "          allowPrivilegeEscalation: false\n          readOnlyRootFilesystem: true\n"
           "          capabilities: {drop: [ALL]}\n")
    img = "nginx:latest" if bad else "registry.example.com/app%d:1.%d@sha256:%064x" % (i, i % 9, i)
    host = "      hostNetwork: true\n      volumes:\n      - name: sock\n        hostPath: {path: /var/run/docker.sock}\n" if bad else ""
    env = "          env:\n          - {name: DB_PASSWORD, value: s3cr3t-%08x}\n" % i if bad else ""
    return (sc + host + "      containers:\n      - name: c%d\n        image: %s\n" % (i, img) +
            "        securityContext:\n" + csc.replace("          ", "          ") +
            "        resources:\n          requests: {cpu: 10m, memory: 16Mi}\n"
            "          limits: {cpu: 100m, memory: 64Mi}\n" + env.replace("          ", "        "))

def doc(i):
    k = kinds[i % len(kinds)]
    bad = rnd.random() < 0.5
    meta = "metadata:\n  name: w%d\n  namespace: %s\n" % (i, "default" if bad else "team%d" % (i % 7))
    spec = pod(i, bad)
    if k == "Pod":
        return "apiVersion: v1\nkind: Pod\n" + meta + "spec:\n" + spec.replace("\n      ", "\n  ").lstrip().replace("      ", "  ", 1) if False else \
               "apiVersion: v1\nkind: Pod\n" + meta + "spec:\n" + "\n".join(l[4:] for l in spec.splitlines()) + "\n"
    tmpl = "  template:\n    metadata: {labels: {app: w%d}}\n    spec:\n" % i + spec
    if k == "CronJob":
        return ("apiVersion: batch/v1\nkind: CronJob\n" + meta + "spec:\n  schedule: '*/5 * * * *'\n"
                "  jobTemplate:\n    spec:\n" + "\n".join("    " + l for l in tmpl.splitlines()) + "\n")
    api = "batch/v1" if k == "Job" else "apps/v1"
    sel = "" if k == "Job" else "  selector: {matchLabels: {app: w%d}}\n" % i
    return "apiVersion: %s\nkind: %s\n" % (api, k) + meta + "spec:\n" + sel + tmpl

per_file = 5
for f in range(0, n, per_file):
    with open(os.path.join(out, "m%05d.yaml" % (f // per_file)), "w") as fh:
        fh.write("---\n".join(doc(i) for i in range(f, min(n, f + per_file))))
EOF
  touch -- "$DIR/.complete"
fi

"$HULL" k8s --format json "$DIR" >"$WORK/k8s.json" 2>"$WORK/k8s.err" || true
DOCS=$(grep -c '^kind:' "$DIR"/*.yaml | awk -F: '{s += $2} END {print s}')
FILES=("$DIR"/*.yaml)
log "manifests: $DOCS in ${#FILES[@]} files; findings: $(jq '.findings | length' "$WORK/k8s.json")"
[[ -s $WORK/k8s.err ]] && log "hull stderr: $(head -c 500 "$WORK/k8s.err")"
TIMES=()
for ((r = 1; r <= RUNS; r++)); do
  t0=$EPOCHREALTIME
  "$HULL" k8s --format json "$DIR" >/dev/null 2>&1 || true
  t1=$EPOCHREALTIME
  TIMES+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
  log "run $r/$RUNS: ${TIMES[-1]}s"
done
MED=$(printf '%s\n' "${TIMES[@]}" | sort -g |
  awk '{v[NR] = $1} END {if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2}')
printf 'hull k8s: %s manifests, median %ss, %s manifests/s\n' "$DOCS" "$MED" \
  "$(awk -v d="$DOCS" -v t="$MED" 'BEGIN {printf "%.0f", d / t}')"
