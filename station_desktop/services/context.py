"""What every service needs, passed in by the composition root (no globals)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.domain.namekeys import NameKeyBuilder
from station_desktop.errors import FieldError, StationNotConfigured, ValidationError
from station_desktop.forms.validate import Cleaned, as_uuid
from station_desktop.i18n import N_
from station_desktop.services.access import SYSTEM, Actor
from station_desktop.store.changes import ChangeRecorder, WriterIdentity, unit_of_work
from station_desktop.store.engine import Database
from station_desktop.store.installation import DatabaseInstallation, Installation
from station_desktop.store.models import Replicated, Resident
from station_desktop.store.opening import STATION_ID_KEY

# Business dates ("today", ages, the under-14 rule) are Lhasa dates. China has one time zone
# and no daylight saving, so a fixed offset needs no tz database (absent on Windows).
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")

MSG_NOT_FOUND = N_("This record no longer exists.")
MSG_BEFORE_BIRTH = N_("This date is before the person was born ({birth}).")
# Who works on this laptop (a staff id; local state, never replicated).
WORKER_ID_KEY = "worker_id"

ModelT = TypeVar("ModelT", bound=Replicated)


@dataclass
class ServiceContext:
    db: Database
    device_id: uuid.UUID
    clock: Callable[[], datetime]
    new_id: Callable[[], uuid.UUID]
    keys: NameKeyBuilder
    actor_id: uuid.UUID | None = None
    # Who signed in (services.access); SYSTEM only where no one has.
    actor: Actor = SYSTEM
    # Where this laptop's own facts (the station it serves) are kept: store.installation.
    installation: Installation = field(default_factory=DatabaseInstallation)
    _station_id: uuid.UUID | None = field(default=None, repr=False)

    def today(self) -> date:
        return self.clock().astimezone(CHINA_TZ).date()

    def station_id(self) -> uuid.UUID:
        """The station this laptop serves; writes need it."""
        if self._station_id is None:
            with self.db.read() as session:
                value = self.installation.get(session, STATION_ID_KEY)
            if not value:
                raise StationNotConfigured()
            self._station_id = uuid.UUID(value)
        return self._station_id

    def forget_station(self) -> None:
        self._station_id = None

    def identity(self) -> WriterIdentity:
        return WriterIdentity(self.device_id, self.station_id(), self.actor_id)

    @contextmanager
    def uow(self) -> Iterator[ChangeRecorder]:
        """One user action = one transaction, every write logged."""
        with unit_of_work(self.db, self.identity(), now=self.clock, new_id=self.new_id) as rec:
            yield rec


def raise_if_invalid(cleaned: Cleaned | list[FieldError]) -> None:
    errors = cleaned.errors if isinstance(cleaned, Cleaned) else cleaned
    if errors:
        raise ValidationError(errors)


def load(session: Session, model: type[ModelT], record_id: uuid.UUID | None) -> ModelT | None:
    """A live (not tombstoned) record, or None."""
    record_id = as_uuid(record_id) if record_id is not None else None
    if record_id is None:
        return None  # not even an id (a script's typo): no such record
    record = session.scalars(
        select(model).where(model.id == record_id, model.deleted.is_(False))
    ).one_or_none()
    return record


def require_record(
    session: Session, model: type[ModelT], record_id: uuid.UUID | None, field_name: str
) -> ModelT:
    record = load(session, model, record_id)
    if record is None:
        raise ValidationError([FieldError(field_name, MSG_NOT_FOUND)])
    return record


def check_reference(
    session: Session,
    model: type[Replicated],
    record_id: uuid.UUID | None,
    field_name: str,
    errors: list[FieldError],
) -> None:
    if record_id is not None and load(session, model, record_id) is None:
        errors.append(FieldError(field_name, MSG_NOT_FOUND))


def check_after_birth(
    session: Session,
    resident_id: uuid.UUID | None,
    day: date | None,
    field_name: str,
    errors: list[FieldError],
) -> None:
    """Nothing happens to a person before they were born: an event dated earlier is a
    typing error (often the year)."""
    resident = load(session, Resident, resident_id)
    if resident is None or day is None or resident.birth_date is None:
        return
    if day < resident.birth_date:
        errors.append(
            FieldError(field_name, MSG_BEFORE_BIRTH, {"birth": resident.birth_date.isoformat()})
        )


def detached(session: Session, records: list[Any]) -> list[Any]:
    """Return ORM objects usable after the session closes (read-only snapshots)."""
    for record in records:
        session.expunge(record)
    return records


ViewT = TypeVar("ViewT")


def plain(view: type[ViewT], row: object, **given: Any) -> ViewT:
    """A plain-value copy of an ORM row for the screens (`view`, a dataclass, names the
    fields it carries; `given` supplies those the row has not): a schema change never
    reaches a screen, and nothing is loaded behind its back after the session closed."""
    names = [f.name for f in dataclasses.fields(view) if f.name not in given]  # type: ignore[arg-type]
    return view(**{name: getattr(row, name) for name in names}, **given)
