"""The staffing wing: how many agents each interval, and how sure we are of the plan.

=================  =================================================================
module             holds
=================  =================================================================
``search``         :func:`staff`: the fewest agents per interval that meet every
                   target, on common random numbers (:class:`StaffingError` when
                   no plan can)
``judge``          one plan simulated on the search replications, its margins
``plan``           :class:`StaffingPlan`: the plan, the closed-form plans beside
                   it, and its verification on fresh replications
``closed_form``    Erlang C and Erlang A agents per interval and agent group
                   (:func:`erlang_plans`)
=================  =================================================================

Imports: experiments, results, model, scenario, the shared base, and erlang (on
first use only, so that ``import simcall`` does not load scipy).
"""

from __future__ import annotations

from simcall.staffing.closed_form import erlang_plans
from simcall.staffing.plan import StaffingPlan
from simcall.staffing.search import StaffingError, staff

__all__ = [
    "StaffingError", "StaffingPlan", "erlang_plans", "staff",
]
