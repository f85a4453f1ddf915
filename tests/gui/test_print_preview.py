"""Printing from the window: the preview shows the record's form; it can be saved and
printed; blank feedback sheets by count."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.pdf.page import RenderedPdf
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.print_preview import PrintPreviewDialog
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui


@pytest.fixture
def window(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> MainWindow:
    resident = app.residents.register(
        {"name_bo": "བསྒྲུབས་རྒྱལ་", "name_zh": "王堃", "legal_basis": "statutory_duty"}
    )
    app.visits.record(
        {
            "resident_id": resident,
            "visit_date": "2026-05-30",
            "visitor_ids": [station.worker_id],
            "outcome": "at_home",
            "purpose": "routine",
            "situation": "གནས་ཚུལ་བཟང་། 情况良好",
        }
    )
    main = MainWindow(app, languages)
    qtbot.addWidget(main)
    main.show()
    return main


def _preview(window: MainWindow, qtbot: QtBot) -> PrintPreviewDialog:
    qtbot.waitUntil(lambda: bool(window.findChildren(PrintPreviewDialog)), timeout=10_000)
    dialog = window.findChildren(PrintPreviewDialog)[-1]
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready, timeout=5000)
    return dialog


def test_the_selected_visit_is_previewed_saved_and_printed(
    window: MainWindow, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.nav.setCurrentRow(1)  # home visits
    QApplication.processEvents()
    window.record_pages[0].table.selectRow(0)
    job = window.print_selected()
    assert job is not None
    job.wait(30)
    dialog = _preview(window, qtbot)
    assert dialog.document.pageCount() == dialog.pdf.pages >= 1
    target = tmp_path / "visit.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert dialog.save_as() == target
    text = PdfReader(target).pages[0].extract_text()
    assert "王堃" in text and "入户探访记录" in text
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert dialog.print_document(printer)
    assert len(PdfReader(tmp_path / "printed.pdf").pages) == dialog.pdf.pages
    dialog.close()


def test_blank_feedback_sheets_by_count(window: MainWindow, qtbot: QtBot) -> None:
    job = window.print_blank_feedback(3)
    assert job is not None
    job.wait(30)
    dialog = _preview(window, qtbot)
    assert dialog.document.pageCount() == 6 and dialog.pdf.duplex  # 3 sheets, both sides
    dialog.close()


def test_nothing_selected_is_explained(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: said.append(a[2]) or 0)
    window.nav.setCurrentRow(0)  # residents: no printed form for a resident yet
    assert window.print_selected() is None
    assert said


def test_visit_pack_from_the_print_menu(
    window: MainWindow,
    app: Application,
    station: StationSetup,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("次仁", "格桑"):
        resident = app.residents.register(
            {"name_zh": name, "area_id": station.area_id, "legal_basis": "statutory_duty"}
        )
        app.residents.add_membership(resident, {"group": "dibao", "start_date": "2024-01-01"})
    choice = window.print_visit_pack()
    assert choice.isVisible()
    assert choice.make() is None  # no village chosen: said beside the field
    assert [e.field for e in choice.editor.errors()] == ["area_id"]
    assert choice.isVisible()
    choice.editor.set_values({"area_id": str(station.area_id)})
    job = choice.make()
    assert job is not None
    job.wait(30)
    dialog = _preview(window, qtbot)
    target = tmp_path / "pack.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    assert dialog.save_as() == target
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "次仁" in text and "格桑" in text
    dialog.close()


def test_cancel_stops_a_long_batch(window: MainWindow, app: Application, qtbot: QtBot) -> None:
    from station_desktop.ui.print_preview import preview_batch

    forms = app.printing.blank_sheets("feedback", 200)
    heard: list[int] = []

    connected = threading.Event()  # the worker waits until the test listens

    def produce(progress: Callable[[int], None]) -> RenderedPdf:
        connected.wait(10)
        return app.printing.render(forms, progress=progress)

    def press_cancel(number: int) -> None:
        heard.append(number)
        job.cancel()

    job = preview_batch(window, produce, "many.pdf", forms=len(forms))
    # Directly in the worker: the reader presses Cancel just as the first form begins.
    job.progressed.connect(press_cancel, Qt.ConnectionType.DirectConnection)
    connected.set()
    with qtbot.waitSignal(job.stopped, timeout=30_000):
        pass
    job.wait(5)
    assert not job.is_running()
    assert heard == [1]  # form 2 never began: the other 199 were not laid out
    QApplication.processEvents()
    assert not window.findChildren(PrintPreviewDialog)


def test_on_the_resources_page_only_hand_outs_print(
    window: MainWindow,
    app: Application,
    station: StationSetup,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    receipt = app.resources.record_receipt(
        {
            "received_on": "2026-05-01",
            "donor_name": "爱心企业",
            "donor_type": "enterprise",
            "kind": "goods",
            "item": "坐便椅",
            "quantity": 2,
            "unit_value": "120.00",
        }
    )
    app.resources.record_handout(
        {
            "resident_id": app.residents.search("王堃")[0].id,
            "handed_on": "2026-05-02",
            "receipt_id": receipt,
            "kind": "goods",
            "item": "坐便椅",
            "quantity": 1,
            "unit_value": "120",
        }
    )
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: said.append(a[2]) or 0)
    page = window.record_pages[4]  # resources
    window.nav.setCurrentRow(window.pages.indexOf(page))
    page.refresh()
    rows = [page.table.record(r) for r in range(page.table.rowCount())]
    directions = [row["direction"] for row in rows if row is not None]
    page.table.selectRow(directions.index("received"))
    assert window.print_selected() is None and said  # a donation has no printed form
    page.table.selectRow(directions.index("handed_out"))
    job = window.print_selected()
    assert job is not None
    job.wait(30)
    dialog = _preview(window, qtbot)
    assert "坐便椅" in PdfReader(io.BytesIO(dialog.pdf.data)).pages[0].extract_text()
    dialog.close()
