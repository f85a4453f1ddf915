"""The sign-in list of an activity: search a resident, Enter signs them in; a name signed in
by mistake is taken off after a question. The head count of people without a name stays on
the activity's own form, which "Edit details…" opens (to correct or withdraw the activity)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.errors import StationError
from station_desktop.forms.spec import FieldKind, FieldSpec
from station_desktop.i18n import N_, _
from station_desktop.services.activities import ActivityView, Attendee
from station_desktop.ui.fonts import room_for_tibetan
from station_desktop.ui.forms.editor import RecordDialog, application_choices
from station_desktop.ui.forms.fields import ReferenceField
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.record_editing import WITHDRAWN, open_record_editor
from station_desktop.ui.table_models import filling, size_rows
from station_desktop.ui.window_state import fit_to_screen, remember_geometry

SIGN_IN = FieldSpec("resident_id", FieldKind.RESIDENT, N_("Sign in a participant"))
HEADERS = (N_("No."), N_("Tibetan name"), N_("Chinese name"), N_("Date of birth"))


class AttendanceDialog(QDialog):
    """`activity_changed` after the activity's details were corrected (the sign-in list
    stays open) or it was withdrawn (the list then closes: there is nothing to sign in to)."""

    activity_changed = Signal()

    def __init__(
        self,
        app: Application,
        languages: LanguageSwitcher,
        activity_id: uuid.UUID,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._languages = languages
        self.activity_id = activity_id
        self._activity = self._load_activity()
        self._attendees: list[Attendee] = []
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.picker = ReferenceField(SIGN_IN, application_choices(app, languages.formats).residents)
        self.picker_label = QLabel()
        self.picker_label.setBuddy(self.picker.search)
        self.add_button = QPushButton()
        self.add_button.clicked.connect(self.sign_in)
        self.picker.search.installEventFilter(self)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.remove_button = QPushButton()
        self.remove_button.clicked.connect(self.remove_selected)
        self.count = QLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        self.edit_button = QPushButton()
        self.edit_button.setAutoDefault(False)  # Enter in the search box signs in
        self.buttons.addButton(self.edit_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.edit_button.clicked.connect(self.edit_details)
        self.print_button = QPushButton()  # a list to tick on paper, read back from its scan
        self.print_button.setAutoDefault(False)
        self.buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(lambda: self.print_list())  # noqa: PLW0108
        picker_row = QHBoxLayout()
        picker_row.addWidget(self.picker, 1)
        picker_row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.picker_label)
        layout.addLayout(picker_row)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.remove_button)
        layout.addLayout(bottom)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 760, 600)
        remember_geometry(self, "sign_in_list")
        self.refresh()
        self.retranslate_ui()
        self.picker.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def _load_activity(self) -> ActivityView:
        return self._app.activities.get(self.activity_id)

    # ------------------------------------------------------------ signing in and out

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # Enter in the search box signs the chosen person in: one key per name.
        if (
            watched is self.picker.search
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.picker.flush_search()
            self.sign_in()
            return True
        return super().eventFilter(watched, event)

    def sign_in(self) -> bool:
        chosen = self.picker.value()
        if not chosen:
            return False
        try:
            self._app.activities.add_attendees(self.activity_id, [uuid.UUID(str(chosen))])
        except StationError as error:
            QMessageBox.warning(self, self.windowTitle(), _(error.message, **error.params))
            return False
        self.picker.set_value(None)
        self.picker.search.clear()
        self.refresh()
        self.picker.search.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def remove_selected(self) -> bool:
        row = self.table.currentRow()
        if not 0 <= row < len(self._attendees):
            return False
        person = self._attendees[row]
        answer = QMessageBox.question(
            self,
            self.windowTitle(),
            _(
                "Take {name} off this activity's sign-in list?",
                name=" ".join(n for n in (person.name_bo, person.name_zh) if n),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        self._app.activities.remove_attendee(self.activity_id, person.resident_id)
        self.refresh()
        return True

    def edit_details(self) -> RecordDialog | None:
        """The activity's own form (title, date, head count…), to correct or withdraw it."""
        editor = open_record_editor(self._app, self._languages, "activity", self.activity_id, self)
        if editor is None:  # withdrawn meanwhile
            self.activity_changed.emit()
            self.reject()
            return None
        editor.finished.connect(self._details_finished)
        return editor

    def print_list(self) -> QDialog:
        """Print sign-in list…: the names of a village (a priority group) to tick on paper."""
        from station_desktop.ui.sign_in_print import SignInPrintDialog  # noqa: PLC0415

        dialog = SignInPrintDialog(
            self._app, self._languages, self.activity_id, self._activity.area_id, self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _details_finished(self, result: int) -> None:
        if result == WITHDRAWN:
            self.activity_changed.emit()
            self.reject()
        elif result == QDialog.DialogCode.Accepted:
            self._activity = self._load_activity()
            self.activity_changed.emit()
            self.retranslate_ui()  # the heading and the head count may have changed

    def refresh(self) -> None:
        self._attendees = self._app.activities.attendees(self.activity_id)
        self._fill()

    def _fill(self) -> None:
        formats = self._languages.formats
        with filling(self.table):
            self.table.setRowCount(len(self._attendees))
            for row, person in enumerate(self._attendees):
                birth = formats.date(person.birth_date) if person.birth_date else ""
                for column, text in enumerate(
                    (formats.number(row + 1), person.name_bo, person.name_zh, birth)
                ):
                    self.table.setItem(row, column, QTableWidgetItem(text))
            size_rows(self.table)
        self.count.setText(
            _(
                "{named} signed in by name, {others} more by head count.",
                named=formats.number(len(self._attendees)),
                others=formats.number(self._activity.headcount_other or 0),
            )
        )

    # ------------------------------------------------------------ language

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        activity = self._activity
        self.setWindowTitle(_("Sign-in list"))
        self.heading.setText(f"{activity.title} · {self._languages.formats.date(activity.held_on)}")
        self.picker_label.setText(_(SIGN_IN.label))
        self.picker.retranslate_ui()
        self.add_button.setText(_("Sign in"))
        self.remove_button.setText(_("Take off the list…"))
        self.edit_button.setText(_("Edit details…"))
        self.print_button.setText(_("Print sign-in list…"))
        self.table.setHorizontalHeaderLabels([_(h) for h in HEADERS])
        self.table.setAccessibleName(_("Sign-in list"))
        room_for_tibetan(self.add_button, self.remove_button, self.edit_button, self.print_button)
        self._fill()
