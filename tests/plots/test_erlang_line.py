"""The plots' Erlang line follows the Erlang figures beside each interval (one decision).

An approximate model says so in the legend and its points are the interval figures; a
department without a formula has no line and the legend gives the figures' reason.
"""

from __future__ import annotations

import numpy as np

import simcall
from helpers import SCENARIOS
from simcall import plots


def _lines(ax, part: str) -> list:  # type: ignore[no-untyped-def]
    return [ln for ln in ax.get_lines() if part in ln.get_label()]


def test_an_approximate_line_says_so_and_no_line_says_why() -> None:
    from matplotlib.figure import Figure

    lognormal = simcall.load(SCENARIOS / "helpdesk.toml", [
        "intervals=2", 'departments.support.talk={dist="lognormal", mean="4min", cv=0.5}'])
    summary = simcall.replicate(lognormal, 1, seed=3)
    ax = plots.interval_kpi(summary, "service_level", ax=Figure().add_subplot())
    (erlang,) = _lines(ax, "Erlang A, approximate")
    expected = [row["support"].figures["service_level"] for row in summary.erlang]
    np.testing.assert_allclose(erlang.get_ydata(), expected)
    redials = simcall.load(SCENARIOS / "helpdesk.toml", [
        "intervals=2", 'callers.customers.redial={probability=0.3, delay={dist="exponential", '
                       'mean="5min"}}'])
    summary = simcall.replicate(redials, 1, seed=3)
    ax = plots.interval_kpi(summary, "asa_s", ax=Figure().add_subplot())
    assert not _lines(ax, "Erlang A")
    (none,) = _lines(ax, "no Erlang line: redials")
    assert none.get_xydata().size == 0
