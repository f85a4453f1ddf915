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

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from station_desktop import __version__
from station_desktop.app import Application, open_application
from station_desktop.errors import DatabaseDamaged, DatabaseMissing, StationError
from station_desktop.i18n import N_, Catalogues, _
from station_desktop.logs import configure_logging, stop_logging
from station_desktop.paths import DataPaths, resolve_data_dir, resolve_database_url
from station_desktop.services.backups import BackupService
from station_desktop.store.backup import (
    back_up,
    has_backup_on,
    integrity_problems,
    usable_backups,
)
from station_desktop.ui.crash import install_crash_handler
from station_desktop.ui.fonts import load_fonts
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.restore_dialog import RestoreDialog
from station_desktop.ui.settings_page import backup_problem

MSG_RESTORE_NOW = N_("Restore a backup now? The window closes while it is restored.")
# Set to 1, the program quits once its window is usable (status 0; 1 if the database check
# failed): how an installed build is checked without anyone at the screen.
EXIT_AFTER_START = "STATION_DESKTOP_EXIT_AFTER_START"


def start_interface(qt_app: QApplication, catalogues: Catalogues) -> LanguageSwitcher:
    """Fonts and language, before any window exists."""
    load_fonts()
    del qt_app  # must exist; the switcher sets its font and translators
    languages = LanguageSwitcher(catalogues)
    languages.start()
    return languages


def build_main_window(application: Application, languages: LanguageSwitcher) -> MainWindow:
    return MainWindow(application, languages)


class IntegrityCheck(QObject):
    """`PRAGMA quick_check` in a worker thread (about 1 s per GB): the window is usable for
    reading at once, and creating records is enabled only when the check has passed. Then,
    in the same thread, the day's backup if there is none yet."""

    finished = Signal(str)  # "" when the database is sound, else what SQLite reported
    backup_failed = Signal(object)  # the StationError that stopped the day's backup
    # The DatabaseDamaged a person chose to restore from: the window closes for it.
    restore_wanted = Signal(object)

    def __init__(self, window: MainWindow, paths: DataPaths, *, then_quit: bool = False) -> None:
        super().__init__(window)
        self._window = window
        self._paths = paths
        self.finished.connect(self._done)  # queued: delivered in the GUI thread
        if then_quit:  # after _done (it also ends the message box _done may open)
            self.finished.connect(self._quit)
        self.backup_failed.connect(window.show_backup_problem)
        window.set_writable(False)
        self._thread = threading.Thread(target=self._run, name="quick-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        problems = integrity_problems(self._paths.database, quick=True) or ""
        self.finished.emit(problems)
        if not problems:
            self._daily_backup()

    def _daily_backup(self) -> None:
        """One backup a day, taken while the user works (the backup API copies a consistent
        snapshot; WAL lets writes go on meanwhile), then the old ones rotated."""
        today = datetime.now(UTC).date()
        try:
            if not has_backup_on(self._paths.backups, today):
                back_up(self._paths.database, self._paths.backups, "daily")
        except (OSError, RuntimeError) as error:  # disk full, or the copy failed its check
            logging.getLogger(__name__).exception("daily backup failed")
            self.backup_failed.emit(backup_problem(error, self._paths.backups))

    def _quit(self, problems: str) -> None:
        QApplication.exit(1 if problems else 0)

    def _done(self, problems: str) -> None:
        if not problems:
            self._window.set_writable(True)
            return
        # Stay read-only; say what to do. Nothing has been written since the start.
        error = DatabaseDamaged(self._paths.database, usable_backups(self._paths.backups), problems)
        text = _(error.message, **error.params)
        if not error.backups:
            QMessageBox.critical(self._window, _("Station Desktop"), text)
            return
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        answer = QMessageBox.critical(
            self._window, _("Station Desktop"), f"{text}\n\n{_(MSG_RESTORE_NOW)}", yes | no, no
        )
        if answer == yes:
            self.restore_wanted.emit(error)

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)


def _start_logging(paths: DataPaths) -> Path:
    """The log in the data folder; in the temporary folder when the data folder cannot
    hold it (the reason is then explained when the data is opened)."""
    try:
        return configure_logging(paths.logs)
    except OSError:
        return configure_logging(Path(tempfile.gettempdir()) / "station-desktop-logs")


def open_or_offer_restore(paths: DataPaths, database_url: str | None = None) -> Application | None:
    """Open the data; when it is missing or damaged, offer the copies that can bring it
    back instead of starting empty. None when the person gives up (or nothing can help).
    `database_url`: the bureau's server instead of the data folder's file."""
    while True:
        try:
            return open_application(paths, check_integrity=False, database_url=database_url)
        except (DatabaseMissing, DatabaseDamaged) as error:
            copies = error.candidates if isinstance(error, DatabaseMissing) else error.backups
            if not copies:
                QMessageBox.critical(None, _("Station Desktop"), _(error.message, **error.params))
                return None
            dialog = RestoreDialog(BackupService(paths), error, copies)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
        except StationError as error:
            QMessageBox.critical(None, _("Station Desktop"), _(error.message, **error.params))
            return None


@dataclass
class WindowOutcome:
    status: int
    restore: DatabaseDamaged | None = None  # the person asked to restore a backup


def _show_notices(window: MainWindow, application: Application) -> None:
    for notice in application.store.notices:
        QMessageBox.warning(window, _("Station Desktop"), _(notice.message, **notice.params))


def _run_window(
    qt_app: QApplication, application: Application, languages: LanguageSwitcher, log_path: Path
) -> WindowOutcome:
    outcome = WindowOutcome(0)

    def restore_wanted(error: object) -> None:
        assert isinstance(error, DatabaseDamaged)
        outcome.restore = error
        window.close()

    window = build_main_window(application, languages)
    previous_hook = install_crash_handler(QApplication.activeWindow, log_path)
    window.show()
    # A file of this laptop is checked and backed up here; a server keeps its own.
    check = None
    if application.store.database_file is not None:
        check = IntegrityCheck(
            window, application.paths, then_quit=os.environ.get(EXIT_AFTER_START) == "1"
        )
        check.restore_wanted.connect(restore_wanted)
    QTimer.singleShot(0, lambda: _show_notices(window, application))
    outcome.status = qt_app.exec()
    if check is not None:
        check.wait()
    sys.excepthook = previous_hook
    # Destroy the widgets while Qt and the store are still alive: leaving them to the
    # interpreter's final garbage collection can crash PySide at exit.
    window.deleteLater()
    qt_app.processEvents()
    return outcome


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
    try:
        while True:
            # The integrity check runs after the window is up (IntegrityCheck).
            application = open_or_offer_restore(paths, database_url)
            if application is None:
                return 1
            with application:
                outcome = _run_window(qt_app, application, languages, log_path)
            if outcome.restore is None:
                return outcome.status
            # The window is closed and the data released: bring back a copy, then start
            # again on it (or, if the person gives up, on the damaged data, read-only).
            dialog = RestoreDialog(BackupService(paths), outcome.restore, outcome.restore.backups)
            dialog.exec()
    finally:
        languages.shutdown()
        stop_logging()
