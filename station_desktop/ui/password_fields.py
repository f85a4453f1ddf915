"""A name and a password (twice when it is a new one), with the problem shown under them:
signing in, the first station head's account, and a password given with the bureau's
recovery file."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from station_desktop.i18n import N_, _
from station_desktop.ui.fonts import fit_tibetan
from station_desktop.ui.forms.fields import paint_as_error

MSG_PASSWORDS_DIFFER = N_("The two passwords differ.")
MSG_GIVE_NAME = N_("Give your name.")


class PasswordFields(QWidget):
    """Name and password (twice, for a new one), with the problem shown under them."""

    submitted = Signal()

    def __init__(
        self,
        *,
        new: bool,
        name_label: str = N_("Your name"),
        password_label: str = N_("Password"),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.new = new
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.name = QLineEdit(self)
        self.password = QLineEdit(self)
        self.again = QLineEdit(self)
        for line in (self.password, self.again):
            line.setEchoMode(QLineEdit.EchoMode.Password)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        paint_as_error(self.problem)
        self.problem.hide()
        form = QFormLayout()
        self._labels: list[tuple[QLabel, QLineEdit, str]] = []
        rows = [(self.name, name_label), (self.password, password_label)]
        if new:
            rows.append((self.again, N_("The same password again")))
        else:
            self.again.hide()
        for field, text in rows:
            label = QLabel(self)
            label.setBuddy(field)
            form.addRow(label, field)
            self._labels.append((label, field, text))
            field.returnPressed.connect(self.submitted.emit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # aligned with the dialog's other rows
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)

    def values(self) -> tuple[str, str] | None:
        """(name, password), or None after saying what is wrong."""
        name, password = self.name.text().strip(), self.password.text()
        if not name:
            self.show_problem(_(MSG_GIVE_NAME))
            self.name.setFocus()
            return None
        if self.new and password != self.again.text():
            self.show_problem(_(MSG_PASSWORDS_DIFFER))
            self.again.clear()
            self.again.setFocus()
            return None
        return name, password

    def show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.show()

    def retranslate_ui(self, intro: str) -> None:
        self.intro.setText(intro)
        for label, field, text in self._labels:
            label.setText(_(text))
            field.setAccessibleName(_(text))
            fit_tibetan(field)
