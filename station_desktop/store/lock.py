"""One running copy of the program per data folder.

Two locks, both released by the operating system when the process dies (a crashed copy
never blocks the next start): `filelock` on `.station-desktop.lock`, and on POSIX systems
an exclusive `flock` on the data folder itself. The second one matters because the lock
file can be deleted by someone tidying up, after which a second copy would get a lock file
of its own; the folder cannot be deleted while it holds the data. (On Windows an open
file cannot be deleted, so the lock file alone holds.)
"""

from __future__ import annotations

import os
from types import TracebackType

from filelock import FileLock, Timeout

from station_desktop.errors import DataDirInUse, DataFolderUnusable
from station_desktop.paths import DataPaths


class DataFolderLock:
    def __init__(self, paths: DataPaths) -> None:
        self.paths = paths
        self._file_lock = FileLock(paths.lock, timeout=0)
        self._folder_fd: int | None = None

    def acquire(self) -> DataFolderLock:
        if self.paths.lock.is_dir():
            raise DataFolderUnusable(DataFolderUnusable.NOT_A_FILE, path=str(self.paths.lock))
        try:
            self._file_lock.acquire()
        except Timeout as exc:
            raise DataDirInUse(path=str(self.paths.root)) from exc
        try:
            self._lock_folder()
        except BaseException:
            self._file_lock.release()
            raise
        return self

    def _lock_folder(self) -> None:
        if os.name == "nt":
            return
        import fcntl  # noqa: PLC0415 - POSIX only

        fd = os.open(self.paths.root, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            os.close(fd)
            raise DataDirInUse(path=str(self.paths.root)) from exc
        self._folder_fd = fd

    def release(self) -> None:
        if self._folder_fd is not None:
            os.close(self._folder_fd)  # closing the descriptor releases the flock
            self._folder_fd = None
        self._file_lock.release()

    def __enter__(self) -> DataFolderLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
