"""Moving a station's SQLite file into the bureau's database (`station-desktop migrate-to`).

For the first load of a bureau: every record of the file and every entry of its change log
are copied as they are (same ids, same origin devices, same sequence numbers, same heads),
table after table in the order of their foreign keys, in batches of one transaction each,
so the bureau's laptops can go on working between them. A row whose key is already in the
bureau's database is left alone (insert-or-ignore on the primary key), which makes a second
run, or a run after an interruption, change nothing that is there and add only what is
missing. A row that clashes with another unique rule (a station code already used by
another station) stops the load with the reason: a person must settle that.

A record that is already there with other heads was changed in both places: copying
cannot merge it, so it is counted and named (`LoadResult.differing`). Its log entries are
copied all the same, so that the merge of USB sync, which works on the change log, finds
every branch. A log entry whose (device, seq) is there with other content means a device
identity was reused (a cloned laptop): it is counted too (`LoadResult.clashes`).

This is a bulk path from one engine to the other, and knows both: the file is read with
the sqlite3 module in one read transaction (a consistent snapshot even while the station's
window writes to it; the file is never written, an older one is upgraded in a temporary
copy), and its values go as text through PostgreSQL's COPY: straight into the table when
none of a batch's rows is there yet (a first load), otherwise into a temporary table, from
which one `INSERT … SELECT … ON CONFLICT DO NOTHING` adds what is missing. The values are
SQLAlchemy's own SQLite storage (UUIDs as 32 hex digits, instants as UTC text, booleans as
0/1, JSON as text), all of which PostgreSQL reads as they are (instants with the session in
UTC). `tests/unit/test_loading.py` checks that every row arrives equal, column by column.
A first version through SQLAlchemy, row by row, was ten times slower (bench/README.md).

The copied log entries are chained into the bureau's audit trail with their batch: sealed
from the file's values, numbered and linked on the reading thread (after where the chain
will end once the batches before are in), the links written by COPY in the batch's
transaction, which numbers them again only if another writer chained something between.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
import tempfile
import uuid
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from sqlalchemy import JSON, Table, Uuid, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from station_desktop.errors import LoadRefused
from station_desktop.store.audit import (
    IMPORT,
    Head,
    append_links,
    append_numbered,
    chain_head,
    chain_key,
    change_link,
    numbered_links,
    record_event,
)
from station_desktop.store.cipher import connect
from station_desktop.store.engine import Database, create_store_engine, sqlite_url
from station_desktop.store.erasure import apply_erasures
from station_desktop.store.failures import storage_problem
from station_desktop.store.files import read_only_uri
from station_desktop.store.migrate import SCHEMA_HEAD, upgrade_to_head
from station_desktop.store.models import REPLICATED_MODELS, Base, ChangeLogEntry, Erasure, table_of
from station_desktop.store.restore import check_database_file
from station_desktop.store.types import UTCDateTime

BATCH_ROWS = 20_000
# Batches read ahead of the one being written: up to 60,000 rows held (a 10,000-resident
# station file loads in a 188 MB process at most, measured).
READ_AHEAD = 3
# Record rows written in about the time one log entry takes to read and seal (measured on
# station files: the server writes a record row in about a third of it).
LOG_WEIGHT = 3
# Facts of the laptop itself, never of the bureau's database.
# The audit chain is the bureau database's own: the copied log entries are chained there.
NOT_COPIED = frozenset({"local_state", "audit_event", "audit_anchor"})
CHANGE_LOG = "change_log"

Progress = Callable[[str, int, int], None]  # table, rows done, rows in all


@dataclass
class LoadResult:
    source: Path
    copied: dict[str, int] = field(default_factory=dict)  # table → rows added
    present: dict[str, int] = field(default_factory=dict)  # table → rows already there
    differing: list[tuple[str, uuid.UUID]] = field(default_factory=list)
    clashes: int = 0

    @property
    def rows_copied(self) -> int:
        return sum(self.copied.values())

    @property
    def rows_present(self) -> int:
        return sum(self.present.values())


def copied_tables() -> list[Table]:
    """Every table to copy, parents before the tables that refer to them."""
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_COPIED]


@dataclass
class StationFile:
    """A station file ready to load: `readable` is the file itself, or a copy upgraded to
    this version's schema (removed by `close`)."""

    path: Path  # as the person named it
    key: bytes | None
    readable: Path
    copy: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        if self.copy is not None:
            self.copy.cleanup()


def ready_file(path: Path, key: bytes | None = None) -> StationFile:
    """The station file `path` (a data folder's station.sqlite3 or a backup), checked whole
    (StationError otherwise); an older one is upgraded in a temporary copy (encrypted
    under the same `key`, for an encrypted file). Close it when done."""
    revision = check_database_file(path, key)
    if revision == SCHEMA_HEAD:
        return StationFile(path, key, path)
    folder = tempfile.TemporaryDirectory(prefix="station-desktop-load-")
    try:
        copy = Path(folder.name) / "station.sqlite3"
        shutil.copyfile(path, copy)
        engine = create_store_engine(sqlite_url(copy), key=key)
        try:
            upgrade_to_head(engine)
        finally:
            engine.dispose()
    except BaseException:
        folder.cleanup()
        raise
    return StationFile(path, key, copy, folder)


def ready_files(files: Sequence[tuple[Path, bytes | None]]) -> Generator[StationFile]:
    """Each station file (with its data key) made ready as `ready_file` does, the next one
    on a thread while the caller loads this one: the integrity check reads the whole file
    and an older file is copied and upgraded, seconds a file. A file that fails its check
    raises when its turn comes, after the files before it. The caller closes each file it
    is given; one made ready but not given (the run stopped) is closed here."""
    return _read_ahead((ready_file(path, key) for path, key in files), unused=StationFile.close)


@contextmanager
def source_file(path: Path, key: bytes | None = None) -> Iterator[Path]:
    """`ready_file` for one file, closed on leaving."""
    ready = ready_file(path, key)
    try:
        yield ready.readable
    finally:
        ready.close()


def load_station_file(
    source: Path,
    target: Database,
    *,
    origin: Path | None = None,
    progress: Progress | None = None,
    batch_rows: int = BATCH_ROWS,
    key: bytes | None = None,
) -> LoadResult:
    """Copy every row of the SQLite file `source` that the server database `target` lacks
    (see the module's note). `origin`: the file as the person named it (for messages).
    `key`: the data key of an encrypted station file.

    The file is read, and its log entries sealed, numbered and chained, on a thread a few
    batches ahead of the batch being written, the log's batches among the records' (see
    `_batches`): the program's own work then overlaps the server's. Only this function's
    thread writes, in batch order."""
    result = LoadResult(origin or source)
    with target.write_session() as writing:
        chain = chain_key(writing, create=True)
        assert chain is not None
        chaining = _Chaining(chain, chain_head(writing))
    reading = connect(
        read_only_uri(source), key, uri=True, isolation_level=None, check_same_thread=False
    )
    chained = 0
    done: dict[str, int] = {}
    try:
        reading.execute("BEGIN")  # one snapshot for the whole load
        # Closed before the file is: the reading thread has stopped when it is.
        with closing(
            _read_ahead(_batches(reading, batch_rows, chaining), ahead=READ_AHEAD)
        ) as batches:
            for batch in batches:
                name = batch.table.name
                if not batch.rows:  # a table starts
                    result.copied.setdefault(name, 0)
                    result.present.setdefault(name, 0)
                    done[name] = 0
                else:
                    chained += _write_batch(target, batch, result)
                    done[name] += len(batch.rows)
                    if name == CHANGE_LOG and done[name] == batch.total:  # the log is all in
                        _record_import(target, result, chained)
                if progress is not None:
                    progress(name, done[name], batch.total)
        reading.execute("COMMIT")
    finally:
        reading.close()
    # Values erased on the station stay erased here, though older copies of their log
    # entries were loaded before (a row already present is not replaced).
    with target.write_session() as writing:
        erasures = list(writing.scalars(select(Erasure.id)))
        apply_erasures(writing, erasures, datetime.now(UTC))
    return result


def _record_import(target: Database, result: LoadResult, chained: int) -> None:
    """The trail's event for the log entries a file's load chained (if any)."""
    if chained:
        with target.write_session() as writing:
            record_event(
                writing,
                actor_id=None,
                action=IMPORT,
                entity=str(result.source.name),
                entity_id=str(chained),
                at=datetime.now(UTC),
            )


@dataclass
class _Batch:
    """Rows of one table read from the file; none when the table starts."""

    table: Table
    total: int  # the table's rows in the file
    rows: list[tuple[Any, ...]]
    links: list[dict[str, Any]] | None = None  # the change log's: each entry's link, numbered
    start: Head | None = None  # where the chain ended when its links were numbered


@dataclass
class _Chaining:
    """The audit chain's key, and where the chain will end once the batches read so far
    are written: the reading thread numbers and chains each batch's links after it, so
    the writing thread only checks that nothing else was chained in between."""

    key: bytes
    head: Head

    def links(
        self, columns: list[str], rows: list[tuple[Any, ...]]
    ) -> tuple[list[dict[str, Any]], Head]:
        start = self.head
        numbered, self.head = numbered_links(
            self.key, start, _sealed_links(self.key, columns, rows)
        )
        return numbered, start


def _batches(reading: sqlite3.Connection, batch_rows: int, chaining: _Chaining) -> Iterator[_Batch]:
    """Every copied table's rows, in batches: the records' tables in their order, the log's
    batches (each entry's link sealed, numbered and chained, in log order) among them.
    Sealing makes a log batch slow to read and quick to write, a record batch the other
    way round: mixed, the reading thread and the server both keep busy (one after the
    other, each waited for the other half of a file's load)."""
    tables = copied_tables()
    [log] = [table for table in tables if table.name == CHANGE_LOG]
    streams = {
        True: _table_batches(reading, log, batch_rows, chaining),
        False: itertools.chain.from_iterable(
            _table_batches(reading, table, batch_rows, chaining)
            for table in tables
            if table is not log
        ),
    }
    # Record rows read, less LOG_WEIGHT for each log row read; records first, to write
    # while the first log batch is sealed.
    balance = -batch_rows
    while streams:
        take_log = True in streams and (balance >= 0 or False not in streams)
        batch = next(streams[take_log], None)
        if batch is None:
            del streams[take_log]
            continue
        balance += -LOG_WEIGHT * len(batch.rows) if take_log else len(batch.rows)
        yield batch


def _table_batches(
    reading: sqlite3.Connection, table: Table, batch_rows: int, chaining: _Chaining
) -> Iterator[_Batch]:
    """A table's rows in batches, after an empty batch that says it starts."""
    columns, keys = _columns(table)
    total = reading.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
    yield _Batch(table, total, [])
    # A row may point at another row of its own table (a guardian, a corrected note):
    # such a table goes in one statement, so each reference is checked when all are in.
    size = max(total, 1) if _refers_to_itself(table) else batch_rows
    cursor = reading.execute(
        f'SELECT {", ".join(_quoted(columns))} FROM "{table.name}" '
        f"ORDER BY {', '.join(_quoted(keys))}"
    )
    while rows := cursor.fetchmany(size):
        if table.name == CHANGE_LOG:
            yield _Batch(table, total, rows, *chaining.links(columns, rows))
        else:
            yield _Batch(table, total, rows)


_T = TypeVar("_T")
_END: Any = object()


def _read_ahead(
    items: Iterator[_T], unused: Callable[[_T], None] | None = None, *, ahead: int = 1
) -> Generator[_T]:
    """`items`, made on a thread of their own, up to `ahead` of them while the caller uses
    the one before. `unused`: what to do with an item made ahead when the caller stops
    before it."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="station-load") as reader:
        # One worker: the items are made one after the other, in order.
        coming = deque(reader.submit(next, items, _END) for _ in range(ahead))
        try:
            while (item := coming.popleft().result()) is not _END:
                coming.append(reader.submit(next, items, _END))
                yield item
        finally:
            for future in coming:
                future.cancel()  # those not started yet
            for future in coming:
                if future.cancelled() or future.exception() is not None:
                    continue
                made = future.result()
                if unused is not None and made is not _END:
                    unused(made)


def _columns(table: Table) -> tuple[list[str], list[str]]:
    return [c.name for c in table.columns], [c.name for c in table.primary_key.columns]


def _write_batch(target: Database, batch: _Batch, result: LoadResult) -> int:
    """One batch in one transaction (its log entries chained with it). Returns how many
    entries were chained."""
    table = batch.table
    columns, keys = _columns(table)
    try:
        with target.write_session() as writing:
            added = _load_batch(writing, table, columns, keys, batch.rows, result)
            if batch.links is None:
                return 0
            if added is None:  # all of them: chained as the reading thread numbered them
                assert batch.start is not None
                append_numbered(writing, batch.links, batch.start, write=_copy_rows)
                return len(batch.links)
            keys_added = {(str(device), seq) for device, seq in added}
            links = [
                link
                for link in batch.links
                if (link["change_device_id"], link["change_seq"]) in keys_added
            ]
            append_links(writing, links, write=_copy_rows)  # numbered again
            return len(links)
    except (IntegrityError, psycopg.IntegrityError) as error:
        cause = error.orig if isinstance(error, IntegrityError) else error
        reason = " ".join(str(cause or error).split())
        raise LoadRefused(source=str(result.source), table=table.name, reason=reason) from None
    except psycopg.Error as error:  # the driver's own, from COPY: the server went away
        problem = storage_problem(error, target.where)
        if problem is None:
            raise
        raise problem from error


def _sealed_links(
    chain: bytes, columns: list[str], rows: list[tuple[Any, ...]]
) -> list[dict[str, Any]]:
    """The audit links of log entries, sealed with the chain's key `chain`, in log order
    (hlc, device, sequence). The entries come from the file's rows, in the form the seal
    encodes them (`_sealable`), not read back from the server, which cost more than the
    rest of the load; `audit.verify` seals them again from what the server holds."""
    # Column by column: one comprehension per converted column, none for the others.
    converted: list[Sequence[Any]] = [
        values if read is None else [None if v is None else read(v) for v in values]
        for read, values in zip(
            _sealable(table_of(ChangeLogEntry)), zip(*rows, strict=True), strict=True
        )
    ]
    entries = [dict(zip(columns, values, strict=True)) for values in zip(*converted, strict=True)]
    # Dashed lowercase UUID text sorts as the UUIDs do (and as PostgreSQL orders them).
    entries.sort(key=itemgetter("hlc", "device_id", "seq"))
    at = datetime.now(UTC)
    return [change_link(chain, entry, at) for entry in entries]


def _sealable(table: Table) -> list[Callable[[Any], Any] | None]:
    """For each column, the file's stored value turned into what the audit's canonical
    form makes of the value SQLAlchemy reads (`audit._json_value`): a UUID's dashed text
    (stored as 32 hex digits), an instant's ISO text in UTC (stored as UTC text), JSON
    parsed. Text and numbers stay as they are. Plain strings, not objects: the canonical
    encoder then never calls back into Python (a third of a file's load otherwise)."""
    readers: list[Callable[[Any], Any] | None] = []
    for column_ in table.columns:
        kind = column_.type
        if isinstance(kind, Uuid):
            readers.append(_dashed)
        elif isinstance(kind, UTCDateTime):
            readers.append(_utc_text)
        elif isinstance(kind, JSON):
            readers.append(json.loads)
        else:
            readers.append(None)
    return readers


def _dashed(stored: str) -> str:
    if len(stored) != 32:  # not SQLAlchemy's own spelling: read it as SQLAlchemy would
        return str(uuid.UUID(stored))
    h = stored.lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _utc_text(stored: str) -> str:
    instant = datetime.fromisoformat(stored)  # as UTCDateTime reads it
    instant = instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
    return instant.isoformat()


def _copy_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (all with the same keys) by COPY: the audit links of a batch, which
    the driver's executemany sent as one statement each (a third of a file's load)."""
    if not rows:
        return
    dialect = session.connection().dialect
    names = list(rows[0])
    processors = [
        (position, process)
        for position, name in enumerate(names)
        if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    statement = f'COPY "{table.name}" ({", ".join(_quoted(names))}) FROM STDIN'
    with _driver(session).cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [row[name] for name in names]
            for position, process in processors:
                values[position] = process(values[position])
            copy.write_row(values)


def _driver(session: Session) -> psycopg.Connection[Any]:
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    return raw


def _quoted(names: list[str]) -> list[str]:
    return [f'"{name}"' for name in names]


def _refers_to_itself(table: Table) -> bool:
    return any(
        foreign.column.table is table for column in table.columns for foreign in column.foreign_keys
    )


def _load_batch(
    session: Session,
    table: Table,
    columns: list[str],
    keys: list[str],
    rows: list[tuple[Any, ...]],
    result: LoadResult,
) -> set[tuple[Any, ...]] | None:
    """Add the rows whose key is missing, count what was there already and compare it.
    Returns the keys of the rows added, or None when all were.

    Straight into the table by COPY when none of the rows is there (a first load: no
    temporary table, no second write of each row), under a savepoint; when one is (a
    second run, or a run after an interruption), into a temporary table, from which
    `INSERT … ON CONFLICT DO NOTHING` adds those missing."""
    name, cols = f'"{table.name}"', ", ".join(_quoted(columns))
    on_keys = " AND ".join(f'i."{k}" = t."{k}"' for k in keys)
    with _driver(session).cursor() as cursor:
        cursor.execute("SET LOCAL TimeZone = 'UTC'")  # the file's instants are UTC text
        cursor.execute("SAVEPOINT straight")
        try:
            with cursor.copy(f"COPY {name} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        except psycopg.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT straight")
        else:
            cursor.execute("RELEASE SAVEPOINT straight")
            result.copied[table.name] += len(rows)
            return None
        cursor.execute(f"CREATE TEMP TABLE incoming (LIKE {name}) ON COMMIT DROP")
        with cursor.copy(f"COPY incoming ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        primary = ", ".join(_quoted(keys))
        cursor.execute(
            f"INSERT INTO {name} ({cols}) SELECT {cols} FROM incoming "
            f"ON CONFLICT ({primary}) DO NOTHING RETURNING {primary}"
        )
        added_keys = set(cursor.fetchall())
        added = len(added_keys)
        if added < len(rows) and table.name in REPLICATED_MODELS:
            cursor.execute(
                f"SELECT i.id FROM incoming i JOIN {name} t ON {on_keys} "
                f"WHERE {_sorted_heads('t')} <> {_sorted_heads('i')}"
            )
            result.differing += [(table.name, uuid.UUID(str(r[0]))) for r in cursor.fetchall()]
        elif added < len(rows) and table.name == CHANGE_LOG:
            cursor.execute(
                f"SELECT count(*) FROM incoming i JOIN {name} t ON {on_keys} "
                "WHERE (t.record_id, t.hlc, t.op) IS DISTINCT FROM (i.record_id, i.hlc, i.op)"
            )
            clashing = cursor.fetchone()
            result.clashes += int(clashing[0]) if clashing else 0
    result.copied[table.name] += added
    result.present[table.name] += len(rows) - added
    return added_keys


def _sorted_heads(alias: str) -> str:
    return f"ARRAY(SELECT json_array_elements_text({alias}.heads) ORDER BY 1)"
