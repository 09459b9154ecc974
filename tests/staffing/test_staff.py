"""The staffing search: local minimality, fresh-seed verification, Erlang A, determinism, errors."""

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
from simcall.experiments.runner import Job, replicate, simulate_many
from simcall.results.provenance import scenario_data
from simcall.results.targets import Goal, goals
from simcall.scenario.loader import from_dict, load
from simcall.scenario.schema import Scenario
from simcall.scenario.toml_edit import HEADER_BEGIN
from simcall.staffing.closed_form import erlang_plans
from simcall.staffing.plan import one_sided_confidence
from simcall.staffing.search import StaffingError, StaffingPlan, staff

SEED = 7
R, V = 6, 8  # search and verification replications: small, to keep the file fast


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


@pytest.fixture(scope="module", params=["one group", "two groups"])
def searched(request: pytest.FixtureRequest) -> tuple[Scenario, StaffingPlan]:
    scenario = from_dict(helpdesk() if request.param == "one group" else two_teams())
    return scenario, staff(scenario, replications=R, verify_replications=V, seed=SEED)


def _misses(summaries_runs: list[Any], scenario: Scenario) -> bool:
    from simcall.results.summary import Summary

    summary = Summary.of(scenario, SEED, summaries_runs)
    return any(t.met is False or t.intervals_failed for t in summary.targets)


def _with_staff(scenario: Scenario, plan: dict[str, list[int]]) -> Scenario:
    data = scenario_data(scenario)
    for group in data["agents"]:
        if group["name"] in plan:
            group["staff"] = list(plan[group["name"]])
    return from_dict(data)


def test_the_plan_meets_every_target_and_no_agent_can_go(
        searched: tuple[Scenario, StaffingPlan]) -> None:
    """Re-simulated independently: the plan holds, and one agent fewer anywhere breaks it."""
    scenario, result = searched
    plan = {g: list(result.plan[g]) for g in result.groups}
    base = _with_staff(scenario, plan)
    assert base == result.scenario
    runs = simulate_many([Job(base, SEED, r) for r in range(R)])
    assert not _misses(runs, base)
    fewer = []
    for g in result.groups:
        for k, heads in enumerate(plan[g]):
            if heads > 0:
                less = {h: list(v) for h, v in plan.items()}
                less[g][k] -= 1
                fewer.append(_with_staff(scenario, less))
    assert len(fewer) == len(result.removals) > 0
    runs = simulate_many([Job(s, SEED, r) for s in fewer for r in range(R)])
    for n, candidate in enumerate(fewer):
        assert _misses(runs[n * R:(n + 1) * R], candidate), f"removal {n} still meets targets"


def test_verification_uses_fresh_replications_and_reports_them(
        searched: tuple[Scenario, StaffingPlan]) -> None:
    _, result = searched
    assert [r.replication for r in result.search.runs] == list(range(R))
    assert [r.replication for r in result.verification.runs] == list(range(R, R + V))
    fresh = replicate(result.scenario, V, SEED, first=R)
    for k, kpis in enumerate(fresh.intervals):
        for check in result.checks[k]:
            assert check.verified.values == kpis[check.kpi].values
            assert check.verified.mean == kpis[check.kpi].mean
    for check in result.checks[-1]:
        assert check.verified.mean == fresh.kpis[check.kpi].mean
    document = result.to_json()
    assert document["verify_first_replication"] == R
    assert len(document["intervals"]) == result.scenario.intervals


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


def test_an_mmn_m_centre_is_staffed_at_erlang_a_within_the_noise() -> None:
    """M/M/n+M at a constant rate: the plan is Erlang A's, up to the simulation's own noise.

    In each interval the plan ``p`` must be one that exact Erlang A could
    give if its figures were off by three standard errors of the search's
    interval means: Erlang A at ``p`` meets the targets within that band, and
    at ``p - 1`` misses one within it. Long intervals keep the band narrow.
    """
    data = helpdesk(intervals=5, interval=7200.0)
    data["callers"][0]["arrivals_per_hour"] = 150
    result = staff(from_dict(data), replications=10, verify_replications=4, seed=SEED)
    n_a = erlang.agents_required(150, 240, target_sl=0.8, within=12, max_abandon=0.05,
                                 patience=180)
    assert result.erlang_a["support team"] == (n_a,) * 5

    def exact(n: int) -> tuple[float, float]:
        m = erlang.erlang_a_metrics(n, 150, 240, 180, within=12)
        return float(m.service_level), float(m.p_abandon)

    plan = result.plan["support team"]
    for k, n in enumerate(plan):
        kpis = result.search.intervals[k]
        sl_band = 3 * _standard_error(kpis["service_level"].values)
        ab_band = 3 * _standard_error(kpis["abandon_rate"].values)
        assert sl_band < 0.1 and ab_band < 0.03  # the band is narrow enough to mean something
        sl, ab = exact(n)
        assert sl >= 0.8 - sl_band and ab <= 0.05 + ab_band, (k, plan, n_a)
        sl, ab = exact(n - 1)
        assert sl < 0.8 + sl_band or ab > 0.05 - ab_band, (k, plan, n_a)
    assert abs(sum(plan) / len(plan) - n_a) <= 1


def _standard_error(values: tuple[float, ...]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    mean = sum(finite) / len(finite)
    return math.sqrt(sum((v - mean) ** 2 for v in finite) / (len(finite) - 1) / len(finite))


def test_the_executor_does_not_change_the_result() -> None:
    scenario = from_dict(two_teams())
    alone = staff(scenario, replications=4, verify_replications=3, seed=SEED)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = staff(scenario, replications=4, verify_replications=3, seed=SEED,
                       executor=pool)
    assert dict(pooled.plan) == dict(alone.plan)
    assert pooled.steps == alone.steps
    assert pooled.removals == alone.removals
    first, second = alone.to_json(), pooled.to_json()
    first.pop("provenance")
    second.pop("provenance")
    assert first == second


def test_unknown_group_names_the_value_and_the_choices() -> None:
    with pytest.raises(StaffingError, match=r"'suport'.*'support team'"):
        staff(from_dict(helpdesk()), groups=["suport"], replications=2, verify_replications=2)


def test_a_group_on_shifts_cannot_be_staffed() -> None:
    scenario = load(SCENARIOS / "breaks.toml")
    shifted = next(g.name for g in scenario.agents if g.shifts is not None)
    with pytest.raises(StaffingError, match="shifts"):
        staff(scenario, groups=[shifted], replications=2, verify_replications=2)


def test_a_target_staffing_cannot_meet_is_named_with_its_interval() -> None:
    data = helpdesk()
    data["departments"][0]["transfer"] = {"support": 0.3}
    data["targets"]["max_mean_transfers"] = 0.1
    with pytest.raises(StaffingError, match=r"mean_transfers <= 0\.1 .*interval 08:00"):
        staff(from_dict(data), replications=3, verify_replications=2)


# -- command line -----------------------------------------------------------------------


def _app() -> typer.Typer:
    from simcall.cli import app

    if any(c.name == "staff" for c in app.registered_commands):
        return app
    from simcall.cli.staff import staff_command

    local = typer.Typer()
    local.command("staff")(staff_command)
    local.command("noop")(lambda: None)  # two commands, so "staff" is a subcommand
    return local


def test_cli_writes_a_plan_that_loads_back(tmp_path: Path) -> None:
    scenario_file = tmp_path / "small.toml"
    from simcall.scenario.toml_writer import dumps

    scenario_file.write_text(dumps(helpdesk()))
    plan_file = tmp_path / "plan.toml"
    result = CliRunner().invoke(_app(), [
        "staff", str(scenario_file), "--out", str(plan_file), "-r", "3", "--verify", "2",
        "--workers", "1", "--json", str(tmp_path / "plan.json")])
    assert result.exit_code == 0, result.output
    assert "Erlang A" in result.output and "agent-hours" in result.output
    loaded = load(plan_file)
    expected = staff(load(scenario_file), replications=3, verify_replications=2)
    assert loaded == expected.scenario
    lines = plan_file.read_text().splitlines()
    assert lines[0] == HEADER_BEGIN and lines[1].startswith("# Staffing plan found by simcall")
    assert tomllib.loads(plan_file.read_text())["agents"][0]["staff"] == list(
        expected.plan["support team"])
    document = json.loads((tmp_path / "plan.json").read_text())
    assert len(document["locally_minimal"]) == len(expected.removals)
    assert " staff " in document["provenance"]["command"]  # the command line, for re-running


def test_cli_bad_group_exits_2_without_a_traceback() -> None:
    result = CliRunner().invoke(_app(), [
        "staff", str(SCENARIOS / "helpdesk.toml"), "--group", "nobody", "--workers", "1"])
    assert result.exit_code == 2
    assert "nobody" in result.output and "support team" in result.output
    assert "Traceback" not in result.output


def test_a_confidence_level_judges_on_the_confidence_bound() -> None:
    """With confidence=0.9 every target holds at the one-sided 90% bound on the search runs."""
    scenario = from_dict(helpdesk())
    on_mean = staff(scenario, replications=R, verify_replications=V, seed=SEED)
    sure = staff(scenario, replications=R, verify_replications=V, seed=SEED, confidence=0.9)
    assert sure.agent_hours() >= on_mean.agent_hours()
    assert sure.provenance["confidence"] == 0.9
    quantile = stats.t.ppf(0.9, R - 1)
    for k, kpis in enumerate(sure.search.intervals):
        for check in sure.checks[k]:
            values = [v for v in kpis[check.kpi].values if math.isfinite(v)]
            half = quantile * stats.tstd(values) / math.sqrt(len(values))
            goal = next(g for g in goals(scenario.targets) if g.kpi == check.kpi)
            bound = sum(values) / len(values) + (-half if goal.at_least else half)
            assert goal.met(bound), (k, check.kpi, bound)
    with pytest.raises(StaffingError, match=r"confidence 1\.2: must be at least 0\.5"):
        staff(scenario, replications=R, confidence=1.2)
