# nodex: `make run` builds and serves this machine's metrics on :9100;
# `make test` builds and runs every test. Both install missing Debian
# packages first when run as root.

BUILD_DIR ?= build
LISTEN    ?= 0.0.0.0:9100
JOBS      ?= $(shell nproc)
CMAKE_FLAGS ?=

# What building and running nodex needs.
BUILD_DEPS := cmake ninja-build g++ pkg-config libmicrohttpd-dev libdeflate-dev libre2-dev \
              libmnl-dev libfuse3-dev libyaml-cpp-dev libyaml-dev libcli11-dev libgtest-dev libgmock-dev \
              libgnutls28-dev libcrypt-dev nlohmann-json3-dev
# Real peers the end-to-end tests talk to.
TEST_DEPS  := curl python3 prometheus prometheus-node-exporter fuse3 iproute2 podman runc \
              openssl apache2-utils gnuplot-nox strace

.PHONY: all build run test test-sanitize deps test-deps clean image bench install fuzz text-order

all: build

deps:
	@scripts/install-deps.sh $(BUILD_DEPS)

test-deps:
	@scripts/install-deps.sh --test-peers $(BUILD_DEPS) $(TEST_DEPS)

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/nodex --path.procfs=/proc --path.sysfs=/sys --path.rootfs=/ --web.listen-address=$(LISTEN)

test: test-deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 600

# The whole suite again, built with AddressSanitizer (leaks included) and
# UndefinedBehaviorSanitizer in a build dir of its own. Reports go to files as
# well as failing the process: the e2e scripts stop nodex themselves and do not
# all look at its exit status, so any report file fails the target, printed.
# The dir is world-writable because some e2e scripts run nodex as uid 65534.
SANITIZE_DIR  ?= build-sanitize
SANITIZE_ASAN ?= detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
SANITIZE_UBSAN ?= halt_on_error=1:print_stacktrace=1
test-sanitize: test-deps
	cmake -S . -B $(SANITIZE_DIR) -G Ninja -DNODEX_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	@reports=$$(mktemp -d "$${TMPDIR:-/tmp}/nodex-sanitize.XXXXXX") && chmod 1777 "$$reports" || exit 1; \
	ASAN_OPTIONS="$(SANITIZE_ASAN):log_path=$$reports/asan" UBSAN_OPTIONS="$(SANITIZE_UBSAN):log_path=$$reports/ubsan" \
	  ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j $(JOBS) --timeout 600; rc=$$?; \
	if ls "$$reports"/* >/dev/null 2>&1; then \
	  cat "$$reports"/*; echo "FAIL: sanitizer reports above (kept in $$reports)" >&2; exit 1; \
	fi; rm -rf "$$reports"; exit $$rc

# The container image nodex:<version>, FROM scratch with the binary and the libraries it links (podman).
image: build
	scripts/build-image.sh $(BUILD_DIR)/nodex

# Benchmarks, never tests: micro-benchmarks, then nodex next to node_exporter and
# the physical floor of a scrape, cost against node size (synthetic trees and a
# netns with 10/100/1000 interfaces, gnuplot PNG), written to bench/results/
# (see bench/README.md), then `nodex lint` on 10,000 generated objects (stdout).
# Regenerates cmake/nodex-text-order.txt (the hot/cold function layout, cmake/NodexTextOrder.cmake)
# from a callgrind profile of this build, then relinks nodex with it. Run after large code changes;
# a stale list costs resident memory only.
text-order: build
	@scripts/install-deps.sh valgrind
	scripts/gen-text-order.py --nodex $(BUILD_DIR)/nodex
	cmake --build $(BUILD_DIR) -j $(JOBS) --target nodex

bench: deps
	@scripts/install-deps.sh --test-peers libbenchmark-dev strace curl python3 prometheus-node-exporter gnuplot-nox iproute2
	cmake -S . -B $(BUILD_DIR) -G Ninja -DNODEX_BENCH=ON $(CMAKE_FLAGS)
	cmake --build $(BUILD_DIR) -j $(JOBS) --target nodex micro_bench read_floor
	$(BUILD_DIR)/bench/micro_bench
	bench/side_by_side.py --nodex $(BUILD_DIR)/nodex
	bench/floor.sh $(BUILD_DIR)/bench/read_floor $(BUILD_DIR)/nodex
	bench/scale.py --nodex $(BUILD_DIR)/nodex
	bench/lint_bench.py --nodex $(BUILD_DIR)/nodex

# Every fuzzer as a real libFuzzer binary (clang, ASan, UBSan; build dir
# build-fuzz), each run FUZZ_SECONDS (default 10) over a temporary copy of its
# corpus; stops at the first crash and prints the input's path.
# FUZZERS="meminfo loadavg" builds and runs only those.
FUZZ_SECONDS ?= 10
fuzz:
	@scripts/install-deps.sh $(BUILD_DEPS) clang libclang-rt-dev
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) scripts/run-fuzzers.sh $(FUZZERS)

# Installs nodex, and kubectl-nodex so that `kubectl nodex lint -f FILE` works
# as a kubectl plugin (kubectl finds kubectl-<name> on PATH).
PREFIX ?= /usr/local
install: build
	install -D -m 0755 $(BUILD_DIR)/nodex $(DESTDIR)$(PREFIX)/bin/nodex
	ln -sf nodex $(DESTDIR)$(PREFIX)/bin/kubectl-nodex

clean:
	rm -rf $(BUILD_DIR)
