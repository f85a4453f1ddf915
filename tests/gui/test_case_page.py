"""The case page, used like a worker: notes typed and corrected, a case moved through every
stage to closed and reopened, details edited, with the keyboard and in two languages."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.domain.codes import CaseStage, ClosingReason
from station_desktop.drafts import DraftStore
from station_desktop.errors import BadTransition
from station_desktop.forms.case import CASE_NOTE_FORM
from station_desktop.i18n import _
from station_desktop.store.models import CaseRecord
from station_desktop.ui.case_page import (
    MSG_CORRECTED_BY,
    MSG_CORRECTING,
    MSG_CORRECTION_UNCHANGED,
    MSG_CORRECTS,
    CaseWindow,
    TranslatedLabel,
)
from station_desktop.ui.fonts import text_line_height
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.forms.fields import ChoiceCombo
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup
from tests.gui.conftest import Answers, answer_message_boxes
from tests.gui.test_form_editor import Keyboard

pytestmark = pytest.mark.gui

NAME_BO, NAME_ZH = "བསྒྲུབས་ རྒྱལ་ སྐྱིད་", "珠杰吉"
FIRST_NOTE = "首次面谈：老人独居，膝关节疼痛。"
SECOND_NOTE = "བསྒྲུབས་ རྒྱལ་ སྐྱིད་ ལགས་ཀྱི་ཁྱིམ་དུ་འཚམས་འདྲི་བྱས། 已联系社区卫生服务站。"
CORRECTED_NOTE = "首次面谈：老人独居，膝关节疼痛已两年。"
TODAY = "2026-06-01"  # the test clock's date in Lhasa
TODAY_SHOWN = "2026年6月1日"  # as a date field shows it in Chinese
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture(autouse=True)
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return answer_message_boxes(monkeypatch)


@pytest.fixture
def keys(qtbot: QtBot) -> Keyboard:
    return Keyboard(qtbot)


@pytest.fixture
def case_id(app: Application, station: StationSetup) -> uuid.UUID:
    app.ctx.actor_id = station.worker_id  # the worker at the laptop writes the notes
    resident = app.residents.register(
        {"name_bo": NAME_BO, "name_zh": NAME_ZH, "legal_basis": "consent"}
    )
    return app.cases.open(
        {
            "resident_id": resident,
            "opened_on": "2026-03-01",
            "source": "self",
            "worker_id": str(station.worker_id),
            "presenting_problem": "生活困难",
        }
    )


@pytest.fixture
def window(
    app: Application, languages: LanguageSwitcher, case_id: uuid.UUID, qtbot: QtBot
) -> Iterator[CaseWindow]:
    shown = CaseWindow(app, languages, case_id)
    qtbot.addWidget(shown)
    shown.show()
    shown.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    yield shown
    # Leave no window behind: the next test's keyboard focus must not land in this one.
    shown.close()
    shown.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def _holds_focus(widget: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and widget.isAncestorOf(focused)


def _dialog(window: CaseWindow, qtbot: QtBot) -> RecordDialog:
    """The form the last key opened, once it has the keyboard (a button's shortcut clicks
    it a moment later, as the button is seen going down)."""

    def shown() -> list[RecordDialog]:
        return [d for d in window.findChildren(RecordDialog) if d.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1, timeout=2000)
    [dialog] = shown()
    qtbot.waitUntil(lambda: _holds_focus(dialog), timeout=2000)
    return dialog


def _back_in(window: CaseWindow, qtbot: QtBot) -> None:
    """The form closed and the keyboard is back on the case page."""
    visible = [d for d in window.findChildren(RecordDialog) if d.isVisible()]
    assert not visible, [d.editor.errors() for d in visible]
    window.activateWindow()  # what the window manager does when a dialog closes
    qtbot.waitUntil(lambda: _holds_focus(window), timeout=2000)


def _stage_shown(window: CaseWindow) -> str:
    return window.header_values["stage"].text()


def _case(app: Application, case_id: uuid.UUID) -> CaseRecord:
    case = app.cases.get(case_id)
    assert case is not None
    return case


def _note_cell(window: CaseWindow, row: int) -> str:
    item = window.notes_table.item(row, window.notes_table.columnCount() - 1)
    assert item is not None
    return item.text()


def _move_to(
    app: Application, window: CaseWindow, qtbot: QtBot, keys: Keyboard, stage: CaseStage
) -> RecordDialog:
    """Open "Move to the next stage…" and choose `stage` in the first field, by keyboard."""
    keys.press(Qt.Key.Key_M, modifier=CTRL)
    dialog = _dialog(window, qtbot)
    to_stage = dialog.editor.field("to_stage")
    assert isinstance(to_stage, ChoiceCombo)
    assert keys.focused() is to_stage.combo
    offered = [to_stage.combo.itemData(i) for i in range(1, to_stage.combo.count())]
    # Only where the case may go from here, in the order the rules give.
    current = _case(app, window.case_id).stage
    assert offered == [s.value for s in app.cases.next_stages(current)]
    keys.press(Qt.Key.Key_Down, times=offered.index(stage.value) + 1)
    assert to_stage.value() == stage.value
    return dialog


def test_a_case_is_followed_from_intake_to_closing_and_reopened_by_keyboard(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    case_id: uuid.UUID,
    window: CaseWindow,
    answers: Answers,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    assert keys.focused() is window.notes_table  # ready to read the notes
    assert _stage_shown(window).endswith(f"{_(CaseStage.INTAKE.label)}</b>")
    assert "Intake" not in _stage_shown(window)  # in Chinese, not the message id
    assert window.header_values["client"].text() == f"{NAME_BO}  {NAME_ZH}"
    assert window.header_values["opened_on"].text() == "2026年3月1日"
    assert window.header_values["worker"].text() == "སྒྲོལ་མ་  卓玛"
    assert window.header_values["closed"].isHidden()

    # Two notes, typed into the note form and saved with Ctrl+S.
    for body in (FIRST_NOTE, SECOND_NOTE):
        keys.press(Qt.Key.Key_N, modifier=CTRL)
        dialog = _dialog(window, qtbot)
        assert dialog.editor.values()["written_on"] == TODAY_SHOWN  # today, ready to keep
        keys.tab()
        keys.type(body)
        keys.save()
        _back_in(window, qtbot)
    first, second = app.cases.notes(case_id)
    assert (first.body, second.body) == (FIRST_NOTE, SECOND_NOTE)
    assert str(first.written_on) == TODAY and first.author_id == station.worker_id
    assert window.notes_table.rowCount() == 2
    assert _note_cell(window, 1) == SECOND_NOTE
    assert window.selected_note_id() == second.id  # the note just written

    # The first note corrected: the form starts from its text; unchanged it is refused.
    keys.press(Qt.Key.Key_Up)
    assert window.selected_note_id() == first.id
    keys.press(Qt.Key.Key_N, modifier=CTRL | Qt.KeyboardModifier.ShiftModifier)
    dialog = _dialog(window, qtbot)
    note_field = dialog.editor.field("body")
    assert note_field.value() == FIRST_NOTE
    [heading] = dialog.findChildren(TranslatedLabel)
    assert heading.text() == _(MSG_CORRECTING, number="1", date="2026年6月1日")
    keys.save()
    assert dialog.isVisible()
    assert note_field.error_text() == _(MSG_CORRECTION_UNCHANGED)
    assert len(app.cases.notes(case_id)) == 2
    note_field.focus_widgets()[0].setFocus()
    keys.press(Qt.Key.Key_A, modifier=CTRL)
    keys.type(CORRECTED_NOTE)
    keys.save()
    _back_in(window, qtbot)
    notes = app.cases.notes(case_id)
    assert [n.body for n in notes] == [FIRST_NOTE, SECOND_NOTE, CORRECTED_NOTE]
    assert notes[2].corrects_id == first.id
    # The original is still there, word for word, and says it was corrected.
    assert window.notes_table.rowCount() == 3
    corrected_by = _(MSG_CORRECTED_BY, number="3", date="2026年6月1日")
    assert _note_cell(window, 0) == f"{corrected_by} · {FIRST_NOTE}"  # one line each
    corrects = _(MSG_CORRECTS, number="1", date="2026年6月1日")
    assert _note_cell(window, 2) == f"{corrects} · {CORRECTED_NOTE}"
    window.notes_table.selectRow(2)
    assert window.note_view.toPlainText() == f"{corrects}\n{CORRECTED_NOTE}"  # whole

    # Every stage in turn; the header and the service agree after each.
    path = (CaseStage.ASSESSMENT, CaseStage.PLANNING, CaseStage.INTERVENTION)
    for stage in (*path, CaseStage.EVALUATION):
        dialog = _move_to(app, window, qtbot, keys, stage)
        assert not dialog.editor.field("closing_reason").isEnabled()  # not closing
        keys.save()
        _back_in(window, qtbot)
        assert _case(app, case_id).stage == stage.value
        assert _stage_shown(window).endswith(f"{_(stage.label)}</b>")
    assert window.history_table.rowCount() == 5

    # Closing without a reason: the reason is asked for beside its field, nothing saved.
    dialog = _move_to(app, window, qtbot, keys, CaseStage.CLOSED)
    reason = dialog.editor.field("closing_reason")
    assert reason.isEnabled()
    keys.save()
    assert dialog.isVisible()
    assert reason.error_text() == _("Give the reason for closing.")
    assert reason.error_label.isVisible()
    assert keys.focused() is reason.focus_widgets()[0]
    assert _case(app, case_id).stage == CaseStage.EVALUATION.value
    assert len(app.cases.stage_history(case_id)) == 5
    keys.press(Qt.Key.Key_Down)  # the first reason: goals met
    keys.tab()
    keys.type("目标达成")
    keys.save()
    _back_in(window, qtbot)
    closed = _case(app, case_id)
    assert (closed.stage, closed.closing_reason) == ("closed", ClosingReason.GOALS_MET.value)
    assert (str(closed.closed_on), closed.closing_note) == (TODAY, "目标达成")
    assert _stage_shown(window).endswith(f"{_(CaseStage.CLOSED.label)}</b>")
    assert window.header_values["closed"].text() == (
        f"2026年6月1日 · {_(ClosingReason.GOALS_MET.label)}"
    )
    assert window.buttons["move_stage"].text() == _("Reopen the case…")

    # Reopening is the same action: the one stage it can go to is already chosen.
    keys.press(Qt.Key.Key_M, modifier=CTRL)
    dialog = _dialog(window, qtbot)
    assert dialog.editor.values()["to_stage"] == CaseStage.ASSESSMENT.value
    assert not dialog.editor.field("closing_reason").isEnabled()
    keys.save()
    _back_in(window, qtbot)
    reopened = _case(app, case_id)
    assert (reopened.stage, reopened.reopen_count, reopened.closed_on) == ("assessment", 1, None)
    assert _stage_shown(window).endswith(f"{_(CaseStage.ASSESSMENT.label)}</b>")
    assert window.header_values["reopen_count"].text() == "1"
    assert window.header_values["closed"].isHidden()
    assert window.history_table.rowCount() == 7
    assert _("Reopened") in window.history_table.item(6, 0).text()  # type: ignore[union-attr]
    assert answers.warnings == []

    # In Tibetan: the header, the rows and the buttons; the selected note stays selected.
    keys.press(Qt.Key.Key_Home, modifier=CTRL)
    assert window.selected_note_id() == first.id
    languages.switch("bo")
    QApplication.processEvents()  # Qt posts LanguageChange events; let them arrive
    tibetan_stage = _(CaseStage.ASSESSMENT.label)
    assert tibetan_stage != CaseStage.ASSESSMENT.label
    assert _stage_shown(window) == f"<b>{tibetan_stage}</b>"
    assert window.header_values["opened_on"].text() == "2026ལོའི་ཟླ་3ཚེས་1ཉིན"
    assert window.header_labels["stage"].text() == _("Stage") != "Stage"
    assert _note_cell(window, 0).startswith(
        _(MSG_CORRECTED_BY, number="3", date="2026ལོའི་ཟླ་6ཚེས་1ཉིན")
    )
    assert window.selected_note_id() == first.id
    assert window.notes_table.rowCount() == 3

    keys.press(Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_a_long_note_takes_one_line_and_is_read_whole_below(
    app: Application, case_id: uuid.UUID, window: CaseWindow
) -> None:
    long_note = "\n".join(["老人独居，需要每周探访一次。"] * 10) + "ཐུགས་རྗེ་ཆེ། " * 400
    assert len(long_note) > 5_000
    app.cases.add_note(case_id, TODAY, FIRST_NOTE)
    app.cases.add_note(case_id, TODAY, long_note)
    window.reload()
    QApplication.processEvents()
    table = window.notes_table
    assert table.rowHeight(1) == table.rowHeight(0)  # no taller than a short note
    assert table.rowHeight(1) < 2 * text_line_height(table.font())
    table.selectRow(1)
    assert window.note_view.toPlainText() == app.cases.notes(case_id)[1].body  # all of it
    body = table.item(1, table.columnCount() - 1)
    assert body is not None and body.toolTip().startswith("老人独居")


def test_every_control_is_reached_with_tab_and_named(
    app: Application, case_id: uuid.UUID, window: CaseWindow, keys: Keyboard
) -> None:
    app.cases.add_note(case_id, TODAY, FIRST_NOTE)
    window.reload()  # a note selected: "Correct the selected note" can be used
    reached: list[QWidget] = []
    for _step in range(12):
        reached.append(keys.focused())
        keys.tab()
    wanted = [window.notes_table, *window.buttons.values(), window.history_table]
    assert reached[: len(wanted)] == wanted
    for widget in wanted:
        assert widget.accessibleName()
    assert window.buttons["add_note"].accessibleName() == _("Add a progress note")


def test_print_asks_for_the_case(
    window: CaseWindow, case_id: uuid.UUID, keys: Keyboard, qtbot: QtBot
) -> None:
    with qtbot.waitSignal(window.print_requested, timeout=1000) as printed:
        keys.press(Qt.Key.Key_P, modifier=CTRL)
    assert printed.args == [case_id]


def test_case_details_are_edited_and_only_changes_are_saved(
    app: Application,
    case_id: uuid.UUID,
    window: CaseWindow,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    before = _case(app, case_id)
    assert window.header_values["referral"].isHidden()  # nothing to say yet
    keys.press(Qt.Key.Key_E, modifier=CTRL)
    dialog = _dialog(window, qtbot)
    editor = dialog.editor
    assert editor.values()["presenting_problem"] == "生活困难"  # the case as it is
    assert not editor.field("resident_id").isEnabled()  # the client of a case is fixed
    assert keys.focused() is editor.field("opened_on").focus_widgets()[0]
    editor.field("referral_to").focus_widgets()[0].setFocus()
    keys.type("拉萨市残联")
    keys.tab()
    keys.type("2026-05-20")
    keys.save()
    _back_in(window, qtbot)
    after = _case(app, case_id)
    assert (after.referral_to, str(after.referral_on)) == ("拉萨市残联", "2026-05-20")
    assert (after.presenting_problem, after.worker_id) == ("生活困难", before.worker_id)
    assert window.header_values["referral"].text() == "拉萨市残联 · 2026年5月20日"


def test_a_note_begun_on_the_follow_ups_page_is_offered_here(
    app: Application,
    case_id: uuid.UUID,
    window: CaseWindow,
    answers: Answers,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    DraftStore(app.paths.drafts).save(
        f"{CASE_NOTE_FORM.code}:{case_id}",
        CASE_NOTE_FORM.code,
        CASE_NOTE_FORM.version,
        {"written_on": "2026-05-31", "body": SECOND_NOTE},
    )
    answers.reply = QMessageBox.StandardButton.Yes
    keys.press(Qt.Key.Key_N, modifier=CTRL)
    dialog = _dialog(window, qtbot)
    qtbot.waitUntil(lambda: len(answers.asked) == 1, timeout=2000)
    assert dialog.editor.values() == {"written_on": "2026-05-31", "body": SECOND_NOTE}
    keys.save()
    _back_in(window, qtbot)
    [note] = app.cases.notes(case_id)
    assert (note.body, str(note.written_on)) == (SECOND_NOTE, "2026-05-31")
    assert DraftStore(app.paths.drafts).load(f"{CASE_NOTE_FORM.code}:{case_id}") is None


def test_a_stage_change_made_elsewhere_meanwhile_is_explained_and_shown(
    app: Application,
    case_id: uuid.UUID,
    window: CaseWindow,
    answers: Answers,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    dialog = _move_to(app, window, qtbot, keys, CaseStage.ASSESSMENT)
    app.cases.move_stage(case_id, "assessment", TODAY)  # another window got there first
    keys.save()
    assert dialog.isVisible()  # nothing lost: the form stays open
    expected = BadTransition(from_stage=CaseStage.ASSESSMENT, to_stage=CaseStage.ASSESSMENT)
    assert answers.warnings == [_(expected.message, **expected.params)]
    assert _stage_shown(window).endswith(f"{_(CaseStage.ASSESSMENT.label)}</b>")
    assert len(app.cases.stage_history(case_id)) == 2
    dialog.editor.mark_clean()
    dialog.reject()
