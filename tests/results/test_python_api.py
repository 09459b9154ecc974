"""The Python side of results (issue 16): intervals that unpack, short reprs and notebook
tables, per-replication frames, and a clear word when pandas is missing."""

from __future__ import annotations

import json

import pytest

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
