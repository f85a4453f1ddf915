"""The window offers what the person's role may do (services/access.py decides; the window
only hides the rest), and reveals an ID number on request."""

from __future__ import annotations

import uuid

import pytest
from pytestqt.qtbot import QtBot

from station_desktop.app import Application
from station_desktop.domain.codes import CaseStage, StaffRole
from station_desktop.services.access import Actor
from station_desktop.ui.case_page import CaseWindow
from station_desktop.ui.forms.fields import ChoiceCombo
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.resident_page import ResidentWindow
from tests.conftest import StationSetup
from tests.gui.conftest import Answers, answer_message_boxes

pytestmark = pytest.mark.gui

ID_NUMBER, MASKED = "11010519491231002X", "110105********002X"


@pytest.fixture(autouse=True)
def answers(monkeypatch: pytest.MonkeyPatch) -> Answers:
    return answer_message_boxes(monkeypatch)


@pytest.fixture
def resident(app: Application, station: StationSetup) -> uuid.UUID:
    return app.residents.register(
        {
            "name_zh": "卓嘎",
            "sex": "female",
            "birth_date": "1949-12-31",
            "id_number": ID_NUMBER,
            "legal_basis": "statutory_duty",
        }
    )


def _case(app: Application, resident: uuid.UUID, worker: uuid.UUID) -> uuid.UUID:
    return app.cases.open(
        {
            "resident_id": resident,
            "opened_on": "2026-03-01",
            "source": "self",
            "worker_id": worker,
            "presenting_problem": "生活困难",
        }
    )


def test_the_worker_button_makes_the_window_act_with_that_persons_role(
    app: Application,
    station: StationSetup,
    resident: uuid.UUID,
    languages: LanguageSwitcher,
    qtbot: QtBot,
) -> None:
    own = _case(app, resident, station.worker_id)
    _case(app, resident, station.head_id)
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    [cases] = [page for page in window.record_pages if page.page.kind == "cases"]
    cases.refresh()
    assert cases.table.rowCount() == 2
    new_actions = [action for action, _title in window._new_actions]
    assert all(action.isVisible() for action in new_actions)  # the station head
    assert window.file_menu.import_action.isVisible()

    app.stations.choose_worker(station.worker_id)
    window.worker_button.changed.emit()
    assert app.ctx.actor == Actor(station.worker_id, StaffRole.SOCIAL_WORKER, station.station_id)
    assert not window.file_menu.import_action.isVisible()  # rosters: head and bureau
    assert all(action.isVisible() for action in new_actions)  # a worker records them all
    cases.refresh()
    assert cases.table.rowCount() == 1  # their own case only
    record = cases.table.record(0)
    assert record is not None and record["id"] == str(own)


def test_a_social_worker_cannot_close_or_touch_someone_elses_case(
    app: Application,
    station: StationSetup,
    resident: uuid.UUID,
    languages: LanguageSwitcher,
    qtbot: QtBot,
) -> None:
    own, others = _case(app, resident, station.worker_id), _case(app, resident, station.head_id)
    app.ctx.actor = Actor(station.worker_id, StaffRole.SOCIAL_WORKER, station.station_id)

    page = CaseWindow(app, languages, own)
    qtbot.addWidget(page)
    assert page.buttons["add_note"].isEnabled() and page.buttons["move_stage"].isEnabled()
    dialog = page.move_stage()
    assert dialog is not None
    to_stage = dialog.editor.field("to_stage")
    assert isinstance(to_stage, ChoiceCombo)
    offered = [to_stage.combo.itemData(i) for i in range(1, to_stage.combo.count())]
    assert offered == [CaseStage.ASSESSMENT.value]  # not "closed": the head closes
    dialog.reject()

    refused = CaseWindow(app, languages, others)  # not theirs: nothing shown, nothing to do
    qtbot.addWidget(refused)
    assert refused.case is None
    assert not any(button.isEnabled() for button in refused.buttons.values())


def test_a_resident_page_shows_the_number_masked_until_revealed(
    app: Application,
    station: StationSetup,
    resident: uuid.UUID,
    languages: LanguageSwitcher,
    qtbot: QtBot,
) -> None:
    app.ctx.actor = Actor(station.worker_id, StaffRole.SOCIAL_WORKER, station.station_id)
    page = ResidentWindow(app, languages, resident)
    qtbot.addWidget(page)
    page.show()
    shown = page.detail_values["id_number"]
    assert shown.text() == MASKED and page.reveal_button.isVisible()
    page.reveal_button.click()
    assert shown.text() == ID_NUMBER and not page.reveal_button.isVisible()

    app.ctx.actor = Actor(uuid.uuid4(), StaffRole.AUDITOR, None)  # may not reveal, nor edit
    page = ResidentWindow(app, languages, resident)
    qtbot.addWidget(page)
    page.show()
    assert page.detail_values["id_number"].text() == MASKED
    assert not page.reveal_button.isVisible() and not page.edit_button.isEnabled()


def test_pages_offer_saving_and_submitting_only_to_roles_that_may(
    app: Application, station: StationSetup, languages: LanguageSwitcher, qtbot: QtBot
) -> None:
    from station_desktop.ui.reports_page import ReportsPage
    from station_desktop.ui.settings_page import SettingsPage

    app.ctx.actor = Actor(station.worker_id, StaffRole.SOCIAL_WORKER, station.station_id)
    reports, settings = ReportsPage(app, languages), SettingsPage(app, languages)
    for page in (reports, settings):
        qtbot.addWidget(page)
        page.show()
    assert reports.compute_button.isVisible() and not reports.submit_button.isVisible()
    assert reports.save_button.isVisible()  # the station's figures, no one's details
    assert not settings.save_button.isVisible()

    app.ctx.actor = Actor(uuid.uuid4(), StaffRole.AUDITOR, None)
    reports.offer_what_the_role_may()
    assert not reports.save_button.isVisible()  # reads only, no copies out

    app.ctx.actor = Actor(station.head_id, StaffRole.STATION_HEAD, station.station_id)
    for page in (reports, settings):
        page.offer_what_the_role_may()
    assert reports.submit_button.isVisible() and reports.save_button.isVisible()
    assert settings.save_button.isVisible() and settings.defaults_button.isVisible()
