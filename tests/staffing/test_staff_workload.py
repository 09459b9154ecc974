"""`simcall staff` has the workload guard of the other simulating commands: a search whose
estimated calls pass the limit is refused before anything runs, with the estimate and
``--max-calls``; the estimate is the one written in docs/staffing.md."""

from __future__ import annotations

from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS
from simcall.cli import app
from simcall.staffing.workload import search_replications, search_workload

HELPDESK = SCENARIOS / "helpdesk.toml"
runner = CliRunner()


def _staff(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, ["staff", *arguments], terminal_width=300)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, " ".join(result.output.split())


def test_the_estimate_follows_the_documented_formula() -> None:
    # one group: reach 10; level 10: 10 + 8 rounds x 10; level 20: 20 + 8 x 20;
    # verification: 5 rounds x 100 + 10
    assert search_replications(1, 20, 100, 5) == 10 + (10 + 80) + (20 + 160) + 500 + 10
    # five groups: 24 rounds a level; at the last, 5 candidates x 10 a round to choose
    # which group gets an agent; each verification round also ranks 5 candidates on 10
    assert search_replications(5, 20, 100, 5) == (
        10 + (10 + 240) + (20 + 24 * (20 + 50)) + 5 * (100 + 50) + 10)
    assert search_replications(1, 5, 3, 1) == 5 + (5 + 8 * 5) + 3 + 5  # one level of 5
    five = simcall.load(SCENARIOS / "five_departments.toml")
    assert search_workload(five).replications == 2_720
    # the measured searches (740 and 300 replications, docs/staffing.md) fit inside
    assert search_workload(simcall.load(HELPDESK)).calls == 790 * 960


def test_a_big_search_is_refused_with_the_estimate_and_the_override() -> None:
    code, text = _staff(str(HELPDESK), "--set", "callers.customers.arrivals_per_hour=10000")
    assert code == 2
    assert "this staffing search would simulate about 63,200,000 calls" in text
    assert "790 replication(s)" in text and "--max-calls 63200000" in text


def test_max_calls_stops_a_small_search_and_lets_it_past_the_guard() -> None:
    code, text = _staff(str(HELPDESK), "--max-calls", "1000")
    assert code == 2 and "about 758,400 calls" in text and "--max-calls 758400" in text
    # allowed: the search gets past the guard and stops at the next check (--out /dev/null
    # is refused before simulating), so nothing is simulated here
    code, text = _staff(str(HELPDESK), "--max-calls", "758400", "--out", "/dev/null")
    assert code == 2 and "--max-calls" not in text and "not a regular file" in text


def test_the_guard_counts_the_groups_the_search_would_staff() -> None:
    code, text = _staff(str(SCENARIOS / "five_departments.toml"), "--group", "nobody")
    assert code == 2 and "no agent group of that name" in text
    code, text = _staff(str(SCENARIOS / "five_departments.toml"), "--group", "order desk",
                        "--max-calls", "1")
    assert code == 2 and "(790 replication(s)" in text
