"""The audit trail's seam (owned by the audit work; this is a stand-in until it lands).

`record_event` writes one chained audit row in the caller's transaction: field names,
never personal values. Here it does nothing, with exactly the seam's signature, so that
callers (the privacy purge) are already in place when the real chain is merged.
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
    """Stand-in: the audit work replaces it with the chained row."""
    del session, actor_id, action, entity, entity_id, fields
