# Two things a newcomer runs: `make demo` and `make test`. Both install everything first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= demo-out

.PHONY: install demo test bench schemas clean

$(BIN)/intentwatch: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/intentwatch

# Simulate a fleet, replay it through the engine, print the alerts summary and the evaluation.
demo: install
	$(BIN)/intentwatch simulate --agents 200 --days 7 --seed 1 --out $(OUT)
	$(BIN)/intentwatch replay $(OUT)/actions.jsonl --intents $(OUT)/intents --lifecycle $(OUT)/lifecycle.jsonl \
		--alerts $(OUT)/alerts.jsonl --commands $(OUT)/commands.jsonl --dead-letter $(OUT)/dead-letter.jsonl
	$(BIN)/intentwatch evaluate --alerts $(OUT)/alerts.jsonl --labels $(OUT)/labels.jsonl

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/replay.py

schemas: install
	$(BIN)/intentwatch schema --out deploy/schemas

clean:
	rm -rf $(OUT) .pytest_cache
