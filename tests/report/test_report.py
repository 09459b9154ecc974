"""The HTML report: its sections, embedded images, verdicts that match the numbers, a browser."""

from __future__ import annotations

import base64
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simcall
from helpers import SCENARIOS
from simcall.cli import app

HELPDESK = SCENARIOS / "helpdesk.toml"
runner = CliRunner()


class Page(HTMLParser):
    """What the tests look at: section ids, images, links, scripts, classes of cells and cards."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections: list[str] = []
        self.images: list[str] = []
        self.links: list[str] = []
        self.scripts = 0
        self.cards: list[str] = []
        self.rows: list[list[tuple[str, str]]] = []  # per table row: (tag class, text)
        self._row: list[tuple[str, str]] | None = None
        self._cell: tuple[str, list[str]] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if tag == "section":
            self.sections.append(found.get("id", ""))
        elif tag == "img":
            self.images.append(found.get("src", ""))
        elif tag in ("a", "link"):
            self.links.append(found.get("href", ""))
        elif tag == "script":
            self.scripts += 1
        elif tag == "div" and "card" in found.get("class", "").split():
            self.cards.append(found["class"])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = (found.get("class", ""), [])

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append((self._cell[0], "".join(self._cell[1]).strip()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None


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
