"""Record identity: time-ordered UUIDs (RFC 9562 version 7) made on the laptop.

Python 3.11's `uuid` module has no uuid7 (it arrives in 3.14); the format is twelve lines,
so it is written here rather than adding a dependency. Ids are ordered by creation time,
which keeps SQLite and PostgreSQL B-tree inserts local. Within one generator, ids are
strictly increasing even when the clock stands still or steps back.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable


class Uuid7Generator:
    def __init__(self, clock_ms: Callable[[], int] | None = None) -> None:
        self._clock_ms = clock_ms or (lambda: time.time_ns() // 1_000_000)
        self._last = 0
        self._lock = threading.Lock()

    def __call__(self) -> uuid.UUID:
        with self._lock:
            ms = self._clock_ms() & ((1 << 48) - 1)
            rand = int.from_bytes(os.urandom(10), "big")
            candidate = (ms << 80) | (rand & ((1 << 80) - 1))
            if candidate <= self._last:  # same millisecond or clock stepped back
                candidate = self._last + 1
            self._last = candidate
            value = candidate
        # Overwrite version (4 bits at 76) and variant (2 bits at 62) per RFC 9562.
        value &= ~(0xF << 76)
        value |= 0x7 << 76
        value &= ~(0x3 << 62)
        value |= 0x2 << 62
        return uuid.UUID(int=value)


def attendance_id(activity_id: uuid.UUID, resident_id: uuid.UUID) -> uuid.UUID:
    """Attendance is a set: the same person at the same activity has one id on every laptop,
    so two workers ticking the same name offline merge instead of duplicating."""
    return uuid.uuid5(activity_id, str(resident_id))
