"""The staffing search: a plan that holds on fresh replications, or says where it does not.

What is checked, and how: the verification is recomputed independently (the fresh
replications simulated again with ``replicate``, the confidence with scipy's one-sided
t-test); a planted shortfall is reported exactly where the independent computation finds
it; a stationary M/M/n+M queue is staffed within one agent of exact Erlang A; flat demand
gives a flat plan; the executor changes nothing; and every mistake gets a clear error.
"""

from __future__ import annotations

import json
import math
import tomllib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import typer
from scipy import stats
from typer.testing import CliRunner

from helpers import SCENARIOS
from simcall import erlang
from simcall.experiments.runner import replicate
from simcall.results.provenance import scenario_data
from simcall.results.summary import Summary
from simcall.results.targets import Goal, goals
from simcall.scenario.loader import from_dict, load
from simcall.scenario.schema import Scenario
from simcall.scenario.toml_edit import HEADER_BEGIN
from simcall.staffing import search as search_module
from simcall.staffing.closed_form import erlang_plans
from simcall.staffing.judge import one_sided_confidence
from simcall.staffing.search import StaffingError, StaffingPlan, staff
from simcall.staffing.shift_rules import ShiftRules

SEED = 7
R, V = 12, 12  # the most search replications per plan, and fresh ones per round: small


def helpdesk(**changes: Any) -> dict[str, Any]:
    """The help desk shortened to four half-hours with a morning peak."""
    data = scenario_data(load(SCENARIOS / "helpdesk.toml"))
    data.update(intervals=4)
    data["callers"][0]["arrivals_per_hour"] = [80, 150, 130, 70]
    data.update(changes)
    return data


def two_teams() -> dict[str, Any]:
    """Two departments, a transfer between them, and a group that backs the other up."""
    data = helpdesk()
    data["callers"][0]["enters"] = {"support": 0.7, "billing": 0.3}
    data["departments"] = [
        {"name": "support", "talk": {"dist": "exponential", "mean": 240.0},
         "transfer": {"billing": 0.1}},
        {"name": "billing", "talk": {"dist": "exponential", "mean": 180.0}},
    ]
    data["agents"] = [
        {"name": "support team", "skills": ["support", "billing"], "staff": 8},
        {"name": "billing team", "skills": ["billing"], "staff": 4},
    ]
    return data


@pytest.fixture(scope="module", params=["one group", "two groups", "rostered"])
def searched(request: pytest.FixtureRequest) -> tuple[Scenario, StaffingPlan]:
    """A plan per interval, for one group and for two; and a roster of 2 h and 1 h shifts
    (a 15-minute break in the 2 h ones), verified as a roster."""
    scenario = from_dict(two_teams() if request.param == "two groups" else helpdesk())
    shifts = (ShiftRules.parse("2h,1h", breaks="15min within 30min..90min")
              if request.param == "rostered" else None)
    return scenario, staff(scenario, replications=R, verify_replications=V, seed=SEED,
                           shifts=shifts)


def _confidences(scenario: Scenario, fresh: Summary) -> list[float | None]:
    """Per interval, the confidence that every target holds, from scipy's t-test alone."""
    out: list[float | None] = []
    for kpis in fresh.intervals:
        ps = []
        for goal in goals(scenario.targets):
            values = [v for v in kpis[goal.kpi].values if math.isfinite(v)]
            if not values:
                continue
            if len(set(values)) == 1:
                ps.append(1.0 if goal.met(values[0]) else 0.0)
                continue
            side = "greater" if goal.at_least else "less"
            ps.append(1 - stats.ttest_1samp(values, goal.bound, alternative=side).pvalue)
        out.append(None if not ps else max(0.0, 1 - sum(1 - p for p in ps)))
    return out


def test_the_verification_is_what_fresh_replications_say(
        searched: tuple[Scenario, StaffingPlan]) -> None:
    """The last round's fresh replications, simulated again independently, give the same
    figures and confidences, and the plan holds exactly where they say it does."""
    scenario, result = searched
    last = result.rounds[-1]
    assert last.first >= 1_000_000 > R  # never a search replication
    fresh = replicate(result.scenario, V, SEED, first=last.first)
    independent = _confidences(scenario, fresh)
    for k, kpis in enumerate(fresh.intervals):
        for check in result.checks[k]:
            assert check.verified.values == kpis[check.kpi].values
        reported = result.confidence(k)
        assert (reported is None) == (independent[k] is None)
        if reported is not None:
            assert reported == pytest.approx(independent[k], abs=1e-9)
    short = [label for label, c in zip(result.labels, independent, strict=True)
             if c is not None and c < result.confidence_wanted]
    assert list(result.unsure) == short
    assert result.holds == (not short)
    assert [line.split(": ")[0] for line in result.shortfall()] == short


def test_each_verification_round_uses_new_fresh_replications(
        searched: tuple[Scenario, StaffingPlan]) -> None:
    _, result = searched
    firsts = [r.first for r in result.rounds]
    assert firsts == sorted(set(firsts))
    for before, after in zip(result.rounds, result.rounds[1:], strict=False):
        assert after.first >= before.first + before.replications
        assert before.short and before.added  # a round is followed only after a repair
    document = result.to_json()
    assert document["verify_first_replication"] == result.rounds[-1].first
    assert len(document["verification_rounds"]) == len(result.rounds)
    assert document["holds"] == result.holds


def test_a_planted_shortfall_is_reported_never_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """A search that accepts removals at 50% confidence, with a single verification round,
    leaves intervals short on fresh replications: each is reported, in plain words, exactly
    where scipy finds the confidence below the wanted level, and --check exits 1."""
    monkeypatch.setattr(search_module, "search_confidence", lambda wanted: 0.5)
    scenario = from_dict(helpdesk())
    result = staff(scenario, replications=R, verify_replications=V, seed=SEED, budget=1)
    fresh = replicate(result.scenario, V, SEED, first=result.rounds[-1].first)
    independent = _confidences(scenario, fresh)
    short = [label for label, c in zip(result.labels, independent, strict=True)
             if c is not None and c < 0.95]
    assert short, "the planted shortfall did not happen: plant a stronger one"
    assert not result.holds
    lines = result.shortfall()
    assert [line.split(": ")[0] for line in lines] == short
    assert all("95% wanted" in line and "fresh replications" in line for line in lines)
    assert result.to_json()["shortfall"] == lines


def test_one_sided_confidence_is_one_minus_the_t_test_p_value() -> None:
    values = [0.78, 0.83, 0.86, 0.81, 0.88, 0.80]
    at_least = Goal("service_level", True, 0.80)
    p = stats.ttest_1samp(values, 0.80, alternative="greater").pvalue
    assert one_sided_confidence(at_least, values) == pytest.approx(1 - p)
    at_most = Goal("abandon_rate", False, 0.05)
    rates = [0.04, 0.06, 0.03, 0.05, 0.045]
    p = stats.ttest_1samp(rates, 0.05, alternative="less").pvalue
    assert one_sided_confidence(at_most, rates) == pytest.approx(1 - p)
    assert one_sided_confidence(at_least, [math.nan, math.nan]) is None


def test_agent_hours_add_up(searched: tuple[Scenario, StaffingPlan]) -> None:
    _, result = searched
    hours = result.scenario.interval / 3600
    assert result.agent_hours() == pytest.approx(
        hours * sum(sum(result.plan[g]) for g in result.groups))
    assert result.agent_hours("erlang_c") >= result.agent_hours("erlang_a")


def test_erlang_plans_are_the_closed_forms_for_one_department() -> None:
    scenario = from_dict(helpdesk())
    erlang_c, erlang_a = erlang_plans(scenario, ["support team"])
    for k, rate in enumerate([80, 150, 130, 70]):
        assert erlang_a["support team"][k] == erlang.agents_required(
            rate, 240, target_sl=0.8, within=12, max_abandon=0.05, patience=180)
        assert erlang_c["support team"][k] == erlang.agents_required(
            rate, 240, target_sl=0.8, within=12)


def test_a_stationary_mmn_m_queue_is_staffed_within_one_agent_of_erlang_a() -> None:
    """M/M/n+M at a constant rate, in long intervals: after the first (which starts empty)
    every interval gets exact Erlang A's agents, or one more (the confidence asked of the
    plan is a margin the mean-value formula does not have)."""
    data = helpdesk(intervals=5, interval=7200.0)
    data["callers"][0]["arrivals_per_hour"] = 150
    result = staff(from_dict(data), replications=20, verify_replications=20, seed=SEED)
    n_a = erlang.agents_required(150, 240, target_sl=0.8, within=12, max_abandon=0.05,
                                 patience=180)
    assert result.erlang_a["support team"] == (n_a,) * 5
    plan = result.plan["support team"]
    assert all(n_a - 1 <= n <= n_a + 1 for n in plan[1:]), (plan, n_a)


def test_flat_demand_gives_a_flat_plan() -> None:
    """The help desk's flat 120 calls/h over a day: every interval after the first within one
    agent of the others."""
    result = staff(load(SCENARIOS / "helpdesk.toml"), seed=SEED)  # the defaults: 40 and 40
    after_first = result.plan["support team"][1:]
    assert max(after_first) - min(after_first) <= 1, result.plan


def test_the_executor_does_not_change_the_result() -> None:
    scenario = from_dict(two_teams())
    alone = staff(scenario, replications=9, verify_replications=7, seed=SEED)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = staff(scenario, replications=9, verify_replications=7, seed=SEED,
                       executor=pool)
    first, second = alone.to_json(), pooled.to_json()
    first.pop("provenance")
    second.pop("provenance")
    assert first == second


def test_unknown_group_names_the_value_and_the_choices() -> None:
    """Named as the Python argument and the command's option: a script passed ``groups=``,
    a planner typed ``--group``."""
    with pytest.raises(StaffingError, match=r"groups \(--group\) 'suport'.*'support team'"):
        staff(from_dict(helpdesk()), groups=["suport"], replications=3, verify_replications=3)


def test_a_group_on_shifts_is_pointed_to_shifts() -> None:
    scenario = load(SCENARIOS / "breaks.toml")
    shifted = next(g.name for g in scenario.agents if g.shifts is not None)
    with pytest.raises(StaffingError, match=r"give shifts \(--shifts\) to roster it"):
        staff(scenario, groups=[shifted], replications=3, verify_replications=3)


def test_a_target_staffing_cannot_meet_is_named_with_its_interval() -> None:
    data = helpdesk()
    data["departments"][0]["transfer"] = {"support": 0.3}
    data["targets"]["max_mean_transfers"] = 0.1
    with pytest.raises(StaffingError, match=r"mean_transfers <= 0\.1 .*interval 08:00"):
        staff(from_dict(data), replications=10, verify_replications=8)


@pytest.mark.parametrize(("option", "value", "message"), [
    ("replications", 2, r"replications 2: must be at least 3"),
    ("verify_replications", 1, r"verify_replications 1: must be at least 3"),
    ("confidence", 1.2, r"confidence 1\.2: must be at least 0\.5"),
    ("budget", 0, r"budget 0: must be at least 1"),
])
def test_bad_settings_are_named(option: str, value: float, message: str) -> None:
    with pytest.raises(StaffingError, match=message):
        staff(from_dict(helpdesk()), **{option: value})


def test_the_least_replications_are_where_the_t_bound_passes_one_standard_deviation() -> None:
    """Checked against scipy: at the least count, t_q(n-1)/sqrt(n) <= 1; one fewer, > 1."""
    for confidence, targets in [(0.9, 1), (0.95, 2), (0.975, 3), (0.99, 2)]:
        n = search_module.least_replications(confidence, targets)
        q = 1 - (1 - confidence) / targets
        assert stats.t.ppf(q, n - 1) / math.sqrt(n) <= 1 < stats.t.ppf(q, n - 2) / math.sqrt(
            n - 1)


@pytest.mark.parametrize(("changes", "message"), [
    ({"replications": 8}, r"replications \(--replications\) 8: too few to show 95% "
                          r"confidence for 2 target\(s\).*at least 9"),
    ({"verify_replications": 6}, r"verify_replications \(--verify\) 6: too few .*at least 7"),
    ({"confidence": 0.99}, r"replications \(--replications\) 12: too few to show 99% "
                           r".*at least 13"),
])
def test_a_budget_too_small_for_the_confidence_is_refused(changes: dict[str, Any],
                                                          message: str) -> None:
    settings = {"replications": 12, "verify_replications": 12, **changes}
    with pytest.raises(StaffingError, match=message):
        staff(from_dict(helpdesk()), **settings)


# -- command line -----------------------------------------------------------------------


def _app() -> typer.Typer:
    from simcall.cli import app

    return app


def test_cli_writes_a_plan_that_loads_back(tmp_path: Path) -> None:
    scenario_file = tmp_path / "small.toml"
    from simcall.scenario.toml_writer import dumps

    scenario_file.write_text(dumps(helpdesk()))
    plan_file = tmp_path / "plan.toml"
    result = CliRunner().invoke(_app(), [
        "staff", str(scenario_file), "--out", str(plan_file), "-r", "9", "--verify", "7",
        "--workers", "1", "--json", str(tmp_path / "plan.json")])
    assert result.exit_code == 0, result.output
    assert "Erlang A" in result.output and "agent-hours" in result.output
    loaded = load(plan_file)
    expected = staff(load(scenario_file), replications=9, verify_replications=7)
    assert loaded == expected.scenario
    lines = plan_file.read_text().splitlines()
    assert lines[0] == HEADER_BEGIN and lines[1].startswith("# Staffing plan found by simcall")
    assert tomllib.loads(plan_file.read_text())["agents"][0]["staff"] == list(
        expected.plan["support team"])
    document = json.loads((tmp_path / "plan.json").read_text())
    assert document["holds"] == expected.holds
    assert " staff " in document["provenance"]["command"]  # the command line, for re-running


def test_cli_check_exits_1_and_says_what_to_do_when_the_plan_falls_short(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_module, "search_confidence", lambda wanted: 0.5)
    scenario = SCENARIOS / "helpdesk.toml"
    result = CliRunner().invoke(_app(), [
        "staff", str(scenario), "-r", str(R), "--verify", str(V), "--budget", "1",
        "--workers", "1", "--check"], terminal_width=200)
    assert result.exit_code == 1, result.output
    assert "falls short" in result.output and "--budget" in result.output
    assert "Traceback" not in result.output


def test_cli_bad_group_exits_2_without_a_traceback() -> None:
    result = CliRunner().invoke(_app(), [
        "staff", str(SCENARIOS / "helpdesk.toml"), "--group", "nobody", "--workers", "1"])
    assert result.exit_code == 2
    assert "nobody" in result.output and "support team" in result.output
    assert "Traceback" not in result.output


def test_a_plan_shows_itself_briefly_with_its_intervals(
        searched: tuple[Scenario, StaffingPlan]) -> None:
    from display_check import check_display

    _, result = searched
    assert f"{result.agent_hours():g} agent-hours" in repr(result)
    page = check_display(result, [*result.groups, *result.labels, "confidence"])
    first = [["".join(c.itertext()) for c in row] for row in page.iter("tr")][1]
    assert first[0] == result.labels[0]
    assert first[1] == str(result.plan[result.groups[0]][0])
