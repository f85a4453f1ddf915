"""Correcting a recorded home visit, feedback sheet, activity, donation or hand-out: its
form, filled with what was recorded, saves the correction; Print… shows its paper form and
Withdraw… takes a record entered by mistake out of the lists and reports (the log keeps it).

The correction is based on the version the form was opened with: if someone changed the
record meanwhile, saving is refused with a message, and nothing is overwritten.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QMessageBox, QPushButton, QWidget

from station_desktop.app import Application
from station_desktop.errors import StationError, ValidationError
from station_desktop.forms.activity import ACTIVITY_FORM
from station_desktop.forms.feedback import FEEDBACK_FORM
from station_desktop.forms.resources import HANDOUT_FORM, RECEIPT_FORM
from station_desktop.forms.spec import FormSpec
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.i18n import N_, _
from station_desktop.services.context import MSG_NOT_FOUND
from station_desktop.services.corrections import EditableRecord
from station_desktop.services.paper import PrintKind
from station_desktop.ui.fonts import room_for_tibetan
from station_desktop.ui.forms.editor import RecordDialog, prefilled_dialog
from station_desktop.ui.print_preview import RenderJob, preview
from station_desktop.ui.qt_i18n import LanguageSwitcher

# The record kinds this editor corrects (a resident's timeline names them so too).
EDITABLE_KINDS = ("visit", "feedback", "activity", "receipt", "handout")
# The dialog's result after a withdrawal (QDialog.Accepted is a saved correction).
WITHDRAWN = 2

PRINT_BUTTON = "print"  # object names: how tests and screen readers' scripts find them
WITHDRAW_BUTTON = "withdraw"

MSG_PRINT = N_("Print…")
MSG_PRINT_TIP = N_("The paper form of this record as it was last saved.")
MSG_WITHDRAW = N_("Withdraw…")
MSG_WITHDRAW_TIP = N_("For a record entered by mistake: it stops counting anywhere.")
MSG_WITHDRAW_QUESTION = N_(
    "Withdraw this record? It will no longer be counted in any list or report. "
    "The withdrawal is kept in the change log, with who made it and when."
)


class _Update(Protocol):
    def __call__(
        self,
        record_id: uuid.UUID,
        values: Mapping[str, Any],
        /,
        *,
        based_on: Sequence[str] | None = None,
    ) -> bool: ...


class _Withdraw(Protocol):
    def __call__(
        self, record_id: uuid.UUID, /, *, based_on: Sequence[str] | None = None
    ) -> None: ...


@dataclass(frozen=True)
class Correction:
    """How one kind of record is read, corrected, withdrawn and printed."""

    spec: FormSpec
    editable: Callable[[uuid.UUID], EditableRecord | None]
    update: _Update
    withdraw: _Withdraw
    printed: PrintKind | None  # its paper form, if it has one


def correction_of(app: Application, kind: str) -> Correction:
    """The services that correct a record of `kind` (one of EDITABLE_KINDS)."""
    if kind == "visit":
        visits = app.visits
        return Correction(VISIT_FORM, visits.editable, visits.update, visits.withdraw, "visit")
    if kind == "feedback":
        sheets = app.feedback
        return Correction(
            FEEDBACK_FORM, sheets.editable, sheets.update, sheets.withdraw, "feedback"
        )
    if kind == "activity":
        activities = app.activities
        return Correction(
            ACTIVITY_FORM,
            activities.editable,
            activities.update,
            activities.withdraw,
            "activity",
        )
    resources = app.resources
    if kind == "receipt":
        return Correction(
            RECEIPT_FORM,
            resources.editable_receipt,
            resources.update_receipt,
            resources.withdraw_receipt,
            None,  # a donation has no paper form
        )
    if kind == "handout":
        return Correction(
            HANDOUT_FORM,
            resources.editable_handout,
            resources.update_handout,
            resources.withdraw_handout,
            "handout",
        )
    raise ValueError(f"no editor for {kind!r}; choose from {', '.join(EDITABLE_KINDS)}")


class EditorButton(QPushButton):
    """One of the editor's own buttons, named (and explained) in the interface language."""

    def __init__(self, message: str, tip: str, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._message, self._tip = message, tip
        self.setObjectName(name)
        self.setAutoDefault(False)  # Enter in a field never prints or withdraws
        self.retranslate_ui()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setText(_(self._message))
        self.setToolTip(_(self._tip))
        room_for_tibetan(self)


def open_record_editor(
    app: Application,
    languages: LanguageSwitcher,
    kind: str,
    record_id: uuid.UUID,
    parent: QWidget,
) -> RecordDialog | None:
    """Open the record's form filled with its values (window-modal over `parent`); None,
    after saying so, when the record no longer exists (withdrawn since the list was read).
    The dialog finishes Accepted after a saved correction, WITHDRAWN after a withdrawal."""
    correction = correction_of(app, kind)
    spec = correction.spec
    record = correction.editable(record_id)
    if record is None:
        QMessageBox.information(parent, _(spec.title), _(MSG_NOT_FOUND))
        return None
    based_on = record.heads  # the version this correction starts from

    def save(values: dict[str, Any]) -> uuid.UUID:
        correction.update(record_id, values, based_on=based_on)
        return record_id

    dialog = prefilled_dialog(
        app,
        languages.formats,
        spec,
        save,
        record.values,
        f"{spec.code}:{record_id}",
        new=False,
        parent=parent,
    )
    extras: list[QPushButton] = []
    printed = correction.printed
    if printed is not None:
        print_button = EditorButton(MSG_PRINT, MSG_PRINT_TIP, PRINT_BUTTON)
        print_button.clicked.connect(lambda: print_record(app, dialog, printed, record_id))
        extras.append(print_button)
    withdraw_button = EditorButton(MSG_WITHDRAW, MSG_WITHDRAW_TIP, WITHDRAW_BUTTON)
    withdraw_button.clicked.connect(
        lambda: withdraw_record(dialog, correction, record_id, based_on)
    )
    extras.append(withdraw_button)
    _beside_the_buttons(dialog, extras)
    dialog.open()
    return dialog


def _beside_the_buttons(dialog: RecordDialog, extras: Sequence[QPushButton]) -> None:
    """The extra buttons on the left of Save and Cancel, apart from them: Withdraw… must
    not sit where a hurried hand looks for Save (as a button box would put it on Windows)."""
    layout = dialog.layout()
    assert isinstance(layout, QBoxLayout)
    index = layout.indexOf(dialog.buttons)
    layout.removeWidget(dialog.buttons)
    row = QHBoxLayout()
    for button in extras:
        button.setParent(dialog)
        row.addWidget(button)
    row.addStretch(1)
    row.addWidget(dialog.buttons)
    layout.insertLayout(index, row)


def print_record(
    app: Application, parent: QWidget, kind: PrintKind, record_id: uuid.UUID
) -> RenderJob:
    """The record's paper form in a preview, made off the GUI thread."""
    printing = app.printing
    return preview(
        parent,
        lambda: printing.render([printing.record_form(kind, record_id)]),
        f"{kind}-{record_id.hex[-8:]}.pdf",
    )


def withdraw_record(
    dialog: RecordDialog, correction: Correction, record_id: uuid.UUID, based_on: Sequence[str]
) -> bool:
    """Ask, then withdraw; the dialog closes (WITHDRAWN). A refusal (hand-outs still
    recorded from a donation, a change made meanwhile) is said, and the dialog stays."""
    title = _(correction.spec.title)
    answer = QMessageBox.question(
        dialog,
        title,
        _(MSG_WITHDRAW_QUESTION),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    try:
        correction.withdraw(record_id, based_on=based_on)
    except StationError as error:
        QMessageBox.warning(dialog, title, problem_text(error))
        return False
    dialog.editor.discard_draft()  # a correction of a withdrawn record has nowhere to go
    dialog.editor.mark_clean()
    dialog.done(WITHDRAWN)
    return True


def problem_text(error: StationError) -> str:
    """The error in the interface language; a refused field names its own problem."""
    if isinstance(error, ValidationError) and error.errors:
        return "\n".join(_(e.message, **e.params) for e in error.errors)
    return _(error.message, **error.params)
