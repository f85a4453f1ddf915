"""Every control a keyboard can reach has a name a screen reader can say: its own
accessible name, its text (buttons, check boxes), or the label that is its buddy."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QWidget,
)
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui


def nameless_controls(root: QWidget) -> list[str]:
    buddies = {id(label.buddy()) for label in root.findChildren(QLabel) if label.buddy()}
    missing = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if not widget.isEnabled() and not isinstance(widget, QAbstractButton):
            continue
        if widget.accessibleName() or id(widget) in buddies or isinstance(widget, QLabel):
            continue  # a label's text is what it says
        if isinstance(widget, QAbstractButton) and widget.text().strip("&"):
            continue
        owner = widget.parentWidget()
        # Editors inside composite fields (a combo's line edit) speak for their owner.
        if (
            owner is not None
            and (owner.accessibleName() or id(owner) in buddies)
            and (owner.focusProxy() is widget or widget.objectName().startswith("qt_"))
        ):
            continue
        missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {type(owner).__name__}")
    return missing


def test_every_page_names_its_controls(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    window.show()
    for language in ("zh_CN", "bo"):
        languages.switch(language)
        for row in range(window.nav.count()):
            window.nav.setCurrentRow(row)
            QApplication.processEvents()
            page = window.pages.currentWidget()
            missing = nameless_controls(page)
            assert missing == [], (window.nav.item(row).text(), missing)
    assert nameless_controls(window.centralWidget()) == []
    _dispose(window)


def test_every_form_and_the_visit_pack_name_their_controls(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    for _title, spec, save in window.record_kinds():
        dialog = window.open_record_dialog(spec, save)
        assert nameless_controls(dialog) == [], spec.code
        dialog.editor.mark_clean()
        dialog.reject()
    pack = window.print_visit_pack()
    assert nameless_controls(pack) == []
    pack.reject()
    activity = app.activities.record(
        {"kind": "group_work", "title": "小组", "held_on": "2026-05-20", "headcount_other": 0}
    )
    attendance = window.open_record("activities", activity)
    assert attendance is not None and nameless_controls(attendance) == []
    attendance.close()
    _dispose(window)


def _dispose(window: MainWindow) -> None:
    """Closed and deleted, so the next test's dialogs get the keyboard focus."""
    window.close()
    window.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
