"""File → Read scanned sheets… (issue 17): a pile from a scanner and a phone read in the
window, every doubtful box settled from the keyboard as in bulk entry, the ready sheets
entered with their ratings; the same pile read again adds nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from station_desktop.app import Application, open_application
from station_desktop.forms.activity import SIGN_IN_FORM
from station_desktop.paths import DataPaths
from station_desktop.pdf.page import LayoutLog
from station_desktop.scan.layout import page_layouts
from station_desktop.services.scanning import COMMENTS, Needs, SheetStatus
from station_desktop.store.models import FeedbackRating, FeedbackSheet, ScannedPage
from station_desktop.ui.attendance import AttendanceDialog
from station_desktop.ui.handwriting import HandwritingDialog
from station_desktop.ui.main_window import MainWindow
from station_desktop.ui.print_preview import PrintPreviewDialog
from station_desktop.ui.qt_i18n import LanguageSwitcher
from station_desktop.ui.scan_review import CommentDialog, ReviewPanel, ScanDialog, written_comment
from station_desktop.ui.sign_in_print import SignInPrintDialog
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
    # A crossed-out tick, a faint one and two ticks in one row are never read as sure
    # with another answer than the resident's (two ticks have none: "?").
    for sheet in pile.sheets:
        code = sheet.code
        assert code is not None
        truth = printed_pile.pages[(code.sheet, code.page)]
        for question in sheet.reading.questions:
            if question.sure:
                assert question.answer == truth.answers[question.key], (sheet.source, question)
    assert sum(len(s.open_questions()) for s in pile.sheets) >= 3

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
    qtbot.keyClick(panel, Qt.Key.Key_Return)  # every box checked: Enter enters the pile

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


def test_a_sheet_with_only_a_comment_is_entered_once_it_is_typed_from_its_image(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    template_db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(scans, "UNANSWERED", 1.0)  # nothing ticked: a comment on the back only
        pile_truth = scans.make_pile(app.printing, tmp_path, scanner=1, phone=0, first=7, seed=1)
    assert pile_truth.pages[(7, 2)].written == ["comments"]  # a comment on the back
    shown: list[bool] = []  # whether the dialog showed the image of the comment

    def exec_typing(dialog: CommentDialog) -> int:
        shown.append(not dialog.image.pixmap().isNull())
        dialog.editor.setPlainText("  希望多来看看我们  ")
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(CommentDialog, "exec", exec_typing)
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    dialog = window.read_scans()
    qtbot.addWidget(dialog)
    _read(dialog, qtbot, pile_truth.files)
    pile = dialog.pile
    assert pile is not None
    front, back = pile.sheets
    assert Needs.NOTHING in front.needs and back.status is SheetStatus.REVIEW
    assert written_comment(pile, front).startswith(b"\x89PNG")  # the back's handwriting
    assert not dialog.save_button.isEnabled()
    assert dialog.type_comment(1)  # the back's row leads to its front
    assert shown == [True] and front.comment == "希望多来看看我们"
    assert front.status is SheetStatus.READY and back.status is SheetStatus.READY
    assert dialog.save()
    with app.ctx.db.read() as session:
        (sheet,) = session.scalars(select(FeedbackSheet))
        assert sheet.sheet_no == "0007" and sheet.comments == "希望多来看看我们"
    # The image of that comment was typed on review: it is not asked again.
    assert COMMENTS not in {item.key for item in app.scanning.handwriting_to_type()}


def test_closing_the_dialog_while_a_pile_is_read_stops_the_reading(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    printed_pile: PileTruth,
) -> None:
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    dialog = window.read_scans()
    dialog.fields["service_date"].set_value(SERVICE_DATE)
    job = dialog.read(printed_pile.files)
    assert job is not None
    stopped: list[bool] = []
    job.stopped.connect(lambda: stopped.append(True))
    dialog.reject()
    qtbot.waitUntil(lambda: bool(stopped), timeout=WAIT_MS)  # stopped, not finished
    job.wait(WAIT_MS / 1000)  # the thread ends just after it says so
    assert not job.is_running()
    with app.ctx.db.read() as session:  # nothing was entered
        assert session.scalar(select(func.count()).select_from(FeedbackSheet)) == 0


def test_a_pile_read_before_its_date_of_service_is_ready_once_the_date_is_given(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    printed_pile: PileTruth,
) -> None:
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    dialog = window.read_scans()
    qtbot.addWidget(dialog)
    dialog.fields["service_area"].set_value("elderly_care")
    job = dialog.read(printed_pile.files[:1])  # the scanner's PDF, no date of service
    assert job is not None
    qtbot.waitUntil(lambda: dialog.pile is not None, timeout=WAIT_MS)
    pile = dialog.pile
    assert pile is not None
    fronts = [s for s in pile.sheets if s.code and s.code.page == 1]
    assert all(Needs.SERVICE_DATE in s.needs for s in fronts)
    for sheet, question in pile.review():  # the boxes settled as the residents meant them
        code = sheet.code
        assert code is not None
        meant = printed_pile.pages[(code.sheet, code.page)].answers.get(question.key, ())
        app.scanning.settle(pile, sheet, question.key, () if meant == ("?",) else meant)
    assert not dialog.save_button.isEnabled()
    dialog.fields["service_date"].set_value(SERVICE_DATE)
    qtbot.waitUntil(lambda: {s.status for s in pile.sheets} == {SheetStatus.READY}, timeout=5000)
    assert dialog.save_button.isEnabled()


def test_the_handwriting_of_entered_sheets_is_typed_from_its_images_with_the_keyboard(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    printed_pile: PileTruth,
) -> None:
    service = app.scanning
    values = service.pile_values({"service_date": SERVICE_DATE, "service_area": "elderly_care"})
    pile = service.read(printed_pile.files, values)
    for sheet, question in pile.review():
        assert sheet.code is not None
        meant = printed_pile.pages[(sheet.code.sheet, sheet.code.page)].answers[question.key]
        service.settle(pile, sheet, question.key, () if meant == ("?",) else meant)
    service.save(pile)
    waiting = service.handwriting_to_type()
    assert len(waiting) >= 3  # the pile's comments and names written by hand
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    dialog = window.type_handwriting()
    assert isinstance(dialog, HandwritingDialog)
    assert not dialog.image.pixmap().isNull()  # the handwriting, beside the field
    first = dialog.current()
    assert first is not None and first.sheet_no in dialog.heading.text()

    # Enter on an empty field keeps nothing and says why.
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return)
    assert dialog.error.text() and dialog.current() == first
    # Shift+Enter is a new line; Enter saves and shows the next image.
    dialog.editor.insertPlainText("ཚེ་རིང་")  # typed (keyClicks knows ASCII only)
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    dialog.editor.insertPlainText("扎西")
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Return)
    assert dialog.current() != first and dialog.editor.toPlainText() == ""
    typed = service.handwriting_to_type()
    assert len(typed) == len(waiting) - 1
    with app.ctx.db.read() as session:
        page = session.get(ScannedPage, first.page_id)
        assert page is not None and page.measures["typed"] == {first.key: "ཚེ་རིང་\n扎西"}
        if first.key == COMMENTS:
            kept = session.get(FeedbackSheet, first.sheet_id)
            assert kept is not None and kept.comments == "ཚེ་རིང་\n扎西"

    # Skip leaves one for later; "Nothing to type" takes a scribble off the list.
    skipped = dialog.current()
    dialog.skip_button.click()
    while dialog.current() is not None:
        dialog.nothing_button.click()
    assert not dialog.editor.isEnabled()
    assert (
        [(i.page_id, i.key) for i in service.handwriting_to_type()]
        == [(skipped.page_id, skipped.key)]
        if skipped is not None
        else []
    )
    dialog.close()


def test_a_sign_in_list_printed_from_the_activity_comes_back_scanned_as_attendance(
    app: Application,
    station: StationSetup,
    languages: LanguageSwitcher,
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    people = [
        app.residents.register(
            {"name_zh": f"居民{n}", "legal_basis": "statutory_duty", "area_id": station.area_id}
        )
        for n in range(8)
    ]
    activity = app.activities.record(
        {"kind": "group_work", "title": "老年人茶话会", "held_on": SERVICE_DATE}
    )
    window = MainWindow(app, languages)
    qtbot.addWidget(window)
    sign_in = window.open_record("activities", activity)
    assert isinstance(sign_in, AttendanceDialog)
    choice = sign_in.print_list()
    assert isinstance(choice, SignInPrintDialog)
    assert choice.make() is None  # no village chosen: said beside the field
    assert [e.field for e in choice.editor.errors()] == ["area_id"]
    choice.editor.set_values({"area_id": str(station.area_id)})
    job = choice.make()
    assert job is not None and choice.list_id is not None
    job.wait(30)
    qtbot.waitUntil(lambda: bool(sign_in.findChildren(PrintPreviewDialog)), timeout=WAIT_MS)
    printed = app.activities.sign_in_list(choice.list_id)
    assert printed is not None and set(printed.resident_ids) == set(people)

    # The list ticked on paper and photographed, read from File → Read scanned sheets….
    log = LayoutLog()
    pdf = app.printing.render([app.printing.sign_in_sheet(choice.list_id)], layout=log)
    layout = page_layouts(log, SIGN_IN_FORM)[1]
    sample = scans.make_sample(
        "list",
        scans.render_page(pdf.data, 0, 10.0),
        layout,
        10.0,
        "phone",
        np.random.default_rng(3),
        plain=True,
    )
    photo = tmp_path / "list.jpg"
    photo.write_bytes(sample.data)
    dialog = window.read_scans()
    qtbot.addWidget(dialog)
    _read(dialog, qtbot, [photo])
    assert dialog.pile is not None
    (sheet,) = dialog.pile.sheets
    assert sheet.kind == "sign_in" and sheet.status is not SheetStatus.REFUSED
    for key in [q.key for q in sheet.open_questions()]:
        app.scanning.settle(dialog.pile, sheet, key, sample.truth.answers[key])
    assert dialog.save()
    present = {
        printed.resident_ids[int(key.split(":")[1]) - 1]
        for key, answer in sample.truth.answers.items()
        if answer
    }
    assert present and {a.resident_id for a in app.activities.attendees(activity)} == present
    dialog.close()
    sign_in.close()
