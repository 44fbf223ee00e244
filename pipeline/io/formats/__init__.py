"""Output formats for alerts: ``native`` (our ``alert.v1`` JSON, the default) and ``ocsf``
(OCSF 1.8.0 Detection Finding). Each is an encoder from an ``Alert`` to one JSON document
as bytes; hosts pick one by name and write or produce what it returns.

>>> sorted(FORMATS)
['native', 'ocsf']
"""

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal

from intentwatch.models.alert import Alert

if TYPE_CHECKING:
    from intentwatch.pipeline.engine.catalog import Rule

AlertFormat = Literal["native", "ocsf"]
FORMATS: tuple[str, ...] = AlertFormat.__args__  # type: ignore[attr-defined]
Encoder = Callable[[Alert], bytes]


def native(alert: Alert) -> bytes:
    """The alert as published on ``intentwatch.alerts``."""
    return alert.model_dump_json().encode()


def encoder(name: str, rules: "Mapping[str, Rule] | None" = None) -> Encoder:
    """The encoder of format ``name`` (``rules``: the run's catalogue, which OCSF findings
    describe; the shipped one by default). An unknown name raises ``ValueError`` naming the known ones."""
    if name == "native":
        return native
    if name == "ocsf":
        from intentwatch.pipeline.io.formats.ocsf import OcsfFormatter

        return OcsfFormatter(rules).encode
    raise ValueError(f"unknown alert format {name!r} (known: {', '.join(FORMATS)})")
