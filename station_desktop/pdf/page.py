"""House style of the printed forms: the A4 page, its header and footer, and the QR code.

Every page carries the station's name in both scripts, the form's title (Tibetan over Chinese),
its code and version, a reference (record number, sheet number) and a QR code identifying the
record or the blank sheet; the footer has the printed-on date and "page x of y". Pages are
counted per form, so that each form of a batch (a visit pack) numbers its own pages.

A page that is matched against paper also carries what a scan needs to read it back
(`scan/`): a second, smaller QR code in the opposite corner (a folded corner or a thumb hides
one of them, not both), four black corner marks that fix the page's geometry, and in the QR
text the page number and a hash of where the page's boxes are (`LayoutLog.targets`): a sheet
printed with another layout is refused by the reader, never read at the wrong places.

Headers and footers are drawn when the document is saved (a deferred canvas, the usual
ReportLab recipe): only then is the number of pages of each form known. The body of a page is
one frame (`BODY`); nothing but the header and footer is drawn outside it.

`LayoutLog` records the box of every field, heading, header and footer as drawn (absolute page
coordinates), and the QR text of each page: tests check with it that nothing overlaps.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
from reportlab.platypus.flowables import Flowable

from station_desktop.domain.codes import Code
from station_desktop.formats import LocaleFormats
from station_desktop.i18n import N_, PAPER_LANGUAGES, Catalogues
from station_desktop.pdf.fonts import CHINESE_REGULAR, register_fonts
from station_desktop.pdf.paragraphs import TextBlock, TextStyle

__all__ = [
    "BODY",
    "CORNER_MARKS",
    "FORM_BODY",
    "MAIN_QR_LEVEL",
    "MSG_CONTINUED",
    "MSG_CORRECTS",
    "MSG_NAME",
    "MSG_PAGE",
    "MSG_PRINTED_ON",
    "MSG_RESIDENT_SIGNATURE",
    "MSG_SIGNATURE",
    "MSG_SIGN_IN",
    "MSG_STAGE_HISTORY",
    "MSG_TICK_ANY",
    "MSG_TICK_ONE",
    "MSG_WORKER_SIGNATURE",
    "QR_BOX",
    "SECOND_QR_BOX",
    "SECOND_QR_LEVEL",
    "TIBETAN_SCALE",
    "Box",
    "FormHeader",
    "LayoutLog",
    "PaperSetup",
    "PaperTexts",
    "QrPayload",
    "Rect",
    "RenderedPdf",
    "StationHeader",
    "Styles",
    "build_document",
    "form_start",
    "layout_hash",
    "qr_matrix",
    "short_hash",
]

# ---------------------------------------------------------------- geometry (points)

mm: Final = 72 / 25.4  # points per millimetre (typed, unlike ReportLab's)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X: Final = 14 * mm
HEADER_TOP: Final = PAGE_HEIGHT - 10 * mm
HEADER_RULE: Final = PAGE_HEIGHT - 36 * mm
FOOTER_RULE: Final = 16 * mm
QR_SIZE: Final = 21 * mm
# Left of the QR code and its quiet zone: the station, the title, the code and reference.
HEADER_TEXT_WIDTH: Final = PAGE_WIDTH - 2 * MARGIN_X - QR_SIZE - 3 * mm
# The station and the form's subject, top left, beside the code and reference.
SUBJECT_WIDTH: Final = HEADER_TEXT_WIDTH - 62 * mm


@dataclass(frozen=True)
class Rect:
    x: float
    y: float  # bottom
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height

    @property
    def right(self) -> float:
        return self.x + self.width

    def overlaps(self, other: Rect, tolerance: float = 0.01) -> bool:
        """True if the insides intersect (touching edges do not count)."""
        return (
            self.x < other.right - tolerance
            and other.x < self.right - tolerance
            and self.y < other.top - tolerance
            and other.y < self.top - tolerance
        )

    def contains(self, x: float, y: float, tolerance: float = 0.01) -> bool:
        return (
            self.x - tolerance <= x <= self.right + tolerance
            and self.y - tolerance <= y <= self.top + tolerance
        )


# The frame the body flows in: below the header rule, above the footer rule.
BODY: Final = Rect(MARGIN_X, 19 * mm, PAGE_WIDTH - 2 * MARGIN_X, HEADER_RULE - 2 * mm - 19 * mm)
HEADER_BOX: Final = Rect(MARGIN_X, HEADER_RULE, BODY.width, HEADER_TOP - HEADER_RULE)
FOOTER_BOX: Final = Rect(MARGIN_X, 8 * mm, BODY.width, FOOTER_RULE - 8 * mm)

# Pages read back from scans (forms with a QR code). Corner marks: solid squares 6 mm in
# from each edge (inside what printers reach), clear of the text and of the QR codes'
# quiet zones. The second QR code sits bottom left, the footer's words to its right, so the
# body ends a little higher than on a report.
MARK_SIZE: Final = 5 * mm
MARK_INSET: Final = 6 * mm
CORNER_MARKS: Final = (
    Rect(MARK_INSET, PAGE_HEIGHT - MARK_INSET - MARK_SIZE, MARK_SIZE, MARK_SIZE),  # top left
    Rect(
        PAGE_WIDTH - MARK_INSET - MARK_SIZE,
        PAGE_HEIGHT - MARK_INSET - MARK_SIZE,
        MARK_SIZE,
        MARK_SIZE,
    ),  # top right
    Rect(PAGE_WIDTH - MARK_INSET - MARK_SIZE, MARK_INSET, MARK_SIZE, MARK_SIZE),  # bottom right
    Rect(MARK_INSET, MARK_INSET, MARK_SIZE, MARK_SIZE),  # bottom left
)
QR_BOX: Final = Rect(PAGE_WIDTH - MARGIN_X - QR_SIZE, HEADER_TOP - QR_SIZE, QR_SIZE, QR_SIZE)
SECOND_QR_SIZE: Final = 16 * mm
SECOND_QR_BOX: Final = Rect(MARGIN_X, 5 * mm, SECOND_QR_SIZE, SECOND_QR_SIZE)
FORM_FOOTER_RULE: Final = 22 * mm
FORM_BODY: Final = Rect(MARGIN_X, 24 * mm, BODY.width, HEADER_RULE - 2 * mm - 24 * mm)
FORM_FOOTER_BOX: Final = Rect(MARGIN_X, 5 * mm, BODY.width, FORM_FOOTER_RULE - 5 * mm)
# The footer's words, right of the second QR code and its quiet zone.
FORM_FOOTER_TEXT_X: Final = SECOND_QR_BOX.right + 4 * mm

# ---------------------------------------------------------------- words of the paper

# TRANSLATORS: footer of every printed page: "page 2 of 3" of this form.
MSG_PAGE: Final = N_("Page {page} of {pages}")
# TRANSLATORS: footer of every printed page; {date} is the date the form was printed.
MSG_PRINTED_ON: Final = N_("Printed on {date}")
MSG_SIGNATURE: Final = N_("Signature")
MSG_RESIDENT_SIGNATURE: Final = N_("Resident's signature")
MSG_WORKER_SIGNATURE: Final = N_("Social worker's signature")
MSG_STAGE_HISTORY: Final = N_("Stage history")
# TRANSLATORS: a field's label again on the next page, where its text runs on.
MSG_CONTINUED: Final = N_("{label} (continued)")
# TRANSLATORS: column of the sign-in sheet where people write their name.
MSG_NAME: Final = N_("Name")
# TRANSLATORS: title of the list people sign when they come to an activity.
MSG_SIGN_IN: Final = N_("Sign-in")
# TRANSLATORS: instruction beside a list of boxes on a blank paper form.
MSG_TICK_ONE: Final = N_("Tick one box.")
# TRANSLATORS: instruction beside a list of boxes on a blank paper form.
MSG_TICK_ANY: Final = N_("Tick every box that applies.")
# TRANSLATORS: above a progress note that corrects an earlier one; {date} is its date.
MSG_CORRECTS: Final = N_("Corrects the note of {date}")


class PaperTexts:
    """Labels, codes and dates in Tibetan and in Chinese at once, whatever the interface
    language (paper is read by people of both languages)."""

    def __init__(self, catalogues: Catalogues | None = None) -> None:
        self._catalogues = catalogues if catalogues is not None else Catalogues()
        self._formats = tuple(LocaleFormats.fixed(lang) for lang in PAPER_LANGUAGES)
        self._cache: dict[str, tuple[str, str]] = {}

    def both(self, message: str, **params: Any) -> tuple[str, str]:
        """A message in Tibetan and in Chinese (codes among the params as their labels)."""
        if not params and message in self._cache:
            return self._cache[message]
        # The catalogues are the one place for every printed word.
        pair = self._catalogues.both(message, **params)
        if not params:
            self._cache[message] = pair
        return pair

    def with_context(self, context: str, message: str) -> tuple[str, str]:
        bo, zh = (
            self._catalogues.translator(lang).pgettext(context, message) for lang in PAPER_LANGUAGES
        )
        return bo, zh

    def code(self, code: Code) -> tuple[str, str]:
        return self.both(code.label)

    def dates(self, day: date) -> tuple[str, str]:
        bo, zh = (formats.date(day) for formats in self._formats)
        return bo, zh

    def with_date(self, message: str, day: date) -> tuple[str, str]:
        """A message with a `{date}` placeholder, each language with its own date form."""
        template = self.both(message, date="{date}")
        bo, zh = (t.format(date=d) for t, d in zip(template, self.dates(day), strict=True))
        return bo, zh

    def money(self, fen: int) -> str:
        return self._formats[1].money(fen)  # the same ¥ form in every language


# ---------------------------------------------------------------- styles

# Tibetan is set this much larger than Chinese so that both read alike (older readers): at
# one point size, Noto Serif Tibetan's letters are visibly smaller than Han characters.
# The header and footer keep one size: they identify the page and have a fixed height.
TIBETAN_SCALE: Final = 1.2
# Bold labels and headings read larger already, and fill the narrow label column: a little
# less; the small help text, the smallest of all, a little more.
LABEL_TIBETAN_SCALE: Final = 1.12
HINT_TIBETAN_SCALE: Final = 1.25

GREY: Final = (0.35, 0.35, 0.35)
LIGHT_INK: Final = (0.55, 0.55, 0.55)
# Chinese alone needs less leading than Tibetan stacks (TIBETAN_LINE_HEIGHT).
CHINESE_LINE_HEIGHT: Final = 1.4


@dataclass(frozen=True)
class Styles:
    """The text styles of the house style; `shaping=False` only to measure the floor."""

    shaping: bool = True

    def _style(self, size: float, scale: float | None = None, **kw: Any) -> TextStyle:
        """A body text style: Tibetan larger than Chinese (`TIBETAN_SCALE`)."""
        tibetan = TIBETAN_SCALE if scale is None else scale
        return TextStyle(size=size, shaping=self.shaping, tibetan_scale=tibetan, **kw)

    def _frame(self, size: float, **kw: Any) -> TextStyle:
        """A header or footer style: one size for both scripts."""
        return TextStyle(size=size, shaping=self.shaping, **kw)

    def _chinese(self, size: float, **kw: Any) -> TextStyle:
        return self._style(size, leading=size * CHINESE_LINE_HEIGHT, **kw)

    @functools.cached_property
    def title_bo(self) -> TextStyle:
        return self._frame(14, bold=True, align="center")

    @functools.cached_property
    def title_zh(self) -> TextStyle:
        return self._frame(13, bold=True, align="center", leading=13 * CHINESE_LINE_HEIGHT)

    @functools.cached_property
    def station(self) -> TextStyle:
        return self._frame(8.5)

    @functools.cached_property
    def subject(self) -> TextStyle:
        return self._frame(8.5, bold=True)

    @functools.cached_property
    def subject_small(self) -> TextStyle:
        return self._frame(7, bold=True)

    @functools.cached_property
    def code(self) -> TextStyle:
        return self._frame(10, bold=True, align="right")

    @functools.cached_property
    def reference(self) -> TextStyle:
        return self._frame(7, align="right")

    @functools.cached_property
    def footer(self) -> TextStyle:
        return self._frame(7.5, color=GREY)

    @functools.cached_property
    def footer_right(self) -> TextStyle:
        return self._frame(7.5, color=GREY, align="right")

    @functools.cached_property
    def heading(self) -> TextStyle:
        return self._style(10, LABEL_TIBETAN_SCALE, bold=True)

    @functools.cached_property
    def label_bo(self) -> TextStyle:
        return self._style(8.5, LABEL_TIBETAN_SCALE, bold=True)

    @functools.cached_property
    def label_zh(self) -> TextStyle:
        return self._chinese(8.5, color=GREY)

    @functools.cached_property
    def hint(self) -> TextStyle:
        return self._style(7, HINT_TIBETAN_SCALE, color=GREY)

    @functools.cached_property
    def value(self) -> TextStyle:
        return self._style(10)

    @functools.cached_property
    def value_strong(self) -> TextStyle:
        return self._style(11, bold=True)

    @functools.cached_property
    def small(self) -> TextStyle:
        return self._style(8)

    @functools.cached_property
    def tiny(self) -> TextStyle:
        return self._style(6.5)

    @functools.cached_property
    def option(self) -> TextStyle:
        return self._style(8)

    @functools.cached_property
    def scale_label(self) -> TextStyle:
        return self._style(7.5, align="center")


# ---------------------------------------------------------------- the QR code

_QR_PREFIX: Final = "SD2"
_OLD_QR_PREFIX: Final = "SD1"  # before pages were read back: no page, layout or check
QrKind = Literal["record", "resident", "sheet", "list"]
_QR_TAGS: Final[dict[str, QrKind]] = {"R": "record", "P": "resident", "S": "sheet", "L": "list"}
_BASE36: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def short_hash(text: str) -> str:
    """Two characters of the QR's alphanumeric set (1,296 values) summing up `text`."""
    value = zlib.crc32(text.encode()) % (36 * 36)
    return _BASE36[value // 36] + _BASE36[value % 36]


@dataclass(frozen=True)
class QrPayload:
    """What the QR code of a printed form says, so that a paper sheet can be matched when it
    is typed in or scanned: the form's code and version, and one of
    - `record`: the id of the printed record;
    - `resident`: the resident a pre-filled blank form (visit pack) is for;
    - `sheet`: the station and the number of a blank sheet;
    - `list`: the id of a printed sign-in list (the names printed on it);
    then, per page: the page number of the form, a hash of where the page's boxes are
    (`layout`, see `layout_hash`) and a check of the whole text.

    Text form: `SD2:HV-01:1:R:<UUID>:1:<layout>:<check>`, `SD2:SF-01:1:S:CG-BK:0001:2:7Q:K3`.
    Upper case only, so that the QR uses its compact alphanumeric mode (larger modules on
    the same 21 mm: easier to scan from a worn sheet). Older sheets said `SD1:...` without
    page, layout and check; they are still understood (`page` 0).
    """

    form: str
    version: int
    kind: QrKind
    record_id: uuid.UUID | None = None
    station: str = ""
    sheet: int = 0
    page: int = 0  # 0: the form as a whole (the header's code, before it is drawn on a page)
    layout: str = ""

    @classmethod
    def record(cls, form: str, version: int, record_id: uuid.UUID) -> QrPayload:
        return cls(form, version, "record", record_id=record_id)

    @classmethod
    def resident(cls, form: str, version: int, resident_id: uuid.UUID) -> QrPayload:
        return cls(form, version, "resident", record_id=resident_id)

    @classmethod
    def blank_sheet(cls, form: str, version: int, station: str, sheet: int) -> QrPayload:
        return cls(form, version, "sheet", station=station, sheet=sheet)

    @classmethod
    def sign_in_list(cls, form: str, version: int, list_id: uuid.UUID) -> QrPayload:
        return cls(form, version, "list", record_id=list_id)

    def on_page(self, page: int, layout: str) -> QrPayload:
        """The code of one printed page of the form."""
        return dataclasses.replace(self, page=page, layout=layout)

    @property
    def identity(self) -> str:
        """The form's sheet or record, the same on every page (`SF-01:1:S:CG-BK:0001`)."""
        tag = next(t for t, k in _QR_TAGS.items() if k == self.kind)
        head = f"{self.form}:{self.version}:{tag}"
        if self.kind == "sheet":
            return f"{head}:{self.station}:{self.sheet:04d}".upper()
        return f"{head}:{self.record_id}".upper()

    @property
    def text(self) -> str:
        body = f"{_QR_PREFIX}:{self.identity}:{self.page}:{self.layout or '00'}"
        return f"{body}:{short_hash(body)}"

    @classmethod
    def parse(cls, text: str) -> QrPayload:
        """The payload of a scanned QR text (ValueError if it is not one of ours, or if its
        check does not match: a misread code is never taken for another sheet)."""
        parts = text.strip().split(":")
        if len(parts) < 5 or parts[0] not in (_QR_PREFIX, _OLD_QR_PREFIX):
            raise ValueError(f"not a Station Desktop form code: {text!r}")
        page, layout = 0, ""
        if parts[0] == _QR_PREFIX:
            if len(parts) < 8 or short_hash(":".join(parts[:-1])) != parts[-1]:
                raise ValueError(f"form code with a wrong check: {text!r}")
            page, layout = _number(parts[-3], text), parts[-2]
            parts = parts[:-3]
        if parts[3] not in _QR_TAGS:
            raise ValueError(f"not a Station Desktop form code: {text!r}")
        form, version, kind = parts[1], _number(parts[2], text), _QR_TAGS[parts[3]]
        if kind == "sheet":
            if len(parts) != 6:
                raise ValueError(f"bad sheet code: {text!r}")
            sheet = _number(parts[5], text)
            return cls(form, version, kind, station=parts[4], sheet=sheet, page=page, layout=layout)
        if len(parts) != 5:
            raise ValueError(f"bad record code: {text!r}")
        return cls(form, version, kind, record_id=uuid.UUID(parts[4]), page=page, layout=layout)


def _number(text: str, code: str) -> int:
    if not text.isdigit() or not text.isascii():
        raise ValueError(f"bad number in the form code: {code!r}")
    return int(text)


_FIXED_TARGETS: Final = ("mark:", "qr:")


def layout_hash(targets: Sequence[Box]) -> str:
    """Where a page's boxes are, summed up in two characters: the reader renders the form
    again and compares (a change of layout since printing is caught, not misread)."""
    parts = sorted(
        f"{b.tag}@{round(b.rect.x / mm * 4)},{round(b.rect.y / mm * 4)},"
        f"{round(b.rect.width / mm * 4)},{round(b.rect.height / mm * 4)}"
        for b in targets
        if not b.tag.startswith(_FIXED_TARGETS)  # the same on every page
    )
    return short_hash("|".join(parts))


# The main QR code (top right) has error correction level M, the second one (bottom left)
# level L, which keeps it at the same number of modules: a reader that finds only one of
# them knows which it is from the level its decoder reports.
QrLevel = Literal["M", "L"]
MAIN_QR_LEVEL: Final[QrLevel] = "M"
SECOND_QR_LEVEL: Final[QrLevel] = "L"


@functools.lru_cache(maxsize=512)
def qr_matrix(text: str, level: QrLevel = MAIN_QR_LEVEL) -> tuple[tuple[bool, ...], ...]:
    """The QR modules for `text` (True = dark), from ReportLab's encoder."""
    code = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    code.addData(text)
    code.make()
    return tuple(tuple(bool(m) for m in row) for row in code.modules)


@functools.lru_cache(maxsize=512)
def _qr_runs(text: str, level: QrLevel) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """Module count and the dark runs (row, first column, length): one rectangle per run."""
    matrix = qr_matrix(text, level)
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                runs.append((r, start, c - start))
            else:
                c += 1
    return len(matrix), tuple(runs)


def draw_qr(
    canv: Any, text: str, x: float, y: float, size: float, level: QrLevel = MAIN_QR_LEVEL
) -> None:
    """Draw the QR code of `text` with its lower left corner at (x, y). The caller leaves
    the quiet zone (4 modules) free around it."""
    count, runs = _qr_runs(text, level)
    module = size / count
    canv.saveState()
    canv.setFillColorRGB(0, 0, 0)
    path = canv.beginPath()
    for r, c, length in runs:
        # A hair of overlap between rows: no white seams when a viewer anti-aliases.
        path.rect(x + c * module, y + size - (r + 1) * module, length * module, module * 1.02)
    canv.drawPath(path, stroke=0, fill=1)
    canv.restoreState()


# ---------------------------------------------------------------- headers, layout log


@dataclass(frozen=True)
class StationHeader:
    code: str
    name_bo: str
    name_zh: str


@dataclass(frozen=True)
class FormHeader:
    """What the header of each page of one form shows: a loose page is matched back to its
    record by the subject's name, the reference and the QR code, on every page."""

    title: str  # message id
    printed_code: str  # "HV-01 v1"
    reference: str  # "#0001", a case number, a record id...
    qr: QrPayload | None = None  # None: a document that no paper sheet is matched against
    subject: tuple[str, ...] = ()  # whom the form is about: their names in both scripts
    station: StationHeader | None = None  # the record's station (None: the setup's)


@dataclass(frozen=True)
class Box:
    page: int  # 1-based, in the whole document
    tag: str
    rect: Rect


@dataclass
class LayoutLog:
    """Boxes of what was drawn, and the QR text of each page (for tests and checks).

    `boxes` are the parts of a page (fields, headings, header, footer), which never
    overlap; `targets` are what a scan reads back inside them: tick boxes
    (`tick:<field>:<code>`), rating boxes (`rating:<field>:<level>`), handwriting
    (`write:<field>`), the rows of a list to tick (`row:<list>:<n>`), the corner marks
    (`mark:<n>`) and the QR codes (`qr:1`, `qr:2`)."""

    boxes: list[Box] = field(default_factory=list)
    targets: list[Box] = field(default_factory=list)
    qr_texts: dict[int, str] = field(default_factory=dict)
    page_labels: dict[int, tuple[int, int]] = field(default_factory=dict)  # page → (x, y)

    def add(self, canv: Any, tag: str, x: float, y: float, width: float, height: float) -> None:
        """Record a box given in the canvas's current (translated) coordinates."""
        self.boxes.append(Box(canv.getPageNumber(), tag, _absolute(canv, x, y, width, height)))

    def add_target(
        self, canv: Any, tag: str, x: float, y: float, width: float, height: float
    ) -> None:
        """Record something a scan reads back, in the canvas's current coordinates."""
        self.targets.append(Box(canv.getPageNumber(), tag, _absolute(canv, x, y, width, height)))

    def on_page(self, page: int) -> list[Box]:
        return [b for b in self.boxes if b.page == page]

    def targets_on(self, page: int) -> list[Box]:
        return [b for b in self.targets if b.page == page]


def _absolute(canv: Any, x: float, y: float, width: float, height: float) -> Rect:
    matrix = canv._currentMatrix
    return Rect(x + matrix[4], y + matrix[5], width, height)


@dataclass(frozen=True)
class PaperSetup:
    station: StationHeader
    printed_on: date
    texts: PaperTexts
    shaping: bool = True
    invariant: bool = False  # no time stamps or random ids in the file (tests)

    @functools.cached_property
    def styles(self) -> Styles:
        return Styles(self.shaping)


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    # Meant for both sides of the paper: the PDF asks for it, and each form starts on a new
    # sheet (a blank back after a form of an odd number of pages).
    duplex: bool = False


class RenderCancelled(Exception):
    """Raised by a progress callback to stop rendering; nothing is returned or written."""


# Called with the number of forms begun so far (1, 2, ...); may raise RenderCancelled.
RenderProgress = Callable[[int], None]
# Draws a page's header and footer: (canvas, form header, form index, page, pages of the form).
PageDecoration = Callable[[Any, FormHeader, int, int, int], None]


class _FormStart(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    """Zero-size marker at the top of each form: tells the canvas whose pages follow."""

    def __init__(self, header: FormHeader) -> None:
        super().__init__()
        self.header = header
        self.width = self.height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return 0.0, 0.0

    def draw(self) -> None:
        self.canv.sd_form_index += 1
        self.canv.sd_form_header = self.header
        if self.canv.sd_progress is not None:
            self.canv.sd_progress(self.canv.sd_form_index + 1)


def form_start(header: FormHeader) -> Flowable:
    """The first flowable of every form in a story (each form starts on a new page)."""
    return _FormStart(header)


def _block(text: str, style: TextStyle, width: float) -> TextBlock:
    block = TextBlock(text, style)
    block.wrap(width, PAGE_HEIGHT)
    return block


class _Decorator:
    """Draws the header and footer of a page; caches what is the same on every page."""

    def __init__(self, setup: PaperSetup, layout: LayoutLog | None) -> None:
        self.setup = setup
        self.layout = layout
        styles = setup.styles
        texts = setup.texts
        station = setup.station
        self._default_station = station
        self._stations: dict[str, TextBlock] = {}
        printed_on = "  ".join(texts.with_date(MSG_PRINTED_ON, setup.printed_on))
        self._printed = _block(printed_on, styles.footer, BODY.width * 0.5)
        self._forms: dict[int, tuple[TextBlock, ...]] = {}

    def _station_block(self, station: StationHeader | None) -> TextBlock:
        """The station the record belongs to (its own, or the village's), else the setup's."""
        station = station or self._default_station
        block = self._stations.get(station.code)
        if block is None:
            names = "  ".join(n for n in (station.name_bo, station.name_zh) if n)
            block = self._stations[station.code] = _block(
                names or station.code, self.setup.styles.station, SUBJECT_WIDTH
            )
        return block

    def _form_blocks(self, index: int, header: FormHeader) -> tuple[TextBlock, ...]:
        blocks = self._forms.get(index)
        if blocks is None:
            styles = self.setup.styles
            title_bo, title_zh = self.setup.texts.both(header.title)
            subject = "  ".join(n for n in header.subject if n)
            subject_block = _block(subject, styles.subject, SUBJECT_WIDTH)
            if len(subject_block.line_texts) > 1:  # one line, so the header keeps its height
                subject_block = _block(subject, styles.subject_small, SUBJECT_WIDTH)
            blocks = (
                _block(title_bo, styles.title_bo, HEADER_TEXT_WIDTH),
                _block(title_zh, styles.title_zh, HEADER_TEXT_WIDTH),
                _block(header.printed_code, styles.code, 60 * mm),
                _block(header.reference, styles.reference, 60 * mm),
                subject_block,
            )
            self._forms = {index: blocks}  # forms come in order: keep only the current one
        return blocks

    def decorate(self, canv: Any, header: FormHeader, index: int, page: int, pages: int) -> None:
        title_bo, title_zh, code, reference, subject = self._form_blocks(index, header)
        station = self._station_block(header.station)
        scanned = header.qr is not None  # a page matched against paper: read back from scans
        canv.saveState()
        left = MARGIN_X
        right = PAGE_WIDTH - MARGIN_X
        text_right = left + HEADER_TEXT_WIDTH
        # Station and the person the form is about (left); code and reference (right, beside
        # the QR code): every page of a form says whose it is.
        top = HEADER_TOP
        station.drawOn(canv, left, top - station.height)
        if header.subject:
            subject.drawOn(canv, left, top - station.height - subject.height)
        code.drawOn(canv, text_right - code.width, top - code.height)
        reference.drawOn(canv, text_right - reference.width, top - code.height - reference.height)
        # The title under all of them (a record id can be long), centred left of the QR.
        left_height = station.height + (subject.height if header.subject else 0.0)
        y = top - max(left_height, code.height + reference.height)
        for block in (title_bo, title_zh):  # centred by their style
            y -= block.height
            block.drawOn(canv, left, y)
        qr_text = ""
        if header.qr is not None:
            number = canv.getPageNumber()
            targets = self.layout.targets_on(number) if self.layout is not None else []
            qr_text = header.qr.on_page(page, layout_hash(targets)).text
            draw_qr(canv, qr_text, QR_BOX.x, QR_BOX.y, QR_BOX.width)
            second = SECOND_QR_BOX
            draw_qr(canv, qr_text, second.x, second.y, second.width, SECOND_QR_LEVEL)
            canv.setFillColorRGB(0, 0, 0)
            for mark in CORNER_MARKS:
                canv.rect(mark.x, mark.y, mark.width, mark.height, stroke=0, fill=1)
        canv.setStrokeColorRGB(0, 0, 0)
        canv.setLineWidth(0.8)
        canv.line(left, HEADER_RULE, right, HEADER_RULE)
        canv.setLineWidth(0.4)
        footer_rule = FORM_FOOTER_RULE if scanned else FOOTER_RULE
        footer_left = FORM_FOOTER_TEXT_X if scanned else left
        canv.line(footer_left, footer_rule, right, footer_rule)
        # Footer: printed-on date (left), page x of y (right).
        footer_top = footer_rule - 1 * mm
        self._printed.drawOn(canv, footer_left, footer_top - self._printed.height)
        bo, zh = self.setup.texts.both(MSG_PAGE, page=page, pages=pages)
        numbering = _block(f"{bo}  {zh}", self.setup.styles.footer_right, BODY.width * 0.35)
        numbering.drawOn(canv, right - numbering.width, footer_top - numbering.height)
        canv.restoreState()
        if self.layout is not None:
            number = canv.getPageNumber()
            self.layout.add(canv, "header", *_xywh(HEADER_BOX))
            self.layout.add(canv, "footer", *_xywh(FORM_FOOTER_BOX if scanned else FOOTER_BOX))
            if qr_text:
                self.layout.qr_texts[number] = qr_text
                for n, mark in enumerate(CORNER_MARKS):
                    self.layout.add_target(canv, f"mark:{n}", *_xywh(mark))
                self.layout.add_target(canv, "qr:1", *_xywh(QR_BOX))
                self.layout.add_target(canv, "qr:2", *_xywh(SECOND_QR_BOX))
            self.layout.page_labels[number] = (page, pages)


def _xywh(rect: Rect) -> tuple[float, float, float, float]:
    return rect.x, rect.y, rect.width, rect.height


class _FormCanvas(Canvas):  # type: ignore[misc]  # ReportLab is untyped
    """Keeps every page until `save`, then draws headers and footers with the page counts."""

    def __init__(
        self,
        *args: Any,
        decorate: PageDecoration,
        progress: RenderProgress | None = None,
        duplex: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sd_decorate = decorate
        self.sd_progress = progress
        self.sd_duplex = duplex
        self.sd_two_sided = False
        self.sd_written = 0
        self.sd_pages: list[dict[str, Any]] = []
        self.sd_form_index = -1
        self.sd_form_header: FormHeader | None = None

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self.sd_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = self.sd_pages
        per_form = Counter(state["sd_form_index"] for state in pages)
        # Both sides of a sheet when a form runs over a page: a form of two pages is one
        # sheet. Forms of one page each stay one-sided (sheets handed to different people).
        two_sided = self.sd_duplex and any(n > 1 for n in per_form.values())
        last_form = max(per_form, default=-1)
        seen: Counter[int] = Counter()
        written = 0
        for state in pages:
            self.__dict__.update(state)
            index = self.sd_form_index
            seen[index] += 1
            if self.sd_form_header is not None:
                self.sd_decorate(self, self.sd_form_header, index, seen[index], per_form[index])
            super().showPage()
            written += 1
            ends_form = seen[index] == per_form[index]
            if two_sided and ends_form and per_form[index] % 2 and index != last_form:
                super().showPage()  # a blank back: the next form starts on a new sheet
                written += 1
        self.sd_written = written
        if two_sided:
            self.setViewerPreference("Duplex", "DuplexFlipLongEdge")
        self.sd_two_sided = two_sided
        super().save()


def build_document(
    story: Sequence[Flowable],
    setup: PaperSetup,
    *,
    layout: LayoutLog | None = None,
    progress: RenderProgress | None = None,
    decorate: PageDecoration | None = None,
    duplex: bool = False,
    body: Rect = BODY,
) -> RenderedPdf:
    """Lay out a story of forms (each starting with `form_start`) on A4 pages.

    `progress` is told as each form begins; raising `RenderCancelled` from it stops the
    work at once (a 500-sheet batch the reader no longer wants). `decorate` draws the
    headers and footers when a document needs others than the forms' (the report).
    `duplex`: print on both sides when a form runs over one page (see `RenderedPdf`).
    `body`: where the story flows (`FORM_BODY` for forms read back from scans)."""
    register_fonts()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=body.x,
        rightMargin=PAGE_WIDTH - body.right,
        topMargin=PAGE_HEIGHT - body.top,
        bottomMargin=body.y,
        invariant=setup.invariant,
        # No standard font in the file: every font is an embedded subset.
        initialFontName=CHINESE_REGULAR,
        title="",
        author="",
        creator="Station Desktop",
        producer="Station Desktop",
    )
    frame = Frame(
        body.x,
        body.y,
        body.width,
        body.height,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    doc.addPageTemplates([PageTemplate(id="form", frames=[frame])])
    chosen = decorate or _Decorator(setup, layout).decorate

    made: list[_FormCanvas] = []

    def canvas_maker(*args: Any, **kwargs: Any) -> _FormCanvas:
        made.append(_FormCanvas(*args, decorate=chosen, progress=progress, duplex=duplex, **kwargs))
        return made[-1]

    doc.build(list(story), canvasmaker=canvas_maker)
    canvas = made[-1]
    return RenderedPdf(out.getvalue(), canvas.sd_written, canvas.sd_two_sided)
