"""Simulation against theory: the simulated 99% interval contains the exact value.

Cases live in :mod:`simcall.experiments.validation` (shared with the docs table). Seeds are
fixed; the interval is Student t over independent replications, never widened.
Bigger and longer cases are in the ``slow`` tier (``pytest -m slow``).
"""

from __future__ import annotations

import pytest

from simcall.experiments.validation import CASES, Case, compare


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.label, marks=[pytest.mark.slow] if c.slow else []) for c in CASES],
)
def test_simulated_interval_contains_the_exact_value(case: Case) -> None:
    comparisons = compare(case)
    assert comparisons, "a case must compare at least one KPI"
    misses = [
        f"{c.scope}.{c.kpi}: exact {c.exact:.6g} outside 99% CI "
        f"[{c.ci99.low:.6g}, {c.ci99.high:.6g}] (mean {c.mean:.6g})"
        for c in comparisons if not c.contains
    ]
    assert not misses, "\n".join(misses)
