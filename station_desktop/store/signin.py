"""Signing in, growing delays after wrong passwords, making an encrypted store, converting a
plain one, and re-keying: the file work behind `services.accounts`.

Failed attempts are counted per name (a hash of it: no names in the file), the unknown
names too, so an unknown name gets the same answer, after the same Argon2id work, with the
same delays as a wrong password. Three attempts are free; then each wait doubles from five
seconds up to a quarter of an hour. The count is a nuisance for someone at the keyboard,
not the protection of the data: that is the Argon2id cost against a copied slot file.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from station_desktop.errors import StationError
from station_desktop.i18n import N_
from station_desktop.paths import DataPaths
from station_desktop.store.cipher import (
    KdfParams,
    KeySlots,
    LockedOut,
    Slot,
    SlotsMissing,
    StoreKeys,
    Unlocked,
    WrongPassword,
    connect,
    encrypt_copy,
    is_plain_sqlite,
    key_pragma,
    name_key,
    new_data_key,
    new_key_slots,
    read_slots,
    sidecar,
    unlock,
    write_slots,
)
from station_desktop.store.files import commit_temp_file, fsync_directory, temp_path_for

FREE_ATTEMPTS = 3
FIRST_DELAY_S = 5
MAX_DELAY_S = 15 * 60
PENDING_SUFFIX = ".next"

MSG_ALREADY_PROTECTED = N_("The data in {path} is already protected by passwords.")
MSG_CONVERSION_LOST = N_(
    "Encrypting {path} would lose records ({table}: {before} before, {after} after). "
    "Nothing was changed."
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- delays


class Attempts:
    """Failed sign-ins per name, in a small file of the data folder."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def _key(name: str) -> str:
        return hashlib.sha256(name_key(name).encode("utf-8")).hexdigest()[:24]

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, Any]) -> None:
        temp = temp_path_for(self.path)
        with contextlib.suppress(OSError):  # a full disk must not stop a sign-in
            temp.write_text(json.dumps(data), encoding="utf-8")
            commit_temp_file(temp, self.path)

    def wait_seconds(self, name: str, now: datetime) -> int:
        entry = self._read().get(self._key(name))
        if not isinstance(entry, dict):
            return 0
        failures = int(entry.get("failures", 0))
        if failures < FREE_ATTEMPTS:
            return 0
        delay = int(min(FIRST_DELAY_S * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_S))
        try:
            last = datetime.fromisoformat(str(entry["last"]))
        except (KeyError, ValueError):
            return delay
        remaining = (last + timedelta(seconds=delay) - now).total_seconds()
        return max(0, int(remaining + 0.999))

    def failed(self, name: str, now: datetime) -> None:
        data = self._read()
        entry = data.get(self._key(name))
        failures = int(entry.get("failures", 0)) if isinstance(entry, dict) else 0
        data[self._key(name)] = {"failures": failures + 1, "last": now.isoformat()}
        self._write(data)

    def failures(self, name: str) -> int:
        """Wrong passwords given for `name` since its last sign-in."""
        entry = self._read().get(self._key(name))
        return int(entry.get("failures", 0)) if isinstance(entry, dict) else 0

    def succeeded(self, name: str) -> None:
        data = self._read()
        if data.pop(self._key(name), None) is not None:
            self._write(data)


# ---------------------------------------------------------------- signing in


def sign_in(
    paths: DataPaths,
    name: str,
    password: str,
    *,
    now: Callable[[], datetime] = _utc_now,
) -> Unlocked:
    """The data key for `name` with `password`, or LockedOut / WrongPassword /
    SlotsTampered / SlotsDamaged. Never opens (nor touches) the database file."""
    attempts = Attempts(paths.sign_in_attempts)
    wait = attempts.wait_seconds(name, now())
    if wait > 0:
        raise LockedOut(wait)
    try:
        unlocked = unlock(read_slots(paths.key_slots), paths.key_slots, name, password)
        unlocked = _settle_rekey(paths, unlocked, name, password)
    except WrongPassword:
        attempts.failed(name, now())
        raise
    attempts.succeeded(name)
    return unlocked


def _opens(database: Path, key: bytes) -> bool:
    if not database.exists():
        return True
    try:
        connect(f"file:{database}?mode=ro", key, uri=True).close()
    except Exception:
        return False
    return True


def _settle_rekey(paths: DataPaths, unlocked: Unlocked, name: str, password: str) -> Unlocked:
    """A re-key cut off by a crash: the new slot file is still beside the old one. Keep
    whichever opens the database."""
    pending = _pending(paths)
    if not pending.exists():
        return unlocked
    if _opens(paths.database, unlocked.data_key):
        pending.unlink(missing_ok=True)
        return unlocked
    fresh = unlock(read_slots(pending), pending, name, password)
    os.replace(pending, paths.key_slots)
    fsync_directory(paths.root)
    return fresh


def _pending(paths: DataPaths) -> Path:
    return paths.key_slots.with_name(paths.key_slots.name + PENDING_SUFFIX)


# ---------------------------------------------------------------- making and converting


def protect(
    paths: DataPaths,
    first: Slot,
    *,
    recovery: str | None,
    now: Callable[[], datetime] = _utc_now,
) -> bytes:
    """Make the folder's data encrypted, with `first` (the administrator) as its only
    slot: a new database is created encrypted when opened with the returned key; an
    existing plain one is converted now (see `convert_plain`). The caller holds no
    connection to the database."""
    if paths.key_slots.exists():
        raise StationError(MSG_ALREADY_PROTECTED, path=str(paths.root))
    paths.root.mkdir(mode=0o700, parents=True, exist_ok=True)
    data_key = new_data_key()
    slots = new_key_slots(data_key, [first], recovery)
    if paths.database.is_file() and paths.database.stat().st_size > 0:
        if not is_plain_sqlite(paths.database):
            raise SlotsMissing(paths.database, paths.key_slots)
        convert_plain(paths, data_key, slots, now=now)
    else:
        write_slots(paths.key_slots, slots)
    return data_key


def _counts(connection: Any) -> dict[str, int]:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    counts: dict[str, int] = {}
    for table in tables:
        counts[table] = int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    return counts


def convert_plain(
    paths: DataPaths, data_key: bytes, slots: KeySlots, *, now: Callable[[], datetime] = _utc_now
) -> None:
    """Encrypt the folder's plain database once, losing nothing: the plain file stays in
    place until an encrypted copy holding every row of every table is checked, kept as a
    backup with its slot file, and renamed over it. The plain backups and kept copies are
    then encrypted as well (a copy that cannot be read is left as it is)."""
    from station_desktop.store.backup import integrity_problems, take_backup  # noqa: PLC0415
    from station_desktop.store.lock import DataFolderLock  # noqa: PLC0415

    with DataFolderLock(paths):
        database = paths.database
        plain = connect(database, None, isolation_level=None)
        try:
            plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            plain.execute("PRAGMA journal_mode=DELETE")
            before = _counts(plain)
        finally:
            plain.close()
        temp = temp_path_for(database)
        encrypt_copy(database, temp, data_key)
        encrypted = connect(temp, data_key)
        try:
            after = _counts(encrypted)
        finally:
            encrypted.close()
        for table, count in before.items():
            if after.get(table) != count:
                temp.unlink(missing_ok=True)
                raise StationError(
                    MSG_CONVERSION_LOST,
                    path=str(database),
                    table=table,
                    before=count,
                    after=after.get(table, 0),
                )
        problems = integrity_problems(temp, key=data_key)
        if problems is not None:
            temp.unlink(missing_ok=True)
            raise RuntimeError(f"the encrypted copy failed its check: {problems}")
        write_slots(paths.key_slots, slots)
        # The backup first: the encrypted copy, with the slot file that opens it.
        take_backup(
            temp,
            paths.backups,
            "pre-migration",
            now=now(),
            key=data_key,
            key_slots=paths.key_slots,
        )
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        os.replace(temp, database)
        fsync_directory(paths.root)
        for copy in _plain_copies(paths):
            _encrypt_in_place(copy, data_key, paths.key_slots)
        _seal_drafts(paths, data_key)


def _seal_drafts(paths: DataPaths, data_key: bytes) -> None:
    """Drafts typed before the data was encrypted, sealed as new ones are (same files)."""
    from station_desktop.drafts import DraftStore  # noqa: PLC0415
    from station_desktop.store.cipher import derive_key  # noqa: PLC0415

    key = derive_key(data_key, "drafts")
    for draft in DraftStore(paths.drafts).all():
        sealed = DraftStore(paths.drafts, key=key, clock=functools.partial(_same, draft.saved_at))
        sealed.save(draft.key, draft.form_code, draft.form_version, draft.values)


def _same(when: datetime) -> datetime:
    return when


def _plain_copies(paths: DataPaths) -> list[Path]:
    copies = list(paths.root.glob("replaced-*.sqlite3"))
    if paths.backups.is_dir():
        copies += [p for p in paths.backups.glob("*.sqlite3")]
    return [p for p in copies if is_plain_sqlite(p)]


def _encrypt_in_place(copy: Path, data_key: bytes, key_slots: Path) -> None:
    import shutil  # noqa: PLC0415

    temp = temp_path_for(copy)
    try:
        encrypt_copy(copy, temp, data_key)
    except Exception:
        temp.unlink(missing_ok=True)
        return  # a damaged raw copy: left for a person to look at
    slots_temp = temp_path_for(sidecar(copy))
    shutil.copyfile(key_slots, slots_temp)
    commit_temp_file(slots_temp, sidecar(copy))
    Path(f"{copy}-wal").unlink(missing_ok=True)
    commit_temp_file(temp, copy)


# ---------------------------------------------------------------- changing the slots


def save_slots(paths: DataPaths, slots: KeySlots) -> None:
    write_slots(paths.key_slots, slots)


def rekey(paths: DataPaths, old_key: bytes, new_key: bytes, slots: KeySlots) -> None:
    """Put the database under `new_key`, sealed by `slots`. The caller has closed every
    connection. Crash-safe: the new slots are written beside the old ones first; the
    database is re-keyed in one SQLCipher transaction; then the new slots take the old
    ones' place (a sign-in after a crash keeps whichever opens the data)."""
    pending = _pending(paths)
    write_slots(pending, slots)
    connection = connect(paths.database, old_key, isolation_level=None)
    try:
        # WAL content first: the re-key rewrites the main file's pages.
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
        connection.execute(key_pragma(new_key).replace("PRAGMA key", "PRAGMA rekey", 1))
    finally:
        connection.close()
    os.replace(pending, paths.key_slots)
    fsync_directory(paths.root)


__all__ = [
    "Attempts",
    "KdfParams",
    "StoreKeys",
    "convert_plain",
    "protect",
    "rekey",
    "save_slots",
    "sign_in",
]
