#!/usr/bin/env bash
# The demo behind `make demo`: a simulated fleet through the real streaming pipeline.
#   local Kafka broker (unless INTENTWATCH_KAFKA__BOOTSTRAP_SERVERS is set) -> topics ->
#   one worker -> produce the fleet -> alerts arriving -> evaluation -> shut down.
# Without Java or Maven it says so in one line and runs the embedded replay demo instead.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
OUT=${OUT:-demo-out}
IW="$BIN/intentwatch"
export PYTHON="$BIN/python"

# --sign: manifests and lifecycle events signed with DEVELOPMENT keys derived from the seed,
# and a trust file, so the pipeline runs with trust.mode enforce (docs/trust.md).
"$IW" simulate --agents 200 --days 7 --seed 1 --out "$OUT" --sign
TRUST="$OUT/config-trust.yaml"
echo "demo: the control plane is signed with generated DEVELOPMENT keys (anyone can recompute them): $OUT/trust.yaml"

replay_demo() {
  "$IW" replay "$OUT/actions.jsonl" --intents "$OUT/intents" --lifecycle "$OUT/lifecycle.jsonl" --config "$TRUST" \
    --alerts "$OUT/alerts.jsonl" --commands "$OUT/commands.jsonl" --dead-letter "$OUT/dead-letter.jsonl"
  "$IW" evaluate --alerts "$OUT/alerts.jsonl" --labels "$OUT/labels.jsonl"
}

started_broker=""
worker_pid=""
cleanup() {
  [ -n "$worker_pid" ] && kill "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null || true
  [ -n "$started_broker" ] && deploy/kafka/broker.sh stop >/dev/null || true
}
trap cleanup EXIT

if [ -z "${INTENTWATCH_KAFKA__BOOTSTRAP_SERVERS:-}" ]; then
  if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
    echo "demo: no Java 17 or Maven here, so no local Kafka broker: running the embedded replay demo instead."
    replay_demo
    exit 0
  fi
  deploy/kafka/broker.sh reset >/dev/null   # a fresh broker each demo run
  deploy/kafka/broker.sh start
  started_broker=1
fi

# The simulated history is months old: expire agents by event time, not by today's clock.
export INTENTWATCH_WORKER__WALL_CLOCK_TIMERS=false INTENTWATCH_WORKER__INSTANCE=demo-1
# Metrics and probes on any free port unless set (the port is in .iw-state/demo-1.status.json).
export INTENTWATCH_WORKER__METRICS_PORT="${INTENTWATCH_WORKER__METRICS_PORT:-0}"
"$IW" topics create
"$IW" worker --config "$TRUST" > "$OUT/worker.log" 2>&1 &
worker_pid=$!

"$IW" produce "$OUT/lifecycle.jsonl" --topic agent.lifecycle --intents "$OUT/intents" --dead-letter "$OUT/produce-dead-letter.jsonl"
"$IW" produce "$OUT/actions.jsonl" --dead-letter "$OUT/produce-dead-letter.jsonl"

echo; echo "== alerts arriving on intentwatch.alerts (first 15) =="
"$IW" tail alerts --from-beginning --max 15
echo; echo "== revocation commands on intentwatch.revocations (first 5) =="
"$IW" tail revocations --from-beginning --max 5
echo; echo "== collecting every alert until the stream has been quiet for 10 s =="
"$IW" tail alerts --from-beginning --json --idle 10 > "$OUT/stream-alerts.jsonl"
echo "$(wc -l < "$OUT/stream-alerts.jsonl") alert messages -> $OUT/stream-alerts.jsonl"
"$IW" evaluate --alerts "$OUT/stream-alerts.jsonl" --labels "$OUT/labels.jsonl"
