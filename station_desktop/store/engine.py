"""The one place where database engines are made, and where the two engines differ.

SQLite (the embedded default) runs with WAL and `synchronous=FULL`: measured under simulated
power loss, FULL lost none of thousands of acknowledged commits where NORMAL lost hundreds.
Transactions are explicit: `BEGIN IMMEDIATE` for writes, so a writer takes the lock before
it reads what it will change (sequence numbers, heads), and plain `BEGIN` for reads.
Encryption at rest is wired here too, and nowhere else: with a data key, connections come
from SQLCipher (`store.cipher.connect`: the key is the first statement of each one).

PostgreSQL (the bureau's server, several laptops on one database) keeps the same rule: a
write transaction first takes one lock for the whole database (a transaction-level advisory
lock), so writers follow each other exactly as on SQLite and every rule a service checks
before writing (heads for a stale edit, the next sequence number of a device, what is left
of a donation, a free code) still holds when it commits. Reads take no lock and see one
snapshot of the data for their whole transaction (REPEATABLE READ, as a SQLite read
transaction does), so a report's figures all come from the same moment. Waiting for the
lock is bounded like SQLite's busy timeout; then the person is told the data is busy.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event, text
from sqlalchemy.engine import URL, Connection, Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.sql import Executable
from sqlalchemy.sql.dml import Insert

from station_desktop.store.failures import storage_problem
from station_desktop.store.jsontext import json_encoder

BUSY_TIMEOUT_MS = 10_000
CACHE_SIZE_KIB = 65_536
# An encrypted file's pages are decrypted into SQLite's own cache, while a plain file's
# are kept by the system's file cache: the encrypted store's connections get a larger
# cache, filled only as pages are read (a station's file is about 260 MB). At 100,000
# residents 256 MiB brought the report from 1.9× to 1.2× the plain store's (bench/README).
ENCRYPTED_CACHE_SIZE_KIB = 262_144
CONNECT_TIMEOUT_S = 10

WRITE_OPTION = "station_desktop_write"
# The advisory lock every write transaction on a server takes first (any fixed number:
# it only has to be the same for every copy of the program).
SERVER_WRITE_LOCK = 0x5D_57A7_1011
SERVER_DIALECTS = frozenset({"postgresql"})
# Read statements run at once on a server by `Database.read_all` (each on a connection and
# a core of the server's): the report's parts.
PARALLEL_READS = 4
_SNAPSHOT_NAME = re.compile(r"[0-9A-Fa-f-]+")


# JSON columns' text as json.dumps writes it (SQLAlchemy's default), its encoder made
# once: an import writes several JSON values for each of its entries.
_JSON_TEXT = json_encoder()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def create_store_engine(
    url: str, *, read_only: bool = False, uri: str | None = None, key: bytes | None = None
) -> Engine:
    """Make the engine for `url`. SQLite gets durability pragmas and explicit transactions;
    a PostgreSQL server gets the write lock and snapshot reads (see above). `uri`: a
    read-only SQLite URI of one's own (files.read_only_uri). `key`: the data key of an
    encrypted (SQLCipher) file."""
    if url.startswith("postgresql"):
        return _server_engine(url)
    if not url.startswith("sqlite"):
        raise ValueError("only SQLite files and PostgreSQL servers are supported")

    connect_args: dict[str, Any] = {"timeout": BUSY_TIMEOUT_MS / 1000}
    if uri is not None:
        url = f"sqlite:///{uri}&uri=true"
    elif read_only:
        path = url.removeprefix("sqlite:///")
        url = f"sqlite:///file:{path}?mode=ro&uri=true"
    if key is None:
        engine = create_engine(
            url, connect_args=connect_args, hide_parameters=True, json_serializer=_JSON_TEXT
        )
    else:
        engine = _keyed_engine(url, key)

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
            cache_kib = CACHE_SIZE_KIB if key is None else ENCRYPTED_CACHE_SIZE_KIB
            cursor.execute(f"PRAGMA cache_size=-{cache_kib}")
            cursor.execute("PRAGMA trusted_schema=OFF")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _keyed_engine(url: str, key: bytes) -> Engine:
    """SQLCipher through the pysqlite dialect with a creator: the only wiring measured to
    behave (the `sqlite+pysqlcipher` dialect re-keys with an empty key)."""
    import sqlcipher3  # noqa: PLC0415 - only for an encrypted store

    from station_desktop.store.cipher import connect  # noqa: PLC0415

    target = url.removeprefix("sqlite:///")
    is_uri = url.endswith("uri=true")
    if is_uri:
        target = target.removesuffix("&uri=true")

    def creator() -> Any:
        return connect(target, key, uri=is_uri, check_same_thread=False)

    plain_url = url if not is_uri else "sqlite:///" + target.split("?")[0].removeprefix("file:")
    return create_engine(
        plain_url,
        module=sqlcipher3.dbapi2,
        creator=creator,
        hide_parameters=True,
        json_serializer=_JSON_TEXT,
    )


def _server_engine(url: str) -> Engine:
    engine = create_engine(
        url,
        hide_parameters=True,  # personal data stays out of error messages and logs
        pool_pre_ping=True,  # a server restarted overnight costs a reconnect, not an error
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "application_name": "station-desktop",
            # Bounded waits for any lock (the write lock included), like SQLite's timeout.
            # No JIT compilation: the report is one statement of some sixty aggregates,
            # which the server's default JIT spent over a minute compiling at bureau scale
            # (650,000 residents: 96 s with it, 57 s without, measured under load); every
            # other statement is too short for JIT to pay.
            "options": f"-c lock_timeout={BUSY_TIMEOUT_MS} -c jit=off",
        },
    )

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get(WRITE_OPTION, False):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SERVER_WRITE_LOCK})")
        else:
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    return engine


def server_label(url: URL) -> str:
    """A server's address as people see it: without the driver or any password."""
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


def insert_or_ignore(session: Session, table: Table) -> Insert:
    """`INSERT … ON CONFLICT (primary key) DO NOTHING` in the session's dialect: a row
    whose key is already there is left as it is, so loading the same rows twice changes
    nothing. Only the primary key is ignored: a row that clashes with another unique rule
    (a station code taken by another station) still fails, rather than vanish unseen."""
    key = list(table.primary_key.columns)
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as server_insert  # noqa: PLC0415

        return server_insert(table).on_conflict_do_nothing(index_elements=key)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # noqa: PLC0415

    return sqlite_insert(table).on_conflict_do_nothing(index_elements=key)


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

    def __init__(
        self, engine: Engine, *, read_only_file: Path | None = None, key: bytes | None = None
    ) -> None:
        # A SQLite file opened read-only beside a running window, and its data key: what a
        # short-lived writer needs to record an audit event (store.audit.event_session).
        self.read_only_file = read_only_file
        self.key = key
        self.rebind(engine)
        # Told (device, newest sequence number) after each committed action that logged
        # changes: the opener keeps a note of it to notice lost writes (store.writemark).
        self.after_write: Callable[[uuid.UUID, int], None] | None = None

    def rebind(self, engine: Engine) -> None:
        """Work on `engine` from now on (the same file under a new key, after a re-key)."""
        self.engine = engine
        self._read_sessions = sessionmaker(engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        event.listen(self._read_sessions, "before_flush", _forbid_orm_writes)
        event.listen(self._write_sessions, "before_flush", _forbid_orm_writes)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_server(self) -> bool:
        """The data is on a database server (shared), not in a file of this laptop."""
        return self.engine.dialect.name in SERVER_DIALECTS

    @property
    def where(self) -> str:
        """Where the data is, as messages name it: the file, or the server's address
        (never with a password)."""
        if self.is_server:
            return server_label(self.engine.url)
        return str(self.engine.url.database or "")

    @contextmanager
    def read(self) -> Iterator[Session]:
        if not self.is_server:
            with self._read_sessions() as session, session.begin():
                yield session
            return
        # A server can go away in the middle of the work (the network): say so.
        try:
            with self._read_sessions() as session, session.begin():
                yield session
        except DBAPIError as error:
            problem = storage_problem(error, self.where)
            if problem is None:
                raise
            raise problem from error

    def read_all(self, session: Session, statements: Sequence[Executable]) -> list[list[Row[Any]]]:
        """The rows of each read statement, all seen in `session`'s snapshot. SQLite runs
        them one after the other in the session. A server runs them at once, each on a
        connection of its own that imports the session's snapshot (`pg_export_snapshot`), so
        the figures are those of one moment as if they were one statement: a statement
        runs on one core of the server, and a report's parts then use several."""
        if not self.is_server or len(statements) < 2:
            return [list(session.execute(statement).all()) for statement in statements]
        snapshot = str(session.execute(text("SELECT pg_export_snapshot()")).scalar_one())
        if not _SNAPSHOT_NAME.fullmatch(snapshot):
            raise ValueError(f"unexpected snapshot name {snapshot!r}")

        def run(statement: Executable) -> list[Row[Any]]:
            with self.engine.connect() as connection:
                # The engine's begin (REPEATABLE READ) comes first, then the snapshot.
                connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                rows = list(connection.execute(statement).all())
                connection.rollback()
                return rows

        with ThreadPoolExecutor(max_workers=min(len(statements), PARALLEL_READS)) as pool:
            return list(pool.map(run, statements))

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
            problem = storage_problem(error, self.where if self.is_server else self.folder)
            if problem is None:
                raise
            raise problem from error

    def dispose(self) -> None:
        self.engine.dispose()
