"""A marginal analysis on the terminal: what one agent more (or fewer) changes, interval by
interval, and in one sentence where the next agent pays most.

Why from the document (``Marginal.to_json()``) and not the object: the report draws the same
table from the JSON file of ``simcall marginal --json``, so both read one form, and the
words (:func:`findings`) and cells (:func:`cells`) live here for both.

A change reads as in ``simcall compare``: variant minus base, shares in percentage points
(``pts``); the service level and abandonment are the changed interval's own, callers lost
and money the whole day's (what the agent leaves behind counts too). ``net`` is the change
in total cost (wages + lost value) with the half-width of its paired 95% interval; below
zero the change pays. The break-even wage is the hourly wage at which the change costs
what it saves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from simcall.plots.marginals import marginal_document, mean_and_ci, priced

STEP_WORDS = {+1: "One agent more", -1: "One agent fewer"}
PAYS, COSTS, UNSURE = "pays", "costs", "-"
"""The verdict of a change on its net: its paired 95% interval lies below zero, above zero,
or holds zero (the simulation cannot tell the sign)."""


def _number(value: float, digits: int, scale: float = 1.0, sign: bool = True) -> str:
    if not math.isfinite(value):
        return "-"
    shown = scale * value
    if round(shown, digits) == 0:  # never "-0.0"
        shown = 0.0
    return f"{shown:{'+' if sign else ''},.{digits}f}"


def points(entry: Mapping[str, Any] | None, sign: bool = True) -> str:
    """A share's change in percentage points, ``+6.1`` (``sign=False``: a share in %)."""
    return _number(mean_and_ci(entry)[0], 1, 100.0, sign)


def count(entry: Mapping[str, Any] | None) -> str:
    """A count's change (callers lost): ``-79.1``."""
    return _number(mean_and_ci(entry)[0], 1)


def money(entry: Mapping[str, Any] | None) -> str:
    """A change in money: ``+1,250``."""
    return _number(mean_and_ci(entry)[0], 0)


def with_half_width(entry: Mapping[str, Any] | None, digits: int = 0) -> str:
    """``-959 ±140``: the mean and the half-width of its paired 95% interval (a t interval
    on the paired differences, symmetric about the mean)."""
    mean, low, high = mean_and_ci(entry)
    text = _number(mean, digits)
    if text == "-" or not (math.isfinite(low) and math.isfinite(high)):
        return text
    return f"{text} ±{_number((high - low) / 2, digits, sign=False)}"


def interval_text(entry: Mapping[str, Any] | None, digits: int = 0,
                  scale: float = 1.0) -> str:
    """``-1,099 to -819``: the paired 95% interval (empty without one)."""
    _, low, high = mean_and_ci(entry)
    if not (math.isfinite(low) and math.isfinite(high)):
        return ""
    return f"{_number(low, digits, scale)} to {_number(high, digits, scale)}"


def verdict(change: Mapping[str, Any]) -> str:
    """:data:`PAYS`, :data:`COSTS` or :data:`UNSURE`, from the net change's interval."""
    _, low, high = mean_and_ci(change.get("net"))
    if math.isfinite(high) and high < 0:
        return PAYS
    if math.isfinite(low) and low > 0:
        return COSTS
    return UNSURE


def wage(change: Mapping[str, Any]) -> str:
    """The break-even wage per hour (``-`` when the change has no paid hours)."""
    entry = change.get("break_even_wage")
    return "-" if entry is None else _number(mean_and_ci(entry)[0], 1, sign=False)


def changes_of(document: Mapping[str, Any], group: str, step: int) -> list[Mapping[str, Any]]:
    """The group's changes of one step, in interval order."""
    return sorted((c for c in document["changes"] if c["group"] == group and c["step"] == step),
                  key=lambda c: int(c["index"]))


def columns(document: Mapping[str, Any]) -> list[str]:
    """The table's column heads (money columns only when the scenario prices something)."""
    heads = ["start", "SL\npts", "abandon\npts", "callers\nlost"]
    if priced(document):
        heads += ["lost\nvalue", "wages", "net\n± 95%", "break-\neven/h", ""]
    return heads


def cells(document: Mapping[str, Any], change: Mapping[str, Any]) -> list[str]:
    """One change's row, as :func:`columns` heads it."""
    row = [str(change["interval"]), points(change.get("service_level")),
           points(change.get("abandon_rate")), count(change.get("lost_callers"))]
    if priced(document):
        row += [money(change.get("lost_value")), money(change.get("wage_cost")),
                with_half_width(change.get("net")), wage(change), verdict(change)]
    return row


def _where(change: Mapping[str, Any], several: bool) -> str:
    return (f"in '{change['group']}' at {change['interval']}" if several
            else f"at {change['interval']}")


def findings(document: Mapping[str, Any]) -> list[str]:
    """In plain words: where the next agent pays most (or that nowhere does), and where
    one agent fewer pays; without prices, where the next agent saves the most callers."""
    several = len(document["groups"]) > 1
    more = [c for c in document["changes"] if c["step"] == +1]
    if not priced(document):
        return [_unpriced(more, several)]
    lines = [_next_agent(more, several)]
    fewer = [c for c in document["changes"] if c["step"] == -1 and verdict(c) == PAYS]
    if fewer:
        most = min(fewer, key=lambda c: mean_and_ci(c["net"])[0])
        places = ", ".join(f"'{c['group']}' at {c['interval']}" if several
                           else str(c["interval"]) for c in fewer)
        lines.append(f"One agent fewer pays (saves more in wages than it loses in value) "
                     f"{'in ' if several else 'at '}{_shorten(places)}; most "
                     f"{_where(most, several)}: {_change_words(most)}.")
    else:
        lines.append("One agent fewer pays nowhere with 95% confidence: every such cut loses "
                     "at least as much value as it saves in wages, or cannot be told apart.")
    return lines


def _shorten(text: str, most: int = 8) -> str:
    parts = text.split(", ")
    return text if len(parts) <= most else (", ".join(parts[:most])
                                            + f" and {len(parts) - most} more")


def _change_words(change: Mapping[str, Any]) -> str:
    """``the day's cost falls by 959 (95% interval 819 to 1,099)``, or for a change whose
    interval holds zero ``the net change is -110 (95% interval -294 to +74)``."""
    mean, low, high = mean_and_ci(change["net"])
    if not (math.isfinite(low) and math.isfinite(high)):
        return f"the net change is {_number(mean, 0)} (no interval)"
    if low <= 0 <= high:
        return f"the net change is {_number(mean, 0)} (95% interval {interval_text(change['net'])})"
    if mean < 0:
        return (f"the day's cost falls by {_number(-mean, 0, sign=False)} (95% interval "
                f"{_number(-high, 0, sign=False)} to {_number(-low, 0, sign=False)})")
    return (f"the day's cost rises by {_number(mean, 0, sign=False)} (95% interval "
            f"{_number(low, 0, sign=False)} to {_number(high, 0, sign=False)})")


def _next_agent(more: Sequence[Mapping[str, Any]], several: bool) -> str:
    if not more:
        return "No interval can take one agent more."
    best = min(more, key=lambda c: _or_inf(mean_and_ci(c["net"])[0]))
    mean = mean_and_ci(best["net"])[0]
    where = _where(best, several)
    if not math.isfinite(mean):
        return "The net change of one agent more is undefined everywhere."
    if mean >= 0:
        return (f"One agent more pays nowhere: at best, {where}, "
                f"{_change_words(best)}.")
    saved = -mean_and_ci(best.get("lost_value"))[0]
    paid = mean_and_ci(best.get("wage_cost"))[0]
    detail = (f", saving {_number(saved, 0, sign=False)} of lost value for "
              f"{_number(paid, 0, sign=False)} of wages; it pays at any wage below "
              f"{wage(best)} an hour (the break-even wage)"
              if math.isfinite(saved) and math.isfinite(paid) else "")
    if verdict(best) == PAYS:
        return f"The next agent pays most {where}: {_change_words(best)}{detail}."
    band = interval_text(best["net"])
    text = (f"The next agent would pay most {where} (a net change of "
            f"{_number(mean, 0)} a day), but its 95% interval, {band}, holds zero: the "
            "simulation cannot tell whether it pays (more replications, -r, narrow the "
            "interval).")
    sure = [c for c in more if verdict(c) == PAYS]
    if not sure:
        return text + " Nowhere does one agent more pay with 95% confidence."
    surest = min(sure, key=lambda c: mean_and_ci(c["net"])[0])
    return (text + f" Where it surely pays (95%), it pays most {_where(surest, several)}: "
            f"{_change_words(surest)}.")


def _unpriced(more: Sequence[Mapping[str, Any]], several: bool) -> str:
    lead = ("The scenario prices nothing (no agent group has cost_per_hour, no caller type "
            "a value with a defection chance), so every net change is zero")
    if not more:
        return lead + "."
    best = min(more, key=lambda c: _or_inf(mean_and_ci(c["lost_callers"])[0]))
    mean = mean_and_ci(best["lost_callers"])[0]
    if not math.isfinite(mean) or mean >= 0:
        return lead + "; one agent more saves no caller anywhere."
    band = interval_text(best["lost_callers"], 1)
    return (f"{lead}. The next agent saves the most callers {_where(best, several)}: "
            f"{_number(-mean, 1, sign=False)} fewer lost over the day"
            + (f" (95% interval of the change {band})" if band else "") + ".")


def _or_inf(value: float) -> float:
    return value if math.isfinite(value) else math.inf


def base_line(document: Mapping[str, Any]) -> str:
    """The base plan in one line: replications, seed, the day's cost and service."""
    kpis = document.get("base", {}).get("kpis", {})
    first = int(document.get("first_replication", 0))
    runs = (f"replications {first}..{first + int(document['replications']) - 1}" if first
            else f"{document['replications']} replications")
    text = (f"'{document['scenario']}': its own staffing (the base) against one agent more "
            f"or fewer in one interval at a time, on the same {runs} (seed "
            f"{document['seed']}, common random numbers)")
    if priced(document):
        total, wages, lost = (mean_and_ci(kpis.get(k))[0]
                              for k in ("total_cost", "wage_cost", "lost_value"))
        text += (f". Base day: total cost {_number(total, 0, sign=False)} (wages "
                 f"{_number(wages, 0, sign=False)}, lost value {_number(lost, 0, sign=False)})")
    return text + "."


def notes(document: Mapping[str, Any]) -> list[str]:
    """What the table's numbers are, and what the scenario leaves unpriced."""
    lines = ["Variant minus base. SL and abandonment: the changed interval's own, in "
             "percentage points; callers lost and money: over the whole day."]
    if priced(document):
        lines.append("net = the change in total cost (wages + lost value), ± the half-width "
                     "of its paired 95% interval; pays: that interval lies below zero, costs: "
                     "above, -: it holds zero. Break-even wage: the hourly wage at which the "
                     "change costs what it saves.")
        prices = document.get("prices") or {}
        if not prices.get("wages"):
            lines.append("No agent group has cost_per_hour: wages are zero, so an agent that "
                         "saves any caller's value pays.")
        if not prices.get("losses"):
            lines.append("No caller type has both a value and a defection chance: lost value "
                         "is zero and the net change is the wages alone.")
    return lines


def print_marginal(result: Any, console: Console) -> None:
    """Per group, a table of one agent more and one of one agent fewer, then the findings.

    ``result`` is a :class:`~simcall.staffing.marginals.Marginal` or its document.
    """
    document = marginal_document(result)
    console.print(f"[bold]marginal[/bold]: {base_line(document)}", highlight=False)
    for group in document["groups"]:
        for step, words in STEP_WORDS.items():
            changes = changes_of(document, group, step)
            if not changes:
                continue
            console.print()
            table = Table(title=f"{words} in '{group}', one interval at a time",
                          title_justify="left", box=None, pad_edge=False,
                          padding=(0, 1), header_style="bold")
            for i, head in enumerate(columns(document)):
                table.add_column(head, justify="left" if i == 0 else "right",
                                 no_wrap=True)
            for change in changes:
                row = cells(document, change)
                if priced(document):
                    row[-1] = {PAYS: "[green]pays[/green]", COSTS: "costs"}.get(row[-1],
                                                                              row[-1])
                table.add_row(*row)
            console.print(table)
    console.print()
    for line in notes(document):
        console.print(line, style="dim", highlight=False)
    for line in findings(document):
        console.print(line, highlight=False)
    plans, runs = document.get("plans"), document.get("runs")
    if plans and runs:
        console.print(f"{plans} plans simulated, {runs:,} replications run.", style="dim",
                      highlight=False)
