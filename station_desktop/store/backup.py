"""Backups with SQLite's online backup API, rotated grandfather-father-son.

A backup is written to a temporary name, checked with `integrity_check`, fsynced and only
then renamed into place, so a half-written backup can never be mistaken for a good one.
One is always taken before a schema migration. File names carry no personal data.

An encrypted database is copied with the keyed connection into a file keyed the same way
(SQLCipher refuses a plaintext destination), and its key-slot file goes beside the copy
(`<backup>.keys`): a backup opens with the passwords that opened the data when it was made.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from station_desktop.store.cipher import connect, sidecar, sqlite_errors
from station_desktop.store.files import commit_temp_file, read_only_uri, temp_path_for

KEEP_DAILY = 7
KEEP_WEEKLY = 4
KEEP_MONTHLY = 6
KEEP_PRE_MIGRATION = 3
# Copies kept by a restore: of the data it replaced, and raw copies of a damaged file.
KEEP_BEFORE_RESTORE = 3
KEEP_DAMAGED = 3
KEEP_MANUAL = 3
DAMAGED = "damaged"
REGULAR = frozenset({"daily", "manual"})

_NAME = re.compile(r"^station-(\d{8}T\d{6}\d{6}Z)-([a-z-]+)\.sqlite3$")
_STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True, order=True)
class Backup:
    taken_at: datetime
    reason: str
    path: Path

    @property
    def usable(self) -> bool:
        """A whole copy that can be restored (a raw copy of a damaged file is not)."""
        return self.reason != DAMAGED

    @property
    def sidecars(self) -> list[Path]:
        """Files that belong with this one (the WAL kept beside a raw copy, the key slots
        beside a copy of an encrypted database)."""
        return [Path(f"{self.path}-wal"), sidecar(self.path)]


def integrity_problems(
    path: Path, *, quick: bool = False, only_looking: bool = False, key: bytes | None = None
) -> str | None:
    """None when the database passes (quick_)integrity_check, else what SQLite reported.
    `only_looking`: a file that is only being examined (see files.read_only_uri). `key`:
    the data key of an encrypted file (the check runs on the keyed connection)."""
    pragma = "quick_check" if quick else "integrity_check"
    uri = read_only_uri(path) if only_looking else f"file:{path}?mode=ro"
    try:
        connection = connect(uri, key, uri=True)
        try:
            rows = connection.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            connection.close()
    except sqlite_errors() as exc:
        return str(exc)
    messages = [str(row[0]) for row in rows]
    return None if messages == ["ok"] else "; ".join(messages[:20])


def _backup_name(backup_dir: Path, reason: str, now: datetime | None) -> Path:
    taken_at = (now or datetime.now(UTC)).astimezone(UTC)
    return backup_dir / f"station-{taken_at.strftime(_STAMP)}-{reason}.sqlite3"


def _copy_database(database: Path, target_path: Path, key: bytes | None) -> None:
    source = connect(f"file:{database}?mode=ro", key, uri=True)
    try:
        target = connect(target_path, key)
        try:
            source.backup(target)
            # A self-contained file: no -wal beside it that could be lost when copied.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    finally:
        source.close()


def take_backup(
    database: Path,
    backup_dir: Path,
    reason: str,
    *,
    now: datetime | None = None,
    key: bytes | None = None,
    key_slots: Path | None = None,
) -> Path:
    """Copy `database` (consistently, even while it is in use) into `backup_dir`; an
    encrypted one (`key`) keyed alike, with its slot file `key_slots` beside."""
    backup_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    final = _backup_name(backup_dir, reason, now)
    temp = temp_path_for(final)
    temp.unlink(missing_ok=True)
    try:
        _copy_database(database, temp, key)
    except BaseException:
        for leftover in (temp, Path(f"{temp}-journal")):
            leftover.unlink(missing_ok=True)
        raise
    problems = integrity_problems(temp, key=key)
    if problems is not None:
        temp.unlink(missing_ok=True)
        raise RuntimeError(f"backup failed its integrity check: {problems}")
    if key is not None and key_slots is not None:
        # The slots first: a backup is never without the file that opens it.
        slots_temp = temp_path_for(sidecar(final))
        shutil.copyfile(key_slots, slots_temp)
        commit_temp_file(slots_temp, sidecar(final))
    commit_temp_file(temp, final)
    return final


def keep_damaged_copy(database: Path, backup_dir: Path, *, now: datetime | None = None) -> Path:
    """The raw bytes of a database that cannot be copied consistently (it is damaged),
    with its WAL beside, kept so that whatever can still be recovered from it is."""
    backup_dir.mkdir(parents=True, exist_ok=True)
    final = _backup_name(backup_dir, DAMAGED, now)
    for source, target in ((Path(f"{database}-wal"), Path(f"{final}-wal")), (database, final)):
        if source.exists():
            temp = temp_path_for(target)
            shutil.copyfile(source, temp)
            commit_temp_file(temp, target)
    return final


def backup_of(path: Path) -> Backup | None:
    """The backup a file name describes (when and why it was taken), or None."""
    match = _NAME.match(path.name)
    if match is None:
        return None
    taken_at = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
    return Backup(taken_at, match.group(2), path)


def list_backups(backup_dir: Path) -> list[Backup]:
    """Backups, newest first."""
    found: list[Backup] = []
    if backup_dir.is_dir():
        for path in backup_dir.iterdir():
            backup = backup_of(path)
            if backup is not None:
                found.append(backup)
    return sorted(found, reverse=True)


def _newest_per_bucket(
    ordered: list[Backup], limit: int, bucket_of: Callable[[datetime], Hashable]
) -> set[Path]:
    keep: set[Path] = set()
    buckets: set[Hashable] = set()
    for backup in ordered:
        bucket = bucket_of(backup.taken_at)
        if bucket in buckets:
            continue
        if len(buckets) == limit:
            break
        buckets.add(bucket)
        keep.add(backup.path)
    return keep


def backups_to_keep(backups: Iterable[Backup]) -> set[Path]:
    """Of the regular backups (daily and manual): the newest per day for 7 days, per ISO
    week for 4 weeks, per month for 6 months. Whatever their age, also the last few of
    each other kind and the last few taken by hand: a copy kept by a restore, or made on
    purpose, is never pushed out by the day's routine backup (nor the reverse)."""
    ordered = sorted(backups, reverse=True)
    regular = [b for b in ordered if b.reason in REGULAR]

    def newest(reason: str, limit: int) -> set[Path]:
        return set([b.path for b in ordered if b.reason == reason][:limit])

    return (
        _newest_per_bucket(regular, KEEP_DAILY, lambda t: t.date())
        | _newest_per_bucket(regular, KEEP_WEEKLY, lambda t: tuple(t.isocalendar())[:2])
        | _newest_per_bucket(regular, KEEP_MONTHLY, lambda t: (t.year, t.month))
        | newest("manual", KEEP_MANUAL)
        | newest("pre-migration", KEEP_PRE_MIGRATION)
        | newest("before-restore", KEEP_BEFORE_RESTORE)
        | newest(DAMAGED, KEEP_DAMAGED)
    )


def rotate_backups(backup_dir: Path) -> list[Path]:
    backups = list_backups(backup_dir)
    keep = backups_to_keep(backups)
    removed = [b for b in backups if b.path not in keep]
    for backup in removed:
        backup.path.unlink(missing_ok=True)
        for beside in backup.sidecars:
            beside.unlink(missing_ok=True)
    return [b.path for b in removed]


def back_up(
    database: Path,
    backup_dir: Path,
    reason: str,
    *,
    now: datetime | None = None,
    key: bytes | None = None,
    key_slots: Path | None = None,
) -> Path:
    """Take a backup, then let the oldest go by the rotation rule: what every backup the
    program takes (daily, manual, before a migration) does."""
    path = take_backup(database, backup_dir, reason, now=now, key=key, key_slots=key_slots)
    rotate_backups(backup_dir)
    return path


def has_backup_on(backup_dir: Path, day: date) -> bool:
    return any(b.taken_at.date() == day and b.usable for b in list_backups(backup_dir))


def usable_backups(backup_dir: Path) -> list[Path]:
    """Backups that can be restored, newest first."""
    return [b.path for b in list_backups(backup_dir) if b.usable]
