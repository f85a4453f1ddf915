"""Render the main window in each interface language to PNG files, for looking at.

    .venv/bin/python scripts/screenshots.py DATA_DIR OUT_DIR [LANGUAGE ...]

Uses the offscreen platform unless QT_QPA_PLATFORM says otherwise (under Xvfb, set it to
xcb for a real window). The data folder is opened read-only.
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from typing import Any


def settle(qt_app: object) -> None:
    """Let nested layouts finish: a language switch resizes the navigation and every page,
    and each layout pass can trigger another (one processEvents() call is not enough)."""
    for _ in range(6):
        qt_app.processEvents()  # type: ignore[attr-defined]


def main(data_dir: str, out_dir: str, languages: list[str]) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from station_desktop.app import open_application
    from station_desktop.i18n import Catalogues
    from station_desktop.paths import DataPaths
    from station_desktop.ui.launch import start_interface
    from station_desktop.ui.main_window import MainWindow

    qt_app = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("station-desktop-screenshots")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, out_dir)
    switcher = start_interface(qt_app, Catalogues())
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with open_application(DataPaths(Path(data_dir)), read_only=True, check_integrity=False) as app:
        window = MainWindow(app, switcher)
        window.resize(1280, 760)
        window.show()
        for language in languages or ["bo", "zh_CN", "en"]:
            switcher.switch(language)
            for row in range(window.nav.count()):
                window.nav.setCurrentRow(row)
                if row == 0:
                    window.residents_page.search_box.setText("")
                    window.residents_page.refresh()
                settle(qt_app)
                window.grab().save(str(out / f"main-{language}-{row}.png"))
            window.residents_page.search_box.setText("ཚེ་རིང")
            window.residents_page.refresh()
            window.nav.setCurrentRow(0)
            settle(qt_app)
            window.grab().save(str(out / f"main-{language}-search.png"))
            # The windows a record opens: the busiest resident, a case with notes, and a
            # sign-in list.
            for name, opened in (
                ("resident", window.open_resident(_busiest_resident(app))),
                ("case", window.open_case(_case_with_notes(app))),
                ("attendance", window.open_record("activities", _recent(app, "activities"))),
            ):
                assert opened is not None
                opened.resize(1280, 760)
                settle(qt_app)
                opened.grab().save(str(out / f"{name}-{language}.png"))
                opened.close()
                settle(qt_app)
        window.close()
        window.deleteLater()
        qt_app.processEvents()
    switcher.shutdown()


def _recent(app: Any, kind: str) -> uuid.UUID:
    return uuid.UUID(str(app.listing.records(kind, limit=1)[0]["id"]))


def _case_with_notes(app: Any) -> uuid.UUID:
    from sqlalchemy import func, select

    from station_desktop.store.models import CaseNote

    with app.ctx.db.read() as session:
        found = session.execute(
            select(CaseNote.case_id).group_by(CaseNote.case_id).order_by(func.count().desc())
        ).first()
    return found[0] if found else _recent(app, "cases")


def _busiest_resident(app: Any) -> uuid.UUID:
    from sqlalchemy import func, select

    from station_desktop.store.models import HomeVisit

    with app.ctx.db.read() as session:
        found = session.execute(
            select(HomeVisit.resident_id)
            .group_by(HomeVisit.resident_id)
            .order_by(func.count().desc())
        ).first()
    assert found is not None, "no visits: make demo data first"
    return uuid.UUID(str(found[0]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
