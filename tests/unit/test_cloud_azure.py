"""Azure control-plane abuse from the first Activity Log record of an identity with no history.

Records written here in the Activity Log's export shape (a diagnostic setting's ``{"records": [...]}``,
Administrative category; operation names from Azure's resource provider operations reference), read with
the shipped mapping (deploy/mappings/azure-activity-log.yaml), judged by a fresh engine. Each beside a
benign look-alike: the operation's Start record, a failed attempt, the same service's routine operation,
or the operation declared in the identity's manifest.
"""

from datetime import timedelta
from itertools import count
from pathlib import Path

import orjson
import pytest

from intentwatch.models.action import Action
from intentwatch.models.alert import Alert
from intentwatch.pipeline.engine.engine import Engine
from intentwatch.pipeline.io.adapters import BadRecord, open_adapter
from tests.factories import T0, instantiate, manifest

MAPPING = Path(__file__).parents[2] / "deploy" / "mappings" / "azure-activity-log.yaml"
PRINCIPAL = "9b8c7d6e-5f4a-4b3c-8d2e-1f0a9b8c7d6e"
SUB = "/SUBSCRIPTIONS/6A1F0C2E-4B3D-4E5F-8A9B-0C1D2E3F4A5B/RESOURCEGROUPS/PAYMENTS/PROVIDERS"
_n = count(1)


def record(operation: str, resource: str, result: str = "Success", at: float = 0.0) -> dict:
    return {"time": (T0 + timedelta(seconds=at)).strftime("%Y-%m-%dT%H:%M:%S.%f0Z"), "resourceId": f"{SUB}/{resource}",
            "operationName": operation.upper(), "category": "Administrative", "resultType": result,
            "resultSignature": "Succeeded." if result == "Success" else "Failed.Forbidden", "durationMs": "212",
            "callerIpAddress": "203.0.113.7", "correlationId": f"c-{next(_n)}", "level": "Information", "location": "westeurope",
            "properties": {"statusCode": "OK" if result == "Success" else "Forbidden", "eventCategory": "Administrative"},
            "identity": {"authorization": {"scope": f"{SUB}/{resource}", "action": operation.lower()},
                         "claims": {"http://schemas.microsoft.com/identity/claims/objectidentifier": PRINCIPAL, "appid": "3c6e9a7d", "idtyp": "app"}}}


def judged(*records: dict, declares: list[str] | None = None) -> list[str]:
    adapter, e, out = open_adapter("mapped", MAPPING), Engine(), []
    if declares is not None:
        m = manifest(PRINCIPAL, allowed={"tools": declares, "operations": ["read", "write", "configure", "delete", "execute", "grant"]},
                     credentials=[], model=None, schedule=None, rate_limit=None)
        out += e.process(instantiate(m))
    results = list(adapter.decode(orjson.dumps({"records": list(records)}), "PT1H.json"))
    assert not [r for r in results if isinstance(r, BadRecord)]
    for a in results:
        assert isinstance(a, Action)
        out += e.process(a)
    return sorted(o.rule_id for o in out + e.flush() if isinstance(o, Alert) and o.rule_id.startswith("cloud."))


@pytest.mark.parametrize("operation, resource, rule", [
    ("Microsoft.Insights/diagnosticSettings/delete", "MICROSOFT.KEYVAULT/VAULTS/PAY-KV/PROVIDERS/MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/TO-SIEM",
     "cloud.logging_disabled"),
    ("Microsoft.Network/networkWatchers/flowLogs/delete", "MICROSOFT.NETWORK/NETWORKWATCHERS/NW-WEU/FLOWLOGS/NSG-WEB", "cloud.logging_disabled"),
    ("Microsoft.Compute/snapshots/beginGetAccess/action", "MICROSOFT.COMPUTE/SNAPSHOTS/DB-DISK-SNAP", "cloud.data_opened_to_outsiders"),
    ("Microsoft.Compute/disks/beginGetAccess/action", "MICROSOFT.COMPUTE/DISKS/DB-DISK", "cloud.data_opened_to_outsiders"),
    ("Microsoft.Compute/virtualMachines/runCommand/action", "MICROSOFT.COMPUTE/VIRTUALMACHINES/PAY-VM-1", "cloud.code_execution"),
    ("Microsoft.AADIAM/diagnosticSettings/delete", "MICROSOFT.AADIAM/DIAGNOSTICSETTINGS/ENTRA-TO-SIEM", "cloud.logging_disabled"),
    ("Microsoft.Authorization/elevateAccess/action", "MICROSOFT.AUTHORIZATION", "cloud.privileges_escalated"),
    ("Microsoft.KeyVault/vaults/delete", "MICROSOFT.KEYVAULT/VAULTS/PAY-KV", "cloud.data_destruction_scheduled"),
    ("Microsoft.RecoveryServices/vaults/delete", "MICROSOFT.RECOVERYSERVICES/VAULTS/PAY-RSV", "cloud.data_destruction_scheduled"),
])
def test_each_operation_from_the_first_record(operation, resource, rule):
    assert judged(record(operation, resource)) == [rule]
    # its Start record is skipped by the mapping; a refused attempt raises nothing here; declared, it is the agent's work
    assert judged({**record(operation, resource), "resultType": "Start"}, record(operation, resource, "Failure")) == []
    assert judged(record(operation, resource), declares=[operation.upper()]) == []


def test_routine_operations_of_the_same_services_are_quiet():
    assert judged(record("Microsoft.Insights/diagnosticSettings/write", "MICROSOFT.KEYVAULT/VAULTS/PAY-KV/PROVIDERS/MICROSOFT.INSIGHTS/DIAGNOSTICSETTINGS/TO-SIEM"),
                  record("Microsoft.Compute/snapshots/write", "MICROSOFT.COMPUTE/SNAPSHOTS/DB-DISK-SNAP"),
                  record("Microsoft.Compute/virtualMachines/restart/action", "MICROSOFT.COMPUTE/VIRTUALMACHINES/PAY-VM-1")) == []
