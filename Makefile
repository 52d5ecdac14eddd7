# sciml — make targets. `make demo` runs the main job, `make test` the tests.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
GO ?= go
# Packages with a pure-Go twin under -tags purego.
PUREGO_PKGS := ./internal/blas/... ./internal/fft/... ./internal/vmath/... ./internal/taylor/... ./internal/sgemm/...
BIN := bin/sciml

.PHONY: all deps build test demo bench fmt vet clean

all: build

# Installs libopenblas-dev libfftw3-dev libhdf5-dev pkg-config hdf5-tools
# with apt when missing; does nothing when they are present.
deps:
	@bash scripts/deps.sh

build: deps
	$(GO) build -o $(BIN) ./cmd/sciml

fmt:
	@bad=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$bad" ]; then echo "gofmt needed on:"; echo "$$bad"; exit 1; fi

vet: deps
	$(GO) vet ./...
	$(GO) vet -tags purego $(PUREGO_PKGS)

test: deps fmt vet
	$(GO) test ./...
	$(GO) test -tags purego $(PUREGO_PKGS)

# The main job: generate a small Burgers dataset (cached), train an FNO,
# evaluate it at four resolutions, write runs/burgers-fno-quick/report.md.
demo: build
	./$(BIN) version
	./$(BIN) run burgers-fno --profile quick --force -o runs/burgers-fno-quick

bench: build
	$(GO) test -run '^$$' -bench . -benchtime 20x ./internal/blas/ ./internal/fft/
	./$(BIN) bench gemm
	./$(BIN) bench fft

clean:
	rm -rf bin
