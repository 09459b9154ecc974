"""``simcall erlang``: exact Erlang B, C and A (and M/M/n/K) figures, or agents needed.

With ``--wage``, ``--value`` and ``--defection`` (and ``--patience``) the agents are
the cost-optimal head count, printed with the cost curve around it.

Parse the options into an :class:`~simcall.erlang.question.ErlangQuestion`, answer it,
print the figures. No simulation: the answer is a closed form, so it takes no time.
The Erlang wing (and scipy with it) is imported only when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from simcall.cli.common import (
    check_output,
    duration,
    fail,
    finite,
    in_range,
    out,
    write_json_file,
)
from simcall.errors import SimcallError


def erlang_command(
    calls_per_hour: Annotated[float, typer.Option(
        "--calls-per-hour", help="Offered calls per hour.")],
    aht: Annotated[str, typer.Option(
        "--aht", help='Average handle time: seconds or "4min".')],
    agents: Annotated[int | None, typer.Option(
        "--agents", help="Agents (omit and give a target to find the agents needed).")]
    = None,
    within: Annotated[str, typer.Option(
        "--within", help='Service-level threshold: "20s", or "2 rings" with --ring.')] = "20s",
    ring: Annotated[str, typer.Option("--ring", help="Ring cycle, for --within in rings.")]
    = "6s",
    patience: Annotated[str | None, typer.Option(
        "--patience", help="Mean patience (exponential): Erlang A.")] = None,
    lines: Annotated[int | None, typer.Option(
        "--lines", help="Trunk lines (calls in the system at most): M/M/n/K.")] = None,
    target_sl: Annotated[float | None, typer.Option(
        "--target-sl", help="Service level to reach, e.g. 0.8.")] = None,
    target_asa: Annotated[str | None, typer.Option(
        "--target-asa", help='Longest acceptable ASA, e.g. "30s".')] = None,
    wage: Annotated[float | None, typer.Option(
        "--wage", help="Cost of one agent per hour: with --value and --defection, "
        "find the cost-optimal agents (needs --patience).")] = None,
    value: Annotated[float | None, typer.Option(
        "--value", help="What a caller who defects is worth (same money as --wage).")] = None,
    defection: Annotated[float | None, typer.Option(
        "--defection", help="Probability that a caller who hangs up defects, e.g. 0.3.")]
    = None,
    defection_late: Annotated[float | None, typer.Option(
        "--defection-late", help="Probability that a caller answered after --within "
        "defects (default 0).")] = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Write the figures to this JSON file.")] = None,
) -> None:
    """Exact Erlang B, C and A (and M/M/n/K) figures, or the agents needed for a target
    (or at least cost)."""
    from simcall.erlang.question import ErlangQuestion, answer
    from simcall.report.terminal import print_erlang

    try:
        in_range("--calls-per-hour", calls_per_hour, 0)
        in_range("--agents", agents, 1)
        in_range("--lines", lines, 1)
        in_range("--target-sl", target_sl, 0, 1)
        for option, number in (("--calls-per-hour", calls_per_hour), ("--wage", wage),
                               ("--value", value), ("--defection", defection),
                               ("--defection-late", defection_late)):
            finite(option, number)
        if wage is not None and wage <= 0:
            raise SimcallError(f"--wage {wage:g}: must be more than 0 (free agents have no "
                               "cost-optimal number)")
        in_range("--value", value, 0)
        in_range("--defection", defection, 0, 1)
        in_range("--defection-late", defection_late, 0, 1)
        ring_s = duration("--ring", ring)
        handle = duration("--aht", aht, measures="handle")
        if not handle:
            raise SimcallError(f"--aht {aht}: must be more than 0")
        mean_patience = duration("--patience", patience, measures="patience")
        if mean_patience == 0:
            raise SimcallError(f"--patience {patience}: must be more than 0")
        check_output("--json", json_path)
        result = answer(ErlangQuestion(
            calls_per_hour=calls_per_hour, aht=handle,
            within=duration("--within", within, ring_s or 6.0) or 0.0, agents=agents,
            patience=mean_patience, lines=lines, target_sl=target_sl,
            target_asa=duration("--target-asa", target_asa), wage_per_hour=wage, value=value,
            defection_abandoned=defection, defection_late=defection_late))
        print_erlang(result, out)
        if json_path is not None:
            write_json_file(json_path, result.to_json())
            out.print(f"wrote {json_path}")
    except (SimcallError, ValueError) as exc:
        raise fail(str(exc)) from None
