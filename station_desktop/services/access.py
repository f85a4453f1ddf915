"""Who may do what: the resource × action × scope matrix, in this one place.

Every service call asks `require(ctx.actor, Resource.X, Action.Y, record)` before it reads
or writes; the window and the command line both go through the services, so hiding a
button (`allowed`) is a courtesy, never the protection. A refusal is `NotPermitted`, which
names the roles that may.

A permission is granted up to a *scope*: OWN (the record is the person's own or assigned
to them: a case whose worker they are), STATION (any record of their station) or ALL
(every station: the bureau's people). The pattern is Primero's and CommCare's
(`/work/shared/notes/security-and-durability.md`, "Roles").

`SYSTEM` is the program itself (migrations, seeding the bundled stations, merging changes
other laptops made and that were checked there): it is refused nothing, and it is the
actor only where nobody acts (a fresh `ServiceContext`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from station_desktop.domain.codes import Code, StaffRole
from station_desktop.errors import NotPermitted
from station_desktop.i18n import N_

__all__ = [
    "MATRIX",
    "SYSTEM",
    "Action",
    "Actor",
    "RecordScope",
    "Resource",
    "Scope",
    "allowed",
    "granted_scope",
    "require",
    "scope_conditions",
    "visible",
    "who_may",
]


class Resource(Code):
    RESIDENT = "resident", N_("residents")
    VISIT = "visit", N_("home visits")
    FEEDBACK = "feedback", N_("feedback sheets")
    CASE = "case", N_("cases")
    ACTIVITY = "activity", N_("activities")
    RESOURCE = "resource", N_("resources received and handed out")
    ID_NUMBER = "id_number", N_("whole ID card numbers")
    STAFF = "staff", N_("staff and their roles")
    STATION = "station", N_("stations, villages and communities")
    SETTINGS = "settings", N_("the station's settings")
    REPORT = "report", N_("reports")
    ROSTER = "roster", N_("rosters")
    BUNDLE = "bundle", N_("bundles for USB sticks")
    KEYS = "keys", N_("keys of laptops")
    CONFLICT = "conflict", N_("conflicts between laptops")
    AUDIT = "audit", N_("the audit trail")
    BACKUP = "backup", N_("backups")


class Action(Code):
    READ = "read", N_("see")
    CREATE = "create", N_("add")
    UPDATE = "update", N_("change")
    DELETE = "delete", N_("withdraw")
    ASSIGN = "assign", N_("assign to a worker")
    CLOSE = "close", N_("close or reopen")
    REVEAL = "reveal", N_("reveal")
    EXPORT = "export", N_("export")
    IMPORT = "import", N_("bring in")
    SUBMIT = "submit", N_("submit to the bureau")
    RESTORE = "restore", N_("restore")


class Scope(IntEnum):
    """How far a permission reaches; a wider scope includes the narrower ones."""

    OWN = 1
    STATION = 2
    ALL = 3


@dataclass(frozen=True)
class Actor:
    """The person the services act for (`SYSTEM`: the program itself)."""

    staff_id: uuid.UUID | None  # None only for SYSTEM (and the stand-in, see StationService)
    role: StaffRole
    station_id: uuid.UUID | None  # None for the bureau's people


# The program itself. Its role is never looked up: `require` lets it through.
SYSTEM: Final = Actor(staff_id=None, role=StaffRole.BUREAU_ADMIN, station_id=None)


@dataclass(frozen=True)
class RecordScope:
    """What a check needs to know of the record: its station, and whose it is (a case's
    worker). None as a whole (in `require`) means the action as such: a list, a new
    record at the laptop's own station."""

    station_id: uuid.UUID | None = None
    staff_ids: frozenset[uuid.UUID] = frozenset()

    @classmethod
    def of(cls, station_id: uuid.UUID | None, *staff: uuid.UUID | None) -> RecordScope:
        return cls(station_id, frozenset(s for s in staff if s is not None))


R, A = Resource, Action
OWN, STATION, ALL = Scope.OWN, Scope.STATION, Scope.ALL
_RECORDS: Final = (R.RESIDENT, R.VISIT, R.FEEDBACK, R.ACTIVITY, R.RESOURCE)
_WRITE: Final = (A.CREATE, A.UPDATE, A.DELETE)


def _grant(
    resources: Iterable[Resource], actions: Iterable[Action], scope: Scope
) -> dict[tuple[Resource, Action], Scope]:
    return {(r, a): scope for r in resources for a in actions}


# The matrix. What is not here is refused.
MATRIX: Final[Mapping[StaffRole, Mapping[tuple[Resource, Action], Scope]]] = {
    # The station's residents and their records; own and assigned cases only; ID numbers
    # masked, one revealed at a time (each reveal is recorded in the audit trail).
    StaffRole.SOCIAL_WORKER: {
        **_grant(_RECORDS, (A.READ, A.CREATE, A.UPDATE, A.EXPORT), STATION),
        **_grant((R.VISIT, R.FEEDBACK, R.ACTIVITY, R.RESOURCE), (A.DELETE,), STATION),
        (R.CASE, A.CREATE): STATION,  # a case they open is theirs (CaseService.open)
        **_grant((R.CASE,), (A.READ, A.UPDATE, A.EXPORT), OWN),
        (R.ID_NUMBER, A.REVEAL): STATION,
        **_grant((R.STAFF, R.STATION, R.SETTINGS, R.REPORT), (A.READ,), STATION),
        (R.REPORT, A.EXPORT): STATION,  # the station's figures, no one's details
        # A backup is a copy under the same key, kept in the data folder, that a
        # password of this laptop opens: it shows the worker nothing new and guards
        # against losing the data. Restoring replaces everyone's work: the head's.
        **_grant((R.BACKUP,), (A.READ, A.CREATE), STATION),
    },
    # All of the station: staff and roles, case assignment and closing, bundles.
    StaffRole.STATION_HEAD: {
        **_grant((*_RECORDS, R.CASE), (A.READ, *_WRITE, A.EXPORT), STATION),
        **_grant((R.CASE,), (A.ASSIGN, A.CLOSE), STATION),
        **_grant((R.ID_NUMBER,), (A.REVEAL, A.EXPORT), STATION),
        **_grant((R.STAFF, R.STATION), (A.READ, *_WRITE), STATION),
        **_grant((R.SETTINGS, R.CONFLICT), (A.READ, A.UPDATE), STATION),
        **_grant((R.REPORT,), (A.READ, A.EXPORT, A.SUBMIT), STATION),
        (R.ROSTER, A.IMPORT): STATION,
        **_grant((R.BUNDLE,), (A.CREATE, A.IMPORT), STATION),
        **_grant((R.KEYS,), (A.READ, A.CREATE, A.DELETE), STATION),
        (R.AUDIT, A.READ): STATION,
        **_grant((R.BACKUP,), (A.READ, A.CREATE, A.RESTORE), STATION),
    },
    # Every station: reads, reports, imports, bundles, laptops' keys, stations and staff.
    # No case work of their own: records are written at the stations.
    StaffRole.BUREAU_ADMIN: {
        **_grant((*_RECORDS, R.CASE), (A.READ, A.EXPORT), ALL),
        **_grant((R.ID_NUMBER,), (A.REVEAL, A.EXPORT), ALL),
        **_grant((R.STAFF, R.STATION), (A.READ, *_WRITE), ALL),
        **_grant((R.SETTINGS, R.CONFLICT), (A.READ, A.UPDATE), ALL),
        **_grant((R.REPORT,), (A.READ, A.EXPORT, A.SUBMIT), ALL),
        (R.ROSTER, A.IMPORT): ALL,
        **_grant((R.BUNDLE,), (A.CREATE, A.IMPORT), ALL),
        **_grant((R.KEYS,), (A.READ, A.CREATE, A.DELETE), ALL),
        **_grant((R.BACKUP,), (A.READ, A.CREATE, A.RESTORE), ALL),
    },
    # Read-only, everywhere, and the audit trail; no whole ID numbers, no copies out.
    StaffRole.AUDITOR: {
        **_grant(
            (
                *_RECORDS,
                *(R.CASE, R.STAFF, R.STATION, R.SETTINGS, R.REPORT, R.CONFLICT, R.KEYS, R.BACKUP),
            ),
            (A.READ,),
            ALL,
        ),
        (R.AUDIT, A.READ): ALL,
    },
}


def granted_scope(role: StaffRole, resource: Resource, action: Action) -> Scope | None:
    """How far `role` may do `action` on `resource` (None: not at all)."""
    return MATRIX[role].get((resource, action))


def _covers(actor: Actor, scope: Scope, record: RecordScope | None) -> bool:
    if record is None or scope is ALL:
        return True
    same_station = record.station_id is None or record.station_id == actor.station_id
    if scope is STATION:
        return same_station
    return same_station and actor.staff_id is not None and actor.staff_id in record.staff_ids


def allowed(
    actor: Actor, resource: Resource, action: Action, record: RecordScope | None = None
) -> bool:
    """Whether `actor` may: for the window to hide what a role cannot do."""
    if actor is SYSTEM:
        return True
    scope = granted_scope(actor.role, resource, action)
    return scope is not None and _covers(actor, scope, record)


def who_may(
    resource: Resource, action: Action, wider_than: Scope | None = None
) -> tuple[StaffRole, ...]:
    """The roles that may (beyond `wider_than`, for a refusal of scope), in code order."""
    return tuple(
        role
        for role in StaffRole
        if (scope := granted_scope(role, resource, action)) is not None
        and (wider_than is None or scope > wider_than)
    )


def visible(actor: Actor, resource: Resource) -> RecordScope | None:
    """What lists may show `actor` of `resource`: None, everything; else the records of
    that station (and, for a permission limited to their own, whose staff they are). A
    role that may not read it at all sees nothing (an impossible station)."""
    if actor is SYSTEM:
        return None
    scope = granted_scope(actor.role, resource, Action.READ)
    if scope is ALL:
        return None
    if scope is None:
        return RecordScope(uuid.UUID(int=0))
    mine = frozenset({actor.staff_id}) if scope is OWN and actor.staff_id else frozenset()
    return RecordScope(actor.station_id, mine)


def scope_conditions(
    shown: RecordScope | None, model: Any, session: Session | None = None
) -> tuple[Any, ...]:
    """`visible`'s answer as SQL conditions on `model` (its `station_id`, and for a
    case its `worker_id`). Given the session, the station condition is left out where the
    table holds no other station's records (a station's laptop): it would only make the
    database trade a list's sort index for a scan and sort of every record."""
    if shown is None:
        return ()
    conditions = []
    if session is None or _holds_others(session, model, shown.station_id):
        conditions.append(model.station_id == shown.station_id)
    if shown.staff_ids and hasattr(model, "worker_id"):
        conditions.append(model.worker_id.in_(list(shown.staff_ids)))
    return tuple(conditions)


def _holds_others(session: Session, model: Any, station_id: uuid.UUID | None) -> bool:
    """Whether `model`'s table holds a record of another station than `station_id` (two
    seeks in its station index)."""
    if station_id is None:
        return True
    column = model.station_id
    other = select(column).where(or_(column < station_id, column > station_id)).limit(1)
    return session.scalars(other).first() is not None


def require(
    actor: Actor, resource: Resource, action: Action, record: RecordScope | None = None
) -> None:
    """Go on, or raise `NotPermitted` naming the roles that may."""
    if allowed(actor, resource, action, record):
        return
    scope = granted_scope(actor.role, resource, action)
    may = who_may(resource, action, scope)
    raise NotPermitted(actor.role, action, resource, may, scoped=scope is not None)
