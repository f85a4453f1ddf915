"""The statistics report on paper: A4 in the house style of the forms, every table of
`report_tables` and the trend's table, and three bar charts drawn as vector graphics (people
served by priority group, home visits and activities per month).

Every page has the forms' header and footer: the station (or "all selected stations") at
the top left, the period in Tibetan over Chinese at the top right, the title in both
languages centred under them, the printed-on date and "page x of y" in the footer. There is
no QR code: a report stands for no record that a scan could find. (`page.build_document`
always draws one, so this module has its own small page template on the same geometry.)

Row labels print Tibetan with the Chinese beside it, column headers Tibetan over Chinese,
numbers right-aligned, money in yuan. A table splits across pages with its header row
repeated; one with more figure columns than fit across A4 (the per-station table) prints
as two tables, each with the row labels. The charts are drawn on the canvas (rectangles,
rules and text): sharp at any zoom, and their labels copy like the rest of the text.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from reportlab.platypus.flowables import Flowable

from station_desktop.formats import LocaleFormats
from station_desktop.i18n import N_, PAPER_LANGUAGES
from station_desktop.pdf.forms import (
    PAD,
    _Heading,
    _Kit,
    _Part,
    _Spacer,
    _Together,
    _WithHeading,
    _WithTail,
)
from station_desktop.pdf.page import (
    BODY,
    FOOTER_BOX,
    FOOTER_RULE,
    GREY,
    HEADER_BOX,
    HEADER_RULE,
    HEADER_TOP,
    MSG_PAGE,
    MSG_PRINTED_ON,
    TIBETAN_SCALE,
    FormHeader,
    LayoutLog,
    PaperSetup,
    PaperTexts,
    RenderedPdf,
    StationHeader,
    build_document,
    form_start,
    mm,
)
from station_desktop.pdf.paragraphs import TextBlock, TextStyle, text_width
from station_desktop.reports.figures import Report, Trend, TrendBucket
from station_desktop.reports.revisions import Revision, revision_tables
from station_desktop.reports.tables import (
    ALL_STATIONS,
    MSG_BY_GROUP,
    MSG_NOTHING,
    MSG_TREND_MONTHS,
    MSG_TREND_YEARS,
    NOTE_OVERLAP,
    NOTE_PARTIAL,
    PARTIAL_MARK,
    PERIOD_LINE,
    REPORT_TITLE,
    STATIONS_LINE,
    Cell,
    GroupShare,
    Joined,
    Mean,
    Money,
    Msg,
    Names,
    Raw,
    Table,
    axis_ticks,
    bucket_label,
    priority_group_shares,
    report_tables,
    share_text,
    trend_table,
    unfinished,
    year_label,
)

__all__ = [
    "MSG_ACTIVITIES_MONTHS",
    "MSG_ACTIVITIES_YEARS",
    "render_report",
    "report_station_header",
]

# TRANSLATORS: title of a bar chart of the printed statistics report.
MSG_ACTIVITIES_MONTHS: Final = N_("Activities held per month")
# TRANSLATORS: title of a bar chart of the printed statistics report (a long period).
MSG_ACTIVITIES_YEARS: Final = N_("Activities held per year")

# TRANSLATORS: on a printed report kept as it was submitted; {date} is the day.
MSG_SUBMITTED_ON: Final = N_("Submitted to the bureau on {date}.")
# TRANSLATORS: above the figures that changed since the same report was submitted.
MSG_COMPARED: Final = N_("Compared with the report of this period submitted on {date}:")

# At most this many figure columns side by side: more are printed as a second table.
MAX_FIGURE_COLUMNS: Final = 8
SHOWN_STATION_CODES: Final = 8  # the rest are in the per-station table

NUMBER_MIN_WIDTH: Final = 15 * mm
NUMBER_MAX_WIDTH: Final = 24 * mm
LABEL_MIN_WIDTH: Final = 16 * mm
LABEL_MAX_WIDTH: Final = 95 * mm
ROW_MIN_HEIGHT: Final = 5.5 * mm
V_PAD: Final = 0.9 * mm  # above and below the text of a row
MIN_ROWS_SPLIT: Final = 3  # rows left before a page break, and at least 2 after it
TREND_CHART_HEIGHT: Final = 50 * mm
SHARE_LABEL_SHARE: Final = 0.5  # at most this share of the width for the group names
SECTION_GAP: Final = 4 * mm
_TALL: Final = 1e6

HEADER_SHADE: Final = 0.9
TOTAL_SHADE: Final = 0.96
BAR_COLOUR: Final = (0.24, 0.48, 0.72)  # the screen's bar colour; a mid grey in black and white
PARTIAL_COLOUR: Final = (0.62, 0.75, 0.88)  # a month not over yet: paler, and marked with *


# ---------------------------------------------------------------- styles


@dataclass(frozen=True)
class _ReportStyles:
    shaping: bool = True

    def _style(self, size: float, **kw: Any) -> TextStyle:
        # Labels and headers are words and short phrases: Chinese is not cut inside them.
        return TextStyle(
            size=size, shaping=self.shaping, tibetan_scale=TIBETAN_SCALE, han_words=True, **kw
        )

    def cell(self, *, bold: bool = False, right: bool = False) -> TextStyle:
        return self._style(8, bold=bold, align="right" if right else "left")

    def header_bo(self, *, right: bool = False) -> TextStyle:
        return self._style(7.5, bold=True, align="right" if right else "left")

    def header_zh(self, *, right: bool = False) -> TextStyle:
        align = "right" if right else "left"
        return self._style(7.5, color=GREY, leading=7.5 * 1.4, align=align)

    @property
    def note(self) -> TextStyle:
        return self._style(7.5, color=GREY)

    @property
    def intro(self) -> TextStyle:
        return self._style(8.5)

    @property
    def period(self) -> TextStyle:  # in the header, which has a fixed height: one size
        return TextStyle(size=7.5, shaping=self.shaping, align="right")

    @property
    def group(self) -> TextStyle:
        return self._style(7.5)

    @property
    def axis(self) -> TextStyle:
        return self._style(6.5, color=GREY, align="right")

    @property
    def tick_bo(self) -> TextStyle:
        return self._style(6.5, align="center")

    @property
    def tick_zh(self) -> TextStyle:
        return self._style(6.5, leading=6.5 * 1.4, align="center")

    @property
    def year(self) -> TextStyle:
        return self._style(6.5, color=GREY)

    @property
    def bar_value(self) -> TextStyle:
        return self._style(5.5, leading=5.5 * 1.4, align="center")

    @property
    def share_value(self) -> TextStyle:
        return self._style(7.5)


def _block(text: str, style: TextStyle, width: float) -> TextBlock:
    block = TextBlock(text, style)
    block.wrap(width, _TALL)
    return block


def _fill(
    canv: Any, colour: tuple[float, float, float], x: float, y: float, w: float, h: float
) -> None:
    canv.saveState()
    canv.setFillColorRGB(*colour)
    canv.rect(x, y, w, h, stroke=0, fill=1)
    canv.restoreState()


def _line(canv: Any, x1: float, y1: float, x2: float, y2: float, grey: float, width: float) -> None:
    canv.saveState()
    canv.setStrokeGray(grey)
    canv.setLineWidth(width)
    canv.line(x1, y1, x2, y2)
    canv.restoreState()


@dataclass(frozen=True)
class _Paper:
    """Words, numbers and styles of the report in both paper languages."""

    kit: _Kit
    styles: _ReportStyles
    formats: tuple[LocaleFormats, LocaleFormats]  # Tibetan, Chinese
    today: date  # the printed-on day: the months after it have not happened yet

    def both(self, message: Msg | str) -> tuple[str, str]:
        if isinstance(message, Msg):
            return self.kit.both(message.message, **message.kwargs())
        return self.kit.both(message)

    def beside(self, message: Msg | str) -> str:
        return "  ".join(_unique(self.both(message)))

    def pair(self, message: str) -> tuple[str, str]:
        """Both texts to print beside each other; the second empty when there is no
        translation yet (the same English words twice)."""
        bo, zh = self.both(message)
        return (bo, "") if bo == zh else (bo, zh)

    def number(self, value: int) -> str:
        return self.formats[1].number(value)  # the same digits in both languages

    def cell_text(self, cell: Cell) -> str:
        if cell is None:
            return ""
        if isinstance(cell, bool):  # a bool is an int: never meant here
            raise TypeError("a report cell cannot be a bool")
        if isinstance(cell, int):
            return self.number(cell)
        if isinstance(cell, Money):
            return self.kit.texts.money(cell.fen)
        if isinstance(cell, Mean):
            return "—" if cell.value is None else f"{cell.value:.2f}"
        if isinstance(cell, Msg):
            return self.beside(cell)
        if isinstance(cell, Names):
            # One name over the other: a narrow column then wraps each name on its own.
            return "\n".join(n for n in (cell.bo, cell.zh) if n)
        if isinstance(cell, Joined):  # the Tibetan parts, then the Chinese ones under them
            pairs = [self._pair_of(part) for part in cell.parts]
            lines = [" · ".join(p[n] for p in pairs if p[n]) for n in (0, 1)]
            return "\n".join(_unique((lines[0], lines[1])))
        return cell.text

    def _pair_of(self, cell: Msg | Raw | Names) -> tuple[str, str]:
        if isinstance(cell, Msg):
            bo, zh = self.both(cell)
            return (bo, "") if bo == zh else (bo, zh)
        if isinstance(cell, Names):
            return cell.bo or cell.zh, cell.zh or cell.bo
        return cell.text, cell.text


# ---------------------------------------------------------------- tables


@dataclass(frozen=True)
class _GridRow:
    cells: tuple[TextBlock | None, ...]  # None: empty, or covered by the span before it
    spans: tuple[int, ...]  # columns each cell covers (0 for covered cells)
    total: bool
    # The row's first label, left out under the same label above; printed again when the
    # row opens a page.
    repeated_label: TextBlock | None = None


class _FigureGrid(_Part):
    """A table of the report: header row (repeated on every page it runs over), row labels,
    figures right-aligned; totals bold on a light band."""

    def __init__(
        self,
        paper: _Paper,
        tag: str,
        widths: Sequence[float],
        headers: Sequence[Sequence[TextBlock]],
        rows: Sequence[_GridRow],
    ) -> None:
        super().__init__(paper.kit)
        self.paper = paper
        self.tag = tag
        self.widths = list(widths)
        self.edges = list(itertools.accumulate([0.0, *self.widths]))
        self.headers = [list(h) for h in headers]
        self.rows = list(rows)
        self.header_height = (
            max(
                sum(_height_at(b, w - 2 * PAD) for b in header)
                for header, w in zip(self.headers, self.widths, strict=True)
            )
            + 2 * PAD
        )
        self.row_heights = [self._row_height(row) for row in self.rows]

    def _cell_width(self, column: int, span: int) -> float:
        return self.edges[column + span] - self.edges[column]

    def _row_height(self, row: _GridRow) -> float:
        tallest = 0.0
        for column, (cell, span) in enumerate(zip(row.cells, row.spans, strict=True)):
            if cell is not None and span:
                tallest = max(tallest, _height_at(cell, self._cell_width(column, span) - 2 * PAD))
        if row.repeated_label is not None:
            width = self._cell_width(0, row.spans[0] or 1) - 2 * PAD
            tallest = max(tallest, _height_at(row.repeated_label, width))
        return max(ROW_MIN_HEIGHT, tallest + 2 * V_PAD)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = self.edges[-1]
        self.height = self.header_height + sum(self.row_heights)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        room = availHeight - self.header_height
        fit = len(
            list(itertools.takewhile(lambda h: h <= room, itertools.accumulate(self.row_heights)))
        )
        if fit >= len(self.rows):
            return [self]
        fit = min(fit, len(self.rows) - 2)  # no lone row at the top of the next page
        if fit < min(MIN_ROWS_SPLIT, len(self.rows)):
            return []  # nor a lone row under the header: the table starts on the next page
        head, tail = self.rows[:fit], list(self.rows[fit:])
        first = tail[0]
        if first.repeated_label is not None:  # the label this row shares opens the page
            cells = (first.repeated_label, *first.cells[1:])
            tail[0] = dataclasses.replace(first, cells=cells, repeated_label=None)
        return [
            _FigureGrid(self.paper, self.tag, self.widths, self.headers, head),
            _FigureGrid(self.paper, self.tag, self.widths, self.headers, tail),
        ]

    def draw(self) -> None:
        canv = self.canv
        width, top = self.edges[-1], self.height
        _fill(canv, (HEADER_SHADE,) * 3, 0, top - self.header_height, width, self.header_height)
        for header, x, w in zip(self.headers, self.edges, self.widths, strict=False):
            y = top - PAD
            for block in header:
                block.wrap(w - 2 * PAD, _TALL)
                y -= block.height
                block.drawOn(canv, x + PAD, y)
        y = top - self.header_height
        for x in self.edges:
            _line(canv, x, y, x, top, 0.6, 0.4)
        for row, height in zip(self.rows, self.row_heights, strict=True):
            if row.total:
                _fill(canv, (TOTAL_SHADE,) * 3, 0, y - height, width, height)
            for column, (cell, span) in enumerate(zip(row.cells, row.spans, strict=True)):
                if cell is None or not span:
                    continue
                cell.wrap(self._cell_width(column, span) - 2 * PAD, _TALL)
                cell.drawOn(canv, self.edges[column] + PAD, y - V_PAD - cell.height)
            # Column rules, except inside a cell that spans columns.
            covered = {c for c, span in enumerate(row.spans) if span == 0}
            for column, x in enumerate(self.edges):
                if column not in covered:
                    _line(canv, x, y - height, x, y, 0.6, 0.4)
            y -= height
            _line(canv, 0, y, width, y, 0.75, 0.4)
        _line(canv, 0, top - self.header_height, width, top - self.header_height, 0.3, 0.6)
        _line(canv, 0, top, width, top, 0.3, 0.6)
        _line(canv, 0, 0, width, 0, 0.3, 0.6)
        self.kit.log(canv, f"grid:{self.tag}", 0, 0, width, self.height)


def _height_at(block: TextBlock, width: float) -> float:
    _, height = block.wrap(width, _TALL)
    return float(height)


def _chunks(count: int, parts: int = 0) -> list[range]:
    """Figure columns in `parts` groups (at least enough for MAX_FIGURE_COLUMNS each), as
    even as possible."""
    parts = max(1, parts, math.ceil(count / MAX_FIGURE_COLUMNS))
    size = math.ceil(count / parts)
    return [range(start, min(start + size, count)) for start in range(0, count, size)] or [range(0)]


def _grids(paper: _Paper, table: Table, width: float) -> list[_FigureGrid]:
    """The table as one grid, or several side-by-side parts (each with the row labels)."""
    styles = paper.styles
    labels = table.label_columns
    figures = len(table.columns) - labels
    texts = [[paper.cell_text(cell) for cell in row.cells] for row in table.rows]
    # As many parts as it takes for every part to fit across the page (headers are words
    # that are not cut, so a column is at least as wide as its widest header word).
    parts = 1
    while True:
        chunks = _chunks(figures, parts)
        sized = [
            _widths(paper, table, texts, [*range(labels), *(labels + c for c in chunk)], width)
            for chunk in chunks
        ]
        if all(sum(w) <= width + 0.01 for w in sized) or len(chunks) >= figures:
            break
        parts = len(chunks) + 1
    grids = []
    for number, (chunk, widths) in enumerate(zip(chunks, sized, strict=True)):
        columns = [*range(labels), *(labels + c for c in chunk)]
        headers = []
        for c in columns:
            right = table.columns[c].numeric
            bo, zh = paper.both(table.columns[c].header)
            header = [TextBlock(bo, styles.header_bo(right=right))]
            if zh and zh != bo:
                header.append(TextBlock(zh, styles.header_zh(right=right)))
            headers.append(header)
        rows = [_grid_row(paper, table, r, texts, columns, widths) for r in range(len(table.rows))]
        grids.append(_FigureGrid(paper, f"{table.key}:{number}", widths, headers, rows))
    return grids


def _grid_row(
    paper: _Paper,
    table: Table,
    index: int,
    texts: list[list[str]],
    columns: list[int],
    widths: list[float],
) -> _GridRow:
    row = table.rows[index]
    styles = paper.styles
    labels = table.label_columns
    cells: list[TextBlock | None] = []
    spans: list[int] = []
    for position, c in enumerate(columns):
        numeric = table.columns[c].numeric
        if not numeric and position and row.cells[c] is None:
            # An empty label cell: the label before it runs on into it.
            owner = max(i for i, s in enumerate(spans) if s > 0)
            spans[owner] += 1
            cells.append(None)
            spans.append(0)
            continue
        text = texts[index][c]
        style = styles.cell(bold=row.total, right=numeric)
        one_line = _one_line(row.cells[c], text)
        if text_width(one_line, style) <= widths[position] - 2 * PAD:
            text = one_line  # two names beside each other when they fit, else one over the other
        cells.append(TextBlock(text, style) if text else None)
        spans.append(1)
    repeated = None
    previous = table.rows[index - 1].cells[0] if index else None
    if labels > 1 and isinstance(row.cells[0], Msg) and row.cells[0] == previous:
        # Under the same breakdown as the row above: its name is printed once.
        repeated, cells[0] = cells[0], None
    return _GridRow(tuple(cells), tuple(spans), row.total, repeated)


def _one_line(cell: Cell, text: str) -> str:
    if isinstance(cell, Names):
        return "  ".join(n for n in (cell.bo, cell.zh) if n)
    return text


def _widths(
    paper: _Paper, table: Table, texts: list[list[str]], columns: list[int], width: float
) -> list[float]:
    styles = paper.styles
    numeric = [c for c in columns if table.columns[c].numeric]
    label = [c for c in columns if not table.columns[c].numeric]

    def natural(c: int) -> float:
        """Unwrapped width of the column's widest cell (spanning cells aside)."""
        values = [
            _one_line(row.cells[c], texts[r][c])
            for r, row in enumerate(table.rows)
            if texts[r][c] and not (c + 1 < table.label_columns and row.cells[c + 1] is None)
        ]
        widest = max(
            (
                max(text_width(line, styles.cell(bold=True)) for line in v.split("\n"))
                for v in values
            ),
            default=0.0,
        )
        return widest + 2 * PAD

    def header_min(c: int) -> float:
        bo, zh = paper.both(table.columns[c].header)
        blocks = [TextBlock(bo, styles.header_bo()), TextBlock(zh, styles.header_zh())]
        return max(b.minWidth() for b in blocks) + 2 * PAD

    sized = {c: max(NUMBER_MIN_WIDTH, natural(c), header_min(c)) for c in numeric}
    room = width - sum(sized.values())

    def chinese_header(c: int) -> float:
        """A label column's Chinese header on one line (a few characters)."""
        return text_width(paper.both(table.columns[c].header)[1], styles.header_zh()) + 2 * PAD

    wanted = {
        c: min(LABEL_MAX_WIDTH, max(LABEL_MIN_WIDTH, natural(c), header_min(c), chinese_header(c)))
        for c in label
    }
    if sum(wanted.values()) > room:  # labels wrap: share the room by what they want
        scale = room / sum(wanted.values())
        wanted = {c: max(LABEL_MIN_WIDTH, w * scale) for c, w in wanted.items()}
    else:  # room to spare: wider figure columns, so that their headers wrap less
        spare = room - sum(wanted.values())
        for c in numeric:
            grow = min(NUMBER_MAX_WIDTH - sized[c], spare / max(1, len(numeric)))
            if grow > 0:
                sized[c] += grow
    widths = {**sized, **wanted}
    return [widths[c] for c in columns]


def _table_flowables(paper: _Paper, table: Table) -> list[Flowable]:
    grids: list[Flowable] = list(_grids(paper, table, BODY.width))
    if table.note:  # the note stays under the table's last rows
        grids[-1] = _WithTail(paper.kit, grids[-1], [_note(paper, table.note)])
    heading = _Heading(paper.kit, f"table:{table.key}", paper.pair(table.title))
    story: list[Flowable] = [_WithHeading(paper.kit, heading, grids[0])]
    for grid in grids[1:]:
        story += [_Spacer(paper.kit, 2 * mm), grid]
    story.append(_Spacer(paper.kit, SECTION_GAP))
    return story


def _note(paper: _Paper, message: str) -> Flowable:
    """A note under a table or chart, Tibetan over Chinese, in one piece."""
    lines = [TextBlock(line, paper.styles.note) for line in _unique(paper.both(message))]
    return _Together(paper.kit, [_Spacer(paper.kit, 1 * mm), *lines])


def _unique(pair: tuple[str, str]) -> list[str]:
    """Both texts, or one when there is no translation yet (the same words twice)."""
    return [pair[0]] if pair[0] == pair[1] else [p for p in pair if p]


# ---------------------------------------------------------------- charts


@dataclass(frozen=True)
class _Series:
    key: str
    title_months: str  # message ids
    title_years: str
    value: Callable[[TrendBucket], int]


TREND_SERIES: Final = (
    _Series("home_visits", MSG_TREND_MONTHS, MSG_TREND_YEARS, lambda b: b.home_visits),
    _Series(
        "activities_held",
        MSG_ACTIVITIES_MONTHS,
        MSG_ACTIVITIES_YEARS,
        lambda b: b.activities_held,
    ),
)


class _TrendChart(_Part):
    """A bar per month (or year) on a round scale, its value over it where it fits, and
    the months in both scripts under the bars (with their years, when the months run over
    more than one year)."""

    def __init__(self, paper: _Paper, trend: Trend, series: _Series) -> None:
        super().__init__(paper.kit)
        self.paper = paper
        self.trend = trend
        self.series = series
        styles = paper.styles
        yearly = trend.yearly
        bo, zh = paper.formats
        self.labels = [
            (bucket_label(bo, b.period, yearly=yearly), bucket_label(zh, b.period, yearly=yearly))
            for b in trend.buckets
        ]
        self.grouped = not yearly and len({b.period.start.year for b in trend.buckets}) > 1
        self.label_height = styles.tick_bo.line_height + styles.tick_zh.line_height
        if self.grouped:
            self.label_height += styles.year.line_height

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = availWidth, TREND_CHART_HEIGHT
        return self.width, self.height

    def draw(self) -> None:
        canv, styles = self.canv, self.paper.styles
        buckets = self.trend.buckets
        values = [self.series.value(b) for b in buckets]
        ticks = axis_ticks(max(values, default=0))
        tick_texts = [self.paper.number(int(t)) for t in ticks]
        axis_width = max(text_width(t, styles.axis) for t in tick_texts) + 1.5 * mm
        bottom = self.label_height + 1.5 * mm
        plot_top = self.height - styles.bar_value.line_height - 1 * mm
        left, right = axis_width + 1 * mm, self.width
        scale = (plot_top - bottom) / ticks[-1]

        for tick, text in zip(ticks, tick_texts, strict=True):
            y = bottom + tick * scale
            if tick:
                canv.saveState()
                canv.setDash(1, 2)
                _line(canv, left, y, right, y, 0.7, 0.4)
                canv.restoreState()
            label = _block(text, styles.axis, axis_width)
            label.drawOn(canv, 0, y - label.height / 2)
        _line(canv, left, bottom, right, bottom, 0.2, 0.6)

        slot = (right - left) / len(buckets)
        bar = min(slot * 0.6, 14 * mm)
        key = self.series.key
        today = self.paper.today
        for index, (value, bucket) in enumerate(zip(values, buckets, strict=True)):
            x = left + slot * index + (slot - bar) / 2
            height = value * scale
            if bucket.period.start > today:
                continue  # not happened yet: no bar, no figure (a 0 would mean "none")
            partial = unfinished(bucket.period, today)
            if value:  # a month not over yet is drawn paler, and marked
                _fill(canv, PARTIAL_COLOUR if partial else BAR_COLOUR, x, bottom, bar, height)
            self.kit.log(canv, f"bar:{key}:{index}", x, bottom, bar, height)
            # Every month's figure, a 0 included: an empty month says so.
            text = self.paper.number(value) + (PARTIAL_MARK if partial else "")
            if text_width(text, styles.bar_value) <= slot - 0.5 * mm:
                block = _block(text, styles.bar_value, slot)
                block.drawOn(canv, x + bar / 2 - slot / 2, bottom + height + 0.4)
        self._draw_labels(canv, left, bottom, slot)
        self.kit.log(canv, f"chart:{key}", 0, 0, self.width, self.height)

    def _draw_labels(self, canv: Any, left: float, bottom: float, slot: float) -> None:
        styles = self.paper.styles
        last_end = -math.inf
        gap = 1 * mm
        for index, (bo, zh) in enumerate(self.labels):
            centre = left + slot * (index + 0.5)
            wide = max(text_width(bo, styles.tick_bo), text_width(zh, styles.tick_zh))
            if centre - wide / 2 < last_end + gap:
                continue  # would touch the label before: left out (every other month)
            last_end = centre + wide / 2
            y = bottom - 0.8 * mm
            for text, style in ((bo, styles.tick_bo), (zh, styles.tick_zh)):
                block = _block(text, style, wide + 2)
                y -= block.height
                block.drawOn(canv, centre - (wide + 2) / 2, y)
        if not self.grouped:
            return
        previous = None
        bo_formats, zh_formats = self.paper.formats
        for index, bucket in enumerate(self.trend.buckets):
            year = bucket.period.start.year
            if year == previous:
                continue
            previous = year
            x = left + slot * index
            if index:
                _line(canv, x, 0, x, bottom + 2 * mm, 0.6, 0.4)
            text = f"{year_label(bo_formats, year)}  {year_label(zh_formats, year)}"
            block = _block(text, styles.year, max(slot * 3, 30 * mm))
            block.drawOn(canv, x + 1 * mm, 0)


class _ShareChart(_Part):
    """A row per priority group: its name in both scripts, a bar as long as its share of
    the largest group, and the number of people with their share of everyone served."""

    def __init__(self, paper: _Paper, shares: Sequence[GroupShare]) -> None:
        super().__init__(paper.kit)
        self.paper = paper
        self.shares = list(shares)
        styles = paper.styles
        formats = paper.formats[1]
        texts = [paper.cell_text(s.label) for s in self.shares]
        self.labels = [TextBlock(text, styles.group) for text in texts]
        self.label_natural = max((text_width(t, styles.group) for t in texts), default=0.0)
        self.values = [
            f"{paper.number(s.people)} · {share_text(formats, s.share)}" for s in self.shares
        ]
        self.value_width = max(
            (text_width(v, styles.share_value) for v in self.values), default=0.0
        )
        self.empty = TextBlock(paper.beside(MSG_NOTHING), styles.note)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width = availWidth
        if not self.shares:
            self.height = _height_at(self.empty, availWidth)
            return self.width, self.height
        self.label_width = min(self.label_natural + 3 * mm, availWidth * SHARE_LABEL_SHARE)
        self.rows = [
            max(_height_at(label, self.label_width - 2 * mm), 5 * mm) + 1.2 * mm
            for label in self.labels
        ]
        self.height = sum(self.rows)
        return self.width, self.height

    def draw(self) -> None:
        canv, styles = self.canv, self.paper.styles
        if not self.shares:
            self.empty.drawOn(canv, 0, 0)
            return
        largest = max(s.people for s in self.shares) or 1
        bar_left = self.label_width
        room = self.width - bar_left - self.value_width - 3 * mm
        bar_height = 3.2 * mm
        top = self.height
        for share, label, value, height in zip(
            self.shares, self.labels, self.values, self.rows, strict=True
        ):
            label.wrap(self.label_width - 2 * mm, _TALL)
            label.drawOn(canv, 0, top - (height - label.height) / 2 - label.height)
            middle = top - height / 2
            length = share.people / largest * room
            if share.people:
                _fill(canv, BAR_COLOUR, bar_left, middle - bar_height / 2, length, bar_height)
            self.kit.log(
                canv, f"share:{share.key}", bar_left, middle - bar_height / 2, length, bar_height
            )
            block = _block(value, styles.share_value, self.value_width + 2)
            block.drawOn(canv, bar_left + length + 1.5 * mm, middle - block.height / 2)
            _line(canv, 0, top - height, self.width, top - height, 0.85, 0.3)
            top -= height
        _line(canv, bar_left, 0, bar_left, self.height, 0.3, 0.5)
        self.kit.log(canv, "chart:groups", 0, 0, self.width, self.height)


def _chart(paper: _Paper, tag: str, title: str, chart: Flowable) -> list[Flowable]:
    heading = _Heading(paper.kit, tag, paper.pair(title))
    return [_WithHeading(paper.kit, heading, chart)]


# ---------------------------------------------------------------- pages


def report_station_header(
    report: Report, names: Mapping[str, Names], texts: PaperTexts
) -> StationHeader:
    """Whom the report is for, as the header of every page names it: the station, or "all
    selected stations" when there are several."""
    if len(report.stations) == 1:
        code = report.stations[0]
        name = names.get(code, Names("", ""))
        return StationHeader(code, name.bo, name.zh or (code if not name.bo else ""))
    bo, zh = texts.both(ALL_STATIONS)
    return StationHeader("", bo, zh if zh != bo else "")


class _Decoration:
    """The header and footer of every page (drawn once the number of pages is known)."""

    def __init__(
        self, paper: _Paper, setup: PaperSetup, station: StationHeader, report: Report
    ) -> None:
        self.layout = paper.kit.layout
        self.setup = setup
        styles = paper.styles
        page_styles = setup.styles
        texts = setup.texts
        self.station = _block(
            "  ".join(n for n in (station.name_bo, station.name_zh) if n),
            page_styles.station,
            80 * mm,
        )
        period = report.period
        # Each language with its own form of the dates (as `PaperTexts.with_date` does).
        template = texts.both(PERIOD_LINE, start="{start}", end="{end}", days=period.days)
        bo, zh = (
            line.format(start=formats.date(period.start), end=formats.date(period.end))
            for line, formats in zip(template, paper.formats, strict=True)
        )
        self.period = [
            _block(line, styles.period, BODY.width - 84 * mm) for line in _unique((bo, zh))
        ]
        title_bo, title_zh = texts.both(REPORT_TITLE)
        self.titles = [
            _block(title_bo, page_styles.title_bo, BODY.width),
            _block(title_zh, page_styles.title_zh, BODY.width),
        ]
        printed_on = "  ".join(texts.with_date(MSG_PRINTED_ON, setup.printed_on))
        self.printed = _block(printed_on, page_styles.footer, BODY.width * 0.62)

    def draw(self, canv: Any, page: int, pages: int) -> None:
        canv.saveState()
        left, right, top = BODY.x, BODY.right, HEADER_TOP
        self.station.drawOn(canv, left, top - self.station.height)
        y = top
        for block in self.period:
            y -= block.height
            block.drawOn(canv, right - block.width, y)
        y = min(top - self.station.height, y)
        for block in self.titles:  # centred by their style
            y -= block.height
            block.drawOn(canv, left, y)
        _line(canv, left, HEADER_RULE, right, HEADER_RULE, 0.0, 0.8)
        _line(canv, left, FOOTER_RULE, right, FOOTER_RULE, 0.0, 0.4)
        footer_top = FOOTER_RULE - 1 * mm
        self.printed.drawOn(canv, left, footer_top - self.printed.height)
        bo, zh = self.setup.texts.both(MSG_PAGE, page=page, pages=pages)
        numbering = _block(f"{bo}  {zh}", self.setup.styles.footer_right, BODY.width * 0.35)
        numbering.drawOn(canv, right - numbering.width, footer_top - numbering.height)
        canv.restoreState()
        if self.layout is not None:
            self.layout.add(
                canv, "header", HEADER_BOX.x, HEADER_BOX.y, HEADER_BOX.width, HEADER_BOX.height
            )
            self.layout.add(
                canv, "footer", FOOTER_BOX.x, FOOTER_BOX.y, FOOTER_BOX.width, FOOTER_BOX.height
            )
            self.layout.page_labels[canv.getPageNumber()] = (page, pages)


def _intro(paper: _Paper, report: Report) -> list[Flowable]:
    """Which stations, when there are several (the header then says only "all selected")."""
    if len(report.stations) < 2:
        return []
    codes = list(report.stations)
    listed = ", ".join(codes[:SHOWN_STATION_CODES]) + (
        ", …" if len(codes) > SHOWN_STATION_CODES else ""
    )
    pair = paper.kit.both(STATIONS_LINE, count=len(codes), codes=listed)
    return [
        *(TextBlock(line, paper.styles.intro) for line in _unique(pair)),
        _Spacer(paper.kit, 2 * mm),
    ]


def _story(
    report: Report,
    trend: Trend,
    names: Mapping[str, Names],
    paper: _Paper,
    submitted_on: date | None = None,
    revision: Revision | None = None,
) -> list[Flowable]:
    story = _intro(paper, report)
    if submitted_on is not None:
        story += _dated_line(paper, MSG_SUBMITTED_ON, submitted_on)
    for table in report_tables(report, names):
        story += _table_flowables(paper, table)
        if table.key == "headline" and revision is not None:
            # What changed since the copy the bureau holds, before anything else.
            story += _dated_line(paper, MSG_COMPARED, revision.submitted_on)
            for changes in revision_tables(revision):
                story += _table_flowables(paper, changes)
        if table.key != "summary":
            continue
        # The overview follows the summary: the priority groups, the trend and its figures.
        shares = priority_group_shares(report.totals)
        story += _chart(paper, "chart-title:groups", MSG_BY_GROUP, _ShareChart(paper, shares))
        story.append(_note(paper, NOTE_OVERLAP))
        story.append(_Spacer(paper.kit, SECTION_GAP))
        partial = any(unfinished(b.period, paper.today) for b in trend.buckets)
        for series in TREND_SERIES:
            title = series.title_years if trend.yearly else series.title_months
            chart: Flowable = _TrendChart(paper, trend, series)
            if partial:  # the last month is not over: say so under the chart
                bo, zh = paper.kit.texts.with_date(NOTE_PARTIAL, paper.today)
                note = [TextBlock(line, paper.styles.note) for line in _unique((bo, zh))]
                chart = _WithTail(paper.kit, chart, note)
            story += _chart(paper, f"chart-title:{series.key}", title, chart)
            story.append(_Spacer(paper.kit, SECTION_GAP))
        story += _table_flowables(paper, trend_table(trend, paper.today))
    return story


def _dated_line(paper: _Paper, message: str, day: date) -> list[Flowable]:
    """A sentence with a date, Tibetan over Chinese, each with its own form of the date."""
    bo, zh = paper.kit.texts.with_date(message, day)
    return [
        *(TextBlock(line, paper.styles.intro) for line in _unique((bo, zh))),
        _Spacer(paper.kit, 2 * mm),
    ]


def render_report(
    report: Report,
    trend: Trend,
    names: Mapping[str, Names],
    setup: PaperSetup,
    *,
    layout: LayoutLog | None = None,
    submitted_on: date | None = None,
    revision: Revision | None = None,
) -> RenderedPdf:
    """The report as an A4 PDF. `names` names the stations by code (as `report_tables`
    takes them); the page header names the report's station, or all selected stations,
    whatever `setup.station` says. `trend` must be the trend of the same period."""
    if trend.period != report.period:
        raise ValueError("the trend is not of the report's period")
    formats = (LocaleFormats.fixed(PAPER_LANGUAGES[0]), LocaleFormats.fixed(PAPER_LANGUAGES[1]))
    kit = _Kit(setup.texts, setup.styles, layout)
    paper = _Paper(kit, _ReportStyles(setup.shaping), formats, setup.printed_on)
    station = report_station_header(report, names, setup.texts)
    decoration = _Decoration(paper, setup, station, report)

    def decorate(canv: Any, _header: FormHeader, _form: int, page: int, pages: int) -> None:
        decoration.draw(canv, page, pages)

    # One "form" without a QR code: no paper sheet is ever matched against a report.
    body = _story(report, trend, names, paper, submitted_on, revision)
    story = [form_start(FormHeader(REPORT_TITLE, "", "")), *body]
    return build_document(story, setup, layout=layout, decorate=decorate)
