"""Unexpected errors (bugs): logged, then shown in a dialog with the details and the path of
the log file. The application keeps running; what was saved stays saved, and open editors
keep their drafts."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from station_desktop.errors import StationError
from station_desktop.i18n import _
from station_desktop.logs import redact

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def show_problem(parent: QWidget | None, error: StationError) -> None:
    """An expected problem (disk full, locked data, bad file): its message, translated."""
    QMessageBox.warning(parent, _("Station Desktop"), _(error.message, **error.params))


def crash_handler(parent: Callable[[], QWidget | None], log_path: Path) -> ExceptHook:
    def handle(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if isinstance(error, StationError):
            show_problem(parent(), error)
            return
        details = "".join(traceback.format_exception(kind, error, tb))
        log.error("unexpected error\n%s", details)
        box = QMessageBox(parent())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(_("Station Desktop"))
        box.setText(
            _(
                "Something went wrong inside Station Desktop. What you saved is safe, and "
                "what you were typing is kept as a draft. The details are in {path}.",
                path=str(log_path),
            )
        )
        box.setDetailedText(redact(details))
        box.exec()

    return handle


def install_crash_handler(parent: Callable[[], QWidget | None], log_path: Path) -> ExceptHook:
    """Route uncaught exceptions (also those raised in Qt slots) to the crash dialog.
    Returns the previous hook."""
    previous = sys.excepthook
    sys.excepthook = crash_handler(parent, log_path)
    return previous
