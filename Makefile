# Thin wrapper over Meson. Every target installs missing Debian packages first, so a
# fresh Debian 12 machine needs nothing but `make demo` or `make check`.

SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
PY := /usr/bin/python3

# Build and test dependencies (Debian 12 package names).
DEB_PACKAGES := meson ninja-build pkg-config gcc clang libclang-rt-14-dev \
	libarchive-dev libisal-dev isal libzstd-dev zstd libjansson-dev libssl-dev \
	libsqlite3-dev rpm db-util ruby php-cli composer php-composer-spdx-licenses \
	zlib1g-dev binutils golang-go default-jdk-headless maven nodejs \
	libcmocka-dev python3 python3-pytest python3-jsonschema mmdebstrap umoci skopeo \
	ca-certificates tar gzip clang-format jq libfyaml-dev \
	libcurl4-openssl-dev docker-registry apache2-utils zsh groff-base chromium \
	shellcheck patch git python3-yaml libhyperscan-dev libpcre2-dev \
	libstdc++-12-dev lld cargo

# The version-comparison oracles of tests/cli/test_vercmp.py (dpkg, rpm, packaging, Go
# x/mod, Maven, RubyGems, Composer); npm only when no npm is installed (NodeSource's
# nodejs brings its own and conflicts with Debian's).
DEB_PACKAGES += python3-rpm python3-packaging php-composer-semver golang-golang-x-mod-dev \
	$(if $(shell command -v npm 2>/dev/null),,npm)

.PHONY: man all deps build asan fuzz-build demo check test unit cli fuzz-smoke bench format clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Status}\n' $$p 2>/dev/null | grep -qx installed || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
		$$SUDO apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(ASAN_BUILD)/build.ninja: | deps
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

asan: deps $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

$(FUZZ_BUILD)/build.ninja: | deps
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Dtests=false -Db_lundef=false

fuzz-build: deps $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)

demo: build
	scripts/demo.sh $(BUILD)/hull

# Unit + CLI tests on the normal build, the same again under ASan+UBSan, then each
# fuzz target for a few seconds. Ends with "N passed, N failed".
check: build asan fuzz-build
	$(PY) scripts/check.py --build $(BUILD) --asan $(ASAN_BUILD) --fuzz $(FUZZ_BUILD)

unit: build
	$(PY) scripts/check.py --build $(BUILD) --only unit

cli: build
	$(PY) scripts/check.py --build $(BUILD) --only cli

fuzz-smoke: fuzz-build
	$(PY) scripts/check.py --fuzz $(FUZZ_BUILD) --only fuzz

bench: build
	HULL=$(BUILD)/hull bench/inspect.sh
	HULL=$(BUILD)/hull bench/sbom.sh
	HULL=$(BUILD)/hull bench/lint.sh
	HULL=$(BUILD)/hull bench/secrets.sh
	HULL=$(BUILD)/hull bench/k8s.sh
	HULL=$(BUILD)/hull bench/match.sh
	HULL=$(BUILD)/hull bench/vulndb.sh
	HULL=$(BUILD)/hull bench/registry.sh

# man/hull.1 from the help texts (tests/cli/test_man.py checks it is current).
man: build
	$(PY) scripts/genman.py $(BUILD)/hull man/hull.1

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
