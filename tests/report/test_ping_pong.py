"""Ping-pong chains in the trace and the report: every call sent back, in full, worst
first; ``revisit_rate`` in ``--details``; the target refused by ``simcall staff`` when
staffing cannot meet it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simcall
from helpers import ROOT, Page
from simcall.cli import app
from simcall.report.ping_pong import chain_lines, ping_pong_html, trace_chain_lines
from simcall.staffing import StaffingError

runner = CliRunner()

PONG = """\
name = "pong"
interval = "30min"
intervals = 2
open = "09:00"
{targets}
[[callers]]
name = "c"
arrivals_per_hour = 40
enters = "A"

[[departments]]
name = "A"
talk = {{ dist = "exponential", mean = "1min" }}
transfer = {{ B = 1.0 }}

[[departments]]
name = "B"
talk = {{ dist = "exponential", mean = "1min" }}
transfer = {{ A = 0.4 }}

[[agents]]
name = "team"
skills = ["A", "B"]
staff = 4
"""


def pong_file(folder: Path, targets: str = "", transfers: bool = True) -> Path:
    """The scenario with ``targets``; without transfers, A and B just answer."""
    text = PONG.format(targets=targets)
    if not transfers:
        text = re.sub(r"(?m)^transfer = .*\n", "", text)
    path = folder / ("pong.toml" if transfers else "no_pong.toml")
    path.write_text(text, encoding="utf-8")
    return path


def test_chain_lines_tell_every_hop_with_its_clock_time(tmp_path: Path) -> None:
    scenario = simcall.load(pong_file(tmp_path))
    result = simcall.simulate(scenario, seed=3)
    chains = result.metrics.revisit_chains
    assert chains, "a 40% bounce back must send some call back"
    lines = trace_chain_lines(scenario, chains, int(result.kpis["answered"]))
    assert lines[0].startswith(f"calls sent back to a department they had left (ping-pong): "
                               f"{len(chains)} (")
    titles = [line for line in lines if line.startswith("call ")]
    assert len(titles) == len(chains)  # every chain, none cut off
    hops = [line for line in lines if re.match(r"  \d\d:\d\d:\d\d  ", line)]
    assert len(hops) == sum(len(c.hops) for c in chains)
    times = [int(re.search(r"sent back (\d+) time", t).group(1)) for t in titles]  # type: ignore[union-attr]
    assert times == sorted(times, reverse=True)  # worst first
    worst = chain_lines(scenario, chains[0])
    assert worst[1].startswith("  09:") and "joins A" in worst[1]
    assert sum("back in" in line for line in worst) == chains[0].revisits


def test_the_report_section_lists_every_chain_of_every_replication(tmp_path: Path) -> None:
    summary = simcall.replicate(simcall.load(pong_file(tmp_path)), replications=2, seed=3)
    chains = summary.revisit_chains()
    assert {run.replication for run, _ in chains} == {0, 1}
    section = ping_pong_html(summary)
    assert section.count("<li>") == len(chains)
    assert section.count('<tr class="back">') == sum(c.revisits for _, c in chains)
    assert f"All {len(chains)} chains" in section and "<details" in section
    assert "<script" not in section


def test_report_and_details_show_ping_pong_only_with_transfers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from simcall.report import build_report, html

    monkeypatch.setattr(html, "figures_html", lambda figures: "")  # no drawing: cheap
    pong = simcall.load(pong_file(tmp_path, "[targets]\nmax_revisit_rate = 0.05"))
    text = html.render(build_report(pong, replications=2, seed=3))
    page = Page(text)
    assert "at most 5% of answered calls sent back to a department they had left" in text
    assert [card.split()[1] for card in page.cards] == ["card-missed"]  # 40% go back
    assert page.sections.index("transfers") + 1 == page.sections.index("ping-pong")
    # per interval, per department, per caller type
    assert text.count('<th scope="col">sent back</th>') == 3
    quiet = simcall.load(pong_file(tmp_path, transfers=False))
    plain = html.render(build_report(quiet, replications=2, seed=3))
    assert "ping-pong" not in Page(plain).sections and "sent back" not in plain
    details = runner.invoke(app, ["run", str(pong_file(tmp_path)), "-r", "2", "--details"])
    assert details.exit_code == 0, details.output
    said = " ".join(details.output.split())  # the legend wraps at 80 columns
    assert "back: answered calls sent back" in said
    assert "answered calls sent back (ping-pong)" in said  # the KPI table's row
    plain_details = runner.invoke(app, ["run", str(pong_file(tmp_path, transfers=False)),
                                        "-r", "2", "--details"])
    assert plain_details.exit_code == 0, plain_details.output
    assert "back: answered calls" not in " ".join(plain_details.output.split())


def test_trace_lists_the_chains_after_the_timeline(tmp_path: Path) -> None:
    path = pong_file(tmp_path)
    result = runner.invoke(app, ["trace", str(path), "-n", "2", "--seed", "3"])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.index("timeline") < text.index("(ping-pong):")
    expected = simcall.simulate(simcall.load(path), seed=3).metrics.revisit_chains
    assert len(re.findall(r"^call \d+ \(c\), sent back", text, re.MULTILINE)) == len(expected)
    process = subprocess.run([sys.executable, "-m", "simcall", "trace", str(path), "-n", "2",
                              "--seed", "3"], capture_output=True, text=True, check=False,
                             cwd=ROOT)
    assert process.returncode == 0, process.stderr
    assert process.stdout == text


def test_bad_max_revisit_rate_exits_2_with_the_key_and_a_suggestion(tmp_path: Path) -> None:
    too_big = pong_file(tmp_path, "[targets]\nmax_revisit_rate = 1.5")
    result = runner.invoke(app, ["validate", str(too_big)])
    assert result.exit_code == 2
    assert "targets.max_revisit_rate: input should be less than or equal to 1, got 1.5" \
        in result.output
    misspelt = pong_file(tmp_path, "[targets]\nmax_revisit = 0.1")
    process = subprocess.run([sys.executable, "-m", "simcall", "validate", str(misspelt)],
                             capture_output=True, text=True, check=False, cwd=ROOT)
    assert process.returncode == 2
    assert "did you mean 'max_revisit_rate'?" in process.stdout + process.stderr
    assert "Traceback" not in process.stdout + process.stderr


def test_staff_refuses_a_revisit_target_staffing_cannot_meet(tmp_path: Path) -> None:
    # 40% of the calls answered in B go back to A whatever the staffing: at most 10% cannot
    # be met by more agents, and the search says so before searching
    path = pong_file(tmp_path, "[targets]\nmax_revisit_rate = 0.1")
    with pytest.raises(StaffingError, match=r"target revisit_rate <= 0\.1 is not met"):
        simcall.staff(simcall.load(path), replications=10, verify_replications=20)
