"""The integrity check runs after the window is shown; writing waits for it."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.paths import DataPaths
from station_desktop.store.backup import integrity_problems, list_backups
from station_desktop.ui.launch import IntegrityCheck
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui


def _new_actions_enabled(window: MainWindow) -> bool:
    return all(action.isEnabled() for action, _title in window._new_actions)


def test_writing_is_enabled_once_the_data_is_sound(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    data_paths: DataPaths,
) -> None:
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    check = IntegrityCheck(window, app.backups)
    assert not _new_actions_enabled(window)  # not before the check has passed
    qtbot.waitUntil(lambda: _new_actions_enabled(window), timeout=5000)
    check.wait()
    # Then the day's backup, whole, and only one however often the window opens.
    backups = list_backups(data_paths.backups)
    assert [b.reason for b in backups] == ["daily"]
    assert integrity_problems(backups[0].path) is None
    IntegrityCheck(window, app.backups).wait()
    assert len(list_backups(data_paths.backups)) == 1


def test_a_damaged_file_keeps_the_window_read_only(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    data_paths: DataPaths,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda parent, title, text, *a: messages.append(text) or 0
    )
    monkeypatch.setattr(
        "station_desktop.services.backups.integrity_problems",
        lambda path, quick, **_: "page 7 corrupt",
    )
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    check = IntegrityCheck(window, app.backups)
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)
    check.wait()
    assert not _new_actions_enabled(window)
    assert str(data_paths.database) in messages[0]


@pytest.mark.parametrize(("problems", "status"), [(None, 0), ("page 7 corrupt", 1)])
def test_a_check_of_the_installed_program_quits_once_the_window_is_usable(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    data_paths: DataPaths,
    monkeypatch: pytest.MonkeyPatch,
    problems: str | None,
    status: int,
) -> None:
    """STATION_DESKTOP_EXIT_AFTER_START=1 (`then_quit`): the program ends by itself once
    writing is enabled, with status 0, or with 1 when the database check failed."""
    statuses: list[int] = []
    monkeypatch.setattr(QApplication, "exit", lambda status=0: statuses.append(status))
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: 0)
    monkeypatch.setattr(
        "station_desktop.services.backups.integrity_problems", lambda path, quick, **_: problems
    )
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    check = IntegrityCheck(window, app.backups, then_quit=True)
    qtbot.waitUntil(lambda: bool(statuses), timeout=5000)
    check.wait()
    assert statuses == [status]
    assert _new_actions_enabled(window) == (problems is None)
    assert list_backups(data_paths.backups) == []  # quitting at once: no backup begun
