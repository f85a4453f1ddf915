"""Service satisfaction feedback sheets (anonymous allowed): recorded, corrected, withdrawn.

A sheet is one row plus one rating row per answered question. Its version, for an edit,
is the heads of all those rows: a rating changed meanwhile makes a correction stale too.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station_desktop.domain.codes import FeedbackDimension
from station_desktop.forms.feedback import FEEDBACK_FORM, rating_key
from station_desktop.forms.validate import Cleaned, clean_form
from station_desktop.i18n import N_
from station_desktop.services.access import Action, RecordScope, Resource
from station_desktop.services.context import (
    ServiceContext,
    check_after_birth,
    check_reference,
    load,
    raise_if_invalid,
    require_record,
)
from station_desktop.services.corrections import (
    EditableRecord,
    check_based_on,
    cleaned_values,
    form_input,
)
from station_desktop.store.changes import ChangeRecorder
from station_desktop.store.models import FeedbackRating, FeedbackSheet, Resident, Staff

MSG_EMPTY_SHEET = N_("Answer at least one question or write a comment.")
MSG_COLLECTED_BEFORE = N_("A sheet cannot be collected before the service it is about.")


def _split(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[FeedbackDimension, Any]]:
    """The sheet's own fields, and the given ratings by dimension."""
    keys = {rating_key(d): d for d in FeedbackDimension}
    sheet = {k: v for k, v in values.items() if k not in keys}
    ratings = {keys[k]: v for k, v in values.items() if k in keys}
    return sheet, ratings


class FeedbackService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def record(self, values: Mapping[str, Any]) -> uuid.UUID:
        with self.ctx.uow() as uow:
            return self.record_in(uow, values)

    def record_in(self, uow: ChangeRecorder, values: Mapping[str, Any]) -> uuid.UUID:
        """Record a sheet within the caller's unit of work (a pile of scanned sheets is
        one action: every sheet and what was kept of its scan, or nothing)."""
        self.ctx.require(Resource.FEEDBACK, Action.CREATE)
        cleaned = clean_form(FEEDBACK_FORM, values, today=self.ctx.today())
        self._check(uow.session, cleaned)
        raise_if_invalid(cleaned)
        sheet, ratings = _split(cleaned.values)
        sheet_id = uow.insert(FeedbackSheet, {**sheet, "form_version": FEEDBACK_FORM.version})
        uow.insert_many(
            FeedbackRating,
            [
                {"sheet_id": sheet_id, "dimension": d.value, "level": level}
                for d, level in ratings.items()
                if level is not None
            ],
        )
        return sheet_id

    def check(self, values: Mapping[str, Any]) -> None:
        """ValidationError if `record` would refuse these values (nothing is written)."""
        cleaned = clean_form(FEEDBACK_FORM, values, today=self.ctx.today())
        with self.ctx.db.read() as session:
            self._check(session, cleaned)
        raise_if_invalid(cleaned)

    def editable(self, sheet_id: uuid.UUID) -> EditableRecord | None:
        """The sheet as its form shows it (ratings under `rating_key`), or None if there is
        no such live sheet."""
        self.ctx.require(Resource.FEEDBACK, Action.UPDATE)
        with self.ctx.db.read() as session:
            sheet = load(session, FeedbackSheet, sheet_id)
            if sheet is None:
                return None
            rows = _rating_rows(session, sheet_id)
            return EditableRecord(
                form_input(FEEDBACK_FORM, self._current(sheet, rows)), _heads(sheet, rows)
            )

    def update(
        self,
        sheet_id: uuid.UUID,
        values: Mapping[str, Any],
        *,
        based_on: Sequence[str] | None = None,
    ) -> bool:
        """Correct some fields and ratings in one action, under the rules of recording.
        False when nothing changed."""
        self.ctx.require(Resource.FEEDBACK, Action.UPDATE)
        cleaned = clean_form(FEEDBACK_FORM, values, today=self.ctx.today(), only_given=True)
        with self.ctx.uow() as uow:
            sheet = require_record(uow.session, FeedbackSheet, sheet_id, "feedback")
            self.ctx.require(Resource.FEEDBACK, Action.UPDATE, RecordScope.of(sheet.station_id))
            rows = _rating_rows(uow.session, sheet_id)
            check_based_on(_heads(sheet, rows), based_on)
            self._check(
                uow.session,
                Cleaned({**self._current(sheet, rows), **cleaned.values}, cleaned.errors),
            )
            raise_if_invalid(cleaned)
            fields, ratings = _split(cleaned.values)
            changed = uow.update(FeedbackSheet, sheet_id, fields) is not None
            for dimension, level in ratings.items():
                changed |= _set_rating(uow, sheet_id, rows.get(dimension.value), dimension, level)
        return changed

    def withdraw(self, sheet_id: uuid.UUID, *, based_on: Sequence[str] | None = None) -> None:
        """Tombstone a sheet entered by mistake. Its rating rows stay as they are: reports
        and lists take no rating of a withdrawn sheet."""
        self.ctx.require(Resource.FEEDBACK, Action.DELETE)
        with self.ctx.uow() as uow:
            sheet = require_record(uow.session, FeedbackSheet, sheet_id, "feedback")
            self.ctx.require(Resource.FEEDBACK, Action.DELETE, RecordScope.of(sheet.station_id))
            check_based_on(_heads(sheet, _rating_rows(uow.session, sheet_id)), based_on)
            uow.tombstone(FeedbackSheet, sheet_id)

    def _check(self, session: Session, cleaned: Cleaned) -> None:
        """Rules across fields and records; adds field errors to `cleaned`."""
        v = cleaned.values
        answered = any(v.get(rating_key(d)) is not None for d in FeedbackDimension)
        if not answered and not v.get("comments"):
            cleaned.error(rating_key(FeedbackDimension.OVERALL), MSG_EMPTY_SHEET)
        if (
            v.get("service_date")
            and v.get("collected_on")
            and v["collected_on"] < v["service_date"]
        ):
            cleaned.error("collected_on", MSG_COLLECTED_BEFORE)
        check_reference(session, Resident, v.get("resident_id"), "resident_id", cleaned.errors)
        check_after_birth(
            session, v.get("resident_id"), v.get("service_date"), "service_date", cleaned.errors
        )
        check_reference(session, Staff, v.get("collected_by_id"), "collected_by_id", cleaned.errors)

    @staticmethod
    def _current(sheet: FeedbackSheet, rows: Mapping[str, FeedbackRating]) -> dict[str, Any]:
        ratings = {
            rating_key(d): row.level if (row := rows.get(d.value)) and not row.deleted else None
            for d in FeedbackDimension
        }
        return {**cleaned_values(FEEDBACK_FORM, sheet), **ratings}


def _rating_rows(session: Session, sheet_id: uuid.UUID) -> dict[str, FeedbackRating]:
    """Every rating row of the sheet by dimension, taken back ones included (one row per
    dimension: answering again brings the row back)."""
    rows = session.scalars(select(FeedbackRating).where(FeedbackRating.sheet_id == sheet_id))
    return {row.dimension: row for row in rows}


def _heads(sheet: FeedbackSheet, rows: Mapping[str, FeedbackRating]) -> list[str]:
    return sorted([*sheet.heads, *(head for row in rows.values() for head in row.heads)])


def _set_rating(
    uow: ChangeRecorder,
    sheet_id: uuid.UUID,
    row: FeedbackRating | None,
    dimension: FeedbackDimension,
    level: int | None,
) -> bool:
    """Give one question its corrected answer (None: no answer); True if that changed it."""
    if row is None:
        if level is None:
            return False
        uow.insert(
            FeedbackRating, {"sheet_id": sheet_id, "dimension": dimension.value, "level": level}
        )
        return True
    if level is None:
        return not row.deleted and uow.tombstone(FeedbackRating, row.id) is not None
    return uow.update(FeedbackRating, row.id, {"level": level, "deleted": False}) is not None
