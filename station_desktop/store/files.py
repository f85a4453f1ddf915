"""Writing files so that a crash or power cut leaves either the old file or the new one."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from station_desktop.errors import CannotWrite

TEMP_SUFFIX = ".tmp"


def fsync_directory(directory: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync; NTFS renames are durable
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def commit_temp_file(temp: Path, final: Path) -> None:
    """fsync `temp`, rename it over `final`, fsync the directory."""
    fsync_file(temp)
    os.replace(temp, final)
    fsync_directory(final.parent)


def temp_path_for(final: Path) -> Path:
    return final.with_name(f".{final.name}{TEMP_SUFFIX}")


def remove_stale_temp_files(*directories: Path) -> list[Path]:
    """Temporary files left by an interrupted write are never valid data: remove them."""
    removed: list[Path] = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in directory.glob(f".*{TEMP_SUFFIX}"):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def read_only_uri(path: Path) -> str:
    """A SQLite URI that reads `path` without creating anything beside it, for files that
    are only being looked at (a backup offered for restoring, the data it would replace).
    A WAL database whose `-wal` file is absent holds everything in its main file; marking
    it immutable keeps SQLite from creating `-wal` and `-shm` (which even a read-only
    reader otherwise does). Not for a database a running program may be writing."""
    immutable = "" if Path(f"{path}-wal").exists() else "&immutable=1"
    return f"file:{quote(str(path), safe='/:')}?mode=ro{immutable}"


def cannot_write(path: Path, error: OSError) -> CannotWrite:
    """The reader's explanation of why `path` could not be written."""
    folder = str(path.parent)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return CannotWrite(CannotWrite.DISK_FULL, path=str(path), folder=folder)
    if path.is_dir() or error.errno == errno.EISDIR:
        return CannotWrite(CannotWrite.IS_FOLDER, path=str(path))
    if not path.parent.is_dir():
        return CannotWrite(CannotWrite.FOLDER_MISSING, path=str(path), folder=folder)
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return CannotWrite(CannotWrite.NO_PERMISSION, path=str(path))
    return CannotWrite(CannotWrite.OTHER, path=str(path), reason=error.strerror or str(error))


def write_atomically(path: Path, write: Callable[[Path], object] | bytes) -> None:
    """Write `path` under a temporary name (bytes, or `write(temp_path)`), fsync, rename:
    a pulled USB stick or a full disk leaves the old file or none, never half of one, and
    no temporary file. Raises CannotWrite with the reason in the reader's terms."""
    if path.is_dir():
        raise CannotWrite(CannotWrite.IS_FOLDER, path=str(path))
    temp = temp_path_for(path)
    try:
        if isinstance(write, bytes):
            temp.write_bytes(write)
        else:
            write(temp)
        commit_temp_file(temp, path)
    except OSError as error:
        with contextlib.suppress(OSError):  # the medium may be gone altogether
            temp.unlink(missing_ok=True)
        raise cannot_write(path, error) from error
