"""pipeline/engine/scope.py's PatternSet: membership is fnmatch's (case-sensitive) for every kind of
pattern; ``prefix*`` patterns are answered by the prefix alone (no regex, nothing cached: a
manifest's resources are high-cardinality values). And detectors/cloud_calls.py's ``declared``,
remembered per tool on the manifest's scope, says what the patterns say."""

import random
from fnmatch import fnmatchcase

from intentwatch.models.intent import IntentManifest
from intentwatch.pipeline.engine.detectors.cloud_calls import declared
from intentwatch.pipeline.engine.scope import PatternSet, Scope
from intentwatch.pipeline.engine.state import AgentState

PATTERNS = [["salesforce://acme/Account/*", "mailto:*", "zendesk://acme/queues/*"],
            ["crm.*", "email.send", "s3:Get*", "*"],
            ["a?c*", "x[yz]*", "logs:*Events", "exact", "pre[fix*", "p*q*"],
            ["ec2:Describe*", "iam:List*", "*:Get*"]]
VALUES = ["salesforce://acme/Account/001", "salesforce://acme/account/001", "mailto:", "mailto:x@y", "zendesk://acme/queues",
          "crm.lookup", "crm", "email.send", "s3:GetObject", "s3:getobject", "abcd", "axc", "xy", "xz1", "xa",
          "logs:FilterLogEvents", "logs:Events", "exact", "exactly", "pre[fix", "prefix", "pq", "p/q/r", "ec2:DescribeInstances",
          "iam:ListRoles", "sts:GetCallerIdentity", "", "\n", "*", "?"]


def test_membership_is_fnmatchs_for_every_kind_of_pattern():
    rng = random.Random(3)
    for patterns in PATTERNS:
        ps = PatternSet(patterns)
        for v in VALUES + ["".join(rng.choice("ac*?[]/:xyzSG.") for _ in range(rng.randrange(8))) for _ in range(300)]:
            assert (v in ps) == any(fnmatchcase(v, p) for p in patterns), (patterns, v)


def test_prefix_patterns_need_no_regex_and_fill_no_cache():
    ps = PatternSet(["salesforce://acme/Account/*", "mailto:*"])
    for i in range(1000):
        assert f"salesforce://acme/Account/{i:06d}" in ps
        assert f"salesforce://acme/Contact/{i:06d}" not in ps
    assert ps._regex is None and ps._cache == {}


def _state(tools: list[str], per_tool: dict | None = None) -> AgentState:
    m = IntentManifest.model_validate({
        "agent_id": "a1", "owner": "o@example.com", "purpose": "p", "allowed": {"tools": tools, **({"per_tool": per_tool} if per_tool else {})}})
    st = AgentState("a1")
    st.manifest, st.scope = m, Scope(m)
    return st


def test_declared_is_remembered_per_scope_and_says_what_the_patterns_say():
    st = _state(["iam:CreateAccessKey", "cloudtrail:*Logging", "s3:*"])
    for tool, expected in (("iam:CreateAccessKey", True), ("cloudtrail:StopLogging", True), ("s3:PutBucketPolicy", False),
                           ("iam:CreateUser", False)):
        assert declared(st, tool) is expected and declared(st, tool) is expected
    assert st.scope.declared == {"iam:CreateAccessKey": True, "cloudtrail:StopLogging": True, "s3:PutBucketPolicy": False,
                                 "iam:CreateUser": False}
    st2 = _state(["s3:*"], {"iam.amazonaws.com:*": {"operations": ["write"]}})  # a new manifest: a new scope, asked afresh
    assert declared(st2, "iam.amazonaws.com:CreateUser") and not declared(st2, "iam:CreateUser")
