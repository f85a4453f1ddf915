"""What this laptop holds about one person (a PIPL access request, art. 45), on paper.

The first form (PA-01) shows the person's details as registered — the full ID card number
too: it is their own — how many records of each kind name them (withdrawn ones included:
the laptop still holds them), and the activities they attended; then follows the filled
form of every membership, home visit, feedback sheet, case and hand-out, through the same
paper code as every other printout. Activity forms are not printed: their sign-in lists
name other people. Made when asked for; reads only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from station_desktop.domain.codes import (
    Code,
    Ethnicity,
    HouseholdRelation,
    LegalBasis,
    PriorityGroup,
    Sex,
)
from station_desktop.errors import NotFound
from station_desktop.forms.privacy import ACCESS_FORM, HELD_KINDS
from station_desktop.forms.resident import MEMBERSHIP_FORM, RESIDENT_FORM
from station_desktop.i18n import N_, Label
from station_desktop.pdf.forms import FieldValue, FormContent, Person, Place
from station_desktop.pdf.page import FormHeader, QrPayload, RenderedPdf
from station_desktop.services.access import Action, RecordScope, Resource
from station_desktop.services.paper import PrintKind, write_pdf
from station_desktop.services.printing import PrintService
from station_desktop.store import audit
from station_desktop.store.models import (
    Activity,
    Area,
    Attendance,
    CaseNote,
    CaseRecord,
    ChangeLogEntry,
    Erasure,
    FeedbackSheet,
    GroupMembership,
    HomeVisit,
    Household,
    Resident,
    ResourceHandout,
)

__all__ = ["AccessReport", "AccessReportService"]

CHUNK = 500

_CODES: dict[str, type[Code]] = {
    "sex": Sex,
    "ethnicity": Ethnicity,
    "household_relation": HouseholdRelation,
    "legal_basis": LegalBasis,
    "guardian_relation": HouseholdRelation,
}
_PRINTED: tuple[
    tuple[PrintKind, type[HomeVisit | FeedbackSheet | CaseRecord | ResourceHandout]], ...
] = (
    ("visit", HomeVisit),
    ("feedback", FeedbackSheet),
    ("case", CaseRecord),
    ("handout", ResourceHandout),
)


@dataclass(frozen=True)
class AccessReport:
    """What the laptop holds about one person: counts per kind (`HELD_KINDS` keys) and
    the forms that print it."""

    resident_id: uuid.UUID
    counts: dict[str, int]
    forms: list[FormContent]


def _code(code_list: type[Code], value: str | None) -> Code | None:
    return code_list.parse(value) if value else None


class AccessReportService:
    def __init__(self, printing: PrintService) -> None:
        self.printing = printing
        self.ctx = printing.ctx

    def report(self, resident_id: uuid.UUID) -> AccessReport:
        # The report holds the whole ID number: made by a role that may reveal it, and
        # recorded like any reveal (in its own short transaction, before the reading).
        with audit.event_session(self.ctx.db) as session:
            resident = session.get(Resident, resident_id)
            if resident is None:
                raise NotFound(kind=Label(N_("resident")), record_id=str(resident_id))
            scope = RecordScope.of(resident.station_id)
            self.ctx.require(Resource.RESIDENT, Action.READ, scope)
            self.ctx.require(Resource.ID_NUMBER, Action.REVEAL, scope)
            audit.record_event(
                session,
                actor_id=self.ctx.actor.staff_id,
                action="access_report",
                entity="resident",
                entity_id=str(resident_id),
                fields=("id_number",),
            )
        with self.ctx.db.read() as session:
            resident = session.get(Resident, resident_id)
            if resident is None:
                raise NotFound(kind=Label(N_("resident")), record_id=str(resident_id))
            counts = self._counts(session, resident_id)
            details = self._details(session, resident)
            details |= {key: counts[key] for key, _label in HELD_KINDS}
            details["activities"] = "\n".join(
                f"{held_on.isoformat()}  {title}"
                for held_on, title in session.execute(
                    select(Activity.held_on, Activity.title)
                    .join(Attendance, Attendance.activity_id == Activity.id)
                    .where(Attendance.resident_id == resident_id)
                    .order_by(Activity.held_on)
                )
            )
            memberships = list(
                session.scalars(
                    select(GroupMembership)
                    .where(
                        GroupMembership.resident_id == resident_id,
                        GroupMembership.deleted.is_(False),
                    )
                    .order_by(GroupMembership.start_date)
                )
            )
            live: list[tuple[PrintKind, uuid.UUID]] = []
            for kind, model in _PRINTED:
                live += [
                    (kind, record_id)
                    for record_id in session.scalars(
                        select(model.id)
                        .where(model.resident_id == resident_id, model.deleted.is_(False))
                        .order_by(model.created_at)
                    )
                ]
            names = (resident.name_bo, resident.name_zh)
            header = FormHeader(
                ACCESS_FORM.title,
                ACCESS_FORM.printed_code,
                self.ctx.today().isoformat(),
                QrPayload.record(ACCESS_FORM.code, ACCESS_FORM.version, resident_id),
                subject=tuple(n for n in names if n),
            )
            forms = [FormContent(ACCESS_FORM, header, details, True)]
            for membership in memberships:
                forms.append(
                    FormContent(
                        MEMBERSHIP_FORM,
                        FormHeader(
                            MEMBERSHIP_FORM.title,
                            MEMBERSHIP_FORM.printed_code,
                            str(membership.id),
                            None,
                            subject=header.subject,
                        ),
                        {
                            "group": PriorityGroup.parse(membership.group),
                            "start_date": membership.start_date,
                            "end_date": membership.end_date,
                            "review_on": membership.review_on,
                            "certificate_no": membership.certificate_no,
                            "note": membership.note,
                        },
                        True,
                    )
                )
        forms += [self.printing.record_form(kind, record_id) for kind, record_id in live]
        return AccessReport(resident_id, counts, forms)

    def render(self, resident_id: uuid.UUID) -> RenderedPdf:
        return self.printing.render(self.report(resident_id).forms)

    def write(self, resident_id: uuid.UUID, path: Path) -> RenderedPdf:
        pdf = self.render(resident_id)
        write_pdf(pdf.data, path)
        return pdf

    # ------------------------------------------------------------ reading

    @staticmethod
    def _details(session: Session, r: Resident) -> dict[str, FieldValue]:
        values: dict[str, FieldValue] = {}
        for spec in RESIDENT_FORM.fields():
            value = getattr(r, spec.key)
            if spec.key in _CODES:
                values[spec.key] = _code(_CODES[spec.key], value)
            elif spec.key == "area_id":
                area = session.get(Area, value) if value else None
                values[spec.key] = (
                    Place(area.name_bo, area.name_zh or area.code).text if area else None
                )
            elif spec.key == "household_id":
                household = session.get(Household, value) if value else None
                values[spec.key] = (
                    "  ".join(p for p in (household.household_no, household.address) if p)
                    if household
                    else None
                )
            elif spec.key == "guardian_id":
                guardian = session.get(Resident, value) if value else None
                values[spec.key] = Person(guardian.name_bo, guardian.name_zh) if guardian else None
            else:
                values[spec.key] = value
        return values

    @staticmethod
    def _counts(session: Session, resident_id: uuid.UUID) -> dict[str, int]:
        def count(model: type[Any], *where: ColumnElement[bool]) -> int:
            return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        counts = {
            "group_membership": count(GroupMembership, GroupMembership.resident_id == resident_id),
            "home_visit": count(HomeVisit, HomeVisit.resident_id == resident_id),
            "feedback_sheet": count(FeedbackSheet, FeedbackSheet.resident_id == resident_id),
            "case_record": count(CaseRecord, CaseRecord.resident_id == resident_id),
            "case_note": count(
                CaseNote,
                CaseNote.case_id.in_(
                    select(CaseRecord.id).where(CaseRecord.resident_id == resident_id)
                ),
            ),
            "resource_handout": count(ResourceHandout, ResourceHandout.resident_id == resident_id),
            "attendance": count(Attendance, Attendance.resident_id == resident_id),
            "guardian_of": count(Resident, Resident.guardian_id == resident_id),
            "erasure": count(Erasure, Erasure.target_id == resident_id),
        }
        withdrawn = 0
        for model in (GroupMembership, HomeVisit, FeedbackSheet, CaseRecord, ResourceHandout):
            withdrawn += count(model, model.resident_id == resident_id, model.deleted.is_(True))
        counts["withdrawn"] = withdrawn + count(
            Resident, Resident.id == resident_id, Resident.deleted.is_(True)
        )
        # The log's entries about the person's own record and the records naming them.
        named = [resident_id]
        naming: tuple[type[Any], ...] = (
            GroupMembership,
            HomeVisit,
            FeedbackSheet,
            CaseRecord,
            ResourceHandout,
            Attendance,
        )
        for naming_model in naming:
            named += list(
                session.scalars(
                    select(naming_model.id).where(naming_model.resident_id == resident_id)
                )
            )
        parts = [named[i : i + CHUNK] for i in range(0, len(named), CHUNK)]
        counts["change_log"] = count(
            ChangeLogEntry, or_(*(ChangeLogEntry.record_id.in_(part) for part in parts))
        )
        return counts
