# Two commands from a fresh clone: `make demo` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck unit eval bench train clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python examples/demo.py

lint: $(STAMP)
	$(BIN)/ruff check src tests training benchmarks examples
	$(BIN)/ruff format --check src tests training benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q

test: lint typecheck unit

eval: $(STAMP)
	$(BIN)/watchfloor eval

bench: $(STAMP)
	$(BIN)/python benchmarks/extract.py
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/assess.py
	$(BIN)/python benchmarks/assess_thread.py
	$(BIN)/python benchmarks/warn.py
	$(BIN)/python benchmarks/markings.py

train: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,training]'
	$(BIN)/python training/train.py

clean:
	rm -rf $(VENV) var build dist src/*.egg-info
