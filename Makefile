# nabla's front door. `make test` and `make demo` work from a fresh clone on Debian 12 as root:
# they install missing packages, configure, build and run. CMake does the real work in build/.
.DEFAULT_GOAL := build
.PHONY: deps configure build test test-all demo bench clean format

BUILD_DIR  ?= build
BUILD_TYPE ?= Release
# Only 2 cores on the dev/CI machines; override with `make JOBS=8`.
JOBS       ?= 2
CMAKE_ARGS ?=

deps:
	tools/install-deps

# Configure once; later builds let CMake re-run itself when CMakeLists change.
configure: $(BUILD_DIR)/build.ninja
$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# CTest runs $(JOBS) tests at once, each with OpenMP threads: more threads than cores. Idle OpenMP threads
# then sleep instead of spinning (libgomp's default), or a spinning thread takes the core a working one
# needs (a training step measured 7x slower at load 13). Timing in bench/ keeps the default.
TEST_ENV = OMP_WAIT_POLICY=passive

# The fast suite (label `default`); what CI runs.
test: deps
	$(MAKE) build
	$(TEST_ENV) ctest --test-dir $(BUILD_DIR) --output-on-failure -L default -j $(JOBS)

# Every label, including `slow`.
test-all: deps
	$(MAKE) build
	$(TEST_ENV) ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# Builds, fetches FashionMNIST and trains the FashionCNN (see tools/demo).
demo:
	tools/install-deps --with-data
	$(MAKE) build
	BUILD_DIR=$(BUILD_DIR) tools/demo

bench: deps
	$(MAKE) build
	$(BUILD_DIR)/bench/nabla-bench-micro

clean:
	rm -rf $(BUILD_DIR)

# Formats our own sources only (never third-party or build output).
format:
	git ls-files -co --exclude-standard -- '*.h' '*.hpp' '*.cpp' '*.cc' | xargs -r clang-format -i
