"""Home visits: recorded, corrected, withdrawn."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from station_desktop.forms.validate import Cleaned, clean_form
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.i18n import N_
from station_desktop.services.access import Action, RecordScope, Resource
from station_desktop.services.context import (
    ServiceContext,
    check_after_birth,
    check_reference,
    raise_if_invalid,
    require_record,
)
from station_desktop.services.corrections import (
    EditableRecord,
    load_editable,
    to_columns,
    with_record,
)
from station_desktop.store.models import HomeVisit, Resident, Staff

MSG_NEXT_BEFORE = N_("The next visit must come after this one.")


class VisitService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def record(self, values: Mapping[str, Any]) -> uuid.UUID:
        self.ctx.require(Resource.VISIT, Action.CREATE)
        cleaned = clean_form(VISIT_FORM, values, today=self.ctx.today())
        with self.ctx.uow() as uow:
            self._check(uow.session, cleaned)
            raise_if_invalid(cleaned)
            v = cleaned.values
            return uow.insert(
                HomeVisit,
                {
                    **to_columns(VISIT_FORM, v),
                    "household_id": _household_of(uow.session, v["resident_id"]),
                    "form_version": VISIT_FORM.version,
                },
            )

    def editable(self, visit_id: uuid.UUID) -> EditableRecord | None:
        """The visit as its form shows it, or None if there is no such live visit."""
        self.ctx.require(Resource.VISIT, Action.UPDATE)
        with self.ctx.db.read() as session:
            return load_editable(session, HomeVisit, VISIT_FORM, visit_id)

    def update(
        self,
        visit_id: uuid.UUID,
        values: Mapping[str, Any],
        *,
        based_on: Sequence[str] | None = None,
    ) -> bool:
        """Correct some fields, under the rules of recording. False when nothing changed."""
        self.ctx.require(Resource.VISIT, Action.UPDATE)
        cleaned = clean_form(VISIT_FORM, values, today=self.ctx.today(), only_given=True)
        with self.ctx.uow() as uow:
            visit = require_record(uow.session, HomeVisit, visit_id, "visit")
            self.ctx.require(Resource.VISIT, Action.UPDATE, RecordScope.of(visit.station_id))
            self._check(uow.session, with_record(VISIT_FORM, visit, cleaned))
            raise_if_invalid(cleaned)
            changes = to_columns(VISIT_FORM, cleaned.values)
            resident_id = cleaned.values.get("resident_id", visit.resident_id)
            if resident_id != visit.resident_id:
                # The household visited is the one the (right) resident belongs to.
                changes["household_id"] = _household_of(uow.session, resident_id)
            return uow.update(HomeVisit, visit_id, changes, based_on=based_on) is not None

    def withdraw(self, visit_id: uuid.UUID, *, based_on: Sequence[str] | None = None) -> None:
        """Tombstone a visit recorded by mistake: it leaves lists, follow-ups and reports;
        the withdrawal stays in the change log."""
        self.ctx.require(Resource.VISIT, Action.DELETE)
        with self.ctx.uow() as uow:
            record = require_record(uow.session, HomeVisit, visit_id, "visit")
            self.ctx.require(Resource.VISIT, Action.DELETE, RecordScope.of(record.station_id))
            uow.tombstone(HomeVisit, visit_id, based_on=based_on)

    def _check(self, session: Session, cleaned: Cleaned) -> None:
        """Rules across fields and records; adds field errors to `cleaned`."""
        v = cleaned.values
        if v.get("visit_date") and v.get("next_visit_on") and v["next_visit_on"] <= v["visit_date"]:
            cleaned.error("next_visit_on", MSG_NEXT_BEFORE)
        check_reference(session, Resident, v.get("resident_id"), "resident_id", cleaned.errors)
        check_after_birth(
            session, v.get("resident_id"), v.get("visit_date"), "visit_date", cleaned.errors
        )
        for staff_id in v.get("visitor_ids") or []:
            check_reference(session, Staff, staff_id, "visitor_ids", cleaned.errors)


def _household_of(session: Session, resident_id: uuid.UUID) -> uuid.UUID | None:
    resident = session.get(Resident, resident_id)
    assert resident is not None  # checked by `_check`
    return resident.household_id
