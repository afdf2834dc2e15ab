#!/usr/bin/env bash
# The README contract on a fresh Debian 12: builds a minimal chroot (mmdebstrap
# --variant=apt, with make, git and ca-certificates only), clones this repository's HEAD
# into it with ../shared bind-mounted read-only beside it, and runs `make` with the given
# targets there (default: demo, then .ci/run). Whatever the project forgot to install
# shows up as a failed build or as skipped tests ("N skipped" in the pytest summary).
#
#   sudo scripts/fresh-check.sh [DIR] [TARGET...]    (DIR default /tmp/hull-fresh)
#
# Needs root, mmdebstrap and Debian's mirror. A CA bundle of this machine (for a proxy in
# front of the npm registry) is copied in, and NODE_EXTRA_CA_CERTS is passed on.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-/tmp/hull-fresh}
shift || true
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=(demo ci)
SHARED=$(cd "$ROOT/../shared" && pwd)

die() { echo "fresh-check: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (chroot, mounts)"
command -v mmdebstrap >/dev/null || die "needs mmdebstrap (apt-get install mmdebstrap)"
[ -d "$SHARED" ] || die "no ../shared beside the repository"

umount_all() {
	for m in root/shared sys dev proc; do
		if mountpoint -q "$DIR/$m"; then
			umount -R "$DIR/$m" || true
		fi
	done
}
trap umount_all EXIT

if [ ! -x "$DIR/usr/bin/make" ]; then
	rm -rf "$DIR"
	mmdebstrap --variant=apt --include=make,git,ca-certificates bookworm "$DIR"
fi
cp /etc/resolv.conf "$DIR/etc/resolv.conf"
[ -f /etc/ssl/certs/ca-certificates.crt ] &&
	cp /etc/ssl/certs/ca-certificates.crt "$DIR/etc/ssl/certs/ca-certificates.crt"
mount -t proc proc "$DIR/proc"
mount --rbind /dev "$DIR/dev"
mount --rbind /sys "$DIR/sys"
mkdir -p "$DIR/root/shared"
mount --bind "$SHARED" "$DIR/root/shared"
mount -o remount,bind,ro "$DIR/root/shared"

rm -rf "$DIR/root/main"
git clone -q "$ROOT" "$DIR/root/main"
echo "== $(git -C "$DIR/root/main" log --oneline -1) in $DIR"
for t in "${TARGETS[@]}"; do
	echo "== make $t"
	if [ "$t" = ci ]; then
		cmd='bash .ci/run </dev/null'
	else
		cmd="make $t"
	fi
	chroot "$DIR" /usr/bin/env CI=true \
		${NODE_EXTRA_CA_CERTS:+NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt} \
		/bin/bash -c "cd /root/main && $cmd"
done
