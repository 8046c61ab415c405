# Set-up for a machine with only Go (and, for the end-to-end tests, PostgreSQL).
TEMPORAL_CLI_VERSION := v1.5.1
# The linters of make lint, installed into bin/ like the Temporal CLI.
STATICCHECK_VERSION := v0.7.0
ERRCHECK_VERSION := v1.9.0
REVIVE_VERSION := v1.12.0
WORKFLOWCHECK_VERSION := v0.6.0
GO ?= go
BIN := $(CURDIR)/bin

.PHONY: run build test test-deploy test-unit test-e2e fuzz bench bench-micro vet lint clean

## run: build and start everything in one process (Temporal dev server, worker, API);
## ADDR, TEMPORAL_PORT and TEMPORAL_UI_PORT move it (make run ADDR=127.0.0.1:8081 TEMPORAL_PORT=7234)
run: build
	$(BIN)/approvals dev $(if $(ADDR),--addr $(ADDR)) $(if $(TEMPORAL_PORT),--temporal-port $(TEMPORAL_PORT)) $(if $(TEMPORAL_UI_PORT),--temporal-ui-port $(TEMPORAL_UI_PORT)) $(if $(DATA_DIR),--data-dir $(DATA_DIR))

## build: build bin/approvals and ensure bin/temporal
build: $(BIN)/temporal
	$(GO) build -o $(BIN)/approvals ./cmd/approvals

# The Temporal CLI, built from its Go module (several minutes the first time).
$(BIN)/temporal:
	@echo "installing the Temporal CLI $(TEMPORAL_CLI_VERSION) into bin/temporal (first time only; takes a few minutes)"
	GOBIN=$(BIN) $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)

## lint: staticcheck, errcheck, Temporal's workflowcheck (determinism of the
## workflows; justified exceptions in workflowcheck.config.yaml) and revive's
## exported rule (a doc comment on every exported name; revive.toml).
## errcheck v1.9.0's go.mod predates type aliases by default: without
## GODEBUG=gotypesalias=1 it cannot load the Temporal SDK (v1.51 has generic aliases).
LINTERS := $(BIN)/staticcheck $(BIN)/errcheck $(BIN)/revive $(BIN)/workflowcheck
lint: $(LINTERS)
	$(BIN)/staticcheck ./...
	GODEBUG=gotypesalias=1 $(BIN)/errcheck -exclude errcheck.excludes ./...
	$(BIN)/workflowcheck -config workflowcheck.config.yaml ./...
	$(BIN)/revive -config revive.toml -set_exit_status ./...

$(BIN)/staticcheck:
	GOBIN=$(BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
$(BIN)/errcheck:
	GOBIN=$(BIN) $(GO) install github.com/kisielk/errcheck@$(ERRCHECK_VERSION)
$(BIN)/revive:
	GOBIN=$(BIN) $(GO) install github.com/mgechev/revive@$(REVIVE_VERSION)
$(BIN)/workflowcheck:
	GOBIN=$(BIN) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)

## test: every test, end-to-end included (needs bin/temporal; PostgreSQL at DATABASE_URL or SQLite)
test: build test-deploy
	$(GO) vet ./...
	$(GO) test -count=1 -v -timeout 30m ./...

## test-deploy: docker-compose.yml and the Kubernetes manifests (kustomize build,
## strict decoding against the Kubernetes API types), a module of their own
test-deploy:
	cd deploy && $(GO) vet ./... && $(GO) test -count=1 ./...

## test-unit: the tests that need neither Temporal nor a database server
test-unit:
	$(GO) test -count=1 $$($(GO) list ./... | grep -v /e2e)

## test-e2e: only the end-to-end tests
test-e2e: build
	$(GO) test -count=1 -v -timeout 20m ./e2e/

## fuzz: run each fuzz target for FUZZTIME (seeds in each package's testdata/fuzz; plain go test runs them too)
FUZZTIME ?= 10s
FUZZ_TARGETS := ./bounds:FuzzDecode ./api:FuzzDecoders ./audit:FuzzParseListFilter ./holidays:FuzzParseDate \
	./holidays:FuzzSchedule ./regulations:FuzzParse ./regulations:FuzzExtend
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -parallel 2 $$pkg; \
	done

## bench-micro: Go benchmarks (deadline computation, ...)
bench-micro:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench: every `approvals bench` scenario at its full size, each on a stack of its own
## on PostgreSQL at BENCH_DB. About 40 minutes on an idle 2-core machine (scale's seeding most of it).
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable
bench: build
	DATABASE_URL='$(BENCH_DB)' $(BIN)/approvals bench lifecycle
	DATABASE_URL='$(BENCH_DB)' $(BIN)/approvals bench decide
	DATABASE_URL='$(BENCH_DB)' $(BIN)/approvals bench storm --n 10000
	DATABASE_URL='$(BENCH_DB)' $(BIN)/approvals bench scale --n 100000
	DATABASE_URL='$(BENCH_DB)' $(BIN)/approvals bench retime --n 10000
	DATABASE_URL='$(BENCH_DB)' $(BIN)/approvals bench chaos --n 1000 --conc 32

clean:
	rm -rf $(BIN)/approvals .data
