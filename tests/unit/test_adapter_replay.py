"""``replay --format ...``: foreign inputs through the same engine, bad records dead-lettered with position and reason."""

import gzip
from pathlib import Path

import orjson
from typer.testing import CliRunner

from intentwatch.pipeline.cli import app
from tests.factories import action, manifest

runner = CliRunner()
ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data" / "adapters"
ROLE = "arn:aws:iam::111122223333:role/ops-agent"


def run(tmp_path: Path, events: Path, *extra: str):
    args = ["replay", str(events), "--alerts", str(tmp_path / "alerts.jsonl"), "--commands",
            str(tmp_path / "commands.jsonl"), "--dead-letter", str(tmp_path / "dlq.jsonl"), *extra]
    res = runner.invoke(app, args)
    alerts = [orjson.loads(x) for x in (tmp_path / "alerts.jsonl").read_bytes().splitlines()]
    dlq = tmp_path / "dlq.jsonl"
    dead = [orjson.loads(x) for x in dlq.read_bytes().splitlines()] if dlq.exists() else []
    return res, alerts, dead


def ops_manifest(tmp_path: Path) -> Path:
    intents = tmp_path / "intents"
    intents.mkdir()
    m = manifest(ROLE, allowed={"tools": ["s3:GetObject", "ec2:DescribeInstances", "bedrock:InvokeModel"],
                                "operations": ["read", "list", "invoke"]},
                 schedule=None, rate_limit=None, model=None, credentials=[], issued_at="2026-11-01T00:00:00Z",
                 expires_at="2027-01-01T00:00:00Z", enforcement="monitor")
    (intents / "ops.json").write_text(m.model_dump_json())
    return intents


def test_cloudtrail_through_the_engine_holds_the_role_to_its_intent(tmp_path):
    packed = tmp_path / "111122223333_CloudTrail_us-east-1_20261130T0900Z_x.json.gz"
    packed.write_bytes(gzip.compress((DATA / "cloudtrail_records.json").read_bytes()))
    res, alerts, dead = run(tmp_path, packed, "--format", "cloudtrail", "--intents", str(ops_manifest(tmp_path)))
    assert res.exit_code == 0, res.output
    assert dead == []
    opened = sorted((a["rule_id"], a["evidence"]["action"]["tool"]) for a in alerts
                    if a["agent_id"] == ROLE and a["status"] == "open")
    # The first call outside the intent opens the alert (later ones count into it); StopLogging
    # is a logging change (operation configure) judged from the first call.
    assert ("intent.tool_not_allowed", "ec2:RunInstances") in opened
    assert ("intent.operation_not_allowed", "ec2:RunInstances") in opened
    assert ("chain.audit_settings_changed", "cloudtrail:StopLogging") in opened
    assert not any(tool in ("s3:GetObject", "ec2:DescribeInstances", "bedrock:InvokeModel") for _, tool in opened)
    assert "duplicate records (counted once)" in res.output


def test_cloudtrail_bad_records_are_dead_lettered_with_position(tmp_path):
    path = DATA / "cloudtrail_one_broken.json"
    res, alerts, dead = run(tmp_path, path, "--format", "cloudtrail")
    assert res.exit_code == 0, res.output
    assert [(d["source"], d["reason"]) for d in dead][:2] == [
        (f"{path}#Records[1]", "not a CloudTrail record: no eventTime"),
        (f"{path}#Records[2]", "userIdentity of type 'Unknown' has no arn, invokedBy, principalId or accountId")]
    assert orjson.loads(dead[0]["raw"])["eventID"] == "broken-no-time"
    assert {a["agent_id"] for a in alerts} == {"arn:aws:iam::111122223333:user/deploy-bot", ROLE}


def test_otel_json_bad_spans_dead_lettered_and_siblings_processed(tmp_path):
    res, alerts, dead = run(tmp_path, DATA / "otel_bad.jsonl", "--format", "otel-json")
    assert res.exit_code == 0, res.output
    assert len(dead) == 8 and dead[0]["source"] == f"{DATA / 'otel_bad.jsonl'}:1#rs0.ss0.span1"
    assert {a["agent_id"] for a in alerts} == {"finance-agent", "coding-agent"}  # shadow agents: their actions ran


def test_mapped_format_with_the_example_mapping(tmp_path):
    res, alerts, dead = run(tmp_path, DATA / "mcp_gateway.jsonl", "--format", "mapped", "--mapping",
                            str(ROOT / "deploy" / "mappings" / "mcp-gateway.yaml"))
    assert res.exit_code == 0, res.output
    assert len(dead) == 3
    assert {a["agent_id"] for a in alerts} == {"support-agent", "support-bot", "coding-agent"}


def test_adapter_options_file(tmp_path):
    opts = tmp_path / "ct.yaml"
    opts.write_text("fold_sessions: false\n")
    res, alerts, _ = run(tmp_path, DATA / "cloudtrail_array.json", "--format", "cloudtrail", "--adapter-options", str(opts))
    assert res.exit_code == 0, res.output
    assert {a["agent_id"] for a in alerts} == {"arn:aws:sts::111122223333:assumed-role/ops-agent/ops-agent-run-7f3a"}
    opts.write_text("fold_sesions: false\n")
    res, _, _ = run(tmp_path, DATA / "cloudtrail_array.json", "--format", "cloudtrail", "--adapter-options", str(opts))
    assert res.exit_code == 2 and "fold_sesions" in res.output


def test_unknown_fields_counted_and_strict_fields_dead_letters_them(tmp_path):
    intents = tmp_path / "intents"
    intents.mkdir()
    (intents / "support-1.json").write_text(manifest(rate_limit=None).model_dump_json())
    acts = [orjson.loads(action(tool="zendesk.get_ticket").model_dump_json()) for _ in range(3)]
    acts[1]["data_domian"] = acts[1].pop("data_domain", None) or "tickets"
    acts[2]["credentialId"] = "key-1"
    events = tmp_path / "actions.jsonl"
    events.write_bytes(b"\n".join(orjson.dumps(a) for a in acts) + b"\n")
    res, _, dead = run(tmp_path, events, "--intents", str(intents))
    assert res.exit_code == 0 and dead == []
    assert "actions with unknown fields" in res.output and "data_domian x1 (data_domain?)" in res.output
    res, _, dead = run(tmp_path, events, "--intents", str(intents), "--strict-fields")
    assert [(d["source"], d["reason"]) for d in dead] == [
        (f"{events}:2", "unknown field(s) data_domian (did you mean data_domain?)"),
        (f"{events}:3", "unknown field(s) credentialId (did you mean credential_id?)")]


def test_unknown_format_fails_cleanly():
    res = runner.invoke(app, ["replay", str(DATA / "otel_bad.jsonl"), "--format", "csv"])
    assert res.exit_code == 2 and "unknown input format 'csv'" in res.output


def test_produce_sends_foreign_records_as_native_actions(tmp_path):
    from intentwatch.pipeline.io.adapters import open_adapter
    from intentwatch.pipeline.io.codec import decode_action
    from intentwatch.pipeline.io.deadletter import DeadLetterFile
    from intentwatch.pipeline.io.feed import adapted_lines

    dead = DeadLetterFile(tmp_path / "dl.jsonl")
    lines = list(adapted_lines(open_adapter("otel-json"), DATA / "otel_bad.jsonl", dead))
    dead.close()
    assert dead.count == 8 and len(lines) == 3
    native = [decode_action(raw, source) for source, raw in lines]
    assert [a.model_dump() for a in native] == [
        a.model_dump() for a in open_adapter("otel-json").read(DATA / "otel_bad.jsonl") if hasattr(a, "tool")]


def test_cloudtrail_records_reach_the_cloud_catalogue_from_the_first_call(tmp_path):
    res, alerts, dead = run(tmp_path, DATA / "cloudtrail_records.json", "--format", "cloudtrail")
    assert res.exit_code == 0 and dead == []
    opened = {(a["rule_id"], a["evidence"]["action"]["tool"]) for a in alerts if a["status"] == "open"}
    assert {("cloud.credentials_for_another_identity", "iam:CreateAccessKey"),   # a key for svc-reporting
            ("cloud.data_opened_to_outsiders", "ec2:ModifySnapshotAttribute"),   # createVolumePermission group all
            ("cloud.logging_disabled", "cloudtrail:StopLogging")} <= opened


def test_intents_suggested_from_cloudtrail_history(tmp_path):
    import yaml

    out = tmp_path / "drafts"
    res = runner.invoke(app, ["intents", "suggest", str(DATA / "cloudtrail_records.json"), "--format", "cloudtrail",
                              "--out", str(out), "--dead-letter", str(tmp_path / "dl.jsonl"), "-q"])
    assert res.exit_code == 0, res.output
    drafts = {yaml.safe_load(p.read_text())["agent_id"]: yaml.safe_load(p.read_text()) for p in out.glob("*.yaml")}
    assert ROLE in drafts and "lambda.amazonaws.com" not in drafts  # an AWS service acting as itself is no agent
    import fnmatch

    tools = drafts[ROLE]["allowed"]["tools"]
    assert all(any(fnmatch.fnmatchcase(t, p) for p in tools) for t in ("s3:GetObject", "cloudtrail:StopLogging"))
    assert not (tmp_path / "dl.jsonl").exists()  # the second pass sets nothing aside twice


def test_an_s3_trail_prefix_with_digest_and_insight_files_replays_with_no_dead_letters(tmp_path):
    res, alerts, dead = run(tmp_path, DATA / "cloudtrail_s3" / "AWSLogs", "--format", "cloudtrail")
    assert res.exit_code == 0, res.output
    assert dead == []
    out = " ".join(res.output.split())  # the table's cells, one space between
    assert "records skipped (not agent actions) │ 3" in out  # (CloudTrail's own GetBucketAcl on its bucket too)
    assert "digest file │ 1" in out and "insight event │ 1" in out and "an AWS service acting as itself │ 1" in out


def test_a_foreign_file_replayed_as_native_gets_a_hint(tmp_path):
    """A newcomer replays a CloudTrail file (or spans, or protobuf) without --format: every line is a dead
    letter, and the summary says what the file looks like and how to read it."""
    data = Path(__file__).parents[1] / "data" / "adapters"
    from intentwatch.pipeline.lab.simulate.spans import to_proto

    pb = tmp_path / "traces.pb"
    pb.write_bytes(to_proto(orjson.loads((data / "otel_genai_trace.json").read_bytes())).SerializeToString())
    gz = tmp_path / "trail.json.gz"
    gz.write_bytes(gzip.compress((data / "cloudtrail_records.json").read_bytes()))
    for path, fmt in ((data / "cloudtrail_records.json", "cloudtrail"), (gz, "cloudtrail"),
                      (data / "coding_agents.jsonl", "otel-json"), (pb, "otel-proto"),
                      (data / "transcripts" / "claude_code_session.jsonl", "transcript"),
                      (data / "transcripts" / "agentdojo_runs.jsonl", "transcript"),
                      *((data / "transcripts" / name, "transcript") for name in (
                          "goose_session.jsonl", "autogen_task_result.json", "gemini_cli_chat.json")),
                      (data / "cloudtrail_cloudwatch_firehose.json", "cloudtrail"), (data / "cloudtrail_filter_log_events.json", "cloudtrail"),
                      (data / "gcp_audit.json", "mapped --mapping deploy/mappings/gcp-audit-log.yaml"),
                      (data / "azure_activity.json", "mapped --mapping deploy/mappings/azure-activity-log.yaml")):
        r = runner.invoke(app, ["replay", str(path), "--alerts", str(tmp_path / "a"), "--commands", str(tmp_path / "c"),
                                "--dead-letter", str(tmp_path / "d")])
        assert r.exit_code == 0, r.output
        looks = f"looks like {fmt.split()[0]}: replay it with --format {fmt}"
        assert looks in " ".join(r.output.split()), (path, r.output[-400:])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"event_id": "e1"}\n')  # a native action missing fields: no hint
    r = runner.invoke(app, ["replay", str(bad), "--alerts", str(tmp_path / "a"), "--commands", str(tmp_path / "c"),
                            "--dead-letter", str(tmp_path / "d")])
    assert r.exit_code == 0 and "hint:" not in r.output
