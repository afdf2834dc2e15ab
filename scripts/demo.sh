#!/usr/bin/env bash
# make demo: builds a small real multi-layer image (a Debian 12 minbase rootfs made
# with mmdebstrap, then an application layer that adds, replaces and deletes files,
# packed with umoci), then inspects it, scans it and lists its packages with hull.
set -euo pipefail
HULL=${1:-build/hull}
WORK=${HULL_DEMO_DIR:-build/demo}
mkdir -p "$WORK"
LAYOUT=$WORK/image
if [ ! -f "$LAYOUT/index.json" ] || ! grep -q '"demo"' "$LAYOUT/index.json"; then
	rm -rf "$LAYOUT" "$WORK/bundle"
	if [ ! -f "$WORK/rootfs.tar" ]; then
		echo "== building a Debian 12 minbase rootfs with mmdebstrap (about 20 s)"
		mmdebstrap --quiet --format=tar --variant=minbase bookworm "$WORK/rootfs.tar.tmp"
		mv "$WORK/rootfs.tar.tmp" "$WORK/rootfs.tar"
	fi
	echo "== packing it as an OCI image with umoci"
	umoci init --layout "$LAYOUT"
	umoci new --image "$LAYOUT:demo"
	umoci unpack --image "$LAYOUT:demo" "$WORK/bundle" >/dev/null
	tar -C "$WORK/bundle/rootfs" -xf "$WORK/rootfs.tar"
	umoci repack --refresh-bundle --image "$LAYOUT:demo" --history.created_by "mmdebstrap --variant=minbase bookworm" "$WORK/bundle"
	echo "== adding an application layer (adds, replaces and deletes files)"
	mkdir -p "$WORK/bundle/rootfs/app"
	head -c 2000000 /dev/urandom >"$WORK/bundle/rootfs/app/data.bin"
	printf '#!/bin/sh\necho hello\n' >"$WORK/bundle/rootfs/app/run.sh"
	chmod 0755 "$WORK/bundle/rootfs/app/run.sh"
	rm -rf "$WORK/bundle/rootfs/usr/share/doc" "$WORK/bundle/rootfs/usr/share/man"
	umoci repack --refresh-bundle --image "$LAYOUT:demo" --history.created_by "COPY app /app; RUN rm -rf /usr/share/doc /usr/share/man" "$WORK/bundle"
	echo "== a third layer replaces the application data"
	head -c 1500000 /dev/urandom >"$WORK/bundle/rootfs/app/data.bin"
	umoci repack --refresh-bundle --image "$LAYOUT:demo" --history.created_by "COPY data.bin /app/" "$WORK/bundle"
	umoci config --image "$LAYOUT:demo" --config.user 65532:65532 \
		--config.entrypoint /app/run.sh --config.workingdir /app \
		--config.env APP_ENV=demo --config.exposedports 8080/tcp \
		--config.label org.opencontainers.image.title=hull-demo
	rm -rf "$WORK/bundle"
fi
echo
echo "== hull inspect oci:$LAYOUT:demo"
"$HULL" inspect "oci:$LAYOUT:demo"
echo
echo "== the same as JSON (first lines; the shape is in docs/inspect.md)"
"$HULL" inspect --format json "oci:$LAYOUT:demo" | sed -n 1,30p
echo
echo "== hull image oci:$LAYOUT:demo (secrets and hardening checks)"
"$HULL" image "oci:$LAYOUT:demo"
echo
echo "== hull sbom -f table oci:$LAYOUT:demo (first lines)"
"$HULL" sbom -f table "oci:$LAYOUT:demo" | sed -n 1,15p
