# Two commands on a fresh machine: `make demo` and `make test`. Everything else is a helper.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint types imports unit bench clean console console-screenshots

# The analyst console (console/): npm packages from the lock file, a TypeScript client generated from the API's
# OpenAPI document, type-checked, built by Vite into the package (src/riskloop/api/static/console).
CONSOLE_OUT := src/riskloop/api/static/console/index.html
CONSOLE_SRC := $(shell find console/src console/public -type f -not -name schema.d.ts 2>/dev/null) \
	console/index.html console/vite.config.ts console/tsconfig.json
NODE_STAMP := console/node_modules/.installed

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,spark]'
	touch $(STAMP)

$(NODE_STAMP): console/package.json console/package-lock.json
	node scripts/check-console-licences.mjs console
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

console/build/openapi.json: $(STAMP) $(shell find src/riskloop -name '*.py' -newer console/build/openapi.json 2>/dev/null)
	$(BIN)/riskloop openapi --out $@ --json >/dev/null

console/src/api/schema.d.ts: console/build/openapi.json $(NODE_STAMP)
	cd console && npm run --silent schema >/dev/null

$(CONSOLE_OUT): console/src/api/schema.d.ts $(CONSOLE_SRC) $(NODE_STAMP)
	cd console && npm run --silent typecheck && npm run --silent build >/dev/null

console: $(CONSOLE_OUT)

# Rewrites docs/console/*.png (every page, Chinese and English) from the browser tests.
console-screenshots: $(STAMP) console
	bash scripts/ensure-chromium
	RISKLOOP_SCREENSHOTS=1 $(BIN)/pytest -q -p no:cacheprovider tests/console

demo: $(STAMP) console
	$(BIN)/riskloop --home demo-home demo

test: check unit

check: lint types imports console

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(STAMP)
	$(BIN)/mypy --strict src

imports: $(STAMP)
	$(BIN)/lint-imports

# Four workers on two cores: much of the suite waits on servers, PostgreSQL and the JVM at any time (measured:
# 11 min 47 s against 13 min 9 s with three).
unit: $(STAMP) console
	bash scripts/ensure-postgres
	bash scripts/ensure-java
	bash scripts/ensure-chromium
	$(BIN)/pytest -n 4 --dist loadfile -q

bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench_generate --sizes 100000 1000000 --repeats 3
	$(BIN)/python -m benchmarks.bench_scoring
	$(BIN)/python -m benchmarks.bench_training
	$(BIN)/python -m benchmarks.bench_public_data
	$(BIN)/python -m benchmarks.bench_gangs
	$(BIN)/python -m benchmarks.bench_graph
	$(BIN)/python -m benchmarks.bench_decide_inprocess
	$(BIN)/python -m benchmarks.bench_forecast --enterprises 100000
	$(BIN)/python -m benchmarks.bench_prospects --home bench-home/prospects --enterprises 100000
	bash scripts/ensure-wrk
	$(BIN)/python -m benchmarks.bench_decide --build --enterprises 100000 --home bench-home/decide

clean:
	rm -rf $(VENV) console/node_modules console/build src/riskloop/api/static/console demo-home bench-home .pytest_cache .mypy_cache .ruff_cache
