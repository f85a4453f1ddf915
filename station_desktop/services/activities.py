"""Group work and community activities with attendance."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select

from station_desktop.domain.ids import attendance_id
from station_desktop.errors import FieldError
from station_desktop.forms.activity import ACTIVITY_FORM
from station_desktop.forms.validate import clean_form
from station_desktop.services.context import (
    ServiceContext,
    check_reference,
    raise_if_invalid,
    require_record,
)
from station_desktop.store.changes import ChangeRecorder
from station_desktop.store.models import Activity, Attendance, Resident


class ActivityService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def record(
        self, values: Mapping[str, Any], attendee_ids: Iterable[uuid.UUID] = ()
    ) -> uuid.UUID:
        cleaned = clean_form(ACTIVITY_FORM, values, today=self.ctx.today())
        with self.ctx.uow() as uow:
            attendees = list(dict.fromkeys(attendee_ids))
            for resident_id in attendees:
                check_reference(uow.session, Resident, resident_id, "attendance", cleaned.errors)
            raise_if_invalid(cleaned)
            activity_id = uow.insert(
                Activity, {**cleaned.values, "form_version": ACTIVITY_FORM.version}
            )
            self._add(uow, activity_id, attendees)
        return activity_id

    def add_attendees(self, activity_id: uuid.UUID, resident_ids: Iterable[uuid.UUID]) -> int:
        """Add named participants; someone already signed in is not added twice."""
        with self.ctx.uow() as uow:
            require_record(uow.session, Activity, activity_id, "activity")
            errors: list[FieldError] = []
            ids = list(dict.fromkeys(resident_ids))
            for resident_id in ids:
                check_reference(uow.session, Resident, resident_id, "attendance", errors)
            raise_if_invalid(errors)
            return self._add(uow, activity_id, ids)

    def _add(
        self, uow: ChangeRecorder, activity_id: uuid.UUID, resident_ids: list[uuid.UUID]
    ) -> int:
        wanted = {attendance_id(activity_id, r): r for r in resident_ids}
        present = set(
            uow.session.scalars(select(Attendance.id).where(Attendance.id.in_(list(wanted))))
        )
        new = [(aid, rid) for aid, rid in wanted.items() if aid not in present]
        uow.insert_many(
            Attendance,
            [{"activity_id": activity_id, "resident_id": rid} for _, rid in new],
            record_ids=[aid for aid, _ in new],
        )
        return len(new)
