"""Reference data a station works with: stations, villages/communities, staff.

In production the bureau distributes the station and area lists; this service writes them
through the change log like everything else so they travel the same way.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from station_desktop.domain.codes import AreaKind, Code, StaffRole, StationKind
from station_desktop.domain.text import has_unstorable, normalize_text
from station_desktop.errors import FieldError, NotFound, StationNotConfigured, ValidationError
from station_desktop.forms.validate import MSG_TOO_LONG, MSG_UNSTORABLE
from station_desktop.i18n import N_, Label
from station_desktop.services.context import ServiceContext, detached
from station_desktop.store.changes import WriterIdentity, unit_of_work
from station_desktop.store.models import NAME_LEN, SHORT_LEN, Area, Device, Staff, Station
from station_desktop.store.opening import STATION_ID_KEY

CodeT = TypeVar("CodeT", bound=Code)

MSG_CODE_TAKEN = N_("This code is already used.")
MSG_BAD_CODE = N_("Choose one of the listed options.")
MSG_CODE_FORMAT = N_("A code has 1 to 40 letters, digits and hyphens, like {example}.")
_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$")


def _reference_code(session: Session, model: type[Station] | type[Area], code: str) -> str:
    """The normalised code, checked for form and for being free (else a field error)."""
    cleaned = normalize_text(str(code)).upper()
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
    code: str
    kind: StationKind
    name_bo: str
    name_zh: str
    county_bo: str = ""
    county_zh: str = ""


class StationService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def _reference_identity(self) -> WriterIdentity:
        # Reference data may be written before this laptop has chosen its station.
        try:
            return self.ctx.identity()
        except StationNotConfigured:
            return WriterIdentity(self.ctx.device_id, None, self.ctx.actor_id)

    def add_station(self, info: StationInfo) -> uuid.UUID:
        names = _names(
            SHORT_LEN,
            name_bo=info.name_bo,
            name_zh=info.name_zh,
            county_bo=info.county_bo,
            county_zh=info.county_zh,
        )
        with unit_of_work(
            self.ctx.db, self._reference_identity(), now=self.ctx.clock, new_id=self.ctx.new_id
        ) as uow:
            return uow.insert(
                Station,
                {
                    "code": _reference_code(uow.session, Station, info.code),
                    "kind": _parse_code(StationKind, info.kind, "kind").value,
                    **names,
                },
            )

    def use_station(self, code: str) -> Station:
        """Make this laptop serve the station with `code` (stored in local state)."""
        if has_unstorable(code):
            raise ValidationError([FieldError("code", MSG_UNSTORABLE)])
        with self.ctx.db.write_session() as session:
            station = session.scalars(
                select(Station).where(
                    Station.code == normalize_text(code).upper(), Station.deleted.is_(False)
                )
            ).one_or_none()
            if station is None:
                raise NotFound(kind=Label(N_("station")), record_id=code)
            self.ctx.installation.set(session, STATION_ID_KEY, str(station.id))
            session.execute(
                update(Device).where(Device.id == self.ctx.device_id).values(station_id=station.id)
            )
            session.expunge(station)
        self.ctx.forget_station()
        return station

    def current_station(self) -> Station | None:
        try:
            station_id = self.ctx.station_id()
        except StationNotConfigured:
            return None
        with self.ctx.db.read() as session:
            station = session.get(Station, station_id)
            if station is not None:
                session.expunge(station)
            return station

    def stations(self) -> list[Station]:
        with self.ctx.db.read() as session:
            rows = list(
                session.scalars(
                    select(Station).where(Station.deleted.is_(False)).order_by(Station.code)
                )
            )
            return detached(session, rows)

    def add_area(self, code: str, kind: AreaKind | str, name_bo: str, name_zh: str) -> uuid.UUID:
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

    def areas(self) -> list[Area]:
        with self.ctx.db.read() as session:
            rows = list(
                session.scalars(select(Area).where(Area.deleted.is_(False)).order_by(Area.code))
            )
            return detached(session, rows)

    def area_by_code(self, code: str) -> Area | None:
        with self.ctx.db.read() as session:
            area = session.scalars(
                select(Area).where(
                    Area.code == normalize_text(code).upper(), Area.deleted.is_(False)
                )
            ).one_or_none()
            if area is not None:
                session.expunge(area)
            return area

    def add_staff(self, name_bo: str, name_zh: str, role: StaffRole | str) -> uuid.UUID:
        staff_role = _parse_code(StaffRole, role, "role")
        names = _names(NAME_LEN, name_bo=name_bo, name_zh=name_zh)
        if not names["name_bo"] and not names["name_zh"]:
            raise ValidationError(
                [FieldError("name_bo", N_("Give the name in Tibetan or in Chinese."))]
            )
        with self.ctx.uow() as uow:
            return uow.insert(
                Staff,
                {**names, "role": staff_role.value, "active": True},
            )

    def staff(self) -> list[Staff]:
        with self.ctx.db.read() as session:
            rows = list(
                session.scalars(
                    select(Staff).where(Staff.deleted.is_(False)).order_by(Staff.name_zh)
                )
            )
            return detached(session, rows)
