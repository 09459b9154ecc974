"""A scenario in words: what a manager reads before any number.

Why: a report that opens with tables assumes the reader knows the scenario
file. These sentences say what the centre is (hours, callers, departments,
agents, targets) in the planner's vocabulary, computed from the validated
scenario so they can never disagree with what was simulated.
"""

from __future__ import annotations

from simcall.durations import format_clock
from simcall.scenario import AgentGroup, Scenario
from simcall.shifts import scheduled_periods


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


def describe(scenario: Scenario) -> list[str]:
    """Paragraph-sized sentences: the day, the callers, the departments, the agents, the targets."""
    close = format_clock(scenario.open_s + scenario.horizon)
    days = f", on {scenario.days} days" if scenario.days > 1 else ""
    sentences = [
        f"The centre is open from {scenario.open} to {close}{days}, planned in "
        f"{scenario.intervals} intervals of {_duration(scenario.interval)}; one ring lasts "
        f"{scenario.ring:g} s" + (f"; {scenario.lines} trunk lines" if scenario.lines else "")
        + "."]
    total = sum(_calls_per_day(scenario, c.arrivals_per_hour) for c in scenario.callers)
    parts = []
    for caller in scenario.callers:
        calls = _calls_per_day(scenario, caller.arrivals_per_hour)
        patience = (f"patience {_duration(caller.patience.mean_value)} on average"
                    if caller.patience is not None else "never hang up")
        enters = ", ".join(f"{name} {_share(p)}" for name, p in caller.enters.items())
        parts.append(f"{caller.name} (about {calls:,.0f} calls, {patience}; first queue: "
                     f"{enters})")
    types = len(scenario.callers)
    sentences.append(f"About {total:,.0f} calls a day are expected from {types} caller "
                     f"type{'s' if types > 1 else ''}: " + "; ".join(parts) + ".")
    parts = []
    for department in scenario.departments:
        wrap = (f" + {_duration(department.wrap_up.mean_value)} wrap-up"
                if department.wrap_up is not None else "")
        transfer = sum(department.transfer.values())
        moves = (f", {_share(transfer)} transferred on ("
                 + ", ".join(f"{n} {_share(p)}" for n, p in department.transfer.items()) + ")"
                 if transfer > 0 else "")
        parts.append(f"{department.name}: talk {_duration(department.talk.mean_value)}"
                     f"{wrap}{moves}")
    sentences.append("Departments (mean times): " + "; ".join(parts) + ".")
    parts = []
    for group in scenario.agents:
        staff = staff_per_interval(scenario, group)
        hours = sum(staff) * scenario.interval / 3600
        low, high = min(staff), max(staff)
        heads = f"{low:.3g}" if low == high else f"{low:.3g} to {high:.3g}"
        how = "by shifts" if group.shifts is not None else "per interval"
        parts.append(f"{group.name} ({heads} agents {how}, {hours:,.1f} agent-hours; skills "
                     f"{', '.join(group.skills)})")
    sentences.append("Agents: " + "; ".join(parts) + ".")
    sentences.append(targets_in_words(scenario))
    return sentences


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
    if not said:
        return "The scenario sets no targets."
    return ("Targets, judged over the day and in every interval: " + "; ".join(said) + ".")
