"""Intents suggested from history: patterns, the parts of a draft, coverage, the file, the CLI."""

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from intentwatch.pipeline.cli import app
from intentwatch.pipeline.engine.config import EngineConfig, LearnedConfig
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.hosts.replay import manifest_instantiations
from intentwatch.pipeline.io.intents import load_manifests
from intentwatch.pipeline.suggest import DraftOptions, suggest_intents
from intentwatch.pipeline.suggest.draft import DRAFT_PURPOSE, suggest_all
from intentwatch.pipeline.suggest.history import read_history
from intentwatch.pipeline.suggest.patterns import escape, generalise, generalise_tools
from tests.factories import T0, action

TOOLS = ["zendesk.get_ticket", "zendesk.update_ticket", "crm.lookup"]
OPS = {"zendesk.get_ticket": "read", "zendesk.update_ticket": "write", "crm.lookup": "read"}


def workdays(agent_id: str = "support-1", days: int = 14, hours: range = range(9, 17), weekend: bool = False,
             per_hour: int = 4, model: dict | None = None, cred: str = "key-1") -> list:
    """Sessions of three actions each, ``per_hour`` an hour, over ``days`` from T0 (a Monday 00:00 base)."""
    base = T0.replace(hour=0)
    out = []
    n = 0
    for d in range(days):
        if not weekend and (base + timedelta(days=d)).weekday() >= 5:
            continue
        for h in hours:
            for s in range(per_hour):
                session = f"s-{d}-{h}-{s}"
                for k in range(3):
                    tool = TOOLS[(n + k) % 3]
                    at = base + timedelta(days=d, hours=h, minutes=s * 12 + k)
                    out.append(action(agent_id, at, tool=tool, operation=OPS[tool], resource=f"zendesk://acme/tickets/{n % 40}",
                                      data_domain="tickets", session_id=session, credential_id=cred,
                                      model=model or {"id": "gpt-4o", "version": "2024-08-06"}))
                n += 1
    return out


# -- patterns -------------------------------------------------------------------------------
def test_one_value_never_becomes_a_wildcard():
    assert generalise({"zendesk://acme/queues/vip": 1}).patterns == ["zendesk://acme/queues/vip"]
    assert generalise_tools({"zendesk.get_ticket": 1}).patterns == ["zendesk.get_ticket"]
    # two under different parents: each stays exact
    assert generalise({"a://x/1": 1, "b://y/2": 1}).patterns == ["a://x/1", "b://y/2"]


def test_distinct_values_under_a_prefix_become_its_wildcard_and_cover_their_exact_forms():
    g = generalise({"salesforce://acme/Account/001a": 3, "salesforce://acme/Account/001b": 1})
    assert g.patterns == ["salesforce://acme/Account/*"]
    assert g.covers["salesforce://acme/Account/001a"] == "salesforce://acme/Account/*"
    assert generalise({"x/1": 1, "x/2": 1}, min_distinct=3).patterns == ["x/1", "x/2"]


def test_unlike_things_under_a_prefix_are_not_merged():
    """Under arn:aws: an instance, a log group and an S3 key are different kinds: no arn:aws:*."""
    values = {"arn:aws:ec2:eu-west-1:1:instance/i-1": 2, "arn:aws:logs:eu-west-1:1:log-group:/aws/ecs/web": 2,
              "arn:aws:s3:::bkt/app/": 2, "arn:aws:lambda:eu-west-1:1:function:resize": 1}
    assert not any(p.startswith("arn:aws:*") for p in generalise(values).patterns)
    assert sorted(generalise(values).patterns) == sorted(values)


def test_the_broadest_supported_prefix_wins():
    values = {"file:///workspace/api/src/a.py": 1, "file:///workspace/api/src/b.py": 1, "file:///workspace/web/lib/c.ts": 1}
    assert generalise(values).patterns == ["file:///workspace/*"]


def test_wildcard_characters_in_values_match_only_themselves():
    g = generalise({"payments://acme/payees/*/bank": 1})
    assert g.patterns == ["payments://acme/payees/[*]/bank"]
    assert escape("a?b[c]") == "a[?]b[[]c]"
    from intentwatch.pipeline.engine.scope import PatternSet
    ps = PatternSet(g.patterns)
    assert "payments://acme/payees/*/bank" in ps and "payments://acme/payees/x/bank" not in ps


def test_min_distinct_below_two_is_refused():
    with pytest.raises(ValueError, match="one value never"):
        generalise({"a": 1}, min_distinct=1)


# -- the parts of a draft --------------------------------------------------------------------
def draft_of(actions, until=None, **opts):
    h = read_history(iter(actions), "UTC", until)
    return suggest_all(h, DraftOptions(**opts))


def test_draft_scope_is_what_the_agent_did():
    d = draft_of(workdays())["support-1"]
    m = d.manifest
    assert m.allowed.tools == ["crm.lookup", "zendesk.*"]      # two zendesk tools: the server's wildcard
    assert m.allowed.operations == ["read", "write"]            # operations stay exact
    assert m.allowed.data_domains == ["tickets"]
    assert m.allowed.resources == ["zendesk://acme/tickets/*"]
    assert m.model is not None and (m.model.id, m.model.version) == ("gpt-4o", "2024-08-06")
    assert m.credentials == ["key-1"]
    assert m.enforcement == "monitor" and m.owner is None and m.approver is None and m.purpose == DRAFT_PURPOSE
    assert m.expires_at is None and m.ttl is None


def test_schedule_has_a_margin_and_drops_weekends_only_when_their_absence_is_significant():
    busy = draft_of(workdays())["support-1"].manifest.schedule
    assert busy is not None and busy.hours == "08:00-18:00" and busy.days == ["mon", "tue", "wed", "thu", "fri"]
    # One session a day: two quiet weekends prove nothing, so every day stays allowed.
    sparse = draft_of(workdays(hours=range(10, 11), per_hour=1))["support-1"].manifest.schedule
    assert sparse is not None and sparse.days == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert sparse.hours == "09:00-12:00"
    # Few sessions over a long day: the margin grows (1 h + 3 x 10 h / 21 sessions).
    few = draft_of(workdays(days=2, hours=range(8, 18), per_hour=1))["support-1"].manifest.schedule
    assert few is not None and few.hours == "06:00-20:00"
    # Around the clock, every day: no schedule at all.
    assert draft_of(workdays(hours=range(24), weekend=True, per_hour=1))["support-1"].manifest.schedule is None


def test_a_short_quiet_gap_of_a_sparse_agent_is_no_evidence_of_a_schedule():
    """Active 06:00-22:00 with about two sessions an hour over a week: the three hours the
    margins leave out would have seen ~6 sessions at the edges' pace, not the 7 (ln 1000)
    that make their quiet significant; the same hours busy keep their window."""
    base = T0.replace(hour=0)
    sparse = []
    for h in range(6, 23):
        for d in (h % 7, (h + 3) % 7):
            sparse.append(action("sparse-1", base + timedelta(days=d, hours=h, minutes=5), tool="crm.lookup",
                                 operation="read", resource="crm://a/1", data_domain="crm", session_id=f"s-{d}-{h}"))
    d = draft_of(sparse)["sparse-1"]
    assert d.manifest.schedule is None
    assert any("no evidence" in n for n in d.notes)
    busy = draft_of(workdays(days=7, hours=range(6, 23), per_hour=1, weekend=True))["support-1"].manifest.schedule
    assert busy is not None and busy.hours == "05:00-24:00"


def test_a_missing_weekday_is_significant_only_if_the_days_it_worked_were_steady():
    """A week with no Wednesday: eight sessions every other day is a weekday left out; the
    same mean spread as four a day and one 36-session batch day says whole days go quiet
    (a negative binomial's chance of an empty day, not a Poisson's), so Wednesday stays."""
    base = T0.replace(hour=0)

    def week(per_day: list[int]) -> list:
        out = []
        for d, n in zip((0, 1, 3, 4, 5, 6), per_day):
            for k in range(n):
                at = base + timedelta(days=d, hours=8 + k % 10, minutes=k // 10)
                out.append(action("etl-1", at, tool="crm.lookup", operation="read", resource="crm://a/1",
                                  data_domain="crm", session_id=f"s-{d}-{k}"))
        return out

    steady = draft_of(week([8, 8, 8, 8, 8, 8]))["etl-1"].manifest.schedule
    assert steady is not None and "wed" not in steady.days
    bursty = draft_of(week([4, 4, 4, 4, 4, 36]))["etl-1"]
    assert bursty.manifest.schedule is not None and "wed" in bursty.manifest.schedule.days
    assert any("days vary" in n for n in bursty.notes)


def test_a_run_of_quiet_weekdays_is_judged_as_a_whole():
    """Four steady sessions a working day: one empty day is e^-4, no evidence; Saturday and
    Sunday both empty is e^-8, past a thousand to one, so the weekend is left out; a lone
    quiet Wednesday at the same pace stays in."""
    base = T0.replace(hour=0)

    def worked(days: tuple[int, ...]) -> list:
        return [action("ops-1", base + timedelta(days=d, hours=9 + k), tool="crm.lookup", operation="read",
                       resource="crm://a/1", data_domain="crm", session_id=f"s-{d}-{k}") for d in days for k in range(4)]

    weekend = draft_of(worked((0, 1, 2, 3, 4, 7)))["ops-1"].manifest.schedule
    assert weekend is not None and weekend.days == ["mon", "tue", "wed", "thu", "fri"]
    midweek = draft_of(worked((0, 1, 3, 4, 5, 6, 7)))["ops-1"].manifest.schedule
    assert midweek is not None and "wed" in midweek.days


def test_schedule_wraps_midnight_and_counts_the_night_to_the_day_it_starts():
    s = draft_of(workdays(hours=range(20, 24), per_hour=3) + [a for a in workdays(hours=range(0, 3), per_hour=3)
                                                              if a.time.weekday() in (1, 2, 3, 4)])["support-1"]
    sched = s.manifest.schedule
    assert sched is not None and sched.hours == "19:00-04:00"
    assert s.coverage == 1.0  # Tuesday 01:00 belongs to Monday's night


def test_an_isolated_outlier_hour_is_left_out_and_reported():
    acts = workdays() + [action("support-1", T0.replace(hour=3) + timedelta(days=2), tool="crm.lookup", operation="read",
                                resource="zendesk://acme/tickets/1", data_domain="tickets", session_id="odd")]
    h = read_history(iter(acts), "UTC")
    d = suggest_all(h, DraftOptions())["support-1"]
    assert d.manifest.schedule is not None and d.manifest.schedule.hours == "08:00-18:00"
    assert any("03:00" in n and "outliers" in n for n in d.notes)


def test_rate_limit_is_headroom_over_a_high_quantile_and_a_rare_burst_is_left_out(tmp_path):
    acts = workdays()
    burst = [action("support-1", T0 + timedelta(days=3, hours=1, seconds=i), tool="crm.lookup", operation="read",
                    resource="zendesk://acme/tickets/2", data_domain="tickets", session_id="burst") for i in range(30)]
    src = tmp_path / "h.jsonl"
    src.write_bytes(b"".join(a.model_dump_json().encode() + b"\n" for a in sorted(acts + burst, key=lambda a: a.time)))
    s = suggest_intents(lambda dead: _read(src), tmp_path / "out", DraftOptions(rate_quantile=0.99))
    d = s.drafts["support-1"]
    assert d.manifest.rate_limit is not None and d.manifest.rate_limit.per_seconds == 60
    assert d.manifest.rate_limit.max_actions == 10  # the floor: 3 a minute in sessions, x2 = 6
    assert d.left_out["intent.rate_exceeded"] == 17  # 30 in 30 s: a full bucket of 10 plus a sixth of a token a second
    assert 0.9 < d.coverage < 1.0


def test_the_last_model_is_kept_and_earlier_ones_reported():
    acts = workdays(days=7) + workdays(days=14, model={"id": "gpt-4o", "version": "2024-11-20"})[-60:]
    d = draft_of(sorted(acts, key=lambda a: a.time))["support-1"]
    assert d.manifest.model is not None and d.manifest.model.version == "2024-11-20"
    assert any("2024-08-06" in n for n in d.notes)


def test_until_leaves_later_actions_out():
    acts = workdays()
    h = read_history(iter(acts), "UTC", until=T0.replace(hour=0) + timedelta(days=7))
    assert h.after_until == sum(a.time >= T0.replace(hour=0) + timedelta(days=7) for a in acts) > 0
    assert h.agents["support-1"].n + h.after_until == len(acts)


# -- the file and the CLI ---------------------------------------------------------------------
def _read(path: Path):
    from intentwatch.pipeline.suggest.history import native_actions

    return native_actions(path, None)


def write(tmp_path: Path, acts, extra: bytes = b"") -> Path:
    p = tmp_path / "history.jsonl"
    p.write_bytes(b"".join(a.model_dump_json().encode() + b"\n" for a in sorted(acts, key=lambda a: a.time)) + extra)
    return p


def test_drafts_load_as_manifests_with_only_the_human_warnings(tmp_path):
    src = write(tmp_path, workdays() + workdays("arn:aws:sts::123:assumed-role/ci/run-7", cred="AKIA1"))
    suggest_intents(lambda dead: _read(src), tmp_path / "out", DraftOptions())
    loaded = load_manifests(tmp_path / "out")
    assert not loaded.errors and len(loaded.manifests) == 2
    assert {p.field for p in loaded.problems} == {"owner", "expires_at"}
    text = (tmp_path / "out" / "arn_aws_sts__123_assumed-role_ci_run-7.yaml").read_text()
    assert text.startswith("# DRAFT intent manifest for arn:aws:sts::123:assumed-role/ci/run-7")
    assert "owner: null  # DRAFT: name the accountable human or team" in text
    assert "approver: null  # DRAFT" in text and "enforcement: monitor" in text
    assert yaml.safe_load(text)["credentials"] == ["AKIA1"]


def test_a_draft_holds_its_agent_to_what_it_did(tmp_path):
    """Suggest, then hold: the draft of the first week, replayed on a second week with one out-of-scope call."""
    src = write(tmp_path, workdays(days=7))
    s = suggest_intents(lambda dead: _read(src), tmp_path / "out", DraftOptions())
    m = s.drafts["support-1"].manifest.model_copy(update={"owner": "alice@example.com"})
    week2 = [a for a in workdays(days=14) if a.time >= T0.replace(hour=0) + timedelta(days=7)]
    rogue = action("support-1", T0 + timedelta(days=8, hours=2), tool="shell.exec", operation="execute",
                   resource="file:///etc/shadow", data_domain="system", session_id="x")
    engine = Engine(EngineConfig(learned=LearnedConfig(enabled=False)))
    out = []
    for ev in manifest_instantiations([(m, "draft")]):
        out += engine.process(ev)
    for a in sorted(week2 + [rogue], key=lambda a: a.time):
        out += engine.process(a)
    out += engine.flush()
    rules = {o.rule_id for o in out if getattr(o, "status", None) == "open"}
    assert rules == {"intent.tool_not_allowed", "intent.operation_not_allowed", "intent.data_domain_not_allowed",
                     "intent.resource_not_allowed"}


def test_cli_writes_drafts_prints_coverage_and_sets_bad_lines_aside(tmp_path):
    src = write(tmp_path, workdays(), extra=b'{"agent_id": "x"}\n')
    r = CliRunner().invoke(app, ["intents", "suggest", str(src), "--out", str(tmp_path / "drafts"), "--until",
                                 "2026-01-12T00:00:00Z", "--dead-letter", str(tmp_path / "dlq.jsonl")])
    assert r.exit_code == 0, r.output
    assert "support-1" in r.output and "100.00%" in r.output
    assert "1 draft(s) written" in r.output and "at or after --until not used" in r.output
    assert "1 bad line(s)" in r.output and (tmp_path / "dlq.jsonl").read_text().count("\n") == 1
    assert (tmp_path / "drafts" / "support-1.yaml").is_file()


def test_cli_refuses_stdin_a_bad_until_and_an_unknown_zone(tmp_path):
    src = write(tmp_path, workdays(days=2))
    runner = CliRunner()
    assert "read twice" in runner.invoke(app, ["intents", "suggest", "-", "--out", str(tmp_path / "o")]).output
    assert "not an ISO 8601" in runner.invoke(app, ["intents", "suggest", str(src), "--out", str(tmp_path / "o"),
                                                    "--until", "monday"]).output
    assert "unknown time zone" in runner.invoke(app, ["intents", "suggest", str(src), "--out", str(tmp_path / "o"),
                                                      "--timezone", "Mars/Base"]).output
