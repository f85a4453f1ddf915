"""The write path: every change to a replicated record is applied and logged together.

`ChangeRecorder` writes the row with SQLAlchemy Core and appends one `change_log` entry in
the same transaction: origin device, per-device sequence number, hybrid logical clock,
claimed wall time, actor, the record, the changed fields with their new values, and the
parents (the heads the edit was based on). The log alone is enough to rebuild every record
(`replay_entries` proves it in the tests), which is what USB sync will ship and merge, and
what the audit trail chains: each entry gets its link in `store.audit`, in the same
transaction.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, ColumnDefault, delete, func, insert, select, update
from sqlalchemy.orm import Session

from station_desktop.domain.ids import Uuid7Generator
from station_desktop.errors import NotFound, StaleEdit
from station_desktop.store.audit import chain_changes
from station_desktop.store.engine import Database
from station_desktop.store.models import (
    REPLICATED_MODELS,
    ChangeLogEntry,
    LocalState,
    Replicated,
    SyncConflict,
    table_of,
)

SCHEMA_VERSION = 1

# Columns the log does not carry as fields: they follow from the log entries themselves
# (record id; origin = device of the insert; created/updated = wall times; heads).
DERIVED_COLUMNS = frozenset({"id", "origin_device_id", "created_at", "updated_at", "heads"})

OP_INSERT = "insert"
OP_UPDATE = "update"


@dataclass(frozen=True, order=True)
class ChangeId:
    device_id: uuid.UUID
    seq: int

    def __str__(self) -> str:
        return f"{self.device_id}:{self.seq}"

    @classmethod
    def parse(cls, text: str) -> ChangeId:
        device, _, seq = text.partition(":")
        return cls(uuid.UUID(device), int(seq))


@dataclass(frozen=True)
class WriterIdentity:
    """Who writes: this laptop, the station it serves, and the signed-in staff member."""

    device_id: uuid.UUID
    station_id: uuid.UUID | None
    actor_id: uuid.UUID | None = None


def hlc_tick(last: int, now_ms: int) -> int:
    """Next hybrid-logical-clock value: never behind the last one, even if the wall clock
    steps back; follows the wall clock (ms << 16) when it is ahead."""
    return max(last + 1, now_ms << 16)


def encode_value(value: Any) -> Any:
    """A column value as JSON (UUIDs and dates as ISO strings)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [encode_value(v) for v in value]
    return value


def decode_value(column: Column[Any], value: Any) -> Any:
    """The inverse of `encode_value`, guided by the column's Python type."""
    if value is None:
        return None
    python_type = column.type.python_type
    if python_type is uuid.UUID:
        return uuid.UUID(value)
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is date:
        return date.fromisoformat(value)
    return value


def canonical_json(value: Any) -> str:
    """Stable serialisation (sorted keys, no spaces) so later hashes are reproducible."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@functools.cache
def logged_columns(model: type[Replicated]) -> list[Column[Any]]:
    """The columns a change-log entry carries (all but the derived ones)."""
    return [c for c in table_of(model).columns if c.name not in DERIVED_COLUMNS]


@functools.cache
def insert_defaults(model: type[Replicated]) -> dict[str, Any]:
    """What a column holds when an insert does not give it: its default, else NULL.
    An insert's log entry leaves these out (most fields of a new record are empty), and
    replaying it fills them back the same way."""
    defaults: dict[str, Any] = {}
    for column in logged_columns(model):
        default = column.default
        if isinstance(default, ColumnDefault):
            defaults[column.name] = default.arg(None) if default.is_callable else default.arg
        else:
            defaults[column.name] = None
    return defaults


# Always logged, even when empty: replaying must not depend on the receiver's own station.
ALWAYS_LOGGED = frozenset({"station_id"})


class ChangeRecorder:
    """Applies and logs the writes of one user action (one transaction)."""

    def __init__(
        self,
        session: Session,
        identity: WriterIdentity,
        now: datetime,
        new_id: Callable[[], uuid.UUID],
    ) -> None:
        self.session = session
        self.identity = identity
        self.now = now
        self.action_id = new_id()
        self._new_id = new_id
        self._seq: int | None = None
        self._hlc: int | None = None
        self.changes: list[ChangeId] = []

    # ------------------------------------------------------------ public API

    def insert(
        self,
        model: type[Replicated],
        values: Mapping[str, Any],
        *,
        record_id: uuid.UUID | None = None,
        seen: Sequence[str] = (),
    ) -> uuid.UUID:
        """Insert a new record. `seen`: the heads of another record this one was written
        against (a progress note: its case's), kept as the entry's parents so that a
        merge can tell whether its writer knew of a change there (a closing)."""
        return self.insert_many(model, [values], record_ids=[record_id], seen=seen)[0]

    def insert_many(
        self,
        model: type[Replicated],
        rows: Sequence[Mapping[str, Any]],
        *,
        record_ids: Sequence[uuid.UUID | None] | None = None,
        seen: Sequence[str] = (),
    ) -> list[uuid.UUID]:
        """Insert new records; one log entry each (bulk: one executemany per table)."""
        if not rows:
            return []
        ids = [rid or self._new_id() for rid in (record_ids or [None] * len(rows))]
        defaults = insert_defaults(model)
        table_rows: list[dict[str, Any]] = []
        log_rows: list[dict[str, Any]] = []
        for record_id, values in zip(ids, rows, strict=True):
            fields = self._complete_insert_fields(model, values)
            change = self._next_change()
            table_rows.append(
                {
                    **fields,
                    "id": record_id,
                    "origin_device_id": self.identity.device_id,
                    "created_at": self.now,
                    "updated_at": self.now,
                    "heads": [str(change)],
                }
            )
            encoded = {
                name: encode_value(value)
                for name, value in fields.items()
                if name in ALWAYS_LOGGED or value != defaults[name]
            }
            log_rows.append(self._log_row(change, model, record_id, OP_INSERT, encoded, list(seen)))
        # Core inserts on the Table: one executemany per call, whatever the row contents
        # (the ORM's bulk insert splits batches whenever the set of non-null keys changes).
        self.session.execute(insert(table_of(model)), table_rows)
        self.session.execute(insert(table_of(ChangeLogEntry)), log_rows)
        chain_changes(self.session, log_rows, self.now)
        return ids

    def update(
        self,
        model: type[Replicated],
        record_id: uuid.UUID,
        values: Mapping[str, Any],
        *,
        based_on: Sequence[str] | None = None,
        force: bool = False,
    ) -> ChangeId | None:
        """Change some fields of a record. Returns None when nothing actually changed.

        `based_on` is the record's `heads` as the editor loaded them; if the record has
        changed since, the edit is refused (locally) rather than silently overwriting.
        `force` logs the fields even when their value stays (resolving a sync conflict in
        favour of the value shown: the decision itself must travel).
        """
        table = table_of(model)
        unknown = set(values) - {c.name for c in logged_columns(model)}
        if unknown:
            raise ValueError(f"not writable fields of {table.name}: {sorted(unknown)}")
        # Locked until the end of the action (FOR UPDATE; SQLite's write transaction
        # already excludes every other writer): on a shared server a second session saving
        # the same record waits here, then sees the new heads and gets its StaleEdit
        # instead of overwriting what the first one saved.
        row = (
            self.session.execute(select(table).where(table.c.id == record_id).with_for_update())
            .mappings()
            .one_or_none()
        )
        if row is None:
            raise NotFound(kind=table.name, record_id=str(record_id))
        heads: list[str] = list(row["heads"] or [])
        if based_on is not None and sorted(based_on) != sorted(heads):
            raise StaleEdit()
        changed = {
            name: value
            for name, value in values.items()
            if force or encode_value(value) != encode_value(row[name])
        }
        if not changed:
            return None
        change = self._next_change()
        encoded = {name: encode_value(value) for name, value in changed.items()}
        self.session.execute(
            update(table)
            .where(table.c.id == record_id)
            .values(**changed, updated_at=self.now, heads=[str(change)])
        )
        log_row = self._log_row(change, model, record_id, OP_UPDATE, encoded, heads)
        self.session.execute(insert(ChangeLogEntry), [log_row])
        chain_changes(self.session, [log_row], self.now)
        # Based on all the record's heads, this change settles any sync conflict on the
        # fields it sets (a person who saw the provisional value chose another); conflicts
        # on the other fields stay, as a merge of the log would find them.
        self.session.execute(
            delete(SyncConflict).where(
                SyncConflict.entity == table.name,
                SyncConflict.record_id == record_id,
                SyncConflict.field.in_(list(changed)),
            )
        )
        return change

    def insert_reference(
        self,
        model: type[Replicated],
        values: Mapping[str, Any],
        *,
        record_id: uuid.UUID,
        change: ChangeId,
        station_id: uuid.UUID | None,
    ) -> None:
        """Seed one record of the bundled reference list (a station, a village) with the
        change id every installation gives it, so the same entry made on every laptop is
        one entry when they meet (see store.reference_seed)."""
        fields = self._complete_insert_fields(model, values)
        self.session.execute(
            insert(table_of(model)),
            [
                {
                    **fields,
                    "id": record_id,
                    "origin_device_id": change.device_id,
                    "created_at": self.now,
                    "updated_at": self.now,
                    "heads": [str(change)],
                }
            ],
        )
        defaults = insert_defaults(model)
        encoded = {
            name: encode_value(value)
            for name, value in fields.items()
            if name in ALWAYS_LOGGED or value != defaults[name]
        }
        row = {
            "device_id": change.device_id,
            "seq": change.seq,
            "hlc": 0,
            "wall_time": self.now,
            "station_id": station_id,
            "actor_id": None,
            "action_id": uuid.uuid5(change.device_id, str(change.seq)),
            "entity": model.__tablename__,
            "record_id": record_id,
            "op": OP_INSERT,
            "fields": encoded,
            "parents": [],
            "schema_version": SCHEMA_VERSION,
        }
        self.session.execute(insert(table_of(ChangeLogEntry)), [row])
        chain_changes(self.session, [row], self.now)

    def tombstone(
        self,
        model: type[Replicated],
        record_id: uuid.UUID,
        *,
        based_on: Sequence[str] | None = None,
    ) -> ChangeId | None:
        """Delete by tombstone: a change of the `deleted` field, kept in the log."""
        return self.update(model, record_id, {"deleted": True}, based_on=based_on)

    def finish(self) -> None:
        """Persist the clock so the next action continues from it."""
        if self._hlc is not None:
            _set_state(self.session, "hlc", str(self._hlc))

    # ------------------------------------------------------------ internals

    def _complete_insert_fields(
        self, model: type[Replicated], values: Mapping[str, Any]
    ) -> dict[str, Any]:
        defaults = insert_defaults(model)
        unknown = set(values) - set(defaults)
        if unknown:
            raise ValueError(f"not writable fields of {model.__tablename__}: {sorted(unknown)}")
        fields = {**defaults, **values}
        if "station_id" in fields and "station_id" not in values:
            fields["station_id"] = self.identity.station_id
        return fields

    def _next_change(self) -> ChangeId:
        if self._seq is None:
            last_seq = self.session.execute(
                select(func.max(ChangeLogEntry.seq)).where(
                    ChangeLogEntry.device_id == self.identity.device_id
                )
            ).scalar_one()
            self._seq = int(last_seq or 0)
            self._hlc = int(_get_state(self.session, "hlc") or 0)
        assert self._hlc is not None
        self._seq += 1
        now_ms = int(self.now.timestamp() * 1000)
        self._hlc = hlc_tick(self._hlc, now_ms)
        change = ChangeId(self.identity.device_id, self._seq)
        self.changes.append(change)
        return change

    def _log_row(
        self,
        change: ChangeId,
        model: type[Replicated],
        record_id: uuid.UUID,
        op: str,
        fields: dict[str, Any],
        parents: list[str],
    ) -> dict[str, Any]:
        return {
            "device_id": change.device_id,
            "seq": change.seq,
            "hlc": self._hlc,
            "wall_time": self.now,
            "station_id": self.identity.station_id,
            "actor_id": self.identity.actor_id,
            "action_id": self.action_id,
            "entity": model.__tablename__,
            "record_id": record_id,
            "op": op,
            "fields": fields,
            "parents": parents,
            "schema_version": SCHEMA_VERSION,
        }


def replay_entries(session: Session, entries: Sequence[ChangeLogEntry]) -> int:
    """Rebuild records from log entries (a linear history, applied in HLC order).

    This is the materialisation step sync builds on: it shows the log carries everything a
    record is made of. Merging concurrent branches (heads, conflicts) is added by sync on
    top of the same encoding. Returns the number of entries applied.
    """
    ordered = sorted(entries, key=lambda e: (e.hlc, str(e.device_id), e.seq))
    for entry in ordered:
        model = REPLICATED_MODELS[entry.entity]
        columns = {c.name: c for c in logged_columns(model)}
        values = {name: decode_value(columns[name], value) for name, value in entry.fields.items()}
        change = str(ChangeId(entry.device_id, entry.seq))
        if entry.op == OP_INSERT:
            session.execute(
                insert(table_of(model)).values(
                    **{**insert_defaults(model), **values},
                    id=entry.record_id,
                    origin_device_id=entry.device_id,
                    created_at=entry.wall_time,
                    updated_at=entry.wall_time,
                    heads=[change],
                )
            )
        else:
            table = table_of(model)
            session.execute(
                update(table)
                .where(table.c.id == entry.record_id)
                .values(**values, updated_at=entry.wall_time, heads=[change])
            )
    return len(ordered)


def _get_state(session: Session, key: str) -> str | None:
    return session.execute(
        select(LocalState.value).where(LocalState.key == key)
    ).scalar_one_or_none()


def _set_state(session: Session, key: str, value: str) -> None:
    table = table_of(LocalState)
    updated = session.execute(update(table).where(table.c.key == key).values(value=value))
    if updated.rowcount == 0:  # type: ignore[attr-defined]
        session.execute(insert(table).values(key=key, value=value))


def get_local_state(session: Session, key: str) -> str | None:
    return _get_state(session, key)


def set_local_state(session: Session, key: str, value: str) -> None:
    _set_state(session, key, value)


@contextmanager
def unit_of_work(
    db: Database,
    identity: WriterIdentity,
    *,
    now: Callable[[], datetime],
    new_id: Callable[[], uuid.UUID],
) -> Iterator[ChangeRecorder]:
    """One user action: one write transaction, all its changes logged, all or nothing."""
    with db.write_session() as session:
        recorder = ChangeRecorder(session, identity, now(), new_id)
        yield recorder
        recorder.finish()
    if recorder.changes and db.after_write is not None:
        newest = recorder.changes[-1]
        db.after_write(newest.device_id, newest.seq)


def default_id_generator() -> Callable[[], uuid.UUID]:
    return Uuid7Generator()
