"""After printing and previewing, a marker resident's name, ID number and visit note are
in no log and no temporary file: the PDF handed to the system's viewer is removed when
the preview closes, and a crash's leftovers at the next start."""

from __future__ import annotations

import logging
import os
import tempfile
import time
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.logs import configure_logging, stop_logging
from station_desktop.services.paper import PRINT_FOLDER_PREFIX, print_folder, sweep_print_folders
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.print_preview import PrintPreviewDialog
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui

NAME = "次仁旺姆标记"
ID_NUMBER = "11010519491231002X"
NOTE = "屋顶漏雨标记"


def _every_byte_under(folder: Path) -> bytes:
    """The files' bytes, and their zlib streams inflated (a PDF's text is compressed)."""
    out = b""
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            out += data
            for start in range(len(data)):
                if data[start : start + 2] in (b"x\x9c", b"x\xda", b"x\x01"):
                    try:
                        out += zlib.decompressobj().decompress(data[start:])
                    except zlib.error:
                        continue
    return out


def _secrets() -> list[bytes]:
    texts = (NAME, ID_NUMBER, NOTE)
    return [t.encode("utf-8") for t in texts] + [t.encode("utf-16-be") for t in texts]


def test_printing_and_previewing_leave_no_personal_data_behind(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    logs = tmp_path / "logs"
    configure_logging(logs)
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    try:
        resident = app.residents.register(
            {"name_zh": NAME, "legal_basis": "statutory_duty", "id_number": ID_NUMBER}
        )
        app.visits.record(
            {
                "resident_id": resident,
                "visit_date": "2026-05-30",
                "visitor_ids": [station.worker_id],
                "outcome": "at_home",
                "purpose": "routine",
                "situation": NOTE,
            }
        )
        window = MainWindow(app, languages)
        qtbot.addWidget(window)
        window.show()
        window.nav.setCurrentRow(1)  # home visits
        QApplication.processEvents()
        window.record_pages[0].table.selectRow(0)
        job = window.print_selected()
        assert job is not None
        job.wait(30)
        qtbot.waitUntil(lambda: bool(window.findChildren(PrintPreviewDialog)), timeout=10_000)
        dialog = window.findChildren(PrintPreviewDialog)[-1]
        viewer_copy = dialog.open_in_viewer()
        assert opened == [str(viewer_copy)] and viewer_copy.exists()
        assert NAME in PdfReader(viewer_copy).pages[0].extract_text()  # a filled form
        logging.getLogger("station_desktop.test").error(
            "while printing %s %s: %s", NAME, ID_NUMBER, NOTE
        )
        dialog.close()
        QApplication.processEvents()
        assert not viewer_copy.exists()
        assert [p for p in temporary.iterdir() if p.name.startswith(PRINT_FOLDER_PREFIX)] == []
    finally:
        stop_logging()
    left = _every_byte_under(temporary) + _every_byte_under(logs)
    assert (logs / "station-desktop.log").exists()
    assert [s for s in _secrets() if s in left] == []


def test_a_crashs_viewer_files_are_removed_at_the_next_start(tmp_path: Path) -> None:
    old = print_folder(tmp_path)
    (old / "form.pdf").write_bytes(b"%PDF-1.4")
    young = print_folder(tmp_path)  # a copy of the program running on another data folder
    hour_ago = time.time() - 7200
    os.utime(old, (hour_ago, hour_ago))
    assert sweep_print_folders(tmp_path) == 1
    assert not old.exists() and young.exists()


def test_a_crash_logs_no_personal_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from station_desktop.ui.crash import crash_handler

    monkeypatch.setattr(QMessageBox, "exec", lambda self: 0)
    log = configure_logging(tmp_path / "logs")
    try:
        try:
            raise ValueError(f"cannot save {NAME} ({ID_NUMBER}): '{NOTE}' phone 137-6214-2223")
        except ValueError as error:
            crash_handler(lambda: None, log)(ValueError, error, error.__traceback__)
    finally:
        stop_logging()
    text = log.read_bytes()
    assert b"ValueError" in text and b"unexpected error" in text
    assert [s for s in [*_secrets(), b"137-6214-2223"] if s in text] == []
