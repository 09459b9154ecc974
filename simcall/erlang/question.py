"""The closed forms for the command line: pick the model, find agents, report.

The agents are the ones given, the fewest meeting the targets, or (with a wage, a
caller's value and a defection probability) the cost-optimal head count of
:mod:`~simcall.erlang.cost`.

Kept apart from the formula modules of the wing (one queueing model each) and
from the CLI module (parsing and printing): this is the small piece of logic in
between.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from simcall.erlang.base import SECONDS_PER_HOUR, QueueMetrics
from simcall.erlang.cost import CostOptimum, cost_optimal_agents
from simcall.erlang.erlang_a import erlang_a_metrics
from simcall.erlang.erlang_bc import erlang_c_metrics
from simcall.erlang.mmnk import mmck_metrics
from simcall.erlang.required import agents_required
from simcall.errors import SimcallError


@dataclass(frozen=True)
class ErlangQuestion:
    """What the planner asked: a centre, and agents, targets or prices."""

    calls_per_hour: float
    aht: float
    within: float
    agents: int | None = None
    patience: float | None = None
    lines: int | None = None
    target_sl: float | None = None
    target_asa: float | None = None
    wage_per_hour: float | None = None
    value: float | None = None
    defection_abandoned: float | None = None
    defection_late: float | None = None


@dataclass(frozen=True)
class ErlangAnswer:
    """The model used, the agents, the steady-state figures, and the cost optimum if asked."""

    model: str
    agents: int
    load: float
    within: float
    metrics: QueueMetrics
    targets_met: bool | None
    cost: CostOptimum | None = None

    def to_json(self) -> dict[str, Any]:
        """Plain numbers; undefined values as null."""
        figures = {k: (v if math.isfinite(v) else None) for k, v in asdict(self.metrics).items()}
        costs = {} if self.cost is None else {"cost": self.cost.to_json()}
        return {"model": self.model, "agents": self.agents, "load_erlangs": self.load,
                "within_s": self.within, "targets_met": self.targets_met, **figures, **costs}


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
    if agents == 0 and q.patience is not None and q.lines is None:
        return _no_agents(q.calls_per_hour, q.patience)
    if q.lines is not None:
        return mmck_metrics(agents, q.lines, q.calls_per_hour, q.aht,
                            patience=q.patience, within=q.within)
    if q.patience is not None:
        return erlang_a_metrics(agents, q.calls_per_hour, q.aht, q.patience,
                                within=q.within)
    return erlang_c_metrics(agents, q.calls_per_hour, q.aht, within=q.within)


def _no_agents(calls_per_hour: float, patience: float) -> QueueMetrics:
    """Erlang A with no agents (a cost optimum may be 0): everyone waits until she gives up.

    The callers waiting form an M/M/inf queue of rate ``1/patience``: on average
    ``lambda * patience`` of them, each waiting ``patience``; none is answered.
    """
    return QueueMetrics(p_wait=1.0, p_abandon=1.0, p_block=0.0, service_level=0.0,
                        asa=math.nan, mean_wait_all=patience, occupancy=math.nan,
                        mean_queue=calls_per_hour / SECONDS_PER_HOUR * patience)


def _cost_optimum(question: ErlangQuestion, has_targets: bool) -> CostOptimum | None:
    """The cost-optimal head count, if the question gives prices."""
    q = question
    prices = {"--wage": q.wage_per_hour, "--value": q.value, "--defection": q.defection_abandoned}
    if all(v is None for v in prices.values()) and q.defection_late is None:
        return None
    wage, value, defection = q.wage_per_hour, q.value, q.defection_abandoned
    if wage is None or value is None or defection is None:
        missing = [option for option, v in prices.items() if v is None]
        raise SimcallError("the cost-optimal agents need --wage, --value and --defection: "
                           f"give {', '.join(missing)}")
    if q.patience is None:
        raise SimcallError("the cost-optimal agents need --patience: in Erlang C nobody "
                           "hangs up, so no caller is lost")
    if q.lines is not None:
        raise SimcallError("the cost-optimal agents are found without --lines (Erlang A)")
    if q.agents is not None or has_targets:
        raise SimcallError("--wage, --value and --defection choose the agents: leave out "
                           "--agents, --target-sl and --target-asa")
    return cost_optimal_agents(q.calls_per_hour, q.aht, q.patience, wage, value, defection,
                               q.defection_late or 0.0, within=q.within)


def _meets(question: ErlangQuestion, figures: QueueMetrics) -> bool:
    ok = True
    if question.target_sl is not None:
        ok &= float(figures.service_level) >= question.target_sl
    if question.target_asa is not None:
        ok &= float(figures.asa) <= question.target_asa
    return bool(ok)


def answer(question: ErlangQuestion) -> ErlangAnswer:
    """Evaluate the given agents, find the fewest meeting the targets, or the cheapest."""
    has_targets = question.target_sl is not None or question.target_asa is not None
    optimum = _cost_optimum(question, has_targets)
    if question.agents is None and not has_targets and optimum is None:
        raise SimcallError("give --agents, or a target (--target-sl, --target-asa) "
                           "to find the agents needed, or --wage, --value and --defection "
                           "(with --patience) to find the cost-optimal agents")
    if question.lines is not None and question.agents is not None \
            and question.lines < question.agents:
        raise SimcallError(f"--lines {question.lines} is fewer than --agents "
                           f"{question.agents}: some agents could never get a call")
    agents = question.agents if optimum is None else optimum.agents
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
                        else None, optimum)
