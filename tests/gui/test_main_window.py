"""The main window over real services, driven like a user would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup
from tests.gui.conftest import type_text

pytestmark = pytest.mark.gui

PEOPLE = [("བཀྲ་ཤིས་ཚེ་རིང་", "扎西次仁"), ("སྒྲོལ་མ་", "卓玛"), ("", "王建国")]


@pytest.fixture
def window(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> MainWindow:
    for bo, zh in PEOPLE:
        app.residents.register({"name_bo": bo, "name_zh": zh, "legal_basis": "statutory_duty"})
    main = MainWindow(app, languages)
    qtbot.addWidget(main)
    main.show()
    return main


def _names(window: MainWindow, column: int = 1) -> list[str]:
    table = window.residents_page.table
    return [table.item(r, column).text() for r in range(table.rowCount())]  # type: ignore[union-attr]


def test_search_as_you_type_in_any_script(window: MainWindow, qtbot: QtBot) -> None:
    page = window.residents_page
    assert page.table.rowCount() == 3
    for query, expected in [("zhaxi", "扎西次仁"), ("སྒྲོལ", "卓玛"), ("Tashi", "扎西次仁")]:
        page.search_box.clear()
        type_text(page.search_box, query)

        def shows_only(name: str = expected) -> bool:
            return _names(window) == [name]

        qtbot.waitUntil(shows_only, timeout=2000)


def test_names_sort_in_the_readers_order(window: MainWindow, languages: LanguageSwitcher) -> None:
    assert _names(window) == ["王建国", "扎西次仁", "卓玛"]  # pinyin: wang, zha, zhuo
    languages.switch("bo")
    window.residents_page.refresh()
    # Tibetan dictionary order: བཀྲ (root ཀ) before སྒྲོལ (root ག); no Tibetan name last.
    assert _names(window, column=0) == ["བཀྲ་ཤིས་ཚེ་རིང་", "སྒྲོལ་མ་", ""]


def test_ctrl_f_goes_to_the_search_box(window: MainWindow, qtbot: QtBot) -> None:
    window.nav.setCurrentRow(2)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentIndex() == 0


def test_window_remembers_its_page(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    first = MainWindow(app, languages)
    qtbot.addWidget(first)
    first.nav.setCurrentRow(3)
    first.close()
    second = MainWindow(app, languages)
    qtbot.addWidget(second)
    assert second.nav.currentRow() == 3


def test_a_new_visit_from_the_menu_appears_in_the_list(
    window: MainWindow, app: Application, station: StationSetup, qtbot: QtBot
) -> None:
    resident = app.residents.search("卓玛")[0]
    window.nav.setCurrentRow(1)  # home visits
    before = window.record_pages[0].table.rowCount()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(RecordDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.editor.set_values(
        {
            "resident_id": str(resident.id),
            "visit_date": "2026-05-30",
            "visitor_ids": [str(station.worker_id)],
            "outcome": "at_home",
            "purpose": "routine",
            "situation": "གནས་ཚུལ་བཟང་། 情况良好",
        }
    )
    assert dialog.save()
    qtbot.waitUntil(lambda: window.record_pages[0].table.rowCount() == before + 1, timeout=2000)
    # The draft kept while typing is gone once the visit is saved.
    assert list(app.paths.drafts.glob("draft-*.json")) == []
