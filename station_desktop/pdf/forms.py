"""Printed forms, laid out from the same form specs as the screens: filled and blank.

A form is one `FormContent`: its spec, the header it prints, the values of its fields (the
service collects them as printable values: codes, dates, people, money) and whether the form
is filled. A blank form leaves write-in space for every field without a value: lines sized for
Tibetan handwriting, date boxes, large tick boxes drawn as squares, and for ratings five faces
a resident who reads little can tick. A pre-filled blank (a visit pack) is a blank form with
some values given.

Every label prints Tibetan over Chinese; a value prints both where it has two forms (codes,
dates). Rows of fields are drawn by the flowables below, which record their boxes in the
`LayoutLog`; free text flows across pages (a row splits inside its text, never across
another row). Form-specific parts (a case's stage history and notes, sign-in and hand-out
lists, signature lines) are chosen by the form's code.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from reportlab.platypus import PageBreak
from reportlab.platypus.flowables import Flowable

from station_desktop.domain.codes import (
    CaseStage,
    ClosingReason,
    Code,
    PriorityGroup,
    Satisfaction,
)
from station_desktop.forms.activity import ACTIVITY_FORM, SIGN_IN_FORM
from station_desktop.forms.case import CASE_FORM, CASE_NOTE_FORM, STAGE_CHANGE_FORM
from station_desktop.forms.feedback import FEEDBACK_FORM
from station_desktop.forms.resources import HANDOUT_FORM
from station_desktop.forms.spec import FieldKind, FieldSpec, FormSpec, SectionSpec
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.i18n import N_, Label
from station_desktop.pdf.page import (
    FORM_BODY,
    MSG_CONTINUED,
    MSG_CORRECTS,
    MSG_NAME,
    MSG_RESIDENT_SIGNATURE,
    MSG_SIGN_IN,
    MSG_SIGNATURE,
    MSG_STAGE_HISTORY,
    MSG_TICK_ANY,
    MSG_TICK_ONE,
    MSG_WORKER_SIGNATURE,
    FormHeader,
    LayoutLog,
    PaperSetup,
    PaperTexts,
    RenderedPdf,
    RenderProgress,
    Styles,
    build_document,
    form_start,
    mm,
)
from station_desktop.pdf.paragraphs import TextBlock, text_width

__all__ = [
    "CaseExtras",
    "FieldValue",
    "FormContent",
    "ListRow",
    "Money",
    "NoteEntry",
    "Person",
    "Place",
    "ResidentDetails",
    "StageEntry",
    "form_story",
    "render_forms",
]

# ---------------------------------------------------------------- printable values


@dataclass(frozen=True)
class Person:
    name_bo: str = ""
    name_zh: str = ""

    @property
    def text(self) -> str:
        return "  ".join(n for n in (self.name_bo, self.name_zh) if n)


@dataclass(frozen=True)
class Place:
    name_bo: str = ""
    name_zh: str = ""

    @property
    def text(self) -> str:
        return "  ".join(n for n in (self.name_bo, self.name_zh) if n)


@dataclass(frozen=True)
class Money:
    fen: int


@dataclass(frozen=True)
class ResidentDetails:
    """A resident as a visitor needs to find them (no ID number: not needed at the door)."""

    person: Person
    birth_date: date | None = None
    place: Place | None = None
    household_no: str = ""
    phone: str | None = None
    groups: tuple[PriorityGroup, ...] = ()


FieldValue = (
    str
    | int
    | bool
    | date
    | Code
    | tuple[Code, ...]
    | tuple[Person, ...]
    | Money
    | Person
    | ResidentDetails
    | None
)


@dataclass(frozen=True)
class StageEntry:
    changed_on: date
    stage: CaseStage
    note: str = ""


@dataclass(frozen=True)
class NoteEntry:
    written_on: date
    body: str
    author: Person | None = None
    corrects_on: date | None = None  # the date of the note this one corrects


@dataclass(frozen=True)
class CaseExtras:
    stages: tuple[StageEntry, ...] = ()
    notes: tuple[NoteEntry, ...] = ()
    closed_on: date | None = None
    closing_reason: ClosingReason | None = None
    closing_note: str = ""


@dataclass(frozen=True)
class ListRow:
    """One line of a sign-in or hand-out list."""

    person: Person
    place: Place | None = None
    quantity: str = ""
    note: str = ""


@dataclass(frozen=True)
class FormContent:
    spec: FormSpec
    header: FormHeader
    values: Mapping[str, FieldValue] = field(default_factory=dict)
    filled: bool = True  # False: write-in space for every field without a value
    case: CaseExtras | None = None
    rows: tuple[ListRow, ...] = ()  # sign-in (AC-01) and hand-out (RH-01) lists


# ---------------------------------------------------------------- sizes (points)


PAD: Final = 1.4 * mm
LABEL_WIDTH: Final = 40 * mm
PAIR_LABEL_WIDTH: Final = 27 * mm
RATING_LABEL_WIDTH: Final = 62 * mm  # the questions are long, the scale is short
LINE_PITCH: Final = 9 * mm  # a handwritten Tibetan line with its stacks, generously
SIGNATURE_HEIGHT: Final = 12 * mm
LIST_ROW_HEIGHT: Final = 11 * mm
TICK_BOX: Final = 4.5 * mm
LIST_TICK_BOX: Final = 6 * mm  # a box a hand finds at the end of a line
RATING_BOX: Final = 8 * mm
DATE_BOX_HEIGHT: Final = 8 * mm
HEADING_GAP: Final = 1.5 * mm
RULE_GREY: Final = 0.55
LABEL_SHADE: Final = 0.95
HEADING_SHADE: Final = 0.86
_TALL: Final = 1e6

# Blank sheets: how many list lines and case notes leave room for.
BLANK_SIGN_IN_ROWS: Final = 24  # fills two pages (one sheet, both sides)
BLANK_HANDOUT_ROWS: Final = 9  # fills one page, with the signature
BLANK_STAGE_ROWS: Final = 5
BLANK_NOTES: Final = 2

# The date words of formats.tibet_daily_date and of Chinese dates, for blank date boxes.
_DATE_UNITS: Final = (("ལོ", "年"), ("ཟླ", "月"), ("ཚེས", "日"))
_DATE_BOX_WIDTHS: Final = (14 * mm, 9 * mm, 9 * mm)

# Fields that pair up two to a row when they follow each other: one short line each.
_SHORT_KINDS: Final = frozenset(
    {
        FieldKind.TEXT,
        FieldKind.DATE,
        FieldKind.INTEGER,
        FieldKind.MONEY,
        FieldKind.PHONE,
        FieldKind.ID_NUMBER,
        FieldKind.STAFF,
        FieldKind.STAFF_LIST,
        FieldKind.RESIDENT,
        FieldKind.REFERENCE,
        FieldKind.BOOLEAN,
    }
)


@dataclass(frozen=True)
class _Kit:
    """What every part of a form needs: words, styles and the layout log."""

    texts: PaperTexts
    styles: Styles
    layout: LayoutLog | None

    def both(self, message: str, **params: Any) -> tuple[str, str]:
        return self.texts.both(message, **params)

    def beside(self, pair: tuple[str, str]) -> str:
        """Tibetan, then Chinese beside it (one text that wraps as needed)."""
        return "  ".join(p for p in pair if p)

    def label(self, message: str) -> list[Flowable]:
        bo, zh = self.both(message)
        return [TextBlock(bo, self.styles.label_bo), TextBlock(zh, self.styles.label_zh)]

    def continued(self, message: str) -> list[Flowable]:
        """The label again, saying "continued", where a field's text runs onto a new page."""
        bo, zh = self.both(MSG_CONTINUED, label=Label(message))
        return [TextBlock(bo, self.styles.label_bo), TextBlock(zh, self.styles.label_zh)]

    def hint(self, message: str, width: float) -> list[Flowable]:
        """A small instruction: on one line if it fits, else Tibetan over Chinese."""
        text = self.beside(self.both(message))
        if text_width(text, self.styles.hint) <= width:
            return [TextBlock(text, self.styles.hint)]
        return [TextBlock(line, self.styles.hint) for line in self.both(message)]

    def log(self, canv: Any, tag: str, x: float, y: float, width: float, height: float) -> None:
        if self.layout is not None:
            self.layout.add(canv, tag, x, y, width, height)

    def target(self, canv: Any, tag: str, x: float, y: float, width: float, height: float) -> None:
        """Something a scan reads back (a box to tick, a place to write): see `LayoutLog`."""
        if self.layout is not None and tag:
            self.layout.add_target(canv, tag, x, y, width, height)


def _height(flowable: Flowable, width: float) -> float:
    _, height = flowable.wrap(width, _TALL)
    return float(height)


def _stack_height(items: Sequence[Flowable], width: float, gap: float) -> float:
    if not items:
        return 0.0
    return sum(_height(f, width) for f in items) + gap * (len(items) - 1)


def _draw_stack(canv: Any, items: Sequence[Flowable], x: float, top: float, gap: float) -> None:
    """Draw flowables (already wrapped) downwards from `top`."""
    y = top
    for item in items:
        y -= item.height
        item.drawOn(canv, x, y)
        y -= gap


def _rule(canv: Any, x1: float, y1: float, x2: float, y2: float, grey: float = RULE_GREY) -> None:
    canv.setStrokeColorRGB(grey, grey, grey)
    canv.setLineWidth(0.5)
    canv.line(x1, y1, x2, y2)


# ---------------------------------------------------------------- flowables


class _Part(Flowable):  # type: ignore[misc]  # ReportLab is untyped
    width: float
    height: float

    def __init__(self, kit: _Kit) -> None:
        super().__init__()
        self.kit = kit
        self.width = 0.0
        self.height = 0.0


class _Heading(_Part):
    """A section title on a grey band (kept with what follows by `_WithHeading`)."""

    def __init__(self, kit: _Kit, tag: str, pair: tuple[str, str]) -> None:
        super().__init__(kit)
        self.tag = tag
        self.block = TextBlock(kit.beside(pair), kit.styles.heading)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.band = _height(self.block, availWidth - 2 * PAD) + 1.2 * mm
        self.height = self.band + HEADING_GAP
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setFillGray(HEADING_SHADE)
        canv.rect(0, 0, self.width, self.band, stroke=0, fill=1)
        canv.restoreState()
        self.block.drawOn(canv, PAD, 0.6 * mm)
        self.kit.log(canv, self.tag, 0, 0, self.width, self.band)


class _WithHeading(_Part):
    """A heading and the first part of what follows it, never parted by a page break.

    (ReportLab's keepWithNext would move a heading with a whole long list to the next
    page, leaving a gap; this moves only what must stay together.)"""

    def __init__(self, kit: _Kit, heading: _Heading, body: Flowable) -> None:
        super().__init__(kit)
        self.heading = heading
        self.body = body

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        _, top = self.heading.wrap(availWidth, availHeight)
        _, body = self.body.wrap(availWidth, availHeight - top)
        self.width, self.height = availWidth, top + body
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        _, top = self.heading.wrap(availWidth, availHeight)
        parts = self.body.split(availWidth, availHeight - top)
        if len(parts) < 2:
            return []
        return [_WithHeading(self.kit, self.heading, parts[0]), *parts[1:]]

    def draw(self) -> None:
        self.body.drawOn(self.canv, 0, 0)
        self.heading.drawOn(self.canv, 0, self.body.height)


class _WithTail(_Part):
    """A part that may split and what must stay with its end (the next-visit date and the
    signatures after a long note; the note under a table): the tail moves with the last
    piece, never alone onto a page of its own."""

    def __init__(self, kit: _Kit, body: Flowable, tail: Sequence[Flowable]) -> None:
        super().__init__(kit)
        self.body = body
        self.tail = list(tail)

    def _tail_height(self, width: float, height: float) -> float:
        return sum(float(part.wrap(width, height)[1]) for part in self.tail)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        tail = self._tail_height(availWidth, availHeight)
        body_width, body = self.body.wrap(availWidth, availHeight - tail)
        self.width, self.height = max(availWidth, body_width), body + tail
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        tail = self._tail_height(availWidth, availHeight)
        # Leave room for the tail under the body's last piece; if the body cannot be cut
        # there (no line may be left alone), cut it a little higher.
        for higher in (0.0, 10 * mm, 20 * mm, 40 * mm):
            parts = self.body.split(availWidth, availHeight - tail - higher)
            if len(parts) >= 2:
                return [*parts[:-1], _WithTail(self.kit, parts[-1], self.tail)]
        return []

    def draw(self) -> None:
        y = self.height - self.body.height
        self.body.drawOn(self.canv, 0, y)
        for part in self.tail:
            y -= part.height
            part.drawOn(self.canv, 0, y)


def _ending_with(kit: _Kit, story: list[Flowable], count: int) -> list[Flowable]:
    """`story` with its last `count` parts kept with the end of the part before them."""
    if len(story) <= count:
        return story
    return [*story[: -count - 1], _WithTail(kit, story[-count - 1], story[-count:])]


class _Together(_Part):
    """Rows that belong together (a blank note's date and its lines): one unit that moves
    to the next page whole."""

    def __init__(self, kit: _Kit, parts: Sequence[Flowable]) -> None:
        super().__init__(kit)
        self.parts = list(parts)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.height = sum(p.wrap(availWidth, availHeight)[1] for p in self.parts)
        return self.width, self.height

    def draw(self) -> None:
        _draw_stack(self.canv, self.parts, 0, self.height, 0)


def _headed(
    kit: _Kit, tag: str, title: tuple[str, str], body: Sequence[Flowable]
) -> list[Flowable]:
    heading = _Heading(kit, tag, title)
    if not body:
        return [heading]
    return [_WithHeading(kit, heading, body[0]), *body[1:]]


@dataclass
class _Cell:
    tag: str
    label: list[Flowable]
    value: list[Flowable]
    # The label where the text runs onto another page ("Follow-up (continued)").
    continued: list[Flowable] = field(default_factory=list)


class _FieldRow(_Part):
    """One row of one or two fields: shaded label column, value column, ruled below.

    A `splittable` row (one field of free text) splits inside its text, the label staying
    on the first part, at least two lines on each side: long text flows across pages and
    never over another row. Other rows move to the next page whole."""

    def __init__(
        self,
        kit: _Kit,
        cells: Sequence[_Cell],
        *,
        label_width: float | None = None,
        splittable: bool = False,
    ) -> None:
        super().__init__(kit)
        self.cells = list(cells)
        if label_width is None:
            label_width = LABEL_WIDTH if len(self.cells) == 1 else PAIR_LABEL_WIDTH
        self.label_width = label_width
        self.splittable = splittable and len(self.cells) == 1

    def _widths(self, width: float) -> tuple[float, float]:
        cell = width / len(self.cells)
        return cell, cell - self.label_width

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        _, value_width = self._widths(availWidth)
        tallest = 0.0
        for cell in self.cells:
            label = _stack_height(cell.label, self.label_width - 2 * PAD, 0)
            value = _stack_height(cell.value, value_width - 2 * PAD, 1 * mm)
            tallest = max(tallest, label + 2 * PAD, value + 2 * PAD)
        self.height = tallest
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        if not self.splittable:
            return []
        cell = self.cells[0]
        _, value_width = self._widths(availWidth)
        inner = value_width - 2 * PAD
        room = availHeight - 2 * PAD
        if _stack_height(cell.label, self.label_width - 2 * PAD, 0) > room:
            return []
        used = 0.0
        for index, item in enumerate(cell.value):
            height = _height(item, inner)
            if used + height <= room:
                used += height + 1 * mm
                continue
            left = room - used
            parts: list[Flowable] = []
            if isinstance(item, TextBlock):
                two_lines = 2 * item.style.line_height
                if left >= two_lines and height - left >= two_lines:  # no orphan, no widow
                    parts = item.split(inner, left)
            if len(parts) == 2:
                head = [*cell.value[:index], parts[0]]
                tail = [parts[1], *cell.value[index + 1 :]]
            else:
                head, tail = cell.value[:index], cell.value[index:]
            if not head:
                return []
            width = self.label_width
            rest = _Cell(cell.tag, cell.continued, tail, cell.continued)
            return [
                _FieldRow(self.kit, [_Cell(cell.tag, cell.label, head)], label_width=width),
                _FieldRow(self.kit, [rest], label_width=width, splittable=True),
            ]
        return [self]

    def draw(self) -> None:
        canv = self.canv
        cell_width, value_width = self._widths(self.width)
        top = self.height
        for n, cell in enumerate(self.cells):
            x = n * cell_width
            canv.saveState()
            canv.setFillGray(LABEL_SHADE)
            canv.rect(x, 0, self.label_width, self.height, stroke=0, fill=1)
            canv.restoreState()
            for item in cell.label:
                item.wrap(self.label_width - 2 * PAD, _TALL)
            _draw_stack(canv, cell.label, x + PAD, top - PAD, 0)
            for item in cell.value:
                item.wrap(value_width - 2 * PAD, _TALL)
            _draw_stack(canv, cell.value, x + self.label_width + PAD, top - PAD, 1 * mm)
            _rule(canv, x + self.label_width, 0, x + self.label_width, top)
            if n:
                _rule(canv, x, 0, x, top, grey=0.2)
            self.kit.log(canv, cell.tag, x, 0, cell_width, self.height)
        _rule(canv, 0, 0, self.width, 0, grey=0.3)


class _WriteIn(_Part):
    """Empty lines to write on (blank forms); `tag` names the handwriting for scans."""

    def __init__(
        self,
        kit: _Kit,
        lines: int,
        pitch: float = LINE_PITCH,
        prefix: str = "",
        tag: str = "",
    ) -> None:
        super().__init__(kit)
        self.tag = tag
        self.lines = max(1, lines)
        self.pitch = pitch
        self.prefix_text = prefix
        self.prefix = TextBlock(prefix, kit.styles.value) if prefix else None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self.height = self.lines * self.pitch
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        start = 0.0
        if self.prefix is not None:
            self.prefix.wrap(self.width, _TALL)
            start = text_width(self.prefix_text, self.kit.styles.value) + 1 * mm
            self.prefix.drawOn(canv, 0, self.height - self.pitch + 0.5 * mm)
        for i in range(self.lines):
            y = self.height - (i + 1) * self.pitch + 0.6 * mm
            _rule(canv, start if i == 0 else 0, y, self.width, y, grey=0.6)
        self.kit.target(canv, self.tag, 0, 0, self.width, self.height)


class _DateBoxes(_Part):
    """Boxes for year, month and day, each followed by its word in both scripts."""

    def __init__(self, kit: _Kit, tag: str = "") -> None:
        super().__init__(kit)
        self.tag = tag
        style = kit.styles.small
        self.units = [
            (
                TextBlock(bo, style),
                TextBlock(zh, style),
                max(text_width(bo, style), text_width(zh, style)),
            )
            for bo, zh in _DATE_UNITS
        ]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        units = sum(w for _, _, w in self.units) + len(self.units) * 2.5 * mm
        boxes = sum(_DATE_BOX_WIDTHS)
        # Narrow columns get narrower boxes, never wider than the column.
        self.scale = min(1.0, max(0.3, (availWidth - units) / boxes))
        self.height = DATE_BOX_HEIGHT + 1 * mm
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setStrokeGray(0.2)
        canv.setLineWidth(0.7)
        x = 0.0
        bottom = 0.5 * mm
        for (bo, zh, width), natural in zip(self.units, _DATE_BOX_WIDTHS, strict=True):
            box = natural * self.scale
            canv.rect(x, bottom, box, DATE_BOX_HEIGHT, stroke=1, fill=0)
            x += box + 1 * mm
            bo.wrap(width + 1, _TALL)
            zh.wrap(width + 1, _TALL)
            top = bottom + DATE_BOX_HEIGHT
            bo.drawOn(canv, x, top - bo.height)
            zh.drawOn(canv, x, top - bo.height - zh.height)
            x += width + 1.5 * mm
        canv.restoreState()
        self.kit.target(canv, self.tag, 0, 0, min(x, self.width), self.height)


def _tick_box(canv: Any, x: float, y: float, size: float) -> None:
    canv.saveState()
    canv.setStrokeGray(0.1)
    canv.setLineWidth(0.9)
    canv.rect(x, y, size, size, stroke=1, fill=0)
    canv.restoreState()


class _TickOptions(_Part):
    """Every choice of a code list with a drawn square to tick, in columns; `tags` name the
    boxes for scans (`tick:<field>:<code>`)."""

    def __init__(
        self, kit: _Kit, options: Sequence[tuple[str, str]], tags: Sequence[str] = ()
    ) -> None:
        super().__init__(kit)
        self.tags = list(tags) or [""] * len(options)
        self.texts = [kit.beside(pair) for pair in options]
        self.blocks = [TextBlock(text, kit.styles.option) for text in self.texts]

    def _layout(self, width: float) -> tuple[int, float]:
        """As many columns (at most 3) as keep every choice on one line; long choices wrap in
        two columns, or one in a narrow cell."""
        widest = max(text_width(t, self.kit.styles.option) for t in self.texts)
        for columns in (3, 2):
            if widest <= width / columns - TICK_BOX - 2 * mm:
                break
        else:
            columns = 2 if width >= 90 * mm else 1
        columns = min(columns, len(self.blocks))
        return columns, width / columns

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        columns, column_width = self._layout(availWidth)
        self.rows: list[float] = []
        for start in range(0, len(self.blocks), columns):
            row = self.blocks[start : start + columns]
            tallest = max(_height(b, column_width - TICK_BOX - 2 * mm) for b in row)
            self.rows.append(max(tallest, TICK_BOX + 0.8 * mm) + 0.8 * mm)
        self.columns = columns
        self.column_width = column_width
        self.height = sum(self.rows)
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        top = self.height
        for r, row_height in enumerate(self.rows):
            for c in range(self.columns):
                index = r * self.columns + c
                if index >= len(self.blocks):
                    break
                x = c * self.column_width
                block = self.blocks[index]
                block.wrap(self.column_width - TICK_BOX - 2 * mm, _TALL)
                first_line = block.style.line_height
                # The box sits on the first line of its text, centred on it.
                box_y = top - first_line / 2 - TICK_BOX / 2
                _tick_box(canv, x, box_y, TICK_BOX)
                self.kit.target(canv, self.tags[index], x, box_y, TICK_BOX, TICK_BOX)
                block.drawOn(canv, x + TICK_BOX + 1.5 * mm, top - block.height)
            top -= row_height


def _face(canv: Any, cx: float, cy: float, radius: float, level: int) -> None:
    """A simple face: level 1 frowns, 3 is straight, 5 smiles broadly."""
    canv.saveState()
    canv.setStrokeGray(0.15)
    canv.setFillGray(0.15)
    canv.setLineWidth(0.8)
    canv.circle(cx, cy, radius, stroke=1, fill=0)
    for side in (-1, 1):
        canv.circle(cx + side * 0.36 * radius, cy + 0.28 * radius, 0.09 * radius, stroke=0, fill=1)
    bend = (level - 3) / 2 * 0.38 * radius  # + smiles (the middle of the mouth dips)
    mouth_y = cy - 0.38 * radius + max(bend, 0) * 0.5
    half = 0.45 * radius
    canv.setLineWidth(1.0)
    path = canv.beginPath()
    path.moveTo(cx - half, mouth_y)
    path.curveTo(cx - half / 2, mouth_y - bend, cx + half / 2, mouth_y - bend, cx + half, mouth_y)
    canv.drawPath(path, stroke=1, fill=0)
    canv.restoreState()


_LEVELS: Final = tuple(Satisfaction)


class _RatingScale(_Part):
    """Five faces, each with a large box to tick (blank); or the face and words of the
    answer given (filled)."""

    def __init__(self, kit: _Kit, answer: Satisfaction | None, blank: bool, key: str = "") -> None:
        super().__init__(kit)
        self.key = key
        self.blank = blank
        self.answer = answer
        self.block: TextBlock | None = None
        if not blank:
            pair = (
                kit.texts.code(answer)
                if answer is not None
                else kit.texts.with_context("rating", "No answer")
            )
            self.block = TextBlock(kit.beside(pair), kit.styles.value)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        if self.blank:
            self.height = RATING_BOX + 1 * mm
        else:
            assert self.block is not None
            text = _height(self.block, availWidth - RATING_BOX - 3 * mm)
            self.height = max(RATING_BOX * 0.8, text)
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        if not self.blank:
            assert self.block is not None
            size = RATING_BOX * 0.8
            if self.answer is not None:
                answer = int(self.answer.value)
                _face(canv, size / 2, self.height - size / 2, size / 2 - 0.3 * mm, answer)
            self.block.wrap(self.width - RATING_BOX - 3 * mm, _TALL)
            self.block.drawOn(canv, RATING_BOX + 1 * mm, self.height - self.block.height)
            return
        column = self.width / len(_LEVELS)
        for index, level in enumerate(_LEVELS):
            left = index * column + (column - 2 * RATING_BOX - 1.5 * mm) / 2
            middle = 0.5 * mm + RATING_BOX / 2
            _face(canv, left + RATING_BOX / 2, middle, RATING_BOX / 2 - 0.4 * mm, int(level.value))
            _tick_box(canv, left + RATING_BOX + 1.5 * mm, 0.5 * mm, RATING_BOX)
            if self.key:
                tag = f"rating:{self.key}:{level.value}"
                box_x = left + RATING_BOX + 1.5 * mm
                self.kit.target(canv, tag, box_x, 0.5 * mm, RATING_BOX, RATING_BOX)


class _ScaleLabels(_Part):
    """The words of the five levels, once above the columns of faces (blank sheets);
    `indent` is the label column of the rating rows below."""

    def __init__(self, kit: _Kit, indent: float) -> None:
        super().__init__(kit)
        self.indent = indent + PAD
        style = kit.styles.scale_label
        self.columns = [
            (TextBlock(bo, style), TextBlock(zh, style))
            for bo, zh in (kit.texts.code(level) for level in _LEVELS)
        ]

    def _column(self) -> float:
        return (self.width - self.indent - PAD) / len(self.columns)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        column = self._column()
        words = max(_height(bo, column) + _height(zh, column) for bo, zh in self.columns)
        self.height = words + 1 * mm
        return self.width, self.height

    def draw(self) -> None:
        column = self._column()
        for index, (bo, zh) in enumerate(self.columns):
            bo.wrap(column, _TALL)
            zh.wrap(column, _TALL)
            x = self.indent + index * column
            bo.drawOn(self.canv, x, self.height - bo.height)
            zh.drawOn(self.canv, x, self.height - bo.height - zh.height)
        self.kit.log(self.canv, "scale", self.indent, 0, self.width - self.indent, self.height)


class _Items(_Part):
    """Small labelled values in two columns (a resident's details inside a value cell)."""

    def __init__(self, kit: _Kit, items: Sequence[tuple[tuple[str, str], str]]) -> None:
        super().__init__(kit)
        self.items = [
            (TextBlock(kit.beside(label), kit.styles.hint), TextBlock(value, kit.styles.small))
            for label, value in items
        ]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        column = availWidth / 2
        self.rows = [
            max(
                _height(label, column - 2 * mm) + _height(value, column - 2 * mm)
                for label, value in self.items[start : start + 2]
            )
            for start in range(0, len(self.items), 2)
        ]
        self.height = sum(self.rows)
        return self.width, self.height

    def draw(self) -> None:
        column = self.width / 2
        top = self.height
        for r, row_height in enumerate(self.rows):
            for c, (label, value) in enumerate(self.items[2 * r : 2 * r + 2]):
                label.wrap(column - 2 * mm, _TALL)
                value.wrap(column - 2 * mm, _TALL)
                _draw_stack(self.canv, [label, value], c * column, top, 0)
            top -= row_height


class _Grid(_Part):
    """A numbered list with a header row (repeated on every page it runs over).

    With `tick`, the last column holds a box to tick on every line, named for scans
    (`tick:<tick>:<line>`, the line `row:<tick>:<line>`), and every line has the same
    height: where a line and its box fall depends on nothing but its number, so a list
    printed with a name that is corrected later is still read at the right places."""

    def __init__(
        self,
        kit: _Kit,
        tag: str,
        columns: Sequence[tuple[tuple[str, str], float]],
        rows: Sequence[Sequence[str]],
        *,
        blank_rows: int = 0,
        first_number: int = 1,
        tick: str = "",
    ) -> None:
        super().__init__(kit)
        self.tag = tag
        self.columns = list(columns)
        self.data = [list(r) for r in rows]
        self.blank_rows = blank_rows
        self.first_number = first_number
        self.tick = tick
        style = kit.styles
        self.headers = [
            [TextBlock(bo, style.label_bo), TextBlock(zh, style.label_zh)]
            for (bo, zh), _ in self.columns
        ]
        self.cells = [[TextBlock(text, style.small) for text in row] for row in self.data]

    def _widths(self, width: float) -> list[float]:
        number = 9 * mm
        total = sum(share for _, share in self.columns)
        return [number] + [(width - number) * share / total for _, share in self.columns]

    @property
    def row_count(self) -> int:
        return len(self.data) + self.blank_rows

    def _measure(self, width: float) -> None:
        widths = self._widths(width)
        self.header_height = (
            max(
                _stack_height(h, w - 2 * PAD, 0)
                for h, w in zip(self.headers, widths[1:], strict=True)
            )
            + 2 * PAD
        )
        if self.tick:
            self._fit_cells(widths)
            self.row_heights = [LIST_ROW_HEIGHT] * self.row_count
            return
        self.row_heights = [
            max(
                [LIST_ROW_HEIGHT]
                + [_height(c, w - 2 * PAD) + 2 * PAD for c, w in zip(row, widths[1:], strict=False)]
            )
            for row in self.cells
        ] + [LIST_ROW_HEIGHT] * self.blank_rows

    def _fit_cells(self, widths: Sequence[float]) -> None:
        """Lines of one height: a text too long for its cell is set smaller."""
        room = LIST_ROW_HEIGHT - 2 * PAD
        for texts, row in zip(self.data, self.cells, strict=True):
            for n, (cell, width) in enumerate(zip(row, widths[1:], strict=False)):
                if _height(cell, width - 2 * PAD) > room:
                    row[n] = TextBlock(texts[n], self.kit.styles.tiny)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        self._measure(availWidth)
        self.height = self.header_height + sum(self.row_heights)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        self._measure(availWidth)
        room = availHeight - self.header_height
        fit = len(
            list(itertools.takewhile(lambda h: h <= room, itertools.accumulate(self.row_heights)))
        )
        if fit == 0:
            return []
        if fit >= self.row_count:
            return [self]
        filled = len(self.data)
        head = _Grid(
            self.kit,
            self.tag,
            self.columns,
            self.data[:fit],
            blank_rows=max(0, fit - filled),
            first_number=self.first_number,
            tick=self.tick,
        )
        tail = _Grid(
            self.kit,
            self.tag,
            self.columns,
            self.data[fit:],
            blank_rows=self.blank_rows - max(0, fit - filled),
            first_number=self.first_number + fit,
            tick=self.tick,
        )
        return [head, tail]

    def draw(self) -> None:
        canv = self.canv
        widths = self._widths(self.width)
        edges = list(itertools.accumulate([0.0, *widths]))
        top = self.height
        canv.saveState()
        canv.setFillGray(LABEL_SHADE)
        canv.rect(0, top - self.header_height, self.width, self.header_height, stroke=0, fill=1)
        canv.restoreState()
        number_style = self.kit.styles.small
        hash_block = TextBlock("#", number_style)
        hash_block.wrap(widths[0] - 2 * PAD, _TALL)
        hash_block.drawOn(canv, PAD, top - PAD - hash_block.height)
        for header, x, w in zip(self.headers, edges[1:], widths[1:], strict=False):
            for block in header:
                block.wrap(w - 2 * PAD, _TALL)
            _draw_stack(canv, header, x + PAD, top - PAD, 0)
        y = top - self.header_height
        _rule(canv, 0, y, self.width, y, grey=0.3)
        for index, height in enumerate(self.row_heights):
            number = TextBlock(str(self.first_number + index), number_style)
            number.wrap(widths[0] - 2 * PAD, _TALL)
            number.drawOn(canv, PAD, y - PAD - number.height)
            if index < len(self.cells):
                for block, x, w in zip(self.cells[index], edges[1:], widths[1:], strict=False):
                    block.wrap(w - 2 * PAD, _TALL)
                    block.drawOn(canv, x + PAD, y - PAD - block.height)
            if self.tick:
                line = self.first_number + index
                box_x = edges[-2] + (widths[-1] - LIST_TICK_BOX) / 2
                box_y = y - (height + LIST_TICK_BOX) / 2
                _tick_box(canv, box_x, box_y, LIST_TICK_BOX)
                tag = f"{self.tick}:{line}"
                self.kit.target(canv, f"tick:{tag}", box_x, box_y, LIST_TICK_BOX, LIST_TICK_BOX)
                self.kit.target(canv, f"row:{tag}", 0, y - height, self.width, height)
            y -= height
            _rule(canv, 0, y, self.width, y)
        for x in edges:
            _rule(canv, x, 0, x, top)
        _rule(canv, 0, top, self.width, top, grey=0.3)
        self.kit.log(canv, self.tag, 0, 0, self.width, self.height)


# ---------------------------------------------------------------- values of fields


def _text_of(kit: _Kit, value: FieldValue) -> str:
    """A filled value as text, both scripts where it has two forms."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return kit.beside(kit.texts.with_context("answer", "Yes" if value else "No"))
    if isinstance(value, date):  # Tibetan over Chinese: a narrow cell never breaks a date
        return "\n".join(kit.texts.dates(value))
    if isinstance(value, Money):
        return kit.texts.money(value.fen)
    if isinstance(value, Person | Place):
        return value.text
    if isinstance(value, tuple):
        return "\n".join(_text_of(kit, v) for v in value)
    if isinstance(value, Code):  # its label in both languages, never the stored code
        return kit.beside(kit.texts.code(value))
    return str(value)


def _resident_details(kit: _Kit, details: ResidentDetails) -> list[Flowable]:
    items: list[tuple[tuple[str, str], str]] = []
    if details.birth_date is not None:
        items.append((kit.both(N_("Date of birth")), _text_of(kit, details.birth_date)))
    if details.place is not None:
        items.append((kit.both(N_("Village or community")), details.place.text))
    if details.household_no:
        items.append((kit.both(N_("Household number")), details.household_no))
    if details.phone:
        items.append((kit.both(N_("Phone")), details.phone))
    if details.groups:
        items.append((kit.both(N_("Priority group")), _text_of(kit, details.groups)))
    blocks: list[Flowable] = [TextBlock(details.person.text, kit.styles.value_strong)]
    if items:
        blocks.append(_Items(kit, items))
    return blocks


def _value_parts(kit: _Kit, spec: FieldSpec, value: FieldValue, blank: bool) -> list[Flowable]:
    """What goes into the value column of one field."""
    styles = kit.styles
    if not blank:
        if spec.kind is FieldKind.RATING:
            return [_RatingScale(kit, value if isinstance(value, Satisfaction) else None, False)]
        if isinstance(value, ResidentDetails):
            return _resident_details(kit, value)
        text = _text_of(kit, value)
        return [TextBlock(text, styles.value)] if text else []
    kind = spec.kind
    key = spec.key
    write = f"write:{key}"
    if kind is FieldKind.RATING:
        return [_RatingScale(kit, None, True, key)]
    if kind in (FieldKind.CODE, FieldKind.CODES) and spec.codes is not None:
        tags = [f"tick:{key}:{c.value}" for c in spec.codes]
        return [_TickOptions(kit, [kit.texts.code(c) for c in spec.codes], tags)]
    if kind is FieldKind.BOOLEAN:
        answers = [kit.texts.with_context("answer", a) for a in ("Yes", "No")]
        return [_TickOptions(kit, answers, [f"tick:{key}:yes", f"tick:{key}:no"])]
    if kind is FieldKind.DATE:
        return [_DateBoxes(kit, write)]
    if kind is FieldKind.MONEY:
        return [_WriteIn(kit, 1, prefix="¥", tag=write)]
    if kind is FieldKind.STAFF_LIST:
        return [_WriteIn(kit, 2, tag=write)]
    return [_WriteIn(kit, spec.paper_lines, tag=write)]


def _label_parts(kit: _Kit, spec: FieldSpec, blank: bool) -> list[Flowable]:
    label = kit.label(spec.label)
    width = LABEL_WIDTH - 2 * PAD  # code lists never share their row
    if blank and spec.kind is FieldKind.CODE:
        label += kit.hint(MSG_TICK_ONE, width)
    elif blank and spec.kind is FieldKind.CODES:
        label += kit.hint(MSG_TICK_ANY, width)
    return label


def _is_short(spec: FieldSpec, value: FieldValue) -> bool:
    return (
        spec.kind in _SHORT_KINDS
        and spec.paper_lines == 1
        and not isinstance(value, ResidentDetails)
    )


def _field_rows(
    kit: _Kit,
    fields: Iterable[FieldSpec],
    values: Mapping[str, FieldValue],
    filled: bool,
) -> list[Flowable]:
    """Rows for fields: short ones two to a row, the others one to a row."""
    rows: list[Flowable] = []
    pending: list[_Cell] = []

    def flush() -> None:
        if pending:
            rows.append(_FieldRow(kit, list(pending)))
            pending.clear()

    for spec in fields:
        value = values.get(spec.key)
        # An empty field gets its write-in space on a filled form too, so that what was not
        # typed can be added by hand (an unanswered rating is an answer: "no answer").
        empty = value is None or value in ("", ())
        blank = empty and (not filled or spec.kind is not FieldKind.RATING)
        cell = _Cell(
            spec.key,
            _label_parts(kit, spec, blank),
            _value_parts(kit, spec, value, blank),
            kit.continued(spec.label),
        )
        if not _is_short(spec, value):
            flush()
            wide = spec.kind is FieldKind.RATING
            free_text = spec.kind is FieldKind.MULTILINE and not blank
            rows.append(
                _FieldRow(
                    kit,
                    [cell],
                    label_width=RATING_LABEL_WIDTH if wide else None,
                    splittable=free_text,
                )
            )
            continue
        pending.append(cell)
        if len(pending) == 2:
            flush()
    flush()
    return rows


def _section(
    kit: _Kit,
    section: SectionSpec,
    values: Mapping[str, FieldValue],
    filled: bool,
    *,
    skip: frozenset[str] = frozenset(),
) -> list[Flowable]:
    fields = [f for f in section.fields if f.key not in skip]
    body: list[Flowable] = []
    if not filled and any(f.kind is FieldKind.RATING for f in fields):
        # The words of the five levels once, above the columns of faces.
        body.append(_ScaleLabels(kit, RATING_LABEL_WIDTH))
    body += _field_rows(kit, fields, values, filled)
    return _headed(kit, f"section:{section.key}", kit.both(section.title), body)


class _Spacer(_Part):
    def __init__(self, kit: _Kit, height: float) -> None:
        super().__init__(kit)
        self.height = height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        return availWidth, self.height

    def draw(self) -> None:
        pass


def _signatures(kit: _Kit, messages: Sequence[str]) -> list[Flowable]:
    cells = [
        _Cell(
            f"signature:{n}",
            kit.label(m),
            [_WriteIn(kit, 1, SIGNATURE_HEIGHT, tag=f"write:signature:{n}")],
        )
        for n, m in enumerate(messages)
    ]
    return [_Spacer(kit, 1.5 * mm), _FieldRow(kit, cells)]


# ---------------------------------------------------------------- forms with extras


def _spec_sections(
    kit: _Kit, content: FormContent, skip: frozenset[str] = frozenset()
) -> list[Flowable]:
    story: list[Flowable] = []
    for section in content.spec.sections:
        story += _section(kit, section, content.values, content.filled, skip=skip)
    return story


def _visit(kit: _Kit, content: FormContent) -> list[Flowable]:
    signatures = _signatures(kit, (MSG_RESIDENT_SIGNATURE, MSG_WORKER_SIGNATURE))
    # The next-visit date (the last row) and the signatures stay with the end of the note
    # before them, never alone on a page of their own.
    return _ending_with(kit, _spec_sections(kit, content) + signatures, 1 + len(signatures))


def _feedback(kit: _Kit, content: FormContent) -> list[Flowable]:
    if content.filled and content.values.get("resident_id") is None:
        values = {**content.values, "resident_id": kit.beside(kit.both(N_("Anonymous")))}
        content = dataclasses.replace(content, values=values)
    return _spec_sections(kit, content)


def _note_row(kit: _Kit, n: int, note: NoteEntry) -> Flowable:
    label: list[Flowable] = [
        TextBlock(line, kit.styles.label_bo) for line in kit.texts.dates(note.written_on)
    ]
    if note.author is not None:
        label.append(TextBlock(note.author.text, kit.styles.small))
    value: list[Flowable] = []
    if note.corrects_on is not None:
        corrects = kit.texts.with_date(MSG_CORRECTS, note.corrects_on)
        value.append(TextBlock(kit.beside(corrects), kit.styles.hint))
    value.append(TextBlock(note.body, kit.styles.value))
    continued = [*label, *kit.continued(CASE_NOTE_FORM.field("body").label)]
    return _FieldRow(kit, [_Cell(f"note:{n}", label, value, continued)], splittable=True)


def _case(kit: _Kit, content: FormContent) -> list[Flowable]:
    story = _spec_sections(kit, content)
    extras = content.case if content.filled else None
    columns = [
        (kit.both(STAGE_CHANGE_FORM.field("changed_on").label), 1.3),
        (kit.both(N_("Stage")), 1.2),
        (kit.both(STAGE_CHANGE_FORM.field("note").label), 2.5),
    ]
    if extras is not None:
        rows = [
            [_text_of(kit, s.changed_on), _text_of(kit, s.stage), s.note] for s in extras.stages
        ]
        grid = _Grid(kit, "stages", columns, rows)
    else:
        grid = _Grid(kit, "stages", columns, [], blank_rows=BLANK_STAGE_ROWS)
    story += _headed(kit, "section:stages", kit.both(MSG_STAGE_HISTORY), [grid])

    note_section = CASE_NOTE_FORM.sections[0]
    notes: list[Flowable] = []
    if extras is not None:
        notes = [_note_row(kit, n, note) for n, note in enumerate(extras.notes)]
    else:
        for _ in range(BLANK_NOTES):
            notes.append(_Together(kit, _field_rows(kit, note_section.fields, {}, filled=False)))
    story += _headed(kit, "section:notes", kit.both(note_section.title), notes)

    closing = [STAGE_CHANGE_FORM.field(k) for k in ("changed_on", "closing_reason", "note")]
    if extras is None or extras.closed_on is not None:
        values: dict[str, FieldValue] = {}
        if extras is not None:
            values = {
                "changed_on": extras.closed_on,
                "closing_reason": extras.closing_reason,
                "note": extras.closing_note,
            }
        rows_ = _field_rows(kit, closing, values, filled=extras is not None)
        story += _headed(kit, "section:closing", kit.both(CaseStage.CLOSED.label), rows_)
    signatures = _signatures(kit, (MSG_WORKER_SIGNATURE,))
    return _ending_with(kit, story + signatures, len(signatures))


def _list_cells(row: ListRow, with_quantity: bool) -> list[str]:
    name = f"{row.person.text}\n{row.note}" if row.note else row.person.text
    # A place in both scripts, one over the other: narrow columns break neither name.
    place = "\n".join(n for n in (row.place.name_bo, row.place.name_zh) if n) if row.place else ""
    cells = [name, place]
    if with_quantity:
        cells.append(row.quantity)
    return [*cells, ""]  # the signature is written by hand


def _activity(kit: _Kit, content: FormContent) -> list[Flowable]:
    columns = [
        (kit.both(MSG_NAME), 3.0),
        (kit.both(N_("Village or community")), 2.2),
        (kit.both(MSG_SIGNATURE), 2.4),
    ]
    rows = [_list_cells(r, False) for r in content.rows]
    blank = 0 if content.filled else BLANK_SIGN_IN_ROWS
    grid = _Grid(kit, "sign_in", columns, rows, blank_rows=blank)
    return _spec_sections(kit, content) + _headed(
        kit, "section:sign_in", kit.both(MSG_SIGN_IN), [grid]
    )


# Hand-out sheets list one line per recipient: these fields go in the list, not above it.
_HANDOUT_PER_ROW: Final = frozenset({"resident_id", "quantity", "note"})


def _handout(kit: _Kit, content: FormContent) -> list[Flowable]:
    recipient = HANDOUT_FORM.field("resident_id").label
    columns = [
        (kit.both(recipient), 3.0),
        (kit.both(N_("Village or community")), 2.0),
        (kit.both(HANDOUT_FORM.field("quantity").label), 1.1),
        (kit.both(MSG_SIGNATURE), 2.4),
    ]
    rows = [_list_cells(r, True) for r in content.rows]
    blank = 0 if content.filled else BLANK_HANDOUT_ROWS
    grid = _Grid(kit, "recipients", columns, rows, blank_rows=blank)
    signatures = _signatures(kit, (MSG_WORKER_SIGNATURE,))
    story = (
        _spec_sections(kit, content, skip=_HANDOUT_PER_ROW)
        + _headed(kit, "section:recipients", kit.both(recipient), [grid])
        + signatures
    )
    return _ending_with(kit, story, len(signatures))  # the signature under the list's end


# TRANSLATORS: instruction above a printed list of names with a box on every line.
MSG_TICK_YOUR_NAME = N_("Tick the box on the line of your name when you arrive.")
# TRANSLATORS: column of a printed sign-in list: the box people tick when they come.
MSG_PRESENT = N_("Present")


def _sign_in_ticks(kit: _Kit, content: FormContent) -> list[Flowable]:
    """The names expected at an activity, each with a box to tick (read back from scans).
    The activity is named in the page header; the body depends on nothing but the number
    of names (see `_Grid`)."""
    columns = [
        (kit.both(MSG_NAME), 3.2),
        (kit.both(N_("Village or community")), 2.2),
        (kit.both(MSG_PRESENT), 1.0),
    ]
    rows = [_list_cells(r, False)[:-1] for r in content.rows]
    grid = _Grid(kit, "sign_in", columns, rows, tick="present")
    hint = kit.hint(MSG_TICK_YOUR_NAME, FORM_BODY.width)
    return _headed(kit, "section:sign_in", kit.both(MSG_SIGN_IN), [_Together(kit, hint), grid])


_BUILDERS: Final[dict[str, Callable[[_Kit, FormContent], list[Flowable]]]] = {
    SIGN_IN_FORM.code: _sign_in_ticks,
    VISIT_FORM.code: _visit,
    FEEDBACK_FORM.code: _feedback,
    CASE_FORM.code: _case,
    ACTIVITY_FORM.code: _activity,
    HANDOUT_FORM.code: _handout,
}


def _names(value: object) -> list[str]:
    """The typed texts inside a printable value (names, places, numbers, free text)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Person | Place):
        return [value.name_bo, value.name_zh]
    if isinstance(value, ResidentDetails):
        texts = [*_names(value.person), value.household_no, value.phone or ""]
        return texts + (_names(value.place) if value.place is not None else [])
    if isinstance(value, tuple):
        return [text for item in value for text in _names(item)]
    return []  # codes, dates, numbers, money: printed from the catalogues and digits


def printed_texts(content: FormContent) -> list[tuple[str, str]]:
    """What a form prints that people typed, as (label message id, text): the texts whose
    characters every font might lack (a rare ideograph of a name)."""
    texts: list[tuple[str, str]] = []
    keys = {spec.key: spec.label for spec in content.spec.fields()}
    for key, value in content.values.items():
        texts += [(keys.get(key, key), text) for text in _names(value)]
    for row in content.rows:
        texts += [(MSG_NAME, text) for text in _names(row.person)]
        texts += [(MSG_NAME, text) for text in (*_names(row.place), row.quantity, row.note)]
    if content.case is not None:
        note = CASE_NOTE_FORM.field("body").label
        texts += [(note, n.body) for n in content.case.notes]
        texts += [(MSG_STAGE_HISTORY, s.note) for s in content.case.stages]
        texts.append((CaseStage.CLOSED.label, content.case.closing_note))
    texts.append((N_("Reference"), content.header.reference))
    texts += [(N_("Name"), name) for name in content.header.subject]  # also in the fields
    return [(label, text) for label, text in texts if text]


def form_story(
    content: FormContent, setup: PaperSetup, layout: LayoutLog | None = None
) -> list[Flowable]:
    """The flowables of one form, starting with its header marker."""
    kit = _Kit(setup.texts, setup.styles, layout)
    build = _BUILDERS.get(content.spec.code, _spec_sections)
    return [form_start(content.header), *build(kit, content)]


def render_forms(
    forms: Sequence[FormContent],
    setup: PaperSetup,
    *,
    layout: LayoutLog | None = None,
    progress: RenderProgress | None = None,
    duplex: bool = True,
) -> RenderedPdf:
    """One PDF of several forms, each starting on a new page with its own page numbers,
    and on a new sheet: a form of two pages is printed on both sides of one sheet (the PDF
    asks the printer to). `progress` is told the number of each form as it begins (see
    `build_document`)."""
    if not forms:
        raise ValueError("nothing to print")
    # The QR code of each page sums up where its boxes are: they are always logged.
    layout = layout if layout is not None else LayoutLog()
    story: list[Flowable] = []
    for index, content in enumerate(forms):
        if index:
            story.append(PageBreak())
        story += form_story(content, setup, layout)
    return build_document(
        story, setup, layout=layout, progress=progress, duplex=duplex, body=FORM_BODY
    )
