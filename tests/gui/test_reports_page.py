"""The Reports page over real services: figures computed on a worker thread and shown in
the interface language, a live language switch, saving a spreadsheet, printing the report,
refused periods.

Data set (stations CG-BK and CG-GD; the clock says 2026-06-01):

    R1  male, born 1946, dibao since 2024      R2  female, born 1990, no group
    CG-BK: visit R1 2026-03-05 at home; visit R2 2026-04-10 nobody home;
           visit R1 2026-04-20 at home; receipt 2026-03-02, 4 × ¥120.00;
           hand-out to R1 2026-03-05, 1 × ¥120
    CG-GD: visit R2 2026-05-01 at home

For March to May: 4 visits (1, 2, 1 a month), 2 people served (R1 dibao, R2 in no group),
¥480.00 received, ¥120.00 handed out.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QEvent, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.domain.codes import AreaKind, StaffRole, StationKind
from station_desktop.errors import NotFound
from station_desktop.forms.validate import MSG_BAD_DATE, MSG_REQUIRED
from station_desktop.i18n import N_, Label, _
from station_desktop.pdf.page import PaperTexts
from station_desktop.reports import tables
from station_desktop.reports.figures import Report, ReportPeriod, Trend
from station_desktop.services import report_export
from station_desktop.services.access import Actor
from station_desktop.services.stations import StationInfo
from station_desktop.ui import reports_page
from station_desktop.ui.charts import Bar, BarChart, ShareChart, nice_step
from station_desktop.ui.fonts import text_line_height
from station_desktop.ui.forms.fields import date_example
from station_desktop.ui.print_preview import PrintPreviewDialog
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.reports_page import FigureTable, ReportsPage
from tests.conftest import FakeClock, StationSetup
from tests.gui.conftest import answer_message_boxes, type_text

pytestmark = pytest.mark.gui

SPRING = ("2026-03-01", "2026-05-31")


def _visit(app: Application, resident: uuid.UUID, day: str, outcome: str, staff: uuid.UUID) -> None:
    app.visits.record(
        {
            "resident_id": resident,
            "visit_date": day,
            "visitor_ids": [staff],
            "outcome": outcome,
            "purpose": "routine",
        }
    )


@pytest.fixture
def data(app: Application, station: StationSetup) -> None:
    worker = station.worker_id
    r1 = app.residents.register(
        {"name_zh": "甲", "sex": "male", "birth_date": "1946-03-31", "legal_basis": "consent"}
    )
    r2 = app.residents.register(
        {"name_zh": "乙", "sex": "female", "birth_date": "1990-05-05", "legal_basis": "consent"}
    )
    app.residents.add_membership(r1, {"group": "dibao", "start_date": "2024-01-01"})
    _visit(app, r1, "2026-03-05", "at_home", worker)
    _visit(app, r2, "2026-04-10", "nobody_home", worker)
    _visit(app, r1, "2026-04-20", "at_home", worker)
    receipt = app.resources.record_receipt(
        {
            "received_on": "2026-03-02",
            "donor_name": "企业",
            "donor_type": "enterprise",
            "kind": "goods",
            "item": "坐便椅",
            "quantity": 4,
            "unit_value": "120.00",
        }
    )
    app.resources.record_handout(
        {
            "resident_id": r1,
            "handed_on": "2026-03-05",
            "receipt_id": receipt,
            "kind": "goods",
            "item": "坐便椅",
            "quantity": 1,
            "unit_value": "120",
        }
    )
    app.stations.add_station(StationInfo("CG-GD", StationKind.STREET_OFFICE, "", "公德林街道"))
    app.stations.use_station("CG-GD")
    app.stations.add_area("CG-GD-01", AreaKind.COMMUNITY, "", "社区")
    worker_b = app.stations.add_staff("", "次仁", StaffRole.SOCIAL_WORKER)
    _visit(app, r2, "2026-05-01", "at_home", worker_b)
    # Both stations' figures are the bureau's to read (a station's people get their own).
    app.ctx.actor = Actor(None, StaffRole.BUREAU_ADMIN, None)


@pytest.fixture
def page(
    app: Application, data: None, languages: LanguageSwitcher, qtbot: QtBot
) -> Iterator[ReportsPage]:
    widget = ReportsPage(app, languages)
    qtbot.addWidget(widget)
    widget.resize(1200, 760)
    widget.show()
    yield widget
    widget.cancel_work()  # no worker may outlive the store


def _set_period(page: ReportsPage, start: str, end: str) -> None:
    page.start_edit.setText(start)
    page.end_edit.setText(end)


def _compute(page: ReportsPage, qtbot: QtBot, start: str = SPRING[0], end: str = SPRING[1]) -> None:
    _set_period(page, start, end)
    assert page.compute()
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)


def _row(table: FigureTable, label: str) -> list[str]:
    for r in range(table.rowCount()):
        if table.text(r, 0) == label:
            return [table.text(r, c) for c in range(table.columnCount())]
    raise AssertionError(
        f"no row {label!r} in {[table.text(r, 0) for r in range(table.rowCount())]}"
    )


def test_the_period_starts_as_this_year_and_every_station_is_ticked(page: ReportsPage) -> None:
    assert (page.start_edit.text(), page.end_edit.text()) == ("2026-01-01", "2026-12-31")
    assert page.station_list.count() == 2
    assert page.selected_codes() is None  # all of them: the report takes every station
    assert page.report is None and not page.save_button.isEnabled()
    assert not page.print_button.isEnabled()


def test_computes_and_shows_the_figures(page: ReportsPage, qtbot: QtBot) -> None:
    _compute(page, qtbot)
    report = page.report
    assert report is not None and report.stations == ("CG-BK", "CG-GD")
    summary = page.tables["summary"]
    assert _row(summary, _(tables.F_PEOPLE))[1] == "2"
    assert _row(summary, _(tables.F_VISITS))[1] == "4"
    assert _row(summary, _(tables.F_VALUE_RECEIVED))[1] == "¥480.00"
    assert _row(summary, _(tables.F_VALUE_HANDED_OUT))[1] == "¥120.00"
    visits = page.tables["home_visits"]
    assert _row(visits, "在家")[1:] == ["3", "2"]  # outcome labels in Chinese
    assert _row(visits, _(tables.TOTAL))[1:] == ["4", "2"]  # R1, R2: no household
    stations = page.tables["stations"]
    assert _row(stations, "CG-BK")[1:5] == ["八廓街道", "1", "3", "3"]
    assert _row(stations, _(tables.ALL_STATIONS))[2] == "2"  # R2 counted once
    # The trend: visits per month, on the chart and as data.
    assert [b.value for b in page.trend_chart.bars()] == [1, 2, 1]
    assert [b.label for b in page.trend_chart.bars()] == ["3月", "4月", "5月"]
    groups = {b.label: b.value for b in page.group_chart.bars()}
    assert groups["低保对象"] == 1 and groups[_(tables.NO_PRIORITY_GROUP)] == 1
    assert page.trend_chart.accessibleName() and page.group_chart.accessibleDescription()
    assert page.save_button.isEnabled() and not page.progress.isVisible()
    assert page.print_button.isEnabled()


def test_the_trend_is_one_call_not_a_report_per_month(
    page: ReportsPage, app: Application, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed: list[ReportPeriod] = []
    trended: list[ReportPeriod] = []
    real_compute, real_trend = app.reports.compute, app.reports.trend

    def compute(period: ReportPeriod, codes: Any = None) -> Report:
        computed.append(period)
        return real_compute(period, codes)

    def trend(period: ReportPeriod, codes: Any = None) -> Trend:
        trended.append(period)
        return real_trend(period, codes)

    monkeypatch.setattr(app.reports, "compute", compute)
    monkeypatch.setattr(app.reports, "trend", trend)
    _compute(page, qtbot, "2026-02-15", "2026-05-31")
    spring = ReportPeriod(date(2026, 2, 15), date(2026, 5, 31))
    assert computed == [spring] and trended == [spring]
    bars = page.trend_chart.bars()
    # February from the 15th (nothing), March 1, April 2 (one nobody home), May 1.
    assert [(b.label, b.value, b.value_text) for b in bars] == [
        ("2月", 0, "0"),
        ("3月", 1, "1"),
        ("4月", 2, "2"),
        ("5月", 1, "1"),
    ]


def test_one_station_only(page: ReportsPage, qtbot: QtBot) -> None:
    page.select_none_button.click()
    item = page.station_list.item(1)
    assert item is not None
    item.setCheckState(Qt.CheckState.Checked)
    assert page.selected_codes() == ["CG-GD"]
    _compute(page, qtbot)
    assert page.report is not None and page.report.stations == ("CG-GD",)
    assert _row(page.tables["summary"], _(tables.F_VISITS))[1] == "1"


def test_the_worker_does_not_block_the_page(
    page: ReportsPage, app: Application, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    threads: list[int] = []
    real, real_trend = app.reports.compute, app.reports.trend

    def slow(period: ReportPeriod, codes: Any = None) -> Report:
        threads.append(threading.get_ident())
        assert gate.wait(10), "the test never let the worker go on"
        return real(period, codes)

    def trend(period: ReportPeriod, codes: Any = None) -> Trend:
        threads.append(threading.get_ident())
        return real_trend(period, codes)

    monkeypatch.setattr(app.reports, "compute", slow)
    monkeypatch.setattr(app.reports, "trend", trend)
    # The whole current year: the months after today (June) are not asked for.
    assert page.compute()
    assert page.busy and page.progress.isVisible() and page.report is None
    qtbot.waitUntil(lambda: bool(threads), timeout=2000)
    # The event loop runs while the worker waits: typing reaches the field.
    page.start_edit.clear()
    type_text(page.start_edit, "2026-01-01")
    qtbot.wait(50)
    assert page.start_edit.text() == "2026-01-01" and page.busy
    assert page.status_label.text() == _(reports_page.MSG_COMPUTING)
    assert page.status_label.isVisible() and not page.message_label.isVisible()
    gate.set()
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)
    assert threading.get_ident() not in threads
    assert len(threads) == 2  # the report of the year, then its trend
    bars = page.trend_chart.bars()
    assert [b.value for b in bars[:6]] == [0, 0, 1, 2, 1, 0] and len(bars) == 12
    assert all(b.value_text == "" for b in bars[6:])  # the future: no number shown
    assert not page.message_label.isVisible() and not page.status_label.isVisible()


def test_a_new_request_drops_the_answers_to_the_old_one(
    page: ReportsPage, app: Application, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    real = app.reports.compute

    def slow(period: ReportPeriod, codes: Any = None) -> Report:
        gate.wait(10)
        return real(period, codes)

    monkeypatch.setattr(app.reports, "compute", slow)
    _set_period(page, "2026-01-01", "2026-12-31")
    assert page.compute()
    _set_period(page, *SPRING)
    assert page.compute()
    gate.set()
    qtbot.waitUntil(lambda: not page.busy, timeout=10_000)
    assert page.report is not None and page.report.period == ReportPeriod(
        date(2026, 3, 1), date(2026, 5, 31)
    )
    assert len(page.trend_chart.bars()) == 3


def test_switching_language_relabels_and_keeps_the_numbers(
    page: ReportsPage, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    _compute(page, qtbot)
    visits = page.tables["home_visits"]
    numbers = [visits.text(r, 1) for r in range(visits.rowCount())]
    header = visits.header_text(0)
    assert header == "探访结果"
    languages.switch("bo")
    qtbot.waitUntil(lambda: visits.header_text(0) != header, timeout=2000)
    assert any("\u0f00" <= ch <= "\u0fff" for ch in visits.header_text(0))
    assert any("\u0f00" <= ch <= "\u0fff" for ch in visits.text(0, 0))  # "at home"
    assert [visits.text(r, 1) for r in range(visits.rowCount())] == numbers
    # The charts and the station list follow; the Tibetan station name is used.
    assert any("\u0f00" <= ch <= "\u0fff" for ch in page.group_chart.bars()[1].label)
    assert page.trend_chart.bars()[0].label == "ཟླ་3"
    first = page.station_list.item(0)
    assert first is not None and "བར་སྐོར" in first.text()
    # Rows are tall enough for Tibetan stacks.
    assert visits.rowHeight(0) >= text_line_height(visits.font())
    assert page.group_chart.row_height() >= text_line_height(page.group_chart.font())
    languages.switch("zh_CN")
    qtbot.waitUntil(lambda: visits.header_text(0) == header, timeout=2000)
    assert [visits.text(r, 1) for r in range(visits.rowCount())] == numbers


def test_save_as_spreadsheet(
    page: ReportsPage, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _compute(page, qtbot)
    asked: list[tuple[Any, ...]] = []

    def choose(*args: Any, **kwargs: Any) -> tuple[str, str]:
        asked.append(args)
        return str(tmp_path / "spring"), "*.xlsx"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", choose)
    assert page.save_spreadsheet()
    saved = tmp_path / "spring.xlsx"  # the extension is added
    qtbot.waitUntil(lambda: page.message_label.text() == _(reports_page.MSG_SAVED, path=str(saved)))
    assert asked and str(asked[0][2]).endswith("report-2026-03-01-2026-05-31.xlsx")
    book = load_workbook(saved)
    summary = book.worksheets[1]  # after the headline
    values = {
        row[0].value: row[1].value
        for row in summary.iter_rows(min_row=report_export.HEADER_ROW + 1)
    }
    assert values[report_export.bilingual(page._catalogues, tables.Msg(tables.F_VISITS))] == 4
    stations = book.worksheets[-1]
    assert stations.cell(report_export.HEADER_ROW + 1, 2).value == "བར་སྐོར་ཁྲོམ་གཞུང་། / 八廓街道"
    qtbot.waitUntil(page.save_button.isEnabled)  # again, once the save is over


def test_a_failed_save_is_explained(
    page: ReportsPage, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _compute(page, qtbot)
    missing = tmp_path / "no-such-stick" / "report.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(missing), ""))
    assert page.save_spreadsheet()
    qtbot.waitUntil(
        lambda: page.message_label.isVisible() and str(missing) in page.message_label.text()
    )
    assert not missing.exists()


def test_print_the_report(
    page: ReportsPage, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert page.print_report() is None  # nothing computed yet
    _compute(page, qtbot)
    job = page.print_report()
    assert job is not None
    job.wait(60)
    qtbot.waitUntil(lambda: bool(page.findChildren(PrintPreviewDialog)), timeout=10_000)
    dialog = page.findChildren(PrintPreviewDialog)[-1]
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready, timeout=5000)
    assert dialog.document.pageCount() == dialog.pdf.pages >= 2
    target = tmp_path / "report.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert dialog.save_as() == target
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(target).pages)
    for title in PaperTexts().both(tables.REPORT_TITLE):
        assert title in text
    assert "八廓街道" in text and "公德林街道" in text  # the per-station table
    assert "¥480.00" in text
    dialog.close()
    dialog.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_cancelling_the_file_dialog_saves_nothing(
    page: ReportsPage, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    _compute(page, qtbot)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    assert not page.save_spreadsheet()


def test_a_period_that_ends_before_it_starts_is_refused(
    page: ReportsPage, app: Application, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    monkeypatch.setattr(app.reports, "compute", lambda *a, **k: calls.append(a))
    _set_period(page, "2026-05-31", "2026-03-01")
    assert not page.compute()
    assert page.end_error.isVisible() and page.end_error.text() == _(reports_page.MSG_PERIOD_ORDER)
    assert not page.start_error.isVisible()
    assert page.end_edit.accessibleDescription() == page.end_error.text()
    assert not page.busy
    QApplication.processEvents()
    assert calls == [] and page.report is None

    _set_period(page, "2026-13-01", "")
    assert not page.compute()
    example = date_example(page._formats)
    assert page.start_error.text() == _(MSG_BAD_DATE, example=example)
    assert page.end_error.text() == _(MSG_REQUIRED)

    # Fixed: the messages go.
    _set_period(page, "2026年3月1日", "2026ལོའི་ཟླ་5ཚེས་31ཉིན")
    page.select_none_button.click()
    assert not page.compute()
    assert not page.end_error.isVisible() and page.station_error.isVisible()
    assert calls == []


def test_an_expected_problem_is_shown_not_raised(
    page: ReportsPage, app: Application, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    def gone(*args: object, **kwargs: object) -> Report:
        raise NotFound(kind=Label(N_("station")), record_id="CG-GD")

    monkeypatch.setattr(app.reports, "compute", gone)
    _compute(page, qtbot)
    assert page.message_label.isVisible()
    assert page.message_label.text() == "未找到记录：社工站 CG-GD。"
    assert page.report is None and not page.save_button.isEnabled()


# ---------------------------------------------------------------- pieces


def test_axis_steps_are_round() -> None:
    assert [nice_step(v) for v in (0, 3, 37, 74, 420, 9000)] == [1, 1, 10, 20, 200, 5000]


@pytest.mark.parametrize("language", ["zh_CN", "bo"])
def test_charts_paint_and_fit_their_texts(
    languages: LanguageSwitcher, qtbot: QtBot, language: str
) -> None:
    languages.switch(language)
    QApplication.processEvents()
    bars = BarChart()
    shares = ShareChart()
    for chart in (bars, shares):
        qtbot.addWidget(chart)
        chart.set_empty_text("—")
        chart.resize(400, 300)
        assert not chart.grab().isNull()  # the empty chart paints too
    label = "ཁྱིམ་ཚང་དུ་བཅར་འདྲི" if language == "bo" else "入户探访"
    bars.set_bars([Bar(label, 3.0, "3", "2026"), Bar(label, None), Bar(label, 0.0, "")])
    shares.set_bars([Bar(label * 3, 5.0, "5 · 50%"), Bar(label, 0.0, "0 · 0%")])
    if language == "bo":  # Tibetan texts get the tall line, whatever font comes first
        assert shares.minimumSizeHint().height() >= 2 * text_line_height(shares.font())
        assert bars.minimumSizeHint().height() >= 3 * text_line_height(bars.font())
    for chart in (bars, shares):
        assert not chart.grab().isNull()
    assert "5 · 50%" in shares.accessibleDescription()


def test_mark_as_submitted_then_see_what_changed_since(
    page: ReportsPage,
    app: Application,
    station: StationSetup,
    qtbot: QtBot,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = answer_message_boxes(monkeypatch, reply=QMessageBox.StandardButton.Yes)
    assert not page.mark_submitted()  # nothing computed yet
    _compute(page, qtbot)
    assert page.revision_box.isHidden()  # never submitted
    assert page.submit_button.isEnabled() and page.mark_submitted()
    when = page._formats.date(app.ctx.today())
    kept = _(reports_page.MSG_SUBMITTED_NOW, date=when)
    qtbot.waitUntil(lambda: page.message_label.text() == kept, timeout=20_000)
    assert answers.asked == [_(reports_page.MSG_SUBMIT_QUESTION)]
    assert not page.revision_box.isHidden()
    assert page.revision_label.text() == _(reports_page.MSG_SUBMITTED_SAME, date=when)
    assert page.tables["changed_since_submitted"].isHidden()

    clock.advance(days=2)  # a visit of March typed in afterwards, by A's head (甲 is A's)
    app.ctx.actor = Actor(station.head_id, StaffRole.STATION_HEAD, station.station_id)
    [first] = app.residents.search("甲")
    _visit(app, first.id, "2026-03-06", "at_home", station.worker_id)
    app.ctx.actor = Actor(None, StaffRole.BUREAU_ADMIN, None)  # the bureau reads again
    _compute(page, qtbot)
    changed = page.tables["changed_since_submitted"]
    assert not changed.isHidden() and changed.rowCount() > 0
    count = page._formats.number(changed.rowCount())
    assert page.revision_label.text() == _(
        reports_page.MSG_SUBMITTED_CHANGED, date=when, count=count
    )
    headline = _("Headline figures")
    assert changed.text(0, 0).startswith(headline)  # the headline first
    why = page.tables["why_changed"]
    assert [why.text(0, c) for c in range(3)] == [
        _("Home visit"),
        _("Recorded after it was submitted"),
        "1",
    ]
    job = page.open_submitted_pdf()
    assert job is not None
    job.wait(60)
    qtbot.waitUntil(lambda: bool(page.findChildren(PrintPreviewDialog)), timeout=10_000)
    dialog = page.findChildren(PrintPreviewDialog)[-1]
    assert dialog.pdf.data == page._submitted.pdf(page._submitted.submitted()[0].id)
    dialog.close()
    dialog.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
