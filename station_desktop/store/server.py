"""Opening the bureau's database on a PostgreSQL server: the start-up sequence, in one place.

A station laptop's SQLite file is guarded by `store.opening`: a lock, restore recovery,
integrity checks, backups, a note of the last write. A database on a server is shared by
several laptops and kept safe by the server (its write-ahead log, its backups with
`pg_dump`), so here there is no single-instance lock and no file to check or copy. What is
left, in order:

1. the address is one the program can use, with no password in it (the password comes
   from the PostgreSQL password file or a service file, never from the command line);
2. the server answers, and its database holds this program's tables or none, in UTF-8
   with code-point text order (so that search and lists give what they give on SQLite);
3. a database of an older schema is migrated under the write lock (one laptop does it,
   the others wait and then find it done); PostgreSQL migrates in one transaction, so a
   failed migration leaves the old schema whole;
4. the database has an identity of its own, and this laptop a device identity for it,
   kept in its data folder (store.installation);
5. changes from this laptop that the database no longer holds (it was restored from an
   older dump) are noticed, and the laptop goes on under a new device identity.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from station_desktop.errors import (
    ForeignServerDatabase,
    NeedsMigration,
    Notice,
    PasswordInAddress,
    SchemaTooNew,
    ServerAddressInvalid,
    ServerCollation,
    ServerUnreachable,
    ServerWritesLost,
)
from station_desktop.paths import DataPaths
from station_desktop.store.audit import start_chain
from station_desktop.store.changes import get_local_state, set_local_state
from station_desktop.store.device import (
    DEVICE_ID_KEY,
    ensure_device,
    last_sequence,
    renew_device_identity,
)
from station_desktop.store.engine import Database, create_store_engine, server_label
from station_desktop.store.failures import first_line
from station_desktop.store.installation import DATABASE_ID_KEY, FolderInstallation
from station_desktop.store.migrate import (
    SCHEMA_HEAD,
    current_revision,
    known_revisions,
    upgrade_to_head,
)
from station_desktop.store.opening import OpenedStore, check_data_folder
from station_desktop.store.writemark import WriteMark, read_mark

DRIVER = "postgresql+psycopg"
EXAMPLE_URL = "postgresql://bureau@db.example.org/stations"
CREATE_COMMAND = "createdb --encoding=UTF8 --locale=C --template=template0 stations"
# Code-point order: what SQLite's comparisons do, and what the search's prefix ranges need.
CODE_POINT_COLLATIONS = frozenset({"C", "POSIX"})
# Beside the SQLite note (store.writemark), so that one folder may serve both.
SERVER_MARK_NAME = ".station-desktop.last-server-write"


def password_file() -> str:
    """Where libpq looks for passwords on this system."""
    if os.name == "nt":
        return r"%APPDATA%\postgresql\pgpass.conf"
    return "~/.pgpass"


def server_url(address: str) -> URL:
    """The URL to connect with. `postgresql://…` uses the psycopg driver; a password in the
    address is refused (it would be visible in the list of running programs)."""
    try:
        url = make_url(address.strip())
    except ArgumentError:
        raise ServerAddressInvalid(url=address, example=EXAMPLE_URL) from None
    if url.get_backend_name() != "postgresql" or url.get_driver_name() not in (
        "psycopg",
        "psycopg2",  # the default driver's name when none is given: we use psycopg
    ):
        raise ServerAddressInvalid(
            url=url.render_as_string(hide_password=True), example=EXAMPLE_URL
        )
    if url.password is not None or "password" in url.query:
        without = URL.create(
            url.drivername,
            username=url.username,
            host=url.host,
            port=url.port,
            database=url.database,
            query={k: v for k, v in url.query.items() if k != "password"},
        )
        raise PasswordInAddress(url=server_label(without), pgpass=password_file())
    return url.set(drivername=DRIVER)


def _unreachable(url: URL, error: DBAPIError) -> ServerUnreachable:
    return ServerUnreachable(server=server_label(url), reason=first_line(error.orig or error))


def _check_database(db: Database) -> str | None:
    """The schema revision, after checking that the database can be ours."""
    where = db.where
    with db.engine.connect() as connection:
        collation, encoding = connection.execute(
            text(
                "SELECT datcollate, pg_encoding_to_char(encoding) FROM pg_database "
                "WHERE datname = current_database()"
            )
        ).one()
        tables = set(
            connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
        )
    if collation not in CODE_POINT_COLLATIONS or encoding != "UTF8":
        raise ServerCollation(
            server=where, collation=f"{collation}, {encoding}", command=CREATE_COMMAND
        )
    if tables - {"alembic_version"} and "change_log" not in tables:
        raise ForeignServerDatabase(server=where)
    return current_revision(db.engine) if "alembic_version" in tables else None


def _database_id(db: Database, new_id: Callable[[], uuid.UUID], read_only: bool) -> str:
    """The database's own identity (made once, by the first laptop that writes to it)."""
    with db.read() as session:
        value = get_local_state(session, DATABASE_ID_KEY)
    if value or read_only:
        return value or ""
    with db.write_session() as session:  # under the write lock: one laptop makes it
        value = get_local_state(session, DATABASE_ID_KEY)
        if not value:
            value = str(new_id())
            set_local_state(session, DATABASE_ID_KEY, value)
    return value


def open_server_database(
    address: str,
    *,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
    read_only: bool = False,
) -> tuple[Database, str | None, str]:
    """The shared database at `address`, checked and migrated (steps 1 to 4 above, without
    any laptop's identity): the database, the revision it was migrated from (None when it
    was current) and the database's identity ("" when read-only and not made yet)."""
    url = server_url(address)
    db = Database(create_store_engine(url.render_as_string(hide_password=False)))
    try:
        revision = _check_database(db)
        if revision is not None and revision != SCHEMA_HEAD and revision not in known_revisions():
            raise SchemaTooNew(path=db.where)
        migrated_from = None
        if revision != SCHEMA_HEAD:
            if read_only:
                raise NeedsMigration(path=db.where)
            upgrade_to_head(db.engine)  # under the write lock; a no-op if another did it
            migrated_from = revision or "empty"
            start_chain(db, datetime.now(UTC))
        return db, migrated_from, _database_id(db, new_id, read_only)
    except DBAPIError as error:
        db.dispose()
        if error.connection_invalidated or _no_answer(error):
            raise _unreachable(url, error) from None
        raise
    except BaseException:
        db.dispose()
        raise


def _no_answer(error: DBAPIError) -> bool:
    """The driver could not talk to the server at all (no SQLSTATE from it)."""
    return isinstance(error.orig, OSError) or not getattr(error.orig, "sqlstate", None)


def open_server_store(
    paths: DataPaths,
    address: str,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
    read_only: bool = False,
) -> OpenedStore:
    """Open the shared database at `address`, ready for use; `paths` is this laptop's data
    folder (its device identity, drafts, logs). `read_only` creates nothing, neither in
    the database nor in the folder."""
    server_url(address)  # a bad address is refused before the folder is touched
    if not read_only:
        check_data_folder(paths, create=True)
    db, migrated_from, database_id = open_server_database(
        address, new_id=new_id, read_only=read_only
    )
    try:
        return _with_identity(paths, db, database_id, migrated_from, now, new_id, read_only)
    except BaseException:
        db.dispose()
        raise


def _with_identity(
    paths: DataPaths,
    db: Database,
    database_id: str,
    migrated_from: str | None,
    now: Callable[[], datetime],
    new_id: Callable[[], uuid.UUID],
    read_only: bool,
) -> OpenedStore:
    """Step 5: this laptop's device identity for this database, and lost changes."""
    installation = FolderInstallation(paths.root, database_id)
    notices: list[Notice] = []
    if read_only:
        value = installation.facts().get(DEVICE_ID_KEY)
        device_id = uuid.UUID(value) if value else uuid.UUID(int=0)
        return OpenedStore(paths, db, device_id, None, migrated_from, notices, None, installation)
    device_id = ensure_device(db, now, new_id, installation)
    mark = WriteMark(paths.root / SERVER_MARK_NAME)
    noted = read_mark(mark.path)
    if noted is not None and noted.device_id == device_id:
        stored = last_sequence(db, device_id)
        if noted.seq > stored:
            notices.append(ServerWritesLost(first=stored + 1, last=noted.seq, server=db.where))
            mark.forget()
            device_id = renew_device_identity(db, now, new_id, installation)
    db.after_write = mark.record
    return OpenedStore(paths, db, device_id, None, migrated_from, notices, mark, installation)


def describe_server(address: str) -> str:
    """The address as messages show it (no password), or the text itself if unusable."""
    try:
        return server_label(make_url(address))
    except ArgumentError:
        return address
