"""Disk, lock and server failures, as the reader's problems rather than crashes.

SQLite reports a full disk, a lock held too long, a read-only file or an I/O failure as an
`OperationalError` whose result code says which; PostgreSQL says it with a SQLSTATE code.
`storage_problem` turns those codes into `StorageProblem`s with a message and a way
forward; anything else is left alone (a bug).
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from station_desktop.errors import (
    DataBusy,
    DataReadOnly,
    DiskFull,
    ServerLost,
    ServerProblem,
    StorageProblem,
)

# SQLite primary result codes (https://sqlite.org/rescode.html).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL = 5, 6, 8, 10, 13
SQLITE_CANTOPEN, SQLITE_PERM = 14, 3

# PostgreSQL SQLSTATE codes (the server manual's appendix "PostgreSQL Error Codes").
# Waiting too long for a lock (another laptop's long import), a deadlock or a cancelled
# statement: the same as SQLite's busy database.
SERVER_BUSY = frozenset({"55P03", "40001", "40P01", "57014"})
# The server cannot take more: full disk, memory, connections; a read-only standby or a
# user without the right to write.
SERVER_REFUSED = frozenset({"53100", "53200", "53300", "53400", "25006", "42501"})
# The connection is gone (class 08) or the server is shutting down.
SERVER_GONE_CLASS = "08"
SERVER_SHUTTING_DOWN = frozenset({"57P01", "57P02", "57P03"})


def server_problem(cause: BaseException, server: str) -> StorageProblem | None:
    """The problem behind an error of the PostgreSQL driver, or None (a bug)."""
    sqlstate = getattr(cause, "sqlstate", None) or ""
    reason = first_line(cause)
    if sqlstate in SERVER_BUSY:
        return DataBusy()
    if sqlstate in SERVER_REFUSED:
        return ServerProblem(server=server, reason=reason)
    if sqlstate.startswith(SERVER_GONE_CLASS) or sqlstate in SERVER_SHUTTING_DOWN:
        return ServerLost(server=server, reason=reason)
    if not sqlstate and type(cause).__name__ == "OperationalError":
        return ServerLost(server=server, reason=reason)  # no answer from the server at all
    return None


def first_line(error: BaseException) -> str:
    """The driver's own words, first line only (the rest repeats the statement)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def storage_problem(error: BaseException, folder: Path | str) -> StorageProblem | None:
    """The reader-facing problem behind `error`, or None when it is not a storage failure.
    `folder`: where the data is (for a server, its address as messages show it).

    An error raised while handling a storage failure is that failure's: SQLite undoes the
    whole transaction on a full disk, so rolling back to a savepoint inside it (a receive's
    file) then fails with "no such savepoint", which says nothing to the reader."""
    current: BaseException | None = error
    for _ in range(5):  # a few links of the chain are enough; it may loop
        if current is None:
            break
        problem = _problem_of(current, folder)
        if problem is not None:
            return problem
        current = current.__context__
    return None


def _problem_of(error: BaseException, folder: Path | str) -> StorageProblem | None:
    if isinstance(error, StorageProblem):
        return error
    cause = error.orig if isinstance(error, DBAPIError) else error
    if cause is not None and type(cause).__module__.startswith("psycopg"):
        return server_problem(cause, str(folder))
    if isinstance(cause, sqlite3.Error) or type(cause).__module__.startswith("sqlcipher3"):
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
