"""The signed-in person's menu (their password, locking the window) and, for a station
head, the workers who may sign in on this laptop: adding one with a first password,
giving a new password to one who forgot theirs, removing one (the data is then re-keyed:
their password opens nothing from now on)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.domain.codes import StaffRole
from station_desktop.errors import StationError, ValidationError
from station_desktop.i18n import N_, _
from station_desktop.services.accounts import ADMINISTRATOR_ROLES
from station_desktop.ui.display import code_text
from station_desktop.ui.fonts import fit_tibetan
from station_desktop.ui.forms.fields import paint_as_error
from station_desktop.ui.password_fields import MSG_PASSWORDS_DIFFER
from station_desktop.ui.window_state import fit_to_screen

WORKERS_TITLE = N_("Workers and passwords")
ROLES = (StaffRole.SOCIAL_WORKER, StaffRole.STATION_HEAD, StaffRole.AUDITOR)


def _problem_text(error: StationError) -> str:
    if isinstance(error, ValidationError) and error.errors:
        return _(error.errors[0].message, **error.errors[0].params)
    return _(error.message, **error.params)


def fill_account_menu(
    menu: QMenu, app: Application, parent: QWidget, lock: Callable[[], None]
) -> None:
    menu.addAction(_("Change my password…"), lambda: PasswordDialog(app, parent).exec())
    menu.addAction(_("Lock the window"), lock)
    person = app.accounts.signed_in
    if person is not None and person.role in ADMINISTRATOR_ROLES:
        menu.addSeparator()
        menu.addAction(_(WORKERS_TITLE) + "…", lambda: WorkersDialog(app, parent).exec())


class _Passwords(QWidget):
    """A new password, typed twice."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.password = QLineEdit(self)
        self.again = QLineEdit(self)
        for line in (self.password, self.again):
            line.setEchoMode(QLineEdit.EchoMode.Password)

    def value(self) -> str | None:
        if self.password.text() != self.again.text():
            return None
        return self.password.text()

    def clear(self) -> None:
        self.password.clear()
        self.again.clear()


class PasswordDialog(QDialog):
    """The signed-in person's own password: the old one, then the new one twice. With
    `name`, a station head gives that worker a new password (no old one asked)."""

    def __init__(self, app: Application, parent: QWidget | None = None, *, name: str = "") -> None:
        super().__init__(parent)
        self._app = app
        self._name = name
        self.old = QLineEdit(self)
        self.old.setEchoMode(QLineEdit.EchoMode.Password)
        self.new = _Passwords(self)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        paint_as_error(self.problem)
        self.problem.hide()
        self.form = QFormLayout()
        self.old_label, self.new_label, self.again_label = QLabel(self), QLabel(self), QLabel(self)
        if not name:
            self.form.addRow(self.old_label, self.old)
        else:
            self.old.hide()
            self.old_label.hide()
        self.form.addRow(self.new_label, self.new.password)
        self.form.addRow(self.again_label, self.new.again)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 520, 260)
        self.retranslate_ui()

    def save(self) -> None:
        new = self.new.value()
        if new is None:
            self._show(_(MSG_PASSWORDS_DIFFER))
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if self._name:
                self._app.accounts.reset_password(self._name, new)
            else:
                self._app.accounts.change_password(self.old.text(), new)
        except StationError as error:
            self._show(_problem_text(error))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.accept()

    def _show(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()
        self.new.clear()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(
            _("A new password for {name}", name=self._name)
            if self._name
            else _("Change my password")
        )
        for label, field, text in (
            (self.old_label, self.old, N_("Your password now")),
            (self.new_label, self.new.password, N_("New password")),
            (self.again_label, self.new.again, N_("The same password again")),
        ):
            label.setText(_(text))
            field.setAccessibleName(_(text))
            fit_tibetan(field)


class WorkersDialog(QDialog):
    """Who may sign in here; a station head adds, resets and removes."""

    def __init__(self, app: Application, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.workers = QListWidget(self)
        self.reset_button = QPushButton(self)
        self.reset_button.clicked.connect(self.reset_chosen)
        self.remove_button = QPushButton(self)
        self.remove_button.clicked.connect(self.remove_chosen)
        self.recovery_state = QLabel(self)
        self.recovery_state.setWordWrap(True)
        self.recovery_button = QPushButton(self)
        self.recovery_button.clicked.connect(self.choose_recovery)
        self.chosen_role = QComboBox(self)
        self.role_button = QPushButton(self)
        self.role_button.clicked.connect(self.give_chosen_role)
        self.add_title = QLabel(self)
        self.name = QLineEdit(self)
        self.role = QComboBox(self)
        self.passwords = _Passwords(self)
        self.add_button = QPushButton(self)
        self.add_button.clicked.connect(self.add)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        paint_as_error(self.problem)
        self.problem.hide()
        # What can be done to the chosen worker, in one row: their role (from their next
        # sign-in), a new password, removing them.
        chosen_row = QHBoxLayout()
        chosen_row.addWidget(self.chosen_role)
        chosen_row.addWidget(self.role_button)
        chosen_row.addStretch(1)
        chosen_row.addWidget(self.reset_button)
        chosen_row.addWidget(self.remove_button)
        form = QFormLayout()
        self._labels: list[tuple[QLabel, QWidget, str]] = []
        for field, text in (
            (self.name, N_("Name")),
            (self.role, N_("Role")),
            (self.passwords.password, N_("First password")),
            (self.passwords.again, N_("The same password again")),
        ):
            label = QLabel(self)
            label.setBuddy(field)
            form.addRow(label, field)
            self._labels.append((label, field, text))
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add_row.addWidget(self.add_button)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.workers, 1)
        layout.addLayout(chosen_row)
        layout.addWidget(self.add_title)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addLayout(add_row)
        layout.addWidget(self.recovery_state)
        recovery_row = QHBoxLayout()
        recovery_row.addStretch(1)
        recovery_row.addWidget(self.recovery_button)
        layout.addLayout(recovery_row)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 1000, 690)  # Tibetan's taller lines need the width
        self.retranslate_ui()

    def reload(self) -> None:
        self.workers.clear()
        for worker in self._app.accounts.workers():
            item = QListWidgetItem(f"{worker.name} · {code_text(StaffRole, worker.role)}")
            item.setData(Qt.ItemDataRole.UserRole, worker.name)
            self.workers.addItem(item)

    def chosen(self) -> str | None:
        item = self.workers.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def add(self) -> None:
        password = self.passwords.value()
        if password is None:
            self._show(_(MSG_PASSWORDS_DIFFER))
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self._app.accounts.add_worker(self.name.text(), self.role.currentData(), password)
        except StationError as error:
            self._show(_problem_text(error))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.problem.hide()
        self.name.clear()
        self.passwords.clear()
        self.reload()

    def give_chosen_role(self) -> None:
        """The chosen worker gets the role chosen beside the button: from their next
        sign-in (services.accounts)."""
        name = self.chosen()
        if name is None:
            return
        try:
            self._app.accounts.change_role(name, self.chosen_role.currentData())
        except StationError as error:
            self._show(_problem_text(error))
            return
        self.problem.hide()
        self.reload()

    def reset_chosen(self) -> None:
        name = self.chosen()
        if name is not None:
            PasswordDialog(self._app, self, name=name).exec()

    def remove_chosen(self) -> None:
        name = self.chosen()
        if name is None:
            return
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        question = _(
            "Remove {name}? Their password will open nothing on this laptop any more, nor "
            "any backup made from now on. What they recorded stays.",
            name=name,
        )
        if QMessageBox.question(self, _(WORKERS_TITLE), question, yes | no, no) != yes:
            return
        self.remove(name)

    def remove(self, name: str) -> None:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self._app.accounts.remove_worker(name)
        except StationError as error:
            self._show(_problem_text(error))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.reload()

    def choose_recovery(self) -> None:
        """The bureau's recovery key card from its USB stick (`recovery-key.txt`)."""
        from station_desktop.ui.recovery import choose_card_file  # noqa: PLC0415

        path = choose_card_file(self, _("The bureau's recovery key card"))
        if path is not None:
            self.take_recovery_card(path)

    def take_recovery_card(self, path: Path) -> bool:
        from station_desktop.services.accounts import read_recovery_card  # noqa: PLC0415

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self._app.accounts.set_recovery(read_recovery_card(path))
        except StationError as error:
            self._show(_problem_text(error))
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self.problem.hide()
        self._show_recovery()
        return True

    def _show_recovery(self) -> None:
        try:
            recovery = self._app.accounts.recovery_recipient()
        except StationError:
            recovery = None
        self.recovery_state.setText(
            _(
                "The bureau's recovery key can give a new password to anyone here who "
                "forgets theirs ({key}…).",
                key=recovery[:12],
            )
            if recovery
            else _(
                "No recovery key from the bureau: if every station head forgets their "
                "password, nobody can open this data. Choose the bureau's key card."
            )
        )

    def _show(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_(WORKERS_TITLE))
        self.intro.setText(
            _(
                "Everyone who may sign in on this laptop. A new worker gets a first password "
                "from you and changes it once signed in."
            )
        )
        self.workers.setAccessibleName(_(WORKERS_TITLE))
        self.reset_button.setText(_("New password…"))
        self.role_button.setText(_("Give this role"))
        self.chosen_role.setAccessibleName(_("Role"))
        self.remove_button.setText(_("Remove…"))
        self.add_title.setText(_("Add a worker"))
        self.add_button.setText(_("Add this worker"))
        self.recovery_button.setText(_("Bureau recovery key…"))
        self._show_recovery()
        for label, field, text in self._labels:
            label.setText(_(text))
            field.setAccessibleName(_(text))
            if isinstance(field, QLineEdit):
                fit_tibetan(field)
        for combo in (self.role, self.chosen_role):
            role = combo.currentData()
            combo.clear()
            for member in ROLES:
                combo.addItem(_(member.label), member.value)
            combo.setCurrentIndex(max(0, combo.findData(role)))
        self.reload()
