"""The MITRE ATT&CK and ATLAS ids the rule catalogue uses, with their names and tactics.

An offline table, so a rule's references can be checked without a network and an OCSF
finding can name its tactic and technique. Written by hand from the published data:

- ATT&CK Enterprise **v18.1** (mitre/cti, 2025-11). v19 (2026) split Defense Evasion
  (TA0005) into Stealth and Defense Impairment; this table stays on v18.1 until the
  catalogue is re-mapped, and says so in every finding (``ATTACK_VERSION``).
- ATLAS **2026.09** (mitre-atlas/atlas-data ``dist/v6/ATLAS-2026.09.yaml``: the agentic
  techniques AML.T0080 .. AML.T0086 added 2025-09-30, AML.T0034.002 added 2026-03-30; AML.T0110,
  AI Agent Tool Poisoning, a Persistence technique).

Only ids in use are listed. When MITRE revokes or deprecates one, mark it here with its
``status`` (do not delete it): the catalogue check then names the stale id instead of
accepting it.

>>> TECHNIQUES["T1562.008"].name
'Disable or Modify Cloud Logs'
>>> TACTICS[TECHNIQUES["AML.T0053"].tactics[0]]
'Execution'
"""

import re
from dataclasses import dataclass
from typing import Literal

ATTACK_VERSION = "18.1"
ATLAS_VERSION = "2026.09"

ATTACK_TECHNIQUE = re.compile(r"^T\d{4}(\.\d{3})?$")
ATTACK_TACTIC = re.compile(r"^TA\d{4}$")
ATLAS_TECHNIQUE = re.compile(r"^AML\.T\d{4}(\.\d{3})?$")
ATLAS_TACTIC = re.compile(r"^AML\.TA\d{4}$")


@dataclass(frozen=True, slots=True)
class Technique:
    name: str                      # the technique's own name (a sub-technique's without its parent's)
    tactics: tuple[str, ...]       # the tactics it serves, as published
    status: Literal["current", "deprecated", "revoked"] = "current"


TACTICS: dict[str, str] = {
    # ATT&CK Enterprise v18.1
    "TA0001": "Initial Access",
    "TA0002": "Execution",
    "TA0003": "Persistence",
    "TA0004": "Privilege Escalation",
    "TA0005": "Defense Evasion",
    "TA0006": "Credential Access",
    "TA0007": "Discovery",
    "TA0008": "Lateral Movement",
    "TA0009": "Collection",
    "TA0010": "Exfiltration",
    "TA0040": "Impact",
    # ATLAS
    "AML.TA0005": "Execution",
    "AML.TA0006": "Persistence",
    "AML.TA0007": "Defense Evasion",
    "AML.TA0010": "Exfiltration",
    "AML.TA0011": "Impact",
    "AML.TA0012": "Privilege Escalation",
}

_EVASION_PERSIST_PRIV_INIT = ("TA0005", "TA0003", "TA0004", "TA0001")

TECHNIQUES: dict[str, Technique] = {
    # ATT&CK
    "T1021": Technique("Remote Services", ("TA0008",)),
    "T1021.008": Technique("Direct Cloud VM Connections", ("TA0008",)),
    "T1059": Technique("Command and Scripting Interpreter", ("TA0002",)),
    "T1059.009": Technique("Cloud API", ("TA0002",)),
    "T1078": Technique("Valid Accounts", _EVASION_PERSIST_PRIV_INIT),
    "T1078.004": Technique("Cloud Accounts", _EVASION_PERSIST_PRIV_INIT),
    "T1098": Technique("Account Manipulation", ("TA0003", "TA0004")),
    "T1098.001": Technique("Additional Cloud Credentials", ("TA0003", "TA0004")),
    "T1098.003": Technique("Additional Cloud Roles", ("TA0003", "TA0004")),
    "T1098.004": Technique("SSH Authorized Keys", ("TA0003", "TA0004")),
    "T1098.006": Technique("Additional Container Cluster Roles", ("TA0003", "TA0004")),
    "T1136": Technique("Create Account", ("TA0003",)),
    "T1136.003": Technique("Cloud Account", ("TA0003",)),
    "T1195": Technique("Supply Chain Compromise", ("TA0001",)),
    "T1195.002": Technique("Compromise Software Supply Chain", ("TA0001",)),
    "T1484": Technique("Domain or Tenant Policy Modification", ("TA0005", "TA0004")),
    "T1484.002": Technique("Trust Modification", ("TA0005", "TA0004")),
    "T1485": Technique("Data Destruction", ("TA0040",)),
    "T1486": Technique("Data Encrypted for Impact", ("TA0040",)),
    "T1490": Technique("Inhibit System Recovery", ("TA0040",)),
    "T1496": Technique("Resource Hijacking", ("TA0040",)),
    "T1496.001": Technique("Compute Hijacking", ("TA0040",)),
    "T1496.004": Technique("Cloud Service Hijacking", ("TA0040",)),
    "T1526": Technique("Cloud Service Discovery", ("TA0007",)),
    "T1530": Technique("Data from Cloud Storage", ("TA0009",)),
    "T1531": Technique("Account Access Removal", ("TA0040",)),
    "T1537": Technique("Transfer Data to Cloud Account", ("TA0010",)),
    "T1550": Technique("Use Alternate Authentication Material", ("TA0005", "TA0008")),
    "T1550.001": Technique("Application Access Token", ("TA0005", "TA0008")),
    "T1552": Technique("Unsecured Credentials", ("TA0006",)),
    "T1552.001": Technique("Credentials In Files", ("TA0006",)),
    "T1552.005": Technique("Cloud Instance Metadata API", ("TA0006",)),
    "T1555": Technique("Credentials from Password Stores", ("TA0006",)),
    "T1555.006": Technique("Cloud Secrets Management Stores", ("TA0006",)),
    "T1556": Technique("Modify Authentication Process", ("TA0006", "TA0005", "TA0003")),
    "T1556.006": Technique("Multi-Factor Authentication", ("TA0006", "TA0005", "TA0003")),
    "T1556.009": Technique("Conditional Access Policies", ("TA0006", "TA0005", "TA0003")),
    "T1562": Technique("Impair Defenses", ("TA0005",)),
    "T1562.001": Technique("Disable or Modify Tools", ("TA0005",)),
    "T1562.007": Technique("Disable or Modify Cloud Firewall", ("TA0005",)),
    "T1562.008": Technique("Disable or Modify Cloud Logs", ("TA0005",)),
    "T1567": Technique("Exfiltration Over Web Service", ("TA0010",)),
    "T1580": Technique("Cloud Infrastructure Discovery", ("TA0007",)),
    "T1651": Technique("Cloud Administration Command", ("TA0002",)),
    "T1657": Technique("Financial Theft", ("TA0040",)),
    # ATLAS
    "AML.T0034": Technique("Cost Harvesting", ("AML.TA0011",)),
    "AML.T0034.002": Technique("Agentic Resource Consumption", ("AML.TA0011",)),
    "AML.T0051": Technique("LLM Prompt Injection", ("AML.TA0005",)),
    "AML.T0051.001": Technique("Indirect", ("AML.TA0005",)),
    "AML.T0053": Technique("AI Agent Tool Invocation", ("AML.TA0005", "AML.TA0012")),
    "AML.T0080": Technique("AI Agent Context Poisoning", ("AML.TA0006",)),
    "AML.T0081": Technique("Modify AI Agent Configuration", ("AML.TA0006", "AML.TA0007")),
    "AML.T0086": Technique("Exfiltration via AI Agent Tool Invocation", ("AML.TA0010",)),
    "AML.T0110": Technique("AI Agent Tool Poisoning", ("AML.TA0006",)),
}


def parent_of(technique: str) -> str | None:
    """The parent technique of a sub-technique id, else None.

    >>> parent_of("T1078.004"), parent_of("AML.T0051.001"), parent_of("T1098")
    ('T1078', 'AML.T0051', None)
    """
    head, dot, _ = technique.rpartition(".")
    return head if dot and re.search(r"T\d{4}$", head) else None


def problems(technique: str, tactic: str, atlas: bool) -> list[str]:
    """What is wrong with one (tactic, technique) reference: malformed, unknown, stale, or
    a tactic the technique does not serve. Empty when it is sound.

    >>> problems("T1562.008", "TA0005", atlas=False)
    []
    >>> problems("T1562.8", "TA0005", atlas=False)
    ["technique 'T1562.8' is not an ATT&CK id (T####[.###])"]
    """
    tech_re, tac_re, kind = (ATLAS_TECHNIQUE, ATLAS_TACTIC, "ATLAS") if atlas else (ATTACK_TECHNIQUE, ATTACK_TACTIC, "ATT&CK")
    out = []
    if not tech_re.match(technique):
        out.append(f"technique {technique!r} is not an {kind} id ({'AML.T####[.###]' if atlas else 'T####[.###]'})")
    if not tac_re.match(tactic):
        out.append(f"tactic {tactic!r} is not an {kind} tactic id ({'AML.TA####' if atlas else 'TA####'})")
    if out:
        return out
    t = TECHNIQUES.get(technique)
    if t is None:
        return [f"technique {technique} is not in the offline table (models/attack.py): add it from the published data"]
    if t.status != "current":
        return [f"technique {technique} ({t.name}) is {t.status}"]
    if tactic not in t.tactics:
        return [f"technique {technique} ({t.name}) does not serve tactic {tactic} (it serves {', '.join(t.tactics)})"]
    parent = parent_of(technique)
    if parent is not None and parent not in TECHNIQUES:
        return [f"parent technique {parent} of {technique} is not in the offline table"]
    return []
