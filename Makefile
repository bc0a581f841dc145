# Two entry points (see README): `make run` starts the coach, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench check lint clean voice-deps

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

# What the voice tests need (issue 15): the `voice` extra in the venv and, when run as root
# where apt-get exists (CI), espeak-ng and PortAudio. `make test` skips those tests without them.
voice-deps: $(STAMP)
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng libportaudio2 >/dev/null; \
	else \
		command -v espeak-ng >/dev/null 2>&1 || echo "voice-deps: espeak-ng not installed (needs root and apt-get); speech tests will skip"; \
	fi
	$(BIN)/python -m pip install --quiet -e '.[dev,voice]'

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
