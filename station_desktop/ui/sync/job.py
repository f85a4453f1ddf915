"""Sync work in a worker thread: sending and receiving can take seconds to minutes (a
bureau's 65 stations), and the window must stay alive and show progress meanwhile."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

Report = Callable[[object], None]


class SyncJob(QObject):
    """Runs `work(report)` in a thread. What `work` reports, its result and any exception
    arrive in the GUI thread as queued signals (the QObject lives there)."""

    progressed = Signal(object)
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, work: Callable[[Report], object], name: str) -> None:
        super().__init__()
        self._work = work
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def is_running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            result = self._work(self.progressed.emit)
        except Exception as error:  # a StationError is shown; anything else is raised there
            self.failed.emit(error)
        else:
            self.done.emit(result)


def raise_unexpected(error: object) -> None:
    """A failure that is not a StationError is a bug: raised in the GUI thread, where the
    crash dialog catches it."""
    raise error if isinstance(error, BaseException) else RuntimeError(error)
