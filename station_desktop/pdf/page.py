"""House style of the printed forms: the A4 page, its header and footer, and the QR code.

Every page carries the station's name in both scripts, the form's title (Tibetan over Chinese),
its code and version, a reference (record number, sheet number) and a QR code identifying the
record or the blank sheet; the footer has the printed-on date and "page x of y". Pages are
counted per form, so that each form of a batch (a visit pack) numbers its own pages.

Headers and footers are drawn when the document is saved (a deferred canvas, the usual
ReportLab recipe): only then is the number of pages of each form known. The body of a page is
one frame (`BODY`); nothing but the header and footer is drawn outside it.

`LayoutLog` records the box of every field, heading, header and footer as drawn (absolute page
coordinates), and the QR text of each page: tests check with it that nothing overlaps.
"""

from __future__ import annotations

import functools
import io
import uuid
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
    "qr_matrix",
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


# The frame the form's body flows in: below the header rule, above the footer rule.
BODY: Final = Rect(MARGIN_X, 19 * mm, PAGE_WIDTH - 2 * MARGIN_X, HEADER_RULE - 2 * mm - 19 * mm)
HEADER_BOX: Final = Rect(MARGIN_X, HEADER_RULE, BODY.width, HEADER_TOP - HEADER_RULE)
FOOTER_BOX: Final = Rect(MARGIN_X, 8 * mm, BODY.width, FOOTER_RULE - 8 * mm)

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
    def option(self) -> TextStyle:
        return self._style(8)

    @functools.cached_property
    def scale_label(self) -> TextStyle:
        return self._style(7.5, align="center")


# ---------------------------------------------------------------- the QR code

_QR_PREFIX: Final = "SD1"
QrKind = Literal["record", "resident", "sheet"]
_QR_TAGS: Final[dict[str, QrKind]] = {"R": "record", "P": "resident", "S": "sheet"}


@dataclass(frozen=True)
class QrPayload:
    """What the QR code of a printed form says, so that a paper sheet can be matched when it
    is typed in: the form's code and version, and one of
    - `record`: the id of the printed record;
    - `resident`: the resident a pre-filled blank form (visit pack) is for;
    - `sheet`: the station and the number of a blank sheet.

    Text form: `SD1:HV-01:1:R:<UUID>`, `SD1:HV-01:1:P:<UUID>`, `SD1:SF-01:1:S:CG-BK:0001`.
    Upper case only, so that the QR uses its compact alphanumeric mode (larger modules on
    the same 21 mm: easier to scan from a worn sheet).
    """

    form: str
    version: int
    kind: QrKind
    record_id: uuid.UUID | None = None
    station: str = ""
    sheet: int = 0

    @classmethod
    def record(cls, form: str, version: int, record_id: uuid.UUID) -> QrPayload:
        return cls(form, version, "record", record_id=record_id)

    @classmethod
    def resident(cls, form: str, version: int, resident_id: uuid.UUID) -> QrPayload:
        return cls(form, version, "resident", record_id=resident_id)

    @classmethod
    def blank_sheet(cls, form: str, version: int, station: str, sheet: int) -> QrPayload:
        return cls(form, version, "sheet", station=station, sheet=sheet)

    @property
    def text(self) -> str:
        tag = next(t for t, k in _QR_TAGS.items() if k == self.kind)
        head = f"{_QR_PREFIX}:{self.form}:{self.version}:{tag}"
        if self.kind == "sheet":
            return f"{head}:{self.station}:{self.sheet:04d}".upper()
        return f"{head}:{self.record_id}".upper()

    @classmethod
    def parse(cls, text: str) -> QrPayload:
        """The payload of a scanned QR text (ValueError if it is not one of ours)."""
        parts = text.strip().split(":")
        if len(parts) < 5 or parts[0] != _QR_PREFIX or parts[3] not in _QR_TAGS:
            raise ValueError(f"not a Station Desktop form code: {text!r}")
        form, version, kind = parts[1], int(parts[2]), _QR_TAGS[parts[3]]
        if kind == "sheet":
            if len(parts) != 6:
                raise ValueError(f"bad sheet code: {text!r}")
            return cls(form, version, kind, station=parts[4], sheet=int(parts[5]))
        if len(parts) != 5:
            raise ValueError(f"bad record code: {text!r}")
        return cls(form, version, kind, record_id=uuid.UUID(parts[4]))


@functools.lru_cache(maxsize=512)
def qr_matrix(text: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules for `text` (True = dark), from ReportLab's encoder, level M."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    return tuple(tuple(bool(m) for m in row) for row in code.modules)


@functools.lru_cache(maxsize=512)
def _qr_runs(text: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """Module count and the dark runs (row, first column, length): one rectangle per run."""
    matrix = qr_matrix(text)
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


def draw_qr(canv: Any, text: str, x: float, y: float, size: float) -> None:
    """Draw the QR code of `text` with its lower left corner at (x, y). The caller leaves
    the quiet zone (4 modules) free around it."""
    count, runs = _qr_runs(text)
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
    """Boxes of what was drawn, and the QR text of each page (for tests and checks)."""

    boxes: list[Box] = field(default_factory=list)
    qr_texts: dict[int, str] = field(default_factory=dict)
    page_labels: dict[int, tuple[int, int]] = field(default_factory=dict)  # page → (x, y)

    def add(self, canv: Any, tag: str, x: float, y: float, width: float, height: float) -> None:
        """Record a box given in the canvas's current (translated) coordinates."""
        matrix = canv._currentMatrix
        self.boxes.append(
            Box(canv.getPageNumber(), tag, Rect(x + matrix[4], y + matrix[5], width, height))
        )

    def on_page(self, page: int) -> list[Box]:
        return [b for b in self.boxes if b.page == page]


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
        self._printed = _block(printed_on, styles.footer, BODY.width * 0.62)
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
        canv.saveState()
        left = MARGIN_X
        right = PAGE_WIDTH - MARGIN_X
        qr_x = right - QR_SIZE
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
        if header.qr is not None:
            draw_qr(canv, header.qr.text, qr_x, HEADER_TOP - QR_SIZE, QR_SIZE)
        canv.setStrokeColorRGB(0, 0, 0)
        canv.setLineWidth(0.8)
        canv.line(left, HEADER_RULE, right, HEADER_RULE)
        canv.setLineWidth(0.4)
        canv.line(left, FOOTER_RULE, right, FOOTER_RULE)
        # Footer: printed-on date (left), page x of y (right).
        footer_top = FOOTER_RULE - 1 * mm
        self._printed.drawOn(canv, left, footer_top - self._printed.height)
        bo, zh = self.setup.texts.both(MSG_PAGE, page=page, pages=pages)
        numbering = _block(f"{bo}  {zh}", self.setup.styles.footer_right, BODY.width * 0.35)
        numbering.drawOn(canv, right - numbering.width, footer_top - numbering.height)
        canv.restoreState()
        if self.layout is not None:
            number = canv.getPageNumber()
            self.layout.add(canv, "header", *_xywh(HEADER_BOX))
            self.layout.add(canv, "footer", *_xywh(FOOTER_BOX))
            if header.qr is not None:
                self.layout.qr_texts[number] = header.qr.text
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
) -> RenderedPdf:
    """Lay out a story of forms (each starting with `form_start`) on A4 pages.

    `progress` is told as each form begins; raising `RenderCancelled` from it stops the
    work at once (a 500-sheet batch the reader no longer wants). `decorate` draws the
    headers and footers when a document needs others than the forms' (the report).
    `duplex`: print on both sides when a form runs over one page (see `RenderedPdf`)."""
    register_fonts()
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        leftMargin=BODY.x,
        rightMargin=PAGE_WIDTH - BODY.right,
        topMargin=PAGE_HEIGHT - BODY.top,
        bottomMargin=BODY.y,
        invariant=setup.invariant,
        # No standard font in the file: every font is an embedded subset.
        initialFontName=CHINESE_REGULAR,
        title="",
        author="",
        creator="Station Desktop",
        producer="Station Desktop",
    )
    frame = Frame(
        BODY.x,
        BODY.y,
        BODY.width,
        BODY.height,
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
