"""The application log: rotating files in the data folder, with no personal data.

The code logs events, ids and field names, never values; as a safety net a filter masks
what looks like personal data (ID-card and phone numbers, names in Tibetan or Chinese
script) before anything is written, including exception messages and tracebacks.
"""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

LOG_FILE = "station-desktop.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
_HANDLER_NAME = "station-desktop-file"

_DIGITS = re.compile(r"\d{7,}[\dXx]?")  # ID-card, phone and similar numbers
_SCRIPT = re.compile(r"[\u0f00-\u0fff\u3400-\u9fff\U00020000-\U0003134f]+")  # names, notes


def redact(text: str) -> str:
    """Mask numbers of 7+ digits and any Tibetan or Chinese text."""
    return _SCRIPT.sub("…", _DIGITS.sub("#######", text))


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Send the application's log records to a rotating file; returns the file's path.
    Calling it again (another data folder, a test) replaces the previous file handler."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
    handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(min(root.level or level, level))
    return path


def stop_logging() -> None:
    """Close the log file (at exit, or when a test is done with it)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
