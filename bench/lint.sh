#!/usr/bin/env bash
# hull lint against dockerfilelint (npm) on the same generated corpus of Dockerfiles, in one
# run: each tool lints every file in one process; wall time is the median of BENCH_RUNS
# (the two tools' runs alternate).
# Prints files/second for each and the ratio. hull runs with --no-shellcheck for the
# comparison (dockerfilelint has no ShellCheck); the figure with ShellCheck on is printed too.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
HULL=${HULL:-$ROOT/build/hull}
WORK=${BENCH_WORK:-$ROOT/bench/work}
RUNS=${BENCH_RUNS:-3}
NFILES=${BENCH_LINT_FILES:-2000}
mkdir -p "$WORK"

die() { echo "bench/lint.sh: $*" >&2; exit 1; }
[ -x "$HULL" ] || die "no hull binary at $HULL (make build, or set HULL)"
HULL=$(realpath "$HULL") # the runs below happen inside the corpus directory
((NFILES >= 1000)) || die "BENCH_LINT_FILES must be at least 1000"

DFL=$WORK/dockerfilelint/node_modules/.bin/dockerfilelint
if [ ! -x "$DFL" ]; then
	echo "== installing dockerfilelint from the npm registry"
	mkdir -p "$WORK/dockerfilelint"
	[ -f "$WORK/dockerfilelint/package.json" ] || echo '{"private":true}' >"$WORK/dockerfilelint/package.json"
	(cd "$WORK/dockerfilelint" && npm install --no-audit --no-fund --silent dockerfilelint >/dev/null)
fi

CORPUS=$WORK/lint-corpus-$NFILES
if [ ! -f "$CORPUS/.done" ]; then
	echo "== generating $NFILES Dockerfiles in $CORPUS"
	rm -rf "$CORPUS"
	mkdir -p "$CORPUS"
	/usr/bin/python3 - "$CORPUS" "$NFILES" <<'PY'
import random, sys
out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
bases = ["debian:12", "debian:bookworm-slim", "ubuntu:22.04", "alpine:3.20", "python:3.12-slim",
         "node:20", "golang:1.22", "rockylinux:9", "fedora:40", "opensuse/leap:15.5",
         "nginx:latest", "busybox", "gcr.io/distroless/static:nonroot",
         "registry.example.com:5000/team/app:1.2.3",
         "debian@sha256:" + "ab" * 32]
pkgs = ["curl", "ca-certificates", "git", "make", "gcc", "libssl-dev", "python3", "jq", "vim",
        "unzip", "wget", "tzdata", "openssh-client"]

def pick(k):
    return " ".join(rnd.sample(pkgs, k))

def apt():
    v = rnd.random()
    p = pick(rnd.randint(1, 5))
    if v < 0.3:
        return f"RUN apt-get update && apt-get install -y {p}"
    if v < 0.6:
        return ("RUN apt-get update \\\n    && apt-get install -y --no-install-recommends \\\n"
                + "".join(f"      {x}=1.{rnd.randint(0, 9)} \\\n" for x in p.split())
                + "    && rm -rf /var/lib/apt/lists/*")
    return f"RUN apt install {p}"

def run():
    kind = rnd.choice(["apt", "apk", "pip", "npm", "yum", "dnf", "zypper", "curl", "heredoc",
                       "misc", "gem", "go"])
    if kind == "apt":
        return apt()
    if kind == "apk":
        return rnd.choice([f"RUN apk add --no-cache {pick(2)}", f"RUN apk add {pick(3)}",
                           f"RUN apk update && apk add curl=8.5.0-r0 && rm -rf /var/cache/apk/*"])
    if kind == "pip":
        return rnd.choice(["RUN pip install flask", "RUN pip install --no-cache-dir -r requirements.txt",
                           "RUN python3 -m pip install --user django==4.2 requests>=2"])
    if kind == "npm":
        return rnd.choice(["RUN npm ci --omit=dev", "RUN npm install express",
                           "RUN npm install -g yarn@1.22.19 && yarn install && yarn cache clean"])
    if kind == "yum":
        return "RUN yum install -y httpd-2.4 && yum clean all"
    if kind == "dnf":
        return rnd.choice(["RUN dnf install -y nginx", "RUN dnf install -y nginx-1.24.0 && dnf clean all"])
    if kind == "zypper":
        return "RUN zypper install -y git=2.35 && zypper clean"
    if kind == "curl":
        return rnd.choice(["RUN curl -fsSL https://get.example.sh | sh",
                           "RUN wget -qO- https://example.org/x.tar.gz | tar xz -C /opt",
                           "RUN curl -fsSLo /tmp/x.tgz https://example.org/x.tgz && tar -xzf /tmp/x.tgz -C /opt"])
    if kind == "heredoc":
        return ("RUN <<EOF\nset -eux\nfor f in a b c; do\n  echo \"$f\" > /tmp/$f\ndone\n"
                "cd /tmp && ls\nEOF")
    if kind == "gem":
        return "RUN gem install bundler:2.5.0"
    if kind == "go":
        return rnd.choice(["RUN go install example.com/tool@v1.2.3", "RUN go build -o /out/app ./cmd/app"])
    return rnd.choice(["RUN cd /src && make && make install", "RUN useradd -u 100000 app",
                       "RUN echo $HOME && ls -la | grep x", "RUN sudo chown -R app /app",
                       "RUN ln -sf /bin/bash /bin/sh", "RUN mkdir -p /app/data && chmod 0755 /app"])

def stage(i, last, names):
    lines = []
    base = rnd.choice(bases) if not names or rnd.random() < 0.6 else names[-1]
    alias = f"stage{i}"
    lines.append(f"FROM {base} AS {alias}" if not last or rnd.random() < 0.3 else f"FROM {base}")
    names.append(alias)
    for _ in range(rnd.randint(2, 9)):
        r = rnd.random()
        if r < 0.45:
            lines.append(run())
        elif r < 0.52:
            lines.append(rnd.choice(["ENV PATH=/opt/bin:$PATH LANG=C.UTF-8", "ENV A=1 B=$A",
                                     "ARG VERSION=1.0", "ARG NPM_TOKEN", "ENV API_KEY=abc"]))
        elif r < 0.6:
            lines.append(rnd.choice(["WORKDIR /app", "WORKDIR app", "WORKDIR /src"]))
        elif r < 0.7:
            lines.append(rnd.choice(["COPY . .", "COPY package.json package-lock.json ./",
                                     "ADD app.conf /etc/app.conf", "ADD https://example.org/f /f",
                                     "COPY --chown=app:app src/ /app/src/",
                                     f"COPY --from={rnd.choice(names)} /out/app /usr/local/bin/app"]))
        elif r < 0.76:
            lines.append(rnd.choice(["LABEL maintainer=\"me@example.com\" version=1.0",
                                     "LABEL org.opencontainers.image.source=https://example.org/x",
                                     "MAINTAINER someone"]))
        elif r < 0.8:
            lines.append(rnd.choice(["EXPOSE 8080", "EXPOSE 80/tcp 443", "EXPOSE 70000"]))
        elif r < 0.84:
            lines.append("# hadolint ignore=DL3008,DL3015")
            lines.append(apt())
        elif r < 0.88:
            lines.append("# a comment about the next step")
        elif r < 0.92:
            lines.append("SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]")
        else:
            lines.append("HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1")
    if last:
        lines.append(rnd.choice(["USER app", "USER 10001", "USER root", ""]))
        lines.append(rnd.choice(['CMD ["./app", "--serve"]', "CMD ./app --serve",
                                 'ENTRYPOINT ["/usr/local/bin/app"]', "ENTRYPOINT app run"]))
    return [l for l in lines if l]

for k in range(n):
    names = []
    nst = rnd.choice([1, 1, 2, 2, 3])
    text = []
    if rnd.random() < 0.2:
        text.append("# syntax=docker/dockerfile:1")
    if rnd.random() < 0.2:
        text.append("ARG BASE=debian:12")
    for i in range(nst):
        text += stage(i, i == nst - 1, names)
        text.append("")
    with open(f"{out}/d{k:05d}.Dockerfile", "w") as f:
        f.write("\n".join(text))
PY
	touch "$CORPUS/.done"
fi
FILES=("$CORPUS"/d*.Dockerfile)
N=${#FILES[@]}

# once NAME CMD...: runs CMD once (output to $WORK/out.NAME), prints its microseconds.
# The clock is bash's: no date(1) forked inside the timing. The exit status is not checked
# (dockerfilelint exits with its issue count); the JSON output is, below.
once() {
	local name=$1 t0 t1
	shift
	t0=${EPOCHREALTIME/./}
	"$@" >"$WORK/out.$name" 2>"$WORK/err.$name" || true
	t1=${EPOCHREALTIME/./}
	echo "$((t1 - t0))"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.6f\n", a[int((NR+1)/2)] / 1e6}'; }

# seconds NAME CMD...: the median of RUNS runs of CMD, in seconds
seconds() {
	local times=()
	for ((i = 0; i < RUNS; i++)); do
		times+=("$(once "$@")")
	done
	median "${times[@]}"
}
rate() { awk -v n="$N" -v s="$1" 'BEGIN { printf "%.0f", n / s }'; }

echo "== hull lint vs dockerfilelint $("$DFL" --version 2>/dev/null || true) on $N generated Dockerfiles, $RUNS runs each"
cd "$CORPUS"
# the two tools alternate, run by run, so that both see the same load on a shared machine
# floor: cat(1) reading every file and hull's report into one output file, with no
# linting at all: the bytes any tool must read and write to give that report, so d_s / f_s
# is the highest ratio to dockerfilelint that a linter can reach on this machine.
h_t=() d_t=() f_t=()
for ((r = 0; r < RUNS; r++)); do
	h_t+=("$(once hull "$HULL" lint --no-shellcheck -f json "${FILES[@]##*/}")")
	((r)) || cp "$WORK/out.hull" "$WORK/floor-report.json"
	d_t+=("$(once dockerfilelint "$DFL" -j "${FILES[@]##*/}")")
	f_t+=("$(once cat cat "${FILES[@]##*/}" "$WORK/floor-report.json")")
done
h_s=$(median "${h_t[@]}") d_s=$(median "${d_t[@]}") f_s=$(median "${f_t[@]}")
[ "$(wc -c <"$WORK/out.cat")" -eq "$(cat "${FILES[@]##*/}" "$WORK/floor-report.json" | wc -c)" ] ||
	die "cat: short output"
h_n=$(jq -e 'if type == "array" then length else error("not an array") end' "$WORK/out.hull") || die "hull: no JSON output: $(head -3 "$WORK/err.hull")"
d_n=$(jq '[.files[].issues | length] | add' "$WORK/out.dockerfilelint") ||
	die "dockerfilelint: no JSON output: $(head -3 "$WORK/err.dockerfilelint")"
[ "$(jq '.files | length' "$WORK/out.dockerfilelint")" -eq "$N" ] || die "dockerfilelint skipped files"
# context: dockerfilelint run once per file (as a loop over files would), on a sample,
# and one hull run on one file (its fixed start-up: the secret patterns are compiled)
SAMPLE=("${FILES[@]:0:50}")
per_file() { for f in "${SAMPLE[@]##*/}"; do "$DFL" -j "$f" >/dev/null 2>&1 || true; done; }
dp_s=$(RUNS=1 seconds dfl-per-file per_file)
h1_s=$(seconds hull-one "$HULL" lint --no-shellcheck -f json "${FILES[0]##*/}")
h1c_s=$(HULL_SECRET_CACHE=0 seconds hull-one-cold "$HULL" lint --no-shellcheck -f json "${FILES[0]##*/}")
sc_s=$(RUNS=1 seconds hull-sc "$HULL" lint -f json "${FILES[@]##*/}")
sc_n=$(jq -e '[.[] | select(.code | startswith("SC"))] | length' "$WORK/out.hull-sc") ||
	die "hull (ShellCheck on): no JSON output"

printf '%-34s %10s %12s %10s\n' tool seconds files/s findings
printf '%-34s %10.3f %12s %10s\n' "hull lint --no-shellcheck" "$h_s" "$(rate "$h_s")" "$h_n"
printf '%-34s %10.3f %12s %10s\n' "dockerfilelint" "$d_s" "$(rate "$d_s")" "$d_n"
printf '%-34s %10.3f %12s %10s\n' "hull lint (ShellCheck on, 1 run)" "$sc_s" "$(rate "$sc_s")" "$sc_n SC"
printf '%-34s %10.3f %12s %10s\n' "floor: cat of the files + report" "$f_s" "$(rate "$f_s")" -
awk -v h="$h_s" -v d="$d_s" 'BEGIN { printf "hull is %.1fx dockerfilelint, both with all files in one process (targets: >= 5000 files/s, >= 50x)\n", d / h }'
awk -v f="$f_s" -v d="$d_s" -v h="$h_s" 'BEGIN { printf "floor: reading the files and writing the report alone is %.1fx dockerfilelint (the ceiling for any linter here; 50x needs %.4f s); hull takes %.1fx the floor\n", d / f, d / 50, h / f }'
awk -v s="$dp_s" -v h="$h_s" -v n="$N" 'BEGIN { r = 50 / s; printf "dockerfilelint one process per file (50-file sample): %.0f files/s; hull is %.0fx that\n", r, (n / h) / r }'
awk -v s="$h1_s" -v c="$h1c_s" 'BEGIN { printf "hull lint on one file: %.3f s (secret patterns from the cache), %.3f s (compiled, HULL_SECRET_CACHE=0)\n", s, c }'
