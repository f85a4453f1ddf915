"""The Follow-ups page lists what is due and opens the form that settles it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui


def test_a_due_visit_is_opened_and_settled(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    elderly = app.residents.register(
        {"name_bo": "ཚེ་རིང་", "name_zh": "次仁", "legal_basis": "statutory_duty"}
    )
    app.residents.add_membership(elderly, {"group": "elderly_alone", "start_date": "2025-01-01"})
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    window.show()
    page = window.followups_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    QApplication.processEvents()
    assert page.table.rowCount() == 1
    assert page.table.item(0, 3).text() == "次仁"  # type: ignore[union-attr]
    assert "1" in page.summary.text()
    dialog = page.open_item(0)
    assert isinstance(dialog, RecordDialog)
    assert dialog.editor.values()["resident_id"] == str(elderly)
    dialog.editor.set_values(
        {
            "resident_id": str(elderly),
            "visit_date": "2026-05-31",
            "visitor_ids": [str(station.worker_id)],
            "outcome": "at_home",
            "purpose": "routine",
        }
    )
    assert dialog.save()
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=2000)  # settled for a month
    # Leave no window behind: the next test's keyboard focus must not land in this one.
    dialog.close()
    window.close()
    dialog.deleteLater()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
