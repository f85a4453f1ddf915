"""Printed forms: every form filled and blank, text that copies back in both scripts, the QR
payload, page x of y, nothing overlapping, embedded subset fonts, visit packs (who is due, in
route order), numbered blank sheets, and the CLI's errors.

PDFs are read back with pypdf. Overlap is checked twice: the boxes the layout recorded must
not intersect, and every line of text pypdf finds must start inside one of them.
"""

from __future__ import annotations

import argparse
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from station_desktop.app import Application
from station_desktop.cli_print import run_print
from station_desktop.domain.codes import (
    CaseStage,
    ClosingReason,
    Satisfaction,
    ServiceType,
    VisitOutcome,
)
from station_desktop.errors import NotFound, StationError, ValidationError
from station_desktop.forms.spec import FormSpec
from station_desktop.pdf.forms import render_forms
from station_desktop.pdf.page import (
    BODY,
    FOOTER_BOX,
    HEADER_BOX,
    MSG_PAGE,
    LayoutLog,
    PaperSetup,
    PaperTexts,
    QrPayload,
    RenderCancelled,
    RenderedPdf,
    StationHeader,
    layout_hash,
    qr_matrix,
)
from station_desktop.services.printing import KINDS, SPECS, PrintKind, PrintService
from tests.conftest import StationSetup

HARD_NAME_BO = "བསྒྲུབས་རྒྱལ་སྐྱིད"  # stacks: བསྒྲུབས, རྒྱལ, སྐྱིད
RARE_NAME_ZH = "王𫖮堃"  # 𫖮 is CJK extension C (a surrogate pair), 堃 a rare given name
SITUATION = "ཁྱིམ་ཚང་གི་འཚོ་བ་དཀའ་ངལ་ཅན་ཡིན། ཧཱུྃ་ཕྱྭ་ 老人独居，子女在外地打工（每月回家一次）。"


# ---------------------------------------------------------------- data through the services


def _resident(app: Application, **values: object) -> uuid.UUID:
    return app.residents.register({"legal_basis": "statutory_duty", **values})


@dataclass
class Records:
    resident: uuid.UUID
    visit: uuid.UUID
    feedback: uuid.UUID
    case: uuid.UUID
    activity: uuid.UUID
    handout: uuid.UUID

    def of(self, kind: PrintKind) -> uuid.UUID:
        return {
            "visit": self.visit,
            "feedback": self.feedback,
            "case": self.case,
            "activity": self.activity,
            "handout": self.handout,
        }[kind]


def _records(app: Application, station: StationSetup, *, long_notes: int = 0) -> Records:
    household = app.residents.create_household(station.area_id, "7", "冲赛康7号")
    resident = _resident(
        app,
        name_bo=HARD_NAME_BO,
        name_zh=RARE_NAME_ZH,
        birth_date="1950-03-04",
        phone="13908912345",
        area_id=station.area_id,
        household_id=household,
    )
    app.residents.add_membership(resident, {"group": "elderly_alone", "start_date": "2020-01-01"})
    other = _resident(app, name_zh="卓玛", area_id=station.area_id)
    visit = app.visits.record(
        {
            "resident_id": resident,
            "visit_date": "2026-05-20",
            "visitor_ids": [station.worker_id, station.head_id],
            "outcome": "at_home",
            "purpose": "routine",
            "situation": SITUATION,
            "services": ["visit_checkin", "psychological_support"],
            "next_visit_on": "2026-06-20",
        }
    )
    feedback = app.feedback.record(
        {
            "sheet_no": "SF-0042",
            "service_area": "elderly_care",
            "service_date": "2026-05-20",
            "collected_on": "2026-05-21",
            "resident_id": resident,
            "rating_overall": "5",
            "rating_attitude": "4",
            "comments": "ཐུགས་རྗེ་ཆེ། 谢谢社工。",
        }
    )
    case = app.cases.open(
        {
            "resident_id": resident,
            "opened_on": "2026-01-05",
            "source": "home_visit",
            "worker_id": station.worker_id,
            "presenting_problem": "独居，行动不便。ཁྱིམ་ན་གཅིག་པུར་སྡོད།",
        }
    )
    for stage, day in (("assessment", "2026-01-10"), ("planning", "2026-01-20")):
        app.cases.move_stage(case, stage, day, note=f"{stage} 完成")
    first = app.cases.add_note(case, "2026-02-01", "电话回访，情况稳定。")
    app.cases.add_note(case, "2026-02-02", "更正：应为上门探访。", corrects_id=first)
    for n in range(long_notes):
        app.cases.add_note(case, "2026-03-01", f"第{n + 1}次记录。" + SITUATION * 12)
    app.cases.move_stage(case, "intervention", "2026-02-10")
    app.cases.move_stage(case, "evaluation", "2026-04-10")
    app.cases.move_stage(case, "closed", "2026-05-01", closing_reason="goals_met", note="目标达成")
    activity = app.activities.record(
        {
            "kind": "community_activity",
            "title": "ལོ་གསར་གྱི་སྡེ་ཁུལ་འཛོམས་འདུ། 社区藏历新年联欢",
            "held_on": "2026-02-18",
            "place": "冲赛康社区活动室",
            "headcount_other": 12,
        },
        [resident, other],
    )
    receipt = app.resources.record_receipt(
        {
            "received_on": "2026-05-01",
            "donor_name": "拉萨爱心企业",
            "donor_type": "enterprise",
            "kind": "goods",
            "item": "坐便椅",
            "quantity": 5,
            "unit": "把",
            "unit_value": "120.50",
        }
    )
    base = {
        "handed_on": "2026-05-10",
        "receipt_id": receipt,
        "kind": "goods",
        "item": "坐便椅",
        "quantity": 1,
        "unit": "把",
        "unit_value": "120.50",
        "handed_by_id": station.worker_id,
    }
    handout = app.resources.record_handout({**base, "resident_id": resident, "note": "家属代领"})
    app.resources.record_handout({**base, "resident_id": other})
    return Records(resident, visit, feedback, case, activity, handout)


@pytest.fixture
def printing(app: Application, station: StationSetup) -> PrintService:
    return PrintService(app.ctx)


@pytest.fixture
def records(app: Application, station: StationSetup) -> Records:
    return _records(app, station)


# ---------------------------------------------------------------- reading PDFs back


def _text(pdf: RenderedPdf | bytes) -> str:
    data = pdf.data if isinstance(pdf, RenderedPdf) else pdf
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def _squeezed(text: str) -> str:
    """Without white space: wrapped lines and the spaces between scripts do not matter."""
    return "".join(text.split())


def _contains(haystack: str, needle: str) -> bool:
    return _squeezed(needle) in _squeezed(haystack)


@dataclass(frozen=True)
class _Line:
    page: int
    x: float
    y: float
    text: str


def _text_lines(data: bytes) -> list[_Line]:
    """Where pypdf finds each piece of text: the start of its line, in page coordinates."""
    reader = PdfReader(io.BytesIO(data))
    lines: list[_Line] = []
    for number, page in enumerate(reader.pages, start=1):

        def visit(text: str, cm: Any, tm: Any, font: Any, size: Any, number: int = number) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                lines.append(_Line(number, x, y, text.strip()))

        page.extract_text(visitor_text=visit)
    return lines


def _render(
    service: PrintService, kind: PrintKind, record_id: uuid.UUID | None
) -> tuple[RenderedPdf, LayoutLog]:
    layout = LayoutLog()
    forms = (
        [service.record_form(kind, record_id)]
        if record_id is not None
        else service.blank_sheets(kind)
    )
    return service.render(forms, invariant=True, layout=layout), layout


def _labels(spec: FormSpec, kind: PrintKind) -> list[str]:
    # The hand-out sheet prints each recipient's note in the list, not as a field.
    return [f.label for f in spec.fields() if not (kind == "handout" and f.key == "note")]


# ---------------------------------------------------------------- every form renders


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("filled", [True, False], ids=["filled", "blank"])
def test_every_form_renders_with_both_languages(
    printing: PrintService, records: Records, kind: PrintKind, filled: bool
) -> None:
    pdf, _ = _render(printing, kind, records.of(kind) if filled else None)
    assert pdf.pages >= 1
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == pdf.pages
    text = _text(pdf)
    texts = PaperTexts()
    spec = SPECS[kind]
    for message in [spec.title, *_labels(spec, kind)]:
        bo, zh = texts.both(message)
        assert any("\u0f40" <= ch <= "\u0fbc" for ch in bo), message  # really Tibetan
        assert _contains(text, bo) and _contains(text, zh), message
    assert _contains(text, "八廓街道") and _contains(text, "བར་སྐོར་ཁྲོམ་གཞུང་།")
    assert spec.printed_code in text
    assert _contains(text, "第1页") and _contains(text, "打印日期：2026年6月1日")


def test_filled_values_copy_back_in_both_scripts(
    app: Application, printing: PrintService, records: Records
) -> None:
    stored = app.residents.get(records.resident)
    assert stored is not None
    texts = PaperTexts()
    visit = _text(_render(printing, "visit", records.visit)[0])
    for value in (
        stored.name_bo,
        stored.name_zh,
        SITUATION,
        *texts.code(VisitOutcome.AT_HOME),
        *texts.code(ServiceType.PSYCHOLOGICAL_SUPPORT),
        *texts.dates(date(2026, 5, 20)),
        "2026ལོའི་ཟླ་5ཚེས་20ཉིན",
        "卓玛",  # a visitor (staff)
        "13908912345",
        *texts.both("Elderly person living alone in hardship"),
    ):
        assert _contains(visit, value), value
    assert "visit_checkin" not in visit and "at_home" not in visit  # labels, never codes

    feedback = _text(_render(printing, "feedback", records.feedback)[0])
    for value in (*texts.code(Satisfaction.VERY_SATISFIED), *texts.code(Satisfaction.SATISFIED)):
        assert _contains(feedback, value)
    assert _contains(feedback, "谢谢社工") and _contains(feedback, RARE_NAME_ZH)

    case = _text(_render(printing, "case", records.case)[0])
    for value in (
        *texts.code(CaseStage.PLANNING),
        *texts.code(ClosingReason.GOALS_MET),
        "电话回访，情况稳定。",
        "更正：应为上门探访。",
        "目标达成",
        "2026-",  # the case number
    ):
        assert _contains(case, value), value
    activity = _text(_render(printing, "activity", records.activity)[0])
    assert _contains(activity, "ལོ་གསར་གྱི་སྡེ་ཁུལ་འཛོམས་འདུ།") and _contains(activity, "卓玛")
    handout = _text(_render(printing, "handout", records.handout)[0])
    for value in ("¥120.50", "1 把", "家属代领", "拉萨爱心企业", stored.name_bo, "卓玛"):
        assert _contains(handout, value), value


# ---------------------------------------------------------------- QR code


def test_qr_payload_round_trips_and_identifies_the_paper() -> None:
    record = uuid.UUID("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
    uuid_text = "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B"
    cases = [
        (QrPayload.record("HV-01", 1, record).on_page(2, "7Q"), f"SD2:HV-01:1:R:{uuid_text}:2:7Q:"),
        (
            QrPayload.resident("HV-01", 1, record).on_page(1, "AB"),
            f"SD2:HV-01:1:P:{uuid_text}:1:AB:",
        ),
        (
            QrPayload.blank_sheet("SF-01", 1, "CG-BK", 7).on_page(1, "00"),
            "SD2:SF-01:1:S:CG-BK:0007:1:00:",
        ),
        # The longest: a sign-in list's page 12.
        (
            QrPayload.sign_in_list("AC-02", 1, record).on_page(12, "ZZ"),
            f"SD2:AC-02:1:L:{uuid_text}:12:ZZ:",
        ),
    ]
    for payload, start in cases:
        text = payload.text
        assert text.startswith(start) and len(text) == len(start) + 2  # the check
        assert QrPayload.parse(text) == payload
        # Upper case, digits and -: the compact alphanumeric mode (version 3, 29 modules).
        assert re.fullmatch(r"[0-9A-Z:\-]+", text)
        assert len(qr_matrix(text)) <= 29
    # Sheets printed before scanning (no page, layout or check) are still understood.
    old = QrPayload.parse(f"SD1:HV-01:1:R:{uuid_text}")
    assert (old.record_id, old.page) == (record, 0)
    assert QrPayload.parse("SD1:SF-01:1:S:CG-BK:0007").sheet == 7
    good = QrPayload.blank_sheet("SF-01", 1, "CG-BK", 7).on_page(1, "00").text
    misread = good.replace("0007", "0001")
    bad_texts = ("", "hello", "SD1:HV-01:1:X:1", "SD1:SF-01:1:S:CG-BK", misread, good[:-1])
    for bad in bad_texts:
        with pytest.raises(ValueError, match="code"):
            QrPayload.parse(bad)


def test_every_page_carries_the_qr_of_its_record_or_sheet(
    printing: PrintService, records: Records
) -> None:
    _, layout = _render(printing, "case", records.case)
    pages = [QrPayload.parse(text) for _page, text in sorted(layout.qr_texts.items())]
    assert {p.identity for p in pages} == {QrPayload.record("CS-01", 1, records.case).identity}
    assert [p.page for p in pages] == list(range(1, len(pages) + 1))
    assert len(pages) >= 2
    # Each page's code sums up where that page's boxes are (its own layout).
    for number, page in enumerate(pages, start=1):
        assert page.layout == layout_hash(layout.targets_on(number))

    layout = LayoutLog()
    sheets = printing.blank_sheets("feedback", 3, first=41)
    pdf = printing.render(sheets, layout=layout)
    # One sheet per blank feedback sheet: the questions in front, the comments on the back
    # (with Tibetan set larger than Chinese it no longer fits on one side).
    assert pdf.pages == 6 and pdf.duplex
    payloads = [QrPayload.parse(layout.qr_texts[page]) for page in range(1, 7)]
    assert [(p.form, p.version, p.station, p.sheet, p.page) for p in payloads] == [
        ("SF-01", 1, "CG-BK", n, page) for n in (41, 42, 43) for page in (1, 2)
    ]
    text = _text(pdf)
    for n in (41, 42, 43):
        assert f"#{n:04d}" in text and f"{n:04d}" in text
    assert "SF-01 v1" in text


def test_qr_is_drawn_as_its_modules() -> None:
    text = QrPayload.blank_sheet("SF-01", 1, "CG-BK", 1).text
    matrix = qr_matrix(text)
    count = len(matrix)
    # Finder patterns in three corners: the encoder's output, not just any squares.
    for r0, c0 in ((0, 0), (0, count - 7), (count - 7, 0)):
        assert all(matrix[r0][c0 + i] and matrix[r0 + 6][c0 + i] for i in range(7))
        assert not any(matrix[r0 + 1][c0 + i] for i in range(1, 6))


# ---------------------------------------------------------------- pages, overlap, fonts


@pytest.fixture
def long_case(app: Application, station: StationSetup) -> Records:
    return _records(app, station, long_notes=3)


def test_long_notes_flow_over_pages_numbered_x_of_y(
    printing: PrintService, long_case: Records
) -> None:
    pdf, layout = _render(printing, "case", long_case.case)
    pages = pdf.pages
    assert pages >= 3
    assert layout.page_labels == {n: (n, pages) for n in range(1, pages + 1)}
    reader = PdfReader(io.BytesIO(pdf.data))
    texts = PaperTexts()
    for n, page in enumerate(reader.pages, start=1):
        bo, zh = texts.both(MSG_PAGE, page=n, pages=pages)
        footer = _squeezed(page.extract_text())
        assert _squeezed(zh) in footer and _squeezed(bo) in footer
    # The long notes are all there, in order, though cut across pages.
    text = _squeezed(_text(pdf))
    positions = [text.index(_squeezed(f"第{n}次记录。")) for n in (1, 2, 3)]
    assert positions == sorted(positions)
    # (a repetition cut by a page break has the header and footer inside it)
    assert text.count(_squeezed(SITUATION)) >= 3 * 12 - (pages - 1)


def _assert_no_overlap(pdf: RenderedPdf, layout: LayoutLog) -> None:
    for page in range(1, pdf.pages + 1):
        boxes = layout.on_page(page)
        assert {"header", "footer"} <= {b.tag for b in boxes}
        for box in boxes:
            if box.tag not in ("header", "footer"):
                inside = BODY
                assert (
                    inside.x - 0.01 <= box.rect.x
                    and box.rect.right <= inside.right + 0.01
                    and inside.y - 0.01 <= box.rect.y
                    and box.rect.top <= inside.top + 0.01
                ), box
        for n, first in enumerate(boxes):
            for second in boxes[n + 1 :]:
                assert not first.rect.overlaps(second.rect), (page, first, second)
    # Every line of text starts inside exactly one box: no text over another field's area.
    for line in _text_lines(pdf.data):
        owners = [b for b in layout.on_page(line.page) if b.rect.contains(line.x, line.y)]
        assert len(owners) == 1, (line, owners)


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_overlaps(printing: PrintService, long_case: Records, kind: PrintKind) -> None:
    for record_id in (long_case.of(kind), None):
        pdf, layout = _render(printing, kind, record_id)
        _assert_no_overlap(pdf, layout)


def test_header_and_footer_stay_out_of_the_body() -> None:
    assert not HEADER_BOX.overlaps(BODY) and not FOOTER_BOX.overlaps(BODY)


def test_fonts_are_embedded_subsets_and_a_page_is_small(
    printing: PrintService, records: Records
) -> None:
    pdf, _ = _render(printing, "handout", records.handout)
    assert pdf.pages == 1
    reader = PdfReader(io.BytesIO(pdf.data))
    families = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for ref in resources["/Font"].values():
            font = ref.get_object()
            assert font["/Subtype"] == "/TrueType"  # no standard (unembedded) font at all
            base = str(font["/BaseFont"])
            assert re.fullmatch(r"/?[A-Z]{6}\+[A-Za-z-]+", base), base
            program = font["/FontDescriptor"]["/FontFile2"]
            assert int(program["/Length1"]) < 100_000  # a subset, not the 0.7 or 10.6 MB font
            assert "/ToUnicode" in font
            families.add(base.split("+")[1])
    assert {"NotoSerifTibetan-Regular", "NotoSansSC-Regular"} <= families
    assert len(pdf.data) < 150_000, f"{len(pdf.data)} bytes"


def test_shaping_can_be_switched_off_for_the_floor(
    printing: PrintService, records: Records
) -> None:
    forms = [printing.record_form("visit", records.visit)]
    shaped = printing.render(forms, invariant=True)
    unshaped = printing.render(forms, invariant=True, shaping=False)
    assert shaped.data != unshaped.data


# ---------------------------------------------------------------- visit packs


@dataclass
class Village:
    area: uuid.UUID
    ids: dict[str, uuid.UUID]


@pytest.fixture
def village(app: Application, station: StationSetup) -> Village:
    """Residents of CG-BK-01 in every situation the due rule distinguishes."""
    area = station.area_id
    h10 = app.residents.create_household(area, "10", "")
    h2 = app.residents.create_household(area, "2", "")
    elsewhere = app.residents.create_household(station.other_area_id, "1", "")
    ids = {
        "planned": _resident(app, name_zh="卓玛", household_id=h10, area_id=area),
        "priority": _resident(app, name_zh="扎西", household_id=h10, area_id=area),
        "overdue": _resident(app, name_zh="次仁", household_id=h2, area_id=area),
        "later": _resident(app, name_zh="白玛", household_id=h2, area_id=area),
        "visited": _resident(app, name_zh="达瓦", household_id=h2, area_id=area),
        "stale": _resident(app, name_zh="多吉", household_id=h2, area_id=area),
        "replanned": _resident(app, name_zh="拉姆", household_id=h2, area_id=area),
        "no_household": _resident(app, name_bo=HARD_NAME_BO, area_id=area),
        "via_household": _resident(app, name_zh="格桑", household_id=h2),  # area from household
        "other_area": _resident(app, name_zh="尼玛", household_id=elsewhere),
        "gone": _resident(app, name_zh="巴桑", household_id=h2, area_id=area),
        "seen_lately": _resident(app, name_zh="边巴", household_id=h2, area_id=area),
        "planned_later": _resident(app, name_zh="旦增", household_id=h2, area_id=area),
        "long_ago": _resident(app, name_zh="央金", household_id=h2, area_id=area),
    }

    def visit(who: str, day: str, next_on: str | None) -> None:
        app.visits.record(
            {
                "resident_id": ids[who],
                "visit_date": day,
                "visitor_ids": [station.worker_id],
                "outcome": "at_home",
                "purpose": "routine",
                "next_visit_on": next_on,
            }
        )

    visit("planned", "2026-04-01", "2026-05-25")
    visit("overdue", "2026-03-01", "2026-05-10")  # 10 days before the period: missed
    visit("later", "2026-04-01", "2026-07-30")
    visit("visited", "2026-05-25", "2026-07-01")
    visit("stale", "2025-01-01", "2025-02-01")  # more than 60 days overdue: stale
    visit("replanned", "2026-04-01", "2026-05-22")
    visit("replanned", "2026-05-01", "2026-08-01")  # the latest visit's plan counts
    visit("via_household", "2026-04-02", "2026-05-30")
    visit("other_area", "2026-04-01", "2026-05-25")
    visit("gone", "2026-04-01", "2026-05-25")
    app.residents.delete(ids["gone"])
    visit("seen_lately", "2026-05-01", None)  # within 30 days before the period
    visit("planned_later", "2026-03-01", "2026-07-15")  # the visitor's plan stands
    visit("long_ago", "2026-03-01", None)
    for who in ("priority", "visited", "no_household", "seen_lately", "planned_later", "long_ago"):
        app.residents.add_membership(ids[who], {"group": "dibao", "start_date": "2024-01-01"})
    return Village(area, ids)


def test_due_rule_and_route_order(printing: PrintService, village: Village) -> None:
    due = printing.due_for_visit(village.area, date(2026, 5, 20), date(2026, 6, 10))
    names = {v: k for k, v in village.ids.items()}
    # Household 2 before household 10 (numbers in numeric order), then by name (pinyin:
    # ci ren < ge sang < yang jin; zha xi < zhuo ma); people without a household last.
    assert [(names[d.resident_id], d.reason) for d in due] == [
        ("overdue", "overdue"),
        ("via_household", "planned"),
        ("long_ago", "priority"),
        ("priority", "priority"),
        ("planned", "planned"),
        ("no_household", "priority"),
    ]


def test_visit_pack_is_one_pdf_of_prefilled_forms(
    app: Application, printing: PrintService, village: Village
) -> None:
    forms = printing.visit_pack("cg-bk-01", date(2026, 5, 20), date(2026, 6, 10))
    assert [f.header.qr.record_id for f in forms] == [
        village.ids[k]
        for k in ("overdue", "via_household", "long_ago", "priority", "planned", "no_household")
    ]
    assert all(not f.filled and f.header.qr.kind == "resident" for f in forms)
    layout = LayoutLog()
    pdf = printing.render(forms, layout=layout)
    reader = PdfReader(io.BytesIO(pdf.data))
    first_pages = [page for page, (x, _) in sorted(layout.page_labels.items()) if x == 1]
    assert len(first_pages) == len(forms)  # every form starts on its own page, numbered 1
    names = ["次仁", "格桑", "央金", "扎西", "卓玛", HARD_NAME_BO]
    for page, name in zip(first_pages, names, strict=True):
        assert _contains(reader.pages[page - 1].extract_text(), name)
    assert _contains(reader.pages[first_pages[3] - 1].extract_text(), "低保对象")
    _assert_no_overlap(pdf, layout)
    with pytest.raises(NotFound):
        printing.visit_pack("NO-SUCH")
    with pytest.raises(StationError, match="Nobody"):
        printing.visit_pack("CG-BK-02", date(2026, 5, 1), date(2026, 5, 2))


def test_pack_period_defaults_to_two_weeks_from_today() -> None:
    today = date(2026, 6, 1)
    assert PrintService.pack_period(None, None, today) == (today, date(2026, 6, 14))
    assert PrintService.pack_period(date(2026, 7, 1), None, today) == (
        date(2026, 7, 1),
        date(2026, 7, 14),
    )


def test_blank_sheets_are_numbered_and_counted(printing: PrintService) -> None:
    sheets = printing.blank_sheets("feedback", 4)
    assert [s.header.reference for s in sheets] == ["#0001", "#0002", "#0003", "#0004"]
    assert [s.values["sheet_no"] for s in sheets] == ["0001", "0002", "0003", "0004"]
    assert len({s.header.qr.text for s in sheets}) == 4
    with pytest.raises(StationError):
        printing.blank_sheets("feedback", 0)
    with pytest.raises(StationError):
        printing.blank_sheets("feedback", 2, first=9999)


def test_render_needs_forms() -> None:
    setup = PaperSetup(StationHeader("X", "", ""), date(2026, 6, 1), PaperTexts())
    with pytest.raises(ValueError, match="nothing"):
        render_forms([], setup)


# ---------------------------------------------------------------- command line


def _args(kind: str, **values: Any) -> argparse.Namespace:
    defaults: dict[str, Any] = {
        "record_id": None,
        "blank": False,
        "count": 1,
        "village": None,
        "start": None,
        "end": None,
        "output": None,
    }
    return argparse.Namespace(kind=kind, **{**defaults, **values})


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def test_cli_writes_pdfs(
    app: Application,
    records: Records,
    village: Village,
    in_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_print(app, _args("visit", record_id=str(records.visit))) == 0
    written = in_tmp / f"visit-{records.visit.hex[-8:]}.pdf"
    assert written.read_bytes().startswith(b"%PDF")
    assert str(written.name) in capsys.readouterr().out
    assert run_print(app, _args("feedback", blank=True, count=3)) == 0
    assert len(PdfReader(in_tmp / "feedback-blank-0001-0003.pdf").pages) == 6  # 3 sheets
    target = in_tmp / "pack.pdf"
    args = _args("visit-pack", village="CG-BK-01", start="2026-05-20", end="2026年6月10日")
    args.output = target
    assert run_print(app, args) == 0
    assert len(PdfReader(target).pages) >= 5
    assert not list(in_tmp.glob(".*.tmp"))  # written under a temporary name, then renamed


def test_cli_errors_are_clear(app: Application, station: StationSetup, in_tmp: Path) -> None:
    unknown = uuid.uuid4()
    with pytest.raises(NotFound) as caught:
        run_print(app, _args("case", record_id=str(unknown)))
    assert str(unknown) in caught.value.english()
    with pytest.raises(StationError, match="not a record id"):
        run_print(app, _args("visit", record_id="12345"))
    with pytest.raises(StationError, match="--blank"):
        run_print(app, _args("visit"))
    with pytest.raises(StationError, match="--blank"):
        run_print(app, _args("visit", record_id=str(unknown), blank=True))
    with pytest.raises(StationError, match="--village"):
        run_print(app, _args("visit-pack"))
    with pytest.raises(StationError, match="period"):
        run_print(app, _args("visit-pack", village="CG-BK-01", start="June"))
    with pytest.raises(StationError, match="period"):
        run_print(
            app, _args("visit-pack", village="CG-BK-01", start="2026-06-10", end="2026-06-01")
        )
    missing = in_tmp / "no-such-folder" / "visit.pdf"
    with pytest.raises(StationError) as written:
        run_print(app, _args("visit", blank=True, output=missing))
    assert str(missing) in written.value.english()
    assert "does not exist" in written.value.english()
    folder = in_tmp / "a-folder.pdf"
    folder.mkdir()
    with pytest.raises(StationError, match="is a folder"):
        run_print(app, _args("visit", blank=True, output=folder))
    assert not list(in_tmp.rglob("*.tmp"))


def test_visit_pack_chosen_in_the_window_reports_each_problem_beside_its_field(
    printing: PrintService, village: Village
) -> None:
    with pytest.raises(ValidationError) as refused:
        printing.visit_pack_from_form({"start": "2026-06-10", "end": "2026-05-20"})
    assert {e.field for e in refused.value.errors} == {"area_id", "end"}
    with pytest.raises(ValidationError) as unknown:
        printing.visit_pack_from_form(
            {"area_id": str(uuid.uuid4()), "start": "2026-05-20", "end": "2026-06-10"}
        )
    assert [e.field for e in unknown.value.errors] == ["area_id"]
    pack = printing.visit_pack_from_form(
        {"area_id": str(village.area), "start": "2026-05-20", "end": "2026-06-10"}
    )
    assert (pack.area_code, pack.start, pack.end) == (
        "CG-BK-01",
        date(2026, 5, 20),
        date(2026, 6, 10),
    )
    assert [f.header.qr.record_id for f in pack.forms] == [
        f.header.qr.record_id
        for f in printing.visit_pack("CG-BK-01", date(2026, 5, 20), date(2026, 6, 10))
    ]


def test_a_batch_reports_each_form_and_stops_when_cancelled(printing: PrintService) -> None:
    forms = printing.blank_sheets("feedback", 30)
    heard: list[int] = []
    printing.render(forms, progress=heard.append)
    assert heard == list(range(1, 31))

    def stop_at_third(number: int) -> None:
        heard.append(number)
        if number == 3:
            raise RenderCancelled

    heard.clear()
    with pytest.raises(RenderCancelled):
        printing.render(forms, progress=stop_at_third)
    assert heard == [1, 2, 3]  # the other 27 forms were never laid out
