"""Score alerts against the simulator's labels: recall, precision, detection delay, false alerts.

Rules:

- Alerts are de-duplicated by ``alert_id``, keeping the last publication (an ``open``
  alert may be published again as ``final`` with a bigger count). ``info`` alerts are
  ignored.
- A scenario instance (an agent whose label kind is an attack) is detected when some
  alert on that agent has ``first_seen >= onset``. The first such alert (by
  ``first_seen``) gives the delay: in seconds, ``first_seen - onset``; in actions,
  ``evidence.action_seq - (onset_seq + 1)`` (``action_seq`` is the engine's 1-based count
  of the agent's actions, so 0 means caught on the onset action itself).
- Precision of a kind: alerts on its agents with ``first_seen >= onset`` over all alerts
  on its agents (an alert before the onset is a false one).
- Normal kinds (``normal``, ``noisy_normal``, ``normal_update``): every alert is false;
  the rate is per 1,000 agent-hours (label ``end - start``). For ``normal_update`` the
  alerts at or after the approved update are also counted apart.
- Percentiles are numpy's (linear interpolation).
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import orjson
from rich import box
from rich.table import Table

from intentwatch.models.alert import SEVERITY_RANK
from intentwatch.models.errors import InputError
from intentwatch.pipeline.io.deadletter import Unreadable
from intentwatch.pipeline.lab.simulate.agentic import AGENTIC_KIND_GROUP
from intentwatch.pipeline.lab.simulate.scenarios import KIND_GROUP as FLEET_KIND_GROUP

KIND_GROUP = {**FLEET_KIND_GROUP, **AGENTIC_KIND_GROUP}  # the behavioural fleet's kinds, then the agentic lab's
NORMAL_KINDS = tuple(k for k, g in KIND_GROUP.items() if g == "normal")
GROUP_ORDER = ("intent-visible", "behavioural", "agentic")


def load_jsonl(path: str | Path) -> Iterator[dict]:
    """The JSON objects of a JSON-lines file (gzip or zstd compressed too, known by their first
    bytes: ``hosts.replay.open_lines``); blank lines are skipped. A line that is no JSON, or a
    compressed stream that breaks, is an ``InputError`` naming the file and line."""
    from intentwatch.pipeline.hosts.replay import open_lines

    for n, line in open_lines(path):
        if isinstance(line, Unreadable):
            raise InputError(f"{path}:{n}", line.reason, "unreadable")
        if line.strip():
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError as e:
                raise InputError(f"{path}:{n}", f"not JSON ({e})", "invalid_json") from None


def _when(value: Any) -> datetime:
    """An ISO 8601 string or datetime as an aware datetime (naive means UTC)."""
    t = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p95": None}
    return {"median": float(np.median(values)), "p95": float(np.percentile(values, 95))}


def _ratio(num: int, den: int | float) -> float | None:
    return num / den if den else None


@dataclass
class KindRow:
    """Detection results for one attack kind (or a pool of kinds)."""

    kind: str
    group: str
    instances: int = 0
    detected: int = 0
    alerts: int = 0
    true_alerts: int = 0
    delay_actions: list[float] = field(default_factory=list)
    delay_seconds: list[float] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return _ratio(self.detected, self.instances)

    @property
    def precision(self) -> float | None:
        return _ratio(self.true_alerts, self.alerts)

    def add(self, other: "KindRow") -> None:
        self.instances += other.instances
        self.detected += other.detected
        self.alerts += other.alerts
        self.true_alerts += other.true_alerts
        self.delay_actions += other.delay_actions
        self.delay_seconds += other.delay_seconds
        self.missed += other.missed

    def to_dict(self) -> dict:
        return {
            "kind": self.kind, "group": self.group, "instances": self.instances, "detected": self.detected,
            "recall": self.recall, "alerts": self.alerts, "true_alerts": self.true_alerts,
            "precision": self.precision, "delay_actions": _stats(self.delay_actions),
            "delay_seconds": _stats(self.delay_seconds), "missed": sorted(self.missed),
        }


@dataclass
class NormalRow:
    """False alerts on agents that did nothing wrong."""

    kind: str
    agents: int = 0
    alerts: int = 0
    agent_hours: float = 0.0
    alerts_on_updates: int | None = None   # normal_update only: alerts at/after the approved update

    @property
    def per_1000h(self) -> float | None:
        return _ratio(self.alerts * 1000, self.agent_hours)

    def to_dict(self) -> dict:
        d = {"kind": self.kind, "agents": self.agents, "alerts": self.alerts, "agent_hours": self.agent_hours,
             "false_alerts_per_1000_agent_hours": self.per_1000h}
        if self.alerts_on_updates is not None:
            d["alerts_on_approved_updates"] = self.alerts_on_updates
        return d


@dataclass
class Report:
    """The evaluation of one run: a row per attack kind, per group, overall, and per normal kind."""

    kinds: list[KindRow]
    normals: list[NormalRow]
    alerts: int                    # distinct alerts scored (after de-duplication, info ignored)
    info_ignored: int
    unlabelled_alerts: int         # alerts on agents the labels do not know
    by_rule: dict[str, dict[str, int]]

    def groups(self) -> list[KindRow]:
        out = []
        for g in GROUP_ORDER:
            row = KindRow(f"all {g}", g)
            for r in self.kinds:
                if r.group == g:
                    row.add(r)
            if row.instances:
                out.append(row)
        return out

    def overall(self) -> KindRow:
        row = KindRow("all attacks", "overall")
        for r in self.kinds:
            row.add(r)
        return row

    def normal_overall(self) -> NormalRow:
        row = NormalRow("all normal")
        for r in self.normals:
            row.agents += r.agents
            row.alerts += r.alerts
            row.agent_hours += r.agent_hours
        return row

    def to_dict(self) -> dict:
        return {
            "kinds": [r.to_dict() for r in self.kinds],
            "groups": [r.to_dict() for r in self.groups()],
            "overall": self.overall().to_dict(),
            "normal": [r.to_dict() for r in self.normals],
            "normal_overall": self.normal_overall().to_dict(),
            "alerts": self.alerts, "info_ignored": self.info_ignored,
            "unlabelled_alerts": self.unlabelled_alerts, "by_rule": self.by_rule,
        }

    # -- rendering -------------------------------------------------------------------
    def _attack_rows(self) -> list[tuple[KindRow, bool]]:
        rows: list[tuple[KindRow, bool]] = []
        for g in self.groups():
            rows += [(r, False) for r in self.kinds if r.group == g.group]
            rows.append((g, True))
        rows += [(r, False) for r in self.kinds if r.group not in GROUP_ORDER]
        rows.append((self.overall(), True))
        return rows

    def table(self) -> Table:
        """Two rich tables in a grid: detection per attack kind, false alerts per normal kind."""
        det = Table(title="detection; delays in actions and seconds", header_style="bold", box=box.SIMPLE_HEAD)
        for col in ("kind", "n", "det", "recall", "prec", "acts med/p95", "secs med/p95"):
            det.add_column(col, justify="left" if col == "kind" else "right", no_wrap=True)
        for r, pooled in self._attack_rows():
            det.add_row(*_cells(r)[1:], style="bold" if pooled else None, end_section=pooled)
        fp = Table(title="false alerts", header_style="bold", box=box.SIMPLE_HEAD)
        for col in ("kind", "agents", "agent-h", "alerts", "per 1k agent-h", "on updates"):
            fp.add_column(col, justify="left" if col == "kind" else "right", no_wrap=True)
        for r in [*self.normals, self.normal_overall()]:
            fp.add_row(r.kind, str(r.agents), f"{r.agent_hours:,.0f}", str(r.alerts), _fmt(r.per_1000h, 2),
                       "" if r.alerts_on_updates is None else str(r.alerts_on_updates),
                       style="bold" if r.kind == "all normal" else None)
        grid = Table.grid(padding=(1, 0))
        grid.add_row(det)
        grid.add_row(fp)
        grid.add_row(f"{self.alerts:,} alerts scored; {self.info_ignored:,} info ignored; "
                     f"{self.unlabelled_alerts:,} on unlabelled agents")
        return grid

    def markdown(self) -> str:
        """The same two tables in GitHub markdown, for the README."""
        lines = ["| group | kind | n | detected | recall | precision | delay actions (median / p95) | delay s (median / p95) |",
                 "|---|---|--:|--:|--:|--:|--:|--:|"]
        for r, pooled in self._attack_rows():
            cells = _cells(r)
            if pooled:
                cells = [f"**{c}**" if c else c for c in cells]
            lines.append("| " + " | ".join(cells) + " |")
        lines += ["", "| kind | agents | agent-hours | alerts | false alerts / 1,000 agent-h | alerts on approved updates |",
                  "|---|--:|--:|--:|--:|--:|"]
        for r in [*self.normals, self.normal_overall()]:
            upd = "" if r.alerts_on_updates is None else str(r.alerts_on_updates)
            lines.append(f"| {r.kind} | {r.agents} | {r.agent_hours:,.0f} | {r.alerts} | {_fmt(r.per_1000h, 2)} | {upd} |")
        return "\n".join(lines)


def _fmt(v: float | None, digits: int = 2) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def _num(v: float | None, digits: int) -> str:
    """``digits`` decimals, or none when the value is whole (action counts)."""
    return _fmt(v, 0 if v is not None and float(v).is_integer() else digits)


def _pair(s: dict[str, float | None], digits: int) -> str:
    return "-" if s["median"] is None else f"{_num(s['median'], digits)} / {_num(s['p95'], digits)}"


def _cells(r: KindRow) -> list[str]:
    return [r.group, r.kind, str(r.instances), str(r.detected), _fmt(r.recall), _fmt(r.precision),
            _pair(_stats(r.delay_actions), 1), _pair(_stats(r.delay_seconds), 1)]


def dedupe(alerts: Iterable[dict], min_severity: str = "low") -> tuple[list[dict], int]:
    """Alerts by ``alert_id``, the last publication of each, those below ``min_severity`` (and info)
    dropped; and how many were dropped."""
    last: dict[str, dict] = {}
    for n, a in enumerate(alerts, 1):
        if not isinstance(a, dict) or not isinstance(a.get("alert_id"), str):
            raise InputError(f"alert record {n}", "no alert_id: not an alerts file (replay's --alerts, the alerts topic)")
        last[a["alert_id"]] = a  # dict keeps first-insertion order, value is the latest
    floor = max(SEVERITY_RANK[min_severity], SEVERITY_RANK["low"])
    kept = [a for a in last.values() if SEVERITY_RANK.get(a.get("severity", "info"), 0) >= floor]
    return kept, len(last) - len(kept)


def evaluate(alerts: Iterable[dict], labels: Iterable[dict], min_severity: str = "low") -> Report:
    """Score ``alerts`` (dicts shaped like ``models.alert.Alert``) against simulator ``labels``; alerts
    below ``min_severity`` count as not raised (``high``: what pages)."""
    labels = list(labels)
    by_agent = {lab["agent_id"]: lab for lab in labels}
    kept, info = dedupe(alerts, min_severity)
    per_agent: dict[str, list[dict]] = {}
    unlabelled = 0
    for a in kept:
        if a["agent_id"] in by_agent:
            per_agent.setdefault(a["agent_id"], []).append(a)
        else:
            unlabelled += 1
    rules: dict[str, Counter] = {}

    def count(rule: str, verdict: str) -> None:
        rules.setdefault(rule, Counter())[verdict] += 1

    kinds: dict[str, KindRow] = {}
    normals: dict[str, NormalRow] = {k: NormalRow(k, alerts_on_updates=0 if k == "normal_update" else None)
                                     for k in NORMAL_KINDS if any(lab["kind"] == k for lab in labels)}
    for lab in labels:
        kind = lab["kind"]
        mine = sorted(per_agent.get(lab["agent_id"], []), key=lambda a: (_when(a["first_seen"]), a["alert_id"]))
        onset = _when(lab["onset"]) if lab.get("onset") else None
        if kind in normals:
            row = normals[kind]
            row.agents += 1
            row.alerts += len(mine)
            row.agent_hours += (_when(lab["end"]) - _when(lab["start"])).total_seconds() / 3600
            for a in mine:
                count(a["rule_id"], "false")
                if row.alerts_on_updates is not None and onset is not None and _when(a["first_seen"]) >= onset:
                    row.alerts_on_updates += 1
            continue
        row = kinds.setdefault(kind, KindRow(kind, KIND_GROUP.get(kind, "other")))
        row.instances += 1
        row.alerts += len(mine)
        hits = [a for a in mine if onset is not None and _when(a["first_seen"]) >= onset]
        hit_ids = {a["alert_id"] for a in hits}
        row.true_alerts += len(hits)
        for a in mine:
            count(a["rule_id"], "true" if a["alert_id"] in hit_ids else "false")
        if not hits:
            row.missed.append(lab["agent_id"])
            continue
        row.detected += 1
        first = hits[0]
        row.delay_seconds.append((_when(first["first_seen"]) - onset).total_seconds())
        seq = (first.get("evidence") or {}).get("action_seq")
        if seq is not None and lab.get("onset_seq") is not None:
            row.delay_actions.append(seq - (lab["onset_seq"] + 1))
    order = {k: i for i, k in enumerate(KIND_GROUP)}
    return Report(
        kinds=sorted(kinds.values(), key=lambda r: (order.get(r.kind, len(order)), r.kind)),
        normals=[normals[k] for k in NORMAL_KINDS if k in normals],
        alerts=len(kept), info_ignored=info, unlabelled_alerts=unlabelled,
        by_rule={r: {"true": c["true"], "false": c["false"]} for r, c in sorted(rules.items())},
    )


def compare(reports: dict[str, Report]) -> list[list[str]]:
    """Runs side by side (e.g. intent rules only / learned only / both): per attack kind,
    recall and median delay in actions; then false alerts per 10,000 normal agent-hours.
    Returns rows, the first one the header."""
    first = next(iter(reports.values()))
    header = ["kind", *reports]
    rows = [header]
    names = [r.kind for r, _ in first._attack_rows()]
    for name in names:
        cells = [name]
        for rep in reports.values():
            row = next((r for r, _ in rep._attack_rows() if r.kind == name), None)
            med = _stats(row.delay_actions)["median"] if row else None
            cells.append("-" if row is None or row.recall is None else
                         f"{row.recall:.2f}" + ("" if med is None else f" ({_num(med, 1)})"))
        rows.append(cells)
    fp = ["false alerts / 10k normal agent-h"]
    for rep in reports.values():
        n = rep.normal_overall()
        fp.append(f"{n.alerts * 10_000 / n.agent_hours:.2f} ({n.alerts})" if n.agent_hours else "-")
    rows.append(fp)
    return rows


def compare_markdown(rows: list[list[str]]) -> str:
    head, *body = rows
    return "\n".join(["| " + " | ".join(head) + " |", "|---" + "|--:" * (len(head) - 1) + "|",
                      *("| " + " | ".join(r) + " |" for r in body)])
