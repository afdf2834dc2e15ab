#!/bin/sh
# Downloads python3.11-minimal and what it needs at run time (Debian 12) into ./debs.
# hull build does not resolve dependencies: this list is the closure of Depends.
set -eu
cd "$(dirname "$0")"
mkdir -p debs
cd debs
apt-get download python3.11-minimal libpython3.11-minimal libexpat1 zlib1g libc6 \
	libgcc-s1 gcc-12-base libssl3
