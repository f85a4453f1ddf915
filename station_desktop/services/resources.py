"""Resources received from donors and handed out to residents: recorded, corrected,
withdrawn. What is handed out from a donation never exceeds what it brought in, whichever of
the two is corrected."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station_desktop.errors import StationError
from station_desktop.forms.resources import HANDOUT_FORM, RECEIPT_FORM
from station_desktop.forms.validate import Cleaned, clean_form
from station_desktop.i18n import N_
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
    to_columns,
    with_record,
)
from station_desktop.store.models import Resident, ResourceHandout, ResourceReceipt, Staff

MSG_MORE_THAN_RECEIVED = N_("Only {left} left of this donation.")
MSG_BEFORE_RECEIVED = N_("This is before the donation was received.")
MSG_BELOW_HANDED_OUT = N_("Already handed out from this donation: {handed}.")
MSG_AFTER_HANDOUT = N_("Something from this donation was handed out on {day}, before this date.")
MSG_RECEIPT_HAS_HANDOUTS = N_(
    "This donation cannot be withdrawn: hand-outs from it are still recorded ({count}). "
    "Withdraw those hand-outs first, or correct them to another donation."
)


@dataclass(frozen=True)
class ReceiptView:
    """A donation received, as a form offers it to hand out from."""

    id: uuid.UUID
    received_on: date
    donor_name: str
    item: str
    quantity: int
    unit: str


class ResourceService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    # ------------------------------------------------------------ donations received

    def record_receipt(self, values: Mapping[str, Any]) -> uuid.UUID:
        self.ctx.require(Resource.RESOURCE, Action.CREATE)
        cleaned = clean_form(RECEIPT_FORM, values, today=self.ctx.today())
        with self.ctx.uow() as uow:
            self._check_receipt(uow.session, cleaned, None)
            raise_if_invalid(cleaned)
            return uow.insert(ResourceReceipt, to_columns(RECEIPT_FORM, cleaned.values))

    def editable_receipt(self, receipt_id: uuid.UUID) -> EditableRecord | None:
        """The donation as its form shows it, or None if there is no such live receipt."""
        self.ctx.require(Resource.RESOURCE, Action.UPDATE)
        with self.ctx.db.read() as session:
            return load_editable(session, ResourceReceipt, RECEIPT_FORM, receipt_id)

    def update_receipt(
        self,
        receipt_id: uuid.UUID,
        values: Mapping[str, Any],
        *,
        based_on: Sequence[str] | None = None,
    ) -> bool:
        """Correct some fields of a donation, under the rules of recording; its quantity
        cannot go below what was already handed out from it. False when nothing changed."""
        self.ctx.require(Resource.RESOURCE, Action.UPDATE)
        cleaned = clean_form(RECEIPT_FORM, values, today=self.ctx.today(), only_given=True)
        with self.ctx.uow() as uow:
            receipt = require_record(uow.session, ResourceReceipt, receipt_id, "receipt")
            self.ctx.require(Resource.RESOURCE, Action.UPDATE, RecordScope.of(receipt.station_id))
            self._check_receipt(
                uow.session, with_record(RECEIPT_FORM, receipt, cleaned), receipt_id
            )
            raise_if_invalid(cleaned)
            changes = to_columns(RECEIPT_FORM, cleaned.values)
            return uow.update(ResourceReceipt, receipt_id, changes, based_on=based_on) is not None

    def withdraw_receipt(
        self, receipt_id: uuid.UUID, *, based_on: Sequence[str] | None = None
    ) -> None:
        """Tombstone a donation recorded by mistake; refused while hand-outs from it are
        recorded (they would point at nothing)."""
        self.ctx.require(Resource.RESOURCE, Action.DELETE)
        with self.ctx.uow() as uow:
            record = require_record(uow.session, ResourceReceipt, receipt_id, "receipt")
            self.ctx.require(Resource.RESOURCE, Action.DELETE, RecordScope.of(record.station_id))
            count = uow.session.execute(
                select(func.count()).where(
                    ResourceHandout.receipt_id == receipt_id, ResourceHandout.deleted.is_(False)
                )
            ).scalar_one()
            if count:
                raise StationError(MSG_RECEIPT_HAS_HANDOUTS, count=count)
            uow.tombstone(ResourceReceipt, receipt_id, based_on=based_on)

    def receipts(self, text: str = "", *, limit: int = 50) -> list[ReceiptView]:
        """Donations to hand out from, newest first; `text` narrows by donor or item."""
        self.ctx.require(Resource.RESOURCE, Action.READ)
        query = select(ResourceReceipt).where(ResourceReceipt.deleted.is_(False))
        wanted = text.strip()
        if wanted:
            pattern = f"%{wanted}%"
            query = query.where(
                ResourceReceipt.donor_name.ilike(pattern) | ResourceReceipt.item.ilike(pattern)
            )
        query = query.order_by(ResourceReceipt.received_on.desc(), ResourceReceipt.id.desc())
        with self.ctx.db.read() as session:
            return [plain(ReceiptView, row) for row in session.scalars(query.limit(limit))]

    # ------------------------------------------------------------ hand-outs

    def record_handout(self, values: Mapping[str, Any]) -> uuid.UUID:
        self.ctx.require(Resource.RESOURCE, Action.CREATE)
        cleaned = clean_form(HANDOUT_FORM, values, today=self.ctx.today())
        with self.ctx.uow() as uow:
            self._check_handout(uow.session, cleaned, None)
            raise_if_invalid(cleaned)
            return uow.insert(ResourceHandout, to_columns(HANDOUT_FORM, cleaned.values))

    def editable_handout(self, handout_id: uuid.UUID) -> EditableRecord | None:
        """The hand-out as its form shows it, or None if there is no such live hand-out."""
        self.ctx.require(Resource.RESOURCE, Action.UPDATE)
        with self.ctx.db.read() as session:
            return load_editable(session, ResourceHandout, HANDOUT_FORM, handout_id)

    def update_handout(
        self,
        handout_id: uuid.UUID,
        values: Mapping[str, Any],
        *,
        based_on: Sequence[str] | None = None,
    ) -> bool:
        """Correct some fields of a hand-out (its recipient too), under the rules of
        recording. False when nothing changed."""
        self.ctx.require(Resource.RESOURCE, Action.UPDATE)
        cleaned = clean_form(HANDOUT_FORM, values, today=self.ctx.today(), only_given=True)
        with self.ctx.uow() as uow:
            handout = require_record(uow.session, ResourceHandout, handout_id, "handout")
            self.ctx.require(Resource.RESOURCE, Action.UPDATE, RecordScope.of(handout.station_id))
            self._check_handout(
                uow.session, with_record(HANDOUT_FORM, handout, cleaned), handout_id
            )
            raise_if_invalid(cleaned)
            changes = to_columns(HANDOUT_FORM, cleaned.values)
            return uow.update(ResourceHandout, handout_id, changes, based_on=based_on) is not None

    def withdraw_handout(
        self, handout_id: uuid.UUID, *, based_on: Sequence[str] | None = None
    ) -> None:
        """Tombstone a hand-out recorded by mistake: what it took is left again."""
        self.ctx.require(Resource.RESOURCE, Action.DELETE)
        with self.ctx.uow() as uow:
            record = require_record(uow.session, ResourceHandout, handout_id, "handout")
            self.ctx.require(Resource.RESOURCE, Action.DELETE, RecordScope.of(record.station_id))
            uow.tombstone(ResourceHandout, handout_id, based_on=based_on)

    # ------------------------------------------------------------ rules

    @staticmethod
    def _check_receipt(session: Session, cleaned: Cleaned, receipt_id: uuid.UUID | None) -> None:
        """A corrected donation must still cover the hand-outs already given from it."""
        if receipt_id is None:
            return  # a new donation has nothing handed out yet
        v = cleaned.values
        handed, first_day = session.execute(
            select(
                func.coalesce(func.sum(ResourceHandout.quantity), 0),
                func.min(ResourceHandout.handed_on),
            ).where(ResourceHandout.receipt_id == receipt_id, ResourceHandout.deleted.is_(False))
        ).one()
        if v.get("quantity") and v["quantity"] < int(handed):
            cleaned.error("quantity", MSG_BELOW_HANDED_OUT, handed=int(handed))
        first: date | None = first_day
        if first is not None and v.get("received_on") and v["received_on"] > first:
            cleaned.error("received_on", MSG_AFTER_HANDOUT, day=first.isoformat())

    @staticmethod
    def _check_handout(session: Session, cleaned: Cleaned, handout_id: uuid.UUID | None) -> None:
        """References, and what is left of the donation (not counting this hand-out's own
        quantity when it is being corrected)."""
        v = cleaned.values
        check_reference(session, Resident, v.get("resident_id"), "resident_id", cleaned.errors)
        check_after_birth(
            session, v.get("resident_id"), v.get("handed_on"), "handed_on", cleaned.errors
        )
        check_reference(session, Staff, v.get("handed_by_id"), "handed_by_id", cleaned.errors)
        check_reference(session, ResourceReceipt, v.get("receipt_id"), "receipt_id", cleaned.errors)
        receipt = load(session, ResourceReceipt, v.get("receipt_id"))
        if receipt is None:
            return
        if v.get("quantity"):
            others = [
                ResourceHandout.receipt_id == receipt.id,
                ResourceHandout.deleted.is_(False),
            ]
            if handout_id is not None:
                others.append(ResourceHandout.id != handout_id)
            given = session.execute(
                select(func.coalesce(func.sum(ResourceHandout.quantity), 0)).where(*others)
            ).scalar_one()
            left = receipt.quantity - int(given)
            if v["quantity"] > left:
                cleaned.error("quantity", MSG_MORE_THAN_RECEIVED, left=left)
        if v.get("handed_on") and v["handed_on"] < receipt.received_on:
            cleaned.error("handed_on", MSG_BEFORE_RECEIVED)
