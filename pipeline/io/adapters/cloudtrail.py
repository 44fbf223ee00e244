"""AWS CloudTrail records -> actions.

Reads every shape CloudTrail is found in: S3 log files (``{"Records": [...]}``, gzip or
not), JSON lines, pretty-printed arrays, EventBridge events (the record under ``detail``),
LookupEvents results and CloudTrail Lake rows (the record as a JSON string in
``CloudTrailEvent``, alone or in ``{"Events": [...]}``), SIEM exports that keep the record as text
(Splunk's ``_raw``, Elastic's ``event.original``), records under other names for their fields (Athena's and
data lakes' rows in lower or snake case, Elastic's ECS documents: cloudtrail_columns.py), and records normalised to OCSF (Amazon
Security Lake's API Activity: read back into CloudTrail's fields, cloudtrail_ocsf.py). One record that cannot be mapped is
a bad record at ``file#Records[i]`` (or ``file:line``); its neighbours carry on. A truncated
gzip keeps the records that decompressed before the damage. A record whose ``eventID`` was
already seen in the run is skipped and counted in ``duplicates`` (files overlap and
arrive unordered); so is a call an AWS service made as itself (``services: skip``, counted in
``skipped``): no one's action, and no agent anyone could register.

Mapping (docs/inputs.md has the table): the agent is ``userIdentity.arn`` (an assumed-role
session folded into its role when ``fold_sessions``); the tool is
``<service>:<eventName>`` with the service cut from ``eventSource`` (``s3.amazonaws.com``
-> ``s3:GetObject``, the IAM action form manifests are written in); the operation comes from
the API verb (cloudtrail_operations.py); the resource from ``resources[].ARN`` or ``requestParameters``.
"""

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from intentwatch.pipeline.engine.detectors.cloud_calls import service_identity
from intentwatch.pipeline.io.deadletter import failure

from .base import BadRecord, JsonInput, Result, lines_through, make_action
from .files import is_json_lines, read_bytes
from .cloudtrail_fields import (bytes_moved, credential, event_time, is_ip as is_ip_text, odd_shape, outcome_of, principal,
                                resource_of, tool_name)
from .cloudtrail_columns import named_record
from .cloudtrail_ocsf import from_ocsf, is_ocsf
from .cloudtrail_operations import verb_operation as _verb_operation
from .libs import (PARQUET_MAGIC, SORT_KEYS, JSONDecodeError, ParquetUnreadable, dumps, dumps_any, loads, no_lone_surrogates,
                   parquet_rows, starts_with)
from .options import CloudTrailOptions
from .json_arrays import Unreadable, array_items, parsed_again
from .order import in_record_order, time_of, time_order


# Record fields copied into attributes as they are: (record key, attribute).
_COPIED: Final = (("userAgent", "user_agent"), ("recipientAccountId", "account_id"), ("eventType", "event_type"),
                  ("eventCategory", "event_category"), ("readOnly", "read_only"), ("errorCode", "error_code"),
                  ("errorMessage", "error_message"), ("vpcEndpointId", "vpc_endpoint_id"),
                  ("vpcEndpointAccountId", "vpc_endpoint_account_id"),
                  ("requestID", "request_id"), ("sharedEventID", "shared_event_id"),
                  ("sessionCredentialFromConsole", "console_session"))


class CloudTrailAdapter(JsonInput):
    """CloudTrail records -> actions. One instance per run: it remembers the eventIDs it has seen."""

    name = "cloudtrail"

    def __init__(self, options: CloudTrailOptions | None = None):
        self.options = options or CloudTrailOptions.model_validate({})
        self.seen: dict[str, None] = {}  # eventIDs in arrival order (an ordered set)
        self.duplicates = 0
        self._max_seen = self.options.max_seen
        self.skipped: Counter[str] = Counter()
        self._apis: dict[tuple[str, str, Any], tuple[str, str, str]] = {}  # (tool, service, operation)
        self._is_ip: dict[str, bool] = {}
        # the options read per record, held here (compiled: native attributes, not pydantic lookups)
        o = self.options
        self._fold, self._by_name, self._agents, self._prefix = o.fold_sessions, o.agent_from == "name", o.agents, \
            o.credential_prefix
        self._skip_services = o.services == "skip"
        self._skip_anonymous = o.anonymous == "skip"
        self.reorder_seconds = o.reorder_seconds  # read_tree puts the actions back in time order within it
        self.streamed_from = STREAMED_BYTES

    # ---- shapes ------------------------------------------------------------------------

    # decode(raw, source): one Kafka message or one line: a record, an EventBridge event, a
    # LookupEvents row or a whole file's JSON (JsonInput).

    def read(self, path: str | Path) -> Iterator[Result]:
        """A file: ``{"Records": [...]}``, an array, JSON lines, gzip or not; Parquet (Security Lake's OCSF)."""
        return self._parquet(path) if starts_with(path, PARQUET_MAGIC) else self.read_json(path)

    def _parquet(self, path: str | Path) -> Iterator[Result]:
        """A Parquet file's rows, each a record (Amazon Security Lake's ``.gz.parquet`` objects: OCSF)."""
        n = 0
        try:
            for n, row in enumerate(parquet_rows(path), 1):
                result = self._one(row, f"{path}#row{n}")
                if result is not None:
                    yield result
        except ParquetUnreadable as e:
            yield BadRecord(str(path), f"{e}; {n} row(s) read before it" if n else str(e))

    def _not_json(self, data: bytes, source: str, damage: str | None, error: Exception) -> Iterator[Result] | None:
        if _looks_like_lines(data) or not data.strip():
            return None
        objects = JsonInput._not_json(self, data, source, damage, error)  # Firehose: objects back to back
        if objects is not None:
            return objects
        if (text := _large_array(data, 0)) is not None:  # records orjson will not take (nested too deep, a number
            return self._streamed(text, source, damage)  # past a double): the others read around them; else salvaged
        return self._salvage(data, source, damage or f"invalid JSON ({error})")

    def _refused(self, raw: bytes, source: str, why: str) -> Iterator[Result]:
        text = _large_array(raw, 0)  # a records document (a line, a message, one of several): the others are read
        return JsonInput._refused(self, raw, source, why) if text is None else self._streamed(text, source, None)

    def _document(self, doc: Any, raw: bytes, source: str) -> Iterator[Result]:
        if isinstance(doc, list):
            yield from self._each(doc, f"{source}#")
            return
        if not isinstance(doc, dict):
            yield BadRecord(source, f"not a CloudTrail record: a JSON {type(doc).__name__}", raw)
            return
        if "eventName" not in doc:
            for key in ("Records", "Events", "QueryResultRows", "logEvents", "events"):
                if isinstance(doc.get(key), list):
                    if key == "logEvents" and doc.get("messageType") == "CONTROL_MESSAGE":
                        self.skipped["CloudWatch Logs control message"] += 1  # the subscription's health check
                        return
                    yield from self._each(doc[key], f"{source}#{key}")
                    return
            if "digestStartTime" in doc and "logFiles" in doc:  # CloudTrail-Digest/: hashes of log files, no events
                self.skipped["digest file"] += 1
                return
        result = self._one(doc, source)
        if result is not None:
            yield result

    def read_json(self, path: str | Path) -> Iterator[Result]:
        """A records array of ``streamed_from`` bytes or more is read record by record (parsed whole, ~10x its size)."""
        if is_json_lines(path):
            yield from lines_through(self.decode, path)
            return
        name = str(path)
        data, damage = read_bytes(path)
        text = _large_array(data, self.streamed_from)
        if text is None:
            yield from self._file(data, damage, name)
            return
        del data
        yield from self._streamed(text, name, damage)

    def _streamed(self, text: str, source: str, damage: str | None) -> Iterator[Result]:
        """A large records array as ``_document`` reads it (same sources, same time order), never every record's
        objects at once: a first pass keeps each record's place and time, a second parses each as it is judged."""
        start = _array_start(text) or 0
        is_object = _OBJECT_START.match(text) is not None
        where = f"{source}#Records" if is_object else f"{source}#"
        spans: list[tuple[int, int]] = []
        times: list[Any] = []
        lost: BadRecord | None = None
        try:
            for begin, end, item in array_items(text, start):
                spans.append((begin, end))
                times.append(time_of(item))
        except json.JSONDecodeError as e:  # broken part-way: the records before the break in file order, as _salvaged reads them
            lost = _lost(text, source, damage or f"invalid JSON ({e})", len(spans), spans[-1][1] if spans else start)
        order = time_order(times) if lost is None and self.reorder_seconds > 0 else None
        del times
        for i in order if order is not None else range(len(spans)):
            begin, end = spans[i]
            result = self._one(parsed_again(text, begin, end), f"{where}[{i}]")
            if result is not None:
                yield result
        if lost is not None:
            yield lost
            return
        tail = text[text.index("]", spans[-1][1] if spans else start) + 1:].strip()
        if tail != ("}" if is_object else "") and not (is_object and tail.startswith(",")):  # (",": more keys, not read)
            yield BadRecord(source, f"invalid JSON after the records array ({tail[:40]!r}); its {len(spans)} record(s) were read")
        if damage:
            yield BadRecord(source, damage)

    def _salvage(self, data: bytes, source: str, why: str) -> Iterator[Result]:
        """The complete records before the point where a file stops being JSON, then one bad record for the rest."""
        return self._salvaged(data.decode("utf-8", errors="replace"), source, why)

    def _salvaged(self, text: str, source: str, why: str) -> Iterator[Result]:
        start = _array_start(text)
        n = 0
        end = start
        if start is not None:
            key = "Records" if _OBJECT_START.match(text) else ""
            try:
                for begin, end, item in array_items(text, start):
                    result = self._one(no_lone_surrogates(item, text, begin, end), f"{source}#{key}[{n}]")
                    if result is not None:
                        yield result
                    n += 1
            except json.JSONDecodeError:
                pass
        yield _lost(text, source, why, n, end or 0)

    def _one(self, item: Any, source: str) -> Result | None:
        """The action of one item, a bad record, or None (a duplicate, or a record that is no one's action)."""
        record = _unwrap(item)
        if isinstance(record, str):  # why it is not a record
            return BadRecord(source, record, _dumps(item))
        if record.get("eventType") == "AwsCloudTrailInsight":
            self.skipped["insight event"] += 1  # a rate anomaly CloudTrail computed, no one's call
            return None
        event_id = record.get("eventID")
        if event_id is None:  # an export that dropped it: the record's content names it
            event_id = _content_id(record)
        seen = event_id if type(event_id) is str and event_id else None
        if seen is not None and seen in self.seen:
            self.duplicates += 1
            return None
        try:
            result = self._action(record, source, item, event_id)
        except Exception as e:  # noqa: BLE001 - a record of an unforeseen shape costs that record
            result = BadRecord(source, odd_shape(record) or failure(e), _dumps(item))
        if seen is not None:
            self.seen[seen] = None
            if len(self.seen) > self._max_seen:  # the oldest goes: files overlap near each other
                del self.seen[next(iter(self.seen))]
        return result

    def _each(self, items: Any, where: str) -> Iterator[Result]:
        """``_one`` of every item of a list; ``where`` is the list's position (``file#Records``)."""
        pairs: Iterable[tuple[int, Any]] = in_record_order(items) if self.reorder_seconds > 0 and type(items) is list \
            else enumerate(items)  # a file's records in time order (order.py)
        for i, item in pairs:
            result = self._one(item, f"{where}[{i}]")
            if result is not None:
                yield result

    # ---- one record --------------------------------------------------------------------

    def _action(self, r: dict[str, Any], source: str, item: Any, event_id: Any) -> Result | None:
        when, src, name = r.get("eventTime"), r.get("eventSource"), r.get("eventName")
        if not (isinstance(event_id, str) and event_id and isinstance(when, str) and when and isinstance(src, str)
                and src and isinstance(name, str) and name):
            missing = [k for k, v in (("eventID", event_id), ("eventTime", when), ("eventSource", src),
                                      ("eventName", name)) if not isinstance(v, str) or not v]
            return BadRecord(source, f"not a CloudTrail record: no {', '.join(missing)}", _dumps(item))
        identity = r.get("userIdentity")
        if not isinstance(identity, dict):
            return BadRecord(source, "userIdentity missing: no one to hold to an intent", _dumps(item))
        if self._skip_services and service_identity(identity):
            self.skipped["an AWS service acting as itself"] += 1
            return None
        if self._skip_anonymous and "ANONYMOUS_PRINCIPAL" in (identity.get("accountId"), identity.get("principalId")):
            self.skipped["an anonymous request (no identity)"] += 1  # a public bucket read by anyone on the internet
            return None
        agent, session = principal(identity, self._fold)
        if agent is not None and self._by_name and agent.startswith("arn:"):
            agent = agent.rsplit("/", 1)[-1] if "/" in agent else agent.rsplit(":", 1)[-1]
        if agent is None:
            return BadRecord(source, f"userIdentity of type {identity.get('type')!r} has no arn, invokedBy, "
                                     f"principalId or accountId", _dumps(item))
        read_only = r.get("readOnly")
        api = self._apis.get((src, name, read_only))
        if api is None:
            tool = tool_name(src, name)
            service = tool.split(":", 1)[0]
            ops = self.options.operations
            api = tool, service, ops.get(tool) or ops.get(name) or _verb_operation(name, service, read_only)
            if len(self._apis) < 65536:
                self._apis[(src, name, read_only)] = api
        tool, service, operation = api
        params = r.get("requestParameters")
        # userIdentity as CloudTrail wrote it: the cloud detectors read its sessionContext
        # (ec2RoleDelivery: instance credentials), arn and principalId.
        attributes: dict[str, Any] = {"event_source": src, "event_name": name, "aws_region": r.get("awsRegion"),
                                      "identity_type": identity.get("type"), "principal_arn": identity.get("arn"),
                                      "userIdentity": identity}
        for key, attr in _COPIED:
            v = r.get(key)
            if v is not None:
                attributes[attr] = v
        if identity.get("invokedBy"):
            attributes["invoked_by"] = identity["invokedBy"]
        if params:
            attributes["arguments"] = params
        extra = r.get("additionalEventData")
        if isinstance(extra, dict):
            attributes["additional"] = extra
        ip = r.get("sourceIPAddress")
        source_ip = None
        if isinstance(ip, str) and ip:
            is_ip = self._is_ip.get(ip)
            if is_ip is None:
                is_ip = is_ip_text(ip)
                if len(self._is_ip) < 65536:
                    self._is_ip[ip] = is_ip
            if is_ip:
                source_ip = ip
            else:
                attributes["source_address"] = ip  # a service (lambda.amazonaws.com) or "AWS Internal"
        outcome = outcome_of(r, name)
        fields: dict[str, Any] = {
            "event_id": event_id, "agent_id": self._agents.get(agent, agent), "time": event_time(when), "tool": tool,
            "operation": operation, "resource": resource_of(r, params), "outcome": outcome,
            "credential_id": credential(identity.get("accessKeyId") or identity.get("credentialId"), self._prefix), "source_ip": source_ip, "session_id": session,
            "bytes": bytes_moved(extra), "attributes": attributes,
        }
        model = params.get("modelId") if isinstance(params, dict) and service.startswith("bedrock") else None
        if isinstance(model, str) and model:
            fields["model"] = {"id": model}
        return make_action(fields, source, item)


def _unwrap(item: Any) -> dict[str, Any] | str:
    """The CloudTrail record inside an item, or the reason there is none."""
    if isinstance(item, Unreadable):
        return item.why
    if isinstance(item, list):  # a CloudTrail Lake result row: [{"column": value}, ...]
        row: dict[str, Any] = {}
        for cell in item:
            if isinstance(cell, dict):
                row.update(cell)
        item = row
    if not isinstance(item, dict):
        return f"not a CloudTrail record: a JSON {type(item).__name__}"
    if "detail" in item and "detail-type" in item:  # EventBridge
        detail = item["detail"]
        return detail if isinstance(detail, dict) else "EventBridge event without a detail object"
    if isinstance(item.get("result"), dict) and "_raw" in item["result"]:  # Splunk's export: {"preview", "result"}
        item = item["result"]
    event = item.get("event")
    key = "CloudTrailEvent" if "CloudTrailEvent" in item else "_raw" if "_raw" in item else \
        "message" if "message" in item and "timestamp" in item and "eventID" not in item else \
        "event.original" if isinstance(event, dict) and "original" in event and "eventID" not in item else None
    if key is not None:
        # the record as JSON text: LookupEvents / CloudTrail Lake (CloudTrailEvent), Splunk (_raw), CloudWatch
        # Logs (message), Elastic's ECS documents that keep the original (event.original)
        inner = event["original"] if key == "event.original" else item[key]  # type: ignore[index]
        if isinstance(inner, str):
            try:
                inner = loads(inner)
            except JSONDecodeError as e:
                return f"{key} is not valid JSON: {e}"
        return inner if isinstance(inner, dict) else f"{key} is not an object"
    if is_ocsf(item):  # normalised to OCSF (Amazon Security Lake, a SIEM): read back (cloudtrail_ocsf.py)
        try:
            return from_ocsf(item)
        except Exception as e:  # noqa: BLE001 - an event of an unforeseen shape costs that event
            return failure(e)
    if "eventTime" not in item:  # a query engine's, a data lake's or a SIEM's names for its fields (cloudtrail_columns.py)
        return named_record(item)
    return item


STREAMED_BYTES: Final = 32 << 20  # a records document this large is read record by record
_ARRAY_START: Final = re.compile(rb'\s*(?:\{\s*"Records"\s*:\s*)?\[')
_OBJECT_START: Final = re.compile(r"\s*\{")


def _large_array(data: bytes, least: int) -> str | None:
    """The text of a records array of ``least`` bytes or more (None: read it whole; so is one that is
    no UTF-8, which a whole reading salvages up to the bad bytes)."""
    if len(data) < least or _ARRAY_START.match(data) is None:
        return None
    try:
        return data.decode()
    except UnicodeDecodeError:
        return None


def _array_start(text: str) -> int | None:
    """Where the records array's items begin: after ``"Records": [`` or a leading ``[``."""
    m = re.match(r'\s*\{\s*"Records"\s*:\s*\[', text) or re.match(r"\s*\[", text)
    return m.end() if m else None


def _lost(text: str, source: str, why: str, n: int, end: int) -> BadRecord:
    """The rest of a records document after its ``n`` complete records (up to ``end``): one bad record."""
    line = text.count("\n", 0, end) + 1
    return BadRecord(f"{source}:{line}", f"{why}; {n} complete record(s) before line {line} were read, the rest is lost",
                     text[end:][:65536].strip(" \t\r\n,").encode())


def _looks_like_lines(data: bytes) -> bool:
    head = data.lstrip()[:1]
    return head == b"{" and b"\n{" in data and not re.match(rb'\s*\{\s*"Records"', data)


def _content_id(record: dict[str, Any]) -> str:
    """``ct-`` and the SHA-256 of the record's JSON with its keys sorted (its repr where a Parquet
    row holds what JSON cannot: bytes, keys that are no text)."""
    try:
        raw = dumps(record, option=SORT_KEYS)
    except TypeError:
        raw = repr(sorted(record.items(), key=repr)).encode()
    return "ct-" + hashlib.sha256(raw).hexdigest()[:32]


def _dumps(item: Any) -> bytes:
    return item.text.encode() if isinstance(item, Unreadable) else dumps_any(item)
