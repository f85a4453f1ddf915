"""Reading one page: which form and sheet it is, where it lies, and what each box says.

`read_page` finds the QR codes, asks `resolve` for the layout of the page they name (the
service knows the forms and records), places the page (`geometry`), measures every box
(`measure`) and decides each question:

- each box is *ticked*, *empty* or *unsure*, with a margin between the two thresholds, after
  taking off the blank form's own ink and the page's usual ink in an empty box (the median
  of its boxes: most are empty); the shape of its longest stroke settles the margin (a
  line of the pen drawn into the box is a tick), keeps a dot from being taken for one and a
  light line from being taken for nothing;
- a question with an unsure box, two ticks where one answer is asked, or a box filled or
  crossed out, is not sure: a person settles it (`doubt` sorts the review, worst first);
- a page that cannot be read says why (`Refusal`) and is never guessed.

Handwriting (comments, names, dates) is not read: the image of each written area is kept
(PNG) so that a person can type it later. The raw measures of every box are kept with the
reading, so the thresholds can change later without scanning again.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

import numpy as np

from station_desktop.pdf.page import QrPayload
from station_desktop.scan.geometry import (
    FoundCode,
    Gray,
    PageGeometry,
    find_codes,
    locate_page,
    refined,
)
from station_desktop.scan.layout import Area, PageLayout, Question
from station_desktop.scan.measure import (
    INSET_MM,
    BoxMeasure,
    Stroke,
    measure_box,
    writing_ink,
)

__all__ = [
    "BLANK_RESOLUTION",
    "CROP_RESOLUTION",
    "BoxReading",
    "BoxState",
    "Doubt",
    "KnownPage",
    "PageReading",
    "QuestionReading",
    "Refusal",
    "Resolver",
    "Thresholds",
    "decide",
    "encode_png",
    "read_page",
]

BLANK_RESOLUTION: Final = 8.0  # pixels per mm of the blank form's raster (`KnownPage.blank`)
CROP_RESOLUTION: Final = 6.0  # pixels per mm of kept images (about 150 dpi)
ROW_MARGIN_MM: Final = 1.0
# A doubtful row's image is shown on review and not kept: encoded fast (a phone photo's
# rows took up to 30 ms of CPU at level 6), a little larger.
ROW_PNG_COMPRESSION: Final = 1
# Boxes whose frames are found this clearly, this many of them, refit the page's map.
REFIT_FRAME: Final = 0.6
REFIT_BOXES: Final = 8
USUAL_INK_CAP: Final = 0.006  # mm² of ink per mm² of box
# A box whose frame was found this much farther from where the page's other boxes were
# found than they are from the map is measured again where the map puts it: a circle drawn
# round the box below (or a stroke along its edge) was taken for its frame.
STRAY_SHIFT_MM: Final = 0.9
NARROW_SEARCH_MM: Final = 0.5
# `_sharpness` below this: too blurred (sharp scans and photos measure 0.42–0.48; a photo
# blurred until its QR code no longer decodes, 0.22–0.27). Only asked of a page whose code
# was not read or whose corners were not found: it names the reason, it never refuses.
SHARP_ENOUGH: Final = 0.3


class BoxState(StrEnum):
    TICKED = "ticked"
    EMPTY = "empty"
    UNSURE = "unsure"


class Refusal(StrEnum):
    """Why a page is kept aside (the reader's reasons, then the service's)."""

    BLANK = "blank_page"
    BLURRED = "too_blurred"
    NO_CODE = "no_form_code"
    UNKNOWN_FORM = "unknown_form"
    NOT_READ = "form_not_read"
    LAYOUT = "layout_changed"
    NOT_PLACED = "page_not_found"
    OTHER_STATION = "other_station"
    UNKNOWN_RECORD = "unknown_record"
    ALREADY_ENTERED = "already_entered"
    TWICE = "twice_in_pile"
    FIRST_PAGE_MISSING = "first_page_missing"


class Doubt(StrEnum):
    """What makes a question unsure (shown to the person who settles it)."""

    FAINT = "faint"  # a mark between empty and ticked
    DOT = "dot"  # ink enough for a tick, but a dot or a short dash
    FILLED = "filled"  # a box filled or crossed out
    TWO_TICKS = "two_ticks"  # two answers where one is asked
    NOT_FOUND = "box_not_found"  # the printed box was not found where the layout puts it


@dataclass(frozen=True)
class Thresholds:
    """Where empty ends and ticked begins (mm² of black inside a box, after the blank
    form's own ink and the page's usual ink are taken off)."""

    # Per box: `empty` + `empty_per_mm2` × the inside's area, and so on (a tick in a large
    # box is larger: its strokes cover more of it, and so does the noise).
    empty: float = 0.08
    empty_per_mm2: float = 0.006
    ticked: float = 0.33
    ticked_per_mm2: float = 0.013
    # Share of the inside dark beyond which a box is filled in or crossed out: nearly all
    # of a small box (a marker's tick fills three quarters of it), less of a large one.
    filled: float = 0.95
    filled_per_mm2: float = -0.008
    # ...or this much, beside another box ticked in the same question: an answer changed
    changed: float = 0.45
    # A box between empty and ticked is ticked when its ink is a line of the pen: a stroke
    # at least this long (mm), this many times longer than wide, that comes in from the
    # inside's edge and reaches this share of the inside's shorter side in from it. A touch
    # of the pen (a dot, a short dash) is about as wide as it is long, and stays unsure.
    # (On the generated pile: light ticks 1.45–6.6 mm long, 3.4–20 times their width;
    # touches 0.9–1.25 mm, 1.2–1.7 times.)
    stroke_mm: float = 1.4
    stroke_elongation: float = 2.5
    stroke_depth: float = 0.1
    # Ink enough for a tick, but all of it in a dot: a stroke shorter than this (mm) and
    # less than this many times longer than wide is a touch of the pen or a dot, and a
    # person says what it means. (On the generated pile and 150 sheets with touches of the
    # pen in 30% of their empty boxes: the heavy touches 1.0–1.97 mm long, at most 2.16
    # times their width; one tick of 3,100 that short and round, a tick's corner clipped
    # by the box.)
    dot_mm: float = 2.2
    dot_elongation: float = 2.4
    frame: float = 0.30  # a printed frame weaker than this was not found
    page_frames: float = 0.50  # the page's median frame: lower, the page is misplaced


@dataclass(frozen=True)
class BoxReading:
    tag: str
    value: str
    state: BoxState
    measure: BoxMeasure
    blank: float  # the blank form's own ink in this box (mm²)
    score: float  # ink less the blank form's and the page's usual ink (mm²)
    area: float  # of the inside measured (mm²)
    doubt: Doubt | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "box": self.tag,
            "value": self.value,
            "reading": self.state.value,
            "score": round(self.score, 3),
            "blank": round(self.blank, 3),
            **self.measure.to_json(),
        }


@dataclass(frozen=True)
class QuestionReading:
    key: str
    single: bool
    boxes: tuple[BoxReading, ...]
    answer: tuple[str, ...]  # the ticked values (empty: no answer); meaningful when sure
    doubt: Doubt | None  # None: sure
    weight: float  # how doubtful, for sorting the review (0: sure)
    row: bytes = b""  # PNG of the row as scanned (only for unsure questions)
    row_boxes: tuple[tuple[int, int, int, int], ...] = ()  # boxes in `row`, pixels

    @property
    def sure(self) -> bool:
        return self.doubt is None


@dataclass(frozen=True)
class KnownPage:
    """What the reader needs of a form's page: its layout and the blank form as printed,
    rasterised at `BLANK_RESOLUTION` (None: compare with white paper), with the ink of each
    of its boxes as printed (`known.known_pages` measures it once per form)."""

    layout: PageLayout
    blank: Gray | None = None
    blank_ink: Mapping[str, float] = field(default_factory=dict)


# Given the code on a page: its layout, or why it cannot be read.
Resolver = Callable[[QrPayload], "KnownPage | Refusal"]


@dataclass
class PageReading:
    source: str
    code: QrPayload | None = None
    refusal: Refusal | None = None
    questions: tuple[QuestionReading, ...] = ()
    writing: dict[str, bytes] = field(default_factory=dict)  # PNG of handwritten areas
    marks: int = 0
    residual_mm: float = 0.0
    seconds: float = 0.0

    @property
    def sure(self) -> bool:
        return self.refusal is None and all(q.sure for q in self.questions)

    def answers(self) -> dict[str, tuple[str, ...]]:
        return {q.key: q.answer for q in self.questions}


def encode_png(image: Gray, compression: int = 6) -> bytes:
    """PNG of a grey image; `compression` 0–9 (the images kept in the store are
    compressed more than the rows shown once on review)."""
    import cv2  # noqa: PLC0415 - scans only

    ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, compression])
    if not ok:  # pragma: no cover - encoding a grey array does not fail
        raise ValueError("cannot encode PNG")
    return bytes(data)


# ---------------------------------------------------------------- deciding


def _box_state(
    score: float, measure: BoxMeasure, box: Area, limits: Thresholds
) -> tuple[BoxState, Doubt | None]:
    area = inside_area(box)
    if measure.frame < limits.frame:
        return BoxState.UNSURE, Doubt.NOT_FOUND
    if measure.cover > limits.filled + limits.filled_per_mm2 * area:
        return BoxState.UNSURE, Doubt.FILLED
    if score < limits.empty + limits.empty_per_mm2 * area:
        # A line of the pen, however light, is never read as nothing: a faint pencil tick
        # in a large rating face holds no more ink than the face's "empty" allows.
        light = measure.light_stroke
        if light.length >= limits.stroke_mm and light.elongation >= limits.stroke_elongation:
            return BoxState.UNSURE, Doubt.FAINT
        return BoxState.EMPTY, None
    if score > limits.ticked + limits.ticked_per_mm2 * area:
        if _dot(measure.stroke, limits):
            return BoxState.UNSURE, Doubt.DOT
        return BoxState.TICKED, None
    if _pen_line(measure.stroke, inside_side(box), limits):
        return BoxState.TICKED, None
    return BoxState.UNSURE, Doubt.FAINT


def _dot(stroke: Stroke, limits: Thresholds) -> bool:
    """Whether the longest stroke in a box is a dot or a short dash, not a tick."""
    return stroke.length < limits.dot_mm and stroke.elongation < limits.dot_elongation


def _pen_line(stroke: Stroke, inside_side: float, limits: Thresholds) -> bool:
    """Whether the longest stroke in a box is a line of the pen drawn into it (a light
    tick), not a touch of the pen or a neighbour's stroke grazing its edge."""
    return (
        stroke.length >= limits.stroke_mm
        and stroke.elongation >= limits.stroke_elongation
        and stroke.edge
        and stroke.depth >= limits.stroke_depth * inside_side
    )


def inside_area(box: Area) -> float:
    """The inside of a printed box that is measured (mm²), short of its frame line."""
    inset = 2 * INSET_MM
    return max(0.0, box.width - inset) * max(0.0, box.height - inset)


def inside_side(box: Area) -> float:
    """The shorter side of a box's inside (mm)."""
    return max(0.0, min(box.width, box.height) - 2 * INSET_MM)


def _middling(box: BoxReading, limits: Thresholds) -> float:
    """1 for a score halfway between empty and ticked, 0 at either threshold or beyond."""
    low = limits.empty + limits.empty_per_mm2 * box.area
    high = limits.ticked + limits.ticked_per_mm2 * box.area
    middle, half = (low + high) / 2, (high - low) / 2
    return max(0.0, 1 - abs(box.score - middle) / half)


def decide(
    question: Question,
    measures: Sequence[BoxMeasure],
    blanks: Sequence[float],
    usual: float,
    limits: Thresholds,
) -> QuestionReading:
    """Each box of a question ticked, empty or unsure; the question's answer and doubt.
    `usual` is the page's usual ink per mm² of an empty box."""
    boxes = []
    for choice, measure, blank in zip(question.choices, measures, blanks, strict=True):
        area = inside_area(choice.box)
        score = measure.ink - blank - usual * area
        state, box_doubt = _box_state(score, measure, choice.box, limits)
        boxes.append(
            BoxReading(choice.tag, choice.value, state, measure, blank, score, area, box_doubt)
        )
    ticked = tuple(b.value for b in boxes if b.state is BoxState.TICKED)
    if len(ticked) > 1:  # a heavy box beside a tick: crossed out, the answer changed
        boxes = [
            dataclasses.replace(b, state=BoxState.UNSURE, doubt=Doubt.FILLED)
            if b.state is BoxState.TICKED and b.measure.cover > limits.changed
            else b
            for b in boxes
        ]
        ticked = tuple(b.value for b in boxes if b.state is BoxState.TICKED)
    unsure = [b for b in boxes if b.state is BoxState.UNSURE]
    doubt: Doubt | None = None
    if unsure:
        doubt = next((b.doubt for b in unsure if b.doubt is Doubt.FILLED), unsure[0].doubt)
    elif question.single and len(ticked) > 1:
        doubt = Doubt.TWO_TICKS
    weight = 0.0
    if doubt is not None:
        # Most doubtful first: two ticks and filled boxes, then scores nearest the middle
        # between empty and ticked.
        weight = 1.0 if doubt in (Doubt.TWO_TICKS, Doubt.FILLED) else 0.0
        weight += max((_middling(b, limits) for b in boxes), default=0.0)
    return QuestionReading(question.key, question.single, tuple(boxes), ticked, doubt, weight)


# ---------------------------------------------------------------- reading


def _sharpness(image: Gray) -> float:
    """Edge steepness against contrast: about 0.4–0.5 for a sharp page, under 0.3 when
    the strokes are smeared over several pixels."""
    import cv2  # noqa: PLC0415 - scans only

    small = image[::2, ::2]
    gx = cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3)
    gradient = np.hypot(gx, gy) / 8
    contrast = float(np.percentile(small, 95)) - float(np.percentile(small, 0.5))
    if contrast < 1:
        return 0.0
    return float(np.percentile(gradient, 99.7)) / contrast


def _ink_share(image: Gray) -> float:
    """Share of the image darker than its paper by more than a third (on a reduced copy,
    with the light evened out)."""
    import cv2  # noqa: PLC0415 - scans only

    small = cv2.resize(
        image, (image.shape[1] // 4, image.shape[0] // 4), interpolation=cv2.INTER_AREA
    )
    background = cv2.dilate(small, np.ones((9, 9), dtype=np.uint8))
    background = np.maximum(background, 1).astype(np.float32)
    values = 1 - small.astype(np.float32) / background
    return float((values > 0.33).mean())


def _without_code(
    source: str, image: Gray, codes: Sequence[FoundCode], started: float
) -> PageReading:
    """Why a page whose code could not be read is kept aside."""
    if codes:
        refusal = Refusal.UNKNOWN_FORM  # a QR code, but not one of ours
    elif _ink_share(image) < 0.002:
        refusal = Refusal.BLANK
    elif _sharpness(image) < SHARP_ENOUGH:
        refusal = Refusal.BLURRED
    else:
        refusal = Refusal.NO_CODE
    return PageReading(source, refusal=refusal, seconds=time.perf_counter() - started)


def _crop(image: Gray, geometry: PageGeometry, area: Area) -> Gray:
    return geometry.patch(image, area, CROP_RESOLUTION)


def _blank_patch(blank: Gray | None, area: Area, resolution: float) -> Gray | None:
    import cv2  # noqa: PLC0415 - scans only

    if blank is None:
        return None
    x0, y0 = round(area.x * BLANK_RESOLUTION), round(area.y * BLANK_RESOLUTION)
    x1, y1 = round(area.right * BLANK_RESOLUTION), round(area.bottom * BLANK_RESOLUTION)
    patch = blank[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)]
    if patch.size == 0:
        return None
    size = (max(1, round(area.width * resolution)), max(1, round(area.height * resolution)))
    return np.asarray(cv2.resize(patch, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _row_crop(
    image: Gray, geometry: PageGeometry, question: Question
) -> tuple[bytes, tuple[tuple[int, int, int, int], ...]]:
    """The row of an unsure question as scanned, and where its boxes are in it."""
    boxes = [c.box for c in question.choices]
    row = question.row or Area(
        min(b.x for b in boxes),
        min(b.y for b in boxes),
        max(b.right for b in boxes) - min(b.x for b in boxes),
        max(b.bottom for b in boxes) - min(b.y for b in boxes),
    )
    row = row.grown(ROW_MARGIN_MM)
    crop = _crop(image, geometry, row)
    r = CROP_RESOLUTION
    placed = tuple(
        (
            round((b.x - row.x) * r),
            round((b.y - row.y) * r),
            round(b.width * r),
            round(b.height * r),
        )
        for b in boxes
    )
    return encode_png(crop, ROW_PNG_COMPRESSION), placed


def _measure_all(
    image: Gray, geometry: PageGeometry, layout: PageLayout, shape: bool = True
) -> dict[str, BoxMeasure]:
    return {c.tag: measure_box(image, geometry, c.box, shape=shape) for c in layout.choices}


def _strays_measured_again(
    image: Gray, geometry: PageGeometry, layout: PageLayout, measures: dict[str, BoxMeasure]
) -> dict[str, BoxMeasure]:
    """Boxes whose frames were found far from where the others' were, measured again with
    their frame looked for only near where the map puts it."""
    if len(measures) < REFIT_BOXES:
        return measures
    usual_x = float(np.median([m.shift[0] for m in measures.values()]))
    usual_y = float(np.median([m.shift[1] for m in measures.values()]))
    again = dict(measures)
    for choice in layout.choices:
        shift = measures[choice.tag].shift
        if max(abs(shift[0] - usual_x), abs(shift[1] - usual_y)) > STRAY_SHIFT_MM:
            again[choice.tag] = measure_box(image, geometry, choice.box, NARROW_SEARCH_MM)
    return again


def _place(
    image: Gray, layout: PageLayout, codes: Sequence[FoundCode], limits: Thresholds
) -> tuple[PageGeometry, dict[str, BoxMeasure]] | None:
    """The page's map, checked by its own boxes: their printed frames must be where the
    map puts them. The boxes found are then points of the map too (the whole page's
    perspective, not only its corners'), and every box is measured again. When most boxes
    are not where the map puts them, a blot taken for a corner mark is the usual cause: the
    map is fitted again without each mark in turn, and the best kept if it is good."""
    best: tuple[PageGeometry, dict[str, BoxMeasure]] | None = None
    best_frames = -1.0
    for skip in (frozenset(), *(frozenset({n}) for n in range(len(layout.marks)))):
        geometry = locate_page(image, layout, codes, skip)
        if geometry is None:
            continue
        # Found first without the strokes' shapes: these measures place the frames only.
        measures = _measure_all(image, geometry, layout, shape=False)
        found = [c for c in layout.choices if measures[c.tag].frame >= REFIT_FRAME]
        if len(found) >= REFIT_BOXES:
            where = geometry.project(
                [
                    (
                        c.box.centre[0] + measures[c.tag].shift[0],
                        c.box.centre[1] + measures[c.tag].shift[1],
                    )
                    for c in found
                ]
            )
            geometry = refined(geometry, [c.box.centre for c in found], list(where))
        measures = _measure_all(image, geometry, layout)
        measures = _strays_measured_again(image, geometry, layout, measures)
        frames = float(np.median([m.frame for m in measures.values()])) if measures else 1.0
        if frames > best_frames:
            best, best_frames = (geometry, measures), frames
        if frames >= limits.page_frames:
            break
    if best is None or best_frames < limits.page_frames:
        return None
    return best


def read_page(
    source: str,
    image: Gray,
    resolve: Resolver,
    limits: Thresholds | None = None,
) -> PageReading:
    """Read one page image (grey, any orientation, any scale)."""
    started = time.perf_counter()
    limits = limits or Thresholds()
    codes = find_codes(image)
    payload = None
    for code in codes:
        try:
            payload = QrPayload.parse(code.text)
        except ValueError:
            continue
        ours = [c for c in codes if c.text == code.text]  # the page's two codes say the same
        break
    if payload is None:
        return _without_code(source, image, codes, started)
    known = resolve(payload)
    if isinstance(known, Refusal):
        return PageReading(source, payload, known, seconds=time.perf_counter() - started)
    layout = known.layout
    if payload.layout != layout.layout:
        return PageReading(source, payload, Refusal.LAYOUT, seconds=time.perf_counter() - started)
    import cv2  # noqa: PLC0415 - scans only

    try:
        placed = _place(image, layout, ours, limits)
    except (cv2.error, np.linalg.LinAlgError):  # points so odd no map goes through them
        placed = None
    if placed is None:
        refusal = Refusal.BLURRED if _sharpness(image) < SHARP_ENOUGH else Refusal.NOT_PLACED
        return PageReading(source, payload, refusal, seconds=time.perf_counter() - started)
    geometry, measures = placed
    blanks = {c.tag: known.blank_ink.get(c.tag, 0.0) for c in layout.choices}
    areas = [inside_area(c.box) for c in layout.choices]
    per_mm = [
        max(0.0, measures[c.tag].ink - blanks[c.tag]) / a
        for c, a in zip(layout.choices, areas, strict=True)
        if a > 0
    ]
    # The page's usual ink in an empty box: a low quantile (a sign-in list may be mostly
    # ticked), and never more than a trace (a page that is all grey is not all ticked).
    usual = min(float(np.percentile(per_mm, 20)), USUAL_INK_CAP) if per_mm else 0.0
    questions = []
    for question in layout.questions:
        reading = decide(
            question,
            [measures[c.tag] for c in question.choices],
            [blanks[c.tag] for c in question.choices],
            usual,
            limits,
        )
        if not reading.sure:
            row, row_boxes = _row_crop(image, geometry, question)
            reading = dataclasses.replace(reading, row=row, row_boxes=row_boxes)
        questions.append(reading)
    writing = {}
    for key, area in layout.writing.items():
        crop = _crop(image, geometry, area)
        if writing_ink(crop, _blank_patch(known.blank, area, CROP_RESOLUTION)) > 0.004:
            writing[key] = encode_png(crop)
    return PageReading(
        source,
        payload,
        None,
        tuple(questions),
        writing,
        geometry.marks,
        geometry.residual_mm,
        time.perf_counter() - started,
    )
