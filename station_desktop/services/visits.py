"""Home visits."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from station_desktop.forms.validate import clean_form
from station_desktop.forms.visit import VISIT_FORM
from station_desktop.i18n import N_
from station_desktop.services.context import ServiceContext, check_reference, raise_if_invalid
from station_desktop.store.models import HomeVisit, Resident, Staff

MSG_NEXT_BEFORE = N_("The next visit must come after this one.")


class VisitService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def record(self, values: Mapping[str, Any]) -> uuid.UUID:
        cleaned = clean_form(VISIT_FORM, values, today=self.ctx.today())
        v = cleaned.values
        if v.get("visit_date") and v.get("next_visit_on") and v["next_visit_on"] <= v["visit_date"]:
            cleaned.error("next_visit_on", MSG_NEXT_BEFORE)
        with self.ctx.uow() as uow:
            session = uow.session
            check_reference(session, Resident, v.get("resident_id"), "resident_id", cleaned.errors)
            for staff_id in v.get("visitor_ids") or []:
                check_reference(session, Staff, staff_id, "visitor_ids", cleaned.errors)
            raise_if_invalid(cleaned)
            resident = session.get(Resident, v["resident_id"])
            assert resident is not None
            return uow.insert(
                HomeVisit,
                {
                    **v,
                    "visitor_ids": [str(s) for s in v["visitor_ids"]],
                    "household_id": resident.household_id,
                    "form_version": VISIT_FORM.version,
                },
            )
