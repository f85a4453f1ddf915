"""The case page: one case followed through case work.

A header with what the case is and where it stands, the stage history and the progress
notes as timelines (oldest first), and the worker's actions on the case: add a note,
correct one (a correction is a new note; the corrected one stays, marked), move the case
to another stage (closing with its reason, reopening), edit its details, print it.
Every change goes through `CaseService`; after each the page reloads from it.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.domain.codes import CaseStage, ClosingReason
from station_desktop.errors import BadTransition, FieldError, StationError, ValidationError
from station_desktop.forms.case import CASE_FORM, CASE_NOTE_FORM, STAGE_CHANGE_FORM
from station_desktop.forms.spec import FormSpec
from station_desktop.i18n import N_, NC_, _, pgettext
from station_desktop.services import access
from station_desktop.services.cases import CaseView, NoteView, StageChangeView
from station_desktop.services.residents import ResidentView
from station_desktop.services.stations import StaffView
from station_desktop.ui.display import code_text
from station_desktop.ui.fonts import room_for_tibetan, row_height, text_line_height
from station_desktop.ui.forms.editor import (
    RecordDialog,
    SaveFunction,
    application_choices,
    prefilled_dialog,
)
from station_desktop.ui.forms.fields import Choice, ChoiceSource, FormChoices
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.window_state import fit_to_screen, remember_geometry

WINDOW_TITLE = N_("Case {number}")
MSG_CASE_GONE = N_("This case no longer exists.")
MSG_CORRECTION_UNCHANGED = N_(
    "The correction is the same as the note it corrects. Change what was wrong."
)
MSG_CORRECTS = N_("Corrects note {number} of {date}.")
MSG_CORRECTED_BY = N_("Corrected by note {number} of {date}.")
MSG_CORRECTING = N_(
    "Correcting note {number} of {date}. That note stays as it is; the correction is "
    "added after it, and each shows the other."
)
MSG_NOTES_TITLE = N_("Progress notes ({count})")
MSG_STAGE_HISTORY = N_("Stage history")
MSG_REOPENED = N_("Reopened")

# The header, in reading order: (key, label). Labels are those of the case form where it
# has one, so the page and the paper say the same.
HEADER_FIELDS: tuple[tuple[str, str], ...] = (
    ("case_number", N_("Case number")),
    ("stage", N_("Stage")),
    ("client", N_("Client")),
    ("opened_on", N_("Date opened")),
    ("worker", N_("Responsible social worker")),
    ("reopen_count", N_("Times reopened")),
    ("referral", N_("Referral")),
    ("closed", N_("Closed")),
)
TYPED_HEADER_FIELDS = frozenset({"client", "worker", "referral"})
MAX_HEADER_COLUMNS = 3  # pairs of label and value side by side, as many as fit
HEADER_SPACING = 12

NOTE_HEADERS = (NC_("note number", "No."), N_("Date"), N_("Written by"), N_("Progress note"))
NOTE_BODY = len(NOTE_HEADERS) - 1


@dataclasses.dataclass(frozen=True)
class Action:
    key: str
    text: str
    keys: QKeySequence.StandardKey | str

    def shortcut(self) -> QKeySequence:
        # Made when asked, not at import: a standard key needs the running application.
        return QKeySequence(self.keys)


ACTIONS = (
    Action("add_note", N_("Add a progress note"), QKeySequence.StandardKey.New),
    Action("correct_note", N_("Correct the selected note"), "Ctrl+Shift+N"),
    Action("move_stage", N_("Move to the next stage…"), "Ctrl+M"),
    Action("edit_case", N_("Edit case details"), "Ctrl+E"),
    Action("print_case", N_("Print"), QKeySequence.StandardKey.Print),
)
ACTIONS_BY_KEY = {action.key: action for action in ACTIONS}
REOPEN_TEXT = N_("Reopen the case…")  # the same action as moving on, for a closed case


def names_tibetan_first(name_bo: str, name_zh: str) -> str:
    """A person's Tibetan and Chinese names, Tibetan first as on the paper forms."""
    return "  ".join(name for name in (name_bo, name_zh) if name)


def form_values(spec: FormSpec, record: object) -> dict[str, object]:
    """A record's values for the fields of `spec`, as its editor takes them."""
    values: dict[str, object] = {}
    for section in spec.sections:
        for field_spec in section.fields:
            value = getattr(record, field_spec.key, None)
            values[field_spec.key] = str(value) if isinstance(value, uuid.UUID) else value
    return values


class TranslatedLabel(QLabel):
    """A wrapped label whose text is made again in the interface language on a switch."""

    def __init__(self, text: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = text
        self.setWordWrap(True)
        self.retranslate_ui()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setText(self._text())


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return item


TOOLTIP_CHARACTERS = 1_500  # a tooltip is a glance; the whole note is under the list


def _tooltip(text: str) -> str:
    return text if len(text) <= TOOLTIP_CHARACTERS else text[:TOOLTIP_CHARACTERS] + "…"


def _timeline_table(columns: int, parent: QWidget) -> QTableWidget:
    """A read-only table of wrapped rows, one Tab stop (arrows move inside it)."""
    table = QTableWidget(0, columns, parent)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.setWordWrap(True)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for column in range(columns - 1):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(columns - 1, QHeaderView.ResizeMode.Stretch)
    return table


class CaseWindow(QDialog):
    """One case. Show it with `show()` (beside the main window) or `open()` (window-modal).

    Signals: `print_requested(case_id)` for the printed case record; `case_changed(case_id)`
    after any change was saved (lists showing the case may refresh).
    """

    print_requested = Signal(uuid.UUID)
    case_changed = Signal(uuid.UUID)

    def __init__(
        self,
        app: Application,
        languages: LanguageSwitcher,
        case_id: uuid.UUID,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._languages = languages
        self.case_id = case_id
        self.case: CaseView | None = None
        self.resident: ResidentView | None = None
        self.notes: list[NoteView] = []
        self.history: list[StageChangeView] = []
        self._staff: dict[uuid.UUID, StaffView] = {}
        self._notes_by_id: dict[uuid.UUID, NoteView] = {}
        self._corrections: dict[uuid.UUID, list[NoteView]] = {}  # by the note corrected
        self._focused_once = False

        self.header = QGroupBox(self)
        self._header_grid = QGridLayout(self.header)
        self._header_grid.setHorizontalSpacing(HEADER_SPACING)
        self._header_grid.setVerticalSpacing(2)  # Tibetan lines bring their own air
        self._header_shape: tuple[int, list[str]] = (0, [])
        self.header_labels: dict[str, QLabel] = {}
        self.header_values: dict[str, QLabel] = {}
        for key, _label in HEADER_FIELDS:
            label = QLabel(self.header)
            value = QLabel(self.header)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.header_labels[key] = label
            self.header_values[key] = value
        self.header_values["stage"].setTextFormat(Qt.TextFormat.RichText)
        self._header_plain: dict[str, str] = {}  # the values as text, for measuring

        self.notes_box = QGroupBox(self)
        self.notes_table = _timeline_table(len(NOTE_HEADERS), self.notes_box)
        # One line per note, however long it is (a 5,000-character note would otherwise
        # fill the list); the selected note is read whole below the list.
        self.notes_table.setWordWrap(False)
        self.notes_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.note_view = QPlainTextEdit(self.notes_box)
        self.note_view.setReadOnly(True)
        self.note_view.setTabChangesFocus(True)
        notes_layout = QVBoxLayout(self.notes_box)
        notes_layout.addWidget(self.notes_table, 3)
        notes_layout.addWidget(self.note_view, 1)
        self.history_box = QGroupBox(self)
        # One entry per change (when and who, the stages, the note), in a narrow column
        # beside the notes: on a laptop screen the notes keep the height.
        self.history_table = _timeline_table(1, self.history_box)
        self.history_table.horizontalHeader().setVisible(False)
        QVBoxLayout(self.history_box).addWidget(self.history_table)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.notes_box)
        self.splitter.addWidget(self.history_box)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        self.buttons: dict[str, QPushButton] = {}
        actions_row = QHBoxLayout()
        handlers: dict[str, Callable[[], object]] = {
            "add_note": self.add_note,
            "correct_note": self.correct_note,
            "move_stage": self.move_stage,
            "edit_case": self.edit_case,
            "print_case": self.request_print,
        }
        for action in ACTIONS:
            button = QPushButton(self)
            # Enter in the lists must not fire an action (a QDialog's default button would).
            button.setAutoDefault(False)
            button.clicked.connect(handlers[action.key])
            actions_row.addWidget(button)
            self.buttons[action.key] = button
        actions_row.addStretch(1)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_buttons.rejected.connect(self.reject)
        for close in self.close_buttons.findChildren(QPushButton):
            close.setAutoDefault(False)
        actions_row.addWidget(self.close_buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(actions_row)

        # The notes first: reading and writing them is what the page is mostly for.
        QWidget.setTabOrder(self.notes_table, self.buttons[ACTIONS[0].key])
        for before, after in itertools.pairwise(ACTIONS):
            QWidget.setTabOrder(self.buttons[before.key], self.buttons[after.key])
        QWidget.setTabOrder(self.buttons[ACTIONS[-1].key], self.history_table)
        QWidget.setTabOrder(self.history_table, self.close_buttons)

        self.notes_table.itemSelectionChanged.connect(self._update_buttons)
        self.notes_table.itemSelectionChanged.connect(self._show_selected_note)
        # Wrapped rows change height with the width of the text column: measure again once
        # the resizing has settled (a window resize moves every column at once).
        self._row_heights = QTimer(self, singleShot=True, interval=0)
        self._row_heights.timeout.connect(self._fit_rows)
        for table in (self.notes_table, self.history_table):
            table.horizontalHeader().sectionResized.connect(self._row_heights.start)

        self._fit_to_screen()
        self._load()
        self.retranslate_ui()  # shows what was loaded

    def _fit_to_screen(self) -> None:
        width = fit_to_screen(self, 1300, 820).width()
        self.splitter.setSizes([width * 2 // 3, width // 3])
        remember_geometry(self, "case_window")

    # ------------------------------------------------------------ loading

    def reload(self, select_note: uuid.UUID | None = None) -> None:
        """Read the case, its history and its notes again from the service, keeping the
        selected note (or selecting `select_note` when given)."""
        keep = select_note or self.selected_note_id()
        if self._load():
            self._render(keep)

    def _load(self) -> bool:
        cases = self._app.cases
        try:
            case = cases.get(self.case_id)
            resident = self._app.residents.get(case.resident_id) if case else None
            history = cases.stage_history(self.case_id) if case else []
            notes = cases.notes(self.case_id) if case else []
            staff = {member.id: member for member in self._app.stations.staff(all_stations=True)}
        except StationError as error:
            self._warn(error)  # what was shown stays
            return False
        self.case, self.resident, self.history, self.notes = case, resident, history, notes
        self._staff = staff
        self._notes_by_id = {note.id: note for note in notes}
        self._corrections = {}
        for note in notes:
            if note.corrects_id is not None:
                self._corrections.setdefault(note.corrects_id, []).append(note)
        return True

    def _warn(self, error: StationError) -> None:
        QMessageBox.warning(self, self.windowTitle(), _(error.message, **error.params))

    # ------------------------------------------------------------ showing

    def _staff_name(self, staff_id: uuid.UUID | None) -> str:
        staff = self._staff.get(staff_id) if staff_id is not None else None
        return names_tibetan_first(staff.name_bo, staff.name_zh) if staff is not None else ""

    def _date(self, day: date | None) -> str:
        return self._languages.formats.date(day) if day is not None else ""

    def _render(self, select_note: uuid.UUID | None = None) -> None:
        case = self.case
        if select_note is None and self.notes:
            select_note = self.notes[-1].id  # the newest, where the work goes on
        self.setWindowTitle(_(WINDOW_TITLE, number=case.reference) if case else _(CASE_FORM.title))
        self._render_header()
        self._render_notes(select_note)
        self._render_history()
        self._update_buttons()
        self._fit_rows()

    def _render_header(self) -> None:
        case, resident = self.case, self.resident
        shown: dict[str, str] = {}
        stage = code_text(CaseStage, case.stage) if case else ""
        if case is None:
            shown["case_number"] = _(MSG_CASE_GONE)
        else:
            formats = self._languages.formats
            closed = ""
            if case.closed_on is not None or case.closing_reason:
                parts = (self._date(case.closed_on), code_text(ClosingReason, case.closing_reason))
                closed = " · ".join(part for part in parts if part)
            shown = {
                "case_number": case.reference,
                "stage": f"<b>{html.escape(stage)}</b>",
                "client": names_tibetan_first(resident.name_bo, resident.name_zh)
                if resident
                else "",
                "opened_on": self._date(case.opened_on),
                "worker": self._staff_name(case.worker_id),
                "reopen_count": formats.number(case.reopen_count) if case.reopen_count else "",
                "referral": " · ".join(
                    part for part in (case.referral_to, self._date(case.referral_on)) if part
                ),
                "closed": closed,
            }
        line_height = text_line_height(self.font())
        for key, _label in HEADER_FIELDS:
            text = shown.get(key, "")
            # The number and stage always show (a dash for a missing value); the rest only
            # when there is something to say.
            always = key in ("case_number", "stage", "client", "opened_on", "worker")
            visible = bool(text) or (always and case is not None)
            value = self.header_values[key]
            value.setText(text or "—")
            # Names and typed text may be Tibetan in any interface language.
            value.setMinimumHeight(line_height if key in TYPED_HEADER_FIELDS else 0)
            value.setVisible(visible)
            self.header_labels[key].setVisible(visible and case is not None)
            self._header_plain[key] = stage if key == "stage" and case else text
        self._layout_header()

    def _layout_header(self) -> None:
        """Lay the shown pairs out in as many columns as fit (Tibetan labels and dates run
        long): a short header leaves the notes the height."""
        shown = [key for key, _label in HEADER_FIELDS if not self.header_values[key].isHidden()]
        columns = self._header_columns(shown)
        if (columns, shown) == self._header_shape:
            return
        self._header_shape = (columns, shown)
        grid = self._header_grid
        for key, _label in HEADER_FIELDS:
            grid.removeWidget(self.header_labels[key])
            grid.removeWidget(self.header_values[key])
        for index, key in enumerate(shown):
            row, column = divmod(index, columns)
            grid.addWidget(self.header_labels[key], row, 2 * column)
            grid.addWidget(self.header_values[key], row, 2 * column + 1)
        for column in range(MAX_HEADER_COLUMNS):
            grid.setColumnStretch(2 * column + 1, 1 if column < columns else 0)

    def _header_columns(self, shown: list[str]) -> int:
        """The most columns of pairs that fit side by side with no value wrapped (a value
        wrapped costs as much height as another row, and reads worse)."""
        margins = self._header_grid.contentsMargins()
        room = self.header.contentsRect().width() - margins.left() - margins.right()
        metrics = self.header_values["stage"].fontMetrics()

        def value_width(key: str) -> int:
            text = self._header_plain.get(key) or "—"
            return int(metrics.horizontalAdvance(text) * 1.1)  # a tenth more: bold stage

        for columns in range(MAX_HEADER_COLUMNS, 1, -1):
            needed = 0
            for column in range(columns):
                keys = shown[column::columns]
                needed += max((self.header_labels[k].sizeHint().width() for k in keys), default=0)
                needed += max((value_width(k) for k in keys), default=0)
                needed += 2 * HEADER_SPACING
            if needed <= room:
                return columns
        return 1

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._layout_header()

    def note_text(self, note: NoteView) -> str:
        """The note as its row shows it: which note it corrects, which notes corrected it,
        then the note itself (never shortened)."""
        lines: list[str] = []
        corrected = self._notes_by_id.get(note.corrects_id) if note.corrects_id else None
        if corrected is not None:
            lines.append(_(MSG_CORRECTS, **self._note_reference(corrected)))
        for later in self._corrections.get(note.id, ()):
            lines.append(_(MSG_CORRECTED_BY, **self._note_reference(later)))
        lines.append(note.body)
        return "\n".join(lines)

    def _note_reference(self, note: NoteView) -> dict[str, str]:
        number = self.notes.index(note) + 1
        return {
            "number": self._languages.formats.number(number),
            "date": self._date(note.written_on),
        }

    def _render_notes(self, select_note: uuid.UUID | None) -> None:
        table = self.notes_table
        formats = self._languages.formats
        table.blockSignals(True)
        try:
            table.clearContents()
            table.setRowCount(len(self.notes))
            for row, note in enumerate(self.notes):
                whole = self.note_text(note)
                cells = (
                    formats.number(row + 1),
                    self._date(note.written_on),
                    self._staff_name(note.author_id),
                    " · ".join(line for line in whole.splitlines() if line.strip()),
                )
                for column, text in enumerate(cells):
                    table.setItem(row, column, _cell(text))
                body = table.item(row, NOTE_BODY)
                if body is not None:
                    body.setToolTip(_tooltip(whole))
            rows = [row for row, note in enumerate(self.notes) if note.id == select_note]
            if rows:
                table.selectRow(rows[0])
        finally:
            table.blockSignals(False)
        if rows:
            table.scrollTo(table.model().index(rows[0], NOTE_BODY))
        self.notes_box.setTitle(_(MSG_NOTES_TITLE, count=formats.number(len(self.notes))))
        self._show_selected_note()

    def _show_selected_note(self) -> None:
        """The whole of the selected note (with its corrections) under the list."""
        note = self.selected_note()
        self.note_view.setPlainText(self.note_text(note) if note is not None else "")

    def history_text(self, change: StageChangeView) -> str:
        """A stage change as its entry shows it: date and who, the stages, the note."""
        when = " · ".join(
            part
            for part in (self._date(change.changed_on), self._staff_name(change.changed_by_id))
            if part
        )
        stage = code_text(CaseStage, change.to_stage)
        if change.from_stage:
            stage = f"{code_text(CaseStage, change.from_stage)} → {stage}"
        if change.from_stage == CaseStage.CLOSED.value:
            stage = f"{stage} · {_(MSG_REOPENED)}"
        return "\n".join(line for line in (when, stage, change.note) if line)

    def _render_history(self) -> None:
        table = self.history_table
        table.clearContents()
        table.setRowCount(len(self.history))
        for row, change in enumerate(self.history):
            table.setItem(row, 0, _cell(self.history_text(change)))

    def _fit_rows(self) -> None:
        line_height = row_height(self.font(), tibetan=True)
        notes = self.notes_table.verticalHeader()
        notes.setMinimumSectionSize(line_height)
        notes.setDefaultSectionSize(line_height)
        for row in range(self.notes_table.rowCount()):
            notes.resizeSection(row, line_height)
        # Tibetan stacks need the tall line even where a row holds one short line.
        self.history_table.verticalHeader().setMinimumSectionSize(line_height)
        self.history_table.resizeRowsToContents()

    def _update_buttons(self) -> None:
        case, cases = self.case, self._app.cases
        exists = case is not None
        # Only what the person's role may do on this case (the service refuses the rest).
        writes = exists and cases.may(access.Action.UPDATE, case)
        closed = case is not None and case.stage == CaseStage.CLOSED.value
        moves = writes and (not closed or cases.may(access.Action.CLOSE, case))
        for key, button in self.buttons.items():
            button.setEnabled(exists if key == "print_case" else writes)
        self.buttons["move_stage"].setEnabled(moves)
        self.buttons["correct_note"].setEnabled(writes and self.selected_note() is not None)
        self._label_move_button()

    def _label_move_button(self) -> None:
        closed = self.case is not None and self.case.stage == CaseStage.CLOSED.value
        move = ACTIONS_BY_KEY["move_stage"]
        self._label_button(self.buttons[move.key], REOPEN_TEXT if closed else move.text, move)

    # ------------------------------------------------------------ selection

    def selected_note(self) -> NoteView | None:
        rows = self.notes_table.selectionModel().selectedRows()
        if not rows:
            return None
        row = rows[0].row()
        return self.notes[row] if 0 <= row < len(self.notes) else None

    def selected_note_id(self) -> uuid.UUID | None:
        note = self.selected_note()
        return note.id if note is not None else None

    # ------------------------------------------------------------ language and keyboard

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        """Every text in the interface language; the selected note stays selected."""
        for key, label in HEADER_FIELDS:
            self.header_labels[key].setText(_(label))
        self.notes_table.setHorizontalHeaderLabels(
            [pgettext("note number", NOTE_HEADERS[0])] + [_(h) for h in NOTE_HEADERS[1:]]
        )
        self.notes_table.setAccessibleName(_(CASE_NOTE_FORM.title))
        self.history_table.setAccessibleName(_(MSG_STAGE_HISTORY))
        self.history_box.setTitle(_(MSG_STAGE_HISTORY))
        for action in ACTIONS:
            self._label_button(self.buttons[action.key], action.text, action)
        room_for_tibetan(*self.findChildren(QPushButton))
        self._render(self.selected_note_id())

    def _label_button(self, button: QPushButton, text: str, action: Action) -> None:
        shortcut = action.shortcut()
        keys = shortcut.toString(QKeySequence.SequenceFormat.NativeText)
        button.setText(_(text))
        button.setShortcut(shortcut)  # after the text: setText resets it to the mnemonic
        button.setAccessibleName(_(text))
        button.setAccessibleDescription(keys)
        button.setToolTip(f"{_(text)} ({keys})")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._focused_once:
            self._focused_once = True
            self.notes_table.setFocus(Qt.FocusReason.OtherFocusReason)
            self._fit_rows()

    # ------------------------------------------------------------ actions

    def _choices(self, codes: Mapping[str, ChoiceSource] | None = None) -> FormChoices:
        choices = application_choices(self._app, self._languages.formats)
        return dataclasses.replace(choices, codes=codes) if codes else choices

    def _record_dialog(
        self,
        spec: FormSpec,
        save: SaveFunction,
        *,
        draft_key: str,
        start: Mapping[str, object],
        choices: FormChoices | None = None,
        select_saved: bool = False,
        new: bool = True,
    ) -> RecordDialog:
        """A form on this case, filled with `start`, saving through `save`. The start values
        are the clean state, put in before drafts are attached: they are never written as a
        draft of their own, nor over typing a crash left behind (offered once it shows)."""
        dialog = prefilled_dialog(
            self._app,
            self._languages.formats,
            spec,
            save,
            start,
            draft_key,
            choices=choices or self._choices(),
            new=new,
            parent=self,
        )

        def saved() -> None:
            self.reload(dialog.saved_id if select_saved else None)
            self.case_changed.emit(self.case_id)

        dialog.accepted.connect(saved)
        dialog.finished.connect(dialog.deleteLater)  # a page kept open all day gathers none
        dialog.open()
        return dialog

    def add_note(self) -> RecordDialog | None:
        """A new progress note (the draft key is the follow-ups page's too: typing started
        there is offered here)."""
        if self.case is None:
            return None
        case_id = self.case_id

        def add(values: dict[str, Any]) -> uuid.UUID:
            return self._app.cases.add_note(case_id, values["written_on"], values["body"])

        return self._record_dialog(
            CASE_NOTE_FORM,
            add,
            draft_key=f"{CASE_NOTE_FORM.code}:{case_id}",
            start={},
            select_saved=True,
        )

    def correct_note(self) -> RecordDialog | None:
        """A correction of the selected note: a new note, starting from the old text, that
        names the note it corrects. The old note stays as it was."""
        note = self.selected_note()
        if self.case is None or note is None:
            return None
        case_id, original = self.case_id, note

        def correct(values: dict[str, Any]) -> uuid.UUID:
            if values["body"] == original.body:
                raise ValidationError([FieldError("body", MSG_CORRECTION_UNCHANGED)])
            return self._app.cases.add_note(
                case_id, values["written_on"], values["body"], corrects_id=original.id
            )

        dialog = self._record_dialog(
            CASE_NOTE_FORM,
            correct,
            draft_key=f"{CASE_NOTE_FORM.code}:{case_id}:corrects:{original.id}",
            start={"body": original.body},
            select_saved=True,
        )
        number = self.notes.index(original) + 1
        formats = self._languages.formats
        heading = TranslatedLabel(
            lambda: _(
                MSG_CORRECTING,
                number=formats.number(number),
                date=formats.date(original.written_on),
            ),
            dialog,
        )
        layout = dialog.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(0, heading)  # above the form: which note, and what happens
        # The dialog was sized for its form alone: make the room for the heading too.
        height = dialog.height() + heading.heightForWidth(dialog.width()) + layout.spacing()
        screen = dialog.screen()
        if screen is not None:
            height = min(height, int(screen.availableGeometry().height() * 0.9))
        dialog.resize(dialog.width(), height)
        return dialog

    def move_stage(self) -> RecordDialog | None:
        """Move the case to one of the stages it may go to now; for a closed case that is
        reopening it. The reason for closing is asked only when closing."""
        case = self.case
        if case is None:
            return None
        case_id = self.case_id
        stages = self._app.cases.next_stages(case.stage)
        if not self._app.cases.may(access.Action.CLOSE, case):  # closing: the station head's
            stages = tuple(stage for stage in stages if stage is not CaseStage.CLOSED)

        def next_stages() -> list[Choice]:
            return [(stage.value, _(stage.label)) for stage in stages]

        def move(values: dict[str, Any]) -> uuid.UUID:
            closing = values["to_stage"] == CaseStage.CLOSED.value
            try:
                self._app.cases.move_stage(
                    case_id,
                    values["to_stage"],
                    values["changed_on"],
                    # A greyed-out reason is not part of the change (see `follow_stage`).
                    closing_reason=values["closing_reason"] if closing else None,
                    note=values["note"],
                    based_on=None,
                )
            except BadTransition:
                self.reload()  # someone moved it meanwhile: show where it really is
                raise
            return case_id

        start: dict[str, object] = {}
        if len(stages) == 1:
            start["to_stage"] = stages[0].value  # reopening: nothing else to choose
        dialog = self._record_dialog(
            STAGE_CHANGE_FORM,
            move,
            draft_key=f"{STAGE_CHANGE_FORM.code}:{case_id}",
            start=start,
            choices=self._choices({"to_stage": next_stages}),
        )
        to_stage = dialog.editor.field("to_stage")
        reason = dialog.editor.field("closing_reason")

        def follow_stage() -> None:
            reason.setEnabled(to_stage.value() == CaseStage.CLOSED.value)

        to_stage.changed.connect(follow_stage)
        follow_stage()
        return dialog

    def edit_case(self) -> RecordDialog | None:
        """The case's details (not its stage), saving only what was changed."""
        case = self.case
        if case is None:
            return None
        case_id = self.case_id
        before: dict[str, object] = {}

        def update(values: dict[str, Any]) -> uuid.UUID:
            changed = {key: value for key, value in values.items() if value != before[key]}
            self._app.cases.update(case_id, changed)
            return case_id

        dialog = self._record_dialog(
            CASE_FORM,
            update,
            draft_key=f"{CASE_FORM.code}:edit:{case_id}",
            start=form_values(CASE_FORM, case),
            new=False,
        )
        before.update(dialog.editor.values())
        # The client of a case is fixed (the service refuses a change): shown, not offered.
        dialog.editor.field("resident_id").setEnabled(False)
        dialog.editor.field("opened_on").focus_widgets()[0].setFocus(
            Qt.FocusReason.OtherFocusReason
        )
        return dialog

    def request_print(self) -> None:
        if self.case is not None:
            self.print_requested.emit(self.case_id)
