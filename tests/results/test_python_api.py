"""The Python side of results (issue 16): intervals that unpack, short reprs and notebook
tables, per-replication frames, and a clear word when pandas is missing."""

from __future__ import annotations

import json
import sys

import pytest
from display_check import check_display

import simcall
from helpers import scenario_from
from simcall.results.stats import ConfidenceInterval

TARGETS = {"service_level": {"within": "20s", "fraction": 0.8}, "max_abandon_rate": 0.1}


@pytest.fixture(scope="module")
def summary() -> simcall.Summary:
    """Three short replications of the tiny one-agent queue, with targets."""
    return simcall.replicate(scenario_from(targets=TARGETS), replications=3, seed=5)


def test_an_interval_unpacks_like_scipys(summary: simcall.Summary) -> None:
    ci = summary.kpis["service_level"].ci95
    assert ci is not None
    lo, hi = ci
    assert (lo, hi) == (ci.low, ci.high)
    assert lo < summary.kpis["service_level"].mean < hi
    # "in" still asks whether the interval covers a value, not whether it is an end
    assert summary.kpis["service_level"].mean in ci
    assert hi + 1e-9 not in ci and "x" not in ci
    assert ConfidenceInterval(0.0, 1.0) == (0.0, 1.0)


def test_the_json_still_writes_an_interval_as_a_two_item_list(summary: simcall.Summary) -> None:
    document = json.loads(json.dumps(summary.to_json(), allow_nan=False))
    for name, estimate in summary.kpis.items():
        ci = estimate.ci95
        expected = None if ci is None else [ci.low, ci.high]
        assert document["kpis"][name]["ci95"] == expected, name
    assert document["kpis"]["service_level"]["ci95"] is not None
    target = document["targets"][0]
    assert target["ci95"] == list(summary.kpis[target["name"]].ci95 or ())
    # a bare interval goes into JSON as the same list
    assert json.loads(json.dumps(summary.kpis["asa_s"].ci95)) == \
        document["kpis"]["asa_s"]["ci95"]


NASTY = "<script>alert('x')</script> & co"  # a name that must show as text, never run


def test_a_summary_shows_itself_in_a_few_lines(summary: simcall.Summary) -> None:
    text = repr(summary)
    assert text.startswith("<Summary 'tiny': 3 replications, seed 5")
    ci = summary.kpis["service_level"].ci95
    assert ci is not None
    sl = summary.kpis["service_level"]
    assert f"service_level  {100 * sl.mean:.1f}% (95% CI {100 * ci.low:.1f}% .." in text
    page = check_display(summary, ["service_level", "95% CI", "targets: service_level"])
    # one row per KPI shown: the header, then name, mean, interval
    rows = [[("".join(c.itertext())) for c in row] for row in page.iter("tr")]
    assert rows[0] == ["KPI", "mean", "95% CI"]
    assert ["asa_s", f"{summary.kpis['asa_s'].mean:.2f} s"] == rows[2][:2]
    # a KPI zero in every replication (no line limit: nothing blocked) is left out
    assert "block_rate" not in [r[0] for r in rows]
    assert "block_rate" in summary.kpis and not any(summary.kpis["block_rate"].values)


def test_one_run_and_an_estimate_are_short_too(summary: simcall.Summary) -> None:
    run = summary.runs[0]
    check_display(run, ["service_level", f"seed {run.seed}"])
    assert "Records" not in repr(run)
    estimate = summary.kpis["offered"]
    assert repr(estimate) == (f"Estimate(mean={estimate.mean:.6g}, ci95={estimate.ci95!r}, "
                              "n=3)")


def test_names_are_escaped_in_the_notebook_view() -> None:
    summary = simcall.replicate(scenario_from(name=NASTY), replications=2, seed=1)
    html = summary._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; co" in html
    check_display(summary, [NASTY])  # shown as the very text of the name


def test_a_comparison_and_a_sweep_show_themselves(summary: simcall.Summary) -> None:
    two = scenario_from(agents=[{"name": "team", "skills": ["support"], "staff": 2}])
    comparison = simcall.compare({"one": summary.scenario, NASTY: two}, replications=3, seed=5)
    diff = comparison.differences[NASTY]["service_level"].paired
    assert f"{NASTY} - one: service_level {100 * diff.mean:+.1f} pts" in repr(comparison)
    check_display(comparison, [NASTY, f"{NASTY} - one (95% CI)"])
    result = simcall.sweep(summary.scenario, {"agents.team.staff": [1, 2, -1]},
                           replications=2, seed=5)
    assert "3 points x 2 replications" in repr(result) and "1 point failed" in repr(result)
    page = check_display(result, ["agents.team.staff", "service_level (95% CI)"])
    assert [len(list(row)) for row in page.iter("tr")] == [6, 6, 6, 6]


def test_per_replication_frame_holds_the_values_behind_each_mean(
        summary: simcall.Summary) -> None:
    pd = pytest.importorskip("pandas")
    long = summary.to_frame(per_replication=True)
    assert list(long.columns) == ["scope", "name", "kpi", "replication", "value"]
    assert sorted(set(long["replication"])) == [run.replication for run in summary.runs]
    means = summary.to_frame()
    assert len(long) == 3 * len(means)  # every (scope, name, kpi) once per replication
    # the mean of the per-replication values is the summary's mean, scope by scope
    again = long.groupby(["scope", "name", "kpi"], sort=False)["value"].mean()
    merged = means.set_index(["scope", "name", "kpi"])["mean"]
    pd.testing.assert_series_equal(again.loc[merged.index], merged, check_names=False)
    one = long.query("scope == 'overall' and kpi == 'asa_s' and replication == 1")
    assert one["value"].item() == summary.runs[1].kpis["asa_s"]


def test_without_pandas_the_error_says_what_to_install(
        summary: simcall.Summary, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # "import pandas" now fails
    for make in (summary.to_frame, summary.runs[0].to_frame):
        with pytest.raises(simcall.SimcallError, match=r"pip install 'simcall\[pandas\]'"):
            make()
    with pytest.raises(ImportError, match=r"Summary\.to_frame"):  # still an ImportError
        summary.to_frame(per_replication=True)
