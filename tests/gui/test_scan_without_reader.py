"""File → Read scanned sheets… on a laptop without the scan reader's package: the window
says so before any file is chosen, in the person's language, and keeps the button to type
handwriting of sheets read elsewhere."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.i18n import Catalogues
from station_desktop.services import scanning
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui


def test_the_scan_window_says_the_reader_is_not_installed(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scanning, "READER_MODULES", ("cv2", "station_desktop_no_cv2_here"))
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    dialog = window.read_scans()
    assert not dialog.choose_button.isEnabled()
    assert dialog.handwriting_button.isEnabled()
    assert dialog.summary.text() == ""  # not "choose the scanned files"
    for language in ("bo", "zh_CN"):
        languages.switch(language)
        expected = Catalogues().translator(language).gettext(scanning.MSG_READER_MISSING)
        qtbot.waitUntil(lambda text=expected: dialog.progress.text() == text)  # type: ignore[misc]
        assert "station-desktop-scan" in dialog.progress.text()
    dialog.reject()


def test_with_the_reader_the_files_can_be_chosen(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    dialog = window.read_scans()
    assert dialog.choose_button.isEnabled()
    assert dialog.progress.text() == ""
    dialog.reject()
