"""Reports as they were sent to the bureau, and what changed since.

Figures change after a report is sent: a registration withdrawn takes its hand-outs with
it, a case reopened later changes an old closing's reason, a visit typed in late adds to
an old month. So marking a report as submitted keeps it exactly as it was: its figures
(`Report.to_json()`) and its PDF, byte for byte (`SubmittedReport`, written through the
change recorder like every record, and never changed). A report computed later for the
same period and stations is compared with the latest submission (`revision`): which
figures differ (`reports.revisions.compare`) and why: the records of the period that were
added, corrected or withdrawn since, found in the change log.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.errors import NotFound, StationError
from station_desktop.i18n import N_, Catalogues, Label
from station_desktop.reports.figures import (
    REPORT_FORMAT_VERSION,
    Report,
    ReportPeriod,
    Trend,
    report_from_json,
)
from station_desktop.reports.revisions import Cause, Change, Revision, compare
from station_desktop.reports.tables import Names
from station_desktop.services.access import Action, Resource
from station_desktop.services.context import ServiceContext
from station_desktop.services.paper import write_pdf
from station_desktop.services.report_pdf import ReportPdfService
from station_desktop.store.changes import OP_INSERT
from station_desktop.store.models import (
    Activity,
    Attendance,
    CaseNote,
    CaseRecord,
    CaseStageChange,
    ChangeLogEntry,
    FeedbackRating,
    FeedbackSheet,
    GroupMembership,
    HomeVisit,
    Replicated,
    Resident,
    ResourceHandout,
    ResourceReceipt,
    Staff,
    Station,
    SubmittedReport,
)

__all__ = ["SubmittedReportService", "SubmittedSummary"]

MSG_SUBMITTED_DAMAGED = N_(
    "The PDF kept for the report submitted on {date} does not match its checksum: it was "
    "damaged on this disk. Restore a backup, or copy the report from another laptop."
)
MSG_OTHER_FORMAT = N_(
    "The report submitted on {date} was counted by an older version of the rules, so its "
    "figures cannot be compared one by one with today's."
)

_CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class SubmittedSummary:
    """What a list of submitted reports shows (the figures and PDF are fetched apart)."""

    id: uuid.UUID
    period: ReportPeriod
    stations: tuple[str, ...]
    submitted_on: date
    submitted_at: datetime
    submitted_by: Names | None
    note: str
    format_version: int
    pdf_sha256: str
    pdf_bytes: int


class SubmittedReportService:
    def __init__(self, ctx: ServiceContext, catalogues: Catalogues | None = None) -> None:
        self.ctx = ctx
        self.pdfs = ReportPdfService(ctx, catalogues)

    # ------------------------------------------------------------ writing

    def submit(
        self,
        report: Report,
        trend: Trend,
        *,
        note: str = "",
        names: dict[str, Names] | None = None,
    ) -> SubmittedSummary:
        """Keep `report` (and its PDF, made now, saying when it was submitted) as sent.
        A report of a period already submitted is kept as a new submission; the PDF then
        lists what changed since the previous one."""
        self.ctx.require(Resource.REPORT, Action.SUBMIT)
        today = self.ctx.today()
        revision = self.revision(report)
        pdf = self.pdfs.render(report, trend, names=names, submitted_on=today, revision=revision)
        values: dict[str, Any] = {
            "period_start": report.period.start,
            "period_end": report.period.end,
            "station_codes": list(report.stations),
            "submitted_on": today,
            "submitted_by_id": self.ctx.actor_id,
            "note": note.strip(),
            "format_version": REPORT_FORMAT_VERSION,
            "figures": report.to_json(),
            "pdf_base64": base64.b64encode(pdf.data).decode("ascii"),
            "pdf_sha256": hashlib.sha256(pdf.data).hexdigest(),
        }
        with self.ctx.uow() as uow:
            submitted_id = uow.insert(SubmittedReport, values)
        found = self.get(submitted_id)
        assert found is not None
        return found

    # ------------------------------------------------------------ reading

    def submitted(
        self, period: ReportPeriod | None = None, stations: Sequence[str] | None = None
    ) -> list[SubmittedSummary]:
        """Submitted reports, newest first; of one period and set of stations if given."""
        self.ctx.require(Resource.REPORT, Action.READ)
        model = SubmittedReport
        query = select(model).where(model.deleted.is_(False))
        if period is not None:
            query = query.where(model.period_start == period.start, model.period_end == period.end)
        with self.ctx.db.read() as session:
            rows = list(session.scalars(query.order_by(model.created_at.desc(), model.id)))
            staff = _staff_names(session, {r.submitted_by_id for r in rows})
            wanted = None if stations is None else sorted(stations)
            return [
                _summary(r, staff)
                for r in rows
                if wanted is None or sorted(r.station_codes) == wanted
            ]

    def get(self, submitted_id: uuid.UUID) -> SubmittedSummary | None:
        self.ctx.require(Resource.REPORT, Action.READ)
        with self.ctx.db.read() as session:
            row = session.get(SubmittedReport, submitted_id)
            if row is None or row.deleted:
                return None
            return _summary(row, _staff_names(session, {row.submitted_by_id}))

    def latest(self, period: ReportPeriod, stations: Sequence[str]) -> SubmittedSummary | None:
        """The latest submission of this period and these stations, if any."""
        self.ctx.require(Resource.REPORT, Action.READ)
        found = self.submitted(period, stations)
        return found[0] if found else None

    def pdf(self, submitted_id: uuid.UUID) -> bytes:
        """The PDF exactly as it was submitted (StationError if the stored copy is damaged)."""
        self.ctx.require(Resource.REPORT, Action.READ)
        row = self._row(submitted_id)
        data = base64.b64decode(row.pdf_base64)
        if hashlib.sha256(data).hexdigest() != row.pdf_sha256:
            raise StationError(MSG_SUBMITTED_DAMAGED, date=row.submitted_on.isoformat())
        return data

    def figures(self, submitted_id: uuid.UUID) -> dict[str, Any]:
        """The figures exactly as they were submitted (the report's JSON)."""
        self.ctx.require(Resource.REPORT, Action.READ)
        return dict(self._row(submitted_id).figures)

    def _row(self, submitted_id: uuid.UUID) -> SubmittedReport:
        with self.ctx.db.read() as session:
            row = session.get(SubmittedReport, submitted_id)
            if row is None or row.deleted:
                raise NotFound(kind=Label(N_("Submitted report")), record_id=str(submitted_id))
            session.expunge(row)
            return row

    # ------------------------------------------------------------ comparing

    def revision(self, report: Report) -> Revision | None:
        """`report` against the latest submission of the same period and stations: the
        figures that differ and the records behind them. None when it was never submitted.
        StationError when the submission was counted by another version of the rules."""
        self.ctx.require(Resource.REPORT, Action.READ)
        latest = self.latest(report.period, report.stations)
        if latest is None:
            return None
        if latest.format_version != REPORT_FORMAT_VERSION:
            raise StationError(MSG_OTHER_FORMAT, date=latest.submitted_on.isoformat())
        before = report_from_json(self.figures(latest.id))
        with self.ctx.db.read() as session:
            causes = _CauseFinder(session, report).since(latest.submitted_at)
        return Revision(latest.id, latest.submitted_on, compare(before, report), causes)

    def write_pdf(self, submitted_id: uuid.UUID, path: Path) -> bytes:
        """Write the submitted PDF, unchanged, to `path` (StationError if it cannot)."""
        self.ctx.require(Resource.REPORT, Action.READ)
        data = self.pdf(submitted_id)
        write_pdf(data, path)
        return data


def _staff_names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, Names]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.execute(
        select(Staff.id, Staff.name_bo, Staff.name_zh).where(Staff.id.in_(wanted))
    )
    return {i: Names(bo or "", zh or "") for i, bo, zh in rows}


def _summary(row: SubmittedReport, staff: dict[uuid.UUID, Names]) -> SubmittedSummary:
    return SubmittedSummary(
        id=row.id,
        period=ReportPeriod(row.period_start, row.period_end),
        stations=tuple(row.station_codes),
        submitted_on=row.submitted_on,
        submitted_at=row.created_at,
        submitted_by=staff.get(row.submitted_by_id) if row.submitted_by_id else None,
        note=row.note,
        format_version=row.format_version,
        pdf_sha256=row.pdf_sha256,
        pdf_bytes=len(row.pdf_base64) * 3 // 4 - row.pdf_base64[-2:].count("="),
    )


# ---------------------------------------------------------------- why figures changed


class _CauseFinder:
    """The records of a report's period and stations changed after an instant, from the
    change log: a record inserted since was recorded late, one tombstoned since was
    withdrawn, any other change is a correction. A record both inserted and withdrawn
    since never counted in either report and is left out."""

    def __init__(self, session: Session, report: Report) -> None:
        self.session = session
        self.start, self.end = report.period.start, report.period.end
        codes = list(report.stations)
        self.stations = set(session.scalars(select(Station.id).where(Station.code.in_(codes))))
        self._people: set[uuid.UUID] | None = None

    def since(self, instant: datetime) -> tuple[Cause, ...]:
        log = ChangeLogEntry
        entries = self.session.execute(
            select(log.entity, log.record_id, log.op, log.fields, log.wall_time)
            .where(log.wall_time > instant, log.entity.in_(list(_DAY)))
            .order_by(log.wall_time, log.seq)
        )
        changes: dict[tuple[str, uuid.UUID], tuple[bool, bool, datetime]] = {}
        for entity, record_id, op, fields, wall_time in entries:
            key = (entity, record_id)
            inserted, withdrawn, _ = changes.get(key, (op == OP_INSERT, False, wall_time))
            withdrawn = withdrawn or fields.get("deleted") is True
            changes[key] = (inserted, withdrawn, wall_time)
        causes: list[Cause] = []
        by_entity: dict[str, list[uuid.UUID]] = {}
        for entity, record_id in changes:
            by_entity.setdefault(entity, []).append(record_id)
        for entity, ids in by_entity.items():
            for record_id, day in self._relevant(entity, ids):
                inserted, withdrawn, at = changes[(entity, record_id)]
                if inserted and withdrawn:
                    continue
                change: Change = "added" if inserted else "withdrawn" if withdrawn else "corrected"
                causes.append(Cause(entity, record_id, change, day, at))
        causes.sort(key=lambda c: (list(_DAY).index(c.entity), c.day or self.start, c.changed_at))
        return tuple(causes)

    # ------------------------------------------------------------ which records count

    def in_period(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def _relevant(
        self, entity: str, ids: Sequence[uuid.UUID]
    ) -> Iterable[tuple[uuid.UUID, date | None]]:
        model = _MODELS[entity]
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            for row in self.session.scalars(select(model).where(model.id.in_(chunk))):
                found, day = _DAY[entity](self, row)
                if found:
                    yield row.id, day

    def scope(self, station_id: uuid.UUID | None) -> bool:
        return station_id in self.stations

    def case(self, case_id: uuid.UUID) -> CaseRecord | None:
        return self.session.get(CaseRecord, case_id)

    def activity(self, activity_id: uuid.UUID) -> Activity | None:
        return self.session.get(Activity, activity_id)

    def people(self) -> set[uuid.UUID]:
        """Residents with a record that counts in the report (tombstoned ones included)."""
        if self._people is None:
            start, end, stations = self.start, self.end, list(self.stations)
            queries = [
                select(HomeVisit.resident_id).where(
                    HomeVisit.station_id.in_(stations), HomeVisit.visit_date.between(start, end)
                ),
                select(ResourceHandout.resident_id).where(
                    ResourceHandout.station_id.in_(stations),
                    ResourceHandout.handed_on.between(start, end),
                ),
                select(Attendance.resident_id)
                .join(Activity, Activity.id == Attendance.activity_id)
                .where(Activity.station_id.in_(stations), Activity.held_on.between(start, end)),
                select(CaseRecord.resident_id).where(
                    CaseRecord.station_id.in_(stations), CaseRecord.opened_on <= end
                ),
                select(FeedbackSheet.resident_id).where(
                    FeedbackSheet.station_id.in_(stations),
                    FeedbackSheet.collected_on.between(start, end),
                ),
            ]
            self._people = {r for q in queries for r in self.session.scalars(q) if r}
        return self._people


def _visit(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    return f.scope(r.station_id) and f.in_period(r.visit_date), r.visit_date


def _note(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    case = f.case(r.case_id)
    return case is not None and f.scope(case.station_id) and f.in_period(r.written_on), r.written_on


def _stage(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    # A stage change on or after the start moves the period's flow, or (a reopening, even
    # after the period) the reason its closings are counted under.
    case = f.case(r.case_id)
    counts = case is not None and f.scope(case.station_id) and case.opened_on <= f.end
    return counts and r.changed_on >= f.start, r.changed_on


def _case(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    return f.scope(r.station_id) and r.opened_on <= f.end, r.opened_on


def _activity(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    return f.scope(r.station_id) and f.in_period(r.held_on), r.held_on


def _attendance(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    activity = f.activity(r.activity_id)
    if activity is None:
        return False, None
    return f.scope(activity.station_id) and f.in_period(activity.held_on), activity.held_on


def _sheet(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    return f.scope(r.station_id) and f.in_period(r.collected_on), r.collected_on


def _rating(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    sheet = f.session.get(FeedbackSheet, r.sheet_id)
    return (sheet is not None and _sheet(f, sheet)[0]), sheet.collected_on if sheet else None


def _receipt(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    return f.scope(r.station_id) and f.in_period(r.received_on), r.received_on


def _handout(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    return f.scope(r.station_id) and f.in_period(r.handed_on), r.handed_on


def _resident(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    return r.id in f.people(), None


def _membership(f: _CauseFinder, r: Any) -> tuple[bool, date | None]:
    return r.resident_id in f.people(), r.start_date


# In the order the causes are listed (as `reports.revisions.CAUSE_LABELS`).
_DAY: dict[str, Any] = {
    "resident": _resident,
    "group_membership": _membership,
    "home_visit": _visit,
    "case_record": _case,
    "case_stage_change": _stage,
    "case_note": _note,
    "activity": _activity,
    "attendance": _attendance,
    "feedback_sheet": _sheet,
    "feedback_rating": _rating,
    "resource_receipt": _receipt,
    "resource_handout": _handout,
}
_MODELS: dict[str, type[Replicated]] = {
    "resident": Resident,
    "group_membership": GroupMembership,
    "home_visit": HomeVisit,
    "case_record": CaseRecord,
    "case_stage_change": CaseStageChange,
    "case_note": CaseNote,
    "activity": Activity,
    "attendance": Attendance,
    "feedback_sheet": FeedbackSheet,
    "feedback_rating": FeedbackRating,
    "resource_receipt": ResourceReceipt,
    "resource_handout": ResourceHandout,
}
