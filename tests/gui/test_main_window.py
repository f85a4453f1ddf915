"""The main window over real services, driven like a user would."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.domain.codes import StaffRole
from station_desktop.services.access import Actor
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup
from tests.gui.conftest import type_text

pytestmark = [pytest.mark.gui, pytest.mark.both_engines]

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
    model = window.residents_page.model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def test_search_as_you_type_in_any_script(window: MainWindow, qtbot: QtBot) -> None:
    page = window.residents_page
    assert page.model.rowCount() == 3
    for query, expected in [("zhaxi", "扎西次仁"), ("སྒྲོལ", "卓玛"), ("Tashi", "扎西次仁")]:
        page.search_box.clear()
        type_text(page.search_box, query)

        def shows_only(name: str = expected) -> bool:
            return _names(window) == [name]

        qtbot.waitUntil(shows_only, timeout=2000)


def test_names_sort_in_the_readers_order(window: MainWindow, languages: LanguageSwitcher) -> None:
    assert _names(window) == ["王建国", "扎西次仁", "卓玛"]  # pinyin: wang, zha, zhuo
    languages.switch("bo")
    QApplication.processEvents()
    # Tibetan order: བཀྲ (root ཀ) before སྒྲོལ (root ག); no Tibetan name last.
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


def test_filters_narrow_the_list_and_the_search(
    window: MainWindow, app: Application, station: StationSetup, qtbot: QtBot
) -> None:
    tashi = app.residents.search("扎西次仁")[0]
    app.residents.add_membership(tashi.id, {"group": "elderly_alone", "start_date": "2024-01-01"})
    app.residents.update(tashi.id, {"area_id": station.other_area_id})
    page = window.residents_page
    page.refresh()
    page.group_filter.setCurrentIndex(page.group_filter.findData("elderly_alone"))
    assert _names(window) == ["扎西次仁"]
    page.group_filter.setCurrentIndex(0)
    page.area_filter.setCurrentIndex(page.area_filter.findData(str(station.other_area_id)))
    assert _names(window) == ["扎西次仁"]
    page.area_filter.setCurrentIndex(0)
    app.cases.open(
        {
            "resident_id": tashi.id,
            "opened_on": "2026-05-01",
            "source": "self",
            "presenting_problem": "x",
        }
    )
    page.open_case_filter.setChecked(True)
    assert _names(window) == ["扎西次仁"]
    page.search_box.setText("卓玛")  # a search inside the filter: nobody
    page.refresh()
    assert _names(window) == []


def test_the_paged_model_is_a_correct_qt_model(
    window: MainWindow, app: Application, qtmodeltester: object
) -> None:
    from station_desktop.demo.generator import DemoSize, generate_demo

    generate_demo(app, DemoSize(residents=450), seed=3)
    # The demo puts several stations on the laptop: someone who may see them all.
    app.ctx.actor = Actor(uuid.uuid4(), StaffRole.AUDITOR, None)
    page = window.residents_page
    page.refresh()
    model = page.model
    assert model.rowCount() == 200 and model.canFetchMore()
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    while model.canFetchMore():
        model.fetchMore()
    names = [model.data(model.index(r, 1)) for r in range(model.rowCount())]
    assert model.rowCount() == 453  # every resident once, across pages
    assert len({model.row(r)["id"] for r in range(model.rowCount())}) == 453
    keys = [model.row(r) for r in range(model.rowCount())]
    assert keys and names


def test_pages_are_switched_with_the_keyboard(window: MainWindow, qtbot: QtBot) -> None:
    control, alt = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier
    window.activateWindow()
    window.nav.setCurrentRow(0)
    qtbot.keyClick(window, Qt.Key.Key_PageDown, control)  # type: ignore[no-untyped-call]
    assert window.pages.currentIndex() == 1
    qtbot.keyClick(window, Qt.Key.Key_PageUp, control)  # type: ignore[no-untyped-call]
    qtbot.keyClick(window, Qt.Key.Key_PageUp, control)  # type: ignore[no-untyped-call]
    assert window.pages.currentWidget() is window.settings_page  # round to the last page
    qtbot.keyClick(window, Qt.Key.Key_7, alt)  # type: ignore[no-untyped-call]
    assert window.pages.currentWidget() is window.followups_page


def _choose_worker(window: MainWindow, name: str) -> None:
    """One click on the worker's button opens the list; a second chooses."""
    menu = window.worker_button.menu()
    assert menu is not None
    menu.aboutToShow.emit()
    [action] = [a for a in menu.actions() if a.text() == name]
    action.trigger()


def test_the_chosen_worker_signs_what_is_written_and_is_remembered(
    window: MainWindow,
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
) -> None:
    assert window.worker_button.text() == "当前工作人员：未选择"  # nobody on a new laptop
    _choose_worker(window, "卓玛")
    assert window.worker_button.text() == "当前工作人员：卓玛"
    assert window.windowTitle().endswith("八廓街道 · 卓玛")  # also in the taskbar
    resident = app.residents.search("卓玛")[0].id
    case = app.cases.open(
        {
            "resident_id": resident,
            "opened_on": "2026-05-10",
            "source": "self",
            "presenting_problem": "x",
        }
    )
    note = app.cases.add_note(case, "2026-05-11", "第一次")
    assert [n.author_id for n in app.cases.notes(case) if n.id == note] == [station.worker_id]
    # A new visit: today's date, and the worker ticked as a visitor.
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(RecordDialog)
    assert dialog is not None
    assert dialog.editor.values()["visit_date"] == "2026年6月1日"
    assert dialog.editor.values()["visitor_ids"] == [str(station.worker_id)]
    assert not dialog.editor.is_dirty()  # closing it asks nothing
    dialog.reject()
    app.ctx.actor_id = None  # as on the next start of the program:
    assert app.stations.restore_worker() is not None  # remembered on this laptop
    again = MainWindow(app, languages)
    qtbot.addWidget(again)
    assert again.worker_button.text() == "当前工作人员：卓玛"
    assert app.ctx.actor_id == station.worker_id


def test_the_worker_button_shows_the_whole_name_after_a_change(
    window: MainWindow, app: Application, languages: LanguageSwitcher
) -> None:
    button = window.worker_button
    languages.switch("en")
    languages.switch("zh_CN")  # a longer text than the English one
    assert button.width() >= button.sizeHint().width()
    app.stations.add_staff("", "次仁旺堆平措", StaffRole.SOCIAL_WORKER)
    _choose_worker(window, "次仁旺堆平措")  # a longer name than "nobody chosen"
    assert button.text() == "当前工作人员：次仁旺堆平措"
    assert button.width() >= button.sizeHint().width()
    assert window.menuBar().rect().contains(button.geometry())


def test_a_search_then_down_and_enter_opens_the_residents_page(
    window: MainWindow, app: Application, qtbot: QtBot
) -> None:
    from station_desktop.ui.resident_page import ResidentWindow

    page = window.residents_page
    window.activateWindow()
    page.search_box.setFocus()
    type_text(page.search_box, "卓玛")
    page.refresh()
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)  # type: ignore[no-untyped-call]
    assert page.table.hasFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    [opened] = [w for w in window.findChildren(ResidentWindow) if w.isVisible()]
    assert opened.resident_id == app.residents.search("卓玛")[0].id
    assert window.open_resident(opened.resident_id) is opened  # raised, not opened twice
    opened.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_enter_on_a_case_opens_its_page_which_prints(
    window: MainWindow, app: Application, qtbot: QtBot
) -> None:
    from station_desktop.ui.case_page import CaseWindow
    from station_desktop.ui.print_preview import PrintPreviewDialog

    case = app.cases.open(
        {
            "resident_id": app.residents.search("卓玛")[0].id,
            "opened_on": "2026-05-10",
            "source": "self",
            "presenting_problem": "独居，需要陪伴",
        }
    )
    page = window.record_pages[1]  # cases
    window.nav.setCurrentRow(window.pages.indexOf(page))
    page.refresh()
    page.table.selectRow(0)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # type: ignore[no-untyped-call]
    [opened] = [w for w in window.findChildren(CaseWindow) if w.isVisible()]
    assert opened.case_id == case
    opened.print_requested.emit(case)
    qtbot.waitUntil(lambda: bool(window.findChildren(PrintPreviewDialog)), timeout=20_000)
    for dialog in window.findChildren(PrintPreviewDialog):
        dialog.close()
    opened.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_case_opened_from_the_menu_goes_on_to_its_page(
    window: MainWindow, app: Application, qtbot: QtBot
) -> None:
    from station_desktop.ui.case_page import CaseWindow

    _title, spec, save = window.record_kinds()[3]
    form = window.open_record_dialog(spec, save)
    form.editor.set_values(
        {
            "resident_id": str(app.residents.search("卓玛")[0].id),
            "opened_on": "2026-05-10",
            "source": "self",
            "presenting_problem": "独居，需要陪伴",
        }
    )
    assert form.save(), form.editor.errors()
    [opened] = [w for w in window.findChildren(CaseWindow) if w.isVisible()]
    assert opened.case_id == form.saved_id
    opened.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_residents_page_comes_back_at_the_size_it_was_left(
    window: MainWindow, app: Application
) -> None:
    resident = app.residents.search("卓玛")[0].id
    first = window.open_resident(resident)
    first.resize(700, 520)  # inside the offscreen screen (800 × 600)
    left = (first.width(), first.height())  # the page may keep a minimum height
    assert left != (1180, 820)  # not its first-opening size
    first.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    again = window.open_resident(resident)
    assert (again.width(), again.height()) == left
    again.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_the_main_window_comes_back_at_the_size_it_was_left(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    first = MainWindow(app, languages)
    qtbot.addWidget(first)
    first.show()
    first.resize(720, 560)
    left = (first.width(), first.height())
    first.close()
    second = MainWindow(app, languages)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == left != (1100, 700)


def test_a_registration_with_groups_and_a_new_household_opens_the_residents_page(
    window: MainWindow, app: Application, station: StationSetup, qtbot: QtBot
) -> None:
    from station_desktop.forms.resident import NEW_HOUSEHOLD
    from station_desktop.ui.forms.fields import CheckList, ReferenceField
    from station_desktop.ui.resident_page import ResidentWindow

    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(RecordDialog)
    assert dialog is not None
    household = dialog.editor.field("household_id")
    assert isinstance(household, ReferenceField) and household.search.isEnabled()
    # Starting a household is offered before anything is typed.
    assert household.combo.findData(NEW_HOUSEHOLD) > 0
    groups = dialog.editor.field("priority_groups")
    assert isinstance(groups, CheckList) and groups.list.count() == 5
    dialog.editor.set_values(
        {
            "name_zh": "达瓦",
            "legal_basis": "statutory_duty",
            "area_id": str(station.area_id),
            "household_id": NEW_HOUSEHOLD,
            "priority_groups": ["dibao"],
        }
    )
    assert dialog.save(), dialog.editor.errors()
    page = next(w for w in window.findChildren(ResidentWindow) if w.isVisible())
    [dawa] = app.residents.search("达瓦")
    assert page.resident_id == dawa.id  # registered, and its page is open
    assert [m.group for m in app.residents.memberships(dawa.id)] == ["dibao"]
    assert dawa.household_id is not None and dawa.household_relation == "head"
