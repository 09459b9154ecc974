"""The marginal figure ("where does the next hour of staff pay most"), under Agg.

Drawn from a hand-made document whose every number is known: the bars' heights are the
changes' means, a bar is faint exactly when its 95% interval holds zero, and "surely pays
most" marks the cheapest sure +1 change, not a cheaper unsure one.
"""

from __future__ import annotations

import copy
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from matplotlib.patches import Rectangle

from simcall import plots
from simcall.errors import SimcallError
from simcall.plots.marginals import FAINT, marginal_document


def estimate(mean: float, half: float) -> dict[str, Any]:
    return {"mean": mean, "ci95": [mean - half, mean + half]}


# (group, index, step): net mean, half-width; callers lost mean
NETS = {
    ("team", 0, +1): (-50.0, 20.0),   # pays, surely
    ("team", 1, +1): (-80.0, 100.0),  # cheaper on average, but unsure: not "surely pays most"
    ("team", 2, +1): (-30.0, 10.0),   # pays, surely
    ("team", 0, -1): (40.0, 10.0),
    ("team", 1, -1): (5.0, 30.0),
    ("team", 2, -1): (-10.0, 5.0),    # one fewer pays
    ("desk", 0, +1): (15.0, 1.0),
    ("desk", 1, +1): (12.0, 1.0),
    ("desk", 2, +1): (11.0, 1.0),
}


def document(priced: bool = True) -> dict[str, Any]:
    changes = []
    for (group, k, step), (mean, half) in NETS.items():
        changes.append({"group": group, "interval": ["08:00", "08:30", "09:00"][k],
                        "index": k, "step": step, "agent_hours": 0.5 * step,
                        "net": estimate(mean, half),
                        "lost_callers": estimate(-step * (k + 1.0), 0.5),
                        "lost_value": estimate(mean - 10.0 * step, half),
                        "wage_cost": estimate(10.0 * step, 0.0),
                        "service_level": estimate(0.05 * step, 0.01),
                        "abandon_rate": estimate(-0.02 * step, 0.01),
                        "break_even_wage": estimate(-(mean - 10.0 * step) / (0.5 * step), 1)})
    return {"scenario": "hand made", "seed": 1, "replications": 10, "first_replication": 0,
            "groups": ["team", "desk"], "labels": ["08:00", "08:30", "09:00"],
            "interval_s": 1800.0, "prices": {"wages": priced, "losses": priced},
            "changes": changes}


def bars(ax: Any) -> list[tuple[float, float, float]]:
    """(x centre, height, alpha) of each bar, left to right."""
    out = [(p.get_x() + p.get_width() / 2, p.get_height(), p.get_alpha() or 1.0)
           for p in ax.patches if isinstance(p, Rectangle)]
    return sorted(out)


def test_one_panel_per_group_with_each_change_as_a_bar() -> None:
    panels = plots.marginal_net(document())
    assert list(panels) == ["team", "desk"]
    team = bars(panels["team"])
    assert len(team) == 6
    # at each interval, the +1 bar left of the -1 bar
    expected = [NETS["team", k, step] for k in range(3) for step in (+1, -1)]
    assert [round(h, 9) for _, h, _ in team] == [mean for mean, _ in expected]
    faint = [alpha == pytest.approx(FAINT) for _, _, alpha in team]
    assert faint == [abs(mean) <= half for mean, half in expected]
    assert len(bars(panels["desk"])) == 3
    plt.close(panels["team"].figure)


def test_pays_most_marks_the_cheapest_sure_next_agent() -> None:
    panels = plots.marginal_net(document())
    marks = [t for t in panels["team"].texts if t.get_text() == "surely pays most"]
    assert len(marks) == 1
    x_best = bars(panels["team"])[0][0]  # interval 0's +1 bar (-50 ± 20), not -80 ± 100
    assert marks[0].xy[0] == pytest.approx(x_best)
    assert not [t for t in panels["desk"].texts if t.get_text() == "surely pays most"]
    plt.close(panels["team"].figure)


def test_without_prices_the_bars_are_callers_lost() -> None:
    panels = plots.marginal_net(document(priced=False))
    heights = [h for _, h, _ in bars(panels["team"])]
    assert heights == [-1.0, 1.0, -2.0, 2.0, -3.0, 3.0]
    assert panels["team"].get_ylabel() == "change in callers lost"
    plt.close(panels["team"].figure)


def test_the_panels_take_the_slot_of_a_given_axes() -> None:
    figure, (left, right) = plt.subplots(1, 2)
    panels = plots.marginal_net(document(), ax=right)
    assert right not in figure.axes and left in figure.axes
    assert all(p.figure is figure for p in panels.values())
    plt.close(figure)


@pytest.mark.parametrize(("change", "expected"), [
    (lambda d: d.pop("labels"), "no labels"),
    (lambda d: d["changes"][0].pop("net"), "a change has no net"),
    (lambda d: d["changes"][0].update(step=2), "a change of step 2"),
    (lambda d: d["changes"][0].update(group="nobody"), "in group 'nobody'"),
    (lambda d: d["changes"][0].update(index=3), "interval index 3 is not one of the 3"),
    (lambda d: d.update(changes=[]), "no changes"),
])
def test_a_broken_document_is_refused_with_what_is_wrong(change: Any, expected: str) -> None:
    broken = copy.deepcopy(document())
    change(broken)
    with pytest.raises(SimcallError, match=expected):
        marginal_document(broken)
