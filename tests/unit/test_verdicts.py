"""Analysts' verdicts on numeric findings: a false positive on ``behaviour.rate_burst`` at N
actions a minute covers a stated range of observed values (by default up to a factor of N),
not only the string "N"; the range shows in the suppression table and survives a checkpoint.
"""

from datetime import timedelta

import orjson
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from intentwatch.models.feedback import Feedback
from intentwatch.pipeline.cli import app
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.suppressions import Suppression, numeric
from tests.factories import T0
from tests.unit.test_behaviour import AGENT, END, act, feed, state, warmed

BURST = [act(60 + 1.5 * k) for k in range(30)]  # 30 actions in a minute: rate_burst at 12, 13, ... 30


def fp(low: float | None = None, high: float | None = None, observed: str | None = None) -> Feedback:
    return Feedback(feedback_id="fb-rate", agent_id=AGENT, rule_id="behaviour.rate_burst", verdict="false_positive",
                    observed=observed, observed_min=low, observed_max=high, analyst="sam@example.com",
                    reason="nightly batch", time=T0 + END + timedelta(seconds=20))


def burst_alerts(e) -> dict[str, list]:
    """The burst's alerts: observed values raised as rate_burst, and those hidden."""
    out = feed(e, BURST)
    raised = [o.evidence.observed for o in out if o.rule_id == "behaviour.rate_burst"]
    hidden = [o for o in out if o.rule_id == "feedback.suppressed"]
    return {"raised": raised, "hidden": hidden}


def test_without_a_verdict_the_burst_raises_12_to_30():
    assert burst_alerts(warmed())["raised"] == list(range(12, 31))


def test_a_pattern_verdict_on_a_number_hides_only_that_number():
    """What the issue found: observed "15" hides 15, and 16 alerts again."""
    e = warmed()
    e.process_feedback(fp(observed="15"))
    got = burst_alerts(e)
    assert got["raised"] == [v for v in range(12, 31) if v != 15] and len(got["hidden"]) == 1


def test_a_range_verdict_hides_every_value_up_to_its_high_end():
    e = warmed()
    e.process_feedback(fp(high=20))
    got = burst_alerts(e)
    assert got["raised"] == list(range(21, 31))
    assert len(got["hidden"]) == 9 and got["hidden"][0].evidence.expected == "<= 20"
    [row] = e.suppression_report()
    assert (row["matches"], row["low"], row["high"], row["hidden"]) == ("<= 20", None, 20.0, 9)


def test_a_closed_range_hides_only_inside_it():
    e = warmed()
    e.process_feedback(fp(low=14, high=16))
    assert burst_alerts(e)["raised"] == [12, 13, *range(17, 31)]
    assert e.suppression_report()[0]["matches"] == "14..16"


def test_a_range_never_covers_a_non_numeric_finding():
    sup = Suppression.from_feedback(fp(high=100))
    assert numeric("crm.export") is None and numeric(True) is None and numeric("30") == 30.0 and numeric(7) == 7.0
    assert sup.matches() == "<= 100"


def test_the_range_survives_a_checkpoint_and_old_records_restore_open():
    e = warmed()
    e.process_feedback(fp(low=14, high=16))
    feed(e, BURST[:1])  # applies the verdict
    record = orjson.loads(orjson.dumps(state(e).to_record()))
    restored = AgentState.from_record(record, e.checks)
    assert (restored.suppressions[0].low, restored.suppressions[0].high) == (14.0, 16.0)
    for s in record["suppressions"]:  # as saved before ranges existed
        del s["low"], s["high"]
    old = AgentState.from_record(record, e.checks).suppressions[0]
    assert (old.low, old.high, old.matches()) == (None, None, "*")


def test_a_verdict_takes_a_pattern_or_a_range_and_a_range_that_runs_forwards():
    with pytest.raises(ValidationError, match="not both"):
        fp(high=10, observed="15")
    with pytest.raises(ValidationError, match="above observed_max"):
        fp(low=20, high=10)


# -- intentwatch verdict ------------------------------------------------------------------
@pytest.fixture
def alerts_file(tmp_path):
    out = feed(warmed(), BURST)
    alert = next(o for o in out if o.rule_id == "behaviour.rate_burst" and o.evidence.observed == 15)
    path = tmp_path / "alerts.jsonl"
    path.write_bytes(alert.model_dump_json().encode() + b"\n")
    return path, alert.alert_id


def run_verdict(alerts_file, *extra: str, env: dict | None = None):
    path, alert_id = alerts_file
    res = CliRunner().invoke(app, ["verdict", alert_id[:10], "false_positive", "--alerts", str(path), "--analyst",
                                   "sam@example.com", "--reason", "nightly batch", "--at", "alert", *extra], env=env)
    return res


def test_cli_verdict_on_a_numeric_alert_covers_up_to_twice_the_observed_value(alerts_file):
    res = run_verdict(alerts_file)
    assert res.exit_code == 0, res.output
    fb = Feedback.model_validate_json(res.stdout.strip())
    assert (fb.observed, fb.observed_min, fb.observed_max) == (None, None, 30.0)


def test_cli_verdict_factor_and_explicit_range(alerts_file):
    fb = Feedback.model_validate_json(run_verdict(alerts_file, "--factor", "1.5").stdout.strip())
    assert fb.observed_max == 22.5
    fb = Feedback.model_validate_json(run_verdict(alerts_file, env={"INTENTWATCH_VERDICT_FACTOR": "3"}).stdout.strip())
    assert fb.observed_max == 45.0
    fb = Feedback.model_validate_json(run_verdict(alerts_file, "--range", "10:40").stdout.strip())
    assert (fb.observed_min, fb.observed_max) == (10.0, 40.0)
    fb = Feedback.model_validate_json(run_verdict(alerts_file, "--range", "12:").stdout.strip())
    assert (fb.observed_min, fb.observed_max) == (12.0, None)
    fb = Feedback.model_validate_json(run_verdict(alerts_file, "--observed", "15").stdout.strip())
    assert (fb.observed, fb.observed_max) == ("15", None)


@pytest.mark.parametrize(("args", "says"), [
    (["--range", "ten:40"], "must be numbers"),
    (["--range", ":"], "give LOW:HIGH"),
    (["--range", "40:10"], "above observed_max"),
    (["--range", "1:2", "--observed", "15"], "not both"),
    (["--factor", "0.5"], "--factor"),
])
def test_cli_verdict_rejects_bad_ranges_with_a_reason(alerts_file, args, says):
    res = run_verdict(alerts_file, *args)
    assert res.exit_code == 2 and says in res.output
