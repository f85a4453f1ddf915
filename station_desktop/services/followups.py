"""Follow-ups ("policies find people"): who needs a visit, which case has gone quiet, which
priority-group membership is due for review.

A resident is due for a visit on the earliest of: the next visit the last visitor planned,
and, for members of a priority group, the last visit plus the group's visiting rhythm
(elderly living alone at least monthly, for example; never visited: due from the start of
the membership). A case is quiet when its newest progress note (or its opening) is older
than `quiet_case_days` (30 unless the station head changed it). Memberships are due on
their review date. Everything due within the horizon is listed, overdue first.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from station_desktop.domain.codes import PriorityGroup
from station_desktop.errors import FieldError, StationNotConfigured, ValidationError
from station_desktop.forms.validate import MSG_BAD_CODE
from station_desktop.i18n import N_
from station_desktop.services.access import Action, Resource, scope_conditions, visible
from station_desktop.services.context import ServiceContext
from station_desktop.store.changes import get_local_state, set_local_state
from station_desktop.store.models import CaseNote, CaseRecord, GroupMembership, HomeVisit, Resident

RHYTHM_KEY = "visit_rhythm_days"
QUIET_CASE_KEY = "quiet_case_days"
QUIET_CASE_DAYS = 30
MIN_QUIET, MAX_QUIET = 7, 180
QUIET_FIELD = "quiet_case_days"  # the field name of its errors
DEFAULT_RHYTHM_DAYS: dict[str, int] = {
    PriorityGroup.ELDERLY_ALONE.value: 30,
    PriorityGroup.TEKUN.value: 30,
    PriorityGroup.LEFT_BEHIND_CHILD.value: 30,
    PriorityGroup.DISABILITY.value: 60,
    PriorityGroup.DIBAO.value: 90,
}
MIN_RHYTHM, MAX_RHYTHM = 7, 365

VISIT_PLANNED = N_("Next visit as planned")
VISIT_RHYTHM = N_("Regular visit for a priority group")
CASE_QUIET = N_("No progress note for a while")
REVIEW_DUE = N_("Priority-group membership to review")
MSG_RHYTHM = N_("Between {low} and {high} days.")


# Late by more than this many days is really overdue (and shown so); a visit a few days
# after its date is the ordinary rhythm of the work.
GRACE_DAYS = 7


@dataclass(frozen=True)
class FollowUp:
    kind: str  # "visit", "case" or "review"
    due_on: date
    reason: str  # message id
    resident_id: uuid.UUID
    name_bo: str
    name_zh: str
    record_id: uuid.UUID | None = None  # the case or membership concerned
    area_id: uuid.UUID | None = None  # the resident's village or community
    # Who follows it up: the case's worker, else whoever visited the resident last.
    worker_id: uuid.UUID | None = None

    def overdue(self, today: date) -> bool:
        return self.due_on < today

    def days_late(self, today: date) -> int:
        return max(0, (today - self.due_on).days)

    def really_overdue(self, today: date) -> bool:
        return self.days_late(today) > GRACE_DAYS


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class FollowUpService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------ the rhythm (per laptop)

    def rhythm(self) -> dict[str, int]:
        """Days between visits for each priority group (the station head may change them)."""
        with self.ctx.db.read() as session:
            stored = get_local_state(session, RHYTHM_KEY)
        chosen = dict(DEFAULT_RHYTHM_DAYS)
        if stored:
            chosen |= {k: int(v) for k, v in json.loads(stored).items() if k in chosen}
        return chosen

    def set_rhythm(self, group: PriorityGroup | str, days: int) -> None:
        self.ctx.require(Resource.SETTINGS, Action.UPDATE)
        self.save_settings({str(group): days}, self.quiet_case_days())

    def quiet_case_days(self) -> int:
        """After how many days without a progress note a case is listed as quiet."""
        with self.ctx.db.read() as session:
            stored = get_local_state(session, QUIET_CASE_KEY)
        return int(stored) if stored and stored.isdigit() else QUIET_CASE_DAYS

    def save_settings(self, rhythm: Mapping[str, int], quiet_case_days: int) -> None:
        """Change the visiting rhythm of some groups and the quiet-case limit in one action;
        a bad value is refused beside its field (the group's code, or `quiet_case_days`)
        and nothing is changed."""
        self.ctx.require(Resource.SETTINGS, Action.UPDATE)
        errors: list[FieldError] = []
        chosen = self.rhythm()
        for group, days in rhythm.items():
            try:
                code = PriorityGroup.parse(str(group)).value
            except ValueError:
                errors.append(FieldError(str(group), MSG_BAD_CODE))
                continue
            if not _whole(days) or not MIN_RHYTHM <= days <= MAX_RHYTHM:
                errors.append(FieldError(code, MSG_RHYTHM, {"low": MIN_RHYTHM, "high": MAX_RHYTHM}))
            chosen[code] = days
        if not _whole(quiet_case_days) or not MIN_QUIET <= quiet_case_days <= MAX_QUIET:
            errors.append(
                FieldError(QUIET_FIELD, MSG_RHYTHM, {"low": MIN_QUIET, "high": MAX_QUIET})
            )
        if errors:
            raise ValidationError(errors)
        with self.ctx.db.write_session() as session:
            set_local_state(session, RHYTHM_KEY, json.dumps(chosen, sort_keys=True))
            set_local_state(session, QUIET_CASE_KEY, str(quiet_case_days))

    # ------------------------------------------------------------ what is due

    def due(self, *, horizon_days: int = 14, quiet_case_days: int | None = None) -> list[FollowUp]:
        """Everything due within `horizon_days`; cases are quiet after the stored limit
        unless `quiet_case_days` is given."""
        self.ctx.require(Resource.RESIDENT, Action.READ)
        if quiet_case_days is None:
            quiet_case_days = self.quiet_case_days()
        today = self.ctx.today()
        until = today + timedelta(days=horizon_days)
        rhythm = self.rhythm()
        items: list[FollowUp] = []
        with self.ctx.db.read() as session:
            live = select(Resident.id).where(Resident.deleted.is_(False))
            station = self._station()
            if station is not None:  # this station's people (a demo or the bureau holds more)
                live = live.where(Resident.station_id == station)
            last_visit = dict(
                session.execute(
                    select(HomeVisit.resident_id, func.max(HomeVisit.visit_date))
                    .where(HomeVisit.deleted.is_(False), HomeVisit.resident_id.in_(live))
                    .group_by(HomeVisit.resident_id)
                ).all()
            )
            planned = dict(
                session.execute(
                    select(HomeVisit.resident_id, func.max(HomeVisit.next_visit_on))
                    .where(
                        HomeVisit.deleted.is_(False),
                        HomeVisit.next_visit_on.is_not(None),
                        HomeVisit.resident_id.in_(live),
                    )
                    .group_by(HomeVisit.resident_id)
                ).all()
            )
            visit_due: dict[uuid.UUID, tuple[date, str]] = {}
            for resident_id, next_on in planned.items():
                seen = last_visit.get(resident_id)
                if next_on is not None and (seen is None or next_on > seen):
                    visit_due[resident_id] = (next_on, VISIT_PLANNED)
            memberships = session.execute(
                select(
                    GroupMembership.id,
                    GroupMembership.resident_id,
                    GroupMembership.group,
                    GroupMembership.start_date,
                    GroupMembership.review_on,
                ).where(
                    GroupMembership.deleted.is_(False),
                    GroupMembership.start_date <= today,
                    or_(GroupMembership.end_date.is_(None), GroupMembership.end_date >= today),
                    GroupMembership.resident_id.in_(live),
                )
            ).all()
            reviews: list[tuple[uuid.UUID, uuid.UUID, date]] = []
            for membership_id, resident_id, group, start, review_on in memberships:
                seen = last_visit.get(resident_id)
                by_rhythm = (seen + timedelta(days=rhythm[group])) if seen else start
                current = visit_due.get(resident_id)
                if current is None or by_rhythm < current[0]:
                    visit_due[resident_id] = (by_rhythm, VISIT_RHYTHM)
                if review_on is not None and review_on <= until:
                    reviews.append((membership_id, resident_id, review_on))
            last_note = dict(
                session.execute(
                    select(CaseNote.case_id, func.max(CaseNote.written_on))
                    .where(CaseNote.deleted.is_(False))
                    .group_by(CaseNote.case_id)
                ).all()
            )
            quiet: list[tuple[uuid.UUID, uuid.UUID, date]] = []
            for case_id, resident_id, opened_on in session.execute(
                select(CaseRecord.id, CaseRecord.resident_id, CaseRecord.opened_on).where(
                    CaseRecord.deleted.is_(False),
                    CaseRecord.stage != "closed",
                    CaseRecord.resident_id.in_(live),
                    # A social worker's own and assigned cases only (services.access).
                    *scope_conditions(visible(self.ctx.actor, Resource.CASE), CaseRecord, session),
                )
            ):
                due_on = max(last_note.get(case_id, opened_on), opened_on) + timedelta(
                    days=quiet_case_days
                )
                if due_on <= until:
                    quiet.append((case_id, resident_id, due_on))
            wanted = (
                {r for r, (d, _) in visit_due.items() if d <= until}
                | {r for _, r, _ in reviews}
                | {r for _, r, _ in quiet}
            )
            people = (
                {
                    rid: (bo, zh, area)
                    for rid, bo, zh, area in session.execute(
                        select(
                            Resident.id, Resident.name_bo, Resident.name_zh, Resident.area_id
                        ).where(Resident.id.in_(wanted))
                    )
                }
                if wanted
                else {}
            )
            last_visitor = self._last_visitors(session, wanted)
            case_workers = dict(
                session.execute(
                    select(CaseRecord.id, CaseRecord.worker_id).where(
                        CaseRecord.id.in_([case_id for case_id, _, _ in quiet])
                    )
                ).all()
            )

        def follow_up(
            kind: str,
            due_on: date,
            reason: str,
            resident_id: uuid.UUID,
            record_id: uuid.UUID | None = None,
            worker_id: uuid.UUID | None = None,
        ) -> FollowUp:
            name_bo, name_zh, area_id = people[resident_id]
            worker = worker_id or last_visitor.get(resident_id)
            return FollowUp(
                kind, due_on, reason, resident_id, name_bo, name_zh, record_id, area_id, worker
            )

        for resident_id, (due_on, reason) in visit_due.items():
            if due_on <= until and resident_id in people:
                items.append(follow_up("visit", due_on, reason, resident_id))
        for case_id, resident_id, due_on in quiet:
            worker = case_workers.get(case_id)
            items.append(follow_up("case", due_on, CASE_QUIET, resident_id, case_id, worker))
        for membership_id, resident_id, due_on in reviews:
            items.append(follow_up("review", due_on, REVIEW_DUE, resident_id, membership_id))
        # The most overdue first.
        return sorted(items, key=lambda f: (f.due_on, f.kind, f.name_zh, f.name_bo))

    def _station(self) -> uuid.UUID | None:
        try:
            return self.ctx.station_id()
        except StationNotConfigured:
            return None

    @staticmethod
    def _last_visitors(session: Session, residents: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """Who visited each of `residents` last (the first visitor named on the visit)."""
        found: dict[uuid.UUID, uuid.UUID] = {}
        if not residents:
            return found
        rows = session.execute(
            select(HomeVisit.resident_id, HomeVisit.visitor_ids)
            .where(HomeVisit.deleted.is_(False), HomeVisit.resident_id.in_(residents))
            .order_by(HomeVisit.visit_date, HomeVisit.id)
        )
        for resident_id, visitors in rows:
            if visitors:
                found[resident_id] = uuid.UUID(visitors[0])  # the newest visit wins
        return found
