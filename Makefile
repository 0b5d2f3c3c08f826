# llmproxy — thin wrapper over CMake. `make run` and `make test` work on a fresh Debian 12 (root).
BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

APT_PACKAGES = build-essential cmake pkg-config git \
  libuv1-dev libssl-dev libpq-dev libhiredis-dev libspdlog-dev libfmt-dev \
  libgtest-dev libgmock-dev node-llhttp libtomlplusplus-dev libcli11-dev \
  libre2-dev libsimdjson-dev rapidjson-dev libsystemd-dev libyaml-cpp-dev \
  libprotobuf-dev protobuf-compiler \
  postgresql redis-server ca-certificates curl

.PHONY: all deps package-deps fuzz-deps configure build ui ui-test run test unit integration asan chaos fuzz bench package package-test format clean

all: build

# Installs the Debian packages of $(1) that are missing (apt as root, else through sudo).
define apt-install-missing
	@missing=$$(for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make $@: installing$$(echo $$missing | sed 's/^/ /')"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt-install-missing,$(APT_PACKAGES))

# What packaging/build-packages.sh runs besides the build: dpkg-shlibdeps (.deb) and rpmbuild
# (.rpm), installed the same way as `deps`.
PACKAGE_APT_PACKAGES = dpkg-dev rpm

package-deps:
	$(call apt-install-missing,$(PACKAGE_APT_PACKAGES))

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >/dev/null

configure: deps $(BUILD)/CMakeCache.txt

# The admin web UI is rebuilt into ui/dist when Node.js is there (the committed copy is used
# otherwise); `make ui` insists.
build: configure
	@ui/build.sh
	cmake --build $(BUILD) -j$(JOBS)

ui:
	ui/build.sh --required

# The admin web UI in headless Chromium (docs/ui.md); screenshots in $(BUILD)/ui-test/screenshots.
ui-test: build
	tests/ui/run.sh $(BUILD)/llmproxy $(BUILD)/tests/llmproxy-mock $(BUILD)/ui-test

# Starts the bundled mock provider on 127.0.0.1:18080 and llmproxy in the foreground.
run: build
	@$(BUILD)/tests/llmproxy-mock --host 127.0.0.1 --port 18080 >$(BUILD)/mock.log 2>&1 & \
	mock=$$!; trap 'kill $$mock 2>/dev/null' EXIT INT TERM; \
	echo "mock provider on 127.0.0.1:18080 (log: $(BUILD)/mock.log)"; \
	if [ "$$(id -u)" = 0 ]; then export LLMPROXY_USER="$${LLMPROXY_USER:-root}"; fi; \
	$(BUILD)/llmproxy -g -c conf/llmproxy.conf -p $(BUILD)/llmproxy.pid

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L unit
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L integration
	cd $(BUILD) && ctest --output-on-failure -L chaos
	cd $(BUILD) && ctest --output-on-failure -L e2e
	cd $(BUILD) && ctest --output-on-failure -L packaging

unit: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L unit

integration: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L integration

# Reloads, a killed worker, SIGQUIT, a broken upstream, memory after 5,000 streams (also in test).
chaos: build
	cd $(BUILD) && ctest --output-on-failure -L chaos

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	$(MAKE) test BUILD=build-asan BUILD_TYPE=Debug CMAKE_ARGS=-DLLMPROXY_SANITIZE=ON

# libFuzzer targets (tests/fuzz/) with clang-19 under ASan + UBSan in build-fuzz, each run for
# FUZZ_SECONDS from its seed corpus. FUZZ_TARGETS="json_facts urls" runs some. docs/testing.md.
FUZZ_SECONDS ?= 60
FUZZ_OPT ?= -O0
FUZZ_APT_PACKAGES = clang-19 libclang-rt-19-dev

fuzz-deps:
	$(call apt-install-missing,$(FUZZ_APT_PACKAGES))

fuzz: deps fuzz-deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_OPT=$(FUZZ_OPT) JOBS=$(JOBS) tests/fuzz/run.sh

# direct vs nginx vs llmproxy on this machine; see bench/RESULTS.md. Quick run:
#   BENCH_DURATION=3 BENCH_STREAMS=1000 BENCH_HOLD=5 make bench
bench: deps
	bench/run.sh

# llmproxy_<version>_amd64.deb and llmproxy-<version>.x86_64.rpm in build-package/.
package: deps package-deps
	packaging/build-packages.sh build-package

# Builds both packages, inspects them, installs the .deb on this machine (root), runs it.
# PACKAGE_BUILD=build PACKAGE_REUSE_BUILD=1 packages the tree `make test` built (.ci/run).
PACKAGE_BUILD ?= build-package
package-test: deps
	packaging/test/package-test.sh $(PACKAGE_BUILD)

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) build-asan build-fuzz
