"""The staffing wing: how many agents each interval, and how sure we are of the plan.

=================  =================================================================
module             holds
=================  =================================================================
``search``         :func:`staff`: the fewest agents per interval such that every
                   target holds with the wanted confidence, all intervals settled
                   together on common random numbers (:class:`StaffingError`
                   when no plan can)
``judge``          plans simulated on as many replications as their decisions
                   need (sequential sampling), each interval judged by one-sided
                   t confidences
``verify``         the plan verified on fresh replications, and an agent more
                   where an interval falls short, round after round
``plan``           :class:`StaffingPlan`: the plan, the closed-form plans beside
                   it, its verification and any shortfall in plain words
``closed_form``    Erlang C and Erlang A agents per interval and agent group
                   (:func:`erlang_plans`)
``rostering``      :func:`plan_shifts`: the cheapest shifts (with breaks, by
                   :class:`BreakRule`) covering agents per interval, an integer
                   program solved by HiGHS (:class:`RosterSolveError` when it
                   stops without a proven optimum)
``shift_roster``   :class:`ShiftRoster` of :class:`RosterShift`: the roster, as a
                   scenario's ``shifts`` list and a table, checked against the
                   engine's reading of it (:func:`shifts_coverage`);
                   :class:`RosteringError`
``shift_rules``    :class:`ShiftRules`: the shifts a roster may use, read from the
                   planner's words (``"8h,4h"``, ``"30min within 3h..5h"``), and
                   the cheapest roster of a requirement for one scenario's day
``cost_search``    :func:`staff_for_cost`: the plan (or roster) of least expected
                   total cost, wages plus value lost to defection, optionally keeping
                   the targets, verified with its neighbours on fresh replications
``cost_plan``      :class:`CostPlan`: that plan, the Erlang A plan of least cost
                   beside it, the verification and any shortfall in plain words
``marginals``      :func:`marginal`: what one agent more (and fewer) in each interval
                   changes, paired on common random numbers (:class:`Marginal`,
                   :class:`AgentChange`, :class:`MarginalError`)
``workload``       the calls a search may simulate, estimated before it starts (the
                   ``--max-calls`` guard of ``simcall staff``)
=================  =================================================================

Imports: experiments, results, model, scenario, the shared base, and erlang and
scipy (on first use only, so that ``import simcall`` does not load scipy).
"""

from __future__ import annotations

from simcall.staffing.closed_form import erlang_plans
from simcall.staffing.cost_plan import CostPlan
from simcall.staffing.cost_search import staff_for_cost
from simcall.staffing.marginals import AgentChange, Marginal, MarginalError, marginal
from simcall.staffing.plan import StaffingPlan
from simcall.staffing.rostering import BreakRule, RosterSolveError, plan_shifts
from simcall.staffing.search import StaffingError, staff
from simcall.staffing.shift_roster import (
    RosteringError,
    RosterShift,
    ShiftRoster,
    shifts_coverage,
)
from simcall.staffing.shift_rules import ShiftRules

__all__ = [
    "AgentChange", "BreakRule", "CostPlan", "Marginal", "MarginalError", "RosterShift",
    "RosterSolveError", "RosteringError", "ShiftRoster", "ShiftRules", "StaffingError",
    "StaffingPlan", "erlang_plans", "marginal", "plan_shifts", "shifts_coverage", "staff",
    "staff_for_cost",
]
