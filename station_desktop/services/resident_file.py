"""A resident's file: everything about one person for the resident's page, read at once.

Details (with the ID card number masked), priority-group memberships, the other members of
the household, and a timeline of every service the person received — home visits, cases
(on the day they were opened, with their stage now), satisfaction feedback sheets that name
them (anonymous ones never do), resources handed to them and activities they attended —
newest first. Tombstoned records never appear.

Everything is codes and raw values: the screen translates codes into labels and formats
dates in the reader's language. Reads only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.domain.codes import (
    ActivityKind,
    CaseStage,
    ClosingReason,
    Code,
    FeedbackDimension,
    HouseholdRelation,
    ResourceKind,
    Satisfaction,
    ServiceArea,
    ServiceType,
    VisitOutcome,
    VisitPurpose,
)
from station_desktop.domain.idcard import mask_id_number
from station_desktop.errors import NotFound
from station_desktop.i18n import N_, Label
from station_desktop.services.access import Action, RecordScope, Resource
from station_desktop.services.cases import case_references
from station_desktop.services.context import ServiceContext, load
from station_desktop.services.residents import age_on
from station_desktop.store.models import (
    Activity,
    Area,
    Attendance,
    CaseRecord,
    FeedbackRating,
    FeedbackSheet,
    GroupMembership,
    HomeVisit,
    Household,
    Resident,
    ResourceHandout,
)

__all__ = [
    "AreaInfo",
    "Guardian",
    "HouseholdInfo",
    "HouseholdMember",
    "MembershipInfo",
    "PersonDetails",
    "ResidentFile",
    "ResidentFileService",
    "SummaryPart",
    "TimelineEntry",
    "TimelineKind",
]

# A piece of a timeline summary: a code (the screen shows its label), a date (formatted
# for the reader) or text exactly as stored (a case number, an item, a title).
SummaryPart = Code | date | str


class TimelineKind(StrEnum):
    """What a timeline entry is. The values are the printable kinds of `services.printing`,
    so an entry can be printed or opened by its kind and id."""

    VISIT = "visit"
    CASE = "case"
    FEEDBACK = "feedback"
    HANDOUT = "handout"
    ACTIVITY = "activity"


@dataclass(frozen=True)
class AreaInfo:
    id: uuid.UUID
    code: str
    name_bo: str
    name_zh: str


@dataclass(frozen=True)
class HouseholdInfo:
    id: uuid.UUID
    household_no: str
    address: str


@dataclass(frozen=True)
class Guardian:
    """A guardian: a registered resident (`resident_id`, both names) or a name typed on the
    form (in `names` alone)."""

    resident_id: uuid.UUID | None
    names: tuple[str, ...]
    phone: str | None
    relation: str | None  # HouseholdRelation code


@dataclass(frozen=True)
class PersonDetails:
    id: uuid.UUID
    name_bo: str
    name_zh: str
    sex: str | None  # Sex code
    ethnicity: str | None  # Ethnicity code
    birth_date: date | None
    age: int | None  # in whole years, today (Lhasa date)
    id_number_masked: str | None
    phone: str | None
    address: str
    area: AreaInfo | None  # the resident's own, else the household's
    household: HouseholdInfo | None
    household_relation: str | None  # HouseholdRelation code
    guardian: Guardian | None
    legal_basis: str | None = None  # LegalBasis code: why the station holds the record
    consent_on: date | None = None  # the day a consent was given


@dataclass(frozen=True)
class MembershipInfo:
    id: uuid.UUID
    group: str  # PriorityGroup code
    start_date: date
    end_date: date | None
    review_on: date | None
    certificate_no: str
    current: bool  # a member today


@dataclass(frozen=True)
class HouseholdMember:
    id: uuid.UUID
    name_bo: str
    name_zh: str
    relation: str | None  # HouseholdRelation code
    birth_date: date | None


@dataclass(frozen=True)
class TimelineEntry:
    kind: TimelineKind
    on: date
    record_id: uuid.UUID  # the visit, case, sheet, hand-out or activity
    summary: tuple[SummaryPart, ...]


@dataclass(frozen=True)
class ResidentFile:
    details: PersonDetails
    memberships: tuple[MembershipInfo, ...]  # newest first
    household_members: tuple[HouseholdMember, ...]  # head first, then by age
    timeline: tuple[TimelineEntry, ...]  # newest first


def _code(codes: type[Code], value: str | None) -> Code | str | None:
    """The code member, or the stored value as it is (a code of a newer version)."""
    if value is None or value == "":
        return None
    try:
        return codes.parse(value)
    except ValueError:
        return value


def _parts(*parts: SummaryPart | None) -> tuple[SummaryPart, ...]:
    return tuple(p for p in parts if p is not None and p != "")


_RELATION_ORDER = {code: index for index, code in enumerate(HouseholdRelation.codes())}


class ResidentFileService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def load(self, resident_id: uuid.UUID) -> ResidentFile:
        """Raises NotFound for an unknown or tombstoned resident."""
        today = self.ctx.today()
        with self.ctx.db.read() as session:
            resident = load(session, Resident, resident_id)
            if resident is None:
                raise NotFound(kind=Label(N_("resident")), record_id=str(resident_id))
            self.ctx.require(Resource.RESIDENT, Action.READ, RecordScope.of(resident.station_id))
            household = load(session, Household, resident.household_id)
            return ResidentFile(
                details=self._details(session, resident, household, today),
                memberships=tuple(self._memberships(session, resident_id, today)),
                household_members=tuple(self._household_members(session, resident, household)),
                timeline=self._timeline(session, resident_id),
            )

    # ------------------------------------------------------------ parts of the file

    def _details(
        self, session: Session, r: Resident, household: Household | None, today: date
    ) -> PersonDetails:
        area_id = r.area_id or (household.area_id if household else None)
        area = load(session, Area, area_id)
        return PersonDetails(
            id=r.id,
            name_bo=r.name_bo,
            name_zh=r.name_zh,
            sex=r.sex,
            ethnicity=r.ethnicity,
            birth_date=r.birth_date,
            age=age_on(r.birth_date, today) if r.birth_date else None,
            id_number_masked=mask_id_number(r.id_number) if r.id_number else None,
            phone=r.phone,
            address=r.address,
            area=AreaInfo(area.id, area.code, area.name_bo, area.name_zh) if area else None,
            household=(
                HouseholdInfo(household.id, household.household_no, household.address)
                if household
                else None
            ),
            household_relation=r.household_relation,
            guardian=self._guardian(session, r),
            legal_basis=r.legal_basis,
            consent_on=r.consent_on,
        )

    @staticmethod
    def _guardian(session: Session, r: Resident) -> Guardian | None:
        registered = load(session, Resident, r.guardian_id)
        if registered is not None:
            names = tuple(n for n in (registered.name_bo, registered.name_zh) if n)
        elif r.guardian_name:
            names = (r.guardian_name,)
        else:
            return None
        return Guardian(
            registered.id if registered else None, names, r.guardian_phone, r.guardian_relation
        )

    @staticmethod
    def _memberships(
        session: Session, resident_id: uuid.UUID, today: date
    ) -> Iterator[MembershipInfo]:
        for m in session.scalars(
            select(GroupMembership)
            .where(GroupMembership.resident_id == resident_id, GroupMembership.deleted.is_(False))
            .order_by(GroupMembership.start_date.desc(), GroupMembership.id.desc())
        ):
            yield MembershipInfo(
                id=m.id,
                group=m.group,
                start_date=m.start_date,
                end_date=m.end_date,
                review_on=m.review_on,
                certificate_no=m.certificate_no,
                current=m.start_date <= today and (m.end_date is None or m.end_date >= today),
            )

    @staticmethod
    def _household_members(
        session: Session, resident: Resident, household: Household | None
    ) -> list[HouseholdMember]:
        if household is None:
            return []
        others = session.scalars(
            select(Resident).where(
                Resident.household_id == household.id,
                Resident.id != resident.id,
                Resident.deleted.is_(False),
            )
        )
        members = [
            HouseholdMember(o.id, o.name_bo, o.name_zh, o.household_relation, o.birth_date)
            for o in others
        ]
        # Head of household first, then spouse, children…; within a relation the eldest.
        return sorted(
            members,
            key=lambda m: (
                _RELATION_ORDER.get(m.relation or "", len(_RELATION_ORDER)),
                m.birth_date or date.max,
                m.name_bo,
                m.name_zh,
                str(m.id),
            ),
        )

    def _timeline(self, session: Session, resident_id: uuid.UUID) -> tuple[TimelineEntry, ...]:
        dated: list[tuple[TimelineEntry, datetime]] = [
            *self._visits(session, resident_id),
            *self._cases(session, resident_id),
            *self._feedback(session, resident_id),
            *self._handouts(session, resident_id),
            *self._activities(session, resident_id),
        ]
        # Newest first by the day it happened; the same day, the one entered last first.
        dated.sort(key=lambda pair: (pair[0].on, pair[1], pair[0].record_id), reverse=True)
        return tuple(entry for entry, _created in dated)

    @staticmethod
    def _visits(
        session: Session, resident_id: uuid.UUID
    ) -> Iterable[tuple[TimelineEntry, datetime]]:
        for v in session.scalars(
            select(HomeVisit).where(
                HomeVisit.resident_id == resident_id, HomeVisit.deleted.is_(False)
            )
        ):
            summary = _parts(
                _code(VisitPurpose, v.purpose),
                _code(VisitOutcome, v.outcome),
                *(_code(ServiceType, s) for s in v.services),
            )
            yield TimelineEntry(TimelineKind.VISIT, v.visit_date, v.id, summary), v.created_at

    @staticmethod
    def _cases(
        session: Session, resident_id: uuid.UUID
    ) -> Iterable[tuple[TimelineEntry, datetime]]:
        cases = list(
            session.scalars(
                select(CaseRecord).where(
                    CaseRecord.resident_id == resident_id, CaseRecord.deleted.is_(False)
                )
            )
        )
        references = case_references(session, cases)
        for c in cases:
            summary = _parts(
                references[c.id],
                _code(CaseStage, c.stage),
                _code(ClosingReason, c.closing_reason) if c.stage == CaseStage.CLOSED else None,
                _code(ServiceArea, c.service_area),
            )
            yield TimelineEntry(TimelineKind.CASE, c.opened_on, c.id, summary), c.created_at

    @staticmethod
    def _feedback(
        session: Session, resident_id: uuid.UUID
    ) -> Iterable[tuple[TimelineEntry, datetime]]:
        sheets = list(
            session.scalars(
                select(FeedbackSheet).where(
                    FeedbackSheet.resident_id == resident_id, FeedbackSheet.deleted.is_(False)
                )
            )
        )
        overall: dict[uuid.UUID, int] = {}
        if sheets:
            overall = {
                sheet_id: level
                for sheet_id, level in session.execute(
                    select(FeedbackRating.sheet_id, FeedbackRating.level).where(
                        FeedbackRating.sheet_id.in_([s.id for s in sheets]),
                        FeedbackRating.dimension == FeedbackDimension.OVERALL.value,
                        FeedbackRating.deleted.is_(False),
                    )
                )
            }
        for s in sheets:
            level = overall.get(s.id)
            summary = _parts(
                _code(ServiceArea, s.service_area),
                _code(ServiceType, s.service_type),
                _code(Satisfaction, str(level)) if level is not None else None,
            )
            yield TimelineEntry(TimelineKind.FEEDBACK, s.service_date, s.id, summary), s.created_at

    @staticmethod
    def _handouts(
        session: Session, resident_id: uuid.UUID
    ) -> Iterable[tuple[TimelineEntry, datetime]]:
        for h in session.scalars(
            select(ResourceHandout).where(
                ResourceHandout.resident_id == resident_id, ResourceHandout.deleted.is_(False)
            )
        ):
            amount = f"{h.quantity} {h.unit}".strip()
            summary = _parts(_code(ResourceKind, h.kind), h.item, amount)
            yield TimelineEntry(TimelineKind.HANDOUT, h.handed_on, h.id, summary), h.created_at

    @staticmethod
    def _activities(
        session: Session, resident_id: uuid.UUID
    ) -> Iterable[tuple[TimelineEntry, datetime]]:
        for a in session.scalars(
            select(Activity)
            .join(Attendance, Attendance.activity_id == Activity.id)
            .where(
                Attendance.resident_id == resident_id,
                Attendance.deleted.is_(False),
                Activity.deleted.is_(False),
            )
        ):
            summary = _parts(_code(ActivityKind, a.kind), a.title)
            yield TimelineEntry(TimelineKind.ACTIVITY, a.held_on, a.id, summary), a.created_at
