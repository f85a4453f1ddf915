"""Group work and community activities with attendance: recorded, corrected, withdrawn."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from station_desktop.domain.ids import attendance_id
from station_desktop.errors import FieldError, NotFound, StationError
from station_desktop.forms.activity import ACTIVITY_FORM
from station_desktop.forms.validate import MSG_BAD_REFERENCE, as_uuid, clean_form
from station_desktop.i18n import N_, Label
from station_desktop.services.access import Action, RecordScope, Resource
from station_desktop.services.context import (
    ServiceContext,
    check_after_birth,
    check_reference,
    load,
    plain,
    raise_if_invalid,
    require_record,
)
from station_desktop.services.corrections import (
    EditableRecord,
    load_editable,
)
from station_desktop.store.changes import ChangeRecorder
from station_desktop.store.models import Activity, Attendance, Resident, SignInList

MSG_NOBODY_ON_LIST = N_("Nobody to put on the list: choose the people expected.")


@dataclass(frozen=True)
class PrintedList:
    """The names a sign-in list to tick was printed with, line by line."""

    list_id: uuid.UUID
    activity_id: uuid.UUID
    station_id: uuid.UUID
    resident_ids: tuple[uuid.UUID, ...]


@dataclass(frozen=True)
class Attendee:
    resident_id: uuid.UUID
    name_bo: str
    name_zh: str
    birth_date: date | None


def _attendee_ids(values: Iterable[Any], errors: list[FieldError]) -> list[uuid.UUID]:
    """The residents to sign in, once each; anything that is not an id is an error."""
    ids: list[uuid.UUID] = []
    for value in values:
        resident_id = as_uuid(value)
        if resident_id is None:
            errors.append(FieldError("attendance", MSG_BAD_REFERENCE))
        else:
            ids.append(resident_id)
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class ActivityView:
    """An activity as its sign-in list shows it."""

    id: uuid.UUID
    title: str
    held_on: date
    headcount_other: int
    area_id: uuid.UUID | None = None  # where it was held: the names of a list to print


class ActivityService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def record(
        self, values: Mapping[str, Any], attendee_ids: Iterable[uuid.UUID] = ()
    ) -> uuid.UUID:
        self.ctx.require(Resource.ACTIVITY, Action.CREATE)
        cleaned = clean_form(ACTIVITY_FORM, values, today=self.ctx.today())
        with self.ctx.uow() as uow:
            attendees = _attendee_ids(attendee_ids, cleaned.errors)
            for resident_id in attendees:
                check_reference(uow.session, Resident, resident_id, "attendance", cleaned.errors)
                check_after_birth(
                    uow.session,
                    resident_id,
                    cleaned.values.get("held_on"),
                    "attendance",
                    cleaned.errors,
                )
            raise_if_invalid(cleaned)
            activity_id = uow.insert(
                Activity, {**cleaned.values, "form_version": ACTIVITY_FORM.version}
            )
            self._add(uow, activity_id, attendees)
        return activity_id

    def editable(self, activity_id: uuid.UUID) -> EditableRecord | None:
        """The activity as its form shows it (not its sign-in list: see `attendees`), or
        None if there is no such live activity."""
        self.ctx.require(Resource.ACTIVITY, Action.UPDATE)
        with self.ctx.db.read() as session:
            return load_editable(session, Activity, ACTIVITY_FORM, activity_id)

    def update(
        self,
        activity_id: uuid.UUID,
        values: Mapping[str, Any],
        *,
        based_on: Sequence[str] | None = None,
    ) -> bool:
        """Correct some fields of the activity's form (the form has no rule across its
        fields). False when nothing changed."""
        self.ctx.require(Resource.ACTIVITY, Action.UPDATE)
        cleaned = clean_form(ACTIVITY_FORM, values, today=self.ctx.today(), only_given=True)
        with self.ctx.uow() as uow:
            record = require_record(uow.session, Activity, activity_id, "activity")
            self.ctx.require(Resource.ACTIVITY, Action.UPDATE, RecordScope.of(record.station_id))
            raise_if_invalid(cleaned)
            changed = uow.update(Activity, activity_id, cleaned.values, based_on=based_on)
        return changed is not None

    def withdraw(self, activity_id: uuid.UUID, *, based_on: Sequence[str] | None = None) -> None:
        """Tombstone an activity recorded by mistake. Its sign-ins are left as they are:
        they hang from the activity, and lists and reports count none of a withdrawn one."""
        self.ctx.require(Resource.ACTIVITY, Action.DELETE)
        with self.ctx.uow() as uow:
            record = require_record(uow.session, Activity, activity_id, "activity")
            self.ctx.require(Resource.ACTIVITY, Action.DELETE, RecordScope.of(record.station_id))
            uow.tombstone(Activity, activity_id, based_on=based_on)

    def get(self, activity_id: uuid.UUID) -> ActivityView:
        """The activity (NotFound when it is gone: withdrawn, or never here)."""
        self.ctx.require(Resource.ACTIVITY, Action.READ)
        with self.ctx.db.read() as session:
            activity = load(session, Activity, activity_id)
            if activity is None:
                raise NotFound(kind=Label(N_("Activity")), record_id=str(activity_id))
            return plain(ActivityView, activity)

    def add_attendees(self, activity_id: uuid.UUID, resident_ids: Iterable[uuid.UUID]) -> int:
        """Add named participants; someone already signed in is not added twice."""
        self.ctx.require(Resource.ACTIVITY, Action.UPDATE)
        with self.ctx.uow() as uow:
            return self.add_attendees_in(uow, activity_id, resident_ids)

    def add_attendees_in(
        self, uow: ChangeRecorder, activity_id: uuid.UUID, resident_ids: Iterable[uuid.UUID]
    ) -> int:
        """`add_attendees` within the caller's unit of work (a pile of scanned lists)."""
        activity = require_record(uow.session, Activity, activity_id, "activity")
        self.ctx.require(Resource.ACTIVITY, Action.UPDATE, RecordScope.of(activity.station_id))
        errors: list[FieldError] = []
        ids = _attendee_ids(resident_ids, errors)
        for resident_id in ids:
            check_reference(uow.session, Resident, resident_id, "attendance", errors)
            check_after_birth(uow.session, resident_id, activity.held_on, "attendance", errors)
        raise_if_invalid(errors)
        return self._add(uow, activity_id, ids)

    def prepare_sign_in_list(
        self, activity_id: uuid.UUID, resident_ids: Sequence[uuid.UUID]
    ) -> uuid.UUID:
        """Keep the names a sign-in list to tick is printed with, in their order: when the
        list comes back scanned, its lines are matched to them."""
        with self.ctx.uow() as uow:
            activity = require_record(uow.session, Activity, activity_id, "activity")
            self.ctx.require(Resource.ACTIVITY, Action.UPDATE, RecordScope.of(activity.station_id))
            errors: list[FieldError] = []
            ids = _attendee_ids(resident_ids, errors)
            for resident_id in ids:
                check_reference(uow.session, Resident, resident_id, "attendance", errors)
            if not ids:
                raise StationError(MSG_NOBODY_ON_LIST)
            raise_if_invalid(errors)
            return uow.insert(
                SignInList, {"activity_id": activity.id, "resident_ids": [str(r) for r in ids]}
            )

    def sign_in_list(self, list_id: uuid.UUID) -> PrintedList | None:
        """A sign-in list as printed (None if there is no such list)."""
        with self.ctx.db.read() as session:
            row = load(session, SignInList, list_id)
            if row is None:
                return None
            return PrintedList(
                row.id,
                row.activity_id,
                row.station_id,
                tuple(uuid.UUID(r) for r in row.resident_ids),
            )

    def remove_attendee(self, activity_id: uuid.UUID, resident_id: uuid.UUID) -> bool:
        """Take a name off the sign-in list (signed in by mistake); True if it was on it.
        Signing the person in again later brings the same attendance back."""
        self.ctx.require(Resource.ACTIVITY, Action.UPDATE)
        with self.ctx.uow() as uow:
            record = require_record(uow.session, Activity, activity_id, "activity")
            self.ctx.require(Resource.ACTIVITY, Action.UPDATE, RecordScope.of(record.station_id))
            record_id = attendance_id(activity_id, resident_id)
            if load(uow.session, Attendance, record_id) is None:
                return False
            uow.tombstone(Attendance, record_id)
            return True

    def attendees(self, activity_id: uuid.UUID) -> list[Attendee]:
        """The named participants, in the order they signed in."""
        self.ctx.require(Resource.ACTIVITY, Action.READ)
        with self.ctx.db.read() as session:
            rows = session.execute(
                select(Resident.id, Resident.name_bo, Resident.name_zh, Resident.birth_date)
                .join(Attendance, Attendance.resident_id == Resident.id)
                .where(
                    Attendance.activity_id == activity_id,
                    Attendance.deleted.is_(False),
                    Resident.deleted.is_(False),
                )
                .order_by(Attendance.created_at, Attendance.id)
            ).all()
        return [Attendee(*row) for row in rows]

    def _add(
        self, uow: ChangeRecorder, activity_id: uuid.UUID, resident_ids: list[uuid.UUID]
    ) -> int:
        wanted = {attendance_id(activity_id, r): r for r in resident_ids}
        present = dict(
            uow.session.execute(
                select(Attendance.id, Attendance.deleted).where(Attendance.id.in_(list(wanted)))
            ).all()
        )
        for removed in [aid for aid, deleted in present.items() if deleted]:
            uow.update(Attendance, removed, {"deleted": False})  # signed in again
        new = [(aid, rid) for aid, rid in wanted.items() if aid not in present]
        uow.insert_many(
            Attendance,
            [{"activity_id": activity_id, "resident_id": rid} for _, rid in new],
            record_ids=[aid for aid, _ in new],
        )
        return len(new) + sum(1 for deleted in present.values() if deleted)
