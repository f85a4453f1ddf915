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
copy), and its values go as text through PostgreSQL's COPY into a temporary table, from
which one `INSERT … SELECT … ON CONFLICT DO NOTHING` adds what is missing. The values are
SQLAlchemy's own SQLite storage (UUIDs as 32 hex digits, instants as UTC text, booleans as
0/1, JSON as text), all of which PostgreSQL reads as they are (instants with the session in
UTC). `tests/unit/test_loading.py` checks that every row arrives equal, column by column.
A first version through SQLAlchemy, row by row, was ten times slower (bench/README.md).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import BigInteger, Table, Uuid, and_, column, select, values
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from station_desktop.errors import LoadRefused
from station_desktop.store.audit import IMPORT, chain_changes, record_event
from station_desktop.store.cipher import connect
from station_desktop.store.engine import Database, create_store_engine, sqlite_url
from station_desktop.store.erasure import apply_erasures
from station_desktop.store.failures import storage_problem
from station_desktop.store.files import read_only_uri
from station_desktop.store.migrate import SCHEMA_HEAD, upgrade_to_head
from station_desktop.store.models import REPLICATED_MODELS, Base, ChangeLogEntry, Erasure, table_of
from station_desktop.store.restore import check_database_file

BATCH_ROWS = 20_000
CHAIN_BATCH = 5_000  # log entries read back and chained at a time
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


@contextmanager
def source_file(path: Path, key: bytes | None = None) -> Iterator[Path]:
    """The station file `path` (a data folder's station.sqlite3 or a backup), checked whole
    (StationError otherwise); an older one is upgraded in a temporary copy (encrypted
    under the same `key`, for an encrypted file)."""
    revision = check_database_file(path, key)
    if revision == SCHEMA_HEAD:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="station-desktop-load-") as folder:
        copy = Path(folder) / "station.sqlite3"
        shutil.copyfile(path, copy)
        engine = create_store_engine(sqlite_url(copy), key=key)
        try:
            upgrade_to_head(engine)
        finally:
            engine.dispose()
        yield copy


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
    `key`: the data key of an encrypted station file."""
    result = LoadResult(origin or source)
    reading = connect(read_only_uri(source), key, uri=True, isolation_level=None)
    try:
        reading.execute("BEGIN")  # one snapshot for the whole load
        for table in copied_tables():
            _load_table(reading, target, table, result, progress, batch_rows)
        reading.execute("COMMIT")
    finally:
        reading.close()
    # Values erased on the station stay erased here, though older copies of their log
    # entries were loaded before (a row already present is not replaced).
    with target.write_session() as writing:
        erasures = list(writing.scalars(select(Erasure.id)))
        apply_erasures(writing, erasures, datetime.now(UTC))
    return result


def _load_table(
    reading: sqlite3.Connection,
    target: Database,
    table: Table,
    result: LoadResult,
    progress: Progress | None,
    batch_rows: int,
) -> None:
    columns = [c.name for c in table.columns]
    keys = [c.name for c in table.primary_key.columns]
    total = reading.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0]
    result.copied.setdefault(table.name, 0)
    result.present.setdefault(table.name, 0)
    if progress is not None:
        progress(table.name, 0, total)
    # A row may point at another row of its own table (a guardian, a corrected note):
    # such a table goes in one statement, so each reference is checked when all are in.
    size = max(total, 1) if _refers_to_itself(table) else batch_rows
    cursor = reading.execute(
        f'SELECT {", ".join(_quoted(columns))} FROM "{table.name}" '
        f"ORDER BY {', '.join(_quoted(keys))}"
    )
    done = chained = 0
    while rows := cursor.fetchmany(size):
        try:
            with target.write_session() as writing:
                added = _load_batch(writing, table, columns, keys, rows, result)
                if table.name == CHANGE_LOG:
                    chained += _chain_added(writing, added)
        except (IntegrityError, psycopg.IntegrityError) as error:
            cause = error.orig if isinstance(error, IntegrityError) else error
            reason = " ".join(str(cause or error).split())
            raise LoadRefused(source=str(result.source), table=table.name, reason=reason) from None
        except psycopg.Error as error:  # the driver's own, from COPY: the server went away
            problem = storage_problem(error, target.where)
            if problem is None:
                raise
            raise problem from error
        done += len(rows)
        if progress is not None:
            progress(table.name, done, total)
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


def _chain_added(session: Session, added: list[tuple[Any, ...]]) -> int:
    """Chain the log entries a batch added, in its transaction: the entries and their links
    are committed together, and each batch reads back only its own entries (looking for
    every unchained entry of the bureau's log after each file cost more with every file
    loaded). In log order (hlc, device, sequence) within the batch."""
    log = table_of(ChangeLogEntry)
    chained = 0
    for start in range(0, len(added), CHAIN_BATCH):
        part = added[start : start + CHAIN_BATCH]
        # Joined to a VALUES list: an IN of thousands of pairs plans as thousands of ORs.
        keys = values(column("device", Uuid()), column("seq", BigInteger), name="added")
        keys = keys.data([(device, seq) for device, seq in part])
        entries = (
            session.execute(
                select(log)
                .join(keys, and_(log.c.device_id == keys.c.device, log.c.seq == keys.c.seq))
                .order_by(log.c.hlc, log.c.device_id, log.c.seq)
            )
            .mappings()
            .all()
        )
        chain_changes(session, [dict(entry) for entry in entries], datetime.now(UTC))
        chained += len(entries)
    return chained


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
) -> list[tuple[Any, ...]]:
    """COPY the rows into a temporary table, add those whose key is missing, then count
    what was there already and compare it. Returns the keys of the rows added."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    name, cols = f'"{table.name}"', ", ".join(_quoted(columns))
    on_keys = " AND ".join(f'i."{k}" = t."{k}"' for k in keys)
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL TimeZone = 'UTC'")  # the file's instants are UTC text
        cursor.execute(f"CREATE TEMP TABLE incoming (LIKE {name}) ON COMMIT DROP")
        with cursor.copy(f"COPY incoming ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        primary = ", ".join(_quoted(keys))
        cursor.execute(
            f"INSERT INTO {name} ({cols}) SELECT {cols} FROM incoming "
            f"ON CONFLICT ({primary}) DO NOTHING RETURNING {primary}"
        )
        added_keys: list[tuple[Any, ...]] = list(cursor.fetchall())
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
            result.clashes += int(cursor.fetchone()[0])
    result.copied[table.name] += added
    result.present[table.name] += len(rows) - added
    return added_keys


def _sorted_heads(alias: str) -> str:
    return f"ARRAY(SELECT json_array_elements_text({alias}.heads) ORDER BY 1)"
