"""A record's state as a pure function of the set of its change-log entries.

Entries form a graph through `parents` (the record's heads each edit was based on). For
every field, its *heads* are the entries that set it and that no other entry setting it
has as an ancestor. One head, or several that agree: that is the value. Several that
differ: the field is in conflict; every installation shows the same provisional value
(the head with the highest hybrid clock, then device, then sequence number) until a
person resolves it with an ordinary edit whose parents are all heads. An insert sets every
field (those it does not name keep their defaults). Because nothing here depends on the
order entries arrived in, importing in any order, or twice, gives the same records.

`merge_records` applies this to the records an import touched: materialises them in the
order their references need (a visit after its resident), holds back a record whose
referred record has not arrived (it waits visibly, never lost), and keeps the conflict
list in step.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, UniqueConstraint, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from station_desktop.store.changes import (
    OP_INSERT,
    canonical_json,
    decode_value,
    encode_value,
    insert_defaults,
    logged_columns,
)
from station_desktop.store.models import (
    REPLICATED_MODELS,
    Base,
    ChangeLogEntry,
    PendingRecord,
    SyncConflict,
    table_of,
)

CHUNK = 500
DELETED = "deleted"
KIND_VALUE = "value"
KIND_WITHDRAWN = "withdrawn_while_edited"
PENDING_INSERT_MISSING = "insert_missing"
PENDING_PARENT_MISSING = "parent_missing"
PENDING_DUPLICATE = "duplicate"


@dataclass(frozen=True)
class LogEntry:
    change: str
    device_id: uuid.UUID
    seq: int
    hlc: int
    wall_time: datetime
    op: str
    fields: Mapping[str, Any]
    parents: Sequence[str]

    @property
    def order(self) -> tuple[int, str, int]:
        """The deterministic tie-break between concurrent entries."""
        return (self.hlc, str(self.device_id), self.seq)


@dataclass
class RecordState:
    """What the entries make of one record (values JSON-encoded, as in the log)."""

    values: dict[str, Any]
    heads: list[str]
    created_at: datetime
    updated_at: datetime
    origin_device_id: uuid.UUID
    conflicts: dict[str, tuple[str, list[str]]] = field(default_factory=dict)


def ancestor_sets(entries: Sequence[LogEntry]) -> list[int]:
    """For each entry (by index), a bit set of the entries it descends from. Parents that
    are not among the entries (not received yet) are simply not there; a cycle (only a
    forged bundle could make one) ends where it closes, deterministically."""
    index = {entry.change: i for i, entry in enumerate(entries)}
    parents = [[index[p] for p in entry.parents if p in index] for entry in entries]
    ancestors = [0] * len(entries)
    state = [0] * len(entries)  # 0 new, 1 on the stack, 2 done
    for start in sorted(range(len(entries)), key=lambda i: entries[i].order):
        if state[start]:
            continue
        stack = [(start, 0)]
        state[start] = 1
        while stack:
            node, position = stack[-1]
            if position < len(parents[node]):
                stack[-1] = (node, position + 1)
                parent = parents[node][position]
                if state[parent] == 0:
                    state[parent] = 1
                    stack.append((parent, 0))
                continue
            stack.pop()
            bits = 0
            for parent in parents[node]:
                if state[parent] == 2:
                    bits |= (1 << parent) | ancestors[parent]
            ancestors[node] = bits
            state[node] = 2
    return ancestors


def record_state(
    columns: Sequence[str], defaults: Mapping[str, Any], entries: Sequence[LogEntry]
) -> RecordState | None:
    """The record the entries make, or None while its insert has not arrived."""
    inserts = [e for e in entries if e.op == OP_INSERT]
    if not inserts:
        return None
    first = min(inserts, key=lambda e: e.order)
    if len(entries) == 1:  # the common case: a record seen once
        values = {name: first.fields.get(name, defaults[name]) for name in columns}
        return RecordState(
            values, [first.change], first.wall_time, first.wall_time, first.device_id
        )
    ancestors = ancestor_sets(entries)
    below_any = 0
    for bits in ancestors:
        below_any |= bits
    record_heads = [e for i, e in enumerate(entries) if not below_any >> i & 1]
    # Updated when its newest head was made (as a local edit, which becomes the one head,
    # records it), not when the highest-ordered entry was: a slow laptop's edit orders
    # below the entry it was based on, since its clock is not moved by changes dated more
    # than a day ahead of it.
    newest = max(record_heads, key=lambda e: e.order)
    state = RecordState(
        {},
        sorted(e.change for e in record_heads),
        first.wall_time,
        newest.wall_time,
        first.device_id,
    )
    for name in columns:
        touching = [i for i, e in enumerate(entries) if e.op == OP_INSERT or name in e.fields]
        below = 0
        for i in touching:
            below |= ancestors[i]
        heads = [i for i in touching if not below >> i & 1]

        def value_of(i: int, name: str = name) -> Any:
            entry = entries[i]
            return (
                entry.fields.get(name, defaults[name])
                if entry.op == OP_INSERT
                else (entry.fields[name])
            )

        winner = max(heads, key=lambda i: entries[i].order)
        state.values[name] = value_of(winner)
        if len({canonical_json(value_of(i)) for i in heads}) > 1:
            state.conflicts[name] = (KIND_VALUE, sorted(entries[i].change for i in heads))
    _withdrawn_while_edited(entries, ancestors, state)
    return state


def _withdrawn_while_edited(
    entries: Sequence[LogEntry], ancestors: Sequence[int], state: RecordState
) -> None:
    """A withdrawal that a concurrent edit on another laptop did not see: listed for a
    person (keep it withdrawn, or bring the record back), never settled silently."""
    if state.values.get(DELETED) is not True or DELETED in state.conflicts:
        return
    deleting = [
        i
        for i, e in enumerate(entries)
        if e.fields.get(DELETED) is True
        and not any(ancestors[j] >> i & 1 for j, o in enumerate(entries) if DELETED in o.fields)
    ]
    concurrent = sorted(
        {
            entries[j].change
            for i in deleting
            for j, other in enumerate(entries)
            if j != i
            and other.op != OP_INSERT
            and set(other.fields) - {DELETED}
            and not ancestors[i] >> j & 1
            and not ancestors[j] >> i & 1
        }
    )
    if concurrent:
        state.conflicts[DELETED] = (
            KIND_WITHDRAWN,
            sorted({entries[i].change for i in deleting} | set(concurrent)),
        )


# ---------------------------------------------------------------- materialising


@dataclass
class MergeResult:
    inserted: int = 0
    updated: int = 0
    pending: int = 0
    conflicts: int = 0
    residents: set[uuid.UUID] = field(default_factory=set)
    by_entity: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_entries(
    session: Session, entity: str, record_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[LogEntry]]:
    log = table_of(ChangeLogEntry)
    found: dict[uuid.UUID, list[LogEntry]] = defaultdict(list)
    for chunk in _chunks(list(record_ids)):
        rows = session.execute(
            select(
                log.c.device_id,
                log.c.seq,
                log.c.hlc,
                log.c.wall_time,
                log.c.op,
                log.c.fields,
                log.c.parents,
                log.c.record_id,
            ).where(log.c.entity == entity, log.c.record_id.in_(chunk))
        )
        for device, seq, hlc, wall_time, op, fields, parents, record_id in rows:
            found[record_id].append(
                LogEntry(f"{device}:{seq}", device, seq, hlc, wall_time, op, fields, parents or [])
            )
    return found


def dependency_order() -> list[str]:
    """Replicated tables, each after the tables it refers to."""
    return [t.name for t in Base.metadata.sorted_tables if t.name in REPLICATED_MODELS]


def _references(table: Table) -> list[tuple[str, str]]:
    """(column, referred replicated table) for each foreign key of `table`."""
    return [
        (fk.parent.name, fk.column.table.name)
        for fk in table.foreign_keys
        if fk.column.table.name in REPLICATED_MODELS
    ]


def _unique_groups(table: Table) -> list[tuple[str, ...]]:
    groups = [
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    groups += [(c.name,) for c in table.columns if c.unique]
    return groups


class _Materialiser:
    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self.present: dict[str, set[uuid.UUID]] = defaultdict(set)
        self.result = MergeResult()
        self.pending: list[dict[str, Any]] = []
        self.conflicts: list[dict[str, Any]] = []

    def _existing(self, table: Table, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        wanted = [i for i in set(ids) if i not in self.present[table.name]]
        for chunk in _chunks(wanted):
            self.present[table.name].update(
                self.session.execute(select(table.c.id).where(table.c.id.in_(chunk))).scalars()
            )
        return self.present[table.name]

    def _hold(self, entity: str, record_id: uuid.UUID, reason: str, waiting: str = "") -> None:
        self.pending.append(
            {
                "entity": entity,
                "record_id": record_id,
                "reason": reason,
                "waiting_for": waiting[:200],
                "since": self.now,
            }
        )

    def run(self, touched: Mapping[str, set[uuid.UUID]]) -> MergeResult:
        for entity in dependency_order():
            ordered = sorted(touched.get(entity, ()))
            if ordered:
                self._entity(entity, ordered)
        for entity, ids in touched.items():
            for chunk in _chunks(sorted(ids)):
                for model in (PendingRecord, SyncConflict):
                    self.session.execute(
                        delete(model).where(model.entity == entity, model.record_id.in_(chunk))
                    )
        if self.pending:
            self.session.execute(insert(PendingRecord), self.pending)
        if self.conflicts:
            self.session.execute(insert(SyncConflict), self.conflicts)
        self.result.pending = len(self.pending)
        self.result.conflicts = len(self.conflicts)
        return self.result

    def _entity(self, entity: str, ids: list[uuid.UUID]) -> None:
        model = REPLICATED_MODELS[entity]
        table = table_of(model)
        columns = [c.name for c in logged_columns(model)]
        decoders = {c.name: c for c in logged_columns(model)}
        defaults = {name: encode_value(value) for name, value in insert_defaults(model).items()}
        entries = load_entries(self.session, entity, ids)
        states: dict[uuid.UUID, RecordState] = {}
        for record_id in ids:
            state = record_state(columns, defaults, entries.get(record_id, []))
            if state is None:
                self._hold(entity, record_id, PENDING_INSERT_MISSING)
            else:
                states[record_id] = state
        rows = {
            record_id: {
                **{name: decode_value(decoders[name], state.values[name]) for name in columns},
                "id": record_id,
                "origin_device_id": state.origin_device_id,
                "created_at": state.created_at,
                "updated_at": state.updated_at,
                "heads": state.heads,
            }
            for record_id, state in states.items()
        }
        self._hold_missing_references(entity, table, rows)
        self._hold_duplicates(entity, table, rows)
        existing = self._existing(table, rows)
        new = [row for record_id, row in rows.items() if record_id not in existing]
        changed = [row for record_id, row in rows.items() if record_id in existing]
        if new:
            for batch in _ordered_within(table, new):
                self.session.execute(insert(table), batch)
            self.present[entity].update(row["id"] for row in new)
        if changed:
            names = [*columns, "origin_device_id", "created_at", "updated_at", "heads"]
            statement = (
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values({name: bindparam(f"b_{name}") for name in names})
            )
            self.session.connection().execute(
                statement,
                [
                    {f"b_{k}": v for k, v in row.items() if k in names or k == "id"}
                    for row in changed
                ],
            )
        self.result.inserted += len(new)
        self.result.updated += len(changed)
        self.result.by_entity[entity] += len(rows)
        if entity == "resident":
            self.result.residents.update(rows)
        for record_id in rows:
            for name, (kind, heads) in states[record_id].conflicts.items():
                self.conflicts.append(
                    {
                        "entity": entity,
                        "record_id": record_id,
                        "field": name,
                        "kind": kind,
                        "heads": heads,
                        "detected_at": self.now,
                    }
                )

    def _hold_missing_references(
        self, entity: str, table: Table, rows: dict[uuid.UUID, dict[str, Any]]
    ) -> None:
        """A record whose referred record is neither stored nor arriving waits. Records
        that refer to their own table (a guardian, a corrected note) may refer to one
        arriving in the same import."""
        for column, referred in _references(table):
            wanted = {row[column] for row in rows.values() if row.get(column) is not None}
            if not wanted:
                continue
            known = set(self._existing(table_of(REPLICATED_MODELS[referred]), wanted))
            if referred == entity:
                known |= set(rows)
            for record_id in [r for r, row in rows.items() if row.get(column) is not None]:
                target = rows[record_id][column]
                if target not in known:
                    del rows[record_id]
                    self._hold(entity, record_id, PENDING_PARENT_MISSING, f"{referred}:{target}")

    def _hold_duplicates(
        self, entity: str, table: Table, rows: dict[uuid.UUID, dict[str, Any]]
    ) -> None:
        """Another record already holds this one's unique values (the same village code
        made on two laptops): it waits for a person instead of breaking the import."""
        for group in _unique_groups(table):
            first = group[0]
            owners: dict[tuple[Any, ...], uuid.UUID] = {}
            values = sorted(
                {row[first] for row in rows.values() if row[first] is not None}, key=str
            )
            for chunk in _chunks(values):
                found = self.session.execute(
                    select(table.c.id, *[table.c[name] for name in group]).where(
                        table.c[first].in_(chunk)
                    )
                )
                for record_id, *values_found in found:
                    owners[tuple(values_found)] = record_id
            for record_id in sorted(rows, key=str):
                row = rows[record_id]
                unique = tuple(row[name] for name in group)
                if any(part is None for part in unique):
                    continue
                owner = owners.setdefault(unique, record_id)
                if owner != record_id:
                    del rows[record_id]
                    self._hold(entity, record_id, PENDING_DUPLICATE, f"{entity}:{owner}")


def _ordered_within(table: Table, rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Rows in batches such that a row referring to its own table comes after the row it
    refers to (a guardian before the child)."""
    own = [column for column, referred in _references(table) if referred == table.name]
    if not own:
        return [rows]
    remaining = {row["id"]: row for row in rows}
    batches: list[list[dict[str, Any]]] = []
    while remaining:
        batch = [
            row
            for row in remaining.values()
            if not any(row.get(column) in remaining for column in own)
        ]
        if not batch:  # a cycle: cannot be placed (held back by the caller's checks)
            batch = list(remaining.values())
        for row in batch:
            del remaining[row["id"]]
        batches.append(batch)
    return batches


def merge_records(
    session: Session, touched: Mapping[str, set[uuid.UUID]], now: datetime
) -> MergeResult:
    """Bring the records of `touched` (table → record ids) in line with their entries."""
    return _Materialiser(session, now).run(touched)
