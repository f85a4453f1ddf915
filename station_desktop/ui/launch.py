"""Start the desktop application (the only entry into Qt)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# The Qt-free modules come first: once imported, PySide6 reads the source of every module
# imported after it (its __feature__ import hook), which for SQLAlchemy's hundred modules
# costs a fifth of a second of start-up.
from station_desktop import __version__
from station_desktop.app import Application, open_application
from station_desktop.errors import DatabaseDamaged, DatabaseMissing, StationError
from station_desktop.i18n import N_, Catalogues, _
from station_desktop.logs import configure_logging, stop_logging
from station_desktop.paths import DataPaths, resolve_data_dir, resolve_database_url
from station_desktop.services.accounts import SignedIn, slot_actor
from station_desktop.services.backups import BackupService
from station_desktop.services.paper import sweep_print_folders

# isort: split
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from station_desktop.ui.crash import install_crash_handler
from station_desktop.ui.first_start import ready_to_work
from station_desktop.ui.fonts import load_fonts
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.restore_dialog import RestoreDialog
from station_desktop.ui.wheel_guard import guard_the_wheel

MSG_RESTORE_NOW = N_("Restore a backup now? The window closes while it is restored.")
# Set to 1, the program quits once its window is usable, that is once the database check
# has passed (status 0; 1 if it failed): how an installed build is checked without anyone
# at the screen, and how start-up is measured (bench/gui.py).
EXIT_AFTER_START = "STATION_DESKTOP_EXIT_AFTER_START"


def start_interface(qt_app: QApplication, catalogues: Catalogues) -> LanguageSwitcher:
    """Fonts and language, before any window exists."""
    load_fonts()
    guard_the_wheel(qt_app)
    languages = LanguageSwitcher(catalogues)
    languages.start()
    return languages


def build_main_window(application: Application, languages: LanguageSwitcher) -> MainWindow:
    return MainWindow(application, languages)


class IntegrityCheck(QObject):
    """`PRAGMA quick_check` in a worker thread (about 1 s per GB): the window is usable for
    reading at once, and creating records is enabled only when the check has passed. Then,
    in the same thread, the day's backup if there is none yet."""

    finished = Signal(object)  # None when the database is sound, else DatabaseDamaged
    backup_failed = Signal(object)  # the StationError that stopped the day's backup
    # The DatabaseDamaged a person chose to restore from: the window closes for it.
    restore_wanted = Signal(object)

    def __init__(
        self, window: MainWindow, backups: BackupService, *, then_quit: bool = False
    ) -> None:
        super().__init__(window)
        self._window = window
        self._backups = backups
        self._then_quit = then_quit
        self.finished.connect(self._done)  # queued: delivered in the GUI thread
        if then_quit:  # after _done (it also ends the message box _done may open)
            self.finished.connect(self._quit)
        self.backup_failed.connect(window.show_backup_problem)
        window.set_writable(False)
        self._thread = threading.Thread(target=self._run, name="quick-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        problem = self._backups.check()
        self.finished.emit(problem)
        # Quitting at once, the day's backup would only be cut off.
        if problem is None and not self._then_quit:
            self._daily_backup()

    def _daily_backup(self) -> None:
        """One backup a day, taken while the user works (the backup API copies a consistent
        snapshot; WAL lets writes go on meanwhile), then the old ones rotated."""
        try:
            self._backups.back_up_daily(datetime.now(UTC).date())
        except StationError as error:
            logging.getLogger(__name__).exception("daily backup failed")
            self.backup_failed.emit(error)

    def _quit(self, problem: object) -> None:
        QApplication.exit(0 if problem is None else 1)

    def _done(self, problem: object) -> None:
        if problem is None:
            self._window.set_writable(True)
            return
        # Stay read-only; say what to do. Nothing has been written since the start.
        assert isinstance(problem, DatabaseDamaged)
        text = _(problem.message, **problem.params)
        if not problem.backups or self._then_quit:
            QMessageBox.critical(self._window, _("Station Desktop"), text)
            return
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        answer = QMessageBox.critical(
            self._window, _("Station Desktop"), f"{text}\n\n{_(MSG_RESTORE_NOW)}", yes | no, no
        )
        if answer == yes:
            self.restore_wanted.emit(problem)

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)


def _start_logging(paths: DataPaths) -> Path:
    """The log in the data folder; in the temporary folder when the data folder cannot
    hold it (the reason is then explained when the data is opened)."""
    try:
        return configure_logging(paths.logs)
    except OSError:
        return configure_logging(Path(tempfile.gettempdir()) / "station-desktop-logs")


MSG_EARLIER_KEY = N_(
    "This backup was made before a worker was removed, under an earlier key. Type the "
    "password that was yours then:"
)


def _backups(paths: DataPaths, person: SignedIn | None) -> BackupService:
    """Backups of the folder; a signed-in person's open with their key, and one made under
    an earlier key opens with the password that was theirs then (asked)."""
    if person is None:
        return BackupService(paths)

    def open_copy(slots_file: Path) -> bytes | None:
        from PySide6.QtWidgets import QInputDialog, QLineEdit  # noqa: PLC0415

        from station_desktop.services.accounts import open_copy_key  # noqa: PLC0415

        password, given = QInputDialog.getText(
            None, _("Station Desktop"), _(MSG_EARLIER_KEY), QLineEdit.EchoMode.Password
        )
        return open_copy_key(slots_file, person.name, password) if given else None

    # The data may not open: the key slot's role (kept in step with the staff row's by
    # services.accounts) says whether this person may restore.
    who = slot_actor(person)
    return BackupService(paths, key=person.data_key, open_copy_key=open_copy, actor=lambda: who)


def open_or_offer_restore(
    paths: DataPaths, database_url: str | None = None, person: SignedIn | None = None
) -> Application | None:
    """Open the data; when it is missing or damaged, offer the copies that can bring it
    back instead of starting empty. None when the person gives up (or nothing can help).
    `database_url`: the bureau's server instead of the data folder's file. `person`: who
    signed in (their key opens encrypted data; they work from now on)."""
    key = person.data_key if person is not None else None
    while True:
        try:
            application = open_application(
                paths, check_integrity=False, database_url=database_url, key=key
            )
            if person is not None:
                try:
                    application.accounts.begin(person)
                except BaseException:
                    application.close()
                    raise
            return application
        except (DatabaseMissing, DatabaseDamaged) as error:
            copies = error.candidates if isinstance(error, DatabaseMissing) else error.backups
            if not copies:
                QMessageBox.critical(None, _("Station Desktop"), _(error.message, **error.params))
                return None
            dialog = RestoreDialog(_backups(paths, person), error, copies)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
        except StationError as error:
            QMessageBox.critical(None, _("Station Desktop"), _(error.message, **error.params))
            return None


@dataclass
class WindowOutcome:
    status: int
    restore: DatabaseDamaged | None = None  # the person asked to restore a backup


def _after_show(window: MainWindow, application: Application) -> None:
    """What the person must hear first: the store's notices (writes lost in a power cut,
    a data folder that looks wrong), then the typing a crash left unsaved."""
    for notice in application.store.notices:
        QMessageBox.warning(window, _("Station Desktop"), _(notice.message, **notice.params))
    drafts = application.drafts
    if drafts.all():
        from station_desktop.ui.left_drafts import offer_left_drafts  # noqa: PLC0415

        offer_left_drafts(window, drafts)


def _run_window(
    qt_app: QApplication, application: Application, languages: LanguageSwitcher, log_path: Path
) -> WindowOutcome:
    outcome = WindowOutcome(0)
    previous_hook = install_crash_handler(QApplication.activeWindow, log_path)
    try:
        if not ready_to_work(application, languages):  # no station or nobody chosen
            return outcome
        window = build_main_window(application, languages)

        def restore_wanted(error: object) -> None:
            assert isinstance(error, DatabaseDamaged)
            outcome.restore = error
            window.close()

        window.show()
        then_quit = os.environ.get(EXIT_AFTER_START) == "1"
        session_lock = None
        if application.accounts.signed_in is not None and not then_quit:
            from station_desktop.ui.sign_in import SessionLock  # noqa: PLC0415

            session_lock = SessionLock(application)
            window.worker_button.lock_wanted.connect(session_lock.lock)
        # A file of this laptop is checked and backed up here; a server keeps its own.
        check = None
        if application.store.database_file is not None:
            check = IntegrityCheck(window, application.backups, then_quit=then_quit)
            check.restore_wanted.connect(restore_wanted)
        elif then_quit:
            QTimer.singleShot(0, qt_app.quit)
        if not then_quit:
            QTimer.singleShot(0, lambda: _after_show(window, application))
        outcome.status = qt_app.exec()
        if session_lock is not None:
            session_lock.stop()
        if check is not None:
            check.wait()
        # Destroy the widgets while Qt and the store are still alive: leaving them to the
        # interpreter's final garbage collection can crash PySide at exit.
        window.deleteLater()
        qt_app.processEvents()
        return outcome
    finally:
        sys.excepthook = previous_hook


def run_gui(args: argparse.Namespace) -> int:
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("Station Desktop")
    qt_app.setOrganizationName("station-desktop")
    qt_app.setApplicationVersion(__version__)
    languages = start_interface(qt_app, Catalogues())
    paths = resolve_data_dir(args.data_dir)
    database_url = resolve_database_url(getattr(args, "database_url", None), paths)
    log_path = _start_logging(paths)
    logging.getLogger(__name__).info("starting version %s", __version__)
    sweep_print_folders()  # filled forms a crash left for the PDF viewer
    try:
        person: SignedIn | None = None
        while True:
            application = None
            if database_url is None and person is None:
                from station_desktop.ui.sign_in import sign_in_or_set_up  # noqa: PLC0415

                started = sign_in_or_set_up(paths, languages)
                if started is None:
                    return 1
                person, application = started
            # The integrity check runs after the window is up (IntegrityCheck).
            if application is None:
                application = open_or_offer_restore(paths, database_url, person)
            if application is None:
                return 1
            with application:
                outcome = _run_window(qt_app, application, languages, log_path)
            if outcome.restore is None:
                return outcome.status
            # The window is closed and the data released: bring back a copy, then start
            # again on it (or, if the person gives up, on the damaged data, read-only).
            dialog = RestoreDialog(
                _backups(paths, person), outcome.restore, outcome.restore.backups
            )
            dialog.exec()
    finally:
        languages.shutdown()
        stop_logging()
