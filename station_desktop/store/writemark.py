"""A note of the last change saved, kept beside the database, to notice lost writes.

SQLite keeps the newest transactions in `station.sqlite3-wal` until a checkpoint copies
them into the main file. If that file is deleted (by someone tidying up) or the database
is replaced by an older copy, those acknowledged changes are gone without any error. After
every write the program overwrites a one-line note here with this device's newest sequence
number; at the next start, a database whose newest sequence number is lower than the note
has lost changes, and the person is told which.

The note is advisory: it is written in place without fsync (a power cut can only leave it
older than the database, which is harmless) and a damaged note is ignored. It never causes
a false alarm: the database commit it follows is already durable.
"""

from __future__ import annotations

import logging
import os
import threading
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

MARK_NAME = ".station-desktop.last-write"
_RECORD_LENGTH = 36 + 1 + 20 + 1 + 8 + 1


@dataclass(frozen=True)
class LastWrite:
    device_id: uuid.UUID
    seq: int


def _encode(mark: LastWrite) -> bytes:
    body = f"{mark.device_id} {mark.seq:020d}"
    return f"{body} {zlib.crc32(body.encode()):08x}\n".encode()


def read_mark(path: Path) -> LastWrite | None:
    """The note, or None when there is none or it cannot be trusted."""
    try:
        data = path.read_bytes()[:_RECORD_LENGTH].decode("ascii")
        body, _, checksum = data.rstrip("\n").rpartition(" ")
        if int(checksum, 16) != zlib.crc32(body.encode()):
            return None
        device, seq = body.split(" ")
        return LastWrite(uuid.UUID(device), int(seq))
    except (OSError, ValueError, UnicodeDecodeError):
        return None


class WriteMark:
    """Keeps the note of one data folder up to date; one open file, one write per action."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self._lock = threading.Lock()

    def record(self, device_id: uuid.UUID, seq: int) -> None:
        data = _encode(LastWrite(device_id, seq))
        with self._lock:
            try:
                if self._fd is None:
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
                if hasattr(os, "pwrite"):
                    os.pwrite(self._fd, data, 0)
                else:  # Windows
                    os.lseek(self._fd, 0, os.SEEK_SET)
                    os.write(self._fd, data)
            except OSError:  # advisory: never let the note stop the work
                logging.getLogger(__name__).warning("could not update %s", self.path)

    def forget(self) -> None:
        """After a deliberate replacement of the database (a restore, a new identity)."""
        self.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
