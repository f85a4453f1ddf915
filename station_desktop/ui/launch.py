"""Start the desktop application (the only entry into Qt)."""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from station_desktop import __version__
from station_desktop.app import Application, open_application
from station_desktop.errors import StationError
from station_desktop.i18n import Catalogues, _
from station_desktop.logs import configure_logging, stop_logging
from station_desktop.paths import resolve_data_dir
from station_desktop.ui.crash import install_crash_handler
from station_desktop.ui.fonts import load_fonts
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher


def start_interface(qt_app: QApplication, catalogues: Catalogues) -> LanguageSwitcher:
    """Fonts and language, before any window exists."""
    load_fonts()
    del qt_app  # must exist; the switcher sets its font and translators
    languages = LanguageSwitcher(catalogues)
    languages.start()
    return languages


def build_main_window(application: Application, languages: LanguageSwitcher) -> MainWindow:
    return MainWindow(application, languages)


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
        application = open_application(paths)
    except StationError as error:
        QMessageBox.critical(None, _("Station Desktop"), _(error.message, **error.params))
        return 1
    with application:
        window = build_main_window(application, languages)
        previous_hook = install_crash_handler(QApplication.activeWindow, log_path)
        window.show()
        status = qt_app.exec()
        sys.excepthook = previous_hook
        # Destroy the widgets while Qt and the store are still alive: leaving them to the
        # interpreter's final garbage collection can crash PySide at exit.
        window.deleteLater()
        del window
        qt_app.processEvents()
        languages.shutdown()
        stop_logging()
        return status
