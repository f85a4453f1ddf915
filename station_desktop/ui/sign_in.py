"""Passwords in the window: the first start of a new laptop (its station, then its first
administrator), the sign-in on every later start, and the lock after idle time or a
suspend, which keeps every window (and what was typed in it) as it was.

The data is encrypted from its first byte: the database is made only once the administrator
has a password (`NewLaptopDialog` chooses the station first and writes it afterwards). A
laptop whose data predates passwords gets the administrator step alone, and its data is
encrypted then, once (services.accounts.protect_store).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from station_desktop.app import Application
from station_desktop.errors import StationError
from station_desktop.i18n import _
from station_desktop.paths import DataPaths
from station_desktop.reference.stations import ReferenceStation
from station_desktop.services import accounts
from station_desktop.services.accounts import SignedIn
from station_desktop.ui.first_start import TITLE, LanguageButtons, StepsDialog
from station_desktop.ui.password_fields import PasswordFields
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.recovery import RecoverDialog, RecoveryCardField
from station_desktop.ui.window_state import fit_to_screen

IDLE_MINUTES = 10
# A tick of the idle clock; a much longer gap between two ticks means the laptop slept.
TICK_MS = 5_000
SLEEP_GAP_S = 30.0

# Makes the data and opens it: (station code or None, name, password, the bureau's
# recovery recipient or None) → the application.
NewStore = Callable[[str | None, str, str, str | None], Application]


def _title(label: QLabel) -> None:
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)


def _intro_administrator() -> str:
    return _(
        "You are this station's first administrator. Choose a password of at least eight "
        "characters: nobody can read the data on this laptop without a password, and you "
        "add the other workers once signed in. If you forget it, another station head of "
        "this laptop can give you a new one, and so can the bureau if its recovery key card "
        "is chosen below."
    )


class NewLaptopDialog(StepsDialog):
    """The first start: the station (skipped when the data already has one), then the
    first administrator and their password. Accepted once the data is made and open
    (`application`)."""

    def __init__(
        self,
        languages: LanguageSwitcher,
        stations: Sequence[ReferenceStation],
        make: NewStore,
        *,
        ask_station: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(languages, stations, parent)
        self._make = make
        self._ask_station = ask_station
        self.application: Application | None = None
        self.administrator = PasswordFields(new=True, parent=self)
        self.administrator.submitted.connect(self.next)
        self.recovery = RecoveryCardField(self.administrator)
        # Below the password fields and their problem line.
        self.administrator.layout().insertWidget(3, self.recovery)  # type: ignore[union-attr]
        if ask_station:
            self.steps.addWidget(self.station_step)
        else:
            self.station_step.hide()
        self.steps.addWidget(self.administrator)
        fit_to_screen(self, 900, 690)  # the recovery card's lines under the password
        self.retranslate_ui()
        (self.station_step.search if ask_station else self.administrator.name).setFocus()

    def next(self) -> None:
        if self.on_station_step():
            if self.station_step.chosen() is None:
                QMessageBox.information(self, _(TITLE), _("Choose this laptop's station first."))
                return
            self.steps.setCurrentWidget(self.administrator)
            self._show_step()
            self.administrator.name.setFocus()
            return
        values = self.administrator.values()
        if values is None:
            return
        station = self.station_step.chosen() if self._ask_station else None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.application = self._make(
                station.code if station else None, *values, self.recovery.recipient
            )
        except StationError as error:
            self.administrator.show_problem(_(error.message, **error.params))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.accept()

    def later_heading(self) -> str:
        return _("2. The first administrator")

    def retranslate_later_steps(self) -> None:
        self.administrator.retranslate_ui(_intro_administrator())
        self.recovery.retranslate_ui()


class SignInDialog(QDialog):
    """Name and password, in the language chosen at its top. Accepted with `signed_in`.
    `name` fixed: unlocking after the idle lock (only that person may)."""

    def __init__(
        self,
        paths: DataPaths,
        languages: LanguageSwitcher | None,
        *,
        name: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._paths = paths
        self._locked_name = name
        self.signed_in: SignedIn | None = None
        self.languages = LanguageButtons(languages, self) if languages is not None else None
        self.heading = QLabel(self)
        _title(self.heading)
        self.fields = PasswordFields(new=False, parent=self)
        self.fields.submitted.connect(self.try_sign_in)
        if name is not None:
            self.fields.name.setText(name)
            self.fields.name.setReadOnly(True)
        self.buttons = QDialogButtonBox(self)
        self.sign_in_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_in_button.setAutoDefault(False)
        self.sign_in_button.clicked.connect(self.try_sign_in)
        self.quit_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.forgot_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.HelpRole)
        self.forgot_button.setAutoDefault(False)
        self.forgot_button.clicked.connect(self.forgot)
        self.buttons.rejected.connect(self.reject)
        self._wait = QTimer(self)
        self._wait.setSingleShot(True)
        self._wait.timeout.connect(lambda: self.sign_in_button.setEnabled(True))
        layout = QVBoxLayout(self)
        if self.languages is not None:
            layout.addWidget(self.languages)
        layout.addWidget(self.heading)
        layout.addWidget(self.fields, 1)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 620, 440)
        self.retranslate_ui()
        (self.fields.password if name is not None else self.fields.name).setFocus()

    def try_sign_in(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        values = self.fields.values()
        if values is None:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.signed_in = accounts.sign_in(self._paths, *values)
        except accounts.LockedOut as error:
            self._refuse(_(error.message, **error.params), error.seconds)
            return
        except StationError as error:
            self._refuse(_(error.message, **error.params), 0)
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.fields.password.clear()
        self.accept()

    def forgot(self) -> None:
        """Who can help, and the bureau's recovery file taken here."""
        dialog = RecoverDialog(self._paths, name=self.fields.name.text().strip(), parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.fields.problem.hide()
            self.fields.password.clear()
            self.fields.password.setFocus()

    def _refuse(self, text: str, seconds: int) -> None:
        self.fields.show_problem(text)
        self.fields.password.clear()
        self.fields.password.setFocus()
        if seconds > 0:
            self.sign_in_button.setEnabled(False)
            self._wait.start(seconds * 1000)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def retranslate_ui(self) -> None:
        locked = self._locked_name is not None
        self.setWindowTitle(_("Locked") if locked else _("Log in"))
        self.heading.setText(
            _("The window is locked. Type your password to go on where you were.")
            if locked
            else _("Station Desktop · sign in")
        )
        self.fields.retranslate_ui("" if locked else _("Sign in with your name and password."))
        self.sign_in_button.setText(_("Unlock") if locked else _("Log in"))
        self.quit_button.setText(_("Quit"))
        self.forgot_button.setText(_("Forgot the password?"))


class SessionLock(QObject):
    """Locks after `idle_minutes` without a key or a click, and after the laptop slept
    (a long gap between two ticks of a timer): every window of the program is hidden
    (as it is, with what was typed) until the signed-in person types their password."""

    locked = Signal()
    unlocked = Signal()

    def __init__(
        self,
        app: Application,
        *,
        idle_minutes: float = IDLE_MINUTES,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self._app = app
        self._idle_s = idle_minutes * 60
        self._clock = clock
        self._wall = wall
        self._last_input = clock()
        self._last_tick = wall()
        self._hidden: list[QWidget] = []
        self.is_locked = False
        self.dialog: SignInDialog | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.tick)
        self._timer.start(TICK_MS)
        qt_app = QGuiApplication.instance()
        if qt_app is not None:
            qt_app.installEventFilter(self)

    def stop(self) -> None:
        self._timer.stop()
        qt_app = QGuiApplication.instance()
        if qt_app is not None:
            qt_app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in (
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
        ):
            self._last_input = self._clock()
        return False

    def tick(self) -> None:
        if self.is_locked:
            return
        now = self._wall()
        slept = now - self._last_tick > SLEEP_GAP_S
        self._last_tick = now
        if slept or self._clock() - self._last_input >= self._idle_s:
            self.lock()

    def lock(self) -> None:
        """Hide every window and ask for the password; show them again as they were."""
        person = self._app.accounts.signed_in
        if self.is_locked or person is None:
            return
        self.is_locked = True
        self._hidden = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        for widget in self._hidden:
            widget.hide()
        self.locked.emit()
        QTimer.singleShot(0, lambda: self._ask(person.name))

    def _ask(self, name: str) -> None:
        self.dialog = SignInDialog(self._app.paths, None, name=name)
        self.dialog.accepted.connect(self.unlock)
        self.dialog.rejected.connect(QApplication.quit)
        self.dialog.open()

    def unlock(self) -> None:
        for widget in self._hidden:
            widget.show()
        self._hidden = []
        self.is_locked = False
        self._last_input = self._clock()
        self._last_tick = self._wall()
        self.unlocked.emit()
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()


def signed_in_from_environment(paths: DataPaths) -> SignedIn:
    """Measuring start-up or checking an installation with nobody at the screen: the
    name and password the command line would use (STATION_DESKTOP_USER and the file
    named by STATION_DESKTOP_PASSWORD_FILE)."""
    from station_desktop.cli_accounts import (  # noqa: PLC0415
        PASSWORD_FILE_ENV,
        USER_ENV,
        read_password,
    )

    password = read_password("", environ=os.environ, ask=lambda _prompt: "")
    name = os.environ.get(USER_ENV) or ""
    if not name or not os.environ.get(PASSWORD_FILE_ENV):
        raise accounts.WrongPassword()
    return accounts.sign_in(paths, name, password)


def sign_in_or_set_up(
    paths: DataPaths, languages: LanguageSwitcher
) -> tuple[SignedIn | None, Application | None] | None:
    """Before the main window: the sign-in (encrypted data), or the first start making the
    data with its administrator (a new laptop, or data from before passwords). Returns
    (who signed in, the application when already opened), or None if the person gave up."""
    from station_desktop.app import open_application  # noqa: PLC0415
    from station_desktop.reference.stations import bundled_stations  # noqa: PLC0415
    from station_desktop.ui.launch import EXIT_AFTER_START  # noqa: PLC0415

    measuring = os.environ.get(EXIT_AFTER_START) == "1"
    if accounts.is_protected(paths):
        if measuring:
            try:
                return signed_in_from_environment(paths), None
            except StationError as error:  # nobody at the screen: one line, status 1
                print(f"station-desktop: {_(error.message, **error.params)}", file=sys.stderr)
                return None
        dialog = SignInDialog(paths, languages)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.signed_in, None
    if measuring:
        return None, None  # an old folder measured as it is: opened without a password
    made: list[SignedIn] = []

    def make(code: str | None, name: str, password: str, recovery: str | None) -> Application:
        person = accounts.protect_store(paths, name, password, recovery=recovery)
        made.append(person)
        application = open_application(paths, key=person.data_key)
        try:
            if code:
                application.stations.use_station(code)
            if application.stations.current_station() is not None:
                application.accounts.begin(person)
        except BaseException:
            application.close()
            raise
        return application

    first_start = NewLaptopDialog(
        languages,
        bundled_stations().stations,
        make,
        ask_station=not accounts.has_plain_data(paths),
    )
    if first_start.exec() != QDialog.DialogCode.Accepted or first_start.application is None:
        return None
    return made[-1], first_start.application
