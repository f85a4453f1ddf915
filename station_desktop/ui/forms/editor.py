"""The record editor: a form built from its `FormSpec`, drafts that survive crashes, and the
dialog that saves through a service.

`FormEditor` lays out one group box per section and one editor per field (`fields.py`), in
the order of the paper form, so Tab walks the form as the eye walks the paper. Whatever is
typed is written as a draft shortly after each change and whenever a field loses the focus;
the draft goes only when the record is saved or the user chooses to discard it.

`RecordDialog` wraps an editor with Save and Cancel: the service decides what is valid (its
`ValidationError` is shown field by field), and nothing typed is dropped without asking.
"""

from __future__ import annotations

import html
import itertools
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeyEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.drafts import Draft, DraftStore, DraftValues
from station_desktop.errors import FieldError, StationError, ValidationError
from station_desktop.formats import LocaleFormats
from station_desktop.forms.defaults import starting_values
from station_desktop.forms.resident import NEW_HOUSEHOLD
from station_desktop.forms.spec import FormSpec
from station_desktop.forms.validate import MSG_REQUIRED, Cleaned, clean_field
from station_desktop.i18n import _, active_language
from station_desktop.services.residents import HouseholdView
from station_desktop.services.resources import ReceiptView
from station_desktop.ui.display import names_reader_first
from station_desktop.ui.fonts import room_for_tibetan
from station_desktop.ui.forms.fields import (
    ERROR_COLOR,
    Choice,
    FieldEditor,
    FormChoices,
    ReferenceSource,
    make_field,
    paint_as_error,
)
from station_desktop.ui.window_state import fit_to_screen

log = logging.getLogger(__name__)

# A pause in typing this long writes the draft...
DRAFT_DELAY_MS = 800
# ...and someone who never pauses still gets a draft this often.
DRAFT_MAX_WAIT_S = 5.0
REQUIRED_MARK = "*"
READING_WIDTH_CHARS = 100
REQUIRED_STYLE = f"color: {ERROR_COLOR}; font-weight: bold;"


class FormEditor(QWidget):
    """Edits the values of one record of `spec`'s form.

    Signals: `changed` on any edit, `save_requested` (Ctrl+S), `cancel_requested` (Escape),
    `draft_saved` after a draft was written, `draft_failed` when it could not be.
    """

    changed = Signal()
    save_requested = Signal()
    cancel_requested = Signal()
    draft_saved = Signal()
    draft_failed = Signal(str)  # the disk refused (full, read-only): a window may warn

    def __init__(
        self,
        spec: FormSpec,
        choices: FormChoices | None = None,
        *,
        formats: LocaleFormats | None = None,
        drafts: DraftStore | None = None,
        draft_key: str | None = None,
        draft_delay_ms: int = DRAFT_DELAY_MS,
        start: Mapping[str, object] | None = None,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.spec = spec
        self._today = today
        self._choices = choices or FormChoices()
        self._errors: tuple[FieldError, ...] = ()
        self._drafts: DraftStore | None = None
        self._draft_key: str | None = None
        self._pending_since: float | None = None
        self._draft_timer = QTimer(self, singleShot=True, interval=draft_delay_ms)
        self._draft_timer.timeout.connect(self.save_draft)

        layout = QVBoxLayout(self)
        self._summary = QLabel(self)
        self._summary.setWordWrap(True)
        paint_as_error(self._summary)
        self._summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._summary.hide()
        layout.addWidget(self._summary)

        self.fields: dict[str, FieldEditor] = {}
        self._labels: dict[str, QLabel] = {}
        self._groups: list[tuple[QGroupBox, str]] = []
        for section in spec.sections:
            group = QGroupBox(self)
            form = QFormLayout(group)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            for field_spec in section.fields:
                editor = make_field(field_spec, self._choices, formats, group)
                label = QLabel(group)
                label.setTextFormat(Qt.TextFormat.RichText)
                label.setBuddy(editor.focus_widgets()[0])
                form.addRow(label, editor)
                self.fields[field_spec.key] = editor
                self._labels[field_spec.key] = label
                editor.changed.connect(lambda key=field_spec.key: self._field_changed(key))
                for widget in editor.focus_widgets():
                    widget.installEventFilter(self)
            self._groups.append((group, section.title))
            layout.addWidget(group)
        layout.addStretch(1)

        self._chain_tab_order()
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.Save),
            self,
            self.save_requested.emit,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self.retranslate_ui()
        # What a new record starts with (today's date, who is working) counts as untouched.
        self.set_values(start or {})
        self._baseline = self.values()
        self._blank = self._baseline  # what "start over" returns to
        if drafts is not None and draft_key is not None:
            self.attach_drafts(drafts, draft_key)

    def focus_first(self) -> None:
        """Put the cursor into the first field, ready to type."""
        stops = [w for editor in self.fields.values() for w in editor.focus_widgets()]
        if stops:
            stops[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def _chain_tab_order(self) -> None:
        stops = [w for editor in self.fields.values() for w in editor.focus_widgets()]
        for before, after in itertools.pairwise(stops):
            QWidget.setTabOrder(before, after)

    # ------------------------------------------------------------ values

    def field(self, key: str) -> FieldEditor:
        return self.fields[key]

    def values(self) -> DraftValues:
        """Every field's raw value, as the services accept them (see `fields`)."""
        return {key: editor.value() for key, editor in self.fields.items()}

    def set_values(self, values: Mapping[str, object]) -> None:
        """Put values into the fields named in `values`; names not on this form are ignored
        (a draft or record of another version of the form)."""
        for key, raw in values.items():
            editor = self.fields.get(key)
            if editor is not None:
                editor.set_value(raw)

    def start_over(self, values: Mapping[str, object]) -> None:
        """A fresh form (the next paper sheet): blank but for `values`, no errors, clean."""
        self.set_values({**self._blank, **values})
        self.clear_errors()
        self.mark_clean()

    def is_dirty(self) -> bool:
        """Whether the values differ from the last clean state (opening, `mark_clean`)."""
        return self.values() != self._baseline

    def mark_clean(self) -> None:
        self._baseline = self.values()

    # ------------------------------------------------------------ errors

    def show_errors(self, error: ValidationError) -> None:
        """Each message beside its field, in the interface language; focus the first bad
        field (in form order); messages for names not on the form are listed at the top."""
        self._errors = error.errors
        self._render_errors()
        first = self.first_error_field()
        if first is not None:
            first.focus_widgets()[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_errors(self) -> None:
        self._errors = ()
        self._render_errors()

    def errors(self) -> tuple[FieldError, ...]:
        return self._errors

    def first_error_field(self) -> FieldEditor | None:
        bad = {e.field for e in self._errors}
        return next((editor for key, editor in self.fields.items() if key in bad), None)

    def _forget_corrected_error(self, key: str) -> None:
        """An error goes as soon as its field passes the field's own checks again; the
        service looks at the whole record at the next save."""
        if not any(error.field == key for error in self._errors):
            return
        check = Cleaned()
        clean_field(self.spec.field(key), self.fields[key].value(), check, today=self._today())
        if check.ok:
            self._errors = tuple(error for error in self._errors if error.field != key)
            self._render_errors()

    def summary_text(self) -> str | None:
        return self._summary.text() if self._summary.isVisibleTo(self) else None

    def _render_errors(self) -> None:
        by_field: dict[str, list[str]] = {}
        for error in self._errors:
            by_field.setdefault(error.field, []).append(_(error.message, **error.params))
        for key, editor in self.fields.items():
            messages = by_field.pop(key, None)
            editor.set_error("\n".join(messages) if messages else None)
        if not self._errors:
            self._summary.hide()
            return
        lines = [_(ValidationError.message)]
        lines += [f"{name}: {message}" for name, texts in by_field.items() for message in texts]
        self._summary.setText("\n".join(lines))
        self._summary.show()

    # ------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        """Every text in the interface language; typed values and shown errors are kept."""
        for group, title in self._groups:
            group.setTitle(_(title))
        for key, label in self._labels.items():
            spec = self.fields[key].spec
            text = html.escape(_(spec.label))
            tips = [_(spec.help)] if spec.help else []
            if spec.required:
                text += f' <span style="{REQUIRED_STYLE}">{REQUIRED_MARK}</span>'
                tips.append(_(MSG_REQUIRED))
            label.setText(text)
            label.setToolTip("\n".join(tips))
        for editor in self.fields.values():
            editor.retranslate_ui()
        self._render_errors()

    # ------------------------------------------------------------ keyboard

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        # Fields pass Escape on (none uses it), so it reaches the form from anywhere in it.
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.cancel_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------------ drafts

    def attach_drafts(self, store: DraftStore, key: str) -> None:
        """Keep this form's typing as the draft `key` in `store` from now on."""
        self._drafts, self._draft_key = store, key

    def detach_drafts(self) -> None:
        """Stop keeping drafts (the record was saved or discarded; the form is closing)."""
        self._draft_timer.stop()
        self._pending_since = None
        self._drafts = None

    @property
    def draft_key(self) -> str | None:
        return self._draft_key

    def _field_changed(self, key: str) -> None:
        self._forget_corrected_error(key)
        self.changed.emit()
        if self._drafts is None:
            return
        now = time.monotonic()
        if self._pending_since is None:
            self._pending_since = now
        if now - self._pending_since >= DRAFT_MAX_WAIT_S:
            self.save_draft()
        else:
            self._draft_timer.start()

    def draft_pending(self) -> bool:
        return self._draft_timer.isActive()

    def flush_draft(self) -> None:
        """Write the draft now if a change is waiting for the pause."""
        if self._draft_timer.isActive():
            self.save_draft()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FocusOut:
            self.flush_draft()  # leaving a field writes at once: no pause to wait for
        return super().eventFilter(watched, event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt override
        self.flush_draft()  # the window or the program is closing
        super().hideEvent(event)

    def save_draft(self) -> bool:
        """Write the draft now (with nothing changed from the clean state, remove it).
        Returns False when the disk refused; the values stay in the form."""
        self._draft_timer.stop()
        self._pending_since = None
        if self._drafts is None or self._draft_key is None:
            return False
        try:
            if self.is_dirty():
                self._drafts.save(self._draft_key, self.spec.code, self.spec.version, self.values())
            else:
                self._drafts.discard(self._draft_key)
        except OSError as error:
            log.warning("draft %s not written: %s", self.spec.code, error)
            self.draft_failed.emit(str(error))
            return False
        self.draft_saved.emit()
        return True

    def pending_draft(self) -> Draft | None:
        """The saved draft of this form under the attached key, if any."""
        if self._drafts is None or self._draft_key is None:
            return None
        draft = self._drafts.load(self._draft_key)
        return draft if draft is not None and draft.form_code == self.spec.code else None

    def restore_draft(self) -> bool:
        """Put the saved draft back into the fields; False when there is none."""
        draft = self.pending_draft()
        if draft is None:
            return False
        self.set_values(draft.values)
        return True

    def discard_draft(self) -> None:
        """Forget the draft (after a successful save, or when the user discards)."""
        self._draft_timer.stop()
        self._pending_since = None
        if self._drafts is None or self._draft_key is None:
            return
        try:
            self._drafts.discard(self._draft_key)
        except OSError as error:
            log.warning("draft %s not removed: %s", self.spec.code, error)


SaveFunction = Callable[[dict[str, Any]], uuid.UUID]


def _saved_at_text(saved_at: datetime, formats: LocaleFormats) -> str:
    local = saved_at.astimezone()
    return f"{formats.date(local.date())} {local:%H:%M}"


@dataclass(frozen=True)
class BatchEntry:
    """Typing in a pile of paper forms one after another (feedback sheets collected at an
    activity): after each save the form starts over, keeping the fields the pile shares
    and numbering the next sheet, with the cursor on the first field that changes."""

    keep: tuple[str, ...]
    first_field: str
    number_field: str | None = None


def next_sheet_number(number: str) -> str:
    """The number after `number`, keeping its form: "0042" → "0043", "SF-9" → "SF-10";
    text that does not end in digits is left as it is (the typist corrects it)."""
    match = re.search(r"(\d+)$", number)
    if match is None:
        return number
    digits = match.group(1)
    return number[: match.start()] + str(int(digits) + 1).zfill(len(digits))


class RecordDialog(QDialog):
    """A form with Save and Cancel that records through `save` (e.g. `app.visits.record`).
    With `batch`, it stays open after each save for the next paper form (`record_saved`
    says each time).

    Validation errors keep the dialog open with each message beside its field; another
    expected problem is shown as a message; success removes the draft and accepts, leaving
    the new record's id in `saved_id`. Closing with unsaved changes asks first.
    """

    record_saved = Signal(object)  # the new record's id, after every successful save

    def __init__(
        self,
        spec: FormSpec,
        save: SaveFunction,
        *,
        choices: FormChoices | None = None,
        formats: LocaleFormats | None = None,
        drafts: DraftStore | None = None,
        draft_key: str | None = None,
        batch: BatchEntry | None = None,
        start: Mapping[str, object] | None = None,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._save = save
        self._batch = batch
        self.saved_count = 0
        self._formats = formats or LocaleFormats(active_language)
        self._draft_offered = False
        self._draft_taken_back = False  # reopened from the start-up list: nothing to ask
        self.saved_id: uuid.UUID | None = None
        self.editor = FormEditor(
            spec,
            choices,
            formats=self._formats,
            drafts=drafts,
            draft_key=draft_key,
            start=start,
            today=today,
        )
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.editor)
        self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
        # Not a Tab stop of its own: tabbing through the fields scrolls it.
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # Standard buttons: Qt names them, in the interface language (see qt_strings).
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        for button in self.buttons.findChildren(QPushButton):
            # Enter in a text field must not save a half-typed record; Ctrl+S does.
            button.setAutoDefault(False)
            button.setDefault(False)
        # Shown while drafts cannot be written (disk full, read-only): the reader should
        # know that a power cut now would lose the typing, without a box on every key.
        self.draft_warning = QLabel(self)
        self.draft_warning.setWordWrap(True)
        paint_as_error(self.draft_warning)
        self.draft_warning.hide()
        self._draft_problem = ""
        self.batch_status = QLabel(self)  # "3 sheets saved in this batch"
        self.batch_status.setWordWrap(True)
        self.batch_status.setVisible(batch is not None)
        self.editor.draft_failed.connect(self._draft_failed)
        self.editor.draft_saved.connect(self.draft_warning.hide)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.draft_warning)
        layout.addWidget(self.batch_status)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.editor.save_requested.connect(self.save)
        self.editor.cancel_requested.connect(self.reject)
        self._fit_to_screen()
        self.retranslate_ui()
        self.editor.focus_first()

    def _fit_to_screen(self) -> None:
        hint = self.editor.sizeHint()
        width = hint.width() + self.scroll_area.verticalScrollBar().sizeHint().width() + 40
        # Fields hint at narrow widths, but names, dates and notes read better with room.
        width = max(width, READING_WIDTH_CHARS * self.fontMetrics().averageCharWidth())
        height = hint.height() + self.buttons.sizeHint().height() + 40
        fit_to_screen(self, width, height, share=0.9)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def _draft_failed(self, reason: str) -> None:
        self._draft_problem = reason
        self._show_draft_warning()
        self.draft_warning.show()

    def _show_draft_warning(self) -> None:
        self.draft_warning.setText(
            _(
                "What you type cannot be kept as a draft just now ({reason}). Save the "
                "record, or free space on the disk, before closing the laptop.",
                reason=self._draft_problem,
            )
        )

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_(self.editor.spec.title))
        self._show_draft_warning()
        self._show_batch_status()
        room_for_tibetan(*self.buttons.findChildren(QPushButton))

    # ------------------------------------------------------------ saving

    def save(self) -> bool:
        """Record through the service; True when saved (the dialog is then accepted)."""
        # The draft first: if saving crashes the program, the typing is still on disk.
        if self.editor.is_dirty():
            self.editor.save_draft()
        try:
            record_id = self._save(dict(self.editor.values()))
        except ValidationError as error:
            self.editor.show_errors(error)
            first = self.editor.first_error_field()
            if first is not None:
                self.scroll_area.ensureWidgetVisible(first)
            else:
                self.scroll_area.ensureWidgetVisible(self.editor)
            return False
        except StationError as error:
            QMessageBox.warning(self, _(self.editor.spec.title), _(error.message, **error.params))
            return False
        self.saved_id = record_id
        self.saved_count += 1
        self.editor.clear_errors()
        self.editor.discard_draft()
        self.editor.mark_clean()
        self.record_saved.emit(record_id)
        if self._batch is None:
            self.accept()
        else:
            self._next_sheet(self._batch)
        return True

    def _next_sheet(self, batch: BatchEntry) -> None:
        values = self.editor.values()
        kept: dict[str, object] = {key: values.get(key) for key in batch.keep}
        if batch.number_field is not None:
            kept[batch.number_field] = next_sheet_number(str(values.get(batch.number_field) or ""))
        self.editor.start_over(kept)
        self._show_batch_status()
        field = self.editor.field(batch.first_field)
        self.scroll_area.ensureWidgetVisible(field)
        field.focus_widgets()[0].setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_batch_status(self) -> None:
        if self.saved_count:
            self.batch_status.setText(
                _(
                    "{count} saved in this batch; the next one is ready. Escape ends the batch.",
                    count=self.saved_count,
                )
            )
        else:
            self.batch_status.setText(
                _("Ctrl+S saves this one and starts the next; Escape ends the batch.")
            )

    def reject(self) -> None:
        """Cancel, Escape and the window's close button: never drop typing silently."""
        if self.editor.is_dirty():
            answer = QMessageBox.question(
                self,
                _(self.editor.spec.title),
                _("This record has changes that are not saved. Save them now?"),
                QMessageBox.StandardButton.Save
                | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Save:
                self.save()  # stays open, showing the errors, if the service refuses
                return
            if answer != QMessageBox.StandardButton.Discard:
                return
            self.editor.discard_draft()
        # Unchanged: any draft from before (one the user declined to restore) is left alone.
        super().reject()

    def done(self, result: int) -> None:
        # A last pending change is written (or, if undone, its draft removed); after that the
        # closed form writes nothing, whatever its widgets do while they are torn down.
        self.editor.flush_draft()
        self.editor.detach_drafts()
        super().done(result)

    def open(self) -> None:
        """Show the form without blocking other windows: the main window's search, a
        resident's page, another form stay usable beside it (QDialog.open would make it
        window-modal)."""
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.show()
        self.raise_()
        self.activateWindow()

    # ------------------------------------------------------------ drafts

    def take_back_draft(self) -> bool:
        """Put the draft left under this form's key back at once, without asking (the
        person chose to reopen it); False when there is none."""
        self._draft_taken_back = True
        return self.editor.restore_draft()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._draft_offered:
            self._draft_offered = True
            # Asked once the dialog is on screen, so the question has a window to sit on.
            QTimer.singleShot(0, self, self.offer_draft)

    def offer_draft(self) -> bool:
        """If a draft was left under this dialog's key (a crash, a power cut, a closed
        laptop), offer to put it back. Declining keeps the file until new typing replaces
        it: a mistaken "No" must not lose the work."""
        if self._draft_taken_back:
            return False
        draft = self.editor.pending_draft()
        if draft is None:
            return False
        answer = QMessageBox.question(
            self,
            _(self.editor.spec.title),
            _(
                "Typing from {time} was not saved. Put it back into the form?",
                time=_saved_at_text(draft.saved_at, self._formats),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        return self.editor.restore_draft()


def new_record_values(app: Application, spec: FormSpec) -> dict[str, object]:
    """What a new record of `spec` starts with on this laptop today (see `forms.defaults`)."""
    return starting_values(spec, today=app.ctx.today(), worker_id=app.ctx.actor_id)


def prefilled_dialog(
    app: Application,
    formats: LocaleFormats,
    spec: FormSpec,
    save: SaveFunction,
    values: Mapping[str, object],
    draft_key: str,
    *,
    choices: FormChoices | None = None,
    new: bool = True,
    parent: QWidget | None = None,
) -> RecordDialog:
    """A form with some values already in it, which count as its starting point: closing
    it without typing anything asks nothing, and only what the user types is kept as a
    draft (under `draft_key`; a draft left by a crash is offered back when the dialog
    shows). A `new` record also starts with today's date and who is working."""
    dialog = RecordDialog(
        spec,
        save,
        choices=choices or application_choices(app, formats),
        formats=formats,
        start={**new_record_values(app, spec), **values} if new else values,
        today=app.ctx.today,
        parent=parent,
    )
    # Drafts are attached only after the prefill: filling in must not write (or, once the
    # form is clean again, remove) a draft before the user has been offered the old one.
    dialog.editor.attach_drafts(app.drafts, draft_key)
    return dialog


# ---------------------------------------------------------------- choices from the services


def application_choices(app: Application, formats: LocaleFormats | None = None) -> FormChoices:
    """Staff, residents and villages/communities as the application's services list them."""
    shown = formats or LocaleFormats(active_language)

    def staff() -> Sequence[Choice]:
        return [
            (str(s.id), names_reader_first(s.name_bo, s.name_zh))
            for s in app.stations.staff()
            if s.active
        ]

    def resident_text(name_bo: str, name_zh: str, birth: date | None) -> str:
        # The birth date tells apart the many people who share a name.
        name = names_reader_first(name_bo, name_zh)
        return f"{name} · {shown.date(birth)}" if birth is not None else name

    def residents(text: str) -> Sequence[Choice]:
        return [
            (str(r.id), resident_text(r.name_bo, r.name_zh, r.birth_date))
            for r in app.residents.search(text, limit=50)
        ]

    def describe_resident(value: str) -> str | None:
        try:
            found = app.residents.get(uuid.UUID(value))
        except ValueError:
            return None
        return resident_text(found.name_bo, found.name_zh, found.birth_date) if found else None

    def areas(text: str) -> Sequence[Choice]:
        wanted = text.casefold()
        return [  # found by code too, but shown by name: the code says nothing to a reader
            (str(a.id), names_reader_first(a.name_bo, a.name_zh))
            for a in app.stations.areas()
            if wanted in f"{a.code} {a.name_bo} {a.name_zh}".casefold()
        ]

    def describe_area(value: str) -> str | None:
        return next((text for key, text in areas("") if key == value), None)

    def receipt_text(receipt: ReceiptView) -> str:
        # Date, donor and item: how a worker remembers a donation.
        return f"{shown.date(receipt.received_on)} · {receipt.donor_name} · {receipt.item}"

    def receipts(text: str) -> Sequence[Choice]:
        return [(str(r.id), receipt_text(r)) for r in app.resources.receipts(text)]

    def describe_receipt(value: str) -> str | None:
        found = next((r for r in app.resources.receipts(limit=500) if str(r.id) == value), None)
        return receipt_text(found) if found else None

    def households(text: str) -> Sequence[Choice]:
        return [(str(h.id), household_text(h)) for h in app.residents.households(text)]

    def describe_household(value: str) -> str | None:
        try:
            found = app.residents.household(uuid.UUID(value))
        except ValueError:
            return None
        return household_text(found) if found else None

    def new_household() -> Sequence[Choice]:
        return [(NEW_HOUSEHOLD, _("A new household, with this person at its head"))]

    def describe_staff(value: str) -> str | None:
        everyone = {str(s.id): s for s in app.stations.staff(all_stations=True)}
        person = everyone.get(value)
        return names_reader_first(person.name_bo, person.name_zh) if person else None

    return FormChoices(
        staff=staff,
        describe_staff=describe_staff,
        residents=ReferenceSource(residents, describe_resident),
        references={
            "area": ReferenceSource(areas, describe_area),
            "household": ReferenceSource(households, describe_household, new_household),
            "resource_receipt": ReferenceSource(receipts, describe_receipt),
        },
    )


def household_text(household: HouseholdView) -> str:
    """A household as a worker knows it: its head, its number, where it lives."""
    head = names_reader_first(household.head_name_bo, household.head_name_zh)
    return " · ".join(part for part in (head, household.household_no, household.address) if part)


def open_form_with_key(parent: QWidget, draft_key: str) -> RecordDialog | None:
    """The form already open over `parent` under `draft_key`, brought to the front: one
    window per draft, so that two never write the same draft file."""
    for dialog in parent.findChildren(RecordDialog):
        if dialog.isVisible() and dialog.editor.draft_key == draft_key:
            dialog.raise_()
            dialog.activateWindow()
            return dialog
    return None
