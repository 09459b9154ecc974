"""A scenario in words: what a manager reads before any number.

Why: a report that opens with tables assumes the reader knows the scenario
file. These sentences say what the centre is (hours, callers, departments,
agents, targets) in the planner's vocabulary, computed from the validated
scenario so they can never disagree with what was simulated.
"""

from __future__ import annotations

from dataclasses import dataclass

from simcall.model.roster import scheduled_periods
from simcall.scenario.durations import format_clock
from simcall.scenario.schema import AgentGroup, Scenario


def _duration(seconds: float) -> str:
    if seconds >= 3600 and seconds % 1800 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:.3g} min"
    return f"{seconds:.3g} s"


def _share(value: float) -> str:
    return f"{100 * value:.3g}%"


def _calls_per_day(scenario: Scenario, rates: tuple[float, ...]) -> float:
    hours = scenario.interval / 3600
    return sum(rates[k % len(rates)] * hours for k in range(scenario.intervals))


def staff_per_interval(scenario: Scenario, group: AgentGroup) -> list[float]:
    """Agents scheduled in each interval, time-averaged (a shift starting mid-interval counts
    in part; breaks and shrinkage are not taken off)."""
    scheduled = [0.0] * scenario.intervals
    for start, end in scheduled_periods(group, scenario):
        for k in range(scenario.intervals):
            low, high = k * scenario.interval, (k + 1) * scenario.interval
            scheduled[k] += max(0.0, min(end, high) - max(start, low)) / scenario.interval
    return scheduled


@dataclass(frozen=True)
class Description:
    """The scenario for a reader: a sentence on the day, small tables, the targets in words."""

    day: str
    callers: list[dict[str, str]]
    departments: list[dict[str, str]]
    agents: list[dict[str, str]]
    targets: str


def describe(scenario: Scenario) -> Description:
    """What the centre is, in the planner's words (computed from the validated scenario)."""
    close = format_clock(scenario.open_s + scenario.horizon)
    days = f", on {scenario.days} days" if scenario.days > 1 else ""
    total = sum(_calls_per_day(scenario, c.arrivals_per_hour) for c in scenario.callers)
    day = (f"The centre is open from {scenario.open} to {close}{days}, planned in "
           f"{scenario.intervals} intervals of {_duration(scenario.interval)}, and expects "
           f"about {total:,.0f} calls a day; one ring lasts {scenario.ring:g} s"
           + (f"; {scenario.lines} trunk lines" if scenario.lines else "") + ".")
    callers = [{
        "caller type": caller.name,
        "calls a day": f"{_calls_per_day(scenario, caller.arrivals_per_hour):,.0f}",
        "patience (mean)": (_duration(caller.patience.mean_value)
                            if caller.patience is not None else "never hang up"),
        "first queue": ", ".join(f"{name} {_share(p)}" for name, p in caller.enters.items()),
    } for caller in scenario.callers]
    departments = [{
        "department": department.name,
        "talk (mean)": _duration(department.talk.mean_value),
        "wrap-up (mean)": (_duration(department.wrap_up.mean_value)
                           if department.wrap_up is not None else "none"),
        "transferred on": (", ".join(f"{n} {_share(p)}" for n, p in department.transfer.items()
                                     if p > 0) or "none"),
    } for department in scenario.departments]
    agents = []
    for group in scenario.agents:
        staff = staff_per_interval(scenario, group)
        low, high = min(staff), max(staff)
        agents.append({
            "agent group": group.name,
            "agents": (f"{low:.3g}" if low == high else f"{low:.3g} to {high:.3g}")
            + (" (shifts)" if group.shifts is not None else ""),
            "agent-hours": f"{sum(staff) * scenario.interval / 3600:,.1f}",
            "skills (first is primary)": ", ".join(group.skills),
        })
    return Description(day, callers, departments, agents, targets_in_words(scenario))


def targets_in_words(scenario: Scenario) -> str:
    """The targets as a planner says them."""
    targets = scenario.targets
    said = []
    if targets.service_level is not None:
        within = targets.service_level.within
        rings = within / scenario.ring
        ring_text = (f" (before ring {int(rings) + 1})" if float(rings).is_integer() else "")
        said.append(f"{_share(targets.service_level.fraction)} of calls answered within "
                    f"{within:g} s{ring_text}")
    if targets.max_asa is not None:
        said.append(f"an average speed of answer of at most {targets.max_asa:g} s")
    if targets.max_abandon_rate is not None:
        said.append(f"at most {_share(targets.max_abandon_rate)} of callers hanging up")
    if targets.max_block_rate is not None:
        said.append(f"at most {_share(targets.max_block_rate)} busy signals")
    if targets.max_mean_transfers is not None:
        said.append(f"at most {targets.max_mean_transfers:g} transfers per answered call")
    if targets.transfers is not None:
        n = targets.transfers.at_most
        said.append(f"{_share(targets.transfers.fraction)} of answered calls transferred at "
                    f"most {n} time{'s' if n != 1 else ''}")
    if targets.max_occupancy is not None:
        said.append(f"agent occupancy at most {_share(targets.max_occupancy)}")
    if targets.max_revisit_rate is not None:
        said.append(f"at most {_share(targets.max_revisit_rate)} of answered calls sent back "
                    "to a department they had left")
    if not said:
        return "The scenario sets no targets."
    return ("Targets, judged over the day and in every interval: " + "; ".join(said) + ".")
