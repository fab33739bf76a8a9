# customs — build, test, demo, benchmark. Quick start: `make demo`, `make test`.
#
#   make deps     install Debian packages (as root), npm dependencies; idempotent
#   make build    compile src/ → dist/ and test/ → dist-test/
#   make lint     biome check (format + lint), dependency-cruiser layer rules, tsc --noEmit
#   make test     deps → dockerd → build → lint → unit tests → integration/e2e tests → fuzzing (40 s)
#   make demo     offline: build a demo image from demo/rootfs-layers and print its SBOM
#   make bench    customs vs Trivy on a ≥ 500 MB, ≥ 500-package image; admission latency at 500 req/s; rescans over 20,000 stored images;
#                 dashboard search keystroke→results with 20,000 images (perf/)
#   make fuzz     fuzz the parsers of attacker bytes for FUZZ_SECONDS (600), random seed (docs/security.md)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

NODE        ?= node
TSC         := npx --no-install tsc
BIOME       := npx --no-install biome
DEPCRUISE   := npx --no-install depcruise
# Test files run in parallel processes; the e2e files serialise their Docker setup with locks.
TEST_CONCURRENCY ?= 2
# Node 20's --test takes file names, not globs: list them.
UNIT_TESTS   = $(shell find dist -name '*.test.js' 2>/dev/null | sort)
SYSTEM_TESTS = $(shell find dist-test/test -name '*.test.js' 2>/dev/null | sort)

.PHONY: help deps deps-npm dockerd build lint typecheck test test-unit test-system test-fuzz fuzz demo bench clean

help:
	@sed -n 's/^#   //p' Makefile

deps:
	SKIP_BUILD=1 bash scripts/install-deps.sh

# npm only: what `make demo` needs (no Debian packages, so it stays offline).
deps-npm:
	SKIP_BUILD=1 SKIP_DEBIAN=1 bash scripts/install-deps.sh

dockerd:
	bash scripts/start-dockerd.sh

# A clean emit: files of deleted sources must not leave stale tests behind.
build:
	rm -rf dist dist-test
	$(TSC) -p tsconfig.json
	$(TSC) -p test/tsconfig.json
	$(NODE) scripts/bundle.mjs
	$(NODE) scripts/web-build.mjs
	bash scripts/build-native.sh

typecheck:
	$(TSC) -p tsconfig.json --noEmit
	$(TSC) -p test/tsconfig.json --noEmit
	$(TSC) -p web/tsconfig.json

lint: typecheck
	$(BIOME) check --diagnostic-level=error
	$(DEPCRUISE) src --config .dependency-cruiser.cjs

# Released read buffers are filled with garbage in every test run, so a reader that keeps bytes
# past their release fails loudly (src/image/chunk-pool.ts).
test-unit test-system test-fuzz: export CUSTOMS_POISON_RELEASED_CHUNKS = 1

test-unit:
	$(NODE) --test --test-concurrency=$(TEST_CONCURRENCY) $(UNIT_TESTS)

test-system:
	$(NODE) --test --test-concurrency=$(TEST_CONCURRENCY) $(SYSTEM_TESTS)

# Fuzzing (docs/security.md "Fuzzing"): a short pass with a fixed seed in `make test`,
# a long one with a random seed in `make fuzz`. FUZZ_TARGETS, FUZZ_SEED, FUZZ_PATH … pass through.
FUZZ_SECONDS ?= 600
FUZZ_TEST_SECONDS ?= 40
test-fuzz:
	FUZZ_SECONDS=$(FUZZ_TEST_SECONDS) FUZZ_SHRINK_SECONDS=$${FUZZ_SHRINK_SECONDS:-3} FUZZ_SEED=$${FUZZ_SEED:-1} $(NODE) dist-test/test/fuzz/run.js

fuzz: build
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(NODE) dist-test/test/fuzz/run.js

# The order of the brief: install → dockerd → build → lint → tests. Make's own
# sub-makes keep the $(shell find …) lists evaluated after the build.
test: deps dockerd build lint
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-system
	$(MAKE) --no-print-directory test-fuzz

demo: deps-npm build
	bash demo/run-demo.sh

bench: deps dockerd build
	bash perf/sbom-vs-trivy.sh
	bash perf/sources-vs-trivy.sh
	$(NODE) dist-test/perf/match-bench.js
	$(NODE) dist-test/perf/vulndb-build.js
	$(NODE) dist-test/perf/rescan-bench.js
	$(NODE) dist-test/perf/rescan-bench.js --store-size 2000
	$(NODE) dist-test/perf/api-bench.js
	bash perf/secrets-vs-trivy.sh
	$(NODE) dist-test/perf/admission-bench.js
	$(NODE) dist-test/perf/sensor-bench.js
	$(NODE) dist-test/perf/dashboard-search.js

clean:
	rm -rf dist dist-test .cache/demo test/.work perf/.work
