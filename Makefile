# Drives CMake into build/ (Release) and build/asan/ (ASan+UBSan).
#   make run     install missing dependencies, build, run the main job
#   make test    Release build + ctest, then ASan+UBSan build + ctest (less the
#                label 'variant': reruns under another thread count or ISA), then
#                a ThreadSanitizer build of the dispatcher tests, then
#                libFuzzer on the metadata (60 s), config and bundle (30 s each) loaders
#   make bench   Release build, run the benchmarks
JOBS ?= $(shell nproc)
BUILD := build
ASAN := build/asan
TSAN := build/tsan
COVERAGE ?= OFF
CMAKE_FLAGS ?=

.PHONY: all deps build run test test-release test-asan test-tsan test-fuzz bench clean

all: build

deps:
	@scripts/install-deps.sh --check >/dev/null 2>&1 || scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(BUILD)/bin/flag-gems-exp pipeline --out $(BUILD)/report --format table

test: test-release test-asan test-tsan test-fuzz

test-release: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DFG_SANITIZE=ON -DFG_BUILD_BENCH=OFF \
	  -DFG_COVERAGE=$(COVERAGE) -DCMAKE_C_FLAGS_DEBUG="-O1 -g" $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --test-dir $(ASAN) --output-on-failure -j $(JOBS) -LE variant

# ThreadSanitizer build of the dispatcher's concurrency tests (label tsan)
test-tsan: deps
	cmake -S . -B $(TSAN) -DCMAKE_BUILD_TYPE=Debug -DFG_TSAN=ON -DFG_BUILD_BENCH=OFF \
	  -DCMAKE_C_FLAGS_DEBUG="-O1 -g" $(CMAKE_FLAGS) >/dev/null
	cmake --build $(TSAN) -j $(JOBS) --target fg-test-exp-threads fg-test-exp-cache
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --test-dir $(TSAN) --output-on-failure -L tsan -j $(JOBS)

# libFuzzer (clang) over the committed corpora: the metadata loader for
# FUZZ_SECONDS, the other loaders for FUZZ_OTHER_SECONDS each
FUZZ_SECONDS ?= 60
FUZZ_OTHER_SECONDS ?= 30
test-fuzz: deps
	tests/fuzz/run-fuzz.sh $(FUZZ_SECONDS) metadata
	tests/fuzz/run-fuzz.sh $(FUZZ_OTHER_SECONDS) config bundle

bench: build
	$(BUILD)/bin/fg-bench-ops --json $(BUILD)/bench-ops.json

clean:
	rm -rf $(BUILD)
