"""Backups, the integrity check and restoring: what the window and the command line offer
a person, as plain values and StationErrors (never an OSError). The work itself is
`store.backup`'s and `store.restore`'s; this is the one door to it.

Restoring goes through `plan` (the backup is checked completely and described beside the
current data; nothing is touched) and then `restore` (under the data-folder lock, crash-safe
at every step: see store.restore).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from station_desktop.errors import DatabaseDamaged, DiskFull, StationError
from station_desktop.i18n import N_
from station_desktop.paths import DataPaths
from station_desktop.services.access import SYSTEM, Action, Actor, Resource, require
from station_desktop.store.backup import (
    back_up,
    backup_of,
    has_backup_on,
    integrity_problems,
    list_backups,
    usable_backups,
)
from station_desktop.store.cipher import (
    MSG_COPY_OTHER_KEY,
    SlotsDamaged,
    read_slots,
    sidecar,
    sqlite_errors,
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


# Opens the key slots kept beside an encrypted copy (with the signed-in worker's password):
# the copy's data key, or None when they do not open it.
CopyKeyOpener = Callable[[Path], bytes | None]


class BackupService:
    """Backups of one data folder. Works without an open store: restoring is what one
    does when the store cannot be opened. An encrypted folder's service is given the data
    key (`key`, from the sign-in) and, for copies made under an earlier key, a way to
    open their key slots (`open_copy_key`)."""

    def __init__(
        self,
        paths: DataPaths,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        new_id: Callable[[], uuid.UUID] = uuid.uuid4,
        key: bytes | None = None,
        open_copy_key: CopyKeyOpener | None = None,
        actor: Callable[[], Actor] = lambda: SYSTEM,
    ) -> None:
        self.paths = paths
        # Who asks (services.access): the signed-in person. The day's backup and the one
        # before a migration or a restore are the program's own, never refused.
        self.actor = actor
        self.clock = clock
        self.new_id = new_id
        self.key = key
        self.open_copy_key = open_copy_key

    def _copy_key(self, copy: Path) -> bytes | None:
        """The data key of a copy: None for a plain one, the current key when its slots
        verify under it, else what `open_copy_key` finds."""
        slots_file = sidecar(copy)
        if self.key is None or not slots_file.exists():
            return None
        slots = read_slots(slots_file)
        try:
            slots.verify(self.key, slots_file)
            return self.key
        except StationError:
            pass
        opened = self.open_copy_key(slots_file) if self.open_copy_key is not None else None
        if opened is None:
            raise StationError(MSG_COPY_OTHER_KEY, path=str(copy))
        return opened

    @property
    def folder(self) -> Path:
        return self.paths.backups

    def backups(self) -> list[BackupInfo]:
        """Every backup kept, newest first."""
        require(self.actor(), Resource.BACKUP, Action.READ)
        return [BackupInfo(b.taken_at, b.reason, b.path) for b in list_backups(self.folder)]

    def back_up(self, reason: str = "manual") -> Path:
        """A backup now (consistent even while the data is in use), then rotation. A
        "manual" one is a person's: their role must allow it."""
        if reason == "manual":
            require(self.actor(), Resource.BACKUP, Action.CREATE)
        try:
            return back_up(
                self.paths.database,
                self.folder,
                reason,
                now=self.clock(),
                key=self.key,
                key_slots=self.paths.key_slots if self.key is not None else None,
            )
        except (OSError, RuntimeError, *sqlite_errors()) as error:  # type: ignore[misc]
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
        problems = integrity_problems(self.paths.database, quick=True, key=self.key)
        if not problems:
            return None
        return DatabaseDamaged(self.paths.database, usable_backups(self.folder), problems)

    def plan(self, backup: Path) -> RestorePlan:
        """Check `backup` completely and describe it beside the current data."""
        require(self.actor(), Resource.BACKUP, Action.RESTORE)
        if self.key is not None and not sidecar(backup).exists():
            from station_desktop.store.cipher import is_plain_sqlite  # noqa: PLC0415

            if not is_plain_sqlite(backup):
                raise SlotsDamaged(sidecar(backup), "missing")
        return plan_restore(self.paths, backup, key=self.key, backup_key=self._copy_key(backup))

    def restore(
        self,
        plan: RestorePlan,
        *,
        allow_other_station: bool = False,
        on_step: Callable[[str], None] = lambda _step: None,
    ) -> RestoreResult:
        """Replace the data with the planned backup; the replaced data is kept in backups/.
        Refused (DataDirInUse) while the window or another command uses the folder."""
        require(self.actor(), Resource.BACKUP, Action.RESTORE)
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
                    key=self.key,
                )
            except (OSError, RuntimeError, *sqlite_errors()) as error:  # type: ignore[misc]
                raise backup_problem(error, self.paths.root) from error
