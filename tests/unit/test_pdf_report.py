"""The statistics report on paper: read back with pypdf, it carries the title in both
languages, the report's exact figures beside their labels (right-aligned, money in yuan),
the station names in both scripts, embedded font subsets, the two kinds of chart drawn to
scale, and pages numbered x of y; with 65 stations the per-station table runs over pages
with its header row repeated.

The data set is the hand-counted one of test_reports.py (March 2026, CG-BK and CG-GD).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from pypdf import PdfReader

from station_desktop.app import Application
from station_desktop.domain.codes import StaffRole, StationKind
from station_desktop.pdf.page import BODY, MSG_PAGE, LayoutLog, PaperTexts, RenderedPdf, mm
from station_desktop.pdf.paragraphs import TextStyle, line_texts, text_width
from station_desktop.pdf.report import render_report
from station_desktop.reports.figures import Report, ReportPeriod, Trend
from station_desktop.reports.tables import (
    ALL_STATIONS,
    F_VALUE_HANDED_OUT,
    F_VALUE_RECEIVED,
    H_STATION_NAME,
    NOTE_PARTIAL,
    REPORT_TITLE,
    Names,
)
from station_desktop.services import report_export
from station_desktop.services.access import Actor
from station_desktop.services.report_pdf import ReportPdfService
from station_desktop.services.stations import StationInfo
from tests.conftest import StationSetup
from tests.unit.test_pdf_forms import _Line, _text_lines
from tests.unit.test_reports import MARCH, A, B, People, build

TIBETAN = re.compile("[\u0f40-\u0fbc]")


@pytest.fixture
def people(app: Application, station: StationSetup) -> People:
    return build(app, station)


@pytest.fixture
def service(app: Application) -> ReportPdfService:
    return ReportPdfService(app.ctx)


def _render(
    app: Application, service: ReportPdfService, period: ReportPeriod, codes: Any = None
) -> tuple[RenderedPdf, LayoutLog, Report, Trend]:
    report = app.reports.compute(period, codes)
    trend = app.reports.trend(period, codes)
    layout = LayoutLog()
    pdf = service.render(report, trend, invariant=True, layout=layout)
    return pdf, layout, report, trend


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _page_texts(pdf: RenderedPdf) -> list[str]:
    return [_squeezed(p.extract_text()) for p in PdfReader(io.BytesIO(pdf.data)).pages]


def _same_row(lines: list[_Line], label: str, value: str) -> list[_Line]:
    """The pieces of text `value` on the line (same page, same baseline) of `label`."""
    labels = [line for line in lines if label in line.text]
    assert labels, f"{label!r} not found"
    return [
        line
        for line in lines
        for found in labels
        if line.text == value and line.page == found.page and abs(line.y - found.y) < 1.5
    ]


def test_title_figures_and_station_names_copy_back(
    app: Application, people: People, service: ReportPdfService
) -> None:
    pdf, layout, report, _trend = _render(app, service, MARCH)
    texts = PaperTexts()
    pages = _page_texts(pdf)
    title_bo, title_zh = texts.both(REPORT_TITLE)
    assert TIBETAN.search(title_bo) and title_zh == "统计报表"
    for page in pages:  # on every page, in the header
        assert _squeezed(title_bo) in page and title_zh in page
    everything = "".join(pages)
    # Both stations by name, the Tibetan one with its stacks; "all selected stations" on top.
    assert _squeezed("བར་སྐོར་ཁྲོམ་གཞུང་།") in everything and "八廓街道" in everything
    assert "公德林街道" in everything
    assert all(_squeezed("".join(texts.both(ALL_STATIONS))) in page for page in pages)
    # Exact figures, in the row of their label: 121,000 and 95,000 fen.
    lines = _text_lines(pdf.data)
    received = _same_row(lines, texts.both(F_VALUE_RECEIVED)[1], "¥1,210.00")
    handed = _same_row(lines, texts.both(F_VALUE_HANDED_OUT)[1], "¥950.00")
    assert received and handed
    # Right-aligned: both amounts end at the same x in their column of the summary (the
    # amount received is also in the headline, a table of its own).
    style = TextStyle(8)
    ends = [
        {round(line.x + text_width(line.text, style), 1) for line in lines_}
        for lines_ in (received, handed)
    ]
    assert ends[1] <= ends[0], ends
    # Page x of y, in both languages, on every page.
    assert pdf.pages == len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        for words in texts.both(MSG_PAGE, page=number, pages=pdf.pages):
            assert _squeezed(words) in page
    assert layout.page_labels == {n: (n, pdf.pages) for n in range(1, pdf.pages + 1)}
    assert report.totals.resources.received.value_fen == 121_000


def test_one_station_is_named_in_the_header(
    app: Application, people: People, service: ReportPdfService
) -> None:
    pdf, _layout, _report, _trend = _render(app, service, MARCH, [B])
    texts = PaperTexts()
    for page in _page_texts(pdf):
        assert "公德林街道" in page
        assert _squeezed("".join(texts.both(ALL_STATIONS))) not in page


def test_fonts_are_embedded_subsets(
    app: Application, people: People, service: ReportPdfService
) -> None:
    pdf, *_ = _render(app, service, MARCH)
    families = set()
    for page in PdfReader(io.BytesIO(pdf.data)).pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            assert font["/Subtype"] == "/TrueType"  # no standard (unembedded) font at all
            base = str(font["/BaseFont"])
            assert re.fullmatch(r"/?[A-Z]{6}\+[A-Za-z-]+", base), base
            assert int(font["/FontDescriptor"]["/FontFile2"]["/Length1"]) < 200_000
            assert "/ToUnicode" in font
            families.add(base.split("+")[1])
    assert {"NotoSerifTibetan-Regular", "NotoSansSC-Regular"} <= families


def test_charts_are_drawn_to_scale(
    app: Application, people: People, service: ReportPdfService
) -> None:
    period = ReportPeriod(date(2026, 1, 1), date(2026, 4, 30))
    pdf, layout, report, trend = _render(app, service, period)
    boxes = layout.boxes
    tags = {b.tag for b in boxes}
    assert {"chart:home_visits", "chart:activities_held", "chart:groups"} <= tags
    for key in ("home_visits", "activities_held"):
        values = [getattr(b, key) for b in trend.buckets]
        heights = [
            next(b for b in boxes if b.tag == f"bar:{key}:{i}").rect.height for i in range(4)
        ]
        assert values[2] > 0  # March
        for value, height in zip(values, heights, strict=True):
            assert height == pytest.approx(heights[2] * value / values[2], abs=0.01), key
    served = report.totals.residents_served.by_priority_group
    lengths = {b.tag.split(":")[1]: b.rect.width for b in boxes if b.tag.startswith("share:")}
    assert set(lengths) == set(served)
    largest = max(served, key=lambda k: served[k].people)
    for key, value in served.items():
        expected = lengths[largest] * value.people / served[largest].people
        assert lengths[key] == pytest.approx(expected, abs=0.01), key
    # Months under the bars in both scripts, and the counts over them.
    text = "".join(_page_texts(pdf))
    assert "ཟླ་3" in text and "3月" in text


def test_nothing_overlaps_and_everything_is_in_the_body(
    app: Application, people: People, service: ReportPdfService
) -> None:
    pdf, layout, *_ = _render(app, service, MARCH)
    nested = ("bar:", "share:")
    for page in range(1, pdf.pages + 1):
        boxes = [b for b in layout.on_page(page) if not b.tag.startswith(nested)]
        assert {"header", "footer"} <= {b.tag for b in boxes}
        for box in boxes:
            if box.tag not in ("header", "footer"):
                assert BODY.x - 0.01 <= box.rect.x and box.rect.right <= BODY.right + 0.01, box
                assert BODY.y - 0.01 <= box.rect.y and box.rect.top <= BODY.top + 0.01, box
        for n, first in enumerate(boxes):
            for second in boxes[n + 1 :]:
                assert not first.rect.overlaps(second.rect), (page, first, second)


@pytest.fixture
def many_stations(app: Application, station: StationSetup) -> Iterator[list[str]]:
    codes = [f"ST-{n:02d}" for n in range(1, 65)]
    for n, code in enumerate(codes, start=1):
        app.stations.add_station(
            StationInfo(code, StationKind.TOWNSHIP, f"བསྒྲུབས་རྒྱལ་སྐྱིད་ཤོད་{n}", f"第{n}乡")
        )
    app.ctx.actor = Actor(None, StaffRole.BUREAU_ADMIN, None)  # every station's figures
    yield ["CG-BK", *codes]


def test_sixty_five_stations_run_over_pages_with_the_header_repeated(
    app: Application, many_stations: list[str], service: ReportPdfService
) -> None:
    pdf, layout, report, _trend = _render(app, service, MARCH)
    assert len(report.stations) == 65
    grid_pages = sorted({b.page for b in layout.boxes if b.tag.startswith("grid:stations:")})
    assert len(grid_pages) >= 3
    assert 6 <= pdf.pages <= 20
    pages = _page_texts(pdf)
    name_header = _squeezed(PaperTexts().both(H_STATION_NAME)[1])
    for page in grid_pages:
        assert name_header in pages[page - 1], page  # the header row on every page
    everything = "".join(pages)
    for number, code in enumerate(many_stations[1:], start=1):
        assert code in everything
        assert f"第{number}乡" in everything
    assert _squeezed("བསྒྲུབས་རྒྱལ་སྐྱིད་ཤོད་65") not in everything  # there are 64 of them
    assert _squeezed("བསྒྲུབས་རྒྱལ་སྐྱིད་ཤོད་64") in everything
    # Each station is a row of every part of the table (its figures run over several
    # tables, as many as it takes for headers whose words are never cut).
    parts = {b.tag for b in layout.boxes if b.tag.startswith("grid:stations:")}
    lines = _text_lines(pdf.data)
    # (and once more in "data received up to")
    assert sum(1 for line in lines if line.text == "ST-33") == len(parts) + 1 >= 3


def test_chinese_words_of_narrow_headers_are_not_cut(
    app: Application, people: People, service: ReportPdfService
) -> None:
    """ "非常满意" and "开展活动场次" print whole, never "非常满/意" (issue 16)."""
    pdf, _layout, _report, _trend = _render(app, service, MARCH)
    lines = [
        "".join(line.split())
        for page in PdfReader(io.BytesIO(pdf.data)).pages
        for line in page.extract_text().splitlines()
    ]
    assert not [line for line in lines if line.endswith(("非常满", "非常不满", "开展活动场"))]
    assert any("非常满意" in line for line in lines)
    assert any("非常不满意" in line for line in lines)
    style = TextStyle(7.5, han_words=True)
    assert line_texts("5 非常满意", 12 * mm, style) == ["5", "非常满意"]
    # What a sentence's rule did to it (the "非常满/意"):
    assert line_texts("5 非常满意", 12 * mm, TextStyle(7.5)) == ["5 非常满", "意"]


def test_months_with_nothing_say_0_and_the_unfinished_month_is_marked(
    app: Application, people: People, service: ReportPdfService
) -> None:
    spring = ReportPeriod(date(2026, 1, 1), date(2026, 7, 31))  # today is 2026-06-01
    pdf, layout, _report, trend = _render(app, service, spring)
    charts = {b.page for b in layout.boxes if b.tag.startswith("chart:")}
    labels = [line.text for line in _text_lines(pdf.data) if line.page in charts]
    held = [b.activities_held for b in trend.buckets]
    assert held[:2] == [0, 0] and held[5] == 0  # January, February, June: no activity
    assert labels.count("0") >= 2 + 2  # January and February, in both charts
    assert "0*" in labels  # June is not over yet: marked, not a collapse to zero
    assert not any(b.tag == "bar:activities_held:6" for b in layout.boxes)  # July: not yet
    bo, zh = PaperTexts().with_date(NOTE_PARTIAL, date(2026, 6, 1))
    text = "".join(_page_texts(pdf))
    assert _squeezed(zh) in text and _squeezed(bo) in text
    assert "2026年6月*" in text  # and in the table of figures per month


def test_render_report_refuses_a_trend_of_another_period(
    app: Application, people: People, service: ReportPdfService
) -> None:
    report = app.reports.compute(MARCH)
    trend = app.reports.trend(ReportPeriod(date(2026, 1, 1), date(2026, 3, 31)))
    setup = service.texts
    from station_desktop.pdf.page import PaperSetup, StationHeader

    paper = PaperSetup(StationHeader(A, "", ""), date(2026, 6, 1), setup)
    with pytest.raises(ValueError, match="period"):
        render_report(report, trend, {A: Names("", "八廓街道")}, paper)


def test_station_names_come_from_the_database(
    app: Application, people: People, service: ReportPdfService
) -> None:
    names = service.station_names([A, B])
    assert names == {
        A: Names("བར་སྐོར་ཁྲོམ་གཞུང་།", "八廓街道"),
        B: Names("", "公德林街道"),
    }
    assert report_export.station_names(app.stations.stations()) == names
