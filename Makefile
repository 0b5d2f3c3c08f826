# llmproxy — thin wrapper over CMake. `make run` and `make test` work on a fresh Debian 12 (root).
BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

APT_PACKAGES = build-essential cmake pkg-config git \
  libuv1-dev libssl-dev libpq-dev libhiredis-dev libspdlog-dev libfmt-dev \
  libgtest-dev libgmock-dev node-llhttp libtomlplusplus-dev libcli11-dev \
  libre2-dev libsimdjson-dev rapidjson-dev libsystemd-dev libyaml-cpp-dev \
  postgresql redis-server ca-certificates curl

.PHONY: all deps package-deps configure build run test unit integration asan bench package package-test format clean

all: build

deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$(echo $$missing | sed 's/^/ /')"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# What packaging/build-packages.sh runs besides the build: dpkg-shlibdeps (.deb) and rpmbuild
# (.rpm), installed the same way as `deps`.
PACKAGE_APT_PACKAGES = dpkg-dev rpm

package-deps:
	@$(MAKE) --no-print-directory deps APT_PACKAGES="$(PACKAGE_APT_PACKAGES)"

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_ARGS) >/dev/null

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j$(JOBS)

# Starts the bundled mock provider on 127.0.0.1:18080 and llmproxy in the foreground.
run: build
	@$(BUILD)/tests/llmproxy-mock --host 127.0.0.1 --port 18080 >$(BUILD)/mock.log 2>&1 & \
	mock=$$!; trap 'kill $$mock 2>/dev/null' EXIT INT TERM; \
	echo "mock provider on 127.0.0.1:18080 (log: $(BUILD)/mock.log)"; \
	$(BUILD)/llmproxy -g -c conf/llmproxy.conf -p $(BUILD)/llmproxy.pid

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L unit
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L integration
	cd $(BUILD) && ctest --output-on-failure -L e2e
	cd $(BUILD) && ctest --output-on-failure -L packaging

unit: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L unit

integration: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L integration

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	$(MAKE) test BUILD=build-asan BUILD_TYPE=Debug CMAKE_ARGS=-DLLMPROXY_SANITIZE=ON

# direct vs nginx vs llmproxy on this machine; see bench/RESULTS.md. Quick run:
#   BENCH_DURATION=3 BENCH_STREAMS=1000 BENCH_HOLD=5 make bench
bench: deps
	bench/run.sh

# llmproxy_<version>_amd64.deb and llmproxy-<version>.x86_64.rpm in build-package/.
package: deps package-deps
	packaging/build-packages.sh build-package

# Builds both packages, inspects them, installs the .deb on this machine (root), runs it.
package-test: deps
	packaging/test/package-test.sh build-package

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) build-asan
