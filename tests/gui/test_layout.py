"""Long translations do not clip: the pseudo-locale makes every string about 40% longer."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QHeaderView, QListWidget
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup

pytestmark = pytest.mark.gui


def _clipped_nav_items(nav: QListWidget) -> list[str]:
    metrics = nav.fontMetrics()
    room = nav.viewport().width() - 2 * nav.spacing() - 6  # item margins
    return [
        nav.item(i).text()  # type: ignore[union-attr]
        for i in range(nav.count())
        if metrics.horizontalAdvance(nav.item(i).text()) > room  # type: ignore[union-attr]
    ]


def _clipped_headers(header: QHeaderView, labels: list[str]) -> list[str]:
    # The header's size hint is Qt's measure of what the label needs (text plus padding).
    metrics = header.fontMetrics()
    return [
        label
        for i, label in enumerate(labels)
        if not header.isSectionHidden(i)  # the station column, with one station here
        and header.sectionSize(i) < max(header.sectionSizeHint(i), metrics.horizontalAdvance(label))
    ]


@pytest.mark.parametrize("language", ["pseudo", "bo", "zh_CN", "en"])
def test_nothing_is_clipped(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    language: str,
) -> None:
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    languages.switch(language)
    QApplication.processEvents()
    assert _clipped_nav_items(window.nav) == []
    tables = [window.residents_page.table, *(p.table for p in window.record_pages)]
    for row, table in enumerate(tables):
        window.nav.setCurrentRow(row)  # look at each page, as a user would
        QApplication.processEvents()
        header = table.horizontalHeader()
        model = table.model()
        labels = [
            str(model.headerData(i, Qt.Orientation.Horizontal)) for i in range(model.columnCount())
        ]
        assert _clipped_headers(header, labels) == []
    # No status line but for a warning: the station is in the title, the rows get the room.
    assert not window.statusBar().isVisible()
    assert "八廓街道" in window.windowTitle() or "བར་སྐོར" in window.windowTitle()
