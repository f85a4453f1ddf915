"""Emptying personal values in the change log (the store's side of an erasure).

The append-only log lets an entry's values change only when `log_redaction` lists it
(migration 0004_privacy); `redact_log` lists and empties entries in two statements for the
lot. `apply_erasures` does what an `erasure` record asks of this database's own copy of
the log: after a sync import, and after station files are loaded into the bureau's
database (its older copies of the entries may still hold the values).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Column, String, Text, bindparam, or_, select, update
from sqlalchemy.orm import Session

from station_desktop.store import audit
from station_desktop.store.changes import ChangeId, encode_value, logged_columns
from station_desktop.store.engine import insert_or_ignore
from station_desktop.store.models import (
    REPLICATED_MODELS,
    ChangeLogEntry,
    Erasure,
    LogRedaction,
    table_of,
)

CHUNK = 500


def blank_value(column: Column[Any]) -> Any:
    """What an emptied field holds: "" for text that may not be NULL, else NULL."""
    if not column.nullable and isinstance(column.type, (String, Text)):
        return ""
    return None


def blanks_of(entity: str, fields: Iterable[str]) -> dict[str, Any]:
    columns = {c.name: c for c in logged_columns(REPLICATED_MODELS[entity])}
    return {name: blank_value(columns[name]) for name in fields}


def holds_value(value: Any) -> bool:
    return value not in (None, "", [])


@dataclass(frozen=True)
class RedactionTarget:
    """The values an erasure empties in the log: `fields` of one record, in every entry
    of it (or only those named in `only`: an erasure received from another laptop)."""

    entity: str
    record_id: uuid.UUID
    fields: tuple[str, ...]
    erasure_id: uuid.UUID
    only: frozenset[str] | None = None


def redact_log(
    session: Session, targets: Sequence[RedactionTarget], now: datetime
) -> dict[uuid.UUID, list[str]]:
    """Empty the targets' fields in the log entries that still hold a value for them, in
    two statements for the lot; returns the change ids emptied, per erasure."""
    log = table_of(ChangeLogEntry)
    by_record: dict[uuid.UUID, list[RedactionTarget]] = defaultdict(list)
    for target in targets:
        by_record[target.record_id].append(target)
    emptied: dict[uuid.UUID, list[str]] = defaultdict(list)
    marks: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    ids = list(by_record)
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(
            select(log.c.device_id, log.c.seq, log.c.entity, log.c.record_id, log.c.fields)
            .where(log.c.record_id.in_(ids[start : start + CHUNK]))
            .order_by(log.c.device_id, log.c.seq)
        ).all()
        for device_id, seq, entity, record_id, entry_fields in rows:
            change = str(ChangeId(device_id, seq))
            redacted = dict(entry_fields)
            first: uuid.UUID | None = None
            for target in by_record[record_id]:
                if target.entity != entity or (
                    target.only is not None and change not in target.only
                ):
                    continue
                hits = [name for name in target.fields if holds_value(redacted.get(name))]
                if not hits:
                    continue
                blanks = blanks_of(entity, hits)
                redacted |= {name: encode_value(blanks[name]) for name in hits}
                emptied[target.erasure_id].append(change)
                first = first or target.erasure_id
            if first is not None:
                marks.append(
                    {"device_id": device_id, "seq": seq, "erasure_id": first, "redacted_at": now}
                )
                changes.append({"d": device_id, "s": seq, "f": redacted})
    if marks:  # listed first: the log's guard lets only listed entries change
        session.execute(insert_or_ignore(session, table_of(LogRedaction)), marks)
        session.execute(
            update(log)
            .where(log.c.device_id == bindparam("d"), log.c.seq == bindparam("s"))
            .values(fields=bindparam("f", type_=log.c.fields.type)),
            changes,
        )
        # Each emptied entry gets a new seal in the audit chain, as it now stands: the
        # chain's check holds an entry to its latest seal (the erasure's own event says
        # who purged or erased, and why).
        for rewritten in changes:
            entry = (
                session.execute(
                    select(log).where(
                        log.c.device_id == rewritten["d"], log.c.seq == rewritten["s"]
                    )
                )
                .mappings()
                .one()
            )
            audit.reseal_change(session, dict(entry), actor_id=None, action=audit.PURGE, at=now)
    return emptied


def apply_erasures(session: Session, record_ids: Iterable[uuid.UUID], now: datetime) -> int:
    """After an import: the erasures that arrived, and those of records whose entries
    arrived, empty the entries they name in this laptop's log. Returns entries emptied."""
    ids = list(set(record_ids))
    targets: list[RedactionTarget] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for erasure in session.scalars(
            select(Erasure).where(
                Erasure.deleted.is_(False),
                or_(Erasure.id.in_(chunk), Erasure.target_id.in_(chunk)),
            )
        ):
            if erasure.target_entity not in REPLICATED_MODELS:
                continue  # a kind of record this version does not know
            known = _column_names(erasure.target_entity)
            targets.append(
                RedactionTarget(
                    erasure.target_entity,
                    erasure.target_id,
                    tuple(f for f in erasure.fields if f in known),
                    erasure.id,
                    frozenset(erasure.changes),
                )
            )
    return sum(len(changes) for changes in redact_log(session, targets, now).values())


def _column_names(entity: str) -> set[str]:
    return {c.name for c in logged_columns(REPLICATED_MODELS[entity])}
