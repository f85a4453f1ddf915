"""The Audit page: who did what, filterable, and the verdict on the whole trail."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from station_desktop.app import Application
from station_desktop.ui.audit_page import AuditPage
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui


def test_the_page_lists_who_did_what_and_checks_the_trail(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    languages.switch("en")
    app.ctx.actor_id = station.worker_id
    resident = app.residents.register({"name_zh": "次仁", "legal_basis": "statutory_duty"})
    app.residents.update(resident, {"phone": "13800138000"})
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    window.show()
    page = window._made("audit")
    assert isinstance(page, AuditPage)
    window.nav.setCurrentRow(window.pages.indexOf(page))
    QApplication.processEvents()
    texts = [
        [page.table.item(r, c).text() for c in range(page.table.columnCount())]  # type: ignore[union-attr]
        for r in range(page.table.rowCount())
    ]
    newest = texts[0]
    assert "卓玛" in newest[1]  # the worker who saved it
    assert newest[2] == "changed a record" and newest[5] == "phone"
    assert newest[4] == "this laptop"
    assert all("次仁" not in cell and "13800138000" not in cell for row in texts for cell in row)
    # Narrowed to one kind of action.
    page.action_filter.setCurrentIndex(page.action_filter.findData("insert"))
    assert page.table.rowCount() >= 1
    assert {page.table.item(r, 2).text() for r in range(page.table.rowCount())} == {  # type: ignore[union-attr]
        "added a record"
    }
    page.check()
    assert page.verdict.text().startswith("The audit trail is whole")
    with app.ctx.db.engine.begin() as connection:  # edited behind the program's back
        connection.execute(
            text("UPDATE resident SET phone = '1' WHERE id = :id"), {"id": resident.hex}
        )
    page.check()
    assert "differs from its change log" in page.verdict.text()
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
