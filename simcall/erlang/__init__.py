"""The erlang wing: exact steady-state formulas for call-centre queues.

Why this wing exists
--------------------
The discrete-event simulator in :mod:`simcall` is only trustworthy if, in the
special cases where the queueing theory is exact, it reproduces the exact
answers.  This wing is that yardstick: closed forms (or exactly summed series)
for the classical Markovian call-centre models, one queueing model per module,
plus a staffing search, a cost-optimal head count and the logic of the
``simcall erlang`` command.  It is deliberately *pure*: it imports nothing from :mod:`simcall` but
:mod:`simcall.errors` (for the command's messages), so it can be used to check
the simulator without sharing any of its code.

=================  =================================================================
module             holds
=================  =================================================================
``base``           what every model shares: :class:`QueueMetrics` (the result of
                   each single-queue model), :data:`SECONDS_PER_HOUR`, the
                   argument checks
``erlang_bc``      Erlang B -- M/M/n/n, blocked calls cleared (:func:`erlang_b`,
                   and its inverse in the load, :func:`carried_load`); Erlang C --
                   M/M/n, infinitely patient callers (:func:`erlang_c`,
                   :func:`erlang_c_metrics`)
``erlang_a``       Erlang A -- M/M/n+M, exponentially distributed patience
                   (:func:`erlang_a_metrics`)
``mmnk``           M/M/n/K(+M) -- a finite number of trunk lines, optionally with
                   abandonment (:func:`mmck_metrics`)
``jackson``        open Jackson networks of Erlang C departments with cold
                   transfers (:func:`jackson_network`, :class:`JacksonResult`,
                   :class:`JacksonNode`)
``required``       the staffing search: the fewest agents meeting every target,
                   under Erlang C or Erlang A (:func:`agents_required`)
``cost``           the cost-optimal head count of an Erlang A queue: wages against
                   the value of callers lost to abandonment and late answers
                   (:func:`hourly_cost`, :func:`cost_optimal_agents`,
                   :class:`CostOptimum`)
``question``       the ``simcall erlang`` command between parsing and printing:
                   which model the inputs call for, and the agents
                   (:class:`ErlangQuestion`, :class:`ErlangAnswer`, :func:`answer`)
=================  =================================================================

Every function, class and constant named in the table is re-exported here, and
``simcall.erlang.<name>`` is its public path (the argument checks of ``base`` are
shared by the modules, not public).  Long notes on a model -- notation,
derivations, numerics, references -- are in its module.

Model assumptions (common to everything here)
---------------------------------------------
Calls arrive as a Poisson process, talk (handle) times are exponential and
independent of everything else, agents are statistically identical, service is
first-come first-served and the system is in steady state.  Where patience is
modelled it is exponential, independent across callers, and a caller abandons
as soon as her wait exceeds her patience (an agent never picks up a caller who
has already hung up).

Units
-----
* times (``aht``, ``patience``, ``within``, ``asa`` ...): **seconds**;
* arrival rates: **calls per hour** (parameter ``calls_per_hour``);
* offered load: **Erlangs** (``calls_per_hour * aht / 3600``).

Numerics
--------
Pools of thousands of agents are routine, so nothing here evaluates ``a**n`` or
``n!``: Erlang B uses its bounded recursion, other quantities are formed in log
space, and infinite sums are summed around their largest term with explicit
truncation checks.  Scalars in give Python floats out; array inputs broadcast
and give :class:`numpy.ndarray` out.

References
----------
* A. K. Erlang (1917); the recursion for Erlang B is standard, see e.g.
  Cooper, *Introduction to Queueing Theory*, 1981.
* O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with impatient
  customers", *M&SOM* 4(3), 2002 (exact M/M/n+M formulas, Appendix).
* A. Mandelbaum, S. Zeltyn, "Service engineering in action: the Palm/Erlang-A
  queue, with applications to call centers", 2004/2007 (the ``A(x, y)``
  function and P{W>0}, P{Ab|W>0}).
* J. R. Jackson, "Networks of waiting lines", *Operations Research* 5, 1957.

Imports: errors only.  scipy is imported at module top; ``import simcall`` loads
this wing on first use, so a simulation never pays for it.
"""

from __future__ import annotations

from simcall.erlang.base import SECONDS_PER_HOUR, QueueMetrics
from simcall.erlang.cost import CostOptimum, cost_optimal_agents, hourly_cost
from simcall.erlang.erlang_a import erlang_a_metrics
from simcall.erlang.erlang_bc import carried_load, erlang_b, erlang_c, erlang_c_metrics
from simcall.erlang.jackson import JacksonNode, JacksonResult, jackson_network
from simcall.erlang.mmnk import mmck_metrics
from simcall.erlang.question import ErlangAnswer, ErlangQuestion, answer
from simcall.erlang.required import agents_required

__all__ = [
    "SECONDS_PER_HOUR",
    "CostOptimum",
    "ErlangAnswer",
    "ErlangQuestion",
    "JacksonNode",
    "JacksonResult",
    "QueueMetrics",
    "agents_required",
    "answer",
    "carried_load",
    "cost_optimal_agents",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "hourly_cost",
    "jackson_network",
    "mmck_metrics",
]
