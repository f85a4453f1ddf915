"""Paper a bureau can trust (issue 16): loose pages that say whose they are, the record's
station in the header, long notes that say "continued" and keep the signatures with their
end, write-in space on filled forms, larger Tibetan, two-sided sheets, and no boxes for
characters no font has."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from pypdf import PdfReader

from station_desktop.app import Application
from station_desktop.domain.codes import AreaKind, StationKind
from station_desktop.errors import StationError
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.pdf.page import (
    MSG_CONTINUED,
    MSG_PAGE,
    MSG_RESIDENT_SIGNATURE,
    LayoutLog,
    PaperTexts,
    QrPayload,
    RenderedPdf,
    Styles,
)
from station_desktop.pdf.paragraphs import TextStyle, text_block
from station_desktop.services.printing import PrintService
from station_desktop.services.stations import StationInfo
from tests.conftest import StationSetup
from tests.unit.test_pdf_text import build_pdf, extracted_lines

LONG = "老人独居，行动不便，需要定期上门。ཁྱིམ་ན་གཅིག་པུར་སྡོད། " * 40


@pytest.fixture
def printing(app: Application) -> PrintService:
    return PrintService(app.ctx)


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _pages(pdf: RenderedPdf) -> list[str]:
    return [_squeezed(p.extract_text()) for p in PdfReader(io.BytesIO(pdf.data)).pages]


def _resident(app: Application, **values: object) -> uuid.UUID:
    return app.residents.register({"legal_basis": "statutory_duty", **values})


# ---------------------------------------------------------------- visit packs


def test_every_page_of_a_pack_says_whose_it_is_and_names_the_villages_station(
    app: Application, station: StationSetup, printing: PrintService
) -> None:
    # A village of another station (a township): the pack is printed on this laptop.
    app.stations.add_station(StationInfo("DZ-TJ", StationKind.TOWNSHIP, "ཐར་རྒྱས་ཤང་", "塔杰乡"))
    app.stations.use_station("DZ-TJ")
    village = app.stations.add_area("DZ-TJ-01", AreaKind.VILLAGE, "", "扎西岗村")
    app.stations.use_station("CG-BK")
    household = app.residents.create_household(village, "12", "")
    people = [
        _resident(app, name_bo="བཀྲ་ཤིས་ཚེ་རིང", name_zh="扎西次仁", household_id=household),
        _resident(app, name_bo="སྒྲོལ་མ", name_zh="卓玛", area_id=village),
    ]
    for person in people:
        app.residents.add_membership(person, {"group": "dibao", "start_date": "2024-01-01"})
    forms = printing.visit_pack("DZ-TJ-01")
    layout = LayoutLog()
    pdf = printing.render(forms, layout=layout)
    pages = _pages(pdf)
    assert len(forms) == 2 and pdf.pages == 4  # two pages each
    assert pdf.duplex and b"DuplexFlipLongEdge" in pdf.data  # one sheet each, both sides
    texts = PaperTexts()
    names = {1: "扎西次仁", 2: "扎西次仁", 3: "卓玛", 4: "卓玛"}
    for number, page in enumerate(pages, start=1):
        assert "塔杰乡" in page and "八廓" not in page  # the village's station
        assert names[number] in page  # whose form, on every page
        assert _squeezed({1: "བཀྲ་ཤིས་ཚེ་རིང", 3: "སྒྲོལ་མ"}[number - (1 - number % 2)]) in page
        sheet = (number + 1) // 2
        assert f"#{sheet:04d}" in page
        for words in texts.both(MSG_PAGE, page=2 - number % 2, pages=2):
            assert _squeezed(words) in page
    assert "#000112" in pages[0]  # the household beside the number in the pack
    resident_of = {n: QrPayload.parse(layout.qr_texts[n]).record_id for n in range(1, 5)}
    assert resident_of == {1: people[0], 2: people[0], 3: people[1], 4: people[1]}


def test_forms_of_an_odd_number_of_pages_start_a_new_sheet(
    app: Application, station: StationSetup, printing: PrintService
) -> None:
    forms = printing.blank_sheets("handout", 2) + printing.blank_sheets("visit", 1)
    pdf = printing.render(forms)
    # A hand-out sheet is one page: a blank back, so the next form is a sheet of its own.
    assert pdf.pages == 1 + 1 + 1 + 1 + 2 and pdf.duplex
    pages = _pages(pdf)
    assert pages[1] == "" and pages[3] == ""
    one_sided = printing.render(printing.blank_sheets("handout", 3))
    assert one_sided.pages == 3 and not one_sided.duplex  # sheets handed to three people


# ---------------------------------------------------------------- filled forms


def _visit(
    app: Application, station: StationSetup, resident: uuid.UUID, **values: object
) -> uuid.UUID:
    return app.visits.record(
        {
            "resident_id": resident,
            "visit_date": "2026-05-20",
            "visitor_ids": [station.worker_id],
            "outcome": "at_home",
            "purpose": "routine",
            **values,
        }
    )


def test_a_long_note_says_continued_and_keeps_the_signatures_with_its_end(
    app: Application, station: StationSetup, printing: PrintService
) -> None:
    resident = _resident(app, name_zh="扎西")
    visit = _visit(app, station, resident, follow_up=LONG, next_visit_on="2026-06-20")
    layout = LayoutLog()
    pdf = printing.render([printing.record_form("visit", visit)], layout=layout)
    assert pdf.pages >= 2
    texts = PaperTexts()
    label = VISIT_FORM.field("follow_up").label
    continued = [_squeezed(t) for t in texts.both(MSG_CONTINUED, label=_label(label))]
    pages = _pages(pdf)
    follow_pages = [n for n, box in _tags(layout, "follow_up")]
    assert len(follow_pages) >= 2  # the note runs over a page
    for number in follow_pages[1:]:
        assert all(words in pages[number - 1] for words in continued)
    assert not any(words in pages[follow_pages[0] - 1] for words in continued)
    # The next-visit date and the signatures print on the page where the note ends.
    last = follow_pages[-1]
    assert {n for n, _ in _tags(layout, "next_visit_on")} == {last}
    assert {n for n, _ in _tags(layout, "signature:0")} == {last}
    assert _squeezed(texts.both(MSG_RESIDENT_SIGNATURE)[1]) in pages[last - 1]


def test_empty_fields_of_a_filled_form_get_write_in_space(
    app: Application, station: StationSetup, printing: PrintService
) -> None:
    resident = _resident(app, name_zh="卓玛")
    visit = _visit(app, station, resident, situation="家中整洁。")
    text = "".join(_pages(printing.render([printing.record_form("visit", visit)])))
    # No next visit was planned: the date boxes (年 月 日) are there to write it in, and
    # the services given can be ticked, as on the blank form.
    assert re.search("年.*月.*日", text.split("下次探访日期")[1])
    assert _squeezed(PaperTexts().both("Tick every box that applies.")[1]) in text
    assert "家中整洁" in text


def _label(message: str) -> object:
    from station_desktop.i18n import Label

    return Label(message)


def _tags(layout: LayoutLog, tag: str) -> list[tuple[int, object]]:
    return [(b.page, b.rect) for b in layout.boxes if b.tag == tag]


# ---------------------------------------------------------------- characters and sizes


def test_a_character_no_font_has_stops_printing_and_says_where(
    app: Application, station: StationSetup, printing: PrintService
) -> None:
    fine = _resident(app, name_zh="𠮷田")  # Extension B: printed from the fallback font
    form = printing.record_form("visit", _visit(app, station, fine))
    assert "𠮷田" in "".join(_pages(printing.render([form])))
    lost = _resident(app, name_zh="\U00030000田")  # Extension G: in no bundled font
    form = printing.record_form("visit", _visit(app, station, lost))
    with pytest.raises(StationError) as caught:
        printing.render([form])
    words = caught.value.english()
    assert "Resident visited" in words and "U+30000" in words
    assert str(form.header.reference) in words


def test_tibetan_is_set_larger_than_chinese() -> None:
    styles = Styles()
    for style in (styles.hint, styles.label_bo, styles.value, styles.option):
        assert style.tibetan_size >= 1.1 * style.size
    assert styles.hint.tibetan_size >= 8.5  # the help text, 7 pt in Chinese
    pdf = build_pdf([text_block("单选 ཆ་ཤས་གཅིག", TextStyle(size=8, tibetan_scale=1.25))])
    sizes = {float(m) for m in re.findall(rb" ([\d.]+) Tf", _content(pdf))}
    assert {8.0, 10.0} <= sizes  # Chinese at 8 pt, Tibetan at 10
    assert extracted_lines(pdf) == ["单选 ཆ་ཤས་གཅིག"]


def _content(pdf: bytes) -> bytes:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    return page.get_contents().get_data()  # type: ignore[union-attr]
