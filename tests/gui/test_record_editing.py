"""Correcting and withdrawing records from the lists, used as a worker would: Enter on a
row opens the record's form filled in; typing and Ctrl+S corrects it; Withdraw… asks, then
takes it out of the list; a refused correction says why, beside the field or in a box."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.errors import StaleEdit
from station_desktop.i18n import _
from station_desktop.services.resources import MSG_MORE_THAN_RECEIVED, MSG_RECEIPT_HAS_HANDOUTS
from station_desktop.ui.attendance import AttendanceDialog
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.main_window import MainWindow, RecordListPage
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.record_editing import (
    EDITABLE_KINDS,
    MSG_WITHDRAW_QUESTION,
    PRINT_BUTTON,
    WITHDRAW_BUTTON,
    open_record_editor,
)
from tests.conftest import StationSetup
from tests.gui.conftest import Answers, answer_message_boxes, type_text
from tests.gui.test_accessibility import nameless_controls

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return answer_message_boxes(
        monkeypatch, unsaved=QMessageBox.StandardButton.Yes, reply=QMessageBox.StandardButton.Yes
    )


@pytest.fixture
def resident(app: Application, station: StationSetup) -> uuid.UUID:
    return app.residents.register(
        {"name_bo": "སྒྲོལ་མ་", "name_zh": "卓玛", "legal_basis": "statutory_duty"}
    )


@pytest.fixture
def window(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> Iterator[MainWindow]:
    main = MainWindow(app, languages)
    qtbot.addWidget(main)
    main.show()
    yield main
    _dispose(main)


def _dispose(widget: QWidget) -> None:
    """Closed and deleted, so the next test's dialogs get the keyboard focus."""
    widget.close()
    widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _visit(app: Application, station: StationSetup, resident: uuid.UUID) -> uuid.UUID:
    return app.visits.record(
        {
            "resident_id": resident,
            "visit_date": "2026-05-02",
            "visitor_ids": [station.worker_id],
            "outcome": "at_home",
            "purpose": "routine",
        }
    )


def _page(window: MainWindow, kind: str) -> RecordListPage:
    page = next(p for p in window.record_pages if p.page.kind == kind)
    window.nav.setCurrentRow(window.pages.indexOf(page))
    page.refresh()
    return page


def _open_row(window: MainWindow, page: RecordListPage, row: int, qtbot: QtBot) -> RecordDialog:
    """Enter on a row of the list, as a worker opens a record."""
    window.activateWindow()
    page.table.selectRow(row)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    dialogs = [d for d in window.findChildren(RecordDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def _row_of(page: RecordListPage, record_id: uuid.UUID) -> int:
    rows = [page.table.record(r) for r in range(page.table.rowCount())]
    return next(r for r, row in enumerate(rows) if row is not None and row["id"] == str(record_id))


def _button(dialog: QWidget, name: str) -> QPushButton | None:
    return dialog.findChild(QPushButton, name)


def _click(qtbot: QtBot, button: QPushButton | None) -> None:
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]


def test_a_visit_is_opened_from_its_list_and_its_date_corrected_by_typing(
    window: MainWindow,
    app: Application,
    station: StationSetup,
    resident: uuid.UUID,
    languages: LanguageSwitcher,
    qtbot: QtBot,
) -> None:
    _visit(app, station, resident)
    page = _page(window, "visits")
    date_cell = page.table.item(0, 0)
    assert date_cell is not None and date_cell.text() == languages.formats.date_text("2026-05-02")
    dialog = _open_row(window, page, 0, qtbot)
    fields = dialog.editor.fields
    assert fields["resident_id"].value() == str(resident)
    assert _button(dialog, PRINT_BUTTON) is not None  # a visit has a paper form
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    # From the first field, Tab goes to the date and selects it: typing replaces it.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)  # type: ignore[no-untyped-call]
    date_line = fields["visit_date"].focus_widgets()[0]
    assert QApplication.focusWidget() is date_line
    type_text(date_line, "2026-05-04")
    qtbot.keyClick(date_line, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)

    def shows_new_date() -> bool:
        cell = page.table.item(0, 0)
        return cell is not None and cell.text() == languages.formats.date_text("2026-05-04")

    qtbot.waitUntil(shows_new_date, timeout=2000)
    assert page.table.rowCount() == 1  # corrected, not added


def test_a_hand_out_withdrawn_from_a_residents_timeline_leaves_it(
    window: MainWindow,
    app: Application,
    station: StationSetup,
    resident: uuid.UUID,
    answers: Answers,
    qtbot: QtBot,
) -> None:
    visit = _visit(app, station, resident)
    handout = app.resources.record_handout(
        {
            "resident_id": resident,
            "handed_on": "2026-05-03",
            "kind": "goods",
            "item": "棉被",
            "quantity": 1,
        }
    )
    page = window.open_resident(resident)
    assert [e.record_id for e in page.file.timeline] == [handout, visit]  # type: ignore[union-attr]
    page.record_requested.emit("handout", handout)  # Enter on its timeline row
    editor = next(d for d in page.findChildren(RecordDialog) if d.isVisible())  # over the page
    _click(qtbot, _button(editor, WITHDRAW_BUTTON))
    qtbot.waitUntil(lambda: not editor.isVisible(), timeout=2000)
    assert [e.record_id for e in page.file.timeline] == [visit]  # type: ignore[union-attr]
    _dispose(page)


def test_a_feedback_sheet_is_withdrawn_after_the_question(
    window: MainWindow, app: Application, station: StationSetup, answers: Answers, qtbot: QtBot
) -> None:
    sheet = {"service_area": "elderly_care", "service_date": "2026-05-01"}
    app.feedback.record({**sheet, "collected_on": "2026-05-02", "rating_overall": "4"})
    app.feedback.record({**sheet, "collected_on": "2026-05-03", "comments": "很好"})
    page = _page(window, "feedback")
    assert page.table.rowCount() == 2
    dialog = _open_row(window, page, 0, qtbot)
    kept = page.table.record(1)
    assert kept is not None

    answers.reply = QMessageBox.StandardButton.No  # asked, and thought better of it
    _click(qtbot, _button(dialog, WITHDRAW_BUTTON))
    assert dialog.isVisible() and page.table.rowCount() == 2

    answers.reply = QMessageBox.StandardButton.Yes
    _click(qtbot, _button(dialog, WITHDRAW_BUTTON))
    assert answers.asked == [_(MSG_WITHDRAW_QUESTION)] * 2
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=2000)
    assert not dialog.isVisible()
    remaining = page.table.record(0)
    assert remaining is not None and remaining["id"] == kept["id"]


def test_a_hand_out_corrected_above_what_is_left_says_so_beside_the_quantity(
    window: MainWindow,
    app: Application,
    station: StationSetup,
    resident: uuid.UUID,
    qtbot: QtBot,
) -> None:
    receipt = app.resources.record_receipt(
        {
            "received_on": "2026-05-01",
            "donor_name": "爱心企业",
            "donor_type": "enterprise",
            "kind": "goods",
            "item": "坐便椅",
            "quantity": 3,
        }
    )
    handout = {
        "resident_id": resident,
        "handed_on": "2026-05-02",
        "receipt_id": receipt,
        "kind": "goods",
        "item": "坐便椅",
    }
    app.resources.record_handout({**handout, "quantity": 1})
    corrected = app.resources.record_handout({**handout, "handed_on": "2026-05-03", "quantity": 1})
    page = _page(window, "resources")
    row = _row_of(page, corrected)
    dialog = _open_row(window, page, row, qtbot)
    assert dialog.editor.spec.code == "RH-01"  # the hand-out's form, not the donation's
    quantity = dialog.editor.field("quantity")
    assert quantity.value() == "1"
    quantity.set_value("3")  # 1 of the 3 went to the first hand-out: 2 are left for this one
    assert not dialog.save()
    assert quantity.error_text() == _(MSG_MORE_THAN_RECEIVED, left=2)
    assert dialog.isVisible()
    editable = app.resources.editable_handout(corrected)
    assert editable is not None and editable.values["quantity"] == 1
    quantity.set_value("2")
    assert dialog.save()
    rows = [r for r in app.listing.records("resources") if r["id"] == str(corrected)]
    assert rows[0]["quantity"] == 2


def test_a_record_changed_meanwhile_is_not_overwritten(
    window: MainWindow,
    app: Application,
    station: StationSetup,
    resident: uuid.UUID,
    answers: Answers,
    qtbot: QtBot,
) -> None:
    visit = _visit(app, station, resident)
    dialog = window.open_record("visits", visit)
    assert isinstance(dialog, RecordDialog)
    app.visits.update(visit, {"outcome": "nobody_home"})  # another worker, meanwhile
    dialog.editor.field("visit_date").set_value("2026-05-04")
    assert not dialog.save()
    assert answers.warnings == [_(StaleEdit.message)]
    assert dialog.isVisible()  # the typing is still there, to be made again
    editable = app.visits.editable(visit)
    assert editable is not None
    assert (str(editable.values["visit_date"]), editable.values["outcome"]) == (
        "2026-05-02",
        "nobody_home",
    )
    dialog.editor.mark_clean()
    dialog.reject()


def test_a_donation_opens_from_the_resources_list_and_keeps_its_hand_outs(
    window: MainWindow,
    app: Application,
    station: StationSetup,
    resident: uuid.UUID,
    answers: Answers,
    qtbot: QtBot,
) -> None:
    receipt = app.resources.record_receipt(
        {
            "received_on": "2026-05-01",
            "donor_name": "爱心企业",
            "donor_type": "enterprise",
            "kind": "cash",
            "item": "慰问金",
            "quantity": 1,
            "unit_value": "500",
        }
    )
    app.resources.record_handout(
        {
            "resident_id": resident,
            "handed_on": "2026-05-02",
            "receipt_id": receipt,
            "kind": "cash",
            "item": "慰问金",
            "quantity": 1,
            "unit_value": "500",
        }
    )
    page = _page(window, "resources")
    row = _row_of(page, receipt)
    dialog = _open_row(window, page, row, qtbot)
    assert dialog.editor.spec.code == "RR-01"
    assert dialog.editor.field("unit_value").value() == "500.00"  # yuan, as typed in
    assert _button(dialog, PRINT_BUTTON) is None  # a donation has no paper form
    _click(qtbot, _button(dialog, WITHDRAW_BUTTON))
    assert answers.warnings == [_(MSG_RECEIPT_HAS_HANDOUTS, count=1)]
    assert dialog.isVisible()
    assert page.table.rowCount() == 2
    dialog.reject()


def test_an_activity_is_corrected_and_withdrawn_from_its_sign_in_list(
    window: MainWindow, app: Application, station: StationSetup, answers: Answers, qtbot: QtBot
) -> None:
    activity = app.activities.record(
        {"kind": "group_work", "title": "小组", "held_on": "2026-05-20", "headcount_other": 2}
    )
    page = _page(window, "activities")
    attendance = window.open_record("activities", activity)
    assert isinstance(attendance, AttendanceDialog)
    _click(qtbot, attendance.edit_button)
    editor = next(d for d in attendance.findChildren(RecordDialog) if d.isVisible())
    assert editor.editor.field("title").value() == "小组"
    editor.editor.field("title").set_value("老年人小组")
    assert editor.save()
    assert attendance.isVisible()
    assert attendance.heading.text().startswith("老年人小组")
    qtbot.waitUntil(lambda: page.table.item(0, 2).text() == "老年人小组", timeout=2000)  # type: ignore[union-attr]

    _click(qtbot, attendance.edit_button)
    editor = next(d for d in attendance.findChildren(RecordDialog) if d.isVisible())
    _click(qtbot, _button(editor, WITHDRAW_BUTTON))
    qtbot.waitUntil(lambda: not attendance.isVisible(), timeout=2000)  # nothing to sign in to
    qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=2000)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_every_editor_names_its_controls_in_both_languages(
    window: MainWindow,
    app: Application,
    station: StationSetup,
    resident: uuid.UUID,
    languages: LanguageSwitcher,
) -> None:
    receipt = app.resources.record_receipt(
        {
            "received_on": "2026-05-01",
            "donor_name": "爱心企业",
            "donor_type": "enterprise",
            "kind": "goods",
            "item": "米",
            "quantity": 10,
        }
    )
    records = {
        "visit": _visit(app, station, resident),
        "feedback": app.feedback.record(
            {
                "service_area": "elderly_care",
                "service_date": "2026-05-01",
                "collected_on": "2026-05-01",
                "rating_overall": "5",
            }
        ),
        "activity": app.activities.record(
            {"kind": "group_work", "title": "小组", "held_on": "2026-05-20"}
        ),
        "receipt": receipt,
        "handout": app.resources.record_handout(
            {
                "resident_id": resident,
                "handed_on": "2026-05-02",
                "receipt_id": receipt,
                "kind": "goods",
                "item": "米",
                "quantity": 2,
            }
        ),
    }
    assert set(records) == set(EDITABLE_KINDS)
    for kind, record_id in records.items():
        dialog = open_record_editor(app, languages, kind, record_id, window)
        assert dialog is not None
        for language in ("zh_CN", "bo"):
            languages.switch(language)
            QApplication.processEvents()
            assert nameless_controls(dialog) == [], (kind, language)
            withdraw = _button(dialog, WITHDRAW_BUTTON)
            assert withdraw is not None and withdraw.text() == _("Withdraw…")
        languages.switch("zh_CN")
        dialog.reject()
        _dispose(dialog)
