"""Backups, the integrity check and restoring: what the window and the command line offer
a person, as plain values and StationErrors (never an OSError). The work itself is
`store.backup`'s and `store.restore`'s; this is the one door to it.

Restoring goes through `plan` (the backup is checked completely and described beside the
current data; nothing is touched) and then `restore` (under the data-folder lock, crash-safe
at every step: see store.restore).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from station_desktop.errors import DatabaseDamaged, DiskFull, StationError
from station_desktop.i18n import N_
from station_desktop.paths import DataPaths
from station_desktop.store.backup import (
    back_up,
    backup_of,
    has_backup_on,
    integrity_problems,
    list_backups,
    usable_backups,
)
from station_desktop.store.failures import storage_problem
from station_desktop.store.files import remove_stale_temp_files
from station_desktop.store.lock import DataFolderLock
from station_desktop.store.restore import (
    RestorePlan,
    RestoreResult,
    finish_interrupted_restore,
    plan_restore,
    restore,
)

__all__ = [
    "COPY_KINDS",
    "BackupInfo",
    "BackupService",
    "CopyInfo",
    "RestorePlan",
    "RestoreResult",
    "backup_problem",
    "describe_copy",
]

MSG_BACKUP_DISK_FULL = N_(
    "The disk holding {folder} is full, so no backup could be made. The data itself is "
    "safe. Free some space (move or delete large files), then back up again."
)
MSG_BACKUP_FAILED = N_("The backup failed ({reason}). The data itself is safe.")


def backup_problem(error: BaseException, backups: Path) -> StationError:
    """What a failed backup means for the reader, with a way forward where there is one."""
    if isinstance(error, StationError):
        return error
    problem = storage_problem(error, backups)
    if isinstance(problem, DiskFull):
        return StationError(MSG_BACKUP_DISK_FULL, folder=str(backups))
    if problem is not None:
        return problem
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    return StationError(MSG_BACKUP_FAILED, reason=reason)


@dataclass(frozen=True)
class BackupInfo:
    taken_at: datetime
    reason: str  # "daily", "manual", "pre-migration", "before-restore", "damaged"
    path: Path


# What a copy of the data is, as the window names it.
COPY_KINDS = {
    "daily": N_("daily backup"),
    "manual": N_("backup made by hand"),
    "pre-migration": N_("backup before an upgrade"),
    "before-restore": N_("data replaced by a restore"),
    "kept": N_("data kept by an older version"),
    "cut-off": N_("copy from a restore that was cut off"),
}


@dataclass(frozen=True)
class CopyInfo:
    """A copy of the data offered for restoring: when it was made, what it is, its size."""

    path: Path
    made_at: datetime | None
    kind: str  # a key of COPY_KINDS
    size: int


def describe_copy(path: Path) -> CopyInfo:
    try:
        size = path.stat().st_size
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        size, modified = 0, None
    backup = backup_of(path)
    if backup is not None:
        return CopyInfo(path, backup.taken_at, backup.reason, size)
    kind = "kept" if path.name.startswith("replaced-") else "cut-off"
    return CopyInfo(path, modified, kind, size)


class BackupService:
    """Backups of one data folder. Works without an open store: restoring is what one
    does when the store cannot be opened."""

    def __init__(
        self,
        paths: DataPaths,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        new_id: Callable[[], uuid.UUID] = uuid.uuid4,
    ) -> None:
        self.paths = paths
        self.clock = clock
        self.new_id = new_id

    @property
    def folder(self) -> Path:
        return self.paths.backups

    def backups(self) -> list[BackupInfo]:
        """Every backup kept, newest first."""
        return [BackupInfo(b.taken_at, b.reason, b.path) for b in list_backups(self.folder)]

    def back_up(self, reason: str = "manual") -> Path:
        """A backup now (consistent even while the data is in use), then rotation."""
        try:
            return back_up(self.paths.database, self.folder, reason, now=self.clock())
        except (OSError, RuntimeError, sqlite3.Error) as error:
            raise backup_problem(error, self.folder) from error

    def back_up_daily(self, today: date) -> Path | None:
        """The day's backup, unless there is one already (None then)."""
        try:
            if has_backup_on(self.folder, today):
                return None
        except OSError as error:
            raise backup_problem(error, self.folder) from error
        return self.back_up("daily")

    def check(self) -> DatabaseDamaged | None:
        """SQLite's quick integrity check (about 1 s per GB): None when the data is sound,
        else the problem, naming the backups to restore from."""
        problems = integrity_problems(self.paths.database, quick=True)
        if not problems:
            return None
        return DatabaseDamaged(self.paths.database, usable_backups(self.folder), problems)

    def plan(self, backup: Path) -> RestorePlan:
        """Check `backup` completely and describe it beside the current data."""
        return plan_restore(self.paths, backup)

    def restore(
        self,
        plan: RestorePlan,
        *,
        allow_other_station: bool = False,
        on_step: Callable[[str], None] = lambda _step: None,
    ) -> RestoreResult:
        """Replace the data with the planned backup; the replaced data is kept in backups/.
        Refused (DataDirInUse) while the window or another command uses the folder."""
        with DataFolderLock(self.paths):
            finish_interrupted_restore(self.paths)
            remove_stale_temp_files(self.paths.root, self.folder)
            try:
                return restore(
                    self.paths,
                    plan,
                    now=self.clock,
                    new_id=self.new_id,
                    allow_other_station=allow_other_station,
                    on_step=on_step,
                )
            except (OSError, RuntimeError, sqlite3.Error) as error:
                raise backup_problem(error, self.paths.root) from error
