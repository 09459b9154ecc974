"""Paired comparisons: common random numbers, paired intervals, and the command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS
from simcall import erlang
from simcall.cli import app
from simcall.experiments.comparison import Comparison, compare, welch_interval
from simcall.experiments.validation import WITHIN_S, centre
from simcall.results.provenance import scenario_data

HELPDESK = str(SCENARIOS / "helpdesk.toml")
runner = CliRunner()


def _run(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, list(arguments))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _with_staff(scenario: simcall.Scenario, staff: int) -> simcall.Scenario:
    data = scenario_data(scenario)
    data["agents"][0]["staff"] = staff
    return simcall.from_dict(data)


@pytest.fixture(scope="module")
def plus_one() -> Comparison:
    base = simcall.load(HELPDESK)
    return compare({"10 agents": base, "11 agents": _with_staff(base, 11)}, replications=10)


def test_differences_are_taken_replication_by_replication(plus_one) -> None:
    base, more = (plus_one.summaries[n].scenario for n in plus_one.names)
    for replication in (0, 7):
        expected = (simcall.simulate(more, 1, replication).kpis["service_level"]
                    - simcall.simulate(base, 1, replication).kpis["service_level"])
        assert plus_one.differences["11 agents"]["service_level"].paired.values[replication] \
            == expected


def test_variants_meet_the_same_callers(plus_one) -> None:
    offered = plus_one.differences["11 agents"]["offered"].paired
    assert set(offered.values) == {0.0}  # same arrivals in every replication
    runs = [s.runs[3].records for s in plus_one.summaries.values()]  # type: ignore[union-attr]
    assert runs == [None, None]  # compare keeps no records: memory stays flat


def test_paired_interval_is_much_narrower_than_independent_runs(plus_one) -> None:
    for kpi in ("service_level", "abandon_rate", "asa_s"):
        d = plus_one.differences["11 agents"][kpi]
        paired, unpaired = d.paired.ci95, d.unpaired
        assert paired is not None and unpaired is not None
        assert paired.high - paired.low < 0.5 * (unpaired.high - unpaired.low), kpi
        assert d.significant  # one more agent moves every one of them


def test_welch_interval_matches_scipy() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(1.0, 1.0, 12), rng.normal(0.4, 2.0, 9)
    ours = welch_interval(a, b)
    theirs = stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert ours is not None
    assert ours.low == pytest.approx(theirs.low) and ours.high == pytest.approx(theirs.high)


def test_identical_variants_differ_by_exactly_nothing() -> None:
    base = simcall.load(HELPDESK)
    comparison = compare([base, base], replications=3)
    assert comparison.names == ("helpdesk", "helpdesk (2)")
    for d in comparison.differences["helpdesk (2)"].values():
        assert all(v == 0.0 for v in d.paired.values)
        assert not d.significant


def test_paired_difference_contains_the_erlang_a_difference() -> None:
    """3 -> 4 agents in a stationary M/M/n+M queue: the exact change is a formula."""
    rate, aht, patience = 60.0, 150.0, 120.0
    three = simcall.from_dict(centre(3, rate, aht, patience=patience, hours=60))
    four = simcall.from_dict(centre(4, rate, aht, patience=patience, hours=60))
    comparison = compare({"3": three, "4": four}, replications=20, seed=11)
    exact_3 = erlang.erlang_a_metrics(3, rate, aht, patience, within=WITHIN_S)
    exact_4 = erlang.erlang_a_metrics(4, rate, aht, patience, within=WITHIN_S)
    for kpi, name in (("service_level", "service_level"), ("abandon_rate", "p_abandon"),
                      ("asa_s", "asa")):
        exact = float(getattr(exact_4, name)) - float(getattr(exact_3, name))
        interval = comparison.differences["4"][kpi].paired.ci(0.99)
        assert interval is not None and exact in interval, (kpi, exact, interval)


def test_per_interval_differences(plus_one) -> None:
    rows = plus_one.intervals["11 agents"]
    assert len(rows) == 16
    assert sum(row["service_level"].significant for row in rows) >= 8


def test_compare_needs_two_variants() -> None:
    with pytest.raises(ValueError, match="at least two"):
        compare([simcall.load(HELPDESK)])


def test_compare_command_with_variants(tmp_path: Path) -> None:
    document = tmp_path / "compare.json"
    code, output = _run("compare", HELPDESK, "--variant",
                        "+1 agent: 'agents.support team.staff=11'", "-r", "4", "-w", "1",
                        "--json", str(document), "--out", str(tmp_path / "folder"))
    assert code == 0, output
    assert "+1 agent - baseline" in output and "independent runs would give" in output
    saved = json.loads(document.read_text())
    assert saved["baseline"] == "baseline" and set(saved["variants"]) == {"baseline", "+1 agent"}
    sl = saved["differences"]["+1 agent"]["kpis"]["service_level"]
    assert sl["mean"] > 0 and sl["ci95"][0] <= sl["mean"] <= sl["ci95"][1]
    assert len(saved["differences"]["+1 agent"]["intervals"]) == 16
    assert saved["provenance"]["command"].startswith("simcall compare")
    folder = sorted(p.name for p in (tmp_path / "folder").iterdir())
    assert folder == ["comparison.json", "metadata.json", "scenario-1-agent.toml",
                      "scenario-baseline.toml"]
    variant = simcall.load(tmp_path / "folder" / "scenario-1-agent.toml")
    assert variant.agents[0].staff == simcall.load(
        HELPDESK, ["agents.support team.staff=11"]).agents[0].staff


def test_compare_command_with_files() -> None:
    code, output = _run("compare", HELPDESK, str(SCENARIOS / "rush_hour.toml"), "-r", "3",
                        "-w", "1")
    assert code == 0, output
    assert "rush" in output


@pytest.mark.parametrize(("arguments", "expected"), [
    ([HELPDESK], "two or more scenario files"),
    ([HELPDESK, "--variant", "no colon here"], 'expected "NAME: KEY=VALUE'),
    ([HELPDESK, "--variant", "x: nothing"], "KEY=VALUE changes"),
    ([HELPDESK, HELPDESK, "--variant", "x: a=1"], "changes one scenario"),
    ([HELPDESK, "--variant", "x: agents.nobody.staff=3"], "no agents entry named 'nobody'"),
    ([HELPDESK, "--variant", "x: lines=2", "--kpi", "sla"], "--kpi sla: not a KPI"),
    ([HELPDESK, "--variant", "x: lines=2", "-r", "1"], "--replications 1: must be at least 2"),
])
def test_compare_command_mistakes(arguments: list[str], expected: str) -> None:
    code, output = _run("compare", *arguments)
    assert code == 2 and expected in output.replace("\n", " ")
