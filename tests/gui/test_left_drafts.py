"""At start-up after a crash: the drafts left are named, and each reopens in its form with
the typing back in it; forms do not block the main window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.drafts import DraftStore
from station_desktop.ui.case_page import CaseWindow
from station_desktop.ui.forms.editor import RecordDialog
from station_desktop.ui.left_drafts import offer_left_drafts
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from tests.conftest import StationSetup
from tests.gui.conftest import answer_message_boxes

pytestmark = pytest.mark.gui


@pytest.fixture
def window(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> MainWindow:
    main = MainWindow(app, languages)
    qtbot.addWidget(main)
    main.show()
    return main


def test_drafts_left_by_a_crash_are_named_and_reopened(
    window: MainWindow,
    app: Application,
    station: StationSetup,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resident = app.residents.register({"name_zh": "次仁", "legal_basis": "statutory_duty"})
    case = app.cases.open(
        {
            "resident_id": resident,
            "opened_on": "2026-05-01",
            "source": "self",
            "presenting_problem": "x",
        }
    )
    drafts = DraftStore(app.paths.drafts)
    drafts.save("HV-01:new", "HV-01", 1, {"companions": "村医"})
    drafts.save(f"CS-01-NOTE:{case}", "CS-01-NOTE", 1, {"body": "电话回访"})
    drafts.save("GM-END:somewhere", "GM-END", 1, {"end_date": "2026-05-30"})
    answers = answer_message_boxes(monkeypatch)
    dialog = offer_left_drafts(window, drafts)
    assert dialog is not None
    texts = [dialog.list.item(row).text() for row in range(dialog.list.count())]  # type: ignore[union-attr]
    assert len(texts) == 3 and any(t.startswith("入户探访记录") for t in texts)
    [unknown] = [row for row, text in enumerate(texts) if text.startswith("终止重点人群")]
    item = dialog.list.item(unknown)
    assert item is not None and not item.flags() & Qt.ItemFlag.ItemIsEnabled
    with qtbot.waitSignal(dialog.accepted):  # done: nothing more it can reopen
        dialog.reopen_all()
    QApplication.processEvents()
    forms = {d.editor.spec.code: d for d in window.findChildren(RecordDialog) if d.isVisible()}
    assert forms["HV-01"].editor.values()["companions"] == "村医"  # back, without a question
    note = forms["CS-01-NOTE"]
    assert note.editor.values()["body"] == "电话回访"
    assert any(w.case_id == case for w in window.findChildren(CaseWindow))
    assert answers.asked == []
    assert drafts.load("GM-END:somewhere") is not None  # not reopened here: kept


def test_no_drafts_nothing_said(window: MainWindow, app: Application) -> None:
    assert offer_left_drafts(window, DraftStore(app.paths.drafts)) is None


def test_a_form_leaves_the_main_window_usable(
    window: MainWindow, app: Application, qtbot: QtBot
) -> None:
    app.residents.register({"name_zh": "次仁", "legal_basis": "statutory_duty"})
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    form = window.findChild(RecordDialog)
    assert form is not None and form.isVisible()
    assert form.windowModality() == Qt.WindowModality.NonModal
    assert QApplication.activeModalWidget() is None
    # Asked for again, the same form comes to the front: never two on one draft.
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert len([d for d in window.findChildren(RecordDialog) if d.isVisible()]) == 1
    page = window.residents_page
    page.search_box.setText("次仁")
    page.refresh()
    assert page.model.rowCount() == 1  # the search works while the form is open
