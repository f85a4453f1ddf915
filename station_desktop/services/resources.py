"""Resources received from donors and handed out to residents."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from station_desktop.forms.resources import HANDOUT_FORM, RECEIPT_FORM
from station_desktop.forms.validate import clean_form
from station_desktop.i18n import N_
from station_desktop.services.context import (
    ServiceContext,
    check_reference,
    detached,
    load,
    raise_if_invalid,
)
from station_desktop.store.models import Resident, ResourceHandout, ResourceReceipt, Staff

MSG_MORE_THAN_RECEIVED = N_("Only {left} left of this donation.")
MSG_BEFORE_RECEIVED = N_("This is before the donation was received.")


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Form values to columns: the form takes yuan, the database keeps fen."""
    stored = dict(values)
    stored["unit_value_fen"] = stored.pop("unit_value")
    return stored


class ResourceService:
    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    def record_receipt(self, values: Mapping[str, Any]) -> uuid.UUID:
        cleaned = clean_form(RECEIPT_FORM, values, today=self.ctx.today())
        with self.ctx.uow() as uow:
            raise_if_invalid(cleaned)
            return uow.insert(ResourceReceipt, _stored(cleaned.values))

    def receipts(self, text: str = "", *, limit: int = 50) -> list[ResourceReceipt]:
        """Donations to hand out from, newest first; `text` narrows by donor or item."""
        query = select(ResourceReceipt).where(ResourceReceipt.deleted.is_(False))
        wanted = text.strip()
        if wanted:
            pattern = f"%{wanted}%"
            query = query.where(
                ResourceReceipt.donor_name.ilike(pattern) | ResourceReceipt.item.ilike(pattern)
            )
        query = query.order_by(ResourceReceipt.received_on.desc(), ResourceReceipt.id.desc())
        with self.ctx.db.read() as session:
            return detached(session, list(session.scalars(query.limit(limit))))

    def record_handout(self, values: Mapping[str, Any]) -> uuid.UUID:
        cleaned = clean_form(HANDOUT_FORM, values, today=self.ctx.today())
        v = cleaned.values
        with self.ctx.uow() as uow:
            session = uow.session
            check_reference(session, Resident, v.get("resident_id"), "resident_id", cleaned.errors)
            check_reference(session, Staff, v.get("handed_by_id"), "handed_by_id", cleaned.errors)
            check_reference(
                session, ResourceReceipt, v.get("receipt_id"), "receipt_id", cleaned.errors
            )
            receipt = load(session, ResourceReceipt, v.get("receipt_id"))
            if receipt is not None and v.get("quantity"):
                given = session.execute(
                    select(func.coalesce(func.sum(ResourceHandout.quantity), 0)).where(
                        ResourceHandout.receipt_id == receipt.id,
                        ResourceHandout.deleted.is_(False),
                    )
                ).scalar_one()
                left = receipt.quantity - int(given)
                if v["quantity"] > left:
                    cleaned.error("quantity", MSG_MORE_THAN_RECEIVED, left=left)
                if v.get("handed_on") and v["handed_on"] < receipt.received_on:
                    cleaned.error("handed_on", MSG_BEFORE_RECEIVED)
            raise_if_invalid(cleaned)
            return uow.insert(ResourceHandout, _stored(v))
