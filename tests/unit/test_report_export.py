"""The report as a workbook: opened again with openpyxl, every number is a number equal to
the report's figure, headers are in Tibetan and Chinese, and no text can become a formula.

The data set is the hand-counted one of test_reports.py (March 2026, stations CG-BK and
CG-GD)."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from station_desktop.app import Application
from station_desktop.i18n import Catalogues
from station_desktop.services import report_export
from station_desktop.services.report_export import (
    ALL_STATIONS,
    MONEY_FORMAT,
    ExportFailed,
    Mean,
    Money,
    Msg,
    Names,
    Raw,
    bilingual,
    report_tables,
    sheet_name,
    write_xlsx,
)
from station_desktop.services.reports import Report, VisitCount
from station_desktop.store.files import temp_path_for
from tests.conftest import StationSetup
from tests.unit.test_reports import MARCH, People, build

TIBETAN = range(0x0F00, 0x1000)


def _has_tibetan(text: str) -> bool:
    return any(ord(ch) in TIBETAN for ch in text)


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def people(app: Application, station: StationSetup) -> People:
    return build(app, station)


@pytest.fixture
def report(app: Application, people: People) -> Report:
    return app.reports.compute(MARCH)


@pytest.fixture
def catalogues() -> Catalogues:
    return Catalogues()


def _save(report: Report, tmp_path: Path, catalogues: Catalogues, **kwargs: Any) -> Any:
    path = tmp_path / "report.xlsx"
    write_xlsx(report, path, catalogues, **kwargs)
    return load_workbook(path)


HEADER_ROW = report_export.HEADER_ROW


def test_one_sheet_per_table_named_in_both_languages(
    report: Report, tmp_path: Path, catalogues: Catalogues
) -> None:
    book = _save(report, tmp_path, catalogues)
    tables = report_tables(report)
    used: set[str] = set()
    assert book.sheetnames == [sheet_name(catalogues, t.title, used) for t in tables]
    assert len(book.sheetnames) == 10
    # Titles that are translated already show both scripts on the tab.
    visits = book.sheetnames[[t.key for t in tables].index("home_visits")]
    assert "入户探访" in visits and _has_tibetan(visits)
    assert all(len(name) <= 31 for name in book.sheetnames)


def test_every_number_is_a_number_equal_to_the_report(
    report: Report, tmp_path: Path, catalogues: Catalogues
) -> None:
    book = _save(report, tmp_path, catalogues)
    checked = 0
    for table, sheet in zip(report_tables(report), book.worksheets, strict=True):
        for r, row in enumerate(table.rows, start=HEADER_ROW + 1):
            for c, expected in enumerate(row.cells, start=1):
                cell = sheet.cell(r, c)
                if isinstance(expected, bool):
                    pytest.fail("no bools in reports")
                if isinstance(expected, int):
                    assert isinstance(cell.value, int) and cell.value == expected, cell
                    checked += 1
                elif isinstance(expected, Money):
                    assert isinstance(cell.value, (int, float)), cell
                    assert cell.value == pytest.approx(expected.fen / 100)
                    assert cell.number_format == MONEY_FORMAT
                    checked += 1
                elif isinstance(expected, Mean):
                    assert cell.value == expected.value
                    assert cell.value is None or isinstance(cell.value, (int, float))
                    assert cell.number_format == "0.00"
    assert checked > 150


def test_figures_land_where_a_reader_looks_for_them(
    report: Report, tmp_path: Path, catalogues: Catalogues
) -> None:
    book = _save(report, tmp_path, catalogues)
    summary = {
        row[0].value: row[1].value for row in book.worksheets[0].iter_rows(min_row=HEADER_ROW + 1)
    }
    people = bilingual(catalogues, Msg(report_export.F_PEOPLE))
    assert summary[people] == report.totals.residents_served.people == 6
    received = bilingual(catalogues, Msg(report_export.F_VALUE_RECEIVED))
    assert summary[received] == 1210  # ¥1,210.00 = 121,000 fen

    visits = book.worksheets[2]
    at_home = visits.cell(HEADER_ROW + 1, 1).value
    assert "在家" in at_home and _has_tibetan(at_home)  # a code label, in both scripts
    assert (
        visits.cell(HEADER_ROW + 1, 2).value
        == report.totals.home_visits.by_outcome["at_home"].visits
    )

    satisfaction = book.worksheets[6]
    mean_column = satisfaction.max_column
    overall = [
        row
        for row in satisfaction.iter_rows(min_row=HEADER_ROW + 1, values_only=True)
        if row[0] and "总体满意度" in row[0]
    ]
    assert overall[0][mean_column - 1] == 4.25
    assert overall[0][3:8] == (0, 0, 1, 1, 2)  # the 1–5 distribution


def test_headers_are_tibetan_and_chinese(
    report: Report, tmp_path: Path, catalogues: Catalogues
) -> None:
    book = _save(report, tmp_path, catalogues)
    for table, sheet in zip(report_tables(report), book.worksheets, strict=True):
        headers = [sheet.cell(HEADER_ROW, c).value for c in range(1, len(table.columns) + 1)]
        assert headers == [bilingual(catalogues, column.header) for column in table.columns]
    outcome = book.worksheets[2].cell(HEADER_ROW, 1).value
    bo, zh = catalogues.both("Outcome")
    assert outcome == f"{bo} / {zh}" and _has_tibetan(bo) and zh == "探访结果"
    # The satisfaction levels are headed by their number and label.
    level = book.worksheets[6].cell(HEADER_ROW, 4).value
    assert level.startswith("1") and "非常不满意" in level


def test_title_rows_frozen_header_and_widths(
    report: Report, tmp_path: Path, catalogues: Catalogues
) -> None:
    book = _save(report, tmp_path, catalogues)
    for sheet in book.worksheets:
        assert sheet.freeze_panes in (f"B{HEADER_ROW + 1}", f"C{HEADER_ROW + 1}")
        assert sheet.cell(2, 1).value.count("2026") >= 2  # the period, in both languages
        assert "CG-BK, CG-GD" in sheet.cell(3, 1).value
        assert sheet.column_dimensions["A"].width >= 8
    period = book.worksheets[0].cell(2, 1).value
    assert "2026年3月1日" in period and "2026ལོའི་ཟླ་3ཚེས་1ཉིན" in period


def test_per_station_table_with_totals_that_count_people_once(
    app: Application, report: Report, tmp_path: Path, catalogues: Catalogues
) -> None:
    names = {"CG-BK": Names("བར་སྐོར་ཁྲོམ་གཞུང་།", "八廓街道"), "CG-GD": Names("", "公德林街道")}
    book = _save(report, tmp_path, catalogues, station_names=names)
    sheet = book.worksheets[-1]
    rows = list(sheet.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + 3, values_only=True))
    assert rows[0][:3] == ("CG-BK", "བར་སྐོར་ཁྲོམ་གཞུང་། / 八廓街道", 5)
    assert rows[1][:3] == ("CG-GD", "公德林街道", 2)
    # R1 was served by both stations: 6 people in all, not 5 + 2.
    assert rows[2][0] == bilingual(catalogues, Msg(ALL_STATIONS)) and rows[2][2] == 6

    one = app.reports.compute(MARCH, ["CG-GD"])
    single = _save(one, tmp_path, catalogues).worksheets[-1]
    assert single.max_row == HEADER_ROW + 1  # one station, no totals row, no note


def test_text_is_never_a_formula(report: Report, tmp_path: Path, catalogues: Catalogues) -> None:
    """Station names come from the data, and so can a damaged code in a breakdown."""
    hostile = '=HYPERLINK("http://example.com/x","click")'
    visits = report.totals.home_visits
    damaged = dataclasses.replace(
        visits, by_outcome={**visits.by_outcome, "@SUM(1+1)*cmd": VisitCount(1, 1)}
    )
    totals = dataclasses.replace(report.totals, home_visits=damaged)
    tampered = dataclasses.replace(report, totals=totals)
    names = {"CG-BK": Names("+1-2", hostile), "CG-GD": Names("", "-3\x07#N/A")}
    path = tmp_path / "report.xlsx"
    write_xlsx(tampered, path, catalogues, station_names=names)

    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in archive.read(n) for n in sheets)

    book = load_workbook(path)
    stations = book.worksheets[-1]
    name_cell = stations.cell(HEADER_ROW + 1, 2)
    assert name_cell.value == f"+1-2 / {hostile}"
    assert name_cell.data_type == "s" and name_cell.quotePrefix
    error_like = stations.cell(HEADER_ROW + 2, 2)
    assert error_like.value == "-3#N/A"  # the control character cannot be stored
    assert error_like.data_type == "s" and error_like.quotePrefix
    outcome = next(
        c
        for (c,) in book.worksheets[2].iter_rows(min_row=HEADER_ROW + 1, max_col=1)
        if c.value == "@SUM(1+1)*cmd"
    )
    assert outcome.data_type == "s" and outcome.quotePrefix


def test_written_under_a_temporary_name_then_renamed(
    report: Report, tmp_path: Path, catalogues: Catalogues, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "stick"
    folder.mkdir()
    path = folder / "report.xlsx"
    path.write_bytes(b"the previous report")

    def pulled_out(self: object, filename: str) -> None:
        Path(filename).write_bytes(b"PK half a zip")
        raise OSError(5, "Input/output error")

    from openpyxl import Workbook  # loaded where the workbook is written

    monkeypatch.setattr(Workbook, "save", pulled_out)
    with pytest.raises(ExportFailed) as failure:
        write_xlsx(report, path, catalogues)
    assert failure.value.params["path"] == str(path)
    assert "Input/output error" in failure.value.english()
    assert path.read_bytes() == b"the previous report"  # the old file, whole
    assert not temp_path_for(path).exists()

    monkeypatch.undo()
    write_xlsx(report, path, catalogues)
    assert load_workbook(path).sheetnames
    assert [p.name for p in folder.iterdir()] == ["report.xlsx"]


def test_labels_for_keys_this_version_does_not_know() -> None:
    assert report_export.code_label(None, "unknown") == Msg(report_export.NOT_RECORDED)
    assert report_export.code_label(None, "none") == Msg(report_export.NO_PRIORITY_GROUP)
    assert report_export.code_label(None, "new_code") == Raw("new_code")
    assert report_export.age_band_label("80+").kwargs() == {"low": "80"}  # type: ignore[union-attr]
    assert report_export.age_band_label("14-17").kwargs() == {"low": "14", "high": "17"}  # type: ignore[union-attr]


def test_sheet_names_are_legal_and_unique(catalogues: Catalogues) -> None:
    used: set[str] = set()
    first = sheet_name(catalogues, "A/B: [x]?" + "y" * 40, used)
    second = sheet_name(catalogues, "A/B: [x]?" + "y" * 40, used)
    assert first != second and len(first) <= 31 and len(second) <= 31
    assert not set("/:[]?*\\") & set(first + second)
