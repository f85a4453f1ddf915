"""The report's tables (`reports.tables`) as a spreadsheet.

`write_xlsx` writes one sheet per table. Numbers are stored as numbers (money in yuan with
a ¥ format, means with two decimals) so that the bureau can add and chart them. Every text
cell is stored as a literal string, and one that a spreadsheet could read as a formula
(`=`, `+`, `-`, `@`, ...) is also quote-prefixed: a station name such as
`=HYPERLINK(...)` stays text when the file is opened and when the cell is edited.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from station_desktop.formats import LocaleFormats
from station_desktop.i18n import Catalogues
from station_desktop.reports.figures import Report, ReportPeriod
from station_desktop.reports.tables import (
    PERIOD_LINE,
    REPORT_TITLE,
    STATIONS_LINE,
    Cell,
    Joined,
    Mean,
    Money,
    Msg,
    Names,
    Raw,
    Table,
    msg,
    report_tables,
)
from station_desktop.services.stations import StationView
from station_desktop.store.files import write_atomically

# ---------------------------------------------------------------- the workbook

INT_FORMAT = "#,##0"
MONEY_FORMAT = "¥#,##0.00"
MEAN_FORMAT = "0.00"
# A spreadsheet reads a typed cell starting with these as a formula (OWASP "CSV injection";
# tab and line breaks too, and the full-width forms some input methods produce).
FORMULA_STARTS = frozenset("=+-@\t\r\n＝＋－＠")
TITLE_ROWS = 3
HEADER_ROW = TITLE_ROWS + 1
SHEET_NAME_LIMIT = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MIN_WIDTH, _MAX_WIDTH, _MAX_HEADER_WIDTH = 8.0, 60.0, 24.0
_LINE_POINTS, _TIBETAN_LINE_POINTS = 15.0, 21.0
# openpyxl is imported where a workbook is written: with numpy installed (for reading
# scans) it loads numpy too, a quarter of a second the window's start-up need not pay.


def safe_text(text: str) -> str:
    """Text a worksheet can store: XML-illegal control characters removed."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]  # noqa: PLC0415

    cleaned: str = ILLEGAL_CHARACTERS_RE.sub("", text)
    return cleaned


def _joined(bo: str, zh: str) -> str:
    parts = [p for p in (bo, zh) if p]
    if len(parts) == 2 and parts[0] == parts[1]:  # no translation yet: say it once
        return parts[0]
    return " / ".join(parts)


def bilingual(catalogues: Catalogues, message: Msg) -> str:
    """'Tibetan / Chinese', as headers on bilingual paper are written."""
    return _joined(*catalogues.both(message.message, **message.kwargs()))


def cell_text(catalogues: Catalogues, cell: Msg | Raw | Names | Joined) -> str:
    if isinstance(cell, Msg):
        return bilingual(catalogues, cell)
    if isinstance(cell, Names):
        return _joined(cell.bo, cell.zh)
    if isinstance(cell, Joined):  # "Tibetan · Tibetan / Chinese · Chinese"
        pairs = [_pair(catalogues, part) for part in cell.parts]
        return _joined(*(" · ".join(p[n] for p in pairs if p[n]) for n in (0, 1)))
    return cell.text


def _pair(catalogues: Catalogues, cell: Msg | Raw | Names) -> tuple[str, str]:
    if isinstance(cell, Msg):
        bo, zh = catalogues.both(cell.message, **cell.kwargs())
        return bo, zh
    if isinstance(cell, Names):
        return cell.bo or cell.zh, cell.zh or cell.bo
    return cell.text, cell.text


def display_width(text: str) -> float:
    """Roughly how many '0' characters wide `text` is (Excel's column width unit)."""
    width = 0.0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) == "Mn":
            continue  # Tibetan vowels and subjoined letters stack; they take no width
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            width += 2.0
        elif "\u0f00" <= ch <= "\u0fff":
            width += 1.3
        else:
            width += 1.0
    return width


def _has_tibetan(text: str) -> bool:
    return any("\u0f00" <= ch <= "\u0fff" for ch in text)


def put_text(cell: Any, text: str) -> None:
    cell.value = safe_text(text)
    # openpyxl would store "=..." as a formula and "#N/A" as an error: say it is a string.
    cell.data_type = "s"
    if cell.value[:1] in FORMULA_STARTS:
        cell.quotePrefix = True  # stays text when someone edits the cell in Excel


def _put(cell: Any, value: Cell, catalogues: Catalogues) -> str:
    """Write one cell; return its text as shown, to size the column."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int: never meant here
        raise TypeError("a report cell cannot be a bool")
    if isinstance(value, int):
        cell.value = value
        cell.number_format = INT_FORMAT
        return f"{value:,}"
    if isinstance(value, Money):
        cell.value = value.fen / 100
        cell.number_format = MONEY_FORMAT
        return f"¥{value.fen / 100:,.2f}"
    if isinstance(value, Mean):
        cell.value = value.value
        cell.number_format = MEAN_FORMAT
        return "" if value.value is None else f"{value.value:.2f}"
    text = cell_text(catalogues, value)
    put_text(cell, text)
    return text


def _paper_period(catalogues: Catalogues, period: ReportPeriod) -> str:
    lines = []
    for language in ("bo", "zh_CN"):
        formats = LocaleFormats.fixed(language)
        lines.append(
            catalogues.translator(language).gettext(
                PERIOD_LINE,
                start=formats.date(period.start),
                end=formats.date(period.end),
                days=period.days,
            )
        )
    return _joined(*lines)


def sheet_name(catalogues: Catalogues, title: str, used: set[str]) -> str:
    """'Tibetan Chinese' when it fits Excel's 31 characters, else the Chinese alone;
    characters a sheet name cannot have are dropped; unique within the workbook."""
    bo, zh = (_SHEET_NAME_FORBIDDEN.sub("", t).strip(" '") for t in catalogues.both(title))
    name = zh if bo == zh or len(f"{bo} {zh}") > SHEET_NAME_LIMIT else f"{bo} {zh}"
    name = name[:SHEET_NAME_LIMIT] or "Sheet"
    unique, number = name, 2
    while unique.casefold() in {u.casefold() for u in used}:
        suffix = f" ({number})"
        unique, number = name[: SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
    used.add(unique)
    return unique


def _write_sheet(sheet: Any, table: Table, report: Report, catalogues: Catalogues) -> None:
    from openpyxl.styles import (  # type: ignore[import-untyped]  # noqa: PLC0415
        Alignment,
        Border,
        Font,
        PatternFill,
        Side,
    )
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]  # noqa: PLC0415

    header_fill = PatternFill("solid", fgColor="DDE4EE")
    header_border = Border(bottom=Side(style="thin"))
    codes = ", ".join(report.stations)
    title_lines = (
        bilingual(catalogues, Msg(REPORT_TITLE)) + " · " + bilingual(catalogues, Msg(table.title)),
        _paper_period(catalogues, report.period),
        bilingual(catalogues, msg(STATIONS_LINE, count=len(report.stations), codes=codes)),
    )
    for number, line in enumerate(title_lines, start=1):
        put_text(sheet.cell(number, 1), line)
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.row_dimensions[1].height = 26.0 if _has_tibetan(title_lines[0]) else 20.0
    for number in (2, 3):
        sheet.row_dimensions[number].height = _TIBETAN_LINE_POINTS

    widths = [_MIN_WIDTH] * len(table.columns)
    header_texts: list[str] = []
    for c, column in enumerate(table.columns, start=1):
        cell = sheet.cell(HEADER_ROW, c)
        text = bilingual(catalogues, column.header)
        put_text(cell, text)
        header_texts.append(text)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = header_border
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        widths[c - 1] = max(widths[c - 1], min(display_width(text) + 2, _MAX_HEADER_WIDTH))

    body: list[list[str]] = []
    for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
        texts = []
        for c, value in enumerate(row.cells, start=1):
            cell = sheet.cell(r, c)
            text = _put(cell, value, catalogues)
            texts.append(text)
            widths[c - 1] = max(widths[c - 1], min(display_width(text) + 2, _MAX_WIDTH))
            if row.total:
                cell.font = Font(bold=True)
            if not table.columns[c - 1].numeric:
                cell.alignment = Alignment(wrap_text=True, vertical="center")
        body.append(texts)

    if table.note:
        note_row = HEADER_ROW + len(table.rows) + 2
        put_text(sheet.cell(note_row, 1), bilingual(catalogues, Msg(table.note)))
        sheet.cell(note_row, 1).font = Font(italic=True)

    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = round(width, 1)
    # Explicit heights: not every spreadsheet program grows a row for wrapped or Tibetan
    # text on its own, and Tibetan stacks need a taller line than Chinese.
    sheet.row_dimensions[HEADER_ROW].height = _row_height(header_texts, widths)
    for r, texts in enumerate(body, start=HEADER_ROW + 1):
        sheet.row_dimensions[r].height = _row_height(texts, widths)
    # The header row and the row labels stay in view while scrolling.
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, table.label_columns + 1).coordinate


def _row_height(texts: Sequence[str], widths: Sequence[float]) -> float:
    lines = max(
        (math.ceil(display_width(t) / max(w - 1, 1.0)) for t, w in zip(texts, widths, strict=True)),
        default=1,
    )
    per_line = _TIBETAN_LINE_POINTS if any(_has_tibetan(t) for t in texts) else _LINE_POINTS
    return max(1, lines) * per_line + 2


def station_names(stations: Sequence[StationView]) -> dict[str, Names]:
    """Station codes to their names in both scripts (a Report carries only codes)."""
    return {s.code: Names(s.name_bo or "", s.name_zh or "") for s in stations}


def write_xlsx(
    report: Report,
    path: Path,
    catalogues: Catalogues,
    *,
    station_names: Mapping[str, Names] | None = None,
) -> None:
    """Write the report as an .xlsx workbook at `path`, one sheet per table, headers in
    Tibetan and Chinese. Written under a temporary name and renamed: a failed write (a
    USB stick pulled out) leaves the old file or none, never half a file. Raises
    CannotWrite when the file cannot be written."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # noqa: PLC0415

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in report_tables(report, station_names):
        sheet = workbook.create_sheet(sheet_name(catalogues, table.title, used))
        _write_sheet(sheet, table, report, catalogues)
    workbook.properties.creator = "Station Desktop"
    # Into memory first: openpyxl leaves its zip file open when the disk fills mid-save.
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_atomically(path, buffer.getvalue())
