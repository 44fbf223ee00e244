"""Cedar as a per-tool clause language: its cost per action beside intentwatch's own clauses.

    pip install 'cedarpy>=4.12,<5'      # not a dependency: this measures whether it should be one
    python benchmarks/cedar_cost.py [--actions 5000 --repeats 5]

Issue 15 welcomes Cedar policies (``cedarpy``) as an alternative clause language "if its cost
per action measures acceptable". One clause, written both ways: ``banking.send_money`` may
send at most 1,000 and only to payees of one bank (IBAN prefix ``DE89370400``).

- ``ours``: the manifest's ``allowed.per_tool`` clause compiled once (``ToolClauses``), then
  per action: find the clause, check the ``amount`` bounds and the ``recipient`` pattern, as
  the ``tool_clauses`` detectors do.
- ``cedar``: the same as a Cedar ``permit`` with a ``when`` condition, its policy set parsed
  once (``PolicySet.from_str``), then ``is_authorized`` per action: the request built from the
  action (principal, action, resource, the arguments as context).
- ``cedar-batch``: ``is_authorized_batch`` over all actions at once (a host could batch a poll).

Prints the median CPU microseconds per action of each and the ratio to ``ours``; both reach
the same decisions (checked). Compare with the whole engine's cost per event in the README's
Speed table (about 38 µs with everything on).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POLICY = """
permit(principal == Agent::"payments-i1", action == Action::"banking.send_money", resource)
when { context.amount <= 1000 && context.recipient like "DE89370400*" };
"""


def actions(n: int) -> list[dict]:
    """Calls of ``banking.send_money``: amounts up to 1,500, every third to a foreign payee."""
    return [{"tool": "banking.send_money", "resource": f"account:{i % 7}",
             "arguments": {"amount": 100 + (i * 37) % 1400,
                           "recipient": "GB29NWBK60161331926819" if i % 3 == 0 else f"DE8937040044053201{i % 10000:04d}"}}
            for i in range(n)]


def ours(acts: list[dict]) -> list[bool]:
    from intentwatch.models.intent import ToolClause
    from intentwatch.pipeline.engine.clauses import ToolClauses

    clauses = ToolClauses({"banking.send_money": ToolClause.model_validate(
        {"arguments": {"amount": {"max": 1000}, "recipient": {"allowed": ["DE89370400*"]}}})})
    out = []
    for a in acts:
        c = clauses.for_tool(a["tool"])
        ok = True
        if c is not None:
            for arg in c.arguments:
                v = [a["arguments"][arg.name]]
                if arg.disallowed(v) is not None or arg.out_of_bounds(v)[0]:
                    ok = False
                    break
        out.append(ok)
    return out


def requests(acts: list[dict]) -> list[dict]:
    return [{"principal": 'Agent::"payments-i1"', "action": f'Action::"{a["tool"]}"',
             "resource": f'Account::"{a["resource"]}"', "context": a["arguments"]} for a in acts]


def cedar(acts: list[dict]) -> list[bool]:
    import cedarpy

    ps = cedarpy.PolicySet.from_str(POLICY)
    return [cedarpy.is_authorized(r, ps, []).decision == cedarpy.Decision.Allow for r in requests(acts)]


def cedar_batch(acts: list[dict]) -> list[bool]:
    import cedarpy

    ps = cedarpy.PolicySet.from_str(POLICY)
    return [r.decision == cedarpy.Decision.Allow for r in cedarpy.is_authorized_batch(requests(acts), ps, [])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--actions", type=int, default=5000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    try:
        import cedarpy  # noqa: F401
    except ImportError:
        sys.exit("cedarpy is not installed: pip install 'cedarpy>=4.12,<5'")
    acts = actions(args.actions)
    ways = {"ours": ours, "cedar": cedar, "cedar-batch": cedar_batch}
    want = ours(acts)
    times: dict[str, list[float]] = {k: [] for k in ways}
    for _ in range(args.repeats):
        for name, fn in ways.items():  # interleaved, so a busy neighbour hurts each alike
            t = time.process_time()
            got = fn(acts)
            times[name].append((time.process_time() - t) / len(acts) * 1e6)
            if got != want:
                sys.exit(f"{name} decided differently from ours on {sum(g != w for g, w in zip(got, want))} actions")
    base = statistics.median(times["ours"])
    print(f"{len(acts):,} actions, {sum(not w for w in want):,} denied; median CPU µs per action of {args.repeats} runs")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"  {name:<12} {m:8.2f} µs   {m / base:6.1f}x ours")


if __name__ == "__main__":
    main()
