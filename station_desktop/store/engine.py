"""The one place where database engines are made.

SQLite (the embedded default) runs with WAL and `synchronous=FULL`: measured under simulated
power loss, FULL lost none of thousands of acknowledged commits where NORMAL lost hundreds.
Transactions are explicit: `BEGIN IMMEDIATE` for writes, so a writer takes the lock before
it reads what it will change (sequence numbers, heads), and plain `BEGIN` for reads.
Encryption at rest will be wired here too (a SQLCipher creator), and nowhere else.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from station_desktop.store.failures import storage_problem

BUSY_TIMEOUT_MS = 10_000
CACHE_SIZE_KIB = 65_536

WRITE_OPTION = "station_desktop_write"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def create_store_engine(url: str, *, read_only: bool = False, uri: str | None = None) -> Engine:
    """Make the engine for `url`. SQLite gets durability pragmas and explicit transactions;
    other databases (PostgreSQL for a bureau) use their defaults. `uri`: a read-only SQLite
    URI of one's own (files.read_only_uri)."""
    if not url.startswith("sqlite"):
        return create_engine(url, hide_parameters=True, pool_pre_ping=True)

    connect_args: dict[str, Any] = {"timeout": BUSY_TIMEOUT_MS / 1000}
    if uri is not None:
        url = f"sqlite:///{uri}&uri=true"
    elif read_only:
        path = url.removeprefix("sqlite:///")
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    engine = create_engine(url, connect_args=connect_args, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _: ConnectionPoolEntry) -> None:
        # Hand transaction control to us (the sqlite3 module would otherwise begin lazily,
        # only before DML, leaving reads outside the transaction).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not read_only and uri is None:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute(f"PRAGMA cache_size=-{CACHE_SIZE_KIB}")
            cursor.execute("PRAGMA trusted_schema=OFF")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class _OrmWritesForbidden(RuntimeError):
    """A bug: code tried to write through the ORM unit of work."""


def _forbid_orm_writes(session: Session, _flush_context: Any, _instances: Any) -> None:
    # Every write must go through ChangeRecorder so it lands in the change log; an ORM
    # object added or modified behind its back would be invisible to sync and audit.
    if session.new or session.dirty or session.deleted:
        raise _OrmWritesForbidden(
            "ORM writes bypass the change log; use ChangeRecorder (store.changes)"
        )


class Database:
    """Sessions on one engine: `read()` for queries, `write()` for one user action."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._read_sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        event.listen(self._read_sessions, "before_flush", _forbid_orm_writes)
        event.listen(self._write_sessions, "before_flush", _forbid_orm_writes)
        # Told (device, newest sequence number) after each committed action that logged
        # changes: the opener keeps a note of it to notice lost writes (store.writemark).
        self.after_write: Callable[[uuid.UUID, int], None] | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    @property
    def folder(self) -> Path:
        """Where the data lives, as messages about the disk name it."""
        database = self.engine.url.database
        return Path(database).parent if self.is_sqlite and database else Path()

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A session in one write transaction: committed on success, rolled back on error.
        Use `store.changes.unit_of_work` to get the change recorder with it. A full disk,
        a lock held too long or a read-only file raise a `StorageProblem` (see failures)."""
        try:
            with self._write_sessions() as session, session.begin():
                yield session
        except (DBAPIError, OSError) as error:
            problem = storage_problem(error, self.folder)
            if problem is None:
                raise
            raise problem from error

    def dispose(self) -> None:
        self.engine.dispose()
