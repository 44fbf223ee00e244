"""Decoding speed of each input adapter beside the native decoder and the bare parse, in one run.

    python benchmarks/adapters.py [--events 20000 --repeats 3 --batch 100 --chunk 1000]

Generates ``--events`` tool calls once (agents, tools, arguments, times) and writes the
same calls in every input format, in memory:
  parse       orjson.loads of each native line (what no decoder can beat)
  X parse     the bare parse of format X's own bytes (orjson, or protobuf's FromString): the
              floor for that format, before any mapping
  otel-proto read  the protobuf parse plus reading every span attribute's key and string
              value through the generated classes: with "otel-proto validate", the floor of an
              adapter that decodes OTLP protobuf with opentelemetry-proto
  native      the native codec: bytes -> validated Action (``decode_action``)
  otel-json   OTLP/JSON, ``--batch`` execute_tool spans per request (as the Collector batches)
  otel-proto  the same requests as OTLP protobuf (``ExportTraceServiceRequest``)
  cloudtrail  one ``{"Records": [...]}`` file of ``--batch`` records per "file"
  mapped      MCP gateway log lines through ``deploy/mappings/mcp-gateway.yaml``
  transcript  conversations in OpenAI's message form, ``--batch`` answered tool calls each
  X validate  ``validate_python`` of the fields adapter X validates (rebuilt from its actions,
              defaults left out): with X parse, the floor of X's cost; the rest is its mapping
and prints, per format, the median events/s over ``--repeats`` runs, in CPU time of this process
(so a busy neighbour on a shared machine counts less; every mode decodes ``--chunk`` events in
turn), its cost against the native decoder, and each adapter's cost split into parse +
validate (its floor) and the rest (its mapping in Python). Aim (issue 14): an adapter
costs at most 2x the native decode. Machines are shared: compare the ratios, not the figures.

``--freeze`` moves the benchmark's own objects (its generated calls and the validate modes'
dicts, a few hundred thousand) out of the garbage collector's reach once they are built
(``gc.freeze``): without it, each full collection walks them all, and falls on whichever mode
allocated last, mostly the adapters of large documents (a 100-span OTLP request's parsed
containers live long enough to reach the old generation).
"""

import argparse
import gc
import random
import statistics
import sys
import time
from pathlib import Path

import orjson
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from intentwatch.models.action import Action
from intentwatch.pipeline.io.adapters.cloudtrail import CloudTrailAdapter
from intentwatch.pipeline.io.adapters.mapped import MappedAdapter, Mapping
from intentwatch.pipeline.io.adapters.options import TranscriptOptions
from intentwatch.pipeline.io.adapters.otel import OtelAdapter
from intentwatch.pipeline.io.adapters.transcript import TranscriptAdapter
from intentwatch.pipeline.io.codec import decode_action

ROOT = Path(__file__).parents[1]
T0 = 1_764_669_600_000_000_000
TOOLS = [("get_ticket", "read", "ticket_id"), ("list_tickets", "list", "queue"), ("send_email", "send", "to"),
         ("update_ticket", "write", "ticket_id"), ("search_kb", "read", "query")]
APIS = [("s3.amazonaws.com", "GetObject"), ("ec2.amazonaws.com", "DescribeInstances"),
        ("iam.amazonaws.com", "ListRoles"), ("bedrock.amazonaws.com", "InvokeModel"), ("s3.amazonaws.com", "PutObject")]


def calls(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        tool, op, key = TOOLS[min(int(rng.expovariate(0.8)), len(TOOLS) - 1)]
        out.append({"i": i, "agent": f"agent-{rng.randrange(200):03d}", "ns": T0 + i * 1_500_000_000 + rng.randrange(10**9),
                    "tool": tool, "op": op, "args": {key: f"{key}-{rng.randrange(5000)}", "note": "x" * rng.randrange(40)},
                    "span": rng.getrandbits(64) | 1, "trace": rng.getrandbits(128) | 1, "ip": f"10.0.{rng.randrange(255)}.{rng.randrange(255)}"})
    return out


def iso(ns: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ns // 10**9)) + f".{ns // 1000 % 10**6:06d}Z"


def native_lines(cs: list[dict]) -> list[bytes]:
    return [orjson.dumps({"event_id": f"evt_{c['span']:016x}", "agent_id": c["agent"], "time": iso(c["ns"]),
                          "tool": c["tool"], "operation": c["op"], "resource": next(iter(c["args"].values())),
                          "source_ip": c["ip"], "session_id": f"{c['trace']:032x}",
                          "attributes": {"arguments": c["args"]}}) for c in cs]


def _kv(key: str, value: str) -> dict:
    return {"key": key, "value": {"stringValue": value}}


def otel_json(cs: list[dict], batch: int) -> list[bytes]:
    out = []
    for b in range(0, len(cs), batch):
        spans = [{"traceId": f"{c['trace']:032x}", "spanId": f"{c['span']:016x}", "name": f"execute_tool {c['tool']}",
                  "kind": 1, "startTimeUnixNano": str(c["ns"]), "endTimeUnixNano": str(c["ns"] + 10**8),
                  "attributes": [_kv("gen_ai.operation.name", "execute_tool"), _kv("gen_ai.tool.name", c["tool"]),
                                 _kv("gen_ai.agent.name", c["agent"]), _kv("gen_ai.tool.call.id", f"call_{c['i']}"),
                                 _kv("gen_ai.tool.call.arguments", orjson.dumps(c["args"]).decode()),
                                 _kv("client.address", c["ip"])],
                  "status": {}} for c in cs[b:b + batch]]
        out.append(orjson.dumps({"resourceSpans": [{"resource": {"attributes": [_kv("service.name", "bench")]},
                                                    "scopeSpans": [{"scope": {"name": "bench"}, "spans": spans}]}]}))
    return out


def otel_proto(cs: list[dict], batch: int) -> list[bytes]:
    out = []
    for b in range(0, len(cs), batch):
        req = ExportTraceServiceRequest()
        rs = req.resource_spans.add()
        rs.resource.attributes.add(key="service.name", value=AnyValue(string_value="bench"))
        ss = rs.scope_spans.add()
        for c in cs[b:b + batch]:
            sp = ss.spans.add(trace_id=c["trace"].to_bytes(16, "big"), span_id=c["span"].to_bytes(8, "big"),
                              name=f"execute_tool {c['tool']}", kind=1, start_time_unix_nano=c["ns"],
                              end_time_unix_nano=c["ns"] + 10**8)
            for k, v in (("gen_ai.operation.name", "execute_tool"), ("gen_ai.tool.name", c["tool"]),
                         ("gen_ai.agent.name", c["agent"]), ("gen_ai.tool.call.id", f"call_{c['i']}"),
                         ("gen_ai.tool.call.arguments", orjson.dumps(c["args"]).decode()), ("client.address", c["ip"])):
                sp.attributes.add(key=k, value=AnyValue(string_value=v))
        out.append(req.SerializeToString())
    return out


def cloudtrail(cs: list[dict], batch: int) -> list[bytes]:
    out = []
    for b in range(0, len(cs), batch):
        records = []
        for c in cs[b:b + batch]:
            src, name = APIS[c["i"] % len(APIS)]
            role = c["agent"]
            records.append({
                "eventVersion": "1.11", "eventTime": iso(c["ns"])[:19] + "Z", "eventSource": src, "eventName": name,
                "awsRegion": "us-east-1", "sourceIPAddress": c["ip"], "userAgent": "Boto3/1.35.0",
                "userIdentity": {"type": "AssumedRole", "principalId": f"AROAEXAMPLE:{role}-run",
                                 "arn": f"arn:aws:sts::111122223333:assumed-role/{role}/{role}-run",
                                 "accountId": "111122223333", "accessKeyId": "ASIAIOSFODNN7EXAMPLE",
                                 "sessionContext": {"sessionIssuer": {"type": "Role",
                                                                      "arn": f"arn:aws:iam::111122223333:role/{role}"}}},
                "requestParameters": {"bucketName": "acme-data", "key": next(iter(c["args"].values()))},
                "responseElements": None, "additionalEventData": {"bytesTransferredOut": 1024},
                "requestID": f"req{c['i']}", "eventID": f"{c['span']:016x}-{c['i']}", "readOnly": True,
                "eventType": "AwsApiCall", "managementEvent": True, "recipientAccountId": "111122223333"})
        out.append(orjson.dumps({"Records": records}))
    return out


def mcp_log(cs: list[dict]) -> list[bytes]:
    return [orjson.dumps({"ts": iso(c["ns"]), "gateway": {"id": "gw"}, "session": {"id": f"s{c['trace'] % 999}"},
                          "client": {"agent_id": c["agent"], "ip": c["ip"]}, "upstream": {"server": "zendesk"},
                          "rpc": {"jsonrpc": "2.0", "id": c["i"], "method": "tools/call",
                                  "params": {"name": c["tool"], "arguments": c["args"]}},
                          "result": {"status": "ok", "bytes": 100}}) for c in cs]


def transcript(cs: list[dict], batch: int) -> list[bytes]:
    """A conversation per batch: the user's request, then each call (an assistant message with its time)
    and its answer (a tool message), as an application logs its chat history."""
    out = []
    for b in range(0, len(cs), batch):
        part = cs[b:b + batch]
        messages: list[dict] = [{"role": "user", "content": "Triage the queue and answer the customers"}]
        for c in part:
            messages.append({"role": "assistant", "content": None, "timestamp": iso(c["ns"]),
                             "tool_calls": [{"id": f"call_{c['i']}", "type": "function",
                                             "function": {"name": c["tool"], "arguments": orjson.dumps(c["args"]).decode()}}]})
            messages.append({"role": "tool", "tool_call_id": f"call_{c['i']}", "content": "ok"})
        out.append(orjson.dumps({"agent_id": part[0]["agent"], "session_id": f"{part[0]['trace']:032x}", "messages": messages}))
    return out


def proto_read(message: bytes) -> None:
    """Parse, then read each span's attribute keys and string values through the generated
    classes: what opentelemetry-proto itself costs before any mapping (each KeyValue and
    AnyValue read is a new Python object)."""
    for rs in ExportTraceServiceRequest.FromString(message).resource_spans:
        for ss in rs.scope_spans:
            for sp in ss.spans:
                for kv in sp.attributes:
                    kv.key, kv.value.string_value


def count_actions(results) -> int:
    n = 0
    for r in results:
        if isinstance(r, Action):
            n += 1
        else:
            raise SystemExit(f"benchmark input is bad: {r.source}: {r.reason}")
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--chunk", type=int, default=1000, help="events each mode decodes before the next mode's turn")
    ap.add_argument("--freeze", action="store_true", help="gc.freeze() the benchmark's own objects once built")
    a = ap.parse_args()
    cs = calls(a.events)
    native = native_lines(cs)
    oj, op, ct, mc = otel_json(cs, a.batch), otel_proto(cs, a.batch), cloudtrail(cs, a.batch), mcp_log(cs)
    tr = transcript(cs, a.batch)
    mapping = Mapping.load(ROOT / "deploy" / "mappings" / "mcp-gateway.yaml")

    # What each adapter validates, rebuilt from its actions (defaults left out, as the adapters
    # leave them): its parse plus this is the floor no mapping in Python gets under.
    validate = Action.__pydantic_validator__.validate_python
    adapters = {"otel-json": (lambda: OtelAdapter("json"), oj), "otel-proto": (lambda: OtelAdapter("proto"), op),
                "cloudtrail": (CloudTrailAdapter, ct), "mapped": (lambda: MappedAdapter(mapping), mc),
                "transcript": (lambda: TranscriptAdapter(TranscriptOptions()), tr)}
    fields = {name: [r.model_dump(exclude_defaults=True) for m in messages for r in make().decode(m, "bench")]
              for name, (make, messages) in adapters.items()}
    counted: dict[str, int] = {}

    def decoding(name: str, make):
        def per_run():  # one adapter per run (CloudTrail remembers the eventIDs it has seen)
            adapter = make()
            counted[name] = 0

            def one(message: bytes) -> None:
                counted[name] += count_actions(adapter.decode(message, "bench"))
            return one
        return per_run

    def decode_native(line: bytes) -> None:
        decode_action(line, "")

    # mode -> (its items, events per item, a function of one item for each run)
    modes = {"parse": (native, 1, lambda: orjson.loads), "native": (native, 1, lambda: decode_native),
             "otel-json parse": (oj, a.batch, lambda: orjson.loads),
             "otel-proto parse": (op, a.batch, lambda: ExportTraceServiceRequest.FromString),
             "otel-proto read": (op, a.batch, lambda: proto_read),
             "cloudtrail parse": (ct, a.batch, lambda: orjson.loads),
             "mapped parse": (mc, 1, lambda: orjson.loads),
             "transcript parse": (tr, a.batch, lambda: orjson.loads),
             **{f"{name} validate": (dicts, 1, lambda: validate) for name, dicts in fields.items()},
             **{name: (messages, a.batch if name != "mapped" else 1, decoding(name, make))
                for name, (make, messages) in adapters.items()}}
    if a.freeze:
        gc.collect()
        gc.freeze()
    chunk = max(1, a.chunk // a.batch) * a.batch  # events per slice: whole batches
    rates: dict[str, list[float]] = {m: [] for m in modes}
    for _ in range(a.repeats):
        run = {name: make() for name, (_, _, make) in modes.items()}
        spent = dict.fromkeys(modes, 0.0)
        for lo in range(0, a.events, chunk):  # every mode a slice in turn: a neighbour's burst hits them all
            for name, (items, per, _) in modes.items():
                fn, part = run[name], items[lo // per:(lo + chunk) // per]
                t = time.process_time()  # CPU time of this process: a busy neighbour counts less
                for item in part:
                    fn(item)
                spent[name] += time.process_time() - t
        for name in modes:
            rates[name].append(a.events / max(spent[name], 1e-9))
        for name, n in counted.items():
            if n != a.events:
                raise SystemExit(f"{name}: {n} actions from {a.events} events")
    native_rate = statistics.median(rates["native"])
    print(f"{a.events:,} events, batches of {a.batch}, median of {a.repeats} (Python {sys.version.split()[0]})"
          + (", own objects frozen" if a.freeze else ""))
    print(f"{'format':<18}{'events/s':>12}{'x native cost':>16}")
    for name in modes:
        r = statistics.median(rates[name])
        print(f"{name:<18}{r:>12,.0f}{native_rate / r:>16.2f}")
    print("aim: an adapter costs at most 2.00x the native decode")
    cost = {name: native_rate / statistics.median(r) for name, r in rates.items()}
    for name in fields:
        floor = cost[f"{name} parse"] + cost[f"{name} validate"]
        print(f"{name}: parse + validate {floor:.2f}x, the mapping in Python {cost[name] - floor:.2f}x")
    floor = cost["otel-proto read"] + cost["otel-proto validate"]
    print(f"otel-proto: parse + reading the attributes through opentelemetry-proto + validate {floor:.2f}x, "
          f"leaving {2.0 - floor:.2f}x of the aim for the mapping")


if __name__ == "__main__":
    main()
