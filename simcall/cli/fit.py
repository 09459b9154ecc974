"""``simcall fit``: a scenario from a call log, and a back-test against the same log.

Parse, read and fit the log (:func:`simcall.fit.fit`), write the commented scenario,
and with ``--check`` simulate it day after day beside the log
(:func:`simcall.fit.backtest`), printing the comparison
(:mod:`simcall.report.terminal_fit`) and saving it with the estimates in ``--json``.
Every option is checked and every output path tried before the log is read, so a
mistake costs no waiting and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from simcall.cli.common import (
    MaxCalls,
    Seed,
    Workers,
    check_output,
    check_run,
    command_line,
    err,
    fail,
    interrupted,
    out,
    progress,
)
from simcall.errors import SimcallError

CHECK_DAYS = 300
"""Simulated days of ``--check``: the mean of 300 days has a standard error about a
sixth of the log's 23 days', so a mismatch is the model's, not the simulation's noise."""


def fit_command(
    context: typer.Context,
    log: Annotated[Path, typer.Argument(help="Call log: CSV, one row per call (plain or gzip).",
                                        metavar="LOG", show_default=False)],
    out_path: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the fitted scenario here (TOML, every figure commented).",
        show_default=False)] = None,
    json_path: Annotated[Path | None, typer.Option(
        "--json", help="Write the estimates (and the back-test with --check) as JSON.",
        show_default=False)] = None,
    preset: Annotated[str | None, typer.Option(
        "--preset", help="A known log layout: anonymous-bank, simcall.")] = None,
    columns: Annotated[list[str] | None, typer.Option(
        "--column", metavar="CANONICAL=THEIRS",
        help="Which of the log's columns holds a canonical one, e.g. --column "
             "arrival=call_start (repeatable; see docs/fit.md).")] = None,
    formats: Annotated[list[str] | None, typer.Option(
        "--format", metavar="CANONICAL=FORMAT",
        help="How a column's times are written: clock, iso, seconds or a strptime pattern, "
             "e.g. --format 'arrival=%d/%m/%Y %H:%M' (repeatable; default: detected).")] = None,
    outcomes: Annotated[list[str] | None, typer.Option(
        "--outcome", metavar="THEIRS=MEANING",
        help="What the log's outcome words mean: answered, abandoned, other or left_out, "
             "e.g. --outcome HANG=abandoned (repeatable).")] = None,
    days: Annotated[str | None, typer.Option(
        "--days", help='Days to use: "sun-thu", "mon,wed,fri", "all", or dates '
                       '"1999-08-01,1999-08-02".')] = None,
    open_at: Annotated[str | None, typer.Option(
        "--open", metavar="HH:MM", help="Opening time (default: the preset's, else the "
                                        "log's first interval).")] = None,
    close_at: Annotated[str | None, typer.Option(
        "--close", metavar="HH:MM", help='Closing time ("24:00" allowed).')] = None,
    interval: Annotated[str | None, typer.Option(
        "--interval", help='Interval length, e.g. "1h", "30min".')] = None,
    patience: Annotated[str, typer.Option(
        "--patience", help="Patience in the scenario: empirical (Kaplan-Meier), "
                           "exponential or weibull.")] = "empirical",
    session_gap: Annotated[str | None, typer.Option(
        "--session-gap", help="Longest gap inside an agent's session (staffing rule; "
                              "default 15min).")] = None,
    check: Annotated[bool, typer.Option(
        "--check", help="Simulate the fitted scenario day after day and compare it with the "
                        "log interval by interval.")] = False,
    check_days: Annotated[int, typer.Option(
        "--check-days", help="Days simulated by --check.")] = CHECK_DAYS,
    seed: Seed = None,
    workers: Workers = None,
    max_calls: MaxCalls = None,
) -> None:
    """Fit a scenario to a call log; --check compares it with the log, hour by hour."""
    try:
        check_run(check_days, seed, workers)
        check_output("--out", out_path)
        check_output("--json", json_path)
        mapping = _pairs("--column", columns or [], "arrival=call_start")
        time_formats = _pairs("--format", formats or [], "arrival=iso")
        outcome_words = _pairs("--outcome", outcomes or [], "HANG=abandoned")
        from simcall.fit.fitting import fit
        from simcall.fit.sessions import SESSION_GAP

        fitted = fit(log, preset, column=mapping or None, formats=time_formats or None,
                     outcomes=outcome_words or None, days=days, open=open_at,
                     close=close_at, interval=interval, patience=patience,
                     session_gap=session_gap if session_gap is not None else SESSION_GAP)
        header = f"made by: {command_line(context)}"
        scenario = fitted.validate()
        from simcall.report.terminal_fit import print_backtest, print_fit

        print_fit(fitted, out)
        result = None
        if check:  # before --out, so that the scenario's header can say how well it holds
            result = _backtest(scenario, fitted, check_days, seed, workers, max_calls)
            print_backtest(result, out)
            header += "\n" + "\n".join(_checked(result))
        if out_path is not None:
            from simcall.files import write_text

            write_text(out_path, fitted.to_toml(header=header))
            err.print(f"wrote {out_path}", highlight=False)
        if json_path is not None:
            from simcall.files import write_json

            write_json(json_path, _document(fitted, result, header))
            err.print(f"wrote {json_path}", highlight=False)
    except SimcallError as exc:
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise interrupted() from None


def _checked(result: Any) -> list[str]:
    """The back-test in the scenario's header: how well the scenario reproduces the log."""
    return [f"back-test (--check): {result.simulated_days} simulated days, seed {result.seed}, "
            f"against {result.log_days} days of the log, hour by hour; the simulated mean "
            "against the log's day-to-day mean ± 2 standard errors:",
            *(f"  {line}" for line in result.verdict())]


def _pairs(option: str, pairs: list[str], example: str) -> dict[str, str]:
    """``KEY=VALUE`` options (``--column``, ``--format``, ``--outcome``) as a mapping."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise SimcallError(f"{option} {pair}: use {option} {example.split('=')[0]}="
                               f"{example.split('=')[1]} (KEY=VALUE)")
        mapping[key.strip()] = value.strip()
    return mapping


def _backtest(scenario: Any, fitted: Any, days: int, seed: int | None, workers: int | None,
              max_calls: float | None) -> Any:
    from simcall.experiments.executors import executor_for
    from simcall.experiments.workload import check_workload
    from simcall.fit.backtesting import backtest

    one_day = scenario.model_copy(update={"days": 1})
    check_workload([one_day], days, max_calls)
    with executor_for(workers) as executor, progress(days, "simulated days") as advance:
        return backtest(scenario, fitted.log, days=days,
                        seed=seed if seed is not None else scenario.seed,
                        executor=executor, progress=advance)


def _document(fitted: Any, result: Any, header: str) -> dict[str, Any]:
    """The JSON: the selection, the estimates, the scenario with its notes, the back-test."""
    from dataclasses import fields, is_dataclass

    import numpy as np

    def plain(value: Any) -> Any:
        if is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, np.ndarray):
            return plain(value.tolist())
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        if isinstance(value, float | np.floating):
            return None if np.isnan(value) else float(value)
        if isinstance(value, np.integer | np.bool_):
            return value.item()
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    log = fitted.log
    return {
        "command": header.removeprefix("made by: "),
        "log": {"days": [plain(d) for d in log.dates], "calls": len(log),
                "selection": plain(log.selection), "open_s": log.open_s,
                "close_s": log.close_s, "interval_s": log.interval_s},
        "estimates": plain(fitted.estimates),
        "scenario": plain(fitted.scenario),
        "notes": fitted.notes,
        "backtest": result.to_dict() if result is not None else None,
    }
