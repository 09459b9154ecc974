"""Which rows the KPI table of ``simcall run`` shows: each KPI declares the feature it needs.

Why: a scenario without a voice menu, callbacks, redials or voicemail can only ever show
zeros in those rows, and twenty-six rows of which half are always zero hide the few that
matter. The choice is made from the scenario, never from the numbers: a row whose feature
is configured stays even when it came out zero (no busy signal *is* news when lines are
limited), and the table of one scenario has the same rows whatever the seed.

A KPI missing from :data:`NEEDS` is always shown, so a new KPI appears by default; one
that only some scenarios can produce declares its feature here. ``--details`` shows every
row, and the JSON result always has every KPI (docs/metrics.md, "The KPI table").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from simcall.results.money import has_money
from simcall.results.stats import Estimate
from simcall.scenario.schema import Scenario


def _transfers(scenario: Scenario) -> bool:
    """Departments that transfer, or a menu that misroutes (the wrong department then
    transfers the call on)."""
    return (any(share > 0 for d in scenario.departments for share in d.transfer.values())
            or any(c.ivr is not None and c.ivr.misroute > 0 for c in scenario.callers)
            or scenario.targets.transfers is not None)


FEATURES: Mapping[str, Callable[[Scenario], bool]] = {
    "voice menu": lambda s: any(c.ivr is not None for c in s.callers),
    "callbacks": lambda s: (any(c.callback is not None for c in s.callers)
                            or s.voicemail_callback is not None),
    "redials": lambda s: any(c.redial is not None for c in s.callers),
    "limited lines": lambda s: s.lines is not None,
    "voicemail": lambda s: s.voicemail_after is not None,
    "voicemail callbacks": lambda s: s.voicemail_callback is not None,
    "transfers": _transfers,
    # a call can come back to a department it left only through departments' transfers
    "transfers between departments": lambda s: any(sum(d.transfer.values()) > 0
                                                   for d in s.departments),
    "transfer limit": lambda s: any(d.max_transfers is not None for d in s.departments),
    "ring-no-answer": lambda s: any(g.rona is not None for g in s.agents),
    "prices": has_money,
}
"""Each feature, and how to tell from a scenario whether it has it."""

NEEDS: Mapping[str, str] = {
    "block_rate": "limited lines", "blocked": "limited lines",
    "voicemail": "voicemail", "voicemail_callbacks": "voicemail callbacks",
    "self_served": "voice menu", "ivr_hang_ups": "voice menu",
    "called_back": "callbacks", "callback_wait_s": "callbacks",
    "mean_transfers": "transfers", "transfer_share_within": "transfers",
    "transfer_limited": "transfer limit", "revisit_rate": "transfers between departments",
    "rona": "ring-no-answer",
    # with one attempt per caller these repeat offered, abandoned and (1 - their share)
    "callers": "redials", "redials": "redials", "lost_callers": "redials",
    "first_attempt_resolution": "redials", "eventual_resolution": "redials",
    "wage_cost": "prices", "lost_value": "prices", "total_cost": "prices",
    "defections": "prices",
}
"""The feature each KPI needs to be shown without ``--details``."""

WARNINGS = frozenset({"in_system"})
"""KPIs that no feature produces but a mistake can (a call nobody can ever answer stays
in the system): shown whenever they are not zero, and with ``--details``."""

ALWAYS_HIDDEN_WITHOUT = frozenset({"prices"})
"""Features whose rows stay hidden even with ``--details`` when the scenario lacks them
(money without prices is zero by definition; docs/money.md)."""


def shown(kpi: str, scenario: Scenario, estimate: Estimate | None = None,
          details: bool = False) -> bool:
    """Whether the KPI table shows ``kpi`` for ``scenario`` (its overall ``estimate``
    decides only for :data:`WARNINGS`)."""
    feature = NEEDS.get(kpi)
    has = feature is None or FEATURES[feature](scenario)
    if feature in ALWAYS_HIDDEN_WITHOUT:
        return has
    if details:
        return True
    if kpi in WARNINGS:
        return estimate is not None and estimate.mean > 0
    return has


def hidden_kpis(scenario: Scenario, kpis: Mapping[str, Estimate]) -> int:
    """How many of ``kpis`` the table leaves out for ``scenario`` that ``--details`` would
    show (for the note under the table)."""
    return sum(1 for kpi, estimate in kpis.items()
               if shown(kpi, scenario, estimate, True) and not shown(kpi, scenario, estimate))
