"""Service satisfaction feedback sheets (anonymous allowed)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from station_desktop.domain.codes import FeedbackDimension
from station_desktop.forms.feedback import FEEDBACK_FORM, rating_key
from station_desktop.forms.validate import clean_form
from station_desktop.i18n import N_
from station_desktop.services.context import ServiceContext, check_reference, raise_if_invalid
from station_desktop.store.models import FeedbackRating, FeedbackSheet, Resident, Staff

MSG_EMPTY_SHEET = N_("Answer at least one question or write a comment.")
MSG_COLLECTED_BEFORE = N_("A sheet cannot be collected before the service it is about.")


class FeedbackService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def record(self, values: Mapping[str, Any]) -> uuid.UUID:
        cleaned = clean_form(FEEDBACK_FORM, values, today=self.ctx.today())
        v = cleaned.values
        ratings = {d: v.pop(rating_key(d)) for d in FeedbackDimension}
        answered = {d: level for d, level in ratings.items() if level is not None}
        if not answered and not v.get("comments"):
            cleaned.error(rating_key(FeedbackDimension.OVERALL), MSG_EMPTY_SHEET)
        if (
            v.get("service_date")
            and v.get("collected_on")
            and v["collected_on"] < v["service_date"]
        ):
            cleaned.error("collected_on", MSG_COLLECTED_BEFORE)
        with self.ctx.uow() as uow:
            check_reference(
                uow.session, Resident, v.get("resident_id"), "resident_id", cleaned.errors
            )
            check_reference(
                uow.session, Staff, v.get("collected_by_id"), "collected_by_id", cleaned.errors
            )
            raise_if_invalid(cleaned)
            sheet_id = uow.insert(FeedbackSheet, {**v, "form_version": FEEDBACK_FORM.version})
            uow.insert_many(
                FeedbackRating,
                [
                    {"sheet_id": sheet_id, "dimension": d.value, "level": level}
                    for d, level in answered.items()
                ],
            )
        return sheet_id
