"""The Settings page: how often each priority group is visited and when a case counts as
quiet (the station head's choices, used by Follow-ups and visit packs), the interface
language, and where the data and its backups are, with a backup on demand."""

from __future__ import annotations

import threading

from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.domain.codes import PriorityGroup
from station_desktop.errors import StationError, ValidationError
from station_desktop.i18n import N_, _, language_label
from station_desktop.services.access import Action, Resource, allowed
from station_desktop.services.backups import BackupService
from station_desktop.services.followups import (
    DEFAULT_RHYTHM_DAYS,
    MAX_QUIET,
    MAX_RHYTHM,
    MIN_QUIET,
    MIN_RHYTHM,
    QUIET_CASE_DAYS,
    QUIET_FIELD,
    FollowUpService,
)
from station_desktop.ui.fonts import room_for_tibetan
from station_desktop.ui.forms.fields import paint_as_error
from station_desktop.ui.qt_i18n import LanguageSwitcher

PAGE_TITLE = N_("Settings")
MSG_NO_BACKUP = N_("No backup yet.")
MSG_SERVER_DATA = N_("The data is in the database {database}")
MSG_SERVER_BACKUPS = N_(
    "That database is backed up on its server by the people who look after it (pg_dump), "
    "not on this laptop."
)
MSG_NEWEST_BACKUP = N_("Newest backup: {time} ({count} kept in {folder})")


class BackupJob(QObject):
    """A backup in a worker thread (tens of seconds for a bureau's data); the result comes
    back queued, in the GUI thread: None when it worked, else a StationError."""

    finished = Signal(object)

    def __init__(self, backups: BackupService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._backups = backups
        self._thread = threading.Thread(target=self._run, name="backup-now", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            self._backups.back_up("manual")
        except StationError as error:  # the disk is full, or the copy failed its check
            self.finished.emit(error)
            return
        self.finished.emit(None)


class SettingsPage(QWidget):
    backup_finished = Signal(object)  # None, or the StationError that stopped it

    def __init__(self, app: Application, languages: LanguageSwitcher) -> None:
        super().__init__()
        self._app = app
        self._languages = languages
        self._followups = FollowUpService(app.ctx)
        self.backup_job: BackupJob | None = None
        self._backup_problem: StationError | None = None

        # Follow-ups: one spin box per priority group, and the quiet-case limit.
        self.followups_box = QGroupBox()
        rows = QFormLayout(self.followups_box)
        rows.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        # A label too long to sit beside its box goes above it (Tibetan labels run long;
        # word-wrapped labels in a form layout get too little height and overlap).
        rows.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.rhythm: dict[str, QSpinBox] = {}
        self._row_labels: dict[str, QLabel] = {}
        self._errors: dict[str, QLabel] = {}
        for group in PriorityGroup:
            self.rhythm[group.value] = self._spin_row(rows, group.value, MIN_RHYTHM, MAX_RHYTHM)
        self.quiet_days = self._spin_row(rows, QUIET_FIELD, MIN_QUIET, MAX_QUIET)
        self.save_button = QPushButton()
        self.defaults_button = QPushButton()
        self.saved_label = QLabel()
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.defaults_button)
        buttons.addWidget(self.saved_label, 1)
        rows.addRow(buttons)
        self.save_button.clicked.connect(self.save)
        self.defaults_button.clicked.connect(self.restore_defaults)
        self.offer_what_the_role_may()
        QShortcut(
            QKeySequence(QKeySequence.StandardKey.Save),
            self,
            self.save,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )

        # Language.
        self.language_box = QGroupBox()
        language_rows = QFormLayout(self.language_box)
        self.language_label = QLabel()
        self.language_choice = QComboBox()
        for language in languages.available:
            self.language_choice.addItem(language_label(language), language)
        self.language_label.setBuddy(self.language_choice)
        self.digits = QCheckBox()
        language_rows.addRow(self.language_label, self.language_choice)
        language_rows.addRow(self.digits)
        self.language_choice.activated.connect(self._choose_language)
        self.digits.toggled.connect(self._choose_digits)

        # Data and backups.
        self.data_box = QGroupBox()
        data_rows = QVBoxLayout(self.data_box)
        self.data_folder = QLabel()
        self.backup_state = QLabel()
        for label in (self.data_folder, self.backup_state):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_problem = QLabel()
        self.backup_problem.setWordWrap(True)
        paint_as_error(self.backup_problem)
        self.backup_problem.hide()
        self.backup_button = QPushButton()
        self.open_folder_button = QPushButton()
        data_buttons = QHBoxLayout()
        data_buttons.addWidget(self.backup_button)
        data_buttons.addWidget(self.open_folder_button)
        data_buttons.addStretch(1)
        for widget in (self.data_folder, self.backup_state, self.backup_problem):
            data_rows.addWidget(widget)
        data_rows.addLayout(data_buttons)
        self.backup_button.clicked.connect(self.back_up_now)
        self.open_folder_button.clicked.connect(self._open_data_folder)

        content = QWidget()
        column = QVBoxLayout(content)
        for box in (self.followups_box, self.language_box, self.data_box):
            column.addWidget(box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab walks the settings themselves
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.load()
        self.retranslate_ui()

    def _spin_row(self, rows: QFormLayout, key: str, low: int, high: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.valueChanged.connect(self._edited)
        label = QLabel()
        label.setBuddy(spin)
        error = QLabel()
        paint_as_error(error)
        error.hide()
        field = QVBoxLayout()
        field.addWidget(spin)
        field.addWidget(error)
        rows.addRow(label, field)
        self._row_labels[key], self._errors[key] = label, error
        return spin

    # ------------------------------------------------------------ follow-up settings

    def load(self) -> None:
        """Show the stored settings (nothing unsaved afterwards)."""
        rhythm = self._followups.rhythm()
        for code, spin in self.rhythm.items():
            spin.blockSignals(True)
            spin.setValue(rhythm.get(code, MAX_RHYTHM))
            spin.blockSignals(False)
        self.quiet_days.blockSignals(True)
        self.quiet_days.setValue(self._followups.quiet_case_days())
        self.quiet_days.blockSignals(False)
        self._saved = self._chosen()
        self._edited()

    def _chosen(self) -> tuple[dict[str, int], int]:
        return {code: spin.value() for code, spin in self.rhythm.items()}, self.quiet_days.value()

    def has_unsaved_changes(self) -> bool:
        return self._chosen() != self._saved

    def _edited(self) -> None:
        self.save_button.setEnabled(self.has_unsaved_changes())
        if self.has_unsaved_changes():
            self.saved_label.clear()

    def restore_defaults(self) -> None:
        """The shipped rhythm and limit in the boxes; saved only with Save."""
        for code, spin in self.rhythm.items():
            spin.setValue(DEFAULT_RHYTHM_DAYS.get(code, spin.value()))
        self.quiet_days.setValue(QUIET_CASE_DAYS)

    def save(self) -> bool:
        rhythm, quiet = self._chosen()
        try:
            self._followups.save_settings(rhythm, quiet)
        except ValidationError as error:
            self._show_errors(error)
            return False
        self._show_errors(None)
        self._saved = (rhythm, quiet)
        self._edited()
        self.saved_label.setText(_("Saved."))
        return True

    def _show_errors(self, error: ValidationError | None) -> None:
        for key, label in self._errors.items():
            found = error.for_field(key) if error is not None else []
            label.setText(" ".join(_(e.message, **e.params) for e in found))
            label.setVisible(bool(found))

    # ------------------------------------------------------------ language

    def _choose_language(self, index: int) -> None:
        language = self.language_choice.itemData(index)
        if language and language != self._languages.current:
            self._languages.switch(str(language))

    def _choose_digits(self, enabled: bool) -> None:
        if enabled != self._languages.tibetan_digits():
            self._languages.set_tibetan_digits(enabled)

    # ------------------------------------------------------------ data and backups

    def back_up_now(self) -> BackupJob | None:
        if self.backup_job is not None:
            return None  # one at a time
        self.backup_button.setEnabled(False)
        self.backup_state.setText(_("Backing up…"))
        self.backup_job = BackupJob(self._app.backups, self)
        self.backup_job.finished.connect(self._backup_finished)
        self.backup_job.start()
        return self.backup_job

    def _backup_finished(self, problem: object) -> None:
        self.backup_job = None
        self.backup_button.setEnabled(True)
        self.backup_finished.emit(problem)
        self.show_backup_problem(problem if isinstance(problem, StationError) else None)
        self._show_backup_state()

    def show_backup_problem(self, problem: StationError | None) -> None:
        """A failed backup (also the automatic daily one) stays in sight until one works."""
        self._backup_problem = problem
        if problem is not None:
            self.backup_problem.setText(_(problem.message, **problem.params))
        self.backup_problem.setVisible(problem is not None)

    def _show_backup_state(self) -> None:
        if self._app.store.database_file is None:  # on the bureau's server
            self.backup_state.setText(_(MSG_SERVER_BACKUPS))
            return
        backups = self._app.backups.backups()
        if not backups:
            self.backup_state.setText(_(MSG_NO_BACKUP))
            return
        newest = backups[0].taken_at.astimezone()
        when = f"{self._languages.formats.date(newest.date())} {newest:%H:%M}"
        self.backup_state.setText(
            _(
                MSG_NEWEST_BACKUP,
                time=when,
                count=len(backups),
                folder=str(self._app.paths.backups),
            )
        )

    def _open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._app.paths.root)))

    # ------------------------------------------------------------ language change

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def offer_what_the_role_may(self) -> None:
        """The visiting rhythm is changed by a role that may (services.access)."""
        may = allowed(self._app.ctx.actor, Resource.SETTINGS, Action.UPDATE)
        for button in (self.save_button, self.defaults_button):
            button.setVisible(may)

    def retranslate_ui(self) -> None:
        self.followups_box.setTitle(_("Follow-ups"))
        days = _("days")
        for group in PriorityGroup:
            label = _("{group}: visit at least every", group=_(group.label))
            self._row_labels[group.value].setText(label)
            self.rhythm[group.value].setAccessibleName(label)
            self.rhythm[group.value].setSuffix(f" {days}")
        quiet = _("A case without a progress note is listed after")
        self._row_labels[QUIET_FIELD].setText(quiet)
        self.quiet_days.setAccessibleName(quiet)
        self.quiet_days.setSuffix(f" {days}")
        self.save_button.setText(_("Save the settings"))
        self.defaults_button.setText(_("Restore the usual values"))
        if self.saved_label.text():
            self.saved_label.setText(_("Saved."))
        self.language_box.setTitle(_("Language"))
        self.language_label.setText(_("Interface language"))
        self.language_choice.setAccessibleName(_("Interface language"))
        self.language_choice.setCurrentIndex(
            max(0, self.language_choice.findData(self._languages.current))
        )
        self.digits.blockSignals(True)
        self.digits.setChecked(self._languages.tibetan_digits())
        self.digits.blockSignals(False)
        self.digits.setText(_("Tibetan digits in dates and numbers"))
        self.data_box.setTitle(_("Data and backups"))
        if self._app.store.database_file is None:
            self.data_folder.setText(_(MSG_SERVER_DATA, database=self._app.store.where))
            self.backup_button.hide()
        else:
            self.data_folder.setText(
                _("The data is kept in {folder}", folder=str(self._app.paths.root))
            )
        self._show_backup_state()
        self.show_backup_problem(self._backup_problem)
        self.backup_button.setText(_("Back up now"))
        self.open_folder_button.setText(_("Open the data folder"))
        buttons = (
            self.save_button,
            self.defaults_button,
            self.backup_button,
            self.open_folder_button,
        )
        room_for_tibetan(*buttons)
        for button in buttons:
            button.setAccessibleName(button.text())
        if self.backup_job is not None:
            self.backup_state.setText(_("Backing up…"))
