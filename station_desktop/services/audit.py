"""The audit trail as people use it: who did what (filterable), and whether it is whole.

The chain itself is `store.audit`; this service reads it for the audit page and the
command line, and records the events that happen outside the change log (export, import,
print of a filled form) on behalf of the other services. Who may read the trail is decided
in one place, `AuditService.may_read`: the role matrix of services.access (station heads
and auditors).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from station_desktop.i18n import N_
from station_desktop.services.access import Action, Resource, allowed
from station_desktop.services.context import CHINA_TZ, ServiceContext
from station_desktop.store import audit
from station_desktop.store.device import device_tag_for
from station_desktop.store.models import AuditEvent, Staff

MAX_ROWS = 5000

# The action codes a person can filter by, with their labels (the page and the CLI).
ACTION_LABELS: dict[str, str] = {
    "insert": N_("added a record"),
    "update": N_("changed a record"),
    audit.ROLE_CHANGE: N_("changed a role"),
    audit.SIGN_IN: N_("signed in"),
    audit.SIGN_IN_FAILED: N_("failed to sign in"),
    audit.REVEAL_ID: N_("revealed an ID number"),
    audit.EXPORT: N_("exported data"),
    audit.IMPORT: N_("imported data"),
    audit.PRINT_FILLED: N_("printed a filled form"),
    audit.PURGE: N_("removed personal data"),
    audit.CHAIN_STARTED: N_("started the audit trail"),
    audit.PEER_CHAIN_BROKEN: N_("received a bundle whose audit trail lost entries"),
}
MSG_SYSTEM = N_("the program")


@dataclass(frozen=True)
class AuditFilter:
    actor_id: uuid.UUID | None = None
    action: str = ""
    entity: str = ""
    since: date | None = None
    until: date | None = None
    limit: int = 500


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: datetime
    actor_id: uuid.UUID | None
    actor: str  # the staff member's names ("" for the program itself)
    action: str
    entity: str
    entity_id: str
    fields: list[str]
    device_tag: str  # the laptop a change was made on ("" for events of this one)


class AuditService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def may_read(self) -> bool:
        """Whether the signed-in person may read the trail (the window offers the page):
        station heads and auditors, as the role matrix (services.access) says."""
        return allowed(self.ctx.actor, Resource.AUDIT, Action.READ)

    def _require_reader(self) -> None:
        self.ctx.require(Resource.AUDIT, Action.READ)

    def staff_names(self) -> dict[uuid.UUID, tuple[str, str]]:
        """Everyone who may appear in the trail: (Tibetan name, Chinese name)."""
        with self.ctx.db.read() as session:
            rows = session.execute(select(Staff.id, Staff.name_bo, Staff.name_zh)).all()
        return {row[0]: (row[1], row[2]) for row in rows}

    def events(self, wanted: AuditFilter | None = None) -> list[AuditRow]:
        """The newest events first, as the filter asks."""
        self._require_reader()
        wanted = wanted or AuditFilter()
        query = select(AuditEvent).order_by(AuditEvent.seq.desc())
        if wanted.actor_id is not None:
            query = query.where(AuditEvent.actor_id == wanted.actor_id)
        if wanted.action:
            query = query.where(AuditEvent.action == wanted.action)
        if wanted.entity:
            query = query.where(AuditEvent.entity == wanted.entity)
        if wanted.since is not None:
            query = query.where(AuditEvent.at >= _start_of(wanted.since))
        if wanted.until is not None:
            query = query.where(AuditEvent.at < _start_of(wanted.until + timedelta(days=1)))
        query = query.limit(max(1, min(wanted.limit, MAX_ROWS)))
        names = self.staff_names()
        with self.ctx.db.read() as session:
            rows = session.scalars(query).all()
            return [
                AuditRow(
                    seq=row.seq,
                    at=row.at,
                    actor_id=row.actor_id,
                    actor=" ".join(n for n in names.get(row.actor_id, ()) if n)
                    if row.actor_id
                    else "",
                    action=row.action,
                    entity=row.entity,
                    entity_id=row.entity_id,
                    fields=list(row.fields or []),
                    device_tag=(
                        device_tag_for(row.change_device_id)
                        if row.change_device_id is not None
                        and row.change_device_id != self.ctx.device_id
                        else ""
                    ),
                )
                for row in rows
            ]

    def verify(self, *, records: bool = True) -> audit.Verification:
        self._require_reader()
        with self.ctx.db.read() as session:
            return audit.verify(session, records=records)

    def record(
        self,
        action: str,
        *,
        entity: str = "",
        entity_id: str = "",
        fields: Any = (),
    ) -> None:
        """One event of the signed-in person, in a transaction of its own (an export or a
        print has no change to go with)."""
        with audit.event_session(self.ctx.db) as session:
            audit.record_event(
                session,
                actor_id=self.ctx.actor_id,
                action=action,
                entity=entity,
                entity_id=entity_id,
                fields=list(fields),
                at=self.ctx.clock(),
            )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=CHINA_TZ)
