"""The streaming side: ``topics``, ``worker``, ``bridge``, ``produce``, ``tail``, and ``broker`` (a local Kafka)."""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from intentwatch.models.alert import Alert
from intentwatch.models.errors import IntentwatchError
from intentwatch.pipeline.cli.common import FORMATS, AdapterOptionsOpt, ConfigOpt, MappingOpt, err, fail, input_adapter
from intentwatch.pipeline.console import console

topics_app = typer.Typer(help="Create and check the pipeline's Kafka topics.", no_args_is_help=True)


@topics_app.command("create")
def topics_create(config: ConfigOpt = None) -> None:
    """Create agent.actions, agent.lifecycle (compacted), intentwatch.feedback, .alerts, .revocations, .dlq, .state, .credentials and .definitions (compacted).

    Safe to re-run: existing topics are kept, and checked to share one partition count.

    Example:

    ```
    INTENTWATCH_TOPICS__PARTITIONS=16 intentwatch topics create
    ```
    """
    from intentwatch.pipeline.io.kafka import create_topics, wait_for_broker
    from intentwatch.pipeline.settings import load_settings

    s = load_settings(config)
    wait_for_broker(s.kafka, timeout=60)
    for name, status in create_topics(s.kafka, s.topics).items():
        err.print(f"{name}: {status}")



def worker(config: ConfigOpt = None) -> None:
    """Run one streaming worker: consume actions and lifecycle events, publish alerts and revocation commands.

    Start as many as you have partitions to spread; they share the consumer group. Give
    each a stable, unique instance name (it names the worker's transactional producer).

    Example:

    ```
    INTENTWATCH_WORKER__INSTANCE=w1 intentwatch worker --config deploy/config/intentwatch.yaml
    ```
    """
    from intentwatch.pipeline.io.kafka import wait_for_broker
    from intentwatch.pipeline.settings import load_settings
    from intentwatch.pipeline.hosts.worker import run_worker

    s = load_settings(config)
    err.print(f"effective config: {s.model_dump_json(exclude={'engine'})}", highlight=False, soft_wrap=True)  # secrets print masked
    wait_for_broker(s.kafka, timeout=60)
    run_worker(s)



def bridge(
    source: Annotated[str, typer.Option("--from", help="Topic of foreign telemetry (the Collector's Kafka exporter writes otlp_spans).")] = "otlp_spans",
    input_format: Annotated[str, typer.Option("--format", help="Its format: otel-proto (the exporter's otlp_proto), otel-json (otlp_json), or another of " + FORMATS + ".")] = "otel-proto",
    mapping: MappingOpt = None,
    adapter_options: AdapterOptionsOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Turn a topic of foreign telemetry into native actions on the actions topic, keyed by agent, for the workers.

    Example (the OpenTelemetry Collector's Kafka exporter, default topic and encoding):

    ```
    INTENTWATCH_WORKER__INSTANCE=b1 intentwatch bridge --from otlp_spans --format otel-proto
    ```
    """
    from intentwatch.pipeline.hosts.bridge import run_bridge
    from intentwatch.pipeline.io.kafka import wait_for_broker
    from intentwatch.pipeline.settings import load_settings

    try:
        s = load_settings(config)
    except IntentwatchError as e:
        fail(str(e))
    adapter = input_adapter(input_format, mapping, adapter_options)
    err.print(f"effective config: {s.model_dump_json(exclude={'engine'})}", highlight=False, soft_wrap=True)
    wait_for_broker(s.kafka, timeout=60)
    run_bridge(s, adapter, source)



def produce(
    file: Annotated[str, typer.Argument(help="JSON lines to send: a file, a .gz file, or - for stdin.")],
    topic: Annotated[Optional[str], typer.Option(help="Target topic (default: the actions topic).")] = None,
    intents: Annotated[Optional[Path], typer.Option(help="Also register these manifests: instantiate events to the lifecycle topic, first.")] = None,
    dead_letter: Annotated[Path, typer.Option(help="Lines that cannot be keyed go here.")] = Path("produce-dead-letter.jsonl"),
    config: ConfigOpt = None,
    input_format: Annotated[str, typer.Option("--format", help="Input format: " + FORMATS + "; a foreign file is produced as native actions (docs/inputs.md).")] = "native",
    mapping: MappingOpt = None,
    adapter_options: AdapterOptionsOpt = None,
) -> None:
    """Send a JSON-lines file into Kafka, keyed by agent_id, timestamped with event time.

    Example:

    ```
    intentwatch produce demo-out/lifecycle.jsonl --topic agent.lifecycle --intents demo-out/intents
    intentwatch produce demo-out/actions.jsonl
    ```
    """
    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.io.feed import file_lines, produce_lines
    from intentwatch.pipeline.io.intents import load_manifests
    from intentwatch.pipeline.hosts.replay import manifest_instantiations
    from intentwatch.pipeline.settings import load_settings

    s = load_settings(config)
    adapter = input_adapter(input_format, mapping, adapter_options, file) if input_format != "native" else None
    dead = DeadLetterFile(dead_letter)
    if intents is not None:
        loaded = load_manifests(intents)
        if loaded.errors:
            fail(f"{len(loaded.errors)} manifest error(s) under {intents}; run `intentwatch validate {intents}`")
        events = manifest_instantiations(loaded.manifests)
        lines = ((f"{intents}:{ev.agent_id}", ev.model_dump_json().encode()) for ev in events)
        r = produce_lines(s.kafka, s.topics.lifecycle, lines, dead)
        err.print(f"{s.topics.lifecycle}: {r.produced:,} manifests registered")
    lines = file_lines(file)
    if adapter is not None:
        from intentwatch.pipeline.io.feed import adapted_lines

        lines = adapted_lines(adapter, file, dead)
    started = __import__("time").perf_counter()
    r = produce_lines(s.kafka, topic or s.topics.actions, lines, dead)
    dead.close()
    secs = __import__("time").perf_counter() - started
    bad = dead.count
    err.print(f"{topic or s.topics.actions}: {r.produced:,} messages in {secs:.1f}s ({r.produced / max(secs, 1e-9):,.0f}/s); "
              f"{bad} bad line(s)" + (f" -> {dead_letter}" if bad else ""))



def tail(
    what: Annotated[str, typer.Argument(help="alerts, revocations or dlq")] = "alerts",
    since: Annotated[Optional[str], typer.Option(help="Start at this time (ISO 8601) instead of the end.")] = None,
    from_beginning: Annotated[bool, typer.Option(help="Start at the beginning of the topic.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print raw JSON, one per line.")] = False,
    format: Annotated[str, typer.Option("--format", help="Alerts as: text (one readable line each), native (alert.v1 JSON) or ocsf (OCSF Detection Finding JSON).")] = "text",
    max_records: Annotated[Optional[int], typer.Option("--max", help="Stop after this many.")] = None,
    idle: Annotated[Optional[float], typer.Option(help="Stop after this many seconds with nothing new.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Follow alerts (or revocation commands, or dead letters) as they arrive, one readable line each.

    Example:

    ```
    intentwatch tail alerts --since 2026-01-05T00:00:00Z
    intentwatch tail revocations --from-beginning --json --idle 5
    intentwatch tail alerts --format ocsf --from-beginning --idle 5 > findings.jsonl
    ```
    """
    from datetime import datetime

    from intentwatch.pipeline.io.kafka import read_topics
    from intentwatch.pipeline.settings import load_settings

    s = load_settings(config)
    topic = {"alerts": s.topics.alerts, "revocations": s.topics.revocations, "dlq": s.topics.dlq}.get(what)
    if topic is None:
        fail("tail alerts, revocations or dlq")
    if format not in ("text", "native", "ocsf"):
        fail(f"--format must be text, native or ocsf, not {format!r}")
    if format == "ocsf" and what != "alerts":
        fail("--format ocsf applies to alerts only")
    to_ocsf = None
    if format == "ocsf":
        from intentwatch.pipeline.io.formats.ocsf import OcsfFormatter

        to_ocsf = OcsfFormatter().encode
    start: str | int = "beginning" if from_beginning else "end"
    if since is not None:
        start = int(datetime.fromisoformat(since).timestamp() * 1000)
    out = console(highlight=False)
    for rec in read_topics(s.kafka, [topic], start=start, idle_seconds=idle, max_records=max_records):
        if to_ocsf is not None:
            line = _tail_ocsf(to_ocsf, rec)
            if line is not None:
                sys.stdout.write(line + "\n")
                sys.stdout.flush()
        elif as_json or format == "native" or what == "dlq":
            sys.stdout.write((rec.value or b"").decode("utf-8", "replace") + "\n")
            sys.stdout.flush()
        else:
            out.print(_readable(what, rec.value or b"{}"), soft_wrap=True)


def _tail_ocsf(to_ocsf, rec) -> str | None:
    """An alert record from the topic as an OCSF finding; a record that is not a valid
    alert is named on stderr (topic[partition]@offset and why) and left out of stdout."""
    from pydantic import ValidationError

    from intentwatch.pipeline.io.codec import describe

    try:
        return to_ocsf(Alert.model_validate_json(rec.value or b"{}")).decode()
    except ValidationError as e:
        err.print(f"[yellow]{rec.topic}[{rec.partition}]@{rec.offset}: not an alert, skipped: {describe(e)}[/yellow]", highlight=False)
        return None


_SEV_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": "dim"}


def _readable(what: str, raw: bytes) -> str:
    import orjson

    d = orjson.loads(raw)
    if what == "revocations":
        return f"{d['issued_at']}  [bold]{d['action'].upper():<18}[/bold] {d['agent_id']:<24} creds={','.join(d['credential_ids']) or '-'}  {d['reason']}  ({d['command_id'][:12]})"
    sev = d["severity"]
    count = f" x{d['count']}" if d["count"] > 1 else ""
    return (f"{d['last_seen']}  [{_SEV_STYLE[sev]}]{sev.upper():<8}[/{_SEV_STYLE[sev]}] {d['rule_id']:<38} "
            f"{d['agent_id']:<24}{count}  {d['message']}  ({d['alert_id'][:12]})")


def broker(action: Annotated[str, typer.Argument(help="start, stop, status or reset")]) -> None:
    """Run a local single-node Apache Kafka 4.x broker from Maven Central jars (Java 17 and Maven needed).

    Example:

    ```
    intentwatch broker start     # KAFKA_PORT=9092 by default
    ```
    """
    import subprocess

    script = Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "broker.sh"
    if not script.exists():
        fail(f"{script} not found: run from a checkout of the repository")
    raise typer.Exit(subprocess.call(["bash", str(script), action]))
