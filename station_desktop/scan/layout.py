"""Where a printed page's boxes are, taken from the form's own layout.

The reader never holds a second description of a form: the form is rendered again as it was
printed (`pdf.forms`), and its `LayoutLog.targets` say where each tick box, rating box, list
row and handwriting area is. `page_layouts` turns that log into one `PageLayout` per page,
in millimetres from the page's top left corner (image coordinates: y grows downwards), with
the boxes grouped into the questions they answer: a code list or a rating is one question
(one answer at most, or several for a list of "every box that applies"), each line of a
sign-in list another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from station_desktop.forms.spec import FieldKind, FormSpec
from station_desktop.pdf.page import PAGE_HEIGHT, Box, LayoutLog, Rect, layout_hash, mm

__all__ = [
    "PAGE_HEIGHT_MM",
    "PAGE_WIDTH_MM",
    "Area",
    "Choice",
    "PageLayout",
    "Question",
    "page_layouts",
]

PAGE_WIDTH_MM: Final = 210.0
PAGE_HEIGHT_MM: Final = 297.0


@dataclass(frozen=True)
class Area:
    """A rectangle of the page in millimetres, y from the top edge downwards."""

    x: float
    y: float
    width: float
    height: float

    @classmethod
    def of(cls, rect: Rect) -> Area:
        return cls(rect.x / mm, (PAGE_HEIGHT - rect.top) / mm, rect.width / mm, rect.height / mm)

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def centre(self) -> tuple[float, float]:
        return self.x + self.width / 2, self.y + self.height / 2

    @property
    def corners(self) -> tuple[tuple[float, float], ...]:
        """Top left, top right, bottom right, bottom left."""
        x, y, r, b = self.x, self.y, self.x + self.width, self.y + self.height
        return (x, y), (r, y), (r, b), (x, b)

    def grown(self, margin: float) -> Area:
        return Area(
            self.x - margin, self.y - margin, self.width + 2 * margin, self.height + 2 * margin
        )


@dataclass(frozen=True)
class Choice:
    """One box to tick, and the value it stands for."""

    tag: str  # as the layout names it: "rating:rating_overall:5"
    value: str  # "5", a code, "yes"
    box: Area


@dataclass(frozen=True)
class Question:
    """Boxes read together: a field's code list or rating scale, or one line of a list."""

    key: str  # the field ("rating_overall", "service_area") or a list line ("present:12")
    single: bool  # at most one answer (a second tick is a doubt, never a second answer)
    choices: tuple[Choice, ...]
    row: Area | None  # the whole row as printed, shown beside the choices on review


@dataclass(frozen=True)
class PageLayout:
    form: str
    version: int
    page: int  # of the form, from 1
    pages: int
    layout: str  # `pdf.page.layout_hash` of the page: the QR code says the same
    questions: tuple[Question, ...]
    writing: dict[str, Area]  # handwriting kept as an image: "comments", "resident_id"...
    marks: tuple[Area, ...]  # corner marks: top left, top right, bottom right, bottom left
    codes: tuple[Area, ...]  # the QR codes: top right, bottom left

    @property
    def choices(self) -> Iterable[Choice]:
        for question in self.questions:
            yield from question.choices


def _single(spec: FormSpec | None, field: str) -> bool:
    """Whether a field takes one answer: code lists and ratings do, "every box that
    applies" does not; a list line has one box."""
    if spec is None:
        return True
    try:
        return spec.field(field).kind is not FieldKind.CODES
    except KeyError:
        return True


def _questions(spec: FormSpec | None, targets: list[Box], cells: dict[str, Area]) -> list[Question]:
    grouped: dict[str, list[Choice]] = defaultdict(list)
    rows: dict[str, Area] = dict(cells)
    for box in targets:
        kind, _, rest = box.tag.partition(":")
        if kind in ("tick", "rating"):
            field, _, value = rest.rpartition(":")
            if field == "present":  # a line of a sign-in list: its own question
                grouped[f"present:{value}"].append(Choice(box.tag, "yes", Area.of(box.rect)))
            else:
                grouped[field].append(Choice(box.tag, value, Area.of(box.rect)))
        elif kind == "row":
            rows[rest] = Area.of(box.rect)
    questions = []
    for key, choices in grouped.items():
        field = key.partition(":")[0]
        single = key.startswith("present:") or _single(spec, field)
        questions.append(Question(key, single, tuple(choices), rows.get(key)))
    return questions


def page_layouts(log: LayoutLog, spec: FormSpec | None = None) -> dict[int, PageLayout]:
    """One layout per page of a form rendered alone (pages numbered from 1), from the log
    of its rendering. `spec` says which code lists take several answers."""
    if not log.page_labels:
        return {}
    form = spec.code if spec is not None else ""
    version = spec.version if spec is not None else 0
    layouts = {}
    for page, (number, pages) in log.page_labels.items():
        targets = log.targets_on(page)
        cells = {b.tag: Area.of(b.rect) for b in log.on_page(page)}
        writing = {
            b.tag.removeprefix("write:"): Area.of(b.rect)
            for b in targets
            if b.tag.startswith("write:")
        }
        layouts[number] = PageLayout(
            form,
            version,
            number,
            pages,
            layout_hash(targets),
            tuple(_questions(spec, targets, cells)),
            writing,
            tuple(Area.of(b.rect) for b in targets if b.tag.startswith("mark:")),
            tuple(
                Area.of(b.rect)
                for b in sorted(targets, key=lambda b: b.tag)
                if b.tag.startswith("qr:")
            ),
        )
    return layouts
