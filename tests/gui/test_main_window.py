"""The main window over real services, driven like a user would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.ui.main_window import MainWindow
from tests.conftest import StationSetup
from tests.gui.conftest import type_text

pytestmark = pytest.mark.gui


@pytest.fixture
def window(app: Application, station: StationSetup, qtbot: QtBot) -> MainWindow:
    for bo, zh in [("བཀྲ་ཤིས་ཚེ་རིང་", "扎西次仁"), ("སྒྲོལ་མ་", "卓玛"), ("", "王建国")]:
        app.residents.register({"name_bo": bo, "name_zh": zh, "legal_basis": "statutory_duty"})
    main = MainWindow(app)
    qtbot.addWidget(main)
    main.show()
    return main


def test_search_as_you_type_in_any_script(window: MainWindow, qtbot: QtBot) -> None:
    page = window.residents_page
    assert page.table.rowCount() == 3
    for query, expected in [("zhaxi", "扎西次仁"), ("སྒྲོལ", "卓玛"), ("Tashi", "扎西次仁")]:
        page.search_box.clear()
        type_text(page.search_box, query)

        def shows_only(name: str = expected) -> bool:
            item = page.table.item(0, 1)
            return page.table.rowCount() == 1 and item is not None and item.text() == name

        qtbot.waitUntil(shows_only, timeout=2000)


def test_ctrl_f_goes_to_the_search_box(window: MainWindow, qtbot: QtBot) -> None:
    window.nav.setCurrentRow(2)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentIndex() == 0
    assert window.residents_page.search_box.hasFocus() or not window.isActiveWindow()


def test_window_remembers_its_page(app: Application, station: StationSetup, qtbot: QtBot) -> None:
    first = MainWindow(app)
    qtbot.addWidget(first)
    first.nav.setCurrentRow(3)
    first.close()
    second = MainWindow(app)
    qtbot.addWidget(second)
    assert second.nav.currentRow() == 3
