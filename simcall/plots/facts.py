"""What a plot needs to know about a result, from a Summary or from a saved JSON document.

Why: a planner often has only the ``simcall run --json`` file, not the run.
That document carries every KPI per interval with its 95% interval, the
ring and transfer shares and the targets, which is enough for the interval,
ring and transfer-count plots; it does not carry the scenario, so the
service-level threshold, the ring length and the Erlang line are known only
when the scenario is at hand (``simcall run --out`` saves ``scenario.toml``
beside ``result.json``; :func:`read_result` picks it up when its hash matches).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simcall.errors import SimcallError
from simcall.results.stats import ConfidenceInterval, Estimate
from simcall.results.summary import Summary
from simcall.results.targets import Goal, goals
from simcall.scenario.durations import parse_clock
from simcall.scenario.schema import Scenario


@dataclass(frozen=True)
class ResultDocument:
    """A result read back from ``simcall run --json``: estimates without the runs behind them.

    It has the attributes of :class:`~simcall.results.summary.Summary` that the
    interval, staffing, ring and transfer-count plots read; ``scenario`` is
    ``None`` unless the scenario file was found beside the document.
    """

    name: str
    replications: int
    kpis: Mapping[str, Estimate]
    labels: tuple[str, ...]  # clock label of each interval's start
    intervals: tuple[Mapping[str, Estimate], ...]
    ring_shares: tuple[Estimate, ...]
    transfer_shares: tuple[Estimate, ...]
    goals: tuple[Goal, ...]
    scenario: Scenario | None = None


Result = Summary | ResultDocument


@dataclass(frozen=True)
class Facts:
    """The scenario facts a plot reads, whichever kind of result it was given."""

    name: str
    replications: int
    starts_h: np.ndarray  # clock time of each interval's start, hours since midnight
    width_h: float  # interval length, hours
    goals: tuple[Goal, ...]
    threshold: float | None  # service-level threshold, s (None: unknown)
    ring: float | None  # one ring cycle, s (None: unknown)
    transfers_at_most: int | None  # N of the transfers target (None: no such target)
    scenario: Scenario | None

    @property
    def centres_h(self) -> np.ndarray:
        """Clock time of each interval's middle, hours: where its value is plotted."""
        return self.starts_h + self.width_h / 2

    def goal(self, kpi: str) -> Goal | None:
        """The target on ``kpi``, if the scenario has one."""
        return next((g for g in self.goals if g.kpi == kpi), None)


def facts(result: Result) -> Facts:
    """The facts of a Summary (from its scenario) or of a read-back document."""
    scenario = result.scenario
    if scenario is not None:
        transfers = scenario.targets.transfers
        return Facts(
            name=scenario.name, replications=result.replications,
            starts_h=(scenario.open_s + np.arange(scenario.intervals) * scenario.interval)
            / 3600.0,
            width_h=scenario.interval / 3600.0, goals=tuple(goals(scenario.targets)),
            threshold=scenario.service_level_threshold, ring=scenario.ring,
            transfers_at_most=transfers.at_most if transfers is not None else None,
            scenario=scenario)
    assert isinstance(result, ResultDocument)
    starts = np.array([parse_clock(label) for label in result.labels], dtype=float) / 3600.0
    starts = starts + 24.0 * np.concatenate(([0], np.cumsum(np.diff(starts) < 0)))
    width = float(starts[1] - starts[0]) if starts.size > 1 else 1.0
    return Facts(name=result.name, replications=result.replications, starts_h=starts,
                 width_h=width, goals=result.goals, threshold=None, ring=None,
                 transfers_at_most=None, scenario=None)


def _estimate(entry: Mapping[str, Any] | None, kpi: str = "") -> Estimate:
    from simcall.results.metrics import kpi_bounds

    if entry is None:
        return Estimate(math.nan, None, ())
    mean = entry.get("mean")
    ci = entry.get("ci95")
    interval = None
    if ci is not None:
        low, high = (math.nan if v is None else float(v) for v in ci)
        interval = ConfidenceInterval(low, high)
    return Estimate(math.nan if mean is None else float(mean), interval, (),
                    kpi_bounds(kpi) if kpi else (0.0, 1.0))


def _kpis(entries: Mapping[str, Any]) -> dict[str, Estimate]:
    return {kpi: _estimate(entry, kpi) for kpi, entry in entries.items()}


def _goal(entry: Mapping[str, Any]) -> Goal:
    direction, _, bound = str(entry["goal"]).partition(" ")
    return Goal(str(entry["name"]), direction == ">=", float(bound))


def from_json(document: Mapping[str, Any], scenario: Scenario | None = None) -> ResultDocument:
    """A :class:`ResultDocument` from the JSON of ``simcall run --json``.

    Raises
    ------
    SimcallError
        When the document is not a ``simcall run`` result (a comparison, a plan).
    """
    missing = [key for key in ("scenario", "replications", "kpis", "intervals")
               if key not in document]
    if missing and "backtest" in document:
        raise SimcallError("not a 'simcall run --json' result but a fit with its back-test: "
                           "draw that with --kind backtest")
    if missing and "changes" in document and "labels" in document:
        raise SimcallError("not a 'simcall run --json' result but a marginal analysis "
                           "(simcall marginal --json): draw that with --kind marginal")
    if missing:
        raise SimcallError(f"not a 'simcall run --json' result: no {', '.join(missing)} "
                           "(a comparison or a staffing plan cannot be plotted from its JSON; "
                           "give the scenario instead)")
    try:
        return ResultDocument(
            name=str(document["scenario"]),
            replications=int(document["replications"]),
            kpis=_kpis(document["kpis"]),
            labels=tuple(str(row["start"]) for row in document["intervals"]),
            intervals=tuple(_kpis(row["kpis"]) for row in document["intervals"]),
            ring_shares=tuple(_estimate(e) for e in document.get("rings", [])),
            transfer_shares=tuple(_estimate(e) for e in document.get("transfers_per_call", [])),
            goals=tuple(_goal(t) for t in document.get("targets", [])),
            scenario=scenario,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SimcallError(f"not a 'simcall run --json' result: {type(exc).__name__}: "
                           f"{exc}") from None


def read_json(path: Path) -> Any:
    """A JSON file read, or one clear error: it cannot be read, or it is not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SimcallError(f"{path}: cannot read ({exc.strerror})") from None
    except json.JSONDecodeError as exc:
        raise SimcallError(f"{path}: not JSON ({exc})") from None


def read_result(path: Path) -> ResultDocument:
    """Read a result JSON file, with ``scenario.toml`` beside it when it is the same scenario.

    The scenario is used only when its hash equals the one in the document's
    provenance, so a plot never pairs a result with a scenario it did not come from.
    """
    document = read_json(path)
    if not isinstance(document, dict):
        raise SimcallError(f"{path}: not a 'simcall run --json' result")
    return from_json(document, _scenario_beside(path, document))


def _scenario_beside(path: Path, document: Mapping[str, Any]) -> Scenario | None:
    from simcall.results.provenance import scenario_hash
    from simcall.scenario.loader import load

    beside = path.parent / "scenario.toml"
    wanted = (document.get("provenance") or {}).get("scenario_sha256")
    if not beside.is_file() or wanted is None:
        return None
    try:
        scenario = load(beside)
    except SimcallError:
        return None
    return scenario if scenario_hash(scenario) == wanted else None
