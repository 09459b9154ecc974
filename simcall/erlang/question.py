"""The closed forms for the command line: pick the model, find agents, report.

Kept apart from the formula modules of the wing (one queueing model each) and
from the CLI module (parsing and printing): this is the small piece of logic in
between.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from simcall.erlang.base import QueueMetrics
from simcall.erlang.erlang_a import erlang_a_metrics
from simcall.erlang.erlang_bc import erlang_c_metrics
from simcall.erlang.mmnk import mmck_metrics
from simcall.erlang.required import agents_required
from simcall.errors import SimcallError


@dataclass(frozen=True)
class ErlangQuestion:
    """What the planner asked: a centre, and either agents or targets."""

    calls_per_hour: float
    aht: float
    within: float
    agents: int | None = None
    patience: float | None = None
    lines: int | None = None
    target_sl: float | None = None
    target_asa: float | None = None


@dataclass(frozen=True)
class ErlangAnswer:
    """The model used, the agents, and the steady-state figures."""

    model: str
    agents: int
    load: float
    within: float
    metrics: QueueMetrics
    targets_met: bool | None

    def to_json(self) -> dict[str, Any]:
        """Plain numbers; undefined values as null."""
        figures = {k: (v if math.isfinite(v) else None) for k, v in asdict(self.metrics).items()}
        return {"model": self.model, "agents": self.agents, "load_erlangs": self.load,
                "within_s": self.within, "targets_met": self.targets_met, **figures}


def model_name(question: ErlangQuestion) -> str:
    """Which closed form the inputs call for."""
    if question.lines is not None:
        if question.patience is not None:
            return "M/M/n/K+M"
        return "Erlang B" if question.agents == question.lines else "M/M/n/K"
    return "Erlang A" if question.patience is not None else "Erlang C"


def metrics(question: ErlangQuestion, agents: int) -> QueueMetrics:
    """Steady-state figures for ``agents`` under the model the inputs call for."""
    q = question
    if q.lines is not None:
        return mmck_metrics(agents, q.lines, q.calls_per_hour, q.aht,
                            patience=q.patience, within=q.within)
    if q.patience is not None:
        return erlang_a_metrics(agents, q.calls_per_hour, q.aht, q.patience,
                                within=q.within)
    return erlang_c_metrics(agents, q.calls_per_hour, q.aht, within=q.within)


def _meets(question: ErlangQuestion, figures: QueueMetrics) -> bool:
    ok = True
    if question.target_sl is not None:
        ok &= float(figures.service_level) >= question.target_sl
    if question.target_asa is not None:
        ok &= float(figures.asa) <= question.target_asa
    return bool(ok)


def answer(question: ErlangQuestion) -> ErlangAnswer:
    """Evaluate the given agents, or find the fewest agents meeting the targets."""
    has_targets = question.target_sl is not None or question.target_asa is not None
    if question.agents is None and not has_targets:
        raise SimcallError("give --agents, or a target (--target-sl, --target-asa) "
                           "to find the agents needed")
    if question.lines is not None and question.agents is not None \
            and question.lines < question.agents:
        raise SimcallError(f"--lines {question.lines} is fewer than --agents "
                           f"{question.agents}: some agents could never get a call")
    agents = question.agents
    if agents is None:
        if question.lines is None:
            agents = agents_required(
                question.calls_per_hour, question.aht, target_sl=question.target_sl,
                within=question.within if question.target_sl is not None else None,
                max_asa=question.target_asa, patience=question.patience)
        else:
            agents = next((n for n in range(1, question.lines + 1)
                           if _meets(question, metrics(question, n))), None)
            if agents is None:
                raise SimcallError(f"no number of agents up to --lines {question.lines} "
                                   "meets the targets: add lines")
    figures = metrics(question, agents)
    named = ErlangQuestion(**{**asdict(question), "agents": agents})
    return ErlangAnswer(model_name(named), agents, question.calls_per_hour * question.aht / 3600,
                        question.within, figures, _meets(question, figures) if has_targets
                        else None)
