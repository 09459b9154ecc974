"""The HTML report: its sections, embedded images, verdicts that match the numbers, a browser."""

from __future__ import annotations

import base64
import html
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS, Page
from simcall.cli import app

HELPDESK = SCENARIOS / "helpdesk.toml"
runner = CliRunner()


def _report(tmp_path: Path, *arguments: str, scenario: Path = HELPDESK) -> tuple[Path, Page]:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(scenario), "-r", "3", "-w", "1", "--out",
                                 str(out), *arguments])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return out, Page(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def helpdesk_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Page]:
    return _report(tmp_path_factory.mktemp("report"))


def test_sections_are_all_there(helpdesk_report: tuple[Path, Page]) -> None:
    _, page = helpdesk_report
    assert page.sections == ["verdict", "scenario", "kpis", "through-the-day", "waiting",
                             "transfers", "intervals", "departments", "provenance"]


def test_images_are_embedded_pngs_and_nothing_is_fetched(
        helpdesk_report: tuple[Path, Page]) -> None:
    path, page = helpdesk_report
    assert len(page.images) == 7  # 5 through the day, 2 on waiting; no transfers here
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.scripts == 0
    assert not [link for link in page.links if link.startswith(("http:", "https:", "//"))]
    assert "No department transfers" in path.read_text()


def test_verdicts_match_the_numbers(helpdesk_report: tuple[Path, Page]) -> None:
    path, page = helpdesk_report
    summary = simcall.replicate(simcall.load(HELPDESK), 3)
    expected = [("partly" if t.intervals_failed else "met") if t.met else "missed"
                for t in summary.targets]
    assert [c.split()[1].removeprefix("card-") for c in page.cards] == expected
    text = path.read_text()
    met = sum(1 for t in summary.targets if t.met)
    assert f"{met} of {len(summary.targets)} targets met over the day" in text
    interval_rows = [row for row in page.rows if row and row[0][1] in
                     {summary.scenario.interval_label(k) for k in range(16)}]
    assert len(interval_rows) == 16
    failed = {t.goal.kpi: set(t.intervals_failed) for t in summary.targets}
    sl_column = 3  # interval, calls offered, agents on duty, service level
    for row in interval_rows:
        css, shown = row[sl_column]
        assert shown.endswith("%")
        assert ("missed" in css) == (row[0][1] in failed["service_level"])


def test_provenance_is_in_the_report(helpdesk_report: tuple[Path, Page]) -> None:
    from simcall.results.provenance import scenario_hash

    text = helpdesk_report[0].read_text()
    assert scenario_hash(simcall.load(HELPDESK)) in text
    assert f"simcall report {HELPDESK} --out" in text
    assert simcall.__version__ in text


def test_comparison_and_staffing_sections(tmp_path: Path) -> None:
    short = tmp_path / "short.toml"
    short.write_text(HELPDESK.read_text().replace("intervals = 16", "intervals = 4"))
    more = tmp_path / "more.toml"
    more.write_text(short.read_text().replace('name = "helpdesk"', 'name = "eleven"')
                    .replace("staff = 10 ", "staff = 11 "))
    _, page = _report(tmp_path, "--compare", str(more), "--staff", scenario=short)
    assert "comparison" in page.sections and "staffing" in page.sections
    plan_rows = [row for row in page.rows if row and row[0][1] == "agent-hours"]
    assert len(plan_rows) == 1
    staffed = simcall.staff(simcall.load(short), seed=1)
    assert [cell for _, cell in plan_rows[0][1:4]] == [
        f"{staffed.agent_hours(which):g}" for which in ("erlang_c", "erlang_a", "plan")]


def test_a_rostered_staffing_section_shows_the_roster_and_its_chart(tmp_path: Path) -> None:
    """``--staff --shifts``: the table gains the rostered agents per interval and the paid
    hours, the roster is listed shift by shift, and the requirement chart is drawn."""
    short = tmp_path / "short.toml"
    short.write_text(HELPDESK.read_text().replace("intervals = 16", "intervals = 4"))
    _, page = _report(tmp_path, "--staff", "--shifts", "2h,1h", scenario=short)
    staffed = simcall.staff(simcall.load(short), seed=1, shifts="2h,1h")
    (end,) = [i for i, row in enumerate(page.rows) if row and row[0][1] == "agent-hours"]
    assert page.rows[end][4][1] == f"{staffed.paid_hours():g} paid"
    intervals = page.rows[end - len(staffed.labels):end]  # the staffing table's rows
    for k, (label, row) in enumerate(zip(staffed.labels, intervals, strict=True)):
        assert row[0][1] == label
        assert row[4][1] == f"{staffed.coverage(staffed.groups[0], k):g}"
    shifts = [row for row in page.rows if len(row) == 6 and row[0][1] == "support team"]
    assert sum(int(row[4][1]) for row in shifts) == staffed.rosters["support team"].agents
    assert len(page.images) >= 2


def test_report_shifts_need_staff(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(HELPDESK), "--out", str(tmp_path / "r.html"),
                                 "--shifts", "8h"])
    assert result.exit_code == 2 and "--shifts: only with --staff" in result.output
    assert not (tmp_path / "r.html").exists()


def test_report_mistakes(tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(HELPDESK), "--out", str(tmp_path / "r.txt")])
    assert result.exit_code == 2 and "a report is an .html file" in result.output
    result = runner.invoke(app, ["report", str(HELPDESK), "--out",
                                 str(tmp_path / "nowhere" / "r.html")])
    assert result.exit_code == 2 and "does not exist" in result.output


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_a_real_browser_renders_the_report(helpdesk_report: tuple[Path, Page],
                                            tmp_path: Path) -> None:
    """Headless Chromium draws the page; the screenshot has text and figures, not a blank."""
    from PIL import Image, ImageStat

    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'ud'}",
                    "--hide-scrollbars", "--window-size=1280,2400",
                    f"--screenshot={shot}", helpdesk_report[0].as_uri()],
                   check=True, capture_output=True, timeout=120)
    image = Image.open(shot).convert("L")
    assert image.size == (1280, 2400)
    stats = ImageStat.Stat(image)
    assert stats.stddev[0] > 20  # not one flat colour
    dark = sum(image.histogram()[:128]) / (image.size[0] * image.size[1])
    assert 0.005 < dark < 0.5  # text and lines, on a light page


# -- the back-test section -----------------------------------------------------------------


def _fit_json(tmp_path: Path, scenario: dict[str, object] | None = None) -> Path:
    """A fit's JSON with a back-test of 4 hours made from synthetic tallies."""
    import json

    import numpy as np

    from simcall.fit.backtesting import Backtest, Tallies

    def tallies(days: int, seed: int, calls: float) -> Tallies:
        rng = np.random.default_rng(seed)
        offered = rng.poisson(calls, size=(days, 4)).astype(float)
        answered = np.floor(offered * rng.uniform(0.6, 0.9, offered.shape))
        return Tallies(offered, answered, offered - answered, np.floor(answered * 0.7),
                       answered * 30.0)

    result = Backtest.compare(tallies(10, 1, 50.0), tallies(20, 2, 56.0), 8 * 3600, 3600, 3)
    path = tmp_path / "fit.json"
    document: dict[str, object] = {"backtest": result.to_dict()}
    if scenario is not None:
        document["scenario"] = scenario
    path.write_text(json.dumps(document))
    return path


def test_a_back_test_adds_its_section_with_verdict_figure_and_table(tmp_path: Path) -> None:
    import json
    import tomllib

    short = tmp_path / "short.toml"
    short.write_text(HELPDESK.read_text().replace("intervals = 16", "intervals = 4"))
    fit = _fit_json(tmp_path, tomllib.loads(short.read_text()))
    path, page = _report(tmp_path, "--backtest", str(fit), scenario=short)
    assert page.sections[-3:] == ["departments", "backtest", "provenance"]
    text = path.read_text()
    section = text[text.index('<section id="backtest">'):text.index('<section id="provenance">')]
    assert "Back-test against the call log" in section
    document = json.loads(fit.read_text())["backtest"]
    for line in document["verdict"]:
        assert html.escape(line) in section
    assert section.count("data:image/png;base64,") == 1  # the four panels, one image
    assert "the one this report simulates" in section
    rows = [row for row in page.rows if row and row[0][1] in {"08:00", "09:00", "10:00",
                                                                "11:00"}]
    rows = rows[-4:]  # the back-test table comes after the interval table
    by = {(r["figure"], r["interval"]): r for r in document["rows"]}
    figures = ("arrivals", "abandon_rate", "asa_s", "service_level")
    for k, row in enumerate(rows):
        assert len(row) == 1 + 3 * len(figures)
        for f, figure in enumerate(figures):
            css, shown = row[3 + 3 * f]
            inside = by[figure, k]["inside"]
            assert shown == ("yes" if inside else "no")
            assert css == ("met" if inside else "missed")
        assert row[2][1] == f"{by['arrivals', k]['simulated']:.0f}"
    totals = [row for row in page.rows if row and row[0][1] == "intervals"]
    assert [cell for _, cell in totals[-1][1:]] == [
        f"{document['matches'][f]} of 4 inside" for f in figures]


def test_a_back_test_of_another_scenario_says_so(tmp_path: Path) -> None:
    import tomllib

    short = tmp_path / "short.toml"
    short.write_text(HELPDESK.read_text().replace("intervals = 16", "intervals = 4"))
    other = tomllib.loads(short.read_text().replace('name = "helpdesk"', 'name = "fitted"'))
    path, page = _report(tmp_path, "--backtest", str(_fit_json(tmp_path, other)),
                         scenario=short)
    assert "backtest" in page.sections
    assert "not of the one this report simulates" in " ".join(path.read_text().split())


def test_report_backtest_needs_a_back_test(tmp_path: Path) -> None:
    """A run result (no "backtest" key) stops the report before anything is simulated."""
    import json

    run = tmp_path / "run.json"
    run.write_text(json.dumps({"scenario": "helpdesk", "replications": 2}))
    result = runner.invoke(app, ["report", str(HELPDESK), "--out", str(tmp_path / "r.html"),
                                 "--backtest", str(run)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    said = " ".join(result.output.split())
    assert "no back-test" in said and "simcall fit LOG --check --json fit.json" in said
    assert not (tmp_path / "r.html").exists()
