"""The mouse wheel scrolls the page, never a choice the pointer happens to pass over.

Scrolling down a form or the Settings page over a combo box or a number box would change
its value without the person noticing (a code, a visiting rhythm, the interface language).
One filter on the application sends such a wheel turn to the box's parent (the page or
scroll area scrolls on) unless the box has the keyboard focus: then the wheel is meant.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QWidget

GUARDED = (QComboBox, QAbstractSpinBox)


class WheelGuard(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if not isinstance(watched, GUARDED):
            return False
        if event.type() == QEvent.Type.Polish:
            # Qt gives these boxes the focus on a wheel turn (WheelFocus), before any filter
            # sees the turn: they take the focus from the keyboard or a click only.
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if event.type() == QEvent.Type.Wheel and not watched.hasFocus():
            parent = watched.parentWidget()
            while isinstance(parent, GUARDED):
                parent = parent.parentWidget()
            if isinstance(parent, QWidget):
                QApplication.sendEvent(parent, event)
            return True
        return False


def guard_the_wheel(app: QApplication) -> WheelGuard:
    """Install the guard on `app` (kept alive by being its child)."""
    guard = WheelGuard(app)
    app.installEventFilter(guard)
    return guard
