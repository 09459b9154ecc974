"""The staffing of least expected cost (``staff --objective cost``) against Erlang A.

On a stationary M/M/n+M queue (one long interval, a warm-up so the empty start does not
count) the expected cost of n agents over the counted hours is exact:
``hours x (wage x n + calls_per_hour x P(abandon) x defection x value)``
(:func:`simcall.erlang.hourly_cost`). Checked here:

* the search returns the exact optimum, or a neighbour whose exact cost is within the
  noise the search itself reports (the paired 95% interval of the move back to the
  optimum contains the exact difference);
* the same when the search starts four agents away from the optimum (the start is the
  closed form, which is exact here, so a wrong start is forced to test the descent);
* the simulated cost curve: for n-2 .. n+2, the 95% interval of the total cost over
  replications contains the exact cost;
* the verification's neighbours are the plan with one agent more and fewer, on fresh
  replications never used by the search, and their wages differ by exactly one agent;
* bad input: no wage, no value, unknown objective: an error naming the key, exit 2.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS
from simcall.cli import app
from simcall.erlang import cost_optimal_agents, hourly_cost
from simcall.staffing import StaffingError, staff_for_cost
from simcall.staffing import cost_search as search_module
from simcall.staffing.verify import VERIFY_FIRST

RATE, AHT, PATIENCE, WAGE, VALUE, DEFECTION = 300.0, 240.0, 180.0, 30.0, 50.0, 0.5
COUNTED_HOURS = 5.5  # a 6 h interval less a 30 min warm-up
STATIONARY: dict[str, Any] = {
    "name": "stationary",
    "interval": "6h",
    "intervals": 1,
    "warmup": "30min",
    "callers": [{"name": "callers", "arrivals_per_hour": RATE, "enters": "queue",
                 "patience": {"dist": "exponential", "mean": PATIENCE}, "value": VALUE,
                 "defection": {"abandoned": DEFECTION}}],
    "departments": [{"name": "queue", "talk": {"dist": "exponential", "mean": AHT}}],
    "agents": [{"name": "team", "skills": ["queue"], "staff": 20, "cost_per_hour": WAGE}],
}


def exact_cost(n: int) -> float:
    return COUNTED_HOURS * hourly_cost(n, RATE, AHT, PATIENCE, WAGE, VALUE, DEFECTION)


def _scenario(**changes: Any) -> simcall.Scenario:
    data = copy.deepcopy(STATIONARY)
    data.update(changes)
    return simcall.from_dict(data)


def _within_noise(result: Any, optimum: int) -> None:
    found = result.plan["team"][0]
    if found == optimum:
        return
    assert abs(found - optimum) == 1, f"found {found}, exact optimum {optimum}"
    back = result.verification.change("team", 0, optimum - found)
    assert back is not None and back.net.ci95 is not None
    assert exact_cost(optimum) - exact_cost(found) in back.net.ci95


def test_the_descent_reaches_the_optimum_from_a_start_four_agents_away(
        monkeypatch: pytest.MonkeyPatch) -> None:
    optimum = cost_optimal_agents(RATE, AHT, PATIENCE, WAGE, VALUE, DEFECTION).agents
    for start in (optimum - 4, optimum + 4):
        monkeypatch.setattr(search_module, "cost_plan",
                            lambda scenario, varied, n=start: {"team": [n]})
        result = staff_for_cost(_scenario(), replications=20, verify_replications=10, seed=4)
        assert result.erlang_a["team"] == (start,)
        assert result.steps, "the search must have moved"
        _within_noise(result, optimum)


def test_the_simulated_cost_curve_contains_the_exact_costs() -> None:
    optimum = cost_optimal_agents(RATE, AHT, PATIENCE, WAGE, VALUE, DEFECTION).agents
    for n in range(optimum - 2, optimum + 3):
        summary = simcall.replicate(_scenario(agents=[{**STATIONARY["agents"][0], "staff": n}]),
                                    replications=20, seed=11)
        total = summary.kpis["total_cost"]
        assert total.ci95 is not None
        assert exact_cost(n) in total.ci95, (n, exact_cost(n), total.ci95)
        assert summary.kpis["wage_cost"].mean == pytest.approx(WAGE * n * COUNTED_HOURS)


def test_keep_targets_never_goes_below_the_target_plan() -> None:
    scenario = _scenario(targets={"service_level": {"within": "20s", "fraction": 0.9}})
    result = staff_for_cost(scenario, replications=10, verify_replications=10, seed=5,
                            keep_targets=True)
    assert result.floor is not None
    assert result.plan["team"][0] >= result.floor["team"][0]
    assert all(t.met is not False for t in result.verification.base.targets)
    from display_check import check_display  # the plan's notebook view names the floor

    check_display(result, ["targets' floor", "total_cost"])


@pytest.mark.parametrize(("change", "named"), [
    ({"agents": [{**STATIONARY["agents"][0], "cost_per_hour": 0}]}, "cost_per_hour"),
    ({"callers": [{**STATIONARY["callers"][0], "value": 0}]}, "value"),
    ({"callers": [{k: v for k, v in STATIONARY["callers"][0].items() if k != "defection"}]},
     "defection"),
])
def test_a_cost_search_with_nothing_to_weigh_names_the_key(change: dict[str, Any],
                                                          named: str) -> None:
    with pytest.raises(StaffingError, match=named):
        staff_for_cost(_scenario(**change), replications=3, verify_replications=3)


def test_the_command_refuses_bad_objectives_and_missing_prices(tmp_path: Any) -> None:
    path = tmp_path / "free.toml"
    path.write_text('name = "free"\ninterval = "1h"\nintervals = 1\n'
                    '[[callers]]\nname = "c"\narrivals_per_hour = 10\nenters = "q"\n'
                    '[[departments]]\nname = "q"\ntalk = { dist = "exponential", mean = 60 }\n'
                    '[[agents]]\nname = "team"\nskills = ["q"]\nstaff = 2\n')
    runner = CliRunner()
    for options, said in ((["--objective", "money"], "--objective 'money'"),
                          (["--objective", "cost"], "cost_per_hour"),
                          (["--keep-targets"], "--keep-targets")):
        result = runner.invoke(app, ["staff", str(path), *options])
        assert result.exit_code == 2, result.output
        assert said in result.output
        assert "Traceback" not in result.output


def test_the_command_finds_the_optimum_verified_on_fresh_replications(tmp_path: Any) -> None:
    """``simcall staff --objective cost`` end to end, from the closed-form start: the JSON's
    plan is the exact optimum or a neighbour within the noise the JSON itself reports; the
    verification ran on replications the search never used, its neighbours differ in wages
    by exactly one agent, its cost interval contains the exact cost; --out loads to the
    plan."""
    import json

    import tomlkit

    optimum = cost_optimal_agents(RATE, AHT, PATIENCE, WAGE, VALUE, DEFECTION).agents
    assert exact_cost(optimum) < min(exact_cost(optimum - 1), exact_cost(optimum + 1))
    scenario_file = tmp_path / "stationary.toml"
    scenario_file.write_text(tomlkit.dumps(STATIONARY))
    out, document = tmp_path / "plan.toml", tmp_path / "plan.json"
    result = CliRunner().invoke(app, [
        "staff", str(scenario_file), "--objective", "cost", "-r", "20", "--verify", "20",
        "--seed", "3", "-w", "1", "--json", str(document), "--out", str(out), "--check"])
    assert result.exit_code == 0, result.output
    assert "Plan of least cost" in result.output
    written = json.loads(document.read_text())
    found = written["plan"]["team"][0]
    assert written["erlang_a_cost_plan"]["team"] == [optimum]
    if found != optimum:
        back = next(n for n in written["neighbours"] if n["step"] == optimum - found)
        low, high = back["net"]["ci95"]
        assert low <= exact_cost(optimum) - exact_cost(found) <= high
    assert simcall.load(out).agents[0].staff == (found,)
    assert written["holds"] is True and written["shortfall"] == []
    assert written["verified_on"]["first_replication"] >= VERIFY_FIRST
    steps = {n["step"]: n for n in written["neighbours"]}
    assert steps[1]["wage_cost"]["mean"] == pytest.approx(WAGE * COUNTED_HOURS)
    assert steps[-1]["wage_cost"]["mean"] == pytest.approx(-WAGE * COUNTED_HOURS)
    low, high = written["kpis"]["total_cost"]["ci95"]
    assert low <= exact_cost(found) <= high


def test_the_calls_guard_counts_the_cost_searchs_verification() -> None:
    """The estimate grows with the neighbours each verification round runs (2 x intervals x
    groups + 1 plans), and the command refuses a search above --max-calls before it runs."""
    from simcall.staffing.workload import cost_search_replications

    one = cost_search_replications(1, 16, 20, 40, 3)
    assert cost_search_replications(1, 32, 20, 40, 3) - one == 3 * 2 * 16 * 40
    assert cost_search_replications(2, 16, 20, 40, 3) > 2 * one - 3 * 40
    result = CliRunner().invoke(app, ["staff", str(SCENARIOS / "large_accounts.toml"),
                                      "--objective", "cost", "--max-calls", "100000"])
    assert result.exit_code == 2, result.output
    assert "--max-calls" in result.output and "Traceback" not in result.output
