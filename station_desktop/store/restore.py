"""Restoring a backup without ever leaving the folder without its data.

A restore is checked completely before anything is touched: the file must be a database of
this program (its schema known, not from a newer version), whole (`integrity_check`), and
what it holds (station, records) is described so the person can compare it with what the
laptop holds now. Then, holding the data-folder lock:

1. the backup is copied beside the database under a temporary name, upgraded to this
   version's schema if it is older, given a new device identity (its sequence numbers may
   already have been shipped by the laptop that made it), checked again and fsynced;
2. the current database is kept in `backups/` (a consistent copy, or a raw copy of a damaged
   file with its WAL);
3. a journal names both files (written by rename, so it is whole or absent);
4. the current database's `-wal`/`-shm` are removed (the kept copy holds their content) and
   the prepared copy is renamed over it in one atomic step;
5. the journal is removed.

The live database stays in place until the restored one is complete. A crash before step 3
leaves the old data in place (the temporary copy is removed at the next start); a crash
after it is finished at the next start (`finish_interrupted_restore`), which says so.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from station_desktop.errors import (
    BackupDamaged,
    BackupTooNew,
    NotABackup,
    OtherStationBackup,
    StationError,
)
from station_desktop.paths import DataPaths
from station_desktop.store.backup import (
    back_up,
    integrity_problems,
    keep_damaged_copy,
)
from station_desktop.store.cipher import connect, encrypt_copy, key_pragma, sqlite_errors
from station_desktop.store.device import STATION_ID_KEY, renew_device_identity
from station_desktop.store.engine import Database, create_store_engine, sqlite_url
from station_desktop.store.files import (
    commit_temp_file,
    fsync_directory,
    fsync_file,
    read_only_uri,
)
from station_desktop.store.migrate import SCHEMA_HEAD, known_revisions, upgrade_to_head
from station_desktop.store.models import (
    Activity,
    CaseRecord,
    ChangeLogEntry,
    FeedbackSheet,
    HomeVisit,
    LocalState,
    Replicated,
    Resident,
    ResourceHandout,
    ResourceReceipt,
    Station,
)

SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables every database of this program has had since its first schema.
_OWN_TABLES = frozenset({"alembic_version", "change_log", "local_state", "resident", "station"})

RESTORE_SUFFIX = ".restore.tmp"
JOURNAL_NAME = "restore-journal.json"

COUNTED: dict[str, tuple[type[Replicated], ...]] = {
    "residents": (Resident,),
    "visits": (HomeVisit,),
    "feedback": (FeedbackSheet,),
    "cases": (CaseRecord,),
    "activities": (Activity,),
    "resources": (ResourceReceipt, ResourceHandout),
}


@dataclass(frozen=True)
class DatabaseSummary:
    """What a database holds, as a person would compare two of them."""

    path: Path
    revision: str
    station_id: uuid.UUID | None
    station_code: str
    station_name: str
    counts: dict[str, int]
    changes: int
    newest_change: datetime | None

    @property
    def records(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class RestorePlan:
    """A checked backup and what it would replace."""

    backup: DatabaseSummary
    current: DatabaseSummary | None
    # The backup's data key when it is encrypted (it may be of an earlier key generation).
    backup_key: bytes | None = field(default=None, repr=False)

    @property
    def other_station(self) -> bool:
        """The backup belongs to another station than the one this laptop holds."""
        return (
            self.current is not None
            and self.current.station_id is not None
            and self.backup.station_id != self.current.station_id
        )


@dataclass(frozen=True)
class RestoreResult:
    kept: Path | None
    steps: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- describing a file


def _own_tables(path: Path, key: bytes | None) -> tuple[set[str], str | None]:
    """The tables of `path` and its revision; raises NotABackup when it is no database."""
    try:
        connection = connect(read_only_uri(path), key, uri=True)
        try:
            tables = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
            revision = None
            if "alembic_version" in tables:
                row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = str(row[0]) if row else None
        finally:
            connection.close()
    except sqlite_errors():
        raise NotABackup(NotABackup.NOT_DATABASE, path=str(path)) from None
    return tables, revision


def check_database_file(path: Path, key: bytes | None = None) -> str:
    """The schema revision of a whole database of this program at `path` (encrypted with
    `key` when given); otherwise a StationError saying what the file is instead (empty,
    not a database, another program's, from a newer version, damaged)."""
    if not path.is_file():
        raise NotABackup(NotABackup.MISSING, path=str(path))
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_MAGIC))
    if not header:
        raise NotABackup(NotABackup.EMPTY, path=str(path))
    if key is None and header != SQLITE_MAGIC:
        raise NotABackup(NotABackup.NOT_DATABASE, path=str(path))
    if key is not None:
        _own_tables(path, key)  # a file the key does not open is no backup of this data
    problems = integrity_problems(path, only_looking=True, key=key)
    if problems is not None:
        raise BackupDamaged(path=str(path), details=problems)
    tables, revision = _own_tables(path, key)
    if not tables >= _OWN_TABLES or revision is None:
        raise NotABackup(NotABackup.FOREIGN, path=str(path))
    if revision != SCHEMA_HEAD and revision not in known_revisions():
        raise BackupTooNew(path=str(path))
    return revision


def summarise(path: Path, revision: str, key: bytes | None = None) -> DatabaseSummary:
    """Station, record counts and change log of a database already checked as ours."""
    engine = create_store_engine(sqlite_url(path), uri=read_only_uri(path), key=key)
    try:
        with Database(engine).read() as session:
            counts = {
                kind: sum(
                    session.execute(
                        select(func.count()).select_from(model).where(model.deleted.is_(False))
                    ).scalar_one()
                    for model in models
                )
                for kind, models in COUNTED.items()
            }
            changes, newest = session.execute(
                select(func.count(), func.max(ChangeLogEntry.wall_time))
            ).one()
            station_value = session.execute(
                select(LocalState.value).where(LocalState.key == STATION_ID_KEY)
            ).scalar_one_or_none()
            station_id = uuid.UUID(station_value) if station_value else None
            station = session.get(Station, station_id) if station_id else None
            return DatabaseSummary(
                path=path,
                revision=revision,
                station_id=station_id,
                station_code=station.code if station else "",
                station_name=(station.name_zh or station.name_bo) if station else "",
                counts=counts,
                changes=int(changes),
                newest_change=newest.replace(tzinfo=UTC) if newest else None,
            )
    finally:
        engine.dispose()


def plan_restore(
    paths: DataPaths,
    backup: Path,
    *,
    key: bytes | None = None,
    backup_key: bytes | None = None,
) -> RestorePlan:
    """Check `backup` completely and describe it beside the current data. Touches nothing.
    `key`: the current data's key; `backup_key`: the backup's (None: a plain file)."""
    summary = summarise(backup, check_database_file(backup, backup_key), backup_key)
    current = None
    if paths.database.is_file() and paths.database.stat().st_size > 0:
        try:
            current = summarise(paths.database, check_database_file(paths.database, key), key)
        except StationError:
            current = None  # damaged or unreadable: that is usually why one restores
    return RestorePlan(summary, current, backup_key)


# ---------------------------------------------------------------- the restore itself


def restore_temp_path(paths: DataPaths) -> Path:
    return paths.root / f".{paths.database.name}{RESTORE_SUFFIX}"


def _journal(paths: DataPaths) -> Path:
    return paths.root / JOURNAL_NAME


def _write_journal(paths: DataPaths, kept: Path | None, source: Path) -> None:
    journal = _journal(paths)
    temp = journal.with_name(f".{journal.name}.tmp")
    temp.write_text(
        json.dumps({"kept": str(kept) if kept else None, "source": str(source)}),
        encoding="utf-8",
    )
    commit_temp_file(temp, journal)


def _prepare_copy(
    backup: Path,
    temp: Path,
    now: Callable[[], datetime],
    new_id: Callable[[], uuid.UUID],
    backup_key: bytes | None = None,
    key: bytes | None = None,
) -> None:
    """The backup copied to `temp`, under the current data's key `key` (so the current
    key slots open it): re-keyed from an earlier key, or encrypted from a plain copy."""
    temp.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{temp}{suffix}").unlink(missing_ok=True)
    if key is not None and backup_key is None:
        encrypt_copy(backup, temp, key)
    else:
        shutil.copyfile(backup, temp)
        if key is not None and backup_key != key:
            connection = connect(temp, backup_key, isolation_level=None)
            try:
                connection.execute(key_pragma(key).replace("PRAGMA key", "PRAGMA rekey", 1))
            finally:
                connection.close()
    engine = create_store_engine(sqlite_url(temp), key=key)
    try:
        upgrade_to_head(engine)
        renew_device_identity(Database(engine), now, new_id)
    finally:
        engine.dispose()
    # One self-contained file: nothing in a -wal beside it when it is renamed into place.
    connection = connect(temp, key, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()
    problems = integrity_problems(temp, key=key)
    if problems is not None:
        temp.unlink(missing_ok=True)
        raise BackupDamaged(path=str(backup), details=problems)
    fsync_file(temp)


def _keep_current(paths: DataPaths, now: datetime, key: bytes | None) -> Path | None:
    """A copy of the current database in backups/: consistent when it can be read,
    else the raw bytes (with its WAL), which is what a damaged file still has."""
    if not paths.database.is_file() or paths.database.stat().st_size == 0:
        return None
    if integrity_problems(paths.database, quick=True, key=key) is None:
        try:
            return back_up(
                paths.database,
                paths.backups,
                "before-restore",
                now=now,
                key=key,
                key_slots=paths.key_slots if key is not None else None,
            )
        except RuntimeError:
            pass  # the copy failed its check: keep the raw bytes instead
    return keep_damaged_copy(paths.database, paths.backups, now=now)


def _remove_wal(database: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def restore(
    paths: DataPaths,
    plan: RestorePlan,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
    allow_other_station: bool = False,
    on_step: Callable[[str], None] = lambda _step: None,
    key: bytes | None = None,
) -> RestoreResult:
    """Replace the database with the checked backup of `plan`. The caller holds the
    data-folder lock. `on_step` is told each step as it completes (progress, tests).
    `key`: the current data key: the restored data is put under it."""
    if plan.other_station and not allow_other_station:
        assert plan.current is not None
        raise OtherStationBackup(
            path=str(plan.backup.path),
            backup_station=plan.backup.station_code or "-",
            current_station=plan.current.station_code,
            option="--other-station",
        )
    steps: list[str] = []

    def step(name: str) -> None:
        steps.append(name)
        on_step(name)

    paths.backups.mkdir(parents=True, exist_ok=True)
    temp = restore_temp_path(paths)
    _prepare_copy(plan.backup.path, temp, now, new_id, plan.backup_key, key)
    step("prepared")
    kept = _keep_current(paths, now(), key)
    step("kept")
    _write_journal(paths, kept, plan.backup.path)
    step("journal")
    _swap(paths, temp, step)
    return RestoreResult(kept, steps)


def _swap(paths: DataPaths, temp: Path, step: Callable[[str], None]) -> None:
    _remove_wal(paths.database)
    step("wal-removed")
    os.replace(temp, paths.database)
    fsync_directory(paths.root)
    step("replaced")
    _journal(paths).unlink(missing_ok=True)
    fsync_directory(paths.root)
    step("done")


@dataclass(frozen=True)
class InterruptedRestore:
    """A restore that was cut off (a crash, a power cut) and has now been finished."""

    source: str
    kept: str | None


def finish_interrupted_restore(paths: DataPaths) -> InterruptedRestore | None:
    """At start-up, under the lock: complete a restore whose journal is still there.
    The prepared copy was checked before the journal was written, so rolling forward is
    safe; if it is already in place, only the journal is left to remove."""
    journal = _journal(paths)
    if not journal.exists():
        return None
    try:
        entry = json.loads(journal.read_text(encoding="utf-8"))
        source, kept = str(entry["source"]), entry.get("kept")
    except (OSError, ValueError, KeyError, TypeError):
        source, kept = "", None
    temp = restore_temp_path(paths)
    if temp.exists():
        _swap(paths, temp, lambda _step: None)
    else:
        journal.unlink(missing_ok=True)
        fsync_directory(paths.root)
    return InterruptedRestore(source, str(kept) if kept else None)
