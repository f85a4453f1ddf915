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

import functools
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import (
    Table,
    UniqueConstraint,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from station_desktop.domain.namekeys import NameKeyBuilder
from station_desktop.store.bulk import insert_plain_rows
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
from station_desktop.store.search import index_residents

CHUNK = 500
MERGE_CHUNK = 2000
DELETED = "deleted"
KIND_VALUE = "value"
KIND_WITHDRAWN = "withdrawn_while_edited"
# A progress note written on a laptop that had not seen its case closed elsewhere: kept,
# and listed for a person (reopen the case, or acknowledge it).
KIND_NOTE_ON_CLOSED = "note_on_closed_case"
CLOSED_STAGE = "closed"
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
        if len(heads) > 1 and len({canonical_json(value_of(i)) for i in heads}) > 1:
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
    by_entity: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def insert_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows that each give every column of `table` (an import's hundreds of
    thousands): the driver's executemany with each column's conversion looked up once,
    instead of SQLAlchemy's per-row parameter handling, which costs more than the insert.
    Rows that leave columns to their defaults take the ordinary way."""
    if not rows:
        return
    if rows[0].keys() == {column.name for column in table.columns}:
        insert_plain_rows(session, table, rows)
    else:
        session.execute(insert(table), rows)


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_entries(
    session: Session, entity: str, record_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[LogEntry]]:
    log = table_of(ChangeLogEntry)
    found: dict[uuid.UUID, list[LogEntry]] = defaultdict(list)
    for chunk in chunks(list(record_ids)):
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


class Merger:
    """Materialises records chunk by chunk (an import of a million entries never holds
    them all): `merge(entity, ids)` for each chunk, tables in `dependency_order()`, then
    `result`. Each chunk's conflicts and waiting records replace the old ones of its
    records. Records written earlier in the same transaction are seen by later chunks."""

    def __init__(
        self,
        session: Session,
        now: datetime,
        keys: NameKeyBuilder | None = None,
        arrived: Mapping[tuple[str, uuid.UUID], Sequence[LogEntry]] | None = None,
    ) -> None:
        self.session = session
        self.now = now
        self.keys = keys
        # The entries an import has just added, per (table, record), as it parsed them:
        # a record the log holds no other entry of is merged from these, not read back.
        self.arrived = arrived or {}
        self.result = MergeResult()
        # The records the last `merge` wrote (not those it held back).
        self.written: set[uuid.UUID] = set()

    def _existing(self, table: Table, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        for chunk in chunks(list(set(ids))):
            found.update(
                self.session.execute(select(table.c.id).where(table.c.id.in_(chunk))).scalars()
            )
        return found

    def _entries(self, entity: str, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[LogEntry]]:
        """Each record's entries: those just arrived when the log holds as many entries of
        the record (so exactly those), otherwise read from the log."""
        arrived = self.arrived
        candidates = [record_id for record_id in ids if (entity, record_id) in arrived]
        if not candidates:
            return load_entries(self.session, entity, ids)
        log = table_of(ChangeLogEntry)
        found: dict[uuid.UUID, list[LogEntry]] = {}
        for chunk in chunks(candidates):
            counts = self.session.execute(
                select(log.c.record_id, func.count())
                .where(log.c.entity == entity, log.c.record_id.in_(chunk))
                .group_by(log.c.record_id)
            )
            for record_id, count in counts:
                known = arrived[entity, record_id]
                if count == len(known):
                    found[record_id] = list(known)
        rest = [record_id for record_id in ids if record_id not in found]
        if rest:
            found.update(load_entries(self.session, entity, rest))
        return found

    def merge(self, entity: str, ids: Sequence[uuid.UUID]) -> None:
        pending: list[dict[str, Any]] = []
        conflicts: list[dict[str, Any]] = []

        def hold(record_id: uuid.UUID, reason: str, waiting: str = "") -> None:
            pending.append(
                {
                    "entity": entity,
                    "record_id": record_id,
                    "reason": reason,
                    "waiting_for": waiting[:200],
                    "since": self.now,
                }
            )

        model = REPLICATED_MODELS[entity]
        table = table_of(model)
        columns = [c.name for c in logged_columns(model)]
        decoders = _decoders(entity)
        defaults = {name: encode_value(value) for name, value in insert_defaults(model).items()}
        entries = self._entries(entity, ids)
        states: dict[uuid.UUID, RecordState] = {}
        rows: dict[uuid.UUID, dict[str, Any]] = {}
        # Each column's decoder and default together, for the row of a record seen once.
        plan = [(name, decoders[name], defaults[name]) for name in columns]
        for record_id in ids:
            found = entries.get(record_id, [])
            if len(found) == 1 and found[0].op == OP_INSERT:
                # The common case (a visit, a new resident): what `record_state` makes of
                # one insert, decoded straight into the row.
                only = found[0]
                given = only.fields
                row = {name: decode(given.get(name, default)) for name, decode, default in plan}
                row["id"] = record_id
                row["origin_device_id"] = only.device_id
                row["created_at"] = row["updated_at"] = only.wall_time
                row["heads"] = [only.change]
                rows[record_id] = row
                continue
            state = record_state(columns, defaults, found)
            if state is None:
                hold(record_id, PENDING_INSERT_MISSING)
                continue
            states[record_id] = state
            rows[record_id] = {
                **{name: decoders[name](state.values[name]) for name in columns},
                "id": record_id,
                "origin_device_id": state.origin_device_id,
                "created_at": state.created_at,
                "updated_at": state.updated_at,
                "heads": state.heads,
            }
        self._hold_missing_references(entity, table, rows, hold)
        self._hold_duplicates(entity, table, rows, hold)
        existing = self._existing(table, rows)
        new = [row for record_id, row in rows.items() if record_id not in existing]
        changed = [row for record_id, row in rows.items() if record_id in existing]
        if new:
            for batch in _ordered_within(table, new):
                insert_rows(self.session, table, batch)
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
        for record_id in rows:
            if record_id not in states:  # one insert: no conflict
                continue
            for name, (kind, heads) in states[record_id].conflicts.items():
                conflicts.append(
                    {
                        "entity": entity,
                        "record_id": record_id,
                        "field": name,
                        "kind": kind,
                        "heads": heads,
                        "detected_at": self.now,
                    }
                )
        for chunk in chunks(list(ids)):
            for kept in (PendingRecord, SyncConflict):
                self.session.execute(
                    delete(kept).where(kept.entity == entity, kept.record_id.in_(chunk))
                )
        if pending:
            self.session.execute(insert(PendingRecord), pending)
        if conflicts:
            self.session.execute(insert(SyncConflict), conflicts)
        if entity == "case_record":
            self._flag_notes_on_closed_cases(rows)
        elif entity == "case_note":
            self._flag_notes_on_closed_cases(row["case_id"] for row in rows.values())
        self.result.inserted += len(new)
        self.result.updated += len(changed)
        self.result.pending += len(pending)
        self.result.conflicts += len(conflicts)
        self.result.by_entity[entity] += len(rows)
        self.written = set(rows)
        if entity == "resident" and self.keys is not None:
            # Search keys from the rows just written (no reading back): the new ones have
            # no keys to replace.
            index_residents(self.session, self.keys, [SimpleNamespace(**r) for r in new], new=True)
            index_residents(self.session, self.keys, [SimpleNamespace(**r) for r in changed])

    def _flag_notes_on_closed_cases(self, case_ids: Iterable[uuid.UUID]) -> None:
        """Notes whose writer did not know of their case's closing (a closing that is not
        among what the note's entry says it had seen of the case) are flagged for a person,
        never dropped. Checked when a note arrives and when its case's closing does."""
        cases = table_of(REPLICATED_MODELS["case_record"])
        notes = table_of(REPLICATED_MODELS["case_note"])
        wanted = sorted(set(case_ids), key=str)
        closed: set[uuid.UUID] = set()
        for chunk in chunks(wanted):
            closed.update(
                self.session.scalars(
                    select(cases.c.id).where(cases.c.id.in_(chunk), cases.c.stage == CLOSED_STAGE)
                )
            )
        note_cases: dict[uuid.UUID, uuid.UUID] = {}
        for chunk in chunks(wanted):
            note_cases.update(
                (note_id, case_id)
                for note_id, case_id in self.session.execute(
                    select(notes.c.id, notes.c.case_id).where(notes.c.case_id.in_(chunk))
                )
            )
        for chunk in chunks(sorted(note_cases, key=str)):
            self.session.execute(
                delete(SyncConflict).where(
                    SyncConflict.entity == "case_note",
                    SyncConflict.kind == KIND_NOTE_ON_CLOSED,
                    SyncConflict.record_id.in_(chunk),
                )
            )
        open_notes = {n: c for n, c in note_cases.items() if c in closed}
        if not open_notes:
            return
        case_entries = load_entries(self.session, "case_record", sorted(closed, key=str))
        note_entries = load_entries(self.session, "case_note", sorted(open_notes, key=str))
        flags = []
        for note_id, case_id in open_notes.items():
            history = case_entries.get(case_id, [])
            index = {e.change: i for i, e in enumerate(history)}
            ancestors = ancestor_sets(history)
            closings = [i for i, e in enumerate(history) if e.fields.get("stage") == CLOSED_STAGE]
            note = min(
                (e for e in note_entries.get(note_id, []) if e.op == OP_INSERT),
                key=lambda e: e.order,
                default=None,
            )
            if note is None:
                continue
            seen = 0
            for parent in note.parents:
                if parent in index:
                    seen |= (1 << index[parent]) | ancestors[index[parent]]
            unseen = [i for i in closings if not seen >> i & 1]
            if unseen:
                flags.append(
                    {
                        "entity": "case_note",
                        "record_id": note_id,
                        "field": "case_id",
                        "kind": KIND_NOTE_ON_CLOSED,
                        "heads": sorted({note.change, *(history[i].change for i in unseen)}),
                        "detected_at": self.now,
                    }
                )
        if flags:
            self.session.execute(insert(SyncConflict), flags)
        self.result.conflicts += len(flags)

    def _hold_missing_references(
        self,
        entity: str,
        table: Table,
        rows: dict[uuid.UUID, dict[str, Any]],
        hold: Callable[[uuid.UUID, str, str], None],
    ) -> None:
        """A record whose referred record is neither stored nor arriving waits. Records
        that refer to their own table (a guardian, a corrected note) may refer to one
        arriving in the same chunk."""
        for column, referred in _references(table):
            wanted = {row[column] for row in rows.values() if row.get(column) is not None}
            if not wanted:
                continue
            known = self._existing(table_of(REPLICATED_MODELS[referred]), wanted)
            if referred == entity:
                known |= set(rows)
            for record_id in [r for r, row in rows.items() if row.get(column) is not None]:
                target = rows[record_id][column]
                if target not in known:
                    del rows[record_id]
                    hold(record_id, PENDING_PARENT_MISSING, f"{referred}:{target}")

    def _hold_duplicates(
        self,
        entity: str,
        table: Table,
        rows: dict[uuid.UUID, dict[str, Any]],
        hold: Callable[[uuid.UUID, str, str], None],
    ) -> None:
        """Another record already holds this one's unique values (the same village code
        made on two laptops): it waits for a person instead of breaking the import."""
        for group in _unique_groups(table):
            first = group[0]
            owners: dict[tuple[Any, ...], uuid.UUID] = {}
            values = sorted(
                {row[first] for row in rows.values() if row[first] is not None}, key=str
            )
            for chunk in chunks(values):
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
                    hold(record_id, PENDING_DUPLICATE, f"{entity}:{owner}")


@functools.cache
def _decoders(entity: str) -> dict[str, Callable[[Any], Any]]:
    """Per logged column of `entity`, `decode_value` for it with the column's Python type
    looked up once (a merge decodes every field of every record it writes)."""
    parsers: dict[type, Callable[[Any], Any]] = {
        uuid.UUID: uuid.UUID,
        datetime: datetime.fromisoformat,
        date: date.fromisoformat,
    }
    found: dict[str, Callable[[Any], Any]] = {}
    for column in logged_columns(REPLICATED_MODELS[entity]):
        parse = parsers.get(column.type.python_type)
        found[column.name] = _none_or(parse) if parse else functools.partial(decode_value, column)
    return found


def _none_or(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def decode(value: Any) -> Any:
        return None if value is None else parse(value)

    return decode


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
    session: Session,
    touched: Mapping[str, set[uuid.UUID]],
    now: datetime,
    keys: NameKeyBuilder | None = None,
) -> MergeResult:
    """Bring the records of `touched` (table → record ids) in line with their entries."""
    merger = Merger(session, now, keys)
    for entity in dependency_order():
        ids = sorted(touched.get(entity, ()))
        for chunk in chunks(ids, MERGE_CHUNK):
            merger.merge(entity, chunk)
    return merger.result
