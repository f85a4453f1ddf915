"""GUI tests run offscreen with their own settings file (never the user's) and with the
bundled fonts loaded, as the application does."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    # Offscreen, with one screen the size of the common township laptop (1366×768 less a
    # taskbar), so windows size themselves as they would there.
    import tempfile

    from station_desktop.ui.tour import laptop_platform

    os.environ["QT_QPA_PLATFORM"] = laptop_platform(Path(tempfile.mkdtemp(prefix="screen-")))


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, qapp: object) -> Iterator[None]:
    from PySide6.QtCore import QCoreApplication, QEvent, QSettings
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("station-desktop-tests")
    QCoreApplication.setApplicationName("Station Desktop tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    yield
    # A test's windows go with it: a closed window left alive would take the next test's
    # language switch and read from a store already closed (on a server, through a
    # connection nobody closes).
    for widget in QApplication.topLevelWidgets():
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    # And their Python halves now, while no Qt code is running: collected later, at a
    # moment the garbage collector chooses, a widget can go while Qt is delivering it an
    # event (a crash).
    gc.collect()


@pytest.fixture(scope="session")
def bundled_fonts(qapp: object) -> list[str]:
    """The fonts, and the wheel guard: what `start_interface` gives the application."""
    from station_desktop.ui.fonts import load_fonts
    from station_desktop.ui.wheel_guard import guard_the_wheel

    guard_the_wheel(qapp)  # type: ignore[arg-type]
    return load_fonts()


@pytest.fixture
def languages(qapp: object, bundled_fonts: list[str]) -> Iterator[object]:
    """The language switcher, started in Chinese; English again afterwards."""
    from station_desktop.i18n import Catalogues
    from station_desktop.ui.qt_i18n import LanguageSwitcher

    switcher = LanguageSwitcher(Catalogues(), available=("bo", "zh_CN", "en", "pseudo"))
    switcher.switch("zh_CN")
    yield switcher
    switcher.switch("en")
    switcher.shutdown()  # no Python translator may outlive the test


def type_text(widget: object, text: str) -> None:
    """Type any text, as a keyboard layout or input method delivers it: one key event per
    character carrying its text (QTest.keyClicks only knows ASCII)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, ch)
            QApplication.sendEvent(widget, event)  # type: ignore[arg-type]


class Answers:
    """Stands in for the message boxes: records what was asked and warned, and answers as
    told (a real box would wait for a click that never comes). `unsaved` answers "changes
    not saved: Save, Discard or Cancel?"; `reply` answers every other question."""

    def __init__(self, unsaved: object = None, reply: object = None) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.asked: list[str] = []
        self.warnings: list[str] = []
        self.unsaved = unsaved or QMessageBox.StandardButton.Discard
        self.reply = reply or QMessageBox.StandardButton.No

    def question(
        self, parent: object, title: str, text: str, buttons: object = None, *rest: object
    ) -> object:
        from PySide6.QtWidgets import QMessageBox

        self.asked.append(text)
        if buttons is not None and QMessageBox.StandardButton.Save in buttons:  # type: ignore[operator]
            return self.unsaved
        return self.reply

    def warning(self, parent: object, title: str, text: str, *rest: object) -> object:
        from PySide6.QtWidgets import QMessageBox

        self.warnings.append(text)
        return QMessageBox.StandardButton.Ok


def answer_message_boxes(
    monkeypatch: pytest.MonkeyPatch, unsaved: object = None, reply: object = None
) -> Answers:
    """QMessageBox.question and .warning answered by an `Answers` for this test."""
    from PySide6.QtWidgets import QMessageBox

    given = Answers(unsaved, reply)
    monkeypatch.setattr(QMessageBox, "question", given.question)
    monkeypatch.setattr(QMessageBox, "warning", given.warning)
    return given
