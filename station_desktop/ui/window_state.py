"""Windows that come back at the size and place the user left them, per kind of window
(the resident's page, the case page, the print preview...), remembered in QSettings."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize
from PySide6.QtWidgets import QWidget


class _GeometryMemory(QObject):
    """Saves the window's geometry each time it is hidden (closed, or its dialog done)."""

    def __init__(self, window: QWidget, key: str) -> None:
        super().__init__(window)
        self._window = window
        self._key = f"{key}/geometry"
        window.installEventFilter(self)

    def restore(self) -> bool:
        saved = QSettings().value(self._key)
        return isinstance(saved, QByteArray) and self._window.restoreGeometry(saved)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._window and event.type() == QEvent.Type.Hide:
            QSettings().setValue(self._key, self._window.saveGeometry())
        return False


def remember_geometry(window: QWidget, key: str) -> bool:
    """Give `window` the geometry it last had (True if there was one) and keep it from now
    on. Call after the window has sized itself for a first opening."""
    return _GeometryMemory(window, key).restore()


def fit_to_screen(window: QWidget, width: int, height: int, share: float = 0.95) -> QSize:
    """Give `window` the size it would like, but at most `share` of the screen's free area
    (a 1366×768 laptop less its taskbar is the common case); returns the size given."""
    screen = window.screen()
    if screen is not None:
        room = screen.availableGeometry()
        width = min(width, int(room.width() * share))
        height = min(height, int(room.height() * share))
    size = QSize(width, height)
    window.resize(size)
    return size
