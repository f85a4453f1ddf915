"""Reports kept as they were submitted, and what changed since (services/submitted.py)."""

from __future__ import annotations

import io
import uuid
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from station_desktop.app import Application
from station_desktop.domain.codes import StaffRole
from station_desktop.errors import NotFound, StationError
from station_desktop.pdf.page import PaperTexts
from station_desktop.reports.figures import Report, ReportPeriod, report_from_json
from station_desktop.reports.revisions import (
    CAUSE_LABELS,
    T_DIFFERENCES,
    Difference,
    Revision,
    causes_table,
    differences_table,
)
from station_desktop.reports.tables import Joined, Money, Msg
from station_desktop.services.access import Actor
from station_desktop.services.submitted import SubmittedReportService, SubmittedSummary
from station_desktop.store.models import SubmittedReport
from tests.conftest import FakeClock, StationSetup
from tests.unit.test_reports import MARCH, A, People, _visit, build


@pytest.fixture
def people(app: Application, station: StationSetup) -> People:
    return build(app, station)


@pytest.fixture
def service(app: Application) -> SubmittedReportService:
    return SubmittedReportService(app.ctx)


def _submit(
    app: Application, service: SubmittedReportService, note: str = ""
) -> tuple[Report, SubmittedSummary]:
    report = app.reports.compute(MARCH)
    trend = app.reports.trend(MARCH)
    return report, service.submit(report, trend, note=note)


def _text(data: bytes) -> str:
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages)


def _as_head_of_a(app: Application, station: StationSetup) -> None:
    app.ctx.actor = Actor(station.head_id, StaffRole.STATION_HEAD, station.station_id)


def test_a_submitted_report_is_kept_exactly(
    app: Application,
    station: StationSetup,
    people: People,
    service: SubmittedReportService,
    clock: FakeClock,
) -> None:
    report, submitted = _submit(app, service, note=" 一季度报表 ")
    assert submitted.period == MARCH and submitted.stations == report.stations
    assert submitted.submitted_on == app.ctx.today() and submitted.note == "一季度报表"
    assert service.submitted() == [submitted]
    assert service.submitted(MARCH, ["CG-GD", "CG-BK"]) == [submitted]  # any order
    assert service.submitted(MARCH, [A]) == []  # another scope
    assert service.submitted(ReportPeriod(date(2026, 4, 1), date(2026, 4, 30))) == []
    assert service.figures(submitted.id) == report.to_json()
    pdf = service.pdf(submitted.id)
    assert pdf.startswith(b"%PDF") and len(pdf) == submitted.pdf_bytes
    assert "2026年6月1日" in _text(pdf)  # "submitted to the bureau on ..." in the PDF

    # Later, a registration is withdrawn: R2 takes her hand-out and visit with her.
    clock.advance(days=3)
    _as_head_of_a(app, station)  # the laptop now serves B; R2 is A's resident
    app.residents.delete(people.r2)
    assert service.pdf(submitted.id) == pdf  # byte for byte
    assert service.figures(submitted.id) == report.to_json()
    assert report_from_json(service.figures(submitted.id)) == report
    with pytest.raises(NotFound):
        service.pdf(people.r1)


def test_a_later_report_lists_what_changed_and_why(
    app: Application,
    station: StationSetup,
    people: People,
    service: SubmittedReportService,
    clock: FakeClock,
) -> None:
    _report, submitted = _submit(app, service)
    unchanged = service.revision(app.reports.compute(MARCH))
    assert unchanged is not None and not unchanged.changed and unchanged.causes == ()

    clock.advance(days=10)
    _as_head_of_a(app, station)  # the laptop now serves B; R2 is A's resident
    app.residents.delete(people.r2)  # withdrawn: her March records stop counting
    _visit(app, people.r3, "2026-03-25", "at_home", station.worker_id)  # typed in late
    _visit(app, people.r3, "2026-04-25", "at_home", station.worker_id)  # after the period
    app.ctx.actor = Actor(None, StaffRole.BUREAU_ADMIN, None)  # the bureau reads again
    revision = service.revision(app.reports.compute(MARCH))
    assert revision is not None and revision.submitted_id == submitted.id

    changed = {(d.table, _words(d.label)): (d.before, d.after) for d in revision.differences}
    # The headline first: person-times 20 → 17 (R2's 4 gone, R3's late visit added).
    assert next(iter(changed))[0] == "headline"
    assert changed[("headline", "Headline figures · Person-times served")] == (20, 17)
    handed = ("Resources handed out", "Total", "Value (yuan)")
    assert changed[("resources_handed_out", " · ".join(handed))] == (Money(95_000), Money(45_000))
    assert all(d.before != d.after for d in revision.differences)

    why = {(c.entity, c.change) for c in revision.causes}
    assert why == {("resident", "withdrawn"), ("home_visit", "added")}
    [late] = [c for c in revision.causes if c.entity == "home_visit"]
    assert late.day == date(2026, 3, 25)  # the April visit is not listed

    table = causes_table(revision)
    assert [(r.cells[0], r.cells[2]) for r in table.rows] == [
        (Msg(CAUSE_LABELS["resident"]), 1),
        (Msg(CAUSE_LABELS["home_visit"]), 1),
    ]
    assert differences_table(revision).rows[0].cells[1:] == (20, 17, -3)

    # Submitted again: the new copy is the one compared with, and it says what changed.
    clock.advance(days=1)
    second = service.submit(app.reports.compute(MARCH), app.reports.trend(MARCH))
    assert service.submitted()[0] == second
    again = service.revision(app.reports.compute(MARCH))
    assert again is not None and again.submitted_id == second.id and not again.changed
    text = _text(service.pdf(second.id))  # the second copy says what changed since the first
    assert all("".join(words.split()) in text for words in PaperTexts().both(T_DIFFERENCES))


def test_a_damaged_copy_or_older_rules_are_said_plainly(
    app: Application, people: People, service: SubmittedReportService
) -> None:
    _report, submitted = _submit(app, service)
    with app.ctx.db.write_session() as session:  # a damaged disk, not an edit
        session.execute(
            update(SubmittedReport)
            .where(SubmittedReport.id == submitted.id)
            .values(pdf_base64="JVBERi0xLjQK", format_version=1)
        )
    with pytest.raises(StationError) as damaged:
        service.pdf(submitted.id)
    assert "checksum" in damaged.value.english()
    with pytest.raises(StationError) as older:
        service.revision(app.reports.compute(MARCH))
    assert "older version" in older.value.english()


def test_differences_name_their_table_row_and_column() -> None:
    revision = Revision(
        people_id := uuid.uuid4(),
        date(2026, 4, 5),
        (
            Difference(
                "resources_items",
                Joined((Msg("Resources handed out, by item"), Msg("Goods"))),
                None,
                3,
            ),
        ),
        (),
    )
    assert revision.submitted_id == people_id
    [row] = differences_table(revision).rows
    assert row.cells[1:] == (None, 3, 3)  # a row that was not there counts from zero


def _words(label: Joined) -> str:
    return " · ".join(p.message if isinstance(p, Msg) else str(p) for p in label.parts)
