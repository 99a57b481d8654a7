# Two commands from a fresh clone: `make demo` and `make test`. Both build .venv from nothing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck unit house fuzz eval bench train train-finder truecase-table clean

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

# One pytest worker per core (pytest-xdist). Every test keeps to its own tmp_path, store (a
# SQLite file or a PostgreSQL schema of its own) and free ports, so any two can run at once.
# worksteal: each worker starts on its own half of the suite and takes tests off the other's
# when it runs dry, so module-scoped fixtures (the English pipeline, a served store) are
# rarely built twice. At most 8 workers (each holds the pipeline, ~1 GB);
# `PYTEST_WORKERS=0 make unit` runs in one process.
PYTEST_WORKERS ?= logical
unit: $(STAMP)
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --maxprocesses 8 --dist worksteal

# `unit` includes tests/test_house.py: no import from an earlier stage to a later one, no import
# circle, no module over 600 lines (`make house` runs it alone).
test: lint typecheck unit

house: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_house.py

# `unit` already runs the fuzz harnesses (tests/test_fuzz.py) for a few hundred examples each;
# this runs them longer.
fuzz: $(STAMP)
	WATCHFLOOR_FUZZ_EXAMPLES=$${WATCHFLOOR_FUZZ_EXAMPLES:-5000} $(BIN)/python -m pytest -q tests/test_fuzz.py

eval: $(STAMP)
	$(BIN)/watchfloor eval

bench: $(STAMP)
	$(BIN)/python benchmarks/extract.py
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/assess.py
	$(BIN)/python benchmarks/assess_thread.py
	$(BIN)/python benchmarks/warn.py
	$(BIN)/python benchmarks/markings.py
	$(BIN)/python benchmarks/web.py

train: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,training]'
	$(BIN)/python training/train.py

# The trained threat finder (issue 12): data from ../shared/data, fine-tuning (CPU: a few hours on
# two cores; a GPU is used when there is one), the cascade's gate, then ONNX int8 into the package.
FINDER_DATA ?= var/finder/data
FINDER_MODEL ?= var/finder/model
train-finder: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,training]'
	$(BIN)/python -m training.finder.build --out $(FINDER_DATA)
	$(BIN)/python -m training.finder.train --data $(FINDER_DATA) --out $(FINDER_MODEL)
	$(BIN)/python -m training.finder.gate --data $(FINDER_DATA) --out src/watchfloor/models/finder
	$(BIN)/python -m training.finder.export --weights $(FINDER_MODEL)/finder.pt --out src/watchfloor/models/finder

# The case-frequency table the truecaser reads (word statistics only, from ../shared/data).
truecase-table: $(STAMP)
	$(BIN)/python training/truecase.py

clean:
	rm -rf $(VENV) var build dist src/*.egg-info
