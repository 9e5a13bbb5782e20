# korder's developer entry points. `make test` is the one command CI runs (.ci/run).
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps configure build test run bench lint clean images

all: build

# Installs missing Debian packages (a no-op when everything is present).
deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Installs what is missing, builds everything (benchmarks included, not run) and runs every test.
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# Runs the suite; see README.md "Quick start".
run: build
	@bash scripts/run.sh $(BUILD_DIR)

bench: build
	@bash scripts/bench.sh $(BUILD_DIR)

lint:
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror
	@git ls-files 'libs/*.cc' 'services/*.cc' 'tools/*.cc' | xargs clang-tidy -p $(BUILD_DIR) --quiet

# Container images korder/<binary>:dev from services/<svc>/Dockerfile, with docker or podman
# (CONTAINER_ENGINE=... to choose). Untested here: the build machines have no container engine.
CONTAINER_ENGINE ?= $(shell command -v docker 2>/dev/null || command -v podman 2>/dev/null)
IMAGE_TAG ?= dev
images:
	@if [ -z "$(CONTAINER_ENGINE)" ]; then \
	  echo "make images: no container engine found (install docker or podman, or set CONTAINER_ENGINE)" >&2; \
	  exit 1; \
	fi
	@if ! $(CONTAINER_ENGINE) info >/dev/null 2>&1; then \
	  echo "make images: $(CONTAINER_ENGINE) cannot reach its daemon or runtime ($(CONTAINER_ENGINE) info fails)" >&2; \
	  exit 1; \
	fi
	@set -e; for svc in order-controller ticket-controller quota-controller admission-webhook; do \
	  echo "building korder/korder-$$svc:$(IMAGE_TAG)"; \
	  $(CONTAINER_ENGINE) build -f services/$$svc/Dockerfile -t korder/korder-$$svc:$(IMAGE_TAG) .; \
	done

clean:
	rm -rf $(BUILD_DIR)
