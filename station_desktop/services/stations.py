"""Reference data a station works with: stations, villages/communities, staff, and who is
working on this laptop.

Lhasa's stations and their villages and communities come with the installation
(`station_desktop.reference`); choosing one writes it and its villages into this database
through the change log, like everything else, so they travel the same way. Screens and the
command line get plain values (`StationView`, `AreaView`, `StaffView`), never ORM rows.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from station_desktop.domain.codes import AreaKind, Code, StaffRole, StationKind
from station_desktop.domain.text import has_unstorable, normalize_text
from station_desktop.errors import (
    FieldError,
    NotFound,
    NotPermitted,
    StationError,
    StationNotConfigured,
    ValidationError,
)
from station_desktop.forms.validate import MSG_TOO_LONG, MSG_UNSTORABLE
from station_desktop.i18n import N_, Label
from station_desktop.reference.stations import ReferenceStation, StationList, bundled_stations
from station_desktop.services.access import (
    SYSTEM,
    Action,
    Actor,
    RecordScope,
    Resource,
    Scope,
    granted_scope,
)
from station_desktop.services.context import WORKER_ID_KEY, ServiceContext, require_record
from station_desktop.store.audit import record_event
from station_desktop.store.changes import ChangeRecorder, WriterIdentity, unit_of_work
from station_desktop.store.installation import ROLE_BUREAU, installation_role
from station_desktop.store.models import NAME_LEN, SHORT_LEN, Area, Device, Staff, Station
from station_desktop.store.opening import STATION_ID_KEY
from station_desktop.store.reference_seed import SeedArea, SeedStation, seed_reference

CodeT = TypeVar("CodeT", bound=Code)
# Roles that reach every station: only the bureau gives them.
BUREAU_ROLES = (StaffRole.BUREAU_ADMIN, StaffRole.AUDITOR)

MSG_CODE_TAKEN = N_("This code is already used.")
MSG_NO_SUCH_STATION = N_("No station has the code {code}; {command} lists them.")
LIST_COMMAND = "station-desktop stations list"
MSG_BAD_CODE = N_("Choose one of the listed options.")
MSG_CODE_FORMAT = N_("A code has 1 to 40 letters, digits and hyphens, like {example}.")
_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


def _reference_code(session: Session, model: type[Station] | type[Area], code: str) -> str:
    """The normalised code, checked for form and for being free (else a field error)."""
    cleaned = normalize_text(code).upper()
    if not _CODE_PATTERN.match(cleaned):
        raise ValidationError([FieldError("code", MSG_CODE_FORMAT, {"example": "CG-BK-01"})])
    if session.scalars(select(model.id).where(model.code == cleaned)).first() is not None:
        raise ValidationError([FieldError("code", MSG_CODE_TAKEN)])
    return cleaned


def _names(limit: int, **names: str) -> dict[str, str]:
    """Names normalised, or a ValidationError naming each field that is too long or holds
    characters that cannot be stored."""
    cleaned = {field: normalize_text(str(value)) for field, value in names.items()}
    errors = [
        FieldError(field, MSG_UNSTORABLE)
        if has_unstorable(value)
        else FieldError(field, MSG_TOO_LONG, {"limit": limit, "length": len(value)})
        for field, value in cleaned.items()
        if has_unstorable(value) or len(value) > limit
    ]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _parse_code(code_list: type[CodeT], value: str, field: str) -> CodeT:
    try:
        return code_list.parse(value)
    except ValueError:
        raise ValidationError([FieldError(field, MSG_BAD_CODE)]) from None


@dataclass(frozen=True)
class StationInfo:
    """A station to add by hand (one that is not in the bundled list)."""

    code: str
    kind: StationKind
    name_bo: str
    name_zh: str
    county_bo: str = ""
    county_zh: str = ""


@dataclass(frozen=True)
class StationView:
    id: uuid.UUID
    code: str
    kind: str
    name_bo: str
    name_zh: str
    county_bo: str
    county_zh: str


@dataclass(frozen=True)
class AreaView:
    """A village or community."""

    id: uuid.UUID
    station_id: uuid.UUID
    code: str
    kind: str
    name_bo: str
    name_zh: str


@dataclass(frozen=True)
class StaffView:
    id: uuid.UUID
    station_id: uuid.UUID
    name_bo: str
    name_zh: str
    role: str
    active: bool


def _station_view(row: Station) -> StationView:
    return StationView(
        row.id, row.code, row.kind, row.name_bo, row.name_zh, row.county_bo, row.county_zh
    )


def _area_view(row: Area) -> AreaView:
    return AreaView(row.id, row.station_id, row.code, row.kind, row.name_bo, row.name_zh)


def _staff_view(row: Staff) -> StaffView:
    return StaffView(row.id, row.station_id, row.name_bo, row.name_zh, row.role, row.active)


class StationService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _reference_identity(self) -> WriterIdentity:
        # Reference data may be written before this laptop has chosen its station.
        try:
            return self.ctx.identity()
        except StationNotConfigured:
            return WriterIdentity(self.ctx.device_id, None, self.ctx.actor_id)

    def _reference_uow(self) -> AbstractContextManager[ChangeRecorder]:
        return unit_of_work(
            self.ctx.db, self._reference_identity(), now=self.ctx.clock, new_id=self.ctx.new_id
        )

    # ------------------------------------------------------------ stations

    def bundled(self) -> StationList:
        """Lhasa's stations as they come with the installation."""
        return bundled_stations()

    def add_station(self, info: StationInfo) -> uuid.UUID:
        self.ctx.require(Resource.STATION, Action.CREATE)
        names = _names(
            SHORT_LEN,
            name_bo=info.name_bo,
            name_zh=info.name_zh,
            county_bo=info.county_bo,
            county_zh=info.county_zh,
        )
        with self._reference_uow() as uow:
            return uow.insert(
                Station,
                {
                    "code": _reference_code(uow.session, Station, info.code),
                    "kind": _parse_code(StationKind, info.kind, "kind").value,
                    **names,
                },
            )

    def install_bundled(self, stations: Sequence[ReferenceStation]) -> dict[str, int]:
        """Write bundled stations and those of their villages and communities this database
        lacks (by code; ids derived from the codes, the same on every laptop), in one
        transaction. Returns how many stations and areas were written."""
        self.ctx.require(Resource.STATION, Action.CREATE)
        written = {"stations": 0, "areas": 0}
        with self._reference_uow() as uow:
            for station in stations:
                for kind, count in _install(uow, station).items():
                    written[kind] += count
        return written

    def use_station(self, code: str) -> StationView:
        """Make this laptop serve the station with `code` (stored in local state): one this
        database holds, or one of the bundled list, which is written here first with its
        villages and communities."""
        self.ctx.require(Resource.STATION, Action.CREATE)
        if has_unstorable(code):
            raise ValidationError([FieldError("code", MSG_UNSTORABLE)])
        wanted = normalize_text(code).upper()
        bundled = self.bundled().find(wanted)
        with self._reference_uow() as uow:
            if bundled is not None:
                _install(uow, bundled)
            station = uow.session.scalars(
                select(Station).where(Station.code == wanted, Station.deleted.is_(False))
            ).one_or_none()
            if station is None:
                raise StationError(MSG_NO_SUCH_STATION, code=code, command=LIST_COMMAND)
            self.ctx.installation.set(uow.session, STATION_ID_KEY, str(station.id))
            uow.session.execute(
                update(Device).where(Device.id == self.ctx.device_id).values(station_id=station.id)
            )
            view = _station_view(station)
        self.ctx.forget_station()
        self.act_as_stand_in()
        return view

    def serves_every_station(self) -> bool:
        """The bureau's installation (`setup --bureau`): it receives every station and
        serves none, so start-up asks for no station."""
        with self.ctx.db.read() as session:
            return installation_role(session) == ROLE_BUREAU

    def current_station(self) -> StationView | None:
        try:
            station_id = self.ctx.station_id()
        except StationNotConfigured:
            return None
        with self.ctx.db.read() as session:
            station = session.get(Station, station_id)
            return None if station is None else _station_view(station)

    def stations(self) -> list[StationView]:
        with self.ctx.db.read() as session:
            rows = session.scalars(
                select(Station).where(Station.deleted.is_(False)).order_by(Station.code)
            )
            return [_station_view(row) for row in rows]

    # ------------------------------------------------------------ villages and communities

    def add_area(self, code: str, kind: AreaKind | str, name_bo: str, name_zh: str) -> uuid.UUID:
        self.ctx.require(Resource.STATION, Action.CREATE)
        area_kind = _parse_code(AreaKind, kind, "kind")
        names = _names(SHORT_LEN, name_bo=name_bo, name_zh=name_zh)
        with self.ctx.uow() as uow:
            return uow.insert(
                Area,
                {
                    "code": _reference_code(uow.session, Area, code),
                    "kind": area_kind.value,
                    **names,
                },
            )

    def areas(self, *, all_stations: bool = False) -> list[AreaView]:
        """This station's villages and communities (every station's, to name those of
        records from elsewhere)."""
        query = select(Area).where(Area.deleted.is_(False)).order_by(Area.code)
        with self.ctx.db.read() as session:
            if not all_stations:
                query = query.where(Area.station_id == self._station_or_none())
            return [_area_view(row) for row in session.scalars(query)]

    def area_by_code(self, code: str) -> AreaView | None:
        with self.ctx.db.read() as session:
            area = session.scalars(
                select(Area).where(
                    Area.code == normalize_text(code).upper(), Area.deleted.is_(False)
                )
            ).one_or_none()
            return None if area is None else _area_view(area)

    # ------------------------------------------------------------ staff

    def add_staff(self, name_bo: str, name_zh: str, role: StaffRole | str) -> uuid.UUID:
        self.ctx.require(Resource.STAFF, Action.CREATE)
        staff_role = _parse_code(StaffRole, role, "role")
        self._may_give(staff_role, Action.CREATE)
        names = _names(NAME_LEN, name_bo=name_bo, name_zh=name_zh)
        if not names["name_bo"] and not names["name_zh"]:
            raise ValidationError(
                [FieldError("name_bo", N_("Give the name in Tibetan or in Chinese."))]
            )
        with self.ctx.uow() as uow:
            return uow.insert(Staff, {**names, "role": staff_role.value, "active": True})

    def change_role(self, staff_id: uuid.UUID, role: StaffRole | str) -> bool:
        """Give a staff member another role (recorded in the audit trail: who, whose, the
        field; never a personal value). False when it was their role already."""
        staff_role = _parse_code(StaffRole, role, "role")
        with self.ctx.uow() as uow:
            staff = require_record(uow.session, Staff, staff_id, "staff")
            self.ctx.require(Resource.STAFF, Action.UPDATE, RecordScope.of(staff.station_id))
            self._may_give(staff_role, Action.UPDATE)
            if staff.role == staff_role.value:
                return False
            uow.update(Staff, staff_id, {"role": staff_role.value})
            record_event(
                uow.session,
                actor_id=self.ctx.actor.staff_id,
                action="role_change",
                entity="staff",
                entity_id=str(staff_id),
                fields=("role",),
            )
        if staff_id == self.ctx.actor_id:  # the person at the laptop: their new role
            self.act_as_stand_in()
        return True

    def _may_give(self, role: StaffRole, action: Action) -> None:
        """The bureau's roles (every station) are given by the bureau: a station head who
        could make someone an auditor or an administrator could read every station."""
        actor = self.ctx.actor
        if actor is SYSTEM or role not in BUREAU_ROLES:
            return
        if granted_scope(actor.role, Resource.STAFF, action) is not Scope.ALL:
            raise NotPermitted(actor.role, action, Resource.STAFF, (StaffRole.BUREAU_ADMIN,))

    def staff(self, *, all_stations: bool = False) -> list[StaffView]:
        """This station's staff (every station's, to name the authors of records from
        elsewhere)."""
        query = select(Staff).where(Staff.deleted.is_(False)).order_by(Staff.name_zh)
        with self.ctx.db.read() as session:
            if not all_stations:
                query = query.where(Staff.station_id == self._station_or_none())
            return [_staff_view(row) for row in session.scalars(query)]

    def _station_or_none(self) -> uuid.UUID | None:
        try:
            return self.ctx.station_id()
        except StationNotConfigured:
            return None

    # ------------------------------------------------------------ who is working

    def choose_worker(self, staff_id: uuid.UUID | None) -> None:
        """Who works on this laptop from now on (remembered here, never replicated): they
        sign the notes, stage changes, visits and sheets written here."""
        with self.ctx.db.write_session() as session:
            if staff_id is not None and (
                session.scalars(
                    select(Staff.id).where(
                        Staff.id == staff_id, Staff.deleted.is_(False), Staff.active.is_(True)
                    )
                ).first()
                is None
            ):
                raise NotFound(kind=Label(N_("staff member")), record_id=str(staff_id))
            self.ctx.installation.set(session, WORKER_ID_KEY, str(staff_id) if staff_id else "")
        self.ctx.actor_id = staff_id
        self.act_as_stand_in()

    def current_worker(self) -> StaffView | None:
        """Who works on this laptop, if still an active staff member."""
        if self.ctx.actor_id is None:
            return None
        with self.ctx.db.read() as session:
            row = session.get(Staff, self.ctx.actor_id)
            if row is None or row.deleted or not row.active:
                return None
            return _staff_view(row)

    def restore_worker(self) -> StaffView | None:
        """At start-up: the worker this laptop remembers, if still an active staff member
        of its station; they sign what is written from now on."""
        with self.ctx.db.read() as session:
            value = self.ctx.installation.get(session, WORKER_ID_KEY)
        self.ctx.actor_id = uuid.UUID(value) if value else None
        worker = self.current_worker()
        if worker is None or worker.station_id != self._station_or_none():
            self.ctx.actor_id = None
            worker = None
        self.act_as_stand_in()
        return worker

    def act_as_stand_in(self) -> Actor:
        """Who the services act for until sign-in exists (the merge with it replaces
        this function by the person who signed in): the worker chosen on this laptop,
        with their role; else the head of this laptop's station (on the bureau's
        installation, its administrator)."""
        worker = self.current_worker()
        station = self._station_or_none()
        if worker is not None:
            actor = Actor(worker.id, StaffRole.parse(worker.role), worker.station_id)
        elif self.serves_every_station() or (self.ctx.db.is_server and station is None):
            # The bureau's database server (its own logins guard it) opened by a laptop
            # that serves no station: the bureau's administrator, as `setup --bureau` says.
            actor = Actor(None, StaffRole.BUREAU_ADMIN, None)
        else:
            actor = Actor(None, StaffRole.STATION_HEAD, station)
        self.ctx.actor = actor
        return actor


def _install(uow: ChangeRecorder, station: ReferenceStation) -> dict[str, int]:
    """The bundled station and its villages and communities, seeded as every installation
    seeds them (store.reference_seed: the same change-log entries on every laptop, so they
    are one when laptops meet); those already here (by code) are left as they are."""
    seed = SeedStation(
        station.code,
        station.kind.value,
        station.name_bo,
        station.name_zh,
        station.district.name_bo,
        station.district.name_zh,
    )
    areas = [
        SeedArea(area.code, station.code, area.kind.value, area.name_bo, area.name_zh)
        for area in station.areas
    ]
    return seed_reference(uow.session, [seed], areas)
