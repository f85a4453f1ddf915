"""The Privacy menu: the access report of the selected resident in the print preview, and
the purge dialog that lists what it will empty and empties it only when told to."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.store.models import HomeVisit
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.print_preview import PrintPreviewDialog
from station_desktop.ui.privacy import PurgeDialog
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui

SHOTS = os.environ.get("STATION_DESKTOP_SHOTS")  # a folder: keep screenshots to look at


@pytest.fixture
def window(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> MainWindow:
    resident = app.residents.register(
        {"name_bo": "བསྒྲུབས་རྒྱལ་", "name_zh": "王堃", "legal_basis": "consent"}
    )
    for day, text in (("2019-05-30", "屋顶漏雨"), ("2022-01-10", "ཁང་པ་ཉམས་པ།")):
        app.visits.record(
            {
                "resident_id": resident,
                "visit_date": day,
                "visitor_ids": [station.worker_id],
                "outcome": "at_home",
                "purpose": "routine",
                "situation": text,
                "needs": "需要取暖设备",
            }
        )
    main = MainWindow(app, languages)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    main.show()
    return main


def test_the_access_report_of_the_selected_resident_is_previewed(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: said.append(a[2]) or 0)
    window.nav.setCurrentRow(1)  # not the residents list
    assert window.privacy_menu.print_access_report() is None and said
    window.nav.setCurrentRow(0)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: window.residents_page.model.rowCount() == 1, timeout=5000)
    window.residents_page.table.selectRow(0)
    job = window.privacy_menu.print_access_report()
    assert job is not None
    job.wait(30)
    qtbot.waitUntil(lambda: bool(window.findChildren(PrintPreviewDialog)), timeout=10_000)
    dialog = window.findChildren(PrintPreviewDialog)[-1]
    qtbot.waitUntil(lambda: dialog.document.status() == QPdfDocument.Status.Ready, timeout=5000)
    assert dialog.document.pageCount() >= 3  # PA-01, then the two visits
    dialog.close()


@pytest.mark.parametrize("language", ["bo", "zh_CN"])
def test_the_purge_lists_what_it_empties_and_asks_first(
    window: MainWindow,
    app: Application,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    languages.switch(language)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: told.append(a[2]) or 0)
    dialog = window.privacy_menu.open_purge()
    assert isinstance(dialog, PurgeDialog)
    qtbot.waitExposed(dialog)
    assert dialog.table.rowCount() == 1  # the visit of 2019 (that of 2022 is kept until 2027)
    assert "2019" in dialog.table.item(0, 1).text()
    values = dialog.table.item(0, 3).text()
    assert values.count("、") == 1  # the situation and the needs
    if SHOTS:
        dialog.grab().save(str(Path(SHOTS) / f"purge-{language}.png"))
        window.grab().save(str(Path(SHOTS) / f"window-{language}.png"))
    dialog.reject()  # Cancel empties nothing
    with app.ctx.db.read() as session:
        assert {v.situation for v in session.query(HomeVisit)} == {"屋顶漏雨", "ཁང་པ་ཉམས་པ།"}

    dialog = window.privacy_menu.open_purge()
    assert isinstance(dialog, PurgeDialog)
    dialog.purge_button.click()
    # Off the window's thread: the dialog shows it is working until the purge is done
    # (its result arrives as a queued signal, so nothing is told before the loop runs).
    assert dialog.progress.isVisible() and not dialog.buttons.isEnabled() and not told
    dialog.reject()  # not while the one transaction runs
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: bool(told), timeout=60_000)
    assert "1" in told[-1] or "༡" in told[-1]
    with app.ctx.db.read() as session:
        assert sorted(v.situation for v in session.query(HomeVisit)) == ["", "ཁང་པ་ཉམས་པ།"]
    assert window.privacy_menu.open_purge() is None  # nothing is due any more
