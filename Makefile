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

bench: $(STAMP) backends
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
