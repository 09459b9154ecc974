"""The fit wing: a scenario from a real call log (one row per call).

Read a log (:func:`read_log`), estimate arrivals, talk, patience, staffing, not-ready time
and priorities, and build a commented scenario from them (:func:`fit`). The rules behind
each estimate are in ``docs/fit.md``.

=================  =================================================================
module             holds
=================  =================================================================
``columns``        the canonical columns (:data:`CANONICAL`), the presets
                   (:class:`Preset`, :data:`PRESETS`: ``anonymous-bank``,
                   ``simcall``) and :class:`CallLogError`
``times``          timestamps (clock, ISO, seconds, strptime) and day selection
                   (``"sun-thu"``, dates)
``calllog``        :class:`CallLog` (numpy columns of the chosen calls) and
                   :class:`Selection` (every row accounted for; the kinds of
                   contradiction in :data:`CONTRADICTIONS`)
``reader``         :func:`read_log`: CSV (plain or gzip) in, a :class:`CallLog` out
``arrivals``       :class:`ArrivalProfile`: calls reaching the agents per caller
                   type and interval, ``day_volume_cv``, a trend over the days
``durations``      talk times, lognormal or empirical by a stated rule
                   (:class:`DurationFit`, :class:`TalkTimes`)
``patience``       Kaplan-Meier patience with answered calls censored, an
                   exponential tail, exponential and Weibull fits
                   (:class:`PatienceFit`, :class:`Patience`)
``sessions``       agents on the phones from their sessions (:class:`Staffing`)
                   and not-ready gaps (:class:`NotReady`)
``fitting``        :func:`fit` and :class:`FitResult` (the estimates in
                   :class:`Estimates`, the scenario with notes)
``writer``         the fitted scenario as TOML with a comment on every figure
``backtesting``    :func:`backtest`: a scenario simulated day after day beside the
                   log, interval by interval (:class:`Backtest`, :class:`Tallies`)
``synthetic``      :func:`write_log`: a simulated run written as a call log
                   (preset ``simcall``), for tests and back-tests
=================  =================================================================

Imports: scenario, model, results and the shared base; scipy and pandas on first use
only, so that ``import simcall`` stays light.
"""

from __future__ import annotations

from simcall.fit.arrivals import ArrivalProfile
from simcall.fit.backtesting import Backtest, Tallies, backtest
from simcall.fit.calllog import CONTRADICTIONS, CallLog, Selection
from simcall.fit.columns import CANONICAL, PRESETS, CallLogError, Preset
from simcall.fit.durations import DurationFit, TalkTimes
from simcall.fit.fitting import Estimates, FitResult, fit
from simcall.fit.patience import Patience, PatienceFit
from simcall.fit.reader import read_log
from simcall.fit.sessions import NotReady, Staffing
from simcall.fit.synthetic import write_log

__all__ = [
    "CANONICAL", "CONTRADICTIONS", "PRESETS", "ArrivalProfile", "Backtest", "CallLog",
    "CallLogError", "DurationFit", "Estimates", "FitResult", "NotReady", "Patience",
    "PatienceFit", "Preset", "Selection", "Staffing", "TalkTimes", "Tallies", "backtest",
    "fit", "read_log", "write_log",
]
