"""Reading a roster file into plain rows of cell values.

`.xlsx` through openpyxl (read-only, values only: the cached results of formulas), `.xls`
through xlrd 2 (which reads only that old format, and well), `.csv` in UTF-8 (with or
without a byte-order mark) or GB18030, the encoding Chinese Excel and WPS save CSV in.
The kind of file is told by its first bytes, not its name: a workbook renamed to `.xls`
or saved as CSV under an `.xlsx` name is still read.

Cells come back as Python values: text, int, float, datetime, bool or None. Nothing is
interpreted here (an ID number stored as a number stays a float): `roster.cells` does that.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from station_desktop.errors import StationError
from station_desktop.i18n import N_

__all__ = ["Cell", "SheetRows", "read_sheet", "sheet_names"]

Cell = str | int | float | datetime | bool | None

MSG_CANNOT_READ = N_(
    "{file} cannot be read as a spreadsheet ({reason}). Save it from Excel or WPS as .xlsx "
    "and try again."
)
MSG_NOT_TEXT = N_(
    "{file} is neither a workbook nor text in UTF-8 or GB18030. Save it from Excel or WPS as "
    ".xlsx and try again."
)
MSG_NO_SHEET = N_("The workbook has no sheet called {sheet}. Its sheets: {sheets}.")
MSG_FILE_MISSING = N_("There is no file {file}.")

_ZIP: Final = b"PK\x03\x04"
_OLE: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary workbooks (.xls)
PROGRESS_EVERY: Final = 500  # rows between progress reports


@dataclass(frozen=True)
class SheetRows:
    """One sheet: its name, every sheet's name, and its rows (row 1 first), trailing empty
    cells kept as read."""

    name: str
    sheets: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            start = handle.read(8)
    except FileNotFoundError:
        raise StationError(MSG_FILE_MISSING, file=str(path)) from None
    except OSError as error:
        raise StationError(MSG_CANNOT_READ, file=path.name, reason=error.strerror or "") from error
    if start.startswith(_ZIP):
        return "xlsx"
    if start == _OLE:
        return "xls"
    return "csv"


def sheet_names(path: Path) -> tuple[str, ...]:
    """The names of the sheets, in the workbook's order (a CSV file has one)."""
    kind = _kind(path)
    if kind == "xlsx":
        with _opened_xlsx(path) as book:
            return tuple(book.sheetnames)
    if kind == "xls":
        return tuple(_open_xls(path).sheet_names())
    return (path.stem,)


def read_sheet(
    path: Path, sheet: str | None = None, progress: Callable[[int], None] | None = None
) -> SheetRows:
    """The rows of `sheet` (the first sheet when None). `progress` is called with the
    number of rows read so far, every few hundred rows (and may raise to stop)."""
    kind = _kind(path)
    report = progress or (lambda _rows: None)
    if kind == "xlsx":
        return _read_xlsx(path, sheet, report)
    if kind == "xls":
        return _read_xls(path, sheet, report)
    return _read_csv(path, report)


def _collect(rows: Iterator[tuple[Cell, ...]], progress: Callable[[int], None]) -> list[Any]:
    collected = []
    for number, row in enumerate(rows, start=1):
        collected.append(row)
        if number % PROGRESS_EVERY == 0:
            progress(number)
    return collected


def _chosen(sheet: str | None, names: list[str]) -> str:
    if sheet is None:
        return names[0]
    for name in names:
        if name == sheet or name.strip() == sheet.strip():
            return name
    raise StationError(MSG_NO_SHEET, sheet=sheet, sheets="、".join(names))


# ---------------------------------------------------------------- .xlsx


class _opened_xlsx:  # noqa: N801 - used as a context manager, like open()
    def __init__(self, path: Path) -> None:
        self._path = path
        self._book: Any = None

    def __enter__(self) -> Any:
        from openpyxl import load_workbook  # type: ignore[import-untyped]  # noqa: PLC0415

        try:
            # Workbooks from WPS and older Excel make openpyxl warn about styles and
            # extensions it does not read; none of that matters for values.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._book = load_workbook(self._path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise StationError(MSG_CANNOT_READ, file=self._path.name, reason=str(error)) from error
        except Exception as error:  # openpyxl's InvalidFileException and XML errors
            raise StationError(MSG_CANNOT_READ, file=self._path.name, reason=str(error)) from error
        return self._book

    def __exit__(self, *exc: object) -> None:
        if self._book is not None:
            self._book.close()


def _read_xlsx(path: Path, sheet: str | None, progress: Callable[[int], None]) -> SheetRows:
    with _opened_xlsx(path) as book:
        names = list(book.sheetnames)
        name = _chosen(sheet, names)
        worksheet = book[name]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if hasattr(worksheet, "reset_dimensions"):
                    # Some writers record a wrong size; read what is there instead.
                    worksheet.reset_dimensions()
                rows = _collect(worksheet.iter_rows(values_only=True), progress)
        except StationError:
            raise
        except Exception as error:  # a damaged sheet part
            raise StationError(MSG_CANNOT_READ, file=path.name, reason=str(error)) from error
    return SheetRows(name, tuple(names), tuple(rows))


# ---------------------------------------------------------------- .xls


def _open_xls(path: Path) -> Any:
    import xlrd  # noqa: PLC0415

    try:
        return xlrd.open_workbook(str(path), on_demand=True)
    except Exception as error:  # xlrd.XLRDError, CompDocError, struct errors on damage
        raise StationError(MSG_CANNOT_READ, file=path.name, reason=str(error)) from error


def _read_xls(path: Path, sheet: str | None, progress: Callable[[int], None]) -> SheetRows:
    import xlrd  # noqa: PLC0415

    book = _open_xls(path)
    try:
        names = list(book.sheet_names())
        name = _chosen(sheet, names)
        worksheet = book.sheet_by_name(name)

        def values() -> Iterator[tuple[Cell, ...]]:
            for r in range(worksheet.nrows):
                yield tuple(_xls_value(c, book.datemode, xlrd) for c in worksheet.row(r))

        rows = _collect(values(), progress)
    except StationError:
        raise
    except Exception as error:
        raise StationError(MSG_CANNOT_READ, file=path.name, reason=str(error)) from error
    finally:
        book.release_resources()
    return SheetRows(name, tuple(names), tuple(rows))


def _xls_value(cell: Any, datemode: int, xlrd: Any) -> Cell:
    kind = cell.ctype
    if kind == xlrd.XL_CELL_TEXT:
        return str(cell.value)
    if kind == xlrd.XL_CELL_NUMBER:
        value = float(cell.value)
        # .xls keeps every number as a float; whole ones that a float holds exactly are
        # handed on as ints, as openpyxl does for .xlsx.
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    if kind == xlrd.XL_CELL_DATE:
        try:
            day: datetime = xlrd.xldate_as_datetime(cell.value, datemode)
            return day
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return float(cell.value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    return None  # empty, blank, error cells


# ---------------------------------------------------------------- .csv


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StationError(MSG_NOT_TEXT, file=path.name)


def _read_csv(path: Path, progress: Callable[[int], None]) -> SheetRows:
    text = _decoded(path)
    if "\x00" in text:  # some other binary file
        raise StationError(MSG_NOT_TEXT, file=path.name)
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = _collect((tuple(cell or None for cell in row) for row in reader), progress)
    return SheetRows(path.stem, (path.stem,), tuple(rows))
