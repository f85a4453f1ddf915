"""Paper read back (issue 17): piles of scanned feedback sheets and sign-in lists entered,
the doubtful boxes left to a person, nothing entered twice, and every page that cannot be
read kept aside with its reason.

The sheets are the program's own printing, filled in and scanned by the generator of
tests/scans.py (fixed seeds): a small labelled set made at test time."""

from __future__ import annotations

import base64
import dataclasses
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from station_desktop.app import Application, open_application
from station_desktop.domain.codes import AreaKind, FeedbackDimension, StationKind
from station_desktop.errors import StationError, ValidationError
from station_desktop.forms.feedback import rating_key
from station_desktop.paths import DataPaths
from station_desktop.pdf.page import QrPayload, qr_matrix
from station_desktop.scan.layout import Area, Choice, PageLayout, Question
from station_desktop.scan.measure import RESOLUTION, BoxMeasure, Stroke, longest_stroke
from station_desktop.scan.pages import decode_image
from station_desktop.scan.reader import (
    BoxState,
    Doubt,
    KnownPage,
    Refusal,
    Thresholds,
    decide,
    read_page,
)
from station_desktop.services.scanning import (
    COMMENTS,
    READER_VERSION,
    TYPED,
    TYPED_AREAS,
    Needs,
    ScanPile,
    SheetStatus,
)
from station_desktop.services.stations import StationInfo
from station_desktop.store.models import Attendance, FeedbackRating, FeedbackSheet, ScannedPage
from tests.conftest import FakeClock, StationSetup
from tests.scans import (
    Ink,
    Pen,
    PileTruth,
    make_pile,
    make_sample,
    printed_feedback_sheets,
    render_page,
    scanned,
)

SCALE = 10.0  # px/mm the printed pages are rasterised at before they are "scanned"
SERVICE_DATE = "2026-05-30"


@dataclass
class Printed:
    """Paper printed once for the module (by a laptop of station CG-BK, as the `station`
    fixture's): a small pile with its truth, and pages to be refused."""

    folder: Path
    pile: PileTruth
    other_station: Path  # a blank sheet of station DZ-TJ
    visit: Path  # a blank home-visit form (not read from scans)
    plain: dict[int, bytes]  # a clearly filled sheet's front turned 0–3 quarters
    plain_truth: dict[int, dict[str, tuple[str, ...]]]
    blank_front: np.ndarray  # a blank sheet's front at SCALE px/mm...
    front_layout: PageLayout  # ...and its layout


def _setup_station(app: Application) -> None:
    app.stations.add_station(
        StationInfo("CG-BK", StationKind.STREET_OFFICE, "བར་སྐོར་ཁྲོམ་གཞུང་།", "八廓街道")
    )
    app.stations.use_station("CG-BK")
    app.stations.add_area("CG-BK-01", AreaKind.COMMUNITY, "", "冲赛康社区")


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, template_db: Path) -> Printed:
    folder = tmp_path_factory.mktemp("pile")
    paths = DataPaths(tmp_path_factory.mktemp("printing") / "data")
    paths.root.mkdir()
    shutil.copyfile(template_db, paths.database)
    with open_application(paths, clock=FakeClock()) as app:
        _setup_station(app)
        pile = make_pile(app.printing, folder, scanner=3, phone=1, first=41, scale=SCALE)
        sheets = printed_feedback_sheets(app.printing, 1, first=90)
        rng = np.random.default_rng(7)
        plain: dict[int, bytes] = {}
        plain_truth = {}
        front = render_page(sheets.pdf, 0, SCALE)
        for quarter in range(4):
            sample = make_sample(
                f"plain-{quarter}",
                front,
                sheets.layouts[1],
                SCALE,
                "scanner",
                rng,
                dpi=200,
                quarter=quarter,
                plain=True,
            )
            plain[quarter] = sample.data
            plain_truth[quarter] = sample.truth.answers
        app.stations.add_station(StationInfo("DZ-TJ", StationKind.TOWNSHIP, "", "塔杰乡"))
        app.stations.use_station("DZ-TJ")
        other = app.printing.render(app.printing.blank_sheets("feedback", 1))
        visit = app.printing.render(app.printing.blank_sheets("visit", 1))
    return Printed(
        folder,
        pile,
        _page_file(folder / "other-station.png", other.data),
        _page_file(folder / "visit.png", visit.data),
        plain,
        plain_truth,
        front,
        sheets.layouts[1],
    )


def _page_file(path: Path, pdf: bytes, page: int = 0, blur: float = 0.6) -> Path:
    image = cv2.GaussianBlur(render_page(pdf, page, 200 / 25.4), (0, 0), blur)
    cv2.imwrite(str(path), image)
    return path


@pytest.fixture
def pile_files(printed: Printed, tmp_path: Path) -> list[Path]:
    """The pile's files, copied for one test."""
    copies = []
    for path in printed.pile.files:
        copy = tmp_path / path.name
        shutil.copyfile(path, copy)
        copies.append(copy)
    return copies


def _settle_as_meant(app: Application, pile: ScanPile, truth: PileTruth) -> None:
    """A person settles every open question as the resident meant it (the first of two
    ticks, where there are two)."""
    for sheet, question in pile.review():
        code = sheet.code
        assert code is not None
        meant = truth.pages[(code.sheet, code.page)].answers.get(question.key, ())
        app.scanning.settle(pile, sheet, question.key, meant[:1] if meant != ("?",) else ())


# ---------------------------------------------------------------- a pile, once


def test_a_pile_is_read_settled_entered_and_never_entered_twice(
    app: Application, station: StationSetup, printed: Printed, pile_files: list[Path]
) -> None:
    service = app.scanning
    values = service.pile_values(
        {"service_date": SERVICE_DATE, "service_area": "elderly_care", "collected_by_id": ""}
    )
    pile = service.read(pile_files, values)
    assert len(pile.sheets) == 8  # four sheets, front and back
    assert not pile.with_status(SheetStatus.REFUSED), [
        (s.source, s.refusal) for s in pile.with_status(SheetStatus.REFUSED)
    ]
    # What the reader was sure of is what the residents ticked.
    for sheet in pile.sheets:
        code = sheet.code
        assert code is not None and code.identity.startswith("SF-01:1:S:CG-BK:")
        truth = printed.pile.pages[(code.sheet, code.page)]
        for question in sheet.reading.questions:
            if question.sure:
                assert question.answer == truth.answers[question.key], (sheet.source, question)
    # The review asks the most doubtful first (two ticks, a crossed-out box, then the
    # marks nearest the middle between empty and ticked).
    weights = [question.weight for _sheet, question in pile.review() if not question.sure]
    assert weights == sorted(weights, reverse=True)
    _settle_as_meant(app, pile, printed.pile)
    assert {s.status for s in pile.sheets} == {SheetStatus.READY}
    saved = service.save(pile)
    assert (saved.sheets, saved.backs) == (4, 4)

    with app.ctx.db.read() as session:
        sheets = {s.sheet_no: s for s in session.scalars(select(FeedbackSheet))}
        assert set(sheets) == {"0041", "0042", "0043", "0044"}
        for number, sheet in sheets.items():
            assert sheet.service_date.isoformat() == SERVICE_DATE
            meant = printed.pile.pages[(int(number), 1)].answers
            area = meant["service_area"] if meant["service_area"] not in ((), ("?",)) else None
            assert sheet.service_area == (area[0] if area else "elderly_care")
            ratings = dict(
                session.execute(
                    select(FeedbackRating.dimension, FeedbackRating.level).where(
                        FeedbackRating.sheet_id == sheet.id
                    )
                ).all()
            )
            for dimension in FeedbackDimension:
                answer = meant[rating_key(dimension)]
                expected = int(answer[0]) if answer and answer != ("?",) else None
                assert ratings.get(dimension.value) == expected, (number, dimension)
        pages = list(session.scalars(select(ScannedPage)))
        assert len(pages) == 8
        for page in pages:
            assert page.record_id == sheets[page.identity.rsplit(":", 1)[1]].id
            assert page.measures["reader"] == READER_VERSION
            assert len(page.measures["boxes"]) == (42 if page.page == 1 else 0)
            # The raw measures, the stroke's shape among them, are kept to judge again.
            for box in page.measures["boxes"]:
                assert {"ink", "cover", "stroke_mm", "stroke_width_mm"} <= box.keys()
            for png in page.images.values():  # handwriting kept as images
                assert base64.b64decode(png).startswith(b"\x89PNG")
        # The backs are where people write: most carry an image of their comments.
        assert sum("comments" in p.images for p in pages if p.page == 2) >= 2

    # The same files again: every page is known, nothing is added.
    again = service.read(pile_files, values)
    assert {s.refusal for s in again.sheets} == {Refusal.ALREADY_ENTERED}
    assert service.save(again) == type(saved)(0, 0, 0, 0)
    with app.ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(FeedbackSheet)) == 4
        assert session.scalar(select(func.count()).select_from(ScannedPage)) == 8


def test_the_handwriting_kept_with_entered_sheets_is_typed_later_from_its_images(
    app: Application, station: StationSetup, printed: Printed, pile_files: list[Path]
) -> None:
    service = app.scanning
    values = service.pile_values({"service_date": SERVICE_DATE, "service_area": "elderly_care"})
    pile = service.read(pile_files, values)
    _settle_as_meant(app, pile, printed.pile)
    service.save(pile)
    waiting = service.handwriting_to_type()
    # Only what was written by hand, of the areas a person types, each once.
    written = {
        (f"{sheet:04d}", key)
        for (sheet, _page), truth in printed.pile.pages.items()
        for key in truth.written
        if key in TYPED_AREAS
    }
    found = {(item.sheet_no, item.key) for item in waiting}
    assert found <= written and len(found) == len(waiting)
    comments = [item for item in waiting if item.key == COMMENTS]
    assert comments and all(item.image.startswith(b"\x89PNG") for item in waiting)

    first = comments[0]
    service.type_handwriting(first, "  希望多来看看我们  ")
    service.type_handwriting(first, "希望多来看看我们")  # typed twice: said once
    with app.ctx.db.read() as session:
        sheet = session.get(FeedbackSheet, first.sheet_id)
        assert sheet is not None and sheet.comments == "希望多来看看我们"
        page = session.get(ScannedPage, first.page_id)
        assert page is not None and page.measures[TYPED] == {COMMENTS: "希望多来看看我们"}
    left = service.handwriting_to_type()
    assert (first.page_id, first.key) not in {(i.page_id, i.key) for i in left}
    assert len(left) == len(waiting) - 1
    for item in left:  # a scribble with nothing to type leaves the list too
        service.type_handwriting(item, "" if item.key == COMMENTS else "卓玛")
    assert service.handwriting_to_type() == []
    with app.ctx.db.read() as session:
        assert all(
            not s.comments or s.id == first.sheet_id for s in session.scalars(select(FeedbackSheet))
        )
    # A comment too long for the sheet is refused, and nothing is kept of it.
    with pytest.raises(ValidationError):
        service.type_handwriting(first, "字" * 20_001)


def test_a_sheet_typed_by_hand_is_not_entered_again_from_its_scan(
    app: Application, station: StationSetup, printed: Printed, pile_files: list[Path]
) -> None:
    app.feedback.record(
        {
            "sheet_no": "42",
            "service_area": "elderly_care",
            "service_date": SERVICE_DATE,
            "collected_on": SERVICE_DATE,
            rating_key(FeedbackDimension.OVERALL): "5",
        }
    )
    values = app.scanning.pile_values({"service_date": SERVICE_DATE})
    pile = app.scanning.read(pile_files[:1], values)  # the scanner's PDF: sheets 41–43
    refused = {s.sheet for s in pile.sheets if s.refusal is Refusal.ALREADY_ENTERED}
    assert refused == {"0042"}
    # Its back is kept with the sheet typed by hand.
    back = next(s for s in pile.sheets if s.sheet == "0042" and s.code and s.code.page == 2)
    assert back.refusal is None and back.record_id is not None


@pytest.mark.parametrize("quarter", [0, 1, 2, 3])
def test_a_page_fed_in_any_of_four_orientations_is_turned_and_read(
    app: Application, station: StationSetup, printed: Printed, quarter: int
) -> None:
    image = decode_image(printed.plain[quarter])
    assert image is not None
    reading = read_page("page", image, app.scanning._resolve)
    assert reading.refusal is None
    assert reading.marks >= 3
    answers = printed.plain_truth[quarter]
    sure = {q.key: q.answer for q in reading.questions if q.sure}
    assert len(sure) >= len(reading.questions) - 1
    assert all(sure[key] == answers[key] for key in sure)


def test_a_circle_round_a_box_is_not_read_as_a_tick_in_the_box_above(
    app: Application, station: StationSetup, printed: Printed
) -> None:
    layout = printed.front_layout
    choices = [c for q in layout.questions if len(q.choices) > 2 for c in q.choices]
    below, above = next(
        (b, a)
        for b in choices
        for a in choices
        if abs(a.box.x - b.box.x) < 0.5 and 0 < b.box.y - a.box.y < 2 * b.box.height
    )
    rng = np.random.default_rng(11)
    ink = Ink(printed.blank_front.shape, SCALE, rng)
    marker = Pen(1.1, 0.95)
    cx, cy = below.box.centre
    # An oval round the box whose top runs a millimetre under the box above: a thick
    # line parallel to that box's frame, as strong as two of its printed lines.
    across = 0.5 * below.box.width + 2.0
    up = cy - (above.box.bottom + 1.0)
    ink.stroke(
        [(cx + across * np.cos(t), cy + up * np.sin(t)) for t in np.linspace(0, 6.6, 40)],
        marker,
    )
    ink.stroke([(cx - 1.5, cy), (cx - 0.5, cy + 1.2), (cx + 1.8, cy - 1.8)], marker)
    image, _data = scanned(ink.apply(printed.blank_front), SCALE, rng, 200, quarter=0)
    reading = read_page("circled", image, app.scanning._resolve)
    assert reading.refusal is None
    boxes = {b.tag: b for q in reading.questions for b in q.boxes}
    assert boxes[above.tag].state is BoxState.EMPTY
    assert boxes[below.tag].state is not BoxState.EMPTY


def test_a_light_tick_is_read_as_a_tick_and_a_dot_of_the_pen_is_asked_about(
    app: Application, station: StationSetup, printed: Printed
) -> None:
    """Ink alone leaves a light tick between empty and ticked, and takes a heavy dot of
    a gel pen for a tick: the stroke's shape tells them apart."""
    boxes = [c for q in printed.front_layout.questions for c in q.choices if len(q.choices) > 5]
    light, dot, light_dot = boxes[0], boxes[3], boxes[6]
    rng = np.random.default_rng(5)
    ink = Ink(printed.blank_front.shape, SCALE, rng)
    x, y, w, h = light.box.x, light.box.y, light.box.width, light.box.height
    # A light tick, its long arm running out of the box across the top.
    ink.stroke(
        [(x - 1.5, y + 0.3 * h), (x + 0.25 * w, y + 0.85 * h), (x + 0.9 * w, y - 2.5)],
        Pen(0.25, 0.3),
    )
    for box, pen in ((dot, Pen(0.7, 1.0)), (light_dot, Pen(0.6, 0.5))):
        cx, cy = box.box.centre
        ink.stroke([(cx - 0.1, cy), (cx + 0.2, cy + 0.1)], pen)  # a touch of the pen
    image, _data = scanned(ink.apply(printed.blank_front), SCALE, rng, 300, quarter=0)
    reading = read_page("marks", image, app.scanning._resolve)
    assert reading.refusal is None
    read = {b.tag: b for q in reading.questions for b in q.boxes}
    limits = Thresholds()
    area = read[light.tag].area
    between = (
        limits.empty + limits.empty_per_mm2 * area,
        limits.ticked + limits.ticked_per_mm2 * area,
    )
    assert between[0] < read[light.tag].score < between[1]  # its ink alone would not say
    assert read[light.tag].state is BoxState.TICKED
    assert read[dot.tag].score > between[1]  # ink enough for a tick...
    assert read[dot.tag].state is BoxState.UNSURE  # ...but a dot: a person says
    assert read[dot.tag].doubt is Doubt.DOT
    assert read[light_dot.tag].state is not BoxState.TICKED


def test_the_printed_boxes_hold_no_stroke_of_their_own(
    app: Application, station: StationSetup, printed: Printed
) -> None:
    """The shape rules see only what people drew: a blank sheet, scanned, is all empty."""
    rng = np.random.default_rng(9)
    image, _data = scanned(printed.blank_front, SCALE, rng, 150, quarter=0)
    reading = read_page("blank", image, app.scanning._resolve)
    assert reading.refusal is None
    boxes = [b for q in reading.questions for b in q.boxes]
    assert {b.state for b in boxes} == {BoxState.EMPTY}
    assert max(b.measure.light_stroke.length for b in boxes) < Thresholds().stroke_mm


def test_a_faint_pencil_tick_in_a_rating_face_is_asked_about_not_read_as_nothing(
    app: Application, station: StationSetup, printed: Printed
) -> None:
    question = next(q for q in printed.front_layout.questions if q.key.startswith("rating_"))
    face = question.choices[2]
    rng = np.random.default_rng(3)
    ink = Ink(printed.blank_front.shape, SCALE, rng)
    cx, cy = face.box.centre
    pencil = Pen(0.25, 0.3, grainy=True)
    ink.stroke([(cx - 2.5, cy), (cx - 1.0, cy + 1.8), (cx + 2.5, cy - 2.8)], pencil)
    image, _data = scanned(ink.apply(printed.blank_front), SCALE, rng, 200, quarter=0)
    reading = read_page("pencil", image, app.scanning._resolve)
    assert reading.refusal is None
    asked = next(q for q in reading.questions if q.key == question.key)
    box = next(b for b in asked.boxes if b.tag == face.tag)
    limits = Thresholds()
    assert box.score < limits.empty + limits.empty_per_mm2 * box.area  # ink alone: nothing
    assert box.state is not BoxState.EMPTY
    assert box.state is BoxState.TICKED or not asked.sure  # read as meant, or asked about


def _line(length_mm: float, width_mm: float, angle: float, size_mm: float = 3.1) -> np.ndarray:
    side = round(size_mm * RESOLUTION)
    patch = np.zeros((side, side), dtype=np.float32)
    centre = np.array([side / 2, side / 2])
    half = np.array([np.cos(angle), np.sin(angle)]) * length_mm * RESOLUTION / 2
    a, b = np.round(centre - half).astype(int), np.round(centre + half).astype(int)
    cv2.line(
        patch,
        (int(a[0]), int(a[1])),
        (int(b[0]), int(b[1])),
        0.8,
        max(1, round(width_mm * RESOLUTION)),
    )
    return patch


@given(length=st.floats(2.0, 4.0), width=st.floats(0.25, 0.5), angle=st.floats(0, 3.2))
def test_a_line_of_the_pen_is_long_and_thin_and_a_dot_is_round(
    length: float, width: float, angle: float
) -> None:
    line = longest_stroke(_line(length, width, angle))
    assert line.length > 1.6 and line.elongation > 2.5
    dot = longest_stroke(_line(0.3, 1.0, angle))
    assert dot.length < 1.6 and dot.elongation < 2.0 and not dot.edge
    assert longest_stroke(np.zeros((25, 25), dtype=np.float32)).length == 0


# ---------------------------------------------------------------- what waits for a person


def test_a_pile_without_its_date_of_service_waits_for_it(
    app: Application, station: StationSetup, printed: Printed, pile_files: list[Path]
) -> None:
    pile = app.scanning.read(pile_files[1:2])  # one photographed front, no pile values
    (sheet,) = pile.sheets
    assert sheet.status is SheetStatus.REVIEW and Needs.SERVICE_DATE in sheet.needs
    pile.values = app.scanning.pile_values({"service_date": SERVICE_DATE})
    _settle_as_meant(app, pile, printed.pile)
    app.scanning.judge(pile)
    meant = printed.pile.pages[(sheet.code.sheet if sheet.code else 0, 1)].answers
    if meant["service_area"] == ():  # nothing ticked and no area for the pile
        assert Needs.SERVICE_AREA in sheet.needs
        app.scanning.settle(pile, sheet, "service_area", ("child_welfare",))
    assert sheet.status is SheetStatus.READY


def test_the_pile_values_follow_the_forms_rules(app: Application, station: StationSetup) -> None:
    with pytest.raises(ValidationError) as caught:
        app.scanning.pile_values({"service_date": "2026-06-05", "service_area": "nonsense"})
    assert {e.field for e in caught.value.errors} == {"service_date", "service_area"}
    with pytest.raises(ValidationError) as caught:
        app.scanning.pile_values({"service_date": "2026-05-30", "collected_on": "2026-05-01"})
    assert [e.field for e in caught.value.errors] == ["collected_on"]


# ---------------------------------------------------------------- every refusal


def _read_one(app: Application, path: Path) -> Refusal | None:
    pile = app.scanning.read([path], app.scanning.pile_values({"service_date": SERVICE_DATE}))
    (sheet,) = pile.sheets
    return sheet.refusal


def test_a_blank_page_is_kept_aside(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    rng = np.random.default_rng(1)
    page = np.clip(rng.normal(238, 3, (1754, 1240)), 0, 255).astype(np.uint8)
    path = tmp_path / "blank.jpg"
    cv2.imwrite(str(path), page)
    assert _read_one(app, path) is Refusal.BLANK


def test_a_photo_too_blurred_is_kept_aside(
    app: Application, station: StationSetup, printed: Printed, tmp_path: Path
) -> None:
    photo = next(p for p in printed.pile.files if p.suffix == ".jpg")
    image = cv2.imread(str(photo), cv2.IMREAD_GRAYSCALE)
    path = tmp_path / "blurred.jpg"
    cv2.imwrite(str(path), cv2.GaussianBlur(image, (0, 0), 9))
    assert _read_one(app, path) is Refusal.BLURRED


def _draw_code(page: np.ndarray, text: str, x: int, y: int, module: int) -> None:
    for r, row in enumerate(qr_matrix(text)):
        for c, dark in enumerate(row):
            if dark:
                page[
                    y + r * module : y + (r + 1) * module, x + c * module : x + (c + 1) * module
                ] = 0


def test_a_page_with_another_code_or_none_is_kept_aside(
    app: Application, station: StationSetup, printed: Printed, tmp_path: Path
) -> None:
    page = np.full((1754, 1240), 245, dtype=np.uint8)
    cv2.putText(page, "Some other form", (100, 400), cv2.FONT_HERSHEY_SIMPLEX, 2, 0, 3)
    _draw_code(page, "HTTPS://EXAMPLE.ORG/FORM/7", 900, 100, 6)
    path = tmp_path / "other-form.png"
    cv2.imwrite(str(path), page)
    assert _read_one(app, path) is Refusal.UNKNOWN_FORM
    # A sheet whose QR codes are both covered: no code, never guessed from the rest.
    sheet = cv2.imread(str(printed.visit), cv2.IMREAD_GRAYSCALE)
    height, width = sheet.shape
    sheet[: height // 8, width * 3 // 4 :] = 245
    sheet[height * 7 // 8 :, : width // 4] = 245
    covered = tmp_path / "covered.png"
    cv2.imwrite(str(covered), sheet)
    assert _read_one(app, covered) is Refusal.NO_CODE


def test_another_stations_sheet_is_kept_aside(
    app: Application, station: StationSetup, printed: Printed
) -> None:
    assert _read_one(app, printed.other_station) is Refusal.OTHER_STATION


def test_a_form_not_read_from_scans_is_kept_aside(
    app: Application, station: StationSetup, printed: Printed
) -> None:
    assert _read_one(app, printed.visit) is Refusal.NOT_READ


def test_a_page_whose_corners_are_not_in_the_picture_is_kept_aside(
    app: Application, station: StationSetup, printed: Printed, tmp_path: Path
) -> None:
    image = decode_image(printed.plain[0])
    assert image is not None
    height, width = image.shape
    path = tmp_path / "corner.png"
    cv2.imwrite(str(path), image[: height // 3, width // 2 :])  # the top right only
    assert _read_one(app, path) is Refusal.NOT_PLACED


def test_a_page_opencv_cannot_place_is_kept_aside_not_a_crash(
    app: Application, station: StationSetup, printed: Printed, monkeypatch: pytest.MonkeyPatch
) -> None:
    from station_desktop.scan import reader

    def degenerate(*_args: object) -> None:
        raise cv2.error("points on one line")

    monkeypatch.setattr(reader, "_place", degenerate)
    image = decode_image(printed.plain[0])
    assert image is not None
    assert read_page("page", image, app.scanning._resolve).refusal is Refusal.NOT_PLACED


def test_a_sheet_printed_with_another_layout_is_kept_aside(
    app: Application, station: StationSetup, printed: Printed
) -> None:
    image = decode_image(printed.plain[0])
    assert image is not None

    def resolve(code: QrPayload) -> KnownPage | Refusal:
        known = app.scanning._resolve(code)
        assert isinstance(known, KnownPage)
        # As if this version of the program laid the form out differently.
        moved = dataclasses.replace(known.layout, layout="ZZ")
        return dataclasses.replace(known, layout=moved)

    assert read_page("page", image, resolve).refusal is Refusal.LAYOUT


def test_the_same_page_twice_in_a_pile_is_read_once(
    app: Application, station: StationSetup, printed: Printed, tmp_path: Path
) -> None:
    photo = next(p for p in printed.pile.files if p.name.endswith("-1.jpg"))
    copy = tmp_path / "again.jpg"
    shutil.copyfile(photo, copy)
    pile = app.scanning.read(
        [photo, copy], app.scanning.pile_values({"service_date": SERVICE_DATE})
    )
    assert [s.refusal for s in pile.sheets] == [None, Refusal.TWICE]


def test_the_back_of_a_sheet_without_its_front_waits_for_it(
    app: Application, station: StationSetup, printed: Printed
) -> None:
    back = next(p for p in printed.pile.files if p.name.endswith("-2.jpg"))
    assert _read_one(app, back) is Refusal.FIRST_PAGE_MISSING


def test_codes_of_records_and_lists_not_here_are_kept_aside(
    app: Application, station: StationSetup
) -> None:
    resolve = app.scanning._resolve
    unknown_list = QrPayload.sign_in_list("AC-02", 1, uuid.uuid4()).on_page(1, "00")
    assert resolve(unknown_list) is Refusal.UNKNOWN_RECORD
    unknown_sheet = QrPayload.record("SF-01", 1, uuid.uuid4()).on_page(1, "00")
    assert resolve(unknown_sheet) is Refusal.UNKNOWN_RECORD
    sheet_id = app.feedback.record(
        {
            "service_area": "elderly_care",
            "service_date": SERVICE_DATE,
            "collected_on": SERVICE_DATE,
            rating_key(FeedbackDimension.OVERALL): "4",
        }
    )
    printed_sheet = QrPayload.record("SF-01", 1, sheet_id).on_page(1, "00")
    assert resolve(printed_sheet) is Refusal.ALREADY_ENTERED
    newer = QrPayload.blank_sheet("SF-01", 2, "CG-BK", 1).on_page(1, "00")
    assert resolve(newer) is Refusal.UNKNOWN_FORM
    assert resolve(QrPayload.blank_sheet("SF-01", 1, "CG-BK", 1).on_page(3, "00")) is (
        Refusal.LAYOUT
    )


def test_files_that_are_not_scans_say_so(
    app: Application, station: StationSetup, printed: Printed, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a picture")
    pdf = tmp_path / "broken.pdf"
    pdf.write_bytes(b"%PDF-1.4 nothing")
    for path in (text, broken, pdf, tmp_path / "missing.png"):
        with pytest.raises(StationError) as caught:
            app.scanning.read([path])
        assert str(path) in caught.value.params["file"]
    with pytest.raises(StationError):
        app.scanning.read([])
    # Among good files, a file that is not a scan is named before anything is read.
    read: list[str] = []
    with pytest.raises(StationError) as caught:
        app.scanning.read(
            [*printed.pile.files, text], progress=lambda _done, source: read.append(source)
        )
    assert caught.value.params["file"] == str(text) and read == []


# ---------------------------------------------------------------- sign-in lists


def test_ticks_on_a_printed_sign_in_list_sign_the_people_in(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    people = [
        app.residents.register(
            {"name_zh": f"居民{n}", "legal_basis": "statutory_duty", "area_id": station.area_id}
        )
        for n in range(12)
    ]
    activity = app.activities.record(
        {"kind": "group_work", "title": "老年人茶话会", "held_on": "2026-05-30"}
    )
    assert set(app.printing.expected_at("CG-BK-01")) == set(people)
    list_id = app.activities.prepare_sign_in_list(activity, app.printing.expected_at("CG-BK-01"))
    from station_desktop.forms.activity import SIGN_IN_FORM
    from station_desktop.pdf.page import LayoutLog
    from station_desktop.scan.layout import page_layouts

    log = LayoutLog()
    pdf = app.printing.render([app.printing.sign_in_sheet(list_id)], layout=log)
    layout = page_layouts(log, SIGN_IN_FORM)[1]
    assert len(layout.questions) == 12
    rng = np.random.default_rng(3)
    sample = make_sample(
        "list", render_page(pdf.data, 0, SCALE), layout, SCALE, "phone", rng, plain=True
    )
    path = tmp_path / "list.jpg"
    path.write_bytes(sample.data)
    pile = app.scanning.read([path])
    (sheet,) = pile.sheets
    assert sheet.refusal is None and sheet.kind == "sign_in"
    for key in [q.key for q in sheet.open_questions()]:
        app.scanning.settle(pile, sheet, key, sample.truth.answers[key])
    saved = app.scanning.save(pile)
    printed_order = app.printing.expected_at("CG-BK-01")
    present = {
        printed_order[int(key.split(":")[1]) - 1]
        for key, answer in sample.truth.answers.items()
        if answer
    }
    assert saved.lists == 1 and saved.attendees == len(present)
    assert {a.resident_id for a in app.activities.attendees(activity)} == present
    again = app.scanning.read([path])
    assert again.sheets[0].refusal is Refusal.ALREADY_ENTERED
    with app.ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Attendance)) == len(present)


# ---------------------------------------------------------------- deciding


_BOX = Area(0, 0, 8, 8)


_STROKES = st.builds(Stroke, st.floats(0, 9), st.floats(0.01, 3), st.floats(0, 3.3), st.booleans())


@given(
    inks=st.lists(st.floats(0, 30), min_size=2, max_size=5),
    covers=st.lists(st.floats(0, 1), min_size=5, max_size=5),
    strokes=st.lists(_STROKES, min_size=5, max_size=5),
    light=st.lists(_STROKES, min_size=5, max_size=5),
    single=st.booleans(),
)
def test_a_question_is_sure_only_when_every_box_is(
    inks: list[float],
    covers: list[float],
    strokes: list[Stroke],
    light: list[Stroke],
    single: bool,
) -> None:
    choices = tuple(Choice(f"rating:q:{n}", str(n), _BOX) for n in range(len(inks)))
    question = Question("q", single, choices, None)
    measures = [
        BoxMeasure(ink, covers[n], 0.9, (0, 0), strokes[n], light[n]) for n, ink in enumerate(inks)
    ]
    reading = decide(question, measures, [0.0] * len(inks), 0.0, Thresholds())
    states = [b.state for b in reading.boxes]
    if BoxState.UNSURE in states:
        assert not reading.sure
    ticked = [b.value for b in reading.boxes if b.state is BoxState.TICKED]
    if reading.sure:
        assert reading.answer == tuple(ticked)
        assert not (single and len(ticked) > 1)
    if single and states.count(BoxState.TICKED) > 1:
        assert not reading.sure
        if BoxState.UNSURE not in states:  # else the unsure box is named first
            assert reading.doubt is Doubt.TWO_TICKS
    # Between the thresholds a box is never taken for empty, and for ticked only when its
    # ink is a line of the pen drawn into it; above them, never when it is all in a dot;
    # below them, never for empty when a light line is drawn into it.
    limits = Thresholds()
    low = limits.empty + limits.empty_per_mm2 * 43.56
    high = limits.ticked + limits.ticked_per_mm2 * 43.56

    def line(stroke: Stroke) -> bool:
        return (
            stroke.length >= limits.stroke_mm
            and stroke.elongation >= limits.stroke_elongation
            and stroke.edge
            and stroke.depth >= limits.stroke_depth * 6.6  # of the 6.6 mm inside
        )

    for box in reading.boxes:
        stroke = box.measure.stroke
        dot = stroke.length < limits.dot_mm and stroke.elongation < limits.dot_elongation
        if low < box.score < high:
            assert box.state is (BoxState.TICKED if line(stroke) else BoxState.UNSURE) or (
                box.state is BoxState.UNSURE and box.doubt is Doubt.FILLED
            )
        if box.state is BoxState.TICKED:
            assert not dot
        if box.state is BoxState.EMPTY:
            light = box.measure.light_stroke
            assert light.length < limits.stroke_mm or light.elongation < limits.stroke_elongation


def test_a_box_crossed_out_beside_another_tick_is_a_question() -> None:
    choices = tuple(Choice(f"rating:q:{n}", str(n), _BOX) for n in range(5))
    question = Question("q", True, choices, None)
    scribble, line = Stroke(6.5, 2.0, 3.0, True), Stroke(6.0, 0.5, 2.5, True)
    heavy = BoxMeasure(20.0, 0.5, 0.9, (0, 0), scribble)
    tick = BoxMeasure(4.0, 0.1, 0.9, (0, 0), line)
    empty = BoxMeasure(0.0, 0.0, 0.9, (0, 0))
    reading = decide(question, [empty, heavy, empty, tick, empty], [0.0] * 5, 0.0, Thresholds())
    assert reading.doubt is Doubt.FILLED
    from station_desktop.services.scanning import proposal

    assert proposal(reading) == ("3",)  # the answer given instead of the crossed-out one


def test_a_dot_beside_a_tick_is_asked_about_and_the_tick_proposed() -> None:
    choices = tuple(Choice(f"rating:q:{n}", str(n), _BOX) for n in range(5))
    question = Question("q", True, choices, None)
    tick = BoxMeasure(4.0, 0.1, 0.9, (0, 0), Stroke(6.0, 0.5, 2.5, True))
    dot = BoxMeasure(6.0, 0.1, 0.9, (0, 0), Stroke(1.5, 1.0, 2.0, False))  # more ink
    empty = BoxMeasure(0.0, 0.0, 0.9, (0, 0))
    reading = decide(question, [empty, dot, empty, tick, empty], [0.0] * 5, 0.0, Thresholds())
    assert [b.state for b in reading.boxes][1] is BoxState.UNSURE
    assert reading.doubt is Doubt.DOT
    from station_desktop.services.scanning import proposal

    assert proposal(reading) == ("3",)  # the tick, not the heavier dot
    alone = decide(question, [empty, dot, empty, empty, empty], [0.0] * 5, 0.0, Thresholds())
    assert alone.doubt is Doubt.DOT and proposal(alone) == ()  # a touch is no answer


def test_print_sign_in_prints_the_villages_residents_on_a_list_to_tick(
    app: Application, station: StationSetup, tmp_path: Path
) -> None:
    import argparse

    from pypdf import PdfReader

    from station_desktop.cli_print import run_print

    for n in range(3):
        app.residents.register(
            {"name_zh": f"茶话{n}", "legal_basis": "statutory_duty", "area_id": station.area_id}
        )
    activity = app.activities.record(
        {"kind": "group_work", "title": "老年人茶话会", "held_on": "2026-05-30"}
    )

    def args(**given: object) -> argparse.Namespace:
        values: dict[str, object] = {
            "record_id": str(activity),
            "village": "CG-BK-01",
            "group": None,
            "blank": False,
            "count": 1,
            "start": None,
            "end": None,
            "output": tmp_path / "list.pdf",
        }
        return argparse.Namespace(kind="sign-in", **{**values, **given})

    assert run_print(app, args()) == 0
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "list.pdf").pages)
    assert "AC-02" in text and "老年人茶话会" in text
    assert all(f"茶话{n}" in text for n in range(3))
    with pytest.raises(StationError):
        run_print(app, args(village=None))
    with pytest.raises(StationError):
        run_print(app, args(record_id=None))
    with pytest.raises(StationError):  # nobody lives in the other community
        run_print(app, args(village="CG-BK-02"))
