"""The audit trail's entry point (owned by the audit part of issue 14).

A stand-in until that part is merged: `record_event` has the agreed signature and does
nothing yet. Callers pass field names, never personal values.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.orm import Session


def record_event(
    session: Session,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    entity: str = "",
    entity_id: str = "",
    fields: Sequence[str] = (),
) -> None:
    """Write one chained audit row in the caller's transaction (stand-in: nothing yet)."""
    del session, actor_id, action, entity, entity_id, fields
