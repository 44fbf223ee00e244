"""Agent archetypes: tool vocabularies, resource pools and identities of a simulated fleet.

Tool names follow what each ecosystem logs: SaaS and MCP servers as ``server.tool``
(``zendesk.update_ticket``, ``github.create_pull_request``), cloud control planes as
audit-log events ``service:Action`` (``ec2:DescribeInstances``). Each tool says which
resource pool it acts on; pools hold per-agent resources (queues, buckets, repositories,
tables, recipients) that repeat, plus a reserve an agent never touches in normal work.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ORG = "acme"
MAIL_DOMAIN = "acme.example"

# Data domains an exfiltration chain reads from.
SENSITIVE_DOMAINS = frozenset({"customer_pii", "finance.vendor_banking", "secrets", "customer_data"})


@dataclass(frozen=True)
class ToolSpec:
    """One tool: its operation, the pool it acts on, its data domain and payload size.

    ``domain`` None means "the domain of the resource it touches". ``resource`` is a
    fixed resource (for out-of-scope tools an agent never calls normally).
    """

    name: str
    op: str
    rkind: str | None
    domain: str | None = None
    kb: float = 2.0            # median payload, kilobytes
    sigma: float = 1.0         # log-normal spread of the payload
    resource: str | None = None

    @property
    def server(self) -> tuple[str, str]:
        """The attribute naming where the call went: an AWS event source or an MCP server."""
        if ":" in self.name:
            return "event_source", f"{self.name.split(':', 1)[0]}.amazonaws.com"
        return "mcp_server", self.name.split(".", 1)[0]


def _tool(name: str, op: str, rkind: str | None, domain: str | None = None, kb: float = 2.0,
      sigma: float = 1.0, resource: str | None = None) -> ToolSpec:
    return ToolSpec(name, op, rkind, domain, kb, sigma, resource)


@dataclass(frozen=True)
class Ident:
    """Who an agent is, as its resource names need it."""

    agent_id: str
    team: str
    acct: str       # AWS account id
    alias: str      # bucket prefix
    region: str


# A pool generator returns (resource, data domain, allowed pattern) triples.
PoolGen = Callable[[np.random.Generator, Ident, int], list[tuple[str, str, str]]]

# ---------------------------------------------------------------------------------------
# Word lists (resource names, people, vendors, repositories, tables)
FIRST = ["ana", "ben", "carla", "dev", "elif", "farid", "grace", "hiro", "ines", "jonas", "kemi", "liam",
         "maya", "noah", "olga", "priya", "quinn", "rosa", "sam", "tariq", "uma", "vik", "wen", "yusuf", "zoe"]
LAST = ["adams", "bauer", "chen", "diaz", "eriksen", "fischer", "garcia", "hughes", "ito", "jensen", "khan",
        "lopez", "moreau", "nakamura", "okafor", "patel", "rossi", "silva", "tanaka", "varga", "weber", "young"]
CUSTOMER_DOMAINS = ["globex.com", "initech.io", "umbrella-corp.net", "hooli.com", "piedpiper.io", "vandelay.com",
                    "wonka-industries.com", "stark.co", "wayne-ent.com", "soylent.org", "cyberdyne.ai",
                    "tyrell.co", "massive-dynamic.com", "oscorp.net", "aperture-labs.com", "gringotts.bank"]
VENDOR_A = ["north", "blue", "apex", "summit", "harbor", "cedar", "iron", "silver", "pioneer", "atlas", "metro", "delta"]
VENDOR_B = ["logistics", "supplies", "consulting", "software", "freight", "office", "cleaning", "catering",
            "security", "print", "energy", "telecom"]
QUEUES = ["billing", "technical", "returns", "onboarding", "escalations", "general", "vip", "shipping",
          "warranty", "accounts", "api", "mobile", "enterprise", "refunds"]
REPOS = ["payments-api", "web-frontend", "mobile-app", "infra-terraform", "data-pipelines", "auth-service",
         "search-service", "design-system", "billing-worker", "docs-site", "ml-platform", "notification-service",
         "admin-portal", "sdk-python", "sdk-js", "gateway", "inventory-service", "recommendations", "ledger-core",
         "feature-flags"]
NPM = ["react", "lodash", "express", "typescript", "eslint", "jest", "axios", "zod", "vite", "webpack",
       "prettier", "dayjs", "next", "pino", "uuid", "commander"]
PYPI = ["requests", "numpy", "pandas", "pydantic", "fastapi", "pytest", "boto3", "sqlalchemy", "httpx",
        "ruff", "mypy", "orjson", "celery", "redis", "click", "structlog"]
DOC_HOSTS = ["docs.python.org", "developer.mozilla.org", "nodejs.org", "docs.github.com", "pkg.go.dev",
             "docs.aws.amazon.com", "react.dev", "stackoverflow.com", "peps.python.org", "typescriptlang.org"]
SCHEMAS = {  # warehouse schema -> (data domain, tables)
    "SALES": ("sales", ["ORDERS", "ORDER_ITEMS", "OPPORTUNITIES", "QUOTAS", "REGIONS", "PIPELINE", "RENEWALS",
                        "DISCOUNTS", "TERRITORIES", "FORECAST"]),
    "MARKETING": ("marketing", ["CAMPAIGNS", "LEADS", "ATTRIBUTION", "WEB_SESSIONS", "EMAIL_EVENTS", "SPEND",
                                "AUDIENCES", "UTM_SOURCES", "CONVERSIONS"]),
    "PRODUCT": ("product_analytics", ["EVENTS", "FEATURE_USAGE", "RETENTION", "FUNNELS", "EXPERIMENTS",
                                      "ACTIVE_USERS", "SEARCH_LOGS", "ERRORS", "LATENCY"]),
    "FINANCE": ("finance.reporting", ["REVENUE", "INVOICES", "ARR", "CHURN", "COSTS", "BUDGETS", "REFUNDS"]),
    "SUPPORT": ("support.tickets", ["TICKETS", "CSAT", "SLA_BREACHES", "AGENTS", "MACROS_USED"]),
    "CUSTOMERS": ("customer_pii", ["ACCOUNTS", "CONTACTS", "ADDRESSES", "PAYMENT_METHODS", "SUBSCRIPTIONS"]),
}
TABLE_SUFFIX = ["", "_DAILY", "_WEEKLY", "_V2", "_SNAPSHOT", "_AGG", "_HIST", "_STG"]
BUCKET_PURPOSES = [("logs", "infra.logs"), ("artifacts", "infra.artifacts"), ("backups", "infra.backups"),
                   ("terraform-state", "infra.config"), ("static-assets", "web.assets"),
                   ("cur-reports", "finance.billing"), ("prod-db-backups", "customer_data")]
SERVICES = ["checkout", "search", "auth", "billing", "catalog", "notifications", "gateway", "recs", "ledger",
            "inventory", "images", "sessions"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"]


def pick(rng: np.random.Generator, items: list[str], n: int) -> list[str]:
    """``n`` of ``items`` (all if fewer) in a random order."""
    return [str(items[i]) for i in rng.permutation(len(items))[: min(n, len(items))]]


def _one(rng: np.random.Generator, items: list[str]) -> str:
    return str(items[int(rng.integers(len(items)))])


_ALNUM = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789", np.uint8)


def _alnum(rng: np.random.Generator, n: int) -> str:
    return _ALNUM[rng.integers(0, 36, n)].tobytes().decode()


def _hex(rng: np.random.Generator, n: int) -> str:
    return rng.bytes((n + 1) // 2).hex()[:n]


def _digits(rng: np.random.Generator, n: int) -> str:
    return _ALNUM[rng.integers(26, 36, n)].tobytes().decode()


def person(rng: np.random.Generator) -> str:
    """A ``first.last`` name."""
    return f"{FIRST[rng.integers(len(FIRST))]}.{LAST[rng.integers(len(LAST))]}"


def _vendor(rng: np.random.Generator) -> str:
    return f"{VENDOR_A[rng.integers(len(VENDOR_A))]}-{VENDOR_B[rng.integers(len(VENDOR_B))]}"


# ---------------------------------------------------------------------------------------
# Resource pools. Each agent draws its own entries; names repeat within an agent.
def _simple(fmt: Callable[[np.random.Generator, Ident], str], domain: str, pattern: str) -> PoolGen:
    def gen(rng: np.random.Generator, ident: Ident, n: int) -> list[tuple[str, str, str]]:
        pat = pattern.format(acct=ident.acct)
        return [(fmt(rng, ident), domain, pat) for _ in range(n)]
    return gen


def _from_list(items: list[str], fmt: str, domain: str, pattern: str) -> PoolGen:
    def gen(rng: np.random.Generator, ident: Ident, n: int) -> list[tuple[str, str, str]]:
        return [(fmt.format(x=x, team=ident.team), domain, pattern) for x in pick(rng, items, n)]
    return gen


def _tables(rng: np.random.Generator, ident: Ident, n: int) -> list[tuple[str, str, str]]:
    # Two or three schemas of interest plus CUSTOMERS (rarely queried, sensitive).
    names = [s for s in SCHEMAS if s != "CUSTOMERS"]
    schemas = pick(rng, names, int(rng.integers(2, 4))) + ["CUSTOMERS"]
    db = ["ANALYTICS", "PROD_REPLICA"][int(rng.integers(2))]
    out = []
    for s in schemas:
        dom, tables = SCHEMAS[s]
        k = max(2, n // len(schemas)) if s != "CUSTOMERS" else 2
        cands = [f"{t}{suf}" for t in tables for suf in TABLE_SUFFIX]
        for t in pick(rng, cands, k):
            out.append((f"snowflake://{ORG}/{db}/{s}/{t}", dom, f"snowflake://{ORG}/{db}/{s}/*"))
    return out


def _buckets(rng: np.random.Generator, ident: Ident, n: int) -> list[tuple[str, str, str]]:
    out = []
    for _ in range(n):
        purpose, dom = BUCKET_PURPOSES[int(rng.integers(len(BUCKET_PURPOSES) - 1))]
        prefix = _one(rng, SERVICES)
        out.append((f"arn:aws:s3:::{ident.alias}-{purpose}/{prefix}/", dom, "arn:aws:s3:::*"))
    # Every devops agent can reach the database backups (the sensitive bucket).
    out.append((f"arn:aws:s3:::{ident.alias}-prod-db-backups/{_one(rng, SERVICES)}/", "customer_data", "arn:aws:s3:::*"))
    return out


def _arn(service: str, kind: str, name: Callable[[np.random.Generator, Ident], str], domain: str, sep: str = "/") -> PoolGen:
    def gen(rng: np.random.Generator, ident: Ident, n: int) -> list[tuple[str, str, str]]:
        return [(f"arn:aws:{service}:{ident.region}:{ident.acct}:{kind}{sep}{name(rng, ident)}", domain,
                 f"arn:aws:{service}:*:{ident.acct}:{kind}{sep}*") for _ in range(n)]
    return gen


POOLS: dict[str, tuple[PoolGen, tuple[int, int]]] = {
    # support
    "queue": (_from_list(QUEUES, "zendesk://acme/queues/{x}", "support.tickets", "zendesk://acme/queues/*"), (3, 7)),
    "account": (_simple(lambda r, i: f"salesforce://acme/Account/001{_alnum(r, 12)}", "crm.accounts",
                        "salesforce://acme/Account/*"), (20, 120)),
    "report": (_simple(lambda r, i: f"salesforce://acme/Report/00O{_alnum(r, 12)}", "customer_pii",
                       "salesforce://acme/Report/*"), (2, 6)),
    "recipient": (_simple(lambda r, i: f"mailto:{person(r)}@{CUSTOMER_DOMAINS[r.integers(len(CUSTOMER_DOMAINS))]}",
                          "support.email", "mailto:*"), (30, 160)),
    "mailbox": (_from_list(["support", "billing-support", "returns", "vip-care", "escalations", "partners"],
                           "gmail://acme.example/{x}", "support.email", "gmail://acme.example/*"), (1, 3)),
    "kb": (_simple(lambda r, i: f"confluence://acme/SUP/{_one(r, QUEUES)}-{_one(r, ['faq', 'howto', 'policy', 'runbook', 'troubleshooting'])}-{r.integers(1, 60)}",
                   "knowledge_base", "confluence://acme/SUP/*"), (10, 60)),
    "channel": (_simple(lambda r, i: f"slack://acme/#support-{_one(r, QUEUES)}", "internal_comms",
                        "slack://acme/#support-*"), (1, 4)),
    # finance
    "gl_account": (_simple(lambda r, i: f"netsuite://acme/gl/{r.integers(1000, 9000)}", "finance.ledger",
                           "netsuite://acme/gl/*"), (15, 80)),
    "vendor": (_simple(lambda r, i: f"netsuite://acme/vendors/V{_digits(r, 5)}", "finance.payables",
                       "netsuite://acme/vendors/*"), (15, 90)),
    "payee": (_simple(lambda r, i: f"payments://acme/payees/{_vendor(r)}", "finance.payments",
                      "payments://acme/payees/*"), (8, 40)),
    "bank_account": (_simple(lambda r, i: f"bank://acme/accounts/{_one(r, ['jpm', 'hsbc', 'svb', 'citi', 'barclays'])}-{_digits(r, 4)}",
                             "finance.treasury", "bank://acme/accounts/*"), (2, 5)),
    "fin_report": (_from_list(["ap-aging", "ar-aging", "trial-balance", "cash-flow", "pnl-monthly", "expense-by-dept",
                               "vendor-spend", "budget-vs-actual", "deferred-revenue", "fx-exposure"],
                              "netsuite://acme/reports/{x}", "finance.reporting", "netsuite://acme/reports/*"), (3, 7)),
    "sheet": (_simple(lambda r, i: f"gsheets://acme/finance/{_alnum(r, 20)}", "finance.reporting",
                      "gsheets://acme/finance/*"), (2, 8)),
    "internal": (_simple(lambda r, i: f"mailto:{person(r)}@{MAIL_DOMAIN}", "internal_comms",
                         f"mailto:*@{MAIL_DOMAIN}"), (4, 20)),
    # devops
    "instance": (_arn("ec2", "instance", lambda r, i: f"i-0{_hex(r, 16)}", "infra.compute"), (10, 80)),
    "bucket": (_buckets, (4, 14)),
    "log_group": (_arn("logs", "log-group", lambda r, i: f"/aws/ecs/{_one(r, SERVICES)}-{_one(r, ['prod', 'staging'])}",
                       "infra.logs", sep=":"), (4, 16)),
    "ecs_service": (_arn("ecs", "service", lambda r, i: f"{i.team}-cluster/{_one(r, SERVICES)}", "infra.compute"), (3, 10)),
    "function": (_arn("lambda", "function", lambda r, i: f"{_one(r, SERVICES)}-{_one(r, ['resize', 'notify', 'sync', 'cleanup', 'rotate'])}",
                      "infra.compute", sep=":"), (2, 8)),
    "parameter": (_arn("ssm", "parameter", lambda r, i: f"{_one(r, SERVICES)}/{_one(r, ['db_host', 'feature_flags', 'pool_size', 'api_url'])}",
                       "infra.config"), (3, 12)),
    "asg": (_arn("autoscaling", "autoScalingGroupName", lambda r, i: f"{_one(r, SERVICES)}-asg", "infra.compute"), (2, 6)),
    "db": (_arn("rds", "db", lambda r, i: f"{_one(r, SERVICES)}-{_one(r, ['primary', 'replica'])}", "infra.databases", sep=":"), (1, 5)),
    "stack": (_arn("cloudformation", "stack", lambda r, i: f"{i.team}-{_one(r, SERVICES)}", "infra.config"), (2, 8)),
    "role": (_simple(lambda r, i: f"arn:aws:iam::{i.acct}:role/{_one(r, SERVICES)}-{_one(r, ['deployer', 'reader', 'task', 'ops'])}",
                     "iam", "arn:aws:iam::{acct}:role/*"), (2, 6)),
    "metric": (_arn("cloudwatch", "namespace", lambda r, i: _one(r, ["AWS/EC2", "AWS/ECS", "AWS/RDS", "AWS/ApplicationELB", "Custom/App"]),
                    "infra.metrics"), (2, 5)),
    # coding
    "repo": (_from_list(REPOS, "github://acme/{x}", "source_code", "github://acme/*"), (2, 9)),
    "pipeline": (_simple(lambda r, i: f"ci://acme/{_one(r, REPOS)}/{_one(r, ['build', 'test', 'deploy', 'lint'])}", "ci",
                         "ci://acme/*"), (3, 12)),
    "npm_package": (_from_list(NPM, "npm://{x}", "dependencies", "npm://*"), (4, 12)),
    "pypi_package": (_from_list(PYPI, "pypi://{x}", "dependencies", "pypi://*"), (4, 12)),
    "workspace": (_simple(lambda r, i: f"file:///workspace/{_one(r, REPOS)}/{_one(r, ['src', 'tests', 'docs', 'lib', 'config'])}/{_alnum(r, 6)}.{_one(r, ['py', 'ts', 'md', 'yaml', 'json'])}",
                          "source_code", "file:///workspace/*"), (20, 120)),
    "jira": (_from_list(["PAY", "WEB", "MOB", "INFRA", "DATA", "AUTH", "SRCH", "PLAT"], "jira://acme/{x}", "issues", "jira://acme/*"), (1, 3)),
    "url": (_simple(lambda r, i: f"https://{DOC_HOSTS[r.integers(len(DOC_HOSTS))]}/{_alnum(r, 8)}", "public_web", "https://*"), (10, 50)),
    "webhook": (_simple(lambda r, i: f"https://hooks.slack.com/services/T0ACME/{_alnum(r, 10).upper()}", "internal_comms", "https://*"), (1, 3)),
    "secret_path": (_from_list(["npm-token", "pypi-token", "sonar-token", "docker-hub", "codecov", "sentry-dsn", "slack-webhook"],
                               "vault://acme/kv/ci/{x}", "secrets", "vault://acme/kv/ci/*"), (2, 4)),
    # data
    "table": (_tables, (10, 40)),
    "export_target": (_simple(lambda r, i: f"s3://acme-analytics-exports/{i.team}/{_one(r, ['daily', 'weekly', 'adhoc', 'finance', 'partners'])}/",
                              "analytics.exports", "s3://*"), (2, 6)),
    "dashboard": (_simple(lambda r, i: f"looker://acme/dashboards/{r.integers(100, 2000)}", "bi", "looker://acme/dashboards/*"), (4, 20)),
    "dbt_model": (_simple(lambda r, i: f"dbt://acme/{i.team}/models/{_one(r, ['stg', 'int', 'fct', 'dim'])}_{_one(r, [s.lower() for s in SCHEMAS])}_{_alnum(r, 4)}",
                          "analytics", "dbt://acme/*"), (5, 25)),
    "notebook": (_simple(lambda r, i: f"jupyter://acme/{person(r)}/{_alnum(r, 6)}.ipynb", "analytics", "jupyter://acme/*"), (2, 10)),
    # added by approved updates
    "stripe_customer": (_simple(lambda r, i: f"stripe://acme/customers/cus_{_alnum(r, 14)}", "billing", "stripe://acme/customers/*"), (10, 40)),
    "order": (_simple(lambda r, i: f"shopify://acme/orders/{_digits(r, 7)}", "orders", "shopify://acme/orders/*"), (10, 40)),
    "conversation": (_simple(lambda r, i: f"intercom://acme/conversations/{_digits(r, 12)}", "support.chat", "intercom://acme/conversations/*"), (10, 40)),
    "expense_report": (_simple(lambda r, i: f"expensify://acme/reports/R{_alnum(r, 10).upper()}", "finance.expenses", "expensify://acme/reports/*"), (10, 30)),
    "card": (_simple(lambda r, i: f"ramp://acme/cards/{_digits(r, 4)}", "finance.cards", "ramp://acme/cards/*"), (5, 20)),
    "eks_cluster": (_arn("eks", "cluster", lambda r, i: f"{i.team}-{_one(r, ['prod', 'staging'])}", "infra.compute"), (1, 3)),
    "hosted_zone": (_simple(lambda r, i: f"arn:aws:route53:::hostedzone/Z{_alnum(r, 13).upper()}", "infra.dns", "arn:aws:route53:::hostedzone/*"), (1, 3)),
    "sentry_project": (_from_list(REPOS, "sentry://acme/{x}", "observability", "sentry://acme/*"), (2, 5)),
    "image": (_from_list(REPOS, "docker://registry.acme.example/{x}", "ci.images", "docker://registry.acme.example/*"), (2, 5)),
    "tf_workspace": (_from_list(["network", "eks", "rds", "iam", "dns", "observability"], "tfc://acme/workspaces/{x}", "infra.config", "tfc://acme/workspaces/*"), (1, 4)),
    "spark_cluster": (_simple(lambda r, i: f"databricks://acme/clusters/{_digits(r, 4)}-{_alnum(r, 6)}", "analytics.compute", "databricks://acme/clusters/*"), (1, 3)),
    "connector": (_from_list(["salesforce", "hubspot", "stripe", "zendesk", "postgres_prod", "google_ads"], "fivetran://acme/connectors/{x}", "data.ingestion", "fivetran://acme/connectors/*"), (1, 4)),
    "workbook": (_simple(lambda r, i: f"tableau://acme/workbooks/{_alnum(r, 8)}", "bi", "tableau://acme/workbooks/*"), (2, 8)),
}

# ---------------------------------------------------------------------------------------
# Tools an agent may be made to call outside its scope (injected instructions, stolen keys).
# ``{acct}``, ``{alias}`` and ``{agent}`` are filled per agent.
CREEP_TOOLS = [
    _tool("iam:CreateAccessKey", "grant", None, "iam", 1, resource="arn:aws:iam::{acct}:user/svc-{agent}"),
    _tool("iam:AttachUserPolicy", "grant", None, "iam", 1, resource="arn:aws:iam::{acct}:user/svc-{agent}"),
    _tool("okta.add_user_to_group", "grant", None, "identity", 1, resource="okta://acme/groups/admins"),
    _tool("vault.read_secret", "read", None, "secrets", 1, resource="vault://acme/kv/prod/db-root"),
    _tool("cloudtrail:StopLogging", "configure", None, "security.logging", 1, resource="arn:aws:cloudtrail:us-east-1:{acct}:trail/org-trail"),
    _tool("warehouse.query", "read", None, "hr.payroll", 800, resource="snowflake://acme/PROD_REPLICA/HR/EMPLOYEE_SALARIES"),
    _tool("gmail.create_filter", "configure", None, "support.email", 1, resource="gmail://acme.example/forwarding"),
    _tool("payments.update_payee_bank_details", "write", None, "finance.vendor_banking", 1, resource="payments://acme/payees/*/bank"),
    _tool("github.update_branch_protection", "configure", None, "source_code", 1, resource="github://acme/payments-api"),
    _tool("shell.exec", "execute", None, "system", 2, resource="file:///etc/shadow"),
    _tool("slack.export_channel_history", "read", None, "internal_comms", 900, resource="slack://acme/#exec-team"),
    _tool("salesforce.bulk_export_contacts", "read", None, "customer_pii", 5000, resource="salesforce://acme/Contact/*"),
    _tool("s3:PutBucketPolicy", "configure", None, "customer_data", 2, resource="arn:aws:s3:::{alias}-prod-db-backups"),
    _tool("ec2:AuthorizeSecurityGroupIngress", "configure", None, "infra.network", 1, resource="arn:aws:ec2:us-east-1:{acct}:security-group/sg-0a1b2c3d4e5f"),
    _tool("zendesk.delete_ticket", "delete", "queue", None, 1),
    _tool("github.delete_branch", "delete", "repo", None, 1),
    _tool("netsuite.delete_journal_entry", "delete", "gl_account", None, 1),
    _tool("s3:DeleteBucket", "delete", None, "infra.backups", 1, resource="arn:aws:s3:::{alias}-backups"),
    _tool("warehouse.drop_table", "delete", "table", None, 1),
]

# What a stolen key is used for first: enumeration, then invoking expensive models.
ENUM_TOOLS = [
    _tool("sts:GetCallerIdentity", "authenticate", None, "iam", 0.4),
    _tool("iam:ListUsers", "list", None, "iam", 6),
    _tool("iam:ListAccessKeys", "list", None, "iam", 2),
    _tool("iam:ListAttachedRolePolicies", "list", None, "iam", 2),
    _tool("s3:ListAllMyBuckets", "list", None, "infra.storage", 4),
    _tool("secretsmanager:ListSecrets", "list", None, "secrets", 5),
    _tool("ec2:DescribeRegions", "list", None, "infra.compute", 3),
    _tool("bedrock:ListFoundationModels", "list", None, "ai.models", 20),
    _tool("github.list_org_members", "list", None, "identity", 15, resource="github://acme"),
    _tool("github.list_repositories", "list", None, "source_code", 30, resource="github://acme"),
    _tool("salesforce.describe_global", "list", None, "crm.metadata", 40, resource="salesforce://acme"),
    _tool("okta.list_users", "list", None, "identity", 25, resource="okta://acme/users"),
    _tool("warehouse.list_databases", "list", None, "metadata", 3, resource="snowflake://acme"),
]
HIJACK_TOOL = _tool("bedrock:InvokeModel", "invoke", None, "ai.models", 12, 0.6,
                resource="arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-opus-20240229-v1:0")

# Public networks a stolen key or a reused credential shows up from (new to every agent).
FOREIGN_NETWORKS = ["185.220.101", "45.155.205", "193.142.146", "5.188.86", "89.248.165", "146.70.124",
                    "104.244.72", "23.129.64", "91.219.236", "162.247.74"]
FOREIGN_AGENTS = ["aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64", "python-requests/2.31.0", "curl/8.5.0",
                  "Go-http-client/1.1", "okhttp/4.12.0"]

# (model id, versions oldest first); an approved update moves to the next version.
MODELS = [
    ("gpt-4o", ["2024-05-13", "2024-08-06", "2024-11-20"]),
    ("gpt-4o-mini", ["2024-07-18"]),
    ("claude-3-5-sonnet", ["20240620", "20241022"]),
    ("claude-sonnet-4", ["20250514"]),
    ("gemini-1.5-pro", ["001", "002"]),
    ("llama-3.1-70b-instruct", ["v1.0", "v1.1"]),
    ("mistral-large", ["2407", "2411"]),
]

TIMEZONES = ["America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo", "Europe/London",
             "Europe/Berlin", "Europe/Paris", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "UTC"]
TZ_WEIGHTS = [0.2, 0.08, 0.12, 0.04, 0.12, 0.12, 0.06, 0.08, 0.05, 0.04, 0.04, 0.05]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Archetype:
    """A kind of agent: its vocabulary and how it usually works."""

    name: str
    share: float
    roles: tuple[str, ...]
    tools: tuple[ToolSpec, ...]
    core: tuple[str, ...]                   # tools every agent of the kind uses
    exfil_read: str                         # sensitive read of an exfiltration chain
    exfil_send: str                         # the send that follows it
    external: Callable[[np.random.Generator], tuple[str, str | None]]  # (new external destination, domain)
    updates: tuple[ToolSpec, ...]           # tools an approved update may add
    always_on: float                        # share of agents active 24/7
    weekend: float                          # share of daytime agents that also work weekends
    task_prefix: str
    user_agent: str
    purposes: tuple[tuple[str, str], ...]   # (purpose, task)
    cred_fmt: Callable[[np.random.Generator], str]

    def tool(self, name: str) -> ToolSpec:
        return next(t for t in self.tools if t.name == name)


def _ext_mail(rng: np.random.Generator) -> tuple[str, str | None]:
    host = ["protonmail.com", "gmail.com", "tutanota.com", "mail.ru", "outlook.com"][int(rng.integers(5))]
    return f"mailto:{_alnum(rng, 8)}.{_digits(rng, 3)}@{host}", None


ARCHETYPES: dict[str, Archetype] = {}


def _register(a: Archetype) -> None:
    ARCHETYPES[a.name] = a


_register(Archetype(
    name="support", share=0.25, roles=("triage", "billing", "returns", "onboarding", "escalation"),
    tools=(
        _tool("zendesk.get_ticket", "read", "queue", kb=4), _tool("zendesk.search_tickets", "list", "queue", kb=18),
        _tool("zendesk.update_ticket", "write", "queue", kb=2), _tool("zendesk.add_comment", "write", "queue", kb=1.5),
        _tool("zendesk.list_macros", "list", "queue", kb=6), _tool("zendesk.apply_macro", "write", "queue", kb=1),
        _tool("zendesk.merge_tickets", "write", "queue", kb=1),
        _tool("salesforce.get_account", "read", "account", kb=3), _tool("salesforce.get_contact", "read", "account", "customer_pii", kb=2.5),
        _tool("salesforce.update_case", "write", "account", "crm.cases", kb=1.5),
        _tool("salesforce.export_report", "read", "report", kb=1800, sigma=1.2),
        _tool("gmail.send_message", "send", "recipient", kb=8, sigma=1.2), _tool("gmail.search_threads", "list", "mailbox", kb=25),
        _tool("gmail.get_thread", "read", "mailbox", kb=12),
        _tool("confluence.search", "list", "kb", kb=15), _tool("confluence.get_page", "read", "kb", kb=30),
        _tool("slack.post_message", "send", "channel", kb=1), _tool("translate.text", "execute", None, "support.tickets", kb=3),
    ),
    core=("zendesk.get_ticket", "zendesk.update_ticket", "zendesk.add_comment", "gmail.send_message",
          "salesforce.get_contact", "confluence.search"),
    exfil_read="salesforce.export_report", exfil_send="gmail.send_message", external=_ext_mail,
    updates=(_tool("stripe.get_customer", "read", "stripe_customer", kb=3), _tool("shopify.get_order", "read", "order", kb=4),
             _tool("intercom.reply_conversation", "send", "conversation", kb=2)),
    always_on=0.0, weekend=0.3, task_prefix="ZD-", user_agent="acme-support-agent/3.2 (langgraph)",
    purposes=(("Resolve customer support tickets end to end", "Triage the {role} queue, answer customers, update cases"),
              ("Draft and send replies to customers", "Work {role} tickets within SLA")),
    cred_fmt=lambda r: f"oauth:zendesk/svc-{_alnum(r, 10)}",
))

_register(Archetype(
    name="finance", share=0.12, roles=("ap", "ar", "close", "treasury", "payables"),
    tools=(
        _tool("netsuite.get_ledger_entries", "read", "gl_account", kb=40), _tool("netsuite.search_transactions", "list", "gl_account", kb=60),
        _tool("netsuite.create_journal_entry", "write", "gl_account", kb=2), _tool("netsuite.list_invoices", "list", "vendor", kb=35),
        _tool("netsuite.get_invoice", "read", "vendor", kb=5), _tool("netsuite.approve_invoice", "write", "vendor", kb=1),
        _tool("netsuite.get_vendor", "read", "vendor", kb=3),
        _tool("netsuite.export_vendor_bank_details", "read", "vendor", "finance.vendor_banking", kb=400),
        _tool("netsuite.run_report", "read", "fin_report", kb=300, sigma=1.2),
        _tool("payments.create_payout", "send", "payee", kb=2, sigma=0.5), _tool("payments.get_payout_status", "read", "payee", kb=1),
        _tool("payments.list_payouts", "list", "payee", kb=20), _tool("bank.get_balance", "read", "bank_account", kb=1),
        _tool("bank.list_transactions", "list", "bank_account", kb=80), _tool("fx.get_rate", "read", None, "market_data", kb=0.5),
        _tool("sheets.update_range", "write", "sheet", kb=15), _tool("email.send", "send", "internal", kb=10),
    ),
    core=("netsuite.get_ledger_entries", "netsuite.list_invoices", "netsuite.get_invoice", "payments.create_payout",
          "payments.get_payout_status", "bank.list_transactions"),
    exfil_read="netsuite.export_vendor_bank_details", exfil_send="payments.create_payout",
    external=lambda r: (f"payments://acme/payees/{_vendor(r)}-{_alnum(r, 4)}", None),
    updates=(_tool("expensify.approve_report", "write", "expense_report", kb=2), _tool("avalara.calculate_tax", "execute", None, "tax", kb=1),
             _tool("ramp.list_card_transactions", "list", "card", kb=30)),
    always_on=0.0, weekend=0.05, task_prefix="FIN-", user_agent="acme-finance-agent/1.9 (crewai)",
    purposes=(("Process vendor invoices and pay known payees", "Run {role} for approved vendors"),
              ("Reconcile the ledger and prepare close reports", "Month-end {role} tasks")),
    cred_fmt=lambda r: f"oauth:netsuite/int-{_alnum(r, 10)}",
))

_register(Archetype(
    name="devops", share=0.23, roles=("oncall", "deployer", "cost", "capacity", "backup"),
    tools=(
        _tool("ec2:DescribeInstances", "list", None, "infra.compute", kb=25), _tool("ec2:DescribeSecurityGroups", "list", None, "infra.network", kb=12),
        _tool("ec2:StartInstances", "execute", "instance", kb=1), _tool("ec2:StopInstances", "execute", "instance", kb=1),
        _tool("ec2:RebootInstances", "execute", "instance", kb=0.8), _tool("ec2:CreateSnapshot", "write", "instance", kb=1),
        _tool("s3:GetObject", "read", "bucket", kb=150, sigma=1.8), _tool("s3:PutObject", "write", "bucket", kb=200, sigma=1.8),
        _tool("s3:ListBucket", "list", "bucket", kb=20), _tool("s3:DeleteObject", "delete", "bucket", kb=0.5),
        _tool("cloudwatch:GetMetricData", "read", "metric", kb=8), _tool("cloudwatch:PutMetricAlarm", "configure", "metric", kb=1),
        _tool("logs:FilterLogEvents", "read", "log_group", kb=120, sigma=1.3), _tool("logs:GetLogEvents", "read", "log_group", kb=60),
        _tool("ecs:DescribeServices", "list", "ecs_service", kb=6), _tool("ecs:UpdateService", "configure", "ecs_service", kb=2),
        _tool("lambda:InvokeFunction", "execute", "function", kb=4), _tool("lambda:GetFunction", "read", "function", kb=3),
        _tool("ssm:GetParameter", "read", "parameter", kb=0.6), _tool("ssm:SendCommand", "execute", "instance", kb=1.5),
        _tool("autoscaling:SetDesiredCapacity", "configure", "asg", kb=0.6), _tool("autoscaling:DescribeAutoScalingGroups", "list", "asg", kb=10),
        _tool("rds:DescribeDBInstances", "list", "db", kb=8), _tool("rds:CreateDBSnapshot", "write", "db", kb=0.8),
        _tool("cloudformation:DescribeStacks", "list", "stack", kb=10), _tool("iam:ListRoles", "list", None, "iam", kb=30),
        _tool("sts:AssumeRole", "authenticate", "role", kb=2),
    ),
    core=("ec2:DescribeInstances", "cloudwatch:GetMetricData", "logs:FilterLogEvents", "s3:GetObject", "s3:PutObject",
          "ecs:DescribeServices", "sts:AssumeRole"),
    exfil_read="s3:GetObject", exfil_send="s3:PutObject",
    external=lambda r: (f"arn:aws:s3:::{_alnum(r, 8)}-backup-sync/{_digits(r, 8)}/", None),
    updates=(_tool("eks:DescribeCluster", "list", "eks_cluster", kb=5), _tool("route53:ChangeResourceRecordSets", "configure", "hosted_zone", kb=1),
             _tool("elasticache:DescribeCacheClusters", "list", None, "infra.cache", kb=6)),
    always_on=0.7, weekend=0.5, task_prefix="CHG-", user_agent="Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1 lang/python#3.11",
    purposes=(("Keep production services healthy and scaled", "On-call remediation for the {role} rotation"),
              ("Operate cloud infrastructure within change policy", "{role} automation for the platform team")),
    cred_fmt=lambda r: f"aws:AKIA{_alnum(r, 16).upper()}",
))

_register(Archetype(
    name="coding", share=0.22, roles=("reviewer", "builder", "deps", "refactor", "tests"),
    tools=(
        _tool("github.get_file_contents", "read", "repo", kb=9), _tool("github.search_code", "list", "repo", kb=20),
        _tool("github.list_pull_requests", "list", "repo", kb=15), _tool("github.get_pull_request_diff", "read", "repo", kb=40, sigma=1.3),
        _tool("github.create_branch", "write", "repo", kb=0.5), _tool("github.push_files", "write", "repo", kb=25, sigma=1.3),
        _tool("github.create_pull_request", "write", "repo", kb=3), _tool("github.create_issue_comment", "write", "repo", "issues", kb=1.5),
        _tool("github.list_issues", "list", "repo", "issues", kb=18), _tool("github.merge_pull_request", "write", "repo", kb=0.5),
        _tool("ci.run_pipeline", "execute", "pipeline", kb=1), _tool("ci.get_job_logs", "read", "pipeline", kb=180, sigma=1.3),
        _tool("ci.list_runs", "list", "pipeline", kb=10), _tool("npm.install", "execute", "npm_package", kb=2500, sigma=1.2),
        _tool("pip.install", "execute", "pypi_package", kb=1800, sigma=1.2), _tool("npm.audit", "read", "npm_package", kb=40),
        _tool("filesystem.read_file", "read", "workspace", kb=6), _tool("filesystem.write_file", "write", "workspace", kb=4),
        _tool("shell.run_tests", "execute", "workspace", "ci", kb=30), _tool("jira.get_issue", "read", "jira", kb=5),
        _tool("jira.transition_issue", "write", "jira", kb=0.8), _tool("fetch.get", "read", "url", kb=60, sigma=1.2),
        _tool("fetch.post", "send", "webhook", kb=2), _tool("vault.read_secret", "read", "secret_path", "secrets", kb=0.3, sigma=0.4),
    ),
    core=("github.get_file_contents", "github.search_code", "filesystem.read_file", "filesystem.write_file",
          "shell.run_tests", "github.create_pull_request"),
    exfil_read="vault.read_secret", exfil_send="fetch.post",
    external=lambda r: ([f"https://webhook.site/{_hex(r, 8)}-{_hex(r, 4)}-{_hex(r, 4)}",
                         f"https://{_alnum(r, 10)}.ngrok-free.app/upload"][int(r.integers(2))], None),
    updates=(_tool("sentry.get_issue", "read", "sentry_project", kb=6), _tool("docker.build_image", "execute", "image", kb=900),
             _tool("terraform.plan", "execute", "tf_workspace", kb=50)),
    always_on=0.1, weekend=0.15, task_prefix="", user_agent="mcp-client/1.4 (acme-code-agent)",
    purposes=(("Implement and review code changes in team repositories", "Work {role} tickets and open pull requests"),
              ("Keep builds green and dependencies current", "{role} duty for the engineering org")),
    cred_fmt=lambda r: f"github-app:inst-{_digits(r, 8)}/key-{_alnum(r, 6)}",
))

_register(Archetype(
    name="data", share=0.18, roles=("analyst", "etl", "reporting", "growth", "forecast"),
    tools=(
        _tool("warehouse.query", "read", "table", kb=400, sigma=1.6), _tool("warehouse.describe_table", "read", "table", "metadata", kb=2),
        _tool("warehouse.list_tables", "list", None, "metadata", kb=5), _tool("warehouse.create_table", "write", "table", kb=1),
        _tool("warehouse.insert_rows", "write", "table", kb=200, sigma=1.4), _tool("warehouse.export", "send", "export_target", kb=20000, sigma=1.5),
        _tool("dbt.run", "execute", "dbt_model", kb=5), _tool("dbt.test", "execute", "dbt_model", kb=3),
        _tool("looker.run_look", "read", "dashboard", kb=120), _tool("looker.refresh_dashboard", "execute", "dashboard", kb=1),
        _tool("notebook.execute", "execute", "notebook", kb=50), _tool("email.send_report", "send", "internal", kb=300),
    ),
    core=("warehouse.query", "warehouse.describe_table", "warehouse.list_tables", "looker.run_look", "warehouse.export"),
    exfil_read="warehouse.query", exfil_send="warehouse.export",
    external=lambda r: (f"s3://{_alnum(r, 8)}-datasync/exports/{_digits(r, 6)}.csv.gz", None),
    updates=(_tool("spark.submit_job", "execute", "spark_cluster", kb=20), _tool("fivetran.trigger_sync", "execute", "connector", kb=1),
             _tool("tableau.publish_workbook", "write", "workbook", kb=800)),
    always_on=0.15, weekend=0.1, task_prefix="DATA-", user_agent="acme-data-agent/0.8 (snowflake-connector-python/3.7)",
    purposes=(("Answer analytics questions from the warehouse", "{role} requests from business teams"),
              ("Build and refresh reporting datasets", "Scheduled {role} pipelines and exports")),
    cred_fmt=lambda r: f"snowflake:svc_{_alnum(r, 8)}_keypair",
))
