"""Disk and lock failures, as the reader's problems rather than crashes.

SQLite reports a full disk, a lock held too long, a read-only file or an I/O failure as an
`OperationalError` whose result code says which. `storage_problem` turns those codes into
`StorageProblem`s with a message and a way forward; anything else is left alone (a bug).
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from station_desktop.errors import DataBusy, DataReadOnly, DiskFull, StorageProblem

# SQLite primary result codes (https://sqlite.org/rescode.html).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL = 5, 6, 8, 10, 13
SQLITE_CANTOPEN, SQLITE_PERM = 14, 3


def storage_problem(error: BaseException, folder: Path) -> StorageProblem | None:
    """The reader-facing problem behind `error`, or None when it is not a storage failure."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(cause, sqlite3.Error):
        code = (getattr(cause, "sqlite_errorcode", 0) or 0) & 0xFF  # extended → primary
        if code == SQLITE_FULL:
            return DiskFull(folder=str(folder))
        if code in (SQLITE_BUSY, SQLITE_LOCKED):
            return DataBusy()
        if code in (SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN):
            return DataReadOnly(folder=str(folder))
        if code == SQLITE_IOERR:
            return StorageProblem(reason=str(cause))
        return None
    if isinstance(cause, OSError):  # the file system refused (e.g. a journal file)
        if cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return DiskFull(folder=str(folder))
        if cause.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return DataReadOnly(folder=str(folder))
        if cause.errno == errno.EIO:
            return StorageProblem(reason=cause.strerror or str(cause))
    return None
