"""File → Read scanned sheets… (issue 17): a pile from a scanner and a phone read in the
window, every doubtful box settled from the keyboard as in bulk entry, the ready sheets
entered with their ratings; the same pile read again adds nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from station_desktop.app import Application, open_application
from station_desktop.paths import DataPaths
from station_desktop.services.scanning import SheetStatus
from station_desktop.store.models import FeedbackRating, FeedbackSheet, ScannedPage
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.scan_review import ReviewPanel, ScanDialog
from tests import scans
from tests.conftest import FakeClock, StationSetup
from tests.scans import PileTruth
from tests.unit.test_scan import _setup_station

pytestmark = pytest.mark.gui
WAIT_MS = 120_000  # a busy 2-core machine
SERVICE_DATE = "2026-05-30"


@pytest.fixture(scope="module")
def printed_pile(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> PileTruth:
    """Three sheets (two from a scanner, one photographed), printed by station CG-BK, each
    with a tick crossed out and put elsewhere, a faint tick and two ticks in one row."""
    paths = DataPaths(tmp_path_factory.mktemp("printing") / "data")
    paths.root.mkdir()
    shutil.copyfile(template_db, paths.database)
    with open_application(paths, clock=FakeClock()) as app, pytest.MonkeyPatch.context() as mp:
        _setup_station(app)
        for chance in ("CROSSED_OUT", "FAINT", "TWO_TICKS"):
            mp.setattr(scans, chance, 1.0)
        return scans.make_pile(
            app.printing, tmp_path_factory.mktemp("pile"), scanner=2, phone=1, first=61, seed=5
        )


def _read(dialog: ScanDialog, qtbot: QtBot, files: list[Path]) -> None:
    dialog.fields["service_date"].set_value(SERVICE_DATE)
    dialog.fields["service_area"].set_value("elderly_care")
    before = dialog.pile
    job = dialog.read(files)
    assert job is not None and not dialog.choose_button.isEnabled()  # one pile at a time
    qtbot.waitUntil(lambda: dialog.pile not in (None, before), timeout=WAIT_MS)
    assert dialog.choose_button.isEnabled()


def _key_for(panel: ReviewPanel, meant: tuple[str, ...]) -> Qt.Key:
    """The key a person presses for what the resident meant: Enter when the blue proposal
    is right, else the choice's number (0: no answer)."""
    if panel.proposed() == meant:
        return Qt.Key.Key_Return
    answers = [answer for answer, _label in panel.options()]
    if not meant:
        return Qt.Key.Key_0
    return Qt.Key(Qt.Key.Key_1 + answers.index(meant))


def test_a_pile_is_read_settled_from_the_keyboard_and_entered_once(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    printed_pile: PileTruth,
) -> None:
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    assert window._scan_action.text() == "读取扫描的表单…"
    dialog = window.read_scans()
    qtbot.addWidget(dialog)
    _read(dialog, qtbot, printed_pile.files)
    pile = dialog.pile
    assert pile is not None and len(pile.sheets) == 6
    assert not pile.with_status(SheetStatus.REFUSED)
    assert dialog.table.rowCount() == 6

    panel = dialog.review
    checked = 0
    while panel.current is not None:
        sheet, question = panel.current
        code = sheet.code
        assert code is not None
        meant = printed_pile.pages[(code.sheet, code.page)].answers.get(question.key, ())
        if meant == ("?",):  # two ticks where one answer is asked: the person says none
            meant = ()
        qtbot.keyClick(panel, _key_for(panel, meant))
        checked += 1
        assert checked < 50
    assert checked >= 3  # every sheet held doubtful marks
    assert {s.status for s in pile.sheets} == {SheetStatus.READY}
    assert dialog.save_button.isEnabled()
    assert dialog.save()

    with app.ctx.db.read() as session:
        sheets = list(session.scalars(select(FeedbackSheet)))
        assert sorted(s.sheet_no for s in sheets) == ["0061", "0062", "0063"]
        for sheet in sheets:
            meant = printed_pile.pages[(int(sheet.sheet_no), 1)].answers
            levels = dict(
                session.execute(
                    select(FeedbackRating.dimension, FeedbackRating.level).where(
                        FeedbackRating.sheet_id == sheet.id
                    )
                ).all()
            )
            for key, answer in meant.items():
                if key.startswith("rating_") and answer not in ((), ("?",)):
                    assert levels[key.removeprefix("rating_")] == int(answer[0])
        assert session.scalar(select(func.count()).select_from(ScannedPage)) == 6
    assert not dialog.save_button.isEnabled()

    # The same pile again: every page is known, nothing to enter.
    _read(dialog, qtbot, printed_pile.files)
    assert dialog.pile is not None
    assert len(dialog.pile.with_status(SheetStatus.REFUSED)) == 6
    assert not dialog.save_button.isEnabled()
    with app.ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(FeedbackSheet)) == 3
    dialog.close()
