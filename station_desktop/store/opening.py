"""Opening the local data directory: the start-up sequence, in one place.

1. check the data folder is a usable folder (creating it only when about to write);
2. take the data-directory lock (one running instance per directory; released by the OS
   if the process dies, so a crashed instance never blocks the next start);
3. finish a restore that a crash interrupted, then remove temporary files an interrupted
   write left behind;
4. refuse to start empty when the database is missing but earlier copies of it are there;
5. `PRAGMA quick_check`; if it fails, refuse to write and point at the newest good backup;
6. refuse a database of another program or from a newer version of this one;
7. back up, then migrate, if the schema is behind;
8. make sure this installation has a device identity, and notice changes that were saved
   but have since been lost (store.writemark).
"""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from sqlalchemy.exc import DBAPIError

from station_desktop.errors import (
    DatabaseDamaged,
    DatabaseMissing,
    DataFolderUnusable,
    ForeignDatabase,
    NeedsMigration,
    NoDataYet,
    Notice,
    RestoreFinished,
    SchemaTooNew,
    WritesLost,
)
from station_desktop.paths import DataPaths
from station_desktop.store.audit import start_chain
from station_desktop.store.backup import back_up, integrity_problems, usable_backups
from station_desktop.store.cipher import (
    PasswordNeeded,
    SlotsMissing,
    StoreKeys,
    connect,
    is_plain_sqlite,
    sidecar,
    sqlite_errors,
)
from station_desktop.store.device import (
    DEVICE_ID_KEY,
    STATION_ID_KEY,
    device_tag,
    device_tag_for,
    ensure_device,
    existing_device,
    last_sequence,
    renew_device_identity,
)
from station_desktop.store.engine import Database, create_store_engine, sqlite_url
from station_desktop.store.files import remove_stale_temp_files
from station_desktop.store.installation import DatabaseInstallation, Installation
from station_desktop.store.lock import DataFolderLock
from station_desktop.store.migrate import (
    SCHEMA_HEAD,
    current_revision,
    known_revisions,
    upgrade_to_head,
)
from station_desktop.store.restore import (
    SQLITE_MAGIC,
    finish_interrupted_restore,
    restore_temp_path,
)
from station_desktop.store.writemark import MARK_NAME, WriteMark, read_mark

__all__ = [
    "DEVICE_ID_KEY",
    "STATION_ID_KEY",
    "OpenedStore",
    "device_tag",
    "device_tag_for",
    "open_store",
    "renew_device_identity",
]

# What the program keeps in a data folder besides the database (never "someone's data").
DATA_DIR_OPTION = "--data-dir"


@dataclass
class OpenedStore:
    paths: DataPaths
    db: Database
    device_id: uuid.UUID
    lock: DataFolderLock | None
    migrated_from: str | None = None
    # What the person must be told at start-up (a restore finished, changes lost).
    notices: list[Notice] = field(default_factory=list)
    write_mark: WriteMark | None = None
    # Where this laptop's own facts are kept (store.installation): the database file's
    # local_state here; the data folder for a shared server (store.server).
    installation: Installation = field(default_factory=DatabaseInstallation)
    # The keys of an encrypted database (None for a plain file or a server).
    keys: StoreKeys | None = None

    @property
    def encrypted(self) -> bool:
        return self.keys is not None

    @property
    def database_file(self) -> Path | None:
        """The SQLite file this laptop owns (checked, backed up, restored), or None when
        the data is on a server, whose own administration keeps it safe."""
        return None if self.db.is_server else self.paths.database

    @property
    def where(self) -> str:
        """Where the data is, as people are told: the file or the server's address."""
        return self.db.where if self.db.is_server else str(self.paths.database)

    def close(self) -> None:
        self.db.dispose()
        if self.write_mark is not None:
            self.write_mark.close()
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


# ---------------------------------------------------------------- the folder


def _blocking_file(path: Path) -> Path | None:
    """The first ancestor of `path` that exists and is not a folder."""
    for ancestor in (path, *path.parents):
        if ancestor.exists():
            return None if ancestor.is_dir() else ancestor
    return None


def _folder_problem(paths: DataPaths, error: OSError) -> DataFolderUnusable:
    root = str(paths.root)
    if error.errno == errno.EROFS:
        return DataFolderUnusable(DataFolderUnusable.READ_ONLY, path=root, option=DATA_DIR_OPTION)
    blocker = _blocking_file(paths.root)
    if blocker is not None:
        return DataFolderUnusable(
            DataFolderUnusable.UNDER_A_FILE,
            path=root,
            blocker=str(blocker),
            option=DATA_DIR_OPTION,
        )
    return DataFolderUnusable(DataFolderUnusable.NO_PERMISSION, path=root, option=DATA_DIR_OPTION)


def check_data_folder(paths: DataPaths, *, create: bool) -> None:
    """The data folder is a folder the program may use (made, private, when `create`);
    the files it keeps there are what they must be. Raises a StationError otherwise."""
    root = paths.root
    if root.exists() and not root.is_dir():
        raise DataFolderUnusable(
            DataFolderUnusable.NOT_A_FOLDER, path=str(root), option=DATA_DIR_OPTION
        )
    if not root.exists():
        blocker = _blocking_file(root)
        if blocker is not None:
            raise DataFolderUnusable(
                DataFolderUnusable.UNDER_A_FILE,
                path=str(root),
                blocker=str(blocker),
                option=DATA_DIR_OPTION,
            )
        if not create:
            raise NoDataYet(
                path=str(root), command="station-desktop setup --station CODE --admin NAME"
            )
        try:
            root.mkdir(parents=True, mode=0o700)
        except FileExistsError:
            pass  # made meanwhile by another process
        except OSError as error:
            raise _folder_problem(paths, error) from None
    if not os.access(root, os.R_OK | os.X_OK):
        raise DataFolderUnusable(
            DataFolderUnusable.NO_PERMISSION, path=str(root), option=DATA_DIR_OPTION
        )
    if paths.database.is_dir():
        raise DataFolderUnusable(DataFolderUnusable.NOT_A_FILE, path=str(paths.database))
    if paths.lock.is_dir():
        raise DataFolderUnusable(DataFolderUnusable.NOT_A_FILE, path=str(paths.lock))
    if paths.backups.exists() and not paths.backups.is_dir():
        raise DataFolderUnusable(DataFolderUnusable.NOT_A_DIRECTORY, path=str(paths.backups))
    if create:
        _check_writable(paths)


def _encrypted_without_slots(paths: DataPaths) -> bool:
    """A database that is no plain SQLite file while its key slots are gone (a copy of the
    folder without `key-slots.json`): nobody can open it until the file is back."""
    database = paths.database
    return (
        not paths.key_slots.exists()
        and database.is_file()
        and database.stat().st_size >= 100
        and not is_plain_sqlite(database)
        and (
            paths.sign_in_attempts.exists()
            or any(sidecar(b).exists() for b in usable_backups(paths.backups))
        )
    )


def make_private(paths: DataPaths) -> None:
    """The data folder and everything the program keeps in it readable by its owner only
    (0700 folders, 0600 files), also when `--data-dir` names a folder made by someone
    else's rules. New files follow from the process's umask (`ensure_private_umask`)."""
    if os.name == "nt":  # Windows: the user profile's ACLs apply
        return
    for folder, subfolders, files in os.walk(paths.root):
        _chmod(Path(folder), 0o700)
        for name in files:
            _chmod(Path(folder) / name, 0o600)
        subfolders[:] = [s for s in subfolders if not Path(folder, s).is_symlink()]


def _chmod(path: Path, mode: int) -> None:
    try:
        if not path.is_symlink() and (path.stat().st_mode & 0o777) != mode:
            path.chmod(mode)
    except OSError:
        pass  # not ours to change (another owner): the open itself says what is wrong


def ensure_private_umask() -> None:
    """Files and folders the program creates from now on are its user's only."""
    if os.name != "nt":
        os.umask(0o077)


def _check_writable(paths: DataPaths) -> None:
    probe = paths.root / f".write-probe-{os.getpid()}.tmp"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise _folder_problem(paths, error) from None


# ---------------------------------------------------------------- the database file


def earlier_copies(paths: DataPaths) -> list[Path]:
    """Copies of this folder's data that a missing database must not be silently replaced
    by an empty one: a half-placed restore, copies kept by older versions, backups."""
    found: list[Path] = []
    prepared = restore_temp_path(paths)
    if prepared.is_file() and prepared.stat().st_size > 0:
        found.append(prepared)
    found += sorted(paths.root.glob("replaced-*.sqlite3"), reverse=True)
    found += usable_backups(paths.backups)
    return found


def _damaged(paths: DataPaths, details: str) -> DatabaseDamaged:
    return DatabaseDamaged(paths.database, usable_backups(paths.backups), details)


def _check_header(paths: DataPaths) -> None:
    """Cheap checks that catch a truncated or overwritten file without reading it all:
    the SQLite signature, and a file at least as long as its header says."""
    with paths.database.open("rb") as handle:
        header = handle.read(100)
    if len(header) < 100 or header[:16] != SQLITE_MAGIC:
        raise _damaged(paths, "not a SQLite database (the file's first bytes are wrong)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid only when the change counter matches "version-valid-for".
    if header[24:28] == header[92:96] and pages * page_size > paths.database.stat().st_size:
        raise _damaged(paths, f"the file is shorter than its {pages} pages (truncated)")


def _has_foreign_tables(path: Path, key: bytes | None) -> bool:
    """Tables, but not this program's: another program's database."""
    connection = connect(f"file:{path}?mode=ro", key, uri=True)
    try:
        tables = {
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
    finally:
        connection.close()
    return bool(tables - {"alembic_version"}) and "change_log" not in tables


def open_store(
    paths: DataPaths,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
    read_only: bool = False,
    check_integrity: bool = True,
    key: bytes | None = None,
) -> OpenedStore:
    """Open (creating if needed) the data directory's database, ready for use.

    `key`: the data key (from a worker's sign-in, store.signin). A folder with a key-slot
    file holds an encrypted database and is opened only with it; a new database made
    with a key is encrypted from its first byte.

    `read_only` opens an existing database beside a running window (no lock, never
    creating anything: a mistyped folder is `NoDataYet`). `check_integrity=False` skips
    `quick_check` (about 1 s per GB): for callers that never write (the command line's
    listing and search) or run the check themselves before allowing writes (the window:
    `ui.launch.IntegrityCheck`); cheap header checks still run."""
    check_data_folder(paths, create=not read_only)
    if key is None and paths.key_slots.exists():
        raise PasswordNeeded(path=str(paths.root))
    if key is None and _encrypted_without_slots(paths):
        raise SlotsMissing(paths.database, paths.key_slots)
    if not read_only:
        ensure_private_umask()
        make_private(paths)
    lock = None if read_only else DataFolderLock(paths).acquire()
    try:
        return _open_locked(paths, lock, now, new_id, read_only, check_integrity, key)
    except BaseException:
        if lock is not None:
            lock.release()
        raise


def _open_locked(
    paths: DataPaths,
    lock: DataFolderLock | None,
    now: Callable[[], datetime],
    new_id: Callable[[], uuid.UUID],
    read_only: bool,
    check_integrity: bool,
    key: bytes | None = None,
) -> OpenedStore:
    notices: list[Notice] = []
    if not read_only:
        finished = finish_interrupted_restore(paths)
        if finished is not None:
            notices.append(RestoreFinished(source=finished.source, kept=finished.kept or "-"))
    existed = paths.database.is_file() and paths.database.stat().st_size > 0
    if not existed:
        # Never start empty over earlier data (and never remove a temporary copy that may
        # be the only one left: that is how an older version's interrupted restore ended).
        candidates = earlier_copies(paths)
        if candidates:
            raise DatabaseMissing(paths.database, candidates)
        if read_only:
            raise NoDataYet(
                path=str(paths.root), command="station-desktop setup --station CODE --admin NAME"
            )
    if not read_only:
        remove_stale_temp_files(paths.root, paths.backups)
    if existed:
        if key is None or is_plain_sqlite(paths.database):
            _check_header(paths)
        if check_integrity:
            problems = integrity_problems(paths.database, quick=True, key=key)
            if problems is not None:
                raise _damaged(paths, problems)
        try:
            foreign = _has_foreign_tables(paths.database, key)
        except sqlite_errors() as error:
            raise _damaged(paths, str(error)) from None
        if foreign:
            raise ForeignDatabase(path=str(paths.database), option=DATA_DIR_OPTION)
    engine = create_store_engine(
        sqlite_url(paths.database), read_only=read_only and existed, key=key
    )
    db = Database(engine, read_only_file=paths.database if read_only else None, key=key)
    try:
        store = _open_database(paths, db, lock, now, new_id, read_only, existed, notices, key)
    except DBAPIError as error:
        db.dispose()
        if (
            isinstance(error.orig, sqlite_errors())
            and "OperationalError" not in type(error.orig).__name__
        ):
            raise _damaged(paths, str(error.orig)) from None
        raise
    except BaseException:
        db.dispose()
        raise
    if key is not None:
        store.keys = StoreKeys(key)
    return store


def _open_database(
    paths: DataPaths,
    db: Database,
    lock: DataFolderLock | None,
    now: Callable[[], datetime],
    new_id: Callable[[], uuid.UUID],
    read_only: bool,
    existed: bool,
    notices: list[Notice],
    key: bytes | None = None,
) -> OpenedStore:
    revision = current_revision(db.engine) if existed else None
    if revision is not None and revision != SCHEMA_HEAD and revision not in known_revisions():
        raise SchemaTooNew(path=str(paths.database))
    migrated_from = None
    if revision != SCHEMA_HEAD:
        if read_only:
            raise NeedsMigration(path=str(paths.database))
        if existed:
            back_up(
                paths.database,
                paths.backups,
                "pre-migration",
                now=now(),
                key=key,
                key_slots=paths.key_slots if key is not None else None,
            )
        upgrade_to_head(db.engine)
        migrated_from = revision or "empty"
        start_chain(db, now())
    if read_only:
        device_id = existing_device(db)
        lost = _lost_writes(paths, db, device_id)
        if lost is not None:
            notices.append(lost)
        return OpenedStore(paths, db, device_id, None, migrated_from, notices)
    device_id = ensure_device(db, now, new_id)
    lost = _lost_writes(paths, db, device_id)
    mark = WriteMark(paths.root / MARK_NAME)
    if lost is not None:
        notices.append(lost)
        # The lost numbers may already have travelled: continue under a new identity.
        mark.forget()
        device_id = renew_device_identity(db, now, new_id)
    db.after_write = mark.record
    return OpenedStore(paths, db, device_id, lock, migrated_from, notices, mark)


def _lost_writes(paths: DataPaths, db: Database, device_id: uuid.UUID) -> WritesLost | None:
    mark = read_mark(paths.root / MARK_NAME)
    if mark is None or mark.device_id != device_id:
        return None
    stored = last_sequence(db, device_id)
    if mark.seq <= stored:
        return None
    return WritesLost(
        first=stored + 1,
        last=mark.seq,
        wal=f"{paths.database.name}-wal",
        command="station-desktop backups list",
    )
