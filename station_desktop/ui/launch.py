"""Start the desktop application (the only entry into Qt)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from datetime import UTC, datetime

# The Qt-free modules come first: once imported, PySide6 reads the source of every module
# imported after it (its __feature__ import hook), which for SQLAlchemy's hundred modules
# costs a fifth of a second of start-up.
from station_desktop import __version__
from station_desktop.app import Application, open_application
from station_desktop.drafts import DraftStore
from station_desktop.errors import DatabaseDamaged, StationError
from station_desktop.i18n import Catalogues, _
from station_desktop.logs import configure_logging, stop_logging
from station_desktop.paths import resolve_data_dir
from station_desktop.services.backups import BackupService

# isort: split
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from station_desktop.ui.crash import install_crash_handler
from station_desktop.ui.first_start import ready_to_work
from station_desktop.ui.fonts import load_fonts
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.wheel_guard import guard_the_wheel

# Set to 1, the program quits with status 0 as soon as its main window is usable (for
# measuring the start-up of the whole process).
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

    def __init__(self, window: MainWindow, backups: BackupService) -> None:
        super().__init__(window)
        self._window = window
        self._backups = backups
        self.finished.connect(self._done)  # queued: delivered in the GUI thread
        self.backup_failed.connect(window.show_backup_problem)
        window.set_writable(False)
        self._thread = threading.Thread(target=self._run, name="quick-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        problem = self._backups.check()
        self.finished.emit(problem)
        if problem is None:
            self._daily_backup()

    def _daily_backup(self) -> None:
        """One backup a day, taken while the user works (the backup API copies a consistent
        snapshot; WAL lets writes go on meanwhile), then the old ones rotated."""
        try:
            self._backups.back_up_daily(datetime.now(UTC).date())
        except StationError as error:
            logging.getLogger(__name__).exception("daily backup failed")
            self.backup_failed.emit(error)

    def _done(self, problem: object) -> None:
        if problem is None:
            self._window.set_writable(True)
            return
        # Stay read-only; say what to do. Nothing has been written since the start.
        assert isinstance(problem, DatabaseDamaged)
        QMessageBox.critical(
            self._window, _("Station Desktop"), _(problem.message, **problem.params)
        )

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)


def run_gui(args: argparse.Namespace) -> int:
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    qt_app.setApplicationName("Station Desktop")
    qt_app.setOrganizationName("station-desktop")
    qt_app.setApplicationVersion(__version__)
    languages = start_interface(qt_app, Catalogues())
    paths = resolve_data_dir(args.data_dir)
    log_path = configure_logging(paths.logs)
    logging.getLogger(__name__).info("starting version %s", __version__)
    try:
        # The integrity check runs after the window is up (IntegrityCheck below).
        application = open_application(paths, check_integrity=False)
    except StationError as error:
        QMessageBox.critical(None, _("Station Desktop"), _(error.message, **error.params))
        return 1
    with application:
        previous_hook = install_crash_handler(QApplication.activeWindow, log_path)
        if not ready_to_work(application, languages):  # no station or nobody chosen
            sys.excepthook = previous_hook
            languages.shutdown()
            stop_logging()
            return 0
        window = build_main_window(application, languages)
        window.show()
        if os.environ.get(EXIT_AFTER_START) == "1":
            # Benchmarks: the window is usable once shown and its first page filled. The
            # integrity check and the day's backup are not started: they would only be
            # cut off at the exit.
            qt_app.processEvents()
            check = None
            QTimer.singleShot(0, qt_app.quit)
        else:
            check = IntegrityCheck(window, application.backups)
            # After a crash or a power cut: the typing that was not saved, said at once.
            drafts = DraftStore(paths.drafts)
            if drafts.all():
                from station_desktop.ui.left_drafts import offer_left_drafts  # noqa: PLC0415

                offer_left_drafts(window, drafts)
        status = qt_app.exec()
        if check is not None:
            check.wait()
        sys.excepthook = previous_hook
        # Destroy the widgets while Qt and the store are still alive: leaving them to the
        # interpreter's final garbage collection can crash PySide at exit.
        window.deleteLater()
        del window
        qt_app.processEvents()
        languages.shutdown()
        stop_logging()
        return status
