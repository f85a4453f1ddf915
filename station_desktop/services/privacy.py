"""Privacy duties (PIPL): the retention purge and erasing a withdrawn resident's ID number
(what this laptop holds about one person is `services.access_report`).

A purge or an erasure is one user action: the record's personal values are emptied by an
ordinary logged update (so it travels to other laptops like any edit, and the merger needs
nothing new), an `Erasure` record names the change-log entries that carried the values,
and those entries are emptied here too (`log_redaction` lets the append-only log change
their values, nothing else). A laptop that receives the erasure empties the same entries
in its own log, whenever they reach it (`apply_erasures`, called by the sync import).
The audit trail records the action with field names, never values.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import String, Text, func, or_, select
from sqlalchemy.orm import Session

from station_desktop.domain.retention import (
    REASON_RETENTION,
    REASON_WITHDRAWN_ID,
    RESIDENT_RULE,
    RULES,
    SCHEDULE,
    RetentionRule,
)
from station_desktop.errors import StationError
from station_desktop.i18n import N_
from station_desktop.services.access import Action, RecordScope, Resource
from station_desktop.services.context import CHINA_TZ, ServiceContext
from station_desktop.store.audit import record_event
from station_desktop.store.changes import (
    ChangeRecorder,
)
from station_desktop.store.erasure import RedactionTarget, blanks_of, holds_value, redact_log
from station_desktop.store.models import (
    REPLICATED_MODELS,
    Activity,
    Attendance,
    CaseNote,
    CaseRecord,
    CaseStageChange,
    ChangeLogEntry,
    Erasure,
    FeedbackSheet,
    GroupMembership,
    HomeVisit,
    Replicated,
    Resident,
    ResourceHandout,
    table_of,
)
from station_desktop.store.search import index_residents

CHUNK = 500
ACTION_PURGE = "purge"
ACTION_ERASE_ID = "erase_id"

MSG_NOT_WITHDRAWN = N_(
    "Only a withdrawn resident's ID card number can be erased: withdraw the resident first."
)
MSG_NO_ID_NUMBER = N_("This resident has no ID card number to erase.")
MSG_NO_RESIDENT = N_("There is no resident with this id on this laptop.")


@dataclass(frozen=True)
class PurgeItem:
    """One record whose personal values a purge will empty."""

    entity: str
    record_id: uuid.UUID
    kind: str  # message id of the record kind
    reference: str  # how a person recognises it (a name, a case number), for the confirmation
    since: date  # the day its retention period ran from
    fields: tuple[str, ...]  # the fields that still hold a value


@dataclass(frozen=True)
class PurgeSummary:
    records: int
    log_entries: int


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _text_of_names(*names: str) -> str:
    return "  ".join(n for n in names if n)


class PrivacyService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def names_of(self, resident_id: uuid.UUID) -> tuple[str, str]:
        """A resident's names, withdrawn or not (("", "") when there is no such resident)."""
        with self.ctx.db.read() as session:
            row = session.get(Resident, resident_id)
            return (row.name_bo, row.name_zh) if row is not None else ("", "")

    # ------------------------------------------------------------ the retention purge

    def due_for_purge(self, today: date | None = None) -> list[PurgeItem]:
        """Every record of this laptop whose retention period is over and that still holds
        personal values: what a purge would empty (the confirmation lists it)."""
        # Emptying records is withdrawing them for good: the station head's (services.access).
        self.ctx.require(Resource.RESIDENT, Action.DELETE)
        today = today or self.ctx.today()
        with self.ctx.db.read() as session:
            items: list[PurgeItem] = []
            for rule in SCHEDULE:
                cutoff = _years_before(today, rule.years)
                items += list(self._due(session, rule, cutoff))
            return items

    def purge(self, items: Sequence[PurgeItem]) -> PurgeSummary:
        """Empty the personal values of `items` (as listed by `due_for_purge`), in the
        records and in the change log, in one action. A resident is also withdrawn."""
        self.ctx.require(Resource.RESIDENT, Action.DELETE)
        with self.ctx.uow() as uow:
            emptied = self._erase(
                uow, [(i.entity, i.record_id, i.fields) for i in items], REASON_RETENTION
            )
        return PurgeSummary(len(items), emptied)

    def erase_id_number(self, resident_id: uuid.UUID) -> int:
        """Erase a withdrawn resident's ID card number from the record and from every
        change-log entry that carried it; returns how many entries were emptied."""
        with self.ctx.uow() as uow:
            resident = uow.session.get(Resident, resident_id)
            if resident is None:
                raise StationError(MSG_NO_RESIDENT)
            self.ctx.require(Resource.RESIDENT, Action.DELETE, RecordScope.of(resident.station_id))
            if not resident.deleted:
                raise StationError(MSG_NOT_WITHDRAWN)
            log = table_of(ChangeLogEntry)
            carried = uow.session.scalars(
                select(log.c.fields).where(
                    log.c.entity == "resident", log.c.record_id == resident_id
                )
            ).all()
            if not resident.id_number and not any(holds_value(f.get("id_number")) for f in carried):
                raise StationError(MSG_NO_ID_NUMBER)
            return self._erase(
                uow, [("resident", resident_id, ("id_number",))], REASON_WITHDRAWN_ID
            )

    def _erase(
        self,
        uow: ChangeRecorder,
        records: Sequence[tuple[str, uuid.UUID, tuple[str, ...]]],
        reason: str,
    ) -> int:
        """Empty the fields of each record (one logged update each), then their values in
        the log, and record each erasure (replicated) and audit event. Returns the number
        of log entries emptied."""
        session = uow.session
        action = ACTION_PURGE if reason == REASON_RETENTION else ACTION_ERASE_ID
        targets: list[RedactionTarget] = []
        for entity, record_id, fields in records:
            values = blanks_of(entity, fields)
            if entity == RESIDENT_RULE.entity and reason == REASON_RETENTION:
                values["deleted"] = True
            uow.update(REPLICATED_MODELS[entity], record_id, values)
            targets.append(RedactionTarget(entity, record_id, fields, self.ctx.new_id()))
            record_event(
                session,
                actor_id=self.ctx.actor_id,
                action=action,
                entity=entity,
                entity_id=str(record_id),
                fields=fields,
            )
        # The updates just written hold blanks only: they are never among the emptied.
        emptied = redact_log(session, targets, uow.now)
        uow.insert_many(
            Erasure,
            [
                {
                    "target_entity": t.entity,
                    "target_id": t.record_id,
                    "fields": list(t.fields),
                    "reason": reason,
                    "erased_on": self.ctx.today(),
                    "changes": emptied.get(t.erasure_id, []),
                }
                for t in targets
            ],
            record_ids=[t.erasure_id for t in targets],
        )
        residents = [t.record_id for t in targets if t.entity == "resident"]
        for start in range(0, len(residents), CHUNK):  # their search keys go too
            chunk = list(
                session.scalars(
                    select(Resident)
                    .where(Resident.id.in_(residents[start : start + CHUNK]))
                    .execution_options(populate_existing=True)
                )
            )
            index_residents(session, self.ctx.keys, chunk)
            for resident in chunk:
                session.expunge(resident)
        return sum(len(changes) for changes in emptied.values())

    def _due(self, session: Session, rule: RetentionRule, cutoff: date) -> Iterator[PurgeItem]:
        model = REPLICATED_MODELS[rule.entity]
        columns = [getattr(model, name) for name in rule.fields]
        holding = or_(
            *((c.isnot(None) & (c != "")) if _is_text(c) else c.isnot(None) for c in columns)
        )
        finder = _FINDERS[rule.entity]
        for record, since, reference in finder(session, cutoff, holding):
            held = tuple(name for name in rule.fields if holds_value(getattr(record, name)))
            if held:
                yield PurgeItem(rule.entity, record.id, rule.kind, reference, since, held)


def _is_text(column: Any) -> bool:
    return isinstance(column.type, (String, Text))


# ---------------------------------------------------------------- what is due, per kind

Found = Iterator[tuple[Any, date, str]]


def _resident_names(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = list(set(ids))
    names: dict[uuid.UUID, str] = {}
    for start in range(0, len(wanted), CHUNK):
        rows = session.execute(
            select(Resident.id, Resident.name_bo, Resident.name_zh).where(
                Resident.id.in_(wanted[start : start + CHUNK])
            )
        )
        names.update({rid: _text_of_names(bo, zh) for rid, bo, zh in rows})
    return names


def _last_dates(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, date]:
    """Per resident: the day of the last thing that happened with them."""
    last: dict[uuid.UUID, date] = {}

    def note(rows: Iterable[Any]) -> None:
        for rid, day in rows:
            if day is not None and (rid not in last or day > last[rid]):
                last[rid] = day

    live = (
        (HomeVisit.resident_id, HomeVisit.visit_date, HomeVisit),
        (ResourceHandout.resident_id, ResourceHandout.handed_on, ResourceHandout),
        (FeedbackSheet.resident_id, FeedbackSheet.service_date, FeedbackSheet),
        (CaseRecord.resident_id, CaseRecord.opened_on, CaseRecord),
        (CaseRecord.resident_id, CaseRecord.closed_on, CaseRecord),
        (GroupMembership.resident_id, GroupMembership.start_date, GroupMembership),
        (GroupMembership.resident_id, GroupMembership.end_date, GroupMembership),
    )
    for resident_column, day_column, model in live:
        note(
            session.execute(
                select(resident_column, func.max(day_column))
                .where(resident_column.in_(ids), model.deleted.is_(False))
                .group_by(resident_column)
            ).all()
        )
    note(
        session.execute(
            select(Attendance.resident_id, func.max(Activity.held_on))
            .join(Activity, Activity.id == Attendance.activity_id)
            .where(Attendance.resident_id.in_(ids), Attendance.deleted.is_(False))
            .group_by(Attendance.resident_id)
        ).all()
    )
    return last


def _still_served(session: Session, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Residents with an open case or a membership without an end: never due."""
    open_cases = select(CaseRecord.resident_id).where(
        CaseRecord.resident_id.in_(ids),
        CaseRecord.deleted.is_(False),
        CaseRecord.closed_on.is_(None),
    )
    current = select(GroupMembership.resident_id).where(
        GroupMembership.resident_id.in_(ids),
        GroupMembership.deleted.is_(False),
        GroupMembership.end_date.is_(None),
    )
    return set(session.scalars(open_cases)) | set(session.scalars(current))


def _china_date(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()


def _due_residents(session: Session, cutoff: date, holding: Any) -> Found:
    # Last changed before the cutoff day began in Lhasa.
    before = datetime.combine(cutoff, time(), tzinfo=CHINA_TZ)
    candidates = list(
        session.scalars(select(Resident).where(Resident.updated_at < before, holding))
    )
    for start in range(0, len(candidates), CHUNK):
        chunk = candidates[start : start + CHUNK]
        ids = [r.id for r in chunk]
        last = _last_dates(session, ids)
        served = _still_served(session, ids)
        for resident in chunk:
            since = max(_china_date(resident.updated_at), last.get(resident.id, date.min))
            if resident.id not in served and since < cutoff:
                yield resident, since, _text_of_names(resident.name_bo, resident.name_zh)


def _dated(model: type[Replicated], day_column: Any, resident_column: Any | None) -> Any:
    def find(session: Session, cutoff: date, holding: Any) -> Found:
        records = list(session.scalars(select(model).where(day_column < cutoff, holding)))
        names = (
            _resident_names(session, [getattr(r, resident_column.key) for r in records])
            if resident_column is not None
            else {}
        )
        for record in records:
            day: date = getattr(record, day_column.key)
            who = names.get(getattr(record, resident_column.key)) if resident_column else None
            yield record, day, _text_of_names(day.isoformat(), who or "")

    return find


def _of_closed_cases(model: type[CaseNote] | type[CaseStageChange]) -> Any:
    def find(session: Session, cutoff: date, holding: Any) -> Found:
        rows = session.execute(
            select(model, CaseRecord.closed_on, CaseRecord.case_number)
            .join(CaseRecord, CaseRecord.id == model.case_id)
            .where(CaseRecord.closed_on.isnot(None), CaseRecord.closed_on < cutoff, holding)
        ).all()
        for record, closed_on, number in rows:
            assert closed_on is not None
            yield record, closed_on, number

    return find


def _closed_cases(session: Session, cutoff: date, holding: Any) -> Found:
    for case in session.scalars(
        select(CaseRecord).where(
            CaseRecord.closed_on.isnot(None), CaseRecord.closed_on < cutoff, holding
        )
    ):
        assert case.closed_on is not None
        yield case, case.closed_on, case.case_number


_FINDERS: dict[str, Any] = {
    "resident": _due_residents,
    "home_visit": _dated(HomeVisit, HomeVisit.visit_date, HomeVisit.resident_id),
    "case_record": _closed_cases,
    "case_note": _of_closed_cases(CaseNote),
    "case_stage_change": _of_closed_cases(CaseStageChange),
    "feedback_sheet": _dated(FeedbackSheet, FeedbackSheet.service_date, FeedbackSheet.resident_id),
    "resource_handout": _dated(
        ResourceHandout, ResourceHandout.handed_on, ResourceHandout.resident_id
    ),
    "group_membership": _dated(
        GroupMembership, GroupMembership.end_date, GroupMembership.resident_id
    ),
}
assert set(_FINDERS) == set(RULES)


def purge_counts(items: Iterable[PurgeItem]) -> dict[str, int]:
    """How many records of each kind (message id) a purge will empty."""
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item.kind] += 1
    return dict(counts)


__all__ = [
    "PrivacyService",
    "PurgeItem",
    "PurgeSummary",
    "purge_counts",
]
