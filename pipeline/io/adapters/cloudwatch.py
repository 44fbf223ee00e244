"""CloudWatch Logs' envelopes: the records a log group holds, each one event's ``message`` (JSON text).
A subscription's ``{"messageType": "DATA_MESSAGE", "logEvents": [...]}``, ``filter-log-events``' and
``get-log-events``' ``{"events": [...], "nextToken"...}``. Read by transcript.py (an agent's log lines) and
sdk_spans.py (the spans the AWS Distro for OpenTelemetry writes to ``aws/spans``)."""

from typing import Any


def log_events(doc: dict[str, Any]) -> list[str] | None:
    """The messages of a CloudWatch Logs envelope, each one record as JSON text; None: no such envelope
    (a subscription's control message: none)."""
    events = doc.get("logEvents") if "logEvents" in doc else doc.get("events") if "searchedLogStreams" in doc \
        or "nextToken" in doc or "nextForwardToken" in doc else None
    if events.__class__ is not list or not all(e.__class__ is dict and e.get("message").__class__ is str for e in events[:4]):
        return None
    return [e["message"] for e in events if e.__class__ is dict and e.get("message").__class__ is str]
