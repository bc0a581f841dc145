# Two entry points (see README): `make run` starts the coach, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench check lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("decline-coach needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/decline-coach

test: $(STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/mypy
	$(BIN)/decline-coach check
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
