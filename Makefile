# The two commands a newcomer needs:
#   make demo   installs what is missing, builds, runs the sales demo
#   make test   installs what is missing, builds, runs every test
BUILD ?= build
JOBS ?= $(shell nproc)
export CCACHE_SLOPPINESS := pch_defines,time_macros,include_file_mtime,include_file_ctime
export CCACHE_DIR ?= $(HOME)/.cache/keel-ccache

.PHONY: all deps test-deps build demo test bench clean

all: build

deps:
	@scripts/install-deps.sh

# The MCP server the live connector tests talk to (from npm, into .tools/).
test-deps:
	@scripts/install-deps.sh --test
	@scripts/install-test-servers.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/keel demo --project examples/sales

test: build test-deps
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

bench: build
	$(BUILD)/keel bench engine --project examples/sales

clean:
	rm -rf $(BUILD)
