# meshctl — the two commands a fresh machine needs are `make demo` and
# `make test`; the rest are for developers.
GO      ?= go
BIN     := bin/meshctl
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build test demo bench fmt lint fuzz clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/meshctl

# The whole suite: vet, then every test (end-to-end tests build the binary
# themselves). Tests that need PostgreSQL read MESHCTL_TEST_PG_DSN.
test:
	$(GO) vet ./...
	$(GO) test -count=1 ./...

# Runs the sales domain's tests, plans and applies its products (local
# state and files, no credentials), shows that a second plan has nothing
# to do, then previews the marketing product built on what sales published.
demo: build
	$(BIN) --chdir examples/sales validate --policies ../governance
	$(BIN) --chdir examples/sales test --policies ../governance
	$(BIN) --chdir examples/sales plan -out plan.out --policies ../governance
	$(BIN) --chdir examples/sales apply plan.out --policies ../governance
	$(BIN) --chdir examples/sales plan -detailed-exitcode --policies ../governance
	$(BIN) --chdir examples/sales explain adult_customers_by_country --policies ../governance
	$(BIN) --chdir examples/marketing validate --policies ../governance
	$(BIN) --chdir examples/marketing preview campaign_reach

# Micro-benchmarks, then the end-to-end benchmark against DuckDB's figures
# (../shared/perf/ANCHORS.md): 1M customers, 3 runs, 2 threads by default;
# the full run is make bench BENCH_ARGS="-customers 1000000,10000000 -runs 5 -threads 1,2".
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./cmd/meshbench $(BENCH_ARGS)

fmt:
	gofmt -w $$(git ls-files '*.go')
	$(GO) run ./cmd/meshctl fmt examples

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...
	$(GO) run ./cmd/meshctl fmt -check examples

# Each fuzz target for a while; FUZZTIME=2m make fuzz for longer.
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./lang/configs -run '^$$' -fuzz FuzzLoad -fuzztime $(FUZZTIME)
	$(GO) test ./lang/compile -run '^$$' -fuzz FuzzCompile -fuzztime $(FUZZTIME)
	$(GO) test ./lang/format -run '^$$' -fuzz FuzzSource -fuzztime $(FUZZTIME)
	$(GO) test ./lang/meshtest -run '^$$' -fuzz FuzzLoad -fuzztime $(FUZZTIME)
	$(GO) test ./providers/csv -run '^$$' -fuzz FuzzCSVSchema -fuzztime $(FUZZTIME)
	$(GO) test ./providers/csv -run '^$$' -fuzz FuzzScan -fuzztime $(FUZZTIME)
	$(GO) test ./providers/csv -run '^$$' -fuzz FuzzParsers -fuzztime $(FUZZTIME)
	$(GO) test ./providers/parquet -run '^$$' -fuzz FuzzReadFooter -fuzztime $(FUZZTIME)
	$(GO) test ./providers/parquet -run '^$$' -fuzzminimizetime 0 -fuzz FuzzScanFile -fuzztime $(FUZZTIME)

clean:
	rm -rf bin
