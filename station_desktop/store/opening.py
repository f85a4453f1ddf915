"""Opening the local data directory: the start-up sequence, in one place.

1. take the data-directory lock (one running instance per directory; released by the OS
   if the process dies, so a crashed instance never blocks the next start);
2. remove temporary files an interrupted write left behind;
3. `PRAGMA quick_check`; if it fails, refuse to write and point at the newest good backup;
4. refuse a database from a newer version of the application;
5. back up, then migrate, if the schema is behind;
6. make sure this installation has a device identity.
"""

from __future__ import annotations

import base64
import os
import platform
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from station_desktop.errors import DatabaseDamaged, DataDirInUse, NeedsMigration, SchemaTooNew
from station_desktop.paths import DataPaths
from station_desktop.store.backup import (
    back_up,
    integrity_problems,
    list_backups,
)
from station_desktop.store.changes import get_local_state, set_local_state
from station_desktop.store.engine import Database, create_store_engine, sqlite_url
from station_desktop.store.files import commit_temp_file, remove_stale_temp_files, temp_path_for
from station_desktop.store.migrate import (
    SCHEMA_HEAD,
    current_revision,
    known_revisions,
    upgrade_to_head,
)
from station_desktop.store.models import Device

DEVICE_ID_KEY = "device_id"
STATION_ID_KEY = "station_id"


@dataclass
class OpenedStore:
    paths: DataPaths
    db: Database
    device_id: uuid.UUID
    lock: FileLock | None
    migrated_from: str | None = None

    def close(self) -> None:
        self.db.dispose()
        if self.lock is not None:
            self.lock.release()

    def __enter__(self) -> OpenedStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def acquire_lock(paths: DataPaths) -> FileLock:
    lock = FileLock(paths.lock, timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise DataDirInUse(path=str(paths.root)) from exc
    return lock


def open_store(
    paths: DataPaths,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
    read_only: bool = False,
    check_integrity: bool = True,
) -> OpenedStore:
    """Open (creating if needed) the data directory's database, ready for use.

    `check_integrity=False` skips `quick_check` (about 1 s per GB). Only for callers that
    never write (the command line's listing and search) or that run the check themselves
    before allowing writes (the window: `ui.launch.IntegrityCheck`)."""
    paths.root.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = None if read_only else acquire_lock(paths)
    try:
        return _open_locked(paths, lock, now, new_id, read_only, check_integrity)
    except BaseException:
        if lock is not None:
            lock.release()
        raise


def _open_locked(
    paths: DataPaths,
    lock: FileLock | None,
    now: Callable[[], datetime],
    new_id: Callable[[], uuid.UUID],
    read_only: bool,
    check_integrity: bool,
) -> OpenedStore:
    if not read_only:
        remove_stale_temp_files(paths.root, paths.backups)
    existed = paths.database.exists() and paths.database.stat().st_size > 0
    if existed and check_integrity:
        problems = integrity_problems(paths.database, quick=True)
        if problems is not None:
            raise DatabaseDamaged(
                paths.database, [b.path for b in list_backups(paths.backups)], problems
            )
    engine = create_store_engine(sqlite_url(paths.database), read_only=read_only and existed)
    db = Database(engine)
    try:
        revision = current_revision(engine) if existed else None
        if revision is not None and revision != SCHEMA_HEAD and revision not in known_revisions():
            raise SchemaTooNew(path=str(paths.database))
        migrated_from = None
        if revision != SCHEMA_HEAD:
            if read_only:
                raise NeedsMigration(path=str(paths.database))
            if existed:
                back_up(paths.database, paths.backups, "pre-migration", now=now())
            upgrade_to_head(engine)
            migrated_from = revision or "empty"
        device_id = _existing_device(db) if read_only else ensure_device(db, now, new_id)
        return OpenedStore(paths, db, device_id, lock, migrated_from)
    except BaseException:
        db.dispose()
        raise


def _existing_device(db: Database) -> uuid.UUID:
    with db.read() as session:
        value = get_local_state(session, DEVICE_ID_KEY)
    return uuid.UUID(value) if value else uuid.UUID(int=0)


def device_tag_for(device_id: uuid.UUID) -> str:
    """A short, readable tag (4 base-32 characters) used in case numbers."""
    return base64.b32encode(device_id.bytes[-5:]).decode("ascii")[:4]


def ensure_device(
    db: Database, now: Callable[[], datetime], new_id: Callable[[], uuid.UUID]
) -> uuid.UUID:
    with db.write_session() as session:
        value = get_local_state(session, DEVICE_ID_KEY)
        if value:
            return uuid.UUID(value)
        return _new_device(session, now, new_id)


def _new_device(
    session: Session, now: Callable[[], datetime], new_id: Callable[[], uuid.UUID]
) -> uuid.UUID:
    device_id = new_id()
    station = get_local_state(session, STATION_ID_KEY)
    session.execute(
        insert(Device).values(
            id=device_id,
            station_id=uuid.UUID(station) if station else None,
            tag=device_tag_for(device_id),
            label=platform.node()[:100],
            first_seen_at=now(),
        )
    )
    set_local_state(session, DEVICE_ID_KEY, str(device_id))
    return device_id


def renew_device_identity(
    db: Database, now: Callable[[], datetime], new_id: Callable[[], uuid.UUID]
) -> uuid.UUID:
    """Give this installation a new device id. Needed after restoring a backup (or cloning
    a laptop): otherwise its new changes would reuse sequence numbers already shipped."""
    with db.write_session() as session:
        return _new_device(session, now, new_id)


def device_tag(db: Database, device_id: uuid.UUID) -> str:
    with db.read() as session:
        tag = session.execute(select(Device.tag).where(Device.id == device_id)).scalar_one_or_none()
    return tag or device_tag_for(device_id)


def restore_backup(
    paths: DataPaths,
    backup: Path,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> Path:
    """Replace the database with `backup`. The current file is moved aside, never deleted.
    Returns where the replaced database was kept."""
    problems = integrity_problems(backup)
    if problems is not None:
        raise DatabaseDamaged(backup, [], problems)
    lock = acquire_lock(paths)
    try:
        stamp = now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = paths.root / f"replaced-{stamp}.sqlite3"
        temp = temp_path_for(paths.database)
        shutil.copyfile(backup, temp)
        for suffix in ("", "-wal", "-shm"):
            current = Path(f"{paths.database}{suffix}")
            if current.exists():
                os.replace(current, Path(f"{kept}{suffix}"))
        commit_temp_file(temp, paths.database)
    finally:
        lock.release()
    with open_store(paths, now=now, new_id=new_id) as store:
        renew_device_identity(store.db, now, new_id)
    return kept
