"""CloudTrail -> actions: one test per mapping rule, per delivery shape and per bad input."""

import gzip
import json
from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter
from intentwatch.pipeline.io.adapters.cloudtrail import CloudTrailAdapter, CloudTrailOptions
from intentwatch.pipeline.io.adapters.cloudtrail_operations import operation_of

DATA = Path(__file__).parents[1] / "data" / "adapters"
RECORDS = DATA / "cloudtrail_records.json"
ROLE = "arn:aws:iam::111122223333:role/ops-agent"


def actions_of(results) -> list[Action]:
    return [r for r in results if isinstance(r, Action)]


@pytest.fixture(scope="module")
def by_name() -> dict[str, Action]:  # (services kept: the AWS service's own call is mapped too)
    return {a.attributes["event_name"]: a for a in actions_of(CloudTrailAdapter(CloudTrailOptions(services="keep")).read(RECORDS))}


def test_every_record_maps_and_the_duplicate_counts_once():
    adapter = CloudTrailAdapter(CloudTrailOptions(services="keep"))
    results = list(adapter.read(RECORDS))
    assert len(results) == 15 and all(isinstance(r, Action) for r in results)
    assert adapter.duplicates == 1
    assert len({a.event_id for a in results}) == 15


def test_a_call_an_aws_service_made_as_itself_is_skipped_and_counted():
    # The Lambda service writing an object as itself (type AWSService) is no one's action; by default it
    # is counted, not mapped. A service-linked role's session is the service too.
    adapter = CloudTrailAdapter()
    results = list(adapter.read(RECORDS))
    assert len(results) == 14 and "lambda.amazonaws.com" not in {a.agent_id for a in results}
    assert adapter.skipped == {"an AWS service acting as itself": 1} and adapter.duplicates == 1
    records = orjson.loads(RECORDS.read_bytes())["Records"]
    slr = {**records[0], "eventID": "slr-1", "userIdentity": {
        "type": "AssumedRole", "principalId": "AROAEXAMPLESLR000001:AWSConfig",
        "arn": "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForConfig/AWSConfig-Describe", "accountId": "111122223333",
        "invokedBy": "config.amazonaws.com"}}
    assert list(adapter.decode(orjson.dumps(slr), "config")) == [] and adapter.skipped["an AWS service acting as itself"] == 2


def test_duplicates_count_once_across_files_of_a_run():
    adapter = CloudTrailAdapter()
    list(adapter.read(RECORDS))
    assert list(adapter.read(DATA / "cloudtrail_array.json")) == [] and adapter.duplicates == 4


def test_tool_is_the_iam_action_form_and_event_id_is_kept(by_name):
    a = by_name["GetObject"]
    assert (a.tool, a.event_id) == ("s3:GetObject", "8d96391c-83f4-3491-bb84-4b389122ffb9")
    assert a.attributes["event_source"] == "s3.amazonaws.com"


def test_assumed_role_session_folds_into_its_role(by_name):
    a = by_name["GetObject"]
    assert (a.agent_id, a.session_id) == (ROLE, "ops-agent-run-7f3a")
    assert a.attributes["principal_arn"] == "arn:aws:sts::111122223333:assumed-role/ops-agent/ops-agent-run-7f3a"
    assert by_name["DescribeInstances"].agent_id == ROLE  # another session, the same agent
    assert a.attributes["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] == ROLE  # as written, for detectors


def test_sessions_kept_apart_when_not_folded():
    got = {a.attributes["event_name"]: a for a in
           actions_of(CloudTrailAdapter(CloudTrailOptions(fold_sessions=False)).read(RECORDS))}
    assert got["DescribeInstances"].agent_id == "arn:aws:sts::111122223333:assumed-role/ops-agent/ops-agent-run-8c21"


def test_a_role_session_logged_without_its_arn_is_still_its_role():
    """Some records of a role session carry no ``arn``, only the session's issuer and principalId: the same
    agent as its records that do, folded or not (an instance's session keeps its ``i-...`` name)."""
    with_arn = orjson.loads(RECORDS.read_bytes())["Records"]
    record = next(r for r in with_arn if r["eventName"] == "GetObject")
    bare = {**record, "eventID": "bare-1", "userIdentity": {k: v for k, v in record["userIdentity"].items() if k != "arn"}}
    for fold in (True, False):
        adapter = CloudTrailAdapter(CloudTrailOptions(fold_sessions=fold))
        full, lean = actions_of(adapter.decode(orjson.dumps({"Records": [record, bare]}), "ct"))
        assert (lean.agent_id, lean.session_id) == (full.agent_id, full.session_id) == (
            ROLE if fold else "arn:aws:sts::111122223333:assumed-role/ops-agent/ops-agent-run-7f3a", "ops-agent-run-7f3a")


def test_agent_map_names_principals():
    adapter = CloudTrailAdapter(CloudTrailOptions(agents={ROLE: "ops-agent"}))
    assert {a.agent_id for a in actions_of(adapter.read(RECORDS))} >= {"ops-agent",
                                                                       "arn:aws:iam::111122223333:user/deploy-bot"}


def test_iam_user_and_long_term_key(by_name):
    a = by_name["CreateAccessKey"]
    assert (a.agent_id, a.operation, a.credential_id) == ("arn:aws:iam::111122223333:user/deploy-bot", "grant",
                                                          "AKIAIOSFODNN7EXAMPLE")


@pytest.mark.parametrize("name, operation", [
    ("CreateAccessKey", "grant"), ("AssumeRole", "grant"), ("GetObject", "read"), ("RunInstances", "execute"),
    ("ModifySnapshotAttribute", "grant"), ("Invoke", "execute"), ("InvokeModel", "invoke"), ("Converse", "invoke"),
    ("GetSecretValue", "read"), ("StopLogging", "configure"), ("PutEventSelectors", "configure"),
    ("PutObject", "write"), ("DescribeInstances", "list"), ("TerminateInstances", "delete"),
    ("AttachRolePolicy", "grant"),
])
def test_operation_from_the_api_verb(by_name, name, operation):
    assert by_name[name].operation == operation


@pytest.mark.parametrize("source, name, operation", [
    ("iam.amazonaws.com", "PutUserPolicy", "grant"), ("iam.amazonaws.com", "DetachRolePolicy", "delete"),
    ("ec2.amazonaws.com", "RevokeSecurityGroupIngress", "delete"), ("guardduty.amazonaws.com", "DisableOrganizationAdminAccount", "configure"),
    ("ssm.amazonaws.com", "SendCommand", "execute"), ("s3.amazonaws.com", "ListBuckets", "list"),
    ("s3.amazonaws.com", "PutBucketPublicAccessBlock", "configure"), ("s3.amazonaws.com", "DeleteObject", "delete"),
    ("sts.amazonaws.com", "AssumeRoleWithWebIdentity", "grant"), ("sts.amazonaws.com", "GetCallerIdentity", "authenticate"),
    ("bedrock.amazonaws.com", "InvokeModelWithResponseStream", "invoke"), ("sns.amazonaws.com", "Publish", "send"),
    ("kms.amazonaws.com", "Decrypt", "read"), ("signin.amazonaws.com", "ConsoleLogin", "authenticate"),
    # (AWS's documentation's example records) the sign-in pages' own events; a DynamoDB item, not a setting
    ("signin.amazonaws.com", "CheckMfa", "authenticate"), ("signin.amazonaws.com", "CredentialVerification", "authenticate"),
    ("signin.amazonaws.com", "UserAuthentication", "authenticate"), ("dynamodb.amazonaws.com", "UpdateItem", "write"),
    ("dynamodb.amazonaws.com", "UpdateTable", "configure"),
])
def test_operation_table(source, name, operation):
    assert operation_of(source, name) == operation


def test_unknown_verb_falls_back_on_read_only():
    assert operation_of("x.amazonaws.com", "Frobnicate", True) == "read"
    assert operation_of("x.amazonaws.com", "Frobnicate", False) == "write"


def test_operation_overrides_from_config():
    adapter = CloudTrailAdapter(CloudTrailOptions(operations={"sts:AssumeRole": "authenticate", "GetObject": "list"}))
    got = {a.attributes["event_name"]: a.operation for a in actions_of(adapter.read(RECORDS))}
    assert (got["AssumeRole"], got["GetObject"]) == ("authenticate", "list")


def test_resource_from_resources_arn_first(by_name):
    assert by_name["GetObject"].resource == "arn:aws:s3:::acme-reports/2026/11/revenue.csv"
    assert by_name["AssumeRole"].resource == ROLE
    assert by_name["Invoke"].resource == "arn:aws:lambda:us-east-1:111122223333:function:rotate-keys"


def test_resource_from_request_parameters(by_name):
    assert by_name["PutObject"].resource == "arn:aws:s3:::acme-reports/exports/out.json"   # bucketName + key
    assert by_name["ModifySnapshotAttribute"].resource == "snap-0b5e733b4a8df6e0d"
    assert by_name["GetSecretValue"].resource == "prod/payments/stripe-key"
    assert by_name["RunInstances"].resource == "ami-0abcdef1234567890"
    assert by_name["TerminateInstances"].resource == "i-0123456789abcdef0"


def test_credential_from_access_key_id(by_name):
    assert by_name["GetObject"].credential_id == "ASIAIOSFODNN7EXAMPLE"
    assert by_name["DescribeInstances"].credential_id == "ASIAY34FZKBOKMUTVV7A"
    assert by_name["PutObject"].credential_id is None   # an AWS service, no key


def test_source_ip_only_when_it_is_an_ip(by_name):
    assert by_name["GetObject"].source_ip == "10.0.12.7"
    assert by_name["GetObject"].attributes["vpc_endpoint_id"] == "vpce-0a1b2c3d4e5f60718"
    a = by_name["PutObject"]
    assert a.source_ip is None and a.attributes["source_address"] == "lambda.amazonaws.com"


def test_aws_service_identity_is_its_invoking_service(by_name):
    a = by_name["PutObject"]
    assert (a.agent_id, a.attributes["identity_type"]) == ("lambda.amazonaws.com", "AWSService")


def test_outcome_from_error_code(by_name):
    assert by_name["GetSecretValue"].outcome == "denied"          # AccessDenied
    assert by_name["TerminateInstances"].outcome == "denied"      # Client.UnauthorizedOperation
    assert by_name["AttachRolePolicy"].outcome == "error"         # NoSuchEntity
    assert by_name["AttachRolePolicy"].attributes["error_code"] == "NoSuchEntity"
    assert by_name["GetObject"].outcome == "success"


def test_bytes_from_additional_event_data(by_name):
    assert by_name["GetObject"].bytes == 339117
    assert by_name["PutObject"].bytes == 2048


def test_model_from_bedrock_model_id(by_name):
    assert by_name["InvokeModel"].model.id == "anthropic.claude-3-haiku-20240307-v1:0"
    assert by_name["Converse"].model.id == "us.anthropic.claude-sonnet-4-20250514-v1:0"
    assert by_name["GetObject"].model is None


def test_user_agent_and_request_parameters_kept(by_name):
    a = by_name["RunInstances"]
    assert a.attributes["user_agent"] == "aws-cli/2.22.0 md/Botocore#1.35.0"
    assert a.attributes["arguments"]["instanceType"] == "p5.48xlarge"
    assert a.time.isoformat() == "2026-11-30T09:02:00+00:00"


def test_gzip_records_file(tmp_path):
    path = tmp_path / "111122223333_CloudTrail_us-east-1_20261130T0905Z_AbCdEfGh12345678.json.gz"
    path.write_bytes(gzip.compress(RECORDS.read_bytes()))
    assert len(actions_of(CloudTrailAdapter().read(path))) == 14  # (one is an AWS service's own call)


def test_truncated_gzip_keeps_the_records_before_the_damage(tmp_path):
    packed = gzip.compress(RECORDS.read_bytes())
    path = tmp_path / "cut.json.gz"
    path.write_bytes(packed[: len(packed) * 2 // 3])
    results = list(CloudTrailAdapter().read(path))
    kept, bad = actions_of(results), [r for r in results if isinstance(r, BadRecord)]
    assert 3 <= len(kept) < 15
    assert [a.event_id for a in kept] == [a.event_id for a in actions_of(CloudTrailAdapter().read(RECORDS))][:len(kept)]
    assert len(bad) == 1 and bad[0].reason.startswith("truncated gzip")
    assert f"{len(kept)} complete record(s)" in bad[0].reason


def test_a_records_file_with_broken_records():
    path = DATA / "cloudtrail_one_broken.json"
    results = list(CloudTrailAdapter().read(path))
    bad = [(r.source, r.reason) for r in results if isinstance(r, BadRecord)]
    assert bad[:2] == [
        (f"{path}#Records[1]", "not a CloudTrail record: no eventTime"),
        (f"{path}#Records[2]", "userIdentity of type 'Unknown' has no arn, invokedBy, principalId or accountId"),
    ]
    assert bad[2][0] == f"{path}#Records[3]"
    assert bad[2][1].startswith("time: Input should be a valid datetime or date, input is too short")
    assert [a.tool for a in actions_of(results)] == ["iam:CreateAccessKey", "cloudtrail:StopLogging"]


def test_pretty_printed_array():
    assert [a.tool for a in actions_of(CloudTrailAdapter().read(DATA / "cloudtrail_array.json"))] == [
        "ec2:RunInstances", "ec2:ModifySnapshotAttribute", "lambda:Invoke"]


def test_syntax_error_mid_file_keeps_the_records_before_it(tmp_path):
    text = (DATA / "cloudtrail_array.json").read_text()
    cut = text.index('"eventName": "Invoke"')
    path = tmp_path / "broken.json"
    path.write_text(text[:cut] + '"eventName": Invoke' + text[cut + 20:])
    results = list(CloudTrailAdapter().read(path))
    assert [a.tool for a in actions_of(results)] == ["ec2:RunInstances", "ec2:ModifySnapshotAttribute"]
    (bad,) = [r for r in results if isinstance(r, BadRecord)]
    assert bad.reason.startswith("invalid JSON") and "2 complete record(s)" in bad.reason
    assert bad.source.startswith(f"{path}:")


def test_json_lines_of_records(tmp_path):
    records = orjson.loads(RECORDS.read_bytes())["Records"]
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records[:3]) + b"\n{not json\n")
    results = list(CloudTrailAdapter().read(path))
    assert len(actions_of(results)) == 3
    assert results[-1].source == f"{path}:4" and results[-1].reason.startswith("invalid JSON")


def test_eventbridge_envelopes():
    got = actions_of(CloudTrailAdapter().read(DATA / "cloudtrail_eventbridge.jsonl"))
    assert [a.tool for a in got] == ["cloudtrail:StopLogging", "cloudtrail:PutEventSelectors"]


def test_lookup_events_rows_with_cloudtrail_event_strings():
    got = actions_of(CloudTrailAdapter().read(DATA / "cloudtrail_lookup_events.json"))
    assert [a.tool for a in got] == ["iam:CreateAccessKey", "sts:AssumeRole"]


def test_cloudtrail_lake_row_of_columns():
    records = orjson.loads(RECORDS.read_bytes())["Records"]
    row = [{"eventID": records[0]["eventID"]}, {"CloudTrailEvent": orjson.dumps(records[0]).decode()}]
    (a,) = CloudTrailAdapter().decode(orjson.dumps({"QueryResultRows": [row]}), "lake")
    assert a.tool == "iam:CreateAccessKey"


def test_one_kafka_message_per_record():
    records = orjson.loads(RECORDS.read_bytes())["Records"]
    adapter = open_adapter("cloudtrail")
    (a,) = adapter.decode(orjson.dumps(records[6]), "cloudtrail[0]@12")
    assert a.operation == "invoke"
    (bad,) = adapter.decode(b"{1, 2", "cloudtrail[0]@13")
    assert bad.source == "cloudtrail[0]@13" and bad.reason.startswith("invalid JSON")
    # a records document cut short (a message, or a line of JSON lines): the records before the cut are read
    cut = b'{"Records": [' + orjson.dumps(records[6]) + b', {"eventVersion": "1.0'
    a, bad = open_adapter("cloudtrail").decode(cut, "cloudtrail[0]@14")  # (a new run: records[6] was seen above)
    assert isinstance(a, Action) and bad.source == "cloudtrail[0]@14:1"
    assert bad.reason.startswith("invalid JSON") and bad.reason.endswith("1 complete record(s) before line 1 were read, the rest is lost")
    assert bad.raw == b'{"eventVersion": "1.0'


def test_a_folder_as_s3_delivers_it_with_overlapping_files(tmp_path):
    from intentwatch.pipeline.io.adapters import read_tree

    records = orjson.loads(RECORDS.read_bytes())["Records"]
    day = tmp_path / "AWSLogs" / "111122223333" / "CloudTrail" / "us-east-1" / "2026" / "11" / "30"
    day.mkdir(parents=True)
    (day / "111122223333_CloudTrail_us-east-1_20261130T0900Z_a.json.gz").write_bytes(
        gzip.compress(orjson.dumps({"Records": records[:8]})))
    (day / "111122223333_CloudTrail_us-east-1_20261130T0905Z_b.json.gz").write_bytes(
        gzip.compress(orjson.dumps({"Records": records[5:]})))
    (day / "notes.txt").write_text("not a log")
    adapter = CloudTrailAdapter()
    got = list(read_tree(adapter, tmp_path / "AWSLogs"))
    assert len(got) == 14 and adapter.duplicates == 4


def test_dedup_memory_is_bounded():
    adapter = CloudTrailAdapter(CloudTrailOptions(max_seen=3, reorder_seconds=0))  # the file's order, not time's
    got = actions_of(adapter.read(RECORDS))
    assert len(adapter.seen) == 3
    # the repeated S3 event comes 13 records after its first copy: forgotten, so it passes again
    # (15 of the 16: one is an AWS service's own call)
    assert adapter.duplicates == 0 and len(got) == 15


def test_json_lines_are_streamed_and_a_truncated_gzip_keeps_the_lines_before(tmp_path):
    from intentwatch.pipeline.io.adapters.files import is_json_lines

    records = orjson.loads(RECORDS.read_bytes())["Records"]
    packed = gzip.compress(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    path = tmp_path / "records.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    assert is_json_lines(path)
    results = list(CloudTrailAdapter().read(path))
    assert 2 <= len(actions_of(results)) < 15
    assert results[-1].source == str(path) and results[-1].reason.startswith("truncated gzip")
    assert not is_json_lines(RECORDS)


def test_identities_without_arn_use_their_principal_id():
    records = orjson.loads(RECORDS.read_bytes())["Records"]
    web = {"type": "WebIdentityUser", "principalId": "accounts.google.com:1234567890", "userName": "1234567890",
           "identityProvider": "accounts.google.com"}
    (a,) = CloudTrailAdapter().decode(orjson.dumps({**records[6], "userIdentity": web}), "m")
    assert a.agent_id == "WebIdentityUser:accounts.google.com:1234567890" and a.credential_id is None


def test_a_time_without_offset_is_utc_and_a_record_without_event_id_is_named_by_its_content():
    """CloudTrail Lake's and Athena's results write ``eventTime`` as ``2023-01-05 13:51:00.000``, with
    no offset: CloudTrail's times are UTC. A SIEM copy that dropped ``eventID`` gets one from the
    record's content, so the same record delivered twice is still one action."""
    record = {"eventVersion": "1.08", "eventTime": "2023-01-05 13:51:00.000", "eventSource": "s3.amazonaws.com",
              "eventName": "ListBuckets", "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7",
              "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/ops-agent/s1",
                               "accountId": "111122223333"}}
    adapter = CloudTrailAdapter()
    got = list(adapter.decode(orjson.dumps({"Records": [record, {**record, "eventTime": "2023-01-05 13:51:00.000000000"},
                                                        dict(reversed(record.items()))]}), "lake"))
    first, second = actions_of(got)
    assert first.time.isoformat() == "2023-01-05T13:51:00+00:00" and first.time == second.time
    assert first.event_id.startswith("ct-") and first.event_id != second.event_id  # another text: another record
    assert adapter.duplicates == 1  # the same fields in another order: the same record
    assert [a.event_id for a in actions_of(CloudTrailAdapter().decode(orjson.dumps(record), "again"))] == [first.event_id]


def test_a_content_id_is_stable_for_what_json_cannot_write():
    from intentwatch.pipeline.io.adapters.cloudtrail import _content_id
    row = {"eventName": "GetObject", "payload": b"\x00\x01", 7: "a key that is no text"}  # a Parquet row's bytes
    assert _content_id(row) == _content_id(dict(reversed(row.items()))) != _content_id({**row, "payload": b"\x00\x02"})
    assert _content_id(row).startswith("ct-")


def _read(path: Path, streamed_from: int | None) -> list:
    adapter = CloudTrailAdapter(CloudTrailOptions(services="keep"))
    if streamed_from is not None:
        adapter.streamed_from = streamed_from
    return [(r.model_dump() if isinstance(r, Action) else (r.source, r.reason)) for r in adapter.read(path)]


def test_a_large_records_document_is_read_record_by_record_with_the_same_actions(tmp_path):
    # A file past streamed_from (32 MiB) is read record by record: parsed whole, its objects take ~10x
    # its size (300,000 records: 1.5 GB). The actions, their sources and the time order within the file
    # are a whole document's; set the bound to 0 here to read the fixture so.
    records = orjson.loads(RECORDS.read_bytes())["Records"]
    shuffled = [dict(records[i], eventID=f"e-{i}") for i in (3, 0, 7, 1, 5, 2, 6, 4)]  # out of time order
    for name, doc, option in (("s3.json.gz", {"Records": shuffled}, 0), ("pretty.json", shuffled, orjson.OPT_INDENT_2)):
        path = tmp_path / name
        raw = orjson.dumps(doc, option=option or None)
        path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
        whole, streamed = _read(path, None), _read(path, 0)
        assert streamed == whole and len(whole) == 8
    # broken part-way: the records before the break, then one bad record, as a whole document's salvage
    text = orjson.dumps({"Records": shuffled}, option=orjson.OPT_INDENT_2).decode()
    cut = tmp_path / "cut.json"
    cut.write_text(text[: text.index('"eventID": "e-6"')])
    whole, streamed = _read(cut, None), _read(cut, 0)
    assert [r for r in streamed if isinstance(r, dict)] == [r for r in whole if isinstance(r, dict)] and len(whole) == 7
    assert streamed[-1][0] == whole[-1][0] and "6 complete record(s) before line" in streamed[-1][1]
    # the array closed but not the document: every record, and the damage said
    unclosed = tmp_path / "unclosed.json"
    unclosed.write_text(text.rstrip().removesuffix("}"))
    streamed = _read(unclosed, 0)
    assert len([r for r in streamed if isinstance(r, dict)]) == 8
    assert streamed[-1] == (str(unclosed), "invalid JSON after the records array (''); its 8 record(s) were read")
    # a record nested deeper than JSON readers follow (orjson stops at 1,024 levels, the stdlib's scanner
    # overflows): one bad record and every record around it, never a crash, whether read whole or streamed
    first, deep, last = (orjson.dumps(r).decode() for r in shuffled[:3])
    depth = '"a string with ] and \\" [ in it", ' + "[" * 100_000 + "]" * 100_000
    nested = tmp_path / "nested.json"
    nested.write_text('{"Records": [' + first + "," + deep[:-1] + ', "requestParameters": [' + depth + "]}," + last + "]}")
    for bound in (None, 0):
        read = _read(nested, bound)
        assert [r["event_id"] for r in read if isinstance(r, dict)] == [shuffled[0]["eventID"], shuffled[2]["eventID"]]
        assert [r for r in read if not isinstance(r, dict)] == [(f"{nested}#Records[1]", "a record nested deeper than JSON readers follow")]
    # one that never closes: the records before it, then the rest said lost
    nested.write_text('{"Records": [' + first + "," + deep[:-1] + ', "requestParameters": ' + "[" * 100_000 + "}]}")
    for bound in (None, 0):
        read = _read(nested, bound)
        assert len([r for r in read if isinstance(r, dict)]) == 1 and "1 complete record(s) before line 1 were read" in read[-1][1]


def test_records_documents_written_back_to_back_are_all_read(tmp_path):
    """Firehose (or a cat of S3 files) writes ``{"Records": [...]}`` documents one after another: every
    one is read, whatever separates them (a records document orjson refuses is read as a large one
    only when it is one document)."""
    from tests.unit.test_cloud_techniques import rec
    docs = [orjson.dumps({"Records": [rec("s3:ListBuckets", at=i), rec("s3:ListBuckets", at=i + 0.5)]}) for i in range(3)]
    for sep in (b"", b"\n", b" "):
        path = tmp_path / f"cat{len(sep)}{sep.strip().decode()}.json"
        path.write_bytes(sep.join(docs))
        got = list(CloudTrailAdapter().read(path))
        assert len(got) == 6 and all(isinstance(r, Action) for r in got), [getattr(r, "reason", "") for r in got]


def test_a_record_too_deep_inside_documents_written_back_to_back_costs_that_record_only(tmp_path):
    """Among records documents written one after another, one holding a record nested deeper than the
    stdlib's reader follows: that document's other records are read (the deep record is one bad record,
    or an action where orjson, which follows 1,024 levels, reads it), and so are the documents after it."""
    from tests.unit.test_cloud_techniques import rec
    recs = [rec("s3:ListBuckets", at=i) for i in range(6)]
    deep = orjson.dumps(recs[2]).decode()[:-1] + ', "requestParameters": ' + "[" * 5000 + "]" * 5000 + "}"
    mid = orjson.dumps(recs[3]).decode()[:-1] + ', "requestParameters": ' + '{"a":' * 1005 + "1" + "}" * 1005 + "}"
    docs = ['{"Records": [' + ",".join(orjson.dumps(r).decode() for r in recs[:2]) + "]}",
            '{"Records": [' + orjson.dumps(recs[4]).decode() + "," + deep + "," + mid + "]}",
            '{"Records": [' + orjson.dumps(recs[5]).decode() + "]}"]
    for sep in ("", "\n"):
        path = tmp_path / f"cat{len(sep)}.json"
        path.write_text(sep.join(docs))
        got = list(CloudTrailAdapter().read(path))
        assert sorted(r.event_id for r in got if isinstance(r, Action)) == sorted(r["eventID"] for r in recs if r is not recs[2])
        [bad] = [r for r in got if isinstance(r, BadRecord)]
        where = f"{path}:1#obj1#Records[1]" if not sep else f"{path}:2#Records[1]"  # (with newlines: JSON lines)
        assert (bad.source, bad.reason) == (where, "a record nested deeper than JSON readers follow")



@pytest.mark.parametrize("path, value, said", [
    (("userIdentity", "sessionContext"), '{"sessionIssuer": {}}', "userIdentity.sessionContext is a string where CloudTrail writes an object"),
    (("userIdentity", "sessionContext", "sessionIssuer"), 5, "userIdentity.sessionContext.sessionIssuer is a number where CloudTrail writes an object"),
    (("userIdentity", "sessionContext", "sessionIssuer", "arn"), [1], "userIdentity.sessionContext.sessionIssuer.arn is an array where CloudTrail writes a string"),
    (("resources",), 5, "resources is a number where CloudTrail writes an array"),
    (("readOnly",), {}, "readOnly is an object where CloudTrail writes a boolean"),
])
def test_a_record_of_an_odd_shape_is_dead_lettered_naming_the_field(path, value, said):
    """A copy that flattened or retyped a field the mapping reads inside: the reason names the field and
    the type CloudTrail writes (not the Python error it raised), and the next record is read."""
    from tests.unit.test_cloud_techniques import ROLE, rec
    odd = rec("s3:ListBuckets", who=json.loads(json.dumps(ROLE)), resources=[{"ARN": "arn:aws:s3:::b"}])
    at = odd
    for key in path[:-1]:
        at = at[key]
    at[path[-1]] = value
    bad, ok = CloudTrailAdapter(CloudTrailOptions(fold_sessions=True)).decode(orjson.dumps({"Records": [odd, rec("s3:ListBuckets")]}), "m")
    assert isinstance(bad, BadRecord) and (bad.source, bad.reason) == ("m#Records[0]", f"not a CloudTrail record: {said}")
    assert isinstance(ok, Action)
