"""The bureau's recovery key in the window: its key card chosen at the first start or later
from the workers' window (the public half, `recovery-key.txt` on the bureau's USB stick),
and "Forgot the password?" on the sign-in screen, which says who can help and takes the
bureau's recovery identity file (the secret half, kept offline by the bureau) to give a
worker a new password."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from station_desktop.errors import StationError
from station_desktop.i18n import N_, _
from station_desktop.paths import DataPaths
from station_desktop.services import accounts
from station_desktop.ui.forms.fields import paint_as_error
from station_desktop.ui.password_fields import PasswordFields
from station_desktop.ui.window_state import fit_to_screen

RECOVER_TITLE = N_("Forgot the password?")
CARD_FILTER = N_("Key cards (*.txt *.age *.pub)")
ALL_FILES = N_("All files (*)")
MSG_CHOOSE_IDENTITY = N_("Choose the bureau's recovery file first.")


def choose_card_file(parent: QWidget, title: str) -> Path | None:
    chosen, _filter = QFileDialog.getOpenFileName(
        parent, title, "", f"{_(CARD_FILTER)};;{_(ALL_FILES)}"
    )
    return Path(chosen) if chosen else None


class RecoveryCardField(QWidget):
    """The first start's optional field: the bureau's recovery key card, and what is lost
    without it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.recipient: str | None = None
        self.title = QLabel(self)
        self.chosen = QLabel(self)
        self.chosen.setWordWrap(True)
        self.choose_button = QPushButton(self)
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        paint_as_error(self.problem)
        self.problem.hide()
        row = QHBoxLayout()
        row.addWidget(self.title, 1)
        row.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.chosen)
        layout.addWidget(self.problem)

    def choose(self) -> None:
        path = choose_card_file(self, _("The bureau's recovery key card"))
        if path is not None:
            self.take(path)

    def take(self, path: Path) -> bool:
        try:
            self.recipient = accounts.read_recovery_card(path)
        except StationError as error:
            self.problem.setText(_(error.message, **error.params))
            self.problem.show()
            return False
        self.problem.hide()
        self.retranslate_ui()
        return True

    def retranslate_ui(self) -> None:
        self.title.setText(_("The bureau's recovery key card (optional)"))
        self.choose_button.setText(_("Choose the card…"))
        if self.recipient:
            self.chosen.setText(
                _(
                    "Chosen: the bureau can give a new password to anyone here who forgets "
                    "theirs ({key}…).",
                    key=self.recipient[:12],
                )
            )
        else:
            self.chosen.setText(
                _(
                    "Not chosen: only a station head of this laptop can then give a new "
                    "password, and if every station head forgets theirs the data cannot be "
                    "opened by anyone. A station head can add the card later (Workers and "
                    "passwords)."
                )
            )


class RecoverDialog(QDialog):
    """What to do about a forgotten password; with the bureau's recovery file, a new
    password for the person named."""

    def __init__(self, paths: DataPaths, *, name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self._identity = ""
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.bureau_title = QLabel(self)
        self.bureau_title.setWordWrap(True)
        font = self.bureau_title.font()
        font.setBold(True)
        self.bureau_title.setFont(font)
        self.identity_button = QPushButton(self)
        self.identity_button.setAutoDefault(False)
        self.identity_button.clicked.connect(self.choose_identity)
        self.identity_chosen = QLabel(self)
        self.identity_chosen.setWordWrap(True)
        self.fields = PasswordFields(
            new=True,
            name_label=N_("Whose password"),
            password_label=N_("New password"),
            parent=self,
        )
        self.fields.intro.hide()  # the dialog's own intro says it
        self.fields.name.setText(name)
        self.name, self.password = self.fields.name, self.fields.password
        self.again, self.problem = self.fields.again, self.fields.problem
        identity_row = QHBoxLayout()
        identity_row.addWidget(self.identity_chosen, 1)
        identity_row.addWidget(self.identity_button)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close, self
        )
        self.buttons.accepted.connect(self.recover)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.bureau_title)
        layout.addLayout(identity_row)
        layout.addWidget(self.fields, 1)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 640, 520)
        self.retranslate_ui()

    def choose_identity(self) -> None:
        path = choose_card_file(self, _("The bureau's recovery file"))
        if path is not None:
            self.take_identity(path)

    def take_identity(self, path: Path) -> None:
        try:
            self._identity = accounts.read_recovery_identity(path)
        except StationError as error:
            self._show(_(error.message, **error.params))
            return
        self.problem.hide()
        self.retranslate_ui()

    def recover(self) -> None:
        if not self._identity:
            self._show(_(MSG_CHOOSE_IDENTITY))
            return
        values = self.fields.values()
        if values is None:
            return
        name, password = values
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            accounts.recover_password(self._paths, self._identity, name, password)
        except StationError as error:
            self._show(_(error.message, **error.params))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self._identity = ""  # the bureau's secret is not kept a moment longer than needed
        self.accept()

    def _show(self, text: str) -> None:
        self.fields.show_problem(text)
        self.password.clear()
        self.again.clear()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_(RECOVER_TITLE))
        self.intro.setText(
            _(
                "Nobody can read your password back, but it can be replaced. Ask a station "
                "head of this laptop: they sign in and give you a new one (Workers and "
                "passwords, New password…). If no station head can sign in, ask the bureau: "
                "with its recovery file (kept by the bureau, never on this laptop) a new "
                "password is given here."
            )
        )
        self.bureau_title.setText(_("With the bureau's recovery file"))
        self.identity_button.setText(_("Choose the file…"))
        self.identity_chosen.setText(
            _("The recovery file is chosen.") if self._identity else _("No file chosen yet.")
        )
        self.fields.retranslate_ui("")
