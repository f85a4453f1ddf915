"""Record lists as plain dictionaries: the stable JSON of `station-desktop list`.

The keys and their meaning are documented in docs/cli-json.md; add keys freely, never
rename or remove one. Codes are printed as codes (labels depend on the reader's language).
ID card numbers are masked.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from station_desktop.domain.idcard import mask_id_number
from station_desktop.services.access import Action, Resource, scope_conditions, visible
from station_desktop.services.cases import case_references
from station_desktop.services.context import ServiceContext
from station_desktop.store.models import (
    Activity,
    Area,
    Attendance,
    CaseNote,
    CaseRecord,
    FeedbackRating,
    FeedbackSheet,
    GroupMembership,
    HomeVisit,
    Replicated,
    Resident,
    ResidentSearch,
    ResourceHandout,
    ResourceReceipt,
)

KINDS = ("residents", "visits", "feedback", "cases", "activities", "resources")
KIND_RESOURCES = {
    "residents": Resource.RESIDENT,
    "visits": Resource.VISIT,
    "feedback": Resource.FEEDBACK,
    "cases": Resource.CASE,
    "activities": Resource.ACTIVITY,
    "resources": Resource.RESOURCE,
}
JSON_FORMAT_VERSION = 1


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _id(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _names(
    session: Session, resident_ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, tuple[str, str]]:
    ids = {r for r in resident_ids if r is not None}
    if not ids:
        return {}
    rows = session.execute(
        select(Resident.id, Resident.name_bo, Resident.name_zh).where(Resident.id.in_(ids))
    )
    return {rid: (bo, zh) for rid, bo, zh in rows}


ModelT = TypeVar("ModelT", bound=Replicated)


@dataclass(frozen=True)
class ResidentQuery:
    """Which residents the list shows, and in which script's order ("bo" or "zh")."""

    order: str = "zh"
    area_id: uuid.UUID | None = None
    group: str | None = None
    open_case: bool = False


def _newest(
    session: Session,
    model: type[ModelT],
    by: InstrumentedAttribute[Any],
    limit: int,
    *where: ColumnElement[bool],
) -> list[ModelT]:
    """Live records, newest first by `by` (a business date), then by id."""
    return list(
        session.scalars(
            select(model)
            .where(model.deleted.is_(False), *where)
            .order_by(by.desc(), model.id.desc())
            .limit(limit)
        )
    )


class ListingService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def records(self, kind: str, *, limit: int = 50) -> list[dict[str, Any]]:
        builders: dict[str, Callable[[Session, int], list[dict[str, Any]]]] = {
            "residents": self._residents,
            "visits": self._visits,
            "feedback": self._feedback,
            "cases": self._cases,
            "activities": self._activities,
            "resources": self._resources,
        }
        if kind not in builders:
            raise ValueError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
        self.ctx.require(KIND_RESOURCES[kind], Action.READ)
        with self.ctx.db.read() as session:
            return builders[kind](session, limit)

    def counts(self) -> dict[str, int]:
        """How many live records of each kind (resources: received plus handed out)."""
        models: dict[str, list[type[Any]]] = {
            "residents": [Resident],
            "visits": [HomeVisit],
            "feedback": [FeedbackSheet],
            "cases": [CaseRecord],
            "activities": [Activity],
            "resources": [ResourceReceipt, ResourceHandout],
        }
        with self.ctx.db.read() as session:
            return {
                kind: sum(
                    session.execute(
                        select(func.count()).select_from(m).where(m.deleted.is_(False))
                    ).scalar_one()
                    for m in group
                )
                for kind, group in models.items()
            }

    def most_visited_resident(self) -> uuid.UUID | None:
        """The resident with the most home visits (whose page has the most to show)."""
        with self.ctx.db.read() as session:
            return session.scalars(
                select(HomeVisit.resident_id)
                .where(
                    HomeVisit.deleted.is_(False),
                    *self._visible(session, HomeVisit, Resource.RESIDENT),
                )
                .group_by(HomeVisit.resident_id)
                .order_by(func.count().desc(), HomeVisit.resident_id)
                .limit(1)
            ).first()

    def case_with_most_notes(self) -> uuid.UUID | None:
        """The case with the most progress notes."""
        with self.ctx.db.read() as session:
            return session.scalars(
                select(CaseNote.case_id)
                .join(CaseRecord, CaseRecord.id == CaseNote.case_id)
                .where(CaseNote.deleted.is_(False), *self._own_cases(session))
                .group_by(CaseNote.case_id)
                .order_by(func.count().desc(), CaseNote.case_id)
                .limit(1)
            ).first()

    def resident_page(
        self,
        query: ResidentQuery,
        *,
        after: tuple[str, str] | None = None,
        limit: int = 200,
    ) -> tuple[list[dict[str, Any]], tuple[str, str] | None]:
        """One page of the resident list, in name order, and the key to ask for the next.

        Keyset paging (rows after the last key, by an index) costs the same on page 500 as on
        page 1, where OFFSET would skip ever more rows: the list stays fast at 100,000.
        The order is pinyin for Chinese names and dictionary order (by root letter) for
        Tibetan, from keys stored when the resident is indexed.
        """
        self.ctx.require(Resource.RESIDENT, Action.READ)
        sort = ResidentSearch.sort_bo if query.order == "bo" else ResidentSearch.sort_zh
        conditions: list[ColumnElement[bool]] = [ResidentSearch.deleted.is_(False)]
        if after is not None:
            key, last_id = after
            conditions.append(
                or_(sort > key, and_(sort == key, ResidentSearch.resident_id > uuid.UUID(last_id)))
            )
        if query.area_id is not None:
            conditions.append(
                ResidentSearch.resident_id.in_(
                    select(Resident.id).where(Resident.area_id == query.area_id)
                )
            )
        today = self.ctx.today()
        if query.group is not None:
            conditions.append(
                ResidentSearch.resident_id.in_(
                    select(GroupMembership.resident_id).where(
                        GroupMembership.group == query.group,
                        GroupMembership.deleted.is_(False),
                        GroupMembership.start_date <= today,
                        or_(GroupMembership.end_date.is_(None), GroupMembership.end_date >= today),
                    )
                )
            )
        if query.open_case:
            conditions.append(
                ResidentSearch.resident_id.in_(
                    select(CaseRecord.resident_id).where(
                        CaseRecord.deleted.is_(False), CaseRecord.stage != "closed"
                    )
                )
            )
        shown = visible(self.ctx.actor, Resource.RESIDENT)
        with self.ctx.db.read() as session:
            keys = session.execute(
                select(ResidentSearch.resident_id, sort)
                .where(*conditions, *scope_conditions(shown, ResidentSearch, session))
                .order_by(sort, ResidentSearch.resident_id)
                .limit(limit)
            ).all()
            if not keys:
                return [], None
            by_id = {
                r.id: r
                for r in session.scalars(
                    select(Resident).where(Resident.id.in_([k[0] for k in keys]))
                )
            }
            rows = self.resident_dicts(session, [by_id[k[0]] for k in keys])
        last = keys[-1]
        return rows, ((str(last[1]), str(last[0])) if len(keys) == limit else None)

    def filter_residents(
        self, residents: list[Resident], query: ResidentQuery
    ) -> list[dict[str, Any]]:
        """Search results (kept in rank order) narrowed by the list's filters."""
        self.ctx.require(Resource.RESIDENT, Action.READ)
        shown = visible(self.ctx.actor, Resource.RESIDENT)
        if shown is not None:
            residents = [r for r in residents if r.station_id == shown.station_id]
        with self.ctx.db.read() as session:
            rows = self.resident_dicts(session, residents)
            if query.open_case and rows:
                open_ids = set(
                    session.scalars(
                        select(CaseRecord.resident_id).where(
                            CaseRecord.resident_id.in_([r.id for r in residents]),
                            CaseRecord.deleted.is_(False),
                            CaseRecord.stage != "closed",
                        )
                    )
                )
                rows = [r for r in rows if uuid.UUID(r["id"]) in open_ids]
        if query.area_id is not None:
            rows = [r for r in rows if r["area_id"] == str(query.area_id)]
        if query.group is not None:
            rows = [r for r in rows if query.group in r["priority_groups"]]
        return rows

    def resident_dicts(self, session: Session, residents: list[Resident]) -> list[dict[str, Any]]:
        ids = [r.id for r in residents]
        groups: dict[uuid.UUID, list[str]] = defaultdict(list)
        today = self.ctx.today()
        if ids:
            for resident_id, group in session.execute(
                select(GroupMembership.resident_id, GroupMembership.group).where(
                    GroupMembership.resident_id.in_(ids),
                    GroupMembership.deleted.is_(False),
                    GroupMembership.start_date <= today,
                    (GroupMembership.end_date.is_(None)) | (GroupMembership.end_date >= today),
                )
            ):
                groups[resident_id].append(group)
        area_codes = dict(session.execute(select(Area.id, Area.code)).all())
        return [
            {
                "id": str(r.id),
                "station_id": str(r.station_id),
                "name_bo": r.name_bo,
                "name_zh": r.name_zh,
                "sex": r.sex,
                "ethnicity": r.ethnicity,
                "birth_date": _iso(r.birth_date),
                "id_number_masked": mask_id_number(r.id_number) if r.id_number else None,
                "phone": r.phone,
                "area_code": area_codes.get(r.area_id) if r.area_id else None,
                "area_id": _id(r.area_id),
                "household_id": _id(r.household_id),
                "priority_groups": sorted(groups.get(r.id, [])),
                "created_at": _iso(r.created_at),
                "updated_at": _iso(r.updated_at),
            }
            for r in residents
        ]

    def _residents(self, session: Session, limit: int) -> list[dict[str, Any]]:
        rows = _newest(
            session,
            Resident,
            Resident.created_at,
            limit,
            *self._visible(session, Resident, Resource.RESIDENT),
        )
        return self.resident_dicts(session, rows)

    def _visits(self, session: Session, limit: int) -> list[dict[str, Any]]:
        rows = _newest(
            session,
            HomeVisit,
            HomeVisit.visit_date,
            limit,
            *self._visible(session, HomeVisit, Resource.VISIT),
        )
        names = _names(session, (v.resident_id for v in rows))
        return [
            {
                "id": str(v.id),
                "station_id": str(v.station_id),
                "resident_id": str(v.resident_id),
                "resident_name_bo": names.get(v.resident_id, ("", ""))[0],
                "resident_name_zh": names.get(v.resident_id, ("", ""))[1],
                "visit_date": _iso(v.visit_date),
                "outcome": v.outcome,
                "purpose": v.purpose,
                "services": list(v.services),
                "visitor_ids": list(v.visitor_ids),
                "next_visit_on": _iso(v.next_visit_on),
            }
            for v in rows
        ]

    def _feedback(self, session: Session, limit: int) -> list[dict[str, Any]]:
        rows = _newest(
            session,
            FeedbackSheet,
            FeedbackSheet.service_date,
            limit,
            *self._visible(session, FeedbackSheet, Resource.FEEDBACK),
        )
        ratings: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
        if rows:
            for sheet_id, dimension, level in session.execute(
                select(
                    FeedbackRating.sheet_id, FeedbackRating.dimension, FeedbackRating.level
                ).where(
                    FeedbackRating.sheet_id.in_([s.id for s in rows]),
                    FeedbackRating.deleted.is_(False),
                )
            ):
                ratings[sheet_id][dimension] = level
        return [
            {
                "id": str(s.id),
                "station_id": str(s.station_id),
                "sheet_no": s.sheet_no,
                "service_area": s.service_area,
                "service_type": s.service_type,
                "service_date": _iso(s.service_date),
                "collected_on": _iso(s.collected_on),
                "anonymous": s.resident_id is None,
                "resident_id": _id(s.resident_id),
                "ratings": ratings.get(s.id, {}),
                "comments": s.comments,
            }
            for s in rows
        ]

    def _cases(self, session: Session, limit: int) -> list[dict[str, Any]]:
        rows = _newest(session, CaseRecord, CaseRecord.opened_on, limit, *self._own_cases(session))
        names = _names(session, (c.resident_id for c in rows))
        references = case_references(session, rows)
        return [
            {
                "id": str(c.id),
                "station_id": str(c.station_id),
                "case_number": c.case_number,
                "case_reference": references[c.id],
                "resident_id": str(c.resident_id),
                "resident_name_bo": names.get(c.resident_id, ("", ""))[0],
                "resident_name_zh": names.get(c.resident_id, ("", ""))[1],
                "stage": c.stage,
                "source": c.source,
                "service_area": c.service_area,
                "opened_on": _iso(c.opened_on),
                "closed_on": _iso(c.closed_on),
                "closing_reason": c.closing_reason,
                "reopen_count": c.reopen_count,
                "worker_id": _id(c.worker_id),
            }
            for c in rows
        ]

    def _own_cases(self, session: Session) -> tuple[ColumnElement[bool], ...]:
        return self._visible(session, CaseRecord, Resource.CASE)

    def _visible(
        self, session: Session, model: type[Any], resource: Resource
    ) -> tuple[ColumnElement[bool], ...]:
        """The conditions that keep a list within what the acting person may see: their
        station's records (their own and assigned cases, for a social worker)."""
        return scope_conditions(visible(self.ctx.actor, resource), model, session)

    def _activities(self, session: Session, limit: int) -> list[dict[str, Any]]:
        rows = _newest(
            session,
            Activity,
            Activity.held_on,
            limit,
            *self._visible(session, Activity, Resource.ACTIVITY),
        )
        named: dict[uuid.UUID, int] = {}
        if rows:
            named = dict(
                session.execute(
                    select(Attendance.activity_id, func.count())
                    .where(
                        Attendance.activity_id.in_([a.id for a in rows]),
                        Attendance.deleted.is_(False),
                    )
                    .group_by(Attendance.activity_id)
                ).all()
            )
        return [
            {
                "id": str(a.id),
                "station_id": str(a.station_id),
                "kind": a.kind,
                "title": a.title,
                "held_on": _iso(a.held_on),
                "place": a.place,
                "service_area": a.service_area,
                "named_attendance": named.get(a.id, 0),
                "headcount_other": a.headcount_other,
                "total_attendance": named.get(a.id, 0) + a.headcount_other,
            }
            for a in rows
        ]

    def _resources(self, session: Session, limit: int) -> list[dict[str, Any]]:
        receipts = _newest(
            session,
            ResourceReceipt,
            ResourceReceipt.received_on,
            limit,
            *self._visible(session, ResourceReceipt, Resource.RESOURCE),
        )
        handouts = _newest(
            session,
            ResourceHandout,
            ResourceHandout.handed_on,
            limit,
            *self._visible(session, ResourceHandout, Resource.RESOURCE),
        )
        names = _names(session, (h.resident_id for h in handouts))
        entries: list[dict[str, Any]] = [
            {
                "id": str(r.id),
                "station_id": str(r.station_id),
                "direction": "received",
                "date": _iso(r.received_on),
                "kind": r.kind,
                "item": r.item,
                "quantity": r.quantity,
                "unit": r.unit,
                "unit_value_fen": r.unit_value_fen,
                "total_value_fen": r.quantity * r.unit_value_fen,
                "donor_name": r.donor_name,
                "donor_type": r.donor_type,
            }
            for r in receipts
        ] + [
            {
                "id": str(h.id),
                "station_id": str(h.station_id),
                "direction": "handed_out",
                "date": _iso(h.handed_on),
                "kind": h.kind,
                "item": h.item,
                "quantity": h.quantity,
                "unit": h.unit,
                "unit_value_fen": h.unit_value_fen,
                "total_value_fen": h.quantity * h.unit_value_fen,
                "resident_id": str(h.resident_id),
                "resident_name_bo": names.get(h.resident_id, ("", ""))[0],
                "resident_name_zh": names.get(h.resident_id, ("", ""))[1],
                "receipt_id": _id(h.receipt_id),
            }
            for h in handouts
        ]
        entries.sort(key=lambda e: (e["date"], e["id"]), reverse=True)
        return entries[:limit]
