"""Settings: the station head changes the visiting rhythm with the keyboard; the language
and digits follow the choice; a backup on demand, and a failed one stays in sight."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.services import backups as backups_service
from station_desktop.services.followups import FollowUpService
from station_desktop.store.backup import list_backups
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui


@pytest.fixture
def window(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> MainWindow:
    main = MainWindow(app, languages)
    qtbot.addWidget(main)
    main.show()
    main.nav.setCurrentRow(main.pages.indexOf(main.settings_page))
    QApplication.processEvents()
    return main


def test_the_rhythm_is_changed_with_the_keyboard_and_saved(
    window: MainWindow, app: Application, qtbot: QtBot
) -> None:
    page = window.settings_page
    elderly = page.rhythm["elderly_alone"]
    assert elderly.value() == 30
    assert not page.save_button.isEnabled()  # nothing to save yet
    elderly.setFocus()
    elderly.selectAll()
    qtbot.keyClicks(elderly, "21")  # type: ignore[no-untyped-call]
    assert page.save_button.isEnabled() and page.has_unsaved_changes()
    qtbot.keyClick(elderly, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
    service = FollowUpService(app.ctx)
    assert service.rhythm()["elderly_alone"] == 21
    assert not page.has_unsaved_changes()
    assert page.saved_label.text() == "已保存。"
    page.restore_defaults()
    assert elderly.value() == 30 and page.has_unsaved_changes()
    assert service.rhythm()["elderly_alone"] == 21  # restored in the boxes, not yet saved
    page.quiet_days.setValue(45)
    assert page.save()
    assert (service.rhythm()["elderly_alone"], service.quiet_case_days()) == (30, 45)


def test_language_and_digits_follow_the_settings(
    window: MainWindow, languages: LanguageSwitcher
) -> None:
    page = window.settings_page
    page.language_choice.setCurrentIndex(page.language_choice.findData("bo"))
    page.language_choice.activated.emit(page.language_choice.currentIndex())
    assert languages.current == "bo"
    QApplication.processEvents()  # the LanguageChange event is delivered by the event loop
    assert window.nav.item(window.pages.indexOf(page)).text() == "སྒྲིག་འགོད"
    page.digits.setChecked(True)
    assert languages.tibetan_digits()
    page.digits.setChecked(False)
    languages.switch("zh_CN")  # from the menu: the page shows the new choice
    QApplication.processEvents()
    assert page.language_choice.currentData() == "zh_CN"


def test_back_up_now_and_a_failed_backup_stays_in_sight(
    window: MainWindow, app: Application, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = window.settings_page
    before = len(list_backups(app.paths.backups))
    job = page.back_up_now()
    assert job is not None
    with qtbot.waitSignal(page.backup_finished, timeout=30_000):
        pass
    assert len(list_backups(app.paths.backups)) == before + 1
    assert str(app.paths.backups) in page.backup_state.text()
    assert not page.backup_problem.isVisible()

    def full(*args: object, **kwargs: object) -> Path:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(backups_service, "back_up", full)
    page.back_up_now()
    with qtbot.waitSignal(page.backup_finished, timeout=30_000):
        pass
    assert page.backup_problem.isVisible() and "磁盘" in page.backup_problem.text()
    assert window.backup_warning.isVisible() and "磁盘" in window.backup_warning.text()
    monkeypatch.undo()
    page.back_up_now()
    with qtbot.waitSignal(page.backup_finished, timeout=30_000):
        pass
    assert not page.backup_problem.isVisible() and not window.backup_warning.isVisible()


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_on_the_bureaus_server_the_page_names_it_and_leaves_backups_to_it(
    window: MainWindow, database: str
) -> None:
    page = window.settings_page
    assert "postgresql://" in page.data_folder.text()
    assert "@" in page.data_folder.text() and "password" not in page.data_folder.text()
    assert "pg_dump" in page.backup_state.text()
    assert page.backup_button.isHidden()
