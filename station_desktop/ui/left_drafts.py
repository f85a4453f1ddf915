"""After a crash or a power cut: the typing that was not saved, said at start-up, and each
draft reopened in its own form on request (the form shows it at once, without asking).

A draft's key says where it was typed (`ui/forms/editor.py` and the windows that open
forms): a new record (`HV-01:new`), a form for one resident (`HV-01:for:<resident>`), a
case's note or stage (`CS-01-NOTE:<case>`), a correction (`HV-01:<visit>`)... `reopener`
turns a key back into the window and form it came from.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from station_desktop.drafts import Draft, DraftStore
from station_desktop.forms.activity import ACTIVITY_FORM
from station_desktop.forms.case import CASE_FORM, CASE_NOTE_FORM, STAGE_CHANGE_FORM
from station_desktop.forms.feedback import FEEDBACK_FORM
from station_desktop.forms.resident import (
    END_MEMBERSHIP_FORM,
    MEMBERSHIP_FORM,
    RESIDENT_FORM,
    REVIEW_MEMBERSHIP_FORM,
)
from station_desktop.forms.resources import HANDOUT_FORM, RECEIPT_FORM
from station_desktop.forms.spec import FormSpec
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.i18n import N_, _
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.record_editing import open_record_editor
from station_desktop.ui.resident_page import ResidentWindow
from station_desktop.ui.window_state import fit_to_screen

TITLE = N_("Typing that was not saved")
FORMS: dict[str, FormSpec] = {
    spec.code: spec
    for spec in (
        RESIDENT_FORM,
        VISIT_FORM,
        FEEDBACK_FORM,
        CASE_FORM,
        CASE_NOTE_FORM,
        STAGE_CHANGE_FORM,
        ACTIVITY_FORM,
        RECEIPT_FORM,
        HANDOUT_FORM,
        MEMBERSHIP_FORM,
        END_MEMBERSHIP_FORM,
        REVIEW_MEMBERSHIP_FORM,
    )
}
# A resident's page: the action that opens each form for that resident.
RESIDENT_FORMS: dict[str, Callable[[ResidentWindow], RecordDialog | None]] = {
    VISIT_FORM.code: ResidentWindow.add_visit,
    FEEDBACK_FORM.code: ResidentWindow.add_feedback,
    CASE_FORM.code: ResidentWindow.add_case,
    HANDOUT_FORM.code: ResidentWindow.add_handout,
    MEMBERSHIP_FORM.code: ResidentWindow.add_membership,
}
# A correction (`<code>:<record>`): the record editor's kinds.
CORRECTED = {
    VISIT_FORM.code: "visit",
    FEEDBACK_FORM.code: "feedback",
    ACTIVITY_FORM.code: "activity",
    RECEIPT_FORM.code: "receipt",
    HANDOUT_FORM.code: "handout",
}

Opener = Callable[[], RecordDialog | None]


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def reopener(window: MainWindow, key: str) -> Opener | None:
    """How to open the form a draft was typed in again, or None when the key is not one
    this version knows (the draft is still offered where it was typed)."""
    code, _sep, rest = key.partition(":")
    parts = rest.split(":")
    kinds = {spec.code: (spec, save) for _title, spec, save in window.record_kinds()}
    if parts == ["new"] and code in kinds:
        spec, save = kinds[code]
        return lambda: window.open_record_dialog(spec, save)
    if parts == ["batch"] and code == FEEDBACK_FORM.code:
        return window.enter_feedback_pile
    first = _uuid(parts[-1]) if parts else None
    if first is None:
        return None
    if parts[0] == "for" and len(parts) == 2 and code in RESIDENT_FORMS:
        action = RESIDENT_FORMS[code]

        def on_the_residents_page() -> RecordDialog | None:
            return action(window.open_resident(first))

        return on_the_residents_page
    case_id = _uuid(parts[0])
    if code == CASE_NOTE_FORM.code and case_id is not None:
        if len(parts) == 3 and parts[1] == "corrects":
            return lambda: _correct_note(window, case_id, first)
        return lambda: window.open_case(case_id).add_note()
    if code == STAGE_CHANGE_FORM.code and len(parts) == 1:
        return lambda: window.open_case(first).move_stage()
    if code == CASE_FORM.code and parts[0] == "edit" and len(parts) == 2:
        return lambda: window.open_case(first).edit_case()
    if len(parts) == 1 and code == RESIDENT_FORM.code:
        return lambda: window.open_resident(first).edit_details()
    if len(parts) == 1 and code in CORRECTED:
        kind = CORRECTED[code]
        return lambda: open_record_editor(window.app, window.languages, kind, first, window)
    return None


def _correct_note(
    window: MainWindow, case_id: uuid.UUID, note_id: uuid.UUID
) -> RecordDialog | None:
    case = window.open_case(case_id)
    rows = [row for row, note in enumerate(case.notes) if note.id == note_id]
    if not rows:
        return None
    case.notes_table.selectRow(rows[0])
    return case.correct_note()


@dataclass(frozen=True)
class LeftDraft:
    draft: Draft
    open: Opener | None


class LeftDraftsDialog(QDialog):
    """The drafts left from before, newest first: each can be reopened in its form; the
    others stay on disk and are offered again where they were typed."""

    def __init__(self, window: MainWindow, drafts: list[Draft]) -> None:
        super().__init__(window)
        self._window = window
        self.left = [LeftDraft(d, reopener(window, d.key)) for d in drafts]
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.itemActivated.connect(lambda _item: self.reopen_selected())
        self.buttons = QDialogButtonBox(self)
        self.reopen_button = QPushButton(self)
        self.reopen_all_button = QPushButton(self)
        self.buttons.addButton(self.reopen_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.reopen_all_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.later_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.reopen_button.clicked.connect(self.reopen_selected)
        self.reopen_all_button.clicked.connect(self.reopen_all)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 900, 420)
        self.retranslate_ui()

    def _fill(self) -> None:
        formats = self._window.languages.formats
        row = max(0, self.list.currentRow())
        self.list.clear()
        for entry in self.left:
            spec = FORMS.get(entry.draft.form_code)
            title = _(spec.title) if spec else entry.draft.form_code
            when = entry.draft.saved_at.astimezone()
            text = f"{title} · {formats.date(when.date())} {when:%H:%M}"
            if entry.open is None:
                text += " · " + _("reopen it where it was typed")
            item = QListWidgetItem(text, self.list)
            if entry.open is None:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
        self.list.setCurrentRow(min(row, self.list.count() - 1))
        self.reopen_all_button.setEnabled(any(e.open for e in self.left))

    def reopen(self, index: int) -> RecordDialog | None:
        """Open the form of the draft at `index` with the typing back in it."""
        entry = self.left[index]
        if entry.open is None:
            return None
        form = entry.open()
        if form is not None:
            form.take_back_draft()
            self.left.pop(index)
            self._fill()
        if not any(e.open for e in self.left):
            self.accept()
        return form

    def reopen_selected(self) -> RecordDialog | None:
        row = self.list.currentRow()
        return self.reopen(row) if 0 <= row < len(self.left) else None

    def reopen_all(self) -> None:
        index = 0
        while index < len(self.left):
            if self.left[index].open is None or self.reopen(index) is None:
                index += 1

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_(TITLE))
        self.intro.setText(
            _(
                "The program stopped before this typing was saved. Reopen a form to finish "
                "it; what you leave stays kept, and is offered again in its form."
            )
        )
        self.list.setAccessibleName(_(TITLE))
        self.reopen_button.setText(_("Reopen"))
        self.reopen_all_button.setText(_("Reopen all"))
        self._fill()


def offer_left_drafts(window: MainWindow, drafts: DraftStore) -> LeftDraftsDialog | None:
    """At start-up: if drafts were left, say so and offer to reopen each (None when there
    are none)."""
    left = drafts.all()
    if not left:
        return None
    dialog = LeftDraftsDialog(window, left)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
