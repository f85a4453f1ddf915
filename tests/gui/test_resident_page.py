"""The resident's page, used as a worker would: read the timeline, add a visit with the
keyboard alone, add and end a priority-group membership, correct the phone number, switch
the language, and open a household member's page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.domain.codes import (
    CaseStage,
    Code,
    PriorityGroup,
    ResourceKind,
    VisitOutcome,
    VisitPurpose,
)
from station_desktop.drafts import DraftStore
from station_desktop.i18n import Catalogues
from station_desktop.services.resident_file import TimelineKind
from station_desktop.store.models import Resident
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.resident_page import (
    ENDED_COLOUR,
    KIND_LABELS,
    TIMELINE_HEADERS,
    ResidentWindow,
)
from tests.conftest import FakeClock, StationSetup
from tests.gui.conftest import Answers, answer_message_boxes

pytestmark = pytest.mark.gui

NAME_BO, NAME_ZH = "སྒྲོལ་དཀར་", "卓嘎"
SON_BO, SON_ZH = "ཚེ་རིང་", "次仁"
PHONE, NEW_PHONE = "13908901234", "13989001122"


@pytest.fixture(autouse=True)
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return answer_message_boxes(monkeypatch, reply=QMessageBox.StandardButton.Discard)


@dataclass
class Dolkar:
    resident_id: uuid.UUID
    son_id: uuid.UUID
    case_id: uuid.UUID


@pytest.fixture
def dolkar(app: Application, station: StationSetup) -> Dolkar:
    household = app.residents.create_household(station.area_id, "12", "冲赛康路3号")
    resident = app.residents.register(
        {
            "name_bo": NAME_BO,
            "name_zh": NAME_ZH,
            "sex": "female",
            "birth_date": "1949-12-31",
            "id_number": "11010519491231002X",
            "phone": PHONE,
            "household_id": household,
            "household_relation": "head",
            "legal_basis": "statutory_duty",
        }
    )
    son = app.residents.register(
        {
            "name_bo": SON_BO,
            "name_zh": SON_ZH,
            "birth_date": "1980-05-01",
            "household_id": household,
            "household_relation": "child",
            "legal_basis": "statutory_duty",
        }
    )
    app.residents.add_membership(
        resident, {"group": "elderly_alone", "start_date": "2024-01-01", "review_on": "2026-07-01"}
    )
    app.visits.record(
        {
            "resident_id": resident,
            "visit_date": "2026-05-20",
            "visitor_ids": [station.worker_id],
            "outcome": "nobody_home",
            "purpose": "routine",
        }
    )
    case = app.cases.open(
        {
            "resident_id": resident,
            "opened_on": "2026-02-01",
            "source": "home_visit",
            "presenting_problem": "冬季取暖困难",
        }
    )
    app.resources.record_handout(
        {
            "resident_id": resident,
            "handed_on": "2026-03-05",
            "kind": "goods",
            "item": "取暖煤",
            "quantity": 500,
            "unit": "公斤",
        }
    )
    return Dolkar(resident, son, case)


@pytest.fixture
def window(
    app: Application, dolkar: Dolkar, languages: LanguageSwitcher, qtbot: QtBot
) -> Iterator[ResidentWindow]:
    page = ResidentWindow(app, languages, dolkar.resident_id)
    qtbot.addWidget(page)
    page.open()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    yield page
    # Leave no window behind: the next test's keyboard focus must not land in this one.
    for dialog in page.findChildren(QDialog):
        dialog.close()
    page.close()
    page.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def _zh(message: str, context: str | None = None) -> str:
    translator = Catalogues().translator("zh_CN")
    return translator.pgettext(context, message) if context else translator.gettext(message)


def _bo(message: str, context: str | None = None) -> str:
    translator = Catalogues().translator("bo")
    return translator.pgettext(context, message) if context else translator.gettext(message)


def _label_zh(code: Code) -> str:
    text = _zh(code.label)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text  # really Chinese
    return text


def _rows(table: QTableWidget) -> list[list[str]]:
    return [
        [
            item.text() if (item := table.item(row, column)) is not None else ""
            for column in range(table.columnCount())
        ]
        for row in range(table.rowCount())
    ]


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def _key(qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier | None = None) -> None:
    # pytest-qt's key helpers are untyped; they are QTest's, delivered to one widget.
    qtbot.keyClick(_focused(), key, modifier or Qt.KeyboardModifier.NoModifier)  # type: ignore[no-untyped-call]


def _click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]


def _type(qtbot: QtBot, text: str) -> None:
    qtbot.keyClicks(_focused(), text)  # type: ignore[no-untyped-call]


def _new_dialog(page: ResidentWindow, before: set[RecordDialog]) -> RecordDialog:
    [dialog] = [d for d in page.findChildren(RecordDialog) if d not in before and d.isVisible()]
    return dialog


# ---------------------------------------------------------------- reading


def test_the_page_shows_the_resident_and_every_service_newest_first(
    window: ResidentWindow, dolkar: Dolkar, app: Application
) -> None:
    assert window.name_label.text() == f"{NAME_ZH} {NAME_BO}"  # the reader's script first
    assert NAME_ZH in window.windowTitle()
    assert window.detail_values["phone"].text() == PHONE
    assert window.detail_values["id_number"].text() == "110105********002X"
    assert window.reveal_button.isVisible()  # the station head may reveal it (recorded)
    assert window.detail_values["area"].text() == "冲赛康社区"  # the name, not the code
    assert window.detail_values["household"].text() == "12 冲赛康路3号"
    assert window.detail_values["birth_date"].text().startswith("1949年12月31日")

    case = app.cases.get(dolkar.case_id)
    assert case is not None
    assert _rows(window.timeline_table) == [
        [
            "2026年5月20日",
            _zh(KIND_LABELS[TimelineKind.VISIT], "timeline"),
            f"{_label_zh(VisitPurpose.ROUTINE)} · {_label_zh(VisitOutcome.NOBODY_HOME)}",
        ],
        [
            "2026年3月5日",
            _zh(KIND_LABELS[TimelineKind.HANDOUT], "timeline"),
            f"{_label_zh(ResourceKind.GOODS)} · 取暖煤 · 500 公斤",
        ],
        [
            "2026年2月1日",
            _zh(KIND_LABELS[TimelineKind.CASE], "timeline"),
            f"CG-BK-{case.case_number} · {_label_zh(CaseStage.INTAKE)}",
        ],
    ]
    header = window.timeline_table.horizontalHeaderItem(0)
    assert header is not None and header.text() == _zh(TIMELINE_HEADERS[0]) == "日期"
    assert _rows(window.memberships_table) == [
        [_label_zh(PriorityGroup.ELDERLY_ALONE), "2024年1月1日", "", "2026年7月1日"]
    ]
    assert _rows(window.household_table) == [[SON_BO, SON_ZH, _zh("Child"), "1980年5月1日"]]


def test_every_control_is_reached_by_tab_and_has_an_accessible_name(
    window: ResidentWindow, qtbot: QtBot
) -> None:
    window.edit_button.setFocus()
    seen: list[QWidget] = []
    while _focused() not in seen:
        seen.append(_focused())
        _key(qtbot, Qt.Key.Key_Tab)
    assert _focused() is window.edit_button  # round the window and back
    wanted = [
        window.edit_button,
        window.memberships_table,
        window.add_membership_button,
        window.review_membership_button,  # on: passing through the table chose its first row
        window.end_membership_button,
        window.household_table,
        window.timeline_table,
        window.add_visit_button,
        window.add_feedback_button,
        window.add_case_button,
        window.add_handout_button,
    ]
    assert seen[: len(wanted)] == wanted
    # Then the Close button, and the button that reveals the ID number (the details,
    # left of the Edit button on the same row).
    assert len(seen) == len(wanted) + 2 and seen[-1] is window.reveal_button
    for widget in seen:
        assert widget.accessibleName() or widget.property("text"), widget
    for widget in wanted:
        assert widget.accessibleName(), widget


# ---------------------------------------------------------------- adding records


def test_a_home_visit_added_from_the_page_by_keyboard_comes_first(
    window: ResidentWindow,
    dolkar: Dolkar,
    app: Application,
    answers: Answers,
    qtbot: QtBot,
) -> None:
    before = set(window.findChildren(RecordDialog))
    _key(qtbot, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    dialog = _new_dialog(window, before)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    assert dialog.editor.values()["resident_id"] == str(dolkar.resident_id)
    _key(qtbot, Qt.Key.Key_Tab)  # past the resident, already filled in
    _type(qtbot, "2026-05-31")
    _key(qtbot, Qt.Key.Key_Tab)
    _key(qtbot, Qt.Key.Key_Space)  # the first visitor
    _key(qtbot, Qt.Key.Key_Tab)
    _key(qtbot, Qt.Key.Key_Tab)  # nobody else present
    _key(qtbot, Qt.Key.Key_Down)  # outcome: at home
    _key(qtbot, Qt.Key.Key_Tab)
    _key(qtbot, Qt.Key.Key_Down)
    _key(qtbot, Qt.Key.Key_Down)  # purpose: follow-up
    with qtbot.waitSignal(window.records_changed, timeout=2000):
        _key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.editor.errors()
    assert answers.asked == []  # no old draft to offer, nothing left unsaved
    top = _rows(window.timeline_table)[0]
    assert top == [
        "2026年5月31日",
        _zh(KIND_LABELS[TimelineKind.VISIT], "timeline"),
        f"{_label_zh(VisitPurpose.FOLLOW_UP)} · {_label_zh(VisitOutcome.AT_HOME)}",
    ]
    assert window.timeline_table.rowCount() == 4
    entry = window.timeline_entry(0)
    assert entry is not None and entry.record_id == dialog.saved_id


def test_a_form_opened_for_the_resident_and_left_untouched_closes_without_a_question(
    window: ResidentWindow, dolkar: Dolkar, app: Application, answers: Answers
) -> None:
    for add in (window.add_feedback, window.add_case, window.add_handout):
        dialog = add()
        assert dialog is not None
        assert dialog.editor.values()["resident_id"] == str(dolkar.resident_id)
        assert not dialog.editor.is_dirty()
        dialog.reject()
        assert not dialog.isVisible()
    assert answers.asked == []
    # Nothing was typed, so nothing was kept as a draft.
    assert DraftStore(app.paths.drafts).load(f"HV-01:for:{dolkar.resident_id}") is None


def test_a_membership_is_added_and_ended(
    window: ResidentWindow, dolkar: Dolkar, app: Application, clock: FakeClock, qtbot: QtBot
) -> None:
    assert not window.end_membership_button.isEnabled()
    before = set(window.findChildren(RecordDialog))
    _click(qtbot, window.add_membership_button)
    dialog = _new_dialog(window, before)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    _key(qtbot, Qt.Key.Key_Down)  # priority group: the first, destitute under state support
    _key(qtbot, Qt.Key.Key_Tab)
    _type(qtbot, "2026-05-01")
    with qtbot.waitSignal(window.records_changed, timeout=2000):
        _key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.editor.errors()
    rows = _rows(window.memberships_table)
    assert rows[0] == [_label_zh(PriorityGroup.TEKUN), "2026年5月1日", "", ""]
    assert len(rows) == 2

    # End it: choose the row, the end date offered is today.
    window.memberships_table.setFocus()
    window.memberships_table.setCurrentCell(0, 0)
    assert window.end_membership_button.isEnabled()
    before = set(window.findChildren(RecordDialog))
    _click(qtbot, window.end_membership_button)
    ending = _new_dialog(window, before)
    assert ending.editor.values()["end_date"] == "2026年6月1日"  # today, as shown in Chinese
    with qtbot.waitSignal(window.records_changed, timeout=2000):
        assert ending.save()
    assert _rows(window.memberships_table)[0][2] == "2026年6月1日"
    [stored] = [m for m in app.residents.memberships(dolkar.resident_id) if m.group == "tekun"]
    assert stored.end_date is not None and stored.end_date.isoformat() == "2026-06-01"
    # Still a member today (the last day); tomorrow it is over and shown as past.
    assert window.file is not None and window.file.memberships[0].current
    clock.advance(days=1)
    window.reload()
    ended = window.memberships_table.item(0, 0)
    assert ended is not None and ended.foreground().color() == ENDED_COLOUR
    window.memberships_table.setCurrentCell(0, 0)
    assert not window.end_membership_button.isEnabled()  # only a current one can be ended


def test_the_phone_number_is_corrected_with_edit_details(
    window: ResidentWindow, dolkar: Dolkar, app: Application, qtbot: QtBot
) -> None:
    before = set(window.findChildren(RecordDialog))
    _key(qtbot, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = _new_dialog(window, before)
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    editor = dialog.editor
    assert editor.values()["name_zh"] == NAME_ZH
    assert editor.values()["id_number"] == "11010519491231002X"  # the full number, to edit
    assert not editor.is_dirty()
    phone = editor.field("phone").focus_widgets()[0]
    phone.setFocus()
    _key(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    _type(qtbot, NEW_PHONE)
    with qtbot.waitSignal(window.records_changed, timeout=2000):
        _key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.result() == QDialog.DialogCode.Accepted, editor.errors()
    assert window.detail_values["phone"].text() == NEW_PHONE
    stored = app.residents.get(dolkar.resident_id)
    assert stored is not None
    assert (stored.phone, stored.name_bo, stored.household_relation) == (
        NEW_PHONE,
        NAME_BO,
        "head",
    )


def test_an_edit_over_someone_elses_change_is_refused(
    window: ResidentWindow, dolkar: Dolkar, app: Application, answers: Answers
) -> None:
    dialog = window.edit_details()
    assert dialog is not None
    app.residents.update(dolkar.resident_id, {"address": "另一个地址"})  # meanwhile, elsewhere
    dialog.editor.set_values({"phone": NEW_PHONE})
    assert not dialog.save()
    assert len(answers.warnings) == 1  # "changed by someone else": reload and do it again
    stored = app.residents.get(dolkar.resident_id)
    assert stored is not None and stored.phone == PHONE


# ---------------------------------------------------------------- language and navigation


def test_switching_to_tibetan_relabels_the_page(
    window: ResidentWindow, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    languages.switch("bo")
    QApplication.processEvents()  # Qt posts LanguageChange events; let them arrive
    assert window.name_label.text() == f"{NAME_BO} {NAME_ZH}"
    date_cell, kind, details = _rows(window.timeline_table)[0]
    assert date_cell == "2026ལོའི་ཟླ་5ཚེས་20ཉིན"
    assert kind == _bo(KIND_LABELS[TimelineKind.VISIT], "timeline")
    routine = _bo(VisitPurpose.ROUTINE.label)
    assert any("\u0f00" <= ch <= "\u0fff" for ch in routine)
    assert details == f"{routine} · {_bo(VisitOutcome.NOBODY_HOME.label)}"
    header = window.timeline_table.horizontalHeaderItem(0)
    assert header is not None and header.text() == _bo(TIMELINE_HEADERS[0])
    assert window.memberships_table.item(0, 0).text() == _bo(  # type: ignore[union-attr]
        PriorityGroup.ELDERLY_ALONE.label
    )
    assert window.add_visit_button.accessibleName() == _bo("Record a home visit")
    # Taller rows for Tibetan at its larger size.
    languages.switch("zh_CN")
    QApplication.processEvents()
    chinese_row = window.timeline_table.rowHeight(0)
    languages.switch("bo")
    QApplication.processEvents()
    assert window.timeline_table.rowHeight(0) > chinese_row


def test_a_household_member_and_a_case_are_asked_for_from_their_rows(
    window: ResidentWindow, dolkar: Dolkar, qtbot: QtBot
) -> None:
    window.household_table.setFocus()
    window.household_table.setCurrentCell(0, 0)
    with qtbot.waitSignal(window.resident_requested, timeout=1000) as member:
        _key(qtbot, Qt.Key.Key_Return)
    assert member.args == [dolkar.son_id]
    assert window.isVisible()  # Enter opened the row; it pressed no button of the window

    table = window.timeline_table
    item = table.item(2, 0)
    assert item is not None
    table.scrollToItem(item)
    where = table.visualItemRect(item).center()
    with qtbot.waitSignal(window.record_requested, timeout=1000) as record:
        # A double-click is a click and then a second press that Qt reports as double.
        viewport, left = table.viewport(), Qt.MouseButton.LeftButton
        qtbot.mouseClick(viewport, left, pos=where)  # type: ignore[no-untyped-call]
        qtbot.mouseDClick(viewport, left, pos=where)  # type: ignore[no-untyped-call]
    assert record.args == ["case", dolkar.case_id]


def test_escape_closes_the_page(window: ResidentWindow, qtbot: QtBot) -> None:
    window.timeline_table.setFocus()
    _key(qtbot, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_a_resident_deleted_meanwhile_leaves_a_page_that_says_so(
    window: ResidentWindow, dolkar: Dolkar, app: Application
) -> None:
    with app.ctx.uow() as uow:
        uow.tombstone(Resident, dolkar.resident_id)
    window.reload()
    assert window.name_label.text() == _zh("This record no longer exists.")
    assert window.timeline_table.rowCount() == 0
    assert not window.add_visit_button.isEnabled()
    assert window.add_visit() is None


def test_a_membership_reviewed_and_kept_leaves_the_follow_ups(
    window: ResidentWindow, dolkar: Dolkar, app: Application, qtbot: QtBot
) -> None:
    from station_desktop.services.followups import FollowUpService

    reviews = FollowUpService(app.ctx)
    [membership] = [m for m in app.residents.memberships(dolkar.resident_id) if m.review_on]
    due = [f for f in reviews.due(horizon_days=60) if f.kind == "review"]
    assert [f.record_id for f in due] == [membership.id]
    row = [m.id for m in window.file.memberships].index(membership.id)  # type: ignore[union-attr]
    window.memberships_table.setFocus()
    window.memberships_table.setCurrentCell(row, 0)
    before = set(window.findChildren(RecordDialog))
    _click(qtbot, window.review_membership_button)
    dialog = _new_dialog(window, before)
    assert dialog.editor.values()["review_on"] == "2027年6月1日"  # a year on, to change
    dialog.editor.set_values({"review_on": "2026-06-01"})
    assert not dialog.save()  # today: the next review must come later
    assert [e.field for e in dialog.editor.errors()] == ["review_on"]
    dialog.editor.set_values({"review_on": "2026-12-01"})
    with qtbot.waitSignal(window.records_changed, timeout=2000):
        assert dialog.save()
    [kept] = [m for m in app.residents.memberships(dolkar.resident_id) if m.id == membership.id]
    assert kept.review_on is not None and kept.review_on.isoformat() == "2026-12-01"
    assert kept.end_date is None
    assert [f for f in reviews.due(horizon_days=60) if f.kind == "review"] == []
