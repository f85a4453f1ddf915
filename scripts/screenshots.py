"""Render every window of the application, in each interface language, as the common
township laptop shows it (a 1366×728 screen), to PNG files; list what does not fit.

    .venv/bin/python scripts/screenshots.py DATA_DIR OUT_DIR [LANGUAGE ...]

Walks `station_desktop.ui.tour` (every page, form and dialog, the same walk as the fit
test). Uses the offscreen platform with a 1366×728 screen unless QT_QPA_PLATFORM says
otherwise. The data folder is opened read-only: nothing is saved. A folder protected by
passwords is opened as the command line would (STATION_DESKTOP_USER and the file named by
STATION_DESKTOP_PASSWORD_FILE).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(data_dir: str, out_dir: str, languages: list[str]) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from station_desktop.ui.tour import laptop_platform

    os.environ.setdefault("QT_QPA_PLATFORM", laptop_platform(out))
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from station_desktop.app import open_application
    from station_desktop.i18n import Catalogues
    from station_desktop.paths import DataPaths
    from station_desktop.ui.launch import start_interface
    from station_desktop.ui.main_window import MainWindow
    from station_desktop.ui.sign_in import signed_in_from_environment
    from station_desktop.ui.tour import LAPTOP_SCREEN, fit_problems, settle, tour

    qt_app = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("station-desktop-screenshots")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, out_dir)
    switcher = start_interface(qt_app, Catalogues())
    problems: list[str] = []
    paths = DataPaths(Path(data_dir))
    person = signed_in_from_environment(paths) if paths.key_slots.exists() else None
    key = person.data_key if person is not None else None
    with open_application(paths, read_only=True, check_integrity=False, key=key) as app:
        if person is not None:
            app.accounts.begin(person, remember=False)
        window = MainWindow(app, switcher)
        window.resize(LAPTOP_SCREEN)
        window.show()
        for language in languages or ["bo", "zh_CN", "en"]:
            switcher.switch(language)
            settle()
            for name, shown in tour(window, app, switcher):
                shown.grab().save(str(out / f"{name}-{language}.png"))
                problems += [f"{language} {name}: {p}" for p in fit_problems(shown)]
        window.close()
        window.deleteLater()
        qt_app.processEvents()
    switcher.shutdown()
    print("\n".join(problems) or "everything fits")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
