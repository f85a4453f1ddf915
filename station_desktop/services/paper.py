"""What the screens and the command line need of printing without loading the PDF
machinery (ReportLab): the kinds of printed form, the visit pack's default span, and
writing a finished PDF safely. `services.printing` makes the PDFs."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Final, Literal

from station_desktop.i18n import N_
from station_desktop.store.files import write_atomically

PrintKind = Literal["visit", "feedback", "case", "activity", "handout"]
KINDS: Final[tuple[PrintKind, ...]] = ("visit", "feedback", "case", "activity", "handout")
DEFAULT_PACK_DAYS: Final = 14
MSG_PERIOD = N_("Give the period as {example}.")
PERIOD_EXAMPLE = "--from 2026-06-01 --to 2026-06-14"


def write_pdf(data: bytes, path: Path) -> None:
    """Write under a temporary name, then rename: a USB stick pulled out mid-write leaves
    the old file or none, never half a PDF (CannotWrite says why it could not)."""
    write_atomically(path, data)


# Filled forms handed to the system's PDF viewer live in folders of their own (mode 0700),
# removed when the preview closes; a crash leaves them for the next start to remove.
PRINT_FOLDER_PREFIX: Final = "station-desktop-print-"
STALE_PRINT_SECONDS: Final = 3600  # another running copy's folder is younger than this


def print_folder(base: Path | None = None) -> Path:
    """A new private folder for a PDF given to the viewer."""
    return Path(tempfile.mkdtemp(prefix=PRINT_FOLDER_PREFIX, dir=base))


def remove_print_folder(folder: Path) -> None:
    """Remove a folder made by `print_folder`, with what it holds (quietly if gone)."""
    if folder.name.startswith(PRINT_FOLDER_PREFIX):
        shutil.rmtree(folder, ignore_errors=True)


def sweep_print_folders(
    base: Path | None = None, *, older_than: float = STALE_PRINT_SECONDS
) -> int:
    """Remove this user's print folders left by a crash (older than `older_than` seconds,
    so a copy of the program running on another data folder keeps its own); returns how
    many were removed."""
    root = Path(base or tempfile.gettempdir())
    removed = 0
    limit = time.time() - older_than
    try:
        folders = [p for p in root.iterdir() if p.name.startswith(PRINT_FOLDER_PREFIX)]
    except OSError:
        return 0
    for folder in folders:
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder)
                removed += 1
        except OSError:
            continue  # another user's, or in use: not ours to force
    return removed
