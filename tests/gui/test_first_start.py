"""A new laptop set up from the window: the station, the people, who is working; then a
visit recorded, with nothing typed on a command line."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.ui.first_start import (
    FirstStartDialog,
    WorkerDialog,
    missing_setup,
    ready_to_work,
)
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup
from tests.gui.conftest import answer_message_boxes, type_text

pytestmark = pytest.mark.gui


def _dialog(app: Application, languages: LanguageSwitcher, qtbot: QtBot) -> FirstStartDialog:
    dialog = FirstStartDialog(app, languages)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2000)
    return dialog


def test_a_newcomer_sets_up_a_real_station_and_records_a_visit(
    app: Application, languages: LanguageSwitcher, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert missing_setup(app) == ("station", "worker")
    dialog = _dialog(app, languages, qtbot)
    # The person picks their language first; the whole screen follows at once.
    dialog.languages.buttons["bo"].click()
    QApplication.processEvents()
    assert languages.current == "bo"
    assert dialog.windowTitle() == "པང་འཛིན་རྩིས་འཁོར་འདི་སྒྲིག་འགོད"
    type_text(dialog.station_step.search, "娘热")
    assert dialog.station_step.list.count() == 1  # found, and chosen as the only match
    assert dialog.station_step.list.item(0).text().startswith("ཉང་བྲན་ཁྲོམ་གཞུང་ · 娘热街道")
    dialog.next_button.click()
    station = app.stations.current_station()
    assert station is not None and station.name_zh == "娘热街道"
    assert dialog.steps.currentWidget() is dialog.people_step
    # Starting with nobody named is refused with a reason.
    answers = answer_message_boxes(monkeypatch)
    information: list[str] = []
    monkeypatch.setattr(
        "PySide6.QtWidgets.QMessageBox.information",
        lambda _parent, _title, text, *rest: information.append(text),
    )
    dialog.next_button.click()
    assert information and dialog.isVisible()
    # A person without a name is refused beside the form.
    dialog.people_step.add_button.click()
    assert dialog.people_step.problem.isVisible()
    type_text(dialog.people_step.name_bo, "སྒྲོལ་མ་")
    type_text(dialog.people_step.name_zh, "卓玛")
    dialog.people_step.add_button.click()
    assert not dialog.people_step.problem.isVisible()
    assert dialog.people_step.people.count() == 1
    assert dialog.people_step.chosen() is not None  # the only person, chosen
    dialog.next_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    worker = app.stations.current_worker()
    assert worker is not None and worker.name_zh == "卓玛" and worker.station_id == station.id
    assert missing_setup(app) == ()
    assert answers.warnings == []

    # The main window, and a visit recorded there: a resident first.
    languages.switch("zh_CN")
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    assert window.worker_button.text() == "当前工作人员：卓玛"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    register = window.findChild(RecordDialog)
    assert register is not None
    village = str(app.stations.areas()[0].id)
    register.editor.set_values(
        {"name_zh": "次仁", "legal_basis": "statutory_duty", "area_id": village}
    )
    assert register.save(), register.editor.errors()
    [resident] = app.residents.search("次仁")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    visit = next(d for d in window.findChildren(RecordDialog) if d.isVisible())
    visit.editor.set_values(
        {"resident_id": str(resident.id), "outcome": "at_home", "purpose": "routine"}
    )
    assert visit.save(), visit.editor.errors()  # date and visitor were already there
    [row] = app.listing.records("visits")
    assert row["visit_date"] == "2026-06-01" and row["visitor_ids"] == [str(worker.id)]


def test_cancelling_the_first_start_starts_nothing(
    app: Application, languages: LanguageSwitcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FirstStartDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    assert not ready_to_work(app, languages)
    assert app.stations.current_station() is None


def test_a_station_without_a_worker_asks_only_who_is_working(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    assert missing_setup(app) == ("worker",)
    dialog = WorkerDialog(app)
    qtbot.addWidget(dialog)
    dialog.show()
    names = [dialog.panel.people.item(r).text() for r in range(dialog.panel.people.count())]
    assert names == ["卓玛 · 社会工作者", "罗布 · 站长"]
    dialog.panel.people.setCurrentRow(0)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert app.ctx.actor_id == station.worker_id


def test_the_station_list_is_searched_in_either_script_and_by_code(
    app: Application, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    dialog = _dialog(app, languages, qtbot)
    step = dialog.station_step
    assert step.list.count() == 65
    searches = (("八廓", "540102002"), ("བར་སྐོར", "540102002"), ("540127205", "540127205"))
    for query, expected in searches:
        step.search.setText(query)
        assert step.list.count() == 1, query
        chosen = step.chosen()
        assert chosen is not None and chosen.code == expected
    step.search.setText("德庆镇")  # two towns of that name, told apart by their districts
    texts = [step.list.item(r).text() for r in range(step.list.count())]
    assert len(texts) == 2
    assert any("堆龙德庆区" in t for t in texts) and any("达孜区" in t for t in texts)
    step.search.setText("")
    step.search.setFocus()
    qtbot.keyClick(step.search, Qt.Key.Key_Down)
    assert step.list.hasFocus() and step.list.currentRow() == 0
