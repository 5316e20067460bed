# ghwh: two commands on a fresh machine.
#   make run-local   install deps, build release, start the embedded Postgres, generate sample data,
#                    run `all` (silver then gold), write .ghwh/report.html and print the report
#   make test        install deps, build and run every test (tests start their own Postgres)
SWIFT      ?= swift
RELEASE    := .build/release
SAMPLE_DIR ?= sample-data
BENCH_DIR  ?= bench-data
BENCH_SIZES ?= 1024,2048
BENCH_ARGS ?=

.PHONY: deps build release run-local test test-sanitize bench chaos fuzz clean-local check-links lint format

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

run-local: release
	@if [ ! -d "$(SAMPLE_DIR)/github" ]; then \
	  $(RELEASE)/ghwh gen-data --out $(SAMPLE_DIR) --repos 8 --issues-per-repo 60 --prs-per-repo 30 --days 3 --seed 42; \
	fi
	$(RELEASE)/ghwh run --job all --raw $(SAMPLE_DIR)
	$(RELEASE)/ghwh report --format html --out .ghwh/report.html
	$(RELEASE)/ghwh report

test: deps check-links lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	CHAOS_ROUNDS=3 bash scripts/chaos.sh

# Optional, never needed by `make test`: the real-object tests (which use Tests/Fixtures/github-real)
# also against the full corpus the fixtures were picked from:
#   make test-full-corpus GHWH_FULL_CORPUS=/path/to/corpus/github-real
.PHONY: test-full-corpus
test-full-corpus: deps
	@test -n "$(GHWH_FULL_CORPUS)" || { echo "set GHWH_FULL_CORPUS to a directory holding issues.json and pull_requests.json"; exit 2; }
	$(SWIFT) build --build-tests
	GHWH_FULL_CORPUS="$(abspath $(GHWH_FULL_CORPUS))" $(SWIFT) test --skip-build --filter '[Ff]ullCorpus'

# Kills and restarts cluster roles (and PostgreSQL) at random moments of jobs and checks
# every table against an undisturbed run: `make chaos CHAOS_ROUNDS=50` (default 20).
CHAOS_ROUNDS ?= 20
chaos: build
	CHAOS_ROUNDS=$(CHAOS_ROUNDS) bash scripts/chaos.sh

# Every test under ASan+UBSan, then the cluster, wire and warehouse tests under TSan
# (own builds in .build/asan and .build/tsan; `make test-sanitize SANITIZE=tsan` for one part).
SANITIZE ?= all
test-sanitize: deps
	bash scripts/sanitize.sh $(SANITIZE)

# Coverage-guided fuzzing (libFuzzer + ASan) of the splitter, projector, zip, gzip, frame and
# message decoders: `make fuzz FUZZ_SECONDS=300 FUZZ_TARGETS="projector zip"`. Crashers land in
# Tests/Fuzz/<target>/crashers and are replayed by GHWHFuzzTests.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= splitter projector zip gzip frame messages
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS="$(FUZZ_TARGETS)" bash scripts/fuzz.sh

# Every relative link in README.md and docs/*.md resolves to a file and heading of the repository.
check-links:
	bash scripts/check-links.sh

# swift-format (in the Swift toolchain) with the committed .swift-format: `make lint` fails on any
# finding (it runs in `make test`); `make format` rewrites the tree to match.
SWIFT_FORMAT_PATHS = Sources Tests Package.swift
lint:
	$(SWIFT) format lint --strict --recursive --parallel $(SWIFT_FORMAT_PATHS)

format:
	$(SWIFT) format --in-place --recursive --parallel $(SWIFT_FORMAT_PATHS)

bench: release
	$(RELEASE)/ghwh-bench --corpus-dir $(BENCH_DIR) --sizes-mb $(BENCH_SIZES) --ghwh $(RELEASE)/ghwh --cluster $(BENCH_ARGS)

# Stops the embedded Postgres and removes local state (not the sample data).
clean-local:
	-$(RELEASE)/ghwh db stop
	rm -rf .ghwh

include deploy/deploy.mk
