"""The record editors, driven like a user: keyboard only, typing Tibetan and Chinese, saving
through the real services, switching language mid-edit, drafts, and closing with changes."""

from __future__ import annotations

import errno
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.domain.codes import FeedbackDimension, Satisfaction, ServiceType, VisitOutcome
from station_desktop.domain.idcard import IdError, check_id_number
from station_desktop.drafts import DraftStore
from station_desktop.errors import DiskFull, FieldError, StationNotConfigured, ValidationError
from station_desktop.forms import feedback, resident, visit
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec, SectionSpec
from station_desktop.forms.validate import ID_MESSAGES, MSG_DATE_FUTURE, MSG_REQUIRED, parse_date
from station_desktop.i18n import Catalogues, _
from station_desktop.store.models import HomeVisit
from station_desktop.ui.forms import editor as editor_module
from station_desktop.ui.forms.editor import (
    FormEditor,
    RecordDialog,
    application_choices,
    next_sheet_number,
)
from station_desktop.ui.forms.fields import (
    CheckList,
    ChoiceCombo,
    FormChoices,
    LineField,
    MultilineField,
    RatingField,
    ReferenceField,
    ReferenceSource,
    date_example,
    date_placeholder,
)
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import LONG_NOTE, FakeClock, StationSetup, fill_until_full
from tests.gui.conftest import Answers, answer_message_boxes, type_text

pytestmark = pytest.mark.gui

NAME_BO, NAME_ZH = "བཀྲ་ཤིས་ཚེ་རིང་", "扎西次仁"
COMPANIONS = "ཚེ་རིང་དབང་འདུས། 次仁旺堆"
SITUATION_BO = "རྒན་པ་བདེ་པོ་འདུག ཁྱིམ་གཙང་མ་འདུག"
SITUATION_ZH = "老人身体尚好，家中整洁。"
NEEDS = "冬季取暖煤炭 ཚ་དྲོད།"
FOLLOW_UP = "下月复访 ཟླ་རྗེས་མར་ཡང་བསྐྱར་འཚམས་འདྲི།"
COMMENTS = "ལས་བྱེད་པ་ཚོ་ཧ་ཅང་ཡག་པོ་འདུག 工作人员很耐心。"
VISIT_KEY = "HV-01:new"
MSG_UNSAVED = "This record has changes that are not saved. Save them now?"


@pytest.fixture(autouse=True)
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return answer_message_boxes(monkeypatch)


@pytest.fixture
def resident_id(app: Application, station: StationSetup) -> uuid.UUID:
    return app.residents.register(
        {
            "name_bo": NAME_BO,
            "name_zh": NAME_ZH,
            "legal_basis": "consent",
            "birth_date": "1950-03-02",
        }
    )


@pytest.fixture
def drafts(app: Application) -> DraftStore:
    return DraftStore(app.paths.drafts)


@pytest.fixture
def choices(app: Application, languages: LanguageSwitcher) -> FormChoices:
    return application_choices(app, languages.formats)


def _show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.show()
    widget.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)


class Keyboard:
    """Keys go to whichever widget has the focus, as from a real keyboard."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot

    @staticmethod
    def focused() -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None
        return widget

    def type(self, text: str) -> None:
        if text.isascii():
            self.qtbot.keyClicks(self.focused(), text)  # type: ignore[no-untyped-call]
        else:
            type_text(self.focused(), text)

    def press(
        self,
        key: Qt.Key,
        times: int = 1,
        modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
    ) -> None:
        for _time in range(times):
            # pytest-qt's key helpers are untyped; they are QTest's, delivered to one widget.
            self.qtbot.keyClick(self.focused(), key, modifier)  # type: ignore[no-untyped-call]

    def tab(self, times: int = 1) -> None:
        self.press(Qt.Key.Key_Tab, times)

    def save(self) -> None:
        self.press(Qt.Key.Key_S, modifier=Qt.KeyboardModifier.ControlModifier)


@pytest.fixture
def keys(qtbot: QtBot) -> Keyboard:
    return Keyboard(qtbot)


def _visit_dialog(
    app: Application,
    languages: LanguageSwitcher,
    choices: FormChoices,
    drafts: DraftStore | None = None,
) -> RecordDialog:
    return RecordDialog(
        visit.VISIT_FORM,
        app.visits.record,
        choices=choices,
        formats=languages.formats,
        drafts=drafts,
        draft_key=VISIT_KEY if drafts is not None else None,
    )


# ---------------------------------------------------------------- whole forms by keyboard


def test_a_home_visit_is_entered_with_the_keyboard_alone(
    app: Application,
    station: StationSetup,
    resident_id: uuid.UUID,
    languages: LanguageSwitcher,
    choices: FormChoices,
    drafts: DraftStore,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    dialog = _visit_dialog(app, languages, choices, drafts)
    _show(qtbot, dialog)
    fields = dialog.editor.fields
    assert keys.focused() is fields["resident_id"].focus_widgets()[0]  # ready to type
    keys.type("扎西")  # a unique match is chosen when the search runs (Tab runs it now)
    keys.tab()
    keys.type("2026-05-30")
    keys.tab()
    keys.press(Qt.Key.Key_Space)  # first visitor (staff are listed by name)
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Space)  # and the second: visits are made in pairs
    keys.tab()
    keys.type(COMPANIONS)
    keys.tab()
    keys.press(Qt.Key.Key_Down)  # outcome: the first choice, "at home"
    keys.tab()
    keys.press(Qt.Key.Key_Down, times=2)  # purpose: the second choice, "follow-up"
    keys.tab()
    keys.type(SITUATION_BO)
    keys.press(Qt.Key.Key_Return)
    keys.type(SITUATION_ZH)
    keys.tab()
    keys.type(NEEDS)
    keys.tab()
    keys.press(Qt.Key.Key_Down, times=2)  # services: the third, "visit and check-in"
    keys.press(Qt.Key.Key_Space)
    keys.tab(2)  # past the services note
    keys.type(FOLLOW_UP)
    keys.tab()
    keys.type("2026/6/30")  # the next visit, typed another common way
    assert dialog.editor.is_dirty()
    keys.save()

    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.editor.errors()
    assert not dialog.isVisible()
    [row] = app.listing.records("visits")
    assert row["id"] == str(dialog.saved_id)
    assert row["resident_id"] == str(resident_id)
    assert row["resident_name_bo"] == NAME_BO
    assert (row["visit_date"], row["next_visit_on"]) == ("2026-05-30", "2026-06-30")
    assert (row["outcome"], row["purpose"]) == ("at_home", "follow_up")
    assert row["services"] == [ServiceType.VISIT_CHECKIN.value]
    assert sorted(row["visitor_ids"]) == sorted([str(station.worker_id), str(station.head_id)])
    with app.ctx.db.read() as session:
        stored = session.get(HomeVisit, dialog.saved_id)
        assert stored is not None
        assert stored.situation == f"{SITUATION_BO}\n{SITUATION_ZH}"  # every character kept
        assert (stored.companions, stored.needs, stored.follow_up) == (COMPANIONS, NEEDS, FOLLOW_UP)
    assert drafts.load(VISIT_KEY) is None  # saved: the draft has gone


def test_a_paper_feedback_sheet_is_entered_in_printed_order_anonymously(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    choices: FormChoices,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    dialog = RecordDialog(
        feedback.FEEDBACK_FORM, app.feedback.record, choices=choices, formats=languages.formats
    )
    _show(qtbot, dialog)
    keys.type("SF-2026-0042")  # sheet number
    keys.tab()
    keys.press(Qt.Key.Key_Down, times=2)  # service area: elderly care
    keys.tab()
    keys.press(Qt.Key.Key_Down)  # service received: policy consultation
    keys.tab()
    keys.type("2026-05-28")  # date of service
    keys.tab()
    keys.type("2026年5月29日")  # date collected, as written on the sheet
    keys.tab()
    keys.press(Qt.Key.Key_Down)  # collected by: the first staff member
    keys.tab()  # the respondent stays anonymous: nothing typed
    for digit in "453354":  # the six ratings, one digit each
        keys.tab()
        keys.type(digit)
    keys.tab()
    keys.type(COMMENTS)
    keys.save()

    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.editor.errors()
    [row] = app.listing.records("feedback")
    assert row["sheet_no"] == "SF-2026-0042"
    assert (row["service_area"], row["service_type"]) == ("elderly_care", "policy_consultation")
    assert (row["service_date"], row["collected_on"]) == ("2026-05-28", "2026-05-29")
    assert row["anonymous"] is True and row["resident_id"] is None
    assert row["comments"] == COMMENTS
    expected = dict(zip([d.value for d in FeedbackDimension], [4, 5, 3, 3, 5, 4], strict=True))
    assert row["ratings"] == expected


# ---------------------------------------------------------------- errors and languages


def _translation(language: str, message: str, **params: object) -> str:
    return Catalogues().translator(language).gettext(message, **params)


def test_bad_fields_are_shown_beside_them_in_the_interface_language_and_nothing_is_saved(
    app: Application,
    station: StationSetup,
    resident_id: uuid.UUID,
    languages: LanguageSwitcher,
    choices: FormChoices,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    dialog = _visit_dialog(app, languages, choices)
    _show(qtbot, dialog)
    editor = dialog.editor
    editor.set_values({"resident_id": str(resident_id), "outcome": "at_home"})
    editor.field("visit_date").focus_widgets()[0].setFocus()
    keys.type("2026-07-01")  # the test clock says 1 June 2026: a visit cannot be in July
    keys.save()

    assert dialog.isVisible() and dialog.result() == 0
    assert app.listing.records("visits") == []
    future = editor.field("visit_date").error_text()
    assert future == _translation("zh_CN", MSG_DATE_FUTURE)
    assert future != MSG_DATE_FUTURE and any("\u4e00" <= ch <= "\u9fff" for ch in future)
    assert editor.field("visitor_ids").error_text() == _translation("zh_CN", MSG_REQUIRED)
    assert editor.field("purpose").error_text() == _translation("zh_CN", MSG_REQUIRED)
    assert editor.field("companions").error_text() is None
    assert editor.field("visit_date").error_label.isVisible()
    # The first bad field in form order has the focus, ready to be corrected.
    assert keys.focused() is editor.field("visit_date").focus_widgets()[0]
    assert editor.summary_text() == _translation("zh_CN", ValidationError.message)

    # Corrected: the messages go away as the service accepts the record.
    keys.press(Qt.Key.Key_A, modifier=Qt.KeyboardModifier.ControlModifier)
    keys.type("2026-05-30")
    editor.set_values({"visitor_ids": [str(station.worker_id)], "purpose": "routine"})
    keys.save()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert len(app.listing.records("visits")) == 1


def test_a_wrong_id_card_number_is_refused_beside_the_field(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    choices: FormChoices,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    bad_number = "54010219500302123X"
    assert check_id_number(bad_number).error is IdError.BAD_CHECKSUM
    dialog = RecordDialog(
        resident.RESIDENT_FORM, app.residents.register, choices=choices, formats=languages.formats
    )
    _show(qtbot, dialog)
    keys.type(NAME_BO)
    keys.tab()
    keys.type(NAME_ZH)
    dialog.editor.set_values({"legal_basis": "consent"})
    dialog.editor.field("id_number").focus_widgets()[0].setFocus()
    keys.type(bad_number)
    keys.save()
    assert dialog.isVisible()
    assert app.listing.records("residents") == []
    expected = _translation("zh_CN", ID_MESSAGES[IdError.BAD_CHECKSUM], letter="X")
    assert dialog.editor.field("id_number").error_text() == expected
    assert keys.focused() is dialog.editor.field("id_number").focus_widgets()[0]
    assert dialog.editor.values()["id_number"] == bad_number  # kept exactly, to be corrected


def test_switching_language_mid_edit_keeps_every_value_and_retranslates_errors(
    app: Application,
    station: StationSetup,
    resident_id: uuid.UUID,
    languages: LanguageSwitcher,
    choices: FormChoices,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    dialog = _visit_dialog(app, languages, choices)
    _show(qtbot, dialog)
    editor = dialog.editor
    editor.set_values(
        {
            "resident_id": str(resident_id),
            "visitor_ids": [str(station.head_id)],
            "outcome": VisitOutcome.NOBODY_HOME.value,
            "services": [ServiceType.MEDIATION.value],
        }
    )
    editor.field("visit_date").focus_widgets()[0].setFocus()
    keys.type("2027-01-01")
    keys.tab(2)
    keys.type(COMPANIONS)
    editor.field("situation").focus_widgets()[0].setFocus()
    keys.type(SITUATION_BO)
    keys.press(Qt.Key.Key_Return)
    keys.type(SITUATION_ZH)
    keys.save()  # refused: future date, no purpose
    typed = editor.values()
    assert typed["companions"] == COMPANIONS
    assert typed["situation"] == f"{SITUATION_BO}\n{SITUATION_ZH}"
    outcome = editor.field("outcome")
    assert isinstance(outcome, ChoiceCombo)
    assert outcome.combo.currentText() == _translation("zh_CN", VisitOutcome.NOBODY_HOME.label)

    for language in ("bo", "en", "zh_CN"):
        languages.switch(language)
        QApplication.processEvents()
        assert editor.values() == typed, language  # nothing typed or chosen is lost
        assert editor.field("visit_date").error_text() == _translation(language, MSG_DATE_FUTURE)
        assert editor.field("purpose").error_text() == _translation(language, MSG_REQUIRED)
        assert editor.summary_text() == _translation(language, ValidationError.message)
        assert outcome.combo.currentText() == _translation(language, VisitOutcome.NOBODY_HOME.label)
        label = editor._labels["visit_date"].text()
        assert _translation(language, "Date of visit") in label
        assert dialog.windowTitle() == _translation(language, visit.VISIT_FORM.title)
    assert _translation("bo", MSG_DATE_FUTURE) != _translation("zh_CN", MSG_DATE_FUTURE)
    dialog.editor.mark_clean()


def test_errors_for_names_not_on_the_form_are_listed_at_the_top(
    languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    editor = FormEditor(visit.VISIT_FORM)
    qtbot.addWidget(editor)
    editor.show_errors(
        ValidationError(
            [FieldError("household_id", MSG_REQUIRED), FieldError("visit_date", MSG_DATE_FUTURE)]
        )
    )
    summary = editor.summary_text()
    assert summary is not None
    assert f"household_id: {_(MSG_REQUIRED)}" in summary
    assert editor.field("visit_date").error_text() == _(MSG_DATE_FUTURE)
    editor.clear_errors()
    assert editor.summary_text() is None and editor.field("visit_date").error_text() is None


# ---------------------------------------------------------------- drafts


def test_a_draft_is_written_after_a_pause_and_restored_into_a_fresh_editor(
    languages: LanguageSwitcher, keys: Keyboard, qtbot: QtBot, tmp_path: Path
) -> None:
    store = DraftStore(tmp_path / "drafts")
    editor = FormEditor(visit.VISIT_FORM, drafts=store, draft_key=VISIT_KEY, draft_delay_ms=40)
    _show(qtbot, editor)
    editor.field("companions").focus_widgets()[0].setFocus()
    keys.type(COMPANIONS)
    assert editor.draft_pending() and store.load(VISIT_KEY) is None  # not on every keystroke
    with qtbot.waitSignal(editor.draft_saved, timeout=2000):
        pass
    editor.set_values({"outcome": "refused", "services": ["mediation", "policy_consultation"]})
    editor.field("situation").focus_widgets()[0].setFocus()
    keys.type(SITUATION_BO)
    qtbot.waitUntil(lambda: not editor.draft_pending(), timeout=2000)
    draft = store.load(VISIT_KEY)
    assert draft is not None and draft.form_code == "HV-01" and draft.form_version == 1
    assert draft.values == editor.values()

    fresh = FormEditor(visit.VISIT_FORM, drafts=store, draft_key=VISIT_KEY)
    qtbot.addWidget(fresh)
    assert not fresh.is_dirty()
    assert fresh.restore_draft()
    assert fresh.values() == editor.values()
    assert fresh.is_dirty()  # restored typing is still unsaved
    editor.mark_clean()
    fresh.discard_draft()
    assert store.load(VISIT_KEY) is None


def test_leaving_a_field_writes_the_draft_at_once(
    languages: LanguageSwitcher, keys: Keyboard, qtbot: QtBot, tmp_path: Path
) -> None:
    store = DraftStore(tmp_path / "drafts")
    editor = FormEditor(visit.VISIT_FORM, drafts=store, draft_key=VISIT_KEY, draft_delay_ms=60_000)
    _show(qtbot, editor)
    editor.field("companions").focus_widgets()[0].setFocus()
    keys.type(COMPANIONS)
    assert store.load(VISIT_KEY) is None
    keys.tab()
    draft = store.load(VISIT_KEY)
    assert draft is not None and draft.values["companions"] == COMPANIONS
    editor.mark_clean()


def test_a_fast_typist_who_never_pauses_still_gets_drafts(
    languages: LanguageSwitcher,
    keys: Keyboard,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(editor_module, "DRAFT_MAX_WAIT_S", 0.0)
    store = DraftStore(tmp_path / "drafts")
    editor = FormEditor(visit.VISIT_FORM, drafts=store, draft_key=VISIT_KEY, draft_delay_ms=60_000)
    _show(qtbot, editor)
    editor.field("needs").focus_widgets()[0].setFocus()
    keys.type("ཀཁ")
    draft = store.load(VISIT_KEY)
    assert draft is not None and draft.values["needs"] == "ཀཁ"
    editor.mark_clean()


def test_the_dialog_offers_a_left_draft_back(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    choices: FormChoices,
    drafts: DraftStore,
    answers: Answers,
    qtbot: QtBot,
) -> None:
    drafts.save(VISIT_KEY, "HV-01", 1, {"companions": COMPANIONS, "outcome": "vacant"})
    answers.reply = QMessageBox.StandardButton.Yes
    dialog = _visit_dialog(app, languages, choices, drafts)
    _show(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.editor.values()["companions"] == COMPANIONS, timeout=2000)
    assert dialog.editor.values()["outcome"] == "vacant"
    assert len(answers.asked) == 1 and "{time}" not in answers.asked[0]

    declined = _visit_dialog(app, languages, choices, drafts)
    answers.reply = QMessageBox.StandardButton.No
    _show(qtbot, declined)
    qtbot.waitUntil(lambda: len(answers.asked) == 2, timeout=2000)
    assert declined.editor.values()["companions"] == ""
    assert drafts.load(VISIT_KEY) is not None  # a mistaken "No" loses nothing
    dialog.editor.mark_clean()


# ---------------------------------------------------------------- closing and failing


def test_closing_with_changes_asks_and_never_drops_typing_silently(
    app: Application,
    station: StationSetup,
    resident_id: uuid.UUID,
    languages: LanguageSwitcher,
    choices: FormChoices,
    drafts: DraftStore,
    answers: Answers,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    dialog = _visit_dialog(app, languages, choices, drafts)
    _show(qtbot, dialog)
    dialog.close()  # nothing typed: closes without a question
    assert answers.asked == [] and not dialog.isVisible()

    dialog = _visit_dialog(app, languages, choices, drafts)
    _show(qtbot, dialog)
    dialog.editor.field("companions").focus_widgets()[0].setFocus()
    keys.type(COMPANIONS)
    answers.unsaved = QMessageBox.StandardButton.Cancel
    dialog.close()
    keys.press(Qt.Key.Key_Escape)
    dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert answers.asked == [_(MSG_UNSAVED)] * 3
    assert dialog.isVisible() and dialog.editor.values()["companions"] == COMPANIONS

    answers.unsaved = QMessageBox.StandardButton.Save  # refused by the service: stays open
    dialog.close()
    assert dialog.isVisible() and dialog.editor.field("visit_date").error_text() is not None
    assert drafts.load(VISIT_KEY) is not None  # written before the save was tried

    dialog.editor.set_values(
        {
            "resident_id": str(resident_id),
            "visit_date": "2026-05-31",
            "visitor_ids": [str(station.worker_id)],
            "outcome": "at_home",
            "purpose": "routine",
        }
    )
    dialog.close()  # "Save" again: this time it is recorded
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Accepted
    assert len(app.listing.records("visits")) == 1
    assert drafts.load(VISIT_KEY) is None

    dialog = _visit_dialog(app, languages, choices, drafts)
    _show(qtbot, dialog)
    keys.type("扎西")
    answers.unsaved = QMessageBox.StandardButton.Discard
    keys.press(Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected
    assert drafts.load(VISIT_KEY) is None  # discarded on purpose


def test_another_problem_is_shown_as_a_message_and_the_dialog_stays(
    languages: LanguageSwitcher, answers: Answers, keys: Keyboard, qtbot: QtBot, tmp_path: Path
) -> None:
    store = DraftStore(tmp_path / "drafts")

    def unconfigured(values: dict[str, object]) -> uuid.UUID:
        raise StationNotConfigured()

    dialog = RecordDialog(visit.VISIT_FORM, unconfigured, drafts=store, draft_key=VISIT_KEY)
    _show(qtbot, dialog)
    dialog.editor.field("companions").focus_widgets()[0].setFocus()
    keys.type(COMPANIONS)
    keys.save()
    assert dialog.isVisible()
    error = StationNotConfigured()
    assert answers.warnings == [_(error.message, **error.params)]
    draft = store.load(VISIT_KEY)
    assert draft is not None and draft.values["companions"] == COMPANIONS
    dialog.editor.mark_clean()


# ---------------------------------------------------------------- keyboard details


def test_tab_walks_the_form_in_printed_order(
    languages: LanguageSwitcher, keys: Keyboard, qtbot: QtBot
) -> None:
    residents = ReferenceSource(lambda text: [])
    editor = FormEditor(feedback.FEEDBACK_FORM, FormChoices(residents=residents))
    _show(qtbot, editor)
    stops = [w for field in editor.fields.values() for w in field.focus_widgets()]
    assert len(stops) == len(feedback.FEEDBACK_FORM.keys)  # one stop per field
    stops[0].setFocus()
    walked = [keys.focused()]
    for _stop in stops[1:]:
        keys.tab()
        walked.append(keys.focused())
    assert walked == stops


def test_ctrl_s_asks_to_save_and_escape_to_cancel_from_any_field(
    languages: LanguageSwitcher, keys: Keyboard, qtbot: QtBot
) -> None:
    editor = FormEditor(visit.VISIT_FORM)
    _show(qtbot, editor)
    for key in ("companions", "situation", "outcome", "services"):
        editor.field(key).focus_widgets()[0].setFocus()
        with qtbot.waitSignal(editor.save_requested, timeout=500):
            keys.save()
        with qtbot.waitSignal(editor.cancel_requested, timeout=500):
            keys.press(Qt.Key.Key_Escape)


def test_ratings_follow_digits_and_arrows(
    languages: LanguageSwitcher, keys: Keyboard, qtbot: QtBot
) -> None:
    editor = FormEditor(feedback.FEEDBACK_FORM)
    _show(qtbot, editor)
    rating = editor.field(feedback.rating_key(FeedbackDimension.OVERALL))
    assert isinstance(rating, RatingField)
    rating.row.setFocus()
    assert rating.value() is None  # "no answer" until one is given
    keys.type("3")
    assert rating.value() == "3"
    keys.press(Qt.Key.Key_Right)
    keys.press(Qt.Key.Key_Right)
    assert rating.value() == "5"
    keys.press(Qt.Key.Key_Right)  # stops at the end
    assert rating.value() == "5"
    keys.press(Qt.Key.Key_Left)
    assert rating.value() == "4"
    type_text(rating.row, "༢")  # a Tibetan keyboard's digit
    assert rating.value() == "2"
    keys.press(Qt.Key.Key_Backspace)
    assert rating.value() is None
    keys.type("9")  # not a rating: ignored
    assert rating.value() is None
    labels = [b.text() for b in rating.buttons.values()]
    assert labels[1] == f"1 {_(Satisfaction.VERY_DISSATISFIED.label)}"


def test_the_reference_search_moves_through_matches_with_the_arrows(
    languages: LanguageSwitcher, keys: Keyboard, qtbot: QtBot
) -> None:
    people = [("id-1", "扎西 1"), ("id-2", "扎西 2"), ("id-3", "卓玛")]
    source = ReferenceSource(
        lambda text: [p for p in people if text in p[1]],
        lambda value: dict(people).get(value),
    )
    editor = FormEditor(visit.VISIT_FORM, FormChoices(residents=source))
    _show(qtbot, editor)
    field = editor.field("resident_id")
    assert isinstance(field, ReferenceField)
    field.search.setFocus()
    keys.type("扎西")
    keys.press(Qt.Key.Key_Down)  # runs the waiting search, then picks the first match
    assert field.value() == "id-1"
    keys.press(Qt.Key.Key_Down)
    assert field.value() == "id-2"
    keys.press(Qt.Key.Key_Up)
    assert field.value() == "id-1"
    keys.press(Qt.Key.Key_A, modifier=Qt.KeyboardModifier.ControlModifier)
    keys.type("卓")
    keys.tab()  # a single match is chosen on leaving... but a choice already made is kept
    assert field.value() == "id-1"
    field.set_value("id-3")  # set from a record or a draft: named by `describe`
    assert field.combo.currentText() == "卓玛"


# ---------------------------------------------------------------- every kind of field

ALL_KINDS = FormSpec(
    code="TEST-01",
    version=1,
    title="Test",
    sections=(
        SectionSpec(
            "all",
            "All",
            (
                FieldSpec("text", FieldKind.TEXT, "Text"),
                FieldSpec("multi", FieldKind.MULTILINE, "Multiline", paper_lines=3),
                FieldSpec("date", FieldKind.DATE, "Date"),
                FieldSpec("code", FieldKind.CODE, "Code", codes=VisitOutcome),
                FieldSpec("codes", FieldKind.CODES, "Codes", codes=ServiceType),
                FieldSpec("integer", FieldKind.INTEGER, "Integer"),
                FieldSpec("money", FieldKind.MONEY, "Money"),
                FieldSpec("boolean", FieldKind.BOOLEAN, "Boolean"),
                FieldSpec("resident", FieldKind.RESIDENT, "Resident"),
                FieldSpec("area", FieldKind.REFERENCE, "Area", ref="area"),
                FieldSpec("staff", FieldKind.STAFF, "Staff"),
                FieldSpec("staff_list", FieldKind.STAFF_LIST, "Staff list"),
                FieldSpec("rating", FieldKind.RATING, "Rating", codes=Satisfaction),
                FieldSpec("id_number", FieldKind.ID_NUMBER, "ID"),
                FieldSpec("phone", FieldKind.PHONE, "Phone"),
            ),
        ),
    ),
)

EVERY_VALUE: dict[str, object] = {
    "text": "  ཀ་ཁ་ 甲乙  ",  # as typed, spaces and all: cleaning is the service's job
    "multi": "ཀ\n\n乙",
    "date": "2024ལོའི་ཟླ་5ཚེས་30ཉིན",
    "code": "refused",
    "codes": ["policy_consultation", "mediation"],  # in the order of the list
    "integer": "１２",
    "money": "¥12.50",
    "boolean": "true",
    "resident": str(uuid.UUID(int=7)),
    "area": str(uuid.UUID(int=8)),
    "staff": "s2",
    "staff_list": ["s1", "s2"],
    "rating": "4",
    "id_number": "54010219500302123x",
    "phone": "0891-6321234",
}


@pytest.fixture
def every_kind(languages: LanguageSwitcher, qtbot: QtBot) -> Iterator[FormEditor]:
    staff = [("s1", "སྒྲོལ་མ་ 卓玛"), ("s2", "ནོར་བུ་ 罗布")]
    choices = FormChoices(
        staff=lambda: staff,
        residents=ReferenceSource(lambda text: [], lambda value: f"person {value[-1]}"),
    )
    editor = FormEditor(ALL_KINDS, choices)
    qtbot.addWidget(editor)
    yield editor


def test_every_kind_of_field_gives_back_what_was_put_in(every_kind: FormEditor) -> None:
    blank = every_kind.values()
    assert blank["codes"] == [] and blank["staff_list"] == [] and blank["rating"] is None
    assert blank["code"] is None and blank["resident"] is None and blank["text"] == ""
    every_kind.set_values(EVERY_VALUE)
    assert every_kind.values() == EVERY_VALUE
    every_kind.set_values(dict.fromkeys(EVERY_VALUE))
    cleared = every_kind.values()
    assert cleared == {**blank, "boolean": "false"}


def test_values_not_among_the_choices_are_kept_not_dropped(every_kind: FormEditor) -> None:
    # A code from a newer version, a staff member no longer listed: shown, and given back.
    every_kind.set_values({"code": "teleported", "codes": ["mediation", "new_service"]})
    every_kind.set_values({"staff": "gone", "staff_list": ["s1", "gone"]})
    values = every_kind.values()
    assert values["code"] == "teleported" and values["staff"] == "gone"
    assert values["codes"] == ["mediation", "new_service"]
    assert values["staff_list"] == ["s1", "gone"]
    every_kind.retranslate_ui()  # rebuilding the lists in another language keeps them too
    assert every_kind.values() == values


def test_fields_are_tall_enough_for_tibetan(
    every_kind: FormEditor, languages: LanguageSwitcher
) -> None:
    from station_desktop.ui.fonts import text_line_height

    for language in ("zh_CN", "bo"):
        languages.switch(language)
        QApplication.processEvents()
        line = every_kind.field("text")
        assert isinstance(line, LineField)
        needed = text_line_height(line.line.font())
        assert line.line.minimumHeight() >= needed
        multi = every_kind.field("multi")
        assert isinstance(multi, MultilineField)
        assert multi.text.minimumHeight() >= 3 * text_line_height(multi.text.font())
        staff = every_kind.field("staff_list")
        assert isinstance(staff, CheckList)
        item = staff.list.item(0)
        assert item is not None and item.sizeHint().height() >= needed  # Tibetan names


@pytest.mark.parametrize("language", ["bo", "zh_CN", "en"])
def test_the_date_placeholder_is_an_example_in_a_form_the_service_accepts(
    languages: LanguageSwitcher, language: str
) -> None:
    languages.switch(language)
    example = date_example(languages.formats)
    assert parse_date(example) is not None
    placeholder = date_placeholder(languages.formats)
    assert example in placeholder and placeholder != example  # never looks like a value
    if language == "zh_CN":
        assert example == "2024年5月30日"


def test_the_clock_fixture_is_what_the_dates_above_rely_on(clock: FakeClock) -> None:
    assert clock.now.date().isoformat() == "2026-06-01"


@pytest.mark.parametrize("language", ["bo", "pseudo"])
def test_labels_and_messages_are_not_clipped(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    choices: FormChoices,
    qtbot: QtBot,
    language: str,
) -> None:
    dialog = _visit_dialog(app, languages, choices)
    qtbot.addWidget(dialog)
    dialog.resize(1000, 700)
    dialog.show()
    dialog.editor.show_errors(
        ValidationError([FieldError(key, MSG_DATE_FUTURE) for key in visit.VISIT_FORM.keys])
    )
    languages.switch(language)
    for _pass in range(4):  # nested layouts settle one level per pass
        QApplication.processEvents()
    for key, label in dialog.editor._labels.items():
        assert label.width() >= label.sizeHint().width(), key
        assert label.height() >= label.sizeHint().height(), key
        error = dialog.editor.field(key).error_label
        assert error.height() >= error.heightForWidth(error.width()), key
    dialog.editor.mark_clean()


def test_a_draft_the_disk_refuses_is_reported_and_the_typing_stays(
    languages: LanguageSwitcher,
    keys: Keyboard,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = DraftStore(tmp_path / "drafts")

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store, "save", disk_full)
    editor = FormEditor(visit.VISIT_FORM, drafts=store, draft_key=VISIT_KEY, draft_delay_ms=10)
    _show(qtbot, editor)
    editor.field("companions").focus_widgets()[0].setFocus()
    with qtbot.waitSignal(editor.draft_failed, timeout=2000) as failed:
        keys.type(COMPANIONS)
    assert failed.args is not None and "No space" in failed.args[0]
    assert editor.values()["companions"] == COMPANIONS
    editor.mark_clean()


def test_a_full_disk_is_explained_and_the_typing_stays(
    nearly_full: Application,
    languages: LanguageSwitcher,
    answers: Answers,
    keys: Keyboard,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    with pytest.raises(DiskFull):
        fill_until_full(nearly_full)
    store = DraftStore(tmp_path / "drafts")  # another disk, with room for the draft
    dialog = RecordDialog(
        resident.RESIDENT_FORM,
        nearly_full.residents.register,
        formats=languages.formats,
        drafts=store,
        draft_key="RES-01:new",
    )
    _show(qtbot, dialog)
    dialog.editor.set_values({"legal_basis": "statutory_duty", "consent_note": LONG_NOTE})
    dialog.editor.field("name_zh").focus_widgets()[0].setFocus()
    keys.type(NAME_ZH)
    keys.save()
    assert dialog.isVisible()
    error = DiskFull(folder=str(nearly_full.paths.root))
    assert answers.warnings == [_(error.message, **error.params)]
    assert "磁盘" in answers.warnings[0]  # said in the interface language (Chinese)
    assert dialog.editor.values()["name_zh"] == NAME_ZH
    draft = store.load("RES-01:new")
    assert draft is not None and draft.values["name_zh"] == NAME_ZH
    dialog.editor.discard_draft()
    dialog.editor.mark_clean()


def test_drafts_that_cannot_be_written_are_announced_in_the_dialog(
    app: Application,
    languages: LanguageSwitcher,
    choices: FormChoices,
    keys: Keyboard,
    qtbot: QtBot,
    drafts: DraftStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(DraftStore, "save", refuse)
    dialog = _visit_dialog(app, languages, choices, drafts)
    _show(qtbot, dialog)
    dialog.editor.field("companions").focus_widgets()[0].setFocus()
    keys.type(COMPANIONS)
    assert dialog.editor.save_draft() is False
    assert dialog.draft_warning.isVisible()
    assert "No space left on device" in dialog.draft_warning.text()
    monkeypatch.undo()
    assert dialog.editor.save_draft()
    assert not dialog.draft_warning.isVisible()
    dialog.editor.discard_draft()
    dialog.editor.mark_clean()


def test_ten_paper_feedback_sheets_are_entered_with_the_keyboard_alone(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    from station_desktop.ui.main_window import MainWindow

    window = MainWindow(app, languages)
    _show(qtbot, window)
    control_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_B, control_shift)  # type: ignore[no-untyped-call]
    dialog = window.findChildren(RecordDialog)[-1]
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    # The first sheet: everything the pile shares, in printed order.
    keys.type("0001")  # sheet number
    keys.tab()
    keys.press(Qt.Key.Key_Down, times=2)  # service area: elderly care
    keys.tab()
    keys.press(Qt.Key.Key_Down)  # service received
    keys.tab()
    keys.type("2026-05-28")  # date of service
    keys.tab()
    keys.type("2026-05-29")  # date collected
    keys.tab()
    keys.press(Qt.Key.Key_Down)  # collected by
    keys.tab()  # the respondent: anonymous
    ratings = ["453354", "555555", "111111", "234512", "545454", "333333", "512345", "444444",
               "123451", "543215"]  # fmt: skip
    for number, sheet in enumerate(ratings):
        if number:  # later sheets: the cursor waits at the respondent
            assert dialog.editor.field("resident_id").focus_widgets()[0].hasFocus()
        for digit in sheet:
            keys.tab()
            keys.type(digit)
        keys.save()
        assert dialog.isVisible(), dialog.editor.errors()
        assert dialog.saved_count == number + 1
    keys.press(Qt.Key.Key_Escape)  # the eleventh form is untouched: Escape ends the batch
    assert not dialog.isVisible()
    rows = sorted(app.listing.records("feedback"), key=lambda r: r["sheet_no"])
    assert [r["sheet_no"] for r in rows] == [f"{n:04d}" for n in range(1, 11)]
    assert {(r["service_area"], r["service_date"], r["collected_on"]) for r in rows} == {
        ("elderly_care", "2026-05-28", "2026-05-29")
    }
    dimensions = [d.value for d in FeedbackDimension]
    assert [[r["ratings"][d] for d in dimensions] for r in rows] == [
        [int(c) for c in sheet] for sheet in ratings
    ]
    assert all(r["anonymous"] for r in rows)
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_sheet_numbers_count_on_in_their_own_form() -> None:
    assert next_sheet_number("0042") == "0043"
    assert next_sheet_number("SF-2026-0099") == "SF-2026-0100"
    assert next_sheet_number("9") == "10"
    assert next_sheet_number("") == ""
    assert next_sheet_number("A") == "A"


def test_a_typed_date_is_shown_back_as_understood_and_its_error_goes_when_corrected(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    choices: FormChoices,
    keys: Keyboard,
    qtbot: QtBot,
) -> None:
    dialog = _visit_dialog(app, languages, choices)
    _show(qtbot, dialog)
    editor = dialog.editor
    date_field = editor.field("visit_date")
    date_field.focus_widgets()[0].setFocus()
    keys.type("20260701")  # in the future for the test clock
    keys.tab()
    assert date_field.value() == "2026年7月1日"  # understood, and shown so
    keys.save()
    assert date_field.error_text() == _translation("zh_CN", MSG_DATE_FUTURE)
    assert editor.field("purpose").error_text() == _translation("zh_CN", MSG_REQUIRED)
    # Correcting a field takes its message away at once, not at the next save; the
    # other fields keep theirs.
    date_field.set_value("2026-05-30")
    assert date_field.error_text() is None
    assert editor.field("purpose").error_text() is not None
    editor.field("purpose").set_value("routine")
    assert editor.field("purpose").error_text() is None
    # Not a date: left as typed, and the message stays until it is one.
    date_field.set_value("May 2026")
    assert date_field.value() == "May 2026"


def test_the_mouse_wheel_over_a_choice_scrolls_the_form_instead(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    choices: FormChoices,
    qtbot: QtBot,
) -> None:
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    dialog = _visit_dialog(app, languages, choices)
    _show(qtbot, dialog)
    outcome = dialog.editor.field("outcome")
    combo = outcome.focus_widgets()[0]
    assert combo.focusPolicy() == Qt.FocusPolicy.StrongFocus  # no focus from a wheel turn
    dialog.editor.field("companions").focus_widgets()[0].setFocus()
    before = outcome.value()

    def turn() -> None:
        event = QWheelEvent(
            QPointF(5, 5),
            QPointF(combo.mapToGlobal(QPoint(5, 5))),
            QPoint(0, 0),
            QPoint(0, -120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(combo, event)

    turn()
    assert outcome.value() == before
    combo.setFocus()  # chosen with the keyboard or a click: now the wheel is meant
    turn()
    assert outcome.value() != before


def test_a_long_list_of_people_is_narrowed_by_typing_and_ticks_stay_in_sight(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    for number in range(10):
        app.stations.add_staff("", f"工作人员{number}", "social_worker")
    dialog = _visit_dialog(app, languages, application_choices(app, languages.formats))
    _show(qtbot, dialog)
    from station_desktop.ui.fonts import text_line_height

    visitors = dialog.editor.field("visitor_ids")
    assert isinstance(visitors, CheckList)
    assert visitors.search.isVisible()  # twelve people: a search box above the list
    assert visitors.list.height() < 10 * text_line_height(visitors.list.font())
    visitors.set_value([str(station.worker_id)])
    visitors.search.setText("工作人员3")

    def shown() -> list[str]:
        items = [visitors.list.item(row) for row in range(visitors.list.count())]
        return [item.text() for item in items if item is not None and not item.isHidden()]

    assert shown() == ["卓玛 སྒྲོལ་མ་", "工作人员3"]  # the ticked one stays
    visitors.search.clear()
    assert len(shown()) == 12


def test_a_visitor_of_another_station_is_named_not_shown_as_an_id(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    """Only this station's staff are offered, but a record from elsewhere (the bureau's
    merged data, a demo) still shows its visitors by name."""
    app.stations.use_station("540102012")
    elsewhere = app.stations.add_staff("", "旺堆", "social_worker")
    app.stations.use_station("CG-BK")
    dialog = _visit_dialog(app, languages, application_choices(app, languages.formats))
    _show(qtbot, dialog)
    visitors = dialog.editor.field("visitor_ids")
    assert isinstance(visitors, CheckList)
    visitors.set_value([str(elsewhere)])
    texts = [visitors.list.item(row).text() for row in range(visitors.list.count())]  # type: ignore[union-attr]
    assert texts[-1] == "旺堆" and str(elsewhere) not in texts
