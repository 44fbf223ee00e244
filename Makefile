# Two things a newcomer runs: `make demo` and `make test`. Both install everything first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= demo-out

.PHONY: install system-tools demo replay-demo evaluate-learned test bench bench-stream schemas clean

# setup.py compiles models/baseline, the engine's per-event modules in pipeline/engine and the input
# adapters' per-record modules in pipeline/io/adapters with mypyc: a change there needs a rebuild.
$(BIN)/intentwatch: pyproject.toml setup.py $(wildcard models/baseline/*.py pipeline/engine/*.py pipeline/engine/detectors/*.py pipeline/io/adapters/*.py)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/intentwatch

# A simulated fleet through the streaming pipeline on a local Kafka broker; without
# Java or Maven, the same fleet through the embedded replay. See deploy/demo.sh.
demo: install
	BIN=$(BIN) OUT=$(OUT) deploy/demo.sh

# The same job with no broker: simulate, replay, evaluate.
replay-demo: install
	$(BIN)/intentwatch simulate --agents 200 --days 7 --seed 1 --out $(OUT) --sign
	$(BIN)/intentwatch replay $(OUT)/actions.jsonl --intents $(OUT)/intents --lifecycle $(OUT)/lifecycle.jsonl \
		--config $(OUT)/config-trust.yaml --alerts $(OUT)/alerts.jsonl --commands $(OUT)/commands.jsonl --dead-letter $(OUT)/dead-letter.jsonl
	$(BIN)/intentwatch evaluate --alerts $(OUT)/alerts.jsonl --labels $(OUT)/labels.jsonl

# The README's three-configuration table: intent rules only, learned only, both, on the
# behavioural fleet (500 agents, 14 days, seed 2).
LEARNED_OUT ?= learned-out
evaluate-learned: install
	$(BIN)/intentwatch simulate --agents 500 --days 14 --seed 2 --out $(LEARNED_OUT)
	for c in intent-only learned-only both; do \
		$(BIN)/intentwatch replay $(LEARNED_OUT)/actions.jsonl --intents $(LEARNED_OUT)/intents --lifecycle $(LEARNED_OUT)/lifecycle.jsonl \
			--config deploy/config/compare/$$c.yaml --alerts $(LEARNED_OUT)/alerts-$$c.jsonl --commands $(LEARNED_OUT)/commands-$$c.jsonl \
			--dead-letter $(LEARNED_OUT)/dead-letter-$$c.jsonl --quiet & \
	done; wait
	$(BIN)/intentwatch evaluate --labels $(LEARNED_OUT)/labels.jsonl --alerts intent-only=$(LEARNED_OUT)/alerts-intent-only.jsonl \
		--alerts learned-only=$(LEARNED_OUT)/alerts-learned-only.jsonl --alerts both=$(LEARNED_OUT)/alerts-both.jsonl
	$(BIN)/python benchmarks/drift_bound.py --fleet $(LEARNED_OUT) --alerts $(LEARNED_OUT)/alerts-both.jsonl --glr
	$(BIN)/python benchmarks/frog_bound.py --fleet $(LEARNED_OUT)

# Real clients the tests drive as users do: kcat (the SOC's Kafka client) and headless
# Chromium (the tune report). Debian packages; installed when missing and we may (root).
SYSTEM_TOOLS := kcat chromium
system-tools:
	@missing=$$(for t in $(SYSTEM_TOOLS); do command -v $$t >/dev/null || echo $$t; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing $$missing (Debian packages)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "missing $$missing: install them (apt-get install $$missing) or their tests fail under CI=true"; fi; \
	fi

test: install system-tools
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/replay.py

bench-stream: install
	$(BIN)/python benchmarks/stream.py

schemas: install
	$(BIN)/intentwatch schema --out deploy/schemas

clean:
	rm -rf $(OUT) .pytest_cache
