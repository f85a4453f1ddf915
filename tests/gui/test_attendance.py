"""An activity's sign-in list, typed like a user: a name, Enter; taken off after a
question; opened from the Activities list and after a new activity is saved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.ui.attendance import AttendanceDialog
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup
from tests.gui.conftest import type_text

pytestmark = pytest.mark.gui


@pytest.fixture
def window(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> Iterator[MainWindow]:
    for bo, zh in (("བཀྲ་ཤིས་ཚེ་རིང་", "扎西次仁"), ("སྒྲོལ་མ་", "卓玛")):
        app.residents.register({"name_bo": bo, "name_zh": zh, "legal_basis": "statutory_duty"})
    main = MainWindow(app, languages)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.close()
    main.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _sign_in(dialog: AttendanceDialog, qtbot: QtBot, text: str) -> None:
    dialog.picker.search.setFocus()
    type_text(dialog.picker.search, text)
    qtbot.keyClick(dialog.picker.search, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]


def test_a_new_activity_then_its_sign_in_list(
    window: MainWindow, app: Application, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = window.open_record_dialog(*window.record_kinds()[4][1:])
    form.editor.set_values(
        {
            "kind": "community_activity",
            "title": "藏历新年活动",
            "held_on": "2026-05-20",
            "headcount_other": "12",
        }
    )
    assert form.save()
    qtbot.waitUntil(lambda: bool(window.findChildren(AttendanceDialog)), timeout=2000)
    dialog = window.findChildren(AttendanceDialog)[-1]
    _sign_in(dialog, qtbot, "བཀྲ་ཤིས")  # Tibetan
    _sign_in(dialog, qtbot, "zhuoma")  # pinyin
    _sign_in(dialog, qtbot, "zhuoma")  # twice: still one attendance
    activity = dialog.activity_id
    assert {p.name_zh for p in app.activities.attendees(activity)} == {"扎西次仁", "卓玛"}
    assert dialog.table.rowCount() == 2
    assert "12" in dialog.count.text()
    dialog.table.selectRow([p.name_zh for p in dialog._attendees].index("扎西次仁"))
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    assert dialog.remove_selected()
    assert [p.name_zh for p in app.activities.attendees(activity)] == ["卓玛"]
    dialog.reject()
    # From the list: Enter on the activity opens its sign-in list again.
    window.nav.setCurrentRow(window.pages.indexOf(window.record_pages[3]))
    page = window.record_pages[3]
    page.refresh()
    page.table.selectRow(0)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    reopened = [d for d in window.findChildren(AttendanceDialog) if d.isVisible()]
    assert [d.table.rowCount() for d in reopened] == [1]
    reopened[0].reject()


def test_a_hand_out_is_recorded_from_a_donation_found_by_its_donor(
    window: MainWindow, app: Application, station: StationSetup, qtbot: QtBot
) -> None:
    receipt = app.resources.record_receipt(
        {
            "received_on": "2026-05-01",
            "donor_name": "爱心企业",
            "donor_type": "enterprise",
            "kind": "goods",
            "item": "坐便椅",
            "quantity": 2,
            "unit": "把",
            "unit_value": "120.00",
        }
    )
    _title, spec, save = window.record_kinds()[6]
    form = window.open_record_dialog(spec, save)
    field = form.editor.field("receipt_id")
    field.focus_widgets()[0].setFocus()
    type_text(field.focus_widgets()[0], "爱心")
    form.editor.field("receipt_id").flush_search()  # type: ignore[attr-defined]
    assert form.editor.values()["receipt_id"] == str(receipt)
    resident = app.residents.search("卓玛")[0].id
    form.editor.set_values(
        {
            "resident_id": str(resident),
            "handed_on": "2026-05-02",
            "kind": "goods",
            "item": "坐便椅",
            "quantity": "1",
            "unit_value": "120",
        }
    )
    assert form.save(), form.editor.errors()
    [handout] = [r for r in app.listing.records("resources") if r["direction"] == "handed_out"]
    assert handout["resident_id"] == str(resident)
