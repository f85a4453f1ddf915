"""The resident's page: everything about one resident in one window, and the forms to add
each kind of record for them.

Details, priority-group memberships (add, end), the other members of the household (Enter
or a double-click asks for their page), and a timeline of every service received, newest
first (Enter or a double-click asks for the record). The buttons open the usual forms with
the resident filled in; after each save the page reads the file again.

The window is not modal: a worker keeps it open beside the main window while talking to
the person; Escape closes it. `dialog_for_resident` opens a form for a given resident (the
Follow-ups page opens a due visit the same way and could share it).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.domain.codes import (
    Code,
    Ethnicity,
    HouseholdRelation,
    LegalBasis,
    PriorityGroup,
    Sex,
)
from station_desktop.errors import NotFound, StationError
from station_desktop.formats import LocaleFormats
from station_desktop.forms.case import CASE_FORM
from station_desktop.forms.feedback import FEEDBACK_FORM
from station_desktop.forms.resident import (
    CONSENT_BASES,
    END_MEMBERSHIP_FORM,
    MEMBERSHIP_FORM,
    RESIDENT_FORM,
    REVIEW_MEMBERSHIP_FORM,
)
from station_desktop.forms.resources import HANDOUT_FORM
from station_desktop.forms.spec import FormSpec
from station_desktop.forms.validate import clean_form
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.i18n import N_, NC_, _, pgettext
from station_desktop.services.access import Action, Resource, allowed
from station_desktop.services.context import MSG_NOT_FOUND, raise_if_invalid
from station_desktop.services.resident_file import (
    HouseholdInfo,
    ResidentFile,
    SummaryPart,
    TimelineEntry,
    TimelineKind,
)
from station_desktop.ui.display import code_text, names_reader_first, reader_name
from station_desktop.ui.fonts import text_line_height
from station_desktop.ui.forms.editor import (
    RecordDialog,
    SaveFunction,
    prefilled_dialog,
)
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.window_state import fit_to_screen, remember_geometry

PAGE_TITLE = N_("Resident's page")
WINDOW_TITLE = N_("{name} · Resident's page")


KIND_LABELS: dict[TimelineKind, str] = {
    TimelineKind.VISIT: NC_("timeline", "Home visit"),
    TimelineKind.CASE: NC_("timeline", "Case"),
    TimelineKind.FEEDBACK: NC_("timeline", "Satisfaction feedback"),
    TimelineKind.HANDOUT: NC_("timeline", "Resources handed out"),
    TimelineKind.ACTIVITY: NC_("timeline", "Activity"),
}

DETAILS_TITLE = N_("Personal details")
MEMBERSHIPS_TITLE = N_("Priority groups")
HOUSEHOLD_TITLE = N_("Household members")
TIMELINE_TITLE = N_("Services received")
NO_HOUSEHOLD = N_("Not registered in a household.")
NO_SERVICES = N_("No services recorded yet.")
AGED = N_("{date} (aged {age})")
ADD_FOR_RESIDENT = N_("Add for this resident:")

MEMBERSHIP_HEADERS = (N_("Priority group"), N_("Member since"), N_("Member until"), N_("Review on"))
HOUSEHOLD_HEADERS = (
    N_("Tibetan name"),
    N_("Chinese name"),
    N_("Relation to household head"),
    N_("Date of birth"),
)
TIMELINE_HEADERS = (N_("Date"), N_("What"), N_("Details"))
MSG_REVEAL = N_("Show the whole number")

# (detail key, label message id), one row each.
DETAIL_ROWS: tuple[tuple[str, str], ...] = (
    ("sex", N_("Sex")),
    ("ethnicity", N_("Ethnic group")),
    ("birth_date", N_("Date of birth")),
    ("id_number", N_("ID card number")),
    ("phone", N_("Phone")),
    ("area", N_("Village or community")),
    ("household", N_("Household")),
    ("household_relation", N_("Relation to household head")),
    ("address", N_("Address")),
    ("guardian", N_("Guardian")),
    ("legal_basis", N_("Basis for keeping this record")),
)

MSG_CONSENT_ON = N_("given on {date}")
WRAPPED_DETAILS = frozenset({"area", "household", "address", "guardian", "legal_basis"})
DETAILS_MAX_WIDTH = 380

# The same numbers as the main window's New menu for the same forms; a hand-out is the
# resident's side of resources (the main window's Ctrl+6 records resources received).
ADD_VISIT_KEYS = "Ctrl+2"
ADD_FEEDBACK_KEYS = "Ctrl+3"
ADD_CASE_KEYS = "Ctrl+4"
ADD_HANDOUT_KEYS = "Ctrl+6"
EDIT_KEYS = "Ctrl+E"

SUMMARY_SEPARATOR = " · "
ENDED_COLOUR = QColor("#6b6b6b")  # a membership that is over: still readable, clearly past


# ---------------------------------------------------------------- forms for one resident


def dialog_for_resident(
    app: Application,
    languages: LanguageSwitcher,
    spec: FormSpec,
    save: SaveFunction,
    resident_id: uuid.UUID,
    *,
    parent: QWidget | None = None,
) -> RecordDialog:
    """A new record of `spec` (a home visit, a feedback sheet, a case, a hand-out) for this
    resident: the resident is filled in and the draft is kept per resident."""
    return prefilled_dialog(
        app,
        languages.formats,
        spec,
        save,
        {"resident_id": str(resident_id)},
        f"{spec.code}:for:{resident_id}",
        parent=parent,
    )


# ---------------------------------------------------------------- display helpers


def summary_text(parts: Sequence[SummaryPart], formats: LocaleFormats) -> str:
    texts: list[str] = []
    for part in parts:
        if isinstance(part, Code):  # before str: a code is a str too
            texts.append(_(part.label))
        elif isinstance(part, date):
            texts.append(formats.date(part))
        else:
            texts.append(part)
    return SUMMARY_SEPARATOR.join(texts)


def _household_text(household: HouseholdInfo) -> str:
    return " ".join(t for t in (household.household_no, household.address) if t)


def _table(columns: int) -> QTableWidget:
    """A read-only list of rows: Tab moves on to the next control, not through the cells."""
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _show_at_least(table: QTableWidget, rows: int) -> None:
    """However small the window, a few rows stay in view (the details scroll instead)."""
    table.setMinimumHeight(
        table.horizontalHeader().sizeHint().height()
        + rows * table.verticalHeader().defaultSectionSize()
        + table.horizontalScrollBar().sizeHint().height()
        + 2 * table.frameWidth()
    )


def _cell(text: str, tooltip: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(tooltip if tooltip is not None else text)
    return item


# ---------------------------------------------------------------- the window


@dataclass(frozen=True)
class _Action:
    button: QPushButton
    label: str  # message id: the button's text, or its full name when `kind` is given
    kind: TimelineKind | None  # the button says just this kind (after "Add for…:")
    keys: str | None
    run: Callable[[], object]


class ResidentWindow(QDialog):
    """One resident's page. Signals: `resident_requested(id)` for a household member,
    `record_requested(kind, id)` for a timeline entry (kinds: `TimelineKind` values; an
    activity entry carries the activity's id), `records_changed()` after anything saved
    from this page (other views may want to refresh)."""

    resident_requested = Signal(uuid.UUID)
    record_requested = Signal(str, uuid.UUID)
    records_changed = Signal()

    def __init__(
        self,
        app: Application,
        languages: LanguageSwitcher,
        resident_id: uuid.UUID,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._languages = languages
        self.resident_id = resident_id
        self.file: ResidentFile | None = None
        self.setModal(False)

        self.name_label = QLabel(self)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.name_label.setWordWrap(True)
        self.edit_button = QPushButton(self)

        # Details: one label and value per row; a value that does not fit beside its label
        # (long Tibetan labels, an address) goes under it.
        self.details_box = QGroupBox(self)
        details = QWidget()
        form = QFormLayout(details)
        form.setContentsMargins(0, 0, 0, 0)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._details_form = form
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._detail_labels: dict[str, QLabel] = {}
        self.detail_values: dict[str, QLabel] = {}
        for key, _label in DETAIL_ROWS:
            label, value = QLabel(details), QLabel(details)
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            # A date, a number or a code reads on one line: when it does not fit beside its
            # label it goes under it (a Tibetan birth date broke into four lines).
            value.setWordWrap(key in WRAPPED_DETAILS)
            value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            label.setBuddy(value)
            if key == "id_number":  # masked; a role that may reveals it with a button
                self.reveal_button = QPushButton(details)
                self.reveal_button.clicked.connect(self.reveal_id_number)
                # Under the number: beside it, a Tibetan label would not fit the column.
                column = QVBoxLayout()
                column.setContentsMargins(0, 0, 0, 0)
                column.addWidget(value)
                column.addWidget(self.reveal_button, 0, Qt.AlignmentFlag.AlignLeft)
                form.addRow(label, column)
            else:
                form.addRow(label, value)
            self._detail_labels[key] = label
            self.detail_values[key] = value
        # On a small screen (1366×768, Tibetan at its larger size) the details scroll rather
        # than push the timeline off the window. Not a Tab stop: there is nothing to edit.
        self.details_scroll = QScrollArea(self.details_box)
        self.details_scroll.setWidget(details)
        self.details_scroll.setWidgetResizable(True)
        self.details_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.details_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.details_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.details_scroll.viewport().setAutoFillBackground(False)
        details.setAutoFillBackground(False)
        QVBoxLayout(self.details_box).addWidget(self.details_scroll)

        self.memberships_box = QGroupBox(self)
        self.memberships_table = _table(len(MEMBERSHIP_HEADERS))
        self.add_membership_button = QPushButton(self)
        self.end_membership_button = QPushButton(self)
        self.review_membership_button = QPushButton(self)
        membership_buttons = QHBoxLayout()
        membership_buttons.addWidget(self.add_membership_button)
        membership_buttons.addWidget(self.review_membership_button)
        membership_buttons.addWidget(self.end_membership_button)
        membership_buttons.addStretch(1)
        box_layout = QVBoxLayout(self.memberships_box)
        box_layout.addWidget(self.memberships_table)
        box_layout.addLayout(membership_buttons)

        self.household_box = QGroupBox(self)
        self.household_table = _table(len(HOUSEHOLD_HEADERS))
        self.household_note = QLabel(self.household_box)
        box_layout = QVBoxLayout(self.household_box)
        box_layout.addWidget(self.household_note)
        box_layout.addWidget(self.household_table)

        self.timeline_box = QGroupBox(self)
        self.timeline_table = _table(len(TIMELINE_HEADERS))
        self.timeline_note = QLabel(self.timeline_box)
        box_layout = QVBoxLayout(self.timeline_box)
        box_layout.addWidget(self.timeline_note)
        box_layout.addWidget(self.timeline_table)

        self.add_visit_button = QPushButton(self)
        self.add_feedback_button = QPushButton(self)
        self.add_case_button = QPushButton(self)
        self.add_handout_button = QPushButton(self)
        self.close_buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.close_buttons.rejected.connect(self.reject)

        self._actions: list[_Action] = [
            _Action(self.edit_button, N_("Edit details…"), None, EDIT_KEYS, self.edit_details),
            _Action(
                self.add_membership_button, N_("Add membership…"), None, None, self.add_membership
            ),
            _Action(
                self.review_membership_button,
                N_("Reviewed…"),
                None,
                None,
                self.review_membership,
            ),
            _Action(
                self.end_membership_button, N_("End membership…"), None, None, self.end_membership
            ),
            # Short labels (the kinds of the timeline) after "Add for this resident:"; the
            # full wording is their accessible name and tooltip.
            _Action(
                self.add_visit_button,
                N_("Record a home visit"),
                TimelineKind.VISIT,
                ADD_VISIT_KEYS,
                self.add_visit,
            ),
            _Action(
                self.add_feedback_button,
                N_("Enter a satisfaction feedback sheet"),
                TimelineKind.FEEDBACK,
                ADD_FEEDBACK_KEYS,
                self.add_feedback,
            ),
            _Action(
                self.add_case_button,
                N_("Open a case"),
                TimelineKind.CASE,
                ADD_CASE_KEYS,
                self.add_case,
            ),
            _Action(
                self.add_handout_button,
                N_("Record resources handed out"),
                TimelineKind.HANDOUT,
                ADD_HANDOUT_KEYS,
                self.add_handout,
            ),
        ]
        for action in self._actions:
            action.button.clicked.connect(self._runner(action.run))
            if action.keys is not None:
                QShortcut(QKeySequence(action.keys), self, self._runner(action.run))
        for button in [a.button for a in self._actions] + self.close_buttons.findChildren(
            QPushButton
        ):
            # Enter in a table opens the row; it must never press a button of the window.
            button.setAutoDefault(False)
            button.setDefault(False)

        header = QHBoxLayout()
        header.addWidget(self.name_label, 1)
        header.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        # Details down the left; beside them the groups and the household, and under
        # those the timeline, which gets the most room (it grows with every service).
        lists = QHBoxLayout()
        lists.addWidget(self.memberships_box, 1)
        lists.addWidget(self.household_box, 1)
        right = QVBoxLayout()
        right.addLayout(lists, 2)
        right.addWidget(self.timeline_box, 3)
        body = QHBoxLayout()
        body.addWidget(self.details_box, 1)
        body.addLayout(right, 3)
        self.adding_label = QLabel(self)
        adding = QHBoxLayout()
        adding.addWidget(self.adding_label)
        for button in (
            self.add_visit_button,
            self.add_feedback_button,
            self.add_case_button,
            self.add_handout_button,
        ):
            adding.addWidget(button)
        adding.addStretch(1)
        adding.addWidget(self.close_buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(body, 1)
        layout.addLayout(adding)

        stops: list[QWidget] = [
            self.edit_button,
            self.memberships_table,
            self.add_membership_button,
            self.review_membership_button,
            self.end_membership_button,
            self.household_table,
            self.timeline_table,
            self.add_visit_button,
            self.add_feedback_button,
            self.add_case_button,
            self.add_handout_button,
            *self.close_buttons.findChildren(QPushButton),
        ]
        for before, after in itertools.pairwise(stops):
            QWidget.setTabOrder(before, after)

        for table in (self.household_table, self.timeline_table):
            table.installEventFilter(self)
        self.household_table.doubleClicked.connect(lambda index: self.activate_member(index.row()))
        self.timeline_table.doubleClicked.connect(lambda index: self.activate_entry(index.row()))
        self.memberships_table.currentCellChanged.connect(self._membership_chosen)

        self._fit_to_screen()
        self._load()
        self.retranslate_ui()  # fills the page
        self.timeline_table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _runner(self, action: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            action()

        return run

    def _fit_to_screen(self) -> None:
        fit_to_screen(self, 1300, 820)
        remember_geometry(self, "resident_window")

    def open(self) -> None:
        """Show the page without blocking other windows (QDialog.open would make it modal)."""
        self.setWindowModality(Qt.WindowModality.NonModal)
        if self.isVisible():
            self.raise_()  # asked for again: bring it to the front
        self.show()
        self.activateWindow()

    # ------------------------------------------------------------ data

    def reload(self) -> None:
        """Read the resident's file again (after a save; the resident may have gone)."""
        self._load()
        self._fill()

    def _load(self) -> None:
        try:
            self.file = self._app.resident_file.load(self.resident_id)
        except NotFound:
            self.file = None

    def _fill(self) -> None:
        formats = self._languages.formats
        language = self._languages.current
        file = self.file
        if file is None:
            self.name_label.setText(_(MSG_NOT_FOUND))
            self.setWindowTitle(_(PAGE_TITLE))
            for value in self.detail_values.values():
                value.setText("")
            self.reveal_button.hide()
            for table in (self.memberships_table, self.household_table, self.timeline_table):
                table.setRowCount(0)
            self.household_note.hide()
            self.timeline_note.hide()
            self._update_buttons()
            return
        d = file.details
        names = names_reader_first(d.name_bo, d.name_zh, language)
        self.name_label.setText(names)
        self.name_label.setAccessibleName(names)
        self.setWindowTitle(_(WINDOW_TITLE, name=names))
        birth = ""
        if d.birth_date is not None:
            shown = formats.date(d.birth_date)
            birth = _(AGED, date=shown, age=formats.number(d.age)) if d.age is not None else shown
        # The village by its name (its 12-digit code says nothing to a reader).
        area = reader_name(d.area.name_bo, d.area.name_zh, language) if d.area else ""
        guardian = ""
        if d.guardian is not None:
            parts = [" ".join(d.guardian.names)]
            parts.append(code_text(HouseholdRelation, d.guardian.relation))
            parts.append(d.guardian.phone or "")
            guardian = SUMMARY_SEPARATOR.join(p for p in parts if p)
        texts = {
            "sex": code_text(Sex, d.sex),
            "ethnicity": code_text(Ethnicity, d.ethnicity),
            "birth_date": birth,
            "id_number": d.id_number_masked or "",
            "phone": d.phone or "",
            "area": area,
            "household": _household_text(d.household) if d.household else "",
            "household_relation": code_text(HouseholdRelation, d.household_relation),
            "address": d.address,
            "guardian": guardian,
            "legal_basis": self._basis_text(d.legal_basis, d.consent_on, formats),
        }
        for key, value in self.detail_values.items():
            value.setText(texts[key])
        self.reveal_button.setVisible(
            bool(d.id_number_masked)
            and allowed(self._app.ctx.actor, Resource.ID_NUMBER, Action.REVEAL)
        )
        # Wide enough for a label and its one-line value side by side (within reason): a
        # date or an ID number is never squeezed; a longer row goes under its label.
        details = self.details_scroll.widget()
        if details is not None:
            form = self._details_form
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
            scroll = self.details_scroll.verticalScrollBar().sizeHint().width()
            wanted = details.sizeHint().width() + scroll + 2
            if wanted > DETAILS_MAX_WIDTH:  # long labels (Tibetan): every value under its own
                form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
                wanted = details.sizeHint().width() + scroll + 2
            self.details_scroll.setMinimumWidth(min(wanted, DETAILS_MAX_WIDTH))

        self.memberships_table.setRowCount(len(file.memberships))
        for row, m in enumerate(file.memberships):
            cells = (
                _cell(code_text(PriorityGroup, m.group)),
                _cell(formats.date(m.start_date)),
                _cell(formats.date(m.end_date) if m.end_date else ""),
                _cell(formats.date(m.review_on) if m.review_on else ""),
            )
            for column, cell in enumerate(cells):
                if not m.current:
                    cell.setForeground(QBrush(ENDED_COLOUR))
                self.memberships_table.setItem(row, column, cell)

        self.household_note.setVisible(d.household is None)
        self.household_note.setText(_(NO_HOUSEHOLD))
        self.household_table.setRowCount(len(file.household_members))
        for row, member in enumerate(file.household_members):
            cells = (
                _cell(member.name_bo),
                _cell(member.name_zh),
                _cell(code_text(HouseholdRelation, member.relation)),
                _cell(formats.date(member.birth_date) if member.birth_date else ""),
            )
            for column, cell in enumerate(cells):
                self.household_table.setItem(row, column, cell)

        self.timeline_note.setVisible(not file.timeline)
        self.timeline_note.setText(_(NO_SERVICES))
        self.timeline_table.setRowCount(len(file.timeline))
        for row, entry in enumerate(file.timeline):
            entry_cells = (
                _cell(formats.date(entry.on)),
                _cell(pgettext("timeline", KIND_LABELS[entry.kind])),
                _cell(summary_text(entry.summary, formats)),
            )
            for column, cell in enumerate(entry_cells):
                self.timeline_table.setItem(row, column, cell)
        self._update_buttons()

    @staticmethod
    def _basis_text(basis: str | None, consent_on: date | None, formats: LocaleFormats) -> str:
        """Why the station holds the record, and for a consent the day it was given."""
        text = code_text(LegalBasis, basis)
        if consent_on is not None and basis in CONSENT_BASES:
            text = SUMMARY_SEPARATOR.join((text, _(MSG_CONSENT_ON, date=formats.date(consent_on))))
        return text

    def _update_buttons(self) -> None:
        alive = self.file is not None
        actor = self._app.ctx.actor
        # Only what the person's role may do (the services refuse the rest all the same).
        creates = {
            self.add_visit_button: Resource.VISIT,
            self.add_feedback_button: Resource.FEEDBACK,
            self.add_case_button: Resource.CASE,
            self.add_handout_button: Resource.RESOURCE,
        }
        changes = alive and allowed(actor, Resource.RESIDENT, Action.UPDATE)
        for action in self._actions:
            resource = creates.get(action.button)
            may = changes if resource is None else allowed(actor, resource, Action.CREATE)
            action.button.setEnabled(alive and may)
        chosen = changes and self.selected_membership() is not None
        self.end_membership_button.setEnabled(chosen)
        self.review_membership_button.setEnabled(chosen)

    def reveal_id_number(self) -> str | None:
        """Show this resident's whole ID card number (the reveal is recorded)."""
        try:
            number = self._app.residents.reveal_id_number(self.resident_id)
        except StationError as error:
            QMessageBox.warning(self, _(PAGE_TITLE), _(error.message, **error.params))
            return None
        self.detail_values["id_number"].setText(number or "")
        self.reveal_button.hide()
        return number

    def _membership_chosen(self, row: int, *_cell: int) -> None:
        # Tabbing into the table makes its first row current without selecting it (and a
        # single row cannot then be selected by keyboard): show what "End" would end.
        if row >= 0 and not self.memberships_table.selectionModel().isRowSelected(row):
            self.memberships_table.selectRow(row)
        self._update_buttons()

    def selected_membership(self) -> uuid.UUID | None:
        """The chosen membership, if it is still current (only those can be ended)."""
        row = self.memberships_table.currentRow()
        if self.file is None or not 0 <= row < len(self.file.memberships):
            return None
        membership = self.file.memberships[row]
        return membership.id if membership.current else None

    def timeline_entry(self, row: int) -> TimelineEntry | None:
        if self.file is None or not 0 <= row < len(self.file.timeline):
            return None
        return self.file.timeline[row]

    # ------------------------------------------------------------ rows asked for

    def activate_member(self, row: int) -> None:
        if self.file is not None and 0 <= row < len(self.file.household_members):
            self.resident_requested.emit(self.file.household_members[row].id)

    def activate_entry(self, row: int) -> None:
        entry = self.timeline_entry(row)
        if entry is not None:
            self.record_requested.emit(entry.kind.value, entry.record_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            if watched is self.household_table:
                self.activate_member(self.household_table.currentRow())
                return True
            if watched is self.timeline_table:
                self.activate_entry(self.timeline_table.currentRow())
                return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ adding records

    def _after_save(self, dialog: RecordDialog) -> RecordDialog:
        dialog.accepted.connect(self._saved)
        dialog.open()
        return dialog

    def _saved(self) -> None:
        self.reload()
        self.records_changed.emit()

    def _for_resident(self, spec: FormSpec, save: SaveFunction) -> RecordDialog:
        return self._after_save(
            dialog_for_resident(
                self._app, self._languages, spec, save, self.resident_id, parent=self
            )
        )

    def add_visit(self) -> RecordDialog | None:
        return self._for_resident(VISIT_FORM, self._app.visits.record) if self.file else None

    def add_feedback(self) -> RecordDialog | None:
        return self._for_resident(FEEDBACK_FORM, self._app.feedback.record) if self.file else None

    def add_case(self) -> RecordDialog | None:
        return self._for_resident(CASE_FORM, self._app.cases.open) if self.file else None

    def add_handout(self) -> RecordDialog | None:
        if self.file is None:
            return None
        return self._for_resident(HANDOUT_FORM, self._app.resources.record_handout)

    def add_membership(self) -> RecordDialog | None:
        if self.file is None:
            return None
        resident_id = self.resident_id

        def save(values: dict[str, Any]) -> uuid.UUID:
            return self._app.residents.add_membership(resident_id, values)

        return self._after_save(
            prefilled_dialog(
                self._app,
                self._languages.formats,
                MEMBERSHIP_FORM,
                save,
                {},
                f"{MEMBERSHIP_FORM.code}:for:{resident_id}",
                parent=self,
            )
        )

    def end_membership(self) -> RecordDialog | None:
        membership_id = self.selected_membership()
        if membership_id is None:
            return None
        today = self._app.ctx.today()

        def save(values: dict[str, Any]) -> uuid.UUID:
            cleaned = clean_form(END_MEMBERSHIP_FORM, values, today=today)
            raise_if_invalid(cleaned)
            self._app.residents.end_membership(membership_id, cleaned.values["end_date"])
            return membership_id

        return self._after_save(
            prefilled_dialog(
                self._app,
                self._languages.formats,
                END_MEMBERSHIP_FORM,
                save,
                {"end_date": today},
                f"{END_MEMBERSHIP_FORM.code}:{membership_id}",
                parent=self,
            )
        )

    def review_membership(self) -> RecordDialog | None:
        """Reviewed and kept: the next review date, a year on unless changed."""
        membership_id = self.selected_membership()
        if membership_id is None:
            return None

        def save(values: dict[str, Any]) -> uuid.UUID:
            self._app.residents.review_membership(membership_id, values)
            return membership_id

        next_year = self._app.ctx.today() + timedelta(days=365)
        return self._after_save(
            prefilled_dialog(
                self._app,
                self._languages.formats,
                REVIEW_MEMBERSHIP_FORM,
                save,
                {"review_on": next_year},
                f"{REVIEW_MEMBERSHIP_FORM.code}:{membership_id}",
                parent=self,
            )
        )

    def edit_details(self) -> RecordDialog | None:
        """The registration form with the resident's current values; saving changes only
        what was changed, and is refused if someone else changed the record meanwhile."""
        # The form shows the whole ID number: a reveal, recorded (and refused to a role
        # that may not change the resident or reveal).
        resident = self._app.residents.for_editing(self.resident_id)
        if resident is None or self.file is None:
            self.reload()
            return None
        resident_id = resident.id
        based_on = list(resident.heads)

        def save(values: dict[str, Any]) -> uuid.UUID:
            self._app.residents.update(resident_id, values, based_on=based_on)
            return resident_id

        return self._after_save(
            prefilled_dialog(
                self._app,
                self._languages.formats,
                RESIDENT_FORM,
                save,
                {key: getattr(resident, key) for key in RESIDENT_FORM.keys},
                f"{RESIDENT_FORM.code}:{resident_id}",
                new=False,
                parent=self,
            )
        )

    # ------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        """Every text in the interface language; codes become labels again, dates are
        written the reader's way, names come in the reader's script first."""
        heading = QFont(self.font())
        heading.setPointSizeF(self.font().pointSizeF() * 1.2)
        heading.setBold(True)
        self.name_label.setFont(heading)
        self.name_label.setMinimumHeight(text_line_height(heading) + 4)
        line = text_line_height(self.font())
        for (key, label_id), label in zip(DETAIL_ROWS, self._detail_labels.values(), strict=True):
            label.setText(_(label_id))
            value = self.detail_values[key]
            value.setAccessibleName(_(label_id))
            # Tall enough for a Tibetan name or address in a Chinese interface, and the
            # label the same, so both read on one line.
            value.setMinimumHeight(line)
            label.setMinimumHeight(line)
        self.details_box.setTitle(_(DETAILS_TITLE))
        self.reveal_button.setText(_(MSG_REVEAL))
        self.reveal_button.setAccessibleName(_(MSG_REVEAL))
        self.memberships_box.setTitle(_(MEMBERSHIPS_TITLE))
        self.household_box.setTitle(_(HOUSEHOLD_TITLE))
        self.timeline_box.setTitle(_(TIMELINE_TITLE))
        for table, headers, title, rows in (
            (self.memberships_table, MEMBERSHIP_HEADERS, MEMBERSHIPS_TITLE, 2),
            (self.household_table, HOUSEHOLD_HEADERS, HOUSEHOLD_TITLE, 1),
            (self.timeline_table, TIMELINE_HEADERS, TIMELINE_TITLE, 2),
        ):
            table.setHorizontalHeaderLabels([_(h) for h in headers])
            table.setAccessibleName(_(title))
            # Tibetan stacks need taller rows than Chinese (the font changes with the language).
            table.verticalHeader().setDefaultSectionSize(line + 4)
            _show_at_least(table, rows)
        self.adding_label.setText(_(ADD_FOR_RESIDENT))
        for action in self._actions:
            full = _(action.label)
            action.button.setText(
                pgettext("timeline", KIND_LABELS[action.kind]) if action.kind else full
            )
            action.button.setAccessibleName(full)
            action.button.setMinimumHeight(line + 8)
            if action.keys is not None:
                keys = QKeySequence(action.keys).toString(QKeySequence.SequenceFormat.NativeText)
                action.button.setToolTip(f"{full} ({keys})")
                action.button.setAccessibleDescription(keys)
            else:
                action.button.setToolTip(full)
        for button in self.close_buttons.findChildren(QPushButton):
            button.setMinimumHeight(line + 8)  # its text (and accessible name) is Qt's
        for note in (self.household_note, self.timeline_note):
            note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._fill()
