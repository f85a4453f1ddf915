"""Backups and the integrity check, as the screens use them: taken on demand or once a
day, listed, and what a failure means for the reader (a StationError, never an OSError).
The work itself is `store.backup`'s; this is the screens' one door to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from station_desktop.errors import DatabaseDamaged, DiskFull, StationError
from station_desktop.i18n import N_
from station_desktop.paths import DataPaths
from station_desktop.store.backup import back_up, has_backup_on, integrity_problems, list_backups
from station_desktop.store.failures import storage_problem

MSG_BACKUP_DISK_FULL = N_(
    "The disk holding {folder} is full, so no backup could be made. The data itself is "
    "safe. Free some space (move or delete large files), then back up again."
)
MSG_BACKUP_FAILED = N_("The backup failed ({reason}). The data itself is safe.")


def backup_problem(error: BaseException, backups: Path) -> StationError:
    """What a failed backup means for the reader, with a way forward where there is one."""
    problem = storage_problem(error, backups)
    if isinstance(problem, DiskFull):
        return StationError(MSG_BACKUP_DISK_FULL, folder=str(backups))
    return StationError(MSG_BACKUP_FAILED, reason=str(error))


@dataclass(frozen=True)
class BackupInfo:
    taken_at: datetime
    reason: str  # "daily", "manual", "pre-migration"...
    path: Path


class BackupService:
    def __init__(self, paths: DataPaths) -> None:
        self.paths = paths

    @property
    def folder(self) -> Path:
        return self.paths.backups

    def back_up(self, reason: str = "manual") -> Path:
        """Take a backup now (the old ones rotated); a StationError says why it failed."""
        try:
            return back_up(self.paths.database, self.paths.backups, reason)
        except (OSError, RuntimeError) as error:  # disk full, or the copy failed its check
            raise backup_problem(error, self.paths.backups) from error

    def back_up_daily(self, today: date) -> Path | None:
        """The day's backup, unless there is one already (None then)."""
        try:
            if has_backup_on(self.paths.backups, today):
                return None
        except OSError as error:
            raise backup_problem(error, self.paths.backups) from error
        return self.back_up("daily")

    def backups(self) -> list[BackupInfo]:
        """The backups kept, newest first."""
        return [BackupInfo(b.taken_at, b.reason, b.path) for b in list_backups(self.folder)]

    def check(self) -> DatabaseDamaged | None:
        """SQLite's quick integrity check (about 1 s per GB): None when the data is sound,
        else the problem, naming the backups to restore from."""
        problems = integrity_problems(self.paths.database, quick=True)
        if not problems:
            return None
        return DatabaseDamaged(self.paths.database, [b.path for b in self.backups()], problems)
