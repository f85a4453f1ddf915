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


def test_a_membership_to_review_opens_the_residents_page(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    from station_desktop.ui.resident_page import ResidentWindow

    child = app.residents.register(
        {"name_zh": "小卓玛", "legal_basis": "statutory_duty", "area_id": station.area_id}
    )
    app.residents.add_membership(
        child, {"group": "disability", "start_date": "2026-05-01", "review_on": "2026-06-05"}
    )
    app.visits.record(
        {
            "resident_id": child,
            "visit_date": "2026-05-20",
            "visitor_ids": [station.worker_id],
            "outcome": "at_home",
            "purpose": "routine",
        }
    )
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    window.show()
    page = window.followups_page
    window.nav.setCurrentRow(window.pages.indexOf(page))
    QApplication.processEvents()
    [row] = [r for r in range(page.table.rowCount()) if "复核" in page.table.item(r, 1).text()]  # type: ignore[union-attr]
    assert page.open_item(row) is None
    [opened] = [w for w in window.findChildren(ResidentWindow) if w.isVisible()]
    assert opened.resident_id == child
    opened.close()
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
