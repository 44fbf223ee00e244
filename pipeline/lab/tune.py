"""A tuning report: the same history replayed under two (or more) configurations, side by side.

``intentwatch tune HISTORY --config A.yaml --config B.yaml [--labels L] --report out.html``

Each configuration is replayed in its own process (as many at once as there are cores) by
pipeline/hosts/replay.py, exactly as ``intentwatch replay`` would, and its alerts are kept as
JSON lines beside the report (``<report>-runs/<name>-alerts.jsonl``), so any number in the
report can be checked with ``intentwatch evaluate``. The report is one static HTML file that
needs no network: tables, and plots rendered by matplotlib as inline SVG.

What it shows, the first configuration being the reference:
- alerts per rule for each configuration (distinct alert ids, info alerts apart, as
  ``evaluate`` counts them);
- what each other configuration adds and removes against the first (by alert id), with
  example alerts per rule;
- alert volume over time, against the number of actions;
- the noisiest agents, and for them a timeline of their actions per hour with each
  configuration's alerts on it;
- with labels (``intentwatch simulate``'s labels.jsonl): recall, precision and detection
  delay per kind, from ``evaluate`` itself (the same numbers as ``evaluate --json``).
Without labels (real history) everything but the last part is there.

Plots: matplotlib, SVG inline (text kept as text). No JavaScript, nothing fetched, a file
of a few hundred kB that prints; plotly would embed a 4.6 MB script in every report.
"""

import io
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import orjson

from intentwatch.models.errors import ConfigError, IntentwatchError
from intentwatch.pipeline.lab.evaluate import dedupe, evaluate, load_jsonl

TEMPLATE = Path(__file__).with_name("tune.html")
EXAMPLES = 5          # example alerts per rule in the added / removed tables
NOISIEST = 15         # agents in the noisiest-agents table
TIMELINES = 6         # agents with a timeline plot
COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df")


@dataclass(frozen=True)
class History:
    """What to replay: actions (JSON lines), and the manifests, lifecycle and verdicts that go with them."""

    actions: Path
    intents: Path | None = None
    lifecycle: Path | None = None
    feedback: Path | None = None

    @classmethod
    def find(cls, path: Path, intents: Path | None = None, lifecycle: Path | None = None,
             feedback: Path | None = None) -> "History":
        """``path`` is an actions file, or a directory laid out as ``intentwatch simulate`` writes it
        (actions.jsonl[.gz], intents/, lifecycle.jsonl, feedback.jsonl); options name files explicitly."""
        if path.is_dir():
            actions = next((path / n for n in ("actions.jsonl", "actions.jsonl.gz") if (path / n).is_file()), None)
            if actions is None:
                raise ConfigError(f"{path}: no actions.jsonl (or .gz) in this directory")

            def inside(given: Path | None, name: str) -> Path | None:
                return given if given is not None else (path / name if (path / name).exists() else None)

            return cls(actions, inside(intents, "intents"), inside(lifecycle, "lifecycle.jsonl"),
                       inside(feedback, "feedback.jsonl"))
        if not path.is_file():
            raise ConfigError(f"{path}: no such file or directory")
        return cls(path, intents, lifecycle, feedback)


@dataclass
class Run:
    """One configuration's replay of the history."""

    name: str
    config: str
    alerts_path: str
    commands_path: str
    dead_letter_path: str
    summary: dict = field(default_factory=dict)


def replay_config(history: History, config: Path, name: str, out: Path) -> Run:
    """Replay ``history`` under ``config`` as ``intentwatch replay`` does; outputs go to ``out``.
    Runs in a worker process: everything it takes and returns pickles."""
    from intentwatch.models.alert import Alert
    from intentwatch.pipeline.engine.engine import Engine
    from intentwatch.pipeline.hosts.replay import manifest_instantiations, read_feedback, read_lifecycle, replay
    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.io.intents import load_manifests
    from intentwatch.pipeline.settings import load_settings

    settings = load_settings(config)
    engine = Engine(settings.engine)
    events: list = []
    if history.intents is not None:
        loaded = load_manifests(history.intents)
        if loaded.errors:
            raise ConfigError(f"{len(loaded.errors)} manifest error(s) under {history.intents}, first: {loaded.errors[0]}; "
                              f"run `intentwatch validate {history.intents}`")
        events += manifest_instantiations(loaded.manifests)
    run = Run(name, str(config), str(out / f"{name}-alerts.jsonl"), str(out / f"{name}-commands.jsonl"),
              str(out / f"{name}-dead-letter.jsonl"))
    dead = DeadLetterFile(Path(run.dead_letter_path))
    max_bytes = settings.engine.max_event_bytes
    if history.lifecycle is not None:
        events += read_lifecycle(history.lifecycle, dead, max_bytes)
    if history.feedback is not None:
        events += read_feedback(history.feedback, dead, max_bytes)
    with open(run.alerts_path, "wb") as a_out, open(run.commands_path, "wb") as c_out:
        def emit(o) -> None:
            (a_out if isinstance(o, Alert) else c_out).write(o.model_dump_json().encode() + b"\n")

        s = replay(engine, history.actions, events, emit, dead)
    dead.close()
    run.summary = {"lines": s.lines, "actions": s.actions, "lifecycle": s.lifecycle, "feedback": s.feedback, "bad": s.bad,
                   "commands": dict(s.commands), "withheld": s.withheld, "seconds": round(s.seconds, 2)}
    return run


def activity(actions: Path, bucket_seconds: int = 3600) -> dict[str, Counter[int]]:
    """Actions per agent per time bucket (bucket start, epoch seconds), read once from the history.
    Lines that do not parse are skipped here: the replays report them as dead letters."""
    from intentwatch.pipeline.hosts.replay import open_lines

    out: dict[str, Counter[int]] = defaultdict(Counter)
    for _n, raw in open_lines(actions):
        try:
            d = orjson.loads(raw)
            t = _epoch(d["time"])
            out[d["agent_id"]][int(t // bucket_seconds) * bucket_seconds] += 1
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            continue
    return out


def _epoch(value: str) -> float:
    t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp()


def run_names(configs: Sequence[Path]) -> list[str]:
    """A short, unique name per configuration: its file stem (``both``), numbered if stems repeat."""
    names: list[str] = []
    for c in configs:
        base, n = c.stem, 2
        name = base
        while name in names:
            name, n = f"{base}-{n}", n + 1
        names.append(name)
    return names


def tune(history: History, configs: Sequence[Path], report: Path, labels: Path | None = None,
         out: Path | None = None, jobs: int | None = None) -> dict:
    """Replay ``history`` under each configuration (in parallel), write the HTML ``report``, return its data."""
    if len(configs) < 2:
        raise ConfigError("tune compares configurations: give --config at least twice")
    for c in configs:
        if not Path(c).is_file():
            raise ConfigError(f"{c}: no such config file")
    out = out if out is not None else report.with_name(f"{report.stem}-runs")
    out.mkdir(parents=True, exist_ok=True)
    names = run_names(configs)
    workers = max(1, min(len(configs), jobs or os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(replay_config, history, Path(c), name, out) for c, name in zip(configs, names)]
        acts = activity(history.actions)  # the parent reads the history meanwhile
        runs = []
        for f in futures:
            try:
                runs.append(f.result())
            except IntentwatchError:
                raise
            except Exception as e:  # a replay that failed in its process: say which configuration
                raise IntentwatchError(f"replay failed: {type(e).__name__}: {e}") from e
    label_rows = list(load_jsonl(labels)) if labels is not None else None
    data = build(history, runs, acts, label_rows, labels)
    report.write_text(render(data, acts), encoding="utf-8")
    return data


# -- the report's numbers ---------------------------------------------------------------------
def _brief(a: dict) -> dict:
    return {"alert_id": a["alert_id"], "agent_id": a["agent_id"], "rule_id": a["rule_id"], "severity": a["severity"],
            "first_seen": a["first_seen"], "count": a["count"], "message": a["message"]}


def build(history: History, runs: list[Run], acts: dict[str, Counter[int]], labels: list[dict] | None,
          labels_path: Path | None) -> dict:
    """Everything the report shows, as plain data (embedded in the page as JSON, for checking)."""
    alerts: dict[str, list[dict]] = {}
    info: dict[str, int] = {}
    for r in runs:
        alerts[r.name], info[r.name] = dedupe(load_jsonl(r.alerts_path))
    names = [r.name for r in runs]
    per_rule: dict[str, Counter[str]] = {n: Counter(a["rule_id"] for a in alerts[n]) for n in names}
    severity = {a["rule_id"]: a["severity"] for n in names for a in alerts[n]}
    rules = sorted(set().union(*per_rule.values()), key=lambda r: (-max(per_rule[n][r] for n in names), r))
    by_rule = [{"rule": r, "severity": severity[r], "counts": {n: per_rule[n][r] for n in names}} for r in rules]

    ref = names[0]
    ref_ids = {a["alert_id"] for a in alerts[ref]}
    diffs = []
    for n in names[1:]:
        ids = {a["alert_id"] for a in alerts[n]}
        added = [a for a in alerts[n] if a["alert_id"] not in ref_ids]
        removed = [a for a in alerts[ref] if a["alert_id"] not in ids]
        diffs.append({"name": n, "against": ref, "added": _by_rule(added), "removed": _by_rule(removed),
                      "n_added": len(added), "n_removed": len(removed), "n_same": len(ids & ref_ids)})

    totals = Counter()
    for agent_counts in acts.values():
        totals.update(agent_counts)
    span = (min(totals), max(totals)) if totals else None
    bucket = 3600 if span is None or span[1] - span[0] <= 21 * 86400 else 86400
    volume = {n: Counter(int(_epoch(a["first_seen"]) // bucket) * bucket for a in alerts[n]) for n in names}

    per_agent = {n: Counter(a["agent_id"] for a in alerts[n]) for n in names}
    noisy = sorted(set().union(*per_agent.values()), key=lambda a: (-sum(per_agent[n][a] for n in names), a))
    noisiest = []
    for agent in noisy[:NOISIEST]:
        rules_of = {n: Counter(a["rule_id"] for a in alerts[n] if a["agent_id"] == agent).most_common(3) for n in names}
        noisiest.append({"agent_id": agent, "actions": sum(acts.get(agent, Counter()).values()),
                         "counts": {n: per_agent[n][agent] for n in names},
                         "top_rules": {n: [f"{r} ({c})" for r, c in rules_of[n]] for n in names}})

    evaluation = None
    if labels is not None:
        evaluation = {n: evaluate(load_jsonl(r.alerts_path), labels).to_dict() for n, r in zip(names, runs)}
    return {
        "generated_by": "intentwatch tune",
        "history": {k: (str(v) if v is not None else None) for k, v in asdict(history).items()},
        "labels": str(labels_path) if labels_path is not None else None,
        "runs": [{**asdict(r), "alerts": len(alerts[r.name]), "info_alerts": info[r.name],
                  "agents_alerted": len(per_agent[r.name])} for r in runs],
        "agents_active": len(acts), "actions": sum(totals.values()),
        "span": [_iso(span[0]), _iso(span[1] + 3600)] if span else None, "bucket_seconds": bucket,
        "by_rule": by_rule, "diffs": diffs, "noisiest": noisiest,
        "volume": {n: sorted(v.items()) for n, v in volume.items()},
        "timeline_alerts": {a: {n: sorted(_epoch(x["first_seen"]) for x in alerts[n] if x["agent_id"] == a) for n in names}
                            for a in [row["agent_id"] for row in noisiest[:TIMELINES]]},
        "evaluation": evaluation,
    }


def _by_rule(alerts: list[dict]) -> list[dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for a in alerts:
        groups[a["rule_id"]].append(a)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [{"rule": r, "count": len(v), "examples": [_brief(a) for a in sorted(v, key=lambda a: a["first_seen"])[:EXAMPLES]]}
            for r, v in ordered]


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


# -- plots ------------------------------------------------------------------------------------
def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # inline: no XML declaration or DOCTYPE


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise ConfigError("the tuning report plots with matplotlib: pip install 'intentwatch[lab]'") from None
    matplotlib.use("Agg")
    matplotlib.rcParams.update({"svg.hashsalt": "intentwatch", "svg.fonttype": "none", "font.size": 9,
                                "axes.spines.top": False, "axes.spines.right": False})
    import matplotlib.pyplot as plt

    return plt


def plots(data: dict, acts: dict[str, Counter[int]]) -> dict[str, str]:
    """Inline SVGs: alerts per rule, volume over time, per-agent timelines."""
    plt = _pyplot()
    names = [r["name"] for r in data["runs"]]
    out: dict[str, str] = {}
    rows = data["by_rule"][:25]
    if rows:
        fig, ax = plt.subplots(figsize=(9, 0.3 * len(rows) * len(names) / 2 + 1.2))
        h = 0.8 / len(names)
        for i, n in enumerate(names):
            ax.barh([k + i * h for k in range(len(rows))], [r["counts"][n] for r in rows], height=h,
                    color=COLOURS[i % len(COLOURS)], label=n)
        ax.set_yticks([k + h * (len(names) - 1) / 2 for k in range(len(rows))], [r["rule"] for r in rows])
        ax.invert_yaxis()
        if max(max(r["counts"].values()) for r in rows) > 200:  # a few loud rules would flatten the rest
            ax.set_xscale("symlog")
            ax.set_xlabel("alerts (distinct ids, symlog scale)")
        else:
            ax.set_xlabel("alerts (distinct ids)")
        ax.legend(loc="lower right")
        out["rules"] = _svg(fig)

    bucket = data["bucket_seconds"]
    totals: Counter[int] = Counter()
    for c in acts.values():
        totals.update(c)
    if totals:
        fig, ax = plt.subplots(figsize=(9, 3))
        xs = sorted(totals)
        ax2 = ax.twinx()
        ax2.fill_between([_dt(x) for x in xs], [totals[x] for x in xs], step="post", color="#d0d7de", alpha=0.6)
        ax2.set_ylabel("actions per hour", color="#57606a")
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
        for i, n in enumerate(names):
            v = dict(data["volume"][n])
            grid = range(min(xs) // bucket * bucket, max(xs) + bucket, bucket)
            ax.step([_dt(x) for x in grid], [v.get(x, 0) for x in grid], where="post", color=COLOURS[i % len(COLOURS)],
                    label=n)
        ax.set_ylabel(f"alerts opened per {'hour' if bucket == 3600 else 'day'}")
        ax.legend(loc="upper left")
        fig.autofmt_xdate()
        out["volume"] = _svg(fig)

    agents = list(data["timeline_alerts"])
    if agents:
        fig, axes = plt.subplots(len(agents), 1, figsize=(9, 1.8 * len(agents) + 0.5), sharex=True, squeeze=False)
        for ax, agent in zip(axes[:, 0], agents):
            c = acts.get(agent, Counter())
            xs = sorted(c)
            if xs:
                ax.bar([_dt(x) for x in xs], [c[x] for x in xs], width=1 / 24, align="edge", color="#afb8c1",
                       label="actions per hour")
            top = max(c.values(), default=1)
            for i, n in enumerate(names):
                ts = data["timeline_alerts"][agent][n]
                ax.scatter([_dt(t) for t in ts], [top * (1.15 + 0.15 * i)] * len(ts), marker="v", s=22,
                           color=COLOURS[i % len(COLOURS)], label=f"{n} alerts ({len(ts)})", zorder=3)
            ax.set_ylim(0, top * (1.3 + 0.15 * len(names)))
            ax.set_title(agent, loc="left", fontsize=9, fontweight="bold")
            ax.legend(loc="upper right", fontsize=7, ncols=len(names) + 1, frameon=False, bbox_to_anchor=(1, 1.3))
        fig.autofmt_xdate()
        out["timelines"] = _svg(fig)
    return out


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


# -- HTML -------------------------------------------------------------------------------------
def render(data: dict, acts: dict[str, Counter[int]]) -> str:
    try:
        import jinja2
    except ImportError:
        raise ConfigError("the tuning report renders with jinja2: pip install 'intentwatch[lab]'") from None
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: "-" if v is None else f"{v:.2f}"
    env.filters["num"] = lambda v: "-" if v is None else (f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}")
    page = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return page.render(d=data, names=[r["name"] for r in data["runs"]], svg=plots(data, acts), colours=COLOURS,
                       data_json=orjson.dumps(data).decode().replace("</", "<\\/"))
