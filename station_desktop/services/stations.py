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
from station_desktop.domain.text import normalize_text
from station_desktop.errors import (
    FieldError,
    NotFound,
    StationError,
    StationNotConfigured,
    ValidationError,
)
from station_desktop.i18n import N_, Label
from station_desktop.reference.stations import ReferenceStation, StationList, bundled_stations
from station_desktop.services.context import WORKER_ID_KEY, ServiceContext
from station_desktop.store.changes import (
    ChangeRecorder,
    WriterIdentity,
    get_local_state,
    set_local_state,
    unit_of_work,
)
from station_desktop.store.models import Area, Device, Staff, Station
from station_desktop.store.opening import STATION_ID_KEY

CodeT = TypeVar("CodeT", bound=Code)

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
        with self._reference_uow() as uow:
            return uow.insert(
                Station,
                {
                    "code": _reference_code(uow.session, Station, info.code),
                    "kind": _parse_code(StationKind, info.kind, "kind").value,
                    "name_bo": normalize_text(info.name_bo),
                    "name_zh": normalize_text(info.name_zh),
                    "county_bo": normalize_text(info.county_bo),
                    "county_zh": normalize_text(info.county_zh),
                },
            )

    def install_bundled(self, stations: Sequence[ReferenceStation]) -> dict[str, int]:
        """Write bundled stations and those of their villages and communities this database
        lacks (by code; ids derived from the codes, the same on every laptop), in one
        transaction. Returns how many stations and areas were written."""
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
            set_local_state(uow.session, STATION_ID_KEY, str(station.id))
            uow.session.execute(
                update(Device).where(Device.id == self.ctx.device_id).values(station_id=station.id)
            )
            view = _station_view(station)
        self.ctx.forget_station()
        return view

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
        area_kind = _parse_code(AreaKind, kind, "kind")
        with self.ctx.uow() as uow:
            return uow.insert(
                Area,
                {
                    "code": _reference_code(uow.session, Area, code),
                    "kind": area_kind.value,
                    "name_bo": normalize_text(name_bo),
                    "name_zh": normalize_text(name_zh),
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
        staff_role = _parse_code(StaffRole, role, "role")
        if not normalize_text(name_bo) and not normalize_text(name_zh):
            raise ValidationError(
                [FieldError("name_bo", N_("Give the name in Tibetan or in Chinese."))]
            )
        with self.ctx.uow() as uow:
            return uow.insert(
                Staff,
                {
                    "name_bo": normalize_text(name_bo),
                    "name_zh": normalize_text(name_zh),
                    "role": staff_role.value,
                    "active": True,
                },
            )

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
            set_local_state(session, WORKER_ID_KEY, str(staff_id) if staff_id else "")
        self.ctx.actor_id = staff_id

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
            value = get_local_state(session, WORKER_ID_KEY)
        self.ctx.actor_id = uuid.UUID(value) if value else None
        worker = self.current_worker()
        if worker is None or worker.station_id != self._station_or_none():
            self.ctx.actor_id = None
            return None
        return worker


def _install(uow: ChangeRecorder, station: ReferenceStation) -> dict[str, int]:
    session = uow.session
    written = {"stations": 0, "areas": 0}
    present = session.scalars(select(Station.id).where(Station.code == station.code)).first()
    if present is None:
        uow.insert(
            Station,
            {
                "code": station.code,
                "kind": station.kind.value,
                "name_bo": station.name_bo,
                "name_zh": station.name_zh,
                "county_bo": station.district.name_bo,
                "county_zh": station.district.name_zh,
            },
            record_id=station.id,
        )
        written["stations"] = 1
        present = station.id
    codes = [area.code for area in station.areas]
    known = set(session.scalars(select(Area.code).where(Area.code.in_(codes))))
    missing = [area for area in station.areas if area.code not in known]
    uow.insert_many(
        Area,
        [
            {
                "station_id": present,
                "code": area.code,
                "kind": area.kind.value,
                "name_bo": area.name_bo,
                "name_zh": area.name_zh,
            }
            for area in missing
        ],
        record_ids=[area.id for area in missing],
    )
    written["areas"] = len(missing)
    return written

