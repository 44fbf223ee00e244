"""Cloud identity abuse judged from the first call: no warm-up, no baseline.

These detectors watch every identity that acts, registered or not (a CloudTrail principal
usually has no manifest), so the engine runs them before the lifecycle gates
(``watches_every_identity``). This module holds the ``cloud.*`` rules, judged on the call and
its request parameters (``attributes["arguments"]`` or ``["requestParameters"]``); the
``credential.*`` rules on the identity around the call are in ``cloud_identity.py``, and what
both read from an action (the call key, the caller, ``declared``) in ``cloud_calls.py``.

``CloudOperation`` fires on one catalogue call (``params.calls``: call, ATT&CK technique,
optional condition on the parameters). Benign administration is kept quiet by intent: an
agent whose manifest declares the call (``declared``: named in ``allowed.tools``, or a
``allowed.per_tool`` clause for it, as an infrastructure-as-code runner or a break-glass admin
declares ``iam.amazonaws.com:*``) raises nothing here; the intent rules still judge it.
"""

import fnmatch
import json
import re
from typing import Any

from intentwatch.models.action import Action
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import Detector
from intentwatch.pipeline.engine.detectors.cloud_calls import caller_names, cloud_call, console_session, declared, own_account, \
    record_values, service_acting
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.params import BurstParams, CatalogueCall, CloudCalls, ItemWhen, When, validated
from intentwatch.pipeline.engine.state import AgentState
from intentwatch.pipeline.engine.toolcall import arguments
from intentwatch.pipeline.engine.values import at_path, nodes_at


# -- conditions on a call's parameters ----------------------------------------------------

def _policy(value: Any) -> dict[str, Any] | None:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    st = policy.get("Statement", [])
    st = st if isinstance(st, list) else [st]
    return [s for s in st if isinstance(s, dict) and s.get("Effect", "Allow") == "Allow"]


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


# Conditions that tie a public principal to the owner's organisation, account or network.
# kms:CallerAccount (with kms:ViaService) is how a key policy lets one account's principals use the
# key through a service; s3:DataAccessPointAccount hands a bucket's access control to the account's
# access points; EFS's AccessedViaMountTarget admits only clients inside a VPC with a mount target.
_SCOPING_KEYS = ("aws:principalorgid", "aws:sourceaccount", "aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce",
                 "aws:principalaccount", "aws:sourceowner", "aws:principalorgpaths", "aws:sourceip",
                 "kms:calleraccount", "s3:dataaccesspointaccount", "s3:dataaccesspointarn",
                 "elasticfilesystem:accessedviamounttarget")


_ACCOUNT_ID = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")  # an account id alone or inside an ARN


def _outsiders(policy: dict[str, Any], account: str | None, services: frozenset[str] = frozenset()) -> list[str]:
    """Principals of Allow statements outside ``account``: ``*`` (unless a condition scopes it to
    the organisation, the account or a network; a condition naming another account opens it to that
    account) or another account (any account when ``account`` is unknown)."""
    out: list[str] = []
    for s in _statements(policy):
        p = s.get("Principal")
        if isinstance(p, dict):  # a service principal (lambda.amazonaws.com) or a federation is not an outsider here
            values = [x for k, v in p.items() if k not in ("Service", "Federated") for x in _as_list(v)]
        else:
            values = [p]
        cond = json.dumps(s.get("Condition", {})).lower()
        for v in values:
            if not isinstance(v, str):
                continue
            if v == "*":
                if not any(k in cond for k in _SCOPING_KEYS):
                    out.append(v)
                elif account is not None and any(a != account and a not in services for a in _ACCOUNT_ID.findall(cond)):
                    out.append("* (condition naming another account)")  # scoped, to someone else's account
                continue
            m = re.search(r"(?:^|:)(\d{12})(?::|$)", v)
            if m and m.group(1) != account and m.group(1) not in services:
                out.append(v)
    return out


def _admin(policy: dict[str, Any]) -> bool:
    """An Allow statement of every action on every resource."""
    for s in _statements(policy):
        if "NotAction" in s:
            continue
        acts = {str(a) for a in _as_list(s.get("Action", []))}
        res = {str(r) for r in _as_list(s.get("Resource", []))}
        if acts & {"*", "*:*"} and "*" in res:
            return True
    return False


# CloudTrail writes one service's parameters in camelCase (sagemaker's lifecycleConfigName), another's
# as the API spells them (HttpTokens inside EC2's newer ...Request objects): a path's keys are
# matched as written, else in any letter case.
def _values(args: dict[str, Any], path: str) -> list[Any] | None:
    return at_path(args, tuple(path.split(".")), True)


def _nodes(args: dict[str, Any], path: str) -> list[Any] | None:
    return nodes_at(args, tuple(path.split(".")), True)


def _first_match(vals: list[Any], pats: list[str]) -> Any:
    """The first value matching one of the patterns (case-insensitive), or None."""
    return next((v for v in vals if any(fnmatch.fnmatchcase(str(v).lower(), p.lower()) for p in pats)), None)


def _check_when(w: When, action: Action, args: dict[str, Any] | None, services: frozenset[str] = frozenset()) -> str | None:
    """What made the condition hold (for evidence), or None if it does not."""
    if args is None:
        args = {}  # no parameters: only a condition on the record can hold (a console sign-in has none)
    seen: list[str] = []
    for path in w.present:
        vals = _values(args, path)
        if not vals:
            return None
        seen.append(f"{path}={vals[:3]}")
    for path in w.absent:
        if _values(args, path):
            return None
    for path, pats in w.matches.items():
        vals = _values(args, path) or []
        hit = _first_match(vals, pats)
        if hit is None:
            return None
        seen.append(f"{path}={hit}")
    for path, pats in w.not_matches.items():
        vals = _values(args, path) or []
        if _first_match(vals, pats) is not None:
            return None
        if vals:
            seen.append(f"{path}={vals[0]}")
    if w.policy_opens is not None:
        doc = _policy((_nodes(args, w.policy_opens) or [None])[0])
        who = _outsiders(doc, own_account(action), services) if doc is not None else []
        if not who:
            return None
        seen.append(f"{w.policy_opens} allows {sorted(set(who))[:3]}")
    if w.policy_admin is not None:
        doc = _policy((_nodes(args, w.policy_admin) or [None])[0])
        if doc is None or not _admin(doc):
            return None
        seen.append(f"{w.policy_admin} allows * on *")
    if w.other_identity is not None:
        vals = _values(args, w.other_identity)
        if not vals or str(vals[0]).lower() in caller_names(action):
            return None
        seen.append(f"{w.other_identity}={vals[0]} (caller {action.agent_id})")
    if w.foreign_account is not None:
        own = own_account(action)
        others = sorted({m for v in _values(args, w.foreign_account) or []
                         for m in _ACCOUNT_ID.findall(str(v)) if m != own and m not in services})
        if not others:
            return None
        seen.append(f"{w.foreign_account} names account {others[:3]}")
    if w.other_account is not None:
        own = own_account(action)
        named = sorted({str(v) for v in _values(args, w.other_account) or [] if str(v) != own and str(v) not in services})
        if not named:
            return None
        seen.append(f"{w.other_account} names {named[:3]}")
    for path, pats in w.record.items():
        hit = _first_match(record_values(action, path) or [], pats)
        if hit is None:
            return None
        seen.append(f"{path}={hit}")
    for path in w.record_absent:
        if record_values(action, path):
            return None
    if w.item is not None:
        hit = _matching_item(w.item, action, args)
        if hit is None:
            return None
        seen.append(f"{w.item.path}: {hit}")
    return "; ".join(seen) or "call"


def _matching_item(item: ItemWhen, action: Action, args: dict[str, Any]) -> str | None:
    """The first object of the list at ``item.path`` (the call's parameters, else the record's) whose fields all
    match, as ``field=value`` pairs; None when none does."""
    path = tuple(item.path.split("."))
    for node in nodes_at(args, path, True) or nodes_at(action.attributes, path, True) or []:
        if not isinstance(node, dict):
            continue
        hits = []
        for field, pats in item.matches.items():
            hit = _first_match(at_path(node, tuple(field.split(".")), True) or [], pats)
            if hit is None:
                break
            hits.append(f"{field}={hit}")
        else:
            return ", ".join(hits)
    return None


def _call_key(call: str) -> str:
    """service:EventName as ``cloud_call`` gives it (the event name lower-cased; an Azure operation all of it)."""
    if ":" not in call:
        return call.lower()
    svc, name = call.split(":")
    return f"{svc}:{name.lower()}"


class CloudOperation(Detector):
    """Fires on a successful catalogue call (``params.calls``) whose condition holds, by any identity
    whose manifest does not declare the call (``declared``) and that is not an AWS service acting as
    itself (``service_acting``), or by any caller with ``every_caller``; on a denied one too when the
    call says ``attempts``. Evidence: the call, its ATT&CK technique, what held (and ``denied`` for
    an attempt)."""

    watches_every_identity = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        p: CloudCalls = validated(rule, CloudCalls)
        self.calls: dict[str, list[CatalogueCall]] = {}
        self.services = frozenset(p.service_accounts) | frozenset(p.trusted_accounts)  # (named: no outsider)
        self.every_caller = p.every_caller
        for c in p.calls:
            self.calls.setdefault(_call_key(c.call), []).append(c)

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        key = cloud_call(action)
        if key is None:
            return None
        entries = self.calls.get(key)
        if entries is None or action.outcome not in ("success", "denied"):
            return None
        if not self.every_caller and (declared(state, action.tool) or service_acting(action)):
            return None
        args = arguments(action)
        for c in entries:
            if action.outcome == "denied" and not c.attempts:
                continue
            why = _check_when(c.when, action, args, self.services) if c.when is not None else "call"
            if why is None:
                continue
            return self.finding(action, ts, f"{c.call}: {c.what} ({c.attack})", clause="cloud.catalogue",
                                expected="declared in allowed.tools", observed=c.call,
                                baseline={"attack": c.attack, "call": c.call, "matched": why, "outcome": action.outcome})
        return None


class DistinctBurst(Detector):
    """Fires when one identity touches ``min_distinct`` distinct things with ``calls`` within
    ``within_seconds``, once per burst: a dump of the secrets store (an application reads its
    handful at start), a bucket's versions deleted one by one (S3 ransomware). A call counts if
    it meets ``when`` and its own ``call_when``, and if refused only with ``attempts``; what it
    touched is named by ``names`` (else its resource). Routine forms can be left out: console sessions (``console:
    false``), identities that declare the call (``declared_quiets``). The window lives in the
    agent's state under the rule's id."""

    watches_every_identity = True

    def __init__(self, rule: Rule):
        super().__init__(rule)
        p: BurstParams = validated(rule, BurstParams)
        self.p = p
        self.calls = {_call_key(c) for c in p.calls}
        self.call_when = {_call_key(c): w for c, w in p.call_when.items()}
        self.seen_key, self.until_key = f"{rule.id}#seen", f"{rule.id}#until"

    def check(self, action: Action, state: AgentState, ts: float) -> Finding | None:
        key = cloud_call(action)
        p = self.p
        if key is None or key not in self.calls or (not p.attempts and action.outcome != "success") or service_acting(action):
            return None
        if (not p.console and console_session(action)) or (p.declared_quiets and declared(state, action.tool)):
            return None
        args = arguments(action)
        if p.when is not None and _check_when(p.when, action, args) is None:
            return None
        w_call = self.call_when.get(key)
        if w_call is not None and _check_when(w_call, action, args) is None:
            return None
        # (a name is cut at 1,024 characters, longer than any AWS secret, parameter or version id: the window stays small)
        touched = {str(v)[:1024] for n in p.names for v in (_values(args, n) or [])} if args is not None else set()
        if not touched:
            touched = {action.resource or key}
        recent: list[list] = state.detect.setdefault(self.seen_key, [])  # [time, name], oldest first
        recent[:] = [r for r in recent if ts - r[0] <= p.within_seconds]
        known = {r[1] for r in recent}
        recent += [[ts, n] for n in sorted(touched - known)]
        del recent[: max(0, len(recent) - 4 * p.min_distinct)]
        distinct = len({r[1] for r in recent})
        if distinct < p.min_distinct or state.detect.get(self.until_key, float("-inf")) >= ts:
            return None
        state.detect[self.until_key] = ts + p.within_seconds
        w = p.within_seconds
        return self.finding(action, ts, f"{p.verb} {distinct} distinct {p.counted} within {w:g}s",
                            clause=p.clause, expected=f"< {p.min_distinct} per {w:g}s",
                            observed=distinct, baseline={"attack": p.attack, "names": sorted({r[1] for r in recent})[:10]})
