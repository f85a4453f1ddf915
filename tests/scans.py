"""Realistic scans of the program's own printed sheets, for the tests and the benchmark.

A printed page (rasterised by PDFium from the PDF the program prints) is filled in as hands
fill paper: ticks, crosses and the odd circle of different pens and sizes, strokes that run
over the box's edge, a tick crossed out and put elsewhere, a faint pencil mark, two ticks
in one row, a stray touch of the pen; scribbles where people write (names, dates,
comments). Then it is "scanned" (a flatbed: 150–300 dpi, fed in any of four orientations
with a little skew, light blur, noise, JPEG) or "photographed" (a phone over a table:
perspective, up to ±10°, uneven light and a shadow, more blur and noise, stronger JPEG),
sometimes with a corner folded over.

Everything comes from one `numpy` random generator: the same seed makes the same sheets.
The truth of each sheet (`Truth`) says what the person meant in every box, and whether the
sheet holds a mark a careful reader should ask about (`doubtful`).

Plain OpenCV and numpy: `augraphy` models more effects but its default pipeline takes
seconds a page, and one of its effects downloads a font.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

from station_desktop.scan.layout import Area, PageLayout

Gray = npt.NDArray[np.uint8]
Kind = Literal["scanner", "phone"]

SEED = 20261207

# How often people do what a reader must ask about (per sheet: a changed answer, a faint
# pencil tick, two ticks in one row, a touch of the pen in a box), and how often they leave
# a question unanswered (per question). Chosen by judgement: there is no labelled set of
# this program's sheets filled by residents yet. bench/README.md gives the figures with and
# without the sheets that hold such a mark.
CROSSED_OUT = 0.03
FAINT = 0.02
TWO_TICKS = 0.015
STRAY = 0.02
UNANSWERED = 0.07
FOLDED = 0.12


@dataclass
class Truth:
    ticked: dict[str, bool] = field(default_factory=dict)  # box tag → meant as ticked
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # question → values
    doubtful: set[str] = field(default_factory=set)  # questions a reader should ask about
    drawn: dict[str, str] = field(default_factory=dict)  # box tag → tick, faint, crossed, stray
    notes: list[str] = field(default_factory=list)  # what was done (for reading failures)
    written: list[str] = field(default_factory=list)  # the areas scribbled in by hand


@dataclass
class Sample:
    name: str
    kind: Kind
    dpi: int
    image: Gray  # as the reader gets it (decoded from `data`)
    data: bytes  # the JPEG file
    truth: Truth


# ---------------------------------------------------------------- pens and marks


@dataclass(frozen=True)
class Pen:
    width_mm: float
    darkness: float  # 1 black, 0.3 a light pencil
    grainy: bool = False  # pencil: broken strokes


def _pen(rng: np.random.Generator, faint: bool = False) -> Pen:
    if faint:
        return Pen(float(rng.uniform(0.2, 0.3)), float(rng.uniform(0.28, 0.4)), True)
    kind = rng.choice(
        ["ballpoint", "blue", "gel", "marker", "pencil"], p=[0.4, 0.25, 0.2, 0.08, 0.07]
    )
    if kind == "ballpoint":
        return Pen(float(rng.uniform(0.3, 0.5)), float(rng.uniform(0.8, 0.95)))
    if kind == "blue":  # a blue pen, seen in grey
        return Pen(float(rng.uniform(0.3, 0.5)), float(rng.uniform(0.55, 0.7)))
    if kind == "gel":
        return Pen(float(rng.uniform(0.5, 0.7)), float(rng.uniform(0.85, 1.0)))
    if kind == "marker":
        return Pen(float(rng.uniform(0.8, 1.1)), float(rng.uniform(0.85, 1.0)))
    return Pen(float(rng.uniform(0.35, 0.5)), float(rng.uniform(0.5, 0.65)), True)


class Ink:
    """Strokes drawn into an ink layer (0 none … 1 black) at `scale` pixels per mm."""

    def __init__(self, shape: tuple[int, int], scale: float, rng: np.random.Generator) -> None:
        self.layer = np.zeros(shape, dtype=np.float32)
        self.scale = scale
        self.rng = rng

    def stroke(self, points: Sequence[tuple[float, float]], pen: Pen) -> None:
        """A smooth stroke through points given in mm."""
        pts = np.array(points, dtype=np.float64)
        # A hand wobbles: small noise along a denser path.
        dense = []
        for a, b in itertools.pairwise(pts):
            steps = max(2, int(np.linalg.norm(b - a) * 2))
            for t in np.linspace(0, 1, steps, endpoint=False):
                dense.append(a + (b - a) * t)
        dense.append(pts[-1])
        path = np.array(dense) + self.rng.normal(0, 0.05, (len(dense), 2))
        thickness = max(1, round(pen.width_mm * self.scale))
        pixels = path * self.scale
        # Drawn into a patch around the stroke only (a page is millions of pixels).
        pad = thickness + 2
        height, width = self.layer.shape
        x0 = max(0, int(pixels[:, 0].min()) - pad)
        y0 = max(0, int(pixels[:, 1].min()) - pad)
        x1 = min(width, int(pixels[:, 0].max()) + pad + 1)
        y1 = min(height, int(pixels[:, 1].max()) + pad + 1)
        if x1 <= x0 or y1 <= y0:
            return
        mask = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
        cv2.polylines(
            mask,
            [np.round((pixels - (x0, y0)) * 16).astype(np.int32)],
            False,
            255,
            thickness,
            cv2.LINE_AA,
            shift=4,
        )
        ink = mask.astype(np.float32) / 255 * pen.darkness
        if pen.grainy:
            ink *= self.rng.uniform(0.4, 1.0, ink.shape).astype(np.float32)
        region = self.layer[y0:y1, x0:x1]
        np.maximum(region, ink, out=region)

    def apply(self, image: Gray) -> Gray:
        return _to_gray(image.astype(np.float32) * (1 - self.layer))


def _tick(ink: Ink, box: Area, pen: Pen, rng: np.random.Generator) -> None:
    size = float(rng.uniform(0.7, 1.5)) * min(box.width, 6.5)
    cx, cy = box.centre
    cx += float(rng.uniform(-0.2, 0.2)) * box.width
    cy += float(rng.uniform(-0.2, 0.15)) * box.height
    kind = rng.choice(["tick", "cross", "circle", "slash"], p=[0.7, 0.2, 0.05, 0.05])
    if kind == "tick":
        a = (cx - 0.45 * size, cy)
        b = (cx - 0.1 * size, cy + 0.4 * size)
        c = (cx + 0.55 * size, cy - 0.6 * size)
        ink.stroke([a, b, c], pen)
    elif kind == "cross":
        h = 0.45 * size
        ink.stroke([(cx - h, cy - h), (cx + h, cy + h)], pen)
        ink.stroke([(cx + h, cy - h), (cx - h, cy + h)], pen)
    elif kind == "circle":  # round the box
        r = 0.5 * max(box.width, box.height) + float(rng.uniform(0.3, 1.2))
        angles = np.linspace(0, 2 * math.pi * 1.05, 24)
        ink.stroke([(cx + r * math.cos(t), cy + 0.9 * r * math.sin(t)) for t in angles], pen)
        # a circle round the box leaves the inside empty: a tick inside says it too
        ink.stroke(
            [(cx - 0.3 * size, cy), (cx, cy + 0.3 * size), (cx + 0.4 * size, cy - 0.4 * size)], pen
        )
    else:
        h = 0.5 * size
        ink.stroke([(cx - h, cy + h), (cx + h, cy - h)], pen)


def _cross_out(ink: Ink, box: Area, pen: Pen, rng: np.random.Generator) -> None:
    """Scribbled over: the person changed their mind."""
    x, y, w, h = box.x, box.y, box.width, box.height
    points = []
    for i in range(int(rng.integers(7, 12))):
        t = i / 10
        points.append((x + float(rng.uniform(-0.1, 0.2)) * w, y + t * h))
        points.append((x + float(rng.uniform(0.8, 1.1)) * w, y + (t + 0.05) * h))
    ink.stroke(points, Pen(max(pen.width_mm, 0.4), pen.darkness))


def _stray(ink: Ink, box: Area, pen: Pen, rng: np.random.Generator) -> None:
    """A touch of the pen: a dot or a tiny dash."""
    cx, cy = box.centre
    cx += float(rng.uniform(-0.25, 0.25)) * box.width
    cy += float(rng.uniform(-0.25, 0.25)) * box.height
    ink.stroke(
        [(cx, cy), (cx + float(rng.uniform(0.1, 0.5)), cy + float(rng.uniform(-0.2, 0.2)))], pen
    )


def _handwriting(ink: Ink, area: Area, rng: np.random.Generator, lines: int) -> None:
    """Cursive-like scribbles on `lines` lines of an area."""
    pen = _pen(rng)
    pen = Pen(pen.width_mm, max(pen.darkness, 0.6), pen.grainy)
    pitch = area.height / lines
    for line in range(lines):
        base = area.y + (line + 0.7) * pitch
        x = area.x + float(rng.uniform(1, 6))
        end = area.right - float(rng.uniform(2, area.width * 0.4))
        while x < end:
            word = float(rng.uniform(6, 18))
            t = np.linspace(0, word, max(6, int(word * 3)))
            amplitude = float(rng.uniform(1.2, 2.5))
            ys = base - amplitude * np.abs(np.sin(t * float(rng.uniform(1.2, 2.2))))
            ink.stroke(list(zip((x + t).tolist(), ys.tolist(), strict=True)), pen)
            x += word + float(rng.uniform(2, 5))


# ---------------------------------------------------------------- filling a page


def fill_page(
    page: Gray,
    layout: PageLayout,
    scale: float,
    rng: np.random.Generator,
    plain: bool = False,
    touches: float = 0.0,
) -> tuple[Gray, Truth]:
    """Marks in the boxes of a page rasterised at `scale` px/mm, as one person fills it;
    `plain`: nothing a reader should ask about (no change of mind, faint mark...);
    `touches`: this share of the boxes left empty get a touch of the pen besides (a pile to
    try the reader on touches, far more of them than people make)."""
    truth = Truth()
    ink = Ink(page.shape, scale, rng)
    pen = _pen(rng)
    questions = list(layout.questions)
    events: dict[str, str] = {}
    single = [q for q in questions if q.single and len(q.choices) > 1]
    for event, chance in (
        ("crossed_out", CROSSED_OUT),
        ("faint", FAINT),
        ("two_ticks", TWO_TICKS),
        ("stray", STRAY),
    ):
        if single and rng.random() < chance and not plain:
            question = single[int(rng.integers(len(single)))]
            events.setdefault(question.key, event)
    for question in questions:
        for choice in question.choices:
            truth.ticked[choice.tag] = False
        event = events.get(question.key)
        lines = question.key.startswith("present:")
        if not lines and rng.random() < UNANSWERED and event is None:
            truth.answers[question.key] = ()
            continue
        if lines and rng.random() < 0.35:  # not everybody on the list came
            truth.answers[question.key] = ()
            continue
        if question.single:
            chosen = [question.choices[int(rng.integers(len(question.choices)))]]
        else:
            count = int(rng.integers(1, 3))
            picks = rng.choice(
                len(question.choices), size=min(count, len(question.choices)), replace=False
            )
            chosen = [question.choices[int(i)] for i in picks]
        others = [c for c in question.choices if c not in chosen]
        if event == "two_ticks" and others:
            second = others[int(rng.integers(len(others)))]
            _tick(ink, second.box, pen, rng)
            truth.ticked[second.tag] = True  # two ticks: both boxes are ticked
            truth.drawn[second.tag] = "tick"
            truth.doubtful.add(question.key)
            truth.notes.append(f"two ticks in {question.key}")
        if event == "crossed_out" and others:
            wrong = others[int(rng.integers(len(others)))]
            _tick(ink, wrong.box, pen, rng)
            _cross_out(ink, wrong.box, pen, rng)
            truth.drawn[wrong.tag] = "crossed"
            truth.doubtful.add(question.key)
            truth.notes.append(f"crossed out {wrong.tag}")
        if event == "stray" and others:
            touched = others[int(rng.integers(len(others)))]
            _stray(ink, touched.box, pen, rng)
            truth.drawn[touched.tag] = "stray"
            truth.doubtful.add(question.key)  # as faint as a faint tick: worth a question
            truth.notes.append(f"stray mark in {touched.tag}")
        for choice in chosen:
            faint = event == "faint"
            _tick(ink, choice.box, _pen(rng, faint=True) if faint else pen, rng)
            truth.ticked[choice.tag] = True
            truth.drawn[choice.tag] = "faint" if faint else "tick"
            if faint:
                truth.doubtful.add(question.key)
                truth.notes.append(f"faint mark in {choice.tag}")
        truth.answers[question.key] = (
            tuple(c.value for c in chosen) if event != "two_ticks" else ("?",)
        )
    for question in questions if touches else ():
        for choice in question.choices:
            meant = truth.ticked[choice.tag] or choice.tag in truth.drawn
            if not meant and rng.random() < touches:
                _stray(ink, choice.box, _pen(rng), rng)
                truth.drawn[choice.tag] = "stray"
    for key, area in layout.writing.items():
        if key.startswith("signature") or rng.random() < 0.3:
            continue
        lines = max(1, round(area.height / 9))
        _handwriting(ink, area, rng, lines)
        truth.written.append(key)
    return ink.apply(page), truth


# ---------------------------------------------------------------- scanning and photographing


def _fold_corner(page: Gray, scale: float, rng: np.random.Generator) -> Gray:
    """One corner folded over: the paper's back (plain) in a triangle, a shadow on the fold."""
    height, width = page.shape
    leg = float(rng.uniform(12, 32)) * scale
    corner = int(rng.integers(4))
    cx = 0 if corner in (0, 3) else width - 1
    cy = 0 if corner in (0, 1) else height - 1
    sx = 1 if cx == 0 else -1
    sy = 1 if cy == 0 else -1
    triangle = np.array([(cx, cy), (cx + sx * leg, cy), (cx, cy + sy * leg)], dtype=np.int32)
    out = page.copy()
    cv2.fillPoly(out, [triangle], int(rng.uniform(215, 240)))
    cv2.line(
        out,
        tuple(triangle[1]),
        tuple(triangle[2]),
        int(rng.uniform(120, 170)),
        max(1, round(scale * 0.3)),
        cv2.LINE_AA,
    )
    return out


def _light(image: Gray, rng: np.random.Generator, strength: float) -> Gray:
    """Uneven light: a gradient across the image and a soft shadow (worked out on an
    eighth of the image, then enlarged: light changes slowly)."""
    height, width = image.shape
    small_h, small_w = max(2, height // 8), max(2, width // 8)
    yy, xx = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
    angle = float(rng.uniform(0, 2 * math.pi))
    ramp = (xx * math.cos(angle) + yy * math.sin(angle)) / max(small_h, small_w)
    ramp = (ramp - ramp.min()) / max(1e-6, float(ramp.max() - ramp.min()))
    light = 1 - strength * ramp
    if rng.random() < 0.7:  # a shadow (a hand, the phone) over part of the page
        mask = np.zeros((small_h, small_w), dtype=np.uint8)
        centre = (int(rng.uniform(0, small_w)), int(rng.uniform(0, small_h)))
        axes = (int(rng.uniform(0.15, 0.45) * small_w), int(rng.uniform(0.1, 0.35) * small_h))
        cv2.ellipse(mask, centre, axes, float(rng.uniform(0, 180)), 0, 360, 255, -1)
        soft = cv2.GaussianBlur(mask, (0, 0), max(small_w, small_h) * 0.03).astype(np.float32)
        light *= 1 - float(rng.uniform(0.15, 0.4)) * soft / 255
    full = cv2.resize(light, (width, height), interpolation=cv2.INTER_LINEAR)
    return _to_gray(image.astype(np.float32) * full)


def _to_gray(values: npt.NDArray[np.float32]) -> Gray:
    """Float values to 0–255, rounded and clipped (OpenCV's saturating conversion)."""
    return np.asarray(cv2.convertScaleAbs(np.maximum(values, 0)), dtype=np.uint8)


def _finish(
    image: Gray, rng: np.random.Generator, blur: float, noise: float, quality: int
) -> tuple[Gray, bytes]:
    if blur > 0.05:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    if noise > 0:
        # OpenCV's generator (seeded from ours): fast on millions of pixels.
        cv2.setRNGSeed(int(rng.integers(2**31)))
        grain = np.zeros(image.shape, dtype=np.float32)
        cv2.randn(grain, 0.0, noise)
        image = _to_gray(image.astype(np.float32) + grain)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return image, bytes(data)


def scanned(
    page: Gray, scale: float, rng: np.random.Generator, dpi: int, quarter: int | None = None
) -> tuple[Gray, bytes]:
    """A flatbed scan at `dpi` of a page rasterised at `scale` px/mm."""
    if rng.random() < FOLDED:
        page = _fold_corner(page, scale, rng)
    height, width = page.shape
    factor = dpi / 25.4 / scale
    turns = int(rng.choice([0, 1, 2, 3], p=[0.7, 0.1, 0.1, 0.1]))
    quarter = turns if quarter is None else quarter
    skew = float(rng.uniform(-3, 3)) if rng.random() < 0.85 else float(rng.uniform(-10, 10))
    # The scan covers the whole sheet, however skewed (a feeder that senses the sheet, or
    # a bed larger than A4), with a few millimetres of the scanner's lid around it.
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), quarter * 90 + skew, factor)
    corners = np.array([(0, 0, 1), (width, 0, 1), (width, height, 1), (0, height, 1)], float)
    placed = corners @ matrix.T
    lid = 3 * dpi / 25.4
    out_w = round(placed[:, 0].max() - placed[:, 0].min() + 2 * lid)
    out_h = round(placed[:, 1].max() - placed[:, 1].min() + 2 * lid)
    matrix[0, 2] += lid - placed[:, 0].min()
    matrix[1, 2] += lid - placed[:, 1].min()
    bed = int(rng.uniform(235, 255))
    image = cv2.warpAffine(page, matrix, (out_w, out_h), flags=cv2.INTER_AREA, borderValue=bed)
    if rng.random() < 0.3:
        image = _light(image, rng, float(rng.uniform(0.03, 0.1)))
    return _finish(
        np.asarray(image, dtype=np.uint8),
        rng,
        float(rng.uniform(0.2, 1.0)),
        float(rng.uniform(0, 5)),
        int(rng.integers(60, 95)),
    )


def photographed(
    page: Gray, scale: float, rng: np.random.Generator, dpi: int, quarter: int | None = None
) -> tuple[Gray, bytes]:
    """A phone photo of the page on a table, the page about `dpi` dots per inch across."""
    if rng.random() < FOLDED:
        page = _fold_corner(page, scale, rng)
    height, width = page.shape
    page_w = 210 * dpi / 25.4  # the page's width in the photo, in pixels
    factor = page_w / width
    out_w, out_h = round(page_w * 1.25), round(page_w * 1.25 * 4 / 3)
    turns = int(rng.choice([0, 1, 2, 3], p=[0.55, 0.15, 0.15, 0.15]))
    quarter = turns if quarter is None else quarter
    if quarter % 2:
        out_w, out_h = out_h, out_w
    angle = math.radians(quarter * 90 + float(rng.uniform(-10, 10)))
    centre = np.array([out_w / 2, out_h / 2]) + rng.uniform(-0.04, 0.04, 2) * (out_w, out_h)
    corners = np.array([(0, 0), (width, 0), (width, height), (0, height)], dtype=np.float64)
    corners = (corners - (width / 2, height / 2)) * factor
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    placed = corners @ rotation.T + centre
    # Perspective: the phone held a little tilted (the far edge shorter).
    tilt = float(rng.uniform(0.0, 0.09))
    side = int(rng.integers(4))
    far = [(side + 2) % 4, (side + 3) % 4]
    middle = placed[far].mean(axis=0)
    for index in far:
        placed[index] = middle + (placed[index] - middle) * (1 - tilt)
    placed += rng.normal(0, 0.006 * page_w, placed.shape)
    source = np.array([(0, 0), (width, 0), (width, height), (0, height)], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, placed.astype(np.float32))
    table = int(rng.uniform(60, 150))
    image = cv2.warpPerspective(
        page, matrix, (out_w, out_h), flags=cv2.INTER_AREA, borderValue=table
    )
    # the table is not flat grey: a little texture
    texture = cv2.resize(
        cv2.GaussianBlur(
            rng.normal(0, 12, (out_h // 4, out_w // 4)).astype(np.float32), (0, 0), 1.5
        ),
        (out_w, out_h),
    )
    outside = np.zeros((out_h, out_w), dtype=np.uint8)
    cv2.fillConvexPoly(outside, placed.astype(np.int32), 255)
    image = np.where(outside == 0, _to_gray(image.astype(np.float32) + texture), image)
    image = _light(image, rng, float(rng.uniform(0.1, 0.35)))
    return _finish(
        image,
        rng,
        float(rng.uniform(0.4, 1.6)),
        float(rng.uniform(2, 7)),
        int(rng.integers(50, 90)),
    )


def render_page(pdf: bytes, index: int, scale: float) -> Gray:
    """Page `index` of a PDF at `scale` pixels per mm (grey)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[index]
        image = np.array(
            page.render(scale=scale * 25.4 / 72, grayscale=True).to_numpy(), dtype=np.uint8
        )
        page.close()
    finally:
        document.close()
    return image[:, :, 0] if image.ndim == 3 else image


def make_sample(
    name: str,
    page: Gray,
    layout: PageLayout,
    scale: float,
    kind: Kind,
    rng: np.random.Generator,
    dpi: int | None = None,
    quarter: int | None = None,
    plain: bool = False,
    touches: float = 0.0,
) -> Sample:
    """One filled sheet, scanned or photographed (`fill_page` says what `plain` and
    `touches` do)."""
    filled, truth = fill_page(page, layout, scale, rng, plain, touches)
    dpi = dpi or int(rng.choice([150, 200, 300]) if kind == "scanner" else rng.integers(150, 301))
    make = scanned if kind == "scanner" else photographed
    _image, data = make(filled, scale, rng, dpi, quarter)
    decoded = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    return Sample(name, kind, dpi, np.asarray(decoded, dtype=np.uint8), data, truth)


# ---------------------------------------------------------------- piles of sheets


@dataclass(frozen=True)
class PrintedSheets:
    """Blank feedback sheets as printed: the PDF, and the layout of a sheet's pages."""

    pdf: bytes
    layouts: dict[int, PageLayout]  # by page of the sheet (1 front, 2 back)
    numbers: list[int]  # sheet numbers, in the PDF's order (two pages each)


def printed_feedback_sheets(printing: Any, count: int, first: int = 1) -> PrintedSheets:
    """`count` blank feedback sheets from the program's own printing (`PrintService`)."""
    from station_desktop.forms.feedback import FEEDBACK_FORM
    from station_desktop.pdf.page import LayoutLog
    from station_desktop.scan.layout import page_layouts

    log = LayoutLog()
    printing.render(printing.blank_sheets("feedback", 1, first=first), layout=log)
    pdf = printing.render(printing.blank_sheets("feedback", count, first=first))
    return PrintedSheets(
        pdf.data, page_layouts(log, FEEDBACK_FORM), list(range(first, first + count))
    )


@dataclass
class PileTruth:
    """What a generated pile holds: each file's pages, and each page's truth."""

    files: list[Path] = field(default_factory=list)
    pages: dict[tuple[int, int], Truth] = field(default_factory=dict)  # (sheet, page) → truth
    samples: dict[tuple[int, int], Sample] = field(default_factory=dict)


def scanner_pdf(samples: Sequence[Sample]) -> bytes:
    """A scanner's PDF: each sample's JPEG as one page, at its resolution."""
    import io

    from reportlab import rl_config
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, invariant=True)
    # The JPEGs go in as they are (ASCII85 around them would only slow the writing down).
    a85, rl_config.useA85 = rl_config.useA85, 0
    for sample in samples:
        height, width = sample.image.shape
        size = (width / sample.dpi * 72, height / sample.dpi * 72)
        canvas.setPageSize(size)
        canvas.drawImage(ImageReader(io.BytesIO(sample.data)), 0, 0, *size)
        canvas.showPage()
    try:
        canvas.save()
    finally:
        rl_config.useA85 = a85
    return out.getvalue()


def make_pile(
    printing: Any,
    folder: Path,
    *,
    scanner: int,
    phone: int,
    first: int = 1,
    seed: int = SEED,
    backs: bool = True,
    scale: float = 12.0,
) -> PileTruth:
    """A pile as a station brings it: `scanner` sheets in one PDF from a scanner (front
    and back), `phone` sheets photographed (a JPEG a side). Returns the truth."""
    rng = np.random.default_rng(seed)
    sheets = printed_feedback_sheets(printing, scanner + phone, first)
    truth = PileTruth()
    scanned: list[Sample] = []
    for index, number in enumerate(sheets.numbers):
        kind: Kind = "scanner" if index < scanner else "phone"
        for page in (1, 2) if backs else (1,):
            image = render_page(sheets.pdf, 2 * index + page - 1, scale)
            sample = make_sample(
                f"{number:04d}-{page}", image, sheets.layouts[page], scale, kind, rng
            )
            truth.pages[(number, page)] = sample.truth
            truth.samples[(number, page)] = sample
            if kind == "scanner":
                scanned.append(sample)
            else:
                path = folder / f"phone-{number:04d}-{page}.jpg"
                path.write_bytes(sample.data)
                truth.files.append(path)
    if scanned:
        path = folder / "scanner.pdf"
        path.write_bytes(scanner_pdf(scanned))
        truth.files.insert(0, path)
    return truth
