"""Volume: an agent moves far more data than its own history explains."""

import math
from typing import Any, Final

from intentwatch.models.action import Action
from intentwatch.models.baseline import AgentBaseline, BehaviourScores
from intentwatch.pipeline.engine.catalog import Rule
from intentwatch.pipeline.engine.detectors.base import LearnedDetector, number, whole
from intentwatch.pipeline.engine.finding import Finding
from intentwatch.pipeline.engine.state import AgentState

# Sustained volume: log-likelihood ratio (bits) of one transfer under "20% of transfers are
# large" against "2% are", for a large one and for any other.
_LARGE_UP: Final = math.log2(0.2 / 0.02)
_LARGE_DOWN: Final = math.log2(0.8 / 0.98)


class VolumeSpike(LearnedDetector):
    """Fires on bytes far above what the action's tool usually moves for this agent, three ways:

    - a spike: one transfer ``single_sd`` deviations (of log-bytes) above the tool's usual, or
      ``repeat`` transfers ``sd`` above it within ``window_seconds``;
    - sustained: a Bernoulli CUSUM over the agent's transfers that "large" ones (above
      ``sustained_sd``) come at ~20% rather than ~2%, past ``sustained_bits``;
    - shifted: a CUSUM per tool that its raised transfers come far more often than their
      learned share, past ``shift_bits`` — a heavy-tailed tool's exfiltration sits inside its
      tail, but keeps landing there.

    A rare big export alone stays quiet.
    """

    def __init__(self, rule: Rule):
        super().__init__(rule)
        self.sd = number(rule, "sd")
        self.repeat = whole(rule, "repeat")
        self.window_seconds = number(rule, "window_seconds")
        self.single_sd = number(rule, "single_sd")
        self.sustained_sd = number(rule, "sustained_sd")
        self.sustained_bits = number(rule, "sustained_bits")
        self.shift_bits = number(rule, "shift_bits")

    def check(self, a: Action, x: dict[str, Any], s: BehaviourScores, b: AgentBaseline, st: AgentState, ts: float,
              out: list[Finding]) -> None:
        if s.volume > self.sd:
            hits = st.volume_hits
            hits.append(ts)
            del hits[:-self.repeat]
            if s.volume > self.single_sd or (len(hits) >= self.repeat and ts - hits[0] <= self.window_seconds):
                self.add(out, a, x, b, st, ts, s.volume,
                         f"{a.tool} moved {a.bytes:,} bytes, usually {b.volume.typical(a.tool):,.0f} "
                         f"({len(hits)} large transfers in {ts - hits[0]:.0f}s)", "baseline.bytes", a.tool)
        if not x["bytes"]:
            return
        st.volume_run = max(0.0, st.volume_run + (_LARGE_UP if s.volume > self.sustained_sd else _LARGE_DOWN))
        if st.volume_run > self.sustained_bits:
            self.add(out, a, x, b, st, ts, st.volume_run,
                     f"{a.tool} moved {a.bytes:,} bytes, usually {b.volume.typical(a.tool):,.0f}: large transfers "
                     f"keep coming ({st.volume_run:.1f} bits that they are ~20% of transfers, not ~2%)",
                     "baseline.bytes", a.tool)
            st.volume_run = 0.0
        run = b.volume.shift(x["bytes"], a.tool)
        if run > self.shift_bits:
            self.add(out, a, x, b, st, ts, run,
                     f"{a.tool} moved {a.bytes:,} bytes, usually {b.volume.typical(a.tool):,.0f}: raised transfers "
                     f"keep coming ({run:.1f} bits that they are now well above their usual "
                     f"{b.volume.raised_share(a.tool):.1%} of its transfers)", "baseline.bytes", a.tool)
            b.volume.reset_shift(a.tool)
